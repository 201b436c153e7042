/* Host tests of runner/baseline.c and check names: parsing, applying, writing. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "baseline.h"

static char path[] = "/tmp/vmunit-baseline-XXXXXX";

static int make_file(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static struct baseline *load(const char *text, struct err *e)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return baseline_load(path, e);
}

#define name_len check_name_len

static void test_check_names(void **state)
{
	(void)state;
	assert_int_equal(name_len("a: two (got 1, want 2)"), strlen("a: two"));
	assert_int_equal(name_len("divide by 2 (TDCR 0) (want 5 Hz)"),
			 strlen("divide by 2 (TDCR 0)"));
	assert_int_equal(name_len("x (a (b) c)"), 1);
	assert_int_equal(name_len("plain"), 5);
	assert_int_equal(name_len("f(x)"), 4);		/* no blank before '(' */
	assert_int_equal(name_len("odd) (x)"), 4);
	assert_int_equal(name_len("unbalanced x)"), 13);
	assert_int_equal(name_len("(all detail)"), 12);	/* nothing before: all name */
	assert_int_equal(name_len(""), 0);
}

static void expect_error(const char *text, const char *msg)
{
	struct err e;
	char *want;

	assert_null(load(text, &e));
	assert_true(asprintf(&want, "%s:%s", path, msg) > 0);
	assert_string_equal(e.msg, want);
	free(want);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("test: a\n", "1: record without 'reason'");
	expect_error("# c\n\nreason: r\n", "3: record without 'test'");
	expect_error("test: a\nreason: r\ncolor: red\n",
		     "3: want 'key: value' (test, check, verdict, arch, accel, vmm, kernel, box-vmm, reason, link)");
	expect_error("test: a\ntest: b\n", "2: a second 'test' in one record");
	expect_error("test: a\nreason:\n", "2: empty 'reason'");
	expect_error("test: a\nreason: r\nverdict: SKIP\n",
		     "3: verdict 'SKIP': want FAIL, ERROR, TIMEOUT or CRASH");
	expect_error("test: a\nreason: r\naccel: auto\n", "3: accel 'auto': want kvm or tcg");
	expect_error("test: a\nreason: r\nvmm: xen\n", "3: vmm 'xen': want qemu or bochs");
	expect_error("\n\ntest: a\ncheck: c\nverdict: FAIL\nreason: r\n",
		     "3: 'check' and 'verdict': a check record is about FAIL checks");
	expect_error("test: a\nreason: r\narch: vax\n",
		     "3: arch 'vax': want x86_64, arm64 or s390x");
}

/* A finished test with these check lines, its verdict from the parser. */
struct run {
	struct test t;
	struct vparse vp;
	struct result r;
};

static void finish(struct run *x, const char *name, enum verdict v, const char *const *lines)
{
	x->t = (struct test){ .name = (char *)name, .expect = -1, .arch = ARCH_X86_64,
			      .vmm = VMM_QEMU, .accel = ACCEL_TCG };
	vp_init(&x->vp);
	for (; *lines; lines++)
		vp_line(&x->vp, *lines);
	x->r = (struct result){ .test = &x->t, .v = v, .vp = &x->vp };
	snprintf(x->r.reason, sizeof(x->r.reason), "2 of 3 checks failed");
}

static const char *const two_fail[] = {
	"PASS: a: one", "FAIL: a: two (got 1)", "FAIL: b: three [x] (got 2)", NULL
};

static void test_known_checks(void **state)
{
	struct baseline *b;
	struct run x;
	struct err e;

	(void)state;
	b = load("test: t*\ncheck: a: two\nreason: bug 1\n", &e);
	assert_non_null(b);
	finish(&x, "t1", V_FAIL, two_fail);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_FAIL);	/* b: three is new */
	assert_string_equal(x.r.reason, "2 of 3 checks failed, 1 more known");
	assert_int_equal(x.vp.checks[1].kind, CHECK_XFAIL);
	assert_string_equal(x.vp.checks[1].known, "bug 1");
	assert_int_equal(x.vp.checks[2].kind, CHECK_FAIL);
	vp_free(&x.vp);
	baseline_free(b);

	b = load("test: t1\ncheck: a: two\nreason: bug 1\n\n"
		 "test: t1\ncheck: b: three \\[x]\nreason: bug 2\nlink: https://bugs/2\n", &e);
	assert_non_null(b);
	finish(&x, "t1", V_FAIL, two_fail);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_XFAIL);
	assert_string_equal(x.r.reason, "known: bug 1; 2 of 3 checks failed");
	assert_int_equal(x.vp.count[CHECK_FAIL], 0);
	assert_int_equal(x.vp.count[CHECK_XFAIL], 2);
	vp_free(&x.vp);
	baseline_free(b);
}

static void test_filters_and_verdicts(void **state)
{
	static const char *const none[] = { NULL };
	struct baseline *b;
	struct run x;
	struct err e;

	(void)state;
	b = load("test: t1\ncheck: a: two\naccel: kvm\nreason: kvm only\n\n"
		 "test: t1\ncheck: b: *\nvmm: bochs\nreason: bochs only\n\n"
		 "test: t1\ncheck: a: two\narch: arm64\nreason: arm only\n\n"
		 "test: hang\nverdict: TIMEOUT\nreason: slow\n", &e);
	assert_non_null(b);
	finish(&x, "t1", V_FAIL, two_fail);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_FAIL);
	assert_int_equal(x.vp.count[CHECK_XFAIL], 0);
	vp_free(&x.vp);

	finish(&x, "hang", V_TIMEOUT, none);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_XFAIL);
	assert_string_equal(x.r.reason, "known: slow; 2 of 3 checks failed");
	vp_free(&x.vp);

	finish(&x, "hang", V_CRASH, none);	/* a crash is news */
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_CRASH);
	vp_free(&x.vp);

	baseline_free(b);
	b = load("test: hang\nverdict: TIMEOUT\nkernel: debian-6.1[0-9]\nreason: 6.1x only\n", &e);
	assert_non_null(b);
	finish(&x, "hang", V_TIMEOUT, none);	/* not a box run: not applied */
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_TIMEOUT);
	vp_free(&x.vp);
	baseline_box(b, "debian-6.1", "qemu");
	finish(&x, "hang", V_TIMEOUT, none);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_TIMEOUT);
	vp_free(&x.vp);
	baseline_box(b, "debian-6.12", "qemu");
	finish(&x, "hang", V_TIMEOUT, none);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_XFAIL);
	vp_free(&x.vp);
	baseline_free(b);
	b = load("test: hang\nverdict: TIMEOUT\nbox-vmm: bochs:*\nreason: the Intel box only\n", &e);
	assert_non_null(b);
	baseline_box(b, "debian-6.12", "qemu");
	finish(&x, "hang", V_TIMEOUT, none);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_TIMEOUT);
	vp_free(&x.vp);
	baseline_box(b, "debian-6.12", "bochs:tigerlake:1");
	finish(&x, "hang", V_TIMEOUT, none);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_XFAIL);
	vp_free(&x.vp);

	finish(&x, "t1", V_FAIL, two_fail);	/* an entry with expect: left alone */
	x.t.expect = V_FAIL;
	x.t.accel = ACCEL_KVM;
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.vp.count[CHECK_XFAIL], 0);
	vp_free(&x.vp);
	baseline_free(b);
}

static void test_fixed_notice(void **state)
{
	static const char *const passes[] = { "PASS: a: two (got 2)", NULL };
	struct baseline *b;
	struct run x;
	struct err e;
	char *want;

	(void)state;
	b = load("test: t1\ncheck: a: two\nreason: bug 1\n\n"
		 "test: t1\nverdict: FAIL\nreason: all of it\n", &e);
	assert_non_null(b);
	finish(&x, "t1", V_PASS, passes);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_PASS);
	assert_true(asprintf(&want, "fixed? %s:1 (check a: two) passes: remove it from the baseline; "
			     "fixed? %s:5 (verdict FAIL) passes: remove it from the baseline",
			     path, path) > 0);
	assert_string_equal(x.r.notice, want);
	free(want);
	vp_free(&x.vp);
	baseline_free(b);
}

static bool file_has(const char *text)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* Written, then read back: the new records know exactly today's failures. */
static void test_write_round_trip(void **state)
{
	static const char *const none[] = { NULL };
	struct baseline *b;
	struct run x, y;
	struct err e;

	(void)state;
	b = load("test: gone\ncheck: x\nreason: not run today: kept\n\n"
		 "test: t1\ncheck: zzz\nreason: fixed: dropped\n", &e);
	assert_non_null(b);
	finish(&x, "t1", V_FAIL, two_fail);
	baseline_apply(b, &x.r, &x.vp);
	baseline_note(b, &x.r);
	finish(&y, "hang", V_TIMEOUT, none);
	baseline_apply(b, &y.r, &y.vp);
	baseline_note(b, &y.r);
	assert_int_equal(baseline_write(b, path, &e), 0);
	baseline_free(b);
	vp_free(&x.vp);
	vp_free(&y.vp);
	assert_true(file_has("test: gone\ncheck: x\n"));
	assert_false(file_has("zzz"));
	assert_true(file_has("test: t1\ncheck: b: three \\[x]\narch: x86_64\naccel: tcg\n"
			     "vmm: qemu\nreason: failed on "));
	assert_true(file_has("test: hang\nverdict: TIMEOUT\n"));

	b = baseline_load(path, &e);
	assert_non_null(b);
	finish(&x, "t1", V_FAIL, two_fail);
	baseline_apply(b, &x.r, &x.vp);
	assert_int_equal(x.r.v, V_XFAIL);	/* "b: three [x]" quoted as a glob */
	finish(&y, "hang", V_TIMEOUT, none);
	baseline_apply(b, &y.r, &y.vp);
	assert_int_equal(y.r.v, V_XFAIL);
	assert_memory_equal(y.r.reason, "known: failed on 20", 18);	/* and the date */
	vp_free(&x.vp);
	vp_free(&y.vp);
	baseline_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_names),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_known_checks),
		cmocka_unit_test(test_filters_and_verdicts),
		cmocka_unit_test(test_fixed_notice),
		cmocka_unit_test(test_write_round_trip),
	};

	return cmocka_run_group_tests(tests, make_file, remove_file);
}
