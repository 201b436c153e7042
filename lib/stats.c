#include "stats.h"
#include "stdlib.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats stats_of(uint64_t *v, size_t n)
{
	size_t rank99 = (99 * n + 99) / 100;	/* ceil(0.99 n), 1-based */

	qsort(v, n, sizeof(*v), cmp_u64);
	return (struct stats){
		.min = v[0], .max = v[n - 1], .p99 = v[rank99 - 1],
		.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
	};
}
