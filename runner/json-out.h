/*
 * --json FILE: the whole run as one JSON document, built with json-c as
 * results arrive and written when the run ends; docs/results.schema.json
 * is its schema.  The run: start and end (UTC, ISO 8601), the host (name,
 * machine, kernel), the accelerator asked for and the note on why one was
 * chosen, and each VMM binary with its version line.  Each test: its
 * name, cfg entry, arch, VMM, accelerator, verdict and reason, seconds,
 * command line, log, the baseline's notice, KVM statistics' deltas
 * (stats.h; null when none were read), and every check (status,
 * prefix, message: the check line's text split at its first ": "; name:
 * the text without its detail, check_name_len(); known: the baseline's
 * reason for an XFAIL it made).
 */
#ifndef RUNNER_JSON_OUT_H
#define RUNNER_JSON_OUT_H

#include "plan.h"
#include "run.h"

struct json_out;

/* NULL with a message when path cannot be created. */
struct json_out *json_out_begin(const char *path, const struct host *h, struct err *e);
void json_out_test(struct json_out *j, const struct result *r);
/* Write and free; true when the file could not be written (said on stderr). */
bool json_out_end(struct json_out *j, int signal);

#endif
