/*
 * strto*() share one parser that returns the magnitude and sign; each
 * wrapper then clamps to its own type.
 */
#include <stdbool.h>

#include "stdlib.h"

/*
 * Limits come from the compiler's predefined macros: GCC's <limits.h>
 * includes the target libc's, which a bare cross toolchain does not have.
 */
#define LONG_MAX_ __LONG_MAX__
#define LONG_MIN_ (-__LONG_MAX__ - 1)
#define ULONG_MAX_ (~0UL)
#define ULLONG_MAX_ (~0ULL)

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The value of digit c, or 36 if c is not a digit in any base. */
static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

/*
 * Parse [space][sign][prefix]digits.  Returns the magnitude, or
 * ULLONG_MAX with *overflow set if it does not fit.
 */
static unsigned long long parse(const char *nptr, char **endptr, int base,
				bool *neg, bool *overflow)
{
	const char *s = nptr;
	unsigned long long v = 0;
	bool any = false;

	*neg = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36)
		goto out;

	while (is_space(*s))
		s++;
	if (*s == '-' || *s == '+')
		*neg = *s++ == '-';

	/* "0x" is a prefix only if a hex digit follows; else "0" is the number. */
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 0x20) == 'x' &&
	    digit_value(s[2]) < 16)
		s += 2, base = 16;
	else if (base == 0)
		base = s[0] == '0' ? 8 : 10;

	for (; digit_value(*s) < base; s++) {
		unsigned d = digit_value(*s);

		any = true;
		if (v > (ULLONG_MAX_ - d) / base)
			*overflow = true;
		else
			v = v * base + d;
	}
out:
	if (endptr)
		*endptr = (char *)(any ? s : nptr);
	return *overflow ? ULLONG_MAX_ : v;
}

unsigned long long strtoull(const char *nptr, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long v = parse(nptr, endptr, base, &neg, &overflow);

	if (overflow)
		return ULLONG_MAX_;
	return neg ? -v : v;
}

unsigned long strtoul(const char *nptr, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long v = parse(nptr, endptr, base, &neg, &overflow);

	if (overflow || v > ULONG_MAX_)
		return ULONG_MAX_;
	return neg ? -(unsigned long)v : (unsigned long)v;
}

long strtol(const char *nptr, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long v = parse(nptr, endptr, base, &neg, &overflow);

	if (neg) {
		if (overflow || v > (unsigned long long)LONG_MAX_ + 1)
			return LONG_MIN_;
		return v ? -(long)(v - 1) - 1 : 0;
	}
	if (overflow || v > LONG_MAX_)
		return LONG_MAX_;
	return v;
}

long atol(const char *nptr)
{
	return strtol(nptr, NULL, 10);
}

static void swap(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Move element i down the max-heap of n elements until both children are smaller. */
static void sift_down(unsigned char *base, size_t i, size_t n, size_t size,
		      int (*compar)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * i + 1, max = i;

		if (child < n && compar(base + child * size, base + max * size) > 0)
			max = child;
		if (child + 1 < n &&
		    compar(base + (child + 1) * size, base + max * size) > 0)
			max = child + 1;
		if (max == i)
			return;
		swap(base + i * size, base + max * size, size);
		i = max;
	}
}

void qsort(void *base, size_t nmemb, size_t size,
	   int (*compar)(const void *, const void *))
{
	unsigned char *b = base;
	size_t i;

	for (i = nmemb / 2; i-- > 0;)
		sift_down(b, i, nmemb, size, compar);
	for (i = nmemb; i-- > 1;) {
		swap(b, b + i * size, size);
		sift_down(b, 0, i, size, compar);
	}
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}
