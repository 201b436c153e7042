/*
 * probe: the runner's proof that an accelerator can run our payloads.
 *
 * Before the runner picks kvm it boots this payload under -accel kvm with
 * the default machine and CPU model (runner/probe.h); it must PASS within
 * seconds.  It exercises what every test leans on: the PL011 console, the
 * device tree, an undefined instruction, a breakpoint and a data abort on
 * an unmapped page.  Its cfg entry also runs it under TCG like any test.
 */
#include "vmunit.h"
#include "processor.h"
#include "vm.h"

static void do_udf(void *arg)
{
	asm volatile("udf #0");
}

static void do_brk(void *arg)
{
	asm volatile("brk #1");
}

int main(int argc, char **argv)
{
	void *page = alloc_page();
	uint64_t val;

	report_fault(call_safe(do_udf, NULL), EC_UNKNOWN, "udf raises an undefined instruction");
	report_fault(call_safe(do_brk, NULL), EC_BRK64, "brk raises a breakpoint");
	unmap_page(page);
	report_fault(load_safe(page, &val), EC_DABT_CUR, "load from an unmapped page aborts");
	return 0;
}
