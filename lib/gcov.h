/*
 * Guest code coverage (./configure --enable-coverage), our own freestanding
 * gcov runtime.  gcc instruments every C file but this one with
 * -fprofile-arcs and, with -fprofile-info-section=gcov_info, lists each
 * object's counters (its struct gcov_info) in the section gcov_info instead
 * of registering them from a constructor.  At exit gcov_dump() writes every
 * object's .gcda image over the console:
 *
 *   GCOV-BEGIN: <the .gcda path gcc chose> <bytes>
 *   GCOV: <up to 64 bytes in lowercase hex>
 *   GCOV-END
 *
 * and the runner writes them back into files (runner/gcov-collect.h).  Not
 * built with coverage, the section is empty and gcov_dump() prints nothing.
 *
 * The structures are gcc 12's (the Makefile refuses another gcc with
 * coverage), and so is the image: magic, version, stamp, checksum, then
 * per function its ident and checksums and its arc counters (a negative
 * length and no values when all are zero), then a 0 word; words in the
 * target's byte order, 64-bit counters as low word, high word.  A host
 * test compares it byte for byte with libgcov's __gcov_info_to_gcda().
 */
#ifndef VMUNIT_GCOV_H
#define VMUNIT_GCOV_H

struct gcov_info;

/* The image of one object, handed to out() piece by piece; its size. */
unsigned gcov_image(const struct gcov_info *info,
		    void (*out)(const void *p, unsigned n, void *arg), void *arg);
const char *gcov_filename(const struct gcov_info *info);
void gcov_dump(void);

#endif
