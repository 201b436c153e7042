/*
 * The KVM paravirtual interface (Linux Documentation/virt/kvm/x86/cpuid.rst,
 * hypercalls.rst): kvm_features() is CPUID 0x40000001.EAX when leaf
 * 0x40000000 says "KVMKVMKVM" and its EAX (the max leaf) reaches
 * 0x40000001, else 0; kvm_hypercall() runs hypercall nr
 * with up to four arguments through the vendor's instruction (VMCALL on
 * Intel, VMMCALL on AMD and Hygon) and returns RAX.  Safe from any CPU.
 *
 * Steal time (msr.rst, MSR_KVM_STEAL_TIME; gate KVM_FEATURE_STEAL_TIME):
 * kvm_steal_time_enable() hands the calling CPU's own 64-byte record to
 * the hypervisor and returns the wrmsr's fault (the MSR #GPs when the host
 * keeps no scheduler statistics); kvm_steal_time_of(cpu) is CPU cpu's
 * record, which the hypervisor rewrites (version odd while it does), and
 * whose `preempted` says the vCPU was scheduled out while runnable.  Call
 * kvm_steal_time_enable() on each CPU that wants one; the rest is safe
 * from any CPU.
 */
#ifndef VMUNIT_X86_KVM_H
#define VMUNIT_X86_KVM_H

#include <stdint.h>
#include "fault.h"

#define KVM_FEATURE(bit)	(1u << (bit))
#define KVM_HC_VAPIC_POLL_IRQ	1
#define KVM_HC_SEND_IPI		10
#define KVM_HC_SCHED_YIELD	11	/* a0: the APIC ID to yield to */
#define KVM_HC_MAP_GPA_RANGE	12

#define KVM_FEATURE_STEAL_TIME	5
#define KVM_FEATURE_PV_SCHED_YIELD 13
#define MSR_KVM_STEAL_TIME	0x4b564d03
#define KVM_VCPU_PREEMPTED	(1u << 0)	/* in kvm_steal_time.preempted */

struct kvm_steal_time {
	uint64_t steal;		/* ns runnable but not running */
	uint32_t version;
	uint32_t flags;
	uint8_t preempted;
	uint8_t pad8[3];
	uint32_t pad[11];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct kvm_steal_time) == 64, "msr.rst: a 64-byte record");

uint32_t kvm_features(void);
long kvm_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		   unsigned long a3);
struct fault kvm_steal_time_enable(void);
volatile struct kvm_steal_time *kvm_steal_time_of(unsigned int cpu);

#endif
