/*
 * cet: CET shadow stacks and IBT at CPL0 and CPL3, and CET state across
 * VMX transitions as the "CET fix patches for nested guest" series
 * handles it (SDM vol. 1, chapter 17; vol. 3C, 26.2.x and 27.x for the
 * VMX parts).
 * - shadow stack (CPUID.7.0:ECX.CET_SS[7]): with CR4.CET, S_CET.SH_STK_EN
 *   and SETSSBSY on a supervisor shadow-stack page (R/W=0, Dirty=1) whose
 *   token reads its own address, calls and returns work and RDSSP points
 *   into that page; the token is then busy (bit 0); a return to a changed
 *   return address raises #CP with error code 1 (NEAR-RET) at the RET;
 *   WRSS (with S_CET.WR_SHSTK_EN) writes the shadow-stack page, an
 *   ordinary write to it is a #PF (write, present);
 * - IBT (CPUID.7.0:EDX.CET_IBT[20]; every function and exception stub
 *   starts with ENDBR64, -fcf-protection): with S_CET.ENDBR_EN an indirect
 *   call to ENDBR64 works, one to a target without it raises #CP with
 *   error code 3 (ENDBRANCH) at the target;
 * - nested (VMX, and the "load CET state" controls: entry bit 20, exit bit
 *   28): CR4.CET is neither fixed to 0 nor to 1 in VMX operation
 *   (IA32_VMX_CR4_FIXED0/1); L2 with its shadow stack or IBT on from VM entry (GUEST_S_CET,
 *   GUEST_SSP) takes the same #CPs itself and goes on;
 *   GUEST_S_CET is what L2 runs with and what L1 reads back after the
 *   exit, HOST_S_CET what L1 gets back; without the exit control L1 keeps
 *   L2's S_CET; every exit saves S_CET, SSP and INTR_SSP (IA32_INTERRUPT_
 *   SSP_TABLE_ADDR) in the guest fields, with the controls clear too; VM
 *   entry fails for a GUEST_S_CET with reserved bits 9:6 or with SUPPRESS
 *   (bit 10) and TRACKER (bit 11), a GUEST_SSP with bits 1:0 set, a
 *   non-canonical GUEST_INTR_SSP (exit 33 | bit 31) and for the same in
 *   the host fields or a non-canonical HOST_S_CET or HOST_SSP (VMfailValid
 *   8); CR4.CET with CR0.WP clear fails for the guest (exit 33) and for
 *   the host (error 8) whatever the controls;
 * - user (lib/x86/usermode.h): with IA32_U_CET.SH_STK_EN a CALL at CPL3
 *   pushes on the user shadow-stack page (U/S=1, R/W=0, Dirty=1) that
 *   IA32_PL3_SSP points to; an exception from CPL3 saves SSP there and the
 *   IRET reloads it; a changed near or far return address is #CP(1) or
 *   #CP(2) (FAR-RET/IRET) at the RET; with U_CET.ENDBR_EN a JMP to a
 *   target without ENDBR64 is #CP(3); WRMSR #GPs for IA32_PL3_SSP with
 *   bit 0 or 1 set or not canonical (the SDM's MSR table asks for 8-byte
 *   alignment but says hardware requires bits 1:0 clear) and for U_CET
 *   with reserved bit 6 or with SUPPRESS and TRACKER.
 * CR4.CET is only ever written on a CPU that reports CET (TCG hangs on an
 * unknown CR4 bit).  Bochs 2.7 deviation, XFAIL under vmunit.vmm=bochs
 * only with exactly that symptom: it checks host CR4.CET against CR0.WP
 * only with the exit control set, so the entry succeeds.
 */
#include "vmunit.h"
#include "alloc.h"
#include "cpuid.h"
#include "desc.h"
#include "pgtable.h"
#include "start.h"
#include "safe.h"
#include "usermode.h"
#include "vmx.h"

#define X86_CR4_CET	(1ul << 23)
#define MSR_U_CET	0x6a0
#define MSR_S_CET	0x6a2
#define MSR_PL0_SSP	0x6a4
#define MSR_PL3_SSP	0x6a7
#define MSR_INTR_SSP	0x6a8	/* IA32_INTERRUPT_SSP_TABLE_ADDR */
#define CET_SH_STK_EN	(1ull << 0)
#define CET_WR_SHSTK_EN	(1ull << 1)
#define CET_ENDBR_EN	(1ull << 2)
#define CET_NO_TRACK_EN	(1ull << 4)
#define CET_SUPPRESS_DIS (1ull << 5)
#define CET_SUPPRESS	(1ull << 10)
#define CET_TRACKER	(1ull << 11)	/* WAIT_FOR_ENDBRANCH */
#define CP_NEAR_RET	1
#define CP_FAR_RET	2	/* FAR-RET/IRET */
#define CP_ENDBRANCH	3
#define L2_INTR_SSP	0x7000	/* what L2 writes to IA32_INTERRUPT_SSP_TABLE_ADDR */
#define EXIT_LOAD_CET	(1u << 28)
#define ENTRY_LOAD_CET	(1u << 20)

/*
 * cet_ss_run(fn, arg): turn shadow stacks on (S_CET.SH_STK_EN, SETSSBSY
 * on IA32_PL0_SSP, set by the caller), call fn(arg), turn them off, and
 * return fn's result.  All in one frame: a RET whose CALL came before
 * SETSSBSY would mismatch.  cet_bad_ret(): return to a changed return
 * address (the #CP handler turns shadow stacks off and resumes at the RET,
 * which then lands at 1: and goes back to the real caller).
 */
uint64_t cet_ss_run(uint64_t (*fn)(uint64_t), uint64_t arg);
void cet_bad_ret(void);
uint64_t cet_rdssp(void);
uint64_t ibt_endbr(void), ibt_no_endbr(void);
asm(".pushsection .text\n"
    "cet_ss_run:\n"
    "	push %rbx\n"
    "	mov %rdi, %rbx\n"
    "	mov $0x6a2, %ecx\n"
    "	mov $1, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	setssbsy\n"
    "	mov %rsi, %rdi\n"
    "	call *%rbx\n"
    "	mov %rax, %rbx\n"
    "	mov $0x6a2, %ecx\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	mov %rbx, %rax\n"
    "	pop %rbx\n"
    "	ret\n"
    "cet_bad_ret:\n"
    "	mov (%rsp), %rdx\n"
    "	lea 1f(%rip), %rax\n"
    "	mov %rax, (%rsp)\n"
    ".globl cet_bad_ret_insn\n"
    "cet_bad_ret_insn:\n"
    "	ret\n"
    "1:	jmp *%rdx\n"
    "cet_rdssp:\n"
    "	endbr64\n"
    "	xor %eax, %eax\n"
    "	rdsspq %rax\n"
    "	ret\n"
    "ibt_endbr:\n"
    "	endbr64\n"
    "	mov $6, %eax\n"
    "	ret\n"
    "ibt_no_endbr:\n"
    "	mov $5, %eax\n"
    "	ret\n"
    ".popsection");
extern char cet_bad_ret_insn[];

static char buf[160];
static volatile unsigned int cp_count;
static volatile uint64_t cp_error, cp_rip, cp_cs;

static void on_cp(struct ex_regs *r)
{
	cp_count++;
	cp_error = r->error_code;
	cp_rip = r->rip;
	cp_cs = r->cs;
	/* CET off at the faulting CPL: the RET or the target then goes on */
	wrmsr(r->cs & 3 ? MSR_U_CET : MSR_S_CET, 0);
}

/* A fresh page made a shadow-stack page (R/W=0, Dirty=1; U/S = us). */
static uint64_t *ss_page(uint64_t *page, uint64_t us)
{
	uint64_t *pte;

	assert(page);
	pte = get_pte(page);
	*pte = (*pte & ~PTE_W) | PTE_D | us;
	invlpg(page);
	return page;
}

/* A supervisor shadow-stack page with a token at its top. */
static uint64_t *ss_token(void)
{
	uint64_t *page = alloc_page(), *token = page + 511;

	assert(page);
	*token = (uint64_t)token;
	return ss_page(page, 0) + 511;
}

static void cet_on(void)
{
	write_cr0(read_cr0() | X86_CR0_WP);
	write_cr4(read_cr4() | X86_CR4_CET);
}

static uint64_t ssp_a, ssp_b;

static __attribute__((noipa)) uint64_t ssp_one_call_deeper(void)
{
	uint64_t v = cet_rdssp();

	asm volatile("" : "+r"(v));	/* not a tail call: a frame of its own */
	return v;
}

/* SSP inside the page below the token, 8 bytes lower one call deeper. */
static uint64_t depth_check(uint64_t token)
{
	ssp_a = cet_rdssp();
	ssp_b = ssp_one_call_deeper();
	return ssp_a < token && ssp_a > token - 4096 && ssp_b == ssp_a - 8;
}

/* WRSS to the lowest slot of the shadow-stack page (well below SSP). */
static uint64_t wrss_slot(uint64_t slot)
{
	wrmsr(MSR_S_CET, CET_SH_STK_EN | CET_WR_SHSTK_EN);
	asm volatile("wrssq %0, (%1)" : : "r"(0x5555aaaaull), "r"(slot) : "memory");
	wrmsr(MSR_S_CET, CET_SH_STK_EN);
	return *(volatile uint64_t *)slot;
}

static uint64_t corrupt(uint64_t arg)
{
	cet_bad_ret();
	return 7;
}

static void test_shadow_stack(const void *arg)
{
	uint64_t *token, r, *probe;
	struct fault f;

	require_cpu(X86_FEATURE_CET_SS);
	cet_on();
	token = ss_token();
	wrmsr(MSR_PL0_SSP, (uint64_t)token);
	r = cet_ss_run(depth_check, (uint64_t)token);
	report(r == 1, "calls and returns work; RDSSP is below the token, 8 less one call deeper "
	       "(%#lx, token %p, then %#lx)", ssp_a, token, ssp_b);
	report(*token == ((uint64_t)token | 1), "SETSSBSY made the token busy (%#lx)", *token);

	token = ss_token();
	wrmsr(MSR_PL0_SSP, (uint64_t)token);
	cp_count = 0;
	r = cet_ss_run(corrupt, 0);
	report(cp_count == 1 && cp_error == CP_NEAR_RET && cp_rip == (uint64_t)cet_bad_ret_insn,
	       "a return to a changed address: #CP at the RET (error %lu, want 1 NEAR-RET; "
	       "%u #CP)", cp_error, cp_count);
	report(r == 7, "... and nothing else was disturbed");

	token = ss_token();
	wrmsr(MSR_PL0_SSP, (uint64_t)token);
	r = cet_ss_run(wrss_slot, (uint64_t)token & ~0xfffull);
	report(r == 0x5555aaaa, "with S_CET.WR_SHSTK_EN, WRSS writes the shadow-stack page (%#lx)",
	       r);

	probe = (uint64_t *)((uintptr_t)token & ~0xfffull);
	f = store_safe(probe, 1);
	report(f.valid && f.vector == PF_VECTOR && (f.code & (PFERR_WRITE | PFERR_PRESENT)) ==
	       (PFERR_WRITE | PFERR_PRESENT), "an ordinary write to the shadow-stack page: #PF "
	       "(write, present) (%s)", fault_str(f, buf, sizeof(buf)));
}

/* Two indirect calls, to a target with ENDBR64 and to one without. */
static uint64_t indirect_calls(uint64_t arg)
{
	uint64_t (*volatile good)(void) = ibt_endbr, (*volatile bad)(void) = ibt_no_endbr;

	return good() * 10 + bad();
}

static void test_ibt(const void *arg)
{
	uint64_t r;

	require_cpu(X86_FEATURE_CET_IBT);
	cet_on();
	cp_count = 0;
	wrmsr(MSR_S_CET, CET_ENDBR_EN | CET_NO_TRACK_EN);
	r = indirect_calls(0);
	wrmsr(MSR_S_CET, 0);
	report(r == 65, "an indirect call to ENDBR64 works, one to a target without it goes on "
	       "after the #CP (%lu)", r);
	report(cp_count == 1 && cp_error == CP_ENDBRANCH && cp_rip == (uint64_t)ibt_no_endbr,
	       "the call to a target without ENDBR64: #CP at the target (error %lu, want 3 "
	       "ENDBRANCH; %u #CP)", cp_error, cp_count);
}

static uint64_t l2_s_cet(uint64_t write)
{
	uint64_t v = rdmsr(MSR_S_CET);

	if (write) {
		wrmsr(MSR_S_CET, write);
		wrmsr(MSR_INTR_SSP, L2_INTR_SSP);
	}
	return v;
}

/* L2 with a shadow stack from VM entry: its SSP, then shadow stacks off. */
static uint64_t l2_ssp_then_off(uint64_t arg)
{
	uint64_t ssp = 0;

	asm volatile("rdsspq %0" : "+r"(ssp));
	wrmsr(MSR_S_CET, CET_SUPPRESS_DIS);
	return ssp;
}

static bool cet_guest(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
		      uint32_t exit_ctls, uint32_t entry_ctls)
{
	if (!vmx_guest_init(g, fn, arg, &(struct vmx_ctls){ .exit = exit_ctls,
							   .entry = entry_ctls }))
		return false;
	vmx_stop_on(g, EXIT_INVALID_STATE);	/* the entry checks */
	return true;
}

/* L2 with CET on from VM entry: GUEST_S_CET and GUEST_SSP load it. */
static void l2_cet(uint64_t (*fn)(uint64_t), uint64_t s_cet, const char *what,
		   uint64_t want, uint64_t want_cp)
{
	struct vmx_guest g;

	if (!cet_guest(&g, fn, 0, EXIT_LOAD_CET, ENTRY_LOAD_CET))
		return;
	vmwrite(GUEST_S_CET, s_cet);
	vmwrite(GUEST_SSP, (uint64_t)ss_token());	/* a fresh shadow stack */
	vmwrite(HOST_S_CET, 0);
	cp_count = 0;
	vmx_run(&g);
	report(g.done && g.result == want && cp_count == 1 && cp_error == want_cp,
	       "%s: #CP in L2, which goes on (error %lu, want %lu; %s; %u #CP)", what, cp_error,
	       want_cp, vmx_exit_str(&g, buf, sizeof(buf)), cp_count);
}

/*
 * VM entries with one field made bad (its value | set, & ~clear): a bad
 * guest-state field fails with exit 33 | bit 31, a bad host-state field
 * (encoding bits 11:10 = 3) with VMfailValid 8.
 */
static const struct bad_field {
	enum vmcs_field f;
	uint64_t set, clear;
	bool load_cet;
	const char *what;
} bad_fields[] = {
	{ GUEST_S_CET, 1ull << 6, 0, true, "GUEST_S_CET with reserved bit 6" },
	{ GUEST_S_CET, CET_SUPPRESS | CET_TRACKER, 0, true, "GUEST_S_CET with SUPPRESS and TRACKER" },
	{ GUEST_SSP, 0x1001, 0, true, "GUEST_SSP with bits 1:0 set" },
	{ GUEST_INTR_SSP, NONCANONICAL, 0, true, "GUEST_INTR_SSP not canonical" },
	{ HOST_S_CET, 1ull << 6, 0, true, "HOST_S_CET with reserved bit 6" },
	{ HOST_S_CET, CET_TRACKER | CET_SUPPRESS, 0, true, "HOST_S_CET with SUPPRESS and TRACKER" },
	{ HOST_S_CET, NONCANONICAL, 0, true, "HOST_S_CET not canonical" },
	{ HOST_SSP, 0x1001, 0, true, "HOST_SSP with bits 1:0 set" },
	{ HOST_SSP, NONCANONICAL, 0, true, "HOST_SSP not canonical" },
	{ HOST_INTR_SSP, NONCANONICAL, 0, true, "HOST_INTR_SSP not canonical" },
	{ GUEST_CR0, 0, X86_CR0_WP, false, "guest CR4.CET with CR0.WP clear" },
};

static void entry_fails(const struct bad_field *b)
{
	struct vmx_guest g;
	bool host = (b->f >> 10 & 3) == 3;

	if (!cet_guest(&g, l2_s_cet, 0, b->load_cet ? EXIT_LOAD_CET : 0,
		       b->load_cet ? ENTRY_LOAD_CET : 0))
		return;
	vmwrite(b->f, (vmread(b->f) | b->set) & ~b->clear);
	vmx_run(&g);
	if (host)
		report(g.entry.result == VMX_FAIL_VALID && g.entry.error == 8,
		       "%s: VMfailValid 8 (%s)", b->what, vmx_exit_str(&g, buf, sizeof(buf)));
	else
		report(g.exit_reason == (EXIT_REASON_FAILED_ENTRY | EXIT_INVALID_STATE),
		       "%s: entry fails, exit 33 | bit 31 (%s)", b->what,
		       vmx_exit_str(&g, buf, sizeof(buf)));
}

/*
 * Every VM exit saves L2's S_CET, SSP and INTR_SSP in the guest-state area
 * on a CPU with the "load CET state" entry control, whatever the controls
 * (SDM "Saving Control Registers, Debug Registers, and MSRs" and "Saving
 * RIP, RSP, RFLAGS, and SSP"): stale fields must be overwritten.
 */
static void exit_saves(void)
{
	struct vmx_guest g;
	uint64_t *token, ssp;

	if (cet_guest(&g, l2_s_cet, CET_SUPPRESS_DIS, 0, 0)) {
		wrmsr(MSR_S_CET, CET_NO_TRACK_EN);
		vmwrite(GUEST_S_CET, CET_ENDBR_EN);
		vmwrite(GUEST_INTR_SSP, 0x8000);
		vmx_run(&g);
		report(g.done && g.result == CET_NO_TRACK_EN && rdmsr(MSR_S_CET) == CET_SUPPRESS_DIS,
		       "without the controls L2 runs with L1's S_CET and L1 keeps L2's (%#lx, %#lx)",
		       g.result, rdmsr(MSR_S_CET));
		report(vmread(GUEST_S_CET) == CET_SUPPRESS_DIS && vmread(GUEST_INTR_SSP) == L2_INTR_SSP,
		       "an exit without the controls saves L2's S_CET and INTR_SSP "
		       "(GUEST_S_CET %#lx, GUEST_INTR_SSP %#lx)", vmread(GUEST_S_CET),
		       vmread(GUEST_INTR_SSP));
		wrmsr(MSR_S_CET, 0);
		wrmsr(MSR_INTR_SSP, 0);
	}
	if (cet_guest(&g, l2_ssp_then_off, 0, 0, ENTRY_LOAD_CET)) {
		token = ss_token();
		vmwrite(GUEST_S_CET, CET_SH_STK_EN);
		vmwrite(GUEST_SSP, (uint64_t)token);
		vmx_run(&g);
		ssp = vmread(GUEST_SSP);
		report(g.done && g.result < (uint64_t)token && g.result > (uint64_t)token - 4096 &&
		       ssp == g.result && vmread(GUEST_S_CET) == CET_SUPPRESS_DIS,
		       "an exit without the exit control saves L2's SSP and S_CET (L2 had %#lx, "
		       "GUEST_SSP %#lx, GUEST_S_CET %#lx; %s)", g.result, ssp, vmread(GUEST_S_CET),
		       vmx_exit_str(&g, buf, sizeof(buf)));
		wrmsr(MSR_S_CET, 0);
	}
}

static void test_nested(const void *arg)
{
	struct vmx_guest g;

	require_cpu(X86_FEATURE_CET_SS);
	cet_on();
	if (!vmx_start(&(struct vmx_ctls){ .exit = EXIT_LOAD_CET, .entry = ENTRY_LOAD_CET }))
		return;
	report((rdmsr(0x489) & X86_CR4_CET) && !(rdmsr(0x488) & X86_CR4_CET) &&
	       (read_cr4() & X86_CR4_CET), "CR4.CET is free in VMX operation and stays set after "
	       "VMXON (IA32_VMX_CR4_FIXED0/1 bit 23: %lu/%lu)", rdmsr(0x488) >> 23 & 1,
	       rdmsr(0x489) >> 23 & 1);

	if (cet_guest(&g, l2_s_cet, CET_SUPPRESS_DIS, EXIT_LOAD_CET, ENTRY_LOAD_CET)) {
		wrmsr(MSR_S_CET, 0);
		vmwrite(GUEST_S_CET, CET_NO_TRACK_EN);
		vmwrite(HOST_S_CET, 0);
		vmx_run(&g);
		report(g.done && g.result == CET_NO_TRACK_EN,
		       "entry loads GUEST_S_CET (L2 reads %#lx, %s)", g.result,
		       vmx_exit_str(&g, buf, sizeof(buf)));
		report(vmread(GUEST_S_CET) == CET_SUPPRESS_DIS && rdmsr(MSR_S_CET) == 0,
		       "exit saves L2's S_CET and loads HOST_S_CET (saved %#lx, L1 reads %#lx)",
		       vmread(GUEST_S_CET), rdmsr(MSR_S_CET));
	}
	exit_saves();
	if (cpu_has(X86_FEATURE_CET_SS))
		l2_cet(corrupt, CET_SH_STK_EN, "L2 with a shadow stack returns to a changed address",
		       7, CP_NEAR_RET);
	if (cpu_has(X86_FEATURE_CET_IBT))
		l2_cet(indirect_calls, CET_ENDBR_EN | CET_NO_TRACK_EN,
		       "L2 with IBT calls a target without ENDBR64", 65, CP_ENDBRANCH);
	for (size_t i = 0; i < sizeof(bad_fields) / sizeof(bad_fields[0]); i++)
		entry_fails(&bad_fields[i]);
	if (cet_guest(&g, l2_s_cet, 0, 0, 0)) {
		bool entered;

		vmwrite(HOST_CR0, vmread(HOST_CR0) & ~X86_CR0_WP);
		vmx_run(&g);
		entered = g.entry.result == VMX_OK;
		report_xfail(run_on_vmm("bochs") && entered,
			     g.entry.result == VMX_FAIL_VALID && g.entry.error == 8,
			     "host CR4.CET with CR0.WP clear, no CET exit control: VMfailValid 8 "
			     "(%s%s)", vmx_exit_str(&g, buf, sizeof(buf)),
			     run_on_vmm("bochs") && entered ?
			     "; Bochs 2.7: checked only with exit control bit 28" : "");
		write_cr0(read_cr0() | X86_CR0_WP);	/* if the exit loaded it */
	}
	vmx_off();
}

/*
 * CPL3 routines (lib/x86/usermode.h), entered by a CALL at CPL3:
 * user_ss_probe returns RDSSP one call deeper (0 without a shadow stack)
 * and raises #UD there;
 * user_bad_ret and user_bad_lret change the return address of a near and
 * of a far CALL on the normal stack and return to it (the #CP handler
 * turns CET off, the RET then lands at the changed address, which goes
 * back to the real one), 7; user_ibt calls a target with ENDBR64 (6) and
 * jumps to one without it (+ 5), 65.
 */
uint64_t user_ss_probe(uint64_t), user_bad_ret(uint64_t), user_bad_lret(uint64_t);
uint64_t user_ibt(uint64_t);
extern char user_ss_probe_ret[], user_bad_ret_insn[], user_bad_lret_insn[], user_ibt_bad[];
asm(".pushsection user_text, \"ax\"\n"
    "user_ss_probe:\n"
    "	endbr64\n"
    "	call 1f\n"
    "user_ss_probe_ret:\n"
    "	ret\n"
    "1:	xor %eax, %eax\n"
    "	rdsspq %rax\n"
    "	ud2\n"				/* on_ud() reads IA32_PL3_SSP */
    "	ret\n"
    "user_bad_ret:\n"
    "	endbr64\n"
    "	call 1f\n"
    "2:	mov $7, %eax\n"
    "	ret\n"
    "1:	lea 3f(%rip), %rax\n"
    "	mov %rax, (%rsp)\n"
    "user_bad_ret_insn:\n"
    "	ret\n"
    "3:	jmp 2b\n"
    "user_bad_lret:\n"
    "	endbr64\n"
    "	sub $8, %rsp\n"			/* m16:32 far pointer to 1: */
    "	lea 1f(%rip), %rax\n"
    "	mov %eax, (%rsp)\n"
    "	mov %cs, %eax\n"
    "	mov %ax, 4(%rsp)\n"
    "	lcalll *(%rsp)\n"
    "2:	add $8, %rsp\n"
    "	mov $7, %eax\n"
    "	ret\n"
    "1:	endbr64\n"
    "	lea 3f(%rip), %rax\n"
    "	mov %eax, (%rsp)\n"		/* the far return's EIP */
    "user_bad_lret_insn:\n"
    "	lretl\n"
    "3:	jmp 2b\n"
    "user_ibt:\n"
    "	endbr64\n"
    "	lea 1f(%rip), %rax\n"
    "	call *%rax\n"
    "	imul $10, %rax\n"
    "	lea user_ibt_bad(%rip), %rcx\n"
    "	jmp *%rcx\n"
    "1:	endbr64\n"
    "	mov $6, %eax\n"
    "	ret\n"
    "user_ibt_bad:\n"
    "	add $5, %rax\n"
    "	ret\n"
    ".popsection");

/* WRMSRs that #GP: IA32_PL3_SSP must be 4-aligned and canonical, U_CET valid. */
static const struct bad_msr {
	uint32_t msr;
	uint64_t val;
	const char *what;
} bad_msrs[] = {
	{ MSR_PL3_SSP, 0x100001, "IA32_PL3_SSP with bit 0 set" },
	{ MSR_PL3_SSP, 0x100002, "IA32_PL3_SSP with bit 1 set" },
	{ MSR_PL3_SSP, NONCANONICAL, "IA32_PL3_SSP not canonical" },
	{ MSR_U_CET, 1ull << 6, "IA32_U_CET with reserved bit 6" },
	{ MSR_U_CET, CET_SUPPRESS | CET_TRACKER, "IA32_U_CET with SUPPRESS and TRACKER" },
};

static uint64_t ud_pl3_ssp;

/* The #UD of user_ss_probe: where the exception put CPL3's SSP. */
static void on_ud(struct ex_regs *r)
{
	ud_pl3_ssp = rdmsr(MSR_PL3_SSP);
	r->rip += 2;
}

/* fn at CPL3 with U_CET = u_cet and a fresh user shadow stack; its top. */
static uint64_t user_run(uint64_t (*fn)(uint64_t), uint64_t u_cet, uint64_t *top)
{
	uint64_t r;

	*top = (uint64_t)ss_page(alloc_page(), PTE_U) + 4096;
	wrmsr(MSR_PL3_SSP, *top);
	wrmsr(MSR_U_CET, u_cet);
	cp_count = 0;
	r = run_user(fn, 0);
	wrmsr(MSR_U_CET, 0);
	return r;
}

/* One #CP, from CPL3, with this error code at this RIP. */
static bool user_cp(uint64_t error, void *rip)
{
	return cp_count == 1 && cp_error == error && cp_rip == (uint64_t)rip && (cp_cs & 3) == 3;
}

static void test_user(const void *arg)
{
	uint64_t top, r;
	struct fault f;

	require_cpu(X86_FEATURE_CET_SS);
	cet_on();
	for (size_t i = 0; i < sizeof(bad_msrs) / sizeof(bad_msrs[0]); i++) {
		f = wrmsr_safe(bad_msrs[i].msr, bad_msrs[i].val);
		report(f.valid && f.vector == GP_VECTOR && f.code == 0, "WRMSR %s: #GP(0) (%s)",
		       bad_msrs[i].what, fault_str(f, buf, sizeof(buf)));
	}

	handle_exception(UD_VECTOR, on_ud);
	ud_pl3_ssp = 0;
	r = user_run(user_ss_probe, CET_SH_STK_EN, &top);
	handle_exception(UD_VECTOR, NULL);
	report(r == top - 16 && *(uint64_t *)r == (uint64_t)user_ss_probe_ret,
	       "a CALL at CPL3 pushes its return address on the user shadow stack at "
	       "IA32_PL3_SSP (RDSSP %#lx, want %#lx; it holds %#lx, want %p)", r, top - 16,
	       r ? *(uint64_t *)r : 0, user_ss_probe_ret);
	report(ud_pl3_ssp == top - 16 && cp_count == 0 && rdmsr(MSR_PL3_SSP) == top,
	       "an exception from CPL3 saves its SSP in IA32_PL3_SSP, the IRET reloads it: the "
	       "RETs after it match (at the #UD %#lx, want %#lx; after the INT back %#lx, want "
	       "%#lx; %u #CP)", ud_pl3_ssp, top - 16, rdmsr(MSR_PL3_SSP), top, cp_count);

	r = user_run(user_bad_ret, CET_SH_STK_EN, &top);
	report(user_cp(CP_NEAR_RET, user_bad_ret_insn) && r == 7, "a near RET to a changed "
	       "address at CPL3: #CP at the RET (error %lu, want 1 NEAR-RET; cs %#lx; %u #CP; %lu)",
	       cp_error, cp_cs, cp_count, r);
	r = user_run(user_bad_lret, CET_SH_STK_EN, &top);
	report(user_cp(CP_FAR_RET, user_bad_lret_insn) && r == 7, "a far RET to a changed "
	       "address at CPL3: #CP at the RET (error %lu, want 2 FAR-RET/IRET; cs %#lx; %u #CP; "
	       "%lu)", cp_error, cp_cs, cp_count, r);

	if (!cpu_has(X86_FEATURE_CET_IBT)) {
		report_skip("IBT at CPL3: %s", cpu_feature_gate(X86_FEATURE_CET_IBT));
		return;
	}
	r = user_run(user_ibt, CET_ENDBR_EN, &top);
	report(user_cp(CP_ENDBRANCH, user_ibt_bad) && r == 65, "with U_CET.ENDBR_EN a JMP at CPL3 "
	       "to a target without ENDBR64: #CP at the target (error %lu, want 3 ENDBRANCH; "
	       "cs %#lx; %u #CP; %lu)", cp_error, cp_cs, cp_count, r);
}

int main(int argc, char **argv)
{
	handle_exception(CP_VECTOR, on_cp);
	subtest("shadow stack", test_shadow_stack, NULL);
	subtest("ibt", test_ibt, NULL);
	subtest("nested", test_nested, NULL);
	subtest("user", test_user, NULL);
	return 0;
}
