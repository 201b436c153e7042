/*
 * The runner's side of the guest -> host verdict protocol (lib/verdict.h).
 *
 * Feed the guest's output one line at a time (vp_line) and QEMU's QMP
 * events (vp_event), then decide the test's verdict from those and from how
 * QEMU ended (vp_verdict).  QEMU's stderr shares the stream: its messages
 * ("qemu-system-x86_64: ...") and KVM's fatal errors ("KVM internal error.
 * Suberror: 1" and the register dump after it) are recognised here.
 * Memory is bounded: VP_MAX_CHECKS check lines and VP_MAX_MSG_BYTES of
 * their text, past which the output is a flood (an ERROR).
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
	const char *known;	/* the baseline's reason for an XFAIL it made, or NULL */
};

/*
 * A check message is "NAME" or "NAME (DETAIL)", the detail holding what
 * differs from host to host (lib/report.h): the length of its name, the
 * message without one trailing parenthesised group after a blank.
 */
size_t check_name_len(const char *msg);

/* Bounds on what one test's output may cost; past them it is a flood. */
#define VP_MAX_CHECKS 100000
#define VP_MAX_MSG_BYTES (16u << 20)

struct vparse {
	const char *qemu_name;	/* QEMU's program name ("qemu-system-x86_64"), or NULL */
	/* The VMM's own lines (vmm.h); NULL: QEMU's, vp_qemu_line(). */
	bool (*own_line)(struct vparse *vp, const char *line);
	struct check *checks;
	size_t nchecks, cap, msg_bytes;
	unsigned count[CHECK_NR_KINDS];
	char *error;		/* the first "ERROR:" reason, or NULL */
	bool have_summary, summary_bad;
	unsigned sum_tests, sum_unexpected, sum_expected, sum_skipped, sum_notrun;
	bool have_exit;		/* an EXIT line was seen */
	int status;		/* its STATUS */
	unsigned after_exit;	/* check or ERROR lines after EXIT */
	char *after_exit_first;	/* the first of them */
	unsigned guest_lines;	/* lines that are not QEMU's own messages */
	char *qemu_msg;		/* the VMM's first message ("name: ..."), or NULL */
	bool qemu_msg_warning;	/* ... a warning: the next error replaces it */
	char *flood;		/* output over a bound: what was exceeded */
	char *migration;	/* the runner's migration failed: stage and QEMU's words */
	bool migrate;		/* cfg migration = 1: at least one must be done */
	unsigned migrated;	/* migrations done */
	/*
	 * A fatal condition of QEMU or KVM ("KVM internal error ...") with
	 * what its register dump said; fatal_done once the dump is complete.
	 */
	char *fatal;
	unsigned long long rip;	/* from the dump, 0 when none */
	char code[48];
	bool fatal_done;
	/* QMP events: the guest reset the machine, the VM stopped, panicked. */
	bool reset, stopped, panicked;
};

/* How the QEMU process ended. */
struct qemu_end {
	bool timed_out;
	double timeout_s;
	int wstatus;			/* as from waitpid() */
	int (*decode_exit)(int code);	/* the arch's, or NULL */
	const char *vmm;		/* for reasons: "QEMU" (NULL), "Bochs" */
};

void vp_init(struct vparse *vp);
/* "qemu-system-x86_64: msg", QEMU's own message: recorded, true. */
bool vp_qemu_line(struct vparse *vp, const char *line);
void vp_free(struct vparse *vp);
/* A check line's kind and message, within the bounds (else a flood). */
void vp_add_check(struct vparse *vp, enum check_kind kind, const char *msg);
/*
 * Checks the runner added (vp_add_check) after a PASS: the verdict again,
 * FAIL ("1 of 3 checks failed") or PASS ("3 checks, 1 skipped"), in reason.
 */
enum verdict vp_recount(const struct vparse *vp, char *reason, size_t len);
/* One line of output, without its '\n'; a trailing '\r' is ignored. */
void vp_line(struct vparse *vp, const char *line);
/* A QMP event: "SHUTDOWN" (with its reason), "STOP", "GUEST_PANICKED". */
void vp_event(struct vparse *vp, const char *event, const char *reason);
/* The runner's migration of the VM failed (runner/migrate.h): an ERROR. */
void vp_migration_failed(struct vparse *vp, const char *why);
/* The runner cut the output off: over its size bound (what, e.g. "16 MiB"). */
void vp_flood(struct vparse *vp, const char *what);
/*
 * Whether the test is over although QEMU may still run: a fatal error, a
 * stop, a flood, a check or ERROR line after EXIT.
 */
bool vp_fatal(const struct vparse *vp);

/*
 * QEMU ended of itself, with a failure, before anything but its own
 * messages was printed: the run could not start (no verdict on the guest).
 */
bool vp_unstarted(const struct vparse *vp, const struct qemu_end *end);

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
