/* Nested page tables (lib/x86/npt.h). */
#include "npt.h"
#include "processor.h"

void npt_identity(struct npt *n, uint64_t top)
{
	n->pml4 = pt_new_root();
	for (uint64_t gpa = 0; gpa < top; gpa += 1ull << 21)
		*pt_walk(n->pml4, gpa, 21, true) = gpa | PTE_P | PTE_W | PTE_U | PTE_PS;
}

uint64_t *npt_entry(struct npt *n, uint64_t gpa, unsigned int shift)
{
	return pt_walk(n->pml4, gpa, shift, true);
}

uint64_t *npt_pte(struct npt *n, uint64_t gpa)
{
	return npt_entry(n, gpa, 12);
}

uint64_t npt_edit(struct npt *n, uint64_t gpa, unsigned int shift, uint64_t set, uint64_t clear)
{
	uint64_t *e = npt_entry(n, gpa, shift), old = *e;

	*e = (old & ~clear) | set;
	return old;
}

void npt_enable(struct svm_guest *g, const struct npt *n)
{
	g->vmcb->control.np_enable |= 1;
	g->vmcb->control.n_cr3 = (uint64_t)n->pml4;
	g->vmcb->save.g_pat = rdmsr(MSR_IA32_CR_PAT);
}
