/*
 * arm64 boot: an ELF entered at EL1, or at EL2 (virtualization=on), MMU
 * off.  At EL2 it enters VHE host mode, or drops to EL1 without FEAT_VHE
 * (HCR_EL2.RW, timers and GIC system registers open to EL1, a boot stub at
 * VBAR_EL2 to come back up for nVHE).  It maps the first 512 GiB 1:1 with
 * 1 GiB blocks (the low 1 GiB as Device-nGnRnE, the rest Normal
 * write-back) so C runs with caches on and unaligned accesses allowed,
 * installs the EL1 vectors and calls arm64_start(x0 at entry, the EL at
 * entry).  QEMU passes no x0 for an ELF on virt.
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
#define HCR_RW		(1 << 31)
#define HCR_TGE		(1 << 27)
#define HCR_E2H		(1 << 34)
#define HCR_HOST_VHE	(HCR_E2H | HCR_TGE | HCR_RW)
#define HCR_GUEST_VHE	(HCR_E2H | HCR_RW)
#define HCR_NVHE	(HCR_RW | (7 << 3))	/* FMO, IMO, AMO: interrupts to EL2 */
/* TCR_EL2 (E2H clear): T0SZ 16, WB WA, inner shareable, 4K, RES1 bits 31 and 23 */
#define TCR_EL2_NVHE	(16 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (1 << 31))
/* SCTLR_EL2 (E2H clear): RES1 bits, I, C, M */
#define SCTLR_EL2_NVHE_ON (0x30c50830 | (1 << 12) | (1 << 2) | (1 << 0))
#define EC_HVC64	0x16
#define STUB_HVC_TO_EL2	0x4e56
#define BOOT_STACK_SIZE	16384
#define EXCEPTION_STACK_SIZE 8192

/* reg = ID_AA64MMFR0_EL1.PARange, at most 5 (48 bits: the 4K granule's limit). */
/* Turn the EL1 MMU on with these MAIR, TCR, TTBR0 and SCTLR values. */
.macro mmu_enable mair, tcr, ttbr, sctlr
	msr mair_el1, \mair
	msr tcr_el1, \tcr
	msr ttbr0_el1, \ttbr
	isb
	tlbi vmalle1
	dsb nsh
	isb
	msr sctlr_el1, \sctlr
	isb
.endm

.macro pa_size reg, tmp
	mrs \reg, id_aa64mmfr0_el1
	and \reg, \reg, #7
	mov \tmp, #5
	cmp \reg, \tmp
	csel \reg, \reg, \tmp, ls
.endm

	.section .text.boot, "ax"
	.globl start
start:
	mov x19, x0
	mrs x20, CurrentEL		/* the EL we were entered at, for arm64_start */
	lsr x20, x20, #2
	adrp x0, boot_stack_top
	add sp, x0, :lo12:boot_stack_top
	mrs x0, CurrentEL
	cmp x0, #(2 << 2)
	b.ne 1f
	bl el2_enter_vhe
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
	mov x1, x20
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
	ldr x1, [x19, #64]		/* stay_el2 */
	cbz x1, 4f
	bl el2_enter_vhe
	b 5f
4:	bl el2_to_el1
5:	mov x1, #(3 << 20)
	msr cpacr_el1, x1
	ldp x1, x2, [x19]		/* ttbr0, tcr */
	ldp x3, x4, [x19, #16]		/* mair, sctlr */
	mmu_enable x3, x2, x1, x4
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

/*
 * At EL2 with FEAT_VHE (ID_AA64MMFR1_EL1.VH): HCR_EL2.{E2H,TGE} = {1,1},
 * so the *_EL1 register names used from here on reach the EL2 registers
 * and the EL2&0 regime has the EL1&0 descriptor format.  Without VHE, drop
 * to EL1 at once.  arm64_start() decides later whether to stay.
 */
el2_enter_vhe:
	mrs x0, id_aa64mmfr1_el1
	ubfx x0, x0, #8, #4
	cbz x0, el2_to_el1
	mov x11, x30
	bl el2_gic_sre
	mov x30, x11
	msr cntvoff_el2, xzr
	ldr x0, =HCR_HOST_VHE
	msr hcr_el2, x0
	isb
	ret

/*
 * From EL2 in VHE host mode with the MMU on, called from C: give EL1 the
 * same translation regime, vectors and stacks (through the *_EL12 names),
 * make EL1 a guest (TGE=0) with the counters and timers open, and return
 * to the caller at EL1t.
 */
	.globl el2_vhe_to_el1
el2_vhe_to_el1:
	mrs x0, sctlr_el1
	msr s3_5_c1_c0_0, x0		/* SCTLR_EL12 */
	mrs x0, tcr_el1
	msr s3_5_c2_c0_2, x0		/* TCR_EL12 */
	mrs x0, mair_el1
	msr s3_5_c10_c2_0, x0		/* MAIR_EL12 */
	mrs x0, ttbr0_el1
	msr s3_5_c2_c0_0, x0		/* TTBR0_EL12 */
	mrs x0, vbar_el1
	msr s3_5_c12_c0_0, x0		/* VBAR_EL12 */
	mov x0, #(3 << 20)
	msr s3_5_c1_c0_2, x0		/* CPACR_EL12.FPEN */
	mrs x0, cnthctl_el2
	orr x0, x0, #(3 << 10)		/* E2H layout: EL1PCTEN, EL1PTEN */
	msr cnthctl_el2, x0
	msr spsel, #1			/* SP_EL2, the exception stack ... */
	mov x0, sp
	msr spsel, #0
	msr sp_el1, x0			/* ... becomes EL1's */
	ldr x0, =HCR_GUEST_VHE
	msr hcr_el2, x0
	mov x0, #0x3c4			/* EL1t, DAIF masked */
	msr spsr_el2, x0
	msr elr_el2, x30
	isb
	eret

/*
 * To nVHE: EL2 with HCR_EL2.E2H clear (IRQs routed to EL2), the MMU on with
 * the native EL2 registers on root (x0, tables in the EL2 format) and the
 * EL2 vectors.  Called from C at EL2 in VHE host mode, or at EL1 after a
 * boot without VHE (the boot stub below takes it back up).  Touches no
 * memory while the MMU is off.
 */
	.globl el2_vhe_to_nvhe
el2_vhe_to_nvhe:
	mrs x3, mair_el1		/* MAIR_EL2, through its VHE name */
	mrs x1, sctlr_el1
	bic x1, x1, #1			/* MMU off */
	msr sctlr_el1, x1
	isb
	b nvhe_mmu_on

	.globl el2_stub_to_nvhe
el2_stub_to_nvhe:
	mrs x3, mair_el1
	dsb ish
	hvc #STUB_HVC_TO_EL2		/* back here at EL2t, MMU off */
nvhe_mmu_on:
	ldr x1, =HCR_NVHE
	msr hcr_el2, x1
	isb
	mov x1, #0x33ff			/* CPTR_EL2 (nVHE layout): RES1, no traps */
	msr cptr_el2, x1
	pa_size x4, x5			/* -> TCR_EL2.PS */
	ldr x5, =TCR_EL2_NVHE
	orr x5, x5, x4, lsl #16
	msr mair_el2, x3
	msr tcr_el2, x5
	msr ttbr0_el2, x0
	adrp x1, vectors_el2
	add x1, x1, :lo12:vectors_el2
	msr vbar_el2, x1
	isb
	tlbi alle2
	dsb nsh
	isb
	ldr x1, =SCTLR_EL2_NVHE_ON
	msr sctlr_el2, x1
	isb
	ret

/*
 * The EL2 boot stub, VBAR_EL2 while EL1 runs after a drop from EL2: its one
 * service, HVC #STUB_HVC_TO_EL2, returns to the caller at EL2t (same SP_EL0)
 * with SP_EL2 = SP_EL1, MMU still off at EL2.  Anything else taken to EL2
 * returns to EL1 in el2_stub_panic(ESR_EL2, ELR_EL2).
 */
	.balign 0x800
el2_stub:
	.rept 8
	.balign 0x80
	b el2_stub_bad
	.endr
	.balign 0x80			/* 0x400: lower EL, AArch64, synchronous */
	mrs x9, esr_el2
	ldr x10, =((EC_HVC64 << 26) | (1 << 25) | STUB_HVC_TO_EL2)
	cmp x9, x10
	b.ne el2_stub_bad
	mrs x9, sp_el1
	mov sp, x9
	mov x9, #0x3c8			/* EL2t, DAIF masked */
	msr spsr_el2, x9
	eret
	.rept 7
	.balign 0x80
	b el2_stub_bad
	.endr
el2_stub_bad:
	mrs x0, esr_el2
	mrs x1, elr_el2
	adrp x2, el2_stub_panic
	add x2, x2, :lo12:el2_stub_panic
	msr elr_el2, x2
	mov x2, #0x3c5			/* EL1h, DAIF masked */
	msr spsr_el2, x2
	eret

/*
 * ICC_SRE_EL2 = SRE, DFB, DIB, Enable (GICv3 system registers for EL1 and
 * EL2) when ID_AA64PFR0_EL1.GIC says they are implemented, under the
 * el2_early vectors: a write that is UNDEFINED all the same (QEMU's a64fx
 * on a GICv2 machine) is skipped, and its ESR_EL2 (with bit 63 set) goes
 * to boot_sre_esr for arm64_start() to report.  Clobbers x0, x9, x10.
 */
el2_gic_sre:
	mrs x0, id_aa64pfr0_el1
	ubfx x0, x0, #24, #4
	cbz x0, 1f
	adrp x9, el2_early
	add x9, x9, :lo12:el2_early
	msr vbar_el2, x9
	isb
	mov x9, #0
	mov x0, #0xf
	msr s3_4_c12_c9_5, x0
	isb
	cbz x9, 1f
	adrp x10, boot_sre_esr
	add x10, x10, :lo12:boot_sre_esr
	str x9, [x10]
	dc civac, x10			/* the MMU is off: past any stale line */
	dsb sy
1:	ret

/*
 * VBAR_EL2 around that write: a synchronous exception at EL2 (SP_EL0 or
 * SP_EL2) leaves ESR_EL2 | 1 << 63 in x9 and returns past the instruction;
 * anything else stops here.
 */
.macro el2_early_sync
	.balign 0x80
	mrs x9, esr_el2
	orr x9, x9, #(1 << 63)
	mrs x10, elr_el2
	add x10, x10, #4
	msr elr_el2, x10
	eret
.endm
.macro el2_early_stop n
	.rept \n
	.balign 0x80
	b .
	.endr
.endm
	.balign 0x800
el2_early:
	el2_early_sync
	el2_early_stop 3
	el2_early_sync
	el2_early_stop 11

	.data
	.balign 8
	.globl boot_sre_esr
boot_sre_esr:
	.quad 0
	.section .text.boot, "ax"

el2_to_el1:
	mov x0, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64 */
	msr hcr_el2, x0
	mov x0, #3			/* CNTHCTL_EL2.EL1PCTEN | EL1PCEN */
	msr cnthctl_el2, x0
	msr cntvoff_el2, xzr
	mov x0, #0x33ff			/* CPTR_EL2: RES1 bits, no traps */
	msr cptr_el2, x0
	mov x11, x30
	bl el2_gic_sre
	mov x30, x11
	adrp x0, el2_stub
	add x0, x0, :lo12:el2_stub
	msr vbar_el2, x0
	ldr x0, =SCTLR_EL1_RES1
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
	pa_size x0, x2			/* -> TCR_EL1.IPS */
	ldr x2, =TCR_VALUE
	orr x2, x2, x0, lsl #32
	ldr x0, =MAIR_VALUE
	ldr x3, =SCTLR_MMU_ON
	mmu_enable x0, x2, x1, x3
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
