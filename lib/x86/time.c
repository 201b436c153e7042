/* TSC frequency and conversions (lib/x86/time.h). */
#include <stddef.h>
#include "clock.h"
#include "cpuid.h"
#include "time.h"

#define PIT_HZ 1193182ull
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_LATCH_CH0 0x00
#define PIT_CH0_MODE2 0x34	/* channel 0, lobyte/hibyte, rate generator */
#define CALIBRATE_TICKS (PIT_HZ / 50)	/* 20 ms */

static uint64_t hz;
static const char *source;

static uint16_t pit_count(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, PIT_LATCH_CH0);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return lo | hi << 8;
}

/* PIT ticks against TSC cycles over CALIBRATE_TICKS; a 16-bit count wraps. */
static uint64_t pit_window_hz(void)
{
	uint64_t ticks = 0, t0;
	uint16_t prev;

	outb(PIT_CMD, PIT_CH0_MODE2);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);		/* 65536: the longest period */
	prev = pit_count();
	t0 = rdtsc();
	while (ticks < CALIBRATE_TICKS) {
		uint16_t now = pit_count();

		ticks += (uint16_t)(prev - now);
		prev = now;
	}
	return (rdtsc() - t0) * PIT_HZ / ticks;
}

/*
 * The median of three windows: a vCPU preempted between a PIT read and its
 * RDTSC skews one window (low at the start, high at the end or past a wrap),
 * and on a loaded host that is not rare.
 */
uint64_t pit_tsc_hz(void)
{
	uint64_t a = pit_window_hz(), b = pit_window_hz(), c = pit_window_hz();

	if (a > b) {
		uint64_t t = a;

		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

uint64_t tsc_cpuid_hz(const char **leaf)
{
	struct cpuid c = cpuid(0x15, 0);

	*leaf = NULL;
	if (c.a && c.b && c.c) {
		*leaf = "CPUID.0x15";
		return (uint64_t)c.c * c.b / c.a;
	}
	if ((c = cpuid(0x16, 0)).a) {
		*leaf = "CPUID.0x16";
		return c.a * 1000000ull;
	}
	return 0;
}

uint64_t tsc_hz(void)
{
	uint64_t pit, said;
	const char *leaf;

	if (hz)
		return hz;
	pit = pit_tsc_hz();
	said = tsc_cpuid_hz(&leaf);
	if (said && (said > pit ? said - pit : pit - said) < pit / 20) {
		source = leaf;
		hz = said;
	} else {
		source = "the PIT";
		hz = pit;
	}
	return hz;
}

const char *tsc_hz_source(void)
{
	tsc_hz();
	return source;
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	return (unsigned __int128)tsc * 1000000000u / tsc_hz();
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return (unsigned __int128)ns * tsc_hz() / 1000000000u;
}

uint64_t clock_us(void)
{
	return now_ns() / 1000;
}
