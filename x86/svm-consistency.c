/*
 * svm-consistency: VMRUN's consistency checks (AMD APM vol. 2, 15.5.1
 * "Basic Operation", the list of illegal guest states), one table row
 * each: a valid VMCB from the harness with one field made illegal must
 * #VMEXIT with VMEXIT_INVALID at once; the same VMCB with the field
 * restored must run L2 to its return.  The rows: EFER.SVME clear; CR0.NW
 * set with CD clear; CR0[63:32], CR3 bits above MAXPHYADDR (long mode),
 * a reserved CR4 bit (15), DR6[63:32], DR7[63:32], a reserved EFER bit (2);
 * EFER.LME and CR0.PG with CR4.PAE clear, with CR0.PE clear, with CS.L
 * and CS.D both set; the VMRUN intercept clear; ASID 0; an IOPM or MSRPM
 * that would extend past MAXPHYADDR (the base in the last page below it).
 * A VMRUN that wrongly succeeds meets HLT as L2's first instruction (the
 * illegal VMCB's RIP points at one; HLT, SHUTDOWN and every exception are
 * intercepted), so it shows as that exit, never as a runaway L2.
 * The exit code is taken as VMEXIT_INVALID in either width: svm's
 * "invalid" subtest checks the 64-bit -1 itself (QEMU TCG writes 32 bits).
 * Measured: QEMU 10 and 7.2 TCG do every check (target/i386/tcg/
 * sysemu/svm_helper.c, helper_vmrun); Bochs 2.7 (cpu/svm.cc) has no CR3
 * check and checks only that the IOPM/MSRPM base is a valid address
 * (XFAILs under vmunit.vmm=bochs), and takes LME+PG with PE clear as
 * "paged real mode", then panics on EFER.LMA with CR0.PE clear, ending
 * the emulator (that row is a SKIP under Bochs, naming it).  The 6.1
 * and 6.12 KVM boxes pass every row (KVM's nested_vmcb_check_save and
 * _controls have no CS.L+CS.D check; the QEMU TCG under it has one).
 * Gate: CPUID.0x80000001:ECX.SVM[2].
 */
#include "vmunit.h"
#include "alloc.h"
#include "cpuid.h"
#include "processor.h"
#include "start.h"
#include "string.h"
#include "svm.h"

#define MAGIC 0x5356c0deull
#define HLT_INSN 0xf4
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define SEG_D (1u << 10)	/* VMCB segment attribute D/B (descriptor bit 54) */
#define FIELD(f) offsetof(struct vmcb, f), sizeof(((struct vmcb *)0)->f)

struct illegal {
	const char *name;
	size_t off, size;		/* of the field in struct vmcb */
	uint64_t set, clear;		/* the illegal value: (field & ~clear) | set */
	const char *bochs;		/* Bochs 2.7 runs it: why */
	const char *bochs_stops;	/* Bochs 2.7 cannot run it: why */
};

static char buf[240];
static struct svm_guest g;
static struct vmcb valid;
static uint8_t *hlt_page;

static uint64_t l2_magic(uint64_t arg)
{
	return arg ^ MAGIC;
}

static void edit(struct vmcb *v, const struct illegal *b)
{
	uint64_t x = 0;

	memcpy(&x, (uint8_t *)v + b->off, b->size);
	x = (x & ~b->clear) | b->set;
	memcpy((uint8_t *)v + b->off, &x, b->size);
}

/* Any exit that L2 running at all can cause ends the run. */
static void contain(struct svm_guest *guest)
{
	guest->vmcb->control.intercepts[2] = ~0u;	/* every exception */
	svm_intercept(guest, ICPT_HLT, true);
	svm_intercept(guest, ICPT_SHUTDOWN, true);
	for (unsigned int v = 0; v < 32; v++)
		svm_stop_on(guest, SVM_EXIT_EXCP_BASE + v);
	svm_stop_on(guest, SVM_EXIT_HLT);
	svm_stop_on(guest, SVM_EXIT_SHUTDOWN);
	svm_stop_on(guest, SVM_EXIT_INVALID);
}

static void check(const struct illegal *b, uint64_t arg)
{
	struct l2_regs regs;
	bool invalid;

	if (b->bochs_stops && run_on_vmm("bochs")) {
		report_not_run("%s: not run under Bochs 2.7: %s", b->name, b->bochs_stops);
		return;
	}
	svm_guest_init(&g, l2_magic, arg);
	contain(&g);
	valid = *g.vmcb;
	regs = g.regs;
	edit(g.vmcb, b);
	g.vmcb->save.rip = (uint64_t)hlt_page;
	svm_run(&g);
	invalid = g.exit_code == SVM_EXIT_INVALID || g.exit_code == SVM_EXIT_INVALID32;
	/* Bochs's symptom: VMRUN ran, L2 reached its HLT */
	report_known(invalid, b->bochs && run_on_vmm("bochs") && g.exit_code == SVM_EXIT_HLT,
		     b->bochs,
		     "%s: VMEXIT_INVALID (%s)", b->name, svm_exit_str(&g, buf, sizeof(buf)));

	*g.vmcb = valid;
	g.regs = regs;
	svm_run(&g);
	report(g.done && g.result == (arg ^ MAGIC), "%s: restored, the same VMCB runs (%s)",
	       b->name, svm_exit_str(&g, buf, sizeof(buf)));
}

static void test_consistency(const void *arg)
{
	uint64_t last = (1ull << cpu_maxphyaddr()) - PAGE_SIZE;
	const struct illegal rows[] = {
		{ "EFER.SVME clear", FIELD(save.efer), 0, X86_EFER_SVME },
		{ "CR0.NW set with CR0.CD clear", FIELD(save.cr0), CR0_NW, CR0_CD },
		{ "CR0[32] set", FIELD(save.cr0), 1ull << 32, 0 },
		{ "CR3[52] set (above MAXPHYADDR, long mode)", FIELD(save.cr3), 1ull << 52, 0,
		  "Bochs 2.7 does not check CR3" },
		{ "CR4[15] set (reserved)", FIELD(save.cr4), 1ull << 15, 0 },
		{ "DR6[32] set", FIELD(save.dr6), 1ull << 32, 0 },
		{ "DR7[32] set", FIELD(save.dr7), 1ull << 32, 0 },
		{ "EFER[2] set (reserved)", FIELD(save.efer), 1ull << 2, 0 },
		{ "EFER.LME and CR0.PG with CR4.PAE clear", FIELD(save.cr4), 0, X86_CR4_PAE },
		{ "EFER.LME and CR0.PG with CR0.PE clear", FIELD(save.cr0), 0, X86_CR0_PE, NULL,
		  "it enters paged real mode with EFER.LMA set and panics (change_cpu_mode)" },
		{ "EFER.LME, CR0.PG, CR4.PAE with CS.L and CS.D set", FIELD(save.cs.attrib), SEG_D, 0 },
		{ "the VMRUN intercept clear", FIELD(control.intercepts[4]), 0, 1u << 0 },
		{ "ASID 0", FIELD(control.asid), 0, ~0ull },
		{ "the IOPM in the last page below MAXPHYADDR", FIELD(control.iopm_base_pa), last,
		  ~0ull, "Bochs 2.7 checks only the base address" },
		{ "the MSRPM in the last page below MAXPHYADDR", FIELD(control.msrpm_base_pa), last,
		  ~0ull, "Bochs 2.7 checks only the base address" },
	};

	report_info("MAXPHYADDR %u: the last page below it is %#lx", cpu_maxphyaddr(), last);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(&rows[i], i);
}

int main(int argc, char **argv)
{
	if (!svm_start())
		return 0;
	hlt_page = alloc_page();
	assert(hlt_page);
	hlt_page[0] = HLT_INSN;
	report_prefix_push("svm");
	subtest("consistency", test_consistency, NULL);
	report_prefix_pop();
	return 0;
}
