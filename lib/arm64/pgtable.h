/*
 * arm64 stage-1 descriptors behind lib/vm.h (TTBR0_EL1, 4K granule, 48-bit
 * VA, 4 levels).  mmu_init() replaces the boot tables and returns the root:
 * the low 1 GiB device window as one Device-nGnRnE block, RAM 1:1 with 4K
 * pages, nothing else mapped.  RAM is W^X: the payload's text read-only
 * and executable, all else read-write and execute-never (so SCTLR.WXN can
 * be set).
 */
#ifndef VMUNIT_ARM64_PGTABLE_H
#define VMUNIT_ARM64_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

#define PTE_VALID	(1ull << 0)
#define PTE_TABLE	(1ull << 1)	/* with VALID: table (L0-L2) or page (L3) */
#define PTE_ATTR(i)	((uint64_t)(i) << 2)	/* MAIR index: 0 device, 1 normal */
#define PTE_USER	(1ull << 6)	/* AP[1]: EL0 access */
#define PTE_RDONLY	(1ull << 7)	/* AP[2] */
#define PTE_SH_INNER	(3ull << 8)
#define PTE_AF		(1ull << 10)
#define PTE_PXN		(1ull << 53)
#define PTE_UXN		(1ull << 54)
#define PTE_ADDR_MASK	0x0000fffffffff000ull
#define PTE_PERM	(PTE_USER | PTE_RDONLY | PTE_PXN | PTE_UXN)

uint64_t *mmu_init(uint64_t ram_base, uint64_t ram_size);
/* Build later tables in the EL2 (E2H clear) format: mmu_init() then only
 * returns the root, for the switch to nVHE to install. */
void pgtable_use_el2_format(void);
/* At EL2 without VHE: the system registers of this EL are the *_EL2 ones. */
bool el2_nvhe(void);
/* SCTLR of the running EL (EL1, EL2 through VHE names, or SCTLR_EL2). */
uint64_t sctlr_read(void);
void sctlr_write(uint64_t v);
/* The L3 descriptor that maps va (splitting a block), or NULL if unmapped. */
uint64_t *get_pte(void *va);

#endif
