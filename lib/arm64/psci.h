/*
 * PSCI calls through the conduit the device tree names (/psci "method":
 * hvc or smc; hvc until dt says otherwise).  Safe from any CPU.
 */
#ifndef VMUNIT_ARM64_PSCI_H
#define VMUNIT_ARM64_PSCI_H

#include <stdbool.h>
#include <stdint.h>

#define PSCI_VERSION	0x84000000
#define PSCI_CPU_ON	0xc4000003
#define PSCI_SYSTEM_OFF	0x84000008

void psci_init(void);
/* The conduit is SMC (a machine with EL2: QEMU's virt with virtualization=on). */
bool psci_uses_smc(void);
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/*
 * The hypervisor says it is KVM: the SMCCC Call UID of the Vendor Specific
 * Hypervisor Service range (0x8600ff01, DEN0028) is KVM's
 * 28b46fb6-2ec5-11e9-a9ca-4b564d003a74.  QEMU TCG answers NOT_SUPPORTED.
 */
bool smccc_hyp_is_kvm(void);

/* Start every other CPU of the device tree's /cpus with CPU_ON (smp.c). */
void smp_boot(const void *fdt);

#endif
