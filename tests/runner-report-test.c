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
	return (struct test){ .name = (char *)name };
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
		  "1..3\n"
		  "# apic: booting\n"
		  "    # Subtest: apic\n"
		  "    1..5\n"
		  "    ok 1 - timer: one-shot \\#1 fires\n"
		  "    ok 2 - tsc-deadline: CPUID.1:ECX.TSC_DEADLINE[24] # SKIP\n"
		  "    not ok 3 - known \\\\ broken # TODO expected failure\n"
		  "    not ok 4 - got 1, want 2\n"
		  "    not ok 5 - fixed? (XPASS: passed, expected to fail)\n"
		  "not ok 1 - apic (FAIL: 2 of 5 checks failed)\n"
		  "ok 2 - x86_64/msr (expected ERROR: \\#GP)\n"
		  "ok 3 - pmu # SKIP needs PDCM \\# really\n"
		  "# 1 passed, 1 failed, 1 skipped\n");
	vp_free(&vp);
}

static void test_interrupted(void **state)
{
	struct report rep = { .tap = out };

	(void)state;
	report_begin(&rep, 2);
	report_end(&rep, SIGINT);
	output_is("TAP version 13\n1..2\nBail out! interrupted by SIGINT\n"
		  "# 0 passed, 0 failed, 0 skipped\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_console, open_out, close_out),
		cmocka_unit_test_setup_teardown(test_tap, open_out, close_out),
		cmocka_unit_test_setup_teardown(test_interrupted, open_out, close_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
