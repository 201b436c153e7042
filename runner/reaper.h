/*
 * Nothing outlives the run, even a runner killed with SIGKILL.
 *
 * reaper_start() forks a small process that waits for the runner to end,
 * however it ends (the pipe it reads closes with the runner's last
 * descriptor), then kills every process that carries the run's mark in
 * its environment, and exits.  run_spawn() puts the mark,
 * VMUNIT_RUN=<runner pid>.<start ns>, into each VMM's environment, so it
 * is in every descendant, whatever process group or session it moved to
 * and whoever its parent became (a double fork).  It needs no privilege:
 * /proc/PID/environ of one's own processes.  What escapes it: a descendant
 * that clears its environment before it execs, or that runs as another
 * user.  While the runner lives, it ends each test's processes itself
 * (process group, subreaper); the reaper is then idle.
 */
#ifndef RUNNER_REAPER_H
#define RUNNER_REAPER_H

#include <sys/types.h>

/* Once per runner, before the first VMM starts; a failure is said, not fatal. */
void reaper_start(void);
/* "VMUNIT_RUN=..." for a VMM's environment, or NULL before reaper_start(). */
const char *reaper_mark(void);
/* The reaper's pid (a child of the runner's, not one to kill), or 0. */
pid_t reaper_pid(void);

#endif
