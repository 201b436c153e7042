/*
 * ple: spinlocks that wait with PAUSE, on more vCPUs than the host has
 * CPUs (the cfg asks for 8), as "Mitigating Excessive Pause-Loop Exiting"
 * needs them to behave: a vCPU spinning on a lock whose holder is not
 * running makes the hypervisor yield (PLE, directed yield), and the lock
 * must still work.  For a ticket lock and an MCS queue lock, every vCPU,
 * from a common start, takes the lock ROUNDS times:
 * - mutual exclusion: never two holders, and a counter incremented with a
 *   plain read-modify-write under the lock (held HOLD_NS, so that a
 *   vCPU's rounds span the host's time slices and holders get preempted)
 *   ends exact;
 * - progress: every vCPU finishes within the timeout;
 * - fairness: both locks are FIFO, so between taking its place in line
 *   and getting the lock a vCPU sees at most N-1 other acquisitions;
 * and first the ticket lock's dispenser on its own (subtest "dispenser"):
 * every vCPU, from a common start, takes tickets back to back for
 * DISPENSE_MS, and none is given twice (the dispenser ends at the sum of
 * what each took).  A LOCK XADD that is not atomic across vCPUs (a lost
 * LOCK prefix, an emulator that splits it) loses tickets there whenever
 * two vCPUs run at once, or one is preempted inside it: a fixed time
 * rather than a count, so that on a loaded host each vCPU thread is
 * still preempted many times; the lock rounds, a few hundred
 * acquisitions apart, rarely hit the window;
 * - the time per acquisition, as INFO.
 * Under KVM with PV_SCHED_YIELD[13] and STEAL_TIME[5] in CPUID
 * 0x40000001.EAX (Documentation/virt/kvm/x86/cpuid.rst, msr.rst,
 * hypercalls.rst), subtest "pv-yield" first: every vCPU's steal-time
 * record (MSR_KVM_STEAL_TIME) is written by KVM (even, non-zero version),
 * and KVM_HC_SCHED_YIELD (11) to each other vCPU's APIC ID returns 0; then
 * the lock waiters, every YIELD_SPINS PAUSEs, look at the `preempted` byte
 * of the vCPU they wait on (the ticket lock: the one holding the owner's
 * ticket; MCS: the predecessor, which hands the lock on) and, when it is
 * set, yield to it with KVM_HC_SCHED_YIELD, which must return 0 (a hint:
 * the lock checks above are the same).  The guest prints the
 * number of hypercalls it made as "STAT-EXPECT: directed_yield_attempted
 * >= N": KVM counts every KVM_HC_SCHED_YIELD there (kvm_sched_yield(), also
 * reached from KVM_HC_KICK_CPU, which we never make), and PAUSE-loop exits
 * (kvm_vcpu_on_spin()) count in no statistic; the entry ple-kvm has the
 * runner check it.  directed_yield_successful is a statistic only: KVM
 * yields only when the host CPU has other tasks, the target is runnable
 * but preempted, and the scheduler's yield_to() succeeds.  Elsewhere
 * (TCG, Bochs: no KVM leaves) "pv-yield" is a SKIP naming the bits, and
 * the waiters spin with PAUSE alone.
 */
#include "vmunit.h"
#include "apic.h"
#include "kvm.h"
#include "printf.h"
#include "smp.h"
#include "time.h"

#define ROUNDS 25
#define DISPENSE_MS 200
#define DISPENSE_BATCH 1024	/* tickets between two looks at the clock */
#define DONE_NS 120000000000ull	/* 120 s for everyone, a loaded host included */
#define HOLD_NS 100000		/* each holds the lock 100 us: rounds span host time slices */
#define YIELD_SPINS 256		/* PAUSEs between two looks at the holder's steal time */
#define YIELDS_EACH 8		/* pv-yield: directed yields to each other vCPU */

struct ticket_lock {
	unsigned int next, owner;
};

struct mcs_node {
	struct mcs_node *next;
	unsigned int locked;
} __attribute__((aligned(64)));

static struct ticket_lock ticket;
static struct mcs_node *mcs_tail, mcs_nodes[MAX_CPUS];

/* Shared by both locks' runs; reset between them. */
static volatile unsigned long counter, acquisitions;
static unsigned int holders, overlaps, max_wait, finished, started;

static unsigned int ticket_cpu[MAX_CPUS];	/* who took ticket t: [t % MAX_CPUS] */
static bool pv_yield;			/* the waiters yield (pv-yield passed) */
static unsigned int yields, yield_errs;	/* the waiters' hypercalls, those not returning 0 */
static unsigned int hypercalls;		/* every KVM_HC_SCHED_YIELD made */

/*
 * One turn of a waiter: PAUSE, and now and then a directed yield to the
 * vCPU it waits on (the lock's next owner) when that one is preempted.
 */
static void wait_turn(unsigned int on, unsigned int *spins)
{
	cpu_relax();
	if (!pv_yield || ++*spins % YIELD_SPINS || on == smp_id() ||
	    !(kvm_steal_time_of(on)->preempted & KVM_VCPU_PREEMPTED))
		return;
	if (kvm_hypercall(KVM_HC_SCHED_YIELD, apic_id_of(on), 0, 0, 0))
		__atomic_fetch_add(&yield_errs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&yields, 1, __ATOMIC_RELAXED);
}

/* The next ticket of a dispenser: one LOCK XADD. */
static unsigned int take(unsigned int *dispenser)
{
	return __atomic_fetch_add(dispenser, 1, __ATOMIC_RELAXED);
}

static void ticket_acquire(unsigned long *seen)
{
	unsigned int me = take(&ticket.next), owner, spins = 0;

	__atomic_store_n(&ticket_cpu[me % MAX_CPUS], smp_id(), __ATOMIC_RELAXED);
	*seen = acquisitions;
	while ((owner = __atomic_load_n(&ticket.owner, __ATOMIC_ACQUIRE)) != me)
		wait_turn(__atomic_load_n(&ticket_cpu[owner % MAX_CPUS], __ATOMIC_RELAXED), &spins);
}

static void ticket_release(void)
{
	__atomic_store_n(&ticket.owner, ticket.owner + 1, __ATOMIC_RELEASE);
}

static void mcs_acquire(unsigned long *seen)
{
	struct mcs_node *me = &mcs_nodes[smp_id()], *prev;
	unsigned int spins = 0;

	me->next = NULL;
	me->locked = 1;
	prev = __atomic_exchange_n(&mcs_tail, me, __ATOMIC_ACQ_REL);
	*seen = acquisitions;
	if (!prev)
		return;
	__atomic_store_n(&prev->next, me, __ATOMIC_RELEASE);
	while (__atomic_load_n(&me->locked, __ATOMIC_ACQUIRE))
		wait_turn(prev - mcs_nodes, &spins);	/* it hands the lock on to us */
}

static void mcs_release(void)
{
	struct mcs_node *me = &mcs_nodes[smp_id()], *next = me;

	if (!__atomic_load_n(&me->next, __ATOMIC_ACQUIRE)) {
		if (__atomic_compare_exchange_n(&mcs_tail, &next, NULL, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return;
		while (!__atomic_load_n(&me->next, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
	__atomic_store_n(&me->next->locked, 0, __ATOMIC_RELEASE);
}

struct lock_ops {
	const char *name;
	void (*acquire)(unsigned long *seen);
	void (*release)(void);
};

static const struct lock_ops locks[] = {
	{ "ticket", ticket_acquire, ticket_release },
	{ "mcs", mcs_acquire, mcs_release },
};

static void worker(void *arg)
{
	const struct lock_ops *l = arg;

	__atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);	/* a common start: they contend */
	while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < nr_cpus())
		cpu_relax();
	for (unsigned int i = 0; i < ROUNDS; i++) {
		unsigned long seen, c, waited;

		l->acquire(&seen);
		if (__atomic_add_fetch(&holders, 1, __ATOMIC_RELAXED) != 1)
			__atomic_fetch_add(&overlaps, 1, __ATOMIC_RELAXED);
		waited = acquisitions - seen;
		if (waited > max_wait)
			max_wait = waited;
		c = counter;		/* a plain read-modify-write: the lock guards it */
		for (uint64_t end = now_ns() + HOLD_NS; now_ns() < end;)
			cpu_relax();
		counter = c + 1;
		acquisitions++;
		__atomic_sub_fetch(&holders, 1, __ATOMIC_RELAXED);
		l->release();
	}
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
}

static void test_lock(const void *arg)
{
	const struct lock_ops *l = arg;
	unsigned int n = nr_cpus();
	uint64_t t0, ns;
	bool done;

	counter = acquisitions = 0;
	holders = overlaps = max_wait = finished = started = 0;
	yields = yield_errs = 0;
	t0 = now_ns();
	for (unsigned int cpu = 1; cpu < n; cpu++)
		on_cpu_async(cpu, worker, (void *)l);
	worker((void *)l);
	done = wait_for(__atomic_load_n(&finished, __ATOMIC_ACQUIRE) == n, DONE_NS);
	ns = now_ns() - t0;
	report(done, "progress: all %u vCPUs took the lock %u times (%u did)", n, ROUNDS,
	       finished);
	report(!overlaps, "mutual exclusion: never two holders (%u overlaps)", overlaps);
	report(counter == (unsigned long)n * ROUNDS, "the guarded counter is exact (%lu, want %u)",
	       counter, n * ROUNDS);
	report(max_wait <= n - 1, "FIFO: at most %u acquisitions while waiting (worst %u)", n - 1,
	       max_wait);
	report_info("%lu ns per acquisition (%u vCPUs, %u rounds each, %lu ms)",
		    ns / (n * ROUNDS), n, ROUNDS, ns / 1000000);
	if (pv_yield)
		report_info("%u directed yields to the preempted vCPU waited on", yields);
	if (yields)
		report(!yield_errs, "KVM_HC_SCHED_YIELD returned 0 to the waiters (%u of %u did not)",
		       yield_errs, yields);
	hypercalls += yields;
	for (unsigned int cpu = 1; cpu < n; cpu++)
		while (!on_cpu_done(cpu))
			cpu_relax();
}

static unsigned int dispenser, taken, arrived;
static bool dispenser_ok;

static void dispense(void *arg)
{
	unsigned int n = nr_cpus(), mine = 0;
	uint64_t end;

	__atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
	end = now_ns() + DISPENSE_MS * 1000000ull;
	do {
		for (unsigned int i = 0; i < DISPENSE_BATCH; i++)
			take(&dispenser);
		mine += DISPENSE_BATCH;
	} while (now_ns() < end);
	__atomic_fetch_add(&taken, mine, __ATOMIC_RELAXED);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
}

static void test_dispenser(const void *arg)
{
	unsigned int n = nr_cpus();
	bool done;

	finished = 0;
	for (unsigned int cpu = 1; cpu < n; cpu++)
		on_cpu_async(cpu, dispense, NULL);
	dispense(NULL);
	done = wait_for(__atomic_load_n(&finished, __ATOMIC_ACQUIRE) == n, DONE_NS);
	dispenser_ok = report(done && dispenser == taken,
			      "%u vCPUs taking tickets for %u ms at once: none given twice "
			      "(dispenser at %u, %u taken)", n, DISPENSE_MS, dispenser, taken);
	for (unsigned int cpu = 1; cpu < n; cpu++)
		while (!on_cpu_done(cpu))
			cpu_relax();
}

static unsigned int st_faults;

static void steal_time_on(void *arg)
{
	if (kvm_steal_time_enable().valid)
		__atomic_fetch_add(&st_faults, 1, __ATOMIC_RELAXED);
}

/* Steal time on every vCPU, directed yields to each: the waiters' path, before they take it. */
static void test_pv_yield(const void *arg)
{
	uint32_t f = kvm_features(), want = KVM_FEATURE(KVM_FEATURE_PV_SCHED_YIELD) |
					    KVM_FEATURE(KVM_FEATURE_STEAL_TIME);
	unsigned int n = nr_cpus(), written = 0, calls = 0, bad = 0;

	if ((f & want) != want)
		report_info("the waiters spin with PAUSE alone: no directed yield");
	require((f & want) == want, "CPUID 0x40000001 EAX bit 13 (PV_SCHED_YIELD) and bit 5 "
		"(STEAL_TIME) (EAX %#x; 0: not KVM)", f);
	apic_init_all();
	on_cpus(steal_time_on, NULL);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		uint32_t v = kvm_steal_time_of(cpu)->version;

		written += v && !(v & 1);
	}
	if (!report(written == n && !st_faults, "MSR_KVM_STEAL_TIME: KVM wrote each vCPU's record "
		    "(%u of %u, %u #GP)", written, n, st_faults))
		return;		/* no `preempted` to go by: the waiters only spin */
	for (unsigned int i = 0; i < YIELDS_EACH; i++)
		for (unsigned int cpu = 1; cpu < n; cpu++, calls++)
			bad += kvm_hypercall(KVM_HC_SCHED_YIELD, apic_id_of(cpu), 0, 0, 0) != 0;
	report(!bad, "KVM_HC_SCHED_YIELD to each other vCPU's APIC ID returns 0 (%u of %u did not)",
	       bad, calls);
	hypercalls += calls;
	pv_yield = true;
}

int main(int argc, char **argv)
{
	if (!have_cpus(2))
		return 0;
	tsc_hz();
	subtest("dispenser", test_dispenser, NULL);
	subtest("pv-yield", test_pv_yield, NULL);
	for (unsigned int i = 0; i < sizeof(locks) / sizeof(locks[0]); i++)
		if (dispenser_ok)
			subtest(locks[i].name, test_lock, &locks[i]);
		else	/* a ticket given twice skips one: a lock round would hang */
			report_skip("%s: the dispenser gives tickets twice", locks[i].name);
	if (hypercalls)		/* the runner holds KVM's counter to it (ple-kvm) */
		printf("STAT-EXPECT: directed_yield_attempted >= %u\n", hypercalls);
	return 0;
}
