/*
 * Host tests of runner/untar.c against a hostile L1: archives written here
 * with libarchive's writer, unpacked into a fresh temporary directory
 * ("logs", next to "outside", which nothing may touch).  Only regular
 * files with a log's name are written, at their name in the directory;
 * ../ and absolute paths, links of both kinds, devices, directories,
 * names with a slash, files over a bound, a symbolic link already in the
 * directory and the reserved name are skipped with a line saying why; a
 * cut or garbled archive keeps what came before; a gzip-compressed one is
 * read as well, as far as the bounds on what is read go.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "untar.h"
#include "util.h"
#include "runner-files.h"

struct fix {
	char tmp[64];
	char *dir, *outside, *tar;
	int dirfd;
	struct archive *w;
	char *said;		/* the log's lines */
};

static const struct untar_caps small = { .file = 100, .total = 250, .files = 4, .read = 1000,
					 .entries = 100 };

/* ---- helpers ---- */

static void file_is(const char *dir, const char *name, const char *want)
{
	char *path = xasprintf("%s/%s", dir, name), *got = slurp(path);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(path);
}

/* outside: one file, "keep". */
static void outside_untouched(const struct fix *f)
{
	assert_int_equal(entries(f->outside), 1);
	file_is(f->outside, "x.log", "keep");
}

static void said(const struct fix *f, const char *want)
{
	if (!strstr(f->said, want))
		fail_msg("the log does not say \"%s\":\n%s", want, f->said);
}

/* An entry of type type (AE_IF*) named path with data (NULL: none). */
static void add(struct fix *f, const char *path, unsigned type, const char *data,
		const char *link)
{
	struct archive_entry *ae = archive_entry_new();
	size_t n = data ? strlen(data) : 0;

	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, type);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, n);
	if (type == AE_IFLNK)
		archive_entry_set_symlink(ae, link);
	else if (link)
		archive_entry_set_hardlink(ae, link);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(ae, makedev(1, 3));
	assert_int_equal(archive_write_header(f->w, ae), ARCHIVE_OK);
	if (n)
		assert_int_equal(archive_write_data(f->w, data, n), (ssize_t)n);
	archive_entry_free(ae);
}

static void add_file(struct fix *f, const char *path, const char *data)
{
	add(f, path, AE_IFREG, data, NULL);
}

/* A file of size bytes ('x' ... ). */
static void add_sized(struct fix *f, const char *path, size_t size)
{
	char *data = malloc(size + 1);

	memset(data, 'x', size);
	data[size] = '\0';
	add_file(f, path, data);
	free(data);
}

/* The archive closed, unpacked with caps: the files written. */
static unsigned unpack(struct fix *f, const struct untar_caps *caps)
{
	size_t len = 0;
	FILE *log;
	unsigned n;

	if (f->w) {
		assert_int_equal(archive_write_close(f->w), ARCHIVE_OK);
		archive_write_free(f->w);
		f->w = NULL;
	}
	free(f->said);
	f->said = NULL;
	log = open_memstream(&f->said, &len);
	n = untar_logs(f->tar, f->dirfd, "box-x86_64.log", caps, log);
	fclose(log);
	return n;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char *keep;

	snprintf(f->tmp, sizeof(f->tmp), "%s/untar-test.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(f->tmp))
		return -1;
	f->dir = xasprintf("%s/logs", f->tmp);
	f->outside = xasprintf("%s/outside", f->tmp);
	f->tar = xasprintf("%s/logs.tar", f->tmp);
	mkdir(f->dir, 0777);
	mkdir(f->outside, 0777);
	keep = xasprintf("%s/x.log", f->outside);
	write_file(keep, "keep", 4);
	free(keep);
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f->w = archive_write_new();
	archive_write_set_format_pax_restricted(f->w);
	if (f->dirfd < 0 || archive_write_open_filename(f->w, f->tar) != ARCHIVE_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->tmp);

	if (f->w)
		archive_write_free(f->w);
	close(f->dirfd);
	if (system(cmd))
		return -1;
	free(cmd);
	free(f->said);
	free(f->dir);
	free(f->outside);
	free(f->tar);
	free(f);
	return 0;
}

/* ---- cases ---- */

/* What L1 sends: busybox tar -c -C logdir . */
static void test_good(void **state)
{
	struct fix *f = *state;

	add(f, "./", AE_IFDIR, NULL, NULL);
	add_file(f, "./selftest.log", "PASS: selftest: one\n");
	add_file(f, "./cpuid.log", "SKIP: cpuid: two\n");
	add_file(f, "box-dmesg.txt", "[0.0] Linux\n");
	add_file(f, "./empty.log", NULL);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 4);
	file_is(f->dir, "selftest.log", "PASS: selftest: one\n");
	file_is(f->dir, "cpuid.log", "SKIP: cpuid: two\n");
	file_is(f->dir, "box-dmesg.txt", "[0.0] Linux\n");
	file_is(f->dir, "empty.log", "");
	assert_int_equal(entries(f->dir), 4);
	assert_string_equal(f->said, "");
}

/* An old log is replaced whole. */
static void test_overwrites_old_log(void **state)
{
	struct fix *f = *state;
	char *old = xasprintf("%s/selftest.log", f->dir);

	write_file(old, "an old log, longer than the new one\n", 36);
	free(old);
	add_file(f, "./selftest.log", "new\n");
	assert_int_equal(unpack(f, &UNTAR_CAPS), 1);
	file_is(f->dir, "selftest.log", "new\n");
}

static void test_bad_names(void **state)
{
	struct fix *f = *state;
	char *abs = xasprintf("%s/x.log", f->outside);

	add_file(f, "../outside/x.log", "escape");
	add_file(f, "./../outside/x.log", "escape");
	add_file(f, abs, "escape");
	add_file(f, "sub/x.log", "slash");
	add_file(f, "./sub/x.log", "slash");
	add_file(f, ".hidden.log", "dot");
	add_file(f, "x.img", "not a log");
	add_file(f, "x\nPASS: forged.log", "newline");
	add_file(f, "x;rm.log", "odd");
	add_file(f, "box-x86_64.log", "the host's");
	add_file(f, "./ok.log", "ok");
	assert_int_equal(unpack(f, &UNTAR_CAPS), 1);
	file_is(f->dir, "ok.log", "ok");
	assert_int_equal(entries(f->dir), 1);
	outside_untouched(f);
	said(f, "# untar: ../outside/x.log: skipped: not a log's name\n");
	said(f, "# untar: sub/x.log: skipped: not a log's name\n");
	said(f, "# untar: box-x86_64.log: skipped: not a log's name\n");
	said(f, "# untar: x?PASS: forged.log: skipped: not a log's name\n");
	assert_null(strstr(f->said, "\nPASS"));
	free(abs);
}

static void test_links_devices_dirs(void **state)
{
	struct fix *f = *state;
	char *target = xasprintf("%s/x.log", f->outside);

	add_file(f, "./a.log", "a");
	add(f, "./sym.log", AE_IFLNK, NULL, target);
	add(f, "./hard.log", AE_IFREG, NULL, "./a.log");
	add(f, "./hardout.log", AE_IFREG, NULL, target);
	add(f, "./null.log", AE_IFCHR, NULL, NULL);
	add(f, "./fifo.log", AE_IFIFO, NULL, NULL);
	add(f, "./sub.log", AE_IFDIR, NULL, NULL);
	add(f, "./sub.log/x.log", AE_IFREG, "in a directory", NULL);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 1);
	file_is(f->dir, "a.log", "a");
	assert_int_equal(entries(f->dir), 1);
	outside_untouched(f);
	said(f, "./sym.log: skipped: a symbolic link\n");
	said(f, "./hard.log: skipped: a hard link\n");
	said(f, "./hardout.log: skipped: a hard link\n");
	said(f, "./null.log: skipped: a device\n");
	said(f, "./fifo.log: skipped: a FIFO\n");
	said(f, "./sub.log/: skipped: a directory\n");
	said(f, "./sub.log/x.log: skipped: not a log's name\n");
	free(target);
}

/* A symbolic link already in the directory, named like an entry. */
static void test_planted_link(void **state)
{
	struct fix *f = *state;
	char *target = xasprintf("%s/x.log", f->outside);
	char *link = xasprintf("%s/selftest.log", f->dir);
	char *dlink = xasprintf("%s/new.log", f->dir);
	char *dtarget = xasprintf("%s/made.log", f->outside);

	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(symlink(dtarget, dlink), 0);	/* dangling: O_CREAT would make it */
	add_file(f, "./selftest.log", "through the link");
	add_file(f, "./new.log", "through the link");
	assert_int_equal(unpack(f, &UNTAR_CAPS), 0);
	outside_untouched(f);
	said(f, "./selftest.log: skipped: a symbolic link is there\n");
	said(f, "./new.log: skipped: a symbolic link is there\n");
	free(target);
	free(link);
	free(dlink);
	free(dtarget);
}

/* A FIFO or a directory there: left as it is, no hang. */
static void test_planted_fifo_dir(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkfifoat(f->dirfd, "fifo.log", 0644), 0);
	assert_int_equal(mkdirat(f->dirfd, "dir.log", 0755), 0);
	add_file(f, "fifo.log", "x");
	add_file(f, "dir.log", "x");
	assert_int_equal(unpack(f, &UNTAR_CAPS), 0);
	said(f, "fifo.log: skipped: ");
	said(f, "dir.log: skipped: ");
}

static void test_bounds(void **state)
{
	struct fix *f = *state;

	add_sized(f, "big.log", 101);
	add_sized(f, "a.log", 100);
	add_sized(f, "b.log", 100);
	add_sized(f, "c.log", 51);		/* 251 in all */
	add_sized(f, "d.log", 50);
	add_sized(f, "e.log", 0);
	add_sized(f, "f.log", 0);		/* a fifth file */
	assert_int_equal(unpack(f, &small), 4);
	assert_int_equal(entries(f->dir), 4);
	said(f, "big.log: skipped: 101 bytes, over 100\n");
	said(f, "c.log: skipped: past the bound of 250 bytes and 4 files in all\n");
	said(f, "f.log: skipped: past the bound of 250 bytes and 4 files in all\n");
}

/* The real bound of a file: 64 MiB. */
static void test_real_file_bound(void **state)
{
	struct fix *f = *state;
	struct archive_entry *ae = archive_entry_new();

	archive_entry_set_pathname(ae, "huge.log");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (64 << 20) + 1);
	assert_int_equal(archive_write_header(f->w, ae), ARCHIVE_OK);
	archive_entry_free(ae);	/* the writer pads the data with zeros */
	add_file(f, "after.log", "after");
	assert_int_equal(unpack(f, &UNTAR_CAPS), 1);
	file_is(f->dir, "after.log", "after");
	said(f, "huge.log: skipped: 67108865 bytes, over 67108864\n");
}

static void test_many_skipped(void **state)
{
	struct fix *f = *state;

	for (int i = 0; i < UNTAR_SAID_MAX + 5; i++) {
		char *name = xasprintf("d%d", i);

		add(f, name, AE_IFDIR, NULL, NULL);
		free(name);
	}
	assert_int_equal(unpack(f, &UNTAR_CAPS), 0);
	said(f, "# untar: and 5 more entries skipped\n");
}

/*
 * What L1 sends, gzip-compressed; what is read stops at the bounds on
 * data (skipped entries' too) and entries.
 */
static void test_gzip_read_bounds(void **state)
{
	struct fix *f = *state;
	struct untar_caps caps = small;

	archive_write_free(f->w);
	f->w = archive_write_new();
	archive_write_set_format_pax_restricted(f->w);
	archive_write_add_filter_gzip(f->w);
	assert_int_equal(archive_write_open_filename(f->w, f->tar), ARCHIVE_OK);
	add_sized(f, "a.log", 100);
	add_sized(f, "x.bin", 150);		/* skipped, but read: 250 */
	add_sized(f, "b.log", 60);		/* 310 */
	add_file(f, "c.log", "c");
	caps.read = 300;
	assert_int_equal(unpack(f, &caps), 1);
	assert_int_equal(entries(f->dir), 1);
	said(f, "x.bin: skipped: not a log's name\n");
	said(f, "# untar: stopped at an entry that passes 300 bytes of data in all\n");
	assert_null(strstr(f->said, "garbled"));
	caps = small;
	caps.entries = 3;
	assert_int_equal(unpack(f, &caps), 2);
	said(f, "# untar: stopped after 3 entries\n");
	caps.entries = 4;
	assert_int_equal(unpack(f, &caps), 3);
	file_is(f->dir, "c.log", "c");
}

/* The archive cut in a file's data, then in a header: what came is kept. */
static void test_truncated(void **state)
{
	struct fix *f = *state;
	struct stat st;

	add_file(f, "a.log", "complete\n");
	add_sized(f, "b.log", 2000);
	unpack(f, &UNTAR_CAPS);
	assert_int_equal(stat(f->tar, &st), 0);
	/* a.log's header and data, b.log's header and 1000 bytes of its data */
	assert_int_equal(truncate(f->tar, 512 * 3 + 1000), 0);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 2);
	file_is(f->dir, "a.log", "complete\n");
	/* libarchive gives no part of its last block of data */
	file_is(f->dir, "b.log", "\n[cut here: the archive from L1 ended in this file]\n");
	said(f, "# untar: b.log: cut after 0 bytes: Truncated tar archive\n");
	said(f, "cut short or garbled after 2 files");
	assert_int_equal(truncate(f->tar, 512 * 2 + 100), 0);	/* in b.log's header */
	assert_int_equal(unlinkat(f->dirfd, "b.log", 0), 0);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 1);
	file_is(f->dir, "a.log", "complete\n");
	said(f, "cut short or garbled after 1 files");
	assert_int_equal(entries(f->dir), 1);
}

static void test_garbage_and_empty(void **state)
{
	struct fix *f = *state;
	FILE *g;

	unpack(f, &UNTAR_CAPS);		/* an archive of nothing: two zero blocks */
	assert_string_equal(f->said, "");
	g = fopen(f->tar, "we");
	for (int i = 0; i < 4096; i++)
		fputc(i * 7919 % 251, g);
	fclose(g);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 0);
	said(f, "cut short or garbled after 0 files");
	assert_int_equal(truncate(f->tar, 0), 0);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 0);
	said(f, ": no archive\n");
	unlink(f->tar);
	assert_int_equal(unpack(f, &UNTAR_CAPS), 0);
	said(f, ": no archive\n");
	assert_int_equal(entries(f->dir), 0);
}

int main(void)
{
#define CASE(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		CASE(test_good),
		CASE(test_overwrites_old_log),
		CASE(test_bad_names),
		CASE(test_links_devices_dirs),
		CASE(test_planted_link),
		CASE(test_planted_fifo_dir),
		CASE(test_bounds),
		CASE(test_real_file_bound),
		CASE(test_many_skipped),
		CASE(test_gzip_read_bounds),
		CASE(test_truncated),
		CASE(test_garbage_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
