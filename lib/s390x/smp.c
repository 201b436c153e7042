/*
 * s390x CPU bring-up.  The configured CPUs' addresses come from SCLP Read
 * SCP Info (sclp_cpu_addresses()); every CPU but the boot CPU starts
 * stopped.  Each gets an 8 KiB prefix area (its own lowcore: new PSWs,
 * this_cpu() pointer, interruption stack) and two STACK_SIZE stacks aligned
 * to their size, so the prologues' stack-guard check works as on the boot
 * CPU; SIGP SET PREFIX installs the prefix area and SIGP RESTART loads its
 * restart new PSW, which points at secondary_entry (s390x/cstart64.S)
 * until the CPU runs C and puts the library's restart handler back.
 */
#include "alloc.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "processor.h"
#include "sclp.h"
#include "sigp.h"
#include "smp.h"
#include "string.h"
#include "tod.h"

#define STACK_ORDER (__builtin_ctzl(STACK_SIZE / PAGE_SIZE))
#define PREFIX_ORDER 1		/* 8 KiB */
#define LC_RESTART_NEW_PSW (LC_NEW_PSWS + 16 * INT_RESTART)

_Static_assert(PAGE_SIZE << STACK_ORDER == STACK_SIZE, "stacks are whole page blocks");
_Static_assert(SMP_CPU_BYTES == (PAGE_SIZE << PREFIX_ORDER) + 2 * STACK_SIZE, "sigp.h");

extern char secondary_entry[];
void secondary_main(void);

static uint16_t addrs[MAX_CPUS];
static unsigned int started;	/* CPUs in addrs[] that run or ran */
static uint64_t boot_cr0;
static struct psw restart_new_psw;

/* A lowcore field of this CPU (real address off), hidden from gcc's null checks. */
static void *lowcore(uintptr_t off)
{
	void *p;

	asm("" : "=a"(p) : "0"(off));
	return p;
}

int sigp(uint16_t addr, uint8_t order, uint64_t param, uint32_t *status)
{
	register uint64_t r0 asm("0") = 0;	/* status, with cc 1 */
	register uint64_t r1 asm("1") = param;
	int cc;

	asm volatile("sigp %1, %3, 0(%4)\n\t"
		     "ipm %0\n\t"
		     "srl %0, 28"
		     : "=d"(cc), "+d"(r0)
		     : "d"(r1), "d"((uint64_t)addr), "a"((uint64_t)order)
		     : "cc", "memory");
	if (status && cc == SIGP_CC_STATUS)
		*status = r0;
	return cc;
}

int sigp_retry(uint16_t addr, uint8_t order, uint64_t param, uint32_t *status)
{
	int cc;

	while ((cc = sigp(addr, order, param, status)) == SIGP_CC_BUSY)
		;
	return cc;
}

uint16_t cpu_address(unsigned int id)
{
	assert(id < nr_cpus());
	return addrs[id];
}

bool cpu_stopped(uint16_t addr)
{
	uint32_t status = 0;

	return sigp(addr, SIGP_SENSE, 0, &status) == SIGP_CC_STATUS &&
	       (status & SIGP_STATUS_STOPPED);
}

/* A stop takes effect later; after a second without it, say so and go on. */
void cpu_stop(uint16_t addr)
{
	uint64_t end = tod_now() + 1000000 * TOD_USEC;

	if (sigp_retry(addr, SIGP_STOP, 0, NULL) == SIGP_CC_NOT_OPERATIONAL)
		return;
	while (!cpu_stopped(addr))
		if (tod_now() > end) {
			printf("ERROR: CPU %#x is not stopped 1 s after SIGP STOP (SENSE)\n", addr);
			return;
		}
}

void secondary_main(void)
{
	lctlg(0, boot_cr0);
	*(struct psw *)lowcore(LC_RESTART_NEW_PSW) = restart_new_psw;
	smp_secondary_idle();
}

static uint64_t stack_top(void)
{
	char *stack = alloc_pages(STACK_ORDER);

	assert(stack && !((uintptr_t)stack & (STACK_SIZE - 1)));
	return (uint64_t)stack + STACK_SIZE;
}

static void start_cpu(unsigned int id, uint16_t addr)
{
	char *lc = alloc_pages(PREFIX_ORDER);
	uint32_t status = 0;
	int cc;

	/* SET PREFIX takes a 31-bit address. */
	assert(lc && (uintptr_t)lc < (1ul << 31));
	memcpy(lc + LC_NEW_PSWS, lowcore(LC_NEW_PSWS), 16 * INT_NR);
	*(struct psw *)(lc + LC_RESTART_NEW_PSW) =
		(struct psw){ PSW_64BIT, (uint64_t)secondary_entry };
	*(uint64_t *)(lc + LC_PERCPU) = (uint64_t)&cpus[id];
	*(uint64_t *)(lc + LC_INT_STACK) = stack_top();
	*(uint64_t *)(lc + LC_START_STACK) = stack_top();
	cpus[id].self = &cpus[id];
	cpus[id].id = id;
	addrs[id] = addr;
	cc = sigp_retry(addr, SIGP_SET_PREFIX, (uintptr_t)lc, &status);
	if (!cc) {
		started = id + 1;
		cc = sigp_retry(addr, SIGP_RESTART, 0, &status);
	}
	if (cc)
		panic("starting CPU address %u: SIGP cc %d, status %#x", addr, cc, status);
	while (!__atomic_load_n(&cpus[id].online, __ATOMIC_ACQUIRE))
		;
}

void smp_boot(void)
{
	uint16_t sclp[MAX_CPUS];
	unsigned int n = sclp_cpu_addresses(sclp, MAX_CPUS), id = 1;

	addrs[0] = stap();
	started = 1;
	boot_cr0 = stctg(0);
	restart_new_psw = *(struct psw *)lowcore(LC_RESTART_NEW_PSW);
	for (unsigned int i = 0; i < n; i++) {
		if (sclp[i] == addrs[0])
			continue;
		if (id == MAX_CPUS)
			panic("more than %d CPUs", MAX_CPUS);
		start_cpu(id++, sclp[i]);
	}
	smp_set_nr_cpus(id);
}

/*
 * QEMU ends the run when the last operating CPU enters a disabled wait, so
 * every other CPU must be stopped first.  The first CPU here does it; any
 * other one waits to be stopped.
 */
void smp_stop_others(void)
{
	static int ending;
	uint16_t self = stap();

	if (__atomic_exchange_n(&ending, 1, __ATOMIC_ACQ_REL))
		for (;;)
			;
	for (unsigned int i = 0; i < started; i++)
		if (addrs[i] != self)
			cpu_stop(addrs[i]);
}
