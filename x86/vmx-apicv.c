/*
 * vmx-apicv: APIC virtualization and virtual interrupts for L2 (SDM vol.
 * 3C, chapter 30), through the VMX harness (lib/x86/vmx.h:
 * vmx_vapic_init(), vmx_pi_post()).  Each part is gated on the allowed-1
 * bits of the controls it needs (the SKIP names the MSR bit):
 * - vapic ("use TPR shadow", processor-based control 21): MOV from/to CR8
 *   reads and writes VTPR[7:4] in the virtual-APIC page, never the APIC's
 *   TPR, without an exit; a write below the TPR threshold is a trap-like
 *   exit 43 after the MOV.  With "virtualize APIC accesses" (secondary 0)
 *   L2's xAPIC MMIO read of TPR comes from the page, of ID it exits 44
 *   (qualification: offset 0x20, linear read); with "APIC-register
 *   virtualization" (secondary 8) the ID comes from the page too.  The
 *   APIC-access page is a page of RAM, and once L1's own xAPIC page
 *   (0xfee00000), which the SDM allows alike: KVM maps neither L1's APIC
 *   page nor its memslot into L2 and emulates L2's access as one to L1's
 *   APIC (runner/box.baseline).
 * - vid ("virtual-interrupt delivery", secondary 9, with external-
 *   interrupt exiting): VM entry evaluates RVI and L2 takes the vector
 *   through its IDT at IF=1 with no exit, moving it from VIRR to VISR;
 *   VTPR at or above its class holds it back until MOV CR8 lowers VTPR;
 *   L2's EOI (xAPIC MMIO to the APIC-access page, or x2APIC MSR 0x80b
 *   with "virtualize x2APIC mode", secondary 4) clears VISR without an
 *   exit, or with the EOI-exit bitmap's bit exits 45 with the vector as
 *   qualification; the recognized interrupt ends L2's HLT; RVI and SVI are
 *   0 afterwards.
 * - posted ("process posted interrupts", pin-based control 7, with
 *   acknowledge interrupt on exit): the second CPU posts a vector and
 *   sends the notification vector: L2 takes it from PIR through VIRR with
 *   no exit, ON and PIR cleared; the notification arriving while L1 runs
 *   is an ordinary interrupt to L1, the descriptor untouched.
 * A lost interrupt leaves L2 in HLT: the watchdog NMI (lib/x86/watchdog.h)
 * ends it and the check FAILs.  Bochs 2.7 tigerlake offers all but posted
 * interrupts (SKIP); a recognized virtual interrupt does not end HLT there
 * (XFAIL).  QEMU TCG and AMD hosts: no VMX.  Needs 2 CPUs.
 */
#include "vmunit.h"
#include "apic.h"
#include "cpuid.h"
#include "desc.h"
#include "ept.h"
#include "processor.h"
#include "smp.h"
#include "start.h"
#include "time.h"
#include "vmx.h"
#include "watchdog.h"

#define VEC 0x53		/* priority class 5 */
#define NV 0xe2			/* the posted-interrupt notification vector */
#define WAIT_NS 10000000ull	/* how long L2 gives a vector that should come at once */
#define SPIN_NS 500000000ull
#define LOST_NS 2000000000ull

static struct vmx_guest g;
/* What L2's handler of VEC saw. */
static volatile unsigned int hits;
static volatile bool in_visr, in_virr, visr_after_eoi;
/* What L1 saw at exits. */
static unsigned int exits;
static uint64_t exit_qual, exit_rip;
static uint32_t vtpr_at_exit;
static bool visr_at_exit;

static const char *ex(void)
{
	static char buf[160];

	return vmx_exit_str(&g, buf, sizeof(buf));
}

/* L2's xAPIC register reg, on the APIC-access page. */
static volatile uint32_t *l2_apic(unsigned int reg)
{
	return (volatile uint32_t *)((char *)g.apic_access + reg);
}

static void on_vec(struct ex_regs *r)
{
	hits++;
	in_visr = vmx_vapic_vector(&g, APIC_ISR, VEC);
	in_virr = vmx_vapic_vector(&g, APIC_IRR, VEC);
	if (g.apic_access)	/* in L2: virtualized */
		*l2_apic(APIC_EOI) = 0;
	else
		apic_eoi();	/* x2APIC: WRMSR 0x80b */
	visr_after_eoi = vmx_vapic_vector(&g, APIC_ISR, VEC);
}

static void reset(void)
{
	hits = exits = 0;
	in_visr = in_virr = visr_after_eoi = visr_at_exit = false;
	exit_qual = exit_rip = vtpr_at_exit = 0;
}

/* ---- vapic: TPR shadow and APIC-access virtualization ---- */

extern char l2_cr8_next[];

/* L2: CR8 as it was, after writing v. */
static __attribute__((noinline)) uint64_t l2_cr8(uint64_t v)
{
	uint64_t old = read_cr8();

	asm volatile("mov %0, %%cr8\n.globl l2_cr8_next\nl2_cr8_next:" : : "r"(v) : "memory");
	return old;
}

static enum vmx_action on_tpr_exit(struct vmx_guest *g)
{
	exits++;
	exit_qual = g->qualification;
	exit_rip = g->guest_rip;
	vtpr_at_exit = *vmx_vapic_reg(g, APIC_TPR);
	vmwrite(TPR_THRESHOLD, 0);	/* else VM entry fails: threshold > VTPR[7:4] (SDM 27.2.1.1) */
	return VMX_RESUME;
}

static bool tpr_guest(uint64_t write, uint32_t vtpr, uint32_t threshold)
{
	if (!vmx_guest_init(&g, l2_cr8, write, &(struct vmx_ctls){ .proc = PROC_TPR_SHADOW }))
		return false;
	vmx_vapic_init(&g, 0);
	*vmx_vapic_reg(&g, APIC_TPR) = vtpr;
	vmwrite(TPR_THRESHOLD, threshold);
	g.handlers[EXIT_TPR_BELOW_THRESHOLD] = on_tpr_exit;
	reset();
	vmx_run(&g);
	return true;
}

static void test_tpr_shadow(const void *arg)
{
	uint32_t tpr = apic_read(APIC_TPR), vtpr;

	if (!tpr_guest(3, 0x70, 0))
		return;
	vtpr = *vmx_vapic_reg(&g, APIC_TPR);
	report(g.done && g.result == 7 && !exits, "MOV from CR8 reads VTPR[7:4], no exit (got %#lx, "
	       "want 7; %s)", g.result, ex());
	report(vtpr == 0x30 && apic_read(APIC_TPR) == tpr,
	       "MOV to CR8 writes VTPR, not the APIC's TPR (VTPR %#x, want 0x30; TPR %#x, was %#x)",
	       vtpr, apic_read(APIC_TPR), tpr);
	if (!tpr_guest(2, 0x50, 4))
		return;
	report(g.done && exits == 1 && exit_rip == (uint64_t)l2_cr8_next && !exit_qual &&
	       vtpr_at_exit == 0x20,
	       "VTPR below the TPR threshold: exit 43 after the MOV (%u exits, RIP %#lx want %p, "
	       "qualification %#lx, VTPR %#x want 0x20; %s)", exits, exit_rip, l2_cr8_next,
	       exit_qual, vtpr_at_exit, ex());
}

static volatile uint32_t l2_tpr;

/* L2: its xAPIC TPR (into l2_tpr) and ID, by MMIO to the APIC-access page. */
static uint64_t l2_mmio(uint64_t arg)
{
	l2_tpr = *l2_apic(APIC_TPR);
	return *l2_apic(APIC_ID);
}

#define REGS 1			/* with APIC-register virtualization */
#define AT_APIC_BASE 2		/* the APIC-access page is L1's own xAPIC page */

static void test_apic_access(const void *arg)
{
	bool regs = (uintptr_t)arg & REGS;
	struct vmx_ctls c = { .proc = PROC_TPR_SHADOW,
			      .proc2 = PROC2_APIC_ACCESS | (regs ? PROC2_APIC_REGS : 0) };

	if (!vmx_guest_init(&g, l2_mmio, 0, &c))
		return;
	vmx_vapic_init(&g, 0);
	if ((uintptr_t)arg & AT_APIC_BASE) {
		g.apic_access = (void *)apic_base_addr();
		vmwrite(APIC_ACCESS_ADDR, apic_base_addr());
	}
	*vmx_vapic_reg(&g, APIC_TPR) = 0x40;
	*vmx_vapic_reg(&g, APIC_ID) = 0xab000000;
	vmx_stop_on(&g, EXIT_APIC_ACCESS);
	l2_tpr = ~0u;
	vmx_run(&g);
	report(l2_tpr == 0x40, "a read of TPR comes from VTPR, no exit (got %#x, want 0x40; %s)",
	       l2_tpr, ex());
	if (regs)
		report(g.done && g.result == 0xab000000,
		       "a read of ID comes from the virtual-APIC page, no exit (got %#lx, want "
		       "0xab000000; %s)", g.result, ex());
	else
		report(!g.done && g.exit_reason == EXIT_APIC_ACCESS && g.qualification == APIC_ID,
		       "a read of ID exits 44, qualification offset 0x20, linear read (%s)", ex());
}

/* ---- vid: virtual-interrupt delivery ---- */

#define L2_HALT 1
#define L2_WARM 2	/* first touch what VEC's delivery reads and writes */

static volatile bool early;	/* VEC came before L2 lowered VTPR */

/*
 * What a delivery of VEC reads and writes (the gate, the code segment's
 * descriptor, the stack below), touched first: under a hypervisor that
 * fills L2's EPT in on demand (KVM's shadow EPT) the delivery then runs
 * without a VM exit in the middle, which is "exit during delivery"'s case.
 */
static void warm_delivery(void)
{
	struct l1_env e;	/* L2 runs on L1's tables */

	l1_env(&e);
	(void)*(volatile uint64_t *)(e.idt_base + VEC * 16);
	(void)*(volatile uint64_t *)(e.gdt_base + (e.cs & ~7));
	asm volatile("movq $0, -64(%%rsp); movq $0, -8(%%rsp)" ::: "memory");	/* no red zone */
}

/*
 * L2: IF=1 for a while (VEC comes now if VM entry recognized it); then
 * at IF=0 MOV CR8 <- 0 (TPR virtualization evaluates pending virtual
 * interrupts), and IF=1 again, spinning or in STI;HLT.
 */
static uint64_t l2_vid(uint64_t how)
{
	if (how & L2_WARM)
		warm_delivery();
	irq_enable();
	wait_for(hits, WAIT_NS);
	irq_disable();
	early = hits;
	write_cr8(0);
	if (how & L2_HALT) {
		asm volatile("sti; hlt" ::: "memory");
	} else {
		irq_enable();
		wait_for(hits, SPIN_NS);
	}
	irq_disable();
	return hits;
}

static enum vmx_action on_eoi_exit(struct vmx_guest *g)
{
	exits++;
	exit_qual = g->qualification;
	visr_at_exit = vmx_vapic_vector(g, APIC_ISR, VEC);
	return VMX_RESUME;
}

struct vid_case {
	const char *name;
	uint32_t vtpr;
	bool eoi_exit, x2apic;
	unsigned int how;
};

/*
 * L1's CPU in x2APIC mode (on) or back in xAPIC mode through disabled
 * (Bochs 2.7 leaves it disabled: README, "A disabled APIC ignores ...").
 */
static void x2apic_mode(bool on)
{
	if (on) {
		apic_set_mode(APIC_X2APIC);
		return;
	}
	apic_set_mode(APIC_DISABLED);
	apic_set_mode(APIC_XAPIC);
	apic_cpu_init();
}

static struct vmx_ctls vid_ctls(bool x2apic)
{
	return (struct vmx_ctls){ .pin = PIN_EXTINT_EXITING, .proc = PROC_TPR_SHADOW,
				  .proc2 = PROC2_VINTR | (x2apic ? PROC2_X2APIC : PROC2_APIC_ACCESS) };
}

static bool vid_run(const struct vid_case *c, bool *lost)
{
	struct vmx_ctls ctls = vid_ctls(c->x2apic);

	if (c->x2apic && !cpu_has(X86_FEATURE_X2APIC)) {
		report_skip("%s: %s", c->name, cpu_feature_gate(X86_FEATURE_X2APIC));
		return false;
	}
	if (c->x2apic)
		x2apic_mode(true);
	if (!vmx_guest_init(&g, l2_vid, c->how | L2_WARM, &ctls)) {
		if (c->x2apic)
			x2apic_mode(false);
		return false;
	}
	vmx_vapic_init(&g, 0);
	*vmx_vapic_reg(&g, APIC_TPR) = c->vtpr;
	vmx_vapic_set_vector(&g, APIC_IRR, VEC);
	vmwrite(GUEST_INTR_STATUS, VEC);	/* RVI = VEC, SVI = 0 */
	vmx_eoi_exit(VEC, c->eoi_exit);
	g.handlers[EXIT_VIRTUALIZED_EOI] = on_eoi_exit;
	reset();
	watchdog_arm(LOST_NS);
	vmx_run(&g);
	*lost = watchdog_disarm();
	if (c->x2apic)
		x2apic_mode(false);
	return true;
}

static void vid_case(const struct vid_case *c)
{
	bool lost, bochs = run_on_vmm("bochs");
	uint64_t status;

	if (!vid_run(c, &lost))
		return;
	status = vmread(GUEST_INTR_STATUS);
	if (!c->vtpr)
		report(early, "%s: RVI is delivered right after VM entry", c->name);
	else
		report(!early, "%s: VTPR %#x holds the vector back at IF=1 (%u deliveries)",
		       c->name, c->vtpr, early);
	/* Bochs 2.7 ends HLT on interrupts, NMI, SMI, INIT, not on a pending
	 * virtual interrupt (handleWaitForEvent, cpu/event.cc). */
	if (c->how & L2_HALT)
		report_known(!lost && hits == 1, lost && hits == 1 && bochs,
			     "Bochs 2.7: a virtual interrupt does not end HLT",
			     "%s: the virtual interrupt ends HLT, delivered once (%u deliveries%s)",
			     c->name, hits, lost ? ", the watchdog ended HLT" : "");
	else
		report(g.done && hits == 1 && !lost,
		       "%s: delivered once through L2's IDT at IF=1, no exit (%u deliveries; %s)",
		       c->name, hits, ex());
	if (!hits) {
		report_not_run("%s: VIRR, VISR and EOI (not delivered)", c->name);
		return;
	}
	report(in_visr && !in_virr, "%s: delivery moves the vector from VIRR to VISR (VISR %u, "
	       "VIRR %u)", c->name, in_visr, in_virr);
	if (c->eoi_exit)
		report(exits == 1 && exit_qual == VEC && !visr_at_exit,
		       "%s: L2's EOI exits 45 with the vector, VISR cleared (%u exits, qualification "
		       "%#lx, VISR %u)", c->name, exits, exit_qual, visr_at_exit);
	else
		report(!exits && !visr_after_eoi, "%s: L2's EOI (%s) clears VISR without an exit "
		       "(%u exits, VISR %u)", c->name, c->x2apic ? "WRMSR 0x80b" : "xAPIC MMIO",
		       exits, visr_after_eoi);
	report(g.done && status == 0, "%s: RVI and SVI are 0 afterwards (guest interrupt status "
	       "%#lx)", c->name, status);
}

/* ---- vid: a VM exit in the middle of a virtual interrupt's delivery ---- */

#define INTR_TYPE_EXT 0u	/* IDT-vectoring information type 0: external interrupt */

static struct ept ept;
static uint64_t gate, gate_page;	/* L2's IDT gate of VEC; its page out of L2's EPT */
static uint64_t vect_info, vect_gpa;	/* of the first EPT violation */

/*
 * L1: the gate's page back, and the event the exit interrupted delivered
 * again (the IDT-vectoring information says which: SDM vol. 3C,
 * "Information for VM Exits During Event Delivery"), when it is VEC.
 */
static enum vmx_action on_gate_violation(struct vmx_guest *g)
{
	if (!exits++) {
		vect_info = vmread(IDT_VECTORING_INFO);
		vect_gpa = vmread(GUEST_PHYS_ADDR);
	}
	*ept_pte(&ept, gate_page) |= EPT_RWX;
	invept(INVEPT_SINGLE, ept_eptp(&ept));
	if (vect_info == (INTR_INFO_VALID | INTR_TYPE_EXT << 8 | VEC))
		vmwrite(ENTRY_INTR_INFO, vect_info);
	return VMX_RESUME;
}

/*
 * RVI VEC pending at VM entry, L2's IDT gate for it absent from L2's EPT:
 * the delivery at L2's STI reads the gate and exits 48, after VIRR, VISR
 * and RVI/SVI moved (SDM vol. 3C 30.2.2); the exit reports VEC as an
 * external interrupt being delivered, and L1 delivers it again.
 */
static void test_vid_exit(const void *arg)
{
	struct vmx_ctls ctls = vid_ctls(false);
	struct l1_env env;
	uint32_t want = INTR_INFO_VALID | INTR_TYPE_EXT << 8 | VEC;
	bool lost, ok;

	ctls.proc2 |= PROC2_EPT;
	if (!vmx_guest_init(&g, l2_vid, 0, &ctls))
		return;
	l1_env(&env);
	gate = env.idt_base + VEC * 16;
	gate_page = gate & ~0xfffull;
	ept_identity(&ept, 4ull << 30);
	*ept_pte(&ept, gate_page) &= ~(uint64_t)EPT_RWX;
	vmwrite(EPT_POINTER, ept_eptp(&ept));
	vmx_vapic_init(&g, 0);
	vmx_vapic_set_vector(&g, APIC_IRR, VEC);
	vmwrite(GUEST_INTR_STATUS, VEC);
	g.handlers[EXIT_EPT_VIOLATION] = on_gate_violation;
	reset();
	vect_info = vect_gpa = 0;
	watchdog_arm(LOST_NS);
	vmx_run(&g);
	lost = watchdog_disarm();
	ok = vect_info == want;
	report(exits && vect_gpa - gate < 16,
	       "the delivery exits 48 reading L2's IDT gate (%u exits, first at %#lx, the gate at "
	       "%#lx)", exits, vect_gpa, gate);
	/* Under Bochs, or under KVM under Bochs (the Intel box: KVM hands L1
	 * what Bochs reported, README "Bochs"). */
	report_known(ok, !ok && (run_on_vmm("bochs") || run_l0("bochs")),
		     "Bochs 2.7: a virtual-interrupt delivery leaves no IDT-vectoring information",
		     "the exit reports VEC as an external interrupt being delivered (IDT-vectoring "
		     "information %#lx, want %#x)", vect_info, want);
	if (!ok) {
		report_not_run("L1's delivery of VEC again (the exit did not report it)");
		return;
	}
	report(g.done && hits == 1 && !lost, "L1's delivery of VEC again reaches L2's handler "
	       "once (%u deliveries; %s)", hits, ex());
}

static void test_vid(const void *arg)
{
	static const struct vid_case cases[] = {
		{ "RVI at entry", 0, false, false, 0 },
		{ "VTPR above its class", 0x60, false, false, 0 },
		{ "EOI-exit bitmap", 0x60, true, false, 0 },
		{ "L2 in STI;HLT", 0x60, false, false, L2_HALT },
		{ "x2APIC", 0x60, false, true, 0 },	/* last (x2apic_mode()) */
	};
	struct vmx_ctls ctls = vid_ctls(false);
	const char *gate = vmx_ctls_allowed(&ctls);

	require(!gate, "%s", gate);

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		vid_case(&cases[i]);
}

/* ---- posted: process posted interrupts ---- */

static volatile bool l2_spinning;
static volatile unsigned int nv_hits;

static void on_nv(struct ex_regs *r)
{
	nv_hits++;
	apic_eoi();
}

/* L2: IF=1 until VEC comes (or SPIN_NS). */
static uint64_t l2_wait(uint64_t arg)
{
	irq_enable();
	l2_spinning = true;
	wait_for(hits, SPIN_NS);
	irq_disable();
	return hits;
}

/* On the second CPU: post VEC to the CPU arg once L2 spins. */
static void post_when_spinning(void *arg)
{
	if (wait_for(l2_spinning, SPIN_NS))
		vmx_pi_post(g.pi, VEC, NV, (uintptr_t)arg);
}

/* The notification (or any interrupt) exiting instead: acknowledged, L1's to EOI. */
static enum vmx_action on_extint(struct vmx_guest *g)
{
	exits++;
	if (vmread(EXIT_INTR_INFO) & INTR_INFO_VALID)
		apic_eoi();
	return VMX_DONE;
}

static void test_posted(const void *arg)
{
	struct vmx_ctls c = { .pin = PIN_EXTINT_EXITING | PIN_POSTED_INTR, .proc = PROC_TPR_SHADOW,
			      .proc2 = PROC2_VINTR | PROC2_APIC_ACCESS, .exit = EXIT_ACK_INTR };
	uint64_t pir, on;

	if (!vmx_guest_init(&g, l2_wait, 0, &c))
		return;
	vmx_vapic_init(&g, NV);
	g.handlers[EXIT_EXTINT] = on_extint;
	reset();
	l2_spinning = false;
	nv_hits = 0;
	on_cpu_async(1, post_when_spinning, (void *)(uintptr_t)smp_id());
	vmx_run(&g);
	while (!on_cpu_done(1))
		cpu_relax();
	pir = g.pi->pir[VEC / 64];
	on = g.pi->control & PI_ON;
	report(g.done && hits == 1 && !nv_hits && !exits,
	       "a posted vector reaches L2 through its IDT, no exit (%u deliveries, %u of the "
	       "notification vector; %s)", hits, nv_hits, ex());
	report(!pir && !on, "the notification clears ON and moves PIR to VIRR (PIR[1] %#lx, ON %lu)",
	       pir, on);
	report(hits && in_visr && !in_virr, "the vector goes from VIRR to VISR (VISR %u, VIRR %u)",
	       in_visr, in_virr);

	/* The notification while L1 runs: L1's own interrupt. */
	*g.pi = (struct vmx_pi_desc){ 0 };
	hits = nv_hits = 0;
	irq_enable();
	on_cpu(1, post_when_spinning, (void *)(uintptr_t)smp_id());
	wait_for(nv_hits, SPIN_NS);
	irq_disable();
	pir = g.pi->pir[VEC / 64];
	on = g.pi->control & PI_ON;
	report(nv_hits == 1 && !hits && (pir >> (VEC % 64) & 1) && on,
	       "the notification in VMX root operation is L1's interrupt, the descriptor untouched "
	       "(%u in L1, %u in L2, PIR[1] %#lx, ON %lu)", nv_hits, hits, pir, on);
}

static void init_here(void *arg)
{
	apic_cpu_init();
}

int main(int argc, char **argv)
{
	if (!have_cpus(2))
		return 0;
	if (!vmx_start(&(struct vmx_ctls){ .proc = PROC_TPR_SHADOW }))
		return 0;
	on_cpus(init_here, NULL);
	now_ns();	/* the time source set up by L1 (its CPUID), before L2 needs it */
	handle_exception(VEC, on_vec);
	handle_exception(NV, on_nv);
	report_prefix_push("vmx");
	report_prefix_push("vapic");
	subtest("tpr shadow", test_tpr_shadow, NULL);
	subtest("apic access", test_apic_access, NULL);
	subtest("apic-register virtualization", test_apic_access, (void *)REGS);
	subtest("apic access at L1's APIC base", test_apic_access, (void *)AT_APIC_BASE);
	report_prefix_pop();
	subtest("posted", test_posted, NULL);
	subtest("vid: exit during delivery", test_vid_exit, NULL);
	subtest("vid", test_vid, NULL);		/* last: x2APIC -> xAPIC is not for Bochs */
	report_prefix_pop();
	vmx_off();
	return 0;
}
