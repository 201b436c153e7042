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

/* An SMCCC call through the conduit: x0..x3 in r[], the results back in it. */
static void smccc_call(uint64_t r[4])
{
	register uint64_t x0 asm("x0") = r[0];
	register uint64_t x1 asm("x1") = r[1];
	register uint64_t x2 asm("x2") = r[2];
	register uint64_t x3 asm("x3") = r[3];

	if (use_smc)
		asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	r[0] = x0;
	r[1] = x1;
	r[2] = x2;
	r[3] = x3;
}

int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t r[4] = { fn, a1, a2, a3 };

	smccc_call(r);
	return (int64_t)r[0];
}

bool smccc_hyp_is_kvm(void)
{
	uint64_t r[4] = { 0x8600ff01 };

	if (use_smc)	/* the conduit goes to EL3 firmware, not to a hypervisor */
		return false;
	smccc_call(r);
	return (uint32_t)r[0] == 0xb66fb428 && (uint32_t)r[1] == 0xe911c52e &&
	       (uint32_t)r[2] == 0x564bcaa9 && (uint32_t)r[3] == 0x743a004d;
}
