/*
 * Page tables of the running CPU (CR3): map, unmap or change the
 * permissions of one 4K page.  Boot maps the first 4 GiB 1:1 with 2M pages;
 * these helpers split a large page when they touch part of it and allocate
 * tables from the page allocator.  Each call invalidates the TLB entry of
 * its page on the calling CPU only.  Not safe to call concurrently.
 */
#ifndef VMUNIT_X86_VM_H
#define VMUNIT_X86_VM_H

#include <stdint.h>

#define PTE_P	(1ull << 0)
#define PTE_W	(1ull << 1)
#define PTE_U	(1ull << 2)
#define PTE_A	(1ull << 5)
#define PTE_D	(1ull << 6)
#define PTE_PS	(1ull << 7)		/* in a PDE/PDPTE: large page */
#define PTE_PAT	(1ull << 7)		/* in a 4K PTE */
#define PTE_LARGE_PAT (1ull << 12)	/* in a large-page entry */
#define PTE_NX	(1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_PERM (PTE_W | PTE_U | PTE_NX)	/* what protect_page() sets */

/*
 * flags: any of PTE_PERM (PTE_W, PTE_U, PTE_NX); PTE_P is implied.
 * protect_page() keeps the other attributes (caching, accessed, dirty).
 */
void map_page(void *va, uint64_t pa, uint64_t flags);
void protect_page(void *va, uint64_t flags);
void unmap_page(void *va);
/* The 4K PTE that maps va (splitting a large page), or NULL if unmapped. */
uint64_t *get_pte(void *va);
void flush_tlb(void);

#endif
