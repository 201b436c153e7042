/* Live migration (runner/migrate.h). */
#define _GNU_SOURCE
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "verdict.h"

#define POLL_MS 10
#define FDNAME "vmunit-migration"

/* A QEMU's QMP, and what its replies said. */
struct peer {
	struct qmp q;
	char status[32];	/* query-migrate's or query-status's, "" before one */
	char refused[256];	/* the first error reply, "" without one */
	bool blocker;		/* ... and it was the source's "migrate" */
};

static void on_reply(void *ctx, const char *id, struct json_object *ret)
{
	struct peer *p = ctx;
	struct json_object *st;

	if (!ret && !*p->refused) {
		snprintf(p->refused, sizeof(p->refused), "%s", p->q.error);
		p->blocker = !strcmp(id, "mig-migrate");
	} else if (ret && json_object_object_get_ex(ret, "status", &st)) {
		snprintf(p->status, sizeof(p->status), "%s", json_object_get_string(st));
	}
}

static void no_event(void *ctx, const char *event, const char *reason)
{
	(void)ctx, (void)event, (void)reason;
}

/* The guest's answer; if it cannot be written, the guest's wait ends in its ERROR. */
static void answer(int in, char kind, const char *why)
{
	char line[300];
	int n = snprintf(line, sizeof(line), "%c %.*s\n", kind, (int)sizeof(line) - 4, why);

	(void)!write(in, line, n);
}

/* The destination, started and attached (socket end in sock[1]). */
static int start_destination(char *const *argv, const sigset_t *mask, struct vm *d,
			     struct peer *p, struct err *e)
{
	struct strv full = { 0 };
	int out[2], in[2], qmp, r;

	if (pipe2(out, O_CLOEXEC))
		return err_set(e, "destination: pipe: %m");
	if (pipe2(in, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return err_set(e, "destination: pipe: %m");
	}
	r = qmp_open(&p->q, &qmp);
	if (!r) {
		strv_append(&full, argv);
		strv_append(&full, qmp_argv);
		strv_push(&full, "-incoming");
		strv_push(&full, "defer");
		r = run_spawn(full.v, in[0], out[1], qmp, mask, &d->pid);
		strv_free(&full);
		close(qmp);
	}
	close(out[1]);
	close(in[0]);
	d->out = out[0];
	d->in = in[1];
	fcntl(d->out, F_SETFL, O_NONBLOCK);
	if (r)
		return err_set(e, "destination: cannot start %s: %s", argv[0], strerror(r));
	p->q.reply = on_reply;
	p->q.reply_ctx = p;
	return 0;
}

static void end_vm(struct vm *v, struct qmp *q)
{
	if (v->pid > 0) {
		kill(-v->pid, SIGKILL);
		while (waitpid(v->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (v->out >= 0)
		close(v->out);
	if (v->in >= 0)
		close(v->in);
	qmp_close(q);
}

/* The last line the destination printed, for a message. */
static const char *said_last(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);
	char *nl;

	buf[n > 0 ? n : 0] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	nl = strrchr(buf, '\n');
	return *buf ? (nl ? nl + 1 : buf) : "nothing";
}

/*
 * Steps 2 and 3: 0 when the destination runs, 1 refused, -1 failed.
 */
static int drive(struct peer *sp, struct vm *dst, struct peer *dp,
		 struct err *e)
{
	long long deadline = now_ms() + MIGRATE_TIMEOUT_S * 1000ll, next = 0;
	int sv[2], stage = 0;	/* 0 migrating, 1 waiting for the destination to run */
	char buf[512];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return err_set(e, "socketpair: %m");
	qmp_send_fd(&dp->q, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" FDNAME
		    "\"}, \"id\": \"mig-getfd\"}\n", sv[1]);
	qmp_send(&dp->q, "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"fd:"
		 FDNAME "\"}, \"id\": \"mig-incoming\"}\n");
	/* QEMU's default bandwidth (128 MiB/s) would take half a second for 64 MiB. */
	qmp_send(&sp->q, "{\"execute\": \"migrate-set-parameters\", \"arguments\": "
		 "{\"max-bandwidth\": 17179869184}, \"id\": \"mig-bw\"}\n");
	qmp_send_fd(&sp->q, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" FDNAME
		    "\"}, \"id\": \"mig-getfd\"}\n", sv[0]);
	qmp_send(&sp->q, "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"fd:" FDNAME
		 "\"}, \"id\": \"mig-migrate\"}\n");
	close(sv[0]);
	close(sv[1]);
	while (now_ms() < deadline) {
		struct pollfd fds[2] = { { sp->q.fd, POLLIN, 0 }, { dp->q.fd, POLLIN, 0 } };
		siginfo_t si = { 0 };

		poll(fds, 2, POLL_MS);
		if ((fds[0].revents && qmp_read(&sp->q, no_event, NULL) < 0) ||
		    (fds[1].revents && qmp_read(&dp->q, no_event, NULL) < 0) ||
		    (!waitid(P_PID, dst->pid, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid))
			return err_set(e, "the destination QEMU ended (%s)",
				       said_last(dst->out, buf, sizeof(buf)));
		if (*sp->refused)
			return err_set(e, "%s", sp->refused), sp->blocker ? 1 : -1;
		if (*dp->refused)
			return err_set(e, "the destination refused: %s", dp->refused);
		if (!strcmp(sp->status, "failed") || !strcmp(sp->status, "cancelled"))
			return err_set(e, "the migration %s (%s)", sp->status,
				       said_last(dst->out, buf, sizeof(buf)));
		if (!stage && !strcmp(sp->status, "completed"))
			stage = 1;
		if (stage && !strcmp(dp->status, "running"))
			return 0;
		if (now_ms() >= next) {
			if (!stage)
				qmp_send(&sp->q, "{\"execute\": \"query-migrate\", \"id\": \"mig-q\"}\n");
			else
				qmp_send(&dp->q, "{\"execute\": \"query-status\", \"id\": \"mig-q\"}\n");
			next = now_ms() + POLL_MS;
		}
	}
	return err_set(e, "no %s within %d s", stage ? "running destination" : "completed migration",
		       MIGRATE_TIMEOUT_S);
}

int migrate_vm(char *const *argv, const sigset_t *mask, struct vm *vm, struct err *e)
{
	struct peer sp = { .q = vm->qmp }, dp = { .q = { .fd = -1 } };
	struct vm d = { .out = -1, .in = -1 };
	int r;

	sp.q.reply = on_reply;
	sp.q.reply_ctx = &sp;
	r = start_destination(argv, mask, &d, &dp, e);
	if (!r)
		r = drive(&sp, &d, &dp, e);
	sp.q.reply = vm->qmp.reply;
	sp.q.reply_ctx = vm->qmp.reply_ctx;
	if (r) {
		if (r > 0)
			answer(vm->in, VM_NOT_MIGRATED, e->msg);
		vm->qmp = sp.q;
		end_vm(&d, &dp.q);
		return r;
	}
	end_vm(vm, &sp.q);
	answer(d.in, VM_MIGRATED, "");
	*vm = d;
	vm->qmp = dp.q;
	vm->qmp.reply = sp.q.reply;
	vm->qmp.reply_ctx = sp.q.reply_ctx;
	return 0;
}
