/* The KVM paravirtual interface (lib/x86/kvm.h). */
#include "kvm.h"
#include "cpuid.h"
#include "percpu.h"
#include "safe.h"
#include "smp.h"
#include "string.h"

static struct kvm_steal_time steal_time[MAX_CPUS];

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

struct fault kvm_steal_time_enable(void)
{
	return wrmsr_safe(MSR_KVM_STEAL_TIME, (uint64_t)&steal_time[smp_id()] | 1);	/* bit 0: on */
}

volatile struct kvm_steal_time *kvm_steal_time_of(unsigned int cpu)
{
	return &steal_time[cpu];
}
