/*
 * Guest code coverage (./configure --enable-coverage): the .gcda images a
 * payload dumps over its console at exit (lib/gcov.h), turned back into
 * files, one tree per test: DIR/<the image's absolute path without its
 * leading '/'>, DIR being the test's log name with .gcov for .log.
 *
 *   GCOV-BEGIN: /abs/path/to/object.gcda <bytes>
 *   GCOV: <hex, up to 64 bytes>
 *   GCOV-END
 *
 * Such lines are the collector's: they are not guest output for the
 * verdict, whatever the build.  The guest is not trusted:
 *
 *  - DIR is this run's: gcov_start() removes what was there (a symbolic
 *    link itself, never what it points to, at DIR or anywhere below); the
 *    first image makes DIR anew with mkdir(), which fails on anything put
 *    there meanwhile, and it is held open.  Everything is then created
 *    relative to DIR's fd, a component at a time, with O_NOFOLLOW: no
 *    link is ever followed, so no one (guest or local user) can point a
 *    write outside DIR.  A test that dumps no image leaves no DIR.
 *  - The path must be absolute, end in .gcda, hold no empty, "." or ".."
 *    component nor a control character, and have at most
 *    GCOV_DEPTH_MAX components and fewer than PATH_MAX bytes.
 *  - The size is a plain decimal of at most GCOV_IMAGE_MAX bytes; a test
 *    gets at most GCOV_IMAGES_MAX images, GCOV_TOTAL_MAX bytes in all and
 *    GCOV_DIRS_MAX directories made.
 *  - A file is created once (O_EXCL): a second image of the same path is
 *    refused and the first kept.
 *
 * An image whose path, size, hex or framing is wrong, or past a bound, is
 * not written; each refusal counts and the first is said in g->error
 * ("... (and N more)").  Which build this is: the runner is compiled with
 * VMUNIT_COVERAGE=1 when config.mak says COVERAGE (runner/runner.mk), and
 * gcov_coverage_build says so.  Outside a coverage build the lines are
 * consumed unread, nothing is written, and g->error says once that they
 * were ignored.
 */
#ifndef RUNNER_GCOV_COLLECT_H
#define RUNNER_GCOV_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The bounds.  An image is gcc's .gcda of one object: a header per
 * function and 8 bytes per arc counter, a few KiB for our largest objects
 * (lib/ is about 3,000 lines); 16 MiB would be 2 million counters in one
 * object.  A payload dumps one image per object it links, some tens; the
 * console of a test is cut at 16 MiB anyway (runner/run.c), about 7 MiB of
 * images in hex.  Paths are the build tree's, a dozen components deep.
 * Each bound is far above all that, and low enough that a guest cannot
 * fill the disk or the directory tables.
 */
#define GCOV_IMAGE_MAX_MIB 16		/* one image */
#define GCOV_TOTAL_MAX_MIB 64		/* all the images of a test */
#define GCOV_IMAGE_MAX ((size_t)GCOV_IMAGE_MAX_MIB << 20)
#define GCOV_TOTAL_MAX ((size_t)GCOV_TOTAL_MAX_MIB << 20)
#define GCOV_IMAGES_MAX 4096		/* images of a test */
#define GCOV_DIRS_MAX 1024		/* directories a test's images make */
#define GCOV_DEPTH_MAX 64		/* components of an image's path */

/* This runner was built for a coverage build (VMUNIT_COVERAGE). */
extern const bool gcov_coverage_build;

struct gcov_collect {
	const char *dir;	/* where the tree goes; NULL: nowhere */
	bool coverage;		/* images are written (else lines are ignored) */
	bool have_dir;		/* dirfd is dir, made anew for the first image */
	bool skipping;		/* the rest of a refused image goes unread */
	int dirfd;
	char *path;		/* the image being received, or NULL */
	unsigned char *buf;
	size_t len, size;
	size_t bytes;		/* of the images begun */
	unsigned images;	/* begun */
	unsigned dirs;		/* made */
	unsigned files;		/* written */
	unsigned ignored;	/* lines, outside a coverage build */
	unsigned problems;	/* refusals; the first is error */
	char *error;		/* the first problem, or NULL */
};

/*
 * Before the test runs: set g up for dir (NULL: write nothing), removing
 * dir's previous tree.  A problem there is kept in g->error.  gcov_end()
 * must follow.
 */
void gcov_start(struct gcov_collect *g, const char *dir, bool coverage);
/* True when line is a coverage line (consumed). */
bool gcov_line(struct gcov_collect *g, const char *line);
/* The output ended: an image still open is incomplete.  Frees all but error. */
void gcov_end(struct gcov_collect *g);

#endif
