#define _GNU_SOURCE
#include "cfg.h"

#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "verdict-parse.h"

/*
 * libinih's handler is not told the line number.  It reads through our
 * reader function, which counts lines and notices section headers, so the
 * handler knows where it is; ini_parse_stream() still reports the first
 * line it failed on, which covers syntax errors we never see.
 */
struct parser {
	FILE *f;
	struct cfg *cfg;
	int line;		/* the line inih is working on */
	int hdr_line;		/* line of the last section header */
	int hdr_seq;		/* section headers read so far */
	int entry_seq;		/* header number of the current entry */
	int entry_ok;		/* it was accepted: its keys apply */
	unsigned seen;		/* keys set in the current entry, by index */
	int arch_given;		/* it has an arch key */
	int err_line;		/* earliest error of ours, 0 when none */
	int err_deferred;	/* found while inih was on a later line */
	struct err err;
};

struct key {
	const char *name;
	int (*set)(struct parser *p, const struct key *k, const char *val);
	size_t off;		/* its field in struct cfg_entry, if it has one */
	unsigned max;		/* integers: the largest value allowed */
	int append;		/* repeated (continuation) lines add words */
};

static int fail_at(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records an error unless an earlier one is known; 0 = inih's "failed". */
static int fail_at(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line && line >= p->err_line)
		return 0;
	p->err_line = line;
	p->err_deferred = line != p->line;
	va_start(ap, fmt);
	vsnprintf(p->err.msg, sizeof(p->err.msg), fmt, ap);
	va_end(ap);
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
	if (*f && k->append) {
		char *s = xasprintf("%s %s", *f, val);

		free(*f);
		*f = s;
	} else {
		*f = xstrdup(val);
	}
	return 1;
}

static int set_uint(struct parser *p, const struct key *k, const char *val)
{
	if (parse_uint(val, 1, k->max, field(p, k)))
		return fail_at(p, p->line, "bad integer '%s' for '%s' (1..%u)",
			       val, k->name, k->max);
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
	char *copy = xstrdup(val), *save, *w;
	int ok = 1;

	if (!*val)
		return fail_at(p, p->line, "empty value for '%s'", k->name);
	if (!p->arch_given)
		current(p)->arch_mask = 0;	/* replace the default */
	p->arch_given = 1;
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
	if (v < 0)
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
	{ .name = "arch", .set = set_arch, .append = 1 },
	{ .name = "smp", .set = set_uint, .off = FIELD(smp), .max = 4096 },
	{ .name = "memory", .set = set_uint, .off = FIELD(memory), .max = 1u << 24 },
	{ .name = "args", .set = set_string, .off = FIELD(args), .append = 1 },
	{ .name = "qemu_params", .set = set_params, .off = FIELD(qemu_params), .append = 1 },
	{ .name = "machine", .set = set_string, .off = FIELD(machine) },
	{ .name = "cpu", .set = set_string, .off = FIELD(cpu) },
	{ .name = "accel", .set = set_accel },
	{ .name = "timeout", .set = set_uint, .off = FIELD(timeout), .max = 86400 },
	{ .name = "groups", .set = set_string, .off = FIELD(groups), .append = 1 },
	{ .name = "check", .set = set_check, .off = FIELD(check), .append = 1 },
	{ .name = "expect", .set = set_expect },
};

static int set_key(struct parser *p, const char *name, const char *val)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];

		if (strcmp(name, k->name))
			continue;
		if ((p->seen & (1u << i)) && !k->append)
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

static const struct cfg_entry *find_entry(const struct cfg *cfg,
					  const char *name)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->entries[i].name, name))
			return &cfg->entries[i];
	return NULL;
}

static int begin_entry(struct parser *p, const char *name)
{
	const struct cfg_entry *dup = find_entry(p->cfg, name);
	struct cfg *cfg = p->cfg;

	p->entry_seq = p->hdr_seq;
	p->entry_ok = 0;
	p->seen = 0;
	p->arch_given = 0;
	if (!good_name(name))
		return fail_at(p, p->hdr_line,
			       "bad section name '%s' (letters, digits, _ . + -)", name);
	if (dup)
		return fail_at(p, p->hdr_line, "duplicate section [%s] (first at line %d)",
			       name, dup->line);
	cfg->entries = xrealloc(cfg->entries, (cfg->n + 1) * sizeof(*cfg->entries));
	cfg->entries[cfg->n++] = (struct cfg_entry){
		.name = xstrdup(name), .line = p->hdr_line,
		.arch_mask = ARCH_MASK_ALL, .smp = CFG_DEFAULT_SMP,
		.memory = CFG_DEFAULT_MEMORY, .timeout = CFG_DEFAULT_TIMEOUT,
		.accel = ACCEL_AUTO, .expect = -1,
	};
	p->entry_ok = 1;
	return 1;
}

static int on_key(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parser *p = user;

	if (!p->hdr_seq)
		return fail_at(p, p->line, "key '%s' outside a [section]", name);
	if (p->entry_seq != p->hdr_seq)
		begin_entry(p, section);
	if (!p->entry_ok)
		return 0;
	return set_key(p, name, value);
}

/* A section whose header was read but that never got a key. */
static void end_section(struct parser *p)
{
	if (p->hdr_seq && p->entry_seq != p->hdr_seq)
		fail_at(p, p->hdr_line, "section has no keys (missing 'file')");
}

static int is_header(const char *s)
{
	return s[strspn(s, " \t")] == '[';
}

static char *read_line(char *buf, int size, void *stream)
{
	struct parser *p = stream;
	int c;

	if (!fgets(buf, size, p->f)) {
		end_section(p);
		return NULL;
	}
	p->line++;
	if (!strchr(buf, '\n') && !feof(p->f)) {
		fail_at(p, p->line, "line longer than %d characters", size - 2);
		while ((c = fgetc(p->f)) != EOF && c != '\n')
			;
	}
	if (is_header(buf)) {
		end_section(p);
		p->hdr_line = p->line;
		p->hdr_seq++;
	}
	return buf;
}

static int check_entries(const struct cfg *cfg, const char *name,
			 struct err *e)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct cfg_entry *t = &cfg->entries[i];

		if (!t->file)
			return err_set(e, "%s:%d: [%s] has no 'file' key", name,
				       t->line, t->name);
	}
	return 0;
}

int cfg_parse_file(FILE *f, const char *name, struct cfg *cfg, struct err *e)
{
	struct parser p = { .f = f, .cfg = cfg };
	int r;

	*cfg = (struct cfg){ .path = xstrdup(name) };
	r = ini_parse_stream(read_line, &p, on_key, &p);
	if (r == -2)
		return err_set(e, "%s: out of memory", name);
	/* inih's line wins unless our message is about that very line. */
	if (r > 0 && (!p.err_line || r < p.err_line ||
		      (r == p.err_line && p.err_deferred)))
		return err_set(e, "%s:%d: syntax error", name, r);
	if (p.err_line)
		return err_set(e, "%s:%d: %s", name, p.err_line, p.err.msg);
	return check_entries(cfg, name, e);
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
