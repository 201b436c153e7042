/*
 * vmx: the VMX instructions and a first L2 guest, through the harness of
 * lib/x86/vmx.h (SDM vol. 3C, chapters 24-27, and 31 for VMXON):
 * - vmxon: #UD without CR4.VMXE; VMfailInvalid for a region with the
 *   wrong revision; #GP with CR0 outside the fixed bits (when
 *   IA32_VMX_CR0_FIXED0 fixes CR0.NE); then VMXON succeeds;
 * - vmcs: without a current VMCS a failure is VMfailInvalid; with one,
 *   VMfailValid with the error: VMCLEAR of an unaligned address (2) and
 *   of the VMXON region (3), VMPTRLD of the VMXON region (10) and of a
 *   VMCS with the wrong revision (11), VMXON again (15);
 * - launch: VMRESUME of a clear VMCS fails with error 5; after a VMLAUNCH
 *   that exits, VMLAUNCH again fails with error 4;
 * - exits: L2 runs to its VMCALL (reason 18) with its return value; CPUID
 *   exits (10), HLT with HLT exiting (12), an OUT with unconditional I/O
 *   exiting (30: port, size and direction in the qualification);
 * - entry failure: RFLAGS bit 1 clear in the guest state is reason 33
 *   with bit 31;
 * - PAUSE-loop exiting (IA32_VMX_PROCBASED_CTLS2 bit 10): L2 spinning on
 *   PAUSE exits with reason 40;
 * - preemption (pin bit 6): the VMX-preemption timer exits with reason 52,
 *   not before count << IA32_VMX_MISC[4:0] TSC ticks; a count of 0 exits
 *   before L2's first instruction; with exit control 22 the field holds
 *   the count left at an exit, without it L1's value; it counts while L2
 *   halts and exits from the HLT with activity state HLT saved (the
 *   second CPU's watchdog NMI ends a HLT it never ends);
 * - migration (lib/migrate.h; vmx-migration migrates, on a KVM host with
 *   nested VMX: Bochs cannot migrate, QEMU TCG has no VMX): with L2 in
 *   the middle of its run, "l1" L1 migrates while handling L2's CPUID
 *   exit, "l2" L2 itself asks for it, the vCPU in VMX non-root operation
 *   (KVM's nested state); L2 goes on, its CPUID exits once, it returns
 *   the value it held before.
 * Gate: CPUID.1:ECX.VMX[5] (Bochs tigerlake has it; QEMU TCG, Bochs ryzen
 * do not), and each control's allowed-1 bit.
 */
#include "vmunit.h"
#include "alloc.h"
#include "clock.h"
#include "cpuid.h"
#include "desc.h"
#include "migrate.h"
#include "processor.h"
#include "safe.h"
#include "smp.h"
#include "time.h"
#include "watchdog.h"
#include "vmx.h"

#define MSR_VMX_MISC 0x485

#define X86_CR4_VMXE (1ul << 13)
#define X86_CR0_NE (1ul << 5)

static char buf[160];

static const char *st(struct vmx_status s)
{
	return vmx_status_str(s, buf, sizeof(buf));
}

static const char *ex(const struct vmx_guest *g)
{
	return vmx_exit_str(g, buf, sizeof(buf));
}

static bool failed_with(struct vmx_status s, uint32_t error)
{
	return s.result == VMX_FAIL_VALID && s.error == error;
}

static void vmxon_at(void *region)
{
	uint64_t pa = (uint64_t)region;

	asm volatile("vmxon %0" : : "m"(pa) : "cc", "memory");
}

static void test_vmxon(const void *arg)
{
	struct fault f;
	struct vmx_status s;
	uint64_t cr0 = read_cr0();

	write_cr4(read_cr4() & ~X86_CR4_VMXE);
	f = call_safe((void (*)(void *))vmxon_at, vmx_region(false));
	report(f.valid && f.vector == UD_VECTOR, "VMXON without CR4.VMXE raises #UD (%s)",
	       fault_str(f, buf, sizeof(buf)));
	vmx_prepare_crs();
	cr0 = read_cr0();
	if (rdmsr(0x486) & X86_CR0_NE) {
		write_cr0(cr0 & ~X86_CR0_NE);
		f = call_safe((void (*)(void *))vmxon_at, vmx_region(false));
		write_cr0(cr0);
		report(f.valid && f.vector == GP_VECTOR,
		       "VMXON with CR0.NE clear (fixed to 1 by IA32_VMX_CR0_FIXED0) raises #GP (%s)",
		       fault_str(f, buf, sizeof(buf)));
	} else {
		report_skip("CR0.NE not fixed to 1 by IA32_VMX_CR0_FIXED0 (%#lx)", rdmsr(0x486));
	}
	s = vmxon((uint64_t)vmx_region(true));
	report(s.result == VMX_FAIL_INVALID, "VMXON with a wrong revision: VMfailInvalid (%s)",
	       st(s));
	s = vmx_on();
	report(s.result == VMX_OK, "VMXON (%s)", st(s));
}

static void test_vmcs(const void *arg)
{
	uint64_t on = (uint64_t)vmx_vmxon_region(), good = (uint64_t)vmx_region(false);
	struct vmx_status s;

	s = vmclear(0x1001);
	report(s.result == VMX_FAIL_INVALID, "without a current VMCS a VMfail is VMfailInvalid "
	       "(VMCLEAR of an unaligned address: %s)", st(s));
	s = vmptrld(good);
	report(s.result == VMX_OK, "VMPTRLD of a good VMCS (%s)", st(s));
	s = vmclear(0x1001);
	report(failed_with(s, 2), "VMCLEAR of an unaligned address: error 2 (%s)", st(s));
	s = vmclear(on);
	report(failed_with(s, 3), "VMCLEAR of the VMXON region: error 3 (%s)", st(s));
	s = vmptrld(on);
	report(failed_with(s, 10), "VMPTRLD of the VMXON region: error 10 (%s)", st(s));
	s = vmptrld((uint64_t)vmx_region(true));
	report(failed_with(s, 11), "VMPTRLD of a VMCS with the wrong revision: error 11 (%s)",
	       st(s));
	s = vmxon((uint64_t)vmx_region(false));
	report(failed_with(s, 15), "VMXON in VMX root operation: error 15 (%s)", st(s));
}

static uint64_t l2_returns(uint64_t arg)
{
	return arg * 3;
}

static uint64_t l2_cpuid(uint64_t arg)
{
	struct cpuid c = cpuid_raw(0, 0);

	return c.a;
}

static uint64_t l2_hlt(uint64_t arg)
{
	asm volatile("hlt");
	return 1;
}

static uint64_t l2_out(uint64_t arg)
{
	outb(0x80, 0x5a);
	return 1;
}

/*
 * PAUSE for ticks of TSC (in bursts, so the PAUSEs stay within PLE_GAP of
 * each other), then return: an exit that never comes is a FAIL naming it,
 * not a TIMEOUT.
 */
static uint64_t l2_pause(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		for (int i = 0; i < 1000; i++)
			asm volatile("pause");
	return 0;
}

/* Spin for ticks of TSC, then return (the same watchdog). */
static uint64_t l2_spin(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		;
	return 0;
}

static const struct vmx_ctls no_ctls;

static enum vmx_action skip_insn(struct vmx_guest *g)
{
	return VMX_SKIP;
}

static void test_launch(const void *arg)
{
	struct vmx_guest g;
	struct vmx_status s;
	uint64_t rip;

	if (!vmx_guest_init(&g, l2_returns, 14, &no_ctls))
		return;
	g.launched = true;		/* VMRESUME on a VMCS never launched */
	vmx_run(&g);
	report(failed_with(g.entry, 5), "VMRESUME before VMLAUNCH: error 5 (%s)", ex(&g));
	g.launched = false;
	vmx_run(&g);
	report(g.done && g.result == 42 && (g.exit_reason & 0xffff) == EXIT_VMCALL,
	       "L2 runs and returns 42 through VMCALL (%s)", ex(&g));
	rip = vmread(GUEST_RIP);
	g.launched = false;		/* VMLAUNCH on a launched VMCS */
	vmx_run(&g);
	report(failed_with(g.entry, 4) && vmread(GUEST_RIP) == rip,
	       "VMLAUNCH again: error 4, the guest state untouched (%s)", ex(&g));
	s = vmclear((uint64_t)g.vmcs);
	report(s.result == VMX_OK, "VMCLEAR of the current VMCS (%s)", st(s));
}

static void expect_exit(uint64_t (*fn)(uint64_t), const struct vmx_ctls *c, uint32_t reason,
			const char *what)
{
	struct vmx_guest g;

	if (!vmx_guest_init(&g, fn, 0, c))
		return;
	vmx_stop_on(&g, reason);
	vmx_run(&g);
	report(g.entry.result == VMX_OK && g.exit_reason == reason, "%s: exit %u (%s)", what,
	       reason, ex(&g));
	if (reason == EXIT_IO)	/* port 0x80, 1 byte, OUT, immediate operand */
		report(g.qualification == (0x80ull << 16 | 1 << 6),
		       "... qualification: port 0x80, size 1, OUT, immediate (%#lx)",
		       g.qualification);
	g.handlers[reason] = skip_insn;
	if (reason == EXIT_CPUID || reason == EXIT_HLT || reason == EXIT_IO) {
		vmx_run(&g);
		report(g.done, "... and L2 goes on past it to its VMCALL (%s)", ex(&g));
	}
}

static void test_exits(const void *arg)
{
	expect_exit(l2_cpuid, &no_ctls, EXIT_CPUID, "CPUID");
	expect_exit(l2_hlt, &(struct vmx_ctls){ .proc = PROC_HLT_EXITING }, EXIT_HLT,
		    "HLT with HLT exiting");
	expect_exit(l2_out, &(struct vmx_ctls){ .proc = PROC_UNCOND_IO }, EXIT_IO,
		    "OUT with unconditional I/O exiting");
}

static void test_bad_state(const void *arg)
{
	struct vmx_guest g;

	if (!vmx_guest_init(&g, l2_returns, 1, &no_ctls))
		return;
	vmwrite(GUEST_RFLAGS, 0);	/* bit 1 is reserved as 1 */
	vmx_stop_on(&g, EXIT_INVALID_STATE);
	vmx_run(&g);
	report(g.entry.result == VMX_OK &&
	       g.exit_reason == (EXIT_REASON_FAILED_ENTRY | EXIT_INVALID_STATE),
	       "RFLAGS bit 1 clear: entry fails, exit reason 33 | bit 31 (%s)", ex(&g));
}

static void test_ple(const void *arg)
{
	struct vmx_guest g;

	/* A thousand windows of PAUSEs without the exit: it is not coming. */
	if (!vmx_guest_init(&g, l2_pause, 1000 * 4096, &(struct vmx_ctls){ .proc2 = PROC2_PLE }))
		return;
	vmwrite(PLE_GAP, 128);
	vmwrite(PLE_WINDOW, 4096);
	vmx_stop_on(&g, EXIT_PAUSE);
	vmx_run(&g);
	report(g.exit_reason == EXIT_PAUSE, "PAUSE loop with PLE_GAP 128, PLE_WINDOW 4096: exit 40 "
	       "(%s)", ex(&g));
}

/* The VMX-preemption timer counts down every 2^IA32_VMX_MISC[4:0] TSC ticks. */
static unsigned int preemption_shift(void)
{
	return rdmsr(MSR_VMX_MISC) & 0x1f;
}

/* L2 for the preemption timer: CPUIDs (each an exit when asked), then spins ticks. */
static uint64_t l2_cpuid_spin(uint64_t ticks)
{
	cpuid_raw(0, 0);
	return l2_spin(ticks);
}

static bool preemption_guest(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
			     uint32_t exit_ctls, uint32_t value)
{
	if (!vmx_guest_init(g, fn, arg, &(struct vmx_ctls){ .pin = PIN_PREEMPTION_TIMER,
							     .exit = exit_ctls }))
		return false;
	vmwrite(PREEMPTION_TIMER, value);
	vmx_stop_on(g, EXIT_PREEMPTION_TIMER);
	return true;
}

/*
 * A count of 10 ms expires no earlier than count << shift TSC ticks after
 * the entry (less one step of the divided clock) and within 100 times
 * that (L2 spins that long, then returns: a timer that never fires FAILs).
 */
static void test_preemption_rate(const void *arg)
{
	unsigned int shift = preemption_shift();
	uint32_t count = ns_to_tsc(10000000) >> shift;
	uint64_t want = (uint64_t)count << shift, t0, got;
	struct vmx_guest g;

	if (!preemption_guest(&g, l2_spin, 100 * want, 0, count))
		return;
	t0 = rdtsc();
	vmx_run(&g);
	got = rdtsc() - t0;
	report(g.exit_reason == EXIT_PREEMPTION_TIMER, "an L2 that spins: exit 52 (%s)", ex(&g));
	report(g.exit_reason == EXIT_PREEMPTION_TIMER && got >= want - (1ull << shift),
	       "count %u at TSC >> %u (IA32_VMX_MISC[4:0]) expires not early: after %lu TSC "
	       "ticks, want %lu", count, shift, got, want);
}

/* Zero: the exit comes before L2's first instruction (SDM 26.7.4). */
static void test_preemption_zero(const void *arg)
{
	struct vmx_guest g;
	uint64_t start;

	if (!preemption_guest(&g, l2_spin, 0, 0, 0))
		return;
	start = vmread(GUEST_RIP);
	vmx_run(&g);
	report(g.exit_reason == EXIT_PREEMPTION_TIMER && g.guest_rip == start,
	       "a count of 0 exits before L2's first instruction (guest RIP %#lx, L2 starts at "
	       "%#lx; %s)", g.guest_rip, start, ex(&g));
}

/*
 * With the "save VMX-preemption timer value" exit control (bit 22) the
 * field holds what is left at an exit (a CPUID exit well before expiry);
 * without it the field keeps the value L1 wrote (SDM 27.3.4).
 */
static void test_preemption_save(const void *arg)
{
	uint32_t count = ns_to_tsc(1000000000) >> preemption_shift(), left;
	struct vmx_guest g;

	for (int save = 1; save >= 0; save--) {
		if (!preemption_guest(&g, l2_cpuid_spin, 0, save ? EXIT_SAVE_PREEMPTION : 0,
				      count))
			return;
		vmx_stop_on(&g, EXIT_CPUID);
		vmx_run(&g);
		left = vmread(PREEMPTION_TIMER);
		if (save)
			report(g.exit_reason == EXIT_CPUID && left < count && left > count / 2,
			       "with the save control, the value left at a CPUID exit: %u of %u (%s)",
			       left, count, ex(&g));
		else
			report(g.exit_reason == EXIT_CPUID && left == count,
			       "without it, the field keeps L1's value: %u of %u (%s)", left, count,
			       ex(&g));
	}
}

/* L2 halts at IF=0: only the timer (or the watchdog's NMI) ends it. */
static uint64_t l2_cli_hlt(uint64_t arg)
{
	asm volatile("cli; hlt" ::: "memory");
	return 0;
}

/* The timer counts while L2 halts and exits from the HLT, saving activity state HLT. */
static void test_preemption_hlt(const void *arg)
{
	uint32_t count = ns_to_tsc(10000000) >> preemption_shift();
	struct vmx_guest g;
	bool lost;

	if (!have_cpus(2) || !preemption_guest(&g, l2_cli_hlt, 0, 0, count))
		return;
	watchdog_arm(2000000000);
	vmx_run(&g);
	lost = watchdog_disarm();
	report(g.exit_reason == EXIT_PREEMPTION_TIMER && !lost,
	       "an L2 in HLT: exit 52 (%s%s)", ex(&g), lost ? "; woken by the watchdog" : "");
	report(g.exit_reason == EXIT_PREEMPTION_TIMER && vmread(GUEST_ACTIVITY) == 1,
	       "... with activity state HLT saved (%lu)", vmread(GUEST_ACTIVITY));
}

#define MAGIC 0x564d58d00dull

static unsigned int cpuid_exits;
static bool migrate_in_l1;

static enum vmx_action on_cpuid(struct vmx_guest *g)
{
	if (migrate_in_l1)
		migrate();
	cpuid_exits++;
	g->regs.rax = MAGIC;
	return VMX_SKIP;
}

/* L2: a value held across the migration (asked for here unless L1 does it); CPUID after it. */
static uint64_t l2_migrating(uint64_t by_l1)
{
	uint64_t kept = by_l1 * 3 + 1;

	if (!by_l1)
		migrate();
	return kept ^ (uint32_t)cpuid_raw(0, 0).a;
}

static void test_migration(const void *by_l1)
{
	uint64_t arg = by_l1 ? 1 : 0;
	struct vmx_guest g;

	clock_us();	/* the time source set up by L1, before L2 needs it */
	if (!vmx_guest_init(&g, l2_migrating, arg, &no_ctls))
		return;
	g.handlers[EXIT_CPUID] = on_cpuid;
	migrate_in_l1 = by_l1;
	cpuid_exits = 0;
	vmx_run(&g);
	report(g.done && cpuid_exits == 1,
	       "L2 goes on after the migration and its CPUID exits to L1 (%u exits; %s)",
	       cpuid_exits, ex(&g));
	report(g.done && g.result == ((arg * 3 + 1) ^ (uint32_t)MAGIC),
	       "L2 returns the value it held across the migration and L1's CPUID answer (%#lx)",
	       g.result);
}

int main(int argc, char **argv)
{
	const char *gate = vmx_gate();

	if (gate) {
		report_skip("%s", gate);
		return 0;
	}
	report_info("IA32_VMX_BASIC %#lx", vmx_basic());
	subtest("vmxon", test_vmxon, NULL);
	subtest("vmcs", test_vmcs, NULL);
	subtest("launch", test_launch, NULL);
	subtest("exits", test_exits, NULL);
	subtest("entry failure", test_bad_state, NULL);
	subtest("ple", test_ple, NULL);
	report_prefix_push("preemption");
	subtest("rate", test_preemption_rate, NULL);
	subtest("zero", test_preemption_zero, NULL);
	subtest("save", test_preemption_save, NULL);
	subtest("hlt", test_preemption_hlt, NULL);
	report_prefix_pop();
	report_prefix_push("migration");
	subtest("l1", test_migration, (void *)1);
	subtest("l2", test_migration, NULL);
	report_prefix_pop();
	vmx_off();
	return 0;
}
