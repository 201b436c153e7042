/*
 * selftest: the framework checks itself from inside an s390x guest.
 *
 * printf, program interruptions caught by call_safe() and the exception
 * table with the right interruption code and ILC (operation, privileged
 * operation in problem state, addressing beyond the end of memory,
 * specification by an odd register pair and a misaligned LPSWE operand),
 * an SVC handler installed with handle_interrupt() (code, ILC and old PSW,
 * also for an SVC run by EXRL), STFL against STFLE, argc/argv from the
 * -append QEMU copies into the image, the memory size from SCLP Read SCP
 * Info against the run's (selftest_memory), the allocators and the report
 * API; on every
 * CPU (with -smp) on_cpus, its own prefix and STAP, and a stack overflow
 * caught by call_safe() at that CPU's stack guard.  With a mode
 * argument it ends fatally instead (uncaught operation exception, failed
 * assert, stack overflow into the guard the prologues check, no checks);
 * each has a cfg entry that expects ERROR with its reason.
 * Needs s390-ccw-virtio (SCLP console on -serial); no DAT.
 * Usage: selftest WORD alpha beta (argv; the memory size is the runner's vmunit.mem)
 *        selftest unexpected|assert|overflow|nochecks
 */
#include "vmunit.h"
#include "facility.h"
#include "processor.h"
#include "sclp.h"
#include "selftest.h"
#include "sigp.h"
#include "smp.h"
#include "start.h"
#include "traps.h"

/* ILCs: instruction lengths of 2, 4 and 6 bytes. */
enum { ILC_2 = 1, ILC_4 = 2, ILC_6 = 3 };

static bool fault_is(struct fault f, unsigned int code, unsigned int ilc)
{
	return f.valid && f.vector == code && f.code == ilc;
}

/* Like report_fault(), and the ILC must match too. */
static void check_fault(struct fault f, unsigned int code, unsigned int ilc, const char *what)
{
	char got[96];

	if (fault_is(f, code, ilc))
		report_pass("%s", what);
	else
		report_fail("%s (got %s, want PIC %#x, ILC %u)", what,
			    fault_str(f, got, sizeof(got)), code, ilc);
}

static void do_operation(void *arg)
{
	asm volatile(".short 0x0000");	/* opcode 0x00 is not assigned */
}

/* PTLB in problem state; the operation exception after it ends a miss. */
static void do_privileged(void *arg)
{
	struct psw psw = { .mask = epsw() | PSW_PROBLEM };
	uint64_t tmp;

	asm volatile("larl %[t], 0f\n\t"
		     "stg %[t], 8(%[p])\n\t"
		     "lpswe 0(%[p])\n"
		     "0:\t.insn s, 0xb20d0000, 0\n\t"	/* PTLB */
		     ".short 0x0000"
		     : [t] "=&a"(tmp)
		     : [p] "a"(&psw)
		     : "memory");
}

/* DR needs an even first register: r1 is a specification exception. */
static void do_odd_pair(void *arg)
{
	asm volatile("lghi %%r2, 1\n\t"
		     ".insn rr, 0x1d00, %%r1, %%r2"	/* DR 1, 2 */
		     : : : "r1", "r2", "cc");
}

/*
 * LPSWE's operand must be doubleword aligned.  The PSW at the misaligned
 * address is valid and continues after the LPSWE, in case it loads.
 */
static void do_misaligned_lpswe(void *arg)
{
	uint64_t buf[5] __attribute__((aligned(8)));
	uint64_t *psw = (uint64_t *)((char *)buf + 4);
	uint64_t tmp;

	asm volatile("stg %[m], 0(%[p])\n\t"
		     "larl %[t], 0f\n\t"
		     "stg %[t], 8(%[p])\n\t"
		     "lpswe 0(%[p])\n"
		     "0:"
		     : [t] "=&a"(tmp)
		     : [p] "a"(psw), [m] "d"(epsw())
		     : "memory");
}

static void test_faults(const void *arg)
{
	uint64_t top = sclp_memory_size(), val = 0;
	volatile uint64_t *page = alloc_page();

	check_fault(call_safe(do_operation, NULL), PGM_OPERATION, ILC_2,
		    "opcode 0x00: operation exception");
	check_fault(call_safe(do_privileged, NULL), PGM_PRIVILEGED, ILC_4,
		    "PTLB in problem state: privileged-operation exception");
	check_fault(call_safe(do_odd_pair, NULL), PGM_SPECIFICATION, ILC_2,
		    "DR with an odd register: specification exception");
	check_fault(call_safe(do_misaligned_lpswe, NULL), PGM_SPECIFICATION, ILC_4,
		    "LPSWE of a misaligned PSW: specification exception");
	*page = 0x1234;
	report(!load_safe(page, &val).valid && val == 0x1234, "load_safe of RAM: no fault (%#lx)",
	       val);
	report(!store_safe(page, 0x5678).valid && *page == 0x5678, "store_safe to RAM: no fault");
	check_fault(load_safe((void *)top, &val), PGM_ADDRESSING, ILC_6,
		    "LG at the end of memory: addressing exception");
	check_fault(store_safe((void *)(top + (1ul << 30)), 0), PGM_ADDRESSING, ILC_6,
		    "STG 1 GiB beyond the end of memory: addressing exception");
	free_page((void *)page);
}

static struct ex_regs svc_regs;

static void svc_handler(struct ex_regs *r)
{
	svc_regs = *r;
	r->gprs[2] = r->gprs[2] * 2 + r->info.svc_code;
}

/* SVC 7 itself, or as the target of EXRL; *after: where the old PSW should point. */
static uint64_t svc7(uint64_t arg, bool exrl, uint64_t *after)
{
	register uint64_t r2 asm("2") = arg;

	if (exrl)
		asm volatile("exrl %%r0, 1f\n"
			     "0:\tlarl %[a], 0b\n\t"
			     "j 2f\n"
			     "1:\tsvc 7\n"
			     "2:"
			     : "+d"(r2), [a] "=a"(*after) : : "memory");
	else
		asm volatile("svc 7\n"
			     "0:\tlarl %[a], 0b"
			     : "+d"(r2), [a] "=a"(*after) : : "memory");
	return r2;
}

static void test_svc(const void *arg)
{
	static const struct { const char *name; bool exrl; unsigned int ilc; } cases[] = {
		{ "SVC 7", false, ILC_2 },
		{ "EXRL of SVC 7", true, ILC_6 },
	};
	interrupt_handler_t old = handle_interrupt(INT_SVC, svc_handler);

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t after, got = svc7(20, cases[i].exrl, &after);
		unsigned int ilc = svc_regs.info.svc_ilc >> 1 & 3;

		report(got == 47, "%s reaches the handler and returns (r2 %lu, want 47)",
		       cases[i].name, got);
		report(svc_regs.info.svc_code == 7 && ilc == cases[i].ilc &&
			       svc_regs.psw.addr == after,
		       "%s: code 7, ILC %u, old PSW past it (got %u, %u, %#lx; want PSW %#lx)",
		       cases[i].name, cases[i].ilc, svc_regs.info.svc_code, ilc, svc_regs.psw.addr,
		       after);
	}
	handle_interrupt(INT_SVC, old);
}

/* STFL's 32 bits are the first 32 of STFLE's list; z/Architecture is active. */
static void test_facilities(const void *arg)
{
	uint32_t stfl, mismatch = 0;

	asm volatile("stfl 0\n\tl %0, 0xc8" : "=d"(stfl) : : "memory");
	for (unsigned int i = 0; i < 32; i++)
		if (test_facility(i) != (stfl >> (31 - i) & 1))
			mismatch |= 1u << (31 - i);
	report(!mismatch, "STFL and STFLE agree on facilities 0-31 (STFL %#x, differ %#x)", stfl,
	       mismatch);
	report(test_facility(FAC_ZARCH_ACTIVE), "%s is installed", facility_gate(FAC_ZARCH_ACTIVE));
}

struct args {
	int argc;
	char **argv;
};

static void test_args(const void *arg)
{
	const struct args *a = arg;

	report(a->argc >= 4 && !strcmp(a->argv[0], "payload") && !strcmp(a->argv[2], "alpha") &&
		       !strcmp(a->argv[3], "beta"),
	       "argv[0] is payload, argv[2..3] are alpha beta (argc %d)", a->argc);
	report(a->argv[a->argc] == NULL, "argv[argc] is NULL");
}

static void test_alloc(const void *arg)
{
	extern char _end[];
	uint64_t mib, avail;
	size_t free0 = page_free_count();

	mib = run_memory_mib();
	/* Free: _end to the top of memory, less the other CPUs' and the bitmap. */
	avail = ((mib << 20) - (uintptr_t)_end - (nr_cpus() - 1) * SMP_CPU_BYTES) / PAGE_SIZE;
	if (!mib)
		report_skip("free pages: needs vmunit.mem=<MiB> (the runner gives it)");
	else
		report(free0 <= avail && free0 + 64 > avail,
		       "the free pages fit -m (%zu, want at most %lu for -m %lu)", free0, avail,
		       mib);
	selftest_alloc_basics(free0);
}

static uint64_t cpu_addr(void)
{
	return stap();
}

/* Frames of 512 bytes until the prologue's stack-guard check traps. */
static unsigned int descend(volatile unsigned int depth)
{
	volatile char frame[512];

	frame[0] = depth;
	return depth == ~0u ? 0 : descend(depth + 1) + frame[0];
}

static void overflow_stack(void *arg)
{
	descend(0);
}

/* Each CPU's stack is guarded: the overflow is caught there, on its own interruption stack. */
static void check_stack_guard(void *arg)
{
	char got[96];
	struct fault f = call_safe(overflow_stack, NULL);

	report(fault_is(f, PGM_OPERATION, ILC_2),
	       "cpu%u: stack overflow traps in the guard (got %s, want operation, ILC 1)",
	       smp_id(), fault_str(f, got, sizeof(got)));
}

static void test_smp(const void *arg)
{
	selftest_smp(cpu_addr);
	on_cpus(check_stack_guard, NULL);
}

static void raise_operation(void)
{
	report_pass("about to execute an unassigned opcode");
	asm volatile(".short 0x0000");
}

int main(int argc, char **argv)
{
	if (argc > 1 && selftest_fatal(argv[1], raise_operation))
		return 0;
	report_info("STSI 1.1.1: %s", arch_is_tcg() ? "QEMU TCG" : "not TCG");
	subtest("printf", selftest_printf, NULL);
	subtest("faults", test_faults, NULL);
	subtest("svc", test_svc, NULL);
	subtest("facilities", test_facilities, NULL);
	subtest("argv", test_args, &(struct args){ argc, argv });
	subtest("alloc", test_alloc, NULL);
	subtest("memory", selftest_memory, NULL);
	subtest("smp", test_smp, NULL);
	return 0;
}
