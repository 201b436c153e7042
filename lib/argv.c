#include <stddef.h>

#include "argv.h"

static int is_sep(char c)
{
	return c == ' ' || c == '\t';
}

int split_args(char *cmdline, char **argv, int max_args)
{
	char *p = cmdline;
	int argc = 0;

	while (p && argc < max_args) {
		while (is_sep(*p))
			p++;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && !is_sep(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}
