/*
 * css: the channel subsystem a hypervisor presents, driven through one
 * virtio-ccw device with the channel programs of the "s390: vfio-ccw code
 * rework" series and the rules of the Principles of Operation, chapters
 * 15-16: subchannel enumeration and the operand checks of STSCH, MSCH and
 * SSCH; enabling for I/O interruptions (interruption code, subclass mask
 * in CR6, TSCH clearing a pending interruption); SENSE ID with direct
 * addressing and with format-1 and format-2 IDAW lists across 2K and 4K
 * boundaries, contiguous or scattered; SLI and the residual count; command
 * and data chaining; TIC forward, TIC after TIC, TIC with non-zero flags,
 * count or command bits, or to a bad address; HSCH and CSCH; unit check
 * and sense.  With -m above 2 GiB also data addresses above 2 GiB: direct
 * (program check), in a format-1 IDAW (program check) and in a format-2
 * IDAW (allowed).  A program suspended (CCW S, RSCH), then status
 * pending, across live migrations.  TSCH's operand checks.  Every control
 * block comes from the 31-bit DMA pool.
 *
 * Where QEMU is known to deviate from the architecture, a failing check
 * whose outcome has exactly that deviation's signature is XFAIL and says
 * why; any other outcome is PASS or FAIL as usual.  QEMU's css emulates
 * virtio-ccw devices (control-unit type 0x3832) under TCG and KVM alike;
 * only TCG leaves an interruption queued after TSCH took its status.
 * Needs: s390-ccw-virtio with exactly one virtio-*-ccw device.
 * Usage: css virtio=<virtio device ID: SENSE ID's control-unit model>
 */
#include <stdarg.h>
#include "vmunit.h"
#include "clock.h"
#include "css.h"
#include "dma31.h"
#include "migrate.h"
#include "processor.h"

#define ISC 3
#define INTPARM 0x12345678
#define PAT 0xa5		/* untouched buffer bytes */
#define CU_VIRTIO 0x3832
#define ADDR31_LIMIT (1ul << 31)
#define NBUF 3

static uint32_t schid;
/* What a subtest that could not run names: the earlier result it needs. */
#define NO_SCH "the enumeration found no subchannel"
#define NO_SID "SENSE ID failed"
static bool qemu_css;		/* a virtio-ccw device: QEMU's emulation */
static struct orb *orb;
static struct irb *irb;
static struct io_int io;
static uint8_t ref[SENSE_ID_MAX];	/* the device's SENSE ID data */
static unsigned int ref_len;

static const char *irb_str(void)
{
	static char buf[160];

	return scsw_str(&irb->scsw, buf, sizeof(buf));
}

/* Index of the first byte of p[0..n) that is not PAT, or -1. */
static long touched(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != PAT)
			return i;
	return -1;
}

static void *pattern_alloc(size_t size, size_t align)
{
	uint8_t *p = dma31_alloc(size, align);

	assert(p);
	memset(p, PAT, size);
	return p;
}

/*
 * SSCH the program at ccws, wait for its interruption, TSCH into irb:
 * false (with a FAIL saying which step) if any step did not happen.
 */
static bool run(const struct ccw1 *ccws, uint16_t orb_ctrl)
{
	int cc;

	orb_init(orb, INTPARM, ccws, orb_ctrl);
	cc = ssch(schid, orb);
	if (cc) {
		report_fail("SSCH: cc 0 (got %d)", cc);
		return false;
	}
	if (!css_wait_io(schid, CSS_TIMEOUT_US, &io)) {
		report_fail("no I/O interruption within %u ms", CSS_TIMEOUT_US / 1000);
		return false;
	}
	cc = tsch(schid, irb);
	if (cc) {
		report_fail("TSCH after the interruption: cc 0 (got %d)", cc);
		return false;
	}
	return true;
}

/* The IRB of a program that ended normally: channel and device end only. */
static bool ended_ok(void)
{
	return (irb->scsw.ctrl & (SCSW_FC_MASK | SCSW_AC_MASK | SCSW_SC_MASK)) ==
		       (SCSW_FC_START | SCSW_SC_PRIMARY | SCSW_SC_SECONDARY | SCSW_SC_PENDING) &&
	       irb->scsw.dstat == (DEV_CHAN_END | DEV_DEV_END) && !irb->scsw.cstat;
}

/* The IRB of a program check: alert status pending. */
static bool ended_pgm_check(void)
{
	return irb->scsw.cstat == SCH_PROG_CHECK && (irb->scsw.ctrl & SCSW_SC_ALERT) &&
	       (irb->scsw.ctrl & SCSW_SC_PENDING);
}

static void test_enumerate(const void *arg)
{
	struct schib *schib = dma31_alloc(sizeof(*schib) + 4, 8);
	uint32_t ids[4];
	int n = css_enumerate(ids, ARRAY_SIZE(ids)), cc;
	char buf[64];
	struct fault f;

	report(n == 1, "STSCH finds 1 subchannel with a valid device number in set 0 (got %d)", n);
	if (n >= 1)
		schid = ids[0];
	report(n >= 1 && !stsch(schid, schib) && schib->pmcw.pim && schib->pmcw.pam,
	       "its device has a path installed and available (subchannel %#x, device %#x, "
	       "PIM %#x, PAM %#x)", schid, schib->pmcw.devno, schib->pmcw.pim, schib->pmcw.pam);
	f = stsch_safe(0, schib, &cc);
	report(f.valid && f.vector == PGM_OPERAND,
	       "STSCH with bit 15 of the subsystem ID zero: operand exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	f = stsch_safe(schid, (void *)((uint8_t *)schib + 2), &cc);
	report(f.valid && f.vector == PGM_SPECIFICATION,
	       "STSCH to a SCHIB not on a word boundary: specification exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	dma31_free(schib);
}

/* Disabled after reset: SSCH finds it not operational; MSCH enables it. */
static void test_enable(const void *arg)
{
	struct schib *schib = dma31_alloc(sizeof(*schib), 4);
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	char buf[64];
	struct fault f;
	int cc;

	report(!stsch(schid, schib) && !(schib->pmcw.flags & PMCW_ENABLED),
	       "the subchannel starts disabled (PMCW flags %#x)", schib->pmcw.flags);
	*ccw = ccw1(CCW_CMD_NOOP, 0, 0, 0);
	orb_init(orb, INTPARM, ccw, 0);
	cc = ssch(schid, orb);
	report(cc == 3, "SSCH while disabled: cc 3 (got %d)", cc);
	schib->pmcw.flags |= 0x8000;	/* bit 0: must be zero */
	f = msch_safe(schid, schib, &cc);
	report(f.valid && f.vector == PGM_OPERAND,
	       "MSCH with PMCW word 1 bit 0 set: operand exception (got %s)",
	       fault_str(f, buf, sizeof(buf)));
	cc = css_enable(schid, ISC, INTPARM);
	report(!cc, "MSCH enables it for ISC %u, STSCH reads that back (got %d)", ISC, cc);
	dma31_free(ccw);
	dma31_free(schib);
}

/* SENSE ID data as QEMU's and the PoP's "Sense ID" command define it. */
static void test_sense_id(const void *arg)
{
	unsigned long want_model = (unsigned long)arg;
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint8_t *buf = pattern_alloc(SENSE_ID_MAX, 8);
	const struct senseid *id = (const void *)buf;

	*ccw = ccw_data(CCW_CMD_SENSE_ID, CCW_SLI, buf, SENSE_ID_MAX);
	if (run(ccw, 0)) {
		report(ended_ok(), "SENSE ID ends with channel end and device end (%s)", irb_str());
		ref_len = SENSE_ID_MAX - irb->scsw.count;
		report(irb->scsw.count < SENSE_ID_MAX - 7 && touched(buf + ref_len,
								      SENSE_ID_MAX - ref_len) < 0,
		       "residual count: the bytes stored are the ones counted (residual %u, %u "
		       "bytes)", irb->scsw.count, ref_len);
		report(id->reserved == 0xff, "byte 0 is 0xff (got %#x)", id->reserved);
		qemu_css = id->cu_type == CU_VIRTIO;
		report(qemu_css, "control-unit type virtio (got %#x, want %#x)", id->cu_type,
		       CU_VIRTIO);
		report(id->cu_model == want_model, "control-unit model as virtio= says (got %u, "
		       "want %lu)", id->cu_model, want_model);
		memcpy(ref, buf, ref_len);
	}
	dma31_free(buf);
	dma31_free(ccw);
}

/* The interruption code names the subchannel, its parameter and class. */
static void test_interruption(const void *arg)
{
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint8_t *buf = pattern_alloc(SENSE_ID_MAX, 8);

	*ccw = ccw_data(CCW_CMD_SENSE_ID, CCW_SLI, buf, SENSE_ID_MAX);
	if (run(ccw, 0))
		report(io.schid == schid && io.intparm == INTPARM && IO_INT_ISC(io.word) == ISC,
		       "interruption code: subchannel, parameter, ISC (got %#x, %#x, %u; "
		       "want %#x, %#x, %u)",
		       io.schid, io.intparm, IO_INT_ISC(io.word), schid, INTPARM, ISC);
	report(tsch(schid, irb) == 1, "TSCH with no status pending: cc 1");
	dma31_free(buf);
	dma31_free(ccw);
}

/*
 * With the subclass masked in CR6 the status stays pending and nothing is
 * delivered until it is unmasked, or until TSCH takes status and the
 * pending interruption with it.
 */
static void test_subclass_mask(const void *arg)
{
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	struct schib *schib = dma31_alloc(sizeof(*schib), 4);
	uint64_t cr6 = stctg(6);
	bool got;
	int cc;

	*ccw = ccw1(CCW_CMD_NOOP, 0, 0, 0);
	lctlg(6, 0);
	orb_init(orb, INTPARM + 1, ccw, 0);
	report(ssch(schid, orb) == 0, "SSCH with ISC %u masked in CR6: cc 0", ISC);
	report(!stsch(schid, schib) && schib->pmcw.intparm == INTPARM + 1,
	       "SSCH puts the ORB's interruption parameter in the subchannel (%#x, want %#x)",
	       schib->pmcw.intparm, INTPARM + 1);
	report(!css_wait_io(schid, 20000, &io), "no interruption while ISC %u is masked", ISC);
	report(ssch(schid, orb) == 1, "SSCH while status pending: cc 1");
	cc = msch(schid, schib);
	report(cc == 1, "MSCH while status pending: cc 1 (got %d)", cc);
	lctlg(6, cr6);
	report(css_wait_io(schid, CSS_TIMEOUT_US, &io) && io.intparm == INTPARM + 1,
	       "the interruption arrives once unmasked (parameter %#x)", io.intparm);
	report(!tsch(schid, irb) && ended_ok(), "then TSCH stores the status (%s)", irb_str());

	lctlg(6, 0);
	report(!ssch(schid, orb) && !tsch(schid, irb) && ended_ok(),
	       "masked: SSCH then TSCH stores the status at once (%s)", irb_str());
	lctlg(6, cr6);
	got = css_wait_io(schid, 20000, &io);
	report_known(!got, got && arch_is_tcg() && io.intparm == INTPARM + 1,
		     "QEMU: TCG's TSCH leaves the interruption queued (KVM dequeues it)",
		     "no interruption after TSCH took the status");
	dma31_free(schib);
	dma31_free(ccw);
}

/* SENSE ID count and SLI against the device's data length (ref_len bytes). */
struct length_case {
	const char *name;
	uint8_t flags;
	int extra;		/* count = ref_len + extra, or 4 when extra < 0 */
	bool incorrect;		/* incorrect length must be indicated */
};

static void test_length(const void *arg)
{
	const struct length_case *c = arg;
	unsigned int count = c->extra < 0 ? 4 : ref_len + c->extra;
	unsigned int want_res = c->extra < 0 ? 0 : c->extra;
	unsigned int stored = count - want_res;
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint8_t *buf = pattern_alloc(count + 64, 8);
	uint8_t want_ss = c->incorrect ? SCH_INCORR_LEN : 0;

	*ccw = ccw_data(CCW_CMD_SENSE_ID, c->flags, buf, count);
	if (run(ccw, 0)) {
		bool status = irb->scsw.dstat == (DEV_CHAN_END | DEV_DEV_END) &&
			      irb->scsw.cstat == want_ss && irb->scsw.count == want_res;

		bool known = qemu_css && c->incorrect && ended_pgm_check() &&
			     touched(buf, count + 64) < 0;
		const char *why = "QEMU: a SENSE ID count other than 256 without SLI is a program check";

		report_known(status, known, why, "%sincorrect length, residual %u (count %u: %s)",
			     c->incorrect ? "" : "no ", want_res, count, irb_str());
		report_known(!memcmp(buf, ref, stored) &&
				     touched(buf + stored, count + 64 - stored) < 0,
			     known, why,
			     "the counted bytes of SENSE ID data stored, nothing after (%u of "
			     "count %u)", stored, count);
	}
	dma31_free(buf);
	dma31_free(ccw);
}

/*
 * A SENSE ID through an IDAW list into a 4-page area: the first IDAW at
 * start, the next ones either the following blocks (contiguous) or
 * blocks of page 3 (scattered), plus one decoy IDAW the data must not
 * reach.  The test predicts every byte of the area from its own list.
 */
struct ida_case {
	const char *name;
	enum idaw_fmt fmt;
	unsigned int start;	/* offset of the data in the area */
	bool scatter;
	unsigned int misalign;	/* added to the second IDAW */
	bool pgm_check;
};

#define IDA_AREA (4 * PAGE_SIZE)

static uint64_t idaw_get(const void *list, enum idaw_fmt fmt, unsigned int i)
{
	return fmt == IDAW_FMT1 ? ((const uint32_t *)list)[i] : ((const uint64_t *)list)[i];
}

static void idaw_set(void *list, enum idaw_fmt fmt, unsigned int i, uint64_t a)
{
	if (fmt == IDAW_FMT1)
		((uint32_t *)list)[i] = a;
	else
		((uint64_t *)list)[i] = a;
}

/* Build the IDAW list of case c for len bytes at area + c->start. */
static unsigned int ida_list(const struct ida_case *c, void *list, uint8_t *area, size_t len)
{
	unsigned int block = c->fmt == IDAW_FMT2_4K ? 4096 : 2048;
	unsigned int n = idaw_build(list, c->fmt, area + c->start, len, 4);

	assert(n && n < 4);
	for (unsigned int i = 1; c->scatter && i < n; i++)
		idaw_set(list, c->fmt, i, (uintptr_t)area + 3 * PAGE_SIZE + i * block % PAGE_SIZE);
	if (n > 1)
		idaw_set(list, c->fmt, 1, idaw_get(list, c->fmt, 1) + c->misalign);
	idaw_set(list, c->fmt, n, (uintptr_t)area + 2 * PAGE_SIZE + 8);	/* decoy */
	return n;
}

/*
 * What the area must hold after the IDAWs of list took len bytes of ref,
 * or with restart, what it holds when each IDAW's bytes start again at
 * ref[0] (QEMU's ccw_dstream_rw_ida does not advance its source buffer).
 */
static void ida_expect(const struct ida_case *c, const void *list, uint8_t *area,
		       uint8_t *want, size_t len, bool restart)
{
	unsigned int block = c->fmt == IDAW_FMT2_4K ? 4096 : 2048;
	size_t done = 0;

	memset(want, PAT, IDA_AREA);
	for (unsigned int i = 0; done < len; i++) {
		uint64_t a = idaw_get(list, c->fmt, i);
		size_t n = block - a % block;

		n = n < len - done ? n : len - done;
		memcpy(want + (a - (uintptr_t)area), ref + (restart ? 0 : done), n);
		done += n;
	}
}

/* Offset of the first byte where the area differs from want, or IDA_AREA. */
static size_t ida_diff(const uint8_t *area, const uint8_t *want)
{
	size_t i;

	for (i = 0; i < IDA_AREA && area[i] == want[i]; i++)
		;
	return i;
}

static bool ida_fmt1_works;	/* a valid format-1 IDA transfer ended normally */

/* A valid list: normal end, and every byte where the IDAWs say. */
static void ida_transfer(const struct ida_case *c, const void *list, uint8_t *area,
			 unsigned int n)
{
	uint8_t *want = malloc(IDA_AREA);
	size_t bad;
	bool fmt1_bug = qemu_css && c->fmt == IDAW_FMT1 && ended_pgm_check() &&
			touched(area, IDA_AREA) < 0;
	const char *why1 = "QEMU: a format-1 IDAW is read as 8 bytes (be64_to_cpu() of a 4-byte "
			   "IDAW), so the address used is not the IDAW's";

	ida_fmt1_works |= c->fmt == IDAW_FMT1 && ended_ok();
	report_known(ended_ok() && !irb->scsw.count, fmt1_bug, why1,
		     "normal end, residual 0 (IDAW count %u: %s)", n, irb_str());
	ida_expect(c, list, area, want, ref_len, false);
	bad = ida_diff(area, want);
	if (bad < IDA_AREA && !fmt1_bug) {
		ida_expect(c, list, area, want, ref_len, true);
		report_known(false, qemu_css && ida_diff(area, want) == IDA_AREA,
			     "each IDAW's bytes start again at the first byte of the data",
			     "the data exactly where the IDAWs say (%u bytes, first wrong byte: "
			     "area + %#zx)", ref_len, bad);
	} else {
		report_known(bad == IDA_AREA, fmt1_bug, why1,
			     "the data exactly where the IDAWs say (%u bytes, first wrong byte: "
			     "area + %#zx)", ref_len, bad);
	}
	free(want);
}

static void test_ida(const void *arg)
{
	const struct ida_case *c = arg;
	uint8_t *area;
	uint64_t *list;
	struct ccw1 *ccw;
	unsigned int n;

	require_earlier(!c->pgm_check || c->fmt != IDAW_FMT1 || ida_fmt1_works,
			"not run: format-1 IDA transfers with valid IDAWs failed (ida: format-1 ...)");
	area = pattern_alloc(IDA_AREA, PAGE_SIZE);
	list = dma31_alloc(5 * sizeof(*list), 8);
	ccw = dma31_alloc(sizeof(*ccw), 8);
	n = ida_list(c, list, area, ref_len);
	*ccw = ccw1(CCW_CMD_SENSE_ID, CCW_IDA, ref_len, dma31_addr(list));
	if (run(ccw, idaw_orb_ctrl(c->fmt))) {
		if (c->pgm_check)	/* QEMU's signature: the whole transfer is done */
			report_known(ended_pgm_check(), qemu_css && ended_ok() && !irb->scsw.count,
				     "IDAWs after the first are checked for block alignment "
				     "only when a transfer resumes, not within one",
				     "program check (%s)", irb_str());
		else
			ida_transfer(c, list, area, n);
	}
	dma31_free(ccw);
	dma31_free(list);
	dma31_free(area);
}

/*
 * Channel programs of up to 4 CCWs over NBUF buffers: arg is a buffer index
 * for data commands, a CCW index for TIC (plus tic_add, or-ed with tic_or).
 */
struct prog_ccw {
	uint8_t cmd, flags;
	uint16_t count;
	int arg;
};

struct prog_case {
	const char *name;
	unsigned int n;
	struct prog_ccw ccw[4];
	uint32_t tic_add, tic_or;
	bool pgm_check;
	int cpa_after;		/* the CCW the CCW address must follow, -1: any */
	unsigned int filled;	/* buffers holding SENSE ID data; the rest untouched */
};

#define SID(flags, buf) { CCW_CMD_SENSE_ID, CCW_SLI | (flags), 0, buf }
#define TIC(to) { CCW_CMD_TIC, 0, 0, to }

static void test_prog(const void *arg)
{
	const struct prog_case *c = arg;
	struct ccw1 *ccws = dma31_alloc(4 * sizeof(*ccws), 8);
	uint8_t *buf[NBUF];
	bool data = true;

	for (int i = 0; i < NBUF; i++)
		buf[i] = pattern_alloc(SENSE_ID_MAX, 8);
	for (unsigned int i = 0; i < c->n; i++) {
		const struct prog_ccw *p = &c->ccw[i];

		if ((p->cmd & 0xf) == CCW_CMD_TIC)
			ccws[i] = ccw1(p->cmd, p->flags, p->count,
				       (dma31_addr(&ccws[p->arg]) + c->tic_add) | c->tic_or);
		else if (p->cmd == CCW_CMD_SENSE_ID)
			ccws[i] = ccw_data(p->cmd, p->flags, buf[p->arg], ref_len);
		else
			ccws[i] = ccw1(p->cmd, p->flags, p->count, 0);
	}
	if (run(ccws, 0)) {
		if (c->pgm_check)
			report(ended_pgm_check(), "program check (%s)", irb_str());
		else
			report(ended_ok(), "channel end and device end (%s)", irb_str());
		if (c->cpa_after >= 0)
			report(irb->scsw.cpa == dma31_addr(&ccws[c->cpa_after + 1]),
			       "CCW address: after CCW %d (got %#x, want %#x)", c->cpa_after,
			       irb->scsw.cpa, dma31_addr(&ccws[c->cpa_after + 1]));
		for (int i = 0; i < NBUF; i++)
			if (c->filled & 1u << i)
				data &= !memcmp(buf[i], ref, ref_len);
			else
				data &= touched(buf[i], SENSE_ID_MAX) < 0;
		report(data, "SENSE ID data in buffers %#x only", c->filled);
	}
	for (int i = 0; i < NBUF; i++)
		dma31_free(buf[i]);
	dma31_free(ccws);
}

/* Data chaining: one SENSE ID split over two CCWs, the second ending short. */
static void test_data_chaining(const void *arg)
{
	const unsigned int first = 100, extra = 44;
	struct ccw1 *ccws = dma31_alloc(2 * sizeof(*ccws), 8);
	uint8_t *a = pattern_alloc(SENSE_ID_MAX, 8), *b = pattern_alloc(SENSE_ID_MAX, 8);
	bool ok;

	require(ref_len > first, "SENSE ID data of %u bytes: too short to split", ref_len);
	ccws[0] = ccw_data(CCW_CMD_SENSE_ID, CCW_DC, a, first);
	ccws[1] = ccw_data(CCW_CMD_SENSE_ID, CCW_SLI, b, ref_len - first + extra);
	if (run(ccws, 0)) {
		bool known = qemu_css && ended_pgm_check() && touched(a, SENSE_ID_MAX) < 0 &&
			     touched(b, SENSE_ID_MAX) < 0;
		const char *why = "QEMU: chain data is not implemented: SENSE ID wants a count of 256 "
				  "in the first CCW";

		ok = ended_ok() && irb->scsw.count == extra &&
		     irb->scsw.cpa == dma31_addr(&ccws[2]);
		report_known(ok, known, why, "normal end in the second CCW, residual %u (%s)",
			     extra, irb_str());
		ok = !memcmp(a, ref, first) && touched(a + first, SENSE_ID_MAX - first) < 0 &&
		     !memcmp(b, ref + first, ref_len - first) &&
		     touched(b + ref_len - first, SENSE_ID_MAX - (ref_len - first)) < 0;
		report_known(ok, known, why,
			     "%u bytes in the first buffer, the rest in the second (%u)", first,
			     ref_len - first);
	}
	dma31_free(b);
	dma31_free(a);
	dma31_free(ccws);
}

static void test_halt_clear(const void *arg)
{
	static const struct { const char *name; int (*fn)(uint32_t); uint16_t fc; } ops[] = {
		{ "HSCH", hsch, SCSW_FC_HALT },
		{ "CSCH", csch, SCSW_FC_CLEAR },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		int cc = ops[i].fn(schid);

		report(!cc, "%s of an idle subchannel: cc 0 (got %d)", ops[i].name, cc);
		if (cc)
			continue;
		report(css_wait_io(schid, CSS_TIMEOUT_US, &io) && !tsch(schid, irb) &&
			       (irb->scsw.ctrl & SCSW_FC_MASK) == ops[i].fc &&
			       (irb->scsw.ctrl & SCSW_SC_PENDING) && !irb->scsw.cstat,
		       "%s: interruption, then TSCH shows the function alone (%s)", ops[i].name,
		       irb_str());
	}
}

/* An unknown command: unit check (command reject), then the sense bytes. */
static void test_unit_check(const void *arg)
{
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint8_t *sense = pattern_alloc(32, 8);

	*ccw = ccw1(0x01, CCW_SLI, 0, 0);	/* write: no virtio-ccw command */
	if (run(ccw, 0))
		report((irb->scsw.dstat & DEV_UNIT_CHECK) && !irb->scsw.cstat,
		       "command 0x01: unit check (%s)", irb_str());
	*ccw = ccw_data(CCW_CMD_BASIC_SENSE, CCW_SLI, sense, 32);
	if (run(ccw, 0))
		report(ended_ok() && sense[0] == 0x80,
		       "BASIC SENSE: sense byte 0 is 0x80, command reject (got %#x, %s)", sense[0],
		       irb_str());
	dma31_free(sense);
	dma31_free(ccw);
}

/* SSCH operand checks: the ORB's alignment, its CPA bit 0, reserved bits. */
static void test_orb_checks(const void *arg)
{
	static const struct { const char *name; uint32_t cpa_or; uint8_t ctrl2; int off;
			      unsigned int pic; } cases[] = {
		{ "ORB not on a word boundary", 0, 0, 2, PGM_SPECIFICATION },
		{ "channel-program address with bit 0 set", 0x80000000, 0, 0, PGM_OPERAND },
		{ "reserved ORB bit (word 1 bit 30)", 0, 0x02, 0, PGM_OPERAND },
	};
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint8_t *raw = dma31_alloc(sizeof(struct orb) + 8, 8);
	char buf[64];

	*ccw = ccw1(CCW_CMD_NOOP, 0, 0, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct orb *o = (struct orb *)(raw + cases[i].off);
		struct fault f;
		int cc;

		orb_init(o, INTPARM, ccw, 0);
		o->cpa |= cases[i].cpa_or;
		o->ctrl2 |= cases[i].ctrl2;
		f = ssch_safe(schid, o, &cc);
		report(f.valid && f.vector == cases[i].pic, "SSCH, %s: PIC %#x (got %s)",
		       cases[i].name, cases[i].pic, fault_str(f, buf, sizeof(buf)));
		if (!f.valid && !cc && css_wait_io(schid, CSS_TIMEOUT_US, &io))
			tsch(schid, irb);
	}
	dma31_free(raw);
	dma31_free(ccw);
}

/*
 * TSCH operand checks: a subsystem ID with bit 15 zero or with bit 0 set
 * (no MCSS-E) is an operand exception, an IRB off a word boundary a
 * specification exception, an IRB beyond memory an addressing exception
 * that suppresses: the status stays pending for the next TSCH.
 */
static void test_tsch(const void *arg)
{
	static const struct { const char *name; uint32_t id; unsigned int off, pic; } cases[] = {
		{ "subsystem ID bit 15 zero", 0, 0, PGM_OPERAND },
		{ "subsystem ID bit 0 set", 0x80000000, 0, PGM_OPERAND },
		{ "IRB not on a word boundary", 0, 2, PGM_SPECIFICATION },
	};
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint8_t *raw = dma31_alloc(sizeof(*irb) + 8, 8);
	struct schib *schib = dma31_alloc(sizeof(*schib), 4);
	char buf[64];
	struct fault f;
	int cc;

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t id = cases[i].id | (i ? schid : SCHID_NR(schid));

		f = tsch_safe(id, (struct irb *)(raw + cases[i].off), &cc);
		report(f.valid && f.vector == cases[i].pic, "TSCH, %s: PIC %#x (got %s)",
		       cases[i].name, cases[i].pic, fault_str(f, buf, sizeof(buf)));
	}
	*ccw = ccw1(CCW_CMD_NOOP, 0, 0, 0);
	orb_init(orb, INTPARM, ccw, 0);
	if (!ssch(schid, orb) && css_wait_io(schid, CSS_TIMEOUT_US, &io)) {
		f = tsch_safe(schid, (struct irb *)(uintptr_t)(arch_ram_bytes() + PAGE_SIZE), &cc);
		report(f.valid && f.vector == PGM_ADDRESSING,
		       "TSCH, IRB beyond memory: addressing exception (at %#lx, got %s)",
		       arch_ram_bytes() + PAGE_SIZE, fault_str(f, buf, sizeof(buf)));
		report(!stsch(schid, schib) && (schib->scsw.ctrl & SCSW_SC_PENDING),
		       "the status stays pending (%s)", scsw_str(&schib->scsw, buf, sizeof(buf)));
		report(!tsch(schid, irb) && ended_ok(), "the next TSCH stores it (%s)", irb_str());
	} else {
		report_fail("a NOP for the addressing check: SSCH and its interruption");
	}
	dma31_free(schib);
	dma31_free(raw);
	dma31_free(ccw);
}

/* With -m above 2 GiB: data above 2 GiB, directly and through IDAWs. */
static void test_above_2g(const void *arg)
{
	uint8_t *high = alloc_pages(1), *alias;
	uint8_t save[SENSE_ID_MAX];
	struct ccw1 *ccw = dma31_alloc(sizeof(*ccw), 8);
	uint64_t *list = dma31_alloc(2 * sizeof(*list), 8);
	uint8_t *at;

	require(high && (uintptr_t)high >= ADDR31_LIMIT,
		"needs memory above 2 GiB (-m 4096: the css-4g entry)");
	require((uintptr_t)high + 2 * PAGE_SIZE <= 1ul << 32, "no memory between 2 and 4 GiB");
	memset(high, PAT, 2 * PAGE_SIZE);
	at = high + PAGE_SIZE - 100;
	alias = (uint8_t *)((uintptr_t)at & (ADDR31_LIMIT - 1));
	memcpy(save, alias, sizeof(save));

	*ccw = ccw1(CCW_CMD_SENSE_ID, CCW_SLI, ref_len, (uint32_t)(uintptr_t)at);
	if (run(ccw, 0))
		report(ended_pgm_check(), "format-1 CCW, data above 2 GiB without IDA: program "
		       "check (at %p: %s)", at, irb_str());
	report(touched(high, 2 * PAGE_SIZE) < 0 && !memcmp(save, alias, sizeof(save)),
	       "nothing stored above 2 GiB without IDA, nor at the 31-bit alias (%p)", alias);

	*ccw = ccw1(CCW_CMD_SENSE_ID, CCW_SLI | CCW_IDA, ref_len, dma31_addr(list));
	if (ida_fmt1_works) {
		((uint32_t *)list)[0] = (uint32_t)(uintptr_t)at;
		if (run(ccw, 0))
			report(ended_pgm_check(), "format-1 IDAW with bit 0 set: program check (%s)",
			       irb_str());
		report(touched(high, 2 * PAGE_SIZE) < 0 && !memcmp(save, alias, sizeof(save)),
		       "nothing stored above 2 GiB, nor at the 31-bit alias");
	} else {
		report_not_run("format-1 IDAW above 2 GiB: not run, format-1 IDA transfers with "
			       "valid IDAWs failed (ida: format-1 ...)");
	}

	at = high + 2048 - 100;		/* one 4K block: one IDAW */
	assert(idaw_build(list, IDAW_FMT2_4K, at, ref_len, 2) == 1);
	if (run(ccw, idaw_orb_ctrl(IDAW_FMT2_4K)))
		report(ended_ok() && !memcmp(at, ref, ref_len) && touched(high, at - high) < 0 &&
			       touched(at + ref_len, high + 2 * PAGE_SIZE - at - ref_len) < 0,
		       "format-2 IDAW above 2 GiB: the data arrives, across 2K (%s)", irb_str());
	dma31_free(list);
	dma31_free(ccw);
	free_pages(high, 1);
}

/* STSCH until the subchannel is status pending, for up to CSS_TIMEOUT_US. */
static bool status_pending(struct schib *schib)
{
	uint64_t end = clock_us() + CSS_TIMEOUT_US;

	do {
		if (stsch(schid, schib))
			return false;
		if (schib->scsw.ctrl & SCSW_SC_PENDING)
			return true;
	} while (clock_us() < end);
	return false;
}

/*
 * A channel program across live migrations (lib/migrate.h; unmigrated,
 * the same checks on one QEMU): SENSE ID command-chained to a second
 * SENSE ID whose CCW has S, under an ORB with S and U (no interruption
 * on suspension): the subchannel suspends at the second CCW.  Migrated
 * there, it is still start function and suspended with its interruption
 * parameter, the first CCW's data in and the second's not; with S
 * cleared, RSCH resumes it.  Migrated again status pending, its I/O
 * interruption arrives with the interruption parameter and TSCH reads
 * channel end and device end past the second CCW, whose data is in.
 */
static void test_migration(const void *arg)
{
	struct ccw1 *ccw = dma31_alloc(2 * sizeof(*ccw), 8);
	struct schib *schib = dma31_alloc(sizeof(*schib), 4);
	uint8_t *a = pattern_alloc(SENSE_ID_MAX, 8), *b = pattern_alloc(SENSE_ID_MAX, 8);
	uint16_t state;
	char buf[160];
	int cc;

	ccw[0] = ccw_data(CCW_CMD_SENSE_ID, CCW_CC | CCW_SLI, a, ref_len);
	ccw[1] = ccw_data(CCW_CMD_SENSE_ID, CCW_SLI | CCW_SUSPEND, b, ref_len);
	orb_init(orb, INTPARM + 1, ccw, ORB_SUSPEND | ORB_NO_SUSP_INT);
	cc = ssch(schid, orb);
	require(!cc, "SSCH: cc 0 (got %d)", cc);
	migrate();
	cc = stsch(schid, schib);
	state = schib->scsw.ctrl & (SCSW_FC_MASK | SCSW_AC_MASK | SCSW_SC_MASK);
	report(!cc && state == (SCSW_FC_START | SCSW_AC_SUSPENDED) &&
	       schib->pmcw.intparm == INTPARM + 1,
	       "suspended: start function, suspended, the interruption parameter (cc %d, %s, %#x)",
	       cc, scsw_str(&schib->scsw, buf, sizeof(buf)), schib->pmcw.intparm);
	report(!memcmp(a, ref, ref_len) && touched(b, SENSE_ID_MAX) < 0,
	       "the first CCW's data is in, the second's not (at %ld)", touched(b, SENSE_ID_MAX));
	ccw[1].flags &= ~CCW_SUSPEND;
	cc = rsch(schid);
	require(!cc, "RSCH: cc 0 (got %d)", cc);
	require(status_pending(schib), "RSCH: not status pending within %u ms (%s)",
		CSS_TIMEOUT_US / 1000, scsw_str(&schib->scsw, buf, sizeof(buf)));
	migrate();
	report(css_wait_io(schid, CSS_TIMEOUT_US, &io) && io.intparm == INTPARM + 1,
	       "status pending: its I/O interruption arrives, with the interruption parameter "
	       "(%#x)", io.intparm);
	cc = tsch(schid, irb);
	report(!cc && ended_ok() && irb->scsw.cpa == (uint32_t)(uintptr_t)&ccw[2],
	       "TSCH: channel end and device end past the second CCW (cc %d, %s)", cc, irb_str());
	report(!memcmp(b, ref, ref_len), "the second CCW's data is in");
	dma31_free(b);
	dma31_free(a);
	dma31_free(schib);
	dma31_free(ccw);
}

static const struct length_case length_cases[] = {
	{ "exact", 0, 0, false },
	{ "long count, SLI", CCW_SLI, 44, false },
	{ "short count, SLI", CCW_SLI, -1, false },
	{ "long count", 0, 44, true },
	{ "short count", 0, -1, true },
};

static const struct ida_case ida_cases[] = {
	{ "format-1, across 2K", IDAW_FMT1, 2048 - 100 },
	{ "format-1, across 4K", IDAW_FMT1, 4096 - 100 },
	{ "format-1, scattered", IDAW_FMT1, 2048 - 100, true },
	{ "format-2 2K, across 4K", IDAW_FMT2_2K, 4096 - 100 },
	{ "format-2 2K, scattered", IDAW_FMT2_2K, 2048 - 100, true },
	{ "format-2 4K, across 2K in one block", IDAW_FMT2_4K, 2048 - 100 },
	{ "format-2 4K, across 4K", IDAW_FMT2_4K, 4096 - 100 },
	{ "format-2 4K, scattered", IDAW_FMT2_4K, 4096 - 100, true },
	{ "format-1, second IDAW off a 2K boundary", IDAW_FMT1, 2048 - 100, true, 8, true },
	{ "format-2 4K, second IDAW off a 4K boundary", IDAW_FMT2_4K, 4096 - 100, true, 8,
	  true },
};

static const struct prog_case prog_cases[] = {
	{ "command chaining", 2, { SID(CCW_CC, 0), SID(0, 1) }, .cpa_after = 1, .filled = 3 },
	{ "command chaining to NOP", 2, { SID(CCW_CC, 0), { CCW_CMD_NOOP } }, .cpa_after = 1,
	  .filled = 1 },
	{ "command chaining to command 0x00", 2, { SID(CCW_CC, 0), { 0x00, 0, 0, 0 } },
	  .pgm_check = true, .cpa_after = 1, .filled = 1 },
	{ "TIC to a later CCW", 4, { SID(CCW_CC, 0), TIC(3), SID(0, 1), SID(0, 2) },
	  .cpa_after = 3, .filled = 5 },
	{ "TIC to a TIC", 4, { SID(CCW_CC, 0), TIC(2), TIC(3), SID(0, 1) }, .pgm_check = true,
	  .cpa_after = 2, .filled = 1 },
	{ "TIC with the CC flag", 3, { SID(CCW_CC, 0), { CCW_CMD_TIC, CCW_CC, 0, 2 }, SID(0, 1) },
	  .pgm_check = true, .cpa_after = 1, .filled = 1 },
	{ "TIC with the SLI flag", 3, { SID(CCW_CC, 0), { CCW_CMD_TIC, CCW_SLI, 0, 2 }, SID(0, 1) },
	  .pgm_check = true, .cpa_after = 1, .filled = 1 },
	{ "TIC with count 8", 3, { SID(CCW_CC, 0), { CCW_CMD_TIC, 0, 8, 2 }, SID(0, 1) },
	  .pgm_check = true, .cpa_after = 1, .filled = 1 },
	{ "TIC with command 0x18", 3, { SID(CCW_CC, 0), { 0x18, 0, 0, 2 }, SID(0, 1) },
	  .pgm_check = true, .cpa_after = 1, .filled = 1 },
	{ "TIC to an address off a doubleword", 3, { SID(CCW_CC, 0), TIC(2), SID(0, 1) },
	  .tic_add = 4, .pgm_check = true, .cpa_after = -1, .filled = 1 },
	{ "TIC to an address above 2 GiB", 3, { SID(CCW_CC, 0), TIC(2), SID(0, 1) },
	  .tic_or = 0x80000000, .pgm_check = true, .cpa_after = -1, .filled = 1 },
};

int main(int argc, char **argv)
{
	const char *model = argc > 1 && !strncmp(argv[1], "virtio=", 7) ? argv[1] + 7 : NULL;

	if (!model)
		report_abort("usage: css virtio=<virtio device ID>");
	orb = dma31_alloc(sizeof(*orb), 8);
	irb = dma31_alloc(sizeof(*irb), 8);
	css_irq_init(ISC);
	subtest("enumerate", test_enumerate, NULL);
	subtest_after(schid, NO_SCH, "enable", test_enable, NULL);
	subtest_after(schid, NO_SCH, "sense-id", test_sense_id, (void *)strtoul(model, NULL, 0));
	subtest_after(ref_len, NO_SID, "interruption", test_interruption, NULL);
	subtest_after(ref_len, NO_SID, "subclass mask", test_subclass_mask, NULL);
	report_prefix_push("length");
	for (unsigned int i = 0; i < ARRAY_SIZE(length_cases); i++)
		subtest_after(ref_len, NO_SID, length_cases[i].name, test_length, &length_cases[i]);
	report_prefix_pop();
	report_prefix_push("ida");
	for (unsigned int i = 0; i < ARRAY_SIZE(ida_cases); i++)
		subtest_after(ref_len, NO_SID, ida_cases[i].name, test_ida, &ida_cases[i]);
	report_prefix_pop();
	for (unsigned int i = 0; i < ARRAY_SIZE(prog_cases); i++)
		subtest_after(ref_len, NO_SID, prog_cases[i].name, test_prog, &prog_cases[i]);
	subtest_after(ref_len, NO_SID, "data chaining", test_data_chaining, NULL);
	subtest_after(schid, NO_SCH, "halt-clear", test_halt_clear, NULL);
	subtest_after(schid, NO_SCH, "unit check", test_unit_check, NULL);
	subtest_after(schid, NO_SCH, "orb", test_orb_checks, NULL);
	subtest_after(schid, NO_SCH, "tsch", test_tsch, NULL);
	subtest_after(ref_len, NO_SID, "above 2G", test_above_2g, NULL);
	subtest_after(ref_len, NO_SID, "migration", test_migration, NULL);
	return 0;
}
