#define _GNU_SOURCE
#include "json-out.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "vmm.h"

struct json_out {
	char *path;
	FILE *f;
	struct json_object *doc, *tests;
};

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* A JSON string of guest (or any) text: valid UTF-8 whatever it held. */
static struct json_object *text(const char *s)
{
	char *clean = utf8_clean(s, true);
	struct json_object *o = json_object_new_string(clean);

	free(clean);
	return o;
}

static void now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The first line "binary --version" prints, or NULL; no shell. */
static char *version_line(const char *binary)
{
	char *out = capture_output((char *[]){ (char *)binary, "--version", NULL }, true, false);

	if (out && !*out) {
		free(out);
		return NULL;
	}
	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

static void add_vmm(struct json_object *vmms, const char *name, const char *binary)
{
	struct json_object *v = json_object_new_object();
	char *version = version_line(binary);

	json_object_object_add(v, "vmm", json_object_new_string(name));
	json_object_object_add(v, "binary", json_object_new_string(binary));
	json_object_object_add(v, "version", str_or_null(version));
	json_object_array_add(vmms, v);
	free(version);
}

struct json_out *json_out_begin(const char *path, const struct host *h, struct err *e)
{
	struct json_out *j = xmalloc(sizeof(*j));
	struct json_object *run, *host, *vmms;
	struct utsname u;
	char name[256] = "", start[32];

	*j = (struct json_out){ .path = xstrdup(path), .f = fopen(path, "we") };
	if (!j->f) {
		err_set(e, "%s: %m", path);
		free(j->path);
		free(j);
		return NULL;
	}
	run = json_object_new_object();
	host = json_object_new_object();
	vmms = json_object_new_array();
	gethostname(name, sizeof(name) - 1);
	uname(&u);
	json_object_object_add(host, "name", json_object_new_string(name));
	json_object_object_add(host, "machine", json_object_new_string(u.machine));
	json_object_object_add(host, "kernel", json_object_new_string(u.release));
	now_iso(start, sizeof(start));
	json_object_object_add(run, "start", json_object_new_string(start));
	json_object_object_add(run, "host", host);
	json_object_object_add(run, "accel", json_object_new_string(accel_name(h->accel)));
	json_object_object_add(run, "accel_note", str_or_null(h->note));
	for (int a = 0; a < ARCH_NR; a++)
		if (h->qemu[a])
			add_vmm(vmms, "qemu", h->qemu[a]);
	if (h->bochs)
		add_vmm(vmms, "bochs", h->bochs);
	json_object_object_add(run, "vmms", vmms);
	j->doc = json_object_new_object();
	j->tests = json_object_new_array();
	json_object_object_add(j->doc, "run", run);
	json_object_object_add(j->doc, "tests", j->tests);
	return j;
}

static struct json_object *checks_of(const struct vparse *vp)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; vp && i < vp->nchecks; i++) {
		const struct check *k = &vp->checks[i];
		struct json_object *c = json_object_new_object();
		const char *sep = strstr(k->msg, ": ");
		char *prefix = sep ? strndup(k->msg, sep - k->msg) : NULL;
		char *name = strndup(k->msg, check_name_len(k->msg));

		json_object_object_add(c, "status", json_object_new_string(check_kind_name(k->kind)));
		json_object_object_add(c, "prefix", text(prefix ? prefix : ""));
		json_object_object_add(c, "message", text(sep ? sep + 2 : k->msg));
		json_object_object_add(c, "name", text(name));
		json_object_object_add(c, "known", k->known ? text(k->known) : NULL);
		json_object_array_add(a, c);
		free(prefix);
		free(name);
	}
	return a;
}

/* KVM statistics' deltas by name, or null when none were read. */
static struct json_object *stats_of(const struct result *r)
{
	struct json_object *o;

	if (!r->nstats)
		return NULL;
	o = json_object_new_object();
	for (size_t i = 0; i < r->nstats; i++)
		json_object_object_add(o, r->stats[i].name, json_object_new_int64(r->stats[i].value));
	return o;
}

void json_out_test(struct json_out *j, const struct result *r)
{
	const struct test *t = r->test;
	struct json_object *o = json_object_new_object();
	char *cmd = t->argv.n ? shell_quote_argv(t->argv.v) : NULL;

	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "entry", json_object_new_string(t->entry ? t->entry : t->name));
	json_object_object_add(o, "arch", json_object_new_string(arch_info(t->arch)->name));
	json_object_object_add(o, "vmm", json_object_new_string(vmm_info(t->vmm)->name));
	json_object_object_add(o, "accel", t->vmm == VMM_QEMU ?
				json_object_new_string(accel_name(t->accel)) : NULL);
	json_object_object_add(o, "verdict", json_object_new_string(verdict_name(r->v)));
	json_object_object_add(o, "reason", text(r->reason));
	json_object_object_add(o, "notice", *r->notice ? text(r->notice) : NULL);
	json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
	json_object_object_add(o, "command", str_or_null(cmd));
	json_object_object_add(o, "log", str_or_null(t->log));
	json_object_object_add(o, "checks", checks_of(r->vp));
	json_object_object_add(o, "stats", stats_of(r));
	json_object_array_add(j->tests, o);
	free(cmd);
}

bool json_out_end(struct json_out *j, int signal)
{
	struct json_object *run;
	char end[32];
	bool bad;

	now_iso(end, sizeof(end));
	json_object_object_get_ex(j->doc, "run", &run);
	json_object_object_add(run, "end", json_object_new_string(end));
	json_object_object_add(run, "interrupted_by", signal ?
				json_object_new_string(sigabbrev_np(signal) ?: "?") : NULL);
	fputs(json_object_to_json_string_ext(j->doc, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE), j->f);
	fputc('\n', j->f);
	bad = ferror(j->f) | (fclose(j->f) != 0);
	if (bad)
		fprintf(stderr, "vmunit-run: %s: cannot write the JSON results: %m\n", j->path);
	json_object_put(j->doc);
	free(j->path);
	free(j);
	return bad;
}
