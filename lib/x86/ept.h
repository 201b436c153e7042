/*
 * EPT for the VMX harness (SDM vol. 3C, 29.3): 4-level tables, the
 * identity map of guest-physical [0, top) with 2M pages (4K ones where a
 * test edits a page), permissions per 4K page, INVEPT and INVVPID.
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

/* EPT-violation exit qualification (SDM vol. 3C, table 28-7). */
#define EPTV_READ	(1u << 0)
#define EPTV_WRITE	(1u << 1)
#define EPTV_FETCH	(1u << 2)
#define EPTV_READABLE	(1u << 3)
#define EPTV_WRITABLE	(1u << 4)
#define EPTV_EXECUTABLE	(1u << 5)
#define EPTV_GLA_VALID	(1u << 7)

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
/* The 4K leaf entry for gpa, splitting a 2M page (same mapping) if need be. */
uint64_t *ept_pte(struct ept *e, uint64_t gpa);
void ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, unsigned int perm);
uint64_t ept_eptp(const struct ept *e);
struct vmx_status invept(int type, uint64_t eptp);
struct vmx_status invvpid(int type, uint16_t vpid, uint64_t gla);

#endif
