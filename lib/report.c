/* The check API: counts, per-CPU prefixes and the final verdict lines. */
#include <stdarg.h>
#include "arch.h"
#include "clock.h"
#include "console.h"
#include "gcov.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"
#include "spinlock.h"
#include "start.h"
#include "string.h"
#include "verdict.h"

static struct spinlock count_lock;
static unsigned int counts[CHECK_NR_KINDS];
static bool aborted;
static const char *const kind_names[] = VM_CHECK_NAMES;

static void print_line(const char *tag, const char *fmt, va_list ap)
{
	struct percpu *cpu = this_cpu();
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s", tag, cpu->prefix);
	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	console_write(line, n);
}

static void check(enum check_kind kind, const char *fmt, va_list ap)
{
	spin_lock(&count_lock);
	counts[kind]++;
	spin_unlock(&count_lock);
	print_line(kind_names[kind], fmt, ap);
}

#define CHECK(kind)				\
	do {					\
		va_list ap;			\
		va_start(ap, fmt);		\
		check(kind, fmt, ap);		\
		va_end(ap);			\
	} while (0)

bool report(bool pass, const char *fmt, ...)
{
	CHECK(pass ? CHECK_PASS : CHECK_FAIL);
	return pass;
}

bool report_xfail(bool xfail, bool pass, const char *fmt, ...)
{
	if (xfail)
		CHECK(pass ? CHECK_XPASS : CHECK_XFAIL);
	else
		CHECK(pass ? CHECK_PASS : CHECK_FAIL);
	return pass;
}

/* The XFAIL's why goes into the detail, so the check keeps its name. */
static bool deviation(bool pass, bool known, const char *why, const char *fmt, va_list ap)
{
	char msg[256];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (pass || !known)
		return report(pass, "%s", msg);
	if (n > 0 && n < (int)sizeof(msg) && msg[n - 1] == ')')
		return report_xfail(true, false, "%.*s; %s)", n - 1, msg, why);
	return report_xfail(true, false, "%s (%s)", msg, why);
}

bool report_known(bool pass, bool known, const char *why, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = deviation(pass, known, why, fmt, ap);
	va_end(ap);
	return r;
}

bool report_tcg_gap(bool pass, bool symptom, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = deviation(pass, symptom && arch_is_tcg(), "QEMU TCG does not emulate this", fmt, ap);
	va_end(ap);
	return r;
}

bool report_l0_tcg_gap(bool pass, bool symptom, const char *fmt, ...)
{
	bool tcg = arch_is_tcg();
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = deviation(pass, symptom && (tcg || run_l0_tcg()),
		      tcg ? "QEMU TCG does not emulate this" :
			    "QEMU TCG under KVM: KVM leaves this to the CPU, TCG does not emulate it",
		      fmt, ap);
	va_end(ap);
	return r;
}

void report_pass(const char *fmt, ...)
{
	CHECK(CHECK_PASS);
}

void report_fail(const char *fmt, ...)
{
	CHECK(CHECK_FAIL);
}

void report_skip(const char *fmt, ...)
{
	CHECK(CHECK_SKIP);
}

void report_not_run(const char *fmt, ...)
{
	CHECK(CHECK_NOTRUN);
}

void report_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line(VM_INFO_TAG, fmt, ap);
	va_end(ap);
}

void report_prefix_push(const char *fmt, ...)
{
	struct percpu *cpu = this_cpu();
	size_t len = strlen(cpu->prefix);
	va_list ap;
	int n;

	if (cpu->prefix_depth == PREFIX_DEPTH)
		report_abort("report prefix nested deeper than %d", PREFIX_DEPTH);
	cpu->prefix_end[cpu->prefix_depth++] = len;
	va_start(ap, fmt);
	n = vsnprintf(cpu->prefix + len, PREFIX_MAX - len, fmt, ap);
	va_end(ap);
	len += n;
	if (len + 3 > PREFIX_MAX)
		report_abort("report prefix longer than %d bytes", PREFIX_MAX);
	strcpy(cpu->prefix + len, ": ");
}

void report_prefix_pop(void)
{
	struct percpu *cpu = this_cpu();

	if (!cpu->prefix_depth)
		report_abort("report_prefix_pop without push");
	cpu->prefix[cpu->prefix_end[--cpu->prefix_depth]] = 0;
}

void subtest(const char *name, void (*fn)(const void *arg), const void *arg)
{
	struct percpu *cpu = this_cpu();
	unsigned int depth = cpu->prefix_depth;

	report_prefix_push("%s", name);
	fn(arg);
	cpu->prefix[cpu->prefix_end[depth]] = 0;
	cpu->prefix_depth = depth;
}

void subtest_after(bool earlier_ok, const char *why, const char *name,
		   void (*fn)(const void *arg), const void *arg)
{
	if (earlier_ok) {
		subtest(name, fn, arg);
		return;
	}
	report_prefix_push("%s", name);
	report_not_run("not run: %s", why);
	report_prefix_pop();
}

void report_exit(void)
{
	unsigned int checks = 0, unexpected, skipped, status;
	char line[160];
	int n;

	spin_lock(&count_lock);
	for (int k = 0; k < CHECK_NR_KINDS; k++)
		checks += counts[k];
	unexpected = counts[CHECK_FAIL] + counts[CHECK_XPASS];
	skipped = counts[CHECK_SKIP] + counts[CHECK_NOTRUN];
	status = aborted ? VM_STATUS_ERROR
			 : vm_status_from_counts(checks, unexpected, skipped);
	if (!checks && !aborted)
		console_write("ERROR: no checks reported\n", 26);
	if (run_stats()) {
		uint64_t end;

		console_write("STATS: end\n", 11);
		end = clock_us() + STATS_WAIT_US;
		while (clock_us() < end)
			cpu_relax();
	}
	gcov_dump();
	n = snprintf(line, sizeof(line), VM_SUMMARY_FMT "\n" VM_EXIT_FMT "\n",
		     checks, unexpected, counts[CHECK_XFAIL], counts[CHECK_SKIP],
		     counts[CHECK_NOTRUN], status);
	console_write(line, n);
	arch_exit(status);
}

void report_abort(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line(VM_ERROR_TAG, fmt, ap);
	va_end(ap);
	aborted = true;
	report_exit();
}
