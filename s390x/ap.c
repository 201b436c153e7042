/*
 * ap: the adjunct-processor (crypto) queues a hypervisor passes through,
 * seen by the guest through PROCESS QUEUE (PQAP): the vfio-ap series
 * ("mdevctl: further config for vfio-ap", "s390/vfio-ap: fix circular
 * lockdep") configure them on the host; this is what a guest can check.
 *
 * - probe (runs anywhere): TAPQ of APQN 0.0 either completes, with cc 0
 *   for response code 0 and cc 3 for any other, or, without the AP
 *   instructions, is an operation exception (ILC 2, suppressed: GR0-GR2
 *   and the cc unchanged); then facilities 12, 15 and 65, which extend
 *   the AP instructions, must be off too.  This is how the AP instructions
 *   are detected (there is no facility bit for them), and the outcome is
 *   architected either way: PoP chapter 6, "Operation Exception".
 * - qci (STFLE 12): QCI ends with cc 0 and stores the whole 128-byte
 *   block (two runs over different fill patterns agree, nothing beyond it
 *   changes); its masks name no APID or domain above the limits it
 *   reports; with apqn=CC.DDDD (hex, as lszcrypt prints it) that queue is
 *   in the masks.
 * - tapq (STFLE 12): TAPQ of every APQN up to the limits: each one in the
 *   masks answers response code 0, cc 0, queue empty, no replies and
 *   interruptions off (reset for a new guest); each one outside them
 *   "AP queue not available" (01, or 03 for a deconfigured adapter), cc 3.
 * - apft (STFLE 15): TAPQ with the T bit: a non-zero AP type, the same
 *   for every queue of an adapter; outside the masks as above.
 * - aqic (STFLE 65): AQIC with a notification byte beyond memory is
 *   "invalid address" (06); enable and disable each end with cc 0 (even
 *   when the cc was 3 before: Linux 83303a4c "KVM: s390: fix cc for
 *   successful PQAP"), and TAPQ's I bit follows; AQIC outside the masks
 *   is "not available", cc 3.
 * - nqap (STFLE 12, a queue in the masks): NQAP of a request with a PSMID
 *   ends with cc 0, response code 0; TAPQ then shows a reply waiting; DQAP
 *   returns a reply with that PSMID; the queue is empty again.
 * The AP instructions are not in the public Principles of Operation.  The
 * register and block layouts and response codes used here are those of
 * Linux's public AP interface (arch/s390/include/asm/ap.h) and KVM's and
 * vfio_ap's PQAP handling; the facility numbers are PoP chapter 4's.
 * QEMU TCG has no AP ("ap" is not available there): the probe passes and
 * the rest is SKIP with the facility named.
 * Needs, for more than the probe: KVM with -cpu host and a vfio-ap
 * mediated device (-device vfio-ap,sysfsdev=/sys/bus/mdev/devices/UUID).
 * Usage: ap [apqn=CC.DDDD]
 */
#include "vmunit.h"
#include "facility.h"
#include "processor.h"
#include "sclp.h"
#include "tod.h"

/* PQAP function codes, GR0 bits 32-39. */
enum { FC_TAPQ = 0, FC_AQIC = 3, FC_QCI = 4 };

/* AP queue status word: GR1 bits 32-63 after PQAP (bit n is 1 << (63 - n)). */
#define QSW_EMPTY(gr1)		((gr1) >> 31 & 1)	/* bit 32: queue empty */
#define QSW_REPLIES(gr1)	((gr1) >> 30 & 1)	/* bit 33: replies waiting */
#define QSW_FULL(gr1)		((gr1) >> 29 & 1)	/* bit 34: queue full */
#define QSW_IRQ(gr1)		((gr1) >> 24 & 1)	/* bit 39: interruptions enabled */
#define QSW_RC(gr1)		((gr1) >> 16 & 0xff)	/* bits 40-47: response code */

enum {
	RC_NORMAL = 0x00,
	RC_NOT_AVAILABLE = 0x01,
	RC_RESET_IN_PROGRESS = 0x02,
	RC_DECONFIGURED = 0x03,
	RC_INVALID_ADDRESS = 0x06,
};

#define GR0_T		(1ul << 23)	/* bit 40: TAPQ returns the AP info in GR2 */
#define GR0_LAST_PART	(1ul << 30)	/* NQAP: this is the message's last part */
#define GR0_FIRST_PART	(1ul << 31)	/* DQAP: start with a reply's first part */
#define REQUEST_BYTES	64
#define REPLY_BYTES	4096
#define GR1_IR		(1ul << 47)	/* bit 16: AQIC enables interruptions */
#define GR2_AP_TYPE(gr2) ((gr2) >> 24 & 0xff)	/* TAPQ with T: bits 32-39 */

#define ISC 3			/* the subclass AQIC asks for */
#define WAIT_US 1000000		/* how long a queue may take to settle */
#define POISON 0x5a5a5a5a5a5a5a5aul
#define QCI_BYTES 128

/* The QCI block, 128 bytes (byte offsets in comments). */
struct qci_block {
	uint8_t flags;		/* 0: S, N (APXA), C, R in bits 0-3 */
	uint8_t res1[3];
	uint8_t na, nd;		/* 4, 5: highest APID and domain, with N */
	uint8_t res2[10];
	uint8_t apm[32];	/* 16: adapters, bit 0 = APID 0 */
	uint8_t aqm[32];	/* 48: usage domains */
	uint8_t adm[32];	/* 80: control domains */
	uint8_t res3[16];	/* 112 */
};
_Static_assert(sizeof(struct qci_block) == QCI_BYTES, "QCI block layout");

#define QCI_N 0x40		/* byte 0 bit 1: APXA, 8-bit APIDs and domains */

/* One PQAP: registers and cc in, registers, cc and fault (if any) out. */
struct pqap {
	uint64_t gr0, gr1, gr2;
	unsigned int cc;
	struct fault f;
};

static bool ap_installed;
static struct qci_block qci;
static bool have_qci;
static unsigned int max_apid, max_apqi;	/* from QCI: the scan's limits */
static const char *want_apqn;		/* apqn=CC.DDDD */

/* Run PQAP with p's GR0-GR2 and cc (SET PROGRAM MASK keeps the program mask). */
static void pqap(struct pqap *p)
{
	/* No call may come between the register variables and the asm. */
	struct percpu *cpu = this_cpu();
	uint64_t t, cc = (uint64_t)(p->cc & 3) << 28;
	register uint64_t r0 asm("0") = p->gr0;
	register uint64_t r1 asm("1") = p->gr1;
	register uint64_t r2 asm("2") = p->gr2;

	cpu->fault = NO_FAULT;
	asm volatile("ipm %[t]\n\t"
		     "nilh %[t], 0xcfff\n\t"
		     "or %[t], %[cc]\n\t"
		     "spm %[t]\n"
		     "0:\t.insn rre, 0xb2af0000, 0, 0\n"	/* PQAP */
		     "1:\tipm %[t]\n\t"
		     EXTABLE(0b, 1b)
		     : [t] "=&d"(t), "+d"(r0), "+d"(r1), "+d"(r2)
		     : [cc] "d"(cc)
		     : "cc", "memory");
	p->gr0 = r0;
	p->gr1 = r1;
	p->gr2 = r2;
	p->cc = t >> 28 & 3;
	p->f = cpu->fault;
}

static uint64_t apqn(unsigned int apid, unsigned int apqi)
{
	return apid << 8 | apqi;
}

static struct pqap run(uint64_t gr0, uint64_t gr1, uint64_t gr2, unsigned int cc)
{
	struct pqap p = { .gr0 = gr0, .gr1 = gr1, .gr2 = gr2, .cc = cc };

	pqap(&p);
	return p;
}

static struct pqap tapq(unsigned int apid, unsigned int apqi, bool t)
{
	return run(FC_TAPQ << 24 | apqn(apid, apqi) | (t ? GR0_T : 0), POISON, 0, 0);
}

static bool settled(uint64_t gr1)
{
	return QSW_RC(gr1) != RC_RESET_IN_PROGRESS;
}

static bool irq_on(uint64_t gr1)
{
	return QSW_IRQ(gr1);
}

static bool irq_off(uint64_t gr1)
{
	return !QSW_IRQ(gr1);
}

/* TAPQ until done(status) holds, up to WAIT_US: the last outcome. */
static struct pqap tapq_until(unsigned int apid, unsigned int apqi, bool t,
			      bool (*done)(uint64_t gr1))
{
	uint64_t end = tod_now() + WAIT_US * TOD_USEC;
	struct pqap p;

	do
		p = tapq(apid, apqi, t);
	while (!p.f.valid && !done(p.gr1) && tod_now() < end);
	return p;
}

/* A completed PQAP sets cc 0 for response code 0, else cc 3 (as KVM does for AQIC). */
static bool cc_matches(const struct pqap *p)
{
	return p->cc == (QSW_RC(p->gr1) ? 3u : 0u);
}

static bool bit(const uint8_t *mask, unsigned int nr)
{
	return mask[nr / 8] >> (7 - nr % 8) & 1;
}

static bool configured(unsigned int apid, unsigned int apqi)
{
	return bit(qci.apm, apid) && bit(qci.aqm, apqi);
}

/* A PQAP that should complete: its fault or cc/response code in buf. */
static const char *outcome(const struct pqap *p, char *buf, size_t size)
{
	if (p->f.valid)
		return fault_str(p->f, buf, size);
	snprintf(buf, size, "cc %u, response code %02lx, status %08lx", p->cc, QSW_RC(p->gr1),
		 p->gr1 & 0xffffffff);
	return buf;
}

/* Without the AP instructions PQAP is suppressed: nothing it names changes. */
static void check_absent(const struct pqap *in, const struct pqap *out)
{
	unsigned int on = test_facility(FAC_AP_QCI) << 2 | test_facility(FAC_AP_FT) << 1 |
			  test_facility(FAC_AP_INTR);

	report(out->f.vector == PGM_OPERATION && out->f.code == 2,
	       "no AP instructions: operation exception, ILC 2 (got PIC %#x, ILC %lu)",
	       out->f.vector, out->f.code);
	report(out->gr0 == in->gr0 && out->gr1 == in->gr1 && out->gr2 == in->gr2 &&
		       out->cc == in->cc,
	       "suppressed: GR0-GR2 and the cc unchanged (GR1 %#lx, cc %u)", out->gr1, out->cc);
	report(!on, "facilities 12, 15 and 65 are off without the AP instructions (on: %s%s%s)",
	       on & 4 ? "12 " : "", on & 2 ? "15 " : "", on & 1 ? "65" : "");
}

static void test_probe(const void *arg)
{
	struct pqap in = { .gr0 = FC_TAPQ << 24 | apqn(0, 0), .gr1 = POISON,
			   .gr2 = ~POISON, .cc = 1 };
	struct pqap out = in;
	char buf[96];

	pqap(&out);
	ap_installed = !out.f.valid;
	report_info("PQAP TAPQ 00.0000: %s", outcome(&out, buf, sizeof(buf)));
	if (out.f.valid) {
		check_absent(&in, &out);
		return;
	}
	report(cc_matches(&out), "AP instructions installed: TAPQ's cc fits its response code "
	       "(cc %u, response code %02lx)", out.cc, QSW_RC(out.gr1));
}

/* QCI into buf (filled with fill first): true if it completed with cc 0. */
static bool do_qci(uint8_t *buf, uint8_t fill, char *why, size_t size)
{
	struct pqap p;

	memset(buf, fill, 2 * QCI_BYTES);
	p = run(FC_QCI << 24, 0, (uintptr_t)buf, 3);
	if (p.f.valid)
		fault_str(p.f, why, size);
	else
		snprintf(why, size, "cc %u", p.cc);
	return !p.f.valid && p.cc == 0;
}

static bool all_bytes(const uint8_t *p, uint8_t val)
{
	for (unsigned int i = 0; i < QCI_BYTES; i++)
		if (p[i] != val)
			return false;
	return true;
}

static void report_masks(void)
{
	char list[160];
	int n = 0;

	for (unsigned int i = 0; i < 256 && n < (int)sizeof(list) - 8; i++)
		if (bit(qci.apm, i))
			n += snprintf(list + n, sizeof(list) - n, " %02x", i);
	report_info("QCI: N %u, highest APID %u, domain %u; adapters:%s", !!(qci.flags & QCI_N),
		    max_apid, max_apqi, n ? list : " none");
	n = 0;
	for (unsigned int i = 0; i < 256 && n < (int)sizeof(list) - 8; i++)
		if (bit(qci.aqm, i))
			n += snprintf(list + n, sizeof(list) - n, " %04x", i);
	report_info("QCI: usage domains:%s", n ? list : " none");
}

/* The first bit set above limit in a 256-bit mask, or -1. */
static int bit_above(const uint8_t *mask, unsigned int limit)
{
	for (unsigned int i = limit + 1; i < 256; i++)
		if (bit(mask, i))
			return i;
	return -1;
}

static void check_limits(void)
{
	int apid = bit_above(qci.apm, max_apid), aqm = bit_above(qci.aqm, max_apqi),
	    adm = bit_above(qci.adm, max_apqi);

	report(apid < 0 && aqm < 0 && adm < 0,
	       "masks stay within the highest APID and domain (%u, %u; first beyond: APM %d, "
	       "AQM %d, ADM %d)", max_apid, max_apqi, apid, aqm, adm);
}

/* apqn=CC.DDDD: the queue the host configured must be in the masks. */
static void check_wanted(void)
{
	char *end;
	unsigned long apid, apqi;

	if (!want_apqn) {
		report_info("no apqn=CC.DDDD argument: the masks are checked against TAPQ only");
		return;
	}
	apid = strtoul(want_apqn, &end, 16);
	apqi = *end == '.' ? strtoul(end + 1, NULL, 16) : 256;
	if (apid > 255 || apqi > 255) {
		report_fail("apqn=%s: not CC.DDDD in hex", want_apqn);
		return;
	}
	report(configured(apid, apqi), "APQN %02lx.%04lx is in the QCI masks (APM %u, AQM %u)",
	       apid, apqi, bit(qci.apm, apid), bit(qci.aqm, apqi));
}

static void test_qci(const void *arg)
{
	static uint8_t a[2 * QCI_BYTES] __attribute__((aligned(8)));
	static uint8_t b[2 * QCI_BYTES] __attribute__((aligned(8)));
	char why[96];
	bool ok;

	require_facility(FAC_AP_QCI);
	require_earlier(ap_installed, "not run: TAPQ was an operation exception");
	ok = do_qci(a, 0x00, why, sizeof(why));
	report(ok, "QCI completes with cc 0 (got %s)", why);
	if (!ok || !report(do_qci(b, 0xff, why, sizeof(why)), "a second QCI: cc 0 (got %s)", why))
		return;
	report(!memcmp(a, b, QCI_BYTES), "QCI stores all 128 bytes (fill 00 and ff agree)");
	report(all_bytes(a + QCI_BYTES, 0x00) && all_bytes(b + QCI_BYTES, 0xff),
	       "QCI stores nothing beyond 128 bytes");
	memcpy(&qci, a, sizeof(qci));
	max_apid = qci.flags & QCI_N ? qci.na : 63;
	max_apqi = qci.flags & QCI_N ? qci.nd : 15;
	have_qci = true;
	report_masks();
	check_limits();
	check_wanted();
}

/* Not configured: "not available", or "deconfigured" for an adapter, with cc 3. */
static bool refused(const struct pqap *p)
{
	unsigned int rc = QSW_RC(p->gr1);

	return !p->f.valid && (rc == RC_NOT_AVAILABLE || rc == RC_DECONFIGURED) && p->cc == 3;
}

/* Every APQN up to the limits: tallies and the first failure of each kind. */
struct scan {
	unsigned int in, out, bad_in, unclean, bad_out;
	struct {
		unsigned int apid, apqi;
		struct pqap p;
	} first[3];		/* bad_in, unclean, bad_out */
};

static void note(struct scan *s, unsigned int *count, unsigned int kind, unsigned int apid,
		 unsigned int apqi, const struct pqap *p)
{
	if ((*count)++)
		return;
	s->first[kind].apid = apid;
	s->first[kind].apqi = apqi;
	s->first[kind].p = *p;
}

static void scan_one(struct scan *s, unsigned int apid, unsigned int apqi)
{
	struct pqap p;

	if (!configured(apid, apqi)) {
		s->out++;
		p = tapq(apid, apqi, false);
		if (!refused(&p))
			note(s, &s->bad_out, 2, apid, apqi, &p);
		return;
	}
	s->in++;
	p = tapq_until(apid, apqi, false, settled);
	if (p.f.valid || QSW_RC(p.gr1) != RC_NORMAL || p.cc != 0)
		note(s, &s->bad_in, 0, apid, apqi, &p);
	else if (!QSW_EMPTY(p.gr1) || QSW_REPLIES(p.gr1) || QSW_FULL(p.gr1) || QSW_IRQ(p.gr1))
		note(s, &s->unclean, 1, apid, apqi, &p);
}

/* "APQNs what (N, first failure AA.DDDD: outcome)" */
static void report_scan(const struct scan *s, unsigned int n, unsigned int bad,
			unsigned int kind, const char *what)
{
	char buf[96];

	if (!bad)
		report_pass("APQNs %s (%u)", what, n);
	else
		report_fail("APQNs %s (%u of %u fail, first %02x.%04x: %s)", what, bad, n,
			    s->first[kind].apid, s->first[kind].apqi,
			    outcome(&s->first[kind].p, buf, sizeof(buf)));
}

#define NO_QUEUE "an AP queue in the QCI masks: needs a vfio-ap mediated device (-device vfio-ap)"

static void test_tapq(const void *arg)
{
	struct scan s = { 0 };
	uint64_t start = tod_now();

	require_facility(FAC_AP_QCI);
	require_earlier(have_qci, "not run: QCI failed");
	for (unsigned int apid = 0; apid <= max_apid; apid++)
		for (unsigned int apqi = 0; apqi <= max_apqi; apqi++)
			scan_one(&s, apid, apqi);
	report_info("TAPQ of %u APQNs took %lu ms", s.in + s.out,
		    (unsigned long)((tod_now() - start) / TOD_USEC / 1000));
	if (s.in) {
		report_scan(&s, s.in, s.bad_in, 0, "in the masks: response code 0, cc 0");
		report_scan(&s, s.in, s.unclean, 1,
			    "in the masks start empty, without replies, interruptions off");
	} else {
		report_skip(NO_QUEUE);
	}
	if (s.out)
		report_scan(&s, s.out, s.bad_out, 2,
			    "outside the masks: not available (01) or deconfigured (03), cc 3");
	else
		report_info("every APQN up to the limits is in the masks");
}

/* The first APQN in the masks, or the first outside them (an APID, else a domain). */
static bool find_apqn(bool in, unsigned int *apid, unsigned int *apqi)
{
	for (unsigned int a = 0; a <= max_apid; a++)
		for (unsigned int q = 0; q <= max_apqi; q++)
			if (configured(a, q) == in) {
				*apid = a;
				*apqi = q;
				return true;
			}
	return false;
}

static void check_ap_types(void)
{
	uint8_t type[256] = { 0 };
	struct scan s = { 0 };

	for (unsigned int apid = 0; apid <= max_apid; apid++) {
		for (unsigned int apqi = 0; apqi <= max_apqi; apqi++) {
			struct pqap p;

			if (!configured(apid, apqi))
				continue;
			s.in++;
			p = tapq_until(apid, apqi, true, settled);
			if (p.f.valid || QSW_RC(p.gr1) || p.cc || !GR2_AP_TYPE(p.gr2) ||
			    (type[apid] && type[apid] != GR2_AP_TYPE(p.gr2)))
				note(&s, &s.bad_in, 0, apid, apqi, &p);
			else if (!type[apid])
				type[apid] = GR2_AP_TYPE(p.gr2);
		}
	}
	if (!s.in) {
		report_skip(NO_QUEUE);
		return;
	}
	if (s.bad_in)
		report_info("first failing GR2: %#lx", s.first[0].p.gr2);
	report_scan(&s, s.in, s.bad_in, 0,
		    "in the masks, T bit: response code 0, cc 0, one non-zero AP type per adapter");
}

static void test_apft(const void *arg)
{
	unsigned int apid, apqi;
	struct pqap p;
	char buf[96];

	require_facility(FAC_AP_FT);
	require_facility(FAC_AP_QCI);
	require_earlier(have_qci, "not run: QCI failed");
	check_ap_types();
	if (!find_apqn(false, &apid, &apqi)) {
		report_info("every APQN up to the limits is configured");
		return;
	}
	p = tapq(apid, apqi, true);
	report(refused(&p), "T bit, an APQN outside the masks: not available, cc 3 (%02x.%04x: "
	       "got %s)", apid, apqi, outcome(&p, buf, sizeof(buf)));
}

static struct pqap aqic(unsigned int apid, unsigned int apqi, uint64_t gr1, uint64_t nib,
			unsigned int cc)
{
	return run(FC_AQIC << 24 | apqn(apid, apqi), gr1, nib, cc);
}

static bool completed(const struct pqap *p, unsigned int rc, unsigned int cc)
{
	return !p->f.valid && QSW_RC(p->gr1) == rc && p->cc == cc;
}

static void test_aqic(const void *arg)
{
	static uint8_t nib;	/* the notification indicator byte */
	uint64_t enable = GR1_IR | ISC, beyond = sclp_memory_size() + (1ul << 30);
	unsigned int apid, apqi;
	struct pqap p;
	char buf[96];

	require_facility(FAC_AP_INTR);
	require_facility(FAC_AP_QCI);
	require_earlier(have_qci, "not run: QCI failed");
	require(find_apqn(true, &apid, &apqi), NO_QUEUE);
	report_info("AQIC on %02x.%04x, ISC %u", apid, apqi, ISC);
	p = aqic(apid, apqi, enable, beyond, 0);
	report(completed(&p, RC_INVALID_ADDRESS, 3),
	       "enable, notification byte beyond memory: invalid address (06), cc 3 (got %s)",
	       outcome(&p, buf, sizeof(buf)));
	p = aqic(apid, apqi, enable, (uintptr_t)&nib, 3);
	report(completed(&p, RC_NORMAL, 0), "enable: response code 0, cc 0 after cc 3 (got %s)",
	       outcome(&p, buf, sizeof(buf)));
	p = tapq_until(apid, apqi, false, irq_on);
	report(!p.f.valid && QSW_IRQ(p.gr1), "TAPQ: interruptions enabled (got %s)",
	       outcome(&p, buf, sizeof(buf)));
	p = aqic(apid, apqi, 0, 0, 3);
	report(completed(&p, RC_NORMAL, 0), "disable: response code 0, cc 0 after cc 3 (got %s)",
	       outcome(&p, buf, sizeof(buf)));
	p = tapq_until(apid, apqi, false, irq_off);
	report(!p.f.valid && !QSW_IRQ(p.gr1), "TAPQ: interruptions disabled (got %s)",
	       outcome(&p, buf, sizeof(buf)));
	if (!find_apqn(false, &apid, &apqi))
		return;
	p = aqic(apid, apqi, enable, (uintptr_t)&nib, 0);
	report(refused(&p), "enable an APQN outside the masks: not available, cc 3 (%02x.%04x: "
	       "got %s)", apid, apqi, outcome(&p, buf, sizeof(buf)));
}

/*
 * NQAP (0xb2ad, RRE): GR0 the APQN with the last-part bit, R1's even/odd
 * pair the PSMID, R2's the message address and length, counted down; cc 2
 * is a partial send, continued.  Returns the cc, GR1 (the status) in *gr1.
 */
static unsigned int nqap(uint64_t q, uint64_t psmid, const void *msg, uint64_t len,
			 uint64_t *gr1)
{
	register uint64_t r0 asm("0") = q | GR0_LAST_PART;
	register uint64_t r1 asm("1") = POISON;
	register uint64_t r2 asm("2") = (uintptr_t)msg;
	register uint64_t r3 asm("3") = len;
	register uint64_t r4 asm("4") = psmid >> 32;
	register uint64_t r5 asm("5") = psmid & 0xffffffff;
	uint64_t t;

	asm volatile("0:\t.insn rre, 0xb2ad0000, 4, 2\n\t"
		     "brc 2, 0b\n\t"
		     "ipm %[t]"
		     : [t] "=&d"(t), "+d"(r0), "+d"(r1), "+d"(r2), "+d"(r3)
		     : "d"(r4), "d"(r5)
		     : "cc", "memory");
	*gr1 = r1;
	return t >> 28 & 3;
}

/*
 * DQAP (0xb2ae, RRE), once: GR0 the APQN with the first-part bit, R1's
 * pair gets the PSMID, R2's is the buffer and its length, counted down
 * (cc 1 or 2: only part of the reply fitted).  The cc; GR1 in *gr1.
 */
static unsigned int dqap(uint64_t q, uint64_t *psmid, void *buf, uint64_t len, uint64_t *got,
			 uint64_t *gr1)
{
	register uint64_t r0 asm("0") = q | GR0_FIRST_PART;
	register uint64_t r1 asm("1") = POISON;
	register uint64_t r2 asm("2") = 0;
	register uint64_t r4 asm("4") = 0;
	register uint64_t r5 asm("5") = 0;
	register uint64_t r6 asm("6") = (uintptr_t)buf;
	register uint64_t r7 asm("7") = len;
	uint64_t t;

	asm volatile(".insn rre, 0xb2ae0000, 4, 6\n\t"
		     "ipm %[t]"
		     : [t] "=&d"(t), "+d"(r0), "+d"(r1), "+d"(r2), "+d"(r4), "+d"(r5), "+d"(r6),
		       "+d"(r7)
		     :
		     : "cc", "memory");
	*psmid = r4 << 32 | (r5 & 0xffffffff);
	*got = len - r7;
	*gr1 = r1;
	return t >> 28 & 3;
}

static bool has_reply(uint64_t gr1)
{
	return QSW_REPLIES(gr1);
}

/*
 * A request to the first queue in the masks and its reply: an adapter
 * answers any message (one it cannot parse, as this one, with an error
 * reply), and the reply carries the request's PSMID.
 */
static void test_nqap(const void *arg)
{
	static uint8_t msg[REQUEST_BYTES] __attribute__((aligned(8)));
	static uint8_t reply[REPLY_BYTES] __attribute__((aligned(8)));
	uint64_t gr1, psmid = 0, got = 0, sent = 0x766d756e69740001ull;
	unsigned int apid, apqi, cc;
	struct pqap p;
	char buf[96];

	require_facility(FAC_AP_QCI);
	require_earlier(have_qci, "not run: QCI failed");
	require(find_apqn(true, &apid, &apqi), NO_QUEUE);
	p = tapq_until(apid, apqi, false, settled);
	require_earlier(!p.f.valid && !QSW_RC(p.gr1) && QSW_EMPTY(p.gr1),
			"not run: %02x.%04x is not an empty queue (%s)", apid, apqi,
			outcome(&p, buf, sizeof(buf)));
	cc = nqap(apqn(apid, apqi), sent, msg, sizeof(msg), &gr1);
	report(cc == 0 && QSW_RC(gr1) == RC_NORMAL,
	       "NQAP of a %zu-byte request: cc 0, response code 0 (%02x.%04x: cc %u, rc %02lx)",
	       sizeof(msg), apid, apqi, cc, QSW_RC(gr1));
	p = tapq_until(apid, apqi, false, has_reply);
	report(!p.f.valid && QSW_REPLIES(p.gr1), "TAPQ then has a reply waiting (got %s)",
	       outcome(&p, buf, sizeof(buf)));
	cc = dqap(apqn(apid, apqi), &psmid, reply, sizeof(reply), &got, &gr1);
	report(cc == 0 && QSW_RC(gr1) == RC_NORMAL && psmid == sent && got > 0,
	       "DQAP: the reply to that PSMID (cc %u, rc %02lx, PSMID %#lx, %lu bytes)", cc,
	       QSW_RC(gr1), psmid, got);
	p = tapq(apid, apqi, false);
	report(!p.f.valid && QSW_EMPTY(p.gr1) && !QSW_REPLIES(p.gr1),
	       "the queue is empty again (got %s)", outcome(&p, buf, sizeof(buf)));
}

/* In this order: each needs what the ones before it found. */
static const struct {
	const char *name;
	void (*fn)(const void *arg);
} tests[] = {
	{ "probe", test_probe }, { "qci", test_qci }, { "tapq", test_tapq },
	{ "apft", test_apft }, { "aqic", test_aqic }, { "nqap", test_nqap },
};

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "apqn=", 5))
			want_apqn = argv[i] + 5;
	report_info("facilities: 12 %s, 15 %s, 65 %s", test_facility(FAC_AP_QCI) ? "on" : "off",
		    test_facility(FAC_AP_FT) ? "on" : "off",
		    test_facility(FAC_AP_INTR) ? "on" : "off");
	for (unsigned int i = 0; i < ARRAY_SIZE(tests); i++)
		subtest(tests[i].name, tests[i].fn, NULL);
	return 0;
}
