/*
 * The TOD clock and the clock comparator (PoP chapter 4, "Timing").  Bit
 * 51 of the TOD clock ticks once per microsecond: TOD_USEC units.  A
 * clock-comparator external interruption (EXT_CLOCK_COMP) is pending while
 * the TOD clock is higher than the comparator; it is taken when CR0's
 * clock-comparator subclass mask (CR0_CLOCK_COMP) and the PSW's external
 * mask are both on.  SCKC/STCKC are privileged; STCKF needs facility 25.
 * The clock comparator is per CPU.  None of these fault in supervisor
 * state on a machine that has them.
 */
#ifndef VMUNIT_S390X_TOD_H
#define VMUNIT_S390X_TOD_H

#include <stdint.h>

#define TOD_USEC 4096ull

/* STORE CLOCK: condition code 0 set, 1 not set, 2 error, 3 stopped/not operational. */
static inline int stck(uint64_t *tod)
{
	int cc;

	asm volatile("stck %1\n\t"
		     "ipm %0\n\t"
		     "srl %0, 28"
		     : "=d"(cc), "=Q"(*tod)
		     :
		     : "cc");
	return cc;
}

static inline uint64_t tod_now(void)
{
	uint64_t tod;

	stck(&tod);
	return tod;
}

/* STORE CLOCK FAST (facility 25): the clock without STCK's uniqueness. */
static inline uint64_t stckf(void)
{
	uint64_t tod;

	asm volatile("stckf %0" : "=Q"(tod) : : "cc");
	return tod;
}

static inline void sckc(uint64_t v)
{
	asm volatile("sckc %0" : : "Q"(v));
}

static inline uint64_t stckc(void)
{
	uint64_t v;

	asm volatile("stckc %0" : "=Q"(v));
	return v;
}

/* Spin until the TOD clock has advanced us microseconds. */
static inline void tod_delay_us(uint64_t us)
{
	uint64_t end = tod_now() + us * TOD_USEC;

	while (tod_now() < end)
		;
}

#endif
