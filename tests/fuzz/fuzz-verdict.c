/*
 * libFuzzer target: guest output, whatever it is, through what the runner
 * does with each line (coverage lines, STAT-EXPECT, the verdict parser and
 * its bounds), in pieces cut where the input's first byte says, then the
 * verdict for an exit status the second byte picks, the expect rule and a
 * baseline; the verdict is one of the known ones with a terminated reason.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "baseline.h"
#include "gcov-collect.h"
#include "stats.h"
#include "verdict-parse.h"

static int decode(int code)
{
	return code & 1 ? code >> 1 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vparse vp;
	struct gcov_collect g = { .dir = NULL };
	struct stats s = { 0 };
	struct result r = { 0 };
	struct test t = { .name = "fuzz", .expect = -1 };
	struct qemu_end end = { 0 };
	struct baseline *b;
	struct err e;
	size_t cut, start;
	char *line;

	if (size < 2)
		return 0;
	cut = 1 + data[0] % 64;
	end.wstatus = (data[1] & 0x7f) << 8;	/* exited with that status */
	end.decode_exit = data[1] & 0x80 ? decode : NULL;
	data += 2;
	size -= 2;
	vp_init(&vp);
	vp.qemu_name = "qemu-system-x86_64";
	line = malloc(size + 1);
	start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n' && (i - start) < cut * 64)
			continue;
		memcpy(line, data + start, i - start);
		line[i - start] = '\0';
		if (!gcov_line(&g, line) && !stats_line(&s, line))
			vp_line(&vp, line);
		start = i + 1;
	}
	gcov_end(&g);
	r.test = &t;
	r.vp = &vp;
	r.v = vp_verdict(&vp, &end, r.reason, sizeof(r.reason));
	if (r.v >= V_NR_VERDICTS || strlen(r.reason) >= sizeof(r.reason))
		abort();
	r.v = apply_expect(data[0] % 3 ? -1 : V_FAIL, NULL, r.v, r.reason, sizeof(r.reason));
	b = baseline_read(NULL, NULL, &e);
	baseline_apply(b, &r, &vp);
	baseline_note(b, &r);
	baseline_free(b);
	free(line);
	free(g.error);
	stats_free(&s);
	vp_free(&vp);
	return 0;
}
