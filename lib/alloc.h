/*
 * Physical memory allocation.  Memory is identity-mapped, so page addresses
 * are usable pointers.
 *
 * Pages: page_alloc_init() hands the range [base, top) to the allocator,
 * rounded inward to whole pages; the allocator keeps its bitmap in the
 * first pages of the range.  Call it once per usable region the boot
 * protocol reports; regions must not overlap, and the one given last is
 * used first.  alloc_pages(order) returns 2^order contiguous pages aligned
 * to their size (2^order * PAGE_SIZE), zeroed, or NULL if no such run is
 * free.
 *
 * Heap: malloc() returns memory aligned to MALLOC_ALIGN (16) bytes and not
 * zeroed, or NULL; calloc() zeroes; memalign() aligns to any power of two
 * (NULL otherwise).  malloc(0) returns a unique pointer; free(NULL) does
 * nothing.  Requests above MALLOC_LARGE bytes take whole pages, which free()
 * gives back; smaller ones come from a first-fit free list that grows in
 * MALLOC_GROW-byte steps from the page allocator and never shrinks.
 *
 * Safe from any CPU (one spinlock for pages, one for the heap), but not from
 * an exception handler that interrupted an allocation.  Freeing memory that
 * was not allocated, or freeing it twice, is undefined.
 */
#ifndef VMUNIT_ALLOC_H
#define VMUNIT_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#endif

#define MALLOC_ALIGN 16
#define MALLOC_LARGE (4 * PAGE_SIZE)
#define MALLOC_GROW (16 * PAGE_SIZE)

void page_alloc_init(uintptr_t base, uintptr_t top);
void *alloc_pages(unsigned order);
void *alloc_page(void);
void free_pages(void *p, unsigned order);
void free_page(void *p);
size_t page_free_count(void);

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *memalign(size_t align, size_t size);
void free(void *p);

#endif
