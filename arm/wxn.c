/*
 * wxn: the W^X control the "Running the EL2 nVHE code with WXN" series
 * relies on, SCTLR_ELx.WXN (ARM ARM D8.4, "Execute-never controls").
 *
 * With WXN set, memory writable at the current EL is execute-never there:
 * a fetch from a page mapped RWX takes a permission instruction abort,
 * while RX pages still execute and RW pages stay writable.  WXN may be
 * cached in the TLB, so each change is followed by TLB invalidation; the
 * test asserts the state after it.  Independently of WXN, memory writable
 * at EL0 is never executable at EL1 (or EL2).  Runs at EL1, or at EL2 with
 * virtualization=on: "el2" (VHE host mode) or "el2-nvhe" (HCR_EL2.E2H
 * clear, the regime of KVM's nVHE hyp code), both on SCTLR_EL2.WXN.
 * Needs nothing optional.
 */
#include "vmunit.h"
#include "pgtable.h"
#include "processor.h"
#include "vm.h"

#define RET 0xd65f03c0u

static uint32_t *code;

static void set_wxn(bool on)
{
	uint64_t sctlr = sctlr_read();

	sctlr_write(on ? sctlr | SCTLR_WXN : sctlr & ~SCTLR_WXN);
	flush_tlb();
}

static const struct wxn_case {
	const char *name;
	unsigned int flags;	/* VM_* mapping of the code page */
	bool wxn;
	bool faults;		/* expect a permission instruction abort */
} cases[] = {
	{ "RWX page, WXN clear: executes", VM_W | VM_X, false, false },
	{ "RWX page, WXN set: instruction abort", VM_W | VM_X, true, true },
	{ "RX page, WXN set: executes", VM_X, true, false },
	{ "RWX page, WXN cleared again: executes", VM_W | VM_X, false, false },
	{ "EL0-writable page, WXN clear: not executable here",
	  VM_USER | VM_W | VM_X, false, true },
	{ "EL0-writable page, WXN set: not executable here",
	  VM_USER | VM_W | VM_X, true, true },
	{ "EL0 read-only executable page, WXN set: executes", VM_USER | VM_X, true, false },
};

static void test_exec(const void *arg)
{
	const struct wxn_case *c = arg;
	struct fault f;
	char got[96];
	bool ok;

	require(!(c->flags & VM_USER) || !el2_nvhe(),
		"%s: the EL2 regime with HCR_EL2.E2H clear has no EL0", c->name);
	protect_page(code, c->flags);
	set_wxn(c->wxn);
	f = exec_safe(code);
	set_wxn(false);
	if (c->faults)
		ok = f.valid && f.vector == EC_IABT_CUR &&
		     FSC_TYPE(ESR_FSC(f.code)) == FSC_PERMISSION && f.addr == (uint64_t)code;
	else
		ok = !f.valid;
	report(ok, "%s (got %s)", c->name, fault_str(f, got, sizeof(got)));
}

static void test_write(const void *arg)
{
	volatile uint64_t *data = alloc_page();
	struct fault f;
	uint64_t val = 0;
	char got[96];

	protect_page((void *)data, VM_W);
	set_wxn(true);
	f = store_safe(data, 0x5a5a);
	if (!f.valid)
		load_safe(data, &val);
	set_wxn(false);
	report(!f.valid && val == 0x5a5a, "RW page stays writable with WXN set (got %s, %#lx)",
	       fault_str(f, got, sizeof(got)), val);
	free_page((void *)data);
}

int main(int argc, char **argv)
{
	code = alloc_page();
	code[0] = RET;
	asm volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" : : "r"(code) : "memory");
	report_info("running at EL%u", current_el());
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		subtest("exec", test_exec, &cases[i]);
	subtest("write", test_write, NULL);
	return 0;
}
