/*
 * The C library's memory and string functions, with their standard names
 * and signatures (the compiler emits calls to memcpy, memmove, memset and
 * memcmp on its own).  Plain code with no state: safe from any CPU and from
 * exception handlers; they fault only if given bad pointers.
 *
 * string.c must be built with -ffreestanding (or -fno-builtin), and should be
 * built with -fno-tree-loop-distribute-patterns, so that the compiler does
 * not turn these loops back into calls to themselves.
 */
#ifndef VMUNIT_STRING_H
#define VMUNIT_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);

#endif
