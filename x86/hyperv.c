/*
 * hyperv: the Hyper-V synthetic interrupt controller, synthetic timers and
 * reference time a guest of KVM sees with QEMU's hv-* properties (Hyper-V
 * TLFS: "Virtual Interrupt Controller" (SynIC), "Timers"):
 * - detect: CPUID.1:ECX.HYPERVISOR[31]; leaf 0x40000000's "Microsoft Hv"
 *   and maximum, 0x40000001 "Hv#1"; the privileges of 0x40000003.EAX and
 *   the features of its EDX named;
 * - ref-count (0x40000003.EAX.TIME_REF_COUNT[1]): HV_X64_MSR_TIME_REF_COUNT
 *   never goes back, counts 100 ns units at the TSC's rate (2%; 5% when
 *   KVM runs nested on QEMU TCG, as kvm-pv), and a write is #GP;
 * - synic (SYNIC[2]): every SINTx reads masked at reset, SVERSION reads 1,
 *   SCONTROL, SIEFP, SIMP and a SINTx take their values, a SINT vector
 *   below 16 is #GP; with SYNTIMER[3] too: a timer's expiry is a message in
 *   the SIM page slot of its SINT (HVMSG_TIMER_EXPIRED, the timer's index,
 *   the expiration time it was given, a delivery time not before it) with
 *   the SINT's vector; a second message for a busy slot sets its
 *   MessagePending flag and waits, and arrives once the slot is freed and
 *   EOM written;
 * - stimer (SYNTIMER[3]): a one-shot fires once, not before its count
 *   (against the reference counter, the timer's own clock) and clears its
 *   Enable; a periodic one fires again and again, the n-th not before n
 *   periods, until a count of 0 disables it (Enable clear, no more
 *   messages); AutoEnable sets Enable at the count write; a timer on a
 *   masked SINT interrupts nothing; direct mode (0x40000003.EDX.
 *   DIRECT_STIMER[19]) delivers the config's vector as an interrupt, not
 *   before its count, and no message;
 * - tsc-page (REF_TSC[9]): HV_X64_MSR_REFERENCE_TSC enables the page at a
 *   guest page; ((TSC * TscScale) >> 64) + TscOffset lies between two
 *   reference counter reads around it (within 1 ms) and never goes back.
 *   A TscSequence of 0 means the hypervisor says the page is not usable
 *   (KVM when its host clock is not a stable TSC): SKIP naming it.
 * Waits spin with interrupts on and end at a generous timeout; only "not
 * early" is checked, never an upper bound.  Not under KVM (QEMU TCG, whose
 * leaf says TCGTCGTCGTCG and which refuses hv-*; Bochs, not a guest):
 * every subtest SKIPs naming the signature.  So every defect here shows
 * only under KVM: hyperv-kvm runs in the x86 KVM boxes (6.1, 6.12).
 */
#include "vmunit.h"
#include "alloc.h"
#include "apic.h"
#include "cpuid.h"
#include "desc.h"
#include "processor.h"
#include "safe.h"
#include "start.h"
#include "string.h"
#include "time.h"

#define HV_INTERFACE_HV1	0x31237648	/* "Hv#1" */
/* 0x40000003.EAX privileges, EDX features */
#define HV_TIME_REF_COUNT	1
#define HV_SYNIC		2
#define HV_SYNTIMER		3
#define HV_REF_TSC		9
#define HV_DIRECT_STIMER	19	/* EDX */

#define MSR_HV_TIME_REF_COUNT	0x40000020
#define MSR_HV_REFERENCE_TSC	0x40000021
#define MSR_HV_SCONTROL		0x40000080
#define MSR_HV_SVERSION		0x40000081
#define MSR_HV_SIEFP		0x40000082
#define MSR_HV_SIMP		0x40000083
#define MSR_HV_EOM		0x40000084
#define MSR_HV_SINT(n)		(0x40000090 + (n))
#define MSR_HV_STIMER_CONFIG(t)	(0x400000b0 + 2 * (t))
#define MSR_HV_STIMER_COUNT(t)	(0x400000b1 + 2 * (t))

#define HV_PAGE_ENABLE		1ull	/* SIMP, SIEFP, REFERENCE_TSC bit 0 */
#define SINT_MASKED		(1ull << 16)
#define STIMER_ENABLE		(1ull << 0)
#define STIMER_PERIODIC		(1ull << 1)
#define STIMER_AUTO_ENABLE	(1ull << 3)
#define STIMER_VECTOR(v)	((uint64_t)(v) << 4)
#define STIMER_DIRECT		(1ull << 12)
#define STIMER_SINT(s)		((uint64_t)(s) << 16)

#define HVMSG_NONE		0
#define HVMSG_TIMER_EXPIRED	0x80000010
#define HV_MSG_PENDING		1	/* message_flags bit 0 */

#define TIMER_SINT	2		/* the SINT of the message timers */
#define MASKED_SINT	3
#define SINT_VEC	0x70
#define MASKED_VEC	0x71
#define DIRECT_VEC	0x72

#define DELAY		200000ull	/* 20 ms in 100 ns units */
#define HV_ARRIVES_NS	5000000000ull	/* 5 s: the box runs KVM on TCG */

struct hv_message {
	uint32_t type;
	uint8_t size, flags;
	uint16_t reserved;
	uint64_t port;
	union {
		uint64_t payload[30];
		struct {
			uint32_t index, pad;
			uint64_t expiration, delivery;
		} timer;
	};
};
_Static_assert(sizeof(struct hv_message) == 256, "a SIM page slot");

struct tsc_page {
	uint32_t sequence, reserved;
	uint64_t scale;
	int64_t offset;
};

/* What the SINT handler found: one record per message. */
struct seen {
	uint32_t type, index;
	uint8_t flags;
	uint64_t expiration, delivery, ref;
};

#define MAX_SEEN 16
static struct seen seen[MAX_SEEN];
static volatile unsigned int sint_hits, masked_hits, direct_hits;
static volatile uint64_t direct_ref;
static volatile bool hold;	/* the handler leaves the slot busy */
static volatile struct hv_message *sim;
static uint32_t privileges, features;
static char absent[128];	/* why there is no Hyper-V interface, or "" */
static bool synic_on;

static const char *gate(bool edx, unsigned int bit, const char *name)
{
	static char buf[160];

	if (absent[0])
		return absent;
	snprintf(buf, sizeof(buf), "CPUID 0x40000003:%s.%s[%u]", edx ? "EDX" : "EAX", name, bit);
	return buf;
}

#define has(reg, bit)		(!absent[0] && ((reg) & (1u << (bit))))
#define require_eax(bit, name)	require(has(privileges, bit), "%s", gate(false, bit, name))

static uint64_t ref_now(void)
{
	return rdmsr(MSR_HV_TIME_REF_COUNT);
}

static void ack_slot(volatile struct hv_message *m)
{
	m->type = HVMSG_NONE;
	asm volatile("mfence" : : : "memory");
	if (m->flags & HV_MSG_PENDING)
		wrmsr(MSR_HV_EOM, 0);
}

static void on_sint(struct ex_regs *r)
{
	uint64_t ref = ref_now();
	volatile struct hv_message *m = &sim[TIMER_SINT];
	unsigned int n = sint_hits;

	if (n < MAX_SEEN)
		seen[n] = (struct seen){ .type = m->type, .index = m->timer.index,
					 .flags = m->flags, .expiration = m->timer.expiration,
					 .delivery = m->timer.delivery, .ref = ref };
	if (!hold)
		ack_slot(m);
	sint_hits = n + 1;
	apic_eoi();
}

static void on_masked(struct ex_regs *r)
{
	masked_hits++;
	apic_eoi();
}

static void on_direct(struct ex_regs *r)
{
	direct_ref = ref_now();
	direct_hits++;
	apic_eoi();
}

/* Spin with interrupts on for ns (TSC time). */
static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		cpu_relax();
}

/* The count first, then the config (TLFS: Enable after the count). */
static void stimer_arm(unsigned int t, uint64_t config, uint64_t count)
{
	wrmsr(MSR_HV_STIMER_COUNT(t), count);
	wrmsr(MSR_HV_STIMER_CONFIG(t), config);
}

/* After each case, however it ended: every timer stopped, every slot free. */
static void run_case(const char *name, void (*fn)(const void *arg))
{
	subtest(name, fn, NULL);
	for (int t = 0; t < 4; t++) {
		wrmsr(MSR_HV_STIMER_CONFIG(t), 0);
		wrmsr(MSR_HV_STIMER_COUNT(t), 0);
	}
	hold = false;
	for (int i = 0; i < 16; i++)
		sim[i].type = HVMSG_NONE;
}

static void test_detect(const void *arg)
{
	struct cpuid r;
	char sig[13];
	uint32_t max;

	snprintf(absent, sizeof(absent), "%s: not a guest",
		 cpu_feature_gate(X86_FEATURE_HYPERVISOR));
	require(cpu_has(X86_FEATURE_HYPERVISOR), "%s", absent);
	hypervisor_signature(sig);
	snprintf(absent, sizeof(absent),
		 "CPUID 0x40000000 signature \"%s\", not \"Microsoft Hv\" (QEMU's hv-* need KVM)",
		 sig);
	require(!strcmp(sig, "Microsoft Hv"), "%s", absent);
	absent[0] = 0;
	max = cpuid(0x40000000, 0).a;
	report(max >= 0x40000005, "max leaf is at least 0x40000005 (%#x)", max);
	r = cpuid(0x40000001, 0);
	report(r.a == HV_INTERFACE_HV1, "0x40000001: interface \"Hv#1\" (%#x)", r.a);
	r = cpuid(0x40000003, 0);
	privileges = r.a;
	features = r.d;
	report_info("0x40000003.EAX %#x: TIME_REF_COUNT[1] %u, SYNIC[2] %u, SYNTIMER[3] %u, REF_TSC[9] %u; EDX %#x: DIRECT_STIMER[19] %u",
		    r.a, has(r.a, HV_TIME_REF_COUNT), has(r.a, HV_SYNIC), has(r.a, HV_SYNTIMER),
		    has(r.a, HV_REF_TSC), r.d, has(r.d, HV_DIRECT_STIMER));
}

static void test_ref_count(const void *arg)
{
	unsigned int pct = run_l0_tcg() ? 5 : 2;
	uint64_t r0, r1, t0, t1, prev, v, ns, ref_ns;
	bool mono = true;
	struct fault f;

	require_eax(HV_TIME_REF_COUNT, "TIME_REF_COUNT");
	prev = ref_now();
	for (int i = 0; i < 1000 && mono; i++) {
		v = ref_now();
		mono = v >= prev;
		prev = v;
	}
	report(mono, "never goes back over 1000 reads");
	r0 = ref_now();
	t0 = rdtsc();
	spin_ns(50000000);
	r1 = ref_now();
	t1 = rdtsc();
	ns = tsc_to_ns(t1 - t0);
	ref_ns = (r1 - r0) * 100;
	report(ref_ns * 100 >= ns * (100 - pct) && ref_ns * 100 <= ns * (100 + pct),
	       "counts 100 ns units at the TSC's rate within %u%% (%lu ns by the counter, %lu by the TSC)",
	       pct, ref_ns, ns);
	f = wrmsr_safe(MSR_HV_TIME_REF_COUNT, 0);
	report(f.valid && f.vector == 13, "a write is #GP (vector %d)", f.valid ? (int)f.vector : -1);
}

static void test_synic_regs(const void *arg)
{
	void *siefp = alloc_page();
	unsigned int unmasked = 16;
	uint64_t v;
	struct fault f;

	for (int i = 0; i < 16; i++)
		if (rdmsr(MSR_HV_SINT(i)) & SINT_MASKED)
			unmasked--;
	report(unmasked == 0, "every SINTx reads masked at reset (%u unmasked)", unmasked);
	v = rdmsr(MSR_HV_SVERSION);
	report(v == 1, "SVERSION reads 1 (%#lx)", v);
	wrmsr(MSR_HV_SCONTROL, 1);
	v = rdmsr(MSR_HV_SCONTROL);
	report(v == 1, "SCONTROL takes Enable (%#lx)", v);
	wrmsr(MSR_HV_SIEFP, (uint64_t)siefp | HV_PAGE_ENABLE);
	v = rdmsr(MSR_HV_SIEFP);
	report(v == ((uint64_t)siefp | HV_PAGE_ENABLE), "SIEFP takes a page with Enable (%#lx)", v);
	wrmsr(MSR_HV_SIMP, (uint64_t)sim | HV_PAGE_ENABLE);
	v = rdmsr(MSR_HV_SIMP);
	report(v == ((uint64_t)sim | HV_PAGE_ENABLE), "SIMP takes a page with Enable (%#lx)", v);
	f = wrmsr_safe(MSR_HV_SINT(TIMER_SINT), 15);
	report(f.valid && f.vector == 13, "a SINT vector below 16 is #GP (vector %d)",
	       f.valid ? (int)f.vector : -1);
	wrmsr(MSR_HV_SINT(TIMER_SINT), SINT_VEC);
	v = rdmsr(MSR_HV_SINT(TIMER_SINT));
	report(v == SINT_VEC, "SINT%u takes vector %#x, unmasked (%#lx)", TIMER_SINT, SINT_VEC, v);
	wrmsr(MSR_HV_SINT(MASKED_SINT), SINT_MASKED | MASKED_VEC);
	synic_on = true;
}

/* Only the timer SINT's slot holds a message. */
static bool other_slots_empty(void)
{
	for (int i = 0; i < 16; i++)
		if (i != TIMER_SINT && sim[i].type != HVMSG_NONE)
			return false;
	return true;
}

static void test_synic_message(const void *arg)
{
	uint64_t exp;
	bool ok;

	require_eax(HV_SYNTIMER, "SYNTIMER");
	require_eax(HV_TIME_REF_COUNT, "TIME_REF_COUNT");
	require_earlier(synic_on, "the SynIC registers were not set up");
	sint_hits = 0;
	exp = ref_now() + DELAY;
	stimer_arm(1, STIMER_ENABLE | STIMER_SINT(TIMER_SINT), exp);
	ok = wait_for(sint_hits >= 1, HV_ARRIVES_NS);
	report(ok, "timer 1's expiry is an interrupt on SINT%u's vector", TIMER_SINT);
	require_earlier(ok, "no message arrived");
	report(seen[0].type == HVMSG_TIMER_EXPIRED, "message type HVMSG_TIMER_EXPIRED (%#x)",
	       seen[0].type);
	report(seen[0].index == 1, "timer index 1 (%u)", seen[0].index);
	report(seen[0].expiration == exp, "expiration time is the count (%lu, count %lu)",
	       seen[0].expiration, exp);
	report(seen[0].delivery >= seen[0].expiration,
	       "delivery time not before the expiration (%lu, expiration %lu)", seen[0].delivery,
	       seen[0].expiration);
	report(other_slots_empty(), "no message in another SINT's slot");
}

static void test_synic_eom(const void *arg)
{
	volatile struct hv_message *m = &sim[TIMER_SINT];
	uint64_t t0;
	bool ok;

	require_eax(HV_SYNTIMER, "SYNTIMER");
	require_eax(HV_TIME_REF_COUNT, "TIME_REF_COUNT");
	require_earlier(synic_on, "the SynIC registers were not set up");
	sint_hits = 0;
	hold = true;
	t0 = ref_now();
	stimer_arm(2, STIMER_ENABLE | STIMER_SINT(TIMER_SINT), t0 + DELAY);
	stimer_arm(3, STIMER_ENABLE | STIMER_SINT(TIMER_SINT), t0 + 3 * DELAY);
	ok = wait_for(sint_hits >= 1, HV_ARRIVES_NS);
	report(ok && seen[0].index == 2, "timer 2's message arrives first (index %u)",
	       ok ? seen[0].index : 0);
	require_earlier(ok, "no message arrived");
	ok = wait_for(m->flags & HV_MSG_PENDING, HV_ARRIVES_NS);
	report(ok, "timer 3's expiry sets MessagePending in the busy slot");
	report(sint_hits == 1 && m->timer.index == 2,
	       "and neither interrupts nor overwrites it (%u interrupts, index %u)", sint_hits,
	       m->timer.index);
	hold = false;
	ack_slot(m);
	ok = wait_for(sint_hits >= 2, HV_ARRIVES_NS);
	report(ok && seen[1].index == 3 && seen[1].type == HVMSG_TIMER_EXPIRED,
	       "slot freed and EOM written: timer 3's message arrives (index %u, type %#x)",
	       ok ? seen[1].index : 0, ok ? seen[1].type : 0);
}

static void test_synic(const void *arg)
{
	require_eax(HV_SYNIC, "SYNIC");
	subtest("registers", test_synic_regs, NULL);
	run_case("message", test_synic_message);
	run_case("eom", test_synic_eom);
}

static void test_oneshot(const void *arg)
{
	uint64_t exp, config;
	bool ok;

	sint_hits = 0;
	exp = ref_now() + DELAY;
	stimer_arm(0, STIMER_ENABLE | STIMER_SINT(TIMER_SINT), exp);
	ok = wait_for(sint_hits >= 1, HV_ARRIVES_NS);
	report(ok, "fires");
	require_earlier(ok, "it did not fire");
	report(seen[0].ref >= exp, "not before its count (reference counter %lu, count %lu)",
	       seen[0].ref, exp);
	spin_ns(5 * DELAY * 100);
	report(sint_hits == 1, "fires once (%u messages)", sint_hits);
	config = rdmsr(MSR_HV_STIMER_CONFIG(0));
	report(!(config & STIMER_ENABLE), "Enable clear once it expired (config %#lx)", config);
}

static void test_periodic(const void *arg)
{
	uint64_t t0, config;
	unsigned int n, early = 0;
	bool ok;

	sint_hits = 0;
	t0 = ref_now();
	stimer_arm(0, STIMER_ENABLE | STIMER_PERIODIC | STIMER_SINT(TIMER_SINT), DELAY);
	ok = wait_for(sint_hits >= 4, HV_ARRIVES_NS);
	report(ok, "fires again and again (%u messages)", sint_hits);
	n = sint_hits < MAX_SEEN ? sint_hits : MAX_SEEN;
	for (unsigned int i = 0; i < n; i++)
		if (seen[i].ref < t0 + (i + 1) * DELAY)
			early++;
	report(ok && early == 0, "the n-th not before n periods (%u of %u early)", early, n);
	wrmsr(MSR_HV_STIMER_COUNT(0), 0);
	config = rdmsr(MSR_HV_STIMER_CONFIG(0));
	report(!(config & STIMER_ENABLE), "count 0: Enable clear (config %#lx)", config);
	spin_ns(DELAY * 100);	/* a message already on its way */
	n = sint_hits;
	spin_ns(5 * DELAY * 100);
	report(sint_hits == n, "count 0: no more messages (%u in 5 periods)", sint_hits - n);
}

static void test_auto_enable(const void *arg)
{
	uint64_t exp, config;
	bool ok;

	sint_hits = 0;
	wrmsr(MSR_HV_STIMER_CONFIG(1), STIMER_AUTO_ENABLE | STIMER_SINT(TIMER_SINT));
	exp = ref_now() + DELAY;
	wrmsr(MSR_HV_STIMER_COUNT(1), exp);
	config = rdmsr(MSR_HV_STIMER_CONFIG(1));
	report(config & STIMER_ENABLE, "a count write sets Enable (config %#lx)", config);
	ok = wait_for(sint_hits >= 1, HV_ARRIVES_NS);
	report(ok && seen[0].index == 1 && seen[0].ref >= exp,
	       "and the timer fires, not before its count (%u messages, index %u)", sint_hits,
	       seen[0].index);
}

static void test_masked(const void *arg)
{
	volatile struct hv_message *m = &sim[MASKED_SINT];

	uint64_t t0;
	bool ok;

	masked_hits = 0;
	sint_hits = 0;
	t0 = ref_now();
	stimer_arm(2, STIMER_ENABLE | STIMER_SINT(MASKED_SINT), t0 + DELAY);
	/* A timer on the unmasked SINT after it: interrupts do arrive meanwhile. */
	stimer_arm(3, STIMER_ENABLE | STIMER_SINT(TIMER_SINT), t0 + 3 * DELAY);
	ok = wait_for(sint_hits >= 1, HV_ARRIVES_NS);
	report(ok && masked_hits == 0,
	       "a timer on a masked SINT interrupts nothing, one on an unmasked SINT after it does (%u and %u interrupts)",
	       masked_hits, sint_hits);
	report_info("SINT%u's slot: type %#x, flags %#x", MASKED_SINT, m->type, m->flags);
}

static bool sim_empty(void)
{
	for (int i = 0; i < 16; i++)
		if (sim[i].type != HVMSG_NONE)
			return false;
	return true;
}

static void test_direct(const void *arg)
{
	uint64_t exp;
	bool ok;

	require(has(features, HV_DIRECT_STIMER), "%s",
		gate(true, HV_DIRECT_STIMER, "DIRECT_STIMER"));
	direct_hits = 0;
	sint_hits = 0;
	exp = ref_now() + DELAY;
	stimer_arm(3, STIMER_ENABLE | STIMER_DIRECT | STIMER_VECTOR(DIRECT_VEC), exp);
	ok = wait_for(direct_hits >= 1, HV_ARRIVES_NS);
	report(ok, "vector %#x arrives as an interrupt", DIRECT_VEC);
	require_earlier(ok, "it did not arrive");
	report(direct_ref >= exp, "not before its count (reference counter %lu, count %lu)",
	       direct_ref, exp);
	spin_ns(5 * DELAY * 100);
	report(direct_hits == 1, "once (%u interrupts)", direct_hits);
	report(sint_hits == 0 && sim_empty(), "and no message (%u SINT interrupts)", sint_hits);
}

static void test_stimer(const void *arg)
{
	require_eax(HV_SYNIC, "SYNIC");
	require_eax(HV_SYNTIMER, "SYNTIMER");
	require_eax(HV_TIME_REF_COUNT, "TIME_REF_COUNT");
	require_earlier(synic_on, "the SynIC registers were not set up");
	run_case("one-shot", test_oneshot);
	run_case("periodic", test_periodic);
	run_case("auto-enable", test_auto_enable);
	run_case("masked", test_masked);
	run_case("direct", test_direct);
}

/* The page's reference time now, from a consistent copy (unchanged sequence). */
static uint64_t page_time(volatile struct tsc_page *p)
{
	uint32_t seq;
	uint64_t t;

	do {
		seq = p->sequence;
		asm volatile("" : : : "memory");
		t = ((unsigned __int128)rdtsc() * p->scale >> 64) + p->offset;
		asm volatile("" : : : "memory");
	} while (seq != p->sequence);
	return t;
}

static void test_tsc_page(const void *arg)
{
	volatile struct tsc_page *p = alloc_page();
	uint64_t v, r0, t, r1, prev;
	unsigned int outside = 0, back = 0;

	require_eax(HV_REF_TSC, "REF_TSC");
	require_eax(HV_TIME_REF_COUNT, "TIME_REF_COUNT");
	wrmsr(MSR_HV_REFERENCE_TSC, (uint64_t)p | HV_PAGE_ENABLE);
	v = rdmsr(MSR_HV_REFERENCE_TSC);
	report(v == ((uint64_t)p | HV_PAGE_ENABLE), "REFERENCE_TSC takes a page with Enable (%#lx)",
	       v);
	require(p->sequence != 0 && p->sequence != 0xffffffff,
		"TscSequence %#x: the hypervisor says the page is not usable (TLFS: read TIME_REF_COUNT)",
		p->sequence);
	report_info("TscScale %#lx, TscOffset %ld", p->scale, p->offset);
	for (int i = 0; i < 5; i++) {
		r0 = ref_now();
		t = page_time(p);
		r1 = ref_now();
		if (t + 10000 < r0 || t > r1 + 10000)
			outside++;
		spin_ns(10000000);
	}
	report(outside == 0, "lies between two TIME_REF_COUNT reads around it, within 1 ms (%u of 5 outside; last %lu <= %lu <= %lu)",
	       outside, r0, t, r1);
	prev = page_time(p);
	for (int i = 0; i < 10000; i++) {
		t = page_time(p);
		back += t < prev;
		prev = t;
	}
	report(back == 0, "never goes back over 10000 reads (%u times)", back);
	wrmsr(MSR_HV_REFERENCE_TSC, 0);
}

int main(int argc, char **argv)
{
	report_prefix_push("hyperv");
	subtest("detect", test_detect, NULL);
	if (!absent[0]) {
		tsc_hz();
		apic_cpu_init();
		sim = alloc_page();
		handle_exception(SINT_VEC, on_sint);
		handle_exception(MASKED_VEC, on_masked);
		handle_exception(DIRECT_VEC, on_direct);
		irq_enable();
	}
	subtest("ref-count", test_ref_count, NULL);
	subtest("synic", test_synic, NULL);
	subtest("stimer", test_stimer, NULL);
	subtest("tsc-page", test_tsc_page, NULL);
	return 0;
}
