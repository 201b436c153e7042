/*
 * Running functions on other CPUs.  Secondary CPUs are started at boot and
 * wait in an idle loop; on_cpu() runs fn(arg) on one CPU and returns when
 * it has finished, on_cpus() runs it on every CPU (the caller's included)
 * and returns when all have.  on_cpu_async() only posts fn to another CPU
 * (after its previous work has finished) and on_cpu_done() tells when fn
 * has returned, e.g. to wait with a timeout.  fn runs with that CPU's
 * percpu state (report prefixes, fault slot).  Call them from one CPU at a
 * time (normally the boot CPU), never from fn itself or from an exception
 * handler.
 */
#ifndef VMUNIT_SMP_H
#define VMUNIT_SMP_H

#include <stdbool.h>

unsigned int nr_cpus(void);
unsigned int smp_id(void);
void on_cpu(unsigned int cpu, void (*fn)(void *), void *arg);
void on_cpus(void (*fn)(void *), void *arg);
void on_cpu_async(unsigned int cpu, void (*fn)(void *), void *arg);
bool on_cpu_done(unsigned int cpu);

/*
 * Gate on n CPUs: true when there are; else a SKIP when the run asked for
 * fewer, a NOTRUN when it asked for them and they did not all come up
 * (lib/start.c's boot check failed), and false.
 */
bool have_cpus(unsigned int n);

/* For arch code: CPUs present, and the idle loop a started CPU enters. */
void smp_set_nr_cpus(unsigned int n);
__attribute__((noreturn)) void smp_secondary_idle(void);

#endif
