/*
 * Exception vectors (EL1, and EL2 without VHE): 16 entries of 0x80 bytes push their type
 * ((group << 2) | kind, group 0 current EL SP0, 1 current EL SPx, 2 lower
 * EL AArch64, 3 lower EL AArch32) and join ex_common, which saves struct
 * ex_regs and calls do_exception(); ELR and SPSR are restored from the frame.
 * Handlers run on SP_EL1; the code they interrupt normally runs on SP_EL0.
 */
#define FRAME 304

.macro vector type, el
	.balign 0x80
	sub sp, sp, #FRAME
	stp x0, x1, [sp]
	mov x0, #\type
	b ex_common_\el
.endm

/* One vector table and common entry per exception level: el1 or el2. */
.macro vectors el
	.balign 0x800
	.globl vectors_\el
vectors_\el:
	.irp t, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector \t, \el
	.endr

ex_common_\el:
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	add x1, sp, #FRAME		/* the interrupted sp: SP_ELx ... */
	cmp x0, #4
	b.hs 1f
	mrs x1, sp_el0			/* ... or SP_EL0 (types 0-3, ELxt) */
1:	stp x30, x1, [sp, #240]
	mrs x1, elr_\el
	mrs x2, spsr_\el
	stp x1, x2, [sp, #256]
	mrs x1, esr_\el
	mrs x2, far_\el
	stp x1, x2, [sp, #272]
	str x0, [sp, #288]
	mov x0, sp
	bl do_exception
	ldp x1, x2, [sp, #256]
	msr elr_\el, x1
	msr spsr_\el, x2
	ldp x2, x3, [sp, #16]
	ldp x4, x5, [sp, #32]
	ldp x6, x7, [sp, #48]
	ldp x8, x9, [sp, #64]
	ldp x10, x11, [sp, #80]
	ldp x12, x13, [sp, #96]
	ldp x14, x15, [sp, #112]
	ldp x16, x17, [sp, #128]
	ldp x18, x19, [sp, #144]
	ldp x20, x21, [sp, #160]
	ldp x22, x23, [sp, #176]
	ldp x24, x25, [sp, #192]
	ldp x26, x27, [sp, #208]
	ldp x28, x29, [sp, #224]
	ldr x30, [sp, #240]
	ldp x0, x1, [sp]
	add sp, sp, #FRAME
	eret
.endm

	.text
	vectors el1		/* EL1, and EL2 in VHE host mode (names redirect) */
	vectors el2		/* EL2 with HCR_EL2.E2H clear (nVHE) */

/* vm_setjmp(ctx): ctx = { x19..x28, x29, x30, sp } */
	.globl vm_setjmp
vm_setjmp:
	stp x19, x20, [x0, #0]
	stp x21, x22, [x0, #16]
	stp x23, x24, [x0, #32]
	stp x25, x26, [x0, #48]
	stp x27, x28, [x0, #64]
	stp x29, x30, [x0, #80]
	mov x1, sp
	str x1, [x0, #96]
	mov x0, #0
	ret

/* vm_longjmp(ctx, val): returns val (1 if 0) from the matching vm_setjmp. */
	.globl vm_longjmp
vm_longjmp:
	ldp x19, x20, [x0, #0]
	ldp x21, x22, [x0, #16]
	ldp x23, x24, [x0, #32]
	ldp x25, x26, [x0, #48]
	ldp x27, x28, [x0, #64]
	ldp x29, x30, [x0, #80]
	ldr x2, [x0, #96]
	mov sp, x2
	cmp w1, #0
	csinc w0, w1, wzr, ne
	ret

	.section .note.GNU-stack, "", @progbits
