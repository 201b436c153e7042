/*
 * The fault record, one type on every arch, and the ways to catch a fault.
 *
 * A struct fault says whether a fault happened (valid) and which: on x86 the
 * vector and error code (and CR2 for #PF), on arm64 the ESR exception class
 * and ISS (and FAR), on s390x the program-interruption code and ILC (and the
 * translation-exception address).  valid == false means "no fault", so
 * vector 0 (#DE on x86) is an ordinary fault.
 *
 * Faults are caught two ways; both record into this CPU's fault slot:
 *  - arch *_safe() wrappers (rdmsr_safe, load_safe ...) mark their faulting
 *    instruction in the exception table; the handler resumes at its fixup.
 *  - call_safe(fn, arg) runs fn and, if anything in it faults, unwinds back
 *    to call_safe.  Not nestable.
 * Any other fault is unexpected: it prints the fault, registers and a
 * backtrace and ends the test as ERROR.  All of this is safe on any CPU.
 */
#ifndef VMUNIT_FAULT_H
#define VMUNIT_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct fault {
	bool valid;
	unsigned int vector;	/* x86 vector, arm64 ESR.EC, s390x PIC */
	uint64_t code;		/* x86 error code, arm64 ESR.ISS, s390x ILC */
	uint64_t addr;		/* x86 CR2 (#PF), arm64 FAR, s390x TEA */
};

#define NO_FAULT ((struct fault){ .valid = false })
#define FAULT_NONE (-1)	/* "want" value for report_fault: no fault expected */

/* One entry per faulting instruction of a *_safe() wrapper. */
struct extable_entry {
	uintptr_t insn;
	uintptr_t fixup;
};

/* Emit an exception-table entry from inline asm: insn and fixup labels. */
#define EXTABLE(insn, fixup)				\
	".pushsection ex_table, \"a\"\n\t"		\
	".balign 8\n\t"					\
	".quad " #insn ", " #fixup "\n\t"		\
	".popsection\n\t"

/*
 * Run inline asm whose instruction at label 1 may fault, resuming at label
 * 2; evaluates to the fault.  The arch *_safe() wrappers are built on it.
 */
#define SAFE_ASM(insn, ...)						\
	({								\
		this_cpu()->fault = NO_FAULT;				\
		asm volatile("1: " insn "\n2:\n" EXTABLE(1b, 2b)	\
			     __VA_ARGS__ : "memory");			\
		this_cpu()->fault;					\
	})

struct fault call_safe(void (*fn)(void *), void *arg);

/* One access at addr (arch exception-table wrappers; 64-bit, aligned). */
struct fault load_safe(const volatile void *addr, uint64_t *val);
struct fault store_safe(volatile void *addr, uint64_t val);
/* Call the code at addr (it should return); faults in it are caught. */
struct fault exec_safe(const void *addr);

/*
 * Report whether a fault matched: want is the expected vector/class/code,
 * or FAULT_NONE.  The message gets "(got X, want Y)" appended on failure.
 */
bool report_fault(struct fault got, int want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Formats a fault for messages ("#GP(0x0)", "no fault") into buf. */
const char *fault_str(struct fault f, char *buf, unsigned long size);

/* Called by arch exception handlers; true if the fault was caught. */
bool fault_catch(struct fault f, uintptr_t *pc);

#endif
