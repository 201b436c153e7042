/*
 * probe: the runner's proof that an accelerator can run our payloads.
 *
 * Before the runner picks kvm it boots this payload under -accel kvm with
 * the default machine and CPU model (runner/probe.h); it must PASS within
 * seconds.  It exercises what every test leans on and what some KVMs get
 * wrong: console port writes, CPUID, and the exceptions the fault wrappers
 * rely on (#UD, #BP from INT3, which some KVMs cannot emulate, #GP).  Its
 * cfg entry also runs it under TCG like any test.  Needs a 64-bit CPU.
 */
#include "vmunit.h"
#include "cpuid.h"
#include "processor.h"

static void do_ud2(void *arg)
{
	asm volatile("ud2");
}

static void do_int3(void *arg)
{
	asm volatile("int3");
}

int main(int argc, char **argv)
{
	uint64_t val;

	uint32_t max = cpuid(0, 0).a;

	report(max >= 1, "CPUID.0: maximum basic leaf is at least 1 (%#x)", max);
	report_fault(call_safe(do_ud2, NULL), UD_VECTOR, "ud2 raises #UD");
	report_fault(call_safe(do_int3, NULL), BP_VECTOR, "int3 raises #BP");
	report_fault(load_safe((void *)NONCANONICAL, &val), GP_VECTOR,
		     "non-canonical load raises #GP");
	return 0;
}
