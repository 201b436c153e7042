/*
 * The KVM paravirtual interface (Linux Documentation/virt/kvm/x86/cpuid.rst,
 * hypercalls.rst): kvm_features() is CPUID 0x40000001.EAX when leaf
 * 0x40000000 says "KVMKVMKVM" and its EAX (the max leaf) reaches
 * 0x40000001, else 0; kvm_hypercall() runs hypercall nr
 * with up to four arguments through the vendor's instruction (VMCALL on
 * Intel, VMMCALL on AMD and Hygon) and returns RAX.  Safe from any CPU.
 */
#ifndef VMUNIT_X86_KVM_H
#define VMUNIT_X86_KVM_H

#include <stdint.h>

#define KVM_FEATURE(bit)	(1u << (bit))
#define KVM_HC_VAPIC_POLL_IRQ	1
#define KVM_HC_SEND_IPI		10
#define KVM_HC_MAP_GPA_RANGE	12

uint32_t kvm_features(void);
long kvm_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		   unsigned long a3);

#endif
