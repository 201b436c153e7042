/*
 * The check API.  Every function is safe from any CPU; prefixes are per CPU.
 *
 * Each check prints one line "KIND: prefix: message" (lib/verdict.h).  The
 * message is "NAME" or "NAME (DETAIL)"; on failure say what was expected
 * and got.  NAME identifies the check and must be the same on every host,
 * CPU model, emulator version and build for the same cfg entry (baselines
 * of known failures key on "prefix: NAME"): it may hold what the test or
 * the entry fixes (an index, a CPU number, an MSR, a bit), never what the
 * platform decides (frequencies, timings, measured counts, addresses,
 * values read back); those go in the one trailing parenthesised DETAIL,
 * which the runner strips.
 * A test's status follows vm_status_from_counts(): ERROR when nothing was
 * checked, FAIL on any FAIL/XPASS, SKIP when all checks skipped, else PASS.
 */
#ifndef VMUNIT_REPORT_H
#define VMUNIT_REPORT_H

#include <stdbool.h>
#include "verdict.h"

#define __fmt(a, b) __attribute__((format(printf, a, b)))

bool report(bool pass, const char *fmt, ...) __fmt(2, 3);
void report_pass(const char *fmt, ...) __fmt(1, 2);
void report_fail(const char *fmt, ...) __fmt(1, 2);
void report_skip(const char *fmt, ...) __fmt(1, 2);
void report_info(const char *fmt, ...) __fmt(1, 2);
/* A check known to fail where xfail is true: XFAIL/XPASS instead of FAIL/PASS. */
bool report_xfail(bool xfail, bool pass, const char *fmt, ...) __fmt(3, 4);
/*
 * A check with a known deviation: a failure that is exactly it (known
 * true, e.g. "no #GP at all" on the emulator that lacks it) is an XFAIL
 * saying why in the detail ("name (detail; why)" or "name (why)": the name
 * stays); any other failure is a FAIL, and a pass is a PASS.
 */
bool report_known(bool pass, bool known, const char *why, const char *fmt, ...) __fmt(4, 5);
/* report_known() for what QEMU TCG does not emulate: known only under TCG. */
bool report_tcg_gap(bool pass, bool symptom, const char *fmt, ...) __fmt(3, 4);
/*
 * ... known too under a hypervisor nested on QEMU TCG (run_l0_tcg()): for
 * what KVM leaves to the CPU (state it passes through, checks it does not
 * intercept), which TCG then emulates with the same gap.
 */
bool report_l0_tcg_gap(bool pass, bool symptom, const char *fmt, ...) __fmt(3, 4);

void report_prefix_push(const char *fmt, ...) __fmt(1, 2);
void report_prefix_pop(void);

/*
 * Run fn(arg) as a subtest: its lines carry "name: ", and the prefix is
 * restored however fn returns (a require() that skips included).
 */
void subtest(const char *name, void (*fn)(const void *arg), const void *arg);

/*
 * Gate a test or subtest (a void function) on a feature: when cond is false,
 * it returns at once, so push prefixes with subtest(), not by hand;
 * SKIP with the reason, which names the exact gate (CPUID leaf and bit, ID
 * register field, facility number, QEMU option), and return.
 */
#define require(cond, ...) require_or(report_skip, cond, __VA_ARGS__)

/* When cond is false: report_fn(the rest) and return. */
#define require_or(report_fn, cond, ...)		\
	do {						\
		if (!(cond)) {				\
			report_fn(__VA_ARGS__);		\
			return;				\
		}					\
	} while (0)

/*
 * A check that depends on an earlier one which failed (or hit a known,
 * named deviation): report it NOTRUN with what happened earlier ("SENSE ID
 * failed"), never as a SKIP, which means a missing feature.  Counted and
 * shown; the earlier result decides the verdict.
 */
void report_not_run(const char *fmt, ...) __fmt(1, 2);

/*
 * subtest() for one that depends on an earlier result: when earlier_ok is
 * false, fn does not run and "name: not run: why" is reported NOTRUN.
 */
void subtest_after(bool earlier_ok, const char *why, const char *name,
		   void (*fn)(const void *arg), const void *arg);

/* require() for that case: NOTRUN with the reason, and return. */
#define require_earlier(cond, ...) require_or(report_not_run, cond, __VA_ARGS__)


/* Print SUMMARY and EXIT lines and power off with the status. */
__attribute__((noreturn)) void report_exit(void);
/* The framework broke: print "ERROR: msg", then exit with status ERROR. */
__attribute__((noreturn)) void report_abort(const char *fmt, ...) __fmt(1, 2);

#endif
