#define _GNU_SOURCE
#include "gcov-collect.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_IMAGE (64u << 20)	/* bytes: far above any payload's counters */

static void problem(struct gcov_collect *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct gcov_collect *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->error) {
		va_start(ap, fmt);
		if (vasprintf(&g->error, fmt, ap) < 0)
			g->error = NULL;
		va_end(ap);
	}
	free(g->path);
	free(g->buf);
	g->path = NULL;
	g->buf = NULL;
}

/* Absolute, .gcda, no empty, "." or ".." component. */
static bool safe_path(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n < 6 || strcmp(p + n - 5, ".gcda") || n > 4000)
		return false;
	for (const char *c = p; *c; c++)
		if (*c == '/' && (c[1] == '/' || !strncmp(c + 1, "./", 2) ||
				  !strncmp(c + 1, "../", 3)))
			return false;
	return true;
}

static void begin(struct gcov_collect *g, const char *arg)
{
	char path[4096];
	unsigned size;

	if (g->path)
		problem(g, "%s: GCOV-BEGIN before its GCOV-END", g->path);
	if (sscanf(arg, "%4095s %u", path, &size) != 2 || !safe_path(path) || size > MAX_IMAGE)
		return problem(g, "bad GCOV-BEGIN: %.200s", arg);
	g->path = xstrdup(path);
	g->size = size;
	g->len = 0;
	g->buf = xmalloc(size ? size : 1);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void data(struct gcov_collect *g, const char *hex)
{
	size_t n = strlen(hex);

	if (!g->path)
		return problem(g, "GCOV data outside an image");
	if (n % 2 || n > 128 || g->len + n / 2 > g->size)
		return problem(g, "%s: bad GCOV data line", g->path);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return problem(g, "%s: bad GCOV data line", g->path);
		g->buf[g->len++] = hi << 4 | lo;
	}
}

static void end(struct gcov_collect *g)
{
	char *file, *dir;

	if (!g->path)
		return problem(g, "GCOV-END outside an image");
	if (g->len != g->size)
		return problem(g, "%s: %zu of %zu bytes", g->path, g->len, g->size);
	if (!g->dir)
		return problem(g, "no log directory");	/* (-n runs nothing) */
	file = path_join(g->dir, g->path + 1);
	dir = xstrdup(file);
	if (mkdir_p(dirname(dir)) || write_file(file, g->buf, g->len))
		problem(g, "%s: %s", file, strerror(errno));
	else
		g->files++;
	free(dir);
	free(file);
	free(g->path);
	free(g->buf);
	g->path = NULL;
	g->buf = NULL;
}

bool gcov_line(struct gcov_collect *g, const char *line)
{
	size_t n = strlen(line);
	char *copy;

	if (strncmp(line, "GCOV: ", 6) && strncmp(line, "GCOV-BEGIN: ", 12) &&
	    strncmp(line, "GCOV-END", 8))
		return false;
	copy = strndup(line, n && line[n - 1] == '\r' ? n - 1 : n);
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
	if (g->path)
		problem(g, "%s: the output ended inside the image", g->path);
}
