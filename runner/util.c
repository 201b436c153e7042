#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void *oom(void *p)
{
	if (!p) {
		fputs("vmunit-run: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

void *xmalloc(size_t n)
{
	return oom(calloc(1, n ? n : 1));
}

void *xrealloc(void *p, size_t n)
{
	return oom(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
	return oom(strdup(s));
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	return oom(vasprintf(&s, fmt, ap) < 0 ? NULL : s);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void strv_pushf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strv_push(sv, s);
	free(s);
}

void strv_push(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void strv_append(struct strv *sv, char *const *v)
{
	for (; v && *v; v++)
		strv_push(sv, *v);
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

static int needs_quotes(const char *s)
{
	if (!*s)
		return 1;
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789_-+=/.,:@%")] != '\0';
}

/* Writes s to f, in single quotes when needed; a quote inside becomes '\''. */
static void quote_word(FILE *f, const char *s)
{
	if (!needs_quotes(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

FILE *xopen_memstream(char **buf, size_t *len)
{
	*buf = NULL;
	return oom(open_memstream(buf, len));
}

char *xclose_memstream(FILE *f, char **buf)
{
	fclose(f);
	return oom(*buf);
}

char *shell_quote_argv(char *const *argv)
{
	char *buf;
	size_t len;
	FILE *f = xopen_memstream(&buf, &len);

	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			fputc(' ', f);
		quote_word(f, argv[i]);
	}
	return xclose_memstream(f, &buf);
}

const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *path_join(const char *dir, const char *name)
{
	if (!dir || !*dir || !strcmp(dir, "."))
		return xstrdup(name);
	return xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			 name);
}

int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	int r = 0;

	for (char *s = p + 1; *s && !r; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	if (!r && mkdir(p, 0777) && errno != EEXIST)
		r = -1;
	free(p);
	return r;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return -1;
	r = fwrite(data, 1, n, f) == n ? 0 : -1;
	if (fclose(f))
		r = -1;
	return r;
}

char *capture_output(char *const *argv, bool both, bool ok_only)
{
	size_t len = 0, cap = 4096;
	char *out;
	int p[2], status = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (both)
			dup2(p[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	out = xmalloc(cap);
	while (pid > 0 && ((n = read(p[0], out + len, cap - len - 1)) > 0 ||
			   (n < 0 && errno == EINTR))) {
		len += n > 0 ? n : 0;
		if (len + 1 == cap)
			out = xrealloc(out, cap *= 2);
	}
	close(p[0]);
	out[len] = '\0';
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid > 0 && (!ok_only || (WIFEXITED(status) && WEXITSTATUS(status) == 0)))
		return out;
	free(out);
	return NULL;
}
