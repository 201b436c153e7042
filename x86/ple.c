/*
 * ple: spinlocks that wait with PAUSE, on more vCPUs than the host has
 * CPUs (the cfg asks for 8), as "Mitigating Excessive Pause-Loop Exiting"
 * needs them to behave: a vCPU spinning on a lock whose holder is not
 * running makes the hypervisor yield (PLE, directed yield), and the lock
 * must still work.  For a ticket lock and an MCS queue lock, every vCPU
 * takes the lock ROUNDS times:
 * - mutual exclusion: never two holders, and a counter incremented with a
 *   plain read-modify-write under the lock ends exact;
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
 * - the time per acquisition, as INFO (the runner's KVM statistics will
 *   add the directed-yield counters under KVM).
 */
#include "vmunit.h"
#include "smp.h"
#include "time.h"

#define ROUNDS 25
#define DISPENSE_MS 200
#define DISPENSE_BATCH 1024	/* tickets between two looks at the clock */
#define DONE_NS 120000000000ull	/* 120 s for everyone, a loaded host included */

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
static unsigned int holders, overlaps, max_wait, finished;

/* The next ticket of a dispenser: one LOCK XADD. */
static unsigned int take(unsigned int *dispenser)
{
	return __atomic_fetch_add(dispenser, 1, __ATOMIC_RELAXED);
}

static void ticket_acquire(unsigned long *seen)
{
	unsigned int me = take(&ticket.next);

	*seen = acquisitions;
	while (__atomic_load_n(&ticket.owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

static void ticket_release(void)
{
	__atomic_store_n(&ticket.owner, ticket.owner + 1, __ATOMIC_RELEASE);
}

static void mcs_acquire(unsigned long *seen)
{
	struct mcs_node *me = &mcs_nodes[smp_id()], *prev;

	me->next = NULL;
	me->locked = 1;
	prev = __atomic_exchange_n(&mcs_tail, me, __ATOMIC_ACQ_REL);
	*seen = acquisitions;
	if (!prev)
		return;
	__atomic_store_n(&prev->next, me, __ATOMIC_RELEASE);
	while (__atomic_load_n(&me->locked, __ATOMIC_ACQUIRE))
		cpu_relax();
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

	for (unsigned int i = 0; i < ROUNDS; i++) {
		unsigned long seen, c, waited;

		l->acquire(&seen);
		if (__atomic_add_fetch(&holders, 1, __ATOMIC_RELAXED) != 1)
			__atomic_fetch_add(&overlaps, 1, __ATOMIC_RELAXED);
		waited = acquisitions - seen;
		if (waited > max_wait)
			max_wait = waited;
		c = counter;		/* a plain read-modify-write: the lock guards it */
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
	holders = overlaps = max_wait = finished = 0;
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

int main(int argc, char **argv)
{
	if (!have_cpus(2))
		return 0;
	tsc_hz();
	subtest("dispenser", test_dispenser, NULL);
	for (unsigned int i = 0; i < sizeof(locks) / sizeof(locks[0]); i++)
		if (dispenser_ok)
			subtest(locks[i].name, test_lock, &locks[i]);
		else	/* a ticket given twice skips one: a lock round would hang */
			report_skip("%s: the dispenser gives tickets twice", locks[i].name);
	return 0;
}
