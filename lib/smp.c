/* on_cpu()/on_cpus() over a per-CPU work slot that idle CPUs poll. */
#include "arch.h"
#include "panic.h"
#include "percpu.h"
#include "smp.h"

static unsigned int ncpus = 1;

unsigned int nr_cpus(void)
{
	return ncpus;
}

unsigned int smp_id(void)
{
	return this_cpu()->id;
}

void smp_set_nr_cpus(unsigned int n)
{
	assert(n >= 1 && n <= MAX_CPUS);
	ncpus = n;
}

void smp_secondary_idle(void)
{
	struct percpu *cpu = this_cpu();
	void (*fn)(void *);

	__atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
	for (;;) {
		while (!(fn = __atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE)))
			cpu_relax();
		fn(cpu->work_arg);
		__atomic_store_n(&cpu->work, NULL, __ATOMIC_RELEASE);
	}
}

/* Post fn once the CPU is online and its previous work has finished. */
static void post(struct percpu *cpu, void (*fn)(void *), void *arg)
{
	while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_lock(&cpu->work_lock);
	while (__atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE))
		cpu_relax();
	cpu->work_arg = arg;
	__atomic_store_n(&cpu->work, fn, __ATOMIC_RELEASE);
	spin_unlock(&cpu->work_lock);
}

static void wait_done(struct percpu *cpu)
{
	while (__atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE))
		cpu_relax();
}

void on_cpu(unsigned int id, void (*fn)(void *), void *arg)
{
	assert(id < ncpus);
	if (id == smp_id()) {
		fn(arg);
		return;
	}
	post(&cpus[id], fn, arg);
	wait_done(&cpus[id]);
}

void on_cpus(void (*fn)(void *), void *arg)
{
	unsigned int self = smp_id();

	for (unsigned int id = 0; id < ncpus; id++)
		if (id != self)
			post(&cpus[id], fn, arg);
	fn(arg);
	for (unsigned int id = 0; id < ncpus; id++)
		if (id != self)
			wait_done(&cpus[id]);
}

void on_cpu_async(unsigned int id, void (*fn)(void *), void *arg)
{
	assert(id < ncpus && id != smp_id());
	post(&cpus[id], fn, arg);
}

bool on_cpu_done(unsigned int id)
{
	assert(id < ncpus);
	return !__atomic_load_n(&cpus[id].work, __ATOMIC_ACQUIRE);
}
