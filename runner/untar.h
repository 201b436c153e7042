/*
 * The Intel box's per-test logs (box.h): L1 sends its log directory as a
 * tar archive on COM2, and this unpacks it into the run's log directory.
 * The archive is the guest's, so untrusted; it is read with libarchive's
 * reader (never its disk writer) and only this is ever written:
 *
 *  - Regular files (no link of either kind, device, FIFO or directory)
 *    whose name, after a leading "./", is one path component of the
 *    runner's log names: [A-Za-z0-9_.+-], not starting with '.', ending
 *    in ".log" or ".txt", at most 255 bytes, and not `reserved` (the box
 *    log, which the host writes itself).
 *  - Each created or truncated with openat() on the directory's fd with
 *    O_NOFOLLOW: a symbolic link already there is not followed (the entry
 *    is skipped), and anything there that is not a regular file is left
 *    as it is.
 *  - At most caps->file bytes a file (its declared size; a larger one is
 *    skipped whole), caps->total bytes and caps->files files in all (what
 *    passes a bound is skipped): UNTAR_CAPS, 64 MiB, 512 MiB and 4096
 *    files, far above a run's logs (KiB to a few MiB each, one a test).
 *  - The archive may be gzip-compressed (L1 sends it so: COM2 runs at
 *    115200 baud).  What is read is bounded too, skipped entries included
 *    (a small archive can unpack to a huge one): reading stops at an
 *    entry that would pass caps->read bytes of data or caps->entries
 *    entries in all (1 GiB, 16384).
 *
 * Everything else is skipped with one line in log ("# untar: NAME:
 * skipped: WHY", the name shown printable and cut; after UNTAR_SAID_MAX
 * such lines, only their count).  An archive that is cut short or garbled
 * keeps the files complete before it; a file cut in its data keeps what
 * came and ends with a line saying so; one line says where it stopped.
 * A missing or empty archive writes nothing and says so.
 */
#ifndef RUNNER_UNTAR_H
#define RUNNER_UNTAR_H

#include <stddef.h>
#include <stdio.h>

struct untar_caps {
	size_t file, total, read;	/* bytes */
	unsigned files, entries;
};

#define UNTAR_CAPS ((struct untar_caps){ .file = 64u << 20, .total = 512u << 20, .files = 4096, \
					 .read = 1u << 30, .entries = 16384 })
#define UNTAR_SAID_MAX 100	/* lines about skipped entries */

/* Unpack the archive at path into the directory dirfd: the files written. */
unsigned untar_logs(const char *path, int dirfd, const char *reserved,
		    const struct untar_caps *caps, FILE *log);

#endif
