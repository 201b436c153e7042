/* Local APIC in xAPIC and x2APIC mode (lib/x86/apic.h). */
#include "apic.h"
#include "desc.h"
#include "mmio.h"
#include "percpu.h"
#include "processor.h"
#include "safe.h"
#include "smp.h"
#include "time.h"

#define APIC_BASE_EN	(1ull << 11)
#define APIC_BASE_EXTD	(1ull << 10)
#define APIC_BASE_ADDR	0x000ffffffffff000ull

static uint32_t apic_ids[MAX_CPUS];

/*
 * Each CPU's IA32_APIC_BASE as last read: register accesses (EOIs in
 * interrupt handlers, timer arming) would otherwise cost two RDMSRs each,
 * an exit apiece under a hypervisor.  Only apic_set_mode() changes it.
 */
static struct apic_state {
	bool known;
	uint64_t base;
} state[MAX_CPUS];

static uint64_t apic_base(void)
{
	struct apic_state *s = &state[smp_id()];

	if (!s->known) {
		s->base = rdmsr(MSR_IA32_APICBASE);
		s->known = true;
	}
	return s->base;
}

enum apic_mode apic_mode(void)
{
	uint64_t base = apic_base();

	return (base & APIC_BASE_EN ? 2 : 0) | (base & APIC_BASE_EXTD ? 1 : 0);
}

const char *apic_mode_name(enum apic_mode m)
{
	static const char *const names[] = { "disabled", "invalid", "xAPIC", "x2APIC" };

	return names[m];
}

struct fault apic_set_mode(enum apic_mode m)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE) & ~(APIC_BASE_EN | APIC_BASE_EXTD);
	struct fault f = wrmsr_safe(MSR_IA32_APICBASE, base | (m & 2 ? APIC_BASE_EN : 0) |
							      (m & 1 ? APIC_BASE_EXTD : 0));

	state[smp_id()].known = false;	/* whatever the write did */
	return f;
}

uint64_t apic_base_addr(void)
{
	return apic_base() & APIC_BASE_ADDR;
}

struct fault apic_set_base(uint64_t addr)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE) & ~APIC_BASE_ADDR;
	struct fault f = wrmsr_safe(MSR_IA32_APICBASE, base | addr);

	state[smp_id()].known = false;
	return f;
}

static uintptr_t xapic_reg(unsigned int reg)
{
	return apic_base_addr() + reg;
}

static bool x2apic(void)
{
	return apic_mode() == APIC_X2APIC;
}

uint32_t apic_read(unsigned int reg)
{
	return x2apic() ? (uint32_t)rdmsr(APIC_MSR(reg)) : mmio_read32(xapic_reg(reg));
}

void apic_write(unsigned int reg, uint32_t v)
{
	if (x2apic())
		wrmsr(APIC_MSR(reg), v);
	else
		mmio_write32(xapic_reg(reg), v);
}

uint32_t apic_id(void)
{
	return x2apic() ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

bool apic_vector_set(unsigned int reg, unsigned int vector)
{
	return apic_read(reg + (vector / 32) * 0x10) >> (vector % 32) & 1;
}

uint32_t apic_broadcast(void)
{
	return x2apic() ? 0xffffffffu : 0xff;
}

void apic_icr(uint32_t dest, uint32_t lo)
{
	if (x2apic()) {
		wrmsr(APIC_MSR(APIC_ICR), (uint64_t)dest << 32 | lo);
		return;
	}
	mmio_write32(xapic_reg(APIC_ICR2), dest << 24);
	mmio_write32(xapic_reg(APIC_ICR), lo);
	while (mmio_read32(xapic_reg(APIC_ICR)) & APIC_ICR_BUSY)
		;
}

void apic_send(uint32_t dest, unsigned int vector)
{
	apic_icr(dest, APIC_ICR_FIXED | APIC_ICR_ASSERT | (vector & 0xff));
}

void apic_self_ipi(unsigned int vector)
{
	if (x2apic())
		wrmsr(APIC_MSR(APIC_SELF_IPI), vector & 0xff);
	else
		apic_send(apic_id(), vector);
}

void apic_ipi(unsigned int cpu, unsigned int vector)
{
	apic_send(apic_ids[cpu], vector);
}

static volatile unsigned int fences[MAX_CPUS];
static volatile bool fence_saw_irr[MAX_CPUS];

static void on_fence(struct ex_regs *r)
{
	unsigned int cpu = smp_id();
	bool irr = apic_read(APIC_IRR + 0x10) >> 16;	/* vectors 0x30-0x3f */

	for (unsigned int reg = 2; reg < 8; reg++)
		irr |= apic_read(APIC_IRR + reg * 0x10) != 0;
	fence_saw_irr[cpu] = irr;
	__atomic_fetch_add(&fences[cpu], 1, __ATOMIC_RELEASE);
	apic_eoi();
}

void apic_cpu_init(void)
{
	apic_ids[smp_id()] = apic_id();
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	handle_exception(APIC_FENCE_VECTOR, on_fence);
}

static void init_here(void *arg)
{
	apic_cpu_init();
}

void apic_init_all(void)
{
	on_cpus(init_here, NULL);
}

#define EACH_CPU(cpu, cpus)						\
	for (unsigned int cpu = 0; cpu < nr_cpus() && cpu < 32; cpu++)	\
		if ((cpus) >> cpu & 1)

uint32_t apic_fence(uint32_t cpus)
{
	unsigned int before[MAX_CPUS];
	uint32_t late = 0;

	EACH_CPU(cpu, cpus) {
		before[cpu] = __atomic_load_n(&fences[cpu], __ATOMIC_ACQUIRE);
		fence_saw_irr[cpu] = false;
	}
	EACH_CPU(cpu, cpus) {
		if (cpu == smp_id())
			apic_self_ipi(APIC_FENCE_VECTOR);
		else
			apic_ipi(cpu, APIC_FENCE_VECTOR);
	}
	EACH_CPU(cpu, cpus)
		if (!wait_for(__atomic_load_n(&fences[cpu], __ATOMIC_ACQUIRE) != before[cpu],
			      ARRIVES_NS) || fence_saw_irr[cpu])
			late |= 1u << cpu;
	return late;
}

static volatile bool listening;

static void listen(void *arg)
{
	irq_enable();
	while (__atomic_load_n(&listening, __ATOMIC_ACQUIRE))
		cpu_relax();
	irq_disable();
}

void apic_listen(uint32_t cpus)
{
	__atomic_store_n(&listening, true, __ATOMIC_RELEASE);
	EACH_CPU(cpu, cpus)
		if (cpu != smp_id())
			on_cpu_async(cpu, listen, NULL);
}

void apic_listen_end(uint32_t cpus)
{
	__atomic_store_n(&listening, false, __ATOMIC_RELEASE);
	EACH_CPU(cpu, cpus)
		if (cpu != smp_id())
			while (!on_cpu_done(cpu))
				cpu_relax();
}

static unsigned int counted;
static volatile unsigned int counts[MAX_CPUS];
static volatile bool counted_in_isr[MAX_CPUS];

static void on_counted(struct ex_regs *r)
{
	unsigned int cpu = smp_id();

	counted_in_isr[cpu] = apic_vector_set(APIC_ISR, counted);
	__atomic_fetch_add(&counts[cpu], 1, __ATOMIC_RELEASE);
	apic_eoi();
}

void apic_count_vector(unsigned int vector)
{
	counted = vector;
	handle_exception(vector, on_counted);
}

unsigned int apic_count(unsigned int cpu)
{
	return __atomic_load_n(&counts[cpu], __ATOMIC_ACQUIRE);
}

bool apic_count_in_isr(unsigned int cpu)
{
	return counted_in_isr[cpu];
}

bool apic_count_reaches(unsigned int cpu, unsigned int want, uint64_t ns)
{
	return wait_for(apic_count(cpu) >= want, ns);
}

void apic_nmi(unsigned int cpu)
{
	apic_icr(apic_ids[cpu], APIC_ICR_NMI | APIC_ICR_ASSERT);
}

uint32_t apic_id_of(unsigned int cpu)
{
	return apic_ids[cpu];
}

/*
 * Over 20 ms, best of three: each TMCCT read is bracketed by RDTSCs and
 * the window whose brackets are the tightest is taken, its reads placed
 * at their brackets' middles (a vCPU preempted at a read widens that
 * bracket instead of skewing the rate).
 */
uint64_t apic_timer_hz(void)
{
	uint64_t best = ~0ull, hz = 0;

	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | 0xff);
	for (int i = 0; i < 3; i++) {
		uint64_t ta, tb, tc, td, c0, c1;

		apic_write(APIC_TMICT, 0xffffffff);
		ta = rdtsc();
		c0 = apic_read(APIC_TMCCT);
		tb = rdtsc();
		wait_for(false, 20000000);
		tc = rdtsc();
		c1 = apic_read(APIC_TMCCT);
		td = rdtsc();
		if (tb - ta + td - tc < best && tc + td > ta + tb) {
			best = tb - ta + td - tc;
			hz = (c0 - c1) * tsc_hz() * 2 / (tc + td - ta - tb);
		}
	}
	apic_write(APIC_TMICT, 0);
	return hz;
}
