/*
 * Live migration in the middle of a test (cfg: migration = 1; the runner's
 * side is runner/migrate.h).  migrate() is a point the VM must cross by
 * moving to another QEMU: it prints VM_MIGRATE_LINE and waits for the
 * runner's answer on the console.  VM_MIGRATED: the test goes on, on the
 * destination, with the state it had.  VM_NOT_MIGRATED: QEMU would not
 * migrate this VM (a blocker: a device or option it cannot migrate), and
 * the test ends at once as SKIP naming QEMU's reason, never as a PASS of
 * an unmigrated test.  No answer within MIGRATE_WAIT_US: ERROR.
 *
 * Outside a migration run (no vmunit.migrate: the same entry without
 * migration =, a run by hand) migrate() does nothing, so each test also
 * checks its state unmigrated.  A test may migrate several times; the
 * runner checks that a migration entry migrated at least once.
 */
#ifndef VMUNIT_MIGRATE_H
#define VMUNIT_MIGRATE_H

#include <stdbool.h>

#define MIGRATE_WAIT_US 60000000ull

void migrate(void);
/* migrate() the first time it is called, nothing after. */
void migrate_once(void);
/* For checks that mean nothing unmigrated: false and a SKIP outside a migration run. */
bool migrate_or_skip(void);
/* The migrations this run has crossed. */
unsigned int migrations(void);

#endif
