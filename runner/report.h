/*
 * Reporting results: one console line per finished test ("PASS name
 * (reason)"), optionally guest lines as they arrive (-v), TAP 13 with one
 * subtest per check, and always the closing "N passed, N failed, N skipped"
 * (failed counts FAIL, ERROR, TIMEOUT and CRASH).
 */
#ifndef RUNNER_REPORT_H
#define RUNNER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "run.h"

struct report {
	FILE *console;		/* console lines, or NULL (-t) */
	FILE *tap;		/* TAP stream, or NULL */
	bool verbose;		/* guest lines too */
	unsigned ntap;		/* TAP test points written */
	unsigned passed, failed, skipped;
};

void report_begin(struct report *r, size_t ntests);
void report_guest_line(struct report *r, const struct test *t, const char *line);
void report_result(struct report *r, const struct result *res);
/* The closing line; interrupted by a signal when sig != 0. */
void report_end(struct report *r, int sig);

/* TAP description text: '#' and '\' escaped, so no directive is faked. */
void tap_escape(FILE *f, const char *s);

#endif
