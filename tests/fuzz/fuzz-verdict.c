/*
 * libFuzzer target: guest output, whatever it is, through the runner's own
 * handling of a test's output (runner/run.c's run_feed(): the output cap,
 * line assembly and its length cut, coverage and STAT-EXPECT lines, the
 * verdict parser and its bounds, the SUMMARY/EXIT cross-checks), in pieces
 * cut where the input's first byte says, for an exit status the second
 * byte picks; then the expect rule and an empty baseline.  The verdict
 * must be a known one with a terminated reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "run.h"

static int decode(int code)
{
	return code & 1 ? code >> 1 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct test t = { .name = "fuzz", .expect = -1 };
	struct qemu_end end = { 0 };
	const char *piece[512];
	size_t len[512], n = 0, cut;
	struct baseline *b;
	struct result r;
	struct err e;

	if (size < 2)
		return 0;
	cut = 1 + data[0] % 200;
	end.wstatus = (data[1] & 0x7f) << 8;	/* exited with that status */
	end.decode_exit = data[1] & 0x80 ? decode : NULL;
	t.stats = data[0] & 1 ? "all" : NULL;
	for (size_t off = 2; off < size && n < 512; off += cut, n++) {
		piece[n] = (const char *)data + off;
		len[n] = size - off < cut ? size - off : cut;
	}
	run_feed(&t, piece, len, n, &end, &r);
	if (r.v >= V_NR_VERDICTS || !memchr(r.reason, '\0', sizeof(r.reason)))
		abort();
	r.v = apply_expect(data[0] % 3 ? -1 : V_FAIL, NULL, r.v, r.reason, sizeof(r.reason));
	b = baseline_read(NULL, NULL, &e);
	baseline_apply(b, &r, NULL);
	baseline_free(b);
	return 0;
}
