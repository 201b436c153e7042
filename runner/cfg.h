/*
 * unittests.cfg: one INI file listing every test run for every arch.
 *
 * Each section [name] is one run of one payload; its keys are in struct
 * cfg_entry below and are checked here (unknown key, bad integer, unknown
 * arch/accel/verdict name, missing file key, duplicate section or key).
 * The syntax, strictly: "[name]" alone on a line; "key = value", the value
 * taken whole to the end of the line (blanks around it trimmed, no inline
 * comments: ';' and '#' are part of it); lines whose first non-blank is
 * '#' or ';' are comments; a UTF-8 BOM may start the file; no continuation
 * lines; no limit on line length.  Errors come back as one line
 * "FILE:LINE: message", the first in the file.  Parsing is linear.
 */
#ifndef RUNNER_CFG_H
#define RUNNER_CFG_H

#include <stdbool.h>
#include <stdio.h>

#include "qemu.h"
#include "util.h"
#include "vmm.h"

#define CFG_DEFAULT_SMP 1
#define CFG_DEFAULT_MEMORY 64	/* MiB */
#define CFG_DEFAULT_TIMEOUT 30	/* seconds */
#define CFG_SMP_MAX 0		/* smp = $MAX_SMP: the host's MAX_SMP (plan.h) */

struct cfg_entry {
	char *name;
	int line;		/* line of the [name] header */
	char *file;		/* payload base name */
	unsigned arch_mask;	/* 1 << enum arch */
	unsigned smp, memory, timeout;
	char *args;		/* -append, or NULL */
	char *qemu_params;	/* extra QEMU words, or NULL */
	unsigned scratch;	/* MiB of a fresh zeroed disk, drive id "scratch"; 0: none */
	unsigned migration;	/* 1: the guest asks for live migrations (runner/migrate.h) */
	char *stats;		/* KVM statistics to report (stats.h): "all" or names, or NULL */
	char *stats_check;	/* ';'-separated checks on them, or NULL */
	char *machine, *cpu;	/* overrides, or NULL */
	enum accel accel;	/* required accelerator, or ACCEL_AUTO */
	enum vmm vmm;		/* VMM_QEMU unless the entry says */
	bool efi;		/* boot = efi: through UEFI firmware (lib/efi/efi.h) */
	char *groups;		/* space-separated, or NULL */
	char *check;		/* space-separated path=value, or NULL */
	int expect;		/* enum verdict, or -1 */
	char *expect_reason;	/* text the verdict's reason must contain, or NULL */
};

struct cfg {
	char *path;
	struct cfg_entry *entries;
	size_t n;
};

/* Parse an already open file; name is used in messages.  0, or -1 with nothing left to free. */
int cfg_parse_file(FILE *f, const char *name, struct cfg *cfg, struct err *e);
int cfg_load(const char *path, struct cfg *cfg, struct err *e);
void cfg_free(struct cfg *cfg);

/* True when word is one of the space-separated words of list. */
int word_in_list(const char *list, const char *word);

#endif
