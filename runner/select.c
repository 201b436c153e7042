#define _GNU_SOURCE
#include "select.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_matches(const char *name, const char *pattern)
{
	return !fnmatch(pattern, name, 0);
}

static int wanted_by_patterns(const struct cfg_entry *t, const struct sel_opts *o)
{
	if (!o->npatterns)
		return 1;
	for (size_t i = 0; i < o->npatterns; i++)
		if (name_matches(t->name, o->patterns[i]))
			return 1;
	return 0;
}

static int wanted(const struct cfg_entry *t, enum arch a, const struct sel_opts *o)
{
	return (t->arch_mask & o->arch_mask & (1u << a)) &&
	       (!o->group || word_in_list(t->groups, o->group)) &&
	       wanted_by_patterns(t, o);
}

/* A nodefault entry nothing chose (wanted otherwise). */
static bool manual(const struct cfg_entry *t, const struct sel_opts *o)
{
	return !o->all && !o->group && !o->npatterns && word_in_list(t->groups, "nodefault");
}

static void push(struct selection *s, const struct cfg_entry *t, enum arch a)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = (struct sel){ t, a };
}

static char *arch_names(unsigned mask)
{
	char *s = xstrdup("");

	for (int a = 0; a < ARCH_NR; a++) {
		char *t;

		if (!(mask & (1u << a)))
			continue;
		t = xasprintf("%s%s%s", s, *s ? "," : "", arch_info(a)->name);
		free(s);
		s = t;
	}
	return s;
}

/* Every pattern must name at least one selected test. */
static int check_pattern(const struct cfg *cfg, const struct selection *s,
			 const struct sel_opts *o, const char *pat, struct err *e)
{
	int known = 0;
	char *arches;

	for (size_t i = 0; i < s->n; i++)
		if (name_matches(s->v[i].entry->name, pat))
			return 0;
	for (size_t i = 0; i < cfg->n; i++)
		known |= name_matches(cfg->entries[i].name, pat);
	if (!known)
		return err_set(e, "unknown test '%s' (not in %s)", pat, cfg->path);
	arches = arch_names(o->arch_mask);
	err_set(e, "'%s' matches no test for %s%s%s%s", pat, arches,
		o->group ? " in group '" : "", o->group ? o->group : "",
		o->group ? "'" : "");
	free(arches);
	return -1;
}

static int check_group(const struct cfg *cfg, const char *group, struct err *e)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (word_in_list(cfg->entries[i].groups, group))
			return 0;
	return err_set(e, "unknown group '%s' (not in %s)", group, cfg->path);
}

static bool in_shard(const struct sel *s, const struct sel_opts *o)
{
	char *name = xasprintf("%s/%s", arch_info(s->arch)->name, s->entry->name);
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	free(name);
	return h % o->nshards == o->shard - 1;
}

int parse_shard(const char *s, unsigned *shard, unsigned *nshards, struct err *e)
{
	char tail;

	if (sscanf(s, "%u/%u%c", shard, nshards, &tail) != 2 || !*shard || *shard > *nshards ||
	    *nshards > 1000)
		return err_set(e, "--shard %s: want K/N with 1 <= K <= N <= 1000", s);
	return 0;
}

int select_tests(const struct cfg *cfg, const struct sel_opts *o,
		 struct selection *out, struct err *e)
{
	size_t kept = 0;

	*out = (struct selection){ 0 };
	if (o->group && check_group(cfg, o->group, e))
		return -1;
	for (int a = 0; a < ARCH_NR; a++)
		for (size_t i = 0; i < cfg->n; i++) {
			const struct cfg_entry *t = &cfg->entries[i];

			if (!wanted(t, a, o))
				continue;
			if (manual(t, o))
				strv_pushf(&out->left_out, "%s/%s", arch_info(a)->name, t->name);
			else
				push(out, t, a);
		}
	for (size_t i = 0; i < o->npatterns; i++)
		if (check_pattern(cfg, out, o, o->patterns[i], e)) {
			selection_free(out);
			return -1;
		}
	for (size_t i = 0; o->nshards && i < out->n; i++)
		if (in_shard(&out->v[i], o))
			out->v[kept++] = out->v[i];
	if (o->nshards)
		out->n = kept;
	return 0;
}

void selection_free(struct selection *s)
{
	free(s->v);
	strv_free(&s->left_out);
	*s = (struct selection){ 0 };
}

int parse_arch_list(const char *list, unsigned *mask, struct err *e)
{
	char *copy, *save, *w;
	int r = 0;

	if (!strcmp(list, "all")) {
		*mask = ARCH_MASK_ALL;
		return 0;
	}
	*mask = 0;
	copy = xstrdup(list);
	for (w = strtok_r(copy, ",", &save); w && !r; w = strtok_r(NULL, ",", &save)) {
		int a = arch_from_any_name(w);

		if (a < 0)
			r = err_set(e, "unknown arch '%s' (x86_64, arm64, s390x or all)", w);
		else
			*mask |= 1u << a;
	}
	free(copy);
	if (!r && !*mask)
		r = err_set(e, "empty arch list");
	return r;
}
