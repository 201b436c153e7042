/* The selftest's fatal endings, common to every arch (see selftest.h). */
#include "alloc.h"
#include "arch.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "smp.h"
#include "report.h"
#include "selftest.h"
#include "start.h"
#include "string.h"

static void fail_assert(void)
{
	volatile int two = 2;

	report_pass("about to fail an assertion");
	assert(two == 3);
}

static unsigned int recurse(volatile unsigned int depth)
{
	volatile char frame[512];

	frame[0] = depth;
	if (depth == ~0u)	/* never: the guard page stops us first */
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void overflow(void)
{
	report_pass("about to overflow the stack into its guard page");
	recurse(0);
}

static void nothing(void)
{
}

/* The negative entries: a false check and a passing XFAIL must end as FAIL. */
static void false_check(void)
{
	report(true, "a true check passes");
	report(false, "a false check fails (this entry expects FAIL)");
}

static void xpass(void)
{
	report(true, "a true check passes");
	report_xfail(true, true, "a passing check marked XFAIL is an XPASS (this entry expects FAIL)");
}

static uint64_t hw_ids[MAX_CPUS];
static unsigned int ran_mask;
static uint64_t (*hw_id_fn)(void);

/* Prefixes are per CPU: only the caller's carries its own prefix. */
static void on_each_cpu(void *arg)
{
	unsigned int id = smp_id(), caller = *(unsigned int *)arg;
	const char *outer = id == caller ? this_cpu()->prefix : "";
	char want[PREFIX_MAX];

	snprintf(want, sizeof(want), "%scpu%u: ", outer, id);
	report_prefix_push("cpu%u", id);
	report(!strcmp(this_cpu()->prefix, want), "its own report prefix (%s)",
	       this_cpu()->prefix);
	report_prefix_pop();
	hw_ids[id] = hw_id_fn();
	__atomic_fetch_or(&ran_mask, 1u << id, __ATOMIC_RELAXED);
}

void selftest_smp(uint64_t (*hw_id)(void))
{
	unsigned int n = nr_cpus(), self = smp_id();
	bool distinct = true;

	hw_id_fn = hw_id;
	report_info("%u CPUs", n);
	on_cpus(on_each_cpu, &self);
	report(ran_mask == (1u << n) - 1, "on_cpus ran on every CPU (mask %#x, %u CPUs)",
	       ran_mask, n);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			distinct = distinct && hw_ids[i] != hw_ids[j];
	report(distinct, "every CPU has its own hardware ID");
}

bool selftest_fatal(const char *mode, void (*raise)(void))
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "unexpected", NULL }, { "assert", fail_assert },
		{ "overflow", overflow }, { "nochecks", nothing },
		{ "fail", false_check }, { "xpass", xpass },
	};

	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(mode, modes[i].name)) {
			if (modes[i].fn)
				modes[i].fn();
			else
				raise();
			return true;
		}
	}
	return false;
}

void selftest_printf(const void *arg)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d %#lx %-3s|%5.2s|", -7, 0xabcul, "ab", "xyz");
	report(!strcmp(buf, "-7 0xabc ab |   xy|"), "snprintf (got \"%s\")", buf);
}

/*
 * Firmware may keep some RAM for itself (run_firmware_slack()).  Bochs
 * 2.7 maps RAM below 4 GiB only up to its PCI hole at 3 GiB and puts only
 * what is past 4 GiB above it: its E820 map lacks the 1 GiB between (its
 * BIOS reports 0xbfef0000 bytes at 1 MiB and want - 4 GiB at 4 GiB).  An
 * XFAIL there when exactly that is what is missing; a map without the
 * high entry misses more and FAILs.
 */
#define BOCHS_UNMAPPED (1ull << 30)

void selftest_memory(const void *arg)
{
	uint64_t want = (uint64_t)run_memory_mib() << 20, got = arch_ram_bytes();
	uint64_t slack = run_firmware_slack(want);
	bool bochs_hole = run_on_vmm("bochs") && want > 1ull << 32 && got < want &&
			  want - got >= BOCHS_UNMAPPED && want - got <= BOCHS_UNMAPPED + slack;

	require(want, "the run's memory size: needs vmunit.mem=<MiB> (the runner gives it)");
	report_xfail(bochs_hole, got <= want && got + slack >= want,
		     "the platform reports the RAM the run asked for (%#lx bytes, want %lu MiB; "
		     "firmware may keep %lu KiB%s)", got, want >> 20, slack >> 10,
		     bochs_hole ? "; Bochs 2.7: the GiB under 4 GiB from its PCI hole at 3 GiB "
				  "is not mapped above 4 GiB" : "");
}

void selftest_alloc_basics(size_t free0)
{
	void *p = alloc_pages(2), *q;

	report(p && !((uintptr_t)p & (4 * PAGE_SIZE - 1)), "alloc_pages(2) is 16K aligned (%p)", p);
	free_pages(p, 2);
	report(page_free_count() == free0, "free restores the count (%zu)", page_free_count());
	q = malloc(100);
	report(q && !((uintptr_t)q & 15), "malloc is 16-byte aligned (%p)", q);
	free(q);
}
