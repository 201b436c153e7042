/*
 * Small helpers shared by the runner's units: error messages, allocation
 * that cannot fail (it exits), growable argv vectors, shell quoting for
 * display, paths and a monotonic clock.  Nothing here touches global state.
 */
#ifndef RUNNER_UTIL_H
#define RUNNER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One error message, filled by the unit that detected the problem. */
struct err {
	char msg[512];
};

/* Format into e->msg; always returns -1 so callers can "return err_set()". */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A string built with stdio: open, fprintf..., close to get it (malloc'ed). */
FILE *xopen_memstream(char **buf, size_t *len);
char *xclose_memstream(FILE *f, char **buf);

/* A NULL-terminated, growable vector of malloc'ed strings. */
struct strv {
	char **v;
	size_t n, cap;
};

void strv_push(struct strv *sv, const char *s);
void strv_append(struct strv *sv, char *const *v);	/* NULL-terminated */
void strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_free(struct strv *sv);

/* The words of a command line (NULL: none) quoted for a POSIX shell. */
char *shell_quote_argv(char *const *argv);

/* The last component of a path ("qemu-system-x86_64"), within path. */
const char *base_name(const char *path);

/* dir/name, or just name when dir is "." (keeps messages short). */
char *path_join(const char *dir, const char *name);
int mkdir_p(const char *dir);
/*
 * What argv[0] (a path, no shell) prints on stdout, and on stderr too when
 * both: NULL when it cannot be started or, with ok_only, does not exit 0.
 */
char *capture_output(char *const *argv, bool both, bool ok_only);
/* Write n bytes to path (created or truncated): 0, or -1 with errno. */
int write_file(const char *path, const void *data, size_t n);

/* Milliseconds on the monotonic clock. */
long long now_ms(void);

/* Parse a whole decimal string into [min, max]; -1 when it is not one. */
int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

#endif
