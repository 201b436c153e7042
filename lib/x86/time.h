/*
 * Time on x86 from the TSC.  tsc_hz() is what CPUID says
 * (tsc_cpuid_hz(): 0x15, crystal clock x EBX / EAX, else 0x16, base MHz)
 * when that agrees within 5% with a calibration against PIT channel 0
 * (pit_tsc_hz(): the median of three windows of latched counts over 20 ms,
 * no interrupt, no port 0x61:
 * microvm has no speaker port), else the PIT's figure; tsc_hz_source()
 * says which, for the log.  Call tsc_hz() once on one CPU before others
 * use time.  now_ns() counts from an arbitrary start, the same on every
 * CPU as far as their TSCs agree.
 */
#ifndef VMUNIT_X86_TIME_H
#define VMUNIT_X86_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "processor.h"

/*
 * How long to wait for an interrupt that must come (a loaded host is
 * slow), and how long to watch for one that must not.
 */
#define ARRIVES_NS	2000000000ull	/* 2 s */
#define STAYS_NS	20000000ull	/* 20 ms */

uint64_t tsc_hz(void);
const char *tsc_hz_source(void);
/* CPUID's TSC frequency and which leaf said it, or 0 and NULL. */
uint64_t tsc_cpuid_hz(const char **leaf);
uint64_t pit_tsc_hz(void);
uint64_t tsc_to_ns(uint64_t tsc);
uint64_t ns_to_tsc(uint64_t ns);

static inline uint64_t now_ns(void)
{
	return tsc_to_ns(rdtsc());
}

/* Evaluates cond until it holds or timeout_ns pass; whether it held. */
#define wait_for(cond, timeout_ns)					\
	({								\
		uint64_t __end = now_ns() + (timeout_ns);		\
		bool __ok;						\
		while (!(__ok = (cond)) && now_ns() < __end)		\
			cpu_relax();					\
		__ok;							\
	})

#endif
