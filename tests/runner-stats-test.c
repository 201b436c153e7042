/*
 * Host tests of runner/stats.c and QMP replies (runner/qmp.c), on replies
 * recorded from QEMU 10 on KVM around x86/kvmstats (tests/data/qmp-*.json:
 * 1000 OUTs, 1000 CPUIDs, 100 HLTs; this KVM counts the OUTs as emulated
 * instructions, not io_exits).
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
#include <json-c/json.h>

#include "qmp.h"
#include "stats.h"

static struct stats st;

/* QMP replies by id into st, as run.c does. */
static void on_reply(void *ctx, const char *id, struct json_object *ret)
{
	struct stats *s = ctx;

	stats_add_reply(!strncmp(id, "before-", 7) ? &s->before : &s->after, strchr(id, '-') + 1,
			ret);
}

static void no_event(void *ctx, const char *event, const char *reason)
{
	(void)ctx;
	(void)reason;
	fail_msg("an event %s in a reply stream", event);
}

/* A recorded reply fed to the QMP parser in 7-byte pieces. */
static void feed(struct qmp *q, const char *name)
{
	char path[256], *text;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/qmp-%s.json", getenv("SRCDIR") ?: ".", name);
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 1 << 16);
	n = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	for (size_t off = 0; off < n; off += 7)
		qmp_feed(q, text + off, n - off < 7 ? n - off : 7, no_event, NULL);
	free(text);
}

static int load(void **state)
{
	struct qmp q = { .fd = -1, .tok = json_tokener_new(), .reply = on_reply, .reply_ctx = &st };

	(void)state;
	feed(&q, "before-vm");
	feed(&q, "before-vcpu");
	feed(&q, "after-vm");
	feed(&q, "after-vcpu");
	json_tokener_free(q.tok);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	stats_free(&st);
	return 0;
}

static void test_deltas(void **state)
{
	int64_t d;

	(void)state;
	assert_int_equal(st.before.parts, 3);
	assert_int_equal(st.after.parts, 3);
	assert_true(stats_delta(&st, "halt_exits", &d));
	assert_int_equal(d, 100);
	assert_true(stats_delta(&st, "io_exits", &d));
	assert_int_equal(d, 0);
	assert_true(stats_delta(&st, "exits", &d));
	assert_true(d >= 1000 && d < 3000);
	assert_false(stats_delta(&st, "guest_mode", &d));	/* a flag, not a number */
	assert_false(stats_delta(&st, "halt_wait_hist", &d));	/* a histogram */
	assert_false(stats_delta(&st, "no_such_stat", &d));
}

/* What the checks said, one "+ text" (holds) or "- text" line each. */
static char said[1024];

static void record(void *ctx, bool holds, const char *text)
{
	(void)ctx;
	snprintf(said + strlen(said), sizeof(said) - strlen(said), "%c %s\n", holds ? '+' : '-',
		 text);
}

static int evaluate(const char *checks)
{
	char why[64];

	*said = '\0';
	return stats_evaluate(&st, checks, record, NULL, why, sizeof(why));
}

/* Every check is evaluated and said, not only up to the first that fails. */
static void test_checks(void **state)
{
	(void)state;
	assert_int_equal(evaluate("halt_exits >= 100; exits > 1000"), 0);
	assert_string_equal(said, "+ stats: halt_exits 100, want >= 100 (cfg)\n"
				  "+ stats: exits 1903, want > 1000 (cfg)\n");
	assert_int_equal(evaluate("io_exits >= 1000;nosuch > 0; halt_exits == 100"), 2);
	assert_string_equal(said, "- stats: io_exits 0, want >= 1000 (cfg)\n"
				  "- stats: cfg check 'nosuch > 0': KVM has no statistic nosuch\n"
				  "+ stats: halt_exits 100, want == 100 (cfg)\n");
	assert_true(stats_line(&st, "STAT-EXPECT: halt_exits < 50\r"));
	assert_false(stats_line(&st, "PASS: STAT-EXPECT: x"));
	assert_int_equal(evaluate(NULL), 1);
	assert_string_equal(said, "- stats: halt_exits 100, want < 50 (guest)\n");
	*said = '\0';
	assert_int_equal(stats_unchecked(&st, "exits > 0", "KVM's statistics only (running tcg)",
					 record, NULL), 2);
	assert_string_equal(said, "- stats: cfg check 'exits > 0': KVM's statistics only (running tcg)\n"
				  "- stats: guest check 'halt_exits < 50': KVM's statistics only (running tcg)\n");
}

static void test_missing_snapshot(void **state)
{
	struct stats none = { 0 };
	char why[128];

	(void)state;
	none.before.parts = 3;
	*said = '\0';
	assert_int_equal(stats_evaluate(&none, "exits > 0", record, NULL, why, sizeof(why)), -1);
	assert_string_equal(said, "");
	assert_string_equal(why, "stats: the last snapshot was not read");
}

/* Values at the edges of 64 bits saturate and give no delta (found by tests/fuzz). */
static void test_overflow(void **state)
{
	struct stats s = { 0 };
	struct json_object *big = json_tokener_parse(
		"[{\"provider\": \"kvm\", \"stats\": [{\"name\": \"x\", \"value\": 9223372036854775807}]}]");
	struct json_object *neg = json_tokener_parse(
		"[{\"provider\": \"kvm\", \"stats\": [{\"name\": \"x\", \"value\": -9223372036854775807}]}]");
	int64_t d;

	(void)state;
	stats_add_reply(&s.after, "vcpu", big);
	stats_add_reply(&s.after, "vcpu", big);	/* a second vCPU: the sum saturates */
	stats_add_reply(&s.before, "vcpu", neg);
	assert_int_equal(s.after.v[0].value, INT64_MAX);
	assert_false(stats_delta(&s, "x", &d));	/* INT64_MAX - (-INT64_MAX) */
	json_object_put(big);
	json_object_put(neg);
	stats_free(&s);
}

static void test_parse(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(stats_parse_check("io_exits >= 1000", &e), 0);
	assert_int_equal(stats_parse_check(" exits!=0 ", &e), 0);
	assert_int_equal(stats_parse_check("io_exits => 1000", &e), -1);
	assert_int_equal(stats_parse_check("io_exits >= ", &e), -1);
	assert_int_equal(stats_parse_check("io_exits >= 10 x", &e), -1);
	assert_int_equal(stats_parse_check("IO >= 1", &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_missing_snapshot),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
