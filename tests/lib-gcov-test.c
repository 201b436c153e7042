/*
 * Host test of lib/gcov.c: for objects the host gcc instrumented as the
 * payloads are (tests/lib-gcov-sample.c), our .gcda images are byte for
 * byte those of libgcov's own __gcov_info_to_gcda(), and gcov_dump()'s
 * console lines frame and encode them as runner/gcov-collect.h reads them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../lib/gcov.c"

/* libgcov's serializer (gcc 12, libgcov.a member _gcov_info_to_gcda.o). */
void __gcov_info_to_gcda(const struct gcov_info *info, void (*filename)(const char *, void *),
			 void (*dump)(const void *, unsigned, void *),
			 void *(*allocate)(unsigned, void *), void *arg);

/* tests/lib-gcov-sample.c, instrumented */
int sample_branches(int x);
int sample_loop(int n);

struct bytes {
	unsigned char *p;
	size_t n;
};

static void append(const void *p, unsigned n, void *arg)
{
	struct bytes *b = arg;

	b->p = realloc(b->p, b->n + n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void no_filename(const char *name, void *arg)
{
}

static void *no_allocate(unsigned n, void *arg)
{
	return NULL;	/* only value profiles allocate */
}

static struct bytes console;

void console_write(const char *s, size_t n)
{
	append(s, n, &console);
}

static size_t ninfos(void)
{
	return __stop_gcov_info - __start_gcov_info;
}

static void images_match_libgcov(void)
{
	assert_true(ninfos() >= 1);
	for (size_t i = 0; i < ninfos(); i++) {
		struct bytes ours = { 0 }, theirs = { 0 };
		unsigned size = gcov_image(__start_gcov_info[i], append, &ours);

		__gcov_info_to_gcda(__start_gcov_info[i], no_filename, append, no_allocate, &theirs);
		assert_int_equal(size, ours.n);
		assert_int_equal(ours.n, theirs.n);
		assert_memory_equal(ours.p, theirs.p, ours.n);
		free(ours.p);
		free(theirs.p);
	}
}

/* Counters as the sample left them: zero, some, and after more runs. */
static void test_images(void **state)
{
	(void)state;
	images_match_libgcov();		/* nothing run: every function all zero */
	assert_int_equal(sample_branches(1), 2);
	images_match_libgcov();		/* one function run, one not */
	for (int i = 0; i < 1000; i++)
		sample_loop(sample_branches(i));
	images_match_libgcov();
}

/* gcov_dump(): BEGIN with the path and size, hex lines of 64 bytes, END. */
static void test_dump(void **state)
{
	struct bytes image = { 0 };
	char *text, *line, *save, want[4200];
	size_t got = 0;

	(void)state;
	gcov_image(__start_gcov_info[0], append, &image);
	console.n = 0;
	gcov_dump();
	append("", 1, &console);
	text = (char *)console.p;
	snprintf(want, sizeof(want), "GCOV-BEGIN: %s %zu", gcov_filename(__start_gcov_info[0]),
		 image.n);
	line = strtok_r(text, "\n", &save);
	assert_string_equal(line, want);
	while ((line = strtok_r(NULL, "\n", &save)) && strcmp(line, "GCOV-END")) {
		assert_memory_equal(line, "GCOV: ", 6);
		assert_true(strlen(line + 6) <= 128 && strlen(line + 6) % 2 == 0);
		for (const char *h = line + 6; *h; h += 2) {
			unsigned v;

			assert_int_equal(sscanf(h, "%2x", &v), 1);
			assert_int_equal(v, image.p[got++]);
		}
	}
	assert_non_null(line);
	assert_int_equal(got, image.n);
	free(image.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
