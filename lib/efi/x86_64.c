/*
 * efi-boot on x86_64 (contract in efi.h): fw_cfg through its I/O ports,
 * the multiboot info the payload's 32-bit entry reads, and the RSDP where
 * a BIOS would have put it: OVMF gives it only as a configuration table,
 * so efi-boot copies it into the first KiB of an "EBDA" below 640 KiB,
 * kept as ACPI reclaim memory, and the hand-over sets the EBDA segment
 * at 0x40e (lib/x86/acpi.c looks there first).
 */
#include "efi.h"
#include "multiboot.h"
#include "processor.h"
#include "string.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_PORT_DMA		0x514	/* high half; writing the low one at 0x518 starts it */

#define LOW_MEMORY_END		0xa0000ull
#define BELOW_4G		0xffffffffull
#define CMDLINE_MAX		4096
#define MMAP_MAX		512

/* All below 4 GiB in one allocation: the 32-bit entry reads them. */
struct boot_info {
	struct multiboot_info mbi;
	char cmdline[CMDLINE_MAX];
	struct multiboot_mmap mmap[MMAP_MAX];
};

static struct boot_info *info;
static uint16_t ebda_segment;	/* 0: no RSDP */

__attribute__((noreturn)) void efi_x86_enter(uint32_t entry, uint32_t mbi, uint16_t ebda);

void fw_cfg_arch_init(void)
{
}

void fw_cfg_arch_select(uint16_t key)
{
	outw(FW_CFG_PORT_SEL, key);
}

uint8_t fw_cfg_arch_read8(void)
{
	return inb(FW_CFG_PORT_DATA);
}

void fw_cfg_arch_dma(uint64_t access)
{
	outl(FW_CFG_PORT_DMA, __builtin_bswap32(access >> 32));
	outl(FW_CFG_PORT_DMA + 4, __builtin_bswap32((uint32_t)access));
}

static void copy_rsdp(void)
{
	static const efi_guid acpi20 = { 0x8868e871, 0xe4f1, 0x11d3,
					 { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } };
	static const efi_guid acpi10 = { 0xeb9d2d30, 0x2d88, 0x11d3,
					 { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } };
	const uint8_t *rsdp = efi_config_table(&acpi20);
	uint64_t page;
	unsigned int len;

	if (!rsdp)
		rsdp = efi_config_table(&acpi10);
	if (!rsdp)
		return;		/* no ACPI: the payload finds none, as without EFI */
	len = rsdp[15] >= 2 ? rsdp[20] | rsdp[21] << 8 : 20;	/* revision, length */
	if (len > EFI_PAGE_SIZE)
		efi_fail("RSDP length", len);
	page = efi_alloc_below(EFI_ACPI_RECLAIM_MEMORY, EFI_PAGE_SIZE, LOW_MEMORY_END - 1);
	if (!page)
		efi_fail("no page below 640 KiB for the RSDP, max", LOW_MEMORY_END);
	memcpy((void *)(uintptr_t)page, rsdp, len);
	ebda_segment = page >> 4;
}

void efi_arch_prepare(const char *cmdline)
{
	if ((uintptr_t)efi_x86_enter > BELOW_4G)
		efi_fail("efi-boot is loaded above 4 GiB, at", (uintptr_t)efi_x86_enter);
	info = (void *)(uintptr_t)efi_alloc_below(EFI_LOADER_DATA, sizeof(*info), BELOW_4G);
	if (!info)
		efi_fail("no memory below 4 GiB for the multiboot info, bytes", sizeof(*info));
	strncpy(info->cmdline, cmdline, CMDLINE_MAX - 1);
	info->cmdline[CMDLINE_MAX - 1] = '\0';
	copy_rsdp();
}

/*
 * What the payload may use once boot services are gone: all but the
 * runtime services', ACPI's, MMIO and reserved memory.  Adjacent entries
 * of a kind are merged; mem_upper is the run from 1 MiB.
 */
static uint32_t mb_type(uint32_t efi)
{
	switch (efi) {
	case EFI_LOADER_CODE: case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE: case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return MB_AVAILABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MB_ACPI;
	case EFI_ACPI_MEMORY_NVS:
		return MB_NVS;
	default:
		return MB_RESERVED;
	}
}

void efi_arch_convert(const struct efi_map *map)
{
	struct multiboot_mmap *m = info->mmap, *last = NULL;
	uint64_t upper = 1ull << 20;

	efi_map_each(map, e) {
		uint64_t len = e->pages * EFI_PAGE_SIZE;
		uint32_t type = mb_type(e->type);

		if (last && last->type == type && last->base + last->length == e->phys) {
			last->length += len;
			continue;
		}
		if (m == info->mmap + MMAP_MAX)
			break;	/* what is left stays unused */
		*m = (struct multiboot_mmap){ sizeof(*m) - 4, e->phys, len, type };
		last = m++;
	}
	for (struct multiboot_mmap *e = info->mmap; e < m; e++)
		if (e->type == MB_AVAILABLE && e->base <= upper && e->base + e->length > upper)
			upper = e->base + e->length;
	info->mbi = (struct multiboot_info){
		.flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MEM_MAP,
		.mem_lower = 640,
		.mem_upper = (upper - (1ull << 20)) >> 10,
		.cmdline = (uintptr_t)info->cmdline,
		.mmap_length = (uintptr_t)m - (uintptr_t)info->mmap,
		.mmap_addr = (uintptr_t)info->mmap,
	};
}

void efi_arch_enter(uint64_t entry)
{
	efi_x86_enter(entry, (uintptr_t)&info->mbi, ebda_segment);
}
