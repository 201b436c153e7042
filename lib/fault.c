/* The fault record and call_safe(), common to every arch. */
#include <stdarg.h>
#include "fault.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"

extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

bool fault_catch(struct fault f, uintptr_t *pc)
{
	struct percpu *cpu = this_cpu();
	const struct extable_entry *e;

	for (e = __start_ex_table; e < __stop_ex_table; e++) {
		if (e->insn == *pc) {
			cpu->fault = f;
			*pc = e->fixup;
			return true;
		}
	}
	if (!cpu->catching)
		return false;
	cpu->fault = f;
	cpu->catching = false;
	*pc = (uintptr_t)fault_unwind;
	return true;
}

void fault_unwind(void)
{
	vm_longjmp(this_cpu()->catch_ctx, 1);
}

struct fault call_safe(void (*fn)(void *), void *arg)
{
	struct percpu *cpu = this_cpu();

	assert(!cpu->catching);
	cpu->fault = NO_FAULT;
	if (vm_setjmp(cpu->catch_ctx) == 0) {
		cpu->catching = true;
		fn(arg);
		cpu->catching = false;
	}
	return cpu->fault;
}

static void call_addr(void *addr)
{
	((void (*)(void))addr)();
}

struct fault exec_safe(const void *addr)
{
	return call_safe(call_addr, (void *)addr);
}

const char *fault_str(struct fault f, char *buf, unsigned long size)
{
	if (!f.valid)
		snprintf(buf, size, "no fault");
	else
		arch_fault_name(f, buf, size);
	return buf;
}

bool report_fault(struct fault got, int want, const char *fmt, ...)
{
	bool ok = want == FAULT_NONE ? !got.valid
				     : got.valid && got.vector == (unsigned int)want;
	char msg[160], gs[48], ws[48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ok)
		return report(true, "%s", msg);
	if (want == FAULT_NONE)
		snprintf(ws, sizeof(ws), "no fault");
	else
		arch_fault_name((struct fault){ .valid = true, .vector = want },
				ws, sizeof(ws));
	return report(false, "%s (got %s, want %s)", msg,
		      fault_str(got, gs, sizeof(gs)), ws);
}
