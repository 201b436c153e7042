/* libFuzzer target: the baseline reader (runner/baseline.c) on any bytes. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>

#include "baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct baseline *b;
	struct err e;

	if (!f)
		return 0;
	b = baseline_read(f, "baseline", &e);
	fclose(f);
	baseline_free(b);
	return 0;
}
