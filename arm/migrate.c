/*
 * migrate: arm64 state that must survive a live migration (lib/migrate.h),
 * each subtest migrating once in the middle (cfg entry migrate-live-arm;
 * migrate-arm runs the same checks unmigrated):
 * - counter: CNTVCT_EL0 read after the migration is past the one before;
 * - sysregs: TPIDR_EL0, TPIDRRO_EL0 and CONTEXTIDR_EL1 hold what was
 *   written;
 * - vtimer: the EL1 virtual timer armed 1 s ahead (CNTV_CVAL_EL0, enabled,
 *   IMASK set, polled) keeps CVAL and CTL, has not met its condition
 *   early, and meets it (ISTATUS) once the count passes CVAL;
 * - gic (a GICv3 in the device tree): ICC_PMR_EL1, and the virtual timer
 *   PPI's enable bit and priority in the redistributor, stay.
 */
#include "vmunit.h"
#include "gic.h"
#include "migrate.h"
#include "mmio.h"
#include "processor.h"
#include "start.h"

#define CTL_ENABLE	(1u << 0)
#define CTL_IMASK	(1u << 1)
#define CTL_ISTATUS	(1u << 2)
#define VTIMER_PPI	GIC_PPI(11)
#define GICR_SGI	0x10000
#define GICR_ISENABLER0	(GICR_SGI + 0x100)
#define GICR_IPRIORITYR	(GICR_SGI + 0x400)

static void test_counter(const void *arg)
{
	uint64_t before = read_sysreg(cntvct_el0), after;

	migrate();
	after = read_sysreg(cntvct_el0);
	report(after > before, "CNTVCT_EL0 goes on from where it was (%#lx, then %#lx)", before,
	       after);
}

static void test_sysregs(const void *arg)
{
	uint64_t tp = 0x1234567890abcdefull, tpro = 0xfedcba0987654321ull, ctx = 0x5a5a;
	uint64_t old_tp = read_sysreg(tpidr_el0), old_tpro = read_sysreg(tpidrro_el0);

	write_sysreg(tpidr_el0, tp);
	write_sysreg(tpidrro_el0, tpro);
	write_sysreg(contextidr_el1, ctx);
	isb();
	migrate();
	report(read_sysreg(tpidr_el0) == tp, "TPIDR_EL0 holds what was written (%#lx)",
	       read_sysreg(tpidr_el0));
	report(read_sysreg(tpidrro_el0) == tpro, "TPIDRRO_EL0 holds what was written (%#lx)",
	       read_sysreg(tpidrro_el0));
	report(read_sysreg(contextidr_el1) == ctx, "CONTEXTIDR_EL1 holds what was written (%#lx)",
	       read_sysreg(contextidr_el1));
	write_sysreg(tpidr_el0, old_tp);
	write_sysreg(tpidrro_el0, old_tpro);
}

static void test_vtimer(const void *arg)
{
	uint64_t freq = read_sysreg(cntfrq_el0), cval, ctl, now;
	bool early;

	require(freq, "CNTFRQ_EL0 is 0: no counter frequency");
	cval = read_sysreg(cntvct_el0) + freq;
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
	isb();
	migrate();
	ctl = read_sysreg(cntv_ctl_el0);
	now = read_sysreg(cntvct_el0);
	early = now < cval && (ctl & CTL_ISTATUS);
	report(read_sysreg(cntv_cval_el0) == cval && (ctl & (CTL_ENABLE | CTL_IMASK)) ==
	       (CTL_ENABLE | CTL_IMASK), "CVAL and CTL (enabled, masked) stay (%#lx, ctl %#lx)",
	       read_sysreg(cntv_cval_el0), ctl);
	report(!early, "ISTATUS is clear while the count is below CVAL (ctl %#lx)", ctl);
	while (read_sysreg(cntvct_el0) < cval + freq / 100)
		;
	isb();
	ctl = read_sysreg(cntv_ctl_el0);
	report(ctl & CTL_ISTATUS, "ISTATUS is set once the count passed CVAL (ctl %#lx)", ctl);
	write_sysreg(cntv_ctl_el0, 0);
}

static void test_gic(const void *arg)
{
	uintptr_t rd;
	uint8_t prio;

	require(gic_init(), "no GICv3: device tree has no \"arm,gic-v3\" (QEMU: gic-version=3)");
	gic_cpu_init();
	rd = gic_redist_base();
	gic_set_pmr(0xa0);
	gic_set_priority(VTIMER_PPI, 0x80);
	gic_enable(VTIMER_PPI, true);
	migrate();
	prio = mmio_read8(rd + GICR_IPRIORITYR + VTIMER_PPI);
	report(read_sysreg(icc_pmr_el1) == 0xa0, "ICC_PMR_EL1 holds 0xa0 (%#lx)",
	       read_sysreg(icc_pmr_el1));
	report(mmio_read32(rd + GICR_ISENABLER0) & 1u << VTIMER_PPI,
	       "the virtual timer PPI stays enabled (ISENABLER0 %#x)",
	       mmio_read32(rd + GICR_ISENABLER0));
	report(prio == 0x80, "... with priority 0x80 (%#x)", prio);
	gic_enable(VTIMER_PPI, false);
}

int main(int argc, char **argv)
{
	report_info("%s", run_migrates() ? "migrating in each subtest" : "not migrating");
	subtest("counter", test_counter, NULL);
	subtest("sysregs", test_sysregs, NULL);
	subtest("vtimer", test_vtimer, NULL);
	subtest("gic", test_gic, NULL);
	return 0;
}
