/*
 * msr: architectural MSRs every x86_64 hypervisor must emulate.
 *
 * Write/read-back where the SDM/APM guarantee the value sticks, #GP on
 * reserved bits and non-canonical addresses where the SDM requires it, and
 * cross-checks with the instructions that consume the MSRs (RDTSC, RDTSCP,
 * the running long mode).  Every MSR is gated on its CPUID bit; no
 * unsupported CR4 bit is ever touched.  QEMU TCG raises no #GP for reserved
 * values and ignores TSC writes: such checks XFAIL there, never PASS.
 * GS_BASE is not written: it holds this CPU's data.
 */
#include "vmunit.h"
#include "cpuid.h"
#include "processor.h"
#include "safe.h"

#define NONCANONICAL 0x8000000000000000ull

static const struct msr_rw {
	const char *name;
	uint32_t index;
	enum x86_feature gate;
	uint64_t value;
} rw_cases[] = {
	{ "SYSENTER_CS", MSR_IA32_SYSENTER_CS, X86_FEATURE_SEP, 0x1230 },
	{ "SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, X86_FEATURE_SEP, 0x81234560 },
	{ "SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, X86_FEATURE_SEP, 0x8abcdef0 },
	{ "STAR", MSR_STAR, X86_FEATURE_SYSCALL, 0x0023001000c0ffeeull },
	{ "LSTAR", MSR_LSTAR, X86_FEATURE_LM, 0xffffffff81000000ull },
	{ "SFMASK", MSR_SYSCALL_MASK, X86_FEATURE_SYSCALL, 0x47700 },
	{ "FS_BASE", MSR_FS_BASE, X86_FEATURE_LM, 0xffff800012345000ull },
	{ "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, X86_FEATURE_LM, 0x00007fffdeadb000ull },
	{ "TSC_AUX", MSR_TSC_AUX, X86_FEATURE_RDTSCP, 0x12345678 },
	{ "PAT", MSR_IA32_CR_PAT, X86_FEATURE_PAT, 0x0000000100070406ull },
};

static void test_read_back(const struct msr_rw *c)
{
	uint64_t old, got = 0;
	struct fault f;

	report_prefix_push("%s", c->name);
	require_cpu(c->gate);
	report_fault(rdmsr_safe(c->index, &old), FAULT_NONE, "rdmsr %#x", c->index);
	f = wrmsr_safe(c->index, c->value);
	rdmsr_safe(c->index, &got);
	wrmsr(c->index, old);
	report_fault(f, FAULT_NONE, "wrmsr %#lx", c->value);
	report(got == c->value, "reads back (got %#lx, want %#lx)", got, c->value);
	report_prefix_pop();
}

static const struct msr_gp {
	const char *what;
	uint32_t index;
	enum x86_feature gate;
	uint64_t value;
	bool or_old;	/* value is OR-ed into the current value */
} gp_cases[] = {
	{ "EFER reserved bit 2", MSR_EFER, X86_FEATURE_LM, 1ull << 2, true },
	{ "LSTAR non-canonical", MSR_LSTAR, X86_FEATURE_LM, NONCANONICAL },
	{ "FS_BASE non-canonical", MSR_FS_BASE, X86_FEATURE_LM, NONCANONICAL },
	{ "KERNEL_GS_BASE non-canonical", MSR_KERNEL_GS_BASE, X86_FEATURE_LM, NONCANONICAL },
	{ "PAT memory type 2", MSR_IA32_CR_PAT, X86_FEATURE_PAT, 0x0007040600070402ull },
	{ "PAT memory type 8", MSR_IA32_CR_PAT, X86_FEATURE_PAT, 0x0007040600070408ull },
	{ "APIC_BASE reserved bit 9", MSR_IA32_APICBASE, X86_FEATURE_APIC, 1ull << 9, true },
};

static void test_gp(const struct msr_gp *c)
{
	uint64_t old = 0, after = 0;
	struct fault f;
	char got[48];

	report_prefix_push("%s", c->what);
	require_cpu(c->gate);
	rdmsr_safe(c->index, &old);
	f = wrmsr_safe(c->index, c->or_old ? old | c->value : c->value);
	rdmsr_safe(c->index, &after);
	if (!f.valid)
		wrmsr(c->index, old);
	report_tcg_gap(f.valid && f.vector == GP_VECTOR && after == old,
		       "wrmsr raises #GP, value kept (got %s, %#lx)",
		       fault_str(f, got, sizeof(got)), after);
	report_prefix_pop();
}

static void test_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER), got;

	report_prefix_push("EFER");
	report((efer & (X86_EFER_LME | X86_EFER_LMA)) == (X86_EFER_LME | X86_EFER_LMA),
	       "LME and LMA set in long mode (%#lx)", efer);
	report(!!(efer & X86_EFER_NXE) == cpu_has(X86_FEATURE_NX),
	       "NXE set by boot iff %s", cpu_feature_gate(X86_FEATURE_NX));
	if (cpu_has(X86_FEATURE_SYSCALL)) {
		wrmsr(MSR_EFER, efer ^ X86_EFER_SCE);
		got = rdmsr(MSR_EFER);
		wrmsr(MSR_EFER, efer);
		report(got == (efer ^ X86_EFER_SCE), "SCE toggles (got %#lx)", got);
	} else {
		report_skip("SCE toggles: %s", cpu_feature_gate(X86_FEATURE_SYSCALL));
	}
	report_prefix_pop();
}

static void test_apic_base(void)
{
	uint64_t base;

	report_prefix_push("APIC_BASE");
	require_cpu(X86_FEATURE_APIC);
	base = rdmsr(MSR_IA32_APICBASE);
	report(base & (1u << 8), "BSP flag set on the boot CPU (%#lx)", base);
	report(base & (1u << 11), "xAPIC globally enabled after reset");
	report((base & ~0xfffull) == 0xfee00000, "base address %#llx (want 0xfee00000)",
	       base & ~0xfffull);
	report_prefix_pop();
}

static void test_tsc(void)
{
	const uint64_t target = 1ull << 40;
	uint64_t msr, tsc;

	report_prefix_push("TSC");
	require_cpu(X86_FEATURE_TSC);
	wrmsr(MSR_IA32_TSC, target);
	tsc = rdtsc();
	msr = rdmsr(MSR_IA32_TSC);
	report_tcg_gap(tsc >= target && tsc - target < (1ull << 36),
		       "RDTSC after writing %#lx reads %#lx", target, tsc);
	report_tcg_gap(msr >= tsc, "TSC MSR does not go backwards (%#lx >= %#lx)", msr, tsc);
	report_prefix_pop();
}

static void test_tsc_aux(void)
{
	uint64_t old;
	uint32_t aux;

	report_prefix_push("RDTSCP");
	require_cpu(X86_FEATURE_RDTSCP);
	old = rdmsr(MSR_TSC_AUX);
	wrmsr(MSR_TSC_AUX, 0xabcd);
	asm volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
	wrmsr(MSR_TSC_AUX, old);
	report(aux == 0xabcd, "returns TSC_AUX in ECX (got %#x)", aux);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(rw_cases); i++)
		test_read_back(&rw_cases[i]);
	for (unsigned int i = 0; i < ARRAY_SIZE(gp_cases); i++)
		test_gp(&gp_cases[i]);
	test_efer();
	test_apic_base();
	test_tsc();
	test_tsc_aux();
	return 0;
}
