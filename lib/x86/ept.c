/* EPT tables, INVEPT, INVVPID (lib/x86/ept.h). */
#include "alloc.h"
#include "ept.h"
#include "panic.h"

#define MSR_VMX_EPT_VPID_CAP	0x48c
#define EPTP_WB_WALK4		(6ull | 3ull << 3)

uint64_t vmx_ept_vpid_cap(void)
{
	return rdmsr(MSR_VMX_EPT_VPID_CAP);
}

static uint64_t *table(void)
{
	uint64_t *t = alloc_page();

	assert(t);
	return t;
}

/* The entry for gpa at level (3 = PML4 ... 0 = PT), tables made on the way. */
static uint64_t *walk(struct ept *e, uint64_t gpa, int leaf)
{
	uint64_t *t = e->pml4;

	for (int level = 3;; level--) {
		uint64_t *entry = &t[gpa >> (12 + 9 * level) & 511];

		if (level == leaf)
			return entry;
		if (*entry & EPT_LARGE) {	/* split a 2M page into 512 4K ones */
			uint64_t *pt = table(), base = *entry & EPT_ADDR;
			uint64_t attrs = *entry & ~(EPT_ADDR | EPT_LARGE);

			for (int i = 0; i < 512; i++)
				pt[i] = (base + ((uint64_t)i << 12)) | attrs;
			*entry = (uint64_t)pt | EPT_RWX;
		} else if (!(*entry & EPT_RWX)) {
			*entry = (uint64_t)table() | EPT_RWX;
		}
		t = (uint64_t *)(*entry & EPT_ADDR);
	}
}

void ept_identity(struct ept *e, uint64_t top)
{
	bool big = vmx_ept_vpid_cap() & EPT_CAP_2M;

	e->pml4 = table();
	for (uint64_t gpa = 0; gpa < top; gpa += big ? 1ull << 21 : 1ull << 12)
		*walk(e, gpa, big ? 1 : 0) = gpa | EPT_RWX | EPT_MT_WB | EPT_A | EPT_D |
					     (big ? EPT_LARGE : 0);
}

uint64_t *ept_entry(struct ept *e, uint64_t gpa, int level)
{
	return walk(e, gpa, level);
}

uint64_t *ept_pte(struct ept *e, uint64_t gpa)
{
	return walk(e, gpa, 0);
}

void ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, unsigned int perm)
{
	*ept_pte(e, gpa) = (hpa & EPT_ADDR) | perm | EPT_MT_WB;
}

void ept_map_2m(struct ept *e, uint64_t gpa, uint64_t hpa, unsigned int perm)
{
	*walk(e, gpa, 1) = (hpa & EPT_ADDR & ~0x1fffffull) | perm | EPT_MT_WB | EPT_LARGE;
}

uint64_t ept_eptp(const struct ept *e)
{
	return (uint64_t)e->pml4 | EPTP_WB_WALK4;
}

struct vmx_status invept(int type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } d = { eptp, 0 };
	uint64_t flags;

	asm volatile("invept %1, %2; pushf; pop %0"
		     : "=r"(flags) : "m"(d), "r"((uint64_t)type) : "cc", "memory");
	return vmx_status_of(flags);
}

struct vmx_status invvpid(int type, uint16_t vpid, uint64_t gla)
{
	struct { uint64_t vpid, gla; } d = { vpid, gla };
	uint64_t flags;

	asm volatile("invvpid %1, %2; pushf; pop %0"
		     : "=r"(flags) : "m"(d), "r"((uint64_t)type) : "cc", "memory");
	return vmx_status_of(flags);
}
