/*
 * Host tests of runner/cfg.c (unittests.cfg parsing and its error lines) and
 * runner/select.c (which entries run).
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

#include "cfg.h"
#include "select.h"
#include "verdict.h"

static struct cfg cfg;
static struct err err;

/* Parse text as "unittests.cfg"; returns cfg_parse_file()'s result. */
static int parse(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	cfg_free(&cfg);
	err.msg[0] = '\0';
	r = cfg_parse_file(f, "unittests.cfg", &cfg, &err);
	fclose(f);
	return r;
}

static void expect_error(const char *text, const char *msg)
{
	assert_int_equal(parse(text), -1);
	assert_string_equal(err.msg, msg);
}

static void test_good_file(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"# comment\n"
		"[selftest]\n"
		"file = selftest\n"
		"\n"
		"[apic-2cpu]\n"
		"file = apic\n"
		"arch = x86_64 s390x\n"
		"smp = 2\n"
		"memory = 256\n"
		"args = mem=256 verbose\n"
		"qemu_params = -device 'virtio-rng,id=a b' -global x=y\n"
		"machine = q35\n"
		"cpu = max,+x2apic\n"
		"accel = kvm\n"
		"timeout = 90\n"
		"groups = quick apic\n"
		"check = /sys/module/kvm/parameters/x=Y\n"
		"expect = ERROR:  unexpected #UD\n"), 0);
	assert_int_equal(cfg.n, 2);

	const struct cfg_entry *a = &cfg.entries[0], *b = &cfg.entries[1];

	assert_string_equal(a->name, "selftest");
	assert_int_equal(a->line, 2);
	assert_string_equal(a->file, "selftest");
	assert_int_equal(a->arch_mask, ARCH_MASK_ALL);
	assert_int_equal(a->smp, CFG_DEFAULT_SMP);
	assert_int_equal(a->memory, CFG_DEFAULT_MEMORY);
	assert_int_equal(a->timeout, CFG_DEFAULT_TIMEOUT);
	assert_int_equal(a->accel, ACCEL_AUTO);
	assert_int_equal(a->expect, -1);
	assert_null(a->expect_reason);
	assert_null(a->args);
	assert_null(a->qemu_params);

	assert_int_equal(b->line, 5);
	assert_int_equal(b->arch_mask, (1u << ARCH_X86_64) | (1u << ARCH_S390X));
	assert_int_equal(b->smp, 2);
	assert_int_equal(b->memory, 256);
	assert_string_equal(b->args, "mem=256 verbose");
	assert_string_equal(b->qemu_params, "-device 'virtio-rng,id=a b' -global x=y");
	assert_string_equal(b->machine, "q35");
	assert_string_equal(b->cpu, "max,+x2apic");
	assert_int_equal(b->accel, ACCEL_KVM);
	assert_int_equal(b->timeout, 90);
	assert_int_equal(b->expect, V_ERROR);
	assert_string_equal(b->expect_reason, "unexpected #UD");
	assert_true(word_in_list(b->groups, "apic"));
	assert_false(word_in_list(b->groups, "api"));
	assert_string_equal(b->check, "/sys/module/kvm/parameters/x=Y");
	assert_int_equal(b->expect, V_ERROR);
}

/* Every value is taken whole: no inline comments, no continuation lines. */
static void test_values_whole(void **state)
{
	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf[t]\r\nfile = t\r\nargs = mem=64 ; alpha # beta\r\n"
			       "  ; an indented comment\n\tgroups = a=b  c\n"), 0);
	assert_string_equal(cfg.entries[0].args, "mem=64 ; alpha # beta");
	assert_string_equal(cfg.entries[0].groups, "a=b  c");
	expect_error("[t]\nfile = t\nqemu_params = -a 1\n  -b 2\n",
		     "unittests.cfg:4: syntax error: want [section], key = value or a comment");
	/* A key repeated is an error for every key. */
	expect_error("[t]\nfile = t\narch = arm64\narch = s390x\n",
		     "unittests.cfg:4: duplicate key 'arch'");
	expect_error("[t]\nfile = t\nargs = a\nargs = b\n", "unittests.cfg:4: duplicate key 'args'");
	expect_error("[t]\nfile = t\narch =\n", "unittests.cfg:3: empty value for 'arch'");
	{
		static const char nul[] = "[t]\nfile = t\nargs = a\0b\n";
		FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");

		cfg_free(&cfg);
		assert_int_equal(cfg_parse_file(f, "unittests.cfg", &cfg, &err), -1);
		assert_string_equal(err.msg, "unittests.cfg:3: NUL byte in the line");
		fclose(f);
	}
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("[a]\nfile = a\n\n; c\n[b]\nfile = b\nsmpp = 2\n",
		     "unittests.cfg:7: unknown key 'smpp'");
}

static void test_duplicate_section(void **state)
{
	(void)state;
	expect_error("[a]\nfile = a\n[b]\nfile = b\n\n[a]\nfile = c\n",
		     "unittests.cfg:6: duplicate section [a] (first at line 1)");
	/* Back to back, too. */
	expect_error("[a]\nfile = a\n[a]\nfile = c\n",
		     "unittests.cfg:3: duplicate section [a] (first at line 1)");
}

static void test_bad_integer(void **state)
{
	(void)state;
	expect_error("[a]\nfile = a\nsmp = two\n",
		     "unittests.cfg:3: bad integer 'two' for 'smp' (1..4096)");
	expect_error("[a]\nfile = a\ntimeout = 0\n",
		     "unittests.cfg:3: bad integer '0' for 'timeout' (1..86400)");
	expect_error("[a]\nfile = a\nmemory = -1\n",
		     "unittests.cfg:3: bad integer '-1' for 'memory' (1..16777216)");
	expect_error("[a]\nfile = a\nsmp = 2x\n",
		     "unittests.cfg:3: bad integer '2x' for 'smp' (1..4096)");
	expect_error("[a]\nfile = a\nsmp = $MAX_SMPS\n",
		     "unittests.cfg:3: bad integer '$MAX_SMPS' for 'smp' (1..4096)");
	assert_int_equal(parse("[a]\nfile = a\nsmp = $MAX_SMP\n"), 0);
	assert_int_equal(cfg.entries[0].smp, CFG_SMP_MAX);
}

static void test_missing_file(void **state)
{
	(void)state;
	expect_error("[a]\nfile = a\n\n[b]\nsmp = 2\n",
		     "unittests.cfg:4: [b] has no 'file' key");
	expect_error("[a]\nfile = a\n[empty]\n[c]\nfile = c\n",
		     "unittests.cfg:3: section has no keys (missing 'file')");
	expect_error("[a]\nfile = a\n[last]\n",
		     "unittests.cfg:3: section has no keys (missing 'file')");
}

static void test_bad_names(void **state)
{
	(void)state;
	expect_error("[a]\nfile = a\narch = x86\n",
		     "unittests.cfg:3: unknown arch 'x86' (x86_64, arm64, s390x)");
	expect_error("[a]\nfile = a\naccel = hvf\n",
		     "unittests.cfg:3: unknown accel 'hvf' (kvm or tcg)");
	expect_error("[a]\nfile = a\nexpect = BROKEN\n",
		     "unittests.cfg:3: unknown verdict in expect 'BROKEN'");
	expect_error("[a/b]\nfile = a\n",
		     "unittests.cfg:1: bad section name 'a/b' (letters, digits, _ . + -)");
}

static void test_other_errors(void **state)
{
	(void)state;
	expect_error("file = a\n[a]\nfile = a\n",
		     "unittests.cfg:1: key 'file' outside a [section]");
	expect_error("[a]\nfile = a\nthis is not ini\n",
		     "unittests.cfg:3: syntax error: want [section], key = value or a comment");
	expect_error("[a\nfile = a\n", "unittests.cfg:1: syntax error: want [name] alone on the line");
	expect_error("[a] x\nfile = a\n", "unittests.cfg:1: syntax error: want [name] alone on the line");
	expect_error("[a]\n= a\n",
		     "unittests.cfg:2: syntax error: want [section], key = value or a comment");
	expect_error("[a]\nfile = a\nsmp = 1\nsmp = 2\n",
		     "unittests.cfg:4: duplicate key 'smp'");
	expect_error("[a]\nfile = a\ncheck = /sys/x\n",
		     "unittests.cfg:3: bad check '/sys/x' (want path=value)");
	expect_error("[a]\nfile = a\nqemu_params = -device 'x\n",
		     "unittests.cfg:3: unterminated ' quote in qemu_params");
	expect_error("[a]\nfile =\n", "unittests.cfg:2: empty value for 'file'");
	expect_error("[a]\nfile = a\nboot = uefi\n",
		     "unittests.cfg:3: unknown boot 'uefi' (direct or efi)");
}

static void test_first_error_wins(void **state)
{
	(void)state;
	expect_error("[a]\nfile = a\nbogus = 1\nsmp = x\n",
		     "unittests.cfg:3: unknown key 'bogus'");
	expect_error("[a]\nfile = a\nnot ini\nsmp = x\n",
		     "unittests.cfg:3: syntax error: want [section], key = value or a comment");
}

/* No limit on a line's length, and time linear in the number of sections. */
static void test_long_lines_many_sections(void **state)
{
	size_t n = 50000, cap = n * 48 + 100000;
	char *text = malloc(cap), *p = text;

	(void)state;
	p += sprintf(p, "[long]\nfile = a\nargs = ");
	memset(p, 'x', 70000);
	p += 70000;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "\n[t%zu]\nfile = selftest\ngroups = g", i);
	*p = '\0';
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.n, n + 1);
	assert_int_equal(strlen(cfg.entries[0].args), 70000);
	assert_string_equal(cfg.entries[n].name, "t49999");
	free(text);
}

static void test_load_missing(void **state)
{
	(void)state;
	cfg_free(&cfg);
	assert_int_equal(cfg_load("/nonexistent/unittests.cfg", &cfg, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/unittests.cfg: No such file or directory");
}

static const char sel_cfg[] =
	"[apic]\nfile = apic\narch = x86_64\ngroups = quick timers\n"
	"[apic-x2]\nfile = apic\narch = x86_64\n"
	"[its]\nfile = its\narch = arm64\ngroups = quick\n"
	"[selftest]\nfile = selftest\ngroups = quick\n"
	"[big]\nfile = selftest\narch = x86_64\ngroups = quick nodefault\n";

static bool all;	/* --all */

/* Names of the selection, "arch/name" separated by spaces, then "-" and those left out; or the error. */
static char *selected(unsigned mask, const char *group, char *const *pats)
{
	struct sel_opts o = { .arch_mask = mask, .group = group, .patterns = pats, .all = all };
	struct selection s;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	while (pats && pats[o.npatterns])
		o.npatterns++;
	if (select_tests(&cfg, &o, &s, &err)) {
		fputs(err.msg, f);
	} else {
		for (size_t i = 0; i < s.n; i++)
			fprintf(f, "%s%s/%s", i ? " " : "", arch_info(s.v[i].arch)->name,
				s.v[i].entry->name);
		for (size_t i = 0; i < s.left_out.n; i++)
			fprintf(f, " -%s", s.left_out.v[i]);
		selection_free(&s);
	}
	fclose(f);
	return out;
}

static void selection_is(unsigned mask, const char *group, char *const *pats,
			 const char *want)
{
	char *got = selected(mask, group, pats);

	assert_string_equal(got, want);
	free(got);
}

#define X86 (1u << ARCH_X86_64)
#define ARM (1u << ARCH_ARM64)
#define PATS(...) ((char *const[]){ __VA_ARGS__, NULL })

static void test_select(void **state)
{
	(void)state;
	assert_int_equal(parse(sel_cfg), 0);
	selection_is(X86, NULL, NULL,
		     "x86_64/apic x86_64/apic-x2 x86_64/selftest -x86_64/big");
	selection_is(X86 | ARM, "quick", NULL,
		     "x86_64/apic x86_64/selftest x86_64/big arm64/its arm64/selftest");
	selection_is(ARCH_MASK_ALL, NULL, PATS("apic*", "selftest"),
		     "x86_64/apic x86_64/apic-x2 x86_64/selftest arm64/selftest "
		     "s390x/selftest");
	selection_is(X86, "timers", PATS("apic"), "x86_64/apic");
	/* nodefault: chosen by --all, a group, a name or a glob; else left out */
	selection_is(X86, NULL, PATS("b*"), "x86_64/big");
	selection_is(ARM, NULL, NULL, "arm64/its arm64/selftest");
	all = true;
	selection_is(X86, NULL, NULL, "x86_64/apic x86_64/apic-x2 x86_64/selftest x86_64/big");
	all = false;
}

static void test_select_errors(void **state)
{
	(void)state;
	assert_int_equal(parse(sel_cfg), 0);
	selection_is(X86, NULL, PATS("apic", "foo"),
		     "unknown test 'foo' (not in unittests.cfg)");
	selection_is(X86, NULL, PATS("f*"),
		     "unknown test 'f*' (not in unittests.cfg)");
	selection_is(X86, NULL, PATS("its"), "'its' matches no test for x86_64");
	selection_is(X86, "timers", PATS("selftest"),
		     "'selftest' matches no test for x86_64 in group 'timers'");
	selection_is(X86, "slow", NULL, "unknown group 'slow' (not in unittests.cfg)");
}

static void test_arch_list(void **state)
{
	unsigned mask;

	(void)state;
	assert_int_equal(parse_arch_list("all", &mask, &err), 0);
	assert_int_equal(mask, ARCH_MASK_ALL);
	assert_int_equal(parse_arch_list("aarch64,x86_64", &mask, &err), 0);
	assert_int_equal(mask, X86 | ARM);
	assert_int_equal(parse_arch_list("x86_64,riscv64", &mask, &err), -1);
	assert_string_equal(err.msg, "unknown arch 'riscv64' (x86_64, arm64, s390x or all)");
}

static int teardown(void **state)
{
	(void)state;
	cfg_free(&cfg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_file, teardown),
		cmocka_unit_test_teardown(test_values_whole, teardown),
		cmocka_unit_test_teardown(test_unknown_key, teardown),
		cmocka_unit_test_teardown(test_duplicate_section, teardown),
		cmocka_unit_test_teardown(test_bad_integer, teardown),
		cmocka_unit_test_teardown(test_missing_file, teardown),
		cmocka_unit_test_teardown(test_bad_names, teardown),
		cmocka_unit_test_teardown(test_other_errors, teardown),
		cmocka_unit_test_teardown(test_first_error_wins, teardown),
		cmocka_unit_test_teardown(test_long_lines_many_sections, teardown),
		cmocka_unit_test_teardown(test_load_missing, teardown),
		cmocka_unit_test_teardown(test_select, teardown),
		cmocka_unit_test_teardown(test_select_errors, teardown),
		cmocka_unit_test_teardown(test_arch_list, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
