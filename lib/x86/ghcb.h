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
 *
 * The GHCB page (the specification's "GHCB Layout", protocol version 2):
 * a 4K page the guest maps unencrypted, puts its address in the MSR and
 * does VMGEXIT; the fields it sets are marked in the valid bitmap (bit =
 * offset / 8), and so are the ones the hypervisor answers.  Its use for
 * #VC is lib/x86/vc.h.
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

/* Ask the hypervisor to end the guest (MSR request 0x100, reason set 0). */
#define GHCB_TERMINATE_REQ	0x100
void ghcb_terminate(const struct ghcb_ops *o, uint8_t reason);

struct ghcb {
	uint8_t page[4096];
} __attribute__((aligned(4096)));

/* Save-area fields by their offset. */
enum ghcb_field {
	GHCB_RAX = 0x1f8, GHCB_RCX = 0x308, GHCB_RDX = 0x310, GHCB_RBX = 0x318,
	GHCB_EXIT_CODE = 0x390, GHCB_EXIT_INFO_1 = 0x398, GHCB_EXIT_INFO_2 = 0x3a0,
	GHCB_SCRATCH = 0x3a8, GHCB_XCR0 = 0x3e8,
};
#define GHCB_VALID_BITMAP	0x3f0	/* 16 bytes */
#define GHCB_BUFFER		0x800	/* the shared buffer */
#define GHCB_BUFFER_SIZE	2032
#define GHCB_PROTOCOL_VERSION	0xffa	/* 16 bits */
#define GHCB_USAGE		0xffc	/* 32 bits: 0, the standard layout */

/* A cleared valid bitmap (the start of every request). */
void ghcb_clear(struct ghcb *g);
/* Set a field and mark it valid. */
void ghcb_set(struct ghcb *g, enum ghcb_field f, uint64_t v);
/* A field, read once (the page is shared: the hypervisor may change it). */
uint64_t ghcb_get(const struct ghcb *g, enum ghcb_field f);
int ghcb_valid(const struct ghcb *g, enum ghcb_field f);

#endif
