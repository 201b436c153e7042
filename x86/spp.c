/*
 * spp: EPT-based sub-page write permissions (SDM vol. 3C, EPT chapter,
 * "Sub-Page Write Permissions"), the feature of the "Enable Sub-page
 * Write Protection Support" series, under the VMX harness.
 *
 * A 4K page whose EPT entry is not writable but has bit 61 (SPP) set takes
 * its write permission per 128-byte sub-page from the SPP table (SPPTP,
 * VMCS 0x2030): a 4-level table indexed like the EPT, non-leaf entries
 * valid in bit 0, the leaf's bit 2i the write permission of sub-page i.
 * - a write to a permitted sub-page lands, with no exit; a write to a
 *   protected one is an EPT violation (exit 48: write, not writable, the
 *   address) and does not land; reads are never affected;
 * - a write to a permitted and then to a protected sub-page of the same
 *   page in one run still exits at the second (no permission cached for
 *   the whole page);
 * - changing the sub-page bits and INVEPT makes the change visible;
 * - a non-present non-leaf SPPT entry is an SPPT miss, one with reserved
 *   bits a misconfiguration: exit 66 (SPP-related event), qualification
 *   bit 11 set for the miss and clear for the misconfiguration;
 * - a page without bit 61 keeps plain EPT write protection;
 * - VM entry with an SPPTP that is not page aligned fails: VMfailValid
 *   error 7 (invalid control fields).
 * Bochs 2.7 deviation, XFAIL under vmunit.vmm=bochs only with exactly
 * that symptom: after a permitted write its TLB entry makes the whole page
 * writable, so the second write above lands with no exit (fixed in Bochs
 * 2.8, "Fix TLB caching of SPP walked pages").
 * Gates: CPUID.1:ECX.VMX[5], IA32_VMX_PROCBASED_CTLS2 bits 1 (EPT) and 23
 * (sub-page write permissions for EPT).
 */
#include "vmunit.h"
#include "alloc.h"
#include "ept.h"
#include "start.h"
#include "vmx.h"

#define PROC2_SPP	(1u << 23)
#define EPT_SPP		(1ull << 61)
#define SPP_MISS	(1ull << 11)
#define SPPT_VALID	1ull
#define SUBPAGE		128
#define MAGIC		0x5b5b5b5bull
#define PROTECTED	1	/* sub-page 1 is write-protected, all others permitted */

static char buf[160];
static struct ept ept;
static uint64_t *sppt;		/* the SPPT root */

static uint64_t *spp_table(void)
{
	uint64_t *t = alloc_page();

	assert(t);
	return t;
}

/* The SPPT entry for gpa at level (3 = root ... 0 = the bitmap leaf). */
static uint64_t *spp_entry(uint64_t gpa, int leaf)
{
	uint64_t *t = sppt;

	for (int level = 3;; level--) {
		uint64_t *e = &t[gpa >> (12 + 9 * level) & 511];

		if (level == leaf)
			return e;
		if (!(*e & SPPT_VALID))
			*e = (uint64_t)spp_table() | SPPT_VALID;
		t = (uint64_t *)(*e & ~0xfffull);
	}
}

#define SPP_ALL 0x5555555555555555ull	/* bit 2i: sub-page i writable */

static uint64_t permit_all_but(int sub)
{
	return SPP_ALL & ~(1ull << (2 * sub));
}

/* An SPP page: EPT R+X with bit 61, and its SPPT bitmap. */
static uint64_t *spp_page(uint64_t bits)
{
	uint64_t *p = alloc_page();

	assert(p);
	for (int i = 0; i < 512; i++)
		p[i] = MAGIC;
	ept_map(&ept, (uint64_t)p, (uint64_t)p, EPT_R | EPT_X);
	*ept_pte(&ept, (uint64_t)p) |= EPT_SPP;
	*spp_entry((uint64_t)p, 0) = bits;
	return p;
}

static uint64_t at(uint64_t *page, int sub)
{
	return (uint64_t)page + sub * SUBPAGE;
}

static uint64_t l2_write(uint64_t addr)
{
	*(volatile uint64_t *)addr = 1;
	return 1;
}

static uint64_t l2_read(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

/* Permitted sub-page 0, then protected sub-page PROTECTED, of one page. */
static uint64_t l2_write_two(uint64_t page)
{
	*(volatile uint64_t *)page = 1;
	*(volatile uint64_t *)(page + PROTECTED * SUBPAGE) = 1;
	return 2;
}

static bool run(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	if (!vmx_guest_init(g, fn, arg, &(struct vmx_ctls){ .proc2 = PROC2_EPT | PROC2_SPP }))
		return false;
	vmwrite(EPT_POINTER, ept_eptp(&ept));
	vmwrite(SPPTP, (uint64_t)sppt);
	vmx_stop_on(g, EXIT_EPT_VIOLATION);
	vmx_stop_on(g, EXIT_SPP_EVENT);
	vmx_run(g);
	return true;
}

static bool write_violation(const struct vmx_guest *g, uint64_t addr)
{
	uint64_t q = g->qualification;

	return g->entry.result == VMX_OK && g->exit_reason == EXIT_EPT_VIOLATION &&
	       (q & EPTV_WRITE) && !(q & EPTV_WRITABLE) && (q & EPTV_READABLE) &&
	       vmread(GUEST_PHYS_ADDR) == addr;
}

static void test_subpages(const void *arg)
{
	uint64_t *p = spp_page(permit_all_but(PROTECTED));
	struct vmx_guest g;

	if (!run(&g, l2_write, at(p, 0)))
		return;
	report(g.done && p[0] == 1, "a write to permitted sub-page 0 lands, no exit (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
	run(&g, l2_write, at(p, PROTECTED));
	report(write_violation(&g, at(p, PROTECTED)),
	       "a write to protected sub-page %d: EPT violation, write, not writable, its "
	       "address (%s, GPA %#lx)", PROTECTED, vmx_exit_str(&g, buf, sizeof(buf)),
	       vmread(GUEST_PHYS_ADDR));
	report(p[PROTECTED * SUBPAGE / 8] == MAGIC, "... and it did not land");
	run(&g, l2_write, at(p, 31));
	report(g.done && p[31 * SUBPAGE / 8] == 1, "the last sub-page, permitted, is writable");
	run(&g, l2_read, at(p, PROTECTED));
	report(g.done && g.result == MAGIC, "reads of the protected sub-page are not affected");
}

static void test_same_page(const void *arg)
{
	uint64_t *p = spp_page(permit_all_but(PROTECTED));
	struct vmx_guest g;
	bool landed;

	if (!run(&g, l2_write_two, (uint64_t)p))
		return;
	landed = g.done && p[PROTECTED * SUBPAGE / 8] == 1;
	report_xfail(run_on_vmm("bochs") && landed, write_violation(&g, at(p, PROTECTED)),
		     "after a permitted write to sub-page 0, one to protected sub-page %d of the "
		     "same page still exits (%s%s)", PROTECTED, vmx_exit_str(&g, buf, sizeof(buf)),
		     run_on_vmm("bochs") && landed ? "; Bochs 2.7: its TLB caches the page as "
		     "writable, fixed in 2.8" : "");
}

static void test_invept(const void *arg)
{
	uint64_t *p = spp_page(permit_all_but(PROTECTED));
	struct vmx_guest g;

	if (!run(&g, l2_write, at(p, PROTECTED)))
		return;
	report(write_violation(&g, at(p, PROTECTED)), "sub-page %d protected: the write exits",
	       PROTECTED);
	*spp_entry((uint64_t)p, 0) = SPP_ALL;
	invept(INVEPT_SINGLE, ept_eptp(&ept));
	run(&g, l2_write, at(p, PROTECTED));
	report(g.done && p[PROTECTED * SUBPAGE / 8] == 1,
	       "permitted in the SPPT, then INVEPT: the write lands (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
}

/* A page in a 2M region of its own, so that its SPPT L2 entry is its own. */
static uint64_t *lone_spp_page(void)
{
	uint64_t *region = alloc_pages(9);

	assert(region);
	ept_map(&ept, (uint64_t)region, (uint64_t)region, EPT_R | EPT_X);
	*ept_pte(&ept, (uint64_t)region) |= EPT_SPP;
	return region;
}

static void test_spp_events(const void *arg)
{
	uint64_t *miss = lone_spp_page(), *bad = lone_spp_page();
	struct vmx_guest g;

	*spp_entry((uint64_t)bad, 0) = permit_all_but(PROTECTED);
	*spp_entry((uint64_t)miss, 1) = 0;		/* not present */
	*spp_entry((uint64_t)bad, 1) |= 1ull << 1;	/* a reserved bit */
	invept(INVEPT_SINGLE, ept_eptp(&ept));
	if (!run(&g, l2_write, (uint64_t)miss))
		return;
	report(g.exit_reason == EXIT_SPP_EVENT && (g.qualification & SPP_MISS) &&
	       vmread(GUEST_PHYS_ADDR) == (uint64_t)miss,
	       "SPPT miss: exit 66, qualification bit 11 set, the address (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
	run(&g, l2_write, (uint64_t)bad);
	report(g.exit_reason == EXIT_SPP_EVENT && !(g.qualification & SPP_MISS),
	       "SPPT misconfiguration (reserved bit 1): exit 66, qualification bit 11 clear (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
}

static void test_plain_ept(const void *arg)
{
	uint64_t *p = alloc_page();
	struct vmx_guest g;

	assert(p);
	ept_map(&ept, (uint64_t)p, (uint64_t)p, EPT_R | EPT_X);	/* no bit 61 */
	invept(INVEPT_SINGLE, ept_eptp(&ept));
	if (!run(&g, l2_write, (uint64_t)p))
		return;
	report(write_violation(&g, (uint64_t)p),
	       "a read-only page without bit 61: the write is a plain EPT violation (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
}

static void test_entry_check(const void *arg)
{
	struct vmx_guest g;
	if (!vmx_guest_init(&g, l2_read, 0, &(struct vmx_ctls){ .proc2 = PROC2_EPT | PROC2_SPP }))
		return;
	vmwrite(EPT_POINTER, ept_eptp(&ept));
	vmwrite(SPPTP, (uint64_t)sppt | 0x800);
	vmx_run(&g);
	report(g.entry.result == VMX_FAIL_VALID && g.entry.error == 7,
	       "SPPTP not page aligned: VM entry fails with error 7 (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	if (!vmx_start(&(struct vmx_ctls){ .proc2 = PROC2_EPT | PROC2_SPP }))
		return 0;
	ept_identity(&ept, 4ull << 30);
	sppt = spp_table();
	subtest("sub-pages", test_subpages, NULL);
	subtest("same page", test_same_page, NULL);
	subtest("invept", test_invept, NULL);
	subtest("spp events", test_spp_events, NULL);
	subtest("plain ept", test_plain_ept, NULL);
	subtest("entry check", test_entry_check, NULL);
	vmx_off();
	return 0;
}
