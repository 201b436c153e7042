/*
 * svm: SVM and a first L2 guest, through the harness of lib/x86/svm.h
 * (AMD APM vol. 2, chapter 15):
 * - basic: VMRUN and back at L2's VMMCALL with its return value; VMLOAD
 *   and VMSAVE move the state they name (KernelGsBase) and only it;
 * - intercepts: CPUID, HLT and an exception (#UD) exit with their codes;
 *   with the I/O permission map an OUT to a port whose bit is set exits
 *   IOIO (port, size, direction in EXITINFO1), one whose bit is clear
 *   does not; with the MSR permission map RDMSR and WRMSR exit as their
 *   bits say (EXITINFO1 0 and 1);
 * - event injection: an interrupt injected through EVENTINJ is taken by
 *   L2 before its first instruction, on L2's IDT vector;
 * - invalid VMCB: without the VMRUN intercept, with ASID 0, or with
 *   EFER.SVME clear, VMRUN exits with VMEXIT_INVALID;
 * - nrip (CPUID 0x8000000A:EDX.NRIPS[3]): nRIP is the address after the
 *   intercepted instruction;
 * - vintr: V_IRQ with V_INTR_MASKING is taken by L2 once it sets IF, on
 *   V_INTR_VECTOR; with the VINTR intercept that moment exits instead;
 *   L2's CR8 writes land in V_TPR;
 * - npt (NP[0]): L2 on an identity nested table; an unmapped GPA, a write
 *   to a read-only page and a fetch from a no-execute page each exit #NPF
 *   with the GPA in EXITINFO2 and the error code in EXITINFO1 (present,
 *   write, user, fetch, final-address bits); after a remap, a TLB flush or
 *   a fresh ASID shows L2 the new page;
 *   where a defect can show: an ignored TLB_CONTROL or ASID passes on
 *   QEMU 10 TCG, Bochs 2.7 and the 6.12 KVM box (measured: TLB_CONTROL
 *   never set; each drops L2's translations at VMRUN anyway), so it
 *   guards hardware and a KVM that stops flushing on nested VMRUN;
 * - pause: the PAUSE intercept exits at the first PAUSE; with
 *   PAUSEFILTER[10] at the PAUSE that takes the programmed count to 0;
 * - lbrv (LBRV[1]; APM vol. 2, "LBR Virtualization"): L1 records a JMP
 *   of its own (DebugCtl 0x1d9 LBR[0] around it, lib/x86/lbr.h), then runs
 *   an L2 that reads DebugCtl and LastExceptionFromIP/ToIP (0x1dd/0x1de),
 *   then records a JMP of its own.  With virt_ext LBR_VIRTUALIZATION_ENABLE
 *   VMRUN loads L2's DebugCtl and LBR MSRs from the VMCB, #VMEXIT saves
 *   them there (dbgctl, br_from/br_to = L2's JMP) and gives L1 its own
 *   back (LastBranchFromIP/ToIP 0x1db/0x1dc = L1's JMP); without it
 *   nothing is switched: L2 runs on L1's DebugCtl and L2's JMP is L1's
 *   last branch.  Bochs 2.7's ryzen reports LBRV without DebugCtl (#GP):
 *   XFAIL; no platform here has LBRV otherwise (QEMU TCG: not in
 *   TCG_SVM_FEATURES; KVM offers it only on a host that has it).
 * - migration (lib/migrate.h; svm-migration migrates), with L2 in the
 *   middle of its run and CPUID intercepted: "l1", L1 migrates while
 *   handling L2's VMMCALL; "l2", L2 itself asks for the migration, the
 *   vCPU in guest mode (KVM's nested state; QEMU TCG cannot load that:
 *   SKIP).  On the destination L2 goes on where it was, its CPUID still
 *   exits to L1, and it returns the value it held before.
 * Gate: CPUID.0x80000001:ECX.SVM[2] (QEMU TCG -cpu max and Bochs ryzen
 * have it), then each feature bit of CPUID 0x8000000A:EDX.
 */
#include "vmunit.h"
#include "alloc.h"
#include "clock.h"
#include "cpuid.h"
#include "desc.h"
#include "lbr.h"
#include "migrate.h"
#include "npt.h"
#include "processor.h"
#include "safe.h"
#include "start.h"
#include "svm.h"

#define MAGIC 0x5356d00dull
#define VEC 0x52
#define IO_PORT 0x80		/* POST codes: writes do nothing */
#define IO_PORT_FREE 0x84	/* unused DMA page register */

static char buf[240];
static struct svm_guest g;
static volatile unsigned int vec_hits;

static const char *ex(void)
{
	return svm_exit_str(&g, buf, sizeof(buf));
}

static uint64_t l2_magic(uint64_t arg)
{
	return arg ^ MAGIC;
}

static void test_basic(const void *arg)
{
	uint64_t area = (uint64_t)alloc_page(), mine = rdmsr(MSR_KERNEL_GS_BASE);

	svm_guest_init(&g, l2_magic, 42);
	svm_run(&g);
	report(g.done && g.result == (42 ^ MAGIC), "VMRUN, L2 returns through VMMCALL (%s)",
	       ex());
	svm_guest_init(&g, l2_magic, 7);
	svm_run(&g);
	report(g.done && g.result == (7 ^ MAGIC), "a second guest runs too (%s)", ex());

	wrmsr(MSR_KERNEL_GS_BASE, 0x1234000);
	vmsave(area);
	wrmsr(MSR_KERNEL_GS_BASE, 0x5678000);
	report(((struct vmcb *)area)->save.kernel_gs_base == 0x1234000,
	       "VMSAVE stores KernelGsBase in the save area (%#lx)",
	       ((struct vmcb *)area)->save.kernel_gs_base);
	vmload(area);
	report(rdmsr(MSR_KERNEL_GS_BASE) == 0x1234000, "VMLOAD loads it back (%#lx)",
	       rdmsr(MSR_KERNEL_GS_BASE));
	wrmsr(MSR_KERNEL_GS_BASE, mine);
}

static uint64_t l2_cpuid(uint64_t arg)
{
	struct cpuid r = cpuid_raw(0, 0);

	return r.a;
}

static uint64_t l2_hlt(uint64_t arg)
{
	asm volatile("hlt");
	return 0;
}

static uint64_t l2_ud(uint64_t arg)
{
	asm volatile("ud2");
	return 0;
}

static uint64_t l2_out(uint64_t port)
{
	asm volatile("outb %b0, %w1" : : "a"(0x5a), "Nd"((uint16_t)port));
	return MAGIC;
}

static uint64_t l2_rdmsr(uint64_t msr)
{
	return rdmsr(msr);
}

static uint64_t l2_wrmsr(uint64_t msr)
{
	wrmsr(msr, rdmsr(msr));
	return MAGIC;
}

/* L2 = fn(arg) with intercept i on: it exits with code, at an L2 RIP. */
static bool exits(uint64_t (*fn)(uint64_t), uint64_t arg, enum svm_intercept i, uint64_t code)
{
	svm_guest_init(&g, fn, arg);
	svm_intercept(&g, i, true);
	svm_stop_on(&g, code);
	svm_run(&g);
	return !g.done && g.exit_code == code;
}

static void test_intercepts(const void *arg)
{
	uint8_t *map;
	bool ok;

	ok = exits(l2_cpuid, 0, ICPT_CPUID, SVM_EXIT_CPUID);
	report(ok, "CPUID exits 0x72 (%s)", ex());
	ok = exits(l2_hlt, 0, ICPT_HLT, SVM_EXIT_HLT);
	report(ok, "HLT exits 0x78 (%s)", ex());
	ok = exits(l2_ud, 0, ICPT_EXCEPTION(6), SVM_EXIT_EXCP_BASE + 6);
	report(ok, "#UD with its exception intercept exits 0x46 (%s)", ex());

	svm_guest_init(&g, l2_out, IO_PORT);
	map = svm_iopm(&g);
	map[IO_PORT / 8] |= 1u << (IO_PORT % 8);
	svm_stop_on(&g, SVM_EXIT_IOIO);
	svm_run(&g);
	report(g.exit_code == SVM_EXIT_IOIO && SVM_IOIO_PORT(g.info1) == IO_PORT &&
	       (g.info1 & SVM_IOIO_SZ8) && !(g.info1 & SVM_IOIO_IN),
	       "OUT to a port set in the IOPM exits IOIO: port, 8-bit, out (%s)", ex());
	svm_guest_init(&g, l2_out, IO_PORT_FREE);
	map = svm_iopm(&g);
	map[IO_PORT / 8] |= 1u << (IO_PORT % 8);
	svm_run(&g);
	report(g.done && g.result == MAGIC, "OUT to a port clear in the IOPM does not exit (%s)",
	       ex());

	svm_guest_init(&g, l2_rdmsr, MSR_IA32_SYSENTER_CS);
	svm_msrpm_set(svm_msrpm(&g), MSR_IA32_SYSENTER_CS, false);
	svm_stop_on(&g, SVM_EXIT_MSR);
	svm_run(&g);
	report(g.exit_code == SVM_EXIT_MSR && g.info1 == 0 && g.regs.rcx == MSR_IA32_SYSENTER_CS,
	       "RDMSR with its read bit set exits MSR, EXITINFO1 0 (%s)", ex());
	svm_guest_init(&g, l2_wrmsr, MSR_STAR);
	map = svm_msrpm(&g);
	svm_msrpm_set(map, MSR_STAR, true);
	svm_stop_on(&g, SVM_EXIT_MSR);
	svm_run(&g);
	report(g.exit_code == SVM_EXIT_MSR && g.info1 == 1 && g.regs.rcx == MSR_STAR,
	       "WRMSR with its write bit set exits MSR, EXITINFO1 1, not the read before it (%s)",
	       ex());
	svm_guest_init(&g, l2_wrmsr, MSR_IA32_SYSENTER_CS);
	svm_msrpm_set(svm_msrpm(&g), MSR_STAR, true);
	svm_run(&g);
	report(g.done && g.result == MAGIC, "RDMSR and WRMSR of an MSR clear in the map do not exit (%s)",
	       ex());
}

static void on_vec(struct ex_regs *regs)
{
	vec_hits++;
}

static uint64_t l2_hits(uint64_t arg)
{
	return vec_hits;
}

static void test_inject(const void *arg)
{
	vec_hits = 0;
	svm_guest_init(&g, l2_hits, 0);
	g.vmcb->control.event_inj = SVM_EVT_VALID | SVM_EVT_INTR | VEC;
	svm_run(&g);
	report(g.done && g.result == 1 && vec_hits == 1,
	       "an injected interrupt is taken on its vector before L2's first instruction (%lu, %u; %s)",
	       g.result, vec_hits, ex());
}

/*
 * VMRUN of this guest exits VMEXIT_INVALID, EXITCODE -1 in all 64 bits
 * (QEMU TCG: 0xffffffff, its 32-bit exit code zero-extended).
 */
static void invalid(const char *what)
{
	svm_stop_on(&g, SVM_EXIT_INVALID);
	svm_run(&g);
	report_known(!g.done && g.exit_code == SVM_EXIT_INVALID,
		     arch_is_tcg() && !g.done && g.exit_code == SVM_EXIT_INVALID32,
		     "QEMU TCG writes EXITCODE as a 32-bit -1", "%s: VMEXIT_INVALID, EXITCODE -1 (%s)",
		     what, ex());
}

static void test_invalid(const void *arg)
{
	svm_guest_init(&g, l2_magic, 0);
	svm_intercept(&g, ICPT_VMRUN, false);
	invalid("without the VMRUN intercept");
	svm_guest_init(&g, l2_magic, 0);
	g.vmcb->control.asid = 0;
	invalid("with ASID 0");
	svm_guest_init(&g, l2_magic, 0);
	g.vmcb->save.efer &= ~X86_EFER_SVME;
	invalid("with the guest's EFER.SVME clear");
	svm_guest_init(&g, l2_magic, 5);
	svm_run(&g);
	report(g.done && g.result == (5 ^ MAGIC), "a valid VMCB runs after them (%s)", ex());
}

static void test_nrip(const void *arg)
{
	bool ok;

	require_cpu(X86_FEATURE_NRIPS);
	ok = exits(l2_cpuid, 0, ICPT_CPUID, SVM_EXIT_CPUID);
	report(ok && g.vmcb->control.next_rip == g.rip + 2, "CPUID: nRIP is RIP + 2 (%#lx, RIP %#lx)",
	       g.vmcb->control.next_rip, g.rip);
	g.vmcb->save.rip = g.vmcb->control.next_rip;
	svm_intercept(&g, ICPT_CPUID, false);
	svm_run(&g);
	report(g.done, "L2 resumes at nRIP and returns (%s)", ex());
}

static uint64_t l2_sti(uint64_t arg)
{
	asm volatile("sti; nop; nop; cli");
	return vec_hits;
}

static uint64_t l2_cr8(uint64_t tpr)
{
	asm volatile("mov %0, %%cr8" : : "r"(tpr));
	return MAGIC;
}

static void test_vintr(const void *arg)
{
	uint64_t virq = SVM_V_IRQ | SVM_V_INTR_MASKING | SVM_V_INTR_PRIO(0xf) |
			SVM_V_INTR_VECTOR(VEC);

	vec_hits = 0;
	svm_guest_init(&g, l2_sti, 0);
	g.vmcb->control.int_ctl = virq;
	svm_run(&g);
	report(g.done && g.result == 1, "V_IRQ is taken once L2 sets IF, on V_INTR_VECTOR (%lu; %s)",
	       g.result, ex());
	report(!(g.vmcb->control.int_ctl & SVM_V_IRQ), "V_IRQ is clear once taken (int_ctl %#lx)",
	       g.vmcb->control.int_ctl);
	vec_hits = 0;
	svm_guest_init(&g, l2_sti, 0);
	g.vmcb->control.int_ctl = virq;
	svm_intercept(&g, ICPT_VINTR, true);
	svm_stop_on(&g, SVM_EXIT_VINTR);
	svm_run(&g);
	report(g.exit_code == SVM_EXIT_VINTR && !vec_hits,
	       "with the VINTR intercept it exits 0x64 instead (%u taken; %s)", vec_hits, ex());
	svm_guest_init(&g, l2_cr8, 5);
	g.vmcb->control.int_ctl = SVM_V_INTR_MASKING;
	svm_run(&g);
	report(g.done && (g.vmcb->control.int_ctl & SVM_V_TPR_MASK) == 5,
	       "with V_INTR_MASKING L2's CR8 write lands in V_TPR (int_ctl %#lx)",
	       g.vmcb->control.int_ctl);
}

/* ---- nested paging ---- */

static struct npt npt;

static uint64_t l2_read(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static uint64_t l2_write(uint64_t addr)
{
	*(volatile uint64_t *)addr = MAGIC;
	return MAGIC;
}

static uint64_t l2_call(uint64_t addr)
{
	return ((uint64_t (*)(void))addr)();
}

static uint64_t *page_with(uint64_t v)
{
	uint64_t *p = alloc_page();

	assert(p);
	*p = v;
	return p;
}

/* L2 reads addr, asks L1 to remap it (request 1), reads it again. */
static uint64_t l2_remapped(uint64_t addr)
{
	uint64_t first = *(volatile uint64_t *)addr;

	svm_l2_call(1);
	return first << 8 | *(volatile uint64_t *)addr;
}

static uint64_t remap_gpa, remap_to;
static uint8_t remap_tlb;
static uint32_t remap_asid;

static enum svm_action remap(struct svm_guest *guest)
{
	*npt_pte(&npt, remap_gpa) = remap_to | PTE_P | PTE_W | PTE_U;
	guest->vmcb->control.tlb_control = remap_tlb;
	guest->vmcb->control.asid = remap_asid;
	return SVM_RESUME;
}

/* After L1 remaps a's GPA to b, with this flush (or ASID), L2 reads b. */
static void tlb(uint64_t *a, uint64_t *b, const char *how, uint8_t flush, uint32_t asid)
{
	*npt_pte(&npt, (uint64_t)a) = (uint64_t)a | PTE_P | PTE_W | PTE_U;
	remap_gpa = (uint64_t)a;
	remap_to = (uint64_t)b;
	remap_tlb = flush;
	remap_asid = asid;
	svm_guest_init(&g, l2_remapped, (uint64_t)a);
	npt_enable(&g, &npt);
	g.request = remap;
	svm_run(&g);
	report(g.done && g.result == (*a << 8 | *b),
	       "after a remap and %s L2 reads the new page (%#lx; %s)", how, g.result, ex());
}

#define IN_PAGE 0x5a8	/* a fault's offset in its page */

/* L2 = fn(addr) on the nested table: it exits #NPF at gpa with error code want. */
static void npf(const char *what, uint64_t (*fn)(uint64_t), uint64_t addr, uint64_t want)
{
	svm_guest_init(&g, fn, addr);
	npt_enable(&g, &npt);
	svm_stop_on(&g, SVM_EXIT_NPF);
	svm_run(&g);
	report(g.exit_code == SVM_EXIT_NPF && g.info2 == addr && g.info1 == want,
	       "%s: #NPF at the GPA, EXITINFO1 as the APM says (want %#lx; %s)", what, want, ex());
}

static void test_npt(const void *arg)
{
	uint64_t *a = page_with(0xa), *b = page_with(0xb), *code = alloc_page();
	const uint64_t user_final = SVM_NPF_USER | SVM_NPF_FINAL;

	require_cpu(X86_FEATURE_NP);
	npt_identity(&npt, 4ull << 30);
	svm_guest_init(&g, l2_read, (uint64_t)a);
	npt_enable(&g, &npt);
	svm_run(&g);
	report(g.done && g.result == 0xa, "L2 on an identity nested table reads L1's page (%s)",
	       ex());

	/* Each fault at an offset inside its page: EXITINFO2 is the whole GPA. */
	*npt_pte(&npt, (uint64_t)a) = 0;
	npf("a GPA not mapped", l2_read, (uint64_t)a + IN_PAGE, user_final);
	*npt_pte(&npt, (uint64_t)a) = (uint64_t)a | PTE_P | PTE_U;
	a[IN_PAGE / 8] = 0xa5;
	npf("a write to a read-only page", l2_write, (uint64_t)a + IN_PAGE,
	    user_final | SVM_NPF_PRESENT | SVM_NPF_WRITE);
	report(a[IN_PAGE / 8] == 0xa5, "... and the write did not land (%#lx)", a[IN_PAGE / 8]);

	code[IN_PAGE / 8] = 0xc3;	/* ret */
	if (rdmsr(MSR_EFER) & X86_EFER_NXE) {
		*npt_pte(&npt, (uint64_t)code) = (uint64_t)code | PTE_P | PTE_W | PTE_U | PTE_NX;
		npf("a fetch from a no-execute page", l2_call, (uint64_t)code + IN_PAGE,
		    user_final | SVM_NPF_PRESENT | SVM_NPF_FETCH);
	} else {
		report_skip("a fetch from a no-execute page: L1's EFER.NXE is clear");
	}

	tlb(a, b, "TLB_CONTROL 1 (flush all)", SVM_TLB_ALL, 1);
	tlb(a, b, "a fresh ASID", SVM_TLB_NOTHING, 2);
	if (cpu_has(X86_FEATURE_FLUSHBYASID))
		tlb(a, b, "TLB_CONTROL 3 (flush this ASID)", SVM_TLB_ASID, 1);
	else
		report_skip("TLB_CONTROL 3: %s", cpu_feature_gate(X86_FEATURE_FLUSHBYASID));
}

/* ---- PAUSE ---- */

static volatile unsigned int pauses;

static uint64_t l2_pause(uint64_t n)
{
	for (pauses = 0; pauses < n; pauses++)
		asm volatile("pause");
	return MAGIC;
}

#define THRESHOLD 100	/* cycles between PAUSEs that reload the count */

/* n PAUSEs, each more than 20 thresholds of TSC after the one before. */
static uint64_t l2_slow_pause(uint64_t n)
{
	for (pauses = 0; pauses < n; pauses++) {
		uint64_t t = rdtsc();

		while (rdtsc() - t < 20 * THRESHOLD)
			;
		asm volatile("pause");
	}
	return MAGIC;
}

static void test_pause(const void *arg)
{
	const unsigned int count = 200;

	bool ok = exits(l2_pause, 1000, ICPT_PAUSE, SVM_EXIT_PAUSE);

	report(ok && pauses == 0, "the PAUSE intercept exits 0x77 at the first PAUSE (%u before; %s)",
	       pauses, ex());
	if (!cpu_has(X86_FEATURE_PAUSEFILTER)) {
		report_skip("pause filter: %s", cpu_feature_gate(X86_FEATURE_PAUSEFILTER));
		return;
	}
	svm_guest_init(&g, l2_pause, 10 * count);
	svm_intercept(&g, ICPT_PAUSE, true);
	g.vmcb->control.pause_filter_count = count;
	svm_stop_on(&g, SVM_EXIT_PAUSE);
	svm_run(&g);
	/* APM 15.14.4: each PAUSE decrements the count, the one that takes it to 0 exits. */
	report_known(g.exit_code == SVM_EXIT_PAUSE && pauses + 1 == count,
		     run_on_vmm("bochs") && pauses == count,
		     "Bochs 2.7 lets count PAUSEs by and exits at the next",
		     "pause filter count %u: the %uth PAUSE exits (after %u; %s)", count, count,
		     pauses, ex());
	if (!cpu_has(X86_FEATURE_PFTHRESHOLD)) {
		report_skip("pause filter threshold: %s", cpu_feature_gate(X86_FEATURE_PFTHRESHOLD));
		return;
	}
	svm_guest_init(&g, l2_slow_pause, 3 * count);
	svm_intercept(&g, ICPT_PAUSE, true);
	g.vmcb->control.pause_filter_count = count;
	g.vmcb->control.pause_filter_threshold = THRESHOLD;
	svm_stop_on(&g, SVM_EXIT_PAUSE);
	svm_run(&g);
	report(g.done && pauses == 3 * count,
	       "threshold %u: PAUSEs further apart reload the count, no exit in %u (%u; %s)",
	       THRESHOLD, 3 * count, pauses, ex());
}

/* ---- LBR virtualization ---- */

#define EXCP_FROM 0x5a5a1000ull		/* L2's LastExceptionFromIP/ToIP in the VMCB */
#define EXCP_TO 0x5a5a2000ull

static uint64_t l2_seen[3];		/* DebugCtl, LastExceptionFromIP/ToIP at L2's start */

static uint64_t l2_lbr(uint64_t arg)
{
	l2_seen[0] = rdmsr(MSR_DEBUGCTL);
	l2_seen[1] = rdmsr(MSR_AMD_EXCP_FROM);
	l2_seen[2] = rdmsr(MSR_AMD_EXCP_TO);
	lbr_jump(1, DEBUGCTL_LBR, 0);
	return MAGIC;
}

/* L1's JMP (site 0) is its last branch, then L2 runs: DebugCtl LBR in its VMCB. */
static void run_lbr(uint64_t virt_ext)
{
	lbr_jump(0, DEBUGCTL_LBR, 0);
	svm_guest_init(&g, l2_lbr, 0);
	g.vmcb->control.virt_ext = virt_ext;
	g.vmcb->save.dbgctl = DEBUGCTL_LBR;
	g.vmcb->save.last_excp_from = EXCP_FROM;
	g.vmcb->save.last_excp_to = EXCP_TO;
	svm_run(&g);
}

static void test_lbrv(const void *arg)
{
	struct vmcb_save *s;
	uint64_t v = 0, from, to, efrom, eto;
	struct fault f;

	require_cpu(X86_FEATURE_LBRV);
	f = rdmsr_safe(MSR_DEBUGCTL, &v);
	if (f.valid) {
		bool bochs = bochs_lacks_msr(f);

		report_xfail(bochs, false, "DebugCtl (MSR 0x1d9) reads where CPUID says LBRV "
			     "(vector %u)%s", f.vector,
			     bochs ? "; Bochs 2.7: LBRV in CPUID, no DebugCtl or LBR MSRs" : "");
		return;
	}
	lbr_jump(0, DEBUGCTL_LBR, 0);
	from = rdmsr(MSR_AMD_BR_FROM);
	to = rdmsr(MSR_AMD_BR_TO);
	report(from == lbr_from[0] && to == lbr_to[0], "L1's JMP is its last branch (%#lx -> %#lx)",
	       from, to);
	efrom = rdmsr(MSR_AMD_EXCP_FROM);
	eto = rdmsr(MSR_AMD_EXCP_TO);

	run_lbr(SVM_LBR_VIRT);
	s = &g.vmcb->save;
	report(g.done && l2_seen[0] == DEBUGCTL_LBR && l2_seen[1] == EXCP_FROM &&
	       l2_seen[2] == EXCP_TO, "VMRUN loads L2's DebugCtl and LastException MSRs from "
	       "the VMCB (%#lx, %#lx -> %#lx; %s)", l2_seen[0], l2_seen[1], l2_seen[2], ex());
	report(s->dbgctl == 0 && s->br_from == lbr_from[1] && s->br_to == lbr_to[1] &&
	       s->last_excp_from == EXCP_FROM && s->last_excp_to == EXCP_TO,
	       "#VMEXIT saves L2's DebugCtl and its JMP in the VMCB (dbgctl %#lx, %#lx -> %#lx)",
	       s->dbgctl, s->br_from, s->br_to);
	v = rdmsr(MSR_DEBUGCTL);
	from = rdmsr(MSR_AMD_BR_FROM);
	to = rdmsr(MSR_AMD_BR_TO);
	report(v == 0 && from == lbr_from[0] && to == lbr_to[0] &&
	       rdmsr(MSR_AMD_EXCP_FROM) == efrom && rdmsr(MSR_AMD_EXCP_TO) == eto,
	       "L1 has its own DebugCtl and LBR MSRs back (%#lx, %#lx -> %#lx)", v, from, to);

	run_lbr(0);
	from = rdmsr(MSR_AMD_BR_FROM);
	to = rdmsr(MSR_AMD_BR_TO);
	report(g.done && l2_seen[0] == 0, "without LBR virtualization L2 runs on L1's DebugCtl "
	       "(%#lx; %s)", l2_seen[0], ex());
	report(from == lbr_from[1] && to == lbr_to[1],
	       "without LBR virtualization L2's JMP is L1's last branch (%#lx -> %#lx)", from, to);
}

static unsigned int cpuid_exits;

static enum svm_action on_cpuid(struct svm_guest *guest)
{
	cpuid_exits++;
	guest->regs.rax = MAGIC;
	return SVM_SKIP;
}

static enum svm_action migrate_l1(struct svm_guest *guest)
{
	migrate();
	return SVM_RESUME;
}

/* L2: a value held across the migration (L2's own, or asked of L1: request 1); CPUID after it. */
static uint64_t l2_migrating(uint64_t by_l1)
{
	uint64_t kept = by_l1 * 3 + 1;

	if (by_l1)
		svm_l2_call(1);
	else
		migrate();
	return kept ^ cpuid_raw(0, 0).a;
}

static void test_migration(const void *by_l1)
{
	uint64_t arg = by_l1 ? 1 : 0;

	if (!by_l1 && run_migrates() && arch_is_tcg()) {
		report_skip("QEMU TCG cannot load a vCPU in guest mode (its loader wants KVM's "
			    "nested state: \"vCPU set in guest-mode inconsistent\")");
		return;
	}
	clock_us();	/* the time source set up by L1, before L2 needs it */
	svm_guest_init(&g, l2_migrating, arg);
	svm_intercept(&g, ICPT_CPUID, true);
	g.handlers[SVM_EXIT_CPUID] = on_cpuid;
	g.request = migrate_l1;
	g.insn_len = 2;
	cpuid_exits = 0;
	svm_run(&g);
	report(g.done && cpuid_exits == 1,
	       "L2 goes on after the migration and its CPUID exits to L1 (%u exits; %s)",
	       cpuid_exits, ex());
	report(g.done && g.result == ((arg * 3 + 1) ^ MAGIC),
	       "L2 returns the value it held across the migration and L1's CPUID answer (%#lx)",
	       g.result);
}

int main(int argc, char **argv)
{
	struct cpuid f = cpuid(0x8000000a, 0);

	if (!svm_start())
		return 0;
	report_info("CPUID 0x8000000A: SVM revision %u, %u ASIDs, features EDX %#x", f.a & 0xff,
		    f.b, f.d);
	handle_exception(VEC, on_vec);
	subtest("basic", test_basic, NULL);
	subtest("intercepts", test_intercepts, NULL);
	subtest("inject", test_inject, NULL);
	subtest("invalid", test_invalid, NULL);
	subtest("nrip", test_nrip, NULL);
	subtest("vintr", test_vintr, NULL);
	subtest("npt", test_npt, NULL);
	subtest("pause", test_pause, NULL);
	subtest("lbrv", test_lbrv, NULL);
	report_prefix_push("migration");
	subtest("l1", test_migration, (void *)1);
	subtest("l2", test_migration, NULL);
	report_prefix_pop();
	return 0;
}
