/*
 * arm64 system registers, exception classes and the saved-register frame.
 * read_sysreg()/write_sysreg() take the register name as the assembler
 * spells it; they fault (undefined instruction) where the register does
 * not exist at the current EL, like the instruction does.
 */
#ifndef VMUNIT_ARM64_PROCESSOR_H
#define VMUNIT_ARM64_PROCESSOR_H

#include <stdint.h>

#define read_sysreg(r)							\
	({								\
		uint64_t __v;						\
		asm volatile("mrs %0, " #r : "=r"(__v));		\
		__v;							\
	})
#define write_sysreg(r, v)						\
	asm volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

#define isb() asm volatile("isb" : : : "memory")
#define dsb(opt) asm volatile("dsb " #opt : : : "memory")

/* ESR_ELx.EC exception classes (ARM ARM D17.2.37). */
enum {
	EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_FP = 0x07, EC_ILL = 0x0e,
	EC_SVC64 = 0x15, EC_HVC64 = 0x16, EC_SMC64 = 0x17, EC_SYS64 = 0x18,
	EC_IABT_LOW = 0x20, EC_IABT_CUR = 0x21, EC_PC_ALIGN = 0x22,
	EC_DABT_LOW = 0x24, EC_DABT_CUR = 0x25, EC_SP_ALIGN = 0x26,
	EC_SERROR = 0x2f, EC_BRK64 = 0x3c,
};
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
#define ESR_FSC(iss) ((iss) & 0x3f)		/* abort fault status code */
#define ESR_WNR (1u << 6)			/* data abort: write */

/* Fault status codes: the level is in the low two bits. */
#define FSC_TRANSLATION 0x04
#define FSC_ACCESS_FLAG 0x08
#define FSC_PERMISSION	0x0c
#define FSC_TYPE(fsc) ((fsc) & 0x3c)

/* Exception vector types: (group << 2) | kind, as lib/arm64/entry.S pushes. */
enum { VEC_SYNC, VEC_IRQ, VEC_FIQ, VEC_SERROR };
#define VEC_KIND(t) ((t) & 3)
#define VEC_GROUP(t) ((t) >> 2)
#define VEC_LOWER_A64 2		/* from a lower EL in AArch64 */

/* Registers saved on exception entry; offsets fixed by lib/arm64/entry.S. */
struct ex_regs {
	uint64_t x[31];
	uint64_t sp, pc, pstate, esr, far;
	uint64_t type, pad;
};

#define SCTLR_M		(1ul << 0)
#define SCTLR_C		(1ul << 2)
#define SCTLR_I		(1ul << 12)
#define SCTLR_WXN	(1ul << 19)

static inline unsigned int current_el(void)
{
	return (read_sysreg(CurrentEL) >> 2) & 3;
}

/* The PA size ID_AA64MMFR0_EL1.PARange names, or 0 if reserved. */
static inline unsigned int parange_bits(unsigned int parange)
{
	static const unsigned char bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return parange < sizeof(bits) ? bits[parange] : 0;
}

/* A 4-bit ID register field at bit shift. */
#define ID_FIELD(reg, shift) (((reg) >> (shift)) & 0xf)

/* The exception level the payload was entered at (CurrentEL at entry). */
unsigned int boot_el(void);

#endif
