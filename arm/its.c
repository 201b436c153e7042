/*
 * its: the GICv3 ITS command set (IHI 0069, 5.3 and 6), with the invariant
 * of the "vgic: ITS translation cache" series: a (DeviceID, EventID)
 * translation is never served stale.  Each check that something does not
 * arrive first shows that it did arrive before the command under test.
 *
 * - translate: an MSI write to GITS_TRANSLATER and an INT command deliver
 *   the mapped INTID, once, to the mapped collection's CPU;
 * - discard, mapd-v0: after DISCARD, or MAPD V=0 (and a remap with a fresh
 *   ITT), nothing arrives; DISCARD also drops a pending LPI;
 * - movi, retarget: after MOVI, or MAPC re-targeting plus MOVALL and SYNC,
 *   the LPI, pending ones included, arrives on the new CPU;
 * - property, clear: an LPI disabled in the property table (then INV or
 *   INVALL) stays pending and arrives once re-enabled; CLEAR drops it;
 * - enable-lpis: with GICR_CTLR.EnableLPIs 0 nothing arrives;
 * - mapi: MAPI delivers INTID = EventID;
 * - many: 64 devices x 32 events (more than any small cache holds) each
 *   arrive exactly once on the right CPU, before and after half of them
 *   move;
 * - errors: commands on an unmapped device, an out-of-range EventID or a
 *   DeviceID past the device table deliver nothing, and the queue goes on.
 *
 * Where a defect can show: a lost SYNC passes on QEMU 10's ITS and on
 * KVM's vgic-its (the 6.12 arm64 box), which both run each command when
 * GITS_CWRITER moves (measured: SYNC never sent); it needs an ITS that
 * runs commands asynchronously.  A translation served stale from KVM's
 * cache shows only under KVM: the entry runs in the arm64 KVM box.
 *
 * Needs a GICv3 with an ITS (QEMU virt: gic-version=3, its=on) and 4 CPUs.
 * The DeviceID of a CPU's TRANSLATER write is IMPLEMENTATION DEFINED (IHI
 * 0069: the interconnect supplies it).  QEMU's ITS gives CPU accesses
 * requester ID 0, ITS_CPU_DEVICE_ID; KVM's ignores them (its MSIs come
 * from the VMM, KVM_SIGNAL_MSI), so under KVM, which says so through the
 * SMCCC Call UID, the TRANSLATER check is a SKIP naming that.  Other
 * devices, and every check but that one, are reached through INT.
 */
#include "vmunit.h"
#include "gic.h"
#include "its.h"
#include "migrate.h"
#include "processor.h"
#include "psci.h"
#include "smp.h"

#define ARRIVES 2000		/* ms to wait for an LPI that should come */
#define STAYS 50		/* ms an LPI that should not come is given */
#define LPI(n) (GIC_LPI_BASE + (n))

static volatile uint32_t count[ITS_NR_LPIS];
static volatile uint8_t where[ITS_NR_LPIS];
static unsigned int lpi_cpus;	/* CPUs with EnableLPIs set: 0 .. lpi_cpus - 1 */

static void lpi_handler(unsigned int intid)
{
	unsigned int i = intid - GIC_LPI_BASE;

	if (i >= ITS_NR_LPIS)
		report_fail("an LPI outside the property table arrives (INTID %u)", intid);
	where[i] = smp_id();
	__atomic_fetch_add(&count[i], 1, __ATOMIC_RELEASE);
}

static uint64_t ms_from_now(unsigned int ms)
{
	return read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * ms / 1000;
}

static void delay_ms(unsigned int ms)
{
	uint64_t end = ms_from_now(ms);

	while (read_sysreg(cntvct_el0) < end)
		;
}

/* Wait up to ms for LPI intid to have arrived want times in all. */
static bool wait_count(unsigned int intid, uint32_t want, unsigned int ms)
{
	uint64_t end = ms_from_now(ms);

	while (__atomic_load_n(&count[intid - GIC_LPI_BASE], __ATOMIC_ACQUIRE) < want)
		if (read_sysreg(cntvct_el0) > end)
			return false;
	return true;
}

static uint32_t got(unsigned int intid)
{
	return count[intid - GIC_LPI_BASE];
}

/* It arrives once more than before, on cpu, and not a second time. */
static bool arrives_once(unsigned int intid, uint32_t before, unsigned int cpu)
{
	return wait_count(intid, before + 1, ARRIVES) && !wait_count(intid, before + 2, STAYS) &&
	       where[intid - GIC_LPI_BASE] == cpu;
}

/* Map (dev, event) to intid on collection icid, the LPI enabled. */
static bool map_event(uint32_t dev, unsigned int event_bits, uint32_t event,
		      unsigned int intid, unsigned int icid)
{
	lpi_config(intid, true);
	return its_mapd(dev, event_bits, true) && its_mapti(dev, event, intid, icid) &&
	       its_inv(dev, event) && its_sync(icid);
}

/* An INT of (dev, event) arrives once on cpu: the positive control. */
static bool int_arrives(uint32_t dev, uint32_t event, unsigned int intid, unsigned int cpu)
{
	uint32_t before = got(intid);

	return its_int(dev, event) && arrives_once(intid, before, cpu);
}

static unsigned int cpu_or_0(unsigned int cpu)
{
	return cpu < lpi_cpus ? cpu : 0;
}

static void test_translate(const void *arg)
{
	unsigned int cpu = cpu_or_0(1), intid = LPI(0);
	uint32_t before;

	require_earlier(map_event(ITS_CPU_DEVICE_ID, 5, 3, intid, cpu), "setup commands failed");
	before = got(intid);
	if (smccc_hyp_is_kvm()) {
		report_skip("a CPU's GITS_TRANSLATER write: its DeviceID is IMPLEMENTATION "
			    "DEFINED and KVM ignores it (SMCCC Call UID: KVM)");
	} else {
		its_translate(3);
		report(arrives_once(intid, before, cpu),
		       "a GITS_TRANSLATER write of event 3 delivers INTID %u once on cpu%u "
		       "(%u arrived, last on cpu%u)", intid, cpu, got(intid) - before,
		       where[intid - GIC_LPI_BASE]);
	}
	before = got(intid);
	report(its_int(ITS_CPU_DEVICE_ID, 3) && arrives_once(intid, before, cpu),
	       "INT delivers it without a TRANSLATER write (%u arrived)", got(intid) - before);
}

static void test_discard(const void *arg)
{
	unsigned int cpu = cpu_or_0(1), intid = LPI(1), held = LPI(2);
	uint32_t before;

	require_earlier(map_event(ITS_CPU_DEVICE_ID, 5, 4, intid, cpu) &&
			its_mapti(ITS_CPU_DEVICE_ID, 5, held, cpu),
			"setup commands failed");
	report(int_arrives(ITS_CPU_DEVICE_ID, 4, intid, cpu), "event 4 arrives before DISCARD");
	before = got(intid);
	its_discard(ITS_CPU_DEVICE_ID, 4);
	its_translate(4);
	its_int(ITS_CPU_DEVICE_ID, 4);
	report(!wait_count(intid, before + 1, STAYS),
	       "after DISCARD neither TRANSLATER nor INT delivers it (%u arrived)",
	       got(intid) - before);

	/* A pending LPI: DISCARD drops the pending state too. */
	lpi_config(held, false);
	before = got(held);
	its_inv(ITS_CPU_DEVICE_ID, 5);
	its_int(ITS_CPU_DEVICE_ID, 5);
	its_discard(ITS_CPU_DEVICE_ID, 5);
	lpi_config(held, true);
	its_mapti(ITS_CPU_DEVICE_ID, 6, held, cpu);	/* the INTID reachable again */
	its_inv(ITS_CPU_DEVICE_ID, 6);
	its_sync(cpu);
	report(!wait_count(held, before + 1, STAYS),
	       "DISCARD of a pending LPI drops it (%u arrived after re-enabling)",
	       got(held) - before);
}

static void test_mapd_v0(const void *arg)
{
	unsigned int cpu = cpu_or_0(2), intid = LPI(3);
	uint32_t before;

	require_earlier(map_event(2, 4, 7, intid, cpu), "setup commands failed");
	report(int_arrives(2, 7, intid, cpu), "device 2 event 7 arrives while mapped");
	before = got(intid);
	its_mapd(2, 4, false);
	its_sync(cpu);
	its_int(2, 7);
	report(!wait_count(intid, before + 1, STAYS), "after MAPD V=0 nothing arrives (%u)",
	       got(intid) - before);
	its_mapd(2, 4, true);
	its_sync(cpu);
	its_int(2, 7);
	report(!wait_count(intid, before + 1, STAYS),
	       "remapped with a fresh ITT, the old event is gone (%u arrived)", got(intid) - before);
	its_mapti(2, 7, intid, cpu);
	report(int_arrives(2, 7, intid, cpu), "MAPTI again: it arrives");
}

static void test_movi(const void *arg)
{
	unsigned int from = cpu_or_0(1), to = cpu_or_0(2), intid = LPI(4);

	if (!have_cpus(3))
		return;
	require_earlier(map_event(3, 4, 0, intid, from), "setup commands failed");
	report(int_arrives(3, 0, intid, from), "device 3 event 0 arrives on cpu%u", from);
	its_movi(3, 0, to);
	its_sync(to);
	report(int_arrives(3, 0, intid, to), "after MOVI to collection %u it arrives on cpu%u "
	       "(last on cpu%u)", to, to, where[intid - GIC_LPI_BASE]);
}

/* A collection re-targeted by MAPC, its pending LPIs moved by MOVALL. */
static void test_retarget(const void *arg)
{
	const unsigned int icid = ITS_MAX_COLLECTIONS - 1;
	unsigned int intid = LPI(5), a = 1, b = 2;
	uint32_t before;

	if (!have_cpus(3))
		return;
	require_earlier(its_mapc(icid, a, true) && map_event(4, 4, 1, intid, icid),
			"setup commands failed");
	report(int_arrives(4, 1, intid, a), "collection %u on cpu%u delivers there", icid, a);
	its_mapc(icid, b, true);
	its_movall(a, b);
	its_sync(b);
	report(int_arrives(4, 1, intid, b), "MAPC to cpu%u, MOVALL, SYNC: it follows (last on cpu%u)",
	       b, where[intid - GIC_LPI_BASE]);

	/* Pending on b, then moved back to a: it comes out on a, once. */
	lpi_config(intid, false);
	its_inv(4, 1);
	before = got(intid);
	its_int(4, 1);
	its_mapc(icid, a, true);	/* back to a, then everything of b to a */
	its_movall(b, a);
	its_sync(a);
	report(!wait_count(intid, before + 1, STAYS), "disabled, it stays pending (%u arrived)",
	       got(intid) - before);
	lpi_config(intid, true);
	its_inv(4, 1);
	its_sync(a);
	report(arrives_once(intid, before, a),
	       "the pending LPI moved by MOVALL arrives once on cpu%u when enabled "
	       "(%u arrived, last on cpu%u)", a, got(intid) - before, where[intid - GIC_LPI_BASE]);
}

/* Set LPI intid of (5, 2) enabled or not, made known by INV or INVALL. */
static void configure(unsigned int intid, unsigned int cpu, bool all, bool enable)
{
	lpi_config(intid, enable);
	if (all)
		its_invall(cpu);
	else
		its_inv(5, 2);
	its_sync(cpu);
}

static void property_round(unsigned int intid, unsigned int cpu, bool all)
{
	const char *how = all ? "INVALL" : "INV";
	uint32_t before;

	configure(intid, cpu, all, false);
	before = got(intid);
	its_int(5, 2);
	report(!wait_count(intid, before + 1, STAYS), "disabled + %s: nothing arrives (%u)", how,
	       got(intid) - before);
	configure(intid, cpu, all, true);
	report(arrives_once(intid, before, cpu), "enabled + %s: the pending LPI arrives once (%u)",
	       how, got(intid) - before);
}

static void test_property(const void *arg)
{
	unsigned int cpu = cpu_or_0(1), intid = LPI(6);

	require_earlier(map_event(5, 4, 2, intid, cpu), "setup commands failed");
	report(int_arrives(5, 2, intid, cpu), "enabled in the property table it arrives");
	property_round(intid, cpu, false);
	property_round(intid, cpu, true);
}

static void test_clear(const void *arg)
{
	unsigned int cpu = cpu_or_0(2), intid = LPI(7);
	uint32_t before;

	require_earlier(map_event(6, 4, 9, intid, cpu), "setup commands failed");
	report(int_arrives(6, 9, intid, cpu), "device 6 event 9 arrives");
	lpi_config(intid, false);
	its_inv(6, 9);
	before = got(intid);
	its_int(6, 9);
	its_clear(6, 9);
	lpi_config(intid, true);
	its_inv(6, 9);
	its_sync(cpu);
	report(!wait_count(intid, before + 1, STAYS),
	       "INT while disabled, then CLEAR: nothing arrives once enabled (%u)",
	       got(intid) - before);
	report(int_arrives(6, 9, intid, cpu), "the mapping survives CLEAR");
}

static void enable_lpis(void *arg)
{
	its_enable_lpis();
}

/*
 * Runs before the last CPU has EnableLPIs set: an LPI for it is ignored
 * (IHI 0069, GICR_CTLR.EnableLPIs), not held for later.
 */
static void test_enable_lpis(const void *arg)
{
	unsigned int cpu = nr_cpus() - 1, intid = LPI(8);
	uint32_t before = got(intid);

	require(cpu > 0, "needs 2 CPUs (-smp 2)");
	require_earlier(map_event(7, 4, 0, intid, cpu), "setup commands failed");
	its_int(7, 0);
	report(!wait_count(intid, before + 1, STAYS),
	       "GICR_CTLR.EnableLPIs 0 on cpu%u: nothing arrives (%u)", cpu, got(intid) - before);
	on_cpu(cpu, enable_lpis, NULL);
	lpi_cpus = nr_cpus();
	before = got(intid);
	report(int_arrives(7, 0, intid, cpu), "EnableLPIs 1: it arrives (%u)", got(intid) - before);
}

static void test_mapi(const void *arg)
{
	unsigned int cpu = cpu_or_0(3), intid = LPI(9);

	lpi_config(intid, true);
	require_earlier(its_mapd(8, 14, true) && its_mapi(8, intid, cpu) && its_inv(8, intid) &&
			its_sync(cpu), "setup commands failed");
	report(int_arrives(8, intid, intid, cpu), "MAPI: EventID %u arrives as INTID %u",
	       intid, intid);
}

#define MANY_DEVS 64
#define MANY_EVENTS 32
#define MANY_DEV0 100
#define MANY_LPI0 1024

static unsigned int many_cpu(unsigned int d, unsigned int e, unsigned int round)
{
	return (d + e + (round && d % 2)) % lpi_cpus;
}

/* INT every event, then check each arrived once on its CPU. */
static void many_round(unsigned int round)
{
	unsigned int bad = 0, first = 0;

	for (unsigned int d = 0; d < MANY_DEVS; d++)
		for (unsigned int e = 0; e < MANY_EVENTS; e++)
			its_int(MANY_DEV0 + d, e);
	for (unsigned int i = 0; i < MANY_DEVS * MANY_EVENTS; i++)
		wait_count(LPI(MANY_LPI0 + i), round + 1, ARRIVES);
	delay_ms(STAYS);	/* time for duplicates */
	for (unsigned int d = 0; d < MANY_DEVS; d++)
		for (unsigned int e = 0; e < MANY_EVENTS; e++) {
			unsigned int i = MANY_LPI0 + d * MANY_EVENTS + e;

			if ((count[i] != round + 1 || where[i] != many_cpu(d, e, round)) && !bad++)
				first = i;
		}
	if (!bad)
		report_pass("%s: %u x %u events each arrive once on their CPU",
			    round ? "after MOVI of odd devices" : "mapped", MANY_DEVS, MANY_EVENTS);
	else
		report_fail("%s: %u x %u events each arrive once on their CPU (%u wrong; first: "
			    "INTID %u, %u arrivals, want %u, last on cpu%u)",
			    round ? "after MOVI of odd devices" : "mapped", MANY_DEVS, MANY_EVENTS,
			    bad, LPI(first), count[first], round + 1, where[first]);
}

static void test_many(const void *arg)
{
	bool ok = true;

	for (unsigned int d = 0; d < MANY_DEVS; d++) {
		ok &= its_mapd(MANY_DEV0 + d, 5, true);
		for (unsigned int e = 0; e < MANY_EVENTS; e++) {
			unsigned int intid = LPI(MANY_LPI0 + d * MANY_EVENTS + e);

			lpi_config(intid, true);
			ok &= its_mapti(MANY_DEV0 + d, e, intid, many_cpu(d, e, 0));
		}
	}
	for (unsigned int cpu = 0; cpu < lpi_cpus; cpu++)
		ok &= its_invall(cpu) && its_sync(cpu);
	require_earlier(ok, "setup commands failed");
	many_round(0);
	for (unsigned int d = 1; d < MANY_DEVS; d += 2)
		for (unsigned int e = 0; e < MANY_EVENTS; e++)
			ok &= its_movi(MANY_DEV0 + d, e, many_cpu(d, e, 1));
	for (unsigned int cpu = 0; cpu < lpi_cpus; cpu++)
		ok &= its_sync(cpu);
	require_earlier(ok, "MOVI commands failed");
	many_round(1);
}

/* A command in error: consumed or stalled (both allowed), never stuck. */
static bool in_error(uint64_t dw0, uint64_t dw1, uint64_t dw2, const char *what)
{
	enum its_result r = its_send(&(struct its_cmd){ { dw0, dw1, dw2, 0 } });

	report(r == ITS_CONSUMED, "%s: the queue goes on (%s)", what,
	       r == ITS_CONSUMED ? "consumed" : r == ITS_STALLED ? "GITS_CREADR.Stalled" :
	       "GITS_CREADR did not move in 1 s");
	return r == ITS_CONSUMED;
}

static void test_errors(const void *arg)
{
	unsigned int cpu = cpu_or_0(1), intid = LPI(10), other = LPI(11);
	uint32_t before = got(intid), before_other;

	require_earlier(map_event(9, 2, 1, intid, cpu), "setup commands failed");
	require_earlier(in_error(ITS_INT | 900ull << 32, 0, 0, "INT on never-mapped device 900"),
			"the queue stopped");
	require_earlier(in_error(ITS_INT | 9ull << 32, 4, 0, "INT of event 4 past device 9's "
				 "4-event ITT"), "the queue stopped");
	require_earlier(in_error(ITS_MAPTI | 9ull << 32, 5 | (uint64_t)other << 32, cpu,
				 "MAPTI of event 5 past the ITT"), "the queue stopped");
	before_other = got(other);
	require_earlier(in_error(ITS_INT | 9ull << 32, 5, 0, "INT of that event"),
			"the queue stopped");
	require_earlier(in_error(ITS_MAPD | (uint64_t)ITS_MAX_DEVICES << 32, 4, 0,
				 "MAPD past the device table"), "the queue stopped");
	require_earlier(in_error(ITS_INT | (uint64_t)ITS_MAX_DEVICES << 32, 0, 0,
				 "INT on that device"), "the queue stopped");
	report(!wait_count(intid, before + 1, STAYS) && !wait_count(other, before_other + 1, 0),
	       "none of them delivers anything (%u, %u)", got(intid) - before,
	       got(other) - before_other);
	report(int_arrives(9, 1, intid, cpu), "a valid INT after them arrives");
}

/*
 * The ITS's state across a live migration (lib/migrate.h; no-op unmigrated):
 * the device and collection tables and the ITTs (every mapped event still
 * translated, each on its CPU: the translation cache must be rebuilt from
 * the restored tables), a pending LPI (delivered once enabled), and an
 * unmapped collection (an INT to it still delivers nothing).
 */
#define MIG_DEV0 200
#define MIG_DEVS 8
#define MIG_EVENTS 8
#define MIG_LPI0 4096
#define MIG_ICID (ITS_MAX_COLLECTIONS - 2)

static void test_migration(const void *arg)
{
	unsigned int held = LPI(MIG_LPI0 + MIG_DEVS * MIG_EVENTS), orphan = held + 1, bad = 0;
	uint32_t held_before, orphan_before;
	bool ok = its_mapc(MIG_ICID, 0, true);

	for (unsigned int d = 0; d < MIG_DEVS; d++) {
		ok &= its_mapd(MIG_DEV0 + d, 3, true);
		for (unsigned int e = 0; e < MIG_EVENTS; e++) {
			lpi_config(LPI(MIG_LPI0 + d * MIG_EVENTS + e), true);
			ok &= its_mapti(MIG_DEV0 + d, e, LPI(MIG_LPI0 + d * MIG_EVENTS + e),
					(d + e) % lpi_cpus);
		}
	}
	for (unsigned int cpu = 0; cpu < lpi_cpus; cpu++)
		ok &= its_invall(cpu) && its_sync(cpu);
	ok &= map_event(MIG_DEV0 + MIG_DEVS, 1, 0, held, 0) &&
	      map_event(MIG_DEV0 + MIG_DEVS + 1, 1, 0, orphan, MIG_ICID);
	require_earlier(ok, "setup commands failed");
	report(int_arrives(MIG_DEV0 + MIG_DEVS + 1, 0, orphan, 0),
	       "collection %u on cpu0 delivers before it is unmapped", MIG_ICID);
	its_mapc(MIG_ICID, 0, false);
	lpi_config(held, false);
	its_inv(MIG_DEV0 + MIG_DEVS, 0);
	held_before = got(held);
	its_int(MIG_DEV0 + MIG_DEVS, 0);
	its_sync(0);
	migrate();
	for (unsigned int d = 0; d < MIG_DEVS; d++)
		for (unsigned int e = 0; e < MIG_EVENTS; e++)
			bad += !int_arrives(MIG_DEV0 + d, e, LPI(MIG_LPI0 + d * MIG_EVENTS + e),
					    (d + e) % lpi_cpus);
	report(!bad, "each of %u mapped events is translated to its LPI on its CPU (%u not)",
	       MIG_DEVS * MIG_EVENTS, bad);
	report(!wait_count(held, held_before + 1, STAYS), "the disabled LPI stays pending (%u arrived)",
	       got(held) - held_before);
	lpi_config(held, true);
	its_inv(MIG_DEV0 + MIG_DEVS, 0);
	its_sync(0);
	report(arrives_once(held, held_before, 0), "enabled, the pending LPI arrives once (%u)",
	       got(held) - held_before);
	orphan_before = got(orphan);
	if (in_error(ITS_INT | (uint64_t)(MIG_DEV0 + MIG_DEVS + 1) << 32, 0, 0,
		     "INT to the unmapped collection"))
		report(!wait_count(orphan, orphan_before + 1, STAYS),
		       "... delivers nothing (%u arrived)", got(orphan) - orphan_before);
}

static void irq_on(void *arg)
{
	irq_enable();
}

int main(int argc, char **argv)
{
	const char *gate;
	bool ok = true;

	if (!gic_init()) {
		report_skip("no GICv3: device tree has no \"arm,gic-v3\" (QEMU: gic-version=3)");
		return 0;
	}
	gate = its_init();
	if (gate) {
		report_skip("%s", gate);
		return 0;
	}
	gic_set_lpi_handler(lpi_handler);
	on_cpus(irq_on, NULL);
	lpi_cpus = nr_cpus() > 1 ? nr_cpus() - 1 : 1;	/* the last one comes later */
	for (unsigned int cpu = 0; cpu < lpi_cpus; cpu++)
		on_cpu(cpu, enable_lpis, NULL);
	for (unsigned int cpu = 0; cpu < nr_cpus(); cpu++)
		ok &= its_mapc(cpu, cpu, true) && its_sync(cpu);
	if (!ok)
		return 0;
	subtest("enable-lpis", test_enable_lpis, NULL);
	subtest("translate", test_translate, NULL);
	subtest("discard", test_discard, NULL);
	subtest("mapd-v0", test_mapd_v0, NULL);
	subtest("movi", test_movi, NULL);
	subtest("retarget", test_retarget, NULL);
	subtest("property", test_property, NULL);
	subtest("clear", test_clear, NULL);
	subtest("mapi", test_mapi, NULL);
	subtest("many", test_many, NULL);
	subtest("errors", test_errors, NULL);
	subtest("migration", test_migration, NULL);
	return 0;
}
