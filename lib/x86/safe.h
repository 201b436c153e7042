/*
 * x86 wrappers that run one instruction and return the fault it raised (or
 * NO_FAULT) instead of dying: each marks its instruction in the exception
 * table (load_safe, store_safe and exec_safe are in fault.h).  Safe from
 * any CPU; not from fault handlers.
 */
#ifndef VMUNIT_X86_SAFE_H
#define VMUNIT_X86_SAFE_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"

struct fault rdmsr_safe(uint32_t msr, uint64_t *val);
struct fault wrmsr_safe(uint32_t msr, uint64_t val);
struct fault write_cr0_safe(uint64_t val);
struct fault write_cr3_safe(uint64_t val);
struct fault write_cr4_safe(uint64_t val);
/*
 * f is Bochs 2.7 lacking an MSR its CPUID promises (run under
 * ignore_bad_msrs=0): a #GP under vmunit.vmm=bochs, the one symptom its
 * XFAILs accept.
 */
bool bochs_lacks_msr(struct fault f);

#endif
