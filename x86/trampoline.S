/*
 * x86 application-processor start-up (INIT-SIPI-SIPI, SDM vol. 3A 9.4):
 * lib/x86/smp.c copies ap_tramp..ap_tramp_end to AP_TRAMP (below 1 MiB,
 * 4K aligned) and fills in ap_gdtr; an AP starts there in real mode, enters
 * protected mode with the boot GDT, turns on long mode with the boot CPU's
 * CR3/CR4/EFER (ap_cr3, ap_cr4, ap_efer) and jumps to ap_start64, which
 * takes a ticket for its CPU number, loads its stack and calls ap_main().
 */
#define AP_TRAMP 0x8000
#define REL(x) ((x) - ap_tramp + AP_TRAMP)

	.data
	.code16
	.globl ap_tramp, ap_tramp_end, ap_gdtr, ap_cr3, ap_cr4, ap_efer
	.balign 16
ap_tramp:
	cli
	xor %ax, %ax
	mov %ax, %ds
	lgdtl REL(ap_gdtr)
	mov %cr0, %eax
	or $1, %eax			/* PE */
	mov %eax, %cr0
	ljmpl $0x18, $REL(ap_pm)

	.code32
ap_pm:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov REL(ap_cr4), %eax
	mov %eax, %cr4
	mov REL(ap_cr3), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	mov REL(ap_efer), %eax
	xor %edx, %edx
	wrmsr
	mov %cr0, %eax
	or $0x80010000, %eax		/* PG, WP */
	mov %eax, %cr0
	ljmp $0x08, $ap_start64

	.balign 8
ap_gdtr:
	.word 0
	.long 0
	.balign 4
ap_cr3:	.long 0
ap_cr4:	.long 0
ap_efer: .long 0
ap_tramp_end:

	.text
	.code64
ap_start64:
	mov $1, %eax
	lock xadd %eax, ap_ticket(%rip)	/* this AP's CPU number */
	mov %eax, %edi
	mov ap_stacks(, %rax, 8), %rsp
	xor %ebp, %ebp
	call ap_main
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
