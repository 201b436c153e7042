#define _GNU_SOURCE
#include "efi-snapshot.h"
#include "qmp.h"
#include "run.h"
#include "verdict.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS 20
#define TAIL_BYTES 4096

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	for (const unsigned char *c = p; n--; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	return h;
}

char *efi_snapshot_key(const char *dir, char *const *argv)
{
	uint64_t h = 0xcbf29ce484222325ull;
	char *name, *path;

	for (; *argv; argv++) {
		const char *file = strstr(*argv, "file=");	/* -drive, -fw_cfg */
		struct stat st;

		h = fnv1a(h, *argv, strlen(*argv) + 1);
		if (!stat(file ? file + 5 : *argv, &st) && S_ISREG(st.st_mode)) {
			long long id[3] = { st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec };

			h = fnv1a(h, id, sizeof(id));
		}
	}
	name = xasprintf("%016llx.state", (unsigned long long)h);
	path = path_join(dir, name);
	free(name);
	return path;
}

static char *exec_cat(const char *redirect, const char *path)
{
	char *q = shell_quote_argv((char *const[]){ (char *)path, NULL });
	char *uri = xasprintf("exec:cat %s%s", redirect, q);

	free(q);
	return uri;
}

void efi_snapshot_argv(struct strv *argv, const char *path)
{
	char *uri = exec_cat("", path);

	strv_push(argv, "-incoming");
	strv_push(argv, uri);
	free(uri);
}

struct progress {
	char status[32];	/* query-migrate's, "" until one came */
};

static void on_reply(void *ctx, const char *id, struct json_object *ret)
{
	struct progress *p = ctx;
	struct json_object *st;

	if (!strcmp(id, "migrate-status") && ret && json_object_object_get_ex(ret, "status", &st))
		snprintf(p->status, sizeof(p->status), "%s", json_object_get_string(st));
	else if (!strcmp(id, "migrate") && !ret)
		snprintf(p->status, sizeof(p->status), "refused");
}

static int send_migrate(struct qmp *q, const char *tmp)
{
	struct json_object *cmd = json_object_new_object(), *args = json_object_new_object();
	char *uri = exec_cat("> ", tmp), *line;
	int r;

	json_object_object_add(args, "uri", json_object_new_string(uri));
	json_object_object_add(cmd, "execute", json_object_new_string("migrate"));
	json_object_object_add(cmd, "arguments", args);
	json_object_object_add(cmd, "id", json_object_new_string("migrate"));
	line = xasprintf("%s\n", json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN));
	r = qmp_send(q, line);
	free(line);
	free(uri);
	json_object_put(cmd);
	return r;
}

/* The runner's way (run.h), with QMP. */
static int start(char *const *argv, int out, int qmp, pid_t *pid)
{
	struct strv full = { 0 };
	sigset_t mask;
	int r;

	strv_append(&full, argv);
	strv_append(&full, qmp_argv);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	r = run_spawn(full.v, out, qmp, &mask, pid);
	strv_free(&full);
	return r;
}

/* The last line of what QEMU printed, for a message. */
static const char *last_line(char *tail, size_t n)
{
	char *nl;

	while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
		tail[--n] = '\0';
	nl = strrchr(tail, '\n');
	return nl ? nl + 1 : tail;
}

static void no_event(void *ctx, const char *event, const char *reason)
{
	(void)ctx, (void)event, (void)reason;
}

/*
 * Reads QEMU's output until the loader waits, then migrates and polls the
 * migration until it ends: 0 completed, -1 with a message.
 */
static int drive(int out, struct qmp *q, const char *tmp, struct err *e)
{
	long long deadline = now_ms() + EFI_SNAPSHOT_TIMEOUT_S * 1000ll;
	struct progress p = { "" };
	char tail[TAIL_BYTES + 1] = "";
	size_t n = 0;
	bool migrating = false;

	q->reply = on_reply;
	q->reply_ctx = &p;
	while (now_ms() < deadline) {
		struct pollfd fds[2] = { { out, POLLIN, 0 }, { q->fd, POLLIN, 0 } };
		ssize_t got;

		if (poll(fds, 2, POLL_MS) < 0 && errno != EINTR)
			return err_set(e, "poll: %m");
		if (fds[0].revents) {
			if (n == TAIL_BYTES) {	/* keep the second half */
				memmove(tail, tail + TAIL_BYTES / 2, TAIL_BYTES / 2);
				n = TAIL_BYTES / 2;
			}
			got = read(out, tail + n, TAIL_BYTES - n);
			if (got <= 0)
				return err_set(e, "QEMU ended before the loader waited: %s",
					       last_line(tail, n));
			tail[n += got] = '\0';
		}
		if (fds[1].revents && qmp_read(q, no_event, NULL) < 0)
			return err_set(e, "QMP closed: %s", last_line(tail, n));
		if (!migrating && strstr(tail, VM_EFI_WAITING_LINE)) {
			if (send_migrate(q, tmp))
				return err_set(e, "QMP: cannot send migrate");
			migrating = true;
		}
		if (!strcmp(p.status, "completed"))
			return 0;
		if (!strcmp(p.status, "failed") || !strcmp(p.status, "refused"))
			return err_set(e, "migration to %s %s", tmp, p.status);
		if (migrating)
			qmp_send(q, "{\"execute\": \"query-migrate\", \"id\": \"migrate-status\"}\n");
	}
	return err_set(e, "no \"%s\" within %d s", migrating ? "completed" : VM_EFI_WAITING_LINE,
		       EFI_SNAPSHOT_TIMEOUT_S);
}

int efi_snapshot_make(char *const *argv, const char *path, struct err *e)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	char *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	struct qmp q = { .fd = -1 };
	int p[2] = { -1, -1 }, child = -1, r;
	pid_t pid = 0;

	if (slash)
		*slash = '\0';
	if (slash && mkdir_p(dir))
		r = err_set(e, "%s: %m", dir);
	else if ((r = qmp_open(&q, &child)))
		r = err_set(e, "QMP socket: %s", strerror(r));
	else if (pipe2(p, O_CLOEXEC) || (errno = start(argv, p[1], child, &pid)))
		r = err_set(e, "cannot start %s: %m", argv[0]), pid = 0;
	else
		r = 0;
	if (child >= 0)
		close(child);
	if (p[1] >= 0)
		close(p[1]);
	if (!r)
		r = drive(p[0], &q, tmp, e);
	if (pid > 0) {
		kill(-pid, SIGKILL);	/* its process group: the exec: migration's shell too */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (!r && rename(tmp, path))
		r = err_set(e, "%s: %m", path);
	if (r)
		unlink(tmp);
	if (p[0] >= 0)
		close(p[0]);
	if (q.fd >= 0)
		qmp_close(&q);
	free(tmp);
	free(dir);
	return r;
}
