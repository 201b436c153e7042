/*
 * gic: GICv3 software-generated interrupts, as a hypervisor's (v)GIC must
 * deliver them (GIC architecture spec IHI 0069, 12.11 and 4.8): an SGI to
 * self and to every other CPU arrives once with its INTID, is active while
 * its handler runs and neither pending nor active after EOI; the priority
 * mask (ICC_PMR_EL1) and PSTATE.I hold an SGI pending until lifted.
 * Needs a GICv3 ("arm,gic-v3" in the device tree); run with -smp > 1.
 */
#include "vmunit.h"
#include "gic.h"
#include "mmio.h"
#include "processor.h"
#include "smp.h"

#define GIC_PIDR2	0xffe8	/* in GICD and GITS frames */
#define GICR_TYPER	0x0008

static volatile unsigned int received[MAX_CPUS], last_intid[MAX_CPUS];
static volatile bool active_in_handler[MAX_CPUS];

static void sgi_handler(unsigned int intid)
{
	unsigned int id = smp_id();

	last_intid[id] = intid;
	active_in_handler[id] = gic_active(intid);
	__atomic_fetch_add(&received[id], 1, __ATOMIC_RELEASE);
}

/*
 * Wait for cpu to count want SGIs: up to 2 s when they should come (a
 * loaded host is slow), 20 ms when they should not.
 */
#define ARRIVES 2000
#define STAYS_PENDING 20

static bool wait_received(unsigned int cpu, unsigned int want, unsigned int ms)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * ms / 1000;

	while (__atomic_load_n(&received[cpu], __ATOMIC_ACQUIRE) < want)
		if (read_sysreg(cntvct_el0) > end)
			return false;
	return true;
}

static void enable_sgis(void *arg)
{
	for (unsigned int i = 1; i <= 3; i++) {
		gic_set_handler(GIC_SGI(i), sgi_handler);
		gic_enable(GIC_SGI(i), true);
	}
	irq_enable();
}

static void test_self(const void *arg)
{
	unsigned int id = smp_id(), before = received[id];

	gic_send_sgi(id, GIC_SGI(1));
	/* Once: after it arrived, a second one has time to arrive too. */
	report(wait_received(id, before + 1, ARRIVES) &&
	       !wait_received(id, before + 2, STAYS_PENDING),
	       "SGI 1 to self arrives once (%u)", received[id] - before);
	report(last_intid[id] == 1, "the acknowledged INTID is 1 (got %u)", last_intid[id]);
	report(active_in_handler[id], "active while its handler runs");
	report(!gic_active(1) && !gic_pending(1), "neither active nor pending after EOI");
}

static void test_each_cpu(const void *arg)
{
	if (!have_cpus(2))
		return;
	for (unsigned int cpu = 0; cpu < nr_cpus(); cpu++) {
		unsigned int before = received[cpu];

		gic_send_sgi(cpu, GIC_SGI(2));
		report(wait_received(cpu, before + 1, ARRIVES) && last_intid[cpu] == 2,
		       "SGI 2 to cpu%u arrives (%u received, INTID %u)", cpu,
		       received[cpu] - before, last_intid[cpu]);
	}
}

static void test_pmr(const void *arg)
{
	unsigned int id = smp_id(), before = received[id];

	gic_set_priority(GIC_SGI(3), 0x80);
	gic_set_pmr(0x80);		/* only priorities below 0x80 get through */
	gic_send_sgi(id, GIC_SGI(3));
	report(!wait_received(id, before + 1, STAYS_PENDING) && gic_pending(3),
	       "PMR 0x80 holds a priority-0x80 SGI pending (%u received)",
	       received[id] - before);
	gic_set_pmr(0xff);
	report(wait_received(id, before + 1, ARRIVES) && !gic_pending(3),
	       "PMR 0xff delivers it (%u received)", received[id] - before);
}

static void test_daif(const void *arg)
{
	unsigned int id = smp_id(), before = received[id];

	irq_disable();
	gic_send_sgi(id, GIC_SGI(1));
	report(!wait_received(id, before + 1, STAYS_PENDING) && gic_pending(1),
	       "PSTATE.I holds an SGI pending (%u received)", received[id] - before);
	irq_enable();
	report(wait_received(id, before + 1, ARRIVES), "clearing PSTATE.I delivers it (%u received)",
	       received[id] - before);
}

/* Identification registers agree with the device tree (IHI 0069 12.1.2). */
static void test_ids(const void *arg)
{
	uint32_t dist = mmio_read32(gic_dist_base() + GIC_PIDR2) >> 4 & 0xf;
	uint64_t typer = mmio_read64(gic_redist_base() + GICR_TYPER);
	uintptr_t its = gic_its_base();

	report(dist == 3 || dist == 4, "GICD_PIDR2.ArchRev is GICv3 or GICv4 (%u)", dist);
	require(its, "no ITS: device tree has no \"arm,gic-v3-its\" (QEMU virt: its=on)");
	report((mmio_read32(its + GIC_PIDR2) >> 4 & 0xf) >= 3,
	       "GITS_PIDR2.ArchRev is GICv3 or later");
	report(typer & 1, "GICR_TYPER.PLPIS: LPIs supported with an ITS (%#lx)", typer);
}

int main(int argc, char **argv)
{
	if (!gic_init()) {
		report_skip("no GICv3: device tree has no \"arm,gic-v3\" (QEMU: gic-version=3)");
		return 0;
	}
	subtest("ids", test_ids, NULL);
	on_cpus(enable_sgis, NULL);
	subtest("self", test_self, NULL);
	subtest("each cpu", test_each_cpu, NULL);
	subtest("priority mask", test_pmr, NULL);
	subtest("PSTATE.I", test_daif, NULL);
	return 0;
}
