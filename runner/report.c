#define _GNU_SOURCE
#include "report.h"

#include <stdlib.h>
#include <string.h>

static void progress_clear(struct report *r)
{
	if (r->progress)
		fputs("\r\033[K", r->console);
}

/* "[done/total] elapsed, N failed: running names" (the names cut at 60). */
static void progress_draw(struct report *r)
{
	char names[64] = "";
	size_t len = 0;

	if (!r->progress)
		return;
	for (size_t i = 0; i < r->running && len < sizeof(names) - 1; i++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s", i ? " " : "",
				r->run[i]->name);
	fprintf(r->console, "\r\033[K[%u/%zu] %llds, %u failed: %s",
		r->passed + r->failed + r->skipped + r->xfailed, r->total, (now_ms() - r->t0) / 1000,
		r->failed, names);
	fflush(r->console);
}

void report_started(struct report *r, const struct test *t)
{
	r->run = xrealloc(r->run, (r->running + 1) * sizeof(*r->run));
	r->run[r->running++] = t;
	progress_draw(r);
}

static void progress_finished(struct report *r, const struct test *t)
{
	for (size_t i = 0; i < r->running; i++)
		if (r->run[i] == t) {
			r->run[i] = r->run[--r->running];
			return;
		}
}

void report_begin(struct report *r, size_t ntests)
{
	r->total = ntests;
	r->t0 = now_ms();
	if (r->console && r->platform)
		fprintf(r->console, "# %s\n", r->note);
	if (r->console && r->left_out)
		fprintf(r->console, "# %s\n", r->left_out);
	if (!r->tap)
		return;
	fputs("TAP version 13\n", r->tap);
	if (r->note)
		fprintf(r->tap, "# %s\n", r->note);
	if (r->left_out)
		fprintf(r->tap, "# %s\n", r->left_out);
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
	progress_clear(r);
	if (r->console) {
		fprintf(f, "%s: %.*s\n", t->name, visible_len(line), line);
	} else {	/* a TAP comment: escaped as every TAP line is */
		char *text = xasprintf("%.*s", visible_len(line), line);

		fputs("# ", f);
		tap_escape(f, t->name);
		fputs(": ", f);
		tap_escape(f, text);
		fputc('\n', f);
		free(text);
	}
	fflush(f);
}

/* Length of the UTF-8 sequence at s (1-4), or 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 :
		s[0] < 0xf5 ? 4 : 0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;	/* overlong, surrogate, above U+10FFFF */
	return n;
}

void tap_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		int n = utf8_len(s);

		if (*s == '#' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (!n || *s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", *s);
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
}

/* A check's test point; failures an entry's expect covers are TODO. */
static void tap_check(struct report *r, const struct result *res, const struct check *c)
{
	static const char *const prefix[CHECK_NR_KINDS] = {
		[CHECK_PASS] = "ok", [CHECK_FAIL] = "not ok",
		[CHECK_SKIP] = "ok", [CHECK_XFAIL] = "not ok",
		[CHECK_XPASS] = "not ok", [CHECK_NOTRUN] = "ok",
	};
	static const char *const suffix[CHECK_NR_KINDS] = {
		[CHECK_SKIP] = " # SKIP", [CHECK_NOTRUN] = " # SKIP not run",
		[CHECK_XFAIL] = " # TODO expected failure",
		[CHECK_XPASS] = " (XPASS: passed, expected to fail)",
	};
	const struct test *t = res->test;
	bool expected = res->v == V_PASS && t->expect >= 0 && t->expect != V_PASS;

	fprintf(r->tap, "%s %u - ", prefix[c->kind], ++r->ntap);
	tap_escape(r->tap, t->name);
	fputs(": ", r->tap);
	tap_escape(r->tap, c->msg);
	if (c->known) {
		fputs(" # TODO known: ", r->tap);
		tap_escape(r->tap, c->known);
	} else {
		fputs(suffix[c->kind] ? suffix[c->kind] : "", r->tap);
	}
	if (expected && (c->kind == CHECK_FAIL || c->kind == CHECK_XPASS))
		fprintf(r->tap, " # TODO the entry expects %s", verdict_name(t->expect));
	fputc('\n', r->tap);
}

static void tap_result(struct report *r, const struct result *res)
{
	FILE *f = r->tap;

	for (size_t i = 0; res->vp && i < res->vp->nchecks; i++)
		tap_check(r, res, &res->vp->checks[i]);
	fprintf(f, "%s %u - ", res->v == V_PASS || res->v == V_SKIP ? "ok" : "not ok",
		++r->ntap);
	tap_escape(f, res->test->name);
	if (res->v == V_SKIP || res->v == V_XFAIL) {
		fputs(res->v == V_SKIP ? " # SKIP " : " # TODO ", f);
		tap_escape(f, res->reason);
	} else if (res->v != V_PASS || *res->reason) {
		fprintf(f, " (%s%s", res->v == V_PASS ? "" : verdict_name(res->v),
			res->v == V_PASS ? "" : ": ");
		tap_escape(f, res->reason);
		fputc(')', f);
	}
	fputc('\n', f);
	if (*res->notice) {
		fputs("# notice: ", f);
		tap_escape(f, res->notice);
		fputc('\n', f);
	}
	fflush(f);
}

static void count(struct report *r, enum verdict v)
{
	if (v == V_PASS)
		r->passed++;
	else if (v == V_SKIP)
		r->skipped++;
	else if (v == V_XFAIL)
		r->xfailed++;
	else
		r->failed++;
}

void report_result(struct report *r, const struct result *res)
{
	count(r, res->v);
	r->unstarted += res->unstarted && res->v != V_PASS && res->v != V_SKIP;
	if (r->json)
		json_out_test(r->json, res);
	if (r->junit)
		junit_test(r->junit, res);
	if (res->started)
		progress_finished(r, res->test);
	if (r->console) {
		char line[1024];

		progress_clear(r);
		verdict_line(line, sizeof(line), res->v, res->test->name, res->reason);
		fprintf(r->console, "%s\n", line);
		if (*res->notice)
			fprintf(r->console, "  notice: %s\n", res->notice);
		progress_draw(r);
		fflush(r->console);
	}
	if (r->tap)
		tap_result(r, res);
}

void report_end(struct report *r, int sig)
{
	r->signal = sig;
	if (r->console)
		progress_clear(r);
	r->progress = false;
	free(r->run);
	r->run = NULL;
	r->running = 0;
	if (r->tap && sig)
		fprintf(r->tap, "Bail out! interrupted by SIG%s\n", sigabbrev_np(sig) ?: "?");
	else if (r->tap)
		fprintf(r->tap, "1..%u\n", r->ntap);
	for (int i = 0; i < 2; i++) {
		FILE *f = i ? r->console : r->tap;

		if (!f)
			continue;
		fprintf(f, "%s%u passed, %u failed, %u skipped", i ? "" : "# ", r->passed,
			r->failed, r->skipped);
		if (r->xfailed)
			fprintf(f, ", %u xfail", r->xfailed);
		fputc('\n', f);
	}
	if (r->tap)
		fflush(r->tap);
	if (r->console)
		fflush(r->console);
}

static bool write_failed(FILE *f, const char *name, bool close)
{
	bool bad = fflush(f) | ferror(f);

	if (close)
		bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "vmunit-run: %s: write error: %m\n", name);
	return bad;
}

bool report_close(struct report *r)
{
	bool bad = false;

	if (r->console)
		bad |= write_failed(r->console, "stdout", false);
	if (r->tap)
		bad |= write_failed(r->tap, r->tap_name ? r->tap_name : "TAP", r->tap != stdout);
	r->tap = NULL;
	if (r->json)
		bad |= json_out_end(r->json, r->signal);
	if (r->junit)
		bad |= junit_end(r->junit);
	r->json = NULL;
	r->junit = NULL;
	return bad;
}

/* U+FFFE and U+FFFF: UTF-8, but not XML characters. */
static bool xml_nonchar(const unsigned char *s, int n)
{
	return n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe;
}

char *utf8_clean(const char *str, bool keep_controls)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out = xmalloc(4 * strlen(str) + 1), *o = out;

	while (*s) {
		int n = utf8_len(s);

		if (n && (keep_controls || ((*s >= 0x20 || *s == '\t' || *s == '\n') && *s != 0x7f &&
					    !xml_nonchar(s, n)))) {
			memcpy(o, s, n);
			o += n;
			s += n;
		} else {
			o += sprintf(o, "\\x%02x", *s++);
		}
	}
	*o = '\0';
	return out;
}
