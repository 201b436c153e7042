/* 4-level page tables: walk, split large pages, edit one 4K PTE. */
#include <stdbool.h>
#include "alloc.h"
#include "panic.h"
#include "processor.h"
#include "pgtable.h"

#define PTE_TABLE (PTE_P | PTE_W | PTE_U)	/* leaves decide access */

static uint64_t *new_table(void)
{
	uint64_t *t = alloc_page();

	if (!t)
		panic("out of memory for page tables");
	return t;
}

/*
 * Replace a large-page entry mapping 2^shift bytes by a table of 512 that
 * maps the same memory with the same attributes.  In a large page bit 12
 * is PAT; in a 4K PTE PAT is bit 7, where large pages have PS.
 */
static void split(uint64_t *e, unsigned int shift)
{
	uint64_t *t = new_table();
	uint64_t child = 1ull << (shift - 9);
	uint64_t base = *e & PTE_ADDR_MASK & ~((1ull << shift) - 1);
	uint64_t flags = *e & ~PTE_ADDR_MASK;

	if (shift - 9 == 12)
		flags = (flags & ~PTE_PS) | (*e & PTE_LARGE_PAT ? PTE_PAT : 0);
	else
		flags |= *e & PTE_LARGE_PAT;
	for (int i = 0; i < 512; i++)
		t[i] = (base + i * child) | flags;
	*e = (uint64_t)t | sev_cbit_mask | PTE_TABLE;
}

uint64_t *pt_walk(uint64_t *root, uint64_t va, unsigned int leaf_shift, bool alloc)
{
	uint64_t *table = root;

	for (unsigned int shift = 39; shift > leaf_shift; shift -= 9) {
		uint64_t *e = &table[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			if (!alloc)
				return NULL;
			*e = (uint64_t)new_table() | sev_cbit_mask | PTE_TABLE;
		} else if (*e & PTE_PS) {
			split(e, shift);
		}
		table = (uint64_t *)(*e & PTE_ADDR_MASK & ~sev_cbit_mask);
	}
	return &table[(va >> leaf_shift) & 511];
}

uint64_t *pt_new_root(void)
{
	return new_table();
}

static uint64_t *walk(void *va, bool alloc)
{
	return pt_walk((uint64_t *)(read_cr3() & PTE_ADDR_MASK), (uint64_t)va, 12, alloc);
}

/* VM_* flags to the PTE_PERM bits; NX is reserved unless EFER.NXE. */
static uint64_t pte_perm(unsigned int flags)
{
	static int nx = -1;

	if (nx < 0)
		nx = !!(rdmsr(MSR_EFER) & X86_EFER_NXE);
	return (flags & VM_W ? PTE_W : 0) | (flags & VM_USER ? PTE_U : 0) |
	       (flags & VM_X || !nx ? 0 : PTE_NX);
}

uint64_t *get_pte(void *va)
{
	uint64_t *pte = walk(va, false);

	return pte && (*pte & PTE_P) ? pte : NULL;
}

void map_page(void *va, uint64_t pa, unsigned int flags)
{
	*walk(va, true) = (pa & PTE_ADDR_MASK) | sev_cbit_mask | pte_perm(flags) | PTE_P;
	invlpg(va);
}

void protect_page(void *va, unsigned int flags)
{
	uint64_t *pte = get_pte(va);

	assert(pte);
	*pte = (*pte & ~PTE_PERM) | pte_perm(flags) | PTE_P;
	invlpg(va);
}

void unmap_page(void *va)
{
	uint64_t *pte = get_pte(va);

	if (pte)
		*pte = 0;
	invlpg(va);
}

void flush_tlb(void)
{
	write_cr3(read_cr3());
}
