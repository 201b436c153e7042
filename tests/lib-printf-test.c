/*
 * Host unit test of the guest printf (lib/printf.c): vsnprintf against the
 * host C library's over a table of formats, each at several buffer sizes
 * (return value, bytes written, nothing written past the size), plus the
 * console path of printf and puts.
 *
 * lib/printf.c is compiled into this file with its functions renamed
 * (vm_vsnprintf, ...) so they do not clash with the host's.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#define vsnprintf vm_vsnprintf
#define snprintf vm_snprintf
#define vprintf vm_vprintf
#define printf vm_printf
#define puts vm_puts
#include "../lib/printf.c"
#undef vsnprintf
#undef snprintf
#undef vprintf
#undef printf
#undef puts

/* The console: printf's writes, recorded. */
static char console[8192];
static size_t console_len;
static int console_writes;

void console_write(const char *s, size_t n)
{
	assert_true(console_len + n <= sizeof(console));
	memcpy(console + console_len, s, n);
	console_len += n;
	console_writes++;
}

static int failures;
static const char *volatile null_str;	/* volatile: gcc would warn about NULL */

#define BUF 300
#define CANARY '#'

/* One format at one buffer size: same return, same bytes, nothing past size. */
static void check_size(int line, size_t size, const char *fmt, va_list ap)
{
	char want[BUF], got[BUF];
	int want_n, got_n;
	size_t used, i;
	va_list aq;

	memset(got, CANARY, sizeof(got));
	va_copy(aq, ap);
	want_n = vsnprintf(want, size, fmt, aq);
	va_end(aq);
	va_copy(aq, ap);
	got_n = vm_vsnprintf(size ? got : NULL, size, fmt, aq);
	va_end(aq);

	used = size < (size_t)want_n + 1 ? size : (size_t)want_n + 1;
	for (i = used; i < sizeof(got) && got[i] == CANARY; i++)
		;
	if (got_n == want_n && !memcmp(got, want, used) && i == sizeof(got))
		return;
	failures++;
	fprintf(stderr, "line %d: \"%s\" size %zu: want %d \"%.*s\", got %d \"%.*s\"%s\n",
		line, fmt, size, want_n, (int)used, want, got_n, (int)used, got,
		i < sizeof(got) ? " (wrote past the end)" : "");
}

/* Full buffer, no buffer, and sizes that cut the output short. */
static void __attribute__((format(printf, 2, 3))) check(int line, const char *fmt, ...)
{
	static const size_t sizes[] = { BUF, 0, 1, 2, 5, 16 };
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_size(line, sizes[i], fmt, ap);
	va_end(ap);
}

#define T(...) check(__LINE__, __VA_ARGS__)

static void test_conversions(void **state)
{
	(void)state;
	failures = 0;
	T("plain text");
	T("%d", 0);
	T("%d", 42);
	T("%d", -42);
	T("%i", INT_MAX);
	T("%i", INT_MIN);
	T("%u", 0u);
	T("%u", UINT_MAX);
	T("%x", 0u);
	T("%x", 0xdeadbeefu);
	T("%X", 0xdeadbeefu);
	T("%o", 0u);
	T("%o", 8u);
	T("%o", 0777u);
	T("%c", 'A');
	T("[%c]", 0);
	T("%s", "hello");
	T("%s", "");
	T("%s", null_str);
	T("%p", (void *)0x1234);
	T("%p", (void *)UINTPTR_MAX);
	T("%p", NULL);
	T("%%");
	T("100%% of %d", 3);
	T("%d %i %u %x %X %o %c %s|", -1, 2, 3u, 255u, 255u, 8u, 'z', "end");
	assert_int_equal(failures, 0);
}

static void test_flags(void **state)
{
	(void)state;
	failures = 0;
	T("%-5d|", 42);
	T("%05d", 42);
	T("%05d", -42);
	T("%+d", 42);
	T("%+d", -42);
	T("%+d", 0);
	T("% d", 42);
	T("% d", -42);
	T("%#x", 255u);
	T("%#X", 255u);
	T("%#x", 0u);
	T("%#o", 8u);
	T("%#o", 0u);
	T("%#08x", 255u);
	T("%-#8x|", 255u);
	T("%+05d", 42);
	T("% 05d", -42);
	T("%-+6d|", 7);
	assert_int_equal(failures, 0);
}

static void test_width_precision(void **state)
{
	(void)state;
	failures = 0;
	T("%8d|", 123);
	T("%-8d|", -123);
	T("%1d", 12345);
	T("%.5d", 42);
	T("%.5d", -42);
	T("%8.5d|", 42);
	T("%-8.5d|", -42);
	T("%.0d|", 0);
	T("%5.0d|", 0);
	T("%+.0d|", 0);
	T("%.0x|", 0u);
	T("%#.0o|", 0u);
	T("%#.3o", 8u);
	T("%#.5x", 255u);
	T("%.20u", 1u);
	T("%*d|", 6, 42);
	T("%-*d|", 6, 42);
	T("%*d|", -6, 42);
	T("%.*d", 4, 7);
	T("%.*d", -1, 7);
	T("%*.*d|", 8, 4, -7);
	T("%.3s", "abcdef");
	T("%10.3s|", "abcdef");
	T("%-10s|", "abc");
	T("%.*s|", 2, "abc");
	T("%.0s|", "abc");
	T("%2s", "abcdef");
	T("%10s|", null_str);
	T("%3c|", 'x');
	T("%-3c|", 'x');
	T("%20p|", (void *)0xabcdef);
	T("%-20p|", (void *)0xabcdef);
	T("%10p|", NULL);
	T("%-10p|", NULL);
	assert_int_equal(failures, 0);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	failures = 0;
	T("%hhd", (signed char)-100);
	T("%hd", (short)-32768);
	T("%ld", LONG_MIN);
	T("%ld", LONG_MAX);
	T("%lu", ULONG_MAX);
	T("%lx", 0x123456789abcdefUL);
	T("%#lo", 01234567012345670UL);
	T("%lld", LLONG_MIN);
	T("%llu", ULLONG_MAX);
	T("%llo", ULLONG_MAX);
	T("%llX", 0xfedcba9876543210ULL);
	T("%+lld", 1LL);
	T("%zu", SIZE_MAX);
	T("%zx", (size_t)4096);
	T("%zd", (ssize_t)-5);
	T("%td", (ptrdiff_t)-12345);
	T("%tx", (ptrdiff_t)255);
	T("%jd", INTMAX_MIN);
	T("%ju", UINTMAX_MAX);
	T("%jx", (uintmax_t)0xabc);
	T("%hhd %ld %lld %zu %d", (signed char)1, 2L, 3LL, (size_t)4, 5);
	assert_int_equal(failures, 0);
}

/*
 * Flags that another flag or the precision cancels, and hh/h arguments out
 * of range that the conversion must cut: the compilers rightly warn.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_overridden(void **state)
{
	(void)state;
	failures = 0;
	T("%hhd", 200);
	T("%hhu", 257);
	T("%hhx", 0x1ff);
	T("%hd", 40000);
	T("%hu", 65537);
	T("%hx", 0x12345);
	T("%+ d", 42);
	T("% +d", -42);
	T("%-05d|", 42);
	T("%0-5d|", -42);
	T("%08.5d|", 42);
	T("%08.0x|", 0u);
	T("%-#08x|", 255u);
	assert_int_equal(failures, 0);
}
#pragma GCC diagnostic pop

static void test_truncation(void **state)
{
	char long_str[200];

	(void)state;
	failures = 0;
	memset(long_str, 'a', sizeof(long_str) - 1);
	long_str[sizeof(long_str) - 1] = '\0';
	T("%s", long_str);
	T("%s|%s", long_str, "tail");
	T("%50d|", 1);
	T("%-50d|", 1);
	T("%.60d", 1);
	T("0123456789abcdefghij");
	T("%d%d%d%d%d", 11111, 22222, 33333, 44444, 55555);
	assert_int_equal(failures, 0);
}

/* Behaviour the host does not define the same way, checked against fixed strings. */
static int guest_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_guest_only(void **state)
{
	static const struct {
		const char *fmt, *want;
	} cases[] = {
		{ "%y", "%y" },		/* unknown conversion prints itself */
		{ "abc%", "abc" },	/* a lone '%' ends the format */
		{ "%5%|", "%|" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(guest_fmt(buf, sizeof(buf), cases[i].fmt),
				 strlen(cases[i].want));
		assert_string_equal(buf, cases[i].want);
	}
}

static void reset_console(void)
{
	console_len = 0;
	console_writes = 0;
}

static void test_printf_console(void **state)
{
	char want[3001];

	(void)state;
	reset_console();
	assert_int_equal(vm_printf("PASS: %s %d\n", "check", 7), 14);
	assert_int_equal(console_writes, 1);
	assert_memory_equal(console, "PASS: check 7\n", 14);

	reset_console();
	assert_int_equal(vm_printf("%s", ""), 0);
	assert_int_equal(console_writes, 0);

	/* Longer than the buffer: flushed in PRINTF_BUF_SIZE chunks, nothing lost. */
	reset_console();
	memset(want, ' ', 2999);
	want[2999] = 'x';
	want[3000] = '\0';
	assert_int_equal(vm_printf("%3000c", 'x'), 3000);
	assert_int_equal(console_writes, 3);
	assert_int_equal(console_len, 3000);
	assert_memory_equal(console, want, 3000);

	reset_console();
	assert_int_equal(vm_puts("line"), 5);
	assert_int_equal(console_writes, 1);
	assert_memory_equal(console, "line\n", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_width_precision),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_overridden),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_guest_only),
		cmocka_unit_test(test_printf_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
