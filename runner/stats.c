#define _GNU_SOURCE
#include "stats.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ops[] = { ">=", "<=", "==", "!=", ">", "<" };

struct check {
	char name[64];
	int op;
	long long want;
};

static int parse(const char *expr, struct check *c)
{
	char op[3];
	int used = 0;

	if (sscanf(expr, " %63[a-z0-9_] %2[<>=!] %lld %n", c->name, op, &c->want, &used) != 3 ||
	    expr[used])
		return -1;
	for (c->op = 0; c->op < 6 && strcmp(op, ops[c->op]); c->op++)
		;
	return c->op < 6 ? 0 : -1;
}

int stats_parse_check(const char *expr, struct err *e)
{
	struct check c;

	return parse(expr, &c) ? err_set(e, "stats check '%s': want NAME OP NUMBER, OP one of >= > <= < == !=",
					 expr) : 0;
}

static struct stat_value *find(const struct stats_snap *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

/* name += v (vCPUs' values add up). */
static void add(struct stats_snap *s, const char *name, int64_t v)
{
	struct stat_value *e = find(s, name);

	if (e) {	/* saturating: a reply is any JSON (found by tests/fuzz) */
		if (__builtin_add_overflow(e->value, v, &e->value))
			e->value = v < 0 ? INT64_MIN : INT64_MAX;
		return;
	}
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = (struct stat_value){ xstrdup(name), v };
}

void stats_add_reply(struct stats_snap *snap, const char *target, struct json_object *ret)
{
	size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *provider = json_object_array_get_idx(ret, i), *list, *name, *val;

		if (!json_object_object_get_ex(provider, "stats", &list) ||
		    !json_object_is_type(list, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(list); k++) {
			struct json_object *st = json_object_array_get_idx(list, k);

			if (json_object_object_get_ex(st, "name", &name) &&
			    json_object_object_get_ex(st, "value", &val) &&
			    json_object_is_type(val, json_type_int))
				add(snap, json_object_get_string(name), json_object_get_int64(val));
		}
	}
	snap->parts |= !strcmp(target, "vm") ? 1 : 2;
}

bool stats_line(struct stats *s, const char *line)
{
	size_t n = strlen("STAT-EXPECT: ");
	char *expr;

	if (strncmp(line, "STAT-EXPECT: ", n))
		return false;
	expr = strndup(line + n, strcspn(line + n, "\r"));
	strv_push(&s->expect, expr);
	free(expr);
	return true;
}

bool stats_delta(const struct stats *s, const char *name, int64_t *delta)
{
	const struct stat_value *a = find(&s->after, name), *b = find(&s->before, name);

	if (!a || !b || __builtin_sub_overflow(a->value, b->value, delta))
		return false;
	return true;
}

static bool holds(int op, int64_t v, long long want)
{
	switch (op) {
	case 0: return v >= want;
	case 1: return v <= want;
	case 2: return v == want;
	case 3: return v != want;
	case 4: return v > want;
	default: return v < want;
	}
}

/*
 * One check to fn, held or not, said either way (a malformed one does not
 * hold); with unchecked, not evaluated: fn hears it could not be, and why.
 */
static bool one(const struct stats *s, const char *expr, const char *from,
		const char *unchecked, stats_fn *fn, void *ctx)
{
	char text[256];
	struct check c;
	bool ok = false;
	int64_t d;

	if (unchecked)
		snprintf(text, sizeof(text), "stats: %s check '%s': %s", from, expr, unchecked);
	else if (parse(expr, &c))
		snprintf(text, sizeof(text), "stats: %s check '%s' is malformed", from, expr);
	else if (!stats_delta(s, c.name, &d))
		snprintf(text, sizeof(text), "stats: %s check '%s': KVM has no statistic %s",
			 from, expr, c.name);
	else {
		ok = holds(c.op, d, c.want);
		snprintf(text, sizeof(text), "stats: %s %lld, want %s %lld (%s)", c.name,
			 (long long)d, ops[c.op], c.want, from);
	}
	fn(ctx, ok, text);
	return ok;
}

/* The cfg's ';'-separated checks, then the guest's, through one(): how many did not hold. */
static unsigned each(const struct stats *s, const char *cfg_checks, const char *unchecked,
		     stats_fn *fn, void *ctx)
{
	char *copy = xstrdup(cfg_checks ? cfg_checks : ""), *save, *expr;
	unsigned n = 0;

	for (expr = strtok_r(copy, ";", &save); expr; expr = strtok_r(NULL, ";", &save))
		if (strspn(expr, " \t") != strlen(expr))
			n += !one(s, expr + strspn(expr, " \t"), "cfg", unchecked, fn, ctx);
	free(copy);
	for (size_t i = 0; i < s->expect.n; i++)
		n += !one(s, s->expect.v[i], "guest", unchecked, fn, ctx);
	return n;
}

int stats_evaluate(const struct stats *s, const char *cfg_checks, stats_fn *fn, void *ctx,
		   char *why, size_t len)
{
	if (s->before.parts != 3 || s->after.parts != 3) {
		snprintf(why, len, "stats: the %s snapshot was not read",
			 s->before.parts != 3 ? "first" : "last");
		return -1;
	}
	return each(s, cfg_checks, NULL, fn, ctx);
}

unsigned stats_unchecked(const struct stats *s, const char *cfg_checks, const char *why,
			 stats_fn *fn, void *ctx)
{
	return each(s, cfg_checks, why, fn, ctx);
}

static void snap_free(struct stats_snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
}

void stats_free(struct stats *s)
{
	snap_free(&s->before);
	snap_free(&s->after);
	strv_free(&s->expect);
	*s = (struct stats){ 0 };
}
