/*
 * libFuzzer target: any bytes on the QMP socket, in pieces, through the
 * parser (runner/qmp.c) to the event callback and the stats replies
 * (runner/stats.c), then the stats checks.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <string.h>

#include "qmp.h"
#include "stats.h"

static void on_event(void *ctx, const char *event, const char *reason)
{
	(void)ctx;
	if (!event || (reason && !*reason && strlen(event) > 1 << 20))
		__builtin_trap();
}

static void on_reply(void *ctx, const char *id, struct json_object *ret)
{
	struct stats *s = ctx;

	if (ret)
		stats_add_reply(id[0] == 'a' ? &s->after : &s->before, id[1] == 'm' ? "vm" : "vcpu",
				ret);
}

static void ignore(void *ctx, bool holds, const char *text)
{
	(void)ctx;
	(void)holds;
	(void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stats s = { 0 };
	struct qmp q = { .fd = -1, .tok = json_tokener_new(), .reply = on_reply, .reply_ctx = &s };
	size_t cut = size ? 1 + data[0] % 97 : 1;
	char why[256];

	for (size_t off = 0; off < size; off += cut)
		qmp_feed(&q, (const char *)data + off, size - off < cut ? size - off : cut, on_event,
			 NULL);
	json_tokener_free(q.tok);
	stats_evaluate(&s, "exits >= 1; io_exits == 0", ignore, NULL, why, sizeof(why));
	stats_free(&s);
	return 0;
}
