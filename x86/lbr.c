/*
 * lbr: last branch records as a guest sees them ("Guest LBR Enabling";
 * Intel SDM vol. 3B, chapter 18):
 * - detect: CPUID.1:ECX.PDCM[15] and then IA32_PERF_CAPABILITIES (0x345)
 *   with its LBR format [5:0]; architectural LBR, CPUID.7.0:EDX[19], and
 *   leaf 0x1C's depths (EAX[7:0], depth 8 * (n + 1) for bit n); the PMU
 *   version of leaf 0xA.  No LBR MSR is touched unless one of those says
 *   it exists.
 * - arch-lbr (CPUID.7.0:EDX.ARCH_LBR[19]): with IA32_LBR_CTL (0x14ce)
 *   recording near branches at CPL0 and the deepest IA32_LBR_DEPTH
 *   (0x14cf) the CPU lists, a call and its return land in LBR_0/LBR_1
 *   (IA32_LBR_x_FROM_IP 0x1500 + x, TO_IP 0x1600 + x) with the addresses
 *   of this test's own call and return; a depth the CPU does not list and
 *   a reserved IA32_LBR_CTL bit are #GP.
 * - debugctl (an LBR format in IA32_PERF_CAPABILITIES): IA32_DEBUGCTL
 *   (0x1d9) takes LBR[0] and reads it back; a reserved bit (bit 2) is
 *   #GP.  The model-specific LBR stacks' MSR addresses depend on the CPU
 *   model, which a guest cannot trust: not driven here.
 * QEMU TCG and this project's KVM host have no PDCM and no architectural
 * LBR: SKIP naming those bits.
 */
#include "vmunit.h"
#include "cpuid.h"
#include "processor.h"
#include "safe.h"

#define MSR_PERF_CAPABILITIES	0x345
#define MSR_DEBUGCTL		0x1d9
#define MSR_LBR_CTL		0x14ce
#define MSR_LBR_DEPTH		0x14cf
#define MSR_LBR_FROM(x)		(0x1500 + (x))
#define MSR_LBR_TO(x)		(0x1600 + (x))
#define LBR_CTL_EN		(1ull << 0)
#define LBR_CTL_OS		(1ull << 1)
#define LBR_CTL_BRANCHES	(0x7full << 16)	/* COND ... OTHER_BRANCH */
#define DEBUGCTL_LBR		(1ull << 0)

static uint32_t perf_caps;	/* its LBR format, when PDCM says the MSR exists */
static bool have_pdcm, have_arch_lbr;

static void test_detect(const void *arg)
{
	struct cpuid leaf7 = cpuid(7, 0), pmu = cpuid(0xa, 0);
	uint64_t caps = 0;

	have_pdcm = cpuid_raw(1, 0).c >> 15 & 1;
	have_arch_lbr = leaf7.d >> 19 & 1;
	report_info("PDCM %u, ARCH_LBR %u, PMU version %u", have_pdcm, have_arch_lbr,
		    pmu.a & 0xff);
	if (have_pdcm) {
		struct fault f = rdmsr_safe(MSR_PERF_CAPABILITIES, &caps);
		bool bochs = bochs_lacks_msr(f);

		/* Bochs 2.7's Intel models report PDCM without the MSR. */
		report_xfail(bochs, !f.valid,
			     "CPUID.1:ECX.PDCM[15]: IA32_PERF_CAPABILITIES reads (%#lx)%s", caps,
			     bochs ? "; Bochs 2.7: PDCM set, no MSR 0x345 (#GP)" : "");
		perf_caps = caps & 0x3f;
	}
	if (!have_pdcm && !have_arch_lbr)
		report_skip("no LBR: CPUID.1:ECX.PDCM[15] and CPUID.0x7.0:EDX.ARCH_LBR[19] are clear");
}

static __attribute__((noinline)) int callee(int x)
{
	return x + 1;
}

static void test_arch_lbr(const void *arg)
{
	struct cpuid c = cpuid(0x1c, 0);
	unsigned int depth = 0;
	uint64_t from0 = 0, to0 = 0, from1 = 0, to1 = 0;
	struct fault f;
	volatile int v;

	require(have_arch_lbr, "CPUID.0x7.0:EDX.ARCH_LBR[19]");
	for (unsigned int n = 0; n < 8; n++)
		if (c.a >> n & 1)
			depth = 8 * (n + 1);
	if (!depth) {
		report_fail("CPUID.0x1C:EAX[7:0] lists an LBR depth, as ARCH_LBR says (%#x)", c.a);
		return;
	}
	f = wrmsr_safe(MSR_LBR_DEPTH, depth);
	report(!f.valid, "IA32_LBR_DEPTH takes the deepest listed depth (%u)", depth);
	f = wrmsr_safe(MSR_LBR_DEPTH, depth + 1);	/* never a multiple of 8 */
	report(f.valid && f.vector == 13, "a depth not listed is #GP (%u)", depth + 1);
	f = wrmsr_safe(MSR_LBR_CTL, 1ull << 63);
	report(f.valid && f.vector == 13, "a reserved IA32_LBR_CTL bit (63) is #GP");
	wrmsr(MSR_LBR_CTL, LBR_CTL_EN | LBR_CTL_OS | LBR_CTL_BRANCHES);
	v = callee(1);
	wrmsr(MSR_LBR_CTL, 0);
	rdmsr_safe(MSR_LBR_FROM(0), &from0);
	rdmsr_safe(MSR_LBR_TO(0), &to0);
	rdmsr_safe(MSR_LBR_FROM(1), &from1);
	rdmsr_safe(MSR_LBR_TO(1), &to1);
	report(v == 2 && to1 == (uint64_t)callee && from0 >= (uint64_t)callee && to0 == from1 + 5,
	       "the call and its return are LBR_1 and LBR_0 (call %#lx -> %#lx, ret %#lx -> %#lx)",
	       from1, to1, from0, to0);
}

static void test_debugctl(const void *arg)
{
	uint64_t v = 0;
	struct fault f;

	require(perf_caps, "IA32_PERF_CAPABILITIES[5:0]: no LBR format%s",
		have_pdcm ? "" : " (CPUID.1:ECX.PDCM[15] clear)");
	f = wrmsr_safe(MSR_DEBUGCTL, DEBUGCTL_LBR);
	rdmsr_safe(MSR_DEBUGCTL, &v);
	report(!f.valid && (v & DEBUGCTL_LBR), "IA32_DEBUGCTL takes LBR[0] (%#lx)", v);
	wrmsr(MSR_DEBUGCTL, 0);
	f = wrmsr_safe(MSR_DEBUGCTL, 1ull << 2);
	report(f.valid && f.vector == 13, "a reserved IA32_DEBUGCTL bit (2) is #GP");
}

int main(int argc, char **argv)
{
	subtest("detect", test_detect, NULL);
	subtest("arch-lbr", test_arch_lbr, NULL);
	subtest("debugctl", test_debugctl, NULL);
	return 0;
}
