/* A watchdog NMI from another CPU (lib/x86/watchdog.h). */
#include <stddef.h>
#include "apic.h"
#include "desc.h"
#include "smp.h"
#include "time.h"
#include "watchdog.h"

static volatile bool cancelled, fired;
static unsigned int target;

static void on_watchdog(struct ex_regs *r)
{
}

static void watch(void *ns)
{
	if (!wait_for(cancelled, (uint64_t)ns)) {
		fired = true;
		apic_nmi(target);
	}
}

void watchdog_arm(uint64_t ns)
{
	handle_exception(NMI_VECTOR, on_watchdog);
	cancelled = fired = false;
	target = smp_id();
	on_cpu_async(nr_cpus() - 1, watch, (void *)ns);
}

bool watchdog_disarm(void)
{
	cancelled = true;
	while (!on_cpu_done(nr_cpus() - 1))
		cpu_relax();
	handle_exception(NMI_VECTOR, NULL);
	return fired;
}
