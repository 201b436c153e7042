#define _GNU_SOURCE
#include "verdict-parse.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "util.h"

static const char *const check_names[] = VM_CHECK_NAMES;
static const char *const verdict_names[] = VM_VERDICT_NAMES;

_Static_assert(sizeof(check_names) / sizeof(check_names[0]) == CHECK_NR_KINDS,
	       "VM_CHECK_NAMES matches enum check_kind");
_Static_assert(sizeof(verdict_names) / sizeof(verdict_names[0]) == V_NR_VERDICTS,
	       "VM_VERDICT_NAMES matches enum verdict");

const char *verdict_name(enum verdict v)
{
	return v < V_NR_VERDICTS ? verdict_names[v] : "?";
}

int verdict_from_name(const char *name)
{
	for (int v = 0; v < V_NR_VERDICTS; v++)
		if (!strcasecmp(name, verdict_names[v]))
			return v;
	return -1;
}

const char *check_kind_name(enum check_kind k)
{
	return k < CHECK_NR_KINDS ? check_names[k] : "?";
}

void vp_init(struct vparse *vp)
{
	*vp = (struct vparse){ 0 };
}

void vp_free(struct vparse *vp)
{
	for (size_t i = 0; i < vp->nchecks; i++)
		free(vp->checks[i].msg);
	free(vp->checks);
	free(vp->error);
	vp_init(vp);
}

/* "TAG: rest" or "TAG" alone: the rest, else NULL. */
static const char *after_tag(const char *line, const char *tag)
{
	size_t n = strlen(tag);

	if (strncmp(line, tag, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	return line + strspn(line, " ");
}

static void add_check(struct vparse *vp, enum check_kind kind, const char *msg)
{
	if (vp->nchecks == vp->cap) {
		vp->cap = vp->cap ? 2 * vp->cap : 32;
		vp->checks = xrealloc(vp->checks, vp->cap * sizeof(*vp->checks));
	}
	vp->checks[vp->nchecks++] = (struct check){ kind, xstrdup(msg) };
	vp->count[kind]++;
}

static int parse_check(struct vparse *vp, const char *line)
{
	for (int k = 0; k < CHECK_NR_KINDS; k++) {
		const char *msg = after_tag(line, check_names[k]);

		if (msg) {
			add_check(vp, k, msg);
			return 1;
		}
	}
	return 0;
}

static void parse_summary(struct vparse *vp, const char *line)
{
	char extra;

	vp->have_summary = true;
	vp->summary_bad = sscanf(line, VM_SUMMARY_FMT "%c", &vp->sum_tests,
				 &vp->sum_unexpected, &vp->sum_expected,
				 &vp->sum_skipped, &extra) != 4;
}

static void parse_exit(struct vparse *vp, const char *line)
{
	char extra;

	if (sscanf(line, VM_EXIT_FMT "%c", &vp->status, &extra) == 1)
		vp->have_exit = true;
}

/* The line without '\r's around it (serial "\r\n") or trailing blanks. */
static char *clean_line(const char *line)
{
	char *s = xstrdup(line + strspn(line, "\r"));
	size_t n = strlen(s);

	while (n && strchr("\r \t", s[n - 1]))
		s[--n] = '\0';
	return s;
}

void vp_line(struct vparse *vp, const char *raw)
{
	char *line;
	const char *rest;

	if (vp->have_exit)
		return;
	line = clean_line(raw);
	if (parse_check(vp, line))
		;
	else if ((rest = after_tag(line, VM_ERROR_TAG))) {
		if (!vp->error)
			vp->error = xstrdup(*rest ? rest : "(no reason given)");
	} else if (!strncmp(line, "SUMMARY:", 8))
		parse_summary(vp, line);
	else if (!strncmp(line, "EXIT:", 5))
		parse_exit(vp, line);
	free(line);
}

/* ---- the decision ---- */

struct why {
	char *buf;
	size_t len;
};

static enum verdict say(struct why *w, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum verdict say(struct why *w, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->buf, w->len, fmt, ap);
	va_end(ap);
	return v;
}

static unsigned failed(const struct vparse *vp)
{
	return vp->count[CHECK_FAIL] + vp->count[CHECK_XPASS];
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* What the summary claims versus what the check lines said; 0 if equal. */
static int summary_mismatch(const struct vparse *vp, char *buf, size_t len)
{
	const struct { const char *what; unsigned said, seen; } f[] = {
		{ "tests", vp->sum_tests, vp->nchecks },
		{ "unexpected failures", vp->sum_unexpected, failed(vp) },
		{ "expected failures", vp->sum_expected, vp->count[CHECK_XFAIL] },
		{ "skipped", vp->sum_skipped, vp->count[CHECK_SKIP] },
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && off < len; i++)
		if (f[i].said != f[i].seen)
			off += snprintf(buf + off, len - off, "%s%u %s (%u seen)",
					off ? ", " : "", f[i].said, f[i].what,
					f[i].seen);
	return off != 0;
}

/* The status the check counts call for. */
static enum verdict skip_reasons(const struct vparse *vp, struct why *w)
{
	size_t off = 0;

	w->buf[0] = '\0';
	for (size_t i = 0; i < vp->nchecks && off + 1 < w->len; i++)
		if (vp->checks[i].kind == CHECK_SKIP)
			off += snprintf(w->buf + off, w->len - off, "%s%s",
					off ? "; " : "", vp->checks[i].msg);
	return V_SKIP;
}

static enum verdict pass_summary(const struct vparse *vp, struct why *w)
{
	unsigned n = vp->nchecks, skip = vp->count[CHECK_SKIP];
	unsigned xfail = vp->count[CHECK_XFAIL];
	int off = snprintf(w->buf, w->len, "%u %s", n, plural(n, "check", "checks"));

	if (xfail)
		off += snprintf(w->buf + off, w->len - off, ", %u %s", xfail,
				plural(xfail, "expected failure", "expected failures"));
	if (skip)
		snprintf(w->buf + off, w->len - off, ", %u skipped", skip);
	return V_PASS;
}

/* The checks that need only how QEMU ended: TIMEOUT, CRASH. */
static int process_verdict(const struct vparse *vp, const struct qemu_end *end,
			   struct why *w, enum verdict *v)
{
	int ws = end->wstatus;

	if (end->timed_out)
		*v = say(w, V_TIMEOUT, "no verdict after %g s", end->timeout_s);
	else if (WIFSIGNALED(ws))
		*v = say(w, V_CRASH, "QEMU killed by signal %d (SIG%s)",
			 WTERMSIG(ws), sigabbrev_np(WTERMSIG(ws)) ?: "?");
	else if (!vp->have_exit)
		*v = say(w, V_CRASH, "no EXIT line; QEMU exited with status %d",
			 WEXITSTATUS(ws));
	else
		return 0;
	return 1;
}

/* The exit device's status, when the arch has one, must match EXIT. */
static int exit_device_mismatch(const struct vparse *vp,
				const struct qemu_end *end, struct why *w)
{
	int code = WEXITSTATUS(end->wstatus), dev;

	if (!end->decode_exit)
		return 0;
	dev = end->decode_exit(code);
	if (dev == EXIT_NONZERO) {
		if (vp->status != 0)
			return 0;
		say(w, V_ERROR, "QEMU exit status %d says the guest failed, EXIT line says STATUS=0",
		    code);
		return 1;
	}
	if (dev < 0)
		say(w, V_ERROR, "QEMU exited with status %d, not through the exit device (EXIT line says STATUS=%d)",
		    code, vp->status);
	else if (dev != vp->status)
		say(w, V_ERROR, "exit device reported status %d, EXIT line says STATUS=%d",
		    dev, vp->status);
	return dev != vp->status;
}

/*
 * In order: timed out -> TIMEOUT; QEMU killed by a signal -> CRASH; no EXIT
 * line -> CRASH; SUMMARY missing or disagreeing with the check lines ->
 * ERROR; exit device disagreeing with EXIT -> ERROR; unknown status ->
 * ERROR; status 3 -> ERROR (the guest's reason); an ERROR line with another
 * status -> ERROR; no checks -> ERROR; status
 * inconsistent with the counts -> ERROR; then status 1 FAIL, 2 SKIP, 0 PASS.
 */
enum verdict vp_verdict(const struct vparse *vp, const struct qemu_end *end,
			char *reason, size_t len)
{
	struct why w = { reason, len };
	char buf[256];
	enum verdict v;
	int want;

	if (process_verdict(vp, end, &w, &v))
		return v;
	if (!vp->have_summary)
		return say(&w, V_ERROR, "no SUMMARY line");
	if (vp->summary_bad)
		return say(&w, V_ERROR, "malformed SUMMARY line");
	if (summary_mismatch(vp, buf, sizeof(buf)))
		return say(&w, V_ERROR, "SUMMARY disagrees with the check lines: %s", buf);
	if (exit_device_mismatch(vp, end, &w))
		return V_ERROR;
	if (vp->status < VM_STATUS_PASS || vp->status > VM_STATUS_ERROR)
		return say(&w, V_ERROR, "unknown EXIT status %d", vp->status);
	if (vp->status == VM_STATUS_ERROR)
		return say(&w, V_ERROR, "%s", vp->error ? vp->error : "guest reported ERROR");
	if (vp->error)
		return say(&w, V_ERROR, "guest printed ERROR (%s) but EXIT STATUS=%d",
			   vp->error, vp->status);
	if (!vp->nchecks)
		return say(&w, V_ERROR, "no checks reported");
	want = vm_status_from_counts(vp->nchecks, failed(vp), vp->count[CHECK_SKIP]);
	if (vp->status != want)
		return say(&w, V_ERROR, "EXIT STATUS=%d but the checks say %d (%u of %zu failed, %u skipped)",
			   vp->status, want, failed(vp), vp->nchecks,
			   vp->count[CHECK_SKIP]);
	if (vp->status == VM_STATUS_FAIL)
		return say(&w, V_FAIL, "%u of %zu checks failed", failed(vp), vp->nchecks);
	if (vp->status == VM_STATUS_SKIP)
		return skip_reasons(vp, &w);
	return pass_summary(vp, &w);
}

void verdict_line(char *buf, size_t len, enum verdict v, const char *name,
		  const char *reason)
{
	if (reason && *reason)
		snprintf(buf, len, "%s %s (%s)", verdict_name(v), name, reason);
	else
		snprintf(buf, len, "%s %s", verdict_name(v), name);
}

enum verdict apply_expect(int expect, const char *want_reason, enum verdict v,
			  char *reason, size_t len)
{
	char *was;

	if (expect < 0)
		return v;
	if ((enum verdict)expect != v || (want_reason && !strstr(reason, want_reason))) {
		was = xstrdup(reason);
		snprintf(reason, len, "expected %s%s%s, got %s%s%s", verdict_name(expect),
			 want_reason ? ": " : "", want_reason ? want_reason : "",
			 verdict_name(v), *was ? ": " : "", was);
		free(was);
		return V_FAIL;
	}
	was = xstrdup(reason);
	snprintf(reason, len, "expected %s%s%s", verdict_name(v), *was ? ": " : "",
		 was);
	free(was);
	return V_PASS;
}
