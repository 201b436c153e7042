/*
 * The VMMs the runner boots payloads under, next to the arch table
 * (qemu.h): QEMU for every arch, Bochs for x86_64.  Everything that
 * differs between them is in one table: which arches each runs, how its
 * command line is built, which lines of its output are its own, and
 * whether its exit status carries the guest's.
 */
#ifndef RUNNER_VMM_H
#define RUNNER_VMM_H

#include <stdbool.h>
#include <sys/types.h>

#include "qemu.h"
#include "util.h"

enum vmm { VMM_QEMU, VMM_BOCHS, VMM_NR };

struct vparse;

struct vmm_info {
	const char *name;		/* cfg vmm= and --vmm */
	const char *display;		/* in verdict reasons: "QEMU", "Bochs" */
	unsigned arch_mask;		/* 1 << enum arch it runs */
	const char *default_cpu;	/* NULL: qemu_default_cpu(accel) */
	int (*argv)(const struct qemu_opts *o, struct strv *argv, struct err *e);
	/* Its own message in the output stream (recorded in vp), not the guest's. */
	bool (*own_line)(struct vparse *vp, const char *line);
	bool exit_has_status;		/* the arch's decode_exit applies */
};

const struct vmm_info *vmm_info(enum vmm v);
/* "qemu"/"bochs" -> VMM_*; -1 when unknown. */
int vmm_from_name(const char *name);

/* Bochs (bochs.c): the files a run needs besides the payload. */
int bochs_argv(const struct qemu_opts *o, struct strv *argv, struct err *e);
bool bochs_own_line(struct vparse *vp, const char *line);
/* In a child of Bochs's (pid bochs, before its exec): reads its terminal
 * display away while Bochs lives; never returns. */
void __attribute__((noreturn)) bochs_term_drain(pid_t bochs);

#endif
