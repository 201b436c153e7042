/*
 * SEV and SEV-ES guest state (AMD APM vol. 2, 15.34-15.35).  sev_status is
 * SEV_STATUS (MSR 0xc0010131) as the boot (x86/cstart64.S) read it: 0
 * unless CPUID 0x8000001F says SEV and the MSR reads.  sev_es_init(), on
 * CPU 0 before the first port I/O (x86_start), does nothing unless
 * SEV_STATUS.SEV_ES: then it maps one GHCB page unencrypted and installs
 * the #VC handler (lib/x86/vc.h) that serves port I/O and CPUID with it.
 * One GHCB: only CPU 0 is served.  An exception the hypervisor asks for is
 * raised as if the instruction had faulted (the exception table and
 * call_safe() see it); a #VC that cannot be served ends the test (ERROR),
 * or, if that fails too, asks the hypervisor to terminate the guest.
 */
#ifndef VMUNIT_X86_SEV_H
#define VMUNIT_X86_SEV_H

#include <stdint.h>

#define MSR_SEV_STATUS	0xc0010131
#define SEV_STATUS_SEV	(1ull << 0)
#define SEV_STATUS_ES	(1ull << 1)

extern uint64_t sev_status;

void sev_es_init(void);

#endif
