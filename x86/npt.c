/*
 * npt: nested paging (AMD APM vol. 2, 15.25) beyond svm's npt subtest
 * (which has the #NPF error codes of not-present, read-only and
 * no-execute final addresses, and TLB_CONTROL):
 * - reserved: a reserved bit in a nested entry (a 4K PTE's address bit at
 *   MAXPHYADDR, bit 13 of a 2M PDE) is an #NPF with RSVD (bit 3) and
 *   present in EXITINFO1 and the GPA in EXITINFO2; with the entry
 *   restored, L2 reads the page (QEMU 10 and 7.2 TCG: RSVD without P, an XFAIL:
 *   target/i386/tcg/system/excp_helper.c, do_fault_rsvd, sets RSVD alone;
 *   reserved bits count only in a present entry, so RSVD comes with P:
 *   Intel SDM vol. 3A, 4.7; KVM does so);
 * - user: every nested walk is a user access (15.25.5), so U/S clear in
 *   the nested PTE, or in the PDE above it, is an #NPF (present, user) of
 *   L2's read, though L2 runs at CPL 0;
 * - walk: L2 on page tables of its own whose leaf table is read-only in
 *   the nested table: L2's read of a page whose PTE has A clear faults
 *   while the CPU walks L2's tables (EXITINFO1 bit 33, not bit 32; the
 *   A update a write), at the GPA of L2's PTE (15.25.6); with the table
 *   writable again L2 reads and its PTE has A set;
 * - mmio: L1's local APIC (xAPIC MMIO) mapped 1:1 in the nested table is
 *   L1's APIC for L2: L2 reads its version register as L1 does, and
 *   L2's write of the error LVT is what L1 then reads.
 * Every run asks TLB_CONTROL 1 (flush all): the cases share ASID 1.
 * Gates: CPUID.0x80000001:ECX.SVM[2], CPUID.0x8000000A:EDX.NP[0]; the PTE
 * address bit needs MAXPHYADDR < 52 (CPUID.0x80000008:EAX[7:0]); mmio
 * needs L1's APIC in xAPIC mode.
 */
#include "vmunit.h"
#include "alloc.h"
#include "apic.h"
#include "cpuid.h"
#include "npt.h"
#include "processor.h"
#include "string.h"
#include "svm.h"

#define IN_PAGE 0x5a8		/* a fault's offset in its page */
#define VALUE 0x6e70746e70ull
#define L2_VA (1ull << 39 | 0x1a5ull << 12)	/* PML4 slot 1, PTE 0x1a5: L2's own */
#define LVT_VALUE (APIC_LVT_MASKED | 0xe3)

static char buf[240];
static struct svm_guest g;
static struct npt npt;
static uint64_t *data;		/* in a 2M page of its own */
static volatile uint32_t mmio_value;

static const char *ex(void)
{
	return svm_exit_str(&g, buf, sizeof(buf));
}

static uint64_t l2_read(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static uint64_t l2_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static uint64_t l2_write32(uint64_t addr)
{
	*(volatile uint32_t *)addr = mmio_value;
	return 1;
}

/* L2 = fn(arg) on npt (and cr3 if not 0), TLB flushed, to its return or #NPF. */
static void run(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t cr3)
{
	svm_guest_init(&g, fn, arg);
	npt_enable(&g, &npt);
	if (cr3)
		g.vmcb->save.cr3 = cr3;
	g.vmcb->control.tlb_control = SVM_TLB_ALL;
	svm_stop_on(&g, SVM_EXIT_NPF);
	svm_run(&g);
}

struct npt_case {
	const char *name;
	unsigned int shift;	/* the entry's level: 12 PTE, 21 PDE */
	bool split;		/* a 4K PTE below it */
	uint64_t set, clear;
	uint64_t want;		/* EXITINFO1 */
};

/* L2 reads data with one nested entry edited: #NPF as c wants; restored, it reads. */
static void fault(const struct npt_case *c)
{
	uint64_t gpa = (uint64_t)data + IN_PAGE, old;
	bool npf;

	npt_identity(&npt, 4ull << 30);
	if (c->split)
		npt_pte(&npt, gpa);
	old = npt_edit(&npt, gpa, c->shift, c->set, c->clear);
	run(l2_read, gpa, 0);
	npf = g.exit_code == SVM_EXIT_NPF && g.info2 == gpa;
	report_known(npf && g.info1 == c->want,
		     npf && arch_is_tcg() && (c->want & SVM_NPF_RSVD) &&
		     g.info1 == (c->want & ~SVM_NPF_PRESENT),
		     "QEMU TCG leaves P (bit 0) out of a reserved-bit fault's error code",
		     "%s: #NPF, EXITINFO1 %#lx, EXITINFO2 the GPA (%#lx; %s)", c->name, c->want, gpa,
		     ex());
	*npt_entry(&npt, gpa, c->shift) = old;
	run(l2_read, gpa, 0);
	report(g.done && g.result == VALUE, "%s: restored, L2 reads the page (%#lx; %s)", c->name,
	       g.result, ex());
}

static void test_reserved(const void *arg)
{
	const uint64_t want = SVM_NPF_PRESENT | SVM_NPF_RSVD | SVM_NPF_USER | SVM_NPF_FINAL;
	unsigned int maxphy = cpu_maxphyaddr();
	const struct npt_case cases[] = {
		{ "a nested 4K PTE with address bit MAXPHYADDR set", 12, false,
		  1ull << maxphy, 0, want },
		{ "a nested 2M PDE with bit 13 set", 21, false, 1ull << 13, 0, want },
	};

	if (maxphy < 52)
		fault(&cases[0]);
	else
		report_skip("%s: MAXPHYADDR is 52 (CPUID.0x80000008:EAX[7:0]): no address bit is "
			    "reserved", cases[0].name);
	fault(&cases[1]);
}

static void test_user(const void *arg)
{
	const uint64_t want = SVM_NPF_PRESENT | SVM_NPF_USER | SVM_NPF_FINAL;
	const struct npt_case cases[] = {
		{ "U/S clear in the nested PTE", 12, false, 0, PTE_U, want },
		{ "U/S clear in the nested PDE above the PTE", 21, true, 0, PTE_U, want },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fault(&cases[i]);
}

/*
 * L2's own tables: L1's PML4 entries, plus L2_VA -> data in fresh tables
 * whose entries have A clear; *pte is L2's PTE for L2_VA.
 */
static uint64_t *l2_tables(uint64_t **pte)
{
	uint64_t *root = pt_new_root(), *l1_root = (uint64_t *)(read_cr3() & PTE_ADDR_MASK);

	memcpy(root, l1_root, PAGE_SIZE);
	assert(!(root[L2_VA >> 39 & 511] & PTE_P));
	*pte = pt_walk(root, L2_VA, 12, true);
	**pte = (uint64_t)data | PTE_P | PTE_W;
	return root;
}

static void test_walk(const void *arg)
{
	const uint64_t want = SVM_NPF_PRESENT | SVM_NPF_WRITE | SVM_NPF_USER | SVM_NPF_TABLES;
	uint64_t *pte, *root = l2_tables(&pte);
	uint64_t table = (uint64_t)pte & ~(PAGE_SIZE - 1);

	npt_identity(&npt, 4ull << 30);
	npt_edit(&npt, table, 12, 0, PTE_W);
	run(l2_read, L2_VA + IN_PAGE, (uint64_t)root);
	report(g.exit_code == SVM_EXIT_NPF && g.info1 == want && g.info2 == (uint64_t)pte,
	       "L2's PTE needs A set, its table read-only in the NPT: #NPF during the guest "
	       "walk, EXITINFO1 %#lx, EXITINFO2 the PTE's GPA (%p; %s)", want, pte, ex());
	npt_edit(&npt, table, 12, PTE_W, 0);
	run(l2_read, L2_VA + IN_PAGE, (uint64_t)root);
	report(g.done && g.result == VALUE && (*pte & PTE_A),
	       "with the table writable L2 reads, its PTE's A set (%#lx, PTE %#lx; %s)", g.result,
	       *pte, ex());
}

static void test_mmio(const void *arg)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE) & PTE_ADDR_MASK;
	uint32_t version = apic_read(APIC_VERSION), old = apic_read(APIC_LVT_ERROR);

	require(apic_mode() == APIC_XAPIC, "L1's APIC is not in xAPIC mode: no MMIO to pass through");
	npt_identity(&npt, 4ull << 30);
	run(l2_read32, base + APIC_VERSION, 0);
	report(g.done && g.result == version,
	       "L2 reads L1's APIC version register at %#lx (%#lx, L1 %#x; %s)",
	       base + APIC_VERSION, g.result, version, ex());
	mmio_value = LVT_VALUE;
	run(l2_write32, base + APIC_LVT_ERROR, 0);
	report(g.done && apic_read(APIC_LVT_ERROR) == LVT_VALUE,
	       "L2's write of the error LVT lands in L1's APIC (%#x, want %#x; %s)",
	       apic_read(APIC_LVT_ERROR), LVT_VALUE, ex());
	apic_write(APIC_LVT_ERROR, old);
}

int main(int argc, char **argv)
{
	if (!svm_start())
		return 0;
	data = alloc_pages(9);
	assert(data);
	data[IN_PAGE / 8] = VALUE;
	report_prefix_push("npt");
	if (cpu_has(X86_FEATURE_NP)) {
		subtest("reserved", test_reserved, NULL);
		subtest("user", test_user, NULL);
		subtest("walk", test_walk, NULL);
		subtest("mmio", test_mmio, NULL);
	} else {
		report_skip("%s", cpu_feature_gate(X86_FEATURE_NP));
	}
	report_prefix_pop();
	return 0;
}
