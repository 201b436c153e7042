/*
 * Reporting results: one console line per finished test ("PASS name
 * (reason)"), optionally guest lines as they arrive (-v), TAP 13 and
 * always the closing "N passed, N failed, N skipped" (failed counts FAIL,
 * ERROR, TIMEOUT and CRASH), then ", N xfail" when the baseline knew some
 * failures.  A result's baseline notice follows its line ("  notice: ...").  With progress (the caller decides: a
 * terminal), one status line is redrawn in place ("\r", erase line) as
 * tests start and end, cleared before every other line and at the end.
 *
 * TAP is plain version 13, no subtests (a TAP 14 feature that TAP 13
 * parsers such as Perl's TAP::Parser do not know): each check is a test
 * point "name: check message", followed by the test's own point, and the
 * plan comes last.  Descriptions are escaped so that no guest output can
 * fake a directive, a line or invalid UTF-8.  A write error on any stream
 * is remembered and report_close() says so.
 */
#ifndef RUNNER_REPORT_H
#define RUNNER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "json-out.h"
#include "junit.h"
#include "run.h"

struct report {
	FILE *console;		/* console lines, or NULL (-t) */
	bool progress;		/* a status line on the console (a terminal) */
	FILE *tap;		/* TAP stream, or NULL */
	const char *tap_name;	/* for messages */
	const char *note;	/* the accelerator note, or NULL */
	bool platform;		/* ... it names the platform (the box): on the console too */
	char *left_out;		/* the nodefault entries not run (select.h), or NULL */
	bool verbose;		/* guest lines too */
	unsigned ntap;		/* TAP test points written */
	unsigned passed, failed, skipped, xfailed;
	unsigned unstarted;	/* of failed: the VMM could not start */
	struct json_out *json;	/* --json, or NULL */
	struct junit *junit;	/* --junit, or NULL */
	int signal;		/* what interrupted the run, or 0 */
	/* The status line: done/total, the running tests, elapsed, failed. */
	size_t total, running;
	const struct test **run;	/* the running ones, running of them */
	long long t0;
};

void report_begin(struct report *r, size_t ntests);
void report_guest_line(struct report *r, const struct test *t, const char *line);
void report_started(struct report *r, const struct test *t);
void report_result(struct report *r, const struct result *res);
/* The closing line; interrupted by a signal when sig != 0. */
void report_end(struct report *r, int sig);
/*
 * Flush and close the TAP file (not stdout); true when a stream could not
 * be written (said on stderr).
 */
bool report_close(struct report *r);

/*
 * TAP description text: '#' and '\' escaped (no directive is faked),
 * control characters and bytes that are not UTF-8 written as \xHH.
 */
void tap_escape(FILE *f, const char *s);
/*
 * Guest text made valid UTF-8 for JSON and XML (malloc'ed): bytes that are
 * not UTF-8 written as \xHH; unless keep_controls (JSON escapes those
 * itself), so are the bytes of what XML 1.0 does not allow or the README
 * promises to escape: control characters but tab and newline, DEL, and
 * U+FFFE/U+FFFF.
 */
char *utf8_clean(const char *s, bool keep_controls);

#endif
