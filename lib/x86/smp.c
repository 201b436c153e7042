/*
 * x86 CPU bring-up: the number of CPUs comes from the ACPI MADT (QEMU and
 * Bochs firmware both build one); all other CPUs are started at once with
 * a broadcast INIT-SIPI-SIPI (x86/trampoline.S) and enter the common idle
 * loop.
 */
#include "acpi.h"
#include "arch.h"
#include "alloc.h"
#include "apic.h"
#include "desc.h"
#include "panic.h"
#include "percpu.h"
#include "processor.h"
#include "smp.h"
#include "string.h"

#define AP_TRAMP 0x8000
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_SIPI (6u << 8)
#define STACK_ORDER 2

extern char ap_tramp[], ap_tramp_end[], ap_gdtr[];
extern uint32_t ap_cr3, ap_cr4, ap_efer;
extern uint64_t gdt[];
unsigned int ap_ticket = 1;
uint64_t ap_stacks[MAX_CPUS];

void ap_main(unsigned int id);

static void send_ipi(uint32_t icr)
{
	apic_write(APIC_ICR, icr);
	while (apic_read(APIC_ICR) & APIC_ICR_BUSY)
		;
}

void ap_main(unsigned int id)
{
	struct percpu *cpu = &cpus[id];

	cpu->self = cpu;
	cpu->id = id;
	wrmsr(MSR_GS_BASE, (uint64_t)cpu);
	desc_init(id);
	smp_secondary_idle();
}

/* Spin about n microseconds' worth of port I/O (each access ~1 us). */
static void io_delay(unsigned int n)
{
	while (n--)
		asm volatile("outb %%al, $0x80" : : "a"(0));
}

void smp_boot(void)
{
	unsigned int n = acpi_cpu_count();
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr = { TSS_SEL + 8 * 2 * MAX_CPUS - 1, (uint32_t)(uintptr_t)gdt };

	if (n <= 1)		/* one CPU, or no MADT */
		return;
	if (n > MAX_CPUS)
		panic("the MADT lists %u CPUs, more than %d", n, MAX_CPUS);
	for (unsigned int i = 1; i < n; i++)
		ap_stacks[i] = (uint64_t)alloc_pages(STACK_ORDER) + (PAGE_SIZE << STACK_ORDER);
	ap_cr3 = read_cr3();
	ap_cr4 = read_cr4();
	ap_efer = rdmsr(MSR_EFER) & ~X86_EFER_LMA;
	memcpy(ap_gdtr, &gdtr, sizeof(gdtr));
	memcpy((void *)AP_TRAMP, ap_tramp, ap_tramp_end - ap_tramp);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	send_ipi(ICR_ALL_BUT_SELF | ICR_LEVEL_ASSERT | ICR_INIT);
	io_delay(10000);
	for (int i = 0; i < 2; i++) {
		send_ipi(ICR_ALL_BUT_SELF | ICR_SIPI | AP_TRAMP >> 12);
		io_delay(200);
	}
	for (unsigned int i = 1; i < n; i++)
		while (!__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			cpu_relax();
	smp_set_nr_cpus(n);
}
