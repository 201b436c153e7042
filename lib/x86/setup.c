/*
 * x86_64 C entry from x86/cstart64.S: per-CPU data, descriptor tables,
 * memory and command line from the multiboot info, COM1 console and
 * isa-debug-exit.
 */
#include <stdint.h>
#include "alloc.h"
#include "arch.h"
#include "desc.h"
#include "percpu.h"
#include "processor.h"
#include "start.h"
#include "vm.h"
#include "string.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define MAPPED_TOP (4ull << 30)	/* boot identity map */
#define MB_INFO_MEM (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

struct percpu cpus[MAX_CPUS];
extern char _end[], boot_stack_guard[];

struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm("mov %%gs:0, %0" : "=r"(p));
	return p;
}

void arch_console_write(const char *s, size_t n)
{
	asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(COM1) : "memory");
}

void arch_exit(int status)
{
	outl(DEBUG_EXIT_PORT, status);
	for (;;)	/* no isa-debug-exit device: stop here */
		asm volatile("cli; hlt");
}

static void percpu_init(unsigned int id)
{
	struct percpu *cpu = &cpus[id];

	cpu->self = cpu;
	cpu->id = id;
	wrmsr(MSR_GS_BASE, (uint64_t)cpu);
}

void x86_start(uint32_t mbi_addr)
{
	static char cmdline[4096];
	const struct multiboot_info *mbi = (void *)(uintptr_t)mbi_addr;
	uint64_t top = 1ull << 20;

	percpu_init(0);
	desc_init(0);
	/* The info and command line sit after _end: copy before allocating. */
	if (mbi->flags & MB_INFO_CMDLINE)
		strncpy(cmdline, (char *)(uintptr_t)mbi->cmdline, sizeof(cmdline) - 1);
	if (mbi->flags & MB_INFO_MEM)
		top += (uint64_t)mbi->mem_upper << 10;
	if (top > MAPPED_TOP)
		top = MAPPED_TOP;
	page_alloc_init((uintptr_t)_end, top);
	unmap_page(boot_stack_guard);
	smp_boot();
	vmunit_main(cmdline);
}
