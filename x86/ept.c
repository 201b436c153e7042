/*
 * ept: EPT for an L2 guest of the VMX harness (SDM vol. 3C, 29.3):
 * - identity: L2 runs on an identity EPT of guest-physical [0, 4 GiB);
 * - permissions, per 4K page: read-only (a read works, a write is an EPT
 *   violation, exit 48), no access (a read exits), not executable (a
 *   fetch exits); each exit's qualification names the access (read,
 *   write, fetch), the page's permissions (readable/writable/executable)
 *   and a valid guest-linear address, and GUEST_PHYSICAL_ADDRESS and
 *   GUEST_LINEAR_ADDRESS hold the address;
 * - invept: a page remapped and INVEPT (single-context) is what L2 reads;
 * - vpid: L2 runs with a VPID; INVVPID single-context works, and with
 *   VPID 0 it fails with error 28 (invalid operand).
 * Where a defect can show: an INVEPT that flushes nothing passes on Bochs
 * 2.7 (measured: INVEPT replaced by a NOP; its TLB keeps no EPT
 * translation across VM entry), and TCG has no VMX; it needs a platform
 * that caches L2's translations, kvm_intel's nested EPT or hardware.
 * Gates: CPUID.1:ECX.VMX[5], IA32_VMX_PROCBASED_CTLS2 bits 1 (EPT) and 5
 * (VPID), IA32_VMX_EPT_VPID_CAP bits 6, 14, 20 (and 25, 32, 41).
 */
#include "vmunit.h"
#include "alloc.h"
#include "ept.h"
#include "vm.h"
#include "vmx.h"

#define MAGIC_A 0xa11ce5ull
#define MAGIC_B 0xb0b0b0ull
#define RET_INSN 0xc3

static char buf[160];
static struct ept ept;

static uint64_t l2_read(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static uint64_t l2_write(uint64_t addr)
{
	*(volatile uint64_t *)addr = MAGIC_B;
	return 1;
}

static uint64_t l2_exec(uint64_t addr)
{
	((void (*)(void))addr)();
	return 1;
}

/* An L2 guest on the EPT, fn(arg), run to its first exit. */
static bool run_on_ept(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
		       uint32_t proc2)
{
	if (!vmx_guest_init(g, fn, arg, &(struct vmx_ctls){ .proc2 = PROC2_EPT | proc2 }))
		return false;
	vmwrite(EPT_POINTER, ept_eptp(&ept));
	vmx_stop_on(g, EXIT_EPT_VIOLATION);
	vmx_run(g);
	return true;
}

static uint64_t *data_page(uint64_t v)
{
	uint64_t *p = alloc_page();

	assert(p);
	p[0] = v;
	return p;
}

static void test_identity(const void *arg)
{
	struct vmx_guest g;
	uint64_t *p = data_page(MAGIC_A);

	if (!run_on_ept(&g, l2_read, (uint64_t)p, 0))
		return;
	report(g.done && g.result == MAGIC_A, "L2 on an identity EPT reads L1's page (%s, %#lx)",
	       vmx_exit_str(&g, buf, sizeof(buf)), g.result);
}

/* An EPT violation of access on a page with permissions perm, at addr. */
static void expect_violation(struct vmx_guest *g, uint64_t addr, uint32_t access,
			     unsigned int perm, const char *what)
{
	uint32_t want = access | (perm & EPT_R ? EPTV_READABLE : 0) |
			(perm & EPT_W ? EPTV_WRITABLE : 0) | (perm & EPT_X ? EPTV_EXECUTABLE : 0) |
			EPTV_GLA_VALID;
	uint32_t mask = EPTV_READ | EPTV_WRITE | EPTV_FETCH | EPTV_READABLE | EPTV_WRITABLE |
			EPTV_EXECUTABLE | EPTV_GLA_VALID;

	report(g->entry.result == VMX_OK && g->exit_reason == EXIT_EPT_VIOLATION,
	       "%s: EPT violation, exit 48 (%s)", what, vmx_exit_str(g, buf, sizeof(buf)));
	report((g->qualification & mask) == want,
	       "%s: qualification: access, page permissions, GLA valid (%#lx, want %#x)", what,
	       g->qualification & mask, want);
	report(vmread(GUEST_PHYS_ADDR) == addr && vmread(GUEST_LINEAR_ADDR) == addr,
	       "%s: guest-physical and guest-linear address are the access's (%#lx, %#lx; "
	       "want %#lx)", what, vmread(GUEST_PHYS_ADDR), vmread(GUEST_LINEAR_ADDR), addr);
}

static void test_permissions(const void *arg)
{
	struct vmx_guest g;
	uint64_t *ro = data_page(MAGIC_A), *none = data_page(MAGIC_A);
	uint8_t *code = alloc_page();

	ept_map(&ept, (uint64_t)ro, (uint64_t)ro, EPT_R | EPT_X);
	ept_map(&ept, (uint64_t)none, (uint64_t)none, 0);
	code[0] = RET_INSN;
	protect_page(code, VM_W | VM_X);	/* executable in L1's (and L2's) page tables */
	ept_map(&ept, (uint64_t)code, (uint64_t)code, EPT_R | EPT_W);
	invept(INVEPT_SINGLE, ept_eptp(&ept));

	if (!run_on_ept(&g, l2_read, (uint64_t)ro, 0))
		return;
	report(g.done && g.result == MAGIC_A, "read-only page: L2 reads it (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
	run_on_ept(&g, l2_write, (uint64_t)ro, 0);
	expect_violation(&g, (uint64_t)ro, EPTV_WRITE, EPT_R | EPT_X, "read-only page, write");
	report(ro[0] == MAGIC_A, "... and the write did not land");
	run_on_ept(&g, l2_read, (uint64_t)none, 0);
	expect_violation(&g, (uint64_t)none, EPTV_READ, 0, "no-access page, read");
	run_on_ept(&g, l2_exec, (uint64_t)code, 0);
	expect_violation(&g, (uint64_t)code, EPTV_FETCH, EPT_R | EPT_W, "non-executable page, fetch");
	ept_map(&ept, (uint64_t)code, (uint64_t)code, EPT_RWX);
	invept(INVEPT_SINGLE, ept_eptp(&ept));
	run_on_ept(&g, l2_exec, (uint64_t)code, 0);
	report(g.done, "made executable (INVEPT): L2 runs the code there (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
}

static void test_invept(const void *arg)
{
	struct vmx_guest g;
	uint64_t *a = data_page(MAGIC_A), *b = data_page(MAGIC_B);
	struct vmx_status s;

	require(vmx_ept_vpid_cap() & (1ull << 25), "IA32_VMX_EPT_VPID_CAP bit 25 (single-context "
		"INVEPT)");
	if (!run_on_ept(&g, l2_read, (uint64_t)a, 0))
		return;
	report(g.done && g.result == MAGIC_A, "L2 reads page A (%#lx)", g.result);
	ept_map(&ept, (uint64_t)a, (uint64_t)b, EPT_RWX);
	s = invept(INVEPT_SINGLE, ept_eptp(&ept));
	report(s.result == VMX_OK, "INVEPT single-context (%s)", vmx_status_str(s, buf, sizeof(buf)));
	run_on_ept(&g, l2_read, (uint64_t)a, 0);
	report(g.done && g.result == MAGIC_B, "after the remap and INVEPT L2 reads page B (%#lx)",
	       g.result);
	ept_map(&ept, (uint64_t)a, (uint64_t)a, EPT_RWX);
	invept(INVEPT_SINGLE, ept_eptp(&ept));
}

static void test_vpid(const void *arg)
{
	struct vmx_guest g;
	struct vmx_status s;
	uint64_t cap = vmx_ept_vpid_cap();

	require(cap & (1ull << 32) && cap & (1ull << 41),
		"IA32_VMX_EPT_VPID_CAP bits 32 and 41 (INVVPID, single-context)");
	if (!vmx_guest_init(&g, l2_read, (uint64_t)data_page(MAGIC_A),
			    &(struct vmx_ctls){ .proc2 = PROC2_EPT | PROC2_VPID }))
		return;
	vmwrite(EPT_POINTER, ept_eptp(&ept));
	vmwrite(VPID, 1);
	vmx_run(&g);
	report(g.done && g.result == MAGIC_A, "L2 runs with VPID 1 (%s)",
	       vmx_exit_str(&g, buf, sizeof(buf)));
	s = invvpid(INVVPID_SINGLE, 1, 0);
	report(s.result == VMX_OK, "INVVPID single-context, VPID 1 (%s)",
	       vmx_status_str(s, buf, sizeof(buf)));
	s = invvpid(INVVPID_SINGLE, 0, 0);
	report(s.result == VMX_FAIL_VALID && s.error == 28,
	       "INVVPID single-context with VPID 0: error 28 (%s)",
	       vmx_status_str(s, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	if (!vmx_start(&(struct vmx_ctls){ .proc2 = PROC2_EPT }))
		return 0;
	report_info("IA32_VMX_EPT_VPID_CAP %#lx", vmx_ept_vpid_cap());
	ept_identity(&ept, 4ull << 30);
	subtest("identity", test_identity, NULL);
	subtest("permissions", test_permissions, NULL);
	subtest("invept", test_invept, NULL);
	subtest("vpid", test_vpid, NULL);
	vmx_off();
	return 0;
}
