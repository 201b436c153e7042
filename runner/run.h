/*
 * Running tests: up to N QEMU processes at once, each in its own process
 * group with stdin from /dev/null and stdout+stderr into one pipe.  One
 * poll() loop reads every pipe, appends to the test's log, feeds complete
 * lines to the verdict parser and enforces deadlines by killing the whole
 * process group.  Every child is reaped; every started test yields exactly
 * one result unless the run is interrupted (SIGINT, SIGTERM, SIGHUP,
 * SIGPIPE), in which case the running ones are killed and not reported.
 */
#ifndef RUNNER_RUN_H
#define RUNNER_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "stats.h"
#include "verdict-parse.h"

struct baseline;

struct result {
	const struct test *test;
	enum verdict v;
	char reason[512];
	char notice[512];		/* the baseline's "fixed? ..." notices, or "" */
	const struct vparse *vp;	/* the guest's checks; NULL if not run */
	bool unstarted;			/* the VMM could not even start */
	bool started;			/* it was spawned (run_opts.started was called) */
	double seconds;			/* from start to verdict; 0 if not run */
	struct stat_value *stats;	/* KVM statistics' deltas (stats.h), nstats of them */
	size_t nstats;
};

struct run_opts {
	unsigned jobs;			/* at most this many at once, >= 1 */
	struct baseline *baseline;	/* known failures applied to each result */
	bool passthrough;		/* copy raw output to stdout */
	/* Called with each complete output line, or NULL. */
	void (*line)(void *ctx, const struct test *t, const char *line);
	/* Called once per finished test, and (or NULL) once per started one. */
	void (*done)(void *ctx, const struct result *r);
	void (*started)(void *ctx, const struct test *t);
	void *ctx;
};

struct batch_end {
	int signal;		/* the signal that interrupted the run, or 0 */
	unsigned log_errors;	/* logs that could not be written (said on stderr) */
};

struct batch_end run_batch(const struct test *tests, size_t n, const struct run_opts *o);

/*
 * A VMM started the runner's way: its own process group, killed when the
 * runner dies (PR_SET_PDEATHSIG), stdin from in (-1: /dev/null), stdout
 * and stderr into out, the QMP socket qmp (>= 0) as fd QMP_CHILD_FD, the
 * signal mask mask.  0 once exec'ed, else the errno of the failure.
 */
int run_spawn(char *const *argv, int in, int out, int qmp, const sigset_t *mask, pid_t *pid);

/*
 * The run's signals blocked (old: the mask before) and readable from the
 * returned signalfd: SIGCHLD, and the ones that stop a run (SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, SIGUSR1/2, SIGALRM, SIGPIPE) unless inherited ignored.
 */
int run_signals_open(sigset_t *old);

/*
 * For the fuzzer (tests/fuzz/fuzz-verdict.c): output fed to a test's job
 * exactly as the runner reads it (n pieces: the output cap, the line
 * assembly and its length cut, coverage and stats lines, the verdict
 * parser), then the verdict for how the VMM ended (end) into r.
 */
void run_feed(const struct test *t, const char *const *piece, const size_t *len, size_t n,
	      const struct qemu_end *end, struct result *r);

#endif
