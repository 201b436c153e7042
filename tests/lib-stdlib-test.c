/*
 * Host unit test of the guest C library subset: lib/stdlib.c (strto*, atol,
 * qsort, abs) and lib/string.c against the host C library,
 * lib/argv.c's split_args against a table, and lib/stats.c's order
 * statistics against hand-counted samples.
 *
 * The lib sources are compiled into this file with their functions renamed
 * (vm_strtol, vm_memcpy, ...) so they do not clash with the host's.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define strtol vm_strtol
#define strtoul vm_strtoul
#define strtoull vm_strtoull
#define atol vm_atol
#define qsort vm_qsort
#define abs vm_abs
#define labs vm_labs
#include "../lib/stdlib.c"
#include "../lib/stats.c"
#undef strtol
#undef strtoul
#undef strtoull
#undef atol
#undef qsort
#undef abs
#undef labs

#define memcpy vm_memcpy
#define memmove vm_memmove
#define memset vm_memset
#define memcmp vm_memcmp
#define memchr vm_memchr
#define strlen vm_strlen
#define strnlen vm_strnlen
#define strcmp vm_strcmp
#define strncmp vm_strncmp
#define strchr vm_strchr
#define strrchr vm_strrchr
#define strstr vm_strstr
#define strcpy vm_strcpy
#define strncpy vm_strncpy
#define strcat vm_strcat
#include "../lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strcpy
#undef strncpy
#undef strcat

#include "../lib/argv.c"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int sign(long x)
{
	return (x > 0) - (x < 0);
}

static const struct {
	const char *s;
	int base;
} strto_cases[] = {
	{ "0", 10 }, { "42", 10 }, { "-42", 10 }, { "+42", 0 },
	{ " \t\n\v\f\r42x", 10 }, { "", 10 }, { "   ", 0 }, { "-", 10 },
	{ "+-1", 10 }, { "- 1", 10 }, { "abc", 10 },
	{ "0x1f", 0 }, { "0X1F", 16 }, { "1f", 16 }, { "0x", 0 }, { "0x", 16 },
	{ "0xg", 16 }, { "-0x10", 0 }, { "0x0x1", 16 },
	{ "010", 0 }, { "08", 0 }, { "0", 0 }, { "777", 8 },
	{ "11", 2 }, { "12", 2 }, { "zZ", 36 }, { "123abc", 16 }, { "9", 8 },
	{ "9223372036854775807", 10 }, { "9223372036854775808", 10 },
	{ "-9223372036854775808", 10 }, { "-9223372036854775809", 10 },
	{ "4294967295", 10 }, { "4294967296", 0 }, { "-2147483648", 10 },
	{ "18446744073709551615", 10 }, { "18446744073709551616", 10 },
	{ "-1", 10 }, { "-18446744073709551615", 10 },
	{ "-18446744073709551616", 10 }, { "99999999999999999999999x", 10 },
	{ "0x7fffffffffffffff", 16 }, { "0xffffffffffffffff", 0 },
	{ "0x10000000000000000", 0 }, { "1777777777777777777777", 0 },
	{ "2000000000000000000000", 0 },
	{ "1111111111111111111111111111111111111111111111111111111111111111", 2 },
	{ "11111111111111111111111111111111111111111111111111111111111111111", 2 },
	{ "3w5e11264sgsf", 36 }, { "3w5e11264sgsg", 36 },
};

/* Value and end pointer as the host's; an invalid base leaves the host's endptr alone. */
#define CHECK_STRTO(fn, vm_fn, fmt)						\
	do {									\
		char *want_end = NULL, *got_end = NULL;			\
		__typeof__(fn(s, NULL, base)) want = fn(s, &want_end, base);	\
		__typeof__(want) got = vm_fn(s, &got_end, base);		\
		if (got != want || got_end != want_end) {			\
			failures++;						\
			fprintf(stderr, #fn "(\"%s\", %d): want " fmt " end +%td, " \
				"got " fmt " end +%td\n", s, base, want,	\
				want_end - s, got, got_end - s);		\
		}								\
	} while (0)

static void test_strto(void **state)
{
	int failures = 0;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(strto_cases); i++) {
		const char *s = strto_cases[i].s;
		int base = strto_cases[i].base;

		CHECK_STRTO(strtol, vm_strtol, "%ld");
		CHECK_STRTO(strtoul, vm_strtoul, "%lu");
		CHECK_STRTO(strtoull, vm_strtoull, "%llu");
		if (atol(s) != vm_atol(s))
			failures++;
	}
	assert_int_equal(failures, 0);
}

static void test_strto_bad_base(void **state)
{
	static const int bases[] = { -1, 1, 37, 100 };
	const char *s = "123";
	char *end;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		assert_int_equal(vm_strtol(s, &end, bases[i]), 0);
		assert_ptr_equal(end, s);
		assert_int_equal(vm_strtoul(s, &end, bases[i]), 0);
		assert_ptr_equal(end, s);
	}
	s = "0b1";	/* C17: no 0b prefix */
	assert_int_equal(vm_strtol(s, &end, 0), 0);
	assert_ptr_equal(end, s + 1);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

struct rec {
	int key;
	char tag[9];	/* odd size: 13 bytes, copied bytewise */
} __attribute__((packed));

static int cmp_rec(const void *a, const void *b)
{
	int x = ((const struct rec *)a)->key, y = ((const struct rec *)b)->key;

	return (x > y) - (x < y);
}

static void test_qsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 64, 1000, 1001 };
	static int got[1001], want[1001];
	static struct rec recs[1001];
	size_t i, k, n;

	(void)state;
	srand(1);
	for (k = 0; k < ARRAY_SIZE(sizes) * 3; k++) {
		n = sizes[k / 3];
		for (i = 0; i < n; i++) {
			/* random with duplicates, ascending, descending */
			want[i] = k % 3 == 0 ? rand() % 50 - 25 : k % 3 == 1 ? (int)i : -(int)i;
			if (i == 1)
				want[i] = INT_MIN;
		}
		memcpy(got, want, n * sizeof(int));
		qsort(want, n, sizeof(int), cmp_int);
		vm_qsort(got, n, sizeof(int), cmp_int);
		assert_memory_equal(got, want, n * sizeof(int));
	}

	/* Odd-sized records: keys sorted, every record still there once. */
	for (i = 0; i < ARRAY_SIZE(recs); i++) {
		recs[i].key = rand() % 100;
		snprintf(recs[i].tag, sizeof(recs[i].tag), "r%zu", i);
	}
	vm_qsort(recs, ARRAY_SIZE(recs), sizeof(recs[0]), cmp_rec);
	memset(got, 0, sizeof(got));
	for (i = 0; i < ARRAY_SIZE(recs); i++) {
		if (i)
			assert_true(recs[i - 1].key <= recs[i].key);
		n = strtoul(recs[i].tag + 1, NULL, 10);
		assert_true(n < ARRAY_SIZE(recs) && !got[n]);
		got[n] = 1;
	}
}

static void test_abs(void **state)
{
	(void)state;
	assert_int_equal(vm_abs(-5), 5);
	assert_int_equal(vm_abs(INT_MAX), INT_MAX);
	assert_int_equal(vm_abs(-INT_MAX), INT_MAX);
	assert_true(vm_labs(-5000000000L) == 5000000000L);
	assert_true(vm_labs(LONG_MAX) == LONG_MAX);
}

static void test_split_args(void **state)
{
	static const struct {
		const char *cmdline;
		int max;
		const char *want[5];
	} cases[] = {
		{ "", 4, { NULL } },
		{ "   \t ", 4, { NULL } },
		{ "a", 4, { "a" } },
		{ "a b c", 4, { "a", "b", "c" } },
		{ "  lead  trail  ", 4, { "lead", "trail" } },
		{ "tab\tsep\t\tx", 4, { "tab", "sep", "x" } },
		{ "-smp 2 --foo=bar", 4, { "-smp", "2", "--foo=bar" } },
		{ "a b c d e", 3, { "a", "b", "c" } },
		{ "a b", 0, { NULL } },
		{ "word ", 1, { "word" } },
	};
	char buf[64], *argv[6];
	size_t i;
	int j, argc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(buf, cases[i].cmdline);
		for (j = 0; j < 6; j++)
			argv[j] = (char *)"untouched";
		argc = split_args(buf, argv, cases[i].max);
		for (j = 0; j < argc; j++)
			assert_string_equal(argv[j], cases[i].want[j]);
		assert_null(cases[i].want[argc]);
		assert_null(argv[argc]);
		assert_string_equal(argv[argc + 1], "untouched");
	}
	assert_int_equal(split_args(NULL, argv, 4), 0);
	assert_null(argv[0]);
}

/* memcpy, memmove and memset at every small length and offset, guard bytes intact. */
static void test_mem_copy_fill(void **state)
{
	unsigned char src[96], got[96], want[96];
	size_t n, d, s;

	(void)state;
	for (n = 0; n < sizeof(src); n++)
		src[n] = (unsigned char)(n * 7 + 1);
	for (n = 0; n <= 40; n++) {
		for (d = 0; d < 9; d++) {
			for (s = 0; s < 9; s++) {
				memset(got, 0xee, sizeof(got));
				memset(want, 0xee, sizeof(want));
				assert_ptr_equal(vm_memcpy(got + d, src + s, n), got + d);
				memcpy(want + d, src + s, n);
				assert_memory_equal(got, want, sizeof(got));

				/* overlapping, both directions */
				memcpy(got, src, sizeof(got));
				memcpy(want, src, sizeof(want));
				assert_ptr_equal(vm_memmove(got + d, got + s, n), got + d);
				memmove(want + d, want + s, n);
				assert_memory_equal(got, want, sizeof(got));
			}
			memset(got, 0xee, sizeof(got));
			memset(want, 0xee, sizeof(want));
			assert_ptr_equal(vm_memset(got + d, 0x1a5, n), got + d);
			memset(want + d, 0x1a5, n);
			assert_memory_equal(got, want, sizeof(got));
		}
	}
}

static void test_mem_search(void **state)
{
	static const struct {
		const char *a, *b;
		size_t n;
	} cmp[] = {
		{ "abc", "abc", 3 }, { "abc", "abd", 3 }, { "abd", "abc", 3 },
		{ "abc", "abd", 2 }, { "a\x80", "a\x7f", 2 }, { "", "x", 0 },
	};
	const char *s = "hello\0world";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cmp); i++)
		assert_int_equal(sign(vm_memcmp(cmp[i].a, cmp[i].b, cmp[i].n)),
				 sign(memcmp(cmp[i].a, cmp[i].b, cmp[i].n)));
	assert_ptr_equal(vm_memchr(s, 'w', 11), s + 6);
	assert_ptr_equal(vm_memchr(s, '\0', 11), s + 5);
	assert_null(vm_memchr(s, 'w', 6));
	assert_ptr_equal(vm_memchr("\xff", 0xff, 1), memchr("\xff", 0xff, 1));
}

static void test_strings(void **state)
{
	static const char *const strs[] = {
		"", "a", "ab", "abc", "abd", "abcd", "b", "\x80", "hello world", "lo",
	};
	size_t i, j, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		const char *a = strs[i];

		assert_int_equal(vm_strlen(a), strlen(a));
		for (n = 0; n < 5; n++)
			assert_int_equal(vm_strnlen(a, n), strnlen(a, n));
		for (j = 0; j < ARRAY_SIZE(strs); j++) {
			const char *b = strs[j];

			assert_int_equal(sign(vm_strcmp(a, b)), sign(strcmp(a, b)));
			for (n = 0; n < 5; n++)
				assert_int_equal(sign(vm_strncmp(a, b, n)),
						 sign(strncmp(a, b, n)));
			assert_ptr_equal(vm_strstr(a, b), strstr(a, b));
		}
		for (n = 0; n < 256; n += 17) {
			assert_ptr_equal(vm_strchr(a, (int)n), strchr(a, (int)n));
			assert_ptr_equal(vm_strrchr(a, (int)n), strrchr(a, (int)n));
		}
		assert_ptr_equal(vm_strchr(a, 'l'), strchr(a, 'l'));
		assert_ptr_equal(vm_strrchr(a, 'l'), strrchr(a, 'l'));
		assert_ptr_equal(vm_strchr(a, '\0'), a + strlen(a));
		assert_ptr_equal(vm_strrchr(a, '\0'), a + strlen(a));
	}
	assert_ptr_equal(vm_strstr("aaab", "aab"), strstr("aaab", "aab"));
}

static void test_string_copy(void **state)
{
	char got[16], want[16];
	size_t n, i;

	(void)state;
	/* strncpy: at most n bytes, NUL-padded to n, unterminated if cut. */
	for (n = 0; n <= 8; n++) {
		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		for (i = 0; i < n; i++)
			want[i] = i < 4 ? "abcd"[i] : '\0';
		assert_ptr_equal(vm_strncpy(got, "abcd", n), got);
		assert_memory_equal(got, want, sizeof(got));
	}
	memset(got, 'x', sizeof(got));
	assert_ptr_equal(vm_strcpy(got, "copy"), got);
	assert_memory_equal(got, "copy\0x", 6);
	assert_ptr_equal(vm_strcat(got, "cat"), got);
	assert_string_equal(got, "copycat");
	assert_string_equal(vm_strcat(got, ""), "copycat");
}

static void test_stats(void **state)
{
	uint64_t one[] = { 7 }, even[] = { 40, 10, 30, 20 }, many[200];
	struct stats s;

	(void)state;
	s = stats_of(one, 1);
	assert_true(s.min == 7 && s.median == 7 && s.p99 == 7 && s.max == 7);
	s = stats_of(even, 4);
	assert_true(s.min == 10 && s.median == 25 && s.p99 == 40 && s.max == 40);
	for (int i = 0; i < 200; i++)
		many[i] = 200 - i;	/* 1..200, reversed */
	s = stats_of(many, 200);
	/* nearest rank: ceil(0.99 * 200) = 198th smallest */
	assert_true(s.min == 1 && s.median == 100 && s.p99 == 198 && s.max == 200);
	assert_true(many[0] == 1 && many[199] == 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strto),
		cmocka_unit_test(test_strto_bad_base),
		cmocka_unit_test(test_qsort),
		cmocka_unit_test(test_abs),
		cmocka_unit_test(test_split_args),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_mem_copy_fill),
		cmocka_unit_test(test_mem_search),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_string_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
