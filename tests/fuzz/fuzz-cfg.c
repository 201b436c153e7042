/* libFuzzer target: the whole cfg parser (runner/cfg.c) on any bytes. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>

#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct cfg cfg;
	struct err e;

	if (!f)
		return 0;
	if (!cfg_parse_file(f, "unittests.cfg", &cfg, &e))
		cfg_free(&cfg);
	fclose(f);
	return 0;
}
