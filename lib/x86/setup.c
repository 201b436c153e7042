/*
 * x86_64 C entry from x86/cstart64.S: per-CPU data, descriptor tables,
 * memory and command line from the multiboot info (QEMU's loader,
 * x86/loader/bootsect.S on Bochs, lib/efi/ under UEFI), the COM1 console (8N1, each byte after
 * LSR.THRE: Bochs drops bytes otherwise) and the exit: isa-debug-exit on
 * QEMU, then Bochs's shutdown port (its exit status is always 1: the EXIT
 * line carries the status).
 */
#include <stdint.h>
#include "alloc.h"
#include "arch.h"
#include "desc.h"
#include "multiboot.h"
#include "percpu.h"
#include "processor.h"
#include "sev.h"
#include "start.h"
#include "vm.h"
#include "string.h"

#define COM1 0x3f8
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define MAPPED_TOP (4ull << 30)	/* boot identity map */

struct percpu cpus[MAX_CPUS];
extern char _end[], boot_stack_guard[];
static uint64_t ram_bytes;

uint64_t arch_ram_bytes(void)
{
	return ram_bytes;
}

#define MAX_REGIONS 32

struct region {
	uint64_t base, top;
};

/*
 * RAM as the memory map says: the first MiB, whatever it holds, plus the
 * available regions above it (above 4 GiB too, which mem_upper omits);
 * those within the boot identity map go to *free (at most MAX_REGIONS).
 */
static uint64_t mmap_ram(const struct multiboot_info *mbi, struct region *free, unsigned int *n)
{
	uintptr_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
	uint64_t ram = 1ull << 20;

	while (p < end) {
		const struct multiboot_mmap *e = (const void *)p;

		if (e->type == MB_AVAILABLE && e->base >= 1ull << 20) {
			ram += e->length;
			if (*n < MAX_REGIONS && e->base < MAPPED_TOP)
				free[(*n)++] = (struct region){ e->base, e->base + e->length };
		}
		p += e->size + sizeof(e->size);
	}
	return ram;
}

/*
 * The regions above the payload to the allocator, the one it ends in last
 * (used first): the multiboot info and memory map, after _end, are read
 * by then.  Without a map, mem_upper's run from 1 MiB.
 */
static void alloc_init(const struct region *free, unsigned int n, uint64_t top)
{
	uint64_t end = (uintptr_t)_end;

	for (unsigned int i = 0; i < n; i++)
		if (free[i].base > end)
			page_alloc_init(free[i].base,
					free[i].top < MAPPED_TOP ? free[i].top : MAPPED_TOP);
	for (unsigned int i = 0; i < n; i++)
		if (free[i].base <= end && free[i].top > end)
			top = free[i].top;
	page_alloc_init(end, top < MAPPED_TOP ? top : MAPPED_TOP);
}

struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* 115200 baud (divisor 1), 8 data bits, no parity, 1 stop bit. */
static void console_init(void)
{
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
}

void arch_console_write(const char *s, size_t n)
{
	while (n--) {
		while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
			;
		outb(COM1, *s++);
	}
}

int arch_console_getc(void)
{
	return inb(COM1 + UART_LSR) & UART_LSR_DR ? inb(COM1) : -1;
}

void arch_exit(int status)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_TEMT))	/* the last byte out */
		;
	outl(DEBUG_EXIT_PORT, status);
	for (const char *p = "Shutdown"; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, *p);
	for (;;)	/* neither device: stop here */
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
	struct region free[MAX_REGIONS];
	unsigned int n = 0;

	percpu_init(0);
	desc_init(0);
	/* The info and command line sit after _end: copy before allocating. */
	if (mbi->flags & MB_INFO_CMDLINE)
		strncpy(cmdline, (char *)(uintptr_t)mbi->cmdline, sizeof(cmdline) - 1);
	if (mbi->flags & MB_INFO_MEM)
		top += (uint64_t)mbi->mem_upper << 10;
	ram_bytes = mbi->flags & MB_INFO_MEM_MAP ? mmap_ram(mbi, free, &n) : top;
	alloc_init(free, n, top);
	/* Under SEV-ES port I/O is a #VC: its handler before the first. */
	sev_es_init();
	console_init();
	/* Interrupts come through the LAPIC: the firmware's 8259s (the Bochs
	 * BIOS's with IRQ0 unmasked at vector 8, the #DF vector) masked. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	unmap_page(boot_stack_guard);
	smp_boot();
	vmunit_main(cmdline);
}
