/*
 * The parts of the C library's <stdlib.h> that tests use: number parsing,
 * sorting, absolute values.  No errno: strto*() report overflow only by
 * clamping (to LONG_MIN/LONG_MAX, ULONG_MAX, ULLONG_MAX) as libc does.
 * Bases are 0 (prefix decides: 0x hex, 0 octal, else decimal) or 2..36;
 * base 16 accepts an optional 0x.  An invalid base or a string without
 * digits yields 0 with *endptr = nptr.  No state: safe from any CPU.
 *
 * qsort is a heapsort: not recursive, O(n log n), not stable.
 */
#ifndef VMUNIT_STDLIB_H
#define VMUNIT_STDLIB_H

#include <stddef.h>

long strtol(const char *nptr, char **endptr, int base);
unsigned long strtoul(const char *nptr, char **endptr, int base);
unsigned long long strtoull(const char *nptr, char **endptr, int base);
long atol(const char *nptr);

void qsort(void *base, size_t nmemb, size_t size,
	   int (*compar)(const void *, const void *));

int abs(int x);
long labs(long x);

#endif
