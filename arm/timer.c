/*
 * timer: the generic timers as a hypervisor presents them (ARM ARM D11):
 * for the virtual and the EL1 physical timer, CNTx_TVAL writes set CVAL to
 * count + TVAL, ISTATUS reports the timer condition, a masked timer (IMASK)
 * raises no interrupt, and an unmasked one interrupts once its count
 * reaches CVAL, through the PPI the device tree names.  At EL2 (VHE, the
 * "el2" argument with virtualization=on) the same checks cover the EL2
 * virtual and physical timers.  "level": the PPI is level-sensitive (GIC
 * arch. 4.1.1; ARM ARM D11.2.4), so with the PPI disabled its pending state
 * follows the timer condition: pending once count >= CVAL, not after
 * CTL.ENABLE is cleared, not with IMASK set; and a timer armed by TVAL
 * wakes a CPU in WFI.  Needs a GICv3 and "arm,armv8-timer".
 */
#include "vmunit.h"
#include "devtree.h"
#include "gic.h"
#include "processor.h"

#define CTL_ENABLE	(1u << 0)
#define CTL_IMASK	(1u << 1)
#define CTL_ISTATUS	(1u << 2)

struct timer {
	const char *name;
	int dt_index;		/* in the "interrupts" of arm,armv8-timer */
	uint64_t (*count)(void);
	uint64_t (*ctl)(void);
	void (*set_ctl)(uint64_t);
	uint64_t (*cval)(void);
	void (*set_cval)(uint64_t);
	void (*set_tval)(uint64_t);
};

#define TIMER_OPS(t, cnt)						\
	static uint64_t t##_count(void) { return read_sysreg(cnt); }	\
	static uint64_t t##_ctl(void) { return read_sysreg(t##_ctl_el0); } \
	static void t##_set_ctl(uint64_t v) { write_sysreg(t##_ctl_el0, v); isb(); } \
	static uint64_t t##_cval(void) { return read_sysreg(t##_cval_el0); } \
	static void t##_set_cval(uint64_t v) { write_sysreg(t##_cval_el0, v); isb(); } \
	static void t##_set_tval(uint64_t v) { write_sysreg(t##_tval_el0, v); isb(); }
TIMER_OPS(cntv, cntvct_el0)
TIMER_OPS(cntp, cntpct_el0)

#define TIMER(t, label, idx)						\
	{ label, idx, t##_count, t##_ctl, t##_set_ctl, t##_cval, t##_set_cval, t##_set_tval }
/* At EL2 with HCR_EL2.E2H set the same names reach the EL2 timers. */
static const struct timer el1_timers[] = {
	TIMER(cntv, "virtual", 2),
	TIMER(cntp, "EL1 physical", 1),
};
static const struct timer el2_timers[] = {
	TIMER(cntv, "EL2 virtual", 4),
	TIMER(cntp, "EL2 physical", 3),
};

static const struct timer *current;
static volatile unsigned int fired;
static volatile uint64_t fired_at;

static void timer_handler(unsigned int intid)
{
	fired_at = current->count();
	current->set_ctl(CTL_ENABLE | CTL_IMASK);	/* drop the level */
	fired++;
}

/* Spin for ms milliseconds of the counter. */
static void spin_ms(const struct timer *t, unsigned int ms)
{
	uint64_t end = t->count() + read_sysreg(cntfrq_el0) * ms / 1000;

	while (t->count() < end)
		;
}

static void test_timer(const void *arg)
{
	const struct timer *t = arg;
	int intid = dt_interrupt_by_compatible("arm,armv8-timer", t->dt_index);
	uint64_t freq = read_sysreg(cntfrq_el0), cval, now, after;

	require(intid >= 16 && intid < 32,
		"no PPI for it in \"arm,armv8-timer\" interrupts (entry %d)", t->dt_index);
	current = t;
	gic_set_handler(intid, timer_handler);
	gic_enable(intid, true);

	t->set_ctl(0);
	now = t->count();
	t->set_tval(freq);		/* one second ahead */
	after = t->count();
	cval = t->cval();
	report(cval >= now + freq && cval <= after + freq,
	       "TVAL write sets CVAL to count + TVAL (%#lx, count %#lx..%#lx)", cval, now, after);

	t->set_ctl(CTL_ENABLE | CTL_IMASK);
	report(!(t->ctl() & CTL_ISTATUS), "ISTATUS clear before CVAL");
	t->set_cval(t->count() - 1);
	report(t->ctl() & CTL_ISTATUS, "ISTATUS set once count >= CVAL (ctl %#lx)", t->ctl());
	spin_ms(t, 10);
	report(!fired && !gic_pending(intid), "masked: no interrupt, nothing pending");

	t->set_ctl(0);
	cval = t->count() + freq / 100;	/* 10 ms */
	t->set_cval(cval);
	t->set_ctl(CTL_ENABLE);
	/* Generous for a loaded host; then 10 ms more for a second one. */
	for (unsigned int ms = 0; ms < 2000 && !fired; ms++)
		spin_ms(t, 1);
	spin_ms(t, 10);
	report(fired == 1, "unmasked: exactly one interrupt (%u)", fired);
	report(fired && fired_at >= cval, "not before CVAL (at %#lx, CVAL %#lx)", fired_at, cval);
	t->set_ctl(0);
	gic_enable(intid, false);
	fired = 0;
}

/* The PPI's pending state reaching want within 100 ms (a hypervisor updates it at its pace). */
static bool pending_becomes(int intid, bool want)
{
	for (unsigned int ms = 0; ms < 100; ms++) {
		if (gic_pending(intid) == want)
			return true;
		spin_ms(current, 1);
	}
	return gic_pending(intid) == want;
}

static void test_level(const void *arg)
{
	const struct timer *t = arg;
	int intid = dt_interrupt_by_compatible("arm,armv8-timer", t->dt_index);
	uint64_t cval;

	require(intid >= 16 && intid < 32,
		"no PPI for it in \"arm,armv8-timer\" interrupts (entry %d)", t->dt_index);
	current = t;
	gic_set_handler(intid, timer_handler);
	gic_enable(intid, false);
	t->set_cval(t->count() - 1);
	t->set_ctl(CTL_ENABLE);
	report(pending_becomes(intid, true), "PPI %d disabled: pending while count >= CVAL", intid);
	t->set_ctl(0);
	report(pending_becomes(intid, false), "... not pending once CTL.ENABLE is cleared");
	t->set_ctl(CTL_ENABLE | CTL_IMASK);
	report(pending_becomes(intid, false) && (t->ctl() & CTL_ISTATUS),
	       "... nor with IMASK set, ISTATUS set (ctl %#lx)", t->ctl());
	t->set_ctl(0);

	fired = 0;
	gic_enable(intid, true);
	t->set_tval(read_sysreg(cntfrq_el0) / 100);	/* 10 ms */
	cval = t->cval();
	t->set_ctl(CTL_ENABLE);
	asm volatile("dsb sy; wfi" : : : "memory");
	/* WFI may also end early (spuriously): wait for the interrupt after it */
	for (unsigned int ms = 0; ms < 2000 && !fired; ms++)
		spin_ms(t, 1);
	report(fired == 1 && fired_at >= cval, "TVAL 10 ms, then WFI: woken by its interrupt, "
	       "once, not before CVAL (%u, at %#lx, CVAL %#lx)", fired, fired_at, cval);
	t->set_ctl(0);
	gic_enable(intid, false);
	fired = 0;
}

int main(int argc, char **argv)
{
	if (!gic_init()) {
		report_skip("no GICv3: device tree has no \"arm,gic-v3\" (QEMU: gic-version=3)");
		return 0;
	}
	irq_enable();
	for (unsigned int i = 0; i < ARRAY_SIZE(el1_timers); i++) {
		const struct timer *t = current_el() == 2 ? &el2_timers[i] : &el1_timers[i];

		subtest(t->name, test_timer, t);
		report_prefix_push("level");
		subtest(t->name, test_level, t);
		report_prefix_pop();
	}
	return 0;
}
