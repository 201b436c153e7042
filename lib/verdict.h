/*
 * The guest -> host verdict protocol, shared by guest payloads and the runner.
 *
 * A guest prints one line per check, "<KIND>: <prefix>: <message>", where
 * KIND is PASS, FAIL, SKIP, XFAIL, XPASS or NOTRUN (a check that could not
 * run because an earlier one failed or hit a known deviation: not a
 * missing feature, and the earlier result stands); free-form "INFO:" lines carry
 * diagnostics and an "ERROR:" line explains a framework breakdown.  It ends
 * with exactly two machine-readable lines:
 *
 *   SUMMARY: <n> tests, <n> unexpected failures, <n> expected failures, <n> skipped, <n> not run
 *   EXIT: STATUS=<status>
 *
 * "tests" counts every check line; "unexpected failures" counts FAIL and XPASS;
 * "expected failures" counts XFAIL.  <status> is one of enum vm_status and is
 * also handed to the arch's exit device (x86 isa-debug-exit turns it into
 * the QEMU exit code (status << 1) | 1) as a cross-check.
 *
 * This header is plain C99 with no includes so both sides can use it.
 */
#ifndef VMUNIT_VERDICT_H
#define VMUNIT_VERDICT_H

/* Guest exit status: what the guest concluded about itself. */
enum vm_status {
	VM_STATUS_PASS = 0,	/* at least one check passed, none failed */
	VM_STATUS_FAIL = 1,	/* a check failed or an expected failure passed */
	VM_STATUS_SKIP = 2,	/* every check was skipped */
	VM_STATUS_ERROR = 3,	/* framework broke: unexpected fault, no checks */
};

/* A test run's verdict as the runner reports it. */
enum verdict {
	V_PASS,
	V_FAIL,
	V_SKIP,
	V_ERROR,	/* guest or framework broke, or output inconsistent */
	V_TIMEOUT,	/* wall clock over the timeout; process group killed */
	V_CRASH,	/* QEMU died (signal) or output ended without EXIT line */
	V_XFAIL,	/* a failure the runner's baseline lists as known */
	V_NR_VERDICTS
};

/* One check's result, as printed by the guest. */
enum check_kind {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_SKIP,
	CHECK_XFAIL,
	CHECK_XPASS,
	CHECK_NOTRUN,
	CHECK_NR_KINDS
};

#define VM_CHECK_NAMES { "PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "NOTRUN" }
#define VM_VERDICT_NAMES { "PASS", "FAIL", "SKIP", "ERROR", "TIMEOUT", "CRASH", "XFAIL" }

#define VM_SUMMARY_FMT \
	"SUMMARY: %u tests, %u unexpected failures, %u expected failures, %u skipped, %u not run"
#define VM_EXIT_FMT "EXIT: STATUS=%d"
#define VM_INFO_TAG "INFO"
#define VM_ERROR_TAG "ERROR"
/*
 * Live migration (lib/migrate.h, runner/migrate.h): the guest asks with
 * this line and waits for the runner's answer on its console, one line:
 * VM_MIGRATED once it runs on the destination QEMU, or VM_NOT_MIGRATED
 * and QEMU's reason when QEMU would not migrate it.
 */
#define VM_MIGRATE_LINE "MIGRATE: now"
#define VM_MIGRATED 'M'
#define VM_NOT_MIGRATED 'N'
/* lib/efi's loader, started without a payload, waits for one (runner/efi-snapshot.h). */
#define VM_EFI_WAITING_LINE "VMUNIT-EFI: waiting for the payload"

/*
 * The rule that turns check counts into a status, used by the guest to pick
 * its exit status.  The runner decides from the check lines with code of
 * its own and cross-checks the two, so a bug here fools only one side.
 */
/* skipped: SKIP and NOTRUN checks (neither passed nor failed). */
static inline enum vm_status vm_status_from_counts(unsigned int checks,
						   unsigned int unexpected,
						   unsigned int skipped)
{
	if (checks == 0)
		return VM_STATUS_ERROR;
	if (unexpected)
		return VM_STATUS_FAIL;
	if (skipped == checks)
		return VM_STATUS_SKIP;
	return VM_STATUS_PASS;
}

#endif
