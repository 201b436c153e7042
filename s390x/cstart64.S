/*
 * s390x boot: QEMU's -kernel loads this ELF and starts it at its entry in
 * 64-bit addressing mode, supervisor state, DAT and every interruption off
 * (PSW mask 0x0000000180000000).  The entry is 0x10000, the address of a
 * Linux kernel image, so that QEMU copies -append to 0x10480 (at most 896
 * bytes with the NUL; it refuses longer ones): boot_cmdline below.  The
 * boot code points the lowcore's new PSWs at lib/s390x/entry.S, gives the
 * CPU its interruption stack and calls s390x_start() on the boot stack.
 * Both stacks are STACK_SIZE blocks aligned to their size, whose lowest
 * STACK_GUARD bytes every C prologue checks (lib/s390x/processor.h).
 * Secondary CPUs start at secondary_entry.
 */
#include "processor.h"

#define CMDLINE_OFFSET	0x480
#define CMDLINE_SIZE	896

	.section .text.boot, "ax"
	.globl start
start:
	j 1f
	.org CMDLINE_OFFSET
	.globl boot_cmdline
boot_cmdline:
	.fill CMDLINE_SIZE, 1, 0
1:	larl %r1, new_psws
	mvc LC_NEW_PSWS(16 * INT_NR), 0(%r1)
	larl %r1, int_stack_top
	stg %r1, LC_INT_STACK
	larl %r15, boot_stack_top
	aghi %r15, -STACK_FRAME
	xc 0(8, %r15), 0(%r15)		/* end of the back chain */
	brasl %r14, s390x_start
	larl %r1, stop_psw		/* not reached: s390x_start never returns */
	lpswe 0(%r1)

/*
 * A secondary CPU's restart new PSW leads here (lib/s390x/smp.c): on the
 * stack its lowcore names, into C.
 */
	.text
	.globl secondary_entry
secondary_entry:
	lg %r15, LC_START_STACK
	aghi %r15, -STACK_FRAME
	xc 0(8, %r15), 0(%r15)		/* end of the back chain */
	brasl %r14, secondary_main
	larl %r1, stop_psw		/* not reached */
	lpswe 0(%r1)

	.section .rodata
	.balign 8
new_psws:
	.quad PSW_64BIT, restart_int
	.quad PSW_64BIT, ext_int
	.quad PSW_64BIT, svc_int
	.quad PSW_64BIT, pgm_int
	.quad PSW_64BIT, mcheck_int
	.quad PSW_64BIT, io_int
stop_psw:
	.quad PSW_WAIT | PSW_64BIT, PSW_ADDR_SHUTDOWN

	.bss
	.balign STACK_SIZE
boot_stack:
	.fill STACK_SIZE, 1, 0
boot_stack_top:
int_stack:
	.fill STACK_SIZE, 1, 0
int_stack_top:

	.section .note.GNU-stack, "", @progbits
