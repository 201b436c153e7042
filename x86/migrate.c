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
 * - x2apic (CPUID.1:ECX.X2APIC[21]): the x2APIC mode and the TPR stay.
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
#define MSR_KERNEL_GS_BASE_IDX 0xc0000102
#define MSR_PAT_IDX 0x277

static volatile unsigned int hits;

static void on_timer(struct ex_regs *r)
{
	hits++;
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

/* TMCCT decrements per ns at divide-by-1, from 10 ms of TSC. */
static uint64_t apic_ticks(uint64_t ns)
{
	uint64_t t0, t1;
	uint32_t c0, c1;

	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
	apic_write(APIC_TMICT, 0xffffffff);
	t0 = rdtsc();
	c0 = apic_read(APIC_TMCCT);
	while (rdtsc() - t0 < tsc_hz() / 100)
		;
	c1 = apic_read(APIC_TMCCT);
	t1 = rdtsc();
	apic_write(APIC_TMICT, 0);
	return (unsigned __int128)(c0 - c1) * tsc_hz() / (t1 - t0) * ns / 1000000000u;
}

static void test_lapic_timer(const void *arg)
{
	uint64_t count = apic_ticks(ONESHOT_NS) / 2;	/* at divide by 2 */
	uint32_t lvtt, left;

	require(count && count < 0xffffffffull, "one-shot: %lu ticks for 5 s do not fit TMICT",
		count);
	hits = 0;
	apic_write(APIC_TDCR, 0x0);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | VEC);
	apic_write(APIC_TMICT, count);
	irq_enable();
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
	uint64_t count = apic_ticks(EXPIRED_NS);

	require(count, "one-shot: the LAPIC timer does not count");
	hits = 0;
	apic_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | VEC);
	apic_write(APIC_TMICT, count);
	irq_enable();
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

static void test_x2apic(const void *arg)
{
	struct fault f;

	require(cpu_has(X86_FEATURE_X2APIC), "%s", cpu_feature_gate(X86_FEATURE_X2APIC));
	f = apic_set_mode(APIC_X2APIC);
	require(!f.valid, "x2APIC mode could not be entered (a fault)");
	apic_write(APIC_TPR, 0x20);
	migrate();
	report(apic_mode() == APIC_X2APIC, "still in x2APIC mode (%s)",
	       apic_mode_name(apic_mode()));
	report(apic_read(APIC_TPR) == 0x20, "TPR holds 0x20 (%#x)", apic_read(APIC_TPR));
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
	subtest("x2apic", test_x2apic, NULL);
	return 0;
}
