/*
 * Console output: console_write() writes n bytes atomically with respect to
 * other callers (one lock for all CPUs), so a line printed in one call is
 * never interleaved with another CPU's.  Safe from any CPU.
 */
#ifndef VMUNIT_CONSOLE_H
#define VMUNIT_CONSOLE_H

#include <stddef.h>

void console_write(const char *s, size_t n);

#endif
