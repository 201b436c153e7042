#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096
#define DRAIN_MS 1000	/* after QEMU exits, how long to wait for EOF */

struct job {
	const struct test *t;
	pid_t pid;		/* also the process group */
	int fd;			/* read end of the output pipe, or -1 */
	FILE *log;
	long long deadline;	/* ms; after exit: the end of draining */
	bool exited, timed_out;
	int wstatus;
	bool ends_in_newline;
	struct vparse vp;
	char line[LINE_MAX_LEN];
	size_t len;
};

struct sched {
	const struct test *tests;
	size_t n, next;
	struct job *running;	/* o->jobs slots; pid 0 = free */
	size_t nrunning;
	int sigfd;
	int stop;		/* the signal that interrupted us, or 0 */
	const struct run_opts *o;
};

/* ---- the child ---- */

/*
 * QEMU in a process group of its own (so a timeout kills all of it), stdin
 * from /dev/null, stdout and stderr into the pipe, our signal mask undone.
 * posix_spawn() returns once QEMU is exec'ed, or with the exec error.
 */
static int spawn(const struct test *t, int out, const sigset_t *mask, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, mask);
	r = posix_spawn(pid, t->argv.v[0], &fa, &attr, t->argv.v, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

/* ---- logs ---- */

static FILE *open_log(const struct test *t)
{
	char *dir;
	FILE *f;

	if (!t->log)
		return NULL;
	dir = xstrdup(t->log);
	mkdir_p(dirname(dir));
	free(dir);
	f = fopen(t->log, "we");
	if (!f)
		fprintf(stderr, "vmunit-run: %s: %m (continuing without a log)\n", t->log);
	return f;
}

static void log_result(struct job *j, const struct result *r)
{
	char line[1024];

	if (!j->log)
		return;
	verdict_line(line, sizeof(line), r->v, j->t->name, r->reason);
	fprintf(j->log, "%s%s\n", j->ends_in_newline ? "" : "\n", line);
	fclose(j->log);
	j->log = NULL;
}

/* ---- starting and finishing ---- */

static void log_command(FILE *log, const struct test *t)
{
	char *cmd = shell_quote_argv(t->argv.v);

	fprintf(log, "%s\n", cmd);
	fflush(log);
	free(cmd);
}

/* 0, or an errno value when QEMU could not be started. */
static int job_start(struct job *j, const struct test *t, const sigset_t *mask)
{
	int p[2], r;

	*j = (struct job){ .t = t, .fd = -1, .ends_in_newline = true };
	vp_init(&j->vp);
	j->log = open_log(t);
	if (j->log)
		log_command(j->log, t);
	if (pipe2(p, O_CLOEXEC))
		return errno;
	r = spawn(t, p[1], mask, &j->pid);
	close(p[1]);
	if (r) {
		close(p[0]);
		j->pid = 0;
		return r;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	j->fd = p[0];
	j->deadline = now_ms() + (long long)(t->timeout_s * 1000);
	return 0;
}

static void flush_line(struct job *j, const struct run_opts *o)
{
	j->line[j->len] = '\0';
	vp_line(&j->vp, j->line);
	if (o->line)
		o->line(o->ctx, j->t, j->line);
	j->len = 0;
}

/* Every result goes out here: the cfg's expect, the log's last line. */
static void deliver(struct job *j, struct result *r, const struct run_opts *o)
{
	r->v = apply_expect(j->t->expect, j->t->expect_reason, r->v, r->reason,
			    sizeof(r->reason));
	log_result(j, r);
	o->done(o->ctx, r);
	j->pid = 0;
}

static void job_finish(struct job *j, const struct run_opts *o)
{
	struct result r = { .test = j->t, .vp = &j->vp };
	struct qemu_end end = {
		.timed_out = j->timed_out, .timeout_s = j->t->timeout_s,
		.wstatus = j->wstatus,
		.decode_exit = arch_info(j->t->arch)->decode_exit,
	};

	if (j->len)
		flush_line(j, o);
	r.v = vp_verdict(&j->vp, &end, r.reason, sizeof(r.reason));
	deliver(j, &r, o);
	vp_free(&j->vp);
}

/* A test decided without booting (accel requirement, precondition). */
static void finish_skipped(const struct test *t, const struct run_opts *o)
{
	struct job j = { .t = t, .ends_in_newline = true };
	struct result r = { .test = t, .v = V_SKIP };

	snprintf(r.reason, sizeof(r.reason), "%s", t->skip);
	j.log = open_log(t);
	if (j.log)
		fprintf(j.log, "# not run: %s\n", t->skip);
	deliver(&j, &r, o);
}

/* A test that could not even be started: a CRASH, with the reason. */
static void finish_unstarted(struct job *j, int error, const struct run_opts *o)
{
	struct result r = { .test = j->t, .v = V_CRASH };

	snprintf(r.reason, sizeof(r.reason), "cannot start QEMU: %s", strerror(error));
	deliver(j, &r, o);
}

/* ---- watching ---- */

static void job_output(struct job *j, const char *buf, size_t n,
		       const struct run_opts *o)
{
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
		j->line[j->len++] = buf[i];
		if (j->len == LINE_MAX_LEN - 1)
			flush_line(j, o);
	}
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
		j->timed_out = true;
	} else if (j->fd >= 0) {
		close(j->fd);	/* something outlived QEMU holding the pipe */
		j->fd = -1;
	}
}

/* ---- the loop ---- */

static void start_more(struct sched *s, const sigset_t *mask)
{
	const struct run_opts *o = s->o;

	while (!s->stop && s->next < s->n && s->nrunning < o->jobs) {
		const struct test *t = &s->tests[s->next++];
		struct job *j = s->running;

		if (t->skip) {
			finish_skipped(t, o);
			continue;
		}
		int error;

		while (j->pid)
			j++;
		error = job_start(j, t, mask);
		if (error)
			finish_unstarted(j, error, o);
		else
			s->nrunning++;
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

static void wait_events(struct sched *s)
{
	struct pollfd pfd[s->o->jobs + 1];
	struct job *owner[s->o->jobs + 1];
	size_t n = 0;

	pfd[n++] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	for (size_t i = 0; i < s->o->jobs; i++) {
		struct job *j = &s->running[i];

		if (j->pid && j->fd >= 0) {
			owner[n] = j;
			pfd[n++] = (struct pollfd){ .fd = j->fd, .events = POLLIN };
		}
	}
	if (poll(pfd, n, poll_timeout(s, now_ms())) <= 0)
		return;
	if (pfd[0].revents)
		read_signals(s);
	for (size_t i = 1; i < n; i++)
		if (pfd[i].revents)
			job_read(owner[i], s->o);
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
		s->nrunning--;
		if (s->stop) {	/* interrupted: not a result */
			vp_free(&j->vp);
			if (j->log)
				fclose(j->log);
			j->pid = 0;
		} else {
			job_finish(j, s->o);
		}
	}
}

static bool ignored(int sig)
{
	struct sigaction sa;

	return !sigaction(sig, NULL, &sa) && sa.sa_handler == SIG_IGN;
}

/*
 * SIGCHLD wakes poll(); SIGINT, SIGTERM, SIGHUP and SIGPIPE (our reader went
 * away), unless inherited as ignored, stop the run: no QEMU outlives it.
 */
static int signals_open(sigset_t *old)
{
	const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
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

int run_batch(const struct test *tests, size_t n, const struct run_opts *o)
{
	struct sched s = { .tests = tests, .n = n, .o = o };
	sigset_t old;

	s.running = xmalloc(o->jobs * sizeof(*s.running));
	s.sigfd = signals_open(&old);
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
	return s.stop;
}
