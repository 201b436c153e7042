/*
 * efi-boot, the arch-independent part: fw_cfg, the payload's ELF headers,
 * the memory-map checks, ExitBootServices and the copy (contract in
 * efi.h).
 */
#include <stdbool.h>

#include "efi.h"
#include "string.h"
#include "verdict.h"

/* fw_cfg selectors and DMA control bits (QEMU docs/specs/fw_cfg.rst). */
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_CMDLINE_SIZE	0x14
#define FW_CFG_CMDLINE_DATA	0x15
#define FW_CFG_FILE_DIR		0x19
#define FW_CFG_ID_DMA		(1u << 1)
#define FW_CFG_DMA_ERROR	0x01
#define FW_CFG_DMA_READ		0x02
#define FW_CFG_DMA_SKIP		0x04
#define FW_CFG_DMA_SELECT	0x08
#define PAYLOAD_FILE		"opt/vmunit/payload"

#define ELF_HEADERS	4096	/* the ELF header and program headers fit here */
#define MAX_SEGMENTS	16
#define WAIT_POLL_US	1000
#define PT_LOAD		1

struct fw_cfg_file {
	uint32_t size;		/* big-endian */
	uint16_t select;	/* big-endian */
	uint16_t reserved;
	char name[56];
};

struct fw_cfg_dma {
	uint32_t control, length;	/* big-endian */
	uint64_t address;
};

struct segment {
	uint64_t paddr, filesz, memsz, offset;
};

/* An ELF64 RELA entry; only relative ones are linked in (efi.lds). */
struct elf_rela {
	uint64_t offset, info;
	int64_t addend;
};

#define HIDDEN __attribute__((visibility("hidden")))
extern HIDDEN const struct elf_rela __rela_start[], __rela_end[];
extern HIDDEN char __image_base[];

static struct efi_system_table *st;
static efi_handle image;
static volatile struct fw_cfg_dma dma;

static void print(const char *s)
{
	uint16_t buf[64];
	size_t n = 0;

	for (;; s++) {
		if (n >= 61 || !*s) {
			buf[n] = 0;
			st->con_out->output_string(st->con_out, buf);
			n = 0;
		}
		if (!*s)
			return;
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (uint8_t)*s;
	}
}

void efi_fail(const char *msg, uint64_t value)
{
	char hex[20] = " 0x";
	int n = 3;

	for (int shift = 60; shift >= 0; shift -= 4)
		if (value >> shift || shift == 0 || n > 3)
			hex[n++] = "0123456789abcdef"[value >> shift & 0xf];
	hex[n] = '\0';
	print("ERROR: efi-boot: ");
	print(msg);
	print(hex);
	print("\nEXIT: STATUS=3\n");
	st->runtime->reset_system(EFI_RESET_SHUTDOWN, EFI_LOAD_ERROR, 0, NULL);
	for (;;)
		;
}

void *efi_config_table(const efi_guid *guid)
{
	for (uint64_t i = 0; i < st->n_tables; i++)
		if (!memcmp(&st->tables[i].guid, guid, sizeof(*guid)))
			return st->tables[i].table;
	return NULL;
}

static uint64_t pages(uint64_t bytes)
{
	return (bytes + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE;
}

uint64_t efi_alloc_below(enum efi_memory_type mem, uint64_t bytes, uint64_t max)
{
	uint64_t addr = max;

	return st->boot->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, mem, pages(bytes), &addr) ? 0 : addr;
}

bool efi_alloc_at(uint64_t base, uint64_t end)
{
	uint64_t addr = base & ~(EFI_PAGE_SIZE - 1);

	return !st->boot->allocate_pages(EFI_ALLOCATE_ADDRESS, EFI_LOADER_DATA, pages(end - addr),
					 &addr);
}

static void *alloc(uint64_t size)
{
	void *p;

	if (st->boot->allocate_pool(EFI_LOADER_DATA, size, &p))
		efi_fail("AllocatePool failed, bytes", size);
	return p;
}

/* One DMA operation of the current (or, with select, another) item. */
static void fw_cfg_dma(uint32_t control, uint64_t addr, uint32_t len)
{
	dma.control = __builtin_bswap32(control);
	dma.length = __builtin_bswap32(len);
	dma.address = __builtin_bswap64(addr);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	fw_cfg_arch_dma((uintptr_t)&dma);
	while (__builtin_bswap32(dma.control) & ~FW_CFG_DMA_ERROR)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__builtin_bswap32(dma.control) & FW_CFG_DMA_ERROR)
		efi_fail("fw_cfg DMA error, control", control);
}

static void fw_cfg_read(uint16_t key, uint64_t skip, void *buf, uint32_t len)
{
	uint32_t sel = (uint32_t)key << 16 | FW_CFG_DMA_SELECT;

	if (skip) {
		fw_cfg_dma(sel | FW_CFG_DMA_SKIP, 0, skip);
		sel = 0;
	}
	fw_cfg_dma(sel | FW_CFG_DMA_READ, (uintptr_t)buf, len);
}

static uint32_t fw_cfg_read32_le(uint16_t key)
{
	uint32_t v = 0;

	fw_cfg_arch_select(key);
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)fw_cfg_arch_read8() << (8 * i);
	return v;
}

/* The selector of the file name, its size in *size; false when absent. */
static bool fw_cfg_find(const char *name, uint16_t *key, uint32_t *size)
{
	struct fw_cfg_file f;
	uint32_t n;

	fw_cfg_read(FW_CFG_FILE_DIR, 0, &n, sizeof(n));
	n = __builtin_bswap32(n);
	for (uint32_t i = 0; i < n; i++) {
		fw_cfg_dma(FW_CFG_DMA_READ, (uintptr_t)&f, sizeof(f));
		if (!strncmp(f.name, name, sizeof(f.name))) {
			*key = __builtin_bswap16(f.select);
			*size = __builtin_bswap32(f.size);
			return true;
		}
	}
	return false;
}

/*
 * No payload: this boot is the runner's snapshot of the firmware
 * (runner/efi-snapshot.h).  Say so, then wait, the firmware alive, for a
 * QEMU restored from it with the payload.
 */
static void wait_for_payload(uint16_t *key, uint32_t *size)
{
	print(VM_EFI_WAITING_LINE "\n");
	while (!fw_cfg_find(PAYLOAD_FILE, key, size))
		st->boot->stall(WAIT_POLL_US);
}

static char *read_cmdline(void)
{
	uint32_t n = fw_cfg_read32_le(FW_CFG_CMDLINE_SIZE);
	char *s = alloc(n + 1);

	if (n)
		fw_cfg_read(FW_CFG_CMDLINE_DATA, 0, s, n);
	s[n] = '\0';
	return s;
}

static uint64_t le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/*
 * The PT_LOAD segments of a little-endian ELF32 or ELF64 (x86 payloads
 * are ELF32 for QEMU's multiboot loader), each inside the file; the entry.
 */
static unsigned int elf_segments(const uint8_t *h, uint32_t file_size, struct segment *seg,
				 uint64_t *entry)
{
	bool is64 = h[4] == 2;
	uint64_t phoff = is64 ? le(h + 32, 8) : le(h + 28, 4);
	unsigned int phentsize = le(h + (is64 ? 54 : 42), 2);
	unsigned int phnum = le(h + (is64 ? 56 : 44), 2), n = 0;

	if (le(h, 4) != 0x464c457f || (h[4] != 1 && h[4] != 2) || h[5] != 1)
		efi_fail("the payload is not a little-endian ELF, magic", le(h, 4));
	if (phoff + (uint64_t)phnum * phentsize > ELF_HEADERS)
		efi_fail("program headers beyond the first 4 KiB, count", phnum);
	*entry = is64 ? le(h + 24, 8) : le(h + 24, 4);
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *ph = h + phoff + (uint64_t)i * phentsize;
		struct segment s;

		if (le(ph, 4) != PT_LOAD)
			continue;
		if (is64)
			s = (struct segment){ le(ph + 24, 8), le(ph + 32, 8), le(ph + 40, 8),
					      le(ph + 8, 8) };
		else
			s = (struct segment){ le(ph + 12, 4), le(ph + 16, 4), le(ph + 20, 4),
					      le(ph + 4, 4) };
		if (s.filesz > s.memsz || s.offset + s.filesz > file_size)
			efi_fail("a PT_LOAD segment outside the file, index", i);
		if (n == MAX_SEGMENTS)
			efi_fail("too many PT_LOAD segments", phnum);
		seg[n++] = s;
	}
	return n;
}

static void get_map(struct efi_map *m, uint64_t capacity)
{
	uint32_t version;

	m->size = capacity;
	if (st->boot->get_memory_map(&m->size, m->d, &m->key, &m->desc_size, &version))
		efi_fail("GetMemoryMap failed, bytes", m->size);
}

static void exit_boot_services(struct efi_map *m, uint64_t capacity)
{
	for (int tries = 0; tries < 2; tries++) {
		get_map(m, capacity);
		efi_arch_convert(m);
		if (!st->boot->exit_boot_services(image, m->key))
			return;
	}
	for (;;)	/* no console any more: the runner's timeout reports it */
		;
}

/* The link was at 0: each relative slot gets the load address added. */
static void self_relocate(void)
{
	uintptr_t base = (uintptr_t)__image_base;

	for (const struct elf_rela *r = __rela_start; r < __rela_end; r++)
		*(uint64_t *)(base + r->offset) = base + r->addend;
}

efi_status efi_main(efi_handle handle, struct efi_system_table *systab)
{
	struct segment seg[MAX_SEGMENTS];
	struct efi_map map = { 0 };
	uint64_t entry, capacity;
	uint32_t size;
	uint16_t key;
	uint8_t *headers;
	unsigned int n;

	self_relocate();
	st = systab;
	image = handle;
	fw_cfg_arch_init();
	if (fw_cfg_read32_le(FW_CFG_SIGNATURE) != 0x554d4551)	/* "QEMU" */
		efi_fail("no QEMU fw_cfg, signature", fw_cfg_read32_le(FW_CFG_SIGNATURE));
	if (!(fw_cfg_read32_le(FW_CFG_ID) & FW_CFG_ID_DMA))
		efi_fail("fw_cfg without DMA, features", fw_cfg_read32_le(FW_CFG_ID));
	if (!fw_cfg_find(PAYLOAD_FILE, &key, &size))
		wait_for_payload(&key, &size);
	headers = alloc(ELF_HEADERS);
	fw_cfg_read(key, 0, headers, size < ELF_HEADERS ? size : ELF_HEADERS);
	n = elf_segments(headers, size, seg, &entry);
	/* Taken now, no later allocation (nor the stack we run on) is there. */
	for (unsigned int i = 0; i < n; i++)
		if (!efi_alloc_at(seg[i].paddr, seg[i].paddr + seg[i].memsz))
			efi_fail("the payload's memory is not free in the EFI memory map at",
				 seg[i].paddr);
	efi_arch_prepare(read_cmdline());

	/* Room for the map as it is now and for what allocating it adds. */
	map.size = 0;
	st->boot->get_memory_map(&map.size, NULL, &map.key, &map.desc_size, &(uint32_t){ 0 });
	capacity = map.size + 16 * map.desc_size;
	map.d = alloc(capacity);

	exit_boot_services(&map, capacity);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)(uintptr_t)seg[i].paddr;

		if (seg[i].filesz)
			fw_cfg_read(key, seg[i].offset, p, seg[i].filesz);
		memset(p + seg[i].filesz, 0, seg[i].memsz - seg[i].filesz);
	}
	efi_arch_enter(entry);
}
