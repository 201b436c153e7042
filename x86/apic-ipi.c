/*
 * apic-ipi: which CPUs a fixed IPI reaches, for every way the local APIC
 * (SDM vol. 3A 11.6) names its destinations.  Each case sends one IPI
 * from CPU 0 while every CPU listens with interrupts on; the check is
 * that exactly the CPUs meant got it, once each (nothing lost, nothing
 * doubled, nobody else): after 20 ms for one too many, apic_fence()
 * closes the case, so one that came late is counted in it.  4 CPUs.
 * - broadcast: physical destination 0xff (xAPIC) / 0xffffffff (x2APIC)
 *   and the shorthands self, all including self, all excluding self;
 * - logical: xAPIC flat model (LDR[31:24] a bitmask: one target, two, a
 *   bit no CPU has, 0xff) and cluster model (LDR cluster[7:4] and bit
 *   [3:0]: a CPU in one cluster only, two in one, 0xff); x2APIC logical
 *   (the cluster in LDR[31:16], the bit in [15:0], as read from the LDR:
 *   the apic test checks they derive from the ID): one target, two in a
 *   cluster, the same bits in another cluster (nobody);
 * - alias: two CPUs with the same flat or cluster logical ID both take
 *   it; a CPU given a new xAPIC ID takes IPIs to that ID and no longer to
 *   its old one, and an ID two CPUs share reaches them and nobody else,
 *   each at most once (SDM 11.6.2.1 names a single destination; whether
 *   both take it is left open: INFO).  The xAPIC ID is writable on some
 *   models only (SDM 11.4.6): where it does not take a new value, SKIP;
 * - pv-ipi: KVM_HC_SEND_IPI (hypercall 10) to a bitmap of APIC IDs
 *   returns the count and reaches them once each; offered only where
 *   CPUID 0x40000001:EAX.PV_SEND_IPI[11] says so under KVM's signature.
 * xAPIC first, then the same with every CPU in x2APIC mode (gate
 * CPUID.1:ECX.X2APIC[21]).
 */
#include "vmunit.h"
#include "apic.h"
#include "cpuid.h"
#include "desc.h"
#include "kvm.h"
#include "processor.h"
#include "smp.h"
#include "time.h"

#define VEC 0x41
#define F_PV_SEND_IPI 11
#define CPUS 4
#define ALL ((1u << CPUS) - 1)

struct ipi {
	const char *name;
	uint32_t dest, lo;	/* lo: ICR[31:0] but the vector */
	unsigned int want;	/* CPUs that must get it once */
};

static long pv_ret;

static void send_icr(const struct ipi *c)
{
	apic_icr(c->dest, c->lo | VEC);
}

/* dest: bitmap of APIC IDs from lo (the minimum APIC ID), KVM's ABI. */
static void send_pv(const struct ipi *c)
{
	pv_ret = kvm_hypercall(KVM_HC_SEND_IPI, c->dest, 0, c->lo, APIC_ICR_FIXED | VEC);
}

static bool all_arrived(const unsigned int *before, unsigned int want)
{
	for (unsigned int cpu = 0; cpu < CPUS; cpu++)
		if (want >> cpu & 1 && apic_count(cpu) == before[cpu])
			return false;
	return true;
}

/*
 * Send c while every CPU listens, then the fence to the CPUs of fence;
 * n[cpu]: how many times each got it.  The CPUs the fence missed.
 */
static uint32_t deliver(const struct ipi *c, void (*send)(const struct ipi *), uint32_t fence,
			unsigned int *n)
{
	unsigned int before[CPUS];
	uint32_t late;

	for (unsigned int cpu = 0; cpu < CPUS; cpu++)
		before[cpu] = apic_count(cpu);
	apic_listen(ALL);
	irq_enable();
	send(c);
	wait_for(all_arrived(before, c->want), ARRIVES_NS);
	wait_for(false, STAYS_NS);	/* time for one too many */
	late = apic_fence(fence);
	irq_disable();
	apic_listen_end(ALL);
	for (unsigned int cpu = 0; cpu < CPUS; cpu++)
		n[cpu] = apic_count(cpu) - before[cpu];
	return late;
}

/* ... true when exactly c->want got it, once each. */
static bool expect(const struct ipi *c, void (*send)(const struct ipi *))
{
	unsigned int n[CPUS];
	uint32_t late = deliver(c, send, ALL, n);
	bool ok = !late;

	for (unsigned int cpu = 0; cpu < CPUS; cpu++)
		ok &= n[cpu] == (c->want >> cpu & 1);
	if (!c->want)
		return report(ok, "%s: no CPU gets it (got %u %u %u %u; fence late %#x)", c->name,
			      n[0], n[1], n[2], n[3], late);
	return report(ok, "%s: CPUs %#x get it once, no other (got %u %u %u %u; fence late %#x)",
		      c->name, c->want, n[0], n[1], n[2], n[3], late);
}

static void run(const struct ipi *cases, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		expect(&cases[i], send_icr);
}

#define RUN(cases) run(cases, sizeof(cases) / sizeof(cases[0]))

static void test_broadcast(const void *arg)
{
	const struct ipi cases[] = {
		{ "physical broadcast", apic_broadcast(), 0, ALL },
		{ "shorthand self", 0, APIC_ICR_SELF, 1 },
		{ "shorthand all including self", 0, APIC_ICR_ALL, ALL },
		{ "shorthand all excluding self", 0, APIC_ICR_OTHERS, ALL & ~1u },
	};

	RUN(cases);
}

/* The xAPIC logical model and IDs: DFR and LDR[31:24] of each CPU. */
static uint32_t dfr, ldr[CPUS];

static void set_logical(void *arg)
{
	apic_write(APIC_DFR, dfr);
	apic_write(APIC_LDR, ldr[smp_id()] << 24);
}

static void logical(uint32_t model, uint32_t id0, uint32_t id1, uint32_t id2, uint32_t id3)
{
	dfr = model;
	ldr[0] = id0, ldr[1] = id1, ldr[2] = id2, ldr[3] = id3;
	on_cpus(set_logical, NULL);
}

#define L APIC_ICR_LOGICAL

static void test_xapic_logical(const void *arg)
{
	const struct ipi flat[] = {
		{ "flat: one target", 0x02, L, 1u << 1 },
		{ "flat: two targets", 0x0a, L, 1u << 1 | 1u << 3 },
		{ "flat: a bit no CPU has", 0x10, L, 0 },
		{ "flat: 0xff", 0xff, L, ALL },
	}, flat_alias[] = {
		{ "flat: two CPUs with one logical ID", 0x04, L, 1u << 2 | 1u << 3 },
	}, cluster[] = {
		{ "cluster: one target in cluster 1", 0x11, L, 1u << 2 },
		{ "cluster: two targets in cluster 0", 0x03, L, 1u << 0 | 1u << 1 },
		{ "cluster: 0xff", 0xff, L, ALL },
	}, cluster_alias[] = {
		{ "cluster: two CPUs with one logical ID", 0x11, L, 1u << 2 | 1u << 3 },
	};

	logical(APIC_DFR_FLAT, 0x01, 0x02, 0x04, 0x08);
	RUN(flat);
	logical(APIC_DFR_FLAT, 0x01, 0x02, 0x04, 0x04);
	RUN(flat_alias);
	logical(APIC_DFR_CLUSTER, 0x01, 0x02, 0x11, 0x12);
	RUN(cluster);
	logical(APIC_DFR_CLUSTER, 0x01, 0x02, 0x11, 0x11);
	RUN(cluster_alias);
	logical(APIC_DFR_FLAT, 0, 0, 0, 0);
}

static uint32_t new_id;

/* A new xAPIC ID, and apic_cpu_init() records it for apic_ipi() (the fence). */
static void set_id(void *arg)
{
	apic_write(APIC_ID, (uint32_t)(uintptr_t)arg << 24);
	new_id = apic_id();
	apic_cpu_init();
}

static bool rename_cpu(unsigned int cpu, uint32_t id)
{
	on_cpu(cpu, set_id, (void *)(uintptr_t)id);
	return new_id == id;
}

static void test_xapic_id_alias(const void *arg)
{
	uint32_t free = 0, old1 = apic_id_of(1), old2 = apic_id_of(2), late;
	unsigned int n[CPUS], before1, before2;

	for (unsigned int cpu = 0; cpu < CPUS; cpu++)
		if (apic_id_of(cpu) >= free)
			free = apic_id_of(cpu) + 1;
	if (!rename_cpu(1, free)) {
		rename_cpu(1, old1);
		report_skip("xAPIC ID not writable (read %#x after writing %#x): model-specific, "
			    "SDM vol. 3A 11.4.6", new_id, free);
		return;
	}
	const struct ipi renamed[] = {
		{ "a new xAPIC ID", free, 0, 1u << 1 },
		{ "the old xAPIC ID", old1, 0, 0 },
	}, shared = { "an xAPIC ID two CPUs share", free, 0, 1u << 1 | 1u << 2 };

	RUN(renamed);
	if (rename_cpu(2, free)) {
		/* No ID names CPU 1 or 2 alone: they are fenced once renamed back. */
		late = deliver(&shared, send_icr, ALL & ~0x6u, n);
		before1 = apic_count(1) - n[1];
		before2 = apic_count(2) - n[2];
		rename_cpu(2, old2);
		rename_cpu(1, old1);
		apic_listen(0x6);
		late |= apic_fence(0x6);
		apic_listen_end(0x6);
		n[1] = apic_count(1) - before1;
		n[2] = apic_count(2) - before2;
		report(!late && !n[0] && !n[3] && n[1] <= 1 && n[2] <= 1 && n[1] + n[2] >= 1,
		       "%s: one or both of them, once, no other (got %u %u %u %u; fence late %#x)",
		       shared.name, n[0], n[1], n[2], n[3], late);
		report_info("an IPI to a shared xAPIC ID reached %s",
			    n[1] && n[2] ? "both" : "one");
	} else {
		report_fail("%s: cpu2 takes xAPIC ID %#x as cpu1 did (read %#x)", shared.name, free,
			    new_id);
	}
	rename_cpu(2, old2);
	rename_cpu(1, old1);
	const struct ipi back = { "the old xAPIC ID given back", old1, 0, 1u << 1 };
	expect(&back, send_icr);
}

static void test_pv_ipi(const void *arg)
{
	uint32_t min = ~0u, max = 0, map = 0;

	require(kvm_features() & KVM_FEATURE(F_PV_SEND_IPI),
		"CPUID 0x40000001:EAX.PV_SEND_IPI[11] under signature \"KVMKVMKVM\"");
	for (unsigned int cpu = 1; cpu < CPUS; cpu++) {
		min = apic_id_of(cpu) < min ? apic_id_of(cpu) : min;
		max = apic_id_of(cpu) > max ? apic_id_of(cpu) : max;
	}
	require(max - min < 32, "APIC IDs of CPUs 1-3 span more than 32 (%u-%u)", min, max);
	for (unsigned int cpu = 1; cpu < CPUS; cpu++)
		map |= 1u << (apic_id_of(cpu) - min);

	const struct ipi c = { "KVM_HC_SEND_IPI to CPUs 1-3", map, min, ALL & ~1u };
	expect(&c, send_pv);
	report(pv_ret == CPUS - 1, "KVM_HC_SEND_IPI returns the count delivered (%ld)", pv_ret);
}

static void read_ldr(void *arg)
{
	*(uint32_t *)arg = apic_read(APIC_LDR);
}

/* ... and apic_cpu_init() records the x2APIC ID for apic_ipi() (the fence). */
static void to_x2apic(void *arg)
{
	apic_set_mode(APIC_X2APIC);
	apic_cpu_init();
}

/* x2APIC logical: aimed by what each CPU's LDR says (cluster, bit). */
static void test_x2apic_logical(const void *arg)
{
	uint32_t l[CPUS];

	for (unsigned int cpu = 0; cpu < CPUS; cpu++) {
		on_cpu(cpu, read_ldr, &l[cpu]);
		require(l[cpu] & 0xffff, "cpu%u's x2APIC LDR %#x has no bit to aim at", cpu,
			l[cpu]);
	}
	const struct ipi one = { "one target", l[3], L, 1u << 3 };
	expect(&one, send_icr);
	require(l[1] >> 16 == l[2] >> 16 && (l[1] & l[2] & 0xffff) == 0,
		"CPUs 1 and 2 not in one cluster (LDR %#x, %#x)", l[1], l[2]);
	const struct ipi two = { "two targets in a cluster", l[1] | l[2], L, 1u << 1 | 1u << 2 },
			 other = { "the same bits in another cluster",
				   (l[1] | l[2]) + 0x10000, L, 0 };
	expect(&two, send_icr);
	expect(&other, send_icr);
}

int main(int argc, char **argv)
{
	if (!cpu_has(X86_FEATURE_APIC)) {
		report_skip("%s", cpu_feature_gate(X86_FEATURE_APIC));
		return 0;
	}
	if (!have_cpus(CPUS))
		return 0;
	tsc_hz();
	apic_count_vector(VEC);
	apic_init_all();
	report_prefix_push("xAPIC");
	subtest("broadcast", test_broadcast, NULL);
	subtest("logical", test_xapic_logical, NULL);
	subtest("alias", test_xapic_id_alias, NULL);
	subtest("pv-ipi", test_pv_ipi, NULL);
	report_prefix_pop();
	if (!cpu_has(X86_FEATURE_X2APIC)) {
		report_skip("x2APIC: %s", cpu_feature_gate(X86_FEATURE_X2APIC));
		return 0;
	}
	on_cpus(to_x2apic, NULL);
	report_prefix_push("x2APIC");
	subtest("broadcast", test_broadcast, NULL);
	subtest("logical", test_x2apic_logical, NULL);
	report_prefix_pop();
	return 0;
}
