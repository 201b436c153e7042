/*
 * QMP, QEMU's machine protocol, as the runner uses it: to hear of events
 * that the console cannot tell, such as a triple fault (SHUTDOWN with the
 * reason "guest-reset" under -no-reboot), a paused VM (STOP, e.g. after a
 * KVM internal error) or a guest panic.
 *
 * qmp_open() makes a connected socket pair: QEMU gets one end as fd
 * QMP_CHILD_FD (qmp_argv names it on its command line) and the runner
 * keeps the other, on which it has already queued qmp_capabilities, so
 * events flow without a round trip.  qmp_read() parses what has arrived
 * (json-c) and hands each event to the callback, and each reply with an
 * id to q->reply when set (else drops it); qmp_send() queues a command,
 * qmp_send_fd() one that comes with a file descriptor (SCM_RIGHTS), as
 * "getfd" and "add-fd" take theirs.
 * At most QMP_MAX_BYTES are read per connection, then it is closed.
 */
#ifndef RUNNER_QMP_H
#define RUNNER_QMP_H

#include <stddef.h>

#define QMP_CHILD_FD 3
#define QMP_MAX_BYTES (1u << 20)

/* The QEMU arguments that attach a QMP monitor to fd QMP_CHILD_FD. */
extern char *const qmp_argv[];

struct json_object;
/* A reply: its id and its "return" (NULL for an "error": its desc in q->error). */
typedef void qmp_reply_fn(void *ctx, const char *id, struct json_object *ret);

struct qmp {
	int fd;			/* the runner's end, -1 when closed */
	struct json_tokener *tok;
	size_t bytes;		/* read so far */
	qmp_reply_fn *reply;
	void *reply_ctx;
	char error[256];	/* the last error reply's "desc", for reply */
};

typedef void qmp_event_fn(void *ctx, const char *event, const char *reason);

/* 0, or an errno value; *child gets QEMU's end (close it after spawning). */
int qmp_open(struct qmp *q, int *child);
/* Reads what is there: 1 read something, 0 nothing yet, -1 closed (EOF, error, bound). */
int qmp_read(struct qmp *q, qmp_event_fn *fn, void *ctx);
/* Parses n bytes of the stream; for qmp_read() and the host tests. */
void qmp_feed(struct qmp *q, const char *buf, size_t n, qmp_event_fn *fn, void *ctx);
/* One command (a JSON object and its newline): 0, or -1 when it cannot be written. */
int qmp_send(struct qmp *q, const char *json);
/* The same, fd passed with it: QEMU gets a copy, fd stays the caller's. */
int qmp_send_fd(struct qmp *q, const char *json, int fd);
void qmp_close(struct qmp *q);

#endif
