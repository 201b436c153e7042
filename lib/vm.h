/*
 * Page mappings of the running CPU's current translation regime, one 4K
 * page at a time, with the same flags on every arch.  The boot code maps
 * RAM (and on arm64 the low device window) 1:1; these helpers split large
 * mappings as needed, take tables from the page allocator, and invalidate
 * the TLB entry of the page on the calling CPU only.  Not safe to call
 * concurrently from several CPUs.
 */
#ifndef VMUNIT_VM_H
#define VMUNIT_VM_H

#include <stdint.h>

/* Access: always readable by the kernel; add write, execute, user access. */
#define VM_W	(1u << 0)
#define VM_X	(1u << 1)
#define VM_USER	(1u << 2)

void map_page(void *va, uint64_t pa, unsigned int flags);
/* Change a mapped page's access; its memory type and other bits stay. */
void protect_page(void *va, unsigned int flags);
void unmap_page(void *va);
void flush_tlb(void);

#endif
