/*
 * Stack-protector runtime: prebuilt libraries linked into payloads (Debian's
 * libfdt.a) are compiled with -fstack-protector and need these two symbols.
 */
#include <stdint.h>
#include "panic.h"

uintptr_t __stack_chk_guard = (uintptr_t)0x2f8a9c3e5b17d460ull;

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack protector: stack smashed");
}
