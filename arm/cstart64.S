/*
 * arm64 boot: an ELF entered at EL1, or at EL2 (virtualization=on), MMU
 * off.  At EL2 it drops to EL1 (HCR_EL2.RW, timers and GIC system
 * registers open to EL1).  It maps the first 512 GiB 1:1 with 1 GiB blocks
 * (the low 1 GiB as Device-nGnRnE, the rest Normal write-back) so C runs
 * with caches on and unaligned accesses allowed, installs the EL1 vectors
 * and calls arm64_start(x0 at entry).  QEMU passes no x0 for an ELF on virt.
 * Code runs on SP_EL0 (EL1t) above a guard page; exceptions run on SP_EL1,
 * their own stack, so a stack overflow is still reported.
 */
#define SCTLR_EL1_RES1	((1 << 29) | (1 << 28) | (1 << 23) | (1 << 22) | (1 << 20) | (1 << 11))
#define SCTLR_MMU_ON	(SCTLR_EL1_RES1 | (1 << 12) | (1 << 2) | (1 << 0))	/* I, C, M */
/* MAIR attr0 Device-nGnRnE, attr1 Normal WB RA WA, attr2 Normal non-cacheable */
#define MAIR_VALUE	0x44ff00
/* T0SZ 16 (48-bit VA), IRGN0/ORGN0 WB WA, SH0 inner, TG0 4K, EPD1 */
#define TCR_VALUE	(16 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
#define BLOCK_DEVICE	((3 << 53) | (1 << 10) | (0 << 2) | 1)	/* UXN PXN AF attr0 */
#define BLOCK_NORMAL	((1 << 10) | (3 << 8) | (1 << 2) | 1)	/* AF SH attr1 */
#define BOOT_STACK_SIZE	16384
#define EXCEPTION_STACK_SIZE 8192

	.section .text.boot, "ax"
	.globl start
start:
	mov x19, x0
	adrp x0, boot_stack_top
	add sp, x0, :lo12:boot_stack_top
	mrs x0, CurrentEL
	cmp x0, #(2 << 2)
	b.ne 1f
	bl el2_to_el1
1:	mov x0, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr cpacr_el1, x0
	bl mmu_on
	adrp x0, vectors_el1
	add x0, x0, :lo12:vectors_el1
	msr vbar_el1, x0
	adrp x0, boot_stack_top
	add x0, x0, :lo12:boot_stack_top
	msr sp_el0, x0
	adrp x0, exception_stack_top
	add sp, x0, :lo12:exception_stack_top
	msr spsel, #0
	isb
	mov x0, x19
	mov x29, #0
	mov x30, #0
	bl arm64_start
2:	wfi
	b 2b

/*
 * Secondary CPUs (PSCI CPU_ON) start here, MMU off, x0 = struct
 * secondary_boot (lib/arm64/smp.c): the boot CPU's MMU registers and this
 * CPU's stacks and percpu pointer.
 */
	.globl secondary_entry
secondary_entry:
	mov x19, x0
	ldr x1, [x19, #48]
	mov sp, x1
	mrs x1, CurrentEL
	cmp x1, #(2 << 2)
	b.ne 5f
	bl el2_to_el1
5:	mov x1, #(3 << 20)
	msr cpacr_el1, x1
	ldp x1, x2, [x19]		/* ttbr0, tcr */
	ldp x3, x4, [x19, #16]		/* mair, sctlr */
	msr mair_el1, x3
	msr tcr_el1, x2
	msr ttbr0_el1, x1
	isb
	tlbi vmalle1
	dsb nsh
	isb
	msr sctlr_el1, x4
	isb
	ldp x1, x2, [x19, #32]		/* vbar, sp */
	msr vbar_el1, x1
	msr sp_el0, x2
	ldp x1, x0, [x19, #48]		/* exception sp, percpu */
	mov sp, x1
	msr tpidr_el1, x0
	msr spsel, #0
	isb
	mov x29, #0
	mov x30, #0
	bl secondary_main
6:	wfi
	b 6b

el2_to_el1:
	mov x0, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64 */
	msr hcr_el2, x0
	mov x0, #3			/* CNTHCTL_EL2.EL1PCTEN | EL1PCEN */
	msr cnthctl_el2, x0
	msr cntvoff_el2, xzr
	mov x0, #0x33ff			/* CPTR_EL2: RES1 bits, no traps */
	msr cptr_el2, x0
	mrs x0, id_aa64pfr0_el1
	ubfx x0, x0, #24, #4		/* GIC system registers implemented? */
	cbz x0, 3f
	mov x0, #0xf			/* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
	msr s3_4_c12_c9_5, x0
	isb
3:	ldr x0, =SCTLR_EL1_RES1
	msr sctlr_el1, x0
	mov x0, #0x3c5			/* EL1h, DAIF masked */
	msr spsr_el2, x0
	msr elr_el2, x30
	mov x0, sp
	msr sp_el1, x0
	isb
	eret

mmu_on:
	adrp x0, boot_pt_l1
	add x0, x0, :lo12:boot_pt_l1
	ldr x1, =BLOCK_DEVICE
	str x1, [x0]
	ldr x1, =BLOCK_NORMAL
	mov x2, #1
4:	orr x3, x1, x2, lsl #30
	str x3, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #512
	b.lt 4b
	adrp x1, boot_pt_l0
	add x1, x1, :lo12:boot_pt_l0
	orr x2, x0, #3			/* table descriptor */
	str x2, [x1]
	dsb sy
	ldr x0, =MAIR_VALUE
	msr mair_el1, x0
	mrs x0, id_aa64mmfr0_el1
	and x0, x0, #7			/* PARange -> TCR.IPS, at most 48 bits */
	mov x2, #5
	cmp x0, x2
	csel x0, x0, x2, ls
	ldr x2, =TCR_VALUE
	orr x2, x2, x0, lsl #32
	msr tcr_el1, x2
	msr ttbr0_el1, x1
	isb
	tlbi vmalle1
	dsb nsh
	isb
	ldr x0, =SCTLR_MMU_ON
	msr sctlr_el1, x0
	isb
	ret

	.bss
	.balign 4096
boot_pt_l0:
	.fill 512, 8, 0
boot_pt_l1:
	.fill 512, 8, 0
	.globl boot_stack_guard
boot_stack_guard:
	.fill 4096, 1, 0
boot_stack:
	.fill BOOT_STACK_SIZE, 1, 0
boot_stack_top:
exception_stack:
	.fill EXCEPTION_STACK_SIZE, 1, 0
exception_stack_top:

	.section .note.GNU-stack, "", @progbits
