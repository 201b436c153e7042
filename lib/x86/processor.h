/*
 * x86 instructions as inline functions, registers and constants.  The
 * plain accessors fault like the instruction does; see safe.h for the
 * wrappers that return a struct fault instead.
 */
#ifndef VMUNIT_X86_PROCESSOR_H
#define VMUNIT_X86_PROCESSOR_H

#include <stdint.h>

/* Exception vectors. */
enum {
	DE_VECTOR = 0, DB_VECTOR = 1, NMI_VECTOR = 2, BP_VECTOR = 3,
	OF_VECTOR = 4, BR_VECTOR = 5, UD_VECTOR = 6, NM_VECTOR = 7,
	DF_VECTOR = 8, TS_VECTOR = 10, NP_VECTOR = 11, SS_VECTOR = 12,
	GP_VECTOR = 13, PF_VECTOR = 14, MF_VECTOR = 16, AC_VECTOR = 17,
	MC_VECTOR = 18, XM_VECTOR = 19, VE_VECTOR = 20, CP_VECTOR = 21,
	VC_VECTOR = 29, SX_VECTOR = 30,
};

/* #PF error code bits. */
#define PFERR_PRESENT	(1u << 0)
#define PFERR_WRITE	(1u << 1)
#define PFERR_USER	(1u << 2)
#define PFERR_RSVD	(1u << 3)
#define PFERR_FETCH	(1u << 4)

#define X86_CR0_PE	(1ul << 0)
#define X86_CR0_WP	(1ul << 16)
#define X86_CR0_PG	(1ul << 31)
#define X86_CR4_PAE	(1ul << 5)
#define X86_CR4_LA57	(1ul << 12)
#define X86_CR4_OSXSAVE	(1ul << 18)
#define X86_EFER_SCE	(1ul << 0)
#define X86_EFER_LME	(1ul << 8)
#define X86_EFER_LMA	(1ul << 10)
#define X86_EFER_NXE	(1ul << 11)

#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS 0x20		/* DPL 3; selectors with RPL 3: | 3 */
#define USER_CS 0x28
#define TSS_SEL 0x30

/* Registers saved by the exception entry; offsets fixed by lib/x86/entry.S. */
struct ex_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"(val >> 32)
		     : "memory");
}

#define DEFINE_CR(n)							\
	static inline uint64_t read_cr##n(void)				\
	{								\
		uint64_t v;						\
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));		\
		return v;						\
	}								\
	static inline void write_cr##n(uint64_t v)			\
	{								\
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");	\
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
DEFINE_CR(8)
#undef DEFINE_CR

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

/* Enable interrupts and halt, with no window between the two (STI shadow). */
static inline void safe_halt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

/*
 * An IRETQ to the next instruction, same CS, SS, RSP and RFLAGS: ends NMI
 * blocking (SDM vol. 3A 6.7.1) without leaving the handler.
 */
static inline void iret_to_self(void)
{
	asm volatile("mov %%ss, %%eax\n\t"
		     "push %%rax\n\t"
		     "lea 8(%%rsp), %%rax\n\t"
		     "push %%rax\n\t"
		     "pushf\n\t"
		     "mov %%cs, %%eax\n\t"
		     "push %%rax\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "push %%rax\n\t"
		     "iretq\n"
		     "1:" : : : "rax", "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static inline void invlpg(const void *va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	asm volatile("pushf; pop %0" : "=r"(f));
	return f;
}

#define NONCANONICAL 0x8000000000000000ull	/* non-canonical for 48 and 57 bits */

/* Sign-extend a 48-bit address; any value with other top bits is non-canonical. */
static inline int is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

#endif
