/* Host tests of runner/report.c: console lines, TAP 13, the closing line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"

static char *buf;
static size_t len;
static FILE *out;

static int open_out(void **state)
{
	(void)state;
	out = open_memstream(&buf, &len);
	return out ? 0 : -1;
}

static int close_out(void **state)
{
	(void)state;
	fclose(out);
	free(buf);
	return 0;
}

static void output_is(const char *want)
{
	fflush(out);
	assert_string_equal(buf, want);
}

static struct test test_named(const char *name)
{
	return (struct test){ .name = (char *)name, .expect = -1 };
}

static struct result result(const struct test *t, enum verdict v,
			    const char *reason, const struct vparse *vp)
{
	struct result r = { .test = t, .v = v, .vp = vp };

	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	return r;
}

static void test_console(void **state)
{
	struct report rep = { .console = out, .verbose = true };
	struct test a = test_named("selftest"), b = test_named("hang");
	struct test c = test_named("cpuid");
	struct result r;

	(void)state;
	report_begin(&rep, 3);
	report_guest_line(&rep, &a, "PASS: x\r");
	r = result(&a, V_PASS, "14 checks, 2 skipped", NULL);
	report_result(&rep, &r);
	r = result(&b, V_TIMEOUT, "no verdict after 90 s", NULL);
	report_result(&rep, &r);
	r = result(&c, V_SKIP, "requires accel=kvm (running tcg)", NULL);
	report_result(&rep, &r);
	report_end(&rep, 0);
	output_is("selftest: PASS: x\n"
		  "PASS selftest (14 checks, 2 skipped)\n"
		  "TIMEOUT hang (no verdict after 90 s)\n"
		  "SKIP cpuid (requires accel=kvm (running tcg))\n"
		  "1 passed, 1 failed, 1 skipped\n");
}

static void test_tap(void **state)
{
	struct report rep = { .tap = out, .verbose = true };
	struct test a = test_named("apic"), b = test_named("x86_64/msr");
	struct test c = test_named("pmu");
	struct vparse vp;
	struct result r;

	(void)state;
	vp_init(&vp);
	vp_line(&vp, "PASS: timer: one-shot #1 fires");
	vp_line(&vp, "SKIP: tsc-deadline: CPUID.1:ECX.TSC_DEADLINE[24]");
	vp_line(&vp, "XFAIL: known \\ broken");
	vp_line(&vp, "FAIL: got 1, want 2");
	vp_line(&vp, "XPASS: fixed?");
	report_begin(&rep, 3);
	report_guest_line(&rep, &a, "booting");
	r = result(&a, V_FAIL, "2 of 5 checks failed", &vp);
	report_result(&rep, &r);
	r = result(&b, V_PASS, "expected ERROR: #GP", NULL);
	report_result(&rep, &r);
	r = result(&c, V_SKIP, "needs PDCM # really", NULL);
	report_result(&rep, &r);
	report_end(&rep, 0);
	output_is("TAP version 13\n"
		  "# apic: booting\n"
		  "ok 1 - apic: timer: one-shot \\#1 fires\n"
		  "ok 2 - apic: tsc-deadline: CPUID.1:ECX.TSC_DEADLINE[24] # SKIP\n"
		  "not ok 3 - apic: known \\\\ broken # TODO expected failure\n"
		  "not ok 4 - apic: got 1, want 2\n"
		  "not ok 5 - apic: fixed? (XPASS: passed, expected to fail)\n"
		  "not ok 6 - apic (FAIL: 2 of 5 checks failed)\n"
		  "ok 7 - x86_64/msr (expected ERROR: \\#GP)\n"
		  "ok 8 - pmu # SKIP needs PDCM \\# really\n"
		  "1..8\n"
		  "# 1 passed, 1 failed, 1 skipped\n");
	vp_free(&vp);
}

/* No guest text can end a TAP line, fake a directive or break UTF-8. */
static void test_tap_escape(void **state)
{
	(void)state;
	tap_escape(out, "a\rnot ok 99 - x\f\x1b[31m\x7f # \\ \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	tap_escape(out, " bad: \xff \xc3 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80\n");
	output_is("a\\x0dnot ok 99 - x\\x0c\\x1b[31m\\x7f \\# \\\\ \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"
		  " bad: \\xff \\xc3 \\xc0\\xaf \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80\\x0a");
}

/* An entry that expects FAIL passes; its failing checks are TODO, not failures. */
static void test_tap_expected_fail(void **state)
{
	struct report rep = { .tap = out, .note = "note: kvm not usable (x); using tcg" };
	struct test t = test_named("negative");
	struct vparse vp;
	struct result r;

	(void)state;
	t.expect = V_FAIL;
	vp_init(&vp);
	vp_line(&vp, "FAIL: false is reported as false");
	report_begin(&rep, 1);
	r = result(&t, V_PASS, "expected FAIL: 1 of 1 checks failed", &vp);
	report_result(&rep, &r);
	report_end(&rep, 0);
	output_is("TAP version 13\n# note: kvm not usable (x); using tcg\n"
		  "not ok 1 - negative: false is reported as false # TODO the entry expects FAIL\n"
		  "ok 2 - negative (expected FAIL: 1 of 1 checks failed)\n"
		  "1..2\n# 1 passed, 0 failed, 0 skipped\n");
	vp_free(&vp);
}

static void test_interrupted(void **state)
{
	struct report rep = { .tap = out };

	(void)state;
	report_begin(&rep, 2);
	report_end(&rep, SIGINT);
	output_is("TAP version 13\nBail out! interrupted by SIGINT\n"
		  "# 0 passed, 0 failed, 0 skipped\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_console, open_out, close_out),
		cmocka_unit_test_setup_teardown(test_tap, open_out, close_out),
		cmocka_unit_test_setup_teardown(test_interrupted, open_out, close_out),
		cmocka_unit_test_setup_teardown(test_tap_escape, open_out, close_out),
		cmocka_unit_test_setup_teardown(test_tap_expected_fail, open_out, close_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
