/*
 * The L2 guests of the nested harnesses (vmx.h, svm.h): C functions
 * uint64_t fn(uint64_t arg) that run in 64-bit mode at CPL 0 on L1's own
 * page tables, GDT, IDT, TSS, selectors and per-CPU GS, each with a stack
 * of its own.  L2 asks L1 with the harness's hypercall (VMCALL, VMMCALL),
 * RAX = the request; fn's return is request L2_CALL_DONE with its value in
 * RBX.  struct l2_regs is the general registers as the world switches
 * (vmx-entry.S, svm-entry.S) load and store them, by these offsets.
 */
#ifndef VMUNIT_X86_L2_H
#define VMUNIT_X86_L2_H

#include <stdint.h>

#define L2_CALL_DONE 0

struct l2_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

/* L1's environment, as L2 gets it. */
struct l1_env {
	uint64_t gdt_base, idt_base, tr_base;
	uint16_t gdt_limit, idt_limit, tr, cs, ds;
};

void l1_env(struct l1_env *e);
/* The top of a fresh stack for an L2. */
uint64_t l2_stack(void);
/* L2's registers at its start, for the harness's start stub: fn(arg). */
struct l2_regs l2_start_regs(uint64_t (*fn)(uint64_t), uint64_t arg);

#endif
