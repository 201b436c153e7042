#define _GNU_SOURCE
#include "untar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct untar {
	struct archive *a;
	int dirfd;
	const char *reserved;
	const struct untar_caps *caps;
	FILE *log;
	unsigned files, skipped, entries;
	size_t total, read;
	bool stopped;		/* at a bound on what is read */
};

/* name as it may go into the log: printable ASCII, at most 80 bytes. */
static const char *shown(const char *name, char buf[84])
{
	size_t i;

	for (i = 0; name[i] && i < 80; i++)
		buf[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	strcpy(buf + i, name[i] ? "..." : "");
	return buf;
}

/* An entry skipped, said: true (go on with the next). */
static bool __attribute__((format(printf, 3, 4)))
skip(struct untar *u, const char *name, const char *fmt, ...)
{
	char buf[84];
	va_list ap;

	if (u->skipped++ >= UNTAR_SAID_MAX)
		return true;
	fprintf(u->log, "# untar: %s: skipped: ", shown(name, buf));
	va_start(ap, fmt);
	vfprintf(u->log, fmt, ap);
	va_end(ap);
	fputc('\n', u->log);
	return true;
}

static bool ends_in(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n > k && !strcmp(s + n - k, tail);
}

/* One component of the runner's log names (untar.h), or NULL. */
static const char *log_name(const char *path, const char *reserved)
{
	const char *name = strncmp(path, "./", 2) ? path : path + 2;

	if (!*name || *name == '.' || strlen(name) > 255 ||
	    name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "0123456789_.+-")] ||
	    !(ends_in(name, ".log") || ends_in(name, ".txt")) ||
	    (reserved && !strcmp(name, reserved)))
		return NULL;
	return name;
}

static const char *kind(mode_t type)
{
	switch (type) {
	case AE_IFDIR: return "a directory";
	case AE_IFLNK: return "a symbolic link";
	case AE_IFCHR:
	case AE_IFBLK: return "a device";
	case AE_IFIFO: return "a FIFO";
	default: return "not a regular file";
	}
}

/*
 * The entry's data into name, no more than its size: false when the
 * archive ends or fails in it.
 */
static bool write_data(struct untar *u, const char *name, size_t size, int fd)
{
	char buf[65536];
	ssize_t n;
	size_t got = 0;

	while ((n = archive_read_data(u->a, buf, sizeof(buf))) > 0) {
		if ((size_t)n > size - got)
			n = size - got;
		got += n;
		u->total += n;
		for (ssize_t off = 0, w; off < n; off += w)
			if ((w = write(fd, buf + off, n - off)) < 0) {
				fprintf(u->log, "# untar: %s: cannot write: %m\n", name);
				return true;
			}
	}
	if (n == 0)
		return true;
	dprintf(fd, "\n[cut here: the archive from L1 ended in this file]\n");
	fprintf(u->log, "# untar: %s: cut after %zu bytes: %s\n", name, got,
		archive_error_string(u->a) ?: "the archive ends");
	return false;
}

/* One entry: false when the archive cannot be read on. */
static bool entry(struct untar *u, struct archive_entry *ae)
{
	const char *path = archive_entry_pathname(ae), *name;
	la_int64_t size = archive_entry_size(ae);
	struct stat st;
	bool more;
	int fd;

	if (size > 0 && (size_t)size > u->caps->read - u->read) {
		fprintf(u->log, "# untar: stopped at an entry that passes %zu bytes of data in all\n",
			u->caps->read);
		return !(u->stopped = true);
	}
	if (u->entries++ == u->caps->entries) {
		fprintf(u->log, "# untar: stopped after %u entries\n", u->caps->entries);
		return !(u->stopped = true);
	}
	u->read += size > 0 ? size : 0;
	if (!path)
		return skip(u, "?", "a name that cannot be read");
	if (archive_entry_filetype(ae) == AE_IFDIR && (!strcmp(path, ".") || !strcmp(path, "./")))
		return true;	/* the log directory itself */
	if (archive_entry_hardlink(ae))
		return skip(u, path, "a hard link");
	if (archive_entry_filetype(ae) != AE_IFREG)
		return skip(u, path, "%s", kind(archive_entry_filetype(ae)));
	if (!(name = log_name(path, u->reserved)))
		return skip(u, path, "not a log's name");
	if (size < 0 || (size_t)size > u->caps->file)
		return skip(u, path, "%lld bytes, over %zu", (long long)size, u->caps->file);
	if ((size_t)size > u->caps->total - u->total || u->files == u->caps->files)
		return skip(u, path, "past the bound of %zu bytes and %u files in all",
			    u->caps->total, u->caps->files);
	/* O_NONBLOCK: a FIFO there does not hang the runner. */
	fd = openat(u->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC |
				    O_NONBLOCK, 0644);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EEXIST;
	}
	if (fd < 0)
		return skip(u, path, "%s", errno == ELOOP ? "a symbolic link is there" :
				  errno == EEXIST ? "what is there is not a regular file" :
				  strerror(errno));
	u->files++;
	more = write_data(u, name, size, fd);
	close(fd);
	return more;
}

unsigned untar_logs(const char *path, int dirfd, const char *reserved,
		    const struct untar_caps *caps, FILE *log)
{
	struct untar u = { .a = archive_read_new(), .dirfd = dirfd, .reserved = reserved,
			   .caps = caps, .log = log };
	struct archive_entry *ae;
	struct stat st;
	int r = ARCHIVE_FATAL;

	if (stat(path, &st) || !st.st_size) {
		fprintf(log, "# untar: %s: no archive\n", path);
		archive_read_free(u.a);
		return 0;
	}
	archive_read_support_format_tar(u.a);
	archive_read_support_filter_gzip(u.a);
	if (archive_read_open_filename(u.a, path, 65536) == ARCHIVE_OK)
		while ((r = archive_read_next_header(u.a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)
			if (!entry(&u, ae))
				break;
	if (r != ARCHIVE_EOF && !u.stopped)
		fprintf(log, "# untar: %s: cut short or garbled after %u files: %s\n", path, u.files,
			archive_error_string(u.a) ?: "its data ends");
	if (u.skipped > UNTAR_SAID_MAX)
		fprintf(log, "# untar: and %u more entries skipped\n", u.skipped - UNTAR_SAID_MAX);
	archive_read_free(u.a);
	return u.files;
}
