/*
 * s390x C entry from s390x/cstart64.S: per-CPU data in the lowcore, the
 * SCLP console, memory from Read SCP Info, the other CPUs (smp.c), the
 * command line QEMU copied to boot_cmdline, and the exit through a
 * disabled wait.
 */
#include <stdint.h>
#include "alloc.h"
#include "arch.h"
#include "panic.h"
#include "percpu.h"
#include "processor.h"
#include "sclp.h"
#include "sigp.h"
#include "start.h"
#include "string.h"
#include "sysinfo.h"

#define CMDLINE_SIZE 896	/* QEMU's limit for a Linux image, NUL included */
#define LOW_LIMIT (1ul << 31)	/* 31-bit addressable memory ends here */

struct percpu cpus[MAX_CPUS];
extern char _end[], boot_cmdline[];

struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm("lg %0, %1" : "=d"(p) : "i"(LC_PERCPU));
	return p;
}

void arch_console_write(const char *s, size_t n)
{
	sclp_console_write(s, n);
}

int arch_console_getc(void)
{
	return sclp_console_getc();
}

/*
 * QEMU ends the run when the last operating CPU enters a disabled wait
 * (the others are stopped first); the address 0xfff makes it a shutdown
 * rather than a guest crash.  The status is left in r2 for a debugger: the
 * EXIT line has already said it.
 */
/*
 * The wait address carries pass/fail to the host: QEMU exits 0 for the
 * shutdown address and, with -action panic=exit-failure (the runner's),
 * 1 for any other; the status itself is in r2 and on the EXIT line.
 */
void arch_exit(int status)
{
	static const struct psw ok = { PSW_WAIT | PSW_64BIT, PSW_ADDR_SHUTDOWN };
	static const struct psw failed = { PSW_WAIT | PSW_64BIT, PSW_ADDR_FAILED };
	register long r2 asm("2") = status;

	smp_stop_others();
	for (;;)
		asm volatile("lpswe %0" : : "Q"(*(status ? &failed : &ok)), "d"(r2) : "memory");
}

/* TCG: STSI 1.1.1 names the manufacturer "QEMU" (EBCDIC), KVM the host's. */
bool arch_is_tcg(void)
{
	static const uint8_t qemu[4] = { 0xd8, 0xc5, 0xd4, 0xe4 };
	static uint8_t sysib[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

	return !stsi(sysib, 1, 1, 1) &&
	       !memcmp(sysib + SYSIB111_MANUFACTURER, qemu, sizeof(qemu));
}

static void percpu_init(unsigned int id)
{
	struct percpu *cpu = &cpus[id];

	cpu->self = cpu;
	cpu->id = id;
	asm volatile("stg %0, %1" : : "d"(cpu), "i"(LC_PERCPU) : "memory");
}

uint64_t arch_ram_bytes(void)
{
	return sclp_memory_size();
}

void s390x_start(void);
void s390x_start(void)
{
	static char cmdline[CMDLINE_SIZE + 8];
	uint64_t mem;

	percpu_init(0);
	lctlg(0, stctg(0) | CR0_AFP);
	sclp_init();
	mem = sclp_memory_size();
	if (!mem)
		panic("SCLP Read SCP Info gave no memory size");
	/*
	 * Memory above 2 GiB is a region of its own, registered last so that
	 * the page allocator hands it out first: what the channel subsystem
	 * must reach below 2 GiB comes from lib/s390x/dma31.h, never by luck.
	 * The other CPUs' prefix areas are allocated before it: the prefix
	 * register holds a 31-bit address.
	 */
	page_alloc_init((uintptr_t)_end, mem < LOW_LIMIT ? mem : LOW_LIMIT);
	smp_boot();
	if (mem > LOW_LIMIT)
		page_alloc_init(LOW_LIMIT, mem);
	/* argv[0]: QEMU passes no payload name. */
	strcpy(cmdline, "payload ");
	strncpy(cmdline + 8, boot_cmdline, CMDLINE_SIZE - 1);
	vmunit_main(cmdline);
}
