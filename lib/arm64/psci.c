/* PSCI conduit selection and calls (SMC Calling Convention, 64-bit). */
#include <stdbool.h>
#include "devtree.h"
#include "psci.h"
#include "string.h"

static bool use_smc;

void psci_init(void)
{
	const char *method = dt_string("/psci", "method");

	use_smc = method && !strcmp(method, "smc");
}

bool psci_uses_smc(void)
{
	return use_smc;
}

int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;

	if (use_smc)
		asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}
