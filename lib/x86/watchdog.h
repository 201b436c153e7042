/*
 * A watchdog for checks that wait in HLT for an interrupt a hypervisor
 * might lose: watchdog_arm(ns) has the last CPU send the calling CPU a
 * fixed IPI on WATCHDOG_VECTOR once ns have passed, unless
 * watchdog_disarm() came first, so the HLT ends and the check FAILs
 * instead of the test hanging.  watchdog_disarm() waits for that CPU and
 * says whether the watchdog fired.  The vector's handler is the
 * library's (it EOIs); the interrupt may equally exit to an L1 that
 * intercepts interrupts.  Needs two CPUs (have_cpus(2)) with
 * apic_cpu_init() done on each; one watchdog at a time.
 */
#ifndef VMUNIT_X86_WATCHDOG_H
#define VMUNIT_X86_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

void watchdog_arm(uint64_t ns);
bool watchdog_disarm(void);

#endif
