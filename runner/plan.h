/*
 * From a selected cfg entry to a runnable test: accelerator, QEMU argv,
 * timeout, log path, or a SKIP decided without booting anything (the entry
 * requires another accelerator, or a host precondition does not hold).
 */
#ifndef RUNNER_PLAN_H
#define RUNNER_PLAN_H

#include <stdbool.h>

#include "cfg.h"
#include "qemu.h"
#include "select.h"
#include "util.h"

/* What a run depends on besides the cfg. */
#define TIMEOUT_NONE (-1.0)	/* TIMEOUT=0: a test has no timeout (its timeout_s 0) */

struct host {
	enum accel accel;		/* forced accelerator, or ACCEL_AUTO */
	bool kvm;			/* KVM proven usable (probe.h) for arch */
	int arch;			/* the host's enum arch, or -1 */
	double tcg_factor;		/* timeout multiplier under TCG */
	double timeout_s;		/* TIMEOUT: every entry's; 0: the cfg's; TIMEOUT_NONE */
	bool in_box;			/* inside the box (box.h): KVM nested under QEMU TCG
					 * or Bochs, so timeouts scale under kvm too and the
					 * guest is told (vmunit.l0=L0) */
	const char *box_l0;		/* ... which: "tcg" or "bochs" */
	const char *builddir;
	const char *logdir;		/* NULL: no logs */
	const char *qemu[ARCH_NR];	/* QEMU binary per arch */
	int vmm;			/* --vmm: enum vmm for every entry, or -1 */
	const char *cpu;		/* --cpu: the CPU model for every entry, or NULL */
	const char *bochs;		/* the Bochs binary, when a test runs under it */
	const char *note;		/* why this accelerator (for logs), or NULL */
	unsigned max_smp;		/* smp = $MAX_SMP: $MAX_SMP, else the online CPUs */
	bool multi_arch;		/* names carry the arch: "arm64/its" */
};

struct test {
	char *name;
	const char *entry;	/* the cfg entry's name (owned by the cfg), or NULL */
	enum arch arch;
	enum vmm vmm;
	enum accel accel;	/* under QEMU */
	struct strv argv;	/* empty when skip is set */
	char *skip;		/* SKIP reason decided up front, or NULL */
	double timeout_s;
	int expect;		/* enum verdict, or -1 */
	const char *expect_reason;	/* owned by the cfg entry, or NULL */
	char *payload;		/* the ELF it runs (runner/symbols.h reads it) */
	char *log;		/* log file, or NULL */
	char *vmm_log;		/* the VMM's own log file (Bochs), or NULL */
	char *gcov_dir;		/* its coverage tree (gcov-collect.h), or NULL */
	char *scratch;		/* its scratch disk image, made fresh at the start, or NULL */
	const char *stats;	/* KVM statistics asked for (the cfg entry's), or NULL */
	const char *stats_check;
	bool stats_kvm;		/* read them: under kvm, QEMU paused at the start */
	bool migrate;		/* cfg migration = 1 (QEMU): the guest told, its asks served */
	unsigned scratch_mib;
	/* boot = efi under TCG: its firmware snapshot and the QEMU that makes it */
	char *efi_state;
	struct strv efi_snap_argv;
	const char *note;	/* the host's note, for the log */
	char *smp_note;		/* how $MAX_SMP was capped, for the log, or NULL */
};

/* 0, or -1 with a message (missing payload). */
int plan_test(const struct host *h, const struct sel *s, struct test *t,
	      struct err *e);
/* One payload run by hand: cfg defaults, its args, extra VMM arguments. */
int plan_payload(const struct host *h, enum arch a, const char *payload, const char *args,
		 char *const *extra, struct test *t, struct err *e);
void plan_free(struct test *t);

/*
 * "path=value ..." host preconditions: NULL when all hold, else a malloc'ed
 * SKIP reason naming the first path that does not.
 */
char *check_preconditions(const char *checks);

#endif
