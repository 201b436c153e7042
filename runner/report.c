#define _GNU_SOURCE
#include "report.h"

#include <string.h>

void report_begin(struct report *r, size_t ntests)
{
	if (!r->tap)
		return;
	fprintf(r->tap, "TAP version 13\n1..%zu\n", ntests);
	fflush(r->tap);
}

/* Guest lines arrive with "\r\n" from serial consoles. */
static int visible_len(const char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == '\r')
		n--;
	return (int)n;
}

void report_guest_line(struct report *r, const struct test *t, const char *line)
{
	FILE *f = r->console ? r->console : r->tap;

	if (!r->verbose || !f)
		return;
	fprintf(f, "%s%s: %.*s\n", r->console ? "" : "# ", t->name,
		visible_len(line), line);
	fflush(f);
}

void tap_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void tap_check(FILE *f, unsigned n, const struct check *c)
{
	static const char *const prefix[CHECK_NR_KINDS] = {
		[CHECK_PASS] = "ok", [CHECK_FAIL] = "not ok",
		[CHECK_SKIP] = "ok", [CHECK_XFAIL] = "not ok",
		[CHECK_XPASS] = "not ok",
	};
	static const char *const suffix[CHECK_NR_KINDS] = {
		[CHECK_SKIP] = " # SKIP",
		[CHECK_XFAIL] = " # TODO expected failure",
		[CHECK_XPASS] = " (XPASS: passed, expected to fail)",
	};

	fprintf(f, "    %s %u - ", prefix[c->kind], n);
	tap_escape(f, c->msg);
	fprintf(f, "%s\n", suffix[c->kind] ? suffix[c->kind] : "");
}

static void tap_subtest(FILE *f, const struct result *res)
{
	const struct vparse *vp = res->vp;

	if (!vp || !vp->nchecks)
		return;
	fputs("    # Subtest: ", f);
	tap_escape(f, res->test->name);
	fprintf(f, "\n    1..%zu\n", vp->nchecks);
	for (size_t i = 0; i < vp->nchecks; i++)
		tap_check(f, i + 1, &vp->checks[i]);
}

static void tap_result(struct report *r, const struct result *res)
{
	FILE *f = r->tap;

	tap_subtest(f, res);
	fprintf(f, "%s %u - ", res->v == V_PASS || res->v == V_SKIP ? "ok" : "not ok",
		++r->ntap);
	tap_escape(f, res->test->name);
	if (res->v == V_SKIP) {
		fputs(" # SKIP ", f);
		tap_escape(f, res->reason);
	} else if (res->v != V_PASS || *res->reason) {
		fprintf(f, " (%s%s", res->v == V_PASS ? "" : verdict_name(res->v),
			res->v == V_PASS ? "" : ": ");
		tap_escape(f, res->reason);
		fputc(')', f);
	}
	fputc('\n', f);
	fflush(f);
}

static void count(struct report *r, enum verdict v)
{
	if (v == V_PASS)
		r->passed++;
	else if (v == V_SKIP)
		r->skipped++;
	else
		r->failed++;
}

void report_result(struct report *r, const struct result *res)
{
	count(r, res->v);
	if (r->console) {
		char line[1024];

		verdict_line(line, sizeof(line), res->v, res->test->name, res->reason);
		fprintf(r->console, "%s\n", line);
		fflush(r->console);
	}
	if (r->tap)
		tap_result(r, res);
}

void report_end(struct report *r, int sig)
{
	if (r->tap && sig)
		fprintf(r->tap, "Bail out! interrupted by SIG%s\n", sigabbrev_np(sig) ?: "?");
	if (r->tap)
		fprintf(r->tap, "# %u passed, %u failed, %u skipped\n", r->passed,
			r->failed, r->skipped);
	if (r->console)
		fprintf(r->console, "%u passed, %u failed, %u skipped\n", r->passed,
			r->failed, r->skipped);
	if (r->tap)
		fflush(r->tap);
	if (r->console)
		fflush(r->console);
}
