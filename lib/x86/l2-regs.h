/*
 * Assembler only (.S files).
 * struct l2_regs (lib/x86/l2.h) in the world switches (vmx-entry.S,
 * svm-entry.S), at the offsets l2.c asserts; L1_SAVE and L1_RESTORE push
 * and pop L1's callee-saved registers around the switch.  L2_LOAD loads L2's general
 * registers from the struct at %rdi but RAX and RDI (RDI last, by
 * L2_LOAD_RDI: it holds the struct's address until then); L2_STORE stores
 * them, the struct at %rdi, but RAX and RDI, which the caller saves.
 */
.macro L2_LOAD
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
.endm

.macro L2_LOAD_RDI
	mov 40(%rdi), %rdi
.endm

.macro L2_STORE
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
.endm

.macro L1_SAVE
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro L1_RESTORE
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
.endm
