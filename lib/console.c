/* Console output shared by every CPU: one lock, one arch write hook. */
#include "arch.h"
#include "console.h"
#include "spinlock.h"

static struct spinlock console_lock;

void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	arch_console_write(s, n);
	spin_unlock(&console_lock);
}
