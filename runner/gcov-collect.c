#define _GNU_SOURCE
#include "gcov-collect.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* runner/runner.mk passes VMUNIT_COVERAGE=1 when config.mak says COVERAGE. */
#ifndef VMUNIT_COVERAGE
#define VMUNIT_COVERAGE 0
#endif
const bool gcov_coverage_build = VMUNIT_COVERAGE;

/* Every directory of the tree is opened so: never through a link. */
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/*
 * Our trees are at most GCOV_DEPTH_MAX deep; one much deeper was put
 * there by someone else, and removing it would hold a descriptor a level.
 */
#define REMOVE_DEPTH_MAX 128
_Static_assert(REMOVE_DEPTH_MAX > GCOV_DEPTH_MAX, "our own trees can be removed");

#define STR(x) #x
#define XSTR(x) STR(x)

static void drop_image(struct gcov_collect *g)
{
	free(g->path);
	free(g->buf);
	g->path = NULL;
	g->buf = NULL;
}

/* A refusal: counted, the first one kept; the image being received is dropped. */
static void problem(struct gcov_collect *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct gcov_collect *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->problems++) {
		va_start(ap, fmt);
		if (vasprintf(&g->error, fmt, ap) < 0)
			g->error = NULL;
		va_end(ap);
	}
	drop_image(g);
}

/* ---- removing the previous tree ---- */

static const char *remove_tree(int at, const char *name, unsigned depth);

/*
 * Remove what the directory fd holds, then close fd.  A pass that removed
 * something is followed by another: readdir() may skip entries of a
 * directory that changes under it.
 */
static const char *empty_dir(int fd, unsigned depth)
{
	const char *why = NULL;
	struct dirent *e;
	bool removed;
	int passes = 0;
	DIR *d;

	if (depth >= REMOVE_DEPTH_MAX) {
		close(fd);
		return "nested deeper than " XSTR(REMOVE_DEPTH_MAX) " levels";
	}
	d = fdopendir(fd);
	if (!d) {
		why = strerror(errno);
		close(fd);
		return why;
	}
	do {
		removed = false;
		rewinddir(d);
		while (!why && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			why = remove_tree(dirfd(d), e->d_name, depth + 1);
			removed = true;
		}
	} while (!why && removed && ++passes < 4);
	closedir(d);
	return why;
}

/*
 * Remove name from the directory at, with all below it.  A directory is
 * entered through an fd opened from its parent's with O_NOFOLLOW, so a
 * symbolic link (there before, or swapped in meanwhile) is unlinked
 * itself, never followed.  NULL, or why not.
 */
static const char *remove_tree(int at, const char *name, unsigned depth)
{
	int fd = openat(at, name, DIR_FLAGS);
	const char *why;

	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return unlinkat(at, name, 0) && errno != ENOENT ? strerror(errno) : NULL;
	if (fd < 0)
		return errno == ENOENT ? NULL : strerror(errno);
	why = empty_dir(fd, depth);
	if (!why && unlinkat(at, name, AT_REMOVEDIR) && errno != ENOENT)
		why = strerror(errno);
	return why;
}

void gcov_start(struct gcov_collect *g, const char *dir, bool coverage)
{
	const char *why;

	*g = (struct gcov_collect){ .dir = dir, .coverage = coverage, .dirfd = -1 };
	if (!dir)
		return;
	/* Another run's tree is not this one's, coverage build or not. */
	why = remove_tree(AT_FDCWD, dir, 0);
	if (why)
		problem(g, "%s: cannot remove the previous tree: %s", dir, why);
}

/* ---- writing an image ---- */

/*
 * g->dir, made for the first image (a test that dumps none leaves no tree:
 * gcov-tool merge fails on an empty one) and held open.  mkdir() fails on
 * anything there, a link included: what is opened is what we made.  NULL,
 * or why not.
 */
static const char *make_dir(struct gcov_collect *g)
{
	if (g->have_dir)
		return NULL;
	if (mkdir(g->dir, 0777))
		return errno == EEXIST ? "it is there again since the start" : strerror(errno);
	g->dirfd = open(g->dir, DIR_FLAGS);
	if (g->dirfd < 0)
		return strerror(errno);
	g->have_dir = true;
	return NULL;
}

static bool is_link(int at, const char *name)
{
	struct stat st;

	return !fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode);
}

/* Why name in at could not be opened (err): a link is named as such. */
static const char *open_error(int at, const char *name, int err)
{
	if ((err == ELOOP || err == ENOTDIR || err == EEXIST) && is_link(at, name))
		return "a symbolic link is in the way";
	return strerror(err);
}

/*
 * The directory name in at, made when missing (within GCOV_DIRS_MAX); an
 * fd, or -1 with *why set.
 */
static int enter(struct gcov_collect *g, int at, const char *name, const char **why)
{
	int fd = openat(at, name, DIR_FLAGS);

	if (fd < 0 && errno == ENOENT) {
		if (g->dirs >= GCOV_DIRS_MAX) {
			*why = "over " XSTR(GCOV_DIRS_MAX) " directories in this test's tree";
			return -1;
		}
		if (!mkdirat(at, name, 0777)) {
			g->dirs++;
		} else if (errno != EEXIST) {	/* EEXIST: a link, say: the open says */
			*why = strerror(errno);
			return -1;
		}
		fd = openat(at, name, DIR_FLAGS);
	}
	if (fd < 0)
		*why = open_error(at, name, errno);
	return fd;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/*
 * The file name in at, new (O_EXCL: never one that is there, a link
 * included) with the image's bytes; a partial one is removed.  NULL, or
 * why not.
 */
static const char *create(int at, const char *name, const unsigned char *buf, size_t n)
{
	int fd = openat(at, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	int r, err;

	if (fd < 0 && errno == EEXIST && !is_link(at, name))
		return "a second image of this path: refused (the first is kept)";
	if (fd < 0)
		return open_error(at, name, errno);
	r = write_all(fd, buf, n);
	err = errno;
	if (close(fd) && !r) {
		r = -1;
		err = errno;
	}
	if (!r)
		return NULL;
	unlinkat(at, name, 0);
	return strerror(err);
}

/* DIR/<path>, each directory entered from its parent's fd.  NULL, or why not. */
static const char *write_image(struct gcov_collect *g)
{
	char *rel = xstrdup(g->path + 1), *name = rel, *slash;
	const char *why = NULL;
	int at = g->dirfd;

	while (!why && (slash = strchr(name, '/'))) {
		int fd;

		*slash = '\0';
		fd = enter(g, at, name, &why);
		if (at != g->dirfd)
			close(at);
		at = fd;
		name = slash + 1;
	}
	if (!why)
		why = create(at, name, g->buf, g->len);
	if (at >= 0 && at != g->dirfd)
		close(at);
	free(rel);
	return why;
}

/* ---- the lines ---- */

/* Absolute, .gcda, each component a plain name; NULL, or why not. */
static const char *path_problem(const char *p)
{
	size_t n = strlen(p), len;
	unsigned depth = 0;

	if (p[0] != '/')
		return "not an absolute path";
	if (n < 6 || strcmp(p + n - 5, ".gcda"))
		return "not a .gcda path";
	for (const char *c = p; *c; c++)
		if (iscntrl((unsigned char)*c))
			return "a control character in the path";
	for (const char *c = p + 1;; c += len + 1) {
		len = strchrnul(c, '/') - c;
		if (!len)
			return "an empty component";
		if ((len == 1 && c[0] == '.') || (len == 2 && !strncmp(c, "..", 2)))
			return "a \".\" or \"..\" component";
		if (len > NAME_MAX)
			return "a component longer than NAME_MAX";
		if (++depth > GCOV_DEPTH_MAX)
			return "more than " XSTR(GCOV_DEPTH_MAX) " components";
		if (!c[len])
			return NULL;
	}
}

/*
 * The size: decimal digits only (no sign, space or base prefix that
 * strtoull() would take), no wrap, at most GCOV_IMAGE_MAX.  NULL, or why
 * not.
 */
static const char *size_problem(const char *s, size_t *size)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return "the size is not a decimal number";
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return "the size is not a decimal number";
	if (errno == ERANGE || v > GCOV_IMAGE_MAX)
		return "the size is over the " XSTR(GCOV_IMAGE_MAX_MIB) " MiB an image may have";
	*size = v;
	return NULL;
}

static void begin(struct gcov_collect *g, const char *arg)
{
	const char *space = strrchr(arg, ' '), *why;
	char path[PATH_MAX];
	size_t size;

	if (g->path)
		problem(g, "%s: GCOV-BEGIN before its GCOV-END", g->path);
	g->skipping = true;	/* until the image is accepted */
	if (!space || space == arg)
		return problem(g, "bad GCOV-BEGIN: %.200s: not \"path size\"", arg);
	if ((size_t)(space - arg) >= sizeof(path))
		return problem(g, "bad GCOV-BEGIN: %.200s: a path of PATH_MAX bytes or more", arg);
	memcpy(path, arg, space - arg);
	path[space - arg] = '\0';
	why = size_problem(space + 1, &size) ?: path_problem(path);
	if (why)
		return problem(g, "bad GCOV-BEGIN: %.200s: %s", arg, why);
	if (g->images >= GCOV_IMAGES_MAX)
		return problem(g, "%.200s: refused: over " XSTR(GCOV_IMAGES_MAX) " images", path);
	if (size > GCOV_TOTAL_MAX - g->bytes)
		return problem(g, "%.200s: refused: over " XSTR(GCOV_TOTAL_MAX_MIB) " MiB of images",
			       path);
	g->images++;
	g->bytes += size;
	g->skipping = false;
	g->path = xstrdup(path);
	g->size = size;
	g->len = 0;
	g->buf = xmalloc(size ? size : 1);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool all_hex(const char *s)
{
	while (*s && hexval(*s) >= 0)
		s++;
	return !*s;
}

static void data(struct gcov_collect *g, const char *hex)
{
	size_t n = strlen(hex);

	if (!g->path && g->skipping)
		return;		/* the rest of an image already refused */
	if (!g->path)
		return problem(g, "GCOV data outside an image");
	if (n % 2 || n > 128 || g->len + n / 2 > g->size || !all_hex(hex)) {
		g->skipping = true;
		return problem(g, "%s: bad GCOV data line", g->path);
	}
	for (size_t i = 0; i < n; i += 2)
		g->buf[g->len++] = hexval(hex[i]) << 4 | hexval(hex[i + 1]);
}

static void end(struct gcov_collect *g)
{
	const char *why;

	if (!g->path && g->skipping) {
		g->skipping = false;
		return;
	}
	if (!g->path)
		return problem(g, "GCOV-END outside an image");
	if (g->len != g->size)
		return problem(g, "%s: %zu of %zu bytes", g->path, g->len, g->size);
	if (!g->dir)
		return problem(g, "no log directory");	/* (-n runs nothing) */
	why = make_dir(g);
	if (why)
		return problem(g, "%s: not written: %s: %s", g->path, g->dir, why);
	why = write_image(g);
	if (why)
		return problem(g, "%s: not written: %s", g->path, why);
	g->files++;
	drop_image(g);
}

bool gcov_line(struct gcov_collect *g, const char *line)
{
	size_t n = strlen(line);
	char *copy;

	if (strncmp(line, "GCOV: ", 6) && strncmp(line, "GCOV-BEGIN: ", 12) &&
	    strncmp(line, "GCOV-END", 8))
		return false;
	if (!g->coverage) {
		g->ignored++;
		return true;
	}
	if (n && line[n - 1] == '\r')
		n--;
	copy = xmalloc(n + 1);
	memcpy(copy, line, n);
	copy[n] = '\0';
	if (copy[4] == ':')
		data(g, copy + 6);
	else if (copy[5] == 'B')
		begin(g, copy + 12);
	else if (!strcmp(copy, "GCOV-END"))
		end(g);
	else
		problem(g, "bad GCOV-END line: %.200s", copy);
	free(copy);
	return true;
}

void gcov_end(struct gcov_collect *g)
{
	char *all;

	if (g->path)
		problem(g, "%s: the output ended inside the image", g->path);
	if (g->ignored)
		problem(g, "%u GCOV lines ignored: not a coverage build "
			"(./configure --enable-coverage)", g->ignored);
	g->ignored = 0;
	if (g->error && g->problems > 1) {
		all = xasprintf("%s (and %u more)", g->error, g->problems - 1);
		free(g->error);
		g->error = all;
	}
	g->problems = g->error ? 1 : 0;
	if (g->have_dir)
		close(g->dirfd);
	g->have_dir = false;
	g->dirfd = -1;
}
