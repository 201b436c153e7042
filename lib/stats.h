/*
 * Order statistics of a sample, for latency figures: min, median, 99th
 * percentile (nearest rank) and max.  stats_of() sorts the samples in
 * place; n must be at least 1.
 */
#ifndef VMUNIT_STATS_H
#define VMUNIT_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats {
	uint64_t min, median, p99, max;
};

struct stats stats_of(uint64_t *v, size_t n);

#endif
