/* The selftest's fatal endings, common to every arch (see selftest.h). */
#include "panic.h"
#include "report.h"
#include "selftest.h"
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

bool selftest_fatal(const char *mode, void (*raise)(void))
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "unexpected", NULL }, { "assert", fail_assert },
		{ "overflow", overflow }, { "nochecks", nothing },
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
