/*
 * probe: the runner's proof that an accelerator can run our payloads.
 *
 * Before the runner picks kvm it boots this payload under -accel kvm with
 * the default machine and CPU model (runner/probe.h); it must PASS within
 * seconds.  It exercises what every test leans on: the SCLP console and
 * memory size, and program interruptions (operation, addressing) with the
 * exception table.  Its cfg entry also runs it under TCG like any test.
 */
#include "vmunit.h"
#include "processor.h"
#include "sclp.h"

static void do_operation(void *arg)
{
	asm volatile(".short 0x0000");	/* opcode 0x00 is not assigned */
}

int main(int argc, char **argv)
{
	uint64_t size = sclp_memory_size(), val;

	report(size >= 1u << 20, "SCLP: memory size is at least 1 MiB (%#lx)", size);
	report_fault(call_safe(do_operation, NULL), PGM_OPERATION,
		     "opcode 0x00 is an operation exception");
	report_fault(load_safe((void *)size, &val), PGM_ADDRESSING,
		     "load past the end of memory is an addressing exception");
	return 0;
}
