/*
 * The 31-bit pool: two bitmaps over DMA31_GRANULE-byte granules, one bit
 * set per granule in use and one per granule that starts a block, so that
 * dma31_free() needs no size.  First fit from the start of the pool.
 */
#include <stdbool.h>
#include "dma31.h"
#include "panic.h"
#include "spinlock.h"
#include "string.h"

#define NGRANULES (DMA31_POOL_SIZE / DMA31_GRANULE)
#define BITS (8 * sizeof(unsigned long))

_Static_assert(DMA31_POOL_SIZE % DMA31_MAX_ALIGN == 0, "whole aligned blocks");

static uint8_t pool[DMA31_POOL_SIZE] __attribute__((aligned(DMA31_MAX_ALIGN)));
static unsigned long used[NGRANULES / BITS], first[NGRANULES / BITS];
static size_t nr_used;
static struct spinlock lock;

static bool test_bit(const unsigned long *map, size_t i)
{
	return map[i / BITS] >> (i % BITS) & 1;
}

static void set_bit(unsigned long *map, size_t i, bool v)
{
	if (v)
		map[i / BITS] |= 1ul << (i % BITS);
	else
		map[i / BITS] &= ~(1ul << (i % BITS));
}

/* The first free run of n granules starting at a multiple of step. */
static long find_run(size_t n, size_t step)
{
	for (size_t i = 0; i + n <= NGRANULES; i += step) {
		size_t j;

		for (j = 0; j < n && !test_bit(used, i + j); j++)
			;
		if (j == n)
			return i;
	}
	return -1;
}

void *dma31_alloc(size_t size, size_t align)
{
	size_t n = (size + DMA31_GRANULE - 1) / DMA31_GRANULE;
	long i;

	if (align < DMA31_GRANULE)
		align = DMA31_GRANULE;
	if (!n || align > DMA31_MAX_ALIGN || (align & (align - 1)) || n > NGRANULES)
		return NULL;
	spin_lock(&lock);
	i = find_run(n, align / DMA31_GRANULE);
	if (i >= 0) {
		for (size_t j = 0; j < n; j++)
			set_bit(used, i + j, true);
		set_bit(first, i, true);
		nr_used += n;
	}
	spin_unlock(&lock);
	if (i < 0)
		return NULL;
	memset(pool + i * DMA31_GRANULE, 0, n * DMA31_GRANULE);
	return pool + i * DMA31_GRANULE;
}

void dma31_free(void *p)
{
	size_t i = ((uint8_t *)p - pool) / DMA31_GRANULE;
	bool ok;

	if (!p)
		return;
	ok = (uint8_t *)p >= pool && (uint8_t *)p < pool + sizeof(pool) &&
	     ((uint8_t *)p - pool) % DMA31_GRANULE == 0;
	spin_lock(&lock);
	ok = ok && test_bit(first, i);
	if (ok) {
		set_bit(first, i, false);
		do {
			set_bit(used, i, false);
			nr_used--;
			i++;
		} while (i < NGRANULES && test_bit(used, i) && !test_bit(first, i));
	}
	spin_unlock(&lock);
	if (!ok)
		panic("dma31_free(%p): not a block dma31_alloc() gave", p);
}

uint32_t dma31_addr(const void *p)
{
	const uint8_t *b = p;

	if (b < pool || b >= pool + sizeof(pool))
		panic("%p is not in the 31-bit DMA pool", p);
	return (uint32_t)(uintptr_t)b;
}

size_t dma31_free_bytes(void)
{
	size_t n;

	spin_lock(&lock);
	n = NGRANULES - nr_used;
	spin_unlock(&lock);
	return n * DMA31_GRANULE;
}
