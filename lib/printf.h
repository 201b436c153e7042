/*
 * Formatted output.  Conversions: d i u x X o c s p %; length modifiers
 * hh h l ll z t j; flags - 0 # space +; width and precision, either of
 * which may be '*'.  No floating point and no %n.  %s of NULL prints
 * "(null)" (cut by the precision like any string); %p prints like %#lx, and
 * NULL as "(nil)".  An unknown conversion prints itself, '%' included.
 * Return values are the length the whole output has (C99), even when a
 * buffer cut it short.
 *
 * printf, vprintf and puts format into a 1024-byte buffer on the stack and
 * hand it to console_write() in one call, so output up to 1024 bytes (a
 * check line) is atomic with respect to other CPUs.  Longer output is
 * written in 1024-byte chunks, which other CPUs' output may split.  All are
 * safe from any CPU; they fault only on bad pointer arguments.
 */
#ifndef VMUNIT_PRINTF_H
#define VMUNIT_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF_BUF_SIZE 1024

/* Writes at most size bytes including the NUL; buf may be NULL if size is 0. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));

int vprintf(const char *fmt, va_list ap)
	__attribute__((format(__printf__, 1, 0)));
int printf(const char *fmt, ...)
	__attribute__((format(__printf__, 1, 2)));

/* Writes s and a newline, atomically when they fit PRINTF_BUF_SIZE. */
int puts(const char *s);

#endif
