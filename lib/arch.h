/*
 * The hooks each arch provides to the common library, and nothing else.
 * Adding an arch means implementing this list in lib/<arch>/.
 */
#ifndef VMUNIT_ARCH_H
#define VMUNIT_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fault.h"

/* Write n bytes to the console device; the caller holds the console lock. */
void arch_console_write(const char *s, size_t n);

/* One byte from the console's input, or -1 when none is waiting. */
int arch_console_getc(void);

/* Power off with the guest status (enum vm_status); never returns. */
__attribute__((noreturn)) void arch_exit(int status);

/* Print the current CPU's registers and a backtrace from the caller. */
void arch_dump_here(void);

/*
 * RAM the platform reported at boot, in bytes: multiboot's memory sizes
 * (x86), the device tree's /memory (arm64), SCLP Read SCP Info (s390x).
 */
uint64_t arch_ram_bytes(void);

/* True when the guest runs under QEMU TCG (discovered, e.g. from CPUID). */
bool arch_is_tcg(void);

/* Name of a fault for messages, e.g. "#PF", "data abort", "operation". */
void arch_fault_name(struct fault f, char *buf, unsigned long size);

/* Resume point after a fault inside call_safe: unwinds to call_safe. */
void fault_unwind(void);

/* setjmp/longjmp for call_safe: ctx holds callee-saved registers. */
#define JMP_CTX_WORDS 24
int vm_setjmp(unsigned long *ctx) __attribute__((returns_twice));
__attribute__((noreturn)) void vm_longjmp(unsigned long *ctx, int val);

/*
 * In a spin-wait loop: PAUSE (x86: a hypervisor's PAUSE-loop exiting sees
 * the spin and can run the vCPU it waits for), YIELD (arm64).
 */
static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	asm volatile("pause" : : : "memory");
#elif defined(__aarch64__)
	asm volatile("yield" : : : "memory");
#else
	asm volatile("" : : : "memory");
#endif
}

#endif
