/*
 * x86 page-table entries behind lib/vm.h (CR3, 4 levels).  Boot maps the
 * first 4 GiB 1:1 with 2M pages, writable and executable, supervisor-only
 * (the tables above the leaves allow everything: the leaves decide).
 */
#ifndef VMUNIT_X86_PGTABLE_H
#define VMUNIT_X86_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

#define PTE_P	(1ull << 0)
#define PTE_W	(1ull << 1)
#define PTE_U	(1ull << 2)
#define PTE_A	(1ull << 5)
#define PTE_D	(1ull << 6)
#define PTE_PS	(1ull << 7)		/* in a PDE/PDPTE: large page */
#define PTE_PAT	(1ull << 7)		/* in a 4K PTE */
#define PTE_LARGE_PAT (1ull << 12)	/* in a large-page entry */
#define PTE_NX	(1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_PERM (PTE_W | PTE_U | PTE_NX)	/* what protect_page() sets */

/*
 * Under SEV, the C-bit (encrypted) that every entry the boot made has and
 * every entry made here gets (x86/cstart64.S); 0 elsewhere.
 */
extern uint64_t sev_cbit_mask;

/* The 4K PTE that maps va (splitting a large page), or NULL if unmapped. */
uint64_t *get_pte(void *va);

/*
 * Any 4-level table of this format (CR3's, SVM's nested ones): the entry
 * for va at the level mapping 2^leaf_shift bytes (12: PTE, 21: PDE),
 * splitting a large page above it and, with alloc, making missing tables
 * (P, W, U: the leaves decide access); NULL when absent and !alloc.
 */
uint64_t *pt_walk(uint64_t *root, uint64_t va, unsigned int leaf_shift, bool alloc);
uint64_t *pt_new_root(void);

#endif
