/* CPUID with max-leaf checks and the named feature table. */
#include "arch.h"
#include "cpuid.h"
#include "printf.h"
#include "string.h"

enum { EAX, EBX, ECX, EDX };

static const struct feature {
	uint32_t leaf;
	uint8_t subleaf, reg, bit;
	const char *name;
} features[X86_NR_FEATURES] = {
#define F(id, leaf, sub, reg, bit) [X86_FEATURE_##id] = { leaf, sub, reg, bit, #id }
	F(FPU, 1, 0, EDX, 0), F(TSC, 1, 0, EDX, 4), F(MSR, 1, 0, EDX, 5),
	F(PAE, 1, 0, EDX, 6), F(APIC, 1, 0, EDX, 9), F(SEP, 1, 0, EDX, 11),
	F(MTRR, 1, 0, EDX, 12), F(PGE, 1, 0, EDX, 13), F(PAT, 1, 0, EDX, 16),
	F(XSAVE, 1, 0, ECX, 26), F(OSXSAVE, 1, 0, ECX, 27),
	F(X2APIC, 1, 0, ECX, 21), F(TSC_DEADLINE, 1, 0, ECX, 24),
	F(HYPERVISOR, 1, 0, ECX, 31),
	F(SYSCALL, 0x80000001, 0, EDX, 11), F(NX, 0x80000001, 0, EDX, 20),
	F(RDTSCP, 0x80000001, 0, EDX, 27), F(LM, 0x80000001, 0, EDX, 29),
	F(LAHF_LM, 0x80000001, 0, ECX, 0), F(SVM, 0x80000001, 0, ECX, 2),
	F(NP, 0x8000000a, 0, EDX, 0), F(LBRV, 0x8000000a, 0, EDX, 1),
	F(NRIPS, 0x8000000a, 0, EDX, 3), F(VMCBCLEAN, 0x8000000a, 0, EDX, 5),
	F(FLUSHBYASID, 0x8000000a, 0, EDX, 6), F(DECODEASSISTS, 0x8000000a, 0, EDX, 7),
	F(PAUSEFILTER, 0x8000000a, 0, EDX, 10), F(PFTHRESHOLD, 0x8000000a, 0, EDX, 12),
	F(VGIF, 0x8000000a, 0, EDX, 16),
	F(FSGSBASE, 7, 0, EBX, 0), F(SMEP, 7, 0, EBX, 7), F(SMAP, 7, 0, EBX, 20),
	F(UMIP, 7, 0, ECX, 2), F(PKU, 7, 0, ECX, 3), F(LA57, 7, 0, ECX, 16),
	F(RDPID, 7, 0, ECX, 22), F(CET_SS, 7, 0, ECX, 7), F(CET_IBT, 7, 0, EDX, 20),
#undef F
};

struct cpuid cpuid_raw(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid r;

	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

uint32_t cpuid_max(uint32_t leaf)
{
	uint32_t base = leaf & 0xffff0000;

	/* 0x4000xxxx is only defined when a hypervisor says it is there. */
	if (base == 0x40000000 && !cpu_has(X86_FEATURE_HYPERVISOR))
		return 0;
	return cpuid_raw(base, 0).a;
}

struct cpuid cpuid(uint32_t leaf, uint32_t subleaf)
{
	uint32_t max = cpuid_max(leaf);

	if (leaf > max || (max & 0xffff0000) != (leaf & 0xffff0000))
		return (struct cpuid){ 0 };
	return cpuid_raw(leaf, subleaf);
}

bool cpu_has(enum x86_feature f)
{
	const struct feature *ft = &features[f];
	/* Leaf 1 exists on every x86_64 CPU; cpuid_max() itself needs it. */
	struct cpuid r = ft->leaf == 1 ? cpuid_raw(1, 0) : cpuid(ft->leaf, ft->subleaf);
	uint32_t regs[] = { r.a, r.b, r.c, r.d };

	return regs[ft->reg] >> ft->bit & 1;
}

const char *cpu_feature_gate(enum x86_feature f)
{
	static char buf[X86_NR_FEATURES][48];
	static const char regname[][4] = { "EAX", "EBX", "ECX", "EDX" };
	const struct feature *ft = &features[f];

	if (!buf[f][0])
		snprintf(buf[f], sizeof(buf[f]), "CPUID.%#x%s:%s.%s[%u]", ft->leaf,
			 ft->leaf == 7 ? ".0" : "", regname[ft->reg], ft->name, ft->bit);
	return buf[f];
}

static void regs_to_str(char out[13], uint32_t x, uint32_t y, uint32_t z)
{
	memcpy(out, &x, 4);
	memcpy(out + 4, &y, 4);
	memcpy(out + 8, &z, 4);
	out[12] = 0;
}

void cpu_vendor(char out[13])
{
	struct cpuid r = cpuid_raw(0, 0);

	regs_to_str(out, r.b, r.d, r.c);
}

void hypervisor_signature(char out[13])
{
	struct cpuid r = cpuid(0x40000000, 0);

	regs_to_str(out, r.b, r.c, r.d);
}

bool arch_is_tcg(void)
{
	char sig[13];

	hypervisor_signature(sig);
	return !strcmp(sig, "TCGTCGTCGTCG");
}

unsigned int cpu_maxphyaddr(void)
{
	unsigned int bits = cpuid(0x80000008, 0).a & 0xff;

	return bits ? bits : 36;
}
