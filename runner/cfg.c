#define _GNU_SOURCE
#include "cfg.h"

#include <search.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "verdict-parse.h"

/*
 * The parser keeps its place in the file, so every error names its line.
 * It stops at the first error; the checks made at the end of a section
 * (its 'file' key) refer to the header line, and every line in between
 * was fine, so the first error found is the earliest.
 */
struct parser {
	const char *name;	/* the file, for messages */
	struct cfg *cfg;
	int line;		/* the line being read */
	unsigned seen;		/* keys set in the current entry, by index */
	size_t cap;		/* entries allocated */
	void *names;		/* tsearch() tree of the section names */
	struct err err;
	bool failed;
};

struct key {
	const char *name;
	int (*set)(struct parser *p, const struct key *k, const char *val);
	size_t off;		/* its field in struct cfg_entry, if it has one */
	unsigned max;		/* integers: the largest value allowed */
};

static int fail_at(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records the error at line; always 0, so setters can "return fail_at()". */
static int fail_at(struct parser *p, int line, const char *fmt, ...)
{
	char msg[sizeof(p->err.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(&p->err, "%s:%d: %s", p->name, line, msg);
	p->failed = true;
	return 0;
}

static struct cfg_entry *current(struct parser *p)
{
	return &p->cfg->entries[p->cfg->n - 1];
}

static void *field(struct parser *p, const struct key *k)
{
	return (char *)current(p) + k->off;
}

static int set_string(struct parser *p, const struct key *k, const char *val)
{
	char **f = field(p, k);

	if (!*val)
		return fail_at(p, p->line, "empty value for '%s'", k->name);
	*f = xstrdup(val);
	return 1;
}

static int set_uint(struct parser *p, const struct key *k, const char *val)
{
	if (parse_uint(val, 1, k->max, field(p, k)))
		return fail_at(p, p->line, "bad integer '%s' for '%s' (1..%u)",
			       val, k->name, k->max);
	return 1;
}

/* smp: a count, or $MAX_SMP (as in kvm-unit-tests) for the host's. */
static int set_smp(struct parser *p, const struct key *k, const char *val)
{
	if (strcmp(val, "$MAX_SMP"))
		return set_uint(p, k, val);
	*(unsigned *)field(p, k) = CFG_SMP_MAX;
	return 1;
}

static int set_params(struct parser *p, const struct key *k, const char *val)
{
	struct strv words = { 0 };
	struct err e;
	int bad = split_params(val, &words, &e);

	strv_free(&words);
	if (bad)
		return fail_at(p, p->line, "%s", e.msg);
	return set_string(p, k, val);
}

static int set_arch(struct parser *p, const struct key *k, const char *val)
{
	char *copy, *save, *w;
	int ok = 1;

	if (!*val)	/* (before the copy: found by tests/fuzz, a leak) */
		return fail_at(p, p->line, "empty value for '%s'", k->name);
	copy = xstrdup(val);
	current(p)->arch_mask = 0;	/* replace the default */
	for (w = strtok_r(copy, " \t", &save); w && ok;
	     w = strtok_r(NULL, " \t", &save)) {
		int a = arch_from_name(w);

		if (a < 0)
			ok = fail_at(p, p->line, "unknown arch '%s' (x86_64, arm64, s390x)", w);
		else
			current(p)->arch_mask |= 1u << a;
	}
	free(copy);
	return ok;
}

static int set_accel(struct parser *p, const struct key *k, const char *val)
{
	int a = accel_from_name(val);

	(void)k;
	if (a != ACCEL_KVM && a != ACCEL_TCG)
		return fail_at(p, p->line, "unknown accel '%s' (kvm or tcg)", val);
	current(p)->accel = a;
	return 1;
}

static int set_vmm(struct parser *p, const struct key *k, const char *val)
{
	int v = vmm_from_name(val);

	(void)k;
	if (v < 0)
		return fail_at(p, p->line, "unknown vmm '%s' (qemu or bochs)", val);
	current(p)->vmm = v;
	return 1;
}

static int set_boot(struct parser *p, const struct key *k, const char *val)
{
	(void)k;
	if (strcmp(val, "direct") && strcmp(val, "efi"))
		return fail_at(p, p->line, "unknown boot '%s' (direct or efi)", val);
	current(p)->efi = !strcmp(val, "efi");
	return 1;
}

/* "VERDICT" or "VERDICT: text", text being part of the expected reason. */
static int set_expect(struct parser *p, const struct key *k, const char *val)
{
	const char *colon = strchr(val, ':');
	char *name = xstrdup(val);
	int v;

	(void)k;
	if (colon)
		name[colon - val] = '\0';
	v = verdict_from_name(name);
	free(name);
	if (v < 0 || v == V_XFAIL)	/* XFAIL is the baseline's, not a guest's */
		return fail_at(p, p->line, "unknown verdict in expect '%s'", val);
	current(p)->expect = v;
	if (colon) {
		colon += 1 + strspn(colon + 1, " ");
		if (!*colon)
			return fail_at(p, p->line, "empty reason in expect '%s'", val);
		current(p)->expect_reason = xstrdup(colon);
	}
	return 1;
}

/* "all", or statistic names ([a-z0-9_], blank-separated). */
static int set_stats(struct parser *p, const struct key *k, const char *val)
{
	if (strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_ \t") != strlen(val))
		return fail_at(p, p->line, "stats '%s': want all or KVM statistic names", val);
	return set_string(p, k, val);
}

static int set_stats_check(struct parser *p, const struct key *k, const char *val)
{
	char *copy = xstrdup(val), *save, *expr;
	struct err e;
	int ok = 1;

	for (expr = strtok_r(copy, ";", &save); expr && ok; expr = strtok_r(NULL, ";", &save))
		if (stats_parse_check(expr, &e))
			ok = fail_at(p, p->line, "%s", e.msg);
	free(copy);
	return ok ? set_string(p, k, val) : 0;
}

static int set_check(struct parser *p, const struct key *k, const char *val)
{
	char *copy = xstrdup(val), *save, *w;
	int ok = 1;

	for (w = strtok_r(copy, " \t", &save); w && ok;
	     w = strtok_r(NULL, " \t", &save))
		if (w[0] == '=' || !strchr(w, '='))
			ok = fail_at(p, p->line, "bad check '%s' (want path=value)", w);
	free(copy);
	return ok && set_string(p, k, val);
}

#define FIELD(f) offsetof(struct cfg_entry, f)

static const struct key keys[] = {
	{ .name = "file", .set = set_string, .off = FIELD(file) },
	{ .name = "arch", .set = set_arch },
	{ .name = "smp", .set = set_smp, .off = FIELD(smp), .max = 4096 },
	{ .name = "memory", .set = set_uint, .off = FIELD(memory), .max = 1u << 24 },
	{ .name = "args", .set = set_string, .off = FIELD(args) },
	{ .name = "qemu_params", .set = set_params, .off = FIELD(qemu_params) },
	{ .name = "machine", .set = set_string, .off = FIELD(machine) },
	{ .name = "cpu", .set = set_string, .off = FIELD(cpu) },
	{ .name = "accel", .set = set_accel },
	{ .name = "vmm", .set = set_vmm },
	{ .name = "boot", .set = set_boot },
	{ .name = "timeout", .set = set_uint, .off = FIELD(timeout), .max = 86400 },
	{ .name = "scratch", .set = set_uint, .off = FIELD(scratch), .max = 4096 },
	{ .name = "migration", .set = set_uint, .off = FIELD(migration), .max = 1 },
	{ .name = "stats", .set = set_stats, .off = FIELD(stats) },
	{ .name = "stats_check", .set = set_stats_check, .off = FIELD(stats_check) },
	{ .name = "groups", .set = set_string, .off = FIELD(groups) },
	{ .name = "check", .set = set_check, .off = FIELD(check) },
	{ .name = "expect", .set = set_expect },
};

static int set_key(struct parser *p, const char *name, const char *val)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];

		if (strcmp(name, k->name))
			continue;
		if (p->seen & (1u << i))
			return fail_at(p, p->line, "duplicate key '%s'", name);
		p->seen |= 1u << i;
		return k->set(p, k, val);
	}
	return fail_at(p, p->line, "unknown key '%s'", name);
}

static int good_name(const char *s)
{
	return *s && *s != '.' &&
	       !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.+-")];
}

/* A node of the names tree: which line a section name was first seen on. */
struct seen_name {
	const char *name;	/* the entry's own copy */
	int line;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct seen_name *)a)->name, ((const struct seen_name *)b)->name);
}

/* The previous section is complete: it must have said which payload. */
static int end_entry(struct parser *p)
{
	const struct cfg_entry *t = p->cfg->n ? current(p) : NULL;

	if (!t || t->file)
		return 1;
	if (!p->seen)
		return fail_at(p, t->line, "section has no keys (missing 'file')");
	return fail_at(p, t->line, "[%s] has no 'file' key", t->name);
}

static int begin_entry(struct parser *p, const char *name)
{
	struct cfg *cfg = p->cfg;
	struct seen_name *n, **found;

	if (!end_entry(p))
		return 0;
	if (!good_name(name))
		return fail_at(p, p->line, "bad section name '%s' (letters, digits, _ . + -)", name);
	if (cfg->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		cfg->entries = xrealloc(cfg->entries, p->cap * sizeof(*cfg->entries));
	}
	cfg->entries[cfg->n++] = (struct cfg_entry){
		.name = xstrdup(name), .line = p->line,
		.arch_mask = ARCH_MASK_ALL, .smp = CFG_DEFAULT_SMP,
		.memory = CFG_DEFAULT_MEMORY, .timeout = CFG_DEFAULT_TIMEOUT,
		.accel = ACCEL_AUTO, .expect = -1,
	};
	p->seen = 0;
	n = xmalloc(sizeof(*n));
	*n = (struct seen_name){ current(p)->name, p->line };
	found = tsearch(n, &p->names, by_name);
	if (!found)
		return fail_at(p, p->line, "out of memory");
	if (*found != n) {
		free(n);
		return fail_at(p, p->line, "duplicate section [%s] (first at line %d)", name,
			       (*found)->line);
	}
	return 1;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

/* "[name]", "key = value" (value taken whole), a comment or a blank line. */
static int parse_line(struct parser *p, char *line)
{
	char *s = trim(line), *eq;

	if (!*s || *s == '#' || *s == ';')
		return 1;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close || close[1])
			return fail_at(p, p->line, "syntax error: want [name] alone on the line");
		*close = '\0';
		return begin_entry(p, s + 1);
	}
	eq = strchr(s, '=');
	if (!eq || eq == s)
		return fail_at(p, p->line, "syntax error: want [section], key = value or a comment");
	*eq = '\0';
	if (!p->cfg->n)
		return fail_at(p, p->line, "key '%s' outside a [section]", trim(s));
	return set_key(p, trim(s), trim(eq + 1));
}

static void free_node(void *node)
{
	free(node);
}

int cfg_parse_file(FILE *f, const char *name, struct cfg *cfg, struct err *e)
{
	struct parser p = { .name = name, .cfg = cfg };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*cfg = (struct cfg){ .path = xstrdup(name) };
	while (!p.failed && (len = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		if (++p.line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))	/* UTF-8 BOM */
			s += 3, len -= 3;
		if (memchr(s, '\0', len))
			fail_at(&p, p.line, "NUL byte in the line");
		else
			parse_line(&p, s);
	}
	if (!p.failed && ferror(f))
		err_set(&p.err, "%s: %m", name), p.failed = true;
	if (!p.failed)
		end_entry(&p);
	free(line);
	tdestroy(p.names, free_node);
	if (p.failed) {
		*e = p.err;
		cfg_free(cfg);	/* what was read before the error (found by tests/fuzz) */
	}
	return p.failed ? -1 : 0;
}

int cfg_load(const char *path, struct cfg *cfg, struct err *e)
{
	FILE *f = fopen(path, "re");
	int r;

	if (!f) {
		*cfg = (struct cfg){ 0 };
		return err_set(e, "%s: %m", path);
	}
	r = cfg_parse_file(f, path, cfg, e);
	fclose(f);
	return r;
}

void cfg_free(struct cfg *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		struct cfg_entry *t = &cfg->entries[i];

		free(t->name);
		free(t->file);
		free(t->args);
		free(t->qemu_params);
		free(t->machine);
		free(t->cpu);
		free(t->groups);
		free(t->check);
		free(t->expect_reason);
		free(t->stats);
		free(t->stats_check);
	}
	free(cfg->entries);
	free(cfg->path);
	*cfg = (struct cfg){ 0 };
}

int word_in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (list && *list) {
		list += strspn(list, " \t");
		if (!strncmp(list, word, n) &&
		    (list[n] == '\0' || list[n] == ' ' || list[n] == '\t'))
			return 1;
		list += strcspn(list, " \t");
	}
	return 0;
}
