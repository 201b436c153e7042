/*
 * The box: real KVM on a host without hardware virtualization.  One L1
 * guest per run boots a Linux kernel under QEMU TCG with the CPU's
 * virtualization exposed (x86_64: -cpu max's SVM with NPT, kvm_amd
 * nested=1), and this same runner runs the selected entries inside it
 * under -accel kvm; each verdict streams back as it finishes.  arm64:
 * -machine virt,virtualization=on,gic-version=3 -cpu max, KVM in the mode
 * the kernel picks (VHE) or the one L1's command line asks for
 * (kvm-arm.mode=nvhe through box_opts.cmdline).
 *
 * - The kernel cache and the initramfs: scripts/box.sh, under
 *   BUILDDIR/build/box/ (Debian kernels by package name, apt-get download
 *   and dpkg-deb -x; a kernel image and its modules tree of one's own).
 * - L1's init: scripts/box-init.  The host's root is shared read-only over
 *   9p and L1 chroots into it, so the runner, QEMU and the payloads inside
 *   are the host's own files at the host's paths (arm64: a userland of
 *   arm64 packages and a runner cross-built for it, with the host's source,
 *   build and cfg directories at their own paths); the log directory is
 *   shared writable and mounted at its own path, so per-test logs land
 *   where any run puts them.  The box's own log (the L0 command line and
 *   everything L1 printed) is LOGDIR/box-ARCH.log.
 * - The stream back: box-record.h, one record per test on L1's console.
 *   The host applies the baseline (the inner runner applies none).
 * - Faults, each an ERROR for the tests without a verdict, naming the
 *   cause, with no hang: L1 says "VMUNIT-BOX: error WHY" (no /dev/kvm, a
 *   module that does not load, a share that does not mount); L1 panics or
 *   runs out of memory (its console says so; panic=-1 and -no-reboot end
 *   L0 at once); L1 does not get ready within boot_timeout_s, or is
 *   silent for longer than the longest test's timeout and a margin; the
 *   L0 QEMU dies of a signal (QEMU's TCG has assertions that fire under
 *   load): the tests it lost are run once more in a fresh L1, and their
 *   results say so.
 * - The Intel flavour (x86_64, vmm "bochs[:MODEL[:CPUS]]", default
 *   tigerlake with 1 CPU): L0 is Bochs 2.7 with a VMX model and L1 loads
 *   kvm_intel nested=1 (scripts/box-bochs.sh).  Bochs has no 9p: each L1
 *   boots a disk made for it, whose initramfs carries QEMU, the runner,
 *   the cfg and the payloads of the tests it runs; the records come back
 *   on COM1 as above.  L1 has vmunit.logs=ttyS1 on its command line: once
 *   its runner ends, it sends its log directory as a tar on COM2, which
 *   Bochs writes to LOGDIR/box-x86_64.img.com2, and after each L1 the
 *   runner unpacks it into the log directory (untar.h: an untrusted
 *   archive; regular *.log and *.txt files with one plain component as
 *   their name, no links followed or made, 64 MiB a file, 512 MiB and
 *   4096 files in all, never the box log), so the per-test logs land
 *   where the other box's do; what was skipped, and why, is said in the
 *   box log.  An L1 that ends before its runner does sends none.
 */
#ifndef RUNNER_BOX_H
#define RUNNER_BOX_H

#include <stdbool.h>

#include "run.h"

#define BOX_BOOT_TIMEOUT_S 180

struct box_opts {
	const char *kernel;	/* debian-6.1, debian-6.12, or a kernel image's path */
	const char *modules;	/* its modules tree (DIR/lib/modules/REL), or NULL */
	const char *cmdline;	/* more for L1's kernel command line, or NULL */
	const char *vmm;	/* L0: NULL (QEMU TCG) or "bochs[:MODEL[:CPUS]]" */
	/* For the runner inside, all absolute: */
	const char *runner, *srcdir, *builddir, *cfg, *cfgdir, *logdir;
	double timeout_factor;	/* its timeouts scale like TCG's */
	double timeout_s;	/* --timeout for every entry: struct host's timeout_s */
	double boot_timeout_s;	/* L1's boot to ready: BOX_BOOT_TIMEOUT_S, or $BOX_BOOT_TIMEOUT */
};

struct box;

/*
 * The kernel cache for arch a (fetched and built on first use; stderr says
 * what scripts/box.sh did wrong) and the L0 QEMU qemu: NULL with a message.
 */
struct box *box_prepare(const struct box_opts *bo, enum arch a, const char *qemu,
			struct err *e);
/*
 * "Debian 6.12.95+deb12-amd64, kvm_amd nested=1, nested under QEMU TCG",
 * "... kvm_intel nested=1, nested under Bochs 2.7 tigerlake (1 CPU)",
 * "Debian 6.12.95+deb12-arm64, KVM arm64 VHE, nested under QEMU TCG": for reports.
 */
const char *box_platform(const struct box *b);
/* Its L0, for baselines (box-vmm:): "qemu", or "bochs:MODEL:CPUS" in full. */
const char *box_l0(const struct box *b);
/* The L0 command line, for -n. */
char *box_command(const struct box *b);
/*
 * Run the tests in the box; like run_batch() (run.h), o->jobs at once
 * inside (the Intel box: one at a time: its L1 has one CPU, and when it
 * goes silent, which it does now and then, only one test is lost).
 */
struct batch_end box_run(struct box *b, const struct test *tests, size_t n,
			 const struct run_opts *o);
void box_free(struct box *b);

#endif
