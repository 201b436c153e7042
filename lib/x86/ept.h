/*
 * EPT for the VMX harness (SDM vol. 3C, 29.3): 4-level tables, the
 * identity map of guest-physical [0, top) with 2M pages (4K ones where a
 * test edits a page), permissions per 4K page, 2M leaves, INVEPT and
 * INVVPID.  The identity's leaves have the accessed and dirty flags (29.3.5)
 * preset, so that with EPTP_AD only what a test maps with ept_map() or
 * ept_map_2m() (flags clear) starts clean; splitting a 2M leaf keeps its
 * flags and attributes in the 512 4K ones.
 * vmx_ctls_allowed() (so vmx_start() and vmx_guest_init()) checks what
 * EPT needs of the CPU whenever PROC2_EPT is asked for.  Install with
 * vmwrite(EPT_POINTER, ept_eptp(e)) after vmx_guest_init() with PROC2_EPT.
 * Edits of live entries need INVEPT before L2 is guaranteed to see them.
 */
#ifndef VMUNIT_X86_EPT_H
#define VMUNIT_X86_EPT_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx.h"

#define EPT_R 1u
#define EPT_W 2u
#define EPT_X 4u
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3			/* memory type, bits 5:3 of a leaf */
#define EPT_MT_WB (6ull << EPT_MT_SHIFT)
#define EPT_LARGE (1ull << 7)		/* a 2M (or 1G) leaf */
#define EPT_A (1ull << 8)
#define EPT_D (1ull << 9)
#define EPT_ADDR 0x000ffffffffff000ull
#define EPTP_AD (1ull << 6)		/* EPTP: accessed and dirty flags enabled */

/* IA32_VMX_EPT_VPID_CAP bits (SDM vol. 3D, A.10). */
#define EPT_CAP_XONLY (1ull << 0)	/* execute-only translations */
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_AD (1ull << 21)

/* EPT-violation exit qualification (SDM vol. 3C, table 28-7). */
#define EPTV_READ	(1u << 0)
#define EPTV_WRITE	(1u << 1)
#define EPTV_FETCH	(1u << 2)
#define EPTV_READABLE	(1u << 3)
#define EPTV_WRITABLE	(1u << 4)
#define EPTV_EXECUTABLE	(1u << 5)
#define EPTV_GLA_VALID	(1u << 7)
#define EPTV_TRANSLATED	(1u << 8)	/* the final page, not a paging-structure entry */

#define INVEPT_SINGLE 1
#define INVEPT_ALL 2
#define INVVPID_ADDR 0
#define INVVPID_SINGLE 1
#define INVVPID_ALL 2

struct ept {
	uint64_t *pml4;
};

uint64_t vmx_ept_vpid_cap(void);
void ept_identity(struct ept *e, uint64_t top);
/*
 * The entry for gpa at level (3 = PML4E ... 0 = PTE), making the tables
 * above it and splitting a 2M leaf above it (same mapping) if need be.
 */
uint64_t *ept_entry(struct ept *e, uint64_t gpa, int level);
/* The 4K leaf entry for gpa: ept_entry(e, gpa, 0). */
uint64_t *ept_pte(struct ept *e, uint64_t gpa);
/* A 4K (2M) leaf, write-back, accessed and dirty flags clear. */
void ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, unsigned int perm);
void ept_map_2m(struct ept *e, uint64_t gpa, uint64_t hpa, unsigned int perm);
uint64_t ept_eptp(const struct ept *e);
struct vmx_status invept(int type, uint64_t eptp);
struct vmx_status invvpid(int type, uint16_t vpid, uint64_t gla);

#endif
