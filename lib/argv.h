/*
 * Command-line splitting for the kernel command line handed over by the
 * boot protocol.  No state: safe from any CPU.
 */
#ifndef VMUNIT_ARGV_H
#define VMUNIT_ARGV_H

/*
 * Split cmdline in place into words separated by spaces and tabs (the
 * separators after each word become NULs); no quoting or escapes.  At most
 * max_args words are stored, so argv needs max_args + 1 entries; words
 * beyond that are ignored and left unsplit.  Returns argc and sets
 * argv[argc] = NULL.  A NULL cmdline counts as empty.
 */
int split_args(char *cmdline, char **argv, int max_args);

#endif
