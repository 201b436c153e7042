/* panic(), assert() and the frame-pointer backtrace. */
#include <stdarg.h>
#include "arch.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"
#include "verdict.h"

#define BACKTRACE_DEPTH 32

void backtrace_from(uintptr_t fp, uintptr_t pc)
{
	printf("backtrace: %#lx", (unsigned long)pc);
	for (int i = 0; i < BACKTRACE_DEPTH && fp && !(fp & 7); i++) {
		const uintptr_t *frame = (const uintptr_t *)fp;

		if (!frame[1])
			break;
		printf(" %#lx", (unsigned long)frame[1]);
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	printf("\n");
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	struct percpu *cpu = this_cpu();
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cpu->in_panic) {
		printf("ERROR: nested panic at %s:%d: %s\n" VM_EXIT_FMT "\n",
		       file, line, msg, VM_STATUS_ERROR);
		arch_exit(VM_STATUS_ERROR);
	}
	cpu->in_panic = true;
	arch_dump_here();
	report_abort("panic at %s:%d: %s", file, line, msg);
}
