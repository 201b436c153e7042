/*
 * VMX world switch (lib/x86/vmx.c).  vmx_enter(regs, launched) saves
 * L1's callee-saved registers, makes the stack pointer after them
 * HOST_RSP, loads L2's general registers from regs (struct l2_regs: rax,
 * rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) and executes VMLAUNCH or
 * VMRESUME.  Returns 1 on VMfailInvalid, 2 on VMfailValid; after a VM
 * exit, vmx_exit_entry (HOST_RIP) stores L2's registers back and returns
 * 0.  vmx_guest_start is where L2 begins: fn(arg) from RSI and RDI, then
 * VMCALL with RAX = 0 (L2_CALL_DONE) and the result in RBX.
 */
#define HOST_RSP 0x6c14
#include "l2-regs.h"

	.text
	.globl vmx_enter
vmx_enter:
	L1_SAVE
	push %rdi			/* regs, for the exit */
	mov $HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe 3f
	test %esi, %esi
	mov 0(%rdi), %rax
	L2_LOAD
	L2_LOAD_RDI			/* (mov leaves the flags of the test alone) */
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VMfail: CF (invalid) or ZF (valid) */
3:	mov $1, %eax
	jc 4f
	mov $2, %eax
4:	pop %rdi
5:	L1_RESTORE
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	xchg %rdi, (%rsp)		/* regs; L2's rdi on the stack */
	mov %rax, 0(%rdi)
	L2_STORE
	pop %rax
	mov %rax, 40(%rdi)
	xor %eax, %eax
	jmp 5b

	.globl vmx_guest_start
vmx_guest_start:
	call *%rsi
	mov %rax, %rbx
	xor %eax, %eax
	vmcall
	ud2

	.section .note.GNU-stack, "", @progbits
