/*
 * sev-es: what an SEV guest can check of SEV and SEV-ES ("x86/seves:
 * Support 32-bit boot path and other updates"; AMD APM vol. 2, 15.34 and
 * the GHCB specification):
 * - detect: CPUID 0x8000001F read only when 0x80000000.EAX reaches it; SEV
 *   (EAX[1]), SEV-ES (EAX[3]) and the C-bit position (EBX[5:0]) named;
 *   SEV_STATUS (MSR 0xc0010131) read only when SEV is reported;
 * - ghcb (SEV_STATUS.SEV_ES[1]): the GHCB MSR protocol's SEV information
 *   gives the C-bit CPUID gives, and a CPUID through it (lib/x86/ghcb.h)
 *   names AMD.
 * The protocol logic is also tested on the host against a model of the
 * hypervisor (tests/lib-ghcb-test.c).  Not done: the boot itself is not
 * SEV-ES-aware (no C-bit in the page tables, no #VC handler in the 32-bit
 * entry), so on SEV-ES hardware this payload would not reach main();
 * elsewhere (QEMU TCG, Bochs) it SKIPs naming CPUID 0x8000001F:EAX[3].
 */
#include "vmunit.h"
#include "cpuid.h"
#include "ghcb.h"
#include "processor.h"
#include "safe.h"
#include "string.h"

#define MSR_SEV_STATUS	0xc0010131
#define SEV_STATUS_SEV	(1ull << 0)
#define SEV_STATUS_ES	(1ull << 1)

static struct cpuid leaf;
static uint64_t status;

static void test_detect(const void *arg)
{
	uint32_t max = cpuid_raw(0x80000000, 0).a;

	require(max >= 0x8000001f, "CPUID 0x80000000.EAX: max extended leaf %#x is below 0x8000001F",
		max);
	leaf = cpuid_raw(0x8000001f, 0);
	report_info("CPUID 0x8000001F: SEV %u, SEV-ES %u, C-bit %u", leaf.a >> 1 & 1,
		    leaf.a >> 3 & 1, leaf.b & 0x3f);
	require(leaf.a >> 1 & 1, "CPUID 0x8000001F:EAX.SEV[1]");
	report(!rdmsr_safe(MSR_SEV_STATUS, &status).valid, "SEV_STATUS reads (%#lx)", status);
	report((leaf.b & 0x3f) >= 32 && (leaf.b & 0x3f) <= 63,
	       "the C-bit position is a physical-address bit (%u)", leaf.b & 0x3f);
}

static void test_ghcb(const void *arg)
{
	struct ghcb_sev_info info = { 0 };
	uint32_t regs[4] = { 0 };
	char vendor[13];

	require(leaf.a >> 3 & 1, "CPUID 0x8000001F:EAX.SEV_ES[3]");
	require(status & SEV_STATUS_ES, "SEV_STATUS.SEV_ES[1]: not an SEV-ES guest");
	report(!ghcb_sev_info(&ghcb_hw, &info) && info.cbit == (leaf.b & 0x3f),
	       "GHCB SEV information: the C-bit CPUID gives (%u)", info.cbit);
	report(!ghcb_cpuid(&ghcb_hw, 0, regs), "CPUID 0 through the GHCB MSR protocol");
	memcpy(vendor, &regs[1], 4);
	memcpy(vendor + 4, &regs[3], 4);
	memcpy(vendor + 8, &regs[2], 4);
	vendor[12] = '\0';
	report(!strcmp(vendor, "AuthenticAMD"), "... names AMD (\"%s\")", vendor);
}

int main(int argc, char **argv)
{
	subtest("detect", test_detect, NULL);
	subtest("ghcb", test_ghcb, NULL);
	return 0;
}
