/*
 * The branch sites of lbr_jump() (lib/x86/lbr.h): lbr_site<n>(on, off)
 * writes on (RDI) to DEBUGCTL, jumps from lbr_from<n> to lbr_to<n>, and
 * writes off (RSI) to DEBUGCTL before its RET.
 */
	.macro lbr_site n
	.globl lbr_site\n, lbr_from\n, lbr_to\n
lbr_site\n:
	endbr64
	mov $0x1d9, %ecx
	mov %rdi, %rax
	mov %rdi, %rdx
	shr $32, %rdx
	wrmsr
lbr_from\n:
	jmp lbr_to\n
	ud2
lbr_to\n:
	mov %rsi, %rax
	mov %rsi, %rdx
	shr $32, %rdx
	wrmsr
	ret
	.endm

	.text
	lbr_site 0
	lbr_site 1
