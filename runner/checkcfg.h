/*
 * --check-cfg: the cfg and the source tree must agree.  For each arch, every
 * <srcdir>/<archdir>/<name>.c has an entry for that arch with file = name,
 * and every entry for that arch names a file whose .c exists.
 */
#ifndef RUNNER_CHECKCFG_H
#define RUNNER_CHECKCFG_H

#include <stdio.h>

#include "cfg.h"

/* Prints each mismatch on out; returns how many there were. */
unsigned check_cfg(const struct cfg *cfg, const char *srcdir,
		   unsigned arch_mask, FILE *out);

#endif
