#define _GNU_SOURCE
#include "junit.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "vmm.h"

struct junit_case {
	char *suite, *name, *classname, *reason, *out;
	enum verdict v;
	double seconds;
};

struct junit {
	char *path;
	FILE *f;		/* opened at the start, so a bad path fails early */
	struct junit_case *cases;
	size_t n;
	char start[32];
	char *platform;		/* or NULL */
};

struct junit *junit_begin(const char *path, const char *platform, struct err *e)
{
	struct junit *j = xmalloc(sizeof(*j));
	time_t t = time(NULL);
	struct tm tm;

	*j = (struct junit){ .path = xstrdup(path), .f = fopen(path, "we"),
			     .platform = platform ? xstrdup(platform) : NULL };
	if (!j->f) {
		err_set(e, "%s: %m", path);
		free(j->platform);
		free(j->path);
		free(j);
		return NULL;
	}
	gmtime_r(&t, &tm);
	strftime(j->start, sizeof(j->start), "%Y-%m-%dT%H:%M:%S", &tm);
	return j;
}

/* The case's system-out: command, log, then one line per check. */
static char *case_out(const struct result *r)
{
	const struct vparse *vp = r->vp;
	char *cmd = r->test->argv.n ? shell_quote_argv(r->test->argv.v) : xstrdup("(not run)");
	char *out;
	size_t len;
	FILE *f = xopen_memstream(&out, &len);

	fprintf(f, "command: %s\nlog: %s\n", cmd, r->test->log ? r->test->log : "-");
	for (size_t i = 0; vp && i < vp->nchecks; i++) {
		const struct check *c = &vp->checks[i];

		fprintf(f, "%s: %s%s%s\n", check_kind_name(c->kind), c->msg,
			c->known ? " # known: " : "", c->known ? c->known : "");
	}
	if (*r->notice)
		fprintf(f, "notice: %s\n", r->notice);
	free(cmd);
	return xclose_memstream(f, &out);
}

void junit_test(struct junit *j, const struct result *r)
{
	const struct test *t = r->test;
	const char *arch = arch_info(t->arch)->name, *vmm = vmm_info(t->vmm)->name;

	j->cases = xrealloc(j->cases, (j->n + 1) * sizeof(*j->cases));
	j->cases[j->n++] = (struct junit_case){
		.suite = t->vmm == VMM_QEMU ? xasprintf("%s %s %s", arch, vmm, accel_name(t->accel))
					    : xasprintf("%s %s", arch, vmm),
		.name = xstrdup(t->name), .classname = xasprintf("vmunit.%s.%s", arch, vmm),
		.reason = xstrdup(r->reason), .out = case_out(r), .v = r->v, .seconds = r->seconds,
	};
}

/* XML character data from guest text. */
static xmlChar *xml_text(const char *s)
{
	return (xmlChar *)utf8_clean(s, false);
}

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	xmlChar *v = xml_text(value);

	xmlTextWriterWriteAttribute(w, (const xmlChar *)name, v);
	free(v);
}

static void attrf(xmlTextWriterPtr w, const char *name, const char *fmt, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), fmt, v);
	attr(w, name, buf);
}

static void write_case(xmlTextWriterPtr w, const struct junit_case *c)
{
	static const char *const kinds[V_NR_VERDICTS] = {
		[V_FAIL] = "failure", [V_SKIP] = "skipped", [V_ERROR] = "error",
		[V_TIMEOUT] = "error", [V_CRASH] = "error", [V_XFAIL] = "skipped",
	};
	xmlChar *out = xml_text(c->out);

	xmlTextWriterStartElement(w, (const xmlChar *)"testcase");
	attr(w, "classname", c->classname);
	attr(w, "name", c->name);
	attrf(w, "time", "%.3f", c->seconds);
	if (kinds[c->v]) {
		xmlTextWriterStartElement(w, (const xmlChar *)kinds[c->v]);
		attr(w, "message", c->reason);
		if (c->v != V_SKIP)	/* XFAIL: a skipped with type XFAIL */
			attr(w, "type", verdict_name(c->v));
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterWriteElement(w, (const xmlChar *)"system-out", out);
	xmlTextWriterEndElement(w);
	free(out);
}

static void write_suite(xmlTextWriterPtr w, const struct junit *j, const char *suite)
{
	unsigned n = 0, failures = 0, errors = 0, skipped = 0;
	double seconds = 0;
	char host[256] = "";

	for (size_t i = 0; i < j->n; i++) {
		const struct junit_case *c = &j->cases[i];

		if (strcmp(c->suite, suite))
			continue;
		n++;
		seconds += c->seconds;
		failures += c->v == V_FAIL;
		skipped += c->v == V_SKIP || c->v == V_XFAIL;
		errors += c->v == V_ERROR || c->v == V_TIMEOUT || c->v == V_CRASH;
	}
	gethostname(host, sizeof(host) - 1);
	xmlTextWriterStartElement(w, (const xmlChar *)"testsuite");
	attr(w, "name", suite);
	attrf(w, "tests", "%.0f", n);
	attrf(w, "failures", "%.0f", failures);
	attrf(w, "errors", "%.0f", errors);
	attrf(w, "skipped", "%.0f", skipped);
	attrf(w, "time", "%.3f", seconds);
	attr(w, "timestamp", j->start);
	attr(w, "hostname", host);
	if (j->platform) {
		xmlTextWriterStartElement(w, (const xmlChar *)"properties");
		xmlTextWriterStartElement(w, (const xmlChar *)"property");
		attr(w, "name", "platform");
		attr(w, "value", j->platform);
		xmlTextWriterEndElement(w);
		xmlTextWriterEndElement(w);
	}
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->cases[i].suite, suite))
			write_case(w, &j->cases[i]);
	xmlTextWriterEndElement(w);
}

/*
 * The document is built in memory and written with stdio, so that every
 * write error (a full disk, /dev/full) is seen: libxml2's own file output
 * reports one only on its stderr.
 */
bool junit_end(struct junit *j)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	bool bad = !w;

	if (w) {
		xmlTextWriterSetIndent(w, 1);
		bad |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
		xmlTextWriterStartElement(w, (const xmlChar *)"testsuites");
		for (size_t i = 0; i < j->n; i++) {
			bool first = true;

			for (size_t k = 0; k < i && first; k++)
				first = strcmp(j->cases[k].suite, j->cases[i].suite);
			if (first)
				write_suite(w, j, j->cases[i].suite);
		}
		bad |= xmlTextWriterEndDocument(w) < 0;
		xmlFreeTextWriter(w);
	}
	if (!bad)
		bad = fwrite(xmlBufferContent(buf), 1, xmlBufferLength(buf), j->f) !=
		      (size_t)xmlBufferLength(buf);
	bad |= fflush(j->f) != 0;
	bad |= fclose(j->f) != 0;
	if (bad)
		fprintf(stderr, "vmunit-run: %s: cannot write the JUnit results: %m\n", j->path);
	if (buf)
		xmlBufferFree(buf);
	for (size_t i = 0; i < j->n; i++) {
		free(j->cases[i].suite);
		free(j->cases[i].name);
		free(j->cases[i].classname);
		free(j->cases[i].reason);
		free(j->cases[i].out);
	}
	free(j->cases);
	free(j->path);
	free(j->platform);
	free(j);
	return bad;
}
