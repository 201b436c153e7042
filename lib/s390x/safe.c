/* s390x load_safe/store_safe: one access marked in the exception table. */
#include "percpu.h"

struct fault load_safe(const volatile void *addr, uint64_t *val)
{
	uint64_t v = 0;
	struct fault f = SAFE_ASM("lg %0, 0(%1)", : "+d"(v) : "a"(addr));

	*val = v;
	return f;
}

struct fault store_safe(volatile void *addr, uint64_t val)
{
	return SAFE_ASM("stg %0, 0(%1)", : : "d"(val), "a"(addr));
}
