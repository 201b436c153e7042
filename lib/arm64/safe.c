/* arm64 load_safe/store_safe: one access marked in the exception table. */
#include "percpu.h"

struct fault load_safe(const volatile void *addr, uint64_t *val)
{
	uint64_t v = 0;
	struct fault f = SAFE_ASM("ldr %0, [%1]", : "+r"(v) : "r"(addr));

	*val = v;
	return f;
}

struct fault store_safe(volatile void *addr, uint64_t val)
{
	return SAFE_ASM("str %0, [%1]", : : "r"(val), "r"(addr));
}
