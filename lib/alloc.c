/*
 * Pages: each region starts with a header and a bitmap (bit set = page in
 * use); alloc_pages() scans for a free, aligned run from a hint below which
 * no page is free.  Simple, and fast enough for test-sized memories.
 *
 * Heap: blocks carry a 16-byte header with their size.  Free blocks sit on
 * a list sorted by address and merge with their neighbours.  The size's low
 * bits (sizes are multiples of 16) mark a block that owns whole pages
 * (BLOCK_PAGES) and memalign()'s marker before an aligned pointer
 * (BLOCK_OFFSET: the size field is the distance back to the real block).
 */
#include <stdbool.h>

#include "alloc.h"
#include "spinlock.h"
#include "string.h"

#define BITS (8 * sizeof(unsigned long))

struct region {
	struct region *next;
	uintptr_t start;	/* address of page 0 */
	size_t npages;
	size_t hint;		/* no page below this index is free */
	unsigned long bitmap[];
};

static struct spinlock page_lock;
static struct region *regions;
static size_t nr_free;

static bool page_used(const struct region *r, size_t i)
{
	return r->bitmap[i / BITS] >> (i % BITS) & 1;
}

static void mark_pages(struct region *r, size_t i, size_t n, bool used)
{
	for (; n; n--, i++) {
		if (used)
			r->bitmap[i / BITS] |= 1UL << (i % BITS);
		else
			r->bitmap[i / BITS] &= ~(1UL << (i % BITS));
	}
}

void page_alloc_init(uintptr_t base, uintptr_t top)
{
	struct region *r = (void *)((base + PAGE_SIZE - 1) & -PAGE_SIZE);
	size_t n, meta;

	if (top <= (uintptr_t)r)
		return;
	n = (top - (uintptr_t)r) / PAGE_SIZE;	/* whole pages: rounds top down */
	meta = sizeof(*r) + (n + BITS - 1) / BITS * sizeof(unsigned long);
	meta = (meta + PAGE_SIZE - 1) / PAGE_SIZE;
	if (meta >= n)
		return;

	memset(r, 0, meta * PAGE_SIZE);
	r->start = (uintptr_t)r + meta * PAGE_SIZE;
	r->npages = n - meta;
	spin_lock(&page_lock);
	r->next = regions;
	regions = r;
	nr_free += r->npages;
	spin_unlock(&page_lock);
}

/* Take n free pages from r at an address aligned to n pages. */
static void *take_pages(struct region *r, size_t n)
{
	uintptr_t align = n * PAGE_SIZE;
	uintptr_t first = (r->start + r->hint * PAGE_SIZE + align - 1) & -align;
	size_t i, j;

	for (i = (first - r->start) / PAGE_SIZE; i + n <= r->npages; i += n) {
		for (j = 0; j < n && !page_used(r, i + j); j++)
			;
		if (j < n)
			continue;
		mark_pages(r, i, n, true);
		if (i == r->hint)
			r->hint = i + n;
		return (void *)(r->start + i * PAGE_SIZE);
	}
	return NULL;
}

void *alloc_pages(unsigned order)
{
	struct region *r;
	void *p = NULL;

	if (order >= 8 * sizeof(uintptr_t) - PAGE_SHIFT - 1)
		return NULL;
	spin_lock(&page_lock);
	for (r = regions; r && !p; r = r->next)
		p = take_pages(r, (size_t)1 << order);
	if (p)
		nr_free -= (size_t)1 << order;
	spin_unlock(&page_lock);
	if (p)
		memset(p, 0, PAGE_SIZE << order);
	return p;
}

void *alloc_page(void)
{
	return alloc_pages(0);
}

void free_pages(void *p, unsigned order)
{
	uintptr_t a = (uintptr_t)p;
	struct region *r;
	size_t i;

	spin_lock(&page_lock);
	for (r = regions; r; r = r->next) {
		if (a < r->start || a >= r->start + r->npages * PAGE_SIZE)
			continue;
		i = (a - r->start) / PAGE_SIZE;
		mark_pages(r, i, (size_t)1 << order, false);
		if (i < r->hint)
			r->hint = i;
		nr_free += (size_t)1 << order;
		break;
	}
	spin_unlock(&page_lock);
}

void free_page(void *p)
{
	free_pages(p, 0);
}

size_t page_free_count(void)
{
	size_t n;

	spin_lock(&page_lock);
	n = nr_free;
	spin_unlock(&page_lock);
	return n;
}

struct block {
	size_t size;		/* bytes including this header, | flags */
	struct block *next;	/* next free block by address, while free */
} __attribute__((aligned(MALLOC_ALIGN)));

#define HDR sizeof(struct block)
#define BLOCK_PAGES 1UL
#define BLOCK_OFFSET 2UL
#define BLOCK_FLAGS (BLOCK_PAGES | BLOCK_OFFSET)

_Static_assert(HDR == MALLOC_ALIGN, "block header keeps user data aligned");

static struct spinlock heap_lock;
static struct block *free_list;	/* sorted by address */

static unsigned order_of(size_t bytes)
{
	unsigned order = 0;

	while (PAGE_SIZE << order < bytes)
		order++;
	return order;
}

/* Put b on the free list, merging it with adjacent free blocks. */
static void heap_insert(struct block *b)
{
	struct block **pp = &free_list, *prev = NULL;

	while (*pp && (uintptr_t)*pp < (uintptr_t)b) {
		prev = *pp;
		pp = &prev->next;
	}
	b->next = *pp;
	*pp = b;
	if (b->next && (uintptr_t)b + b->size == (uintptr_t)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (uintptr_t)prev + prev->size == (uintptr_t)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

/* First fit; the rest of a block stays free if it can hold a header and data. */
static struct block *heap_take(size_t need)
{
	struct block **pp, *b, *rest;

	for (pp = &free_list; (b = *pp); pp = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= 2 * HDR) {
			rest = (struct block *)((uintptr_t)b + need);
			rest->size = b->size - need;
			rest->next = b->next;
			b->size = need;
			*pp = rest;
		} else {
			*pp = b->next;
		}
		return b;
	}
	return NULL;
}

/* Add MALLOC_GROW bytes to the heap, or when memory is short just enough for need. */
static bool heap_grow(size_t need)
{
	unsigned order = order_of(MALLOC_GROW);
	struct block *b = alloc_pages(order);

	if (!b) {
		order = order_of(need);
		b = alloc_pages(order);
	}
	if (!b)
		return false;
	b->size = PAGE_SIZE << order;
	heap_insert(b);
	return true;
}

void *malloc(size_t size)
{
	size_t need;
	unsigned order;
	struct block *b;

	if (size > SIZE_MAX / 2)
		return NULL;
	/* Header plus data in 16-byte units; malloc(0) gets one unit too. */
	need = HDR + ((size ? size : 1) + MALLOC_ALIGN - 1) / MALLOC_ALIGN * MALLOC_ALIGN;

	if (need > MALLOC_LARGE) {
		order = order_of(need);
		b = alloc_pages(order);
		if (!b)
			return NULL;
		b->size = (PAGE_SIZE << order) | BLOCK_PAGES;
		return b + 1;
	}

	spin_lock(&heap_lock);
	b = heap_take(need);
	if (!b && heap_grow(need))
		b = heap_take(need);
	spin_unlock(&heap_lock);
	return b ? b + 1 : NULL;
}

void *calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void *memalign(size_t align, size_t size)
{
	uintptr_t raw, p;
	struct block *mark;

	if (!align || (align & (align - 1)))
		return NULL;
	if (align <= MALLOC_ALIGN)
		return malloc(size);
	if (size > SIZE_MAX / 2 - align)
		return NULL;

	/* Over-allocate; a marker before the aligned pointer leads free() back. */
	raw = (uintptr_t)malloc(size + align);
	if (!raw)
		return NULL;
	p = (raw + align - 1) & -align;
	if (p != raw) {
		mark = (struct block *)p - 1;
		mark->size = (p - raw) | BLOCK_OFFSET;
	}
	return (void *)p;
}

void free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *)p - 1;
	if (b->size & BLOCK_OFFSET)
		b = (struct block *)((uintptr_t)p - (b->size & ~BLOCK_FLAGS)) - 1;
	if (b->size & BLOCK_PAGES) {
		free_pages(b, order_of(b->size & ~BLOCK_FLAGS));
		return;
	}
	spin_lock(&heap_lock);
	heap_insert(b);
	spin_unlock(&heap_lock);
}
