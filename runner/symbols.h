/*
 * A payload's addresses as code: function+offset and file:line, from the
 * ELF that ran (its symbol table and DWARF line table, read with
 * elfutils' libdwfl as an offline module: no addr2line, no DWARF parser
 * of our own).  For what a guest prints when it dies: the reason's
 * "at rip 0x..." / "at pc 0x..." and its "backtrace: 0x... 0x..." line.
 *
 * The guest's words are untrusted: at most SYM_MAX_FRAMES addresses are
 * read from a line, each a plain hex number; an address no function
 * covers stays a number.  An ELF that does not open or has no symbols
 * leaves every text as it is.
 */
#ifndef RUNNER_SYMBOLS_H
#define RUNNER_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYM_MAX_FRAMES 64

struct symbols;

/* NULL when path is not an ELF with symbols. */
struct symbols *symbols_open(const char *path);
void symbols_close(struct symbols *s);
/*
 * "raise_ud+0x14 at x86/selftest.c:331" (without DWARF lines: the
 * function alone); false when no function covers addr.  A return address
 * (ret) takes the line of the call before it.
 */
bool symbols_name(struct symbols *s, uint64_t addr, bool ret, char *buf, size_t len);
/*
 * reason with ", FILE:LINE in FUNC" after its last "at rip 0x..." or
 * "at pc 0x...", in place (cut to len); false when there was none to add.
 */
bool symbols_reason(struct symbols *s, char *reason, size_t len);
/*
 * A "backtrace: 0x... 0x..." line as one "  #N 0xADDR name" line per
 * frame (a malloc'ed text ending in a newline), or NULL when line is not
 * a backtrace.
 */
char *symbols_backtrace(struct symbols *s, const char *line);

#endif
