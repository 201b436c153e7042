/*
 * selftest: the framework checks itself from inside an arm64 guest.
 *
 * printf, the fault wrappers (undefined instruction, data abort on an
 * unmapped page and on a read-only page, instruction abort on an execute-
 * never page, each with the right ESR class and fault status), an SVC round
 * trip through an installed handler, argc/argv from /chosen/bootargs, the
 * memory size from the device tree, the allocators and the report API.
 * With a mode argument it ends fatally instead (uncaught undefined
 * instruction, failed assert, stack overflow into the guard page, no
 * checks); each has a cfg entry that expects ERROR with its reason.
 * Needs QEMU virt (or any DT machine), EL1.
 * Usage: selftest WORD alpha beta (argv; the memory size is the runner's vmunit.mem)
 *        selftest unexpected|assert|overflow|nochecks
 */
#include "vmunit.h"
#include "selftest.h"
#include "smp.h"
#include "start.h"
#include "processor.h"
#include "psci.h"
#include "traps.h"
#include "vm.h"

static void do_udf(void *arg)
{
	asm volatile("udf #0");
}

static bool abort_is(struct fault f, unsigned int ec, unsigned int fsc_type, void *addr)
{
	return f.valid && f.vector == ec && FSC_TYPE(ESR_FSC(f.code)) == fsc_type &&
	       f.addr == (uint64_t)addr;
}

static void test_faults(const void *arg)
{
	volatile uint64_t *page = alloc_page();
	uint64_t val = 0;
	struct fault f;
	char got[96];

	report_fault(call_safe(do_udf, NULL), EC_UNKNOWN, "udf raises an undefined instruction");
	report_fault(load_safe(page, &val), FAULT_NONE, "mapped load does not fault");
	*page = 0x1234;
	unmap_page((void *)page);
	/* Inside the page: FAR holds the whole address, not just its page. */
	f = load_safe(page + 37, &val);
	report(abort_is(f, EC_DABT_CUR, FSC_TRANSLATION, (void *)(page + 37)),
	       "load from an unmapped page: translation fault at the address (want %p, got %s)",
	       page + 37, fault_str(f, got, sizeof(got)));
	map_page((void *)page, (uint64_t)page, VM_W);
	protect_page((void *)page, 0);
	f = store_safe(page, 1);
	report(abort_is(f, EC_DABT_CUR, FSC_PERMISSION, (void *)page) && (f.code & ESR_WNR),
	       "store to a read-only page: permission fault, WnR (got %s)",
	       fault_str(f, got, sizeof(got)));
	f = load_safe(page, &val);
	report(!f.valid && val == 0x1234, "read-only page is still readable (%#lx)", val);
	protect_page((void *)page, VM_W);
}

static void test_exec(const void *arg)
{
	uint32_t *code = alloc_page();
	struct fault f;
	char got[96];

	code[0] = 0xd65f03c0;	/* ret */
	asm volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" : : "r"(code) : "memory");
	f = exec_safe(code);
	report(abort_is(f, EC_IABT_CUR, FSC_PERMISSION, code),
	       "heap is execute-never by default (got %s)", fault_str(f, got, sizeof(got)));
	protect_page(code, VM_X);
	report_fault(exec_safe(code), FAULT_NONE, "exec_safe runs a ret");
	protect_page(code, VM_W);
	f = exec_safe(code);
	report(abort_is(f, EC_IABT_CUR, FSC_PERMISSION, code),
	       "fetch from an execute-never page: instruction abort (got %s)",
	       fault_str(f, got, sizeof(got)));
	free_page(code);
}

static void svc_handler(struct ex_regs *r)
{
	r->x[0] = r->x[0] * 2 + ESR_ISS(r->esr);
}

static uint64_t svc2(uint64_t arg)
{
	register uint64_t x0 asm("x0") = arg;

	asm volatile("svc #2" : "+r"(x0) : : "memory");
	return x0;
}

static void test_svc(const void *arg)
{
	exception_handler_t old = handle_exception(EC_SVC64, svc_handler);
	uint64_t got = svc2(20);

	handle_exception(EC_SVC64, old);
	report(got == 42, "SVC #2 reaches the handler and returns (x0 %lu, want 42)", got);
}

struct args {
	int argc;
	char **argv;
};

static void test_args(const void *arg)
{
	const struct args *a = arg;

	report(a->argc >= 4 && !strcmp(a->argv[2], "alpha") && !strcmp(a->argv[3], "beta"),
	       "argv[2..3] are alpha beta (argc %d)", a->argc);
	report(a->argv[a->argc] == NULL, "argv[argc] is NULL");
}

static void test_alloc(const void *arg)
{
	extern char _end[];
	uint64_t mib, avail, ram_base = 0x40000000;
	size_t free0 = page_free_count();

	mib = run_memory_mib();
	/* Free: _end to the top of RAM, less allocator metadata and the page
	 * tables of RAM (one per 2 MiB). */
	avail = (ram_base + (mib << 20) - (uintptr_t)_end) / PAGE_SIZE;
	if (!mib)
		report_skip("free pages: needs vmunit.mem=<MiB> (the runner gives it)");
	else
		report(free0 <= avail && free0 + mib / 2 + 64 > avail,
		       "device-tree memory: the free pages fit -m (%zu, want at most %lu for "
		       "-m %lu)", free0, avail, mib);
	selftest_alloc_basics(free0);
}

static uint64_t mpidr_aff(void)
{
	return read_sysreg(mpidr_el1) & 0xff00ffffffull;
}

static void test_smp(const void *arg)
{
	selftest_smp(mpidr_aff);
}

static void raise_udf(void)
{
	report_pass("about to execute an undefined instruction");
	asm volatile("udf #1");
}

/*
 * "from-el2": the run gave the payload EL2 and the boot dropped to EL1;
 * prove that it really was entered at EL2, or SKIP naming the gate.
 */
static void test_from_el2(const void *arg)
{
	require(ID_FIELD(read_sysreg(id_aa64pfr0_el1), 8),
		"ID_AA64PFR0_EL1.EL2 is 0 (QEMU: -machine virtualization=on)");
	report(boot_el() == 2, "entered at EL2 (CurrentEL at entry: EL%u)", boot_el());
	report(current_el() == 1, "runs at EL1 after the drop (EL%u)", current_el());
	report(psci_uses_smc(), "PSCI through SMC, as the device tree says with EL2");
}

static bool has_arg(int argc, char **argv, const char *word)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], word))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (argc > 1 && selftest_fatal(argv[1], raise_udf))
		return 0;
	if (has_arg(argc, argv, "from-el2"))
		subtest("from EL2", test_from_el2, NULL);
	subtest("printf", selftest_printf, NULL);
	subtest("faults", test_faults, NULL);
	subtest("exec", test_exec, NULL);
	subtest("svc", test_svc, NULL);
	subtest("argv", test_args, &(struct args){ argc, argv });
	subtest("alloc", test_alloc, NULL);
	subtest("memory", selftest_memory, NULL);
	subtest("alias", selftest_alias, NULL);
	subtest("smp", test_smp, NULL);
	return 0;
}
