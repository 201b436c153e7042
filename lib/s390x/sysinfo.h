/*
 * STORE SYSTEM INFORMATION (PoP chapter 10): stsi() stores the SYSIB of
 * function code fc and selectors sel1.sel2 into a page-aligned 4 KiB
 * buffer and returns the condition code (0 stored, 3 not available);
 * stsi_level() is the current configuration level (1 basic machine,
 * 2 LPAR, 3 virtual machine).  Privileged; no faults with valid selectors.
 */
#ifndef VMUNIT_S390X_SYSINFO_H
#define VMUNIT_S390X_SYSINFO_H

#include <stdint.h>

#define STSI_FC(fc) ((uint64_t)(fc) << 28)
#define SYSIB111_MANUFACTURER 32	/* 1.1.1: 16 EBCDIC characters */

static inline int stsi(void *sysib, unsigned int fc, unsigned int sel1, unsigned int sel2)
{
	register uint64_t r0 asm("0") = STSI_FC(fc) | sel1;
	register uint64_t r1 asm("1") = sel2;
	int cc;

	asm volatile("stsi 0(%3)\n\t"
		     "ipm %0\n\t"
		     "srl %0, 28"
		     : "=d"(cc), "+d"(r0)
		     : "d"(r1), "a"(sysib)
		     : "cc", "memory");
	return cc;
}

static inline unsigned int stsi_level(void)
{
	register uint64_t r0 asm("0") = 0;
	register uint64_t r1 asm("1") = 0;

	asm volatile("stsi 0" : "+d"(r0) : "d"(r1) : "cc", "memory");
	return r0 >> 28 & 0xf;
}

#endif
