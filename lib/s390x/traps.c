/* The C side of s390x interruptions: dispatch, fault names, dumps. */
#include <stddef.h>
#include "alloc.h"
#include "arch.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"
#include "sclp.h"
#include "string.h"
#include "traps.h"
#include "verdict.h"

_Static_assert(offsetof(struct ex_regs, gprs) == EXR_GPRS, "entry.S layout");
_Static_assert(offsetof(struct ex_regs, psw) == EXR_PSW, "entry.S layout");
_Static_assert(offsetof(struct ex_regs, info) == EXR_INFO, "entry.S layout");
_Static_assert(offsetof(struct ex_regs, type) == EXR_TYPE, "entry.S layout");
_Static_assert(sizeof(struct ex_regs) == EXR_SIZE, "entry.S layout");
_Static_assert(sizeof(struct int_info) == LC_INT_INFO_SIZE, "lowcore layout");
_Static_assert(offsetof(struct int_info, teid) == 0xa8 - LC_INT_INFO, "lowcore layout");
_Static_assert(offsetof(struct int_info, io_int_id) == 0xc0 - LC_INT_INFO, "lowcore layout");

#define BACKTRACE_DEPTH 32
#define FRAME_R14 14	/* r14's slot in a frame's register save area */
#define CTX_R15 9	/* r15's slot in vm_setjmp's context (entry.S: r6-r15 first) */

static interrupt_handler_t handlers[INT_NR];

static const char *const int_names[INT_NR] = {
	"restart", "external", "SVC", "program", "machine check", "I/O",
};

static const char *pgm_name(unsigned int code)
{
	switch (code & ~PGM_PER) {
	case 0: return "PER event";
	case PGM_OPERATION: return "operation";
	case PGM_PRIVILEGED: return "privileged-operation";
	case PGM_EXECUTE: return "execute";
	case PGM_PROTECTION: return "protection";
	case PGM_ADDRESSING: return "addressing";
	case PGM_SPECIFICATION: return "specification";
	case PGM_DATA: return "data";
	case PGM_FIXED_OVERFLOW: return "fixed-point-overflow";
	case PGM_FIXED_DIVIDE: return "fixed-point-divide";
	case PGM_SEGMENT_TRANSLATION: return "segment-translation";
	case PGM_PAGE_TRANSLATION: return "page-translation";
	case PGM_TRANSLATION_SPEC: return "translation-specification";
	case PGM_SPECIAL_OPERATION: return "special-operation";
	case PGM_OPERAND: return "operand";
	case PGM_ASCE_TYPE: return "ASCE-type";
	case PGM_REGION_FIRST: return "region-first-translation";
	case PGM_REGION_SECOND: return "region-second-translation";
	case PGM_REGION_THIRD: return "region-third-translation";
	case PGM_MONITOR: return "monitor event";
	default: return "program interruption";
	}
}

interrupt_handler_t handle_interrupt(unsigned int type, interrupt_handler_t h)
{
	assert(type < INT_NR);
	return __atomic_exchange_n(&handlers[type], h, __ATOMIC_ACQ_REL);
}

/* DAT exceptions nullify: the old PSW points at the instruction itself. */
static bool pgm_nullifies(unsigned int code)
{
	switch (code & ~PGM_PER) {
	case PGM_SEGMENT_TRANSLATION: case PGM_PAGE_TRANSLATION: case PGM_ASCE_TYPE:
	case PGM_REGION_FIRST: case PGM_REGION_SECOND: case PGM_REGION_THIRD:
		return true;
	default:
		return false;
	}
}

/* Exceptions that store a translation-exception identification. */
static bool pgm_has_teid(unsigned int code)
{
	return pgm_nullifies(code) || (code & ~PGM_PER) == PGM_PROTECTION;
}

void arch_fault_name(struct fault f, char *buf, unsigned long size)
{
	int n = snprintf(buf, size, "%s%s (PIC %#x, ILC %llu)", pgm_name(f.vector),
			 (f.vector & PGM_PER) && (f.vector & ~PGM_PER) ? " + PER event" : "",
			 f.vector, (unsigned long long)f.code);

	if (pgm_has_teid(f.vector) && n > 0 && (unsigned long)n < size)
		snprintf(buf + n, size - n, " at %#llx", (unsigned long long)f.addr);
}

void backchain_from(uint64_t sp, uint64_t pc)
{
	printf("backtrace: %#lx", pc);
	for (int i = 0; i < BACKTRACE_DEPTH && sp && !(sp & 7); i++) {
		const uint64_t *caller = (const uint64_t *)((const uint64_t *)sp)[0];

		/* A frame's return address is in its caller's save area. */
		if ((uint64_t)caller <= sp || !caller[FRAME_R14])
			break;
		printf(" %#lx", caller[FRAME_R14]);
		sp = (uint64_t)caller;
	}
	printf("\n");
}

void dump_ex_regs(const struct ex_regs *r)
{
	for (int i = 0; i < 16; i += 4)
		printf("r%-2d=%016lx r%-2d=%016lx r%-2d=%016lx r%-2d=%016lx\n", i, r->gprs[i],
		       i + 1, r->gprs[i + 1], i + 2, r->gprs[i + 2], i + 3, r->gprs[i + 3]);
	printf("psw=%016lx %016lx cr0=%016lx\n", r->psw.mask, r->psw.addr, stctg(0));
	backchain_from(r->gprs[15], r->psw.addr);
}

void arch_dump_here(void)
{
	uint64_t sp, caller_sp, ret = (uint64_t)__builtin_return_address(0);

	/* From the caller's frame: this one may be gone by the last call. */
	asm volatile("lgr %0, %%r15" : "=d"(sp));
	caller_sp = *(const uint64_t *)sp;
	printf("sp=%016lx psw mask=%016lx cr0=%016lx, called from %#lx\n", sp, epsw(),
	       stctg(0), ret);
	backchain_from(caller_sp, ret);
}

/*
 * A program interruption: caught (resume at the fixup or in call_safe, in
 * supervisor state) or named in buf.  *pc: the faulting instruction.
 */
static bool do_program(struct ex_regs *r, uint64_t *pc, char *buf, size_t size)
{
	unsigned int code = r->info.pgm_code, ilc = (r->info.pgm_ilc >> 1) & 3;
	struct fault f = {
		.valid = true, .vector = code, .code = ilc,
		.addr = pgm_has_teid(code) ? r->info.teid & ~(PAGE_SIZE - 1) : 0,
	};
	uintptr_t at = r->psw.addr - (pgm_nullifies(code) ? 0 : 2 * ilc);

	*pc = at;
	if (!this_cpu()->in_panic && fault_catch(f, &at)) {
		/* Unwind on call_safe's stack: this one may have overflowed. */
		if (at == (uintptr_t)fault_unwind)
			r->gprs[15] = this_cpu()->catch_ctx[CTX_R15];
		r->psw.addr = at;
		r->psw.mask &= ~PSW_PROBLEM;
		return true;
	}
	arch_fault_name(f, buf, size);
	return false;
}

/* The prologue check of a stack guard fired (processor.h). */
static bool in_stack_guard(uint64_t sp)
{
	return (sp & (STACK_SIZE - 1)) < STACK_GUARD;
}

void do_interrupt(struct ex_regs *r)
{
	struct percpu *cpu = this_cpu();
	uint64_t pc = r->psw.addr;
	interrupt_handler_t h = __atomic_load_n(&handlers[r->type % INT_NR], __ATOMIC_ACQUIRE);
	char name[128];

	if (r->type == INT_EXT && r->info.ext_code == EXT_SERVICE_SIGNAL) {
		sclp_service_signal(r->info.ext_param);
		r->psw.mask &= ~PSW_WAIT;
		return;
	}
	if (h) {
		h(r);
		r->psw.mask &= ~PSW_WAIT;
		return;
	}
	switch (r->type) {
	case INT_PGM:
		if (do_program(r, &pc, name, sizeof(name)))
			return;
		if (in_stack_guard(r->gprs[15]))
			snprintf(name + strlen(name), sizeof(name) - strlen(name),
				 ", stack overflow (r15 %#lx)", r->gprs[15]);
		break;
	case INT_EXT:
		snprintf(name, sizeof(name), "external interruption (code %#x)",
			 r->info.ext_code);
		break;
	case INT_SVC:
		snprintf(name, sizeof(name), "SVC %u", r->info.svc_code);
		break;
	case INT_IO:
		snprintf(name, sizeof(name), "I/O interruption (subchannel %#x)",
			 r->info.subsys_id);
		break;
	default:
		snprintf(name, sizeof(name), "%s interruption", int_names[r->type % INT_NR]);
		break;
	}
	if (cpu->in_panic) {
		printf("ERROR: %s at %#lx while handling a fatal error\n" VM_EXIT_FMT "\n",
		       name, pc, VM_STATUS_ERROR);
		arch_exit(VM_STATUS_ERROR);
	}
	cpu->in_panic = true;
	printf("unexpected %s at %#lx on cpu %u\n", name, pc, cpu->id);
	dump_ex_regs(r);
	report_abort("unexpected exception %s at pc %#lx", name, pc);
}
