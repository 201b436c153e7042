/*
 * The GHCB MSR protocol (AMD, "SEV-ES Guest-Hypervisor Communication
 * Block Standardization", the GHCB MSR protocol section): a guest asks its
 * hypervisor through MSR 0xc0010130, the request code in bits 11:0 and
 * its data above, then VMGEXIT (REP VMMCALL); the answer is in the same
 * MSR.  Requests here: SEV information (0x002, answered 0x001 with the
 * maximum and minimum protocol versions and the C-bit position) and one
 * register of one CPUID function (0x004, answered 0x005 with the value
 * and the register echoed).  An answer with another code, another
 * register or reserved bits set is refused (-1): a hypervisor could give
 * one, and a guest must not take it.  The exchange itself is the ops', so
 * a host test plays the hypervisor (tests/lib-ghcb-test.c).
 */
#ifndef VMUNIT_X86_GHCB_H
#define VMUNIT_X86_GHCB_H

#include <stdint.h>

#define MSR_GHCB		0xc0010130
#define GHCB_SEV_INFO		0x001
#define GHCB_SEV_INFO_REQ	0x002
#define GHCB_CPUID_REQ		0x004
#define GHCB_CPUID_RESP		0x005
#define GHCB_INFO_MASK		0xfffull

struct ghcb_ops {
	void (*write)(uint64_t v);	/* the GHCB MSR */
	uint64_t (*read)(void);
	void (*vmgexit)(void);
};

/* The real MSR and REP VMMCALL (only in an SEV-ES guest). */
extern const struct ghcb_ops ghcb_hw;

enum ghcb_reg { GHCB_EAX, GHCB_EBX, GHCB_ECX, GHCB_EDX };

/* CPUID function fn's register r through the protocol: 0, or -1 refused. */
int ghcb_cpuid_reg(const struct ghcb_ops *o, uint32_t fn, enum ghcb_reg r, uint32_t *out);
/* All four registers (subleaf 0: the MSR protocol has no ECX input). */
int ghcb_cpuid(const struct ghcb_ops *o, uint32_t fn, uint32_t regs[4]);

struct ghcb_sev_info {
	uint16_t max_version, min_version;
	uint8_t cbit;
};
int ghcb_sev_info(const struct ghcb_ops *o, struct ghcb_sev_info *info);

#endif
