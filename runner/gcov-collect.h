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
 * verdict.  The guest names the path, so it must be absolute, end in
 * .gcda and hold no "." or ".." component; an image whose size, hex or
 * framing is wrong is not written, and the first such problem is kept.
 */
#ifndef RUNNER_GCOV_COLLECT_H
#define RUNNER_GCOV_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

struct gcov_collect {
	const char *dir;	/* where the tree goes; NULL: nowhere */
	char *path;		/* the image being received, or NULL */
	unsigned char *buf;
	size_t len, size;
	unsigned files;		/* written */
	char *error;		/* the first problem, or NULL */
};

/* True when line is a coverage line (consumed). */
bool gcov_line(struct gcov_collect *g, const char *line);
/* The output ended: an image still open is incomplete.  Frees all but error. */
void gcov_end(struct gcov_collect *g);

#endif
