/*
 * SVM world switch (lib/x86/svm.c).  svm_enter(regs, vmcb) saves L1's
 * callee-saved registers and regs on the stack, loads L2's general
 * registers but RAX (the VMCB's) from regs (struct l2_regs, l2.h) and
 * executes VMRUN with RAX = vmcb.  At the #VMEXIT the CPU restores L1's
 * RAX, RSP and RIP only: L2's registers are stored back into regs and
 * L1's popped.  svm_guest_start is where L2 begins: fn(arg) from RSI and
 * RDI, then VMMCALL with RAX = 0 (L2_CALL_DONE) and the result in RBX.
 */
	.text
	.globl svm_enter
svm_enter:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* regs, for the exit */
	mov %rsi, %rax
	mov 8(%rdi), %rbx
	mov 16(%rdi), %rcx
	mov 24(%rdi), %rdx
	mov 32(%rdi), %rsi
	mov 48(%rdi), %rbp
	mov 56(%rdi), %r8
	mov 64(%rdi), %r9
	mov 72(%rdi), %r10
	mov 80(%rdi), %r11
	mov 88(%rdi), %r12
	mov 96(%rdi), %r13
	mov 104(%rdi), %r14
	mov 112(%rdi), %r15
	mov 40(%rdi), %rdi
	vmrun
	xchg %rdi, (%rsp)		/* regs; L2's rdi on the stack */
	mov %rbx, 8(%rdi)
	mov %rcx, 16(%rdi)
	mov %rdx, 24(%rdi)
	mov %rsi, 32(%rdi)
	mov %rbp, 48(%rdi)
	mov %r8, 56(%rdi)
	mov %r9, 64(%rdi)
	mov %r10, 72(%rdi)
	mov %r11, 80(%rdi)
	mov %r12, 88(%rdi)
	mov %r13, 96(%rdi)
	mov %r14, 104(%rdi)
	mov %r15, 112(%rdi)
	pop %rax
	mov %rax, 40(%rdi)
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.globl svm_guest_start
svm_guest_start:
	call *%rsi
	mov %rax, %rbx
	xor %eax, %eax
	vmmcall
	ud2

	.section .note.GNU-stack, "", @progbits
