#define _GNU_SOURCE
#include "baseline.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qemu.h"
#include "vmm.h"

struct known {
	char *test, *check, *reason, *link, *kernel, *box_vmm;
	int verdict;			/* enum verdict: a verdict record's */
	unsigned arch, accel, vmm;	/* masks of 1 << enum; 0: any */
	int line;			/* 0: new in this run */
	bool applied;			/* to a test of this run */
	unsigned hits;			/* failures it turned into XFAIL */
};

struct baseline {
	char *path;
	const char *kernel;	/* the box's kernel (--box), or NULL */
	const char *box_vmm;	/* and its L0: "qemu" or --box-vmm's value */
	struct known *k;
	size_t n;
	char today[16];
};

static const char *const keys[] = { "test", "check", "verdict", "arch", "accel", "vmm",
				    "kernel", "box-vmm", "reason", "link" };
enum { K_TEST, K_CHECK, K_VERDICT, K_ARCH, K_ACCEL, K_VMM, K_KERNEL, K_BOX_VMM, K_REASON, K_LINK,
       K_NR };

static struct known *add(struct baseline *b)
{
	b->k = xrealloc(b->k, (b->n + 1) * sizeof(*b->k));
	b->k[b->n] = (struct known){ .verdict = V_FAIL };
	return &b->k[b->n++];
}

/* "kvm tcg" (or "kvm,tcg") -> a mask of from_name()'s values; -1 at an unknown word. */
static int name_mask(const char *list, int (*from_name)(const char *), unsigned *mask)
{
	char *copy = xstrdup(list), *save, *w;
	int ok = 0;

	for (w = strtok_r(copy, " \t,", &save); w && !ok; w = strtok_r(NULL, " \t,", &save)) {
		int v = from_name(w);

		if (v < 0)
			ok = -1;
		else
			*mask |= 1u << v;
	}
	free(copy);
	return ok;
}

static int tcg_or_kvm(const char *name)
{
	int a = accel_from_name(name);

	return a == ACCEL_AUTO ? -1 : a;
}

static int failing_verdict(const char *name)
{
	int v = verdict_from_name(name);

	return v == V_PASS || v == V_SKIP || v == V_XFAIL ? -1 : v;
}

/* A record's value for key, checked; 0 or -1 with a message. */
static int set_key(struct known *k, int key, const char *val, struct err *e)
{
	char **text[K_NR] = { [K_TEST] = &k->test, [K_CHECK] = &k->check,
			      [K_KERNEL] = &k->kernel, [K_BOX_VMM] = &k->box_vmm,
			      [K_REASON] = &k->reason,
			      [K_LINK] = &k->link };
	switch (key) {
	case K_VERDICT:
		k->verdict = failing_verdict(val);
		return k->verdict < 0 ? err_set(e, "verdict '%s': want FAIL, ERROR, TIMEOUT or CRASH",
						val) : 0;
	case K_ARCH:
		return name_mask(val, arch_from_any_name, &k->arch) ?
		       err_set(e, "arch '%s': want x86_64, arm64 or s390x", val) : 0;
	case K_ACCEL:
		return name_mask(val, tcg_or_kvm, &k->accel) ?
		       err_set(e, "accel '%s': want kvm or tcg", val) : 0;
	case K_VMM:
		return name_mask(val, vmm_from_name, &k->vmm) ?
		       err_set(e, "vmm '%s': want qemu or bochs", val) : 0;
	}
	*text[key] = xstrdup(val);
	return 0;
}

static int end_record(struct baseline *b, unsigned seen, int line, struct err *e)
{
	if (!seen)
		return 0;
	if (!(seen & 1u << K_TEST))
		return err_set(e, "%s:%d: record without 'test'", b->path, line);
	if (!(seen & 1u << K_REASON))
		return err_set(e, "%s:%d: record without 'reason'", b->path, line);
	if ((seen & 1u << K_CHECK) && (seen & 1u << K_VERDICT))
		return err_set(e, "%s:%d: 'check' and 'verdict': a check record is about FAIL checks",
			       b->path, line);
	return 0;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

static int parse(struct baseline *b, FILE *f, struct err *e)
{
	char *buf = NULL, *line, *colon;
	struct err ke;
	size_t cap = 0;
	unsigned seen = 0;
	int n = 0, start = 0, key, bad = 0;
	ssize_t len;

	while (!bad && (len = getline(&buf, &cap, f)) >= 0) {
		n++;
		if (strlen(buf) != (size_t)len) {
			bad = err_set(e, "%s:%d: a NUL byte", b->path, n);
			break;
		}
		line = trim(buf);
		if (*line == '#')
			continue;
		if (!*line) {
			bad = end_record(b, seen, start, e);
			seen = 0;
			continue;
		}
		if (!seen) {
			add(b)->line = start = n;
		}
		colon = strchr(line, ':');
		if (colon)
			*colon = '\0';
		for (key = 0; key < K_NR && (!colon || strcmp(line, keys[key])); key++)
			;
		if (key == K_NR)
			bad = err_set(e, "%s:%d: want 'key: value' (test, check, verdict, arch, accel, vmm, kernel, box-vmm, reason, link)",
				      b->path, n);
		else if (seen & 1u << key)
			bad = err_set(e, "%s:%d: a second '%s' in one record", b->path, n, keys[key]);
		else if (!*trim(colon + 1))
			bad = err_set(e, "%s:%d: empty '%s'", b->path, n, keys[key]);
		else if (set_key(&b->k[b->n - 1], key, trim(colon + 1), &ke))
			bad = err_set(e, "%s:%d: %s", b->path, n, ke.msg);
		seen |= 1u << key;
	}
	if (!bad && ferror(f))	/* a directory reads as EISDIR */
		bad = err_set(e, "%s:%d: %m", b->path, n + 1);
	free(buf);
	return bad ? bad : end_record(b, seen, start, e);
}

struct baseline *baseline_read(FILE *f, const char *name, struct err *e)
{
	struct baseline *b = xmalloc(sizeof(*b));
	time_t now = time(NULL);
	struct tm tm;

	*b = (struct baseline){ .path = name ? xstrdup(name) : NULL };
	strftime(b->today, sizeof(b->today), "%Y-%m-%d", gmtime_r(&now, &tm));
	if (f && parse(b, f, e)) {
		baseline_free(b);
		return NULL;
	}
	return b;
}

struct baseline *baseline_load(const char *path, struct err *e)
{
	struct baseline *b;
	FILE *f = NULL;

	if (path && !(f = fopen(path, "re"))) {
		err_set(e, "%s: %m", path);
		return NULL;
	}
	b = baseline_read(f, path, e);
	if (f)
		fclose(f);
	return b;
}

/* ---- applying ---- */

static bool applies(const struct baseline *b, const struct known *k, const struct test *t)
{
	return !fnmatch(k->test, t->entry ? t->entry : t->name, 0) &&
	       (!k->arch || k->arch & 1u << t->arch) && (!k->vmm || k->vmm & 1u << t->vmm) &&
	       (!k->accel || (t->vmm == VMM_QEMU && k->accel & 1u << t->accel)) &&
	       (!k->kernel || (b->kernel && !fnmatch(k->kernel, b->kernel, 0))) &&
	       (!k->box_vmm || (b->box_vmm && !fnmatch(k->box_vmm, b->box_vmm, 0)));
}

void baseline_box(struct baseline *b, const char *kernel, const char *vmm)
{
	b->kernel = kernel;
	b->box_vmm = vmm;
}

static bool name_matches(const char *glob, const char *msg)
{
	char *name = strndup(msg, check_name_len(msg));
	bool m = !fnmatch(glob, name, 0);

	free(name);
	return m;
}

static bool failed_check(enum check_kind k)
{
	return k == CHECK_FAIL || k == CHECK_XPASS;
}

static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static void fixed(const struct baseline *b, const struct known *k, struct result *r)
{
	append(r->notice, sizeof(r->notice), "%sfixed? %s:%d (%s%s) passes: remove it from the baseline",
	       *r->notice ? "; " : "", b->path, k->line, k->check ? "check " : "verdict ",
	       k->check ? k->check : verdict_name(k->verdict));
}

/* The check record's FAIL checks become XFAIL; how many did. */
static unsigned known_checks(const struct baseline *b, struct known *k, struct result *r,
			     struct vparse *vp)
{
	unsigned hits = 0;
	bool passed = false;

	for (size_t i = 0; i < vp->nchecks; i++) {
		struct check *c = &vp->checks[i];

		if (!name_matches(k->check, c->msg))
			continue;
		passed |= c->kind == CHECK_PASS;
		if (!failed_check(c->kind))
			continue;
		vp->count[c->kind]--;
		vp->count[CHECK_XFAIL]++;
		c->kind = CHECK_XFAIL;
		c->known = k->reason;
		hits++;
	}
	if (!hits && passed)
		fixed(b, k, r);
	k->hits += hits;
	return hits;
}

static void known_verdict(struct result *r, const struct known *k)
{
	char *was = xstrdup(r->reason);

	snprintf(r->reason, sizeof(r->reason), "known: %s; %s", k->reason, was);
	r->v = V_XFAIL;
	free(was);
}

void baseline_apply(struct baseline *b, struct result *r, struct vparse *vp)
{
	const struct known *first = NULL;
	unsigned known = 0;

	if (r->test->expect >= 0 || r->unstarted)
		return;
	for (size_t i = 0; i < b->n; i++) {
		struct known *k = &b->k[i];
		unsigned hits;

		if (!k->line || !k->check || !applies(b, k, r->test))
			continue;
		k->applied = true;
		hits = vp ? known_checks(b, k, r, vp) : 0;
		known += hits;
		if (hits && !first)
			first = k;
	}
	if (r->v == V_FAIL && known && vp->count[CHECK_FAIL] + vp->count[CHECK_XPASS] == 0)
		known_verdict(r, first);
	else if (r->v == V_FAIL && known)
		append(r->reason, sizeof(r->reason), ", %u more known", known);
	for (size_t i = 0; i < b->n; i++) {
		struct known *k = &b->k[i];

		if (!k->line || k->check || !applies(b, k, r->test))
			continue;
		k->applied = true;
		if ((int)r->v == k->verdict) {
			known_verdict(r, k);
			k->hits++;
		} else if (r->v == V_PASS) {
			fixed(b, k, r);
		}
	}
}

/* ---- writing ---- */

/* A glob that matches s alone (fnmatch: backslash escapes; edges kept). */
static char *glob_quote(const char *s, size_t len)
{
	char *out = xmalloc(2 * len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (strchr("*?[\\", s[i]) || ((i == 0 || i == len - 1) && strchr(" \t", s[i])))
			*o++ = '\\';
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* A record of this run's failure, limited to its arch, VMM and accelerator. */
static struct known *add_new(struct baseline *b, const struct test *t, const char *why)
{
	struct known *k = add(b);
	const char *entry = t->entry ? t->entry : t->name;

	k->test = glob_quote(entry, strlen(entry));
	k->reason = xasprintf("failed on %s: %s", b->today, why);
	k->arch = 1u << t->arch;
	k->vmm = 1u << t->vmm;
	k->accel = t->vmm == VMM_QEMU ? 1u << t->accel : 0;
	k->kernel = b->kernel ? glob_quote(b->kernel, strlen(b->kernel)) : NULL;
	k->box_vmm = b->box_vmm ? glob_quote(b->box_vmm, strlen(b->box_vmm)) : NULL;
	return k;
}

void baseline_note(struct baseline *b, const struct result *r)
{
	const struct vparse *vp = r->vp;
	bool by_checks = false, unnamed = false;

	if (r->v == V_PASS || r->v == V_SKIP || r->v == V_XFAIL || r->test->expect >= 0 ||
	    r->unstarted)
		return;
	for (size_t i = 0; r->v == V_FAIL && vp && i < vp->nchecks; i++) {
		const char *msg = vp->checks[i].msg;
		size_t len = check_name_len(msg);

		if (!failed_check(vp->checks[i].kind))
			continue;
		if (!len) {	/* no name a check record could match */
			unnamed = true;
			continue;
		}
		add_new(b, r->test, msg)->check = glob_quote(msg, len);
		by_checks = true;
	}
	if (!by_checks || unnamed)
		add_new(b, r->test, r->reason)->verdict = r->v;
}

static void write_names(FILE *f, const char *key, unsigned mask, const char *(*name)(int),
			int nr)
{
	const char *sep = "";

	if (!mask)
		return;
	fprintf(f, "%s: ", key);
	for (int i = 0; i < nr; i++)
		if (mask & 1u << i) {
			fprintf(f, "%s%s", sep, name(i));
			sep = " ";
		}
	fputc('\n', f);
}

static const char *arch_str(int a)
{
	return arch_info(a)->name;
}

static const char *accel_str(int a)
{
	return accel_name(a);
}

static const char *vmm_str(int v)
{
	return vmm_info(v)->name;
}

/* Kept: matched a failure, or applied to no test of this run; and new ones. */
static bool kept(const struct known *k)
{
	return !k->line || k->hits || !k->applied;
}

int baseline_write(const struct baseline *b, const char *path, struct err *e)
{
	FILE *f = fopen(path, "we");
	int bad;

	if (!f)
		return err_set(e, "%s: %m", path);
	fprintf(f, "# vmunit known failures (vmunit-run --baseline %s), written %s\n", path,
		b->today);
	for (size_t i = 0; i < b->n; i++) {
		const struct known *k = &b->k[i];

		if (!kept(k))
			continue;
		fprintf(f, "\ntest: %s\n", k->test);
		if (k->check)
			fprintf(f, "check: %s\n", k->check);
		else
			fprintf(f, "verdict: %s\n", verdict_name(k->verdict));
		write_names(f, "arch", k->arch, arch_str, ARCH_NR);
		write_names(f, "accel", k->accel, accel_str, ACCEL_TCG + 1);
		write_names(f, "vmm", k->vmm, vmm_str, VMM_NR);
		if (k->kernel)
			fprintf(f, "kernel: %s\n", k->kernel);
		if (k->box_vmm)
			fprintf(f, "box-vmm: %s\n", k->box_vmm);
		fprintf(f, "reason: %s\n", k->reason);
		if (k->link)
			fprintf(f, "link: %s\n", k->link);
	}
	bad = ferror(f) | (fclose(f) != 0);
	return bad ? err_set(e, "%s: cannot write the baseline: %m", path) : 0;
}

void baseline_free(struct baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->k[i].test);
		free(b->k[i].check);
		free(b->k[i].reason);
		free(b->k[i].link);
		free(b->k[i].kernel);
		free(b->k[i].box_vmm);
	}
	free(b->k);
	free(b->path);
	free(b);
}
