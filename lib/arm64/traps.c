/* The C side of arm64 exception handling: dispatch, names, dumps. */
#include <stddef.h>
#include "arch.h"
#include "gic.h"
#include "panic.h"
#include "percpu.h"
#include "pgtable.h"
#include "printf.h"
#include "report.h"
#include "traps.h"
#include "verdict.h"

_Static_assert(offsetof(struct ex_regs, sp) == 31 * 8, "entry.S layout");
_Static_assert(offsetof(struct ex_regs, type) == 288, "entry.S layout");
_Static_assert(sizeof(struct ex_regs) == 304, "entry.S FRAME");

static exception_handler_t handlers[64], lower_el_handler;

static const char *const kind_names[] = { "sync", "IRQ", "FIQ", "SError" };

static const char *ec_name(unsigned int ec)
{
	switch (ec) {
	case EC_UNKNOWN: return "undefined instruction";
	case EC_SVC64: return "SVC";
	case EC_HVC64: return "HVC";
	case EC_SMC64: return "SMC";
	case EC_SYS64: return "system register trap";
	case EC_IABT_LOW: case EC_IABT_CUR: return "instruction abort";
	case EC_DABT_LOW: case EC_DABT_CUR: return "data abort";
	case EC_PC_ALIGN: return "PC alignment";
	case EC_SP_ALIGN: return "SP alignment";
	case EC_BRK64: return "BRK";
	default: return "exception";
	}
}

exception_handler_t handle_exception(unsigned int ec, exception_handler_t h)
{
	exception_handler_t old = handlers[ec];

	handlers[ec] = h;
	return old;
}

void handle_lower_el(exception_handler_t h)
{
	lower_el_handler = h;
}

void arch_fault_name(struct fault f, char *buf, unsigned long size)
{
	if (f.vector == EC_IABT_CUR || f.vector == EC_DABT_CUR ||
	    f.vector == EC_IABT_LOW || f.vector == EC_DABT_LOW)
		snprintf(buf, size, "%s (EC %#x, FSC %#llx) at %#llx", ec_name(f.vector),
			 f.vector, (unsigned long long)ESR_FSC(f.code),
			 (unsigned long long)f.addr);
	else
		snprintf(buf, size, "%s (EC %#x, ISS %#llx)", ec_name(f.vector), f.vector,
			 (unsigned long long)f.code);
}

void dump_ex_regs(const struct ex_regs *r)
{
	for (int i = 0; i < 31; i += 2)
		printf(i < 30 ? "x%-2d=%016lx x%-2d=%016lx\n" : "x%-2d=%016lx\n",
		       i, r->x[i], i + 1, i < 30 ? r->x[i + 1] : 0);
	printf("sp=%016lx pc=%016lx pstate=%08lx esr=%08lx far=%016lx\n",
	       r->sp, r->pc, r->pstate, r->esr, r->far);
	backtrace_from(r->x[29], r->pc);
}

void arch_dump_here(void)
{
	uint64_t pc, sp, fp;

	asm volatile("adr %0, .; mov %1, sp; mov %2, x29" : "=r"(pc), "=r"(sp), "=r"(fp));
	printf("pc=%016lx sp=%016lx fp=%016lx EL%u sctlr=%08lx\n", pc, sp, fp,
	       current_el(), sctlr_read());
	backtrace_from(fp, pc);
}

void do_exception(struct ex_regs *r)
{
	struct percpu *cpu = this_cpu();
	unsigned int ec = ESR_EC(r->esr);
	struct fault f = { .valid = true, .vector = ec, .code = ESR_ISS(r->esr), .addr = r->far };
	char name[96];

	if (VEC_KIND(r->type) == VEC_SYNC) {
		if (lower_el_handler && VEC_GROUP(r->type) == VEC_LOWER_A64) {
			lower_el_handler(r);
			return;
		}
		if (handlers[ec]) {
			handlers[ec](r);
			return;
		}
		if (!cpu->in_panic && fault_catch(f, &r->pc))
			return;
		arch_fault_name(f, name, sizeof(name));
	} else if (VEC_KIND(r->type) == VEC_IRQ) {
		int intid = gic_handle_irq();

		if (intid < 0)
			return;
		snprintf(name, sizeof(name), "IRQ (INTID %d, no handler)", intid);
	} else {
		snprintf(name, sizeof(name), "%s", kind_names[VEC_KIND(r->type)]);
	}
	if (cpu->in_panic) {
		printf("ERROR: %s at pc %#lx while handling a fatal error\n" VM_EXIT_FMT "\n",
		       name, r->pc, VM_STATUS_ERROR);
		arch_exit(VM_STATUS_ERROR);
	}
	cpu->in_panic = true;
	printf("unexpected %s (vector type %lu) at pc %#lx on cpu %u\n", name, r->type,
	       r->pc, cpu->id);
	dump_ex_regs(r);
	report_abort("unexpected exception %s at pc %#lx", name, r->pc);
}
