/* Host tests of runner/verdict-parse.c: the verdict rules, in order. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qemu.h"
#include "verdict-parse.h"

static struct vparse vp;
static char reason[512];

/* waitpid() statuses, built the way the kernel encodes them. */
#define EXITED(code) ((code) << 8)
#define SIGNALED(sig) (sig)

static int x86_decode(int code)
{
	return (code & 1) ? (code - 1) / 2 : -1;
}

static void feed(const char *text)
{
	char *copy = strdup(text), *save, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		vp_line(&vp, line);
	free(copy);
}

static enum verdict decide(int wstatus)
{
	struct qemu_end end = { .wstatus = wstatus };

	return vp_verdict(&vp, &end, reason, sizeof(reason));
}

static enum verdict decide_x86(int wstatus)
{
	struct qemu_end end = { .wstatus = wstatus, .decode_exit = x86_decode };

	return vp_verdict(&vp, &end, reason, sizeof(reason));
}

static void expect(enum verdict got, enum verdict want, const char *why)
{
	assert_string_equal(verdict_name(got), verdict_name(want));
	assert_string_equal(reason, why);
}

static const char good[] =
	"booting\n"
	"PASS: a: one\n"
	"SKIP: a: two needs CPUID.7:EBX.X[3]\n"
	"XFAIL: a: three\n"
	"INFO: a: just saying\n"
	"PASS: b: four\n"
	"SUMMARY: 4 tests, 0 unexpected failures, 1 expected failures, 1 skipped, 0 not run\n"
	"EXIT: STATUS=0\n";

static void test_pass(void **state)
{
	(void)state;
	feed(good);
	expect(decide(EXITED(0)), V_PASS, "4 checks, 1 expected failure, 1 skipped");
	assert_int_equal(vp.nchecks, 4);
	assert_int_equal(vp.checks[1].kind, CHECK_SKIP);
	assert_string_equal(vp.checks[1].msg, "a: two needs CPUID.7:EBX.X[3]");
	assert_int_equal(vp.checks[2].kind, CHECK_XFAIL);
}

static void test_pass_x86_exit_device(void **state)
{
	(void)state;
	feed(good);
	expect(decide_x86(EXITED(1)), V_PASS, "4 checks, 1 expected failure, 1 skipped");
}

static void test_carriage_returns(void **state)
{
	(void)state;
	feed("\rPASS: one\r\r\nFAIL: two \r\n"
	     "SUMMARY: 2 tests, 1 unexpected failures, 0 expected failures, 0 skipped, 0 not run\r\n"
	     "EXIT: STATUS=1\r\n");
	expect(decide_x86(EXITED(3)), V_FAIL, "1 of 2 checks failed");
	assert_string_equal(vp.checks[0].msg, "one");
	assert_string_equal(vp.checks[1].msg, "two");
}

/* UEFI's console escapes before the first line: the check is not lost. */
static void test_terminal_escapes(void **state)
{
	(void)state;
	feed("\033[2J\033[01;01H\033[=3hPASS: one\r\n\033[0mPASS: two\r\n"
	     "SUMMARY: 2 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_PASS, "2 checks");
	assert_string_equal(vp.checks[0].msg, "one");
	assert_string_equal(vp.checks[1].msg, "two");
}

/* A firmware exception (AAVMF with too little RAM) is ERROR at once. */
static void test_firmware_exception(void **state)
{
	struct qemu_end killed = { .wstatus = SIGNALED(SIGKILL) };

	(void)state;
	feed("UEFI firmware (version  built at 13:10:49 on Nov  5 2024)\n"
	     "Synchronous Exception at 0x16634\n");
	assert_true(vp.fatal_done);
	expect(vp_verdict(&vp, &killed, reason, sizeof(reason)), V_ERROR,
	       "UEFI firmware: Synchronous Exception at 0x16634");
}

static void test_timeout_first(void **state)
{
	struct qemu_end end = { .timed_out = true, .timeout_s = 90,
				.wstatus = SIGNALED(SIGKILL) };

	(void)state;
	feed("PASS: one\n");
	expect(vp_verdict(&vp, &end, reason, sizeof(reason)), V_TIMEOUT,
	       "no verdict after 90 s");
	feed(good);
	expect(vp_verdict(&vp, &end, reason, sizeof(reason)), V_TIMEOUT,
	       "EXIT seen, QEMU did not exit within 90 s");
}

static void test_signal_is_crash(void **state)
{
	(void)state;
	feed(good);
	expect(decide(SIGNALED(SIGSEGV)), V_CRASH, "QEMU killed by signal 11 (SIGSEGV)");
	vp_free(&vp);
	expect(decide(SIGNALED(SIGSEGV)), V_CRASH,
	       "QEMU could not start (killed by signal 11 (SIGSEGV))");
}

static void test_no_exit_line(void **state)
{
	(void)state;
	feed("PASS: one\nSUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n");
	expect(decide(EXITED(0)), V_CRASH, "no EXIT line; QEMU exited with status 0");
	/* A mangled EXIT line is no EXIT line. */
	feed("EXIT: STATUS=zero\n");
	expect(decide(EXITED(1)), V_CRASH, "no EXIT line; QEMU exited with status 1");
}

static void test_summary(void **state)
{
	(void)state;
	feed("PASS: one\nEXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_ERROR, "no SUMMARY line");
	vp_free(&vp);
	feed("PASS: one\nSUMMARY: lots\nEXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_ERROR, "malformed SUMMARY line");
	vp_free(&vp);
	feed("PASS: one\nPASS: two\n"
	     "SUMMARY: 3 tests, 0 unexpected failures, 0 expected failures, 1 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_ERROR,
	       "SUMMARY disagrees with the check lines: 3 tests (2 seen), 1 skipped (0 seen)");
}

static void test_exit_device_disagrees(void **state)
{
	(void)state;
	feed(good);
	expect(decide_x86(EXITED(3)), V_ERROR,
	       "exit device reported status 1, EXIT line says STATUS=0");
	expect(decide_x86(EXITED(0)), V_ERROR,
	       "QEMU exited with status 0, not through the exit device (EXIT line says STATUS=0)");
	/* Arches without exit decoding take the EXIT line alone. */
	expect(decide(EXITED(0)), V_PASS, "4 checks, 1 expected failure, 1 skipped");
}

static enum verdict decide_s390x(int wstatus)
{
	struct qemu_end end = { .wstatus = wstatus,
				.decode_exit = arch_info(ARCH_S390X)->decode_exit };

	return vp_verdict(&vp, &end, reason, sizeof(reason));
}

/* s390x's exit only says 0 or "not 0": it must agree with the EXIT line. */
static void test_s390x_exit(void **state)
{
	(void)state;
	feed(good);
	expect(decide_s390x(EXITED(0)), V_PASS, "4 checks, 1 expected failure, 1 skipped");
	expect(decide_s390x(EXITED(1)), V_ERROR,
	       "QEMU exit status 1 says the guest failed, EXIT line says STATUS=0");
	vp_free(&vp);
	vp_init(&vp);
	feed("FAIL: a: one\nSUMMARY: 1 tests, 1 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=1\n");
	expect(decide_s390x(EXITED(1)), V_FAIL, "1 of 1 checks failed");
	expect(decide_s390x(EXITED(0)), V_ERROR,
	       "exit device reported status 0, EXIT line says STATUS=1");
}

static void test_status_error(void **state)
{
	(void)state;
	feed("PASS: one\nERROR: unexpected #GP at rip 0x1234\nERROR: second\n"
	     "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=3\n");
	expect(decide_x86(EXITED(7)), V_ERROR, "unexpected #GP at rip 0x1234");
}

static void test_error_line_with_other_status(void **state)
{
	(void)state;
	feed("PASS: one\nERROR: oops\n"
	     "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_ERROR, "guest printed ERROR (oops) but EXIT STATUS=0");
}

static void test_unknown_status(void **state)
{
	(void)state;
	feed("PASS: one\n"
	     "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=9\n");
	expect(decide(EXITED(0)), V_ERROR, "unknown EXIT status 9");
}

static void test_no_checks(void **state)
{
	(void)state;
	feed("SUMMARY: 0 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=2\n");
	expect(decide(EXITED(0)), V_ERROR, "no checks reported");
}

static void test_status_disagrees_with_counts(void **state)
{
	(void)state;
	feed("PASS: one\nFAIL: two\n"
	     "SUMMARY: 2 tests, 1 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_ERROR,
	       "EXIT STATUS=0 but the checks say 1 (1 of 2 failed, 0 skipped)");
	vp_free(&vp);
	feed("SKIP: one\n"
	     "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 1 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_ERROR,
	       "EXIT STATUS=0 but the checks say 2 (0 of 1 failed, 1 skipped)");
}

static void test_fail(void **state)
{
	(void)state;
	feed("PASS: one\nFAIL: two\nXPASS: three\n"
	     "SUMMARY: 3 tests, 2 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=1\n");
	expect(decide(EXITED(0)), V_FAIL, "2 of 3 checks failed");
}

static void test_skip(void **state)
{
	(void)state;
	feed("SKIP: apic: needs CPUID.1:ECX.TSC_DEADLINE[24]\nSKIP: pmu: needs PDCM\n"
	     "SUMMARY: 2 tests, 0 unexpected failures, 0 expected failures, 2 skipped, 0 not run\n"
	     "EXIT: STATUS=2\n");
	expect(decide(EXITED(0)), V_SKIP,
	       "apic: needs CPUID.1:ECX.TSC_DEADLINE[24]; pmu: needs PDCM");
}

/* Nothing passed, a known deviation and SKIPs: the deviation is the result. */
static void test_only_xfail(void **state)
{
	(void)state;
	feed("SKIP: a: needs X\nXFAIL: detect: reads (0); Bochs 2.7: no MSR\nSKIP: b: needs Y\n"
	     "SUMMARY: 3 tests, 0 unexpected failures, 1 expected failures, 2 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_XFAIL,
	       "no check passed: detect: reads (0); Bochs 2.7: no MSR, 1 expected failure, 2 skipped");
}

/* A check after EXIT is never dropped; QEMU's own lines may follow. */
static void test_lines_after_exit(void **state)
{
	(void)state;
	feed(good);
	feed("qemu-system-x86_64: terminating on signal 15\n");
	expect(decide(EXITED(0)), V_PASS, "4 checks, 1 expected failure, 1 skipped");
	feed("FAIL: cpu 1: late\nPASS: later\n");
	expect(decide(EXITED(0)), V_ERROR,
	       "output after EXIT: 2 lines, the first \"FAIL: cpu 1: late\"");
}

static const char kvm_internal_error[] =
	"KVM internal error. Suberror: 1\n"
	"extra data[0]: 0x0000000000000001\n"
	"emulation failure\n"
	"RAX=0000000000100110 RBX=00000000002979a0 RCX=0000000000000000 RDX=0000000000000000\n"
	"RIP=0000000000100110 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\n"
	"Code=00 00 0f 0b c3 66 66 2e 0f 1f 84 00 00 00 00 00 66 90 <cc> c3 66 66 2e 0f 1f 84\n";

/* QEMU's text, as it prints it: the verdict names the error and the place. */
static void test_kvm_internal_error(void **state)
{
	struct qemu_end killed = { .wstatus = SIGNALED(SIGKILL) };

	(void)state;
	feed("PASS: one\nPASS: two\n");
	feed(kvm_internal_error);
	assert_true(vp_fatal(&vp));
	assert_true(vp.fatal_done);
	expect(vp_verdict(&vp, &killed, reason, sizeof(reason)), V_ERROR,
	       "KVM internal error. Suberror: 1 (emulation failure) at INT3, rip 0x100110 "
	       "after 2 checks");
	vp_free(&vp);
	feed("KVM: entry failed, hardware error 0x80000021\n"
	     "RIP=000000000000fff0 RFL=00000002\nCode=<0f> a2 90 90\n");
	expect(vp_verdict(&vp, &killed, reason, sizeof(reason)), V_ERROR,
	       "KVM: entry failed, hardware error 0x80000021 at CPUID, rip 0xfff0");
	vp_free(&vp);
	/* "<xx>" at the end of the Code= line: nothing read past it (found by tests/fuzz) */
	feed("KVM: entry failed, hardware error 0x80000021\nCode=90 <0f>\n");
	expect(vp_verdict(&vp, &killed, reason, sizeof(reason)), V_ERROR,
	       "KVM: entry failed, hardware error 0x80000021, code 0f");
	vp_free(&vp);
	feed("error: kvm run failed Bad address\nPC=0000000040080000 X00=0\n");
	assert_false(vp.fatal_done);
	expect(vp_verdict(&vp, &killed, reason, sizeof(reason)), V_ERROR,
	       "error: kvm run failed Bad address at rip 0x40080000");
}

/* NOTRUN: counted and shown, neither passed nor failed; the earlier result stands. */
static void test_not_run(void **state)
{
	(void)state;
	feed("XFAIL: css: SENSE ID: QEMU deviation\nNOTRUN: css: chaining: not run, SENSE ID failed\n"
	     "PASS: css: other\n"
	     "SUMMARY: 3 tests, 0 unexpected failures, 1 expected failures, 0 skipped, 1 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_PASS, "3 checks, 1 expected failure, 1 not run");
	vp_free(&vp);
	feed("FAIL: css: SENSE ID\nNOTRUN: css: chaining: not run, SENSE ID failed\n"
	     "SUMMARY: 2 tests, 1 unexpected failures, 0 expected failures, 0 skipped, 1 not run\n"
	     "EXIT: STATUS=1\n");
	expect(decide(EXITED(0)), V_FAIL, "1 of 2 checks failed, 1 not run");
	vp_free(&vp);
	feed("NOTRUN: a: not run, x failed\n"
	     "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=2\n");
	expect(decide(EXITED(0)), V_ERROR,
	       "SUMMARY disagrees with the check lines: 0 not run (1 seen)");
}

static void test_qmp_events(void **state)
{
	(void)state;
	feed("PASS: one\n");
	vp_event(&vp, "SHUTDOWN", "guest-shutdown");
	expect(decide(EXITED(0)), V_CRASH, "no EXIT line; QEMU exited with status 0");
	vp_event(&vp, "SHUTDOWN", "guest-reset");
	expect(decide(EXITED(0)), V_ERROR,
	       "the guest reset the machine (a triple fault on x86) after 1 check");
	vp_event(&vp, "GUEST_PANICKED", NULL);
	expect(decide(EXITED(0)), V_ERROR, "guest panic (QMP GUEST_PANICKED) after 1 check");
	assert_false(vp_fatal(&vp));
	vp_event(&vp, "STOP", NULL);
	assert_true(vp_fatal(&vp));
	expect(decide(SIGNALED(SIGKILL)), V_ERROR,
	       "the VM stopped (QMP STOP) without a fatal message after 1 check");
	/* After EXIT a panic is how s390x reports a failed status. */
	vp_free(&vp);
	feed("FAIL: a: one\nSUMMARY: 1 tests, 1 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=1\n");
	vp_event(&vp, "GUEST_PANICKED", NULL);
	expect(decide(EXITED(1)), V_FAIL, "1 of 1 checks failed");
}

/* QEMU's own message explains a crash; with no guest output it never started. */
static void test_qemu_message(void **state)
{
	struct qemu_end end = { .wstatus = SIGNALED(SIGABRT) };

	(void)state;
	vp.qemu_name = "qemu-system-x86_64";
	feed("qemu-system-x86_64: error: failed to set MSR 0x10a to 0xc000069\n"
	     "qemu-system-x86_64: ../target/i386/kvm/kvm.c:3240: kvm_buf_set_msrs: "
	     "Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.\n");
	assert_true(vp_unstarted(&vp, &end));
	expect(vp_verdict(&vp, &end, reason, sizeof(reason)), V_CRASH,
	       "QEMU could not start (killed by signal 6 (SIGABRT)): "
	       "error: failed to set MSR 0x10a to 0xc000069");
	feed("PASS: one\n");
	assert_false(vp_unstarted(&vp, &end));
	expect(vp_verdict(&vp, &end, reason, sizeof(reason)), V_CRASH,
	       "QEMU killed by signal 6 (SIGABRT): error: failed to set MSR 0x10a to 0xc000069");
	end.wstatus = EXITED(1);
	expect(vp_verdict(&vp, &end, reason, sizeof(reason)), V_CRASH,
	       "no EXIT line; QEMU exited with status 1: "
	       "error: failed to set MSR 0x10a to 0xc000069");
}

/*
 * The error QEMU ends with names the cause, not a warning before it; an
 * option the host's KVM lacks is a SKIP naming it, not a CRASH.
 */
static void test_qemu_refuses(void **state)
{
	(void)state;
	vp.qemu_name = "qemu-system-x86_64";
	feed("qemu-system-x86_64: warning: Number of SMP cpus requested (8) exceeds the recommended cpus supported by KVM (2)\n"
	     "qemu-system-x86_64: Hyper-V direct TLB flush (hv-tlbflush-direct) is not supported by kernel\n");
	expect(decide(EXITED(1)), V_SKIP,
	       "the host's KVM lacks what the entry asks for (Hyper-V direct TLB flush "
	       "(hv-tlbflush-direct) is not supported by kernel)");
	vp_free(&vp);
	vp.qemu_name = "qemu-system-aarch64";
	feed("qemu-system-aarch64: -accel kvm: warning: Number of SMP cpus requested (4) exceeds the recommended cpus supported by KVM (2)\n"
	     "qemu-system-aarch64: mach-virt: KVM does not support providing Virtualization extensions to the guest CPU\n");
	expect(decide(EXITED(1)), V_SKIP,
	       "the host's KVM lacks what the entry asks for (mach-virt: KVM does not support providing "
	       "Virtualization extensions to the guest CPU)");
	vp_free(&vp);
	vp.qemu_name = "qemu-system-x86_64";
	feed("qemu-system-x86_64: warning: host doesn't support requested feature\n"
	     "qemu-system-x86_64: -m 99999999: cannot set up guest memory 'pc.ram': Cannot allocate memory\n");
	expect(decide(EXITED(1)), V_CRASH,
	       "QEMU could not start (exited with status 1): -m 99999999: cannot set up guest "
	       "memory 'pc.ram': Cannot allocate memory");
}

/* Memory is bounded: past VP_MAX_CHECKS lines the output is a flood. */
static void test_flood(void **state)
{
	(void)state;
	for (unsigned i = 0; i <= VP_MAX_CHECKS; i++)
		vp_line(&vp, "PASS: x");
	assert_int_equal(vp.nchecks, VP_MAX_CHECKS);
	assert_int_equal(vp.count[CHECK_PASS], VP_MAX_CHECKS + 1);
	assert_true(vp_fatal(&vp));
	feed(good);
	expect(decide(EXITED(0)), V_ERROR,
	       "output flood: more than 100000 check lines after 100000 checks; output cut off");
}

static void test_lookalike_lines_ignored(void **state)
{
	(void)state;
	feed("PASSED: no\nPASS one\n PASS: indented\nPASS:\n"
	     "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run\n"
	     "EXIT: STATUS=0\n");
	expect(decide(EXITED(0)), V_PASS, "1 check");
}

static void test_expect(void **state)
{
	(void)state;
	strcpy(reason, "unexpected #GP");
	assert_int_equal(apply_expect(V_ERROR, NULL, V_ERROR, reason, sizeof(reason)), V_PASS);
	assert_string_equal(reason, "expected ERROR: unexpected #GP");
	strcpy(reason, "3 checks");
	assert_int_equal(apply_expect(V_ERROR, NULL, V_PASS, reason, sizeof(reason)), V_FAIL);
	assert_string_equal(reason, "expected ERROR, got PASS: 3 checks");
	strcpy(reason, "unexpected #GP");
	assert_int_equal(apply_expect(V_ERROR, "#UD", V_ERROR, reason, sizeof(reason)), V_FAIL);
	assert_string_equal(reason, "expected ERROR: #UD, got ERROR: unexpected #GP");
	strcpy(reason, "unexpected #UD at 0x10");
	assert_int_equal(apply_expect(V_ERROR, "#UD", V_ERROR, reason, sizeof(reason)), V_PASS);
	strcpy(reason, "same");
	assert_int_equal(apply_expect(-1, NULL, V_CRASH, reason, sizeof(reason)), V_CRASH);
	assert_string_equal(reason, "same");
}

static void test_names(void **state)
{
	char line[128];

	(void)state;
	assert_int_equal(verdict_from_name("timeout"), V_TIMEOUT);
	assert_int_equal(verdict_from_name("CRASH"), V_CRASH);
	assert_int_equal(verdict_from_name("BROKEN"), -1);
	verdict_line(line, sizeof(line), V_PASS, "selftest", "14 checks, 2 skipped");
	assert_string_equal(line, "PASS selftest (14 checks, 2 skipped)");
	verdict_line(line, sizeof(line), V_PASS, "x", "");
	assert_string_equal(line, "PASS x");
}

static int reset(void **state)
{
	(void)state;
	vp_free(&vp);
	reason[0] = '\0';
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pass), T(test_pass_x86_exit_device), T(test_carriage_returns),
		T(test_terminal_escapes), T(test_firmware_exception),
		T(test_timeout_first), T(test_signal_is_crash), T(test_no_exit_line),
		T(test_summary), T(test_exit_device_disagrees), T(test_s390x_exit), T(test_status_error),
		T(test_error_line_with_other_status), T(test_unknown_status),
		T(test_no_checks), T(test_status_disagrees_with_counts), T(test_fail),
		T(test_skip), T(test_only_xfail), T(test_lines_after_exit), T(test_kvm_internal_error),
		T(test_qmp_events), T(test_not_run), T(test_qemu_message), T(test_qemu_refuses), T(test_flood),
		T(test_lookalike_lines_ignored), T(test_expect), T(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
