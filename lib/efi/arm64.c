/*
 * efi-boot on arm64 (contract in efi.h): fw_cfg and the RAM from the
 * device tree AAVMF passes as a configuration table (read with libfdt);
 * the device tree, with the command line as /chosen/bootargs, moved to
 * the RAM base below the payload, where QEMU puts it for a direct boot;
 * caches cleaned to the point of coherency over all of RAM before the
 * MMU goes off (arm64-entry.S), so no dirty line of the firmware's is
 * written back over the payload later.
 */
#include <libfdt.h>

#include "efi.h"
#include "mmio.h"
#include "string.h"

#define FW_CFG_DATA	0x00
#define FW_CFG_SELECTOR	0x08	/* 16 bits, big-endian */
#define FW_CFG_DMA	0x10	/* 64 bits, big-endian: writing it starts the access */

static uintptr_t fw_cfg;
static void *dt;			/* the firmware's */
static void *boot_dt;			/* the payload's, at the RAM base */
static uint64_t ram_base, ram_size;

__attribute__((noreturn)) void efi_arm64_enter(uint64_t entry, void *dt);

/* libfdt.a is built with -fstack-protector. */
uintptr_t __stack_chk_guard = (uintptr_t)0x5be1c0a4f3d29e67ull;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	efi_fail("stack protector: stack smashed in libfdt, guard", __stack_chk_guard);
}

static uint64_t reg_cells(const fdt32_t *p, int cells)
{
	return cells == 2 ? (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1])
			  : fdt32_to_cpu(p[0]);
}

/* The first "reg" address and size of the node node (parent: the root). */
static void node_reg(int node, uint64_t *addr, uint64_t *size)
{
	int ac = fdt_address_cells(dt, 0), sc = fdt_size_cells(dt, 0), len;
	const fdt32_t *reg = fdt_getprop(dt, node, "reg", &len);

	if (!reg || len < 4 * (ac + sc) || ac < 1 || ac > 2 || sc < 1 || sc > 2)
		efi_fail("device tree: no usable reg at node offset", node);
	*addr = reg_cells(reg, ac);
	*size = reg_cells(reg + ac, sc);
}

void fw_cfg_arch_init(void)
{
	static const efi_guid dtb_guid = { 0xb1b621d5, 0xf19c, 0x41a5,
					   { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };
	uint64_t base, size;
	int node;

	dt = efi_config_table(&dtb_guid);
	if (!dt || fdt_check_header(dt))
		efi_fail("no device tree configuration table, at", (uintptr_t)dt);
	node = fdt_node_offset_by_compatible(dt, -1, "qemu,fw-cfg-mmio");
	if (node < 0)
		efi_fail("device tree: no qemu,fw-cfg-mmio node, libfdt error", -node);
	node_reg(node, &base, &size);
	fw_cfg = base;
	node = fdt_node_offset_by_prop_value(dt, -1, "device_type", "memory", sizeof("memory"));
	if (node < 0)
		efi_fail("device tree: no memory node, libfdt error", -node);
	node_reg(node, &ram_base, &ram_size);
}

void fw_cfg_arch_select(uint16_t key)
{
	mmio_write16(fw_cfg + FW_CFG_SELECTOR, __builtin_bswap16(key));
}

uint8_t fw_cfg_arch_read8(void)
{
	return mmio_read8(fw_cfg + FW_CFG_DATA);
}

void fw_cfg_arch_dma(uint64_t access)
{
	asm volatile("dsb sy" ::: "memory");
	mmio_write64(fw_cfg + FW_CFG_DMA, __builtin_bswap64(access));
}

void efi_arch_prepare(const char *cmdline)
{
	uint64_t size = fdt_totalsize(dt) + strlen(cmdline) + 256;	/* bootargs, /chosen */
	int chosen, err;

	if (!efi_alloc_at(ram_base, ram_base + size))
		efi_fail("the RAM base is not free for the device tree, at", ram_base);
	boot_dt = (void *)(uintptr_t)ram_base;
	err = fdt_open_into(dt, boot_dt, size);
	chosen = err ? err : fdt_path_offset(boot_dt, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_add_subnode(boot_dt, 0, "chosen");
	err = chosen < 0 ? chosen : fdt_setprop_string(boot_dt, chosen, "bootargs", cmdline);
	if (err)
		efi_fail("device tree: cannot set /chosen/bootargs, libfdt error", -err);
	fdt_pack(boot_dt);
}

void efi_arch_convert(const struct efi_map *map)
{
	(void)map;	/* the payload takes its memory from the device tree */
}

void efi_arch_enter(uint64_t entry)
{
	uint64_t ctr, line;

	asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ull << (ctr >> 16 & 0xf);	/* DminLine: log2 of words */
	for (uint64_t a = ram_base; a < ram_base + ram_size; a += line)
		asm volatile("dc civac, %0" : : "r"(a) : "memory");
	asm volatile("dsb sy" ::: "memory");
	efi_arm64_enter(entry, boot_dt);
}
