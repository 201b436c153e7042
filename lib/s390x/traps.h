/*
 * s390x interruption dispatch.  Program interruptions are faults: caught
 * by the exception table or call_safe() (the fault record holds the
 * program-interruption code, the ILC and, for DAT and protection
 * exceptions, the TEID's address), or they end the test as ERROR with the
 * registers and a back-chain backtrace.  Service signals complete SCLP
 * calls; every other interruption is unexpected for now.  An interruption
 * that ends an enabled wait returns after the wait (processor.h).
 */
#ifndef VMUNIT_S390X_TRAPS_H
#define VMUNIT_S390X_TRAPS_H

#include "processor.h"

/* Called by lib/s390x/entry.S with the interrupted state. */
void do_interrupt(struct ex_regs *regs);
void dump_ex_regs(const struct ex_regs *regs);
/* "backtrace: pc ret ret ..." along the ELF ABI back chain from sp. */
void backchain_from(uint64_t sp, uint64_t pc);

#endif
