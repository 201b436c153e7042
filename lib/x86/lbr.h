/*
 * Last branch recording, as far as every LBR flavour shares it: DEBUGCTL
 * (Intel IA32_DEBUGCTL, AMD DebugCtl: MSR 0x1d9) and a branch at a known
 * address to record.  Which LBR MSRs exist is the caller's gate (Intel:
 * CPUID.1:ECX.PDCM and IA32_PERF_CAPABILITIES' LBR format, SDM vol. 3B
 * "Last Branch Recording"; AMD: CPUID 0x8000000A:EDX.LBRV, APM vol. 2).
 *
 * lbr_jump(site, on, off) writes on to DEBUGCTL, executes one JMP from
 * lbr_from[site] to lbr_to[site] (each site its own pair of addresses),
 * and writes off to DEBUGCTL; nothing else branches between the two
 * writes, so with on = DEBUGCTL_LBR and off = 0 that JMP is the newest
 * record and stays so.  Faults as WRMSR of DEBUGCTL does.
 */
#ifndef VMUNIT_X86_LBR_H
#define VMUNIT_X86_LBR_H

#include <stdint.h>

#define MSR_DEBUGCTL		0x1d9
#define DEBUGCTL_LBR		(1ull << 0)
/* AMD's one record (APM vol. 2, "Control-Transfer Recording MSRs"). */
#define MSR_AMD_BR_FROM		0x1db
#define MSR_AMD_BR_TO		0x1dc
#define MSR_AMD_EXCP_FROM	0x1dd
#define MSR_AMD_EXCP_TO		0x1de

#define LBR_SITES 2
extern const uint64_t lbr_from[LBR_SITES], lbr_to[LBR_SITES];

void lbr_jump(unsigned int site, uint64_t on, uint64_t off);

#endif
