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
 *   #GP.
 * - legacy (an LBR format 1-7, no architectural LBR): the model-specific
 *   stack, its depth and MSRs (MSR_LASTBRANCH_x_FROM_IP/TO_IP at 0x40/0x60
 *   or 0x680/0x6c0) from the SDM's table of LBR stack sizes by
 *   DisplayFamily_DisplayModel (vol. 3B, "Last Branch Recording"; KVM
 *   offers a guest LBR only on the host's own model); its deepest entry
 *   reads; with DEBUGCTL.LBR set around one JMP (lib/x86/lbr.h), the entry
 *   MSR_LASTBRANCH_TOS (0x1c9) points at holds that JMP's from and to, as
 *   the format lays them out (flags in FROM[63] for formats 3 and 6,
 *   FROM[63:61] for 4; a cycle count in TO[63:48] for 6); with
 *   DEBUGCTL.LBR clear again, later calls leave TOS and the entry alone.
 * QEMU TCG and this project's KVM host have no PDCM and no architectural
 * LBR: SKIP naming those bits; Bochs 2.7 has no LBR MSR (SKIP naming the
 * LBR format).  Nothing here has a legacy LBR stack: the legacy subtest
 * follows the SDM but has run nowhere yet.
 */
#include "vmunit.h"
#include "cpuid.h"
#include "lbr.h"
#include "processor.h"
#include "safe.h"

#define MSR_PERF_CAPABILITIES	0x345
#define MSR_LBR_TOS		0x1c9
#define MSR_LBR_CTL		0x14ce
#define MSR_LBR_DEPTH		0x14cf
#define MSR_LBR_FROM(x)		(0x1500 + (x))
#define MSR_LBR_TO(x)		(0x1600 + (x))
#define LBR_CTL_EN		(1ull << 0)
#define LBR_CTL_OS		(1ull << 1)
#define LBR_CTL_BRANCHES	(0x7full << 16)	/* COND ... OTHER_BRANCH */

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

/* The SDM's LBR stack sizes (vol. 3B, table "LBR Stack Size and TOS Pointer Range"), family 6. */
static const struct lbr_stack {
	const char *name;
	unsigned int depth, from, to;
	uint8_t models[8];
} lbr_stacks[] = {
	{ "Core 2", 4, 0x40, 0x60, { 0x0f, 0x16, 0x17, 0x1d } },
	{ "Atom", 8, 0x40, 0x60, { 0x1c, 0x26, 0x27, 0x35, 0x36 } },
	{ "Silvermont/Airmont", 8, 0x40, 0x60, { 0x37, 0x4a, 0x4c, 0x4d, 0x5a, 0x5d } },
	{ "Knights Landing/Mill", 8, 0x680, 0x6c0, { 0x57, 0x85 } },
	{ "Nehalem/Westmere", 16, 0x680, 0x6c0, { 0x1a, 0x1e, 0x1f, 0x2e, 0x25, 0x2c, 0x2f } },
	{ "Sandy/Ivy Bridge", 16, 0x680, 0x6c0, { 0x2a, 0x2d, 0x3a, 0x3e } },
	{ "Haswell/Broadwell", 16, 0x680, 0x6c0, { 0x3c, 0x3f, 0x45, 0x46, 0x3d, 0x47, 0x4f, 0x56 } },
	{ "Skylake/Kaby Lake", 32, 0x680, 0x6c0, { 0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0xa5, 0xa6, 0x66 } },
	{ "Ice/Tiger/Rocket Lake", 32, 0x680, 0x6c0, { 0x7d, 0x7e, 0x6a, 0x6c, 0x8c, 0x8d, 0xa7 } },
	{ "Goldmont (Plus)", 32, 0x680, 0x6c0, { 0x5c, 0x5f, 0x7a } },
};

static const struct lbr_stack *lbr_stack(unsigned int family, unsigned int model)
{
	for (unsigned int i = 0; family == 6 && i < ARRAY_SIZE(lbr_stacks); i++)
		for (unsigned int m = 0; m < 8 && lbr_stacks[i].models[m]; m++)
			if (lbr_stacks[i].models[m] == model)
				return &lbr_stacks[i];
	return NULL;
}

/* The address in a FROM/TO record of this LBR format (our code is in the low half: no sign bits). */
static uint64_t lbr_addr(uint64_t v, bool from)
{
	if (from && (perf_caps == 3 || perf_caps == 6))
		return v & ~(1ull << 63);		/* MISPRED */
	if (from && perf_caps == 4)
		return v & ~(7ull << 61);		/* MISPRED, IN_TSX, TSX_ABORT */
	if (!from && perf_caps == 6)
		return v & ((1ull << 48) - 1);		/* cycle count in [63:48] */
	return v;
}

static void test_legacy(const void *arg)
{
	uint32_t sig = cpuid_raw(1, 0).a;
	unsigned int family = sig >> 8 & 0xf, model = sig >> 4 & 0xf;
	const struct lbr_stack *s;
	uint64_t tos, from = 0, to = 0, v, tos2, from2 = 0, to2 = 0;
	struct fault f, g;
	bool ok;

	require(perf_caps, "IA32_PERF_CAPABILITIES[5:0]: no LBR format%s",
		have_pdcm ? "" : " (CPUID.1:ECX.PDCM[15] clear)");
	require(!have_arch_lbr, "CPUID.0x7.0:EDX.ARCH_LBR[19]: architectural LBR instead");
	require(perf_caps <= 7, "IA32_PERF_CAPABILITIES[5:0] = %u: an LBR format not decoded here",
		perf_caps);
	if (family == 6 || family == 0xf)
		model |= (sig >> 16 & 0xf) << 4;
	if (family == 0xf)
		family += sig >> 20 & 0xff;
	s = lbr_stack(family, model);
	require(s, "DisplayFamily_DisplayModel %02X_%02XH: not in the SDM's LBR stack table",
		family, model);
	report_info("%s: %u entries, FROM %#x, TO %#x, LBR format %u", s->name, s->depth, s->from,
		    s->to, perf_caps);
	f = rdmsr_safe(s->from + s->depth - 1, &v);
	g = rdmsr_safe(s->to + s->depth - 1, &v);
	report(!f.valid && !g.valid, "the stack's deepest entry reads (FROM/TO %u)", s->depth - 1);
	f = wrmsr_safe(MSR_DEBUGCTL, DEBUGCTL_LBR);
	if (!report(!f.valid, "IA32_DEBUGCTL takes LBR[0] (%s)", f.valid ? "faults" : "no fault"))
		return;
	lbr_jump(0, DEBUGCTL_LBR, 0);
	tos = rdmsr(MSR_LBR_TOS) & (s->depth - 1);
	rdmsr_safe(s->from + tos, &from);
	rdmsr_safe(s->to + tos, &to);
	ok = report(lbr_addr(from, true) == lbr_from[0] && lbr_addr(to, false) == lbr_to[0],
		    "the TOS entry is the JMP (TOS %lu: %#lx -> %#lx, want %#lx -> %#lx)", tos, from,
		    to, lbr_from[0], lbr_to[0]);
	for (int i = 0; i < 4; i++)
		v = callee((int)v);
	tos2 = rdmsr(MSR_LBR_TOS) & (s->depth - 1);
	rdmsr_safe(s->from + tos, &from2);
	rdmsr_safe(s->to + tos, &to2);
	report(ok && tos2 == tos && from2 == from && to2 == to,
	       "DEBUGCTL.LBR clear: later calls are not recorded (TOS %lu, %#lx -> %#lx)", tos2,
	       from2, to2);
}

int main(int argc, char **argv)
{
	subtest("detect", test_detect, NULL);
	subtest("arch-lbr", test_arch_lbr, NULL);
	subtest("debugctl", test_debugctl, NULL);
	subtest("legacy", test_legacy, NULL);
	return 0;
}
