/*
 * selftest: the framework checks itself from inside the guest.
 *
 * printf formatting, the fault wrappers (each must catch the right vector
 * and error code: #DE, #UD, #BP, #GP, #PF; the CR and MSR wrappers with
 * faults QEMU TCG emulates), the page-table helpers, argc/argv and the
 * multiboot memory size, the allocators, the report API and run_user()
 * (CPL3: its result, a #GP from CPL3 reaching a handler, then back).  With a mode
 * argument it ends fatally instead: an uncaught #UD, a failed assert, a
 * stack overflow into the guard page (a #DF on its IST stack) or no checks
 * at all; each has a cfg entry that expects ERROR with its reason.
 * Needs only a 64-bit CPU.
 * Usage: selftest WORD alpha beta (argv; the memory size is the runner's vmunit.mem)
 *        selftest unexpected|assert|overflow|nochecks
 */
#include "vmunit.h"
#include "selftest.h"
#include "smp.h"
#include "start.h"
#include "cpuid.h"
#include "processor.h"
#include "safe.h"
#include "pgtable.h"
#include "desc.h"
#include "usermode.h"
#include "vm.h"

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

static void test_printf(const void *arg)
{
	printf_is("-42 42 2a 2A", "%d %u %x %X", -42, 42u, 42, 42);
	printf_is("ffffffffffffffff", "%lx", ~0ul);
	printf_is("1234567890123", "%llu", 1234567890123ull);
	printf_is("[   7][7   ][007]", "[%4d][%-4d][%03d]", 7, 7, 7);
	printf_is("0x1f 017", "%#x %#o", 31, 15);
	printf_is("[abc][  ab]", "[%.3s][%4.2s]", "abcdef", "abcdef");
	printf_is("0x1000 c %", "%p %c %%", (void *)0x1000, 'c');
	printf_is("(null)", "%s", (char *)NULL);
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

static void test_faults(const void *arg)
{
	unsigned int sink;
	uint64_t val = 0;
	struct fault f;

	f = call_safe(do_divide, &sink);
	report(f.valid && f.vector == DE_VECTOR,
	       "#DE (vector 0) is a valid fault (valid %d vector %u)", f.valid, f.vector);
	report_fault(call_safe(do_ud2, NULL), UD_VECTOR, "ud2 raises #UD");
	report_fault(call_safe(do_int3, NULL), BP_VECTOR, "int3 raises #BP");
	f = load_safe((void *)NONCANONICAL, &val);
	report_fault(f, GP_VECTOR, "non-canonical load raises #GP");
	report(f.code == 0, "non-canonical #GP error code is 0 (got %#lx)", f.code);
	report_fault(store_safe((void *)NONCANONICAL, 1), GP_VECTOR,
		     "non-canonical store raises #GP");
	report_fault(load_safe(&sink, &val), FAULT_NONE, "mapped load does not fault");
	report_fault(call_safe(do_ud2, NULL), UD_VECTOR,
		     "call_safe works again after a caught fault");
}

static void test_cr_msr_wrappers(const void *arg)
{
	uint64_t cr0 = read_cr0(), efer = 0;
	struct fault f;
	char got[48];

	f = rdmsr_safe(MSR_EFER, &efer);
	report(!f.valid && efer == rdmsr(MSR_EFER),
	       "rdmsr_safe(EFER) reads what rdmsr does (%#lx)", efer);
	f = write_cr0_safe(cr0 | 1ull << 32);
	if (!f.valid)
		write_cr0(cr0);
	report_l0_tcg_gap(f.valid && f.vector == GP_VECTOR, !f.valid,
			  "CR0[32] set raises #GP (got %s)", fault_str(f, got, sizeof(got)));
	/* Toggling CR4.LA57 in long mode is a #GP that TCG emulates too. */
	if (cpu_has(X86_FEATURE_LA57))
		report_fault(write_cr4_safe(read_cr4() ^ X86_CR4_LA57), GP_VECTOR,
			     "toggling CR4.LA57 in long mode raises #GP");
	else
		report_skip("CR4.LA57 toggle: %s", cpu_feature_gate(X86_FEATURE_LA57));
	/*
	 * Reserved CR3 bits hang the vCPU under TCG instead of #GP; under KVM
	 * nested on TCG (with NPT the write is not intercepted) TCG's VMRUN
	 * fails instead, and KVM ends the run ("entry failed").
	 */
	if (arch_is_tcg())
		report_skip("CR3[60] #GP: reserved CR3 bits hang QEMU TCG "
			    "(CPUID.0x40000000 signature TCGTCGTCGTCG)");
	else if (run_l0_tcg())
		report_skip("CR3[60] #GP: under KVM nested on QEMU TCG (vmunit.l0=tcg) the "
			    "write is an SVM entry failure that ends the run");
	else
		report_fault(write_cr3_safe(read_cr3() | 1ull << 60), GP_VECTOR,
			     "CR3[60] set raises #GP");
	if (cpu_has(X86_FEATURE_X2APIC) && !(rdmsr(MSR_IA32_APICBASE) & 1u << 10)) {
		report_fault(rdmsr_safe(0x802, &efer), GP_VECTOR,
			     "rdmsr_safe: x2APIC ID MSR in xAPIC mode raises #GP");
		report_fault(wrmsr_safe(0x808, 0), GP_VECTOR,
			     "wrmsr_safe: x2APIC TPR MSR in xAPIC mode raises #GP");
	} else {
		report_skip("rdmsr_safe/wrmsr_safe #GP: needs %s in xAPIC mode",
			    cpu_feature_gate(X86_FEATURE_X2APIC));
	}
}

/*
 * Writing CR3 flushes the TLB's non-global entries (SDM 4.10.4.1): a PTE
 * cleared without INVLPG stops translating once CR3 is written again.
 */
static void test_cr3_flush(const void *arg)
{
	volatile uint64_t *page = alloc_page();
	uint64_t *pte, val = 0;
	struct fault f;
	char got[48];

	map_page((void *)page, (uint64_t)page, VM_W | VM_X);	/* a 4K PTE, as RAM is */
	pte = get_pte((void *)page);
	*page = 0x1234;		/* the translation is in the TLB now */
	*pte &= ~PTE_P;
	f = write_cr3_safe(read_cr3());
	report_fault(f, FAULT_NONE, "write_cr3_safe(current CR3)");
	f = load_safe(page, &val);
	report(f.valid && f.vector == PF_VECTOR && f.addr == (uint64_t)page,
	       "PTE cleared without INVLPG: not present after the CR3 write (got %s)",
	       fault_str(f, got, sizeof(got)));
	map_page((void *)page, (uint64_t)page, VM_W | VM_X);
	free_page((void *)page);
}

static void test_page_faults(const void *arg)
{
	volatile uint64_t *page = alloc_page();
	uint64_t val = 0;
	struct fault f;

	*page = 0x1234;
	unmap_page((void *)page);
	/* Inside the page: CR2 holds the whole address, not just its page. */
	f = load_safe(page + 37, &val);
	report_fault(f, PF_VECTOR, "load from a not-present page");
	report(f.code == 0 && f.addr == (uint64_t)(page + 37),
	       "not-present read: error code 0, CR2 the address (got %#lx, %#lx; want %p)",
	       f.code, f.addr, page + 37);

	map_page((void *)page, (uint64_t)page, VM_W);
	protect_page((void *)page, 0);
	f = store_safe(page, 1);
	report_fault(f, PF_VECTOR, "store to a read-only page with CR0.WP=1");
	report(f.code == (PFERR_PRESENT | PFERR_WRITE) && f.addr == (uint64_t)page,
	       "read-only write: error code and CR2 (got %#lx, %#lx; want %#x, %p)",
	       f.code, f.addr, PFERR_PRESENT | PFERR_WRITE, page);
	f = load_safe(page, &val);
	report(!f.valid && val == 0x1234, "read-only page is still readable (%#lx)", val);

	protect_page((void *)page, VM_W | VM_X);
}

static void test_exec(const void *arg)
{
	uint8_t *code = alloc_page();
	struct fault f;

	code[0] = 0xc3;		/* ret */
	report_fault(exec_safe(code), FAULT_NONE, "exec_safe runs a ret");
	code[0] = 0x0f, code[1] = 0x0b;	/* ud2 */
	report_fault(exec_safe(code), UD_VECTOR, "exec_safe catches #UD in callee");
	if (cpu_has(X86_FEATURE_NX)) {
		code[0] = 0xc3;
		protect_page(code, VM_W);
		f = exec_safe(code);
		report(f.valid && f.vector == PF_VECTOR &&
		       f.code == (PFERR_PRESENT | PFERR_FETCH) && f.addr == (uint64_t)code,
		       "fetch from an NX page: #PF, fetch error code (got %#lx, want %#x)",
		       f.code, PFERR_PRESENT | PFERR_FETCH);
		protect_page(code, VM_W | VM_X);
	} else {
		report_skip("fetch from an NX page: %s", cpu_feature_gate(X86_FEATURE_NX));
	}
	free_page(code);
}

struct args {
	int argc;
	char **argv;
};

static void test_args(const void *arg)
{
	const struct args *a = arg;
	const char *base = strrchr(a->argv[0], '/');

	base = base ? base + 1 : a->argv[0];
	report(!strcmp(base, "selftest.elf"), "argv[0] names the payload (%s)", a->argv[0]);
	report(a->argc == 4 && !strcmp(a->argv[2], "alpha") && !strcmp(a->argv[3], "beta"),
	       "argc 4, argv[2..3] are alpha beta (argc %d)", a->argc);
	report(a->argv[a->argc] == NULL, "argv[argc] is NULL");
}

static bool pattern_intact(void *const m[], unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < 24 + 100 * i; j++)
			if (((uint8_t *)m[i])[j] != i)
				return false;
	return true;
}

static void test_alloc(const void *arg)
{
	extern char _end[];
	size_t free0 = page_free_count();
	uint64_t mib, avail, slack;
	uint8_t *p, *q, *big;
	void *m[8];
	bool ok = true;

	mib = run_memory_mib();
	/* Free at start: from _end to the top of RAM, less allocator metadata,
	 * the page tables earlier subtests split (a few pages each) and what
	 * the firmware keeps. */
	avail = ((mib << 20) - (uintptr_t)_end) / PAGE_SIZE;
	slack = 64 + (run_booted_efi() ? run_firmware_slack(mib << 20) / PAGE_SIZE : 0);
	/* Above 2 GiB a PC machine's 32-bit hole may cut the RAM the allocator
	 * gets (it keeps below 4 GiB): then only the upper bound holds. */
	if (!mib)
		report_skip("free pages: needs vmunit.mem=<MiB> (the runner gives it)");
	else
		report(free0 <= avail && (free0 + slack > avail || mib > 2048),
		       "multiboot memory: the free pages fit -m (%zu, want %lu..%lu for -m %lu)",
		       free0, avail - slack + 1, avail, mib);
	p = alloc_page();
	q = alloc_page();
	report(p && q && p != q && !((uintptr_t)p & 4095) && !((uintptr_t)q & 4095),
	       "two aligned distinct pages (%p %p)", p, q);
	report(page_free_count() == free0 - 2, "free count drops by 2 (%zu -> %zu)", free0,
	       page_free_count());
	for (unsigned int i = 0; i < PAGE_SIZE && ok; i++)
		ok = !p[i];
	report(ok, "alloc_page zeroes");
	free_page(p);
	free_page(q);
	report(page_free_count() == free0, "free restores the count (%zu)", page_free_count());
	big = alloc_pages(4);
	report(big && !((uintptr_t)big & (16 * PAGE_SIZE - 1)),
	       "alloc_pages(4) is 64K aligned (%p)", big);
	free_pages(big, 4);

	for (unsigned int i = 0; i < ARRAY_SIZE(m); i++) {
		m[i] = malloc(24 + 100 * i);
		ok = ok && m[i] && !((uintptr_t)m[i] & 15);
		if (m[i])
			memset(m[i], i, 24 + 100 * i);
	}
	report(ok && pattern_intact(m, ARRAY_SIZE(m)), "malloc: 16-byte aligned, disjoint");
	for (unsigned int i = 0; i < ARRAY_SIZE(m); i++)
		free(m[i]);
	p = memalign(4096, 100);
	q = malloc(64 << 10);
	report(p && !((uintptr_t)p & 4095), "memalign(4096) is page aligned (%p)", p);
	report(q && ((uint8_t *)calloc(3, 5))[14] == 0, "large malloc and calloc (%p)", q);
	free(p);
	free(q);
}

/*
 * Prefixes; how checks are counted is proven end to end by the negative
 * entries (selftest-fail, selftest-xpass), without a made-up XFAIL or SKIP.
 */
static void test_report(const void *arg)
{
	report_prefix_push("inner %d", 2);
	report(!strcmp(this_cpu()->prefix, "report: inner 2: "),
	       "prefixes nest (%s)", this_cpu()->prefix);
	report_prefix_pop();
	report(!strcmp(this_cpu()->prefix, "report: "), "pop restores (%s)",
	       this_cpu()->prefix);
}

static uint64_t initial_apic_id(void)
{
	return cpuid_raw(1, 0).b >> 24;
}

/* On each CPU the initial APIC ID must match the LAPIC ID register. */
static void check_apic_id(void *arg)
{
	uint32_t reg = *(volatile uint32_t *)0xfee00020 >> 24;

	report(reg == initial_apic_id(), "cpu%u: CPUID.1:EBX[31:24] is the LAPIC ID (%lu, %u)",
	       smp_id(), initial_apic_id(), reg);
}

static void test_smp(const void *arg)
{
	selftest_smp(initial_apic_id);
	on_cpus(check_apic_id, NULL);
}

static void raise_ud(void)
{
	report_pass("about to raise an uncaught #UD");
	asm volatile("ud2");
}

/* At CPL3: the arg and the CPL; HLT there is a #GP that on_user_gp() skips. */
static USER_TEXT uint64_t user_cpl(uint64_t arg)
{
	uint16_t cs;

	asm volatile("hlt; mov %%cs, %0" : "=r"(cs));
	return arg << 8 | (cs & 3);
}

static uint64_t user_gp_cs, user_gp_code;

static void on_user_gp(struct ex_regs *r)
{
	user_gp_cs = r->cs;
	user_gp_code = r->error_code;
	r->rip += 1;
}

static void test_user(const void *arg)
{
	uint64_t r;
	uint16_t ss;

	user_gp_cs = ~0ull;
	handle_exception(GP_VECTOR, on_user_gp);
	r = run_user(user_cpl, 0x42);
	handle_exception(GP_VECTOR, NULL);
	asm volatile("mov %%ss, %0" : "=r"(ss));
	report(r == 0x4203, "run_user: fn runs at CPL3 and returns its result (%#lx)", r);
	report(user_gp_cs == (USER_CS | 3) && user_gp_code == 0,
	       "run_user: HLT at CPL3 is #GP(0) from USER_CS | 3 (cs %#lx, error %#lx)",
	       user_gp_cs, user_gp_code);
	report(ss == KERNEL_DS, "run_user: back at CPL0 with the kernel's SS (%#x)", ss);
}

int main(int argc, char **argv)
{
	if (argc > 1 && selftest_fatal(argv[1], raise_ud))
		return 0;
	subtest("printf", test_printf, NULL);
	subtest("faults", test_faults, NULL);
	subtest("cr/msr wrappers", test_cr_msr_wrappers, NULL);
	subtest("page faults", test_page_faults, NULL);
	subtest("cr3 flush", test_cr3_flush, NULL);
	subtest("exec", test_exec, NULL);
	subtest("argv", test_args, &(struct args){ argc, argv });
	subtest("alloc", test_alloc, NULL);
	subtest("memory", selftest_memory, NULL);
	subtest("alias", selftest_alias, NULL);
	subtest("report", test_report, NULL);
	subtest("smp", test_smp, NULL);
	subtest("user", test_user, NULL);
	return 0;
}
