/*
 * arm64 exception dispatch.  handle_exception() installs a handler for a
 * synchronous exception class (ESR EC) taken at the current EL, e.g. SVC;
 * without one, a fault is caught by the exception table or call_safe(), or
 * ends the test as ERROR with registers and a backtrace.  IRQs go to the
 * GIC driver's handlers (gic.h); FIQ and SError are always unexpected.
 */
#ifndef VMUNIT_ARM64_TRAPS_H
#define VMUNIT_ARM64_TRAPS_H

#include "processor.h"

typedef void (*exception_handler_t)(struct ex_regs *regs);

/* Returns the previous handler; NULL restores the default behaviour. */
exception_handler_t handle_exception(unsigned int ec, exception_handler_t h);
/*
 * At EL2: every synchronous exception from a lower EL (a guest of
 * lib/arm64/stage2.h) goes to h; its IRQs are handled as usual.
 */
void handle_lower_el(exception_handler_t h);
void dump_ex_regs(const struct ex_regs *regs);

#endif
