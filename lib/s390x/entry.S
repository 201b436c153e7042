/*
 * Interruption entry: one new PSW per class (lowcore 0x1a0-0x1ff, set up
 * by s390x/cstart64.S) leads here, with every interruption disabled.  The
 * entry saves r0-r15, the old PSW and the lowcore's interruption
 * parameters into a struct ex_regs on this CPU's interruption stack and
 * calls do_interrupt(); it returns with the frame's PSW, which the handler
 * may have changed.  An interruption taken while on the interruption
 * stack (a fault in a handler) nests below the current frame.
 */
#include "processor.h"

.macro int_entry name, type
	.globl \name
\name:
	stmg %r0, %r15, LC_SAVE
	lg %r1, LC_INT_STACK		/* top of the interruption stack */
	lay %r2, -STACK_SIZE(%r1)
	clgr %r15, %r2			/* r15 in (top - size, top]: nested */
	jle 1f
	clgr %r15, %r1
	jh 1f
	lgr %r1, %r15
1:	aghi %r1, -(STACK_FRAME + EXR_SIZE)
	mvc STACK_FRAME + EXR_GPRS(128, %r1), LC_SAVE
	mvc STACK_FRAME + EXR_PSW(16, %r1), LC_OLD_PSWS + 16 * \type
	mvc STACK_FRAME + EXR_INFO(LC_INT_INFO_SIZE, %r1), LC_INT_INFO
	mvghi STACK_FRAME + EXR_TYPE(%r1), \type
	lgr %r15, %r1
	xc 0(8, %r15), 0(%r15)		/* the back chain ends here */
	la %r2, STACK_FRAME(%r15)
	brasl %r14, do_interrupt
	mvc LC_RETURN_PSW(16), STACK_FRAME + EXR_PSW(%r15)
	lmg %r0, %r15, STACK_FRAME + EXR_GPRS(%r15)
	lpswe LC_RETURN_PSW
.endm

	.text
	int_entry restart_int, INT_RESTART
	int_entry ext_int, INT_EXT
	int_entry svc_int, INT_SVC
	int_entry pgm_int, INT_PGM
	int_entry mcheck_int, INT_MCHECK
	int_entry io_int, INT_IO

/* vm_setjmp(ctx): ctx = { r6-r15, f8-f15 } (the ELF ABI's callee-saved). */
	.globl vm_setjmp
vm_setjmp:
	stmg %r6, %r15, 0(%r2)
	std %f8, 80(%r2)
	std %f9, 88(%r2)
	std %f10, 96(%r2)
	std %f11, 104(%r2)
	std %f12, 112(%r2)
	std %f13, 120(%r2)
	std %f14, 128(%r2)
	std %f15, 136(%r2)
	lghi %r2, 0
	br %r14

/* vm_longjmp(ctx, val): returns val (1 if 0) from the matching vm_setjmp. */
	.globl vm_longjmp
vm_longjmp:
	lmg %r6, %r15, 0(%r2)
	ld %f8, 80(%r2)
	ld %f9, 88(%r2)
	ld %f10, 96(%r2)
	ld %f11, 104(%r2)
	ld %f12, 112(%r2)
	ld %f13, 120(%r2)
	ld %f14, 128(%r2)
	ld %f15, 136(%r2)
	lgfr %r2, %r3
	ltgr %r2, %r2
	jnz 2f
	lghi %r2, 1
2:	br %r14

	.section .note.GNU-stack, "", @progbits
