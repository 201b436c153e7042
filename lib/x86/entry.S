/*
 * Exception entry: 256 stubs of 16 bytes each (ex_stubs + 16 * vector)
 * start with ENDBR64 (delivery is an indirect branch under CET IBT), push
 * a zero error code where the CPU pushes none, then the vector, and join
 * ex_common, which saves struct ex_regs and calls do_exception().
 */
	.text
	.globl ex_stubs
	.balign 16
ex_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	endbr64
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp ex_common		/* at most 4 + 2 + 5 + 5 = 16 bytes */
	.set vec, vec + 1
	.endr

ex_common:
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
	mov %rsp, %rdi
	cld
	call do_exception
	pop %rax
	pop %rbx
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	add $16, %rsp
	iretq

/* vm_setjmp(ctx): ctx = { rbx, rbp, r12, r13, r14, r15, rsp, rip } */
	.globl vm_setjmp
vm_setjmp:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	lea 8(%rsp), %rax
	mov %rax, 48(%rdi)
	mov (%rsp), %rax
	mov %rax, 56(%rdi)
	xor %eax, %eax
	ret

/* vm_longjmp(ctx, val): returns val (1 if 0) from the matching vm_setjmp. */
	.globl vm_longjmp
vm_longjmp:
	mov %esi, %eax
	test %eax, %eax
	jnz 1f
	inc %eax
1:	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	jmp *56(%rdi)

	.section .note.GNU-stack, "", @progbits
