/*
 * s390x interruption dispatch.  Program interruptions are faults: caught
 * by the exception table or call_safe() (the fault record holds the
 * program-interruption code, the ILC and, for DAT and protection
 * exceptions, the TEID's address), or they end the test as ERROR with the
 * registers and a back-chain backtrace.  Service signals always complete
 * SCLP calls.  handle_interrupt() installs a handler for a class (INT_EXT,
 * INT_SVC, INT_RESTART, INT_IO ...; for INT_PGM it runs before the fault
 * machinery), called on the interrupted CPU with interruptions disabled,
 * on that CPU's interruption stack; it may change regs, which the
 * interruption returns to.  Without one, the interruption is unexpected.
 * An interruption that ends an enabled wait returns after the wait
 * (processor.h).  The handler table is shared by all CPUs.
 */
#ifndef VMUNIT_S390X_TRAPS_H
#define VMUNIT_S390X_TRAPS_H

#include "processor.h"

typedef void (*interrupt_handler_t)(struct ex_regs *regs);

/* Returns the previous handler; NULL restores the default behaviour. */
interrupt_handler_t handle_interrupt(unsigned int type, interrupt_handler_t h);

/* Called by lib/s390x/entry.S with the interrupted state. */
void do_interrupt(struct ex_regs *regs);
void dump_ex_regs(const struct ex_regs *regs);
/* "backtrace: pc ret ret ..." along the ELF ABI back chain from sp. */
void backchain_from(uint64_t sp, uint64_t pc);

#endif
