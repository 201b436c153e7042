/*
 * cpuid: sanity of what the hypervisor reports.
 *
 * Vendor string, maximum basic/extended/hypervisor leaves in their ranges,
 * features a running 64-bit guest proves (LM, PAE, MSR), bits that must
 * agree with machine state (OSXSAVE following CR4.OSXSAVE, the initial APIC
 * ID against the local APIC ID register), address sizes and the brand
 * string (SDM vol. 2A, CPUID).  Runs anywhere; the APIC ID check means more
 * with smp > 1 and a non-zero ID.
 */
#include "vmunit.h"
#include "cpuid.h"
#include "processor.h"

#define APIC_ID_REG ((volatile uint32_t *)0xfee00020)

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static void test_ranges(const void *arg)
{
	uint32_t basic = cpuid_max(0), ext = cpuid_max(0x80000000);
	struct cpuid above;
	char vendor[13];

	cpu_vendor(vendor);
	report_info("vendor %s, max leaf %#x, max extended leaf %#x", vendor, basic, ext);
	report(printable(vendor, 12), "vendor string is 12 printable characters");
	report(basic >= 1 && basic < 0x100, "max basic leaf in [1, 0xff] (%#x)", basic);
	report(ext >= 0x80000001 && ext <= 0x800000ff,
	       "max extended leaf in [0x80000001, 0x800000ff] (%#x)", ext);
	/* Above the maximum CPUs return another leaf's data: cpuid() must not. */
	above = cpuid(basic + 1, 0);
	report(!above.a && !above.b && !above.c && !above.d,
	       "the leaf above the maximum reads as zeros (cpuid(%#x): %#x %#x %#x %#x)",
	       basic + 1, above.a, above.b, above.c, above.d);
}

static void test_implied(const void *arg)
{
	static const enum x86_feature running[] = {
		X86_FEATURE_LM, X86_FEATURE_PAE, X86_FEATURE_MSR,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(running); i++)
		report(cpu_has(running[i]), "%s set in a running 64-bit guest",
		       cpu_feature_gate(running[i]));
	require_cpu(X86_FEATURE_X2APIC);
	report(cpu_has(X86_FEATURE_APIC), "x2APIC implies %s",
	       cpu_feature_gate(X86_FEATURE_APIC));
}

static void test_osxsave(const void *arg)
{
	uint64_t cr4 = read_cr4();
	bool on, off;

	require_cpu(X86_FEATURE_XSAVE);
	write_cr4(cr4 | X86_CR4_OSXSAVE);
	on = cpu_has(X86_FEATURE_OSXSAVE);
	write_cr4(cr4 & ~X86_CR4_OSXSAVE);
	off = cpu_has(X86_FEATURE_OSXSAVE);
	write_cr4(cr4);
	report(on && !off, "CPUID.1:ECX.OSXSAVE[27] follows CR4.OSXSAVE (set %d, clear %d)",
	       on, off);
	report((cpuid(0xd, 0).a & 3) == 3, "CPUID.0xd.0:EAX supports x87 and SSE (%#x)",
	       cpuid(0xd, 0).a);
}

static void test_apic_id(const void *arg)
{
	uint32_t initial = cpuid_raw(1, 0).b >> 24, reg;

	require_cpu(X86_FEATURE_APIC);
	require(rdmsr(MSR_IA32_APICBASE) & (1u << 11), "IA32_APIC_BASE.EN[11] clear");
	reg = *APIC_ID_REG >> 24;
	report(reg == initial, "CPUID.1:EBX[31:24] matches the LAPIC ID register (%u, %u)",
	       initial, reg);
}

static void test_address_sizes(const void *arg)
{
	uint32_t a = cpuid(0x80000008, 0).a;
	unsigned int phys = a & 0xff, virt = (a >> 8) & 0xff;

	require(cpuid_max(0x80000000) >= 0x80000008, "CPUID.0x80000000:EAX < 0x80000008");
	report(phys >= 36 && phys <= 52, "physical address bits in [36, 52] (%u)", phys);
	report(virt == 48 || virt == 57, "linear address bits are 48 or 57 (%u)", virt);
	report(virt == 48 || cpu_has(X86_FEATURE_LA57), "57-bit linear only with %s",
	       cpu_feature_gate(X86_FEATURE_LA57));
}

static void test_brand(const void *arg)
{
	char brand[49] = { 0 };
	size_t len;

	require(cpuid_max(0x80000000) >= 0x80000004, "CPUID.0x80000000:EAX < 0x80000004");
	for (unsigned int i = 0; i < 3; i++) {
		struct cpuid r = cpuid(0x80000002 + i, 0);

		memcpy(brand + 16 * i, &r, 16);
	}
	len = strlen(brand);
	report(len > 0 && printable(brand, len), "brand string is printable (\"%s\")", brand);
}

static void test_hypervisor(const void *arg)
{
	uint32_t max = cpuid_max(0x40000000);
	char sig[13];

	require_cpu(X86_FEATURE_HYPERVISOR);
	hypervisor_signature(sig);
	report_info("signature \"%s\", max leaf %#x", sig, max);
	report(max >= 0x40000000 && max < 0x40010000,
	       "max hypervisor leaf in [0x40000000, 0x4000ffff] (%#x)", max);
	report(strlen(sig) > 0 && printable(sig, strlen(sig)),
	       "signature is non-empty and printable");
}

int main(int argc, char **argv)
{
	subtest("ranges", test_ranges, NULL);
	subtest("implied", test_implied, NULL);
	subtest("OSXSAVE", test_osxsave, NULL);
	subtest("APIC ID", test_apic_id, NULL);
	subtest("address sizes", test_address_sizes, NULL);
	subtest("brand", test_brand, NULL);
	subtest("hypervisor leaf", test_hypervisor, NULL);
	return 0;
}
