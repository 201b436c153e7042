/*
 * Host unit test of the guest allocator (lib/alloc.c) over arenas from the
 * host's aligned_alloc: page alignment, zeroing, no overlap, free and reuse,
 * exhaustion, several regions; malloc/calloc/memalign/free patterns and a
 * random stress run with a fixed seed that checks every live block.
 *
 * lib/alloc.c is compiled into this file with malloc & co renamed
 * (vm_malloc, ...); being in the same file, reset() can also forget the
 * allocator's state between tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define malloc vm_malloc
#define calloc vm_calloc
#define memalign vm_memalign
#define free vm_free
#include "../lib/alloc.c"
#undef malloc
#undef calloc
#undef memalign
#undef free

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ARENA_ALIGN (4UL << 20)
#define ARENA_PAGES 1024UL	/* 4 MiB: one bitmap page, 1023 to allocate */

static unsigned char *arenas[2];

static int setup(void **state)
{
	(void)state;
	regions = NULL;
	nr_free = 0;
	free_list = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(arenas); i++) {
		arenas[i] = aligned_alloc(ARENA_ALIGN, ARENA_PAGES * PAGE_SIZE);
		assert_non_null(arenas[i]);
		memset(arenas[i], 0xa5, ARENA_PAGES * PAGE_SIZE);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(arenas); i++)
		free(arenas[i]);
	return 0;
}

static void add_arena(int i, size_t pages)
{
	page_alloc_init((uintptr_t)arenas[i], (uintptr_t)arenas[i] + pages * PAGE_SIZE);
}

static size_t page_index(const void *p)
{
	return ((uintptr_t)p - (uintptr_t)arenas[0]) / PAGE_SIZE;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void test_init_rounds_inward(void **state)
{
	uintptr_t base = (uintptr_t)arenas[0];
	void *p;

	(void)state;
	page_alloc_init(base + 10, base + 20);			/* no whole page */
	page_alloc_init(base + PAGE_SIZE, base + 2 * PAGE_SIZE);/* bitmap only */
	page_alloc_init(base + 100, base);			/* top below base */
	assert_int_equal(page_free_count(), 0);
	assert_null(alloc_page());

	/* [base + 123, base + 64 pages - 77) holds pages 1..62; page 1 is the bitmap. */
	page_alloc_init(base + 123, base + 64 * PAGE_SIZE - 77);
	assert_int_equal(page_free_count(), 61);
	while ((p = alloc_page())) {
		assert_true(page_index(p) >= 2 && page_index(p) < 63);
		assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
	}
	assert_int_equal(page_free_count(), 0);
}

static void test_alignment_and_zeroing(void **state)
{
	unsigned order;
	unsigned char *p;

	(void)state;
	add_arena(0, ARENA_PAGES);
	for (order = 0; order <= 9; order++) {
		p = alloc_pages(order);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % (PAGE_SIZE << order), 0);
		assert_true(page_index(p) + (1UL << order) <= ARENA_PAGES);
		assert_true(all_zero(p, PAGE_SIZE << order));
		memset(p, 0xff, PAGE_SIZE << order);
		free_pages(p, order);
		p = alloc_pages(order);
		assert_true(all_zero(p, PAGE_SIZE << order));
		free_pages(p, order);
	}
	assert_int_equal(page_free_count(), ARENA_PAGES - 1);
	assert_null(alloc_pages(10));	/* 1024 pages, but page 0 is the bitmap */
	assert_null(alloc_pages(60));
	assert_int_equal(page_free_count(), ARENA_PAGES - 1);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return (x > y) - (x < y);
}

/* Take every page one at a time and check that no page came twice. */
static size_t take_all(uintptr_t *pages, size_t max)
{
	static uintptr_t sorted[2 * ARENA_PAGES];
	size_t n = 0, i;
	void *p;

	while ((p = alloc_page())) {
		assert_true(n < max && n < ARRAY_SIZE(sorted));
		pages[n++] = (uintptr_t)p;
	}
	memcpy(sorted, pages, n * sizeof(*pages));
	qsort(sorted, n, sizeof(*sorted), cmp_ptr);
	for (i = 1; i < n; i++)
		assert_true(sorted[i - 1] < sorted[i]);
	return n;
}

static void test_exhaustion_and_reuse(void **state)
{
	static uintptr_t pages[ARENA_PAGES];
	size_t n, i;

	(void)state;
	add_arena(0, ARENA_PAGES);
	n = take_all(pages, ARENA_PAGES);
	assert_int_equal(n, ARENA_PAGES - 1);
	assert_int_equal(page_free_count(), 0);
	assert_null(alloc_pages(0));

	/* Every other page free: single pages fit, pairs do not. */
	for (i = 0; i < n; i += 2)
		free_page((void *)pages[i]);
	assert_int_equal(page_free_count(), (n + 1) / 2);
	assert_null(alloc_pages(1));
	assert_non_null(alloc_page());
	for (i = 1; i < n; i += 2)
		free_page((void *)pages[i]);
	assert_non_null(alloc_pages(1));
	assert_non_null(alloc_pages(8));
}

static void test_two_regions(void **state)
{
	static uintptr_t pages[2 * ARENA_PAGES];
	uintptr_t second = (uintptr_t)arenas[1];
	size_t n, i, from_second = 0;

	(void)state;
	add_arena(0, ARENA_PAGES);
	add_arena(1, ARENA_PAGES / 2);
	assert_int_equal(page_free_count(), ARENA_PAGES - 1 + ARENA_PAGES / 2 - 1);
	n = take_all(pages, ARRAY_SIZE(pages));
	assert_int_equal(n, ARENA_PAGES - 1 + ARENA_PAGES / 2 - 1);
	for (i = 0; i < n; i++)
		from_second += pages[i] - second < ARENA_PAGES / 2 * PAGE_SIZE;
	assert_int_equal(from_second, ARENA_PAGES / 2 - 1);
}

/* Random page blocks of orders 0..4: aligned, disjoint, counted. */
static void test_random_orders(void **state)
{
	static int owner[ARENA_PAGES];
	struct {
		void *p;
		unsigned order;
	} slot[64] = { { 0 } };
	size_t used = 0, i, k, pg;

	(void)state;
	add_arena(0, ARENA_PAGES);
	memset(owner, -1, sizeof(owner));
	srand(2);
	for (i = 0; i < 20000; i++) {
		k = rand() % ARRAY_SIZE(slot);
		if (slot[k].p) {
			for (pg = 0; pg < 1UL << slot[k].order; pg++)
				owner[page_index(slot[k].p) + pg] = -1;
			free_pages(slot[k].p, slot[k].order);
			used -= 1UL << slot[k].order;
			slot[k].p = NULL;
			continue;
		}
		slot[k].order = rand() % 5;
		slot[k].p = alloc_pages(slot[k].order);
		if (!slot[k].p)
			continue;
		assert_int_equal((uintptr_t)slot[k].p % (PAGE_SIZE << slot[k].order), 0);
		for (pg = 0; pg < 1UL << slot[k].order; pg++) {
			assert_int_equal(owner[page_index(slot[k].p) + pg], -1);
			owner[page_index(slot[k].p) + pg] = (int)k;
		}
		used += 1UL << slot[k].order;
		assert_int_equal(page_free_count(), ARENA_PAGES - 1 - used);
	}
}

static void test_malloc_basics(void **state)
{
	size_t free_pages_before, size;
	void *a, *b;
	unsigned char *p;

	(void)state;
	add_arena(0, ARENA_PAGES);
	vm_free(NULL);
	a = vm_malloc(0);
	b = vm_malloc(0);
	assert_true(a && b && a != b);
	for (size = 1; size < 100; size++) {
		p = vm_malloc(size);
		assert_int_equal((uintptr_t)p % MALLOC_ALIGN, 0);
		memset(p, 0xcc, size);
		vm_free(p);
		p = vm_calloc(size, 3);
		assert_true(all_zero(p, size * 3));
		vm_free(p);
	}
	assert_null(vm_calloc(SIZE_MAX / 2, 3));
	assert_null(vm_malloc(SIZE_MAX));
	assert_null(vm_malloc(ARENA_PAGES * PAGE_SIZE));
	assert_null(vm_memalign(0, 8));
	assert_null(vm_memalign(48, 8));

	/* Large blocks are whole pages, and free() gives them back. */
	free_pages_before = page_free_count();
	p = vm_malloc(MALLOC_LARGE + 1);
	assert_non_null(p);
	assert_true(page_free_count() < free_pages_before);
	vm_free(p);
	assert_int_equal(page_free_count(), free_pages_before);
}

static void test_memalign(void **state)
{
	size_t align, free_pages_before;
	unsigned char *p;

	(void)state;
	add_arena(0, ARENA_PAGES);
	vm_free(vm_malloc(1));	/* the heap's first chunk, kept for good */
	free_pages_before = page_free_count();
	for (align = 1; align <= (1 << 20); align *= 2) {
		p = vm_memalign(align, 100);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
		memset(p, 0x5a, 100);
		vm_free(p);
		p = vm_memalign(align, 3 * PAGE_SIZE);
		assert_int_equal((uintptr_t)p % align, 0);
		memset(p, 0x5a, 3 * PAGE_SIZE);
		vm_free(p);
	}
	assert_int_equal(page_free_count(), free_pages_before);
}

struct live {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static void check_no_overlap(const struct live *slot, size_t n, size_t k)
{
	for (size_t j = 0; j < n; j++) {
		if (j == k || !slot[j].p)
			continue;
		assert_true(slot[k].p + slot[k].size <= slot[j].p ||
			    slot[j].p + slot[j].size <= slot[k].p);
	}
}

/* One round of random malloc/calloc/memalign/free; every block checked. */
static void stress_round(struct live *slot, size_t n, unsigned seed)
{
	size_t i, k, j;

	srand(seed);
	for (i = 0; i < 30000; i++) {
		struct live *s = &slot[k = rand() % n];

		if (s->p) {
			for (j = 0; j < s->size; j++)
				assert_int_equal(s->p[j], s->fill);
			vm_free(s->p);
			s->p = NULL;
			continue;
		}
		s->size = (size_t)rand() % (rand() % 8 ? 512 : 6 * PAGE_SIZE);
		switch (rand() % 3) {
		case 0:
			s->p = vm_malloc(s->size);
			break;
		case 1:
			s->p = vm_calloc(1, s->size);
			assert_true(!s->p || all_zero(s->p, s->size));
			break;
		default:
			s->p = vm_memalign(1UL << (rand() % 13), s->size);
			break;
		}
		if (!s->p)
			continue;
		assert_int_equal((uintptr_t)s->p % MALLOC_ALIGN, 0);
		check_no_overlap(slot, n, k);
		s->fill = (unsigned char)(i + 1);
		memset(s->p, s->fill, s->size);
	}
	for (k = 0; k < n; k++) {
		vm_free(slot[k].p);
		slot[k].p = NULL;
	}
}

static void test_malloc_stress(void **state)
{
	static struct live slot[256];
	size_t after_first;

	(void)state;
	add_arena(0, ARENA_PAGES);
	add_arena(1, ARENA_PAGES);
	stress_round(slot, ARRAY_SIZE(slot), 3);
	after_first = page_free_count();
	/* The same pattern again fits in what the first round left: no leak. */
	stress_round(slot, ARRAY_SIZE(slot), 3);
	assert_int_equal(page_free_count(), after_first);
}

static void test_malloc_exhaustion(void **state)
{
	static void *blocks[4096];
	size_t n = 0, again = 0;

	(void)state;
	add_arena(0, 64);
	/* 63 pages: three 16-page chunks, then the heap grows page by page. */
	while ((blocks[n] = vm_malloc(1000)))
		assert_true(++n < ARRAY_SIZE(blocks));
	assert_int_equal(n, 63 * PAGE_SIZE / 1024);
	assert_int_equal(page_free_count(), 0);
	for (size_t i = 0; i < n; i++)
		vm_free(blocks[i]);
	while ((blocks[again] = vm_malloc(1000)))
		again++;
	assert_int_equal(again, n);
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(test_init_rounds_inward),
		TEST(test_alignment_and_zeroing),
		TEST(test_exhaustion_and_reuse),
		TEST(test_two_regions),
		TEST(test_random_orders),
		TEST(test_malloc_basics),
		TEST(test_memalign),
		TEST(test_malloc_stress),
		TEST(test_malloc_exhaustion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
