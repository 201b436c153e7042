/*
 * SVM world switch (lib/x86/svm.c).  svm_enter(regs, vmcb) saves L1's
 * callee-saved registers and regs on the stack, loads L2's general
 * registers but RAX (the VMCB's) from regs (struct l2_regs, l2.h) and
 * executes VMRUN with RAX = vmcb.  At the #VMEXIT the CPU restores L1's
 * RAX, RSP and RIP only: L2's registers are stored back into regs and
 * L1's popped.  svm_guest_start is where L2 begins: fn(arg) from RSI and
 * RDI, then VMMCALL with RAX = 0 (L2_CALL_DONE) and the result in RBX.
 */
#include "l2-regs.h"

	.text
	.globl svm_enter
svm_enter:
	L1_SAVE
	push %rdi			/* regs, for the exit */
	mov %rsi, %rax
	L2_LOAD
	L2_LOAD_RDI
	vmrun
	xchg %rdi, (%rsp)		/* regs; L2's rdi on the stack */
	L2_STORE
	pop %rax
	mov %rax, 40(%rdi)
	L1_RESTORE
	ret

	.globl svm_guest_start
svm_guest_start:
	call *%rsi
	mov %rax, %rbx
	xor %eax, %eax
	/*
	 * RCX is the Hyper-V hypercall code: left as the function had it (a
	 * flush), KVM with direct hypercalls answers this VMMCALL itself.
	 */
	xor %ecx, %ecx
	vmmcall
	ud2

	.section .note.GNU-stack, "", @progbits
