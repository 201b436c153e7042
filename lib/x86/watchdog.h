/*
 * A watchdog for checks that wait in HLT for an interrupt a hypervisor
 * might lose: watchdog_arm(ns) has the last CPU send the calling CPU an
 * NMI once ns have passed, unless watchdog_disarm() came first, so the
 * HLT ends (whatever IF and interrupt masking say) and the check FAILs
 * instead of the test hanging.  watchdog_disarm() waits for that CPU,
 * puts the default NMI handling back and says whether the watchdog
 * fired.  While armed the NMI handler is the library's (it does
 * nothing); an L2 that does not exit on NMIs takes it through the IDT it
 * shares with L1.  Needs two CPUs (have_cpus(2)) with apic_cpu_init()
 * done on each; one watchdog at a time; not for tests of NMIs.
 */
#ifndef VMUNIT_X86_WATCHDOG_H
#define VMUNIT_X86_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

void watchdog_arm(uint64_t ns);
bool watchdog_disarm(void);

#endif
