/*
 * Nested page tables for the SVM harness (APM vol. 2, 15.25): ordinary
 * 4-level x86 tables (pgtable.h's format and walker), guest-physical to
 * host-physical.  npt_identity() maps [0, top) 1:1 with 2M pages, present,
 * writable, user (the APM treats every nested walk as a user access) and
 * executable; npt_pte() is the 4K entry for a gpa (a 2M page split on the
 * way) for a test to edit, after which L2 needs a TLB flush (tlb_control)
 * to be sure to see it.  npt_entry() is the entry for a gpa at the level
 * that maps 2^shift bytes (12: PTE, 21: PDE, 30: PDPTE, 39: PML4E; a
 * large page above that level split), and npt_edit() sets and clears
 * bits in it, returning the old value.  npt_enable() makes it the
 * guest's nCR3 with NP_ENABLE; the guest's G_PAT is L1's PAT.
 */
#ifndef VMUNIT_X86_NPT_H
#define VMUNIT_X86_NPT_H

#include <stdint.h>
#include "pgtable.h"
#include "svm.h"

struct npt {
	uint64_t *pml4;
};

void npt_identity(struct npt *n, uint64_t top);
uint64_t *npt_pte(struct npt *n, uint64_t gpa);
uint64_t *npt_entry(struct npt *n, uint64_t gpa, unsigned int shift);
uint64_t npt_edit(struct npt *n, uint64_t gpa, unsigned int shift, uint64_t set, uint64_t clear);
void npt_enable(struct svm_guest *g, const struct npt *n);

#endif
