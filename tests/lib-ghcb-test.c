/*
 * Host test of lib/x86/ghcb.c: the GHCB MSR protocol against a model of
 * the hypervisor side (answers per the GHCB specification's MSR protocol,
 * and the wrong answers a hypervisor could give).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../lib/x86/ghcb.c"

static uint64_t msr;
static enum { HONEST, WRONG_CODE, WRONG_REG, RESERVED, BAD_INFO } mode;
static unsigned int exits;

/* The model's CPUID: leaf 0x8000001f says SEV, SEV-ES, C-bit 51. */
static uint32_t model_cpuid(uint32_t fn, unsigned int reg)
{
	static const uint32_t leaf0[4] = { 0xd, 0x68747541, 0x444d4163, 0x69746e65 };
	static const uint32_t sev[4] = { 0xa, 51, 509, 0 };

	return fn == 0 ? leaf0[reg] : fn == 0x8000001f ? sev[reg] : 0;
}

static void model_write(uint64_t v) { msr = v; }
static uint64_t model_read(void) { return msr; }

/* The hypervisor's side of VMGEXIT: the request in msr, the answer back there. */
static void model_vmgexit(void)
{
	uint64_t code = msr & GHCB_INFO_MASK;
	unsigned int reg = msr >> 30 & 3;

	exits++;
	if (code == GHCB_CPUID_REQ) {
		assert_int_equal(msr >> 12 & 0x3ffff, 0);	/* the guest's reserved bits */
		msr = (uint64_t)model_cpuid(msr >> 32, reg) << 32 | (uint64_t)reg << 30 |
		      GHCB_CPUID_RESP;
		if (mode == WRONG_CODE)
			msr = (msr & ~GHCB_INFO_MASK) | GHCB_SEV_INFO;
		else if (mode == WRONG_REG)
			msr ^= 1ull << 30;
		else if (mode == RESERVED)
			msr |= 1ull << 20;
	} else if (code == GHCB_SEV_INFO_REQ) {
		msr = 2ull << 48 | 1ull << 32 | 51ull << 24 | GHCB_SEV_INFO;
		if (mode == BAD_INFO)
			msr = 1ull << 48 | 2ull << 32 | 51ull << 24 | GHCB_SEV_INFO;
	} else {
		fail_msg("unexpected GHCB request %#lx", (unsigned long)msr);
	}
}

static const struct ghcb_ops model = { model_write, model_read, model_vmgexit };

static void test_cpuid(void **state)
{
	uint32_t regs[4];

	(void)state;
	mode = HONEST;
	exits = 0;
	assert_int_equal(ghcb_cpuid(&model, 0, regs), 0);
	assert_int_equal(exits, 4);	/* one VMGEXIT per register */
	assert_int_equal(regs[0], 0xd);
	assert_int_equal(regs[1], 0x68747541);	/* "Auth" */
	assert_int_equal(ghcb_cpuid(&model, 0x8000001f, regs), 0);
	assert_int_equal(regs[0] >> 3 & 1, 1);	/* SEV-ES */
	assert_int_equal(regs[1] & 0x3f, 51);	/* the C-bit */
}

static void test_refused(void **state)
{
	uint32_t v = 0x1234;

	(void)state;
	for (mode = WRONG_CODE; mode <= RESERVED; mode++) {
		assert_int_equal(ghcb_cpuid_reg(&model, 0, GHCB_EBX, &v), -1);
		assert_int_equal(v, 0x1234);	/* nothing taken */
	}
}

static void test_sev_info(void **state)
{
	struct ghcb_sev_info info;

	(void)state;
	mode = HONEST;
	assert_int_equal(ghcb_sev_info(&model, &info), 0);
	assert_int_equal(info.max_version, 2);
	assert_int_equal(info.min_version, 1);
	assert_int_equal(info.cbit, 51);
	mode = BAD_INFO;
	assert_int_equal(ghcb_sev_info(&model, &info), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_sev_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
