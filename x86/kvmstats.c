/*
 * kvmstats: known amounts of work that exit to KVM, for the runner's KVM
 * statistics (cfg stats/stats_check, runner/stats.h): port writes, HLTs
 * woken by the LAPIC timer, CPUIDs; the guest states what they must add
 * up to in STAT-EXPECT lines, and the runner checks them against KVM's
 * counters.  Its own checks: the CPUIDs agree, each HLT is woken.  Under TCG the
 * runner has no statistics ("stats: kvm only"), the work still runs.
 */
#include "vmunit.h"
#include "apic.h"
#include "cpuid.h"
#include "desc.h"
#include "processor.h"
#include "printf.h"

#define PORT_WRITES	1000
#define HALTS		100
#define CPUIDS		1000
#define VEC		0x53
#define PORT		0x80	/* POST codes */

static volatile unsigned int ticks;

static void on_tick(struct ex_regs *regs)
{
	ticks++;
	apic_eoi();
}

int main(int argc, char **argv)
{
	unsigned int woken = 0;
	uint32_t sum = 0;

	for (unsigned int i = 0; i < PORT_WRITES; i++)
		outb(PORT, i);
	report_info("%u port writes done", PORT_WRITES);	/* the runner counts them */
	printf("STAT-EXPECT: io_exits >= %u\n", PORT_WRITES);

	for (unsigned int i = 0; i < CPUIDS; i++)
		sum += cpuid_raw(0, 0).a;
	report(sum == CPUIDS * cpuid_raw(0, 0).a, "%u CPUIDs", CPUIDS);
	printf("STAT-EXPECT: exits >= %u\n", PORT_WRITES + CPUIDS);

	handle_exception(VEC, on_tick);
	apic_cpu_init();
	apic_write(APIC_TDCR, 0xb);	/* divide by 1 */
	apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | VEC);
	apic_write(APIC_TMICT, 100000);	/* some 100 us at the usual rates */
	for (unsigned int i = 0; i < HALTS; i++) {
		unsigned int before = ticks;

		safe_halt();	/* STI; HLT: the tick wakes it */
		irq_disable();
		woken += ticks != before;
	}
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
	report(woken == HALTS, "%u HLTs, each woken by the timer (%u)", HALTS, woken);
	printf("STAT-EXPECT: halt_exits >= %u\n", HALTS);
	return 0;
}
