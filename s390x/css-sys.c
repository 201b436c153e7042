/*
 * css-sys: the channel-subsystem-wide functions a hypervisor presents,
 * driven through one virtio-ccw device, by the Principles of Operation
 * (chapters 11 "Machine-Check Handling", 14 "I/O Instructions" and 17
 * "I/O Support Functions"):
 * - chsc: STORE CHANNEL-SUBSYSTEM CHARACTERISTICS answers response code 1
 *   with the characteristics the schm subtest then relies on (general
 *   characteristic 48, the extended measurement block); STORE SUBCHANNEL
 *   DESCRIPTION names the subchannel's device and channel path (or says
 *   the command is not provided); an invalid command code answers 0x0004;
 *   a request block off a 4K boundary is a specification exception.
 * - crw: with no channel report pending STCRW gives cc 1 and stores zeros;
 *   RESET CHANNEL PATH of the device's channel path makes a solicited
 *   channel-path CRW "initialized" pending, a channel-report-pending
 *   machine check (CR14 bit 35) signals it, STCRW takes the reports in
 *   order and then cc 1, and a report after that signals again.
 * - schm: SET CHANNEL MONITOR with measurement-block update on: after
 *   start functions the subchannel's measurement block (format 0 at MBO +
 *   32 * MBI; format 1 at the subchannel's MBA) counts them in its SSCH +
 *   RSCH count and, when the subchannel has the timing facility (PMCW
 *   bit 14), its sample count; nothing else of the area changes;
 *   with update off in the subchannel or in SCHM, the counts stay; the
 *   operand checks of SCHM and of MSCH for the MBA.
 * Not covered: CRWs for subchannels (a device hot-plug needs a runner
 * request), CRW chaining (QEMU chains only with MCSS-E enabled) and the
 * overflow bit (QEMU sets it only when it cannot allocate).
 * QEMU's css keeps only the SSCH + RSCH count (hw/s390x/css.c,
 * css_update_chnmon) and gives its subchannels no timing facility.
 * Needs: s390-ccw-virtio with exactly one virtio-*-ccw device.
 */
#include "vmunit.h"
#include "clock.h"
#include "css.h"
#include "dma31.h"
#include "processor.h"
#include "traps.h"

#define ISC 3
#define INTPARM 0x1234abcd
#define PAT 0xa5
#define NIO 3			/* start functions measured */
#define MBI 1			/* format-0 block index: not the first */
#define GC_EXT_MB 48		/* SCSC general characteristic: extended measurement block */
#define NO_SCH "no enabled subchannel"

static uint32_t schid;
static uint8_t chpid;
static unsigned int path;	/* chpid's index in the PMCW: its first path */
static struct schib *schib;
static struct orb *orb;
static struct irb *irb;
static struct ccw1 *nop;
static uint32_t gen_chars[4];	/* SCSC general characteristics 0-127 */
static bool have_chars;

static bool gen_char(unsigned int bit)
{
	return gen_chars[bit / 32] & 0x80000000u >> bit % 32;
}

/* Index of the first byte of p[0..n) that is not PAT, or -1. */
static long touched(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i] != PAT)
			return i;
	return -1;
}

/* SSCH the program, take its interruption, TSCH: whether it all happened. */
static bool run(const struct ccw1 *ccw)
{
	struct io_int io;

	orb_init(orb, INTPARM, ccw, 0);
	return !ssch(schid, orb) && css_wait_io(schid, CSS_TIMEOUT_US, &io) &&
	       !tsch(schid, irb);
}

/* n NOPs, each its own start function, each ending with CE and DE. */
static bool nops(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!run(nop) || irb->scsw.dstat != (DEV_CHAN_END | DEV_DEV_END))
			return false;
	return true;
}

static void test_setup(const void *arg)
{
	uint32_t ids[2];
	int n = css_enumerate(ids, 2), cc;

	report(n == 1, "STSCH finds 1 subchannel with a valid device number (got %d)", n);
	require(n >= 1, "no subchannel");
	cc = css_enable(ids[0], ISC, INTPARM);
	report(!cc, "MSCH enables subchannel %#x (got %d)", ids[0], cc);
	require(!cc && !stsch(ids[0], schib) && schib->pmcw.pim, "no path installed");
	schid = ids[0];
	path = __builtin_clz(schib->pmcw.pim) - 24;
	chpid = schib->pmcw.chpid[path];
	report(nops(1), "a NOP ends with channel end and device end");
	report_info("subchannel %#x, device %#x, CHPID %#x (its first path)", schid,
		    schib->pmcw.devno, chpid);
}

static void test_chsc(const void *arg)
{
	uint32_t *blk = dma31_alloc(PAGE_SIZE, PAGE_SIZE);
	const struct chsc_header *r;
	const uint32_t *w;
	char buf[64];
	struct fault f;
	int cc;

	r = chsc_cmd(blk, CHSC_SCSC, 0, 0);
	report(r && r->code == CHSC_RESP_OK && r->len >= 8 + sizeof(gen_chars),
	       "store channel-subsystem characteristics: response code 1, the general "
	       "characteristics stored (code %#x, length %u)", r ? r->code : 0, r ? r->len : 0);
	if (r && r->code == CHSC_RESP_OK && r->len >= 8 + sizeof(gen_chars)) {
		memcpy(gen_chars, (const uint8_t *)r + 8, sizeof(gen_chars));
		have_chars = true;
		report_info("general characteristics %08x %08x %08x %08x", gen_chars[0],
			    gen_chars[1], gen_chars[2], gen_chars[3]);
	}

	r = chsc_cmd(blk, CHSC_SSD, SCHID_NR(schid), SCHID_NR(schid));
	if (r && r->code == CHSC_RESP_NOT_PROVIDED) {
		report_skip("store subchannel description: response code 0x0004, command not "
			    "provided");
	} else {
		w = (const uint32_t *)r;
		/* CHPIDs 0-7 at byte 16: the one of the path chpid is */
		report(r && r->code == CHSC_RESP_OK && r->len >= 24 && (w[2] & 0xc0000000u) ==
			       0xc0000000u && (w[2] & 0xffff) == schib->pmcw.devno &&
			       (w[3] & 0xffff) == SCHID_NR(schid) &&
			       ((const uint8_t *)r)[16 + path] == chpid,
		       "store subchannel description: response code 1, subchannel and device "
		       "valid, device %#x, subchannel %#x, CHPID %#x (code %#x, %#x %#x %#x %#x)",
		       schib->pmcw.devno, SCHID_NR(schid), chpid, r ? r->code : 0,
		       r ? w[2] : 0, r ? w[3] : 0, r ? w[4] : 0, r ? w[5] : 0);
	}

	r = chsc_cmd(blk, 0x0000, 0, 0);
	report(r && r->code == CHSC_RESP_NOT_PROVIDED && r->len == 8,
	       "command code 0: response code 0x0004, 8 bytes (code %#x, length %u)",
	       r ? r->code : 0, r ? r->len : 0);

	f = chsc_safe((uint8_t *)blk + 8, &cc);
	report(f.valid && f.vector == PGM_SPECIFICATION,
	       "a request block off a 4K boundary: specification exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	dma31_free(blk);
}

/* Machine checks taken, and the last one's interruption code. */
static volatile unsigned int mchecks;
static volatile uint64_t mcic;

static void mcheck_handler(struct ex_regs *r)
{
	mcic = lowcore_mcic();
	mchecks++;
}

/* Machine checks open until one more than seen arrives, or timeout_us. */
static bool mcheck_wait(unsigned int seen, uint64_t timeout_us)
{
	uint64_t mask = epsw(), end = clock_us() + timeout_us;

	psw_mask_load(mask | PSW_MCHECK);
	while (mchecks == seen && clock_us() < end)
		;
	psw_mask_load(mask);
	return mchecks != seen;
}

/* RCHP, again while cc 2 says a reset is still in progress (PoP, RCHP). */
static int rchp_retry(uint8_t chpid)
{
	uint64_t end = clock_us() + CSS_TIMEOUT_US;
	int cc;

	while ((cc = rchp(chpid)) == 2 && clock_us() < end)
		;
	return cc;
}

static void test_crw(const void *arg)
{
	const uint32_t want = CRW_SOLICITED | CRW_RSC_CHP << 24 | CRW_ERC_INIT << 16 | chpid;
	uint32_t *crw = dma31_alloc(8, 8);
	uint64_t cr14 = stctg(14);
	unsigned int n = 0, seen;
	char buf[64], str[80];
	struct fault f;
	int cc;

	handle_interrupt(INT_MCHECK, mcheck_handler);
	lctlg(14, cr14 | CR14_CHANNEL_REPORT);
	do
		*crw = ~0u;
	while (!(cc = stcrw(crw)) && ++n < 64);
	report(cc == 1 && !*crw, "no report pending: STCRW gives cc 1 and stores zeros (cc %d, "
	       "%#x, after %u reports)", cc, *crw, n);
	f = stcrw_safe((uint32_t *)((uint8_t *)crw + 2), &cc);
	report(f.valid && f.vector == PGM_SPECIFICATION,
	       "STCRW off a word boundary: specification exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	/* Signals for reports drained above: all of them before the counts start. */
	for (unsigned int i = 0; i < 64 && mcheck_wait(mchecks, CSS_TIMEOUT_US); i++)
		;

	for (unsigned int k = 1; k <= 2; k++) {
		seen = mchecks;
		for (unsigned int i = 0; i < k; i++) {
			cc = rchp_retry(chpid);
			report(!cc, "RCHP %u of %u, CHPID %#x: cc 0 once not busy (got %d)", i + 1, k,
			       chpid, cc);
		}
		report(mcheck_wait(seen, CSS_TIMEOUT_US) && (mcic & MCIC_CP),
		       "%u reports: a channel-report-pending machine check (%u, MCIC %#lx)", k,
		       mchecks - seen, mcic);
		for (unsigned int i = 0; i < k; i++) {
			cc = stcrw(crw);
			report(!cc && *crw == want, "STCRW %u: cc 0, %s (got cc %d, %s)", i + 1,
			       crw_str(want, str, sizeof(str)), cc, crw_str(*crw, buf, sizeof(buf)));
		}
		*crw = ~0u;
		cc = stcrw(crw);
		report(cc == 1 && !*crw, "then STCRW: cc 1, zeros (cc %d, %#x)", cc, *crw);
	}
	lctlg(14, cr14);
	handle_interrupt(INT_MCHECK, NULL);
	dma31_free(crw);
}

/* MSCH the measurement mode, block format, MBI and MBA: the condition code. */
static int set_monitor(uint16_t mm, uint32_t mbfc, uint16_t mbi, uint64_t mba)
{
	int cc = stsch(schid, schib);

	if (cc)
		return cc;
	schib->pmcw.flags = (schib->pmcw.flags & ~(PMCW_MM_UPDATE | PMCW_MM_DCTM)) | mm;
	schib->pmcw.chars = (schib->pmcw.chars & ~PMCW_MBFC) | mbfc;
	schib->pmcw.mbi = mbi;
	schib->mba = mba;
	return msch(schid, schib);
}

/* SSCH + RSCH count and sample count of the block, by its format. */
static void counts(const void *mb, bool fmt1, uint32_t *ssch, uint32_t *samples)
{
	*ssch = fmt1 ? ((const struct mb1 *)mb)->ssch_rsch : ((const struct mb0 *)mb)->ssch_rsch;
	*samples = fmt1 ? ((const struct mb1 *)mb)->samples : ((const struct mb0 *)mb)->samples;
}

/*
 * One format: the area is a page of PAT with the subchannel's block
 * zeroed; after NIO NOPs the block counts them, the rest of the area is
 * as it was; off in the subchannel, then off in SCHM, the counts stay.
 */
static void test_schm(const void *arg)
{
	bool fmt1 = arg;
	size_t size = fmt1 ? sizeof(struct mb1) : sizeof(struct mb0);
	uint8_t *area = dma31_alloc(PAGE_SIZE, PAGE_SIZE);
	uint8_t *mb = fmt1 ? area + 2 * size : area + MBI * size;
	uint32_t ssch, samples;
	int cc;

	if (fmt1) {
		require_earlier(have_chars, "CHSC SCSC did not store the characteristics");
		require(gen_char(GC_EXT_MB), "CHSC SCSC general characteristic %u: extended "
			"measurement block", GC_EXT_MB);
	}
	memset(area, PAT, PAGE_SIZE);
	memset(mb, 0, size);
	schm(SCHM_UPDATE, (uintptr_t)area);
	cc = set_monitor(PMCW_MM_UPDATE, fmt1 ? PMCW_MBFC : 0, MBI, (uintptr_t)mb);
	report(!cc && !stsch(schid, schib) && (schib->pmcw.flags & PMCW_MM_UPDATE) &&
	       schib->pmcw.mbi == MBI && (fmt1 ? (schib->pmcw.chars & PMCW_MBFC) &&
					  schib->mba == (uintptr_t)mb : 1),
	       "MSCH: measurement-block update on, %s; STSCH reads it back (cc %d)",
	       fmt1 ? "format 1 at the MBA" : "MBI 1", cc);
	report(nops(NIO), "%u NOPs", NIO);
	counts(mb, fmt1, &ssch, &samples);
	report(ssch == NIO, "SSCH + RSCH count %u (got %u)", NIO, ssch);
	if (schib->pmcw.flags & PMCW_TIMING)
		report(samples == NIO, "sample count %u (got %u)", NIO, samples);
	else
		report_skip("sample count: PMCW bit 14 (timing facility) is 0");
	report(touched(area, mb - area) < 0 && touched(mb + size, area + PAGE_SIZE - mb - size) < 0,
	       "the rest of the area untouched (first changed byte: %ld)",
	       touched(area, mb - area) >= 0 ? touched(area, mb - area) :
	       touched(mb + size, area + PAGE_SIZE - mb - size));

	report(!set_monitor(0, fmt1 ? PMCW_MBFC : 0, MBI, (uintptr_t)mb) && nops(2),
	       "MSCH: measurement-block update off, 2 NOPs");
	counts(mb, fmt1, &ssch, &samples);
	report(ssch == NIO, "the count stays %u (got %u)", NIO, ssch);
	report(!set_monitor(PMCW_MM_UPDATE, fmt1 ? PMCW_MBFC : 0, MBI, (uintptr_t)mb), "on again");
	schm(0, 0);
	report(nops(2), "SCHM: measurement-block update off, 2 NOPs");
	counts(mb, fmt1, &ssch, &samples);
	report(ssch == NIO, "the count stays %u (got %u)", NIO, ssch);
	set_monitor(0, 0, 0, 0);
	dma31_free(area);
}

/* Operand exceptions of SCHM and MSCH. */
static void test_schm_operands(const void *arg)
{
	uint8_t *area = dma31_alloc(PAGE_SIZE, PAGE_SIZE);
	char buf[64];
	struct fault f;
	int cc;

	f = schm_safe(SCHM_UPDATE | 0x100, (uintptr_t)area);
	report(f.valid && f.vector == PGM_OPERAND,
	       "SCHM with a reserved bit of GR1 (bit 55): operand exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	f = schm_safe(SCHM_UPDATE, (uintptr_t)area + 8);
	report(f.valid && f.vector == PGM_OPERAND,
	       "SCHM with the MBO off a 32-byte boundary: operand exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	schm(0, 0);
	if (!have_chars) {
		report_not_run("MSCH with a misaligned MBA: CHSC SCSC did not store the "
			       "characteristics");
	} else if (gen_char(GC_EXT_MB)) {
		stsch(schid, schib);
		schib->pmcw.chars |= PMCW_MBFC;
		schib->mba = (uintptr_t)area + 32;
		f = msch_safe(schid, schib, &cc);
		report(f.valid && f.vector == PGM_OPERAND,
		       "MSCH, format 1 with the MBA off a 64-byte boundary: operand exception "
		       "(got %s)", fault_str(f, buf, sizeof(buf)));
	} else {
		report_skip("MSCH with a misaligned MBA: CHSC SCSC general characteristic %u, "
			    "extended measurement block", GC_EXT_MB);
	}
	set_monitor(0, 0, 0, 0);
	dma31_free(area);
}

int main(int argc, char **argv)
{
	schib = dma31_alloc(sizeof(*schib), 8);
	orb = dma31_alloc(sizeof(*orb), 8);
	irb = dma31_alloc(sizeof(*irb), 8);
	nop = dma31_alloc(sizeof(*nop), 8);
	*nop = ccw1(CCW_CMD_NOOP, 0, 0, 0);
	css_irq_init(ISC);
	subtest("setup", test_setup, NULL);
	subtest_after(schid, NO_SCH, "chsc", test_chsc, NULL);
	subtest_after(schid, NO_SCH, "crw", test_crw, NULL);
	report_prefix_push("schm");
	subtest_after(schid, NO_SCH, "format 0", test_schm, (void *)false);
	subtest_after(schid, NO_SCH, "format 1", test_schm, (void *)true);
	subtest_after(schid, NO_SCH, "operands", test_schm_operands, NULL);
	report_prefix_pop();
	return 0;
}
