/*
 * User mode (CPL3) for a test's own code.  run_user(fn, arg) calls fn(arg)
 * at CPL3 in 64-bit mode (USER_CS and USER_DS, RPL 3) on a user stack of
 * its own, with L1's page tables and RFLAGS (IOPL 0), and returns fn's
 * result at CPL0.  fn and everything it runs must be USER_TEXT (the
 * user_text section: pages of their own, which run_user() makes
 * user-accessible, read-only and executable); the data it touches must be
 * on pages the caller made user-accessible (protect_page(va, VM_USER | ...)).
 * A CALL *%rsi at CPL3 enters fn (so a user shadow stack sees it: fn needs
 * ENDBR64 under IBT) and fn's RET comes back to an INT $USER_RET_VECTOR
 * (a DPL 3 gate).  Faults at CPL3 go to the usual handlers
 * (handle_exception(); regs->cs & 3 tells them apart) on the stack
 * run_user() was called on (TSS.RSP0), and one no handler takes ends the
 * test as ERROR.  One CPU at a time; not from an exception handler.
 */
#ifndef VMUNIT_X86_USERMODE_H
#define VMUNIT_X86_USERMODE_H

#include <stdint.h>

#define USER_RET_VECTOR 0x80
#define USER_TEXT __attribute__((section("user_text"), noinline))

uint64_t run_user(uint64_t (*fn)(uint64_t), uint64_t arg);

#endif
