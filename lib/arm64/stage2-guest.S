/*
 * The EL1 guest of lib/arm64/stage2.c: leaf operations that use no stack
 * and no memory but what they are given, ending in HVC #0 with the result
 * in x0, and vectors that forward any exception taken at EL1 to EL2 as
 * HVC #1 with x1 = ESR_EL1, x2 = FAR_EL1, x3 = ELR_EL1.
 */
	.text
	.globl s2_guest_load, s2_guest_store, s2_guest_exec, s2_guest_touch
s2_guest_load:				/* x0 = *x0 */
	ldr x0, [x0]
	hvc #0
s2_guest_store:				/* *x0 = x1 */
	str x1, [x0]
	mov x0, #0
	hvc #0
s2_guest_exec:				/* call x0 */
	blr x0
	mov x0, #0
	hvc #0
/*
 * x1 pages from x0: each must start with its own IPA (the stamp the EL2
 * handler writes when it maps it); store x3 at offset x2 and read it back.
 * x0 = 0 when all held, else the IPA of the first page that did not.
 */
s2_guest_touch:
1:	ldr x4, [x0]
	cmp x4, x0
	b.ne 2f
	str x3, [x0, x2]
	ldr x4, [x0, x2]
	cmp x4, x3
	b.ne 2f
	add x0, x0, #4096
	subs x1, x1, #1
	b.ne 1b
	mov x0, #0
2:	hvc #0

	.balign 0x800
	.globl s2_guest_vectors
s2_guest_vectors:
	.rept 16
	.balign 0x80
	mrs x1, esr_el1
	mrs x2, far_el1
	mrs x3, elr_el1
	hvc #1
	.endr

/* s2_guest_enter(pc, args[4]): to EL1h at pc, x0-x3 = args, DAIF masked. */
	.globl s2_guest_enter
s2_guest_enter:
	msr elr_el2, x0
	mov x9, #0x3c5
	msr spsr_el2, x9
	ldp x2, x3, [x1, #16]
	ldp x0, x1, [x1]
	isb
	eret

	.section .note.GNU-stack, "", @progbits
