/*
 * efi-boot's arm64 entry and hand-over.  efi_entry: the PE entry point
 * (the UEFI convention is AAPCS64's).  efi_arm64_enter(entry, dt): with
 * interrupts masked and the caches already cleaned (arm64.c), the MMU and
 * caches off at the EL UEFI runs at (EL1, or EL2 with virtualization=on),
 * from the firmware's identity map, then into the payload as QEMU enters
 * an ELF: x0 the device tree, x1-x3 zero.
 */
#define SCTLR_OFF	((1 << 12) | (1 << 2) | (1 << 0))	/* I, C, M */

	.text
	.globl efi_entry
efi_entry:
	b efi_main

	.globl efi_arm64_enter
efi_arm64_enter:
	msr daifset, #0xf
	mov x5, #SCTLR_OFF
	mrs x2, CurrentEL
	cmp x2, #(2 << 2)
	b.eq 1f
	mrs x3, sctlr_el1
	bic x3, x3, x5
	msr sctlr_el1, x3
	b 2f
1:	mrs x3, sctlr_el2
	bic x3, x3, x5
	msr sctlr_el2, x3
2:	isb
	ic iallu
	dsb nsh
	isb
	mov x4, x0
	mov x0, x1
	mov x1, xzr
	mov x2, xzr
	mov x3, xzr
	br x4

	.section .note.GNU-stack, "", @progbits
