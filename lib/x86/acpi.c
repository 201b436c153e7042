/* ACPI table discovery and the MADT's processors (lib/x86/acpi.h). */
#include <stdbool.h>
#include "acpi.h"
#include "string.h"

#define EBDA_SEGMENT_PTR 0x40e
#define BIOS_AREA 0xe0000
#define BIOS_AREA_END 0x100000
#define MADT_ENTRIES 44			/* header, local APIC address, flags */
#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED 1u

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

struct rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;		/* revision 2 and up */
	uint64_t xsdt;
} __attribute__((packed));

static bool sums_to_zero(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return !sum;
}

static const struct rsdp *find_rsdp_in(uintptr_t from, uintptr_t to)
{
	for (uintptr_t p = from; p + 20 <= to; p += 16) {
		const struct rsdp *r = (const void *)p;

		if (!memcmp(r->sig, "RSD PTR ", 8) && sums_to_zero(r, 20))
			return r;
	}
	return NULL;
}

/* The BDA's EBDA segment (an asm load: GCC takes page 0 for NULL). */
static uintptr_t ebda_base(void)
{
	uint16_t seg;

	asm("movw (%1), %0" : "=r"(seg) : "r"((uintptr_t)EBDA_SEGMENT_PTR));
	return (uintptr_t)seg << 4;
}

static const struct rsdp *find_rsdp(void)
{
	uintptr_t ebda = ebda_base();
	const struct rsdp *r = ebda ? find_rsdp_in(ebda, ebda + 1024) : NULL;

	return r ? r : find_rsdp_in(BIOS_AREA, BIOS_AREA_END);
}

static const struct sdt_header *valid_table(uint64_t addr)
{
	const struct sdt_header *h = (const void *)(uintptr_t)addr;

	return addr && h->length >= sizeof(*h) && sums_to_zero(h, h->length) ? h : NULL;
}

const void *acpi_table(const char *sig)
{
	const struct rsdp *r = find_rsdp();
	const struct sdt_header *root;
	bool x;
	unsigned int n;

	if (!r)
		return NULL;
	x = r->revision >= 2 && r->xsdt;
	root = valid_table(x ? r->xsdt : r->rsdt);
	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / (x ? 8 : 4);
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * (x ? 8 : 4);
		uint64_t addr = 0;
		const struct sdt_header *t;

		memcpy(&addr, e, x ? 8 : 4);
		t = valid_table(addr);
		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

unsigned int acpi_cpu_count(void)
{
	const struct sdt_header *madt = acpi_table("APIC");
	const uint8_t *p, *end;
	unsigned int n = 0;

	if (!madt)
		return 0;
	end = (const uint8_t *)madt + madt->length;
	for (p = (const uint8_t *)madt + MADT_ENTRIES; p + 2 <= end && p[1] >= 2; p += p[1]) {
		uint32_t flags;

		if (p[0] == MADT_LOCAL_APIC && p[1] >= 8)
			memcpy(&flags, p + 4, 4);
		else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16)
			memcpy(&flags, p + 8, 4);
		else
			continue;
		n += flags & MADT_ENABLED;
	}
	return n;
}
