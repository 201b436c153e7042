/*
 * Host tests of runner/gcov-collect.c against a hostile guest: the tree of
 * each test is made anew, no symbolic link is ever followed (one planted
 * at the .gcov directory, in the previous tree or during the run), the
 * size is parsed strictly, every bound holds and is said, an image is
 * written once with its bytes, and outside a coverage build nothing is
 * written.  Each case works in a fresh temporary directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "gcov-collect.h"
#include "util.h"
#include "runner-files.h"

struct fix {
	char tmp[64];
	char *dir;		/* the test's .gcov directory */
	char *outside;		/* what links point to: must stay as it is */
	struct gcov_collect g;
};

/* ---- helpers ---- */

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *at(const struct fix *f, const char *rel)
{
	return xasprintf("%s/%s", f->dir, rel);
}

static void file_is(const struct fix *f, const char *rel, const char *want)
{
	char *path = at(f, rel), *got = slurp(path);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(path);
}

/* Nothing at dir/rel, or at dir itself (rel NULL). */
static void absent(const struct fix *f, const char *rel)
{
	char *path = rel ? at(f, rel) : xstrdup(f->dir);
	struct stat st;

	assert_int_equal(lstat(path, &st), -1);
	free(path);
}

/* The target of every link: still one file saying "keep". */
static void outside_untouched(const struct fix *f)
{
	char *path = xasprintf("%s/x.gcda", f->outside), *got = slurp(path);

	assert_int_equal(entries(f->outside), 1);
	assert_non_null(got);
	assert_string_equal(got, "keep");
	free(got);
	free(path);
}

static void feed(struct gcov_collect *g, const char *line)
{
	assert_true(gcov_line(g, line));
}

/* One image: its GCOV-BEGIN, the hex in lines of 64 bytes, GCOV-END. */
static void image(struct gcov_collect *g, const char *path, const char *hex)
{
	size_t n = strlen(hex);
	char *line = xasprintf("GCOV-BEGIN: %s %zu", path, n / 2);

	feed(g, line);
	free(line);
	for (size_t i = 0; i < n; i += 128) {
		line = xasprintf("GCOV: %.128s", hex + i);
		feed(g, line);
		free(line);
	}
	feed(g, "GCOV-END");
}

static void error_has(const struct gcov_collect *g, const char *want)
{
	assert_non_null(g->error);
	if (!strstr(g->error, want))
		fail_msg("coverage error \"%s\" does not say \"%s\"", g->error, want);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char *keep;

	snprintf(f->tmp, sizeof(f->tmp), "%s/gcov-test.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(f->tmp))
		return -1;
	f->dir = xasprintf("%s/t.gcov", f->tmp);
	f->outside = xasprintf("%s/outside", f->tmp);
	mkdir(f->outside, 0777);
	keep = xasprintf("%s/x.gcda", f->outside);
	put_file(keep, "keep");
	free(keep);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	free(f->g.error);
	nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->dir);
	free(f->outside);
	free(f);
	return 0;
}

/* ---- cases ---- */

static void test_good_images(void **state)
{
	struct fix *f = *state;
	struct gcov_collect *g = &f->g;

	gcov_start(g, f->dir, true);
	assert_false(gcov_line(g, "PASS: not coverage"));
	image(g, "/b/lib/a.gcda", "616263");
	feed(g, "GCOV-BEGIN: /b/lib/b.gcda 2\r");	/* a serial console's CRLF */
	feed(g, "GCOV: 6869\r");
	feed(g, "GCOV-END\r");
	image(g, "/b/empty.gcda", "");
	gcov_end(g);
	assert_null(g->error);
	assert_int_equal(g->files, 3);
	file_is(f, "b/lib/a.gcda", "abc");
	file_is(f, "b/lib/b.gcda", "hi");
	file_is(f, "b/empty.gcda", "");
}

/* The .gcov directory a link (to a directory, or dangling): the link goes, not its target. */
static void test_link_at_dir(void **state)
{
	struct fix *f = *state;
	char *dangling = xasprintf("%s/nowhere", f->tmp);
	struct stat st;

	for (int i = 0; i < 2; i++) {
		assert_int_equal(symlink(i ? dangling : f->outside, f->dir), 0);
		gcov_start(&f->g, f->dir, true);
		assert_null(f->g.error);
		absent(f, NULL);	/* until the first image */
		image(&f->g, "/x.gcda", "6e6577");
		assert_int_equal(lstat(f->dir, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		gcov_end(&f->g);
		assert_null(f->g.error);
		file_is(f, "x.gcda", "new");
		outside_untouched(f);
		assert_int_equal(lstat(dangling, &st), -1);
		gcov_start(&f->g, f->dir, false);	/* removed again */
		gcov_end(&f->g);
		absent(f, NULL);
	}
	free(dangling);
}

/* A previous tree with links at several depths: removed, their targets kept. */
static void test_links_in_old_tree(void **state)
{
	struct fix *f = *state;
	char *a = at(f, "a"), *ab = at(f, "a/b"), *l1 = at(f, "a/b/l"), *l2 = at(f, "a/f.gcda");
	char *old = at(f, "a/old.gcda"), *target = xasprintf("%s/x.gcda", f->outside);

	assert_int_equal(mkdir(f->dir, 0777) | mkdir(a, 0777) | mkdir(ab, 0777), 0);
	assert_int_equal(symlink(f->outside, l1) | symlink(target, l2), 0);
	put_file(old, "old");
	gcov_start(&f->g, f->dir, true);
	assert_null(f->g.error);
	absent(f, NULL);
	gcov_end(&f->g);
	absent(f, NULL);	/* no image, no tree (gcov-tool merge fails on an empty one) */
	outside_untouched(f);
	free(a);
	free(ab);
	free(l1);
	free(l2);
	free(old);
	free(target);
}

/* Links (or a file) put in the fresh tree during the run: refused, never followed. */
static void test_links_planted_during_run(void **state)
{
	struct fix *f = *state;
	char *b = at(f, "b"), *c = at(f, "c.gcda"), *file = at(f, "file");
	char *target = xasprintf("%s/x.gcda", f->outside);

	gcov_start(&f->g, f->dir, true);
	image(&f->g, "/first.gcda", "");	/* makes the directory */
	assert_int_equal(symlink(f->outside, b) | symlink(target, c), 0);
	put_file(file, "");
	image(&f->g, "/b/x.gcda", "6e6577");
	error_has(&f->g, "/b/x.gcda: not written: a symbolic link is in the way");
	image(&f->g, "/c.gcda", "6e6577");
	image(&f->g, "/file/x.gcda", "6e6577");
	gcov_end(&f->g);
	error_has(&f->g, "(and 2 more)");
	assert_int_equal(f->g.files, 1);
	outside_untouched(f);
	file_is(f, "file", "");
	free(b);
	free(c);
	free(file);
	free(target);
}

/* A link put at the directory after the start: the images are refused. */
static void test_link_at_dir_during_run(void **state)
{
	struct fix *f = *state;
	struct stat st;

	gcov_start(&f->g, f->dir, true);
	assert_int_equal(symlink(f->outside, f->dir), 0);
	image(&f->g, "/x.gcda", "6e6577");
	image(&f->g, "/y.gcda", "6e6577");
	gcov_end(&f->g);
	error_has(&f->g, "/x.gcda: not written: ");
	error_has(&f->g, "t.gcov: it is there again since the start (and 1 more)");
	assert_int_equal(lstat(f->dir, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	outside_untouched(f);
}

/* Each GCOV-BEGIN refused, with the rest of its image read in silence. */
static void test_bad_begin(void **state)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{ "GCOV-BEGIN: /a.gcda 4294967300", "over the 16 MiB" },	/* %u wrapped it to 4 */
		{ "GCOV-BEGIN: /a.gcda 16777217", "over the 16 MiB" },
		{ "GCOV-BEGIN: /a.gcda 18446744073709551617", "over the 16 MiB" },
		{ "GCOV-BEGIN: /a.gcda -1", "not a decimal" },
		{ "GCOV-BEGIN: /a.gcda +1", "not a decimal" },
		{ "GCOV-BEGIN: /a.gcda 0x1", "not a decimal" },
		{ "GCOV-BEGIN: /a.gcda 1 ", "not a decimal" },
		{ "GCOV-BEGIN: /a.gcda 1x", "not a decimal" },
		{ "GCOV-BEGIN: /a.gcda", "not \"path size\"" },
		{ "GCOV-BEGIN:  1", "not \"path size\"" },
		{ "GCOV-BEGIN: /b/../../evil.gcda 1", "\"..\" component" },
		{ "GCOV-BEGIN: /b/./a.gcda 1", "\".\" or" },
		{ "GCOV-BEGIN: /b//a.gcda 1", "an empty component" },
		{ "GCOV-BEGIN: b/a.gcda 1", "not an absolute path" },
		{ "GCOV-BEGIN: /b/a.gcno 1", "not a .gcda path" },
		{ "GCOV-BEGIN: /b/\x1b[2Ja.gcda 1", "a control character" },
	};
	struct fix *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gcov_start(&f->g, f->dir, true);
		feed(&f->g, cases[i].line);
		feed(&f->g, "GCOV: 41");
		feed(&f->g, "GCOV-END");
		gcov_end(&f->g);
		error_has(&f->g, "bad GCOV-BEGIN: ");
		error_has(&f->g, cases[i].why);
		assert_null(strstr(f->g.error, "(and"));	/* one problem, not three */
		absent(f, NULL);
		free(f->g.error);
		f->g.error = NULL;
	}
	absent(f, "../evil.gcda");
}

/* GCOV_IMAGE_MAX itself is a size an image may have. */
static void test_size_at_bound(void **state)
{
	struct fix *f = *state;

	gcov_start(&f->g, f->dir, true);
	feed(&f->g, "GCOV-BEGIN: /a.gcda 16777216");
	assert_null(f->g.error);
	gcov_end(&f->g);
	error_has(&f->g, "/a.gcda: the output ended inside the image");
}

static void test_too_many_images(void **state)
{
	struct fix *f = *state;
	char path[32], *i_dir = at(f, "i");

	gcov_start(&f->g, f->dir, true);
	for (int i = 0; i <= GCOV_IMAGES_MAX; i++) {
		snprintf(path, sizeof(path), "/i/%d.gcda", i);
		image(&f->g, path, "");
	}
	gcov_end(&f->g);
	error_has(&f->g, "/i/4096.gcda: refused: over 4096 images");
	assert_int_equal(entries(i_dir), GCOV_IMAGES_MAX);
	free(i_dir);
}

static void test_too_many_bytes(void **state)
{
	struct fix *f = *state;
	struct gcov_collect *g = &f->g;

	gcov_start(g, f->dir, true);
	for (int i = 0; i < GCOV_TOTAL_MAX_MIB / GCOV_IMAGE_MAX_MIB; i++) {
		feed(g, "GCOV-BEGIN: /big.gcda 16777216");	/* counted when begun */
		feed(g, "GCOV-END");
	}
	/* Forget the torn images' problems: the refusal is the one to see. */
	free(g->error);
	g->error = NULL;
	g->problems = 0;
	image(g, "/small.gcda", "41");
	gcov_end(g);
	error_has(g, "/small.gcda: refused: over 64 MiB of images");
	absent(f, "small.gcda");
}

/* A path of n components, each "d", the last "d.gcda". */
static char *deep_path(unsigned n)
{
	char *p = xmalloc(2 * n + 6), *c = p;

	for (unsigned i = 0; i < n; i++)
		c += sprintf(c, "/d");
	strcpy(c, ".gcda");
	return p;
}

static void test_too_deep_or_long(void **state)
{
	struct fix *f = *state;
	char *ok = deep_path(GCOV_DEPTH_MAX), *deep = deep_path(GCOV_DEPTH_MAX + 1);
	char *long_name = xmalloc(300), *line;

	gcov_start(&f->g, f->dir, true);
	image(&f->g, ok, "41");
	assert_null(f->g.error);
	assert_int_equal(f->g.files, 1);
	image(&f->g, deep, "41");
	error_has(&f->g, "more than 64 components");
	memset(long_name, 'n', 299);
	strcpy(long_name + 290, ".gcda");
	line = xasprintf("/%s", long_name);
	image(&f->g, line, "41");
	free(line);
	line = xasprintf("GCOV-BEGIN: /%0*d.gcda 1", 4096, 0);
	feed(&f->g, line);
	gcov_end(&f->g);
	error_has(&f->g, "(and 2 more)");
	assert_int_equal(f->g.files, 1);
	free(ok);
	free(deep);
	free(long_name);
	free(line);
}

static void test_too_many_dirs(void **state)
{
	struct fix *f = *state;
	char path[32], *d = at(f, "d");

	gcov_start(&f->g, f->dir, true);
	for (int i = 0; i < GCOV_DIRS_MAX; i++) {	/* "d", then one each */
		snprintf(path, sizeof(path), "/d/%d/a.gcda", i);
		image(&f->g, path, "");
	}
	gcov_end(&f->g);
	error_has(&f->g, "/d/1023/a.gcda: not written: over 1024 directories");
	assert_int_equal(entries(d), GCOV_DIRS_MAX - 1);
	free(d);
}

/* The second image of a path is refused; the first stays. */
static void test_duplicate(void **state)
{
	struct fix *f = *state;

	gcov_start(&f->g, f->dir, true);
	image(&f->g, "/a.gcda", "6161");
	image(&f->g, "/a.gcda", "6262");
	gcov_end(&f->g);
	error_has(&f->g, "/a.gcda: not written: a second image of this path: refused");
	file_is(f, "a.gcda", "aa");
}

/* Framing: each problem counted, the first said. */
static void test_framing(void **state)
{
	struct fix *f = *state;

	gcov_start(&f->g, f->dir, true);
	feed(&f->g, "GCOV: 41");
	feed(&f->g, "GCOV-BEGIN: /a.gcda 2");
	feed(&f->g, "GCOV: 4g");		/* not hex: the rest of the image is skipped */
	feed(&f->g, "GCOV: 41");
	feed(&f->g, "GCOV-END");
	feed(&f->g, "GCOV-BEGIN: /b.gcda 1");
	feed(&f->g, "GCOV: 4142");		/* more than the size */
	feed(&f->g, "GCOV-END");
	feed(&f->g, "GCOV-BEGIN: /c.gcda 2");
	feed(&f->g, "GCOV-BEGIN: /d.gcda 1");	/* c unterminated */
	feed(&f->g, "GCOV-ENDED");
	gcov_end(&f->g);
	assert_string_equal(f->g.error, "GCOV data outside an image (and 4 more)");
	absent(f, NULL);
}

/* With no log directory (-n), nothing to write to. */
static void test_no_dir(void **state)
{
	struct fix *f = *state;

	gcov_start(&f->g, NULL, true);
	image(&f->g, "/a.gcda", "41");
	gcov_end(&f->g);
	assert_string_equal(f->g.error, "no log directory");
	absent(f, NULL);
}

/* Not a coverage build: the lines are consumed, said once, nothing written. */
static void test_not_coverage(void **state)
{
	struct fix *f = *state;
	char *old = at(f, "old.gcda");

	assert_int_equal(mkdir(f->dir, 0777), 0);
	put_file(old, "old");
	gcov_start(&f->g, f->dir, false);
	absent(f, NULL);		/* the previous tree is not this run's */
	image(&f->g, "/a.gcda", "41");
	image(&f->g, "/b/../../evil.gcda", "41");
	gcov_end(&f->g);
	assert_string_equal(f->g.error, "6 GCOV lines ignored: not a coverage build "
			    "(./configure --enable-coverage)");
	assert_int_equal(f->g.files, 0);
	absent(f, NULL);
	outside_untouched(f);
	free(old);
}

int main(void)
{
#define CASE(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		CASE(test_good_images),
		CASE(test_link_at_dir),
		CASE(test_links_in_old_tree),
		CASE(test_links_planted_during_run),
		CASE(test_link_at_dir_during_run),
		CASE(test_bad_begin),
		CASE(test_size_at_bound),
		CASE(test_too_many_images),
		CASE(test_too_many_bytes),
		CASE(test_too_deep_or_long),
		CASE(test_too_many_dirs),
		CASE(test_duplicate),
		CASE(test_framing),
		CASE(test_no_dir),
		CASE(test_not_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
