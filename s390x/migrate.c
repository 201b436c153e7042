/*
 * migrate: s390x state that must survive a live migration (lib/migrate.h),
 * each subtest migrating once in the middle (cfg entry migrate-live;
 * migrate runs the same checks unmigrated):
 * - tod: the TOD clock read after the migration is past the one before;
 * - comparator: a clock comparator set an hour ahead reads back the same;
 * - cpu-timer: a CPU timer set to an hour goes on counting down from
 *   where it was (below the hour, far above 0), not reset;
 * - prefix: the prefix register and control register 0 stay.
 */
#include "vmunit.h"
#include "migrate.h"
#include "processor.h"
#include "start.h"
#include "tod.h"

#define HOUR_US 3600000000ull

static void test_tod(const void *arg)
{
	uint64_t before = tod_now(), after;

	migrate();
	after = tod_now();
	report(after > before, "the TOD clock goes on from where it was (%#lx, then %#lx)",
	       before, after);
}

static void test_comparator(const void *arg)
{
	uint64_t ckc = tod_now() + HOUR_US * TOD_USEC;

	sckc(ckc);
	migrate();
	report(stckc() == ckc, "the clock comparator holds its value (%#lx, want %#lx)", stckc(),
	       ckc);
	sckc(~0ull);
}

static int64_t stpt(void)
{
	int64_t v;

	asm volatile("stpt %0" : "=Q"(v));
	return v;
}

static void spt(int64_t v)
{
	asm volatile("spt %0" : : "Q"(v));
}

static void test_cpu_timer(const void *arg)
{
	int64_t set = HOUR_US * TOD_USEC, left;

	spt(set);
	migrate();
	left = stpt();
	report(left < set && left > set / 2, "the CPU timer counts on from where it was "
	       "(%#lx of %#lx)", left, set);
	spt(set);
}

static void test_prefix(const void *arg)
{
	uint32_t before, after;
	uint64_t cr0 = stctg(0);

	asm volatile("stpx %0" : "=Q"(before));
	migrate();
	asm volatile("stpx %0" : "=Q"(after));
	report(after == before, "the prefix register stays (%#x, was %#x)", after, before);
	report(stctg(0) == cr0, "control register 0 stays (%#lx, was %#lx)", stctg(0), cr0);
}

int main(int argc, char **argv)
{
	report_info("%s", run_migrates() ? "migrating in each subtest" : "not migrating");
	subtest("tod", test_tod, NULL);
	subtest("comparator", test_comparator, NULL);
	subtest("cpu-timer", test_cpu_timer, NULL);
	subtest("prefix", test_prefix, NULL);
	return 0;
}
