/*
 * A monotonic clock in microseconds on every arch, from an arbitrary start:
 * the TSC on x86 (lib/x86/time.h calibrates it on first use), the generic
 * timer's virtual count on arm64, the TOD clock on s390x.  For timeouts of
 * polls that must not depend on how fast a device or the host is.
 */
#ifndef VMUNIT_CLOCK_H
#define VMUNIT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch.h"

uint64_t clock_us(void);

/*
 * Poll cond until it holds or timeout_us passed, with cpu_relax() between
 * looks (a hypervisor's PAUSE-loop exiting sees the wait); whether it held.
 */
#define poll_until(cond, timeout_us)					\
	({								\
		uint64_t __end = clock_us() + (timeout_us);		\
		bool __ok;						\
		while (!(__ok = (cond)) && clock_us() < __end)		\
			cpu_relax();					\
		__ok;							\
	})

#endif
