/*
 * Host tests of runner/symbols.c, on this test's own executable (linked
 * without PIE, so a function's address is its address in the ELF).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "symbols.h"

static struct symbols *self;

__attribute__((noinline)) int sample(int x)
{
	return x * 3 + 1;
}

static int setup(void **state)
{
	(void)state;
	self = symbols_open("/proc/self/exe");
	return self ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	symbols_close(self);
	return 0;
}

static void test_open(void **state)
{
	(void)state;
	assert_null(symbols_open("/nonexistent/payload.elf"));
	assert_null(symbols_open("/proc/self/cmdline"));	/* not an ELF */
}

static void test_name(void **state)
{
	char buf[256];

	(void)state;
	assert_true(symbols_name(self, (uintptr_t)sample, false, buf, sizeof(buf)));
	assert_memory_equal(buf, "sample+0x0 at ", 14);
	assert_non_null(strstr(buf, "runner-symbols-test.c:"));
	assert_false(symbols_name(self, 0x10, false, buf, sizeof(buf)));
	assert_true(symbols_name(self, (uintptr_t)sample, false, buf, 8));	/* cut, terminated */
	assert_string_equal(buf, "sample+");
}

static void test_reason(void **state)
{
	char r[256], want[256], name[200];

	(void)state;
	snprintf(r, sizeof(r), "unexpected exception #UD (vector 6) at rip %#lx (then more)",
		 (unsigned long)(uintptr_t)sample);
	assert_true(symbols_reason(self, r, sizeof(r)));
	assert_true(symbols_name(self, (uintptr_t)sample, false, name, sizeof(name)));
	*strstr(name, " at ") = '\0';
	snprintf(want, sizeof(want), "%#lx, ", (unsigned long)(uintptr_t)sample);
	assert_non_null(strstr(r, want));
	assert_non_null(strstr(r, "runner-symbols-test.c:"));
	assert_non_null(strstr(r, " in sample+0x0 (then more)"));

	snprintf(r, sizeof(r), "at pc 0x10 and at pc %#lx", (unsigned long)(uintptr_t)sample);
	assert_true(symbols_reason(self, r, sizeof(r)));	/* the last one */
	assert_memory_equal(r, "at pc 0x10 and", 14);

	snprintf(r, sizeof(r), "at rip 0x10");			/* no function there */
	assert_false(symbols_reason(self, r, sizeof(r)));
	snprintf(r, sizeof(r), "at rip 0xg, at pc x1");
	assert_false(symbols_reason(self, r, sizeof(r)));
	snprintf(r, 40, "a long reason at pc %#lx", (unsigned long)(uintptr_t)sample);
	assert_true(symbols_reason(self, r, 40));		/* no room: unchanged */
	assert_memory_equal(r, "a long reason at pc 0x", 22);
	assert_null(strchr(r, ','));
}

static void test_backtrace(void **state)
{
	char line[2048], *text;
	int n;

	(void)state;
	assert_null(symbols_backtrace(self, "PASS: backtrace: 0x1"));
	assert_null(symbols_backtrace(self, "backtrace: nothing"));
	snprintf(line, sizeof(line), "backtrace: %#lx 0x10 0xzz %#lx",
		 (unsigned long)(uintptr_t)sample, (unsigned long)(uintptr_t)sample);
	text = symbols_backtrace(self, line);
	assert_non_null(text);
	assert_non_null(strstr(text, "  #0 0x"));
	assert_non_null(strstr(text, " sample+0x0 at "));
	assert_non_null(strstr(text, "  #1 0x10 ?\n"));
	assert_null(strstr(text, "#2"));			/* it stops at the bad word */
	free(text);
	n = snprintf(line, sizeof(line), "backtrace:");
	for (int i = 0; i < 100; i++)
		n += snprintf(line + n, sizeof(line) - n, " 0x%x", 16 + i);
	text = symbols_backtrace(self, line);
	assert_non_null(text);
	assert_non_null(strstr(text, "#63 "));
	assert_null(strstr(text, "#64 "));			/* SYM_MAX_FRAMES */
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_backtrace),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
