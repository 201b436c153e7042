/*
 * Known failures: --baseline FILE turns them into XFAIL, so CI gates only
 * on new ones; --write-baseline FILE writes today's failures as a baseline.
 *
 * The file: records separated by blank lines, one "key: value" per line,
 * '#' lines are comments; errors are "FILE:LINE: message" (bad input).
 *
 *   test: apic                 the cfg entry, a glob (fnmatch)       required
 *   check: x2apic: LDR *       a check name "prefix: name", a glob   optional
 *   verdict: TIMEOUT           without check: the known verdict      FAIL
 *   arch: x86_64               only there (names, blank-separated)   optional
 *   accel: tcg                 only under these accelerators (QEMU)  optional
 *   vmm: qemu                  only under these VMMs                 optional
 *   kernel: debian-6.12        only in the box of this kernel (--box  optional
 *                              NAME or image path), a glob
 *   box-vmm: bochs*            only in a box of this L0 (qemu, or    optional
 *                              --box-vmm's bochs:MODEL:CPUS), a glob
 *   reason: QEMU TCG ...       why; shown as "known: reason"         required
 *   link: https://...          where it is tracked                   optional
 *
 * A check's name is its message without the trailing " (detail)", which
 * carries what differs from host to host (check_name_len()).  Entries with
 * an expect are the runner's own tests and are left alone, and so are
 * tests whose VMM could not start.  For the rest, with the records that
 * apply (entry, arch, accel, vmm, kernel, box-vmm):
 * - a FAIL or XPASS check whose name a check record matches becomes XFAIL,
 *   with the record's reason;
 * - a FAIL whose failed checks are now all known, or a verdict a verdict
 *   record names, becomes XFAIL "known: reason; <the old reason>"; a FAIL
 *   with new failed checks stays FAIL and says how many more were known;
 * - a record whose check passed (or, for a verdict record, whose test
 *   passed) is a notice "fixed? FILE:LINE ...: remove it from the baseline".
 *
 * The written baseline keeps the records that matched a failure of this
 * run and those that applied to no test of it, drops the rest (fixed), and
 * adds one record per new failed check (or per failed test without
 * failed checks), limited to the run's arch, VMM and accelerator (and
 * box kernel and L0).
 */
#ifndef RUNNER_BASELINE_H
#define RUNNER_BASELINE_H

#include "run.h"
#include "util.h"

struct baseline;

/* An empty baseline (NULL path), or FILE's; NULL with a message. */
struct baseline *baseline_load(const char *path, struct err *e);
/* From an open stream (NULL: empty), name for messages. */
struct baseline *baseline_read(FILE *f, const char *name, struct err *e);
/*
 * The box this run's results come from: its kernel (--box) and L0 ("qemu",
 * or --box-vmm's "bochs:MODEL:CPUS"); records with kernel: or box-vmm: need it.
 */
void baseline_box(struct baseline *b, const char *kernel, const char *vmm);
/* Known failures applied to one finished test: r and vp change. */
void baseline_apply(struct baseline *b, struct result *r, struct vparse *vp);
/* The test's failures remembered for baseline_write(), after apply. */
void baseline_note(struct baseline *b, const struct result *r);
/* 0, or -1 with a message. */
int baseline_write(const struct baseline *b, const char *path, struct err *e);
void baseline_free(struct baseline *b);

#endif
