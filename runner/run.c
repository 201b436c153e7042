#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "efi-snapshot.h"
#include "gcov-collect.h"
#include "migrate.h"
#include "stats.h"
#include "qmp.h"
#include "reaper.h"
#include "symbols.h"
#include "vmm.h"

#define LINE_MAX_LEN 4096
#define LINE_CUT " [line cut]"	/* ends a line longer than that, which stays one */
#define DRAIN_MS 1000	/* after QEMU exits, how long to wait for EOF */
#define FATAL_GRACE_MS 500	/* after a fatal error, for its register dump */
#define OUTPUT_MAX_BYTES (16u << 20)	/* per test; then the output is cut off */

struct job {
	const struct test *t;
	pid_t pid;		/* also the process group */
	int fd;			/* read end of the output pipe, or -1 */
	struct qmp qmp;
	int in;			/* its console input (migration entries), or -1 */
	const sigset_t *mask;	/* the children's: a migration's destination too */
	FILE *log;
	size_t out_bytes;	/* output read so far */
	long long deadline;	/* ms; after exit: the end of draining */
	long long started;	/* ms, at the spawn; 0 if not started */
	bool exited, timed_out;
	bool ending;		/* fatal error or flood: killed at the deadline */
	int wstatus;
	bool ends_in_newline;
	struct vparse vp;
	struct gcov_collect gcov;
	struct stats stats;		/* with t->stats_kvm */
	bool efi_warm;		/* started from the firmware snapshot, this file: */
	struct stat efi_st;
	char line[LINE_MAX_LEN];
	size_t len;
	bool cut;		/* the line is past LINE_MAX_LEN: the rest is dropped */
};

struct sched {
	const struct test *tests;
	size_t n, next;
	struct job *running;	/* o->jobs slots; pid 0 = free */
	size_t nrunning;
	int sigfd;
	int stop;		/* the signal that interrupted us, or 0 */
	unsigned log_errors;	/* logs that could not be written */
	const struct run_opts *o;
	const sigset_t *mask;	/* the children's (for a start again, cold) */
};

/* ---- the child ---- */

/*
 * The VMM in a process group of its own (so a timeout kills all of it) that
 * dies with the runner (PR_SET_PDEATHSIG, whatever kills the runner),
 * stdin from in (-1: /dev/null), stdout and stderr into the pipe, QEMU's QMP socket
 * (qmp >= 0) as fd QMP_CHILD_FD, our signal mask undone.  An exec error goes back to the
 * parent through errfd, which closes on a successful exec.  Bochs (bochs)
 * gets a child in its group that reads its terminal display away.
 */
static void __attribute__((noreturn)) child(char *const *argv, int in, int out, int qmp,
					     int errfd, const sigset_t *mask, pid_t parent,
					     bool bochs)
{
	int null = in >= 0 ? in : open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 10);
	if (qmp >= 0)
		qmp = fcntl(qmp, F_DUPFD, 10);
	if (null < 0 || errfd < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0 || (qmp >= 0 && dup2(qmp, QMP_CHILD_FD) < 0))
		goto fail;
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (reaper_mark())
		putenv((char *)reaper_mark());
	if (bochs) {
		pid_t self = getpid();

		if (fork() == 0)
			bochs_term_drain(self);
	}
	execv(argv[0], argv);
fail:
	if (write(errfd, &errno, sizeof(errno)) < 0)
		_exit(126);
	_exit(127);
}

static int spawn(char *const *argv, int in, int out, int qmp, const sigset_t *mask, bool bochs,
		 pid_t *pid)
{
	pid_t parent = getpid();
	int ep[2], error = 0;
	ssize_t n;

	if (pipe2(ep, O_CLOEXEC))
		return errno;
	*pid = fork();
	if (*pid == 0)
		child(argv, in, out, qmp, ep[1], mask, parent, bochs);
	if (*pid < 0)
		error = errno;
	close(ep[1]);
	while (*pid > 0 && (n = read(ep[0], &error, sizeof(error))) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (*pid > 0 && error) {
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		*pid = 0;
	}
	return error;
}

int run_spawn(char *const *argv, int in, int out, int qmp, const sigset_t *mask, pid_t *pid)
{
	return spawn(argv, in, out, qmp, mask, false, pid);
}

/* ---- logs ---- */

/* A log that cannot be opened counts as one that could not be written. */
static FILE *open_log(const struct test *t, unsigned *errors)
{
	char *dir;
	FILE *f;

	if (!t->log)
		return NULL;
	dir = xstrdup(t->log);
	mkdir_p(dirname(dir));
	free(dir);
	f = fopen(t->log, "we");
	if (!f) {
		fprintf(stderr, "vmunit-run: %s: %m\n", t->log);
		++*errors;
	}
	return f;
}

/* The log's last line, then close it; a log that was not written counts. */
static void log_close(struct job *j, const char *last, unsigned *errors)
{
	if (!j->log)
		return;
	fprintf(j->log, "%s%s\n", j->ends_in_newline ? "" : "\n", last);
	if (ferror(j->log) | fclose(j->log)) {
		fprintf(stderr, "vmunit-run: %s: cannot write the log: %m\n", j->t->log);
		++*errors;
	}
	j->log = NULL;
}

/* The verdict line last, the baseline's notices before it. */
static void log_result(struct job *j, const struct result *r, unsigned *errors)
{
	char line[1024], *last;

	verdict_line(line, sizeof(line), r->v, j->t->name, r->reason);
	last = *r->notice ? xasprintf("notice: %s\n%s", r->notice, line) : xstrdup(line);
	log_close(j, last, errors);
	free(last);
}

/* ---- starting and finishing ---- */

static void on_event(void *ctx, const char *event, const char *reason)
{
	vp_event(ctx, event, reason);
}

static void log_command(FILE *log, const struct test *t, char *const *argv)
{
	char *cmd = shell_quote_argv(argv);

	fprintf(log, "%s\n", cmd);
	if (t->note)
		fprintf(log, "# %s\n", t->note);
	if (t->smp_note)
		fprintf(log, "# %s\n", t->smp_note);
	fflush(log);
	free(cmd);
}

/* The entry's scratch disk, zeroed: 0, or -1 with errno. */
static int make_scratch(const struct test *t)
{
	int fd = open(t->scratch, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r = fd < 0 || ftruncate(fd, (off_t)t->scratch_mib << 20) ? -1 : 0;

	if (fd >= 0)
		close(fd);
	return r;
}

/* query-stats of both targets, ids "<when>-vm" and "<when>-vcpu". */
static void snapshot(struct job *j, const char *when)
{
	static const char *const targets[] = { "vm", "vcpu" };

	for (int i = 0; i < 2; i++) {
		char *cmd = xasprintf("{\"execute\": \"query-stats\", \"arguments\": {\"target\": \"%s\"}, \"id\": \"%s-%s\"}\n",
				      targets[i], when, targets[i]);

		qmp_send(&j->qmp, cmd);
		free(cmd);
	}
}

static void on_stats_reply(void *ctx, const char *id, struct json_object *ret)
{
	struct job *j = ctx;
	const char *dash = strchr(id, '-');
	struct stats_snap *snap = !strncmp(id, "before-", 7) ? &j->stats.before :
				  !strncmp(id, "after-", 6) ? &j->stats.after : NULL;

	if (snap && dash && ret)
		stats_add_reply(snap, dash + 1, ret);
}

static void log_note(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* QEMU refused the commands that load the snapshot: it would wait forever. */
static void on_efi_reply(void *ctx, const char *id, struct json_object *ret)
{
	struct job *j = ctx;

	if (efi_snapshot_refused(id, ret) && !j->exited)
		kill(-j->pid, SIGKILL);	/* efi_load_failed() then */
}

/*
 * boot = efi under TCG: QEMU waits for its state (-incoming defer), which
 * the commands queued on its QMP socket feed it from the firmware snapshot
 * (efi-snapshot.h), checked first; else a cold boot.  The log says which
 * (its command line is the cold one: the snapshot cannot be on it).
 */
static void efi_warm_start(struct job *j, struct strv *argv)
{
	const char *path = j->t->efi_state;
	struct err e;
	int fd = efi_snapshot_open(path, &j->efi_st, &e);

	if (fd >= 0 && !efi_snapshot_incoming(&j->qmp, fd)) {
		efi_snapshot_argv(argv);
		j->efi_warm = true;
		j->qmp.reply = on_efi_reply;	/* (never with stats_kvm: that is kvm) */
		j->qmp.reply_ctx = j;
		log_note(j, "efi: from the firmware snapshot %s", path);
	} else if (fd >= 0) {
		log_note(j, "efi: firmware snapshot %s: cannot feed it to QEMU: a cold boot", path);
	} else if (fd == EFI_SNAPSHOT_BAD) {
		fprintf(stderr, "vmunit-run: %s: EFI firmware snapshot %s; booting cold\n",
			j->t->name, e.msg);
		log_note(j, "efi: firmware snapshot %s: a cold boot", e.msg);
	} else {
		log_note(j, "efi: no firmware snapshot (the runner said why): a cold boot");
	}
	if (fd >= 0)
		close(fd);
}

/* 0, or an errno value when QEMU could not be started. */
static int job_start(struct sched *s, struct job *j, const struct test *t,
		     const sigset_t *mask)
{
	struct strv argv = { 0 };
	int p[2], qmp, r;

	int in[2] = { -1, -1 };

	*j = (struct job){ .t = t, .fd = -1, .qmp.fd = -1, .in = -1, .mask = mask,
			   .ends_in_newline = true };
	vp_init(&j->vp);
	j->vp.migrate = t->migrate;
	j->vp.qemu_name = base_name(t->argv.v[0]);
	j->vp.own_line = vmm_info(t->vmm)->own_line;
	strv_append(&argv, t->argv.v);
	j->log = open_log(t, &s->log_errors);
	if (j->log)
		log_command(j->log, t, argv.v);
	/* After open_log(), which made the directory the tree goes in. */
	gcov_start(&j->gcov, t->gcov_dir, gcov_coverage_build);
	if (t->scratch && make_scratch(t)) {
		strv_free(&argv);
		return errno;
	}
	if (pipe2(p, O_CLOEXEC)) {
		strv_free(&argv);
		return errno;
	}
	r = t->vmm == VMM_QEMU ? qmp_open(&j->qmp, &qmp) : (qmp = -1, 0);
	if (r) {
		close(p[0]);
		close(p[1]);
		strv_free(&argv);
		return r;
	}
	if (t->efi_state && qmp >= 0)
		efi_warm_start(j, &argv);
	if (t->stats_kvm) {	/* the first snapshot, then let it run (it started with -S) */
		j->qmp.reply = on_stats_reply;
		j->qmp.reply_ctx = j;
		snapshot(j, "before");
		qmp_send(&j->qmp, "{\"execute\": \"cont\"}\n");
	}
	if (qmp >= 0)
		strv_append(&argv, qmp_argv);
	if (t->migrate && pipe2(in, O_CLOEXEC))
		in[0] = in[1] = -1;	/* the guest's wait then ends in its ERROR */
	r = spawn(argv.v, in[0], p[1], qmp, mask, t->vmm == VMM_BOCHS, &j->pid);
	if (in[0] >= 0)
		close(in[0]);
	j->in = in[1];
	strv_free(&argv);
	close(p[1]);
	if (qmp >= 0)
		close(qmp);
	if (r) {
		close(p[0]);
		qmp_close(&j->qmp);
		if (j->in >= 0)
			close(j->in);
		j->in = -1;
		j->pid = 0;
		return r;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	j->fd = p[0];
	j->started = now_ms();
	j->deadline = t->timeout_s > 0 ? j->started + (long long)(t->timeout_s * 1000) : LLONG_MAX;
	return 0;
}

/* The guest asked to be migrated (runner/migrate.h); the log says how it went. */
static void job_migrate(struct job *j)
{
	struct vm v = { .pid = j->pid, .out = j->fd, .in = j->in, .qmp = j->qmp };
	long long t0 = now_ms();
	struct err e;
	int r;

	if (j->exited || j->in < 0)
		r = err_set(&e, "QEMU %s", j->exited ? "has exited" : "has no console input");
	else
		r = migrate_vm(j->t->argv.v, j->mask, &v, &e);
	j->pid = v.pid;
	j->fd = v.out;
	j->in = v.in;
	j->qmp = v.qmp;
	if (!r) {
		j->vp.migrated++;
		log_note(j, "migration %u: to a new QEMU (pid %d) in %lld ms", j->vp.migrated,
			 (int)j->pid, now_ms() - t0);
	} else if (r > 0) {
		log_note(j, "migration: QEMU refused: %s", e.msg);
	} else {
		log_note(j, "migration failed: %s", e.msg);
		vp_migration_failed(&j->vp, e.msg);
	}
}

/* The guest's "backtrace:" line, resolved in the payload that ran, into the log. */
static void log_backtrace(struct job *j)
{
	struct symbols *s = j->log && j->t->payload ? symbols_open(j->t->payload) : NULL;
	char *text = s ? symbols_backtrace(s, j->line) : NULL;

	if (text) {
		text[strlen(text) - 1] = '\0';
		log_note(j, "backtrace in %s:\n%s", j->t->payload, text);
	}
	free(text);
	symbols_close(s);
}

static void flush_line(struct job *j, const struct run_opts *o)
{
	if (j->cut)
		memcpy(j->line + j->len, LINE_CUT, sizeof(LINE_CUT));
	else
		j->line[j->len] = '\0';
	j->len = 0;
	j->cut = false;
	if (gcov_line(&j->gcov, j->line))
		return;
	if (j->t->stats_kvm && !stats_line(&j->stats, j->line) &&
	    !strncmp(j->line, "STATS: end", 10))
		snapshot(j, "after");
	vp_line(&j->vp, j->line);
	if (!strncmp(j->line, "backtrace:", 10))
		log_backtrace(j);
	if (o->line)
		o->line(o->ctx, j->t, j->line);
	if (j->t->migrate && !strncmp(j->line, VM_MIGRATE_LINE, strlen(VM_MIGRATE_LINE)) &&
	    strspn(j->line + strlen(VM_MIGRATE_LINE), "\r") ==
	    strlen(j->line + strlen(VM_MIGRATE_LINE)))
		job_migrate(j);
}

/*
 * Every result goes out here: the cfg's expect (unless QEMU could not even
 * start: then there was no verdict to compare), the known failures, the
 * log's last line.
 */
/* An ERROR reason's "at rip/pc 0x..." followed by its file:line and function. */
static void name_code(const struct test *t, char *reason, size_t len)
{
	struct symbols *s;

	if (!t->payload || (!strstr(reason, " at rip 0x") && !strstr(reason, " at pc 0x")))
		return;
	s = symbols_open(t->payload);
	if (s)
		symbols_reason(s, reason, len);
	symbols_close(s);
}

static void deliver(struct sched *s, struct job *j, struct result *r, bool unstarted)
{
	r->unstarted = unstarted;
	r->started = j->started != 0;
	if (r->v == V_ERROR)
		name_code(j->t, r->reason, sizeof(r->reason));
	if (j->started)
		r->seconds = (now_ms() - j->started) / 1000.0;
	if ((unstarted || j->t->skip) && j->t->expect >= 0) {	/* it did not run */
		size_t n = strlen(r->reason);

		snprintf(r->reason + n, sizeof(r->reason) - n, "; expected %s not checked",
			 verdict_name(j->t->expect));
	} else {
		r->v = apply_expect(j->t->expect, j->t->expect_reason, r->v, r->reason,
				    sizeof(r->reason));
	}
	if (s->o->baseline)
		baseline_apply(s->o->baseline, r, &j->vp);
	log_result(j, r, &s->log_errors);
	s->o->done(s->o->ctx, r);
	j->pid = 0;
}

/* One line of the runner's own in the log, on a line of its own. */

static void log_note(struct job *j, const char *fmt, ...)
{
	va_list ap;

	if (j->log) {
		if (!j->ends_in_newline)
			fputc('\n', j->log);
		va_start(ap, fmt);
		vfprintf(j->log, fmt, ap);
		va_end(ap);
		fputc('\n', j->log);
	}
	j->ends_in_newline = true;
}

/*
 * The statistics' deltas into the log ("STAT: name delta": the names
 * asked for, or every one that moved) and the result; the checks decide
 * a passing test.  Under tcg the log says there are none.
 */
/* A statistics check as a check of the test's, in its log too. */
static void stat_check(void *ctx, bool holds, const char *text)
{
	struct job *j = ctx;
	enum check_kind k = holds ? CHECK_PASS : j->t->stats_kvm ? CHECK_FAIL : CHECK_SKIP;

	vp_add_check(&j->vp, k, text);
	log_note(j, "%s: %s", check_kind_name(k), text);
}

static void stats_finish(struct job *j, struct result *r)
{
	const struct stats *s = &j->stats;
	char why[256];
	int bad;

	if (!j->t->stats_kvm) {	/* each check a SKIP saying why */
		snprintf(why, sizeof(why), "KVM's statistics only (running %s)",
			 j->t->vmm == VMM_QEMU ? accel_name(j->t->accel) : vmm_info(j->t->vmm)->display);
		if (stats_unchecked(s, j->t->stats_check, why, stat_check, j) && r->v == V_PASS)
			r->v = vp_recount(&j->vp, r->reason, sizeof(r->reason));
		return;
	}
	for (size_t i = 0; i < s->after.n; i++) {
		const char *name = s->after.v[i].name;
		int64_t d;

		if (!stats_delta(s, name, &d) ||
		    (strcmp(j->t->stats, "all") ? !word_in_list(j->t->stats, name) : !d))
			continue;
		r->stats = xrealloc(r->stats, (r->nstats + 1) * sizeof(*r->stats));
		r->stats[r->nstats++] = (struct stat_value){ xstrdup(name), d };
		log_note(j, "STAT: %s %lld", name, (long long)d);
	}
	bad = stats_evaluate(s, j->t->stats_check, stat_check, j, why, sizeof(why));
	if (r->v != V_PASS)
		return;
	if (bad < 0) {
		r->v = V_ERROR;
		snprintf(r->reason, sizeof(r->reason), "%s", why);
	} else {
		r->v = vp_recount(&j->vp, r->reason, sizeof(r->reason));
	}
}

/* Coverage data that could not be collected: said in the log and on stderr. */
static void log_coverage_error(struct job *j)
{
	fprintf(stderr, "vmunit-run: %s: coverage: %s\n", j->t->name, j->gcov.error);
	log_note(j, "# coverage: %s", j->gcov.error);
	free(j->gcov.error);
	j->gcov.error = NULL;
}

static void job_finish(struct sched *s, struct job *j)
{
	struct result r = { .test = j->t, .vp = &j->vp };
	struct qemu_end end = {
		.timed_out = j->timed_out, .timeout_s = j->t->timeout_s,
		.wstatus = j->wstatus,
		.decode_exit = vmm_info(j->t->vmm)->exit_has_status ?
			       arch_info(j->t->arch)->decode_exit : NULL,
		.vmm = vmm_info(j->t->vmm)->display,
	};

	if (j->len)
		flush_line(j, s->o);
	while (qmp_read(&j->qmp, on_event, &j->vp) > 0)	/* what QEMU said last */
		;
	qmp_close(&j->qmp);
	if (j->in >= 0)
		close(j->in);
	j->in = -1;
	gcov_end(&j->gcov);
	if (j->gcov.error)
		log_coverage_error(j);
	r.v = vp_verdict(&j->vp, &end, r.reason, sizeof(r.reason));
	if (j->t->stats)
		stats_finish(j, &r);
	deliver(s, j, &r, vp_unstarted(&j->vp, &end));
	vp_free(&j->vp);
	stats_free(&j->stats);
	for (size_t i = 0; i < r.nstats; i++)
		free(r.stats[i].name);
	free(r.stats);
}

/* A test decided without booting (accel requirement, precondition). */
static void finish_skipped(struct sched *s, const struct test *t)
{
	struct job j = { .t = t, .ends_in_newline = true };
	struct result r = { .test = t, .v = V_SKIP };

	snprintf(r.reason, sizeof(r.reason), "%s", t->skip);
	j.log = open_log(t, &s->log_errors);
	if (j.log)
		fprintf(j.log, "# not run: %s\n", t->skip);
	deliver(s, &j, &r, false);
}

/* A test that could not even be started: a CRASH, with the reason. */
static void finish_unstarted(struct sched *s, struct job *j, int error)
{
	struct result r = { .test = j->t, .v = V_CRASH };

	snprintf(r.reason, sizeof(r.reason), "%s could not start: %s",
		 vmm_info(j->t->vmm)->display, strerror(error));
	gcov_end(&j->gcov);	/* (job_start() began it) */
	if (j->gcov.error)
		log_coverage_error(j);
	deliver(s, j, &r, true);
}

/* ---- watching ---- */

/* Past OUTPUT_MAX_BYTES the rest is dropped, the log says so: a flood. */
static size_t output_cap(struct job *j, size_t n)
{
	static const char marker[] = "\n[vmunit-run: output cut off after 16 MiB]\n";

	if (j->out_bytes + n <= OUTPUT_MAX_BYTES) {
		j->out_bytes += n;
		return n;
	}
	n = OUTPUT_MAX_BYTES - j->out_bytes;
	j->out_bytes = OUTPUT_MAX_BYTES;
	if (!j->vp.flood && j->log)
		fwrite(marker, 1, sizeof(marker) - 1, j->log);
	vp_flood(&j->vp, "16 MiB of output");
	return n;
}

static void job_output(struct job *j, const char *buf, size_t n,
		       const struct run_opts *o)
{
	n = output_cap(j, n);
	if (!n)
		return;
	if (j->log)
		fwrite(buf, 1, n, j->log);
	if (o->passthrough) {
		fwrite(buf, 1, n, stdout);
		fflush(stdout);
	}
	j->ends_in_newline = buf[n - 1] == '\n';
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			flush_line(j, o);
			continue;
		}
		if (j->len < LINE_MAX_LEN - sizeof(LINE_CUT))
			j->line[j->len++] = buf[i];
		else
			j->cut = true;
	}
}

void run_feed(const struct test *t, const char *const *piece, const size_t *len, size_t n,
	      const struct qemu_end *end, struct result *r)
{
	static const struct run_opts quiet = { .jobs = 1 };
	struct job *j = xmalloc(sizeof(*j));

	*j = (struct job){ .t = t, .fd = -1, .qmp.fd = -1, .ends_in_newline = true };
	gcov_start(&j->gcov, NULL, true);	/* parsed as in a coverage build, kept nowhere */
	vp_init(&j->vp);
	j->vp.qemu_name = "qemu-system-x86_64";
	for (size_t i = 0; i < n; i++)
		if (len[i])
			job_output(j, piece[i], len[i], &quiet);
	if (j->len)
		flush_line(j, &quiet);
	gcov_end(&j->gcov);
	free(j->gcov.error);
	*r = (struct result){ .test = t };
	r->v = vp_verdict(&j->vp, end, r->reason, sizeof(r->reason));
	if (t->stats)
		stats_finish(j, r);
	stats_free(&j->stats);
	vp_free(&j->vp);
	free(j);
}

static void job_read(struct job *j, const struct run_opts *o)
{
	char buf[8192];
	ssize_t n = read(j->fd, buf, sizeof(buf));

	if (n > 0) {
		job_output(j, buf, n, o);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(j->fd);
		j->fd = -1;
	}
}

/*
 * A fatal error, a stopped VM or a flood ends the test without waiting for
 * its timeout: at once when the dump is complete (the "Code=" line, or
 * QEMU's STOP after the message), else after FATAL_GRACE_MS.
 */
static void job_watch_fatal(struct job *j, long long now)
{
	const struct vparse *vp = &j->vp;
	long long end;

	if (j->exited || !vp_fatal(vp))
		return;
	end = vp->flood || vp->fatal_done || (vp->fatal && vp->stopped) ? now
									 : now + FATAL_GRACE_MS;
	if (!j->ending || end < j->deadline)
		j->deadline = end;
	j->ending = true;
}

/*
 * Has QEMU exited?  Look without reaping, kill what is left of its process
 * group while the group id is still ours, then reap.
 */
static void job_check_exit(struct job *j)
{
	siginfo_t si = { 0 };

	if (j->exited ||
	    waitid(P_PID, j->pid, &si, WEXITED | WNOHANG | WNOWAIT) || !si.si_pid)
		return;
	kill(-j->pid, SIGKILL);
	while (waitpid(j->pid, &j->wstatus, 0) < 0 && errno == EINTR)
		;
	j->exited = true;
	j->deadline = now_ms() + DRAIN_MS;
}

static void job_check_deadline(struct job *j, long long now)
{
	if (now < j->deadline)
		return;
	j->deadline = now + DRAIN_MS;	/* next look, if this one is not the end */
	if (!j->exited) {
		kill(-j->pid, SIGKILL);
		j->timed_out = !j->ending;
	} else if (j->fd >= 0) {
		close(j->fd);	/* something outlived QEMU holding the pipe */
		j->fd = -1;
	}
}

/* ---- the loop ---- */

static void start_more(struct sched *s, const sigset_t *mask)
{
	while (!s->stop && s->next < s->n && s->nrunning < s->o->jobs) {
		const struct test *t = &s->tests[s->next++];
		struct job *j = s->running;
		int error;

		if (t->skip) {
			finish_skipped(s, t);
			continue;
		}
		while (j->pid)
			j++;
		error = job_start(s, j, t, mask);
		if (error) {
			finish_unstarted(s, j, error);
			continue;
		}
		s->nrunning++;
		if (s->o->started)
			s->o->started(s->o->ctx, t);
	}
}

static int poll_timeout(const struct sched *s, long long now)
{
	long long t = -1;

	for (size_t i = 0; i < s->o->jobs; i++) {
		const struct job *j = &s->running[i];

		if (j->pid && (t < 0 || j->deadline - now < t))
			t = j->deadline > now ? j->deadline - now : 0;
	}
	return t > 60000 || t < 0 ? 60000 : (int)t;
}

static void read_signals(struct sched *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD && !s->stop)
			s->stop = si.ssi_signo;
}

/* Output pipes and QMP sockets of every running job, and the signals. */
static void wait_events(struct sched *s)
{
	struct pollfd pfd[2 * s->o->jobs + 1];
	struct job *owner[2 * s->o->jobs + 1];
	size_t n = 0;

	pfd[n++] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	for (size_t i = 0; i < s->o->jobs; i++) {
		struct job *j = &s->running[i];

		if (!j->pid)
			continue;
		if (j->fd >= 0) {
			owner[n] = j;
			pfd[n++] = (struct pollfd){ .fd = j->fd, .events = POLLIN };
		}
		if (j->qmp.fd >= 0) {
			owner[n] = j;
			pfd[n++] = (struct pollfd){ .fd = j->qmp.fd, .events = POLLIN };
		}
	}
	if (poll(pfd, n, poll_timeout(s, now_ms())) <= 0)
		return;
	if (pfd[0].revents)
		read_signals(s);
	for (size_t i = 1; i < n; i++) {
		struct job *j = owner[i];

		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == j->fd)
			job_read(j, s->o);
		else
			qmp_read(&j->qmp, on_event, &j->vp);
		job_watch_fatal(j, now_ms());
	}
}

static bool is_job(const struct sched *s, pid_t pid)
{
	for (size_t i = 0; i < s->o->jobs; i++)
		if (s->running[i].pid == pid)
			return true;
	return false;
}

/*
 * The runner is a child subreaper: a descendant of QEMU that left its
 * process group and was orphaned (a double fork, setsid) becomes our child.
 * Every child that is no running job's QEMU is one of those: kill it.
 */
static void kill_orphans(const struct sched *s)
{
	char path[64];
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1) {
		if (is_job(s, pid) || pid == reaper_pid())
			continue;
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	fclose(f);
}

/* Interrupted: not a result, but its log says what became of it. */
static void job_drop(struct sched *s, struct job *j)
{
	char line[256];

	snprintf(line, sizeof(line), "INTERRUPTED %s (SIG%s)", j->t->name,
		 sigabbrev_np(s->stop) ?: "?");
	gcov_end(&j->gcov);
	if (j->gcov.error)
		log_coverage_error(j);
	log_close(j, line, &s->log_errors);
	qmp_close(&j->qmp);
	if (j->in >= 0)
		close(j->in);
	j->in = -1;
	vp_free(&j->vp);
	j->pid = 0;
}

/*
 * Did QEMU fail to load the firmware snapshot it was started from?  Then
 * it ended of itself, a failure, before the guest printed anything (its
 * "load of migration failed", or killed by on_efi_reply()): vp_unstarted().
 */
static bool efi_load_failed(struct job *j)
{
	struct qemu_end end = { .timed_out = j->timed_out, .wstatus = j->wstatus };

	if (!j->efi_warm)
		return false;
	while (qmp_read(&j->qmp, on_event, &j->vp) > 0)	/* what QEMU said last */
		;
	return vp_unstarted(&j->vp, &end);
}

/*
 * After efi_load_failed(): the snapshot is deleted (the next batch makes a
 * new one), said on stderr, and the test starts again in its slot, cold,
 * its log begun anew saying why: true (a QEMU that cannot start is then
 * the result).  False when the snapshot cannot be deleted, which would
 * have the test load it again: the failed run is the result.
 */
static bool efi_boot_cold(struct sched *s, struct job *j)
{
	const struct test *t = j->t;
	char *why = xstrdup(j->vp.qemu_msg ? j->vp.qemu_msg : "QEMU ended with no output");
	int error;

	for (unsigned char *c = (unsigned char *)why; *c; c++)
		if (*c < ' ' || *c > '~')
			*c = '?';	/* QEMU may quote the stream ("Can't find block") */
	if (efi_snapshot_drop(t->efi_state, &j->efi_st)) {
		fprintf(stderr, "vmunit-run: %s: EFI firmware snapshot %s did not load (%s) "
			"and cannot be deleted: %m\n", t->name, t->efi_state, why);
		free(why);
		return false;
	}
	fprintf(stderr, "vmunit-run: %s: EFI firmware snapshot %s did not load (%s): "
		"deleted; booting cold\n", t->name, t->efi_state, why);
	if (j->log)
		fclose(j->log);
	qmp_close(&j->qmp);
	if (j->in >= 0)
		close(j->in);
	j->in = -1;
	gcov_end(&j->gcov);
	free(j->gcov.error);
	vp_free(&j->vp);
	stats_free(&j->stats);
	error = job_start(s, j, t, s->mask);
	if (error) {
		s->nrunning--;
		finish_unstarted(s, j, error);
	} else {
		log_note(j, "efi: firmware snapshot %s did not load (%s): deleted", t->efi_state,
			 why);
	}
	free(why);
	return true;
}

static void service_jobs(struct sched *s)
{
	long long now = now_ms();

	for (size_t i = 0; i < s->o->jobs; i++) {
		struct job *j = &s->running[i];

		if (!j->pid)
			continue;
		if (s->stop && !j->exited)
			kill(-j->pid, SIGKILL);
		job_check_exit(j);
		job_check_deadline(j, now);
		if (!j->exited || j->fd >= 0)
			continue;
		if (!s->stop && efi_load_failed(j) && efi_boot_cold(s, j)) {
			kill_orphans(s);
			continue;	/* running again, cold, or finished */
		}
		s->nrunning--;
		if (s->stop)
			job_drop(s, j);
		else
			job_finish(s, j);
		kill_orphans(s);
	}
}

static bool ignored(int sig)
{
	struct sigaction sa;

	return !sigaction(sig, NULL, &sa) && sa.sa_handler == SIG_IGN;
}

/*
 * SIGCHLD wakes poll(); SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2, SIGALRM
 * and SIGPIPE (our reader went away), unless inherited as ignored, stop
 * the run: no QEMU outlives it.  (SIGKILL cannot be caught: QEMU's
 * PR_SET_PDEATHSIG covers it.)
 */
int run_signals_open(sigset_t *old)
{
	const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
			      SIGALRM, SIGPIPE };
	sigset_t set;

	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (!ignored(stops[i]))
			sigaddset(&set, stops[i]);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/*
 * The firmware snapshots the batch's boot = efi runs start from, made
 * before any run starts (each takes a firmware boot) unless a good one is
 * there; a bad one is said and made again.  One that cannot be made is
 * said once, and its runs boot cold.
 */
static void make_efi_snapshots(const struct test *tests, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct test *t = &tests[i];
		struct stat st;
		struct err e;
		bool tried = false;
		int fd;

		if (!t->efi_state || t->skip)
			continue;
		for (size_t k = 0; k < i && !tried; k++)
			tried = tests[k].efi_state && !strcmp(tests[k].efi_state, t->efi_state);
		if (tried)
			continue;
		fd = efi_snapshot_open(t->efi_state, &st, &e);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (fd == EFI_SNAPSHOT_BAD)
			fprintf(stderr, "vmunit-run: %s: EFI firmware snapshot %s; making it again\n",
				t->name, e.msg);
		if (efi_snapshot_make(t->efi_snap_argv.v, t->efi_state, &e))
			fprintf(stderr, "vmunit-run: %s: EFI firmware snapshot: %s; booting cold\n",
				t->name, e.msg);
	}
}

struct batch_end run_batch(const struct test *tests, size_t n, const struct run_opts *o)
{
	struct sched s = { .tests = tests, .n = n, .o = o };
	sigset_t old;

	s.mask = &old;
	make_efi_snapshots(tests, n);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	s.running = xmalloc(o->jobs * sizeof(*s.running));
	s.sigfd = run_signals_open(&old);
	if (s.sigfd < 0) {
		perror("vmunit-run: signalfd");
		exit(2);
	}
	while (s.nrunning || (s.next < n && !s.stop)) {
		start_more(&s, &old);
		if (!s.nrunning)
			continue;
		wait_events(&s);
		service_jobs(&s);
	}
	close(s.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(s.running);
	return (struct batch_end){ .signal = s.stop, .log_errors = s.log_errors };
}
