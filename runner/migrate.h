/*
 * Live migration in the middle of a test (the guest's side: lib/migrate.h).
 * The guest prints VM_MIGRATE_LINE and waits for one line on its console.
 * migrate_vm() then, blocking, at most MIGRATE_TIMEOUT_S:
 *  1. starts the destination: the source's command line plus
 *     "-incoming defer", its own console pipes and QMP socket;
 *  2. gives both QEMUs an end of one socket pair over QMP (getfd, SCM_RIGHTS:
 *     no listening socket, no shell), "migrate-incoming fd:" on the
 *     destination, "migrate fd:" on the source;
 *  3. polls the source's query-migrate until "completed", then the
 *     destination's query-status until "running";
 *  4. kills and reaps the source, and answers the guest on the destination
 *     (VM_MIGRATED): *vm is now the destination's.
 * It returns 0 then.  When the source's QEMU refuses to migrate (the error
 * of "migrate": a blocker, e.g. a device that cannot be migrated) it answers
 * the guest on the source (VM_NOT_MIGRATED and QEMU's words: the guest
 * SKIPs naming them), kills the destination and returns 1, e->msg the
 * blocker.  Any other failure (the destination does not start or dies,
 * "failed", no progress in time) returns -1 with the stage and QEMU's
 * message in e->msg: the destination is killed, the source left to the
 * caller, who ends the test as ERROR.  Source replies and events read
 * meanwhile are the migration's (the source's STOP at the end is not a
 * paused VM); its reply callback is restored.
 */
#ifndef RUNNER_MIGRATE_H
#define RUNNER_MIGRATE_H

#include <signal.h>
#include <sys/types.h>

#include "qmp.h"
#include "util.h"

#define MIGRATE_TIMEOUT_S 60

/* One QEMU of a test. */
struct vm {
	pid_t pid;		/* also its process group */
	int out;		/* its console and stderr: the read end */
	int in;			/* its console input: the write end */
	struct qmp qmp;
};

int migrate_vm(char *const *argv, const sigset_t *mask, struct vm *vm, struct err *e);

#endif
