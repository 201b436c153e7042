/*
 * Device register accesses of 8 to 64 bits (device memory, every arch).
 *
 * Device memory is reached only through these.  On arm64 each is one
 * ldr/str of its width with a base register and nothing else, written in
 * asm: a hypervisor emulates an MMIO access from the syndrome the abort
 * carries, and an access that has none (ISV=0: writeback addressing, a
 * load/store pair, what a C volatile may compile to) cannot be emulated;
 * KVM then injects an external abort.  Each arm64 access also records its
 * address in the non-allocated section .mmio_sites, so that
 * tests/arm64-mmio.sh can disassemble every one of them in the payloads.
 */
#ifndef VMUNIT_MMIO_H
#define VMUNIT_MMIO_H

#include <stdint.h>

#ifdef __aarch64__
#define MMIO_SITE(insn)							\
	"1:	" insn "\n"						\
	"	.pushsection .mmio_sites, \"\", %%progbits\n"		\
	"	.quad 1b\n"						\
	"	.popsection\n"

#define MMIO_ACCESSORS(bits, sfx, reg)						\
	static inline uint##bits##_t mmio_read##bits(uintptr_t a)		\
	{									\
		uint##bits##_t v;						\
		asm volatile(MMIO_SITE("ldr" sfx " %" reg "0, [%1]")		\
			     : "=r"(v) : "r"(a) : "memory");			\
		return v;							\
	}									\
	static inline void mmio_write##bits(uintptr_t a, uint##bits##_t v)	\
	{									\
		asm volatile(MMIO_SITE("str" sfx " %" reg "0, [%1]")		\
			     : : "rZ"(v), "r"(a) : "memory");			\
	}
#else
#define MMIO_ACCESSORS(bits, sfx, reg)						\
	static inline uint##bits##_t mmio_read##bits(uintptr_t a)		\
	{									\
		return *(volatile uint##bits##_t *)a;				\
	}									\
	static inline void mmio_write##bits(uintptr_t a, uint##bits##_t v)	\
	{									\
		*(volatile uint##bits##_t *)a = v;				\
	}
#endif

MMIO_ACCESSORS(8, "b", "w")
MMIO_ACCESSORS(16, "h", "w")
MMIO_ACCESSORS(32, "", "w")
MMIO_ACCESSORS(64, "", "x")

#endif
