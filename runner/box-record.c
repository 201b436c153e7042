#define _GNU_SOURCE
#include "box-record.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void box_record_write(FILE *f, const struct result *r)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_array();
	struct json_object *stats = json_object_new_array();
	const struct test *t = r->test;

	json_object_object_add(o, "entry", json_object_new_string(t->entry ? t->entry : t->name));
	json_object_object_add(o, "verdict", json_object_new_string(verdict_name(r->v)));
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
	json_object_object_add(o, "started", json_object_new_boolean(r->started));
	json_object_object_add(o, "unstarted", json_object_new_boolean(r->unstarted));
	for (size_t i = 0; r->vp && i < r->vp->nchecks; i++) {
		struct json_object *c = json_object_new_array();

		json_object_array_add(c, json_object_new_string(check_kind_name(r->vp->checks[i].kind)));
		json_object_array_add(c, json_object_new_string(r->vp->checks[i].msg));
		json_object_array_add(checks, c);
	}
	json_object_object_add(o, "checks", checks);
	for (size_t i = 0; i < r->nstats; i++) {
		struct json_object *s = json_object_new_array();

		json_object_array_add(s, json_object_new_string(r->stats[i].name));
		json_object_array_add(s, json_object_new_int64(r->stats[i].value));
		json_object_array_add(stats, s);
	}
	json_object_object_add(o, "stats", stats);
	fprintf(f, "%s%s\n", BOX_RECORD_TAG,
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f);
	json_object_put(o);
}

/* A member of the given type, or NULL. */
static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

/* A pair [string, TYPE]: its two parts, or false. */
static bool pair(struct json_object *a, enum json_type second, const char **s,
		 struct json_object **v)
{
	struct json_object *first;

	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) != 2)
		return false;
	first = json_object_array_get_idx(a, 0);
	*v = json_object_array_get_idx(a, 1);
	*s = json_object_get_string(first);
	return json_object_is_type(first, json_type_string) && json_object_is_type(*v, second);
}

static int read_checks(struct json_object *a, struct vparse *vp, struct err *e)
{
	size_t n = json_object_array_length(a);

	if (n > VP_MAX_CHECKS)
		return err_set(e, "%zu checks: more than %u", n, VP_MAX_CHECKS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *msg;
		const char *kind;
		int k = -1;

		if (!pair(json_object_array_get_idx(a, i), json_type_string, &kind, &msg))
			return err_set(e, "check %zu: want [KIND, MESSAGE]", i);
		for (int c = 0; c < CHECK_NR_KINDS; c++)
			if (!strcmp(kind, check_kind_name(c)))
				k = c;
		if (k < 0)
			return err_set(e, "check %zu: unknown kind '%.20s'", i, kind);
		if (vp->msg_bytes + json_object_get_string_len(msg) > VP_MAX_MSG_BYTES)
			return err_set(e, "checks: more than %u bytes of text", VP_MAX_MSG_BYTES);
		vp_add_check(vp, k, json_object_get_string(msg));
	}
	return 0;
}

static int read_stats(struct json_object *a, struct result *r, struct err *e)
{
	size_t n = json_object_array_length(a);

	if (n > 4096)
		return err_set(e, "%zu statistics: more than 4096", n);
	r->stats = n ? xmalloc(n * sizeof(*r->stats)) : NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v;
		const char *name;

		if (!pair(json_object_array_get_idx(a, i), json_type_int, &name, &v) ||
		    !*name || strlen(name) > 256)
			return err_set(e, "statistic %zu: want [NAME, DELTA]", i);
		r->stats[r->nstats++] = (struct stat_value){ xstrdup(name), json_object_get_int64(v) };
	}
	return 0;
}

static int read_record(struct json_object *o, struct box_record *rec, struct err *e)
{
	struct json_object *entry = member(o, "entry", json_type_string);
	struct json_object *verdict = member(o, "verdict", json_type_string);
	struct json_object *reason = member(o, "reason", json_type_string);
	struct json_object *seconds = member(o, "seconds", json_type_double);
	struct json_object *started = member(o, "started", json_type_boolean);
	struct json_object *unstarted = member(o, "unstarted", json_type_boolean);
	struct json_object *checks = member(o, "checks", json_type_array);
	struct json_object *stats = member(o, "stats", json_type_array);
	int v;

	if (!seconds)	/* json-c reads 0 as an int */
		seconds = member(o, "seconds", json_type_int);
	if (!entry || !verdict || !reason || !seconds || !started || !unstarted || !checks ||
	    !stats)
		return err_set(e, "not a record: a member is missing or of the wrong type");
	v = verdict_from_name(json_object_get_string(verdict));
	if (v < 0)
		return err_set(e, "unknown verdict '%.20s'", json_object_get_string(verdict));
	rec->r.v = v;
	rec->r.seconds = json_object_get_double(seconds);
	if (!isfinite(rec->r.seconds) || rec->r.seconds < 0 || rec->r.seconds > 1e7)
		return err_set(e, "seconds out of range");
	rec->entry = xstrdup(json_object_get_string(entry));
	snprintf(rec->r.reason, sizeof(rec->r.reason), "%s", json_object_get_string(reason));
	rec->r.started = json_object_get_boolean(started);
	rec->r.unstarted = json_object_get_boolean(unstarted);
	rec->r.vp = &rec->vp;
	return read_checks(checks, &rec->vp, e) ?: read_stats(stats, &rec->r, e);
}

int box_record_read(const char *json, struct box_record *rec, struct err *e)
{
	struct json_tokener *tok = json_tokener_new();
	size_t len = strlen(json);
	struct json_object *o;
	int ret = -1;

	*rec = (struct box_record){ 0 };
	vp_init(&rec->vp);
	o = json_tokener_parse_ex(tok, json, len);
	if (!o || json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))
		err_set(e, "not a JSON object on one line");
	else
		ret = read_record(o, rec, e);
	json_object_put(o);
	json_tokener_free(tok);
	if (ret)
		box_record_free(rec);
	return ret;
}

void box_record_free(struct box_record *rec)
{
	for (size_t i = 0; i < rec->r.nstats; i++)
		free(rec->r.stats[i].name);
	free(rec->r.stats);
	free(rec->entry);
	vp_free(&rec->vp);
	*rec = (struct box_record){ 0 };
}
