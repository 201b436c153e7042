/*
 * The runner's side of the guest -> host verdict protocol (lib/verdict.h).
 *
 * Feed the guest's output one line at a time (vp_line), then decide the
 * test's verdict from those lines and from how QEMU ended (vp_verdict).
 * The decision rules are listed, in order, at vp_verdict() in the .c file.
 */
#ifndef RUNNER_VERDICT_PARSE_H
#define RUNNER_VERDICT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

struct check {
	enum check_kind kind;
	char *msg;
};

struct vparse {
	struct check *checks;
	size_t nchecks, cap;
	unsigned count[CHECK_NR_KINDS];
	char *error;		/* the first "ERROR:" reason, or NULL */
	bool have_summary, summary_bad;
	unsigned sum_tests, sum_unexpected, sum_expected, sum_skipped;
	bool have_exit;		/* an EXIT line was seen; later lines ignored */
	int status;		/* its STATUS */
};

/* How the QEMU process ended. */
struct qemu_end {
	bool timed_out;
	double timeout_s;
	int wstatus;			/* as from waitpid() */
	int (*decode_exit)(int code);	/* the arch's, or NULL */
};

void vp_init(struct vparse *vp);
void vp_free(struct vparse *vp);
/* One line of output, without its '\n'; a trailing '\r' is ignored. */
void vp_line(struct vparse *vp, const char *line);

enum verdict vp_verdict(const struct vparse *vp, const struct qemu_end *end,
			char *reason, size_t len);

/*
 * A cfg entry's "expect": the expected verdict counts as PASS, with the
 * reason kept ("expected ERROR: ..."); anything else is a FAIL.  expect < 0
 * leaves the verdict alone.
 */
enum verdict apply_expect(int expect, const char *want_reason, enum verdict v, char *reason,
			  size_t len);

/* "PASS name (reason)", the console and log line of a finished test. */
void verdict_line(char *buf, size_t len, enum verdict v, const char *name,
		  const char *reason);

const char *verdict_name(enum verdict v);
/* Case-insensitive; -1 when unknown. */
int verdict_from_name(const char *name);
const char *check_kind_name(enum check_kind k);

/* decode_exit(): the exit says "some non-zero status" without which one. */
#define EXIT_NONZERO (-2)

#endif
