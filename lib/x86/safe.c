/* Faulting instructions wrapped with exception-table fixups. */
#include "percpu.h"
#include "processor.h"
#include "safe.h"
#include "start.h"

struct fault rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	struct fault f = SAFE_ASM("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr));

	*val = lo | (uint64_t)hi << 32;
	return f;
}

struct fault wrmsr_safe(uint32_t msr, uint64_t val)
{
	return SAFE_ASM("wrmsr", : : "c"(msr), "a"((uint32_t)val),
			"d"((uint32_t)(val >> 32)));
}

struct fault write_cr0_safe(uint64_t val)
{
	return SAFE_ASM("mov %0, %%cr0", : : "r"(val));
}

struct fault write_cr3_safe(uint64_t val)
{
	return SAFE_ASM("mov %0, %%cr3", : : "r"(val));
}

struct fault write_cr4_safe(uint64_t val)
{
	return SAFE_ASM("mov %0, %%cr4", : : "r"(val));
}

struct fault load_safe(const volatile void *addr, uint64_t *val)
{
	uint64_t v = 0;
	struct fault f = SAFE_ASM("mov (%1), %0", : "+r"(v) : "r"(addr));

	*val = v;
	return f;
}

struct fault store_safe(volatile void *addr, uint64_t val)
{
	return SAFE_ASM("mov %0, (%1)", : : "r"(val), "r"(addr));
}

bool bochs_lacks_msr(struct fault f)
{
	return run_on_vmm("bochs") && f.valid && f.vector == GP_VECTOR;
}
