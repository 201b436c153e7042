/* The KVM paravirtual interface (lib/x86/kvm.h). */
#include "kvm.h"
#include "cpuid.h"
#include "string.h"

uint32_t kvm_features(void)
{
	char sig[13];

	hypervisor_signature(sig);
	/* cpuid(): 0 when 0x40000000.EAX (the max leaf) is below 0x40000001 */
	return strcmp(sig, "KVMKVMKVM") ? 0 : cpuid(0x40000001, 0).a;
}

long kvm_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		   unsigned long a3)
{
	char vendor[13];
	long ret;

	cpu_vendor(vendor);
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		asm volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	else
		asm volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	return ret;
}
