/*
 * s390x PSW and control-register bits, the lowcore (each CPU's prefix
 * area at real address 0) and the register frame saved on an interruption.
 * Numbers follow the z/Architecture Principles of Operation (SA22-7832),
 * chapters 4 (PSW, control registers, assigned storage locations) and 6
 * (interruptions).  The inline helpers are privileged except epsw(), and
 * none of them faults in supervisor state.
 */
#ifndef VMUNIT_S390X_PROCESSOR_H
#define VMUNIT_S390X_PROCESSOR_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#include <stdint.h>
#define UL(x) x##ul
#endif

/* PSW mask bits (PoP 4-4): bit n of the 64-bit mask is 1 << (63 - n). */
#define PSW_PER		UL(0x4000000000000000)	/* bit 1: PER events */
#define PSW_DAT		UL(0x0400000000000000)	/* bit 5 */
#define PSW_IO		UL(0x0200000000000000)	/* bit 6: I/O interruptions */
#define PSW_EXT		UL(0x0100000000000000)	/* bit 7: external interruptions */
#define PSW_MCHECK	UL(0x0004000000000000)	/* bit 13: machine checks */
#define PSW_WAIT	UL(0x0002000000000000)	/* bit 14 */
#define PSW_PROBLEM	UL(0x0001000000000000)	/* bit 15: problem state */
#define PSW_64BIT	UL(0x0000000180000000)	/* bits 31-32: EA, BA */

/* Wait-state PSW address QEMU turns into a clean shutdown. */
#define PSW_ADDR_SHUTDOWN 0xfff	/* QEMU: a clean shutdown, exit status 0 */
#define PSW_ADDR_FAILED	0xbad	/* any other wait address: "guest crashed" */

/* Control register 0 (PoP 4-11). */
#define CR0_LAP		(UL(1) << 28)	/* bit 35: low-address protection */
#define CR0_AFP		(UL(1) << 18)	/* bit 45: f1-f15 usable */
/* External-interruption subclass masks (CR0 bits 48-54). */
#define CR0_EMERGENCY	(UL(1) << 14)	/* bit 49: emergency signal */
#define CR0_EXT_CALL	(UL(1) << 13)	/* bit 50: external call */
#define CR0_CLOCK_COMP	(UL(1) << 11)	/* bit 52: clock comparator */
#define CR0_CPU_TIMER	(UL(1) << 10)	/* bit 53: CPU timer */
#define CR0_SERVICE	(UL(1) << 9)	/* bit 54: service signal */

/* Control register 14: machine-check subclass masks. */
#define CR14_CHANNEL_REPORT (UL(1) << 28)	/* bit 35: channel-report pending */

/* Machine-check interruption code (lowcore 0xe8). */
#define MCIC_CP		(UL(1) << 54)	/* bit 9: channel report pending */

/* External interruption codes (PoP 6-12). */
#define EXT_CLOCK_COMP		0x1004
#define EXT_CPU_TIMER		0x1005
#define EXT_EMERGENCY		0x1201
#define EXT_EXTERNAL_CALL	0x1202
#define EXT_SERVICE_SIGNAL	0x2401

/* Interruption classes, in lowcore new-PSW order (struct ex_regs.type). */
#define INT_RESTART	0
#define INT_EXT		1
#define INT_SVC		2
#define INT_PGM		3
#define INT_MCHECK	4
#define INT_IO		5
#define INT_NR		6

/*
 * Lowcore: architected fields used here, and the software fields this
 * library keeps at 0x200-0x2ff (PoP leaves 0x200-0x11af to the program).
 */
#define LC_INT_INFO	0x080	/* interruption parameters, 0x80-0xc7 */
#define LC_INT_INFO_SIZE 0x48
#define LC_MCIC		0x0e8	/* machine-check interruption code */
#define LC_OLD_PSWS	0x120	/* six old PSWs, 16 bytes each, INT_* order */
#define LC_NEW_PSWS	0x1a0	/* six new PSWs, likewise */
#define LC_PERCPU	0x200	/* struct percpu * of this CPU */
#define LC_INT_STACK	0x208	/* top of this CPU's interruption stack */
#define LC_RETURN_PSW	0x210	/* the PSW an interruption returns with */
#define LC_SAVE		0x220	/* r0-r15 at entry, until copied to the frame */
#define LC_START_STACK	0x2a0	/* a secondary CPU's first stack (lib/s390x/smp.c) */

/*
 * Every stack is one STACK_SIZE block aligned to its size.  Without DAT
 * there is no page to unmap below it: instead each function's prologue
 * traps with an operation exception when r15 is in the block's lowest
 * STACK_GUARD bytes (s390x/arch.mk sets both, for gcc and for this).
 */
#if !defined(STACK_SIZE) || !defined(STACK_GUARD)
#error "STACK_SIZE and STACK_GUARD come from s390x/arch.mk"
#endif
#define STACK_FRAME	160	/* ELF ABI register save area, back chain at 0 */

/* struct ex_regs offsets, for lib/s390x/entry.S. */
#define EXR_GPRS	0
#define EXR_PSW		128
#define EXR_INFO	144
#define EXR_TYPE	216
#define EXR_SIZE	224

#ifndef __ASSEMBLER__

/* Program-interruption codes (PoP 6-27); PGM_PER is or-ed into another. */
enum {
	PGM_OPERATION = 0x01, PGM_PRIVILEGED = 0x02, PGM_EXECUTE = 0x03,
	PGM_PROTECTION = 0x04, PGM_ADDRESSING = 0x05, PGM_SPECIFICATION = 0x06,
	PGM_DATA = 0x07, PGM_FIXED_OVERFLOW = 0x08, PGM_FIXED_DIVIDE = 0x09,
	PGM_SEGMENT_TRANSLATION = 0x10, PGM_PAGE_TRANSLATION = 0x11,
	PGM_TRANSLATION_SPEC = 0x12, PGM_SPECIAL_OPERATION = 0x13, PGM_OPERAND = 0x15,
	PGM_ASCE_TYPE = 0x38, PGM_REGION_FIRST = 0x39, PGM_REGION_SECOND = 0x3a,
	PGM_REGION_THIRD = 0x3b, PGM_MONITOR = 0x40, PGM_PER = 0x80,
};

/*
 * The lowcore's interruption parameters, 0x80-0xc7 (PoP 3-61), as the
 * entry code copies them into struct ex_regs before anything can overwrite
 * them.
 */
struct int_info {
	uint32_t ext_param;	/* 0x80 */
	uint16_t cpu_addr;	/* 0x84: external call / emergency signal source */
	uint16_t ext_code;	/* 0x86 */
	uint8_t pad0;
	uint8_t svc_ilc;	/* 0x89 */
	uint16_t svc_code;	/* 0x8a */
	uint8_t pad1;
	uint8_t pgm_ilc;	/* 0x8d: ILC in bits 5-6 */
	uint16_t pgm_code;	/* 0x8e */
	uint32_t data_exc_code;	/* 0x90 */
	uint16_t mon_class;	/* 0x94 */
	uint8_t per_code, per_atmid;	/* 0x96 */
	uint64_t per_addr;	/* 0x98 */
	uint8_t exc_access_id, per_access_id, op_access_id, ar_mode_id;	/* 0xa0 */
	uint32_t pad2;
	uint64_t teid;		/* 0xa8: translation-exception identification */
	uint64_t monitor_code;	/* 0xb0 */
	uint32_t subsys_id;	/* 0xb8: I/O */
	uint32_t io_param;	/* 0xbc */
	uint32_t io_int_id;	/* 0xc0 */
	uint32_t pad3;
};

struct psw {
	uint64_t mask, addr;
};

/* Registers saved on interruption entry; offsets fixed by lib/s390x/entry.S. */
struct ex_regs {
	uint64_t gprs[16];
	struct psw psw;		/* the old PSW; the handler returns to it */
	struct int_info info;
	uint64_t type;		/* INT_* */
};

/* The current PSW's mask (EPSW: not privileged). */
static inline uint64_t epsw(void)
{
	uint32_t hi, lo;

	asm volatile("epsw %0, %1" : "=d"(hi), "=d"(lo));
	return (uint64_t)hi << 32 | lo;
}

/* Store or load control register cr (a constant). */
#define stctg(cr)							\
	({								\
		uint64_t __v;						\
		asm volatile("stctg %1, %1, %0" : "=Q"(__v) : "i"(cr));	\
		__v;							\
	})
#define lctlg(cr, v)							\
	do {								\
		uint64_t __v = (v);					\
		asm volatile("lctlg %1, %1, %0" : : "Q"(__v), "i"(cr) : "memory"); \
	} while (0)

static inline void lpswe(const struct psw *psw)
{
	asm volatile("lpswe %0" : : "Q"(*psw) : "memory");
}

/*
 * SET SYSTEM MASK: PSW bits 0-7 (PSW_PER, PSW_DAT, PSW_IO, PSW_EXT) from
 * mask, e.g. ssm(epsw() | PSW_EXT) to take pending external interruptions.
 */
static inline void ssm(uint64_t mask)
{
	uint8_t m = mask >> 56;

	asm volatile("ssm %0" : : "Q"(m) : "memory");
}

/*
 * LPSWE of the PSW at %[p] with its address set to label 0, which ends
 * this text (scratch register %[t]): asm text goes on there.
 */
#define LPSWE_TO_0							\
	"larl %[t], 0f\n\t"						\
	"stg %[t], 8(%[p])\n\t"						\
	"lpswe 0(%[p])\n"						\
	"0:"

/* Go on with PSW mask mask, e.g. epsw() | PSW_MCHECK (SSM sets bits 0-7 only). */
static inline void psw_mask_load(uint64_t mask)
{
	struct psw psw = { .mask = mask };
	uint64_t tmp;

	asm volatile(LPSWE_TO_0
		     : [t] "=&a"(tmp)
		     : [p] "a"(&psw)
		     : "memory");
}

/* The lowcore's machine-check interruption code (read in the handler). */
static inline uint64_t lowcore_mcic(void)
{
	uint64_t v;

	asm volatile("lg %0, %1" : "=d"(v) : "i"(LC_MCIC) : "memory");
	return v;
}

/*
 * Wait, enabled for the interruptions in mask (PSW_EXT, PSW_IO), until one
 * arrives: its handler returns here with the wait bit cleared (traps.c),
 * and the masks are off again on return.
 */
static inline void enabled_wait(uint64_t mask)
{
	struct psw psw = { .mask = epsw() | mask | PSW_WAIT };
	uint64_t tmp;
	uint8_t sysmask;

	asm volatile(LPSWE_TO_0 "\tstnsm %[m], 0xfc"
		     : [t] "=&a"(tmp), [m] "=Q"(sysmask)
		     : [p] "a"(&psw)
		     : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
