/*
 * Fatal errors: each prints "ERROR: <what> at file:line", this CPU's
 * registers and a frame-pointer backtrace, then ends the test as ERROR.
 * Safe from any CPU and from exception handlers; a fault while panicking
 * exits at once.
 */
#ifndef VMUNIT_PANIC_H
#define VMUNIT_PANIC_H

#include <stdint.h>

__attribute__((noreturn, format(printf, 3, 4)))
void panic_at(const char *file, int line, const char *fmt, ...);

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define assert(cond)							\
	do {								\
		if (!(cond))						\
			panic_at(__FILE__, __LINE__,			\
				 "assertion failed: %s", #cond);	\
	} while (0)
#define abort() panic("abort()")

/* Walk frame-pointer records {next fp, return address} from fp. */
void backtrace_from(uintptr_t fp, uintptr_t pc);

#endif
