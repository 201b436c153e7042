#define _GNU_SOURCE
#include "efi-snapshot.h"
#include "qmp.h"
#include "run.h"
#include "verdict.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS 20
#define TAIL_BYTES 4096
#define CHUNK (64u << 10)	/* bytes copied at a time between socket and file */
#define TEMP_TRIES 16		/* random names tried before giving up */
#define FDNAME "vmunit-efi"	/* QEMU's name for the socket it is given */

/* QEMU's migration stream starts with these (migration/savevm.c), big-endian. */
#define QEMU_VM_FILE_MAGIC 0x5145564du	/* "QEVM" */
#define QEMU_VM_FILE_VERSION 3u

/* The file: this header, then QEMU's stream, stream_bytes of it. */
struct header {
	char magic[8];		/* header_magic; zeros until the stream is whole */
	uint64_t stream_bytes;	/* in the host's byte order: the file never travels */
};

static const char header_magic[8] = "VMUEFI1";	/* and its NUL */

_Static_assert(sizeof(struct header) == 16, "the header has no padding");

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

/* ---- the file ---- */

/* The directory of path ("." for none), malloc'ed; *name: the rest, within path. */
static char *dir_of(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');

	*name = slash ? slash + 1 : path;
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
}

/*
 * dir (made with its parents when make), opened without following a
 * symbolic link at its last component, which would let whoever planted it
 * choose where the runner writes: an fd, or -1 with errno.
 */
static int open_dir(const char *dir, bool make)
{
	if (make && mkdir_p(dir))
		return -1;
	return open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* For messages: open() says ELOOP or ENOTDIR for one, depending. */
static bool is_link(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISLNK(st.st_mode);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Is fd (st its fstat()) a whole snapshot?  0, or -1 with what is wrong. */
static int check_state(int fd, const struct stat *st, struct err *e)
{
	struct header h;
	unsigned char m[8];
	unsigned long long after = st->st_size > (off_t)sizeof(h) ? st->st_size - sizeof(h) : 0;

	if (!S_ISREG(st->st_mode))
		return err_set(e, "not a regular file");
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h) || memcmp(h.magic, header_magic, sizeof(h.magic)))
		return err_set(e, "no snapshot header (%lld bytes; made by an older runner?)",
			       (long long)st->st_size);
	if (h.stream_bytes != after)
		return err_set(e, "%s: %llu bytes of QEMU's stream where its header says %llu",
			       after < h.stream_bytes ? "truncated" : "too long", after,
			       (unsigned long long)h.stream_bytes);
	if (pread(fd, m, sizeof(m), sizeof(h)) != sizeof(m) || be32(m) != QEMU_VM_FILE_MAGIC ||
	    be32(m + 4) != QEMU_VM_FILE_VERSION)
		return err_set(e, "no QEMU migration stream (QEVM, version 3) after the header");
	return 0;
}

/* Deletes name in dir if it is still the file was: 0 when that file is gone. */
static int drop(int dir, const char *name, const struct stat *was)
{
	struct stat now;

	if (fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -1;
	if (now.st_dev != was->st_dev || now.st_ino != was->st_ino)
		return 0;	/* replaced since, by another runner's whole one */
	return unlinkat(dir, name, 0);
}

int efi_snapshot_open(const char *path, struct stat *st, struct err *e)
{
	const char *name;
	char *dirpath = dir_of(path, &name);
	int dir = open_dir(dirpath, false), fd;
	struct err why;

	free(dirpath);
	memset(st, 0, sizeof(*st));
	if (dir < 0)
		return EFI_SNAPSHOT_NONE;
	/* O_NONBLOCK: a FIFO planted there must not hang the run. */
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		close(dir);
		return EFI_SNAPSHOT_NONE;
	}
	if (fd < 0) {
		err_set(&why, "%m");
		if (fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW))
			memset(st, 0, sizeof(*st));
		else if (S_ISLNK(st->st_mode))
			err_set(&why, "a symbolic link (not followed)");
	} else if (fstat(fd, st) ? err_set(&why, "%m") : check_state(fd, st, &why)) {
		close(fd);
	} else {
		close(dir);
		return fd;
	}
	if (st->st_ino && !drop(dir, name, st))
		err_set(e, "%s: %s; deleted", path, why.msg);
	else
		err_set(e, "%s: %s; cannot delete it: %m", path, why.msg);
	close(dir);
	return EFI_SNAPSHOT_BAD;
}

int efi_snapshot_drop(const char *path, const struct stat *st)
{
	const char *name;
	char *dirpath = dir_of(path, &name);
	int dir = open_dir(dirpath, false), r, saved = errno;

	free(dirpath);
	if (dir < 0)
		return saved == ENOENT ? 0 : (errno = saved, -1);
	r = drop(dir, name, st);
	saved = errno;
	close(dir);
	errno = saved;
	return r;
}

/* A new file in dir, under a name no one could have guessed to plant a link at. */
static int create_temp(int dir, const char *name, char **tmp)
{
	for (int i = 0; i < TEMP_TRIES; i++) {
		unsigned long long r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -1;
		*tmp = xasprintf("%s.%016llx.tmp", name, r);
		fd = openat(dir, *tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/* ---- making one ---- */

/* A snapshot being made: where it goes, and the socket QEMU migrates into. */
struct making {
	const char *path, *name;	/* name: path's last component */
	char *dirpath;		/* the rest, for messages */
	int dir, file;
	char *tmp;		/* the file's name in dir, or NULL */
	int sock;		/* the runner's end of QEMU's socket, -1 at its end */
	int qemu_sock;		/* QEMU's end, -1 once sent */
	uint64_t bytes;		/* of the stream, in file */
};

/* The directory, the temporary file with a blank header, the socket pair. */
static int prepare(struct making *m, struct err *e)
{
	static const struct header blank;
	int sv[2];

	m->dirpath = dir_of(m->path, &m->name);
	m->dir = open_dir(m->dirpath, true);
	if (m->dir < 0 && is_link(m->dirpath))
		return err_set(e, "%s: a symbolic link (not followed)", m->dirpath);
	if (m->dir < 0)
		return err_set(e, "%s: %m", m->dirpath);
	m->file = create_temp(m->dir, m->name, &m->tmp);
	if (m->file < 0)
		return err_set(e, "%s: no temporary file beside it: %m", m->path);
	if (write_all(m->file, (const char *)&blank, sizeof(blank)))
		return err_set(e, "%s/%s: %m", m->dirpath, m->tmp);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return err_set(e, "socketpair: %m");
	m->sock = sv[0];
	m->qemu_sock = sv[1];
	fcntl(m->sock, F_SETFL, O_NONBLOCK);
	return 0;
}

/* What QEMU has written so far into the file: 0, or -1 with errno. */
static int take(struct making *m)
{
	char buf[CHUNK];
	ssize_t n;

	while ((n = read(m->sock, buf, sizeof(buf))) > 0) {
		if (write_all(m->file, buf, n))
			return -1;
		m->bytes += n;
	}
	if (n == 0) {
		close(m->sock);
		m->sock = -1;
	}
	return n < 0 && errno != EAGAIN && errno != EINTR ? -1 : 0;
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
	else if (!ret)		/* getfd or migrate */
		snprintf(p->status, sizeof(p->status), "refused");
}

/* QEMU's end of the socket, then the migration into it. */
static int send_migrate(struct qmp *q, struct making *m)
{
	int r = qmp_send_fd(q, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" FDNAME
			    "\"}, \"id\": \"getfd\"}\n", m->qemu_sock);

	close(m->qemu_sock);	/* QEMU's copy is the one that counts (or is in flight) */
	m->qemu_sock = -1;
	return r ? r : qmp_send(q, "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"fd:" FDNAME
			       "\"}, \"id\": \"migrate\"}\n");
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
	r = run_spawn(full.v, -1, out, qmp, &mask, pid);
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
 * Reads QEMU's output until the loader waits, then migrates, copying the
 * stream into the file as it comes, and asks how the migration goes (every
 * POLL_MS) until it ends: 0 completed, -1 with a message.
 */
static int drive(int out, struct qmp *q, struct making *m, struct err *e)
{
	long long deadline = now_ms() + EFI_SNAPSHOT_TIMEOUT_S * 1000ll, next_query = 0;
	struct progress p = { "" };
	char tail[TAIL_BYTES + 1] = "";
	size_t n = 0;
	bool migrating = false;

	q->reply = on_reply;
	q->reply_ctx = &p;
	while (now_ms() < deadline) {
		struct pollfd fds[3] = { { out, POLLIN, 0 }, { q->fd, POLLIN, 0 },
					 { m->sock, POLLIN, 0 } };
		ssize_t got;

		if (poll(fds, 3, POLL_MS) < 0 && errno != EINTR)
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
		if (fds[2].revents && take(m))
			return err_set(e, "%s/%s: %m", m->dirpath, m->tmp);
		if (!migrating && strstr(tail, VM_EFI_WAITING_LINE)) {
			if (send_migrate(q, m))
				return err_set(e, "QMP: cannot send migrate");
			migrating = true;
		}
		if (!strcmp(p.status, "completed"))
			return 0;
		if (!strcmp(p.status, "failed") || !strcmp(p.status, "refused"))
			return err_set(e, "migration %s", p.status);
		if (migrating && now_ms() >= next_query) {
			qmp_send(q, "{\"execute\": \"query-migrate\", \"id\": \"migrate-status\"}\n");
			next_query = now_ms() + POLL_MS;
		}
	}
	return err_set(e, "no \"%s\" within %d s", migrating ? "completed" : VM_EFI_WAITING_LINE,
		       EFI_SNAPSHOT_TIMEOUT_S);
}

/*
 * QEMU is gone: the rest of the stream, which its end of the socket held,
 * then the header, checked, to disk, into place.
 */
static int install(struct making *m, struct err *e)
{
	struct header h = { .stream_bytes = 0 };
	struct stat st;
	struct err why;

	if (m->sock >= 0)
		fcntl(m->sock, F_SETFL, 0);
	while (m->sock >= 0)
		if (take(m))
			return err_set(e, "%s/%s: %m", m->dirpath, m->tmp);
	memcpy(h.magic, header_magic, sizeof(h.magic));
	h.stream_bytes = m->bytes;
	if (pwrite(m->file, &h, sizeof(h), 0) != sizeof(h) || fstat(m->file, &st) ||
	    fsync(m->file))
		return err_set(e, "%s/%s: %m", m->dirpath, m->tmp);
	if (check_state(m->file, &st, &why))
		return err_set(e, "%s/%s: %s", m->dirpath, m->tmp, why.msg);
	if (renameat(m->dir, m->tmp, m->dir, m->name))
		return err_set(e, "%s: %m", m->path);
	free(m->tmp);
	m->tmp = NULL;
	fsync(m->dir);		/* the rename too, where that matters */
	return 0;
}

/* What is left of it: a temporary file that was not installed is deleted. */
static void making_free(struct making *m)
{
	if (m->tmp)
		unlinkat(m->dir, m->tmp, 0);
	free(m->tmp);
	free(m->dirpath);
	if (m->file >= 0)
		close(m->file);
	if (m->dir >= 0)
		close(m->dir);
	if (m->sock >= 0)
		close(m->sock);
	if (m->qemu_sock >= 0)
		close(m->qemu_sock);
}

int efi_snapshot_make(char *const *argv, const char *path, struct err *e)
{
	struct making m = { .path = path, .dir = -1, .file = -1, .sock = -1, .qemu_sock = -1 };
	struct qmp q = { .fd = -1 };
	int p[2] = { -1, -1 }, child = -1, r;
	pid_t pid = 0;

	r = prepare(&m, e);
	if (!r && (r = qmp_open(&q, &child)))
		r = err_set(e, "QMP socket: %s", strerror(r));
	else if (!r && (pipe2(p, O_CLOEXEC) || (errno = start(argv, p[1], child, &pid))))
		r = err_set(e, "cannot start %s: %m", argv[0]), pid = 0;
	if (child >= 0)
		close(child);
	if (p[1] >= 0)
		close(p[1]);
	if (!r)
		r = drive(p[0], &q, &m, e);
	if (pid > 0) {
		kill(-pid, SIGKILL);	/* its process group */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (q.fd >= 0)
		qmp_close(&q);	/* with QEMU's end of the socket, were it still in flight */
	if (!r)
		r = install(&m, e);
	if (p[0] >= 0)
		close(p[0]);
	making_free(&m);
	return r;
}

/* ---- starting from one ---- */

void efi_snapshot_argv(struct strv *argv)
{
	strv_push(argv, "-incoming");
	strv_push(argv, "defer");
}

struct feed {
	int file, sock;
};

/*
 * The stream into QEMU's socket until its end, or QEMU's (EPIPE: no
 * SIGPIPE, which would stop the run), then both closed.
 */
static void *feeder(void *arg)
{
	struct feed f = *(struct feed *)arg;
	off_t at = sizeof(struct header);
	char buf[CHUNK];
	ssize_t n;

	free(arg);
	while ((n = pread(f.file, buf, sizeof(buf), at)) > 0) {
		for (ssize_t sent = 0, w; sent < n; sent += w) {
			w = send(f.sock, buf + sent, n - sent, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				goto out;
		}
		at += n;
	}
out:
	close(f.file);
	close(f.sock);
	return NULL;
}

/* A detached thread writing fd's stream into a new socket: QEMU's end, or -1. */
static int feed(int fd)
{
	struct feed *f = xmalloc(sizeof(*f));
	pthread_attr_t attr;
	int sv[2] = { -1, -1 }, r = -1;

	f->file = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->file >= 0 && !socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) &&
	    !pthread_attr_init(&attr)) {
		f->sock = sv[0];
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&(pthread_t){ 0 }, &attr, feeder, f);
		pthread_attr_destroy(&attr);
	}
	if (!r)
		return sv[1];
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	if (f->file >= 0)
		close(f->file);
	free(f);
	return -1;
}

int efi_snapshot_incoming(struct qmp *q, int fd)
{
	int qemu_sock = feed(fd), r;

	if (qemu_sock < 0)
		return -1;
	r = qmp_send_fd(q, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" FDNAME
			"\"}, \"id\": \"efi-getfd\"}\n", qemu_sock);
	if (!r)
		r = qmp_send(q, "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"fd:"
			     FDNAME "\"}, \"id\": \"efi-incoming\"}\n");
	close(qemu_sock);	/* the feeder sees EPIPE if QEMU never gets it */
	return r;
}

bool efi_snapshot_refused(const char *id, const struct json_object *ret)
{
	return !ret && !strncmp(id, "efi-", 4);
}
