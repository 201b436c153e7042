/*
 * Descriptor tables and exception dispatch.  desc_init() loads the GDT's
 * TSS (IST stacks for #DF, NMI and #MC) and the IDT for the calling CPU.
 * handle_exception() installs a handler for any vector (exceptions or
 * device interrupts); without one, a fault is caught by the exception table
 * or call_safe(), or ends the test as ERROR with registers and backtrace.
 */
#ifndef VMUNIT_X86_DESC_H
#define VMUNIT_X86_DESC_H

#include "processor.h"

typedef void (*exception_handler_t)(struct ex_regs *regs);

void desc_init(unsigned int cpu);
/* Returns the previous handler; NULL restores the default behaviour. */
exception_handler_t handle_exception(unsigned int vector, exception_handler_t h);
/*
 * Which IST stack a vector is delivered on: 0 for the current stack (a
 * nested NMI then nests, where on an IST stack it would overwrite the
 * outer frame), 1-3 as desc_init() sets #DF, NMI and #MC.  The IDT is
 * shared: every CPU.
 */
void set_idt_ist(unsigned int vector, unsigned int ist);
/* The lowest CPL that may reach a vector by INT n (0 at boot, 3: user mode). */
void set_idt_dpl(unsigned int vector, unsigned int dpl);
/*
 * Where the calling CPU's TSS.RSP0 is (the stack an interrupt from CPL3
 * switches to; 4 bytes into the TSS, so not 8-aligned).
 */
void *tss_rsp0(void);
void dump_ex_regs(const struct ex_regs *regs);
/* Dispatch regs as an exception of regs->vector (the entry's C side). */
void do_exception(struct ex_regs *regs);
/* Start the other CPUs (lib/x86/smp.c); each runs desc_init() itself. */
void smp_boot(void);

#endif
