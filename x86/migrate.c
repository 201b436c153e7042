/*
 * migrate: x86 state that must survive a live migration (lib/migrate.h),
 * each subtest migrating once in the middle (cfg entry migrate-live; the
 * entry migrate runs the same checks unmigrated):
 * - tsc: the TSC read after the migration is past the one read before;
 * - msrs: EFER.SCE, PAT, STAR, LSTAR, KERNEL_GS_BASE, SYSENTER_EIP and
 *   (with RDTSCP, CPUID.0x80000001:EDX[27]) TSC_AUX read back what was
 *   written before it;
 * - lapic-timer: a one-shot LAPIC timer armed 5 s ahead before the
 *   migration (which takes under 3 s even in the KVM box) keeps its LVTT
 *   and divide configuration, is still counting down after it, and fires
 *   exactly once; one that fired before the migration (TMCCT 0, TMICT
 *   still set) does not fire again after it;
 * - lapic-periodic: a 20 ms periodic timer at divide by 16 keeps its LVTT,
 *   TDCR and TMICT, and after the migration fires 5 to 20 times in 10
 *   periods (a lost mode fires once, a lost divide 8 times too often);
 * - tsc-deadline (CPUID.1:ECX.TSC_DEADLINE[24]): a deadline 5 s ahead
 *   keeps its LVTT mode and IA32_TSC_DEADLINE, and fires once, not before
 *   it;
 * - x2apic (CPUID.1:ECX.X2APIC[21]): the x2APIC mode, the TPR, the masked
 *   LINT0, LINT1 and error LVTs with their vectors stay, and the LDR is
 *   the one the x2APIC ID gives (SDM 11.12.10.2: cluster ID[19:4] in bits
 *   31:16, 1 << ID[3:0] below).
 */
#include "vmunit.h"
#include "apic.h"
#include "cpuid.h"
#include "desc.h"
#include "migrate.h"
#include "processor.h"
#include "start.h"
#include "time.h"

#define VEC 0x52
#define ONESHOT_NS 5000000000ull
#define EXPIRED_NS 1000000ull
#define PERIOD_NS 20000000ull
#define MSR_KERNEL_GS_BASE_IDX 0xc0000102
#define MSR_PAT_IDX 0x277

static volatile unsigned int hits;
static volatile uint64_t first_tsc;	/* the first hit's */

static void on_timer(struct ex_regs *r)
{
	if (!hits++)
		first_tsc = rdtsc();
	apic_eoi();
}

static void test_tsc(const void *arg)
{
	uint64_t before = rdtsc(), after;

	migrate();
	after = rdtsc();
	report(after > before, "the TSC goes on from where it was (%#lx, then %#lx)", before,
	       after);
}

static const struct {
	const char *name;
	uint32_t index;
	uint64_t value;
} msrs[] = {
	{ "PAT", MSR_PAT_IDX, 0x0007040600070106ull },	/* WB, WC, UC-, UC; WB WP ... */
	{ "STAR", MSR_STAR, 0x0023001000000000ull },
	{ "LSTAR", MSR_LSTAR, 0xffffffff81a00000ull },
	{ "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE_IDX, 0x0000123456789000ull },
	{ "SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0x0000000000abc000ull },
	{ "TSC_AUX", MSR_TSC_AUX, 0x5a },
};

static void test_msrs(const void *arg)
{
	uint64_t old[ARRAY_SIZE(msrs)], efer = rdmsr(MSR_EFER);
	bool aux = cpu_has(X86_FEATURE_RDTSCP);

	for (unsigned int i = 0; i < ARRAY_SIZE(msrs); i++)
		if (msrs[i].index != MSR_TSC_AUX || aux) {
			old[i] = rdmsr(msrs[i].index);
			wrmsr(msrs[i].index, msrs[i].value);
		}
	wrmsr(MSR_EFER, efer ^ X86_EFER_SCE);
	migrate();
	report(rdmsr(MSR_EFER) == (efer ^ X86_EFER_SCE), "EFER with SCE toggled (%#lx, want %#lx)",
	       rdmsr(MSR_EFER), efer ^ X86_EFER_SCE);
	wrmsr(MSR_EFER, efer);
	for (unsigned int i = 0; i < ARRAY_SIZE(msrs); i++) {
		uint64_t got;

		if (msrs[i].index == MSR_TSC_AUX && !aux) {
			report_skip("TSC_AUX: %s", cpu_feature_gate(X86_FEATURE_RDTSCP));
			continue;
		}
		got = rdmsr(msrs[i].index);
		report(got == msrs[i].value, "%s holds what was written (%#lx, want %#lx)",
		       msrs[i].name, got, msrs[i].value);
		wrmsr(msrs[i].index, old[i]);
	}
}

/*
 * The timer's ticks in ns at divide-by-1.  apic_timer_hz() brackets each
 * TMCCT read with RDTSCs and keeps the tightest of three tries: a vCPU
 * preempted at a read's exit, before its RDTSC (in the Intel box nearly
 * always when another test runs: L1's tick, masked while L2 spins, comes
 * at that exit), does not make the timer look slow.
 */
static uint64_t apic_ticks(uint64_t ns)
{
	return (unsigned __int128)apic_timer_hz() * ns / 1000000000u;
}

/*
 * The timer armed in mode for ns at divide by div (TDCR tdcr), hits reset,
 * interrupts on: its TMICT; 0 after a SKIP when that does not fit TMICT.
 */
static uint64_t arm(uint32_t mode, uint64_t ns, unsigned int div, uint32_t tdcr)
{
	uint64_t count = apic_ticks(ns) / div;

	if (!count || count >= 0xffffffffull) {
		report_skip("%lu ticks for %lu ms at divide by %u do not fit TMICT", count,
			    ns / 1000000, div);
		return 0;
	}
	hits = 0;
	apic_write(APIC_TDCR, tdcr);
	apic_write(APIC_LVT_TIMER, mode | VEC);
	apic_write(APIC_TMICT, count);
	irq_enable();
	return count;
}

static void test_lapic_timer(const void *arg)
{
	uint64_t count = arm(APIC_TIMER_ONESHOT, ONESHOT_NS, 2, 0x0);
	uint32_t lvtt, left;

	if (!count)
		return;
	migrate();
	lvtt = apic_read(APIC_LVT_TIMER);
	left = apic_read(APIC_TMCCT);
	report(lvtt == (APIC_TIMER_ONESHOT | VEC) && apic_read(APIC_TDCR) == 0x0,
	       "LVTT (one-shot, vector %#x, unmasked) and TDCR (divide by 2) stay (%#x, %#x)",
	       VEC, lvtt, apic_read(APIC_TDCR));
	report(hits == 1 || (left && left < count),
	       "the one-shot is still counting down, or has fired (TMCCT %u of %lu, %u fired)",
	       left, count, hits);
	wait_for(hits >= 1, 3 * ONESHOT_NS);
	wait_for(hits >= 2, 200000000);
	report(hits == 1, "it fires exactly once (%u)", hits);
	irq_disable();
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
}

static void test_lapic_expired(const void *arg)
{
	if (!arm(APIC_TIMER_ONESHOT, EXPIRED_NS, 1, 0xb))
		return;
	require(wait_for(hits >= 1, 2000000000ull), "a 1 ms one-shot did not fire in 2 s");
	migrate();
	wait_for(hits >= 2, 200000000);
	report(hits == 1 && !apic_read(APIC_TMCCT),
	       "a one-shot that fired before does not fire again (%u fired, TMCCT %u)", hits,
	       apic_read(APIC_TMCCT));
	irq_disable();
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
}

static void test_lapic_periodic(const void *arg)
{
	uint64_t count = arm(APIC_TIMER_PERIODIC, PERIOD_NS, 16, 0x3), t0;
	uint32_t lvtt, tmict;
	unsigned int n;

	if (!count)
		return;
	require(wait_for(hits >= 2, 20 * PERIOD_NS), "a 20 ms periodic timer did not fire twice "
		"in 400 ms");
	migrate();
	lvtt = apic_read(APIC_LVT_TIMER);
	tmict = apic_read(APIC_TMICT);
	report(lvtt == (APIC_TIMER_PERIODIC | VEC) && apic_read(APIC_TDCR) == 0x3 && tmict == count,
	       "LVTT (periodic), TDCR (divide by 16) and TMICT stay (%#x, %#x, %u of %lu)", lvtt,
	       apic_read(APIC_TDCR), tmict, count);
	n = hits;
	wait_for(hits > n, 10 * PERIOD_NS);	/* ticks missed while stopped may come at once */
	n = hits;
	t0 = rdtsc();
	while (rdtsc() - t0 < ns_to_tsc(10 * PERIOD_NS))
		cpu_relax();
	n = hits - n;
	report(n >= 5 && n <= 20, "it keeps its period: %u fires in 10 periods (5 to 20)", n);
	irq_disable();
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
}

static void test_tsc_deadline(const void *arg)
{
	uint64_t deadline, got;
	uint32_t lvtt;

	require_cpu(X86_FEATURE_TSC_DEADLINE);
	hits = 0;
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | VEC);
	irq_enable();
	deadline = rdtsc() + ns_to_tsc(ONESHOT_NS);
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	migrate();
	lvtt = apic_read(APIC_LVT_TIMER);
	got = rdmsr(MSR_IA32_TSC_DEADLINE);
	report(lvtt == (APIC_TIMER_TSC_DEADLINE | VEC) && (got == deadline || (hits && !got)),
	       "LVTT (TSC-deadline) and IA32_TSC_DEADLINE stay (%#x, %#lx, want %#lx)", lvtt, got,
	       deadline);
	wait_for(hits >= 1, 3 * ONESHOT_NS);
	wait_for(hits >= 2, 200000000);
	report(hits == 1 && first_tsc >= deadline,
	       "it fires once, not before its deadline (%u fired, %ld cycles after)", hits,
	       (long)(first_tsc - deadline));
	irq_disable();
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
}

static const struct {
	const char *name;
	unsigned int reg;
	uint32_t value;
} lvts[] = {
	{ "LINT0", APIC_LVT_LINT0, APIC_LVT_MASKED | 0x61 },
	{ "LINT1", APIC_LVT_LINT1, APIC_LVT_MASKED | 0x62 },
	{ "error", APIC_LVT_ERROR, APIC_LVT_MASKED | 0x63 },
};

static void test_x2apic(const void *arg)
{
	uint32_t id, ldr, old[ARRAY_SIZE(lvts)];
	struct fault f;

	require(cpu_has(X86_FEATURE_X2APIC), "%s", cpu_feature_gate(X86_FEATURE_X2APIC));
	f = apic_set_mode(APIC_X2APIC);
	require(!f.valid, "x2APIC mode could not be entered (a fault)");
	apic_write(APIC_TPR, 0x20);
	for (unsigned int i = 0; i < ARRAY_SIZE(lvts); i++) {
		old[i] = apic_read(lvts[i].reg);
		apic_write(lvts[i].reg, lvts[i].value);
	}
	migrate();
	report(apic_mode() == APIC_X2APIC, "still in x2APIC mode (%s)",
	       apic_mode_name(apic_mode()));
	report(apic_read(APIC_TPR) == 0x20, "TPR holds 0x20 (%#x)", apic_read(APIC_TPR));
	for (unsigned int i = 0; i < ARRAY_SIZE(lvts); i++) {
		uint32_t got = apic_read(lvts[i].reg);

		report(got == lvts[i].value, "LVT %s: masked, vector %#x (%#x)", lvts[i].name,
		       lvts[i].value & 0xff, got);
		apic_write(lvts[i].reg, old[i]);
	}
	id = apic_id();
	ldr = apic_read(APIC_LDR);
	report_known(ldr == ((id >> 4) << 16 | 1u << (id & 0xf)), run_on_vmm("bochs") && !ldr,
		     "Bochs 2.7 reads the x2APIC LDR as 0, not derived from the x2APIC ID",
		     "LDR is the x2APIC ID's (ID %u, LDR %#x)", id, ldr);
	apic_write(APIC_TPR, 0);
}

int main(int argc, char **argv)
{
	handle_exception(VEC, on_timer);
	apic_cpu_init();
	report_info("%s", run_migrates() ? "migrating in each subtest" : "not migrating");
	subtest("tsc", test_tsc, NULL);
	subtest("msrs", test_msrs, NULL);
	subtest("lapic-timer", test_lapic_timer, NULL);
	subtest("lapic-expired", test_lapic_expired, NULL);
	subtest("lapic-periodic", test_lapic_periodic, NULL);
	subtest("tsc-deadline", test_tsc_deadline, NULL);
	subtest("x2apic", test_x2apic, NULL);
	return 0;
}
