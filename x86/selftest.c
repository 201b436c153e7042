/*
 * selftest: the framework checks itself from inside the guest.
 *
 * printf formatting, the fault wrappers (each must catch the right vector
 * and error code: #DE, #UD, #BP, #GP, #PF; the CR and MSR wrappers with
 * faults QEMU TCG emulates), the page-table helpers,
 * argc/argv and the multiboot memory size, the allocators and the report
 * API.  With the argument "unexpected" it raises an uncaught #UD instead:
 * the cfg entry that does so expects ERROR.  Needs only a 64-bit CPU.
 * Usage: selftest mem=<MiB given to -m> [args...] | selftest unexpected
 */
#include "vmunit.h"
#include "cpuid.h"
#include "processor.h"
#include "safe.h"
#include "vm.h"

#define NONCANONICAL ((void *)0x8000000000000000ull)

static char scratch[64];

static bool printf_is(const char *want, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(scratch, sizeof(scratch), fmt, ap);
	va_end(ap);
	return report(!strcmp(scratch, want) && n == (int)strlen(want),
		      "printf \"%s\" (got \"%s\", want \"%s\")", fmt, scratch, want);
}

static void test_printf(void)
{
	report_prefix_push("printf");
	printf_is("-42 42 2a 2A", "%d %u %x %X", -42, 42u, 42, 42);
	printf_is("ffffffffffffffff", "%lx", ~0ul);
	printf_is("1234567890123", "%llu", 1234567890123ull);
	printf_is("[   7][7   ][007]", "[%4d][%-4d][%03d]", 7, 7, 7);
	printf_is("0x1f 017", "%#x %#o", 31, 15);
	printf_is("[abc][  ab]", "[%.3s][%4.2s]", "abcdef", "abcdef");
	printf_is("0x1000 c %", "%p %c %%", (void *)0x1000, 'c');
	printf_is("(null)", "%s", (char *)NULL);
	report_prefix_pop();
}

static void do_ud2(void *arg)
{
	asm volatile("ud2");
}

static void do_int3(void *arg)
{
	asm volatile("int3");
}

static void do_divide(void *arg)
{
	volatile unsigned int zero = 0, one = 1;

	*(unsigned int *)arg = one / zero;
}

static void test_faults(void)
{
	unsigned int sink;
	uint64_t val = 0;
	struct fault f;

	report_prefix_push("faults");
	f = call_safe(do_divide, &sink);
	report(f.valid && f.vector == DE_VECTOR,
	       "#DE (vector 0) is a valid fault (valid %d vector %u)", f.valid, f.vector);
	report_fault(call_safe(do_ud2, NULL), UD_VECTOR, "ud2 raises #UD");
	report_fault(call_safe(do_int3, NULL), BP_VECTOR, "int3 raises #BP");
	f = load_safe(NONCANONICAL, &val);
	report_fault(f, GP_VECTOR, "non-canonical load raises #GP");
	report(f.code == 0, "non-canonical #GP error code is 0 (got %#lx)", f.code);
	report_fault(store_safe(NONCANONICAL, 1), GP_VECTOR,
		     "non-canonical store raises #GP");
	report_fault(load_safe(&sink, &val), FAULT_NONE, "mapped load does not fault");
	report_fault(call_safe(do_ud2, NULL), UD_VECTOR,
		     "call_safe works again after a caught fault");
	report_prefix_pop();
}

static void test_cr_msr_wrappers(void)
{
	uint64_t cr0 = read_cr0(), efer = 0;
	struct fault f;
	char got[48];

	report_prefix_push("cr/msr wrappers");
	report_fault(write_cr0_safe(cr0), FAULT_NONE, "write_cr0_safe(current CR0)");
	report_fault(write_cr3_safe(read_cr3()), FAULT_NONE, "write_cr3_safe(current CR3)");
	report_fault(write_cr4_safe(read_cr4()), FAULT_NONE, "write_cr4_safe(current CR4)");
	f = rdmsr_safe(MSR_EFER, &efer);
	report(!f.valid && efer == rdmsr(MSR_EFER), "rdmsr_safe(EFER) reads %#lx", efer);
	f = write_cr0_safe(cr0 | 1ull << 32);
	if (!f.valid)
		write_cr0(cr0);
	report_tcg_gap(f.valid && f.vector == GP_VECTOR, "CR0[32] set raises #GP (got %s)",
		       fault_str(f, got, sizeof(got)));
	if (arch_is_tcg()) {
		report_skip("reserved CR3/CR4 bits: they hang the vCPU on QEMU TCG "
			    "(CPUID.0x40000000 signature TCGTCGTCGTCG)");
	} else {
		report_fault(write_cr3_safe(read_cr3() | 1ull << 60), GP_VECTOR,
			     "CR3[60] set raises #GP");
		report_fault(write_cr4_safe(read_cr4() | 1ull << 63), GP_VECTOR,
			     "CR4[63] set raises #GP");
	}
	if (cpu_has(X86_FEATURE_X2APIC) && !(rdmsr(MSR_IA32_APICBASE) & 1u << 10)) {
		report_fault(rdmsr_safe(0x802, &efer), GP_VECTOR,
			     "rdmsr_safe: x2APIC ID MSR in xAPIC mode raises #GP");
		report_fault(wrmsr_safe(0x808, 0), GP_VECTOR,
			     "wrmsr_safe: x2APIC TPR MSR in xAPIC mode raises #GP");
	} else {
		report_skip("rdmsr_safe/wrmsr_safe #GP: needs %s in xAPIC mode",
			    cpu_feature_gate(X86_FEATURE_X2APIC));
	}
	report_prefix_pop();
}

static void test_page_faults(void)
{
	volatile uint64_t *page = alloc_page();
	uint64_t val = 0;
	struct fault f;

	report_prefix_push("page faults");
	*page = 0x1234;
	unmap_page((void *)page);
	f = load_safe(page, &val);
	report_fault(f, PF_VECTOR, "load from a not-present page");
	report(f.code == 0 && f.addr == (uint64_t)page,
	       "not-present read: error code %#lx (want 0), CR2 %#lx (want %p)",
	       f.code, f.addr, page);

	map_page((void *)page, (uint64_t)page, PTE_W);
	report(*page == 0x1234, "remapped page keeps its data");
	protect_page((void *)page, 0);
	f = store_safe(page, 1);
	report_fault(f, PF_VECTOR, "store to a read-only page (CR0.WP=1)");
	report(f.code == (PFERR_PRESENT | PFERR_WRITE) && f.addr == (uint64_t)page,
	       "read-only write: error code %#lx (want %#x), CR2 %#lx",
	       f.code, PFERR_PRESENT | PFERR_WRITE, f.addr);
	f = load_safe(page, &val);
	report(!f.valid && val == 0x1234, "read-only page is still readable (%#lx)", val);

	protect_page((void *)page, PTE_W);
	report_prefix_pop();
}

static void test_exec(void)
{
	uint8_t *code = alloc_page();
	struct fault f;

	report_prefix_push("exec");
	code[0] = 0xc3;		/* ret */
	report_fault(exec_safe(code), FAULT_NONE, "exec_safe runs a ret");
	code[0] = 0x0f, code[1] = 0x0b;	/* ud2 */
	report_fault(exec_safe(code), UD_VECTOR, "exec_safe catches #UD in callee");
	if (cpu_has(X86_FEATURE_NX)) {
		code[0] = 0xc3;
		protect_page(code, PTE_W | PTE_NX);
		f = exec_safe(code);
		report(f.valid && f.vector == PF_VECTOR &&
		       f.code == (PFERR_PRESENT | PFERR_FETCH) && f.addr == (uint64_t)code,
		       "fetch from an NX page: #PF error code %#lx (want %#x)",
		       f.code, PFERR_PRESENT | PFERR_FETCH);
		protect_page(code, PTE_W);
	} else {
		report_skip("fetch from an NX page: %s", cpu_feature_gate(X86_FEATURE_NX));
	}
	free_page(code);
	report_prefix_pop();
}

static void test_args(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	report_prefix_push("argv");
	base = base ? base + 1 : argv[0];
	report(!strcmp(base, "selftest.elf"), "argv[0] names the payload (%s)", argv[0]);
	report(argc == 4 && !strcmp(argv[2], "alpha") && !strcmp(argv[3], "beta"),
	       "argc %d, argv[2..3] are alpha beta", argc);
	report(argv[argc] == NULL, "argv[argc] is NULL");
	report_prefix_pop();
}

static void test_alloc(const char *mem_arg)
{
	size_t free0 = page_free_count();
	unsigned long mib = strtoul(mem_arg + 4, NULL, 0);
	uint8_t *p, *q, *big;
	void *m[8];
	bool ok = true;

	report_prefix_push("alloc");
	/* Everything but the low 1 MiB and the payload is free at start. */
	report(free0 * PAGE_SIZE > (mib - 2) << 20 && free0 * PAGE_SIZE < mib << 20,
	       "multiboot memory: %zu free pages for -m %lu", free0, mib);
	p = alloc_page();
	q = alloc_page();
	report(p && q && p != q && !((uintptr_t)p & 4095) && !((uintptr_t)q & 4095),
	       "two aligned distinct pages (%p %p)", p, q);
	report(page_free_count() == free0 - 2, "free count drops by 2");
	for (unsigned int i = 0; i < PAGE_SIZE && ok; i++)
		ok = !p[i];
	report(ok, "alloc_page zeroes");
	free_page(p);
	free_page(q);
	report(page_free_count() == free0, "free restores the count");
	big = alloc_pages(4);
	report(big && !((uintptr_t)big & (16 * PAGE_SIZE - 1)),
	       "alloc_pages(4) is 64K aligned (%p)", big);
	free_pages(big, 4);
	for (unsigned int i = 0; i < ARRAY_SIZE(m); i++) {
		m[i] = malloc(24 + 100 * i);
		ok = ok && m[i] && !((uintptr_t)m[i] & 15);
		memset(m[i], i, 24 + 100 * i);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(m); i++) {
		ok = ok && ((uint8_t *)m[i])[23 + 100 * i] == i;
		free(m[i]);
	}
	report(ok, "malloc: 16-byte aligned, disjoint, freed");
	report_prefix_pop();
}

static void test_report(void)
{
	unsigned int before[CHECK_NR_KINDS], after[CHECK_NR_KINDS];

	report_prefix_push("report");
	report_prefix_push("inner %d", 2);
	report(!strcmp(this_cpu()->prefix, "report: inner 2: "),
	       "prefix is per CPU and nested (%s)", this_cpu()->prefix);
	report_prefix_pop();
	report_counts(before);
	report_xfail(true, false, "xfail of a failing check");
	report_skip("skip counts as skipped");
	report_counts(after);
	report(after[CHECK_XFAIL] == before[CHECK_XFAIL] + 1 &&
	       after[CHECK_SKIP] == before[CHECK_SKIP] + 1 &&
	       after[CHECK_FAIL] == before[CHECK_FAIL],
	       "XFAIL and SKIP counted, no FAIL");
	report(report(true, "report returns its condition"), "report() == cond");
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "unexpected")) {
		report_pass("about to raise an uncaught #UD");
		asm volatile("ud2");
		report_fail("ud2 returned");
		return 0;
	}
	test_printf();
	test_faults();
	test_cr_msr_wrappers();
	test_page_faults();
	test_exec();
	test_args(argc, argv);
	if (argc > 1 && !strncmp(argv[1], "mem=", 4))
		test_alloc(argv[1]);
	else
		report_fail("alloc: needs mem=<MiB> as first argument");
	test_report();
	return 0;
}
