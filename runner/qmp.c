#define _GNU_SOURCE
#include "qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

char *const qmp_argv[] = {
	"-chardev", "socket,id=vmunit-qmp,fd=3", "-mon", "chardev=vmunit-qmp,mode=control",
	NULL
};

_Static_assert(QMP_CHILD_FD == 3, "qmp_argv names fd 3");

static const char capabilities[] = "{\"execute\": \"qmp_capabilities\"}\n";

int qmp_open(struct qmp *q, int *child)
{
	int sv[2];

	*q = (struct qmp){ .fd = -1 };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return errno;
	if (write(sv[0], capabilities, sizeof(capabilities) - 1) < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		return e;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	q->fd = sv[0];
	q->tok = json_tokener_new();
	*child = sv[1];
	return 0;
}

static void dispatch(struct qmp *q, struct json_object *msg, qmp_event_fn *fn, void *ctx)
{
	struct json_object *ev, *data, *reason, *id, *ret, *err, *desc;

	if (q->reply && json_object_object_get_ex(msg, "id", &id) &&
	    json_object_is_type(id, json_type_string)) {
		if (json_object_object_get_ex(msg, "error", &err) &&
		    json_object_object_get_ex(err, "desc", &desc))
			snprintf(q->error, sizeof(q->error), "%s", json_object_get_string(desc));
		q->reply(q->reply_ctx, json_object_get_string(id),
			 json_object_object_get_ex(msg, "return", &ret) ? ret : NULL);
		return;
	}
	if (!json_object_object_get_ex(msg, "event", &ev) ||
	    !json_object_is_type(ev, json_type_string))
		return;
	if (!json_object_object_get_ex(msg, "data", &data) ||
	    !json_object_object_get_ex(data, "reason", &reason) ||
	    !json_object_is_type(reason, json_type_string))
		reason = NULL;
	fn(ctx, json_object_get_string(ev), reason ? json_object_get_string(reason) : NULL);
}

void qmp_feed(struct qmp *q, const char *buf, size_t n, qmp_event_fn *fn, void *ctx)
{
	while (n) {
		struct json_object *msg = json_tokener_parse_ex(q->tok, buf, n);
		enum json_tokener_error err = json_tokener_get_error(q->tok);
		size_t used = json_tokener_get_parse_end(q->tok);

		if (err == json_tokener_continue)
			return;
		if (msg)
			dispatch(q, msg, fn, ctx);
		json_object_put(msg);
		json_tokener_reset(q->tok);
		if (err != json_tokener_success || !used)
			used = 1;	/* skip a byte that is not JSON */
		buf += used;
		n -= used;
	}
}

int qmp_read(struct qmp *q, qmp_event_fn *fn, void *ctx)
{
	char buf[4096];
	ssize_t n;

	if (q->fd < 0)
		return -1;
	n = read(q->fd, buf, sizeof(buf));
	if (n > 0) {
		qmp_feed(q, buf, n, fn, ctx);
		q->bytes += n;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || q->bytes > QMP_MAX_BYTES) {
		qmp_close(q);
		return -1;
	}
	return n > 0;
}

int qmp_send(struct qmp *q, const char *json)
{
	size_t n = strlen(json);

	return q->fd >= 0 && write(q->fd, json, n) == (ssize_t)n ? 0 : -1;
}

int qmp_send_fd(struct qmp *q, const char *json, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { .iov_base = (char *)json, .iov_len = strlen(json) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h;

	memset(&c, 0, sizeof(c));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	/* All of it or nothing: the fd goes with the first byte. */
	return q->fd >= 0 && sendmsg(q->fd, &m, MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	if (q->tok)
		json_tokener_free(q->tok);
	*q = (struct qmp){ .fd = -1 };
}
