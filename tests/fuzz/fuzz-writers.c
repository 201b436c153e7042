/*
 * libFuzzer target: the TAP, JSON and JUnit writers fed check messages and
 * a reason of any bytes (one per input line): their output must stay valid
 * and whole: the TAP has exactly one test point per check and test and no
 * line a parser would take as another, the JSON parses back (json-c) with
 * every check, the JUnit XML parses back (libxml2).
 */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-out.h"
#include "junit.h"
#include "report.h"

static char json_path[64], xml_path[64];

static void check_tap(const char *tap, size_t points)
{
	size_t n = 0;

	for (const char *l = tap; *l; l = strchr(l, '\n') + 1) {
		n += !strncmp(l, "ok ", 3) || !strncmp(l, "not ok ", 7);
		if (!strncmp(l, "Bail out!", 9) || !strchr(l, '\n'))
			abort();
	}
	if (n != points)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct host h = { .accel = ACCEL_TCG };
	struct test t = { .name = "fuzz", .entry = "fuzz", .expect = -1, .log = "logs/fuzz.log" };
	char *text = strndup((const char *)data, size), *save, *msg, *tap = NULL;
	struct report rep = { 0 };
	struct result r = { .test = &t, .v = V_FAIL };
	struct vparse vp;
	struct json_object *doc, *tests, *checks;
	struct err e;
	size_t tap_len;
	xmlDocPtr xml;

	if (!json_path[0]) {
		snprintf(json_path, sizeof(json_path), "/dev/shm/fuzz-writers-%d.json", (int)getpid());
		snprintf(xml_path, sizeof(xml_path), "/dev/shm/fuzz-writers-%d.xml", (int)getpid());
	}
	vp_init(&vp);
	for (msg = strtok_r(text, "\n", &save); msg && vp.nchecks < 16; msg = strtok_r(NULL, "\n", &save)) {
		char line[4200];

		snprintf(line, sizeof(line), "%s: %s", vp.nchecks % 2 ? "PASS" : "FAIL", msg);
		vp_line(&vp, line);
	}
	snprintf(r.reason, sizeof(r.reason), "%.*s", (int)(size < 200 ? size : 200), (const char *)data);
	r.vp = &vp;
	rep.tap = open_memstream(&tap, &tap_len);
	rep.json = json_out_begin(json_path, &h, &e);
	rep.junit = junit_begin(xml_path, NULL, &e);
	if (!rep.tap || !rep.json || !rep.junit)
		abort();
	report_begin(&rep, 1);
	report_result(&rep, &r);
	report_end(&rep, 0);
	fflush(rep.tap);
	check_tap(tap, vp.nchecks + 1);
	if (report_close(&rep))
		abort();
	doc = json_object_from_file(json_path);
	if (!doc || !json_object_object_get_ex(doc, "tests", &tests) ||
	    !json_object_object_get_ex(json_object_array_get_idx(tests, 0), "checks", &checks) ||
	    json_object_array_length(checks) != vp.nchecks)
		abort();
	json_object_put(doc);
	xml = xmlReadFile(xml_path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!xml)
		abort();
	xmlFreeDoc(xml);
	free(tap);
	free(text);
	vp_free(&vp);
	return 0;
}
