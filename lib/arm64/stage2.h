/*
 * A stage-2 translation of our own, run from EL2 (VHE host mode or nVHE):
 * the payload is the hypervisor, and its guest is EL1 code of this library
 * with stage 1 off (HCR_EL2.DC: Normal write-back, VA = IPA).
 *
 * s2_init() (one CPU at a time) builds an empty 4K-granule stage-2 table
 * with a VMID of its own (up to 255 VMs) for an IPA space of ipa_bits and
 * an output size of VTCR_EL2.PS = pa_bits, starting at the level the IPA
 * size needs with up to 16 concatenated tables, as the ARM ARM allows
 * (D8.2, "concatenated translation tables"), and maps the payload's text
 * 1:1 read-only executable: the guest's code.  s2_map() maps one 4K page,
 * 2M or 1G block with S2_R/S2_W/S2_X permissions (S2AP, XN) as Normal
 * write-back memory.  The guest's operations use no stack and leave
 * TPIDR_EL1 (the host's per-CPU pointer) alone.
 *
 * s2_run() enters the guest on the calling CPU at one operation (load,
 * store, exec or touch, below) and returns when it ends: the guest's HVC
 * #0 when done, an exception the guest took at EL1 (forwarded by its
 * vectors), a stage-2 abort taken to EL2, or anything else (S2_OTHER).  A
 * stage-2 abort first goes to vm->on_abort if set, which may map and
 * return true to resume the guest at the faulting instruction.  Any CPU
 * may run the same VM at once (on_abort runs under vm->lock).
 *
 * Changes to a live mapping follow break-before-make: s2_unmap() clears
 * the entry and invalidates it (TLBI IPAS2E1IS, then VMALLE1IS for
 * combined entries) before anything new is mapped there.
 */
#ifndef VMUNIT_ARM64_STAGE2_H
#define VMUNIT_ARM64_STAGE2_H

#include <stdbool.h>
#include <stdint.h>
#include "spinlock.h"

#define S2_R 1u
#define S2_W 2u
#define S2_X 4u
#define S2_PAGE (1ull << 12)
#define S2_BLOCK_2M (1ull << 21)
#define S2_BLOCK_1G (1ull << 30)

enum s2_op {
	S2_LOAD,	/* x0 = *(u64 *)a */
	S2_STORE,	/* *(u64 *)a = b */
	S2_EXEC,	/* call a (code that returns) */
	S2_TOUCH,	/* for each of b pages from a: store c at offset d, read it back */
};

enum s2_exit_reason { S2_DONE, S2_GUEST_EXCEPTION, S2_ABORT, S2_OTHER };

struct s2_exit {
	enum s2_exit_reason reason;
	uint64_t x0;		/* S2_DONE: the result */
	uint64_t esr, far;	/* ESR and FAR of the EL that took it (EL1 or EL2) */
	uint64_t hpfar_ipa;	/* S2_ABORT: the IPA page from HPFAR_EL2 */
	uint64_t pc;
};

struct s2_vm {
	uint64_t *root;
	unsigned int ipa_bits, pa_bits, start_level;
	uint64_t vtcr, vttbr;
	struct spinlock lock;
	bool (*on_abort)(struct s2_vm *vm, const struct s2_exit *e);
};

/* The PA size of ID_AA64MMFR0_EL1.PARange, at most 48 (4K granule). */
unsigned int s2_max_pa_bits(void);
void s2_init(struct s2_vm *vm, unsigned int ipa_bits, unsigned int pa_bits);
void s2_map(struct s2_vm *vm, uint64_t ipa, uint64_t pa, uint64_t size, unsigned int perm);
/* The page or block descriptor for ipa, or the invalid one the walk meets. */
uint64_t *s2_entry(struct s2_vm *vm, uint64_t ipa);
bool s2_mapped(struct s2_vm *vm, uint64_t ipa);
void s2_unmap(struct s2_vm *vm, uint64_t ipa);
void s2_tlbi_ipa(struct s2_vm *vm, uint64_t ipa);
struct s2_exit s2_run(struct s2_vm *vm, enum s2_op op, uint64_t a, uint64_t b, uint64_t c,
		      uint64_t d);
/* "stage-2 abort (EC 0x24, FSC 0x0f) at IPA ..." and the like, into buf. */
const char *s2_exit_str(const struct s2_exit *e, char *buf, unsigned long size);

#endif
