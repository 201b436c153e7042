/*
 * kvm-pv: the KVM paravirtual interface a guest of KVM sees (Linux
 * Documentation/virt/kvm/x86/cpuid.rst, msr.rst, hypercalls.rst), and the
 * SEV live-migration pieces of the series ("KVM: x86: guest interface for
 * SEV live migration"):
 * - detect: CPUID.1:ECX.HYPERVISOR[31]; leaf 0x40000000's "KVMKVMKVM"
 *   and maximum (0 meaning 0x40000001, as old KVM says); the features of
 *   0x40000001.EAX named, read only when the maximum reaches it;
 * - kvmclock (CLOCKSOURCE2[3]): MSR_KVM_SYSTEM_TIME_NEW enables the
 *   pvclock area: an even version, time that moves forward and at the
 *   TSC's rate (within 2% over 50 ms; 5% when KVM runs nested on QEMU TCG,
 *   run_l0_tcg(): there both rates are estimates, L1's TSC calibration
 *   against an emulated clock and ours against an emulated PIT, and they
 *   were seen 2.0% apart);
 * - pv-eoi (PV_EOI[6]): MSR_KVM_PV_EOI_EN takes an aligned address with
 *   the enable bit and reads it back; cleared, it reads 0;
 * - poll-control (POLL_CONTROL[12]): MSR_KVM_POLL_CONTROL reads 1 (host
 *   polling on) at start, takes 0 and reads it back;
 * - migration-control (MIGRATION_CONTROL[17]): MSR_KVM_MIGRATION_CONTROL
 *   (0x4b564d08) takes KVM_MIGRATION_READY and reads it back, a reserved
 *   bit is #GP;
 * - map-gpa-range (HC_MAP_GPA_RANGE[16]): hypercall 12 with an unaligned
 *   address, zero pages or unknown attributes is -KVM_EINVAL, not a crash;
 * - hypercall: the vendor's instruction (VMCALL on Intel, VMMCALL on AMD)
 *   runs KVM_HC_VAPIC_POLL_IRQ, which returns 0;
 * - migration (lib/migrate.h; kvm-pv-migration migrates): kvmclock
 *   enabled before keeps its MSR, its time goes on forward from where it
 *   was and at the TSC's rate; MSR_KVM_PV_EOI_EN, MSR_KVM_POLL_CONTROL and
 *   MSR_KVM_MIGRATION_CONTROL (when offered) hold what was written before.
 * Not offered: SKIP naming the bit; not under KVM (QEMU TCG, Bochs): SKIP
 * naming the signature.  So a kvmclock that goes backwards shows only
 * under KVM: kvm-pv-kvm runs in the x86 KVM boxes (6.1, 6.12).
 */
#include "vmunit.h"
#include "alloc.h"
#include "cpuid.h"
#include "kvm.h"
#include "migrate.h"
#include "processor.h"
#include "safe.h"
#include "start.h"
#include "string.h"
#include "time.h"

#define F_CLOCKSOURCE2	3
#define F_PV_EOI	6
#define F_POLL_CONTROL	12
#define F_MAP_GPA_RANGE	16
#define F_MIGRATION_CONTROL 17

#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_KVM_PV_EOI_EN	0x4b564d04
#define MSR_KVM_POLL_CONTROL	0x4b564d05
#define MSR_KVM_MIGRATION_CONTROL 0x4b564d08
#define KVM_MIGRATION_READY	1

#define KVM_EINVAL		22

static uint32_t features;

static const struct { unsigned int bit; const char *name; } names[] = {
	{ 0, "CLOCKSOURCE" }, { 1, "NOP_IO_DELAY" }, { 3, "CLOCKSOURCE2" }, { 4, "ASYNC_PF" },
	{ 5, "STEAL_TIME" }, { 6, "PV_EOI" }, { 7, "PV_UNHALT" }, { 9, "PV_TLB_FLUSH" },
	{ 10, "ASYNC_PF_VMEXIT" }, { 11, "PV_SEND_IPI" }, { 12, "POLL_CONTROL" },
	{ 13, "PV_SCHED_YIELD" }, { 14, "ASYNC_PF_INT" }, { 15, "MSI_EXT_DEST_ID" },
	{ 16, "HC_MAP_GPA_RANGE" }, { 17, "MIGRATION_CONTROL" }, { 24, "CLOCKSOURCE_STABLE" },
};

static const char *feature_name(unsigned int bit)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].bit == bit)
			return names[i].name;
	return "?";
}

/* "CPUID 0x40000001:EAX.PV_EOI[6]" for SKIP reasons. */
static const char *gate(unsigned int bit)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "CPUID 0x40000001:EAX.%s[%u]", feature_name(bit), bit);
	return buf;
}

#define require_kvm(bit) require(features & KVM_FEATURE(bit), "%s", gate(bit))

static void test_detect(const void *arg)
{
	struct cpuid r;
	uint32_t max;
	char sig[13], list[400] = "";
	size_t n = 0;

	require(cpu_has(X86_FEATURE_HYPERVISOR), "%s: not a guest",
		cpu_feature_gate(X86_FEATURE_HYPERVISOR));
	hypervisor_signature(sig);
	require(!strcmp(sig, "KVMKVMKVM"), "CPUID 0x40000000 signature \"%s\", not \"KVMKVMKVM\"",
		sig);
	r = cpuid_raw(0x40000000, 0);
	max = r.a ? r.a : 0x40000001;	/* 0: old KVM, which has 0x40000001 */
	report(max >= 0x40000001 && max <= 0x4000ffff, "max leaf covers 0x40000001 (%#x)", r.a);
	features = cpuid_raw(0x40000001, 0).a;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]) && n < sizeof(list); i++)
		if (features & KVM_FEATURE(names[i].bit))
			n += snprintf(list + n, sizeof(list) - n, " %s", names[i].name);
	report_info("0x40000001.EAX %#x:%s", features, list);
}

struct pvclock {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

/* The pvclock's nanoseconds at this TSC (a consistent copy: even, unchanged version). */
static uint64_t pvclock_ns(volatile struct pvclock *c, uint64_t *tsc)
{
	uint32_t v;
	uint64_t ns, delta;

	do {
		v = c->version;
		asm volatile("" : : : "memory");
		*tsc = rdtsc();
		delta = *tsc - c->tsc_timestamp;
		delta = c->shift >= 0 ? delta << c->shift : delta >> -c->shift;
		ns = c->system_time + ((unsigned __int128)delta * c->mul >> 32);
		asm volatile("" : : : "memory");
	} while ((v & 1) || v != c->version);
	return ns;
}

/* The pvclock's time goes at the TSC's rate over 50 ms (from its time t0, read at tsc0). */
static void check_rate(volatile struct pvclock *c)
{
	unsigned int pct = run_l0_tcg() ? 5 : 2;
	uint64_t t0, t1, tsc0, tsc1, want, slack;

	t0 = pvclock_ns(c, &tsc0);
	wait_for(false, 50000000);
	t1 = pvclock_ns(c, &tsc1);
	want = tsc_to_ns(tsc1 - tsc0);
	slack = want * pct / 100;
	report(t1 - t0 >= want - slack && t1 - t0 <= want + slack,
	       "at the TSC's rate, within %u%% over 50 ms (%lu ns, TSC says %lu)", pct, t1 - t0,
	       want);
}

static void test_kvmclock(const void *arg)
{
	volatile struct pvclock *c = alloc_page();
	uint64_t t0, t1, tsc;

	require_kvm(F_CLOCKSOURCE2);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)c | 1);
	report(wait_for(c->version && !(c->version & 1), 100000000),
	       "MSR_KVM_SYSTEM_TIME_NEW: the area gets an even version (%u)", c->version);
	t0 = pvclock_ns(c, &tsc);
	wait_for(false, 1000000);
	t1 = pvclock_ns(c, &tsc);
	report(t1 > t0, "its time moves forward (%lu -> %lu ns)", t0, t1);
	check_rate(c);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
}

static void test_pv_eoi(const void *arg)
{
	uint32_t *word = alloc_page();
	uint64_t v = 0;

	require_kvm(F_PV_EOI);
	wrmsr(MSR_KVM_PV_EOI_EN, (uint64_t)word | 1);
	rdmsr_safe(MSR_KVM_PV_EOI_EN, &v);
	report(v == ((uint64_t)word | 1), "MSR_KVM_PV_EOI_EN takes the address and enable (%#lx)",
	       v);
	wrmsr(MSR_KVM_PV_EOI_EN, 0);
	rdmsr_safe(MSR_KVM_PV_EOI_EN, &v);
	report(v == 0, "cleared, it reads 0 (%#lx)", v);
}

static void test_poll_control(const void *arg)
{
	uint64_t v = ~0ull;

	require_kvm(F_POLL_CONTROL);
	rdmsr_safe(MSR_KVM_POLL_CONTROL, &v);
	report(v == 1, "MSR_KVM_POLL_CONTROL reads 1, host polling on, at start (%#lx)", v);
	wrmsr(MSR_KVM_POLL_CONTROL, 0);
	rdmsr_safe(MSR_KVM_POLL_CONTROL, &v);
	report(v == 0, "takes 0 and reads it back (%#lx)", v);
	wrmsr(MSR_KVM_POLL_CONTROL, 1);
}

static void test_migration_control(const void *arg)
{
	uint64_t v = ~0ull;
	struct fault f;

	require_kvm(F_MIGRATION_CONTROL);
	f = wrmsr_safe(MSR_KVM_MIGRATION_CONTROL, KVM_MIGRATION_READY);
	rdmsr_safe(MSR_KVM_MIGRATION_CONTROL, &v);
	report(!f.valid && v == KVM_MIGRATION_READY,
	       "MSR_KVM_MIGRATION_CONTROL takes KVM_MIGRATION_READY and reads it back (%#lx)", v);
	f = wrmsr_safe(MSR_KVM_MIGRATION_CONTROL, 1ull << 1);
	report(f.valid && f.vector == 13, "a reserved bit is #GP (%s)",
	       f.valid ? "a fault" : "no fault");
}

/* An MSR of feature bit, set before the migration, read back after it. */
static void check_msr_kept(unsigned int bit, uint32_t index, const char *name, uint64_t v)
{
	uint64_t got = ~0ull;

	if (!(features & KVM_FEATURE(bit))) {
		report_skip("%s: %s", name, gate(bit));
		return;
	}
	rdmsr_safe(index, &got);
	report(got == v, "%s holds what was written (%#lx, want %#lx)", name, got, v);
}

static void test_migration(const void *arg)
{
	volatile struct pvclock *c = alloc_page();
	uint64_t *eoi = alloc_page(), t0, t1, tsc, v;

	require_kvm(F_CLOCKSOURCE2);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)c | 1);
	require(wait_for(c->version && !(c->version & 1), 100000000), "kvmclock: no even version");
	if (features & KVM_FEATURE(F_PV_EOI))
		wrmsr(MSR_KVM_PV_EOI_EN, (uint64_t)eoi | 1);
	if (features & KVM_FEATURE(F_POLL_CONTROL))
		wrmsr(MSR_KVM_POLL_CONTROL, 0);
	if (features & KVM_FEATURE(F_MIGRATION_CONTROL))
		wrmsr(MSR_KVM_MIGRATION_CONTROL, KVM_MIGRATION_READY);
	t0 = pvclock_ns(c, &tsc);
	migrate();
	t1 = pvclock_ns(c, &tsc);
	rdmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, &v);
	report(v == ((uint64_t)c | 1), "MSR_KVM_SYSTEM_TIME_NEW keeps the area (%#lx)", v);
	report(t1 > t0, "kvmclock goes on forward from where it was (%lu -> %lu ns)", t0, t1);
	check_rate(c);
	check_msr_kept(F_PV_EOI, MSR_KVM_PV_EOI_EN, "MSR_KVM_PV_EOI_EN", (uint64_t)eoi | 1);
	check_msr_kept(F_POLL_CONTROL, MSR_KVM_POLL_CONTROL, "MSR_KVM_POLL_CONTROL", 0);
	check_msr_kept(F_MIGRATION_CONTROL, MSR_KVM_MIGRATION_CONTROL,
		       "MSR_KVM_MIGRATION_CONTROL", KVM_MIGRATION_READY);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (features & KVM_FEATURE(F_PV_EOI))
		wrmsr(MSR_KVM_PV_EOI_EN, 0);
	if (features & KVM_FEATURE(F_POLL_CONTROL))
		wrmsr(MSR_KVM_POLL_CONTROL, 1);
}

static void test_map_gpa_range(const void *arg)
{
	uint64_t page = (uint64_t)alloc_page();
	long r;

	require_kvm(F_MAP_GPA_RANGE);
	r = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, page + 1, 1, 0, 0);
	report(r == -KVM_EINVAL, "an unaligned address: -KVM_EINVAL (%ld)", r);
	r = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, page, 0, 0, 0);
	report(r == -KVM_EINVAL, "zero pages: -KVM_EINVAL (%ld)", r);
	r = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, page, 1, 1ul << 40, 0);
	report(r == -KVM_EINVAL, "an unknown attribute: -KVM_EINVAL (%ld)", r);
}

static void test_hypercall(const void *arg)
{
	long r = kvm_hypercall(KVM_HC_VAPIC_POLL_IRQ, 0, 0, 0, 0);

	report(r == 0, "KVM_HC_VAPIC_POLL_IRQ through the vendor's instruction returns 0 (%ld)", r);
}

int main(int argc, char **argv)
{
	subtest("detect", test_detect, NULL);
	if (!features)
		return 0;
	subtest("kvmclock", test_kvmclock, NULL);
	subtest("pv-eoi", test_pv_eoi, NULL);
	subtest("poll-control", test_poll_control, NULL);
	subtest("migration-control", test_migration_control, NULL);
	subtest("map-gpa-range", test_map_gpa_range, NULL);
	subtest("hypercall", test_hypercall, NULL);
	subtest("migration", test_migration, NULL);
	return 0;
}
