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
 * - cbit (SEV_STATUS.SEV[0]): the boot (x86/cstart64.S, whose 32-bit
 *   entry serves CPUID #VCs through the GHCB MSR protocol) put the C-bit
 *   CPUID names into the page tables: sev_cbit_mask is that bit, and the
 *   entries mapping this code and a page allocated now have it.
 * - string (SEV_STATUS.SEV_ES[1]): string port I/O through #VC and the
 *   GHCB's shared buffer (lib/x86/vc.h): REP OUTSB to the COM1 UART's
 *   scratch register (0x3ff) leaves the last byte sent, REP INSB reads it
 *   back; forwards, backwards (DF=1) and more than one buffer's worth,
 *   with RCX, RSI/RDI and the bytes around the destination checked.
 * The protocol logic is also tested on the host against a model of the
 * hypervisor (tests/lib-ghcb-test.c, tests/lib-vc-test.c).  The 64-bit
 * side serves port I/O and CPUID by #VC (lib/x86/sev.h) on CPU 0 only.
 * Boot with boot = efi (OVMF) and -machine confidential-guest-support on
 * KVM (cfg entry sev-es-kvm); elsewhere (QEMU TCG, Bochs) it SKIPs naming
 * CPUID 0x8000001F:EAX[1] or [3].
 */
#include "vmunit.h"
#include "cpuid.h"
#include "ghcb.h"
#include "alloc.h"
#include "pgtable.h"
#include "processor.h"
#include "safe.h"
#include "sev.h"
#include "string.h"

#define UART_SCRATCH	0x3ff	/* COM1 + 7 */

static struct cpuid leaf;
static uint64_t status;

static void test_detect(const void *arg)
{
	uint32_t max = cpuid_raw(0x80000000, 0).a;
	struct fault f;
	bool bochs;

	require(max >= 0x8000001f, "CPUID 0x80000000.EAX: max extended leaf %#x is below 0x8000001F",
		max);
	leaf = cpuid_raw(0x8000001f, 0);
	report_info("CPUID 0x8000001F: SEV %u, SEV-ES %u, C-bit %u", leaf.a >> 1 & 1,
		    leaf.a >> 3 & 1, leaf.b & 0x3f);
	require(leaf.a >> 1 & 1, "CPUID 0x8000001F:EAX.SEV[1]");
	f = rdmsr_safe(MSR_SEV_STATUS, &status);
	bochs = bochs_lacks_msr(f);
	/* Bochs 2.7's ryzen reports SEV (its model's CPUID) without the MSR. */
	report_xfail(bochs, !f.valid, "SEV_STATUS reads (%#lx)%s", status,
		     bochs ? "; Bochs 2.7: SEV reported, no MSR 0xc0010131 (#GP)" : "");
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

static void test_cbit(const void *arg)
{
	uint64_t bit = 1ull << (leaf.b & 0x3f), *code = get_pte((void *)test_cbit), *page;
	void *p;

	require(status & SEV_STATUS_SEV, "SEV_STATUS.SEV[0]: not an SEV guest");
	report(sev_cbit_mask == bit, "the boot found the C-bit (mask %#lx, want %#lx)",
	       sev_cbit_mask, bit);
	report(code && (*code & bit), "the PTE mapping this code has it (%#lx)", code ? *code : 0);
	p = alloc_page();
	page = p ? get_pte(p) : NULL;
	report(page && (*page & bit), "so does a page allocated now (%#lx)", page ? *page : 0);
	free_page(p);
}

/* REP OUTSB/INSB of n bytes at p through port; RFLAGS.DF = df. */
static void rep_outsb(const uint8_t **p, uint64_t *n, bool df)
{
	asm volatile("cmp $0, %[df]; je 1f; std; 1: rep outsb; cld"
		     : "+S"(*p), "+c"(*n) : "d"(UART_SCRATCH), [df] "r"((int)df) : "memory", "cc");
}

static void rep_insb(uint8_t **p, uint64_t *n, bool df)
{
	asm volatile("cmp $0, %[df]; je 1f; std; 1: rep insb; cld"
		     : "+D"(*p), "+c"(*n) : "d"(UART_SCRATCH), [df] "r"((int)df) : "memory", "cc");
}

/*
 * Send n bytes (the last one sent: last), read k back into the middle of
 * a zeroed buffer; each direction with DF as given.
 */
static void string_case(const char *name, uint64_t n, uint64_t k, bool df)
{
	static uint8_t src[5000], dst[5000 + 64];
	const uint8_t *s = df ? &src[n - 1] : src, *s_end = df ? src - 1 : src + n;
	uint8_t *d = df ? &dst[32 + k - 1] : &dst[32], *d_end = df ? &dst[31] : &dst[32 + k];
	uint8_t last = df ? 0xa5 : 0x5a;
	uint64_t cnt = n, bad = 0;

	report_prefix_push(name);
	for (uint64_t i = 0; i < n; i++)
		src[i] = i * 13 + 1;
	src[df ? 0 : n - 1] = last;
	memset(dst, 0, sizeof(dst));
	rep_outsb(&s, &cnt, df);
	report(!cnt && s == s_end, "REP OUTSB of %lu: RCX %lu, RSI %+ld from the end", n, cnt,
	       (long)(s - s_end));
	cnt = k;
	rep_insb(&d, &cnt, df);
	report(!cnt && d == d_end, "REP INSB of %lu: RCX %lu, RDI %+ld from the end", k, cnt,
	       (long)(d - d_end));
	for (uint64_t i = 0; i < sizeof(dst); i++)
		bad += dst[i] != (i >= 32 && i < 32 + k ? last : 0);
	report(!bad, "the scratch register's last byte %#x read %lu times, nothing around (%lu wrong)",
	       last, k, bad);
	report_prefix_pop();
}

static void test_string(const void *arg)
{
	require(leaf.a >> 3 & 1, "CPUID 0x8000001F:EAX.SEV_ES[3]");
	require(status & SEV_STATUS_ES, "SEV_STATUS.SEV_ES[1]: not an SEV-ES guest");
	string_case("forwards", 7, 5, false);
	string_case("backwards", 7, 5, true);
	string_case("chunked", 5000, 3000, false);	/* the shared buffer is 2032 */
}

int main(int argc, char **argv)
{
	subtest("detect", test_detect, NULL);
	subtest("ghcb", test_ghcb, NULL);
	subtest("cbit", test_cbit, NULL);
	subtest("string", test_string, NULL);
	return 0;
}
