/*
 * Memory below 2 GiB for everything the channel subsystem reads or writes
 * (ORBs, CCWs, IDAW lists, SCHIBs, IRBs and data buffers: format-1 CCWs
 * and format-1 IDAWs carry 31-bit addresses) and for anything else that
 * needs a 31-bit address, such as a prefix area set at run time.  The page
 * allocator gives no such promise: with -m above 2 GiB it hands out memory
 * above 2 GiB first (lib/s390x/setup.c).
 *
 * The pool is a DMA31_POOL_SIZE block of the image's .bss; the image is
 * linked below 2 GiB (s390x/flat.lds asserts it).  dma31_alloc() returns
 * size bytes (rounded up to DMA31_GRANULE), zeroed and aligned to align (a
 * power of two up to DMA31_MAX_ALIGN; smaller values mean DMA31_GRANULE),
 * or NULL when no such run is free.  dma31_free() gives a block back (NULL:
 * nothing).  dma31_addr() is the 31-bit address of pool memory for a CCW,
 * IDAW or ORB field; it panics for memory outside the pool.
 * Safe from any CPU (one spinlock); not from interruption handlers.
 */
#ifndef VMUNIT_S390X_DMA31_H
#define VMUNIT_S390X_DMA31_H

#include <stddef.h>
#include <stdint.h>

#define DMA31_POOL_SIZE (128 * 1024)
#define DMA31_GRANULE 16
#define DMA31_MAX_ALIGN 8192	/* a prefix area's */

void *dma31_alloc(size_t size, size_t align);
void dma31_free(void *p);
uint32_t dma31_addr(const void *p);
/* Free bytes in the pool (for leak checks). */
size_t dma31_free_bytes(void);

#endif
