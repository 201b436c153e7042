/*
 * Host unit test of the s390x channel-program helpers: the 31-bit DMA
 * pool (lib/s390x/dma31.c: alignment, zeroing, first fit, free without a
 * size, exhaustion, bad requests) and the builders of lib/s390x/ccw.c
 * (format-1 CCWs, ORBs, IDAW lists for each format, the SCSW and CRW
 * strings).
 * Both sources are compiled into this file; addresses given to the IDAW
 * builder are never dereferenced, so they may be made up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../lib/s390x/dma31.c"
#include "../lib/s390x/ccw.c"

/* lib/panic.h: a panic is a cmocka assertion failure here. */
void panic_at(const char *file, int line, const char *fmt, ...)
{
	mock_assert(0, fmt, file, line);
	abort();
}

static int setup(void **state)
{
	(void)state;
	memset(used, 0, sizeof(used));
	memset(first, 0, sizeof(first));
	nr_used = 0;
	memset(pool, 0xa5, sizeof(pool));
	return 0;
}

static void test_pool_alignment_and_zeroing(void **state)
{
	static const size_t aligns[] = { 0, 1, 8, 16, 64, 256, 2048, 4096, 8192 };

	(void)state;
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		uint8_t *p = dma31_alloc(100, aligns[i]);
		size_t want = aligns[i] < DMA31_GRANULE ? DMA31_GRANULE : aligns[i];

		assert_non_null(p);
		assert_true(p >= pool && p + 100 <= pool + sizeof(pool));
		assert_int_equal((uintptr_t)p % want, 0);
		for (int j = 0; j < 112; j++)	/* rounded up to the granule */
			assert_int_equal(p[j], 0);
		memset(p, 0xff, 100);
	}
	assert_int_equal(dma31_free_bytes(), sizeof(pool) - 9 * 112);
}

static void test_pool_first_fit_and_free(void **state)
{
	uint8_t *a, *b, *c, *d;

	(void)state;
	a = dma31_alloc(32, 0);
	b = dma31_alloc(16, 0);
	c = dma31_alloc(48, 0);
	assert_ptr_equal(a, pool);
	assert_ptr_equal(b, pool + 32);
	assert_ptr_equal(c, pool + 48);
	dma31_free(a);		/* frees a's two granules, not b */
	assert_int_equal(dma31_free_bytes(), sizeof(pool) - 64);
	d = dma31_alloc(48, 0);	/* does not fit where a was */
	assert_ptr_equal(d, pool + 96);
	assert_ptr_equal(dma31_alloc(32, 0), pool);
	dma31_free(NULL);
	dma31_free(b);
	dma31_free(c);
	assert_ptr_equal(dma31_alloc(64, 0), pool + 32);
}

static void test_pool_exhaustion_and_bad_requests(void **state)
{
	void *all;

	(void)state;
	assert_null(dma31_alloc(0, 0));
	assert_null(dma31_alloc(16, 24));	/* not a power of two */
	assert_null(dma31_alloc(16, 2 * DMA31_MAX_ALIGN));
	assert_null(dma31_alloc(sizeof(pool) + 1, 0));
	all = dma31_alloc(sizeof(pool), DMA31_MAX_ALIGN);
	assert_ptr_equal(all, pool);
	assert_null(dma31_alloc(1, 0));
	assert_int_equal(dma31_free_bytes(), 0);
	dma31_free(all);
	assert_int_equal(dma31_free_bytes(), sizeof(pool));
	expect_assert_failure(dma31_free(pool + 16));	/* not a block's start */
	expect_assert_failure(dma31_addr(&all));	/* not pool memory */
}

static void test_ccw_and_orb(void **state)
{
	struct ccw1 *ccws = dma31_alloc(2 * sizeof(*ccws), 8);
	struct orb *orb = dma31_alloc(sizeof(*orb), 8);
	uint8_t *buf = dma31_alloc(64, 0);

	(void)state;
	ccws[0] = ccw_data(CCW_CMD_SENSE_ID, CCW_CC | CCW_SLI, buf, 64);
	ccws[1] = ccw_tic(&ccws[0]);
	assert_int_equal(ccws[0].cmd, 0xe4);
	assert_int_equal(ccws[0].flags, 0x60);
	assert_int_equal(ccws[0].count, 64);
	assert_int_equal(ccws[0].cda, (uint32_t)(uintptr_t)buf);
	assert_int_equal(ccws[1].cmd, 0x08);
	assert_int_equal(ccws[1].flags | ccws[1].count, 0);
	assert_int_equal(ccws[1].cda, (uint32_t)(uintptr_t)ccws);
	orb_init(orb, 0xcafe, ccws, idaw_orb_ctrl(IDAW_FMT2_2K));
	assert_int_equal(orb->intparm, 0xcafe);
	assert_int_equal(orb->ctrl, ORB_FMT1 | ORB_IDAW_FMT2 | ORB_IDAW_2K);
	assert_int_equal(orb->lpm, 0xff);
	assert_int_equal(orb->cpa, (uint32_t)(uintptr_t)ccws);
	assert_int_equal(idaw_orb_ctrl(IDAW_FMT1), 0);
	assert_int_equal(idaw_orb_ctrl(IDAW_FMT2_4K), ORB_IDAW_FMT2);
	expect_assert_failure(ccw_data(CCW_CMD_NOOP, 0, &orb, 8));
}

static void test_idaw_lists(void **state)
{
	uint32_t l1[4];
	uint64_t l2[4];

	(void)state;
	assert_int_equal(idaw_count(IDAW_FMT1, 0x10000, 2048), 1);
	assert_int_equal(idaw_count(IDAW_FMT1, 0x107ff, 2), 2);
	assert_int_equal(idaw_count(IDAW_FMT2_4K, 0x107ff, 2), 1);
	assert_int_equal(idaw_count(IDAW_FMT2_4K, 0x10fff, 4098), 3);

	/* 256 bytes from 100 before a 2K boundary: the block, then the next. */
	assert_int_equal(idaw_build(l1, IDAW_FMT1, (void *)0x1079c, 256, 4), 2);
	assert_int_equal(l1[0], 0x1079c);
	assert_int_equal(l1[1], 0x10800);
	assert_int_equal(idaw_build(l2, IDAW_FMT2_2K, (void *)0x180000f9c, 256, 4), 2);
	assert_true(l2[0] == 0x180000f9c && l2[1] == 0x180001000);
	assert_int_equal(idaw_build(l2, IDAW_FMT2_4K, (void *)0x180000f9c, 4200, 4), 3);
	assert_true(l2[1] == 0x180001000 && l2[2] == 0x180002000);
	assert_int_equal(idaw_build(l2, IDAW_FMT2_4K, (void *)0x1079c, 256, 4), 1);

	assert_int_equal(idaw_build(l2, IDAW_FMT2_2K, (void *)0x10000, 8193, 4), 0);
	assert_int_equal(idaw_build(l1, IDAW_FMT1, (void *)0x7fffff9c, 100, 4), 1);
	assert_int_equal(idaw_build(l1, IDAW_FMT1, (void *)0x7fffff9c, 101, 4), 0);
}

static void test_scsw_str(void **state)
{
	struct scsw s = {
		.ctrl = SCSW_FC_START | SCSW_SC_ALERT | SCSW_SC_PRIMARY | SCSW_SC_PENDING,
		.cpa = 0x1238, .dstat = DEV_CHAN_END | DEV_DEV_END | DEV_UNIT_CHECK,
		.cstat = SCH_PROG_CHECK | SCH_INCORR_LEN, .count = 44,
	};
	char buf[160], small[12];

	(void)state;
	assert_string_equal(scsw_str(&s, buf, sizeof(buf)),
			    "FC start, SC alert pri pend, DS CE DE UC, SS IL PC, CPA 0x1238, count 44");
	memset(small, 'x', sizeof(small));
	scsw_str(&s, small, sizeof(small) - 1);
	assert_int_equal(small[sizeof(small) - 1], 'x');
	assert_int_equal(strlen(small), sizeof(small) - 2);
	s.ctrl = SCSW_FC_START | SCSW_AC_SUSPENDED | 0x0400;	/* start pending */
	assert_string_equal(scsw_str(&s, buf, sizeof(buf)),
			    "FC start, AC start suspended, SC, DS CE DE UC, SS IL PC, CPA 0x1238, count 44");
}

static void test_crw_str(void **state)
{
	char buf[80], small[16];

	(void)state;
	assert_string_equal(crw_str(0x44020000, buf, sizeof(buf)),
			    "CRW 0x44020000: S RSC chp, ERC init, RSID 0");
	assert_string_equal(crw_str(0x338400fe, buf, sizeof(buf)),
			    "CRW 0x338400fe: R C A RSC sch, ERC params-init, RSID 0xfe");
	assert_string_equal(crw_str(0x073f1234, buf, sizeof(buf)),
			    "CRW 0x73f1234: RSC 0x7, ERC 0x3f, RSID 0x1234");
	memset(small, 'x', sizeof(small));
	crw_str(0x44020000, small, sizeof(small) - 1);
	assert_int_equal(small[sizeof(small) - 1], 'x');
	assert_int_equal(strlen(small), sizeof(small) - 2);
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		TEST(test_pool_alignment_and_zeroing),
		TEST(test_pool_first_fit_and_free),
		TEST(test_pool_exhaustion_and_bad_requests),
		TEST(test_ccw_and_orb),
		TEST(test_idaw_lists),
		TEST(test_scsw_str),
		TEST(test_crw_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
