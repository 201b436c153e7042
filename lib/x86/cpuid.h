/*
 * CPUID.  cpuid() reads a leaf only when it is at or below the maximum of
 * its range (basic, hypervisor, extended) and returns zeros otherwise:
 * CPUs and TCG return another leaf's data above the maximum.  cpu_has()
 * decodes one feature bit; cpu_feature_gate() names it for SKIP reasons,
 * e.g. "CPUID.0x1:EDX.PAT[16]".  Safe from any CPU.
 */
#ifndef VMUNIT_X86_CPUID_H
#define VMUNIT_X86_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid {
	uint32_t a, b, c, d;
};

struct cpuid cpuid_raw(uint32_t leaf, uint32_t subleaf);
uint32_t cpuid_max(uint32_t leaf);	/* max leaf of leaf's range */
struct cpuid cpuid(uint32_t leaf, uint32_t subleaf);

enum x86_feature {
	X86_FEATURE_FPU, X86_FEATURE_TSC, X86_FEATURE_MSR, X86_FEATURE_PAE,
	X86_FEATURE_APIC, X86_FEATURE_SEP, X86_FEATURE_MTRR, X86_FEATURE_PGE,
	X86_FEATURE_PAT,
	X86_FEATURE_XSAVE, X86_FEATURE_OSXSAVE, X86_FEATURE_X2APIC,
	X86_FEATURE_TSC_DEADLINE, X86_FEATURE_HYPERVISOR,
	X86_FEATURE_SYSCALL, X86_FEATURE_NX, X86_FEATURE_RDTSCP, X86_FEATURE_LM,
	X86_FEATURE_LAHF_LM, X86_FEATURE_SVM,
	/* SVM's, CPUID 0x8000000A:EDX */
	X86_FEATURE_NP, X86_FEATURE_LBRV, X86_FEATURE_NRIPS, X86_FEATURE_VMCBCLEAN,
	X86_FEATURE_FLUSHBYASID, X86_FEATURE_DECODEASSISTS, X86_FEATURE_PAUSEFILTER,
	X86_FEATURE_PFTHRESHOLD, X86_FEATURE_VGIF,
	X86_FEATURE_FSGSBASE, X86_FEATURE_SMEP, X86_FEATURE_SMAP,
	X86_FEATURE_UMIP, X86_FEATURE_PKU, X86_FEATURE_LA57, X86_FEATURE_RDPID,
	X86_FEATURE_CET_SS, X86_FEATURE_CET_IBT,
	X86_NR_FEATURES
};

bool cpu_has(enum x86_feature f);
const char *cpu_feature_gate(enum x86_feature f);

/* SKIP the current (void) test function unless the CPU has feature f. */
#define require_cpu(f) require(cpu_has(f), "%s", cpu_feature_gate(f))

/*
 * Vendor string ("GenuineIntel") and hypervisor signature ("" if none);
 * arch_is_tcg() is true when the latter is QEMU TCG's "TCGTCGTCGTCG".
 */
void cpu_vendor(char out[13]);
void hypervisor_signature(char out[13]);

/* MAXPHYADDR: CPUID.0x80000008:EAX[7:0], or 36 without that leaf (SDM, APM). */
unsigned int cpu_maxphyaddr(void);

#endif
