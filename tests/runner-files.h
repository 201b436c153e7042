/*
 * File helpers of the runner's host tests that unpack untrusted input
 * into a directory (runner-gcov-test, runner-untar-test): slurp() is a
 * file's whole text (NULL when it cannot be opened), entries() the number
 * of entries of a directory (-1 when it cannot be opened).
 */
#ifndef TESTS_RUNNER_FILES_H
#define TESTS_RUNNER_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

static inline char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re"), *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static inline int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

#endif
