/* Stage-1 page tables for EL1: walk, split blocks, edit one 4K page. */
#include <stdbool.h>
#include "alloc.h"
#include "panic.h"
#include "pgtable.h"
#include "processor.h"

#define DEVICE_WINDOW (1ull << 30)
#define PTE_NORMAL (PTE_VALID | PTE_TABLE | PTE_AF | PTE_SH_INNER | PTE_ATTR(1))

static uint64_t *root;
static bool el2_format;		/* EL2 regime with E2H clear: one privilege level */

void pgtable_use_el2_format(void)
{
	el2_format = true;
}

bool el2_nvhe(void)
{
	return el2_format;
}

uint64_t sctlr_read(void)
{
	return el2_format ? read_sysreg(sctlr_el2) : read_sysreg(sctlr_el1);
}

void sctlr_write(uint64_t v)
{
	if (el2_format)
		write_sysreg(sctlr_el2, v);
	else
		write_sysreg(sctlr_el1, v);
	isb();
}

static uint64_t *new_table(void)
{
	uint64_t *t = alloc_page();

	if (!t)
		panic("out of memory for page tables");
	return t;
}

static void tlb_flush_page(void *va)
{
	dsb(ishst);
	if (el2_format)
		asm volatile("tlbi vae2is, %0" : : "r"((uint64_t)va >> 12) : "memory");
	else
		asm volatile("tlbi vaae1is, %0" : : "r"((uint64_t)va >> 12) : "memory");
	dsb(ish);
	isb();
}

void flush_tlb(void)
{
	dsb(ishst);
	if (el2_format)
		asm volatile("tlbi alle2is" : : : "memory");
	else
		asm volatile("tlbi vmalle1is" : : : "memory");
	dsb(ish);
	isb();
}

/*
 * Replace a block mapping 2^shift bytes by a table mapping the same memory
 * with the same attributes, break-before-make (the split memory must not
 * be the code or stack running this).
 */
static void split(uint64_t *e, unsigned int shift)
{
	uint64_t *t = new_table();
	uint64_t child = 1ull << (shift - 9);
	uint64_t base = *e & PTE_ADDR_MASK & ~((1ull << shift) - 1);
	uint64_t attrs = (*e & ~PTE_ADDR_MASK) | (shift - 9 == 12 ? PTE_TABLE : 0);

	for (int i = 0; i < 512; i++)
		t[i] = (base + i * child) | attrs;
	*e = 0;
	flush_tlb();
	*e = (uint64_t)t | PTE_VALID | PTE_TABLE;
	dsb(ishst);
}

static uint64_t *walk(void *va, bool alloc)
{
	uint64_t *table = root;

	for (unsigned int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &table[((uint64_t)va >> shift) & 511];

		if (!(*e & PTE_VALID)) {
			if (!alloc)
				return NULL;
			*e = (uint64_t)new_table() | PTE_VALID | PTE_TABLE;
		} else if (!(*e & PTE_TABLE)) {
			split(e, shift);
		}
		table = (uint64_t *)(*e & PTE_ADDR_MASK);
	}
	return &table[((uint64_t)va >> 12) & 511];
}

/*
 * VM_* flags to the PTE_PERM bits.  In the EL2 format AP[1] is RES1 and
 * bit 54 is the only execute-never bit (bit 53 is RES0).
 */
static uint64_t pte_perm(unsigned int flags)
{
	if (el2_format)
		return (flags & VM_W ? 0 : PTE_RDONLY) | PTE_USER | (flags & VM_X ? 0 : PTE_UXN);
	return (flags & VM_W ? 0 : PTE_RDONLY) | (flags & VM_USER ? PTE_USER : 0) |
	       (flags & VM_X ? 0 : PTE_PXN) | (flags & VM_X && flags & VM_USER ? 0 : PTE_UXN);
}

uint64_t *get_pte(void *va)
{
	uint64_t *pte = walk(va, false);

	return pte && (*pte & PTE_VALID) ? pte : NULL;
}

void map_page(void *va, uint64_t pa, unsigned int flags)
{
	*walk(va, true) = (pa & PTE_ADDR_MASK) | PTE_NORMAL | pte_perm(flags);
	tlb_flush_page(va);
}

void protect_page(void *va, unsigned int flags)
{
	uint64_t *pte = get_pte(va);

	assert(pte);
	*pte = (*pte & ~PTE_PERM) | pte_perm(flags);
	tlb_flush_page(va);
}

void unmap_page(void *va)
{
	uint64_t *pte = get_pte(va);

	if (pte)
		*pte = 0;
	tlb_flush_page(va);
}

uint64_t *mmu_init(uint64_t ram_base, uint64_t ram_size)
{
	extern char _text[], _etext[];
	uint64_t *l1;

	root = new_table();
	l1 = new_table();
	root[0] = (uint64_t)l1 | PTE_VALID | PTE_TABLE;
	l1[0] = PTE_VALID | PTE_AF | PTE_ATTR(0) | PTE_PXN | PTE_UXN;	/* device block */
	for (uint64_t pa = ram_base; pa < ram_base + ram_size; pa += PAGE_SIZE) {
		bool text = pa >= (uint64_t)_text && pa < (uint64_t)_etext;

		*walk((void *)pa, true) = pa | PTE_NORMAL | pte_perm(text ? VM_X : VM_W);
	}
	assert(ram_base >= DEVICE_WINDOW);
	dsb(ishst);
	if (el2_format)
		return root;
	write_sysreg(ttbr0_el1, root);
	isb();
	flush_tlb();
	return root;
}
