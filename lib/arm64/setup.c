/*
 * arm64 C entry from arm/cstart64.S: per-CPU data, device tree, memory,
 * page tables, PL011 console, PSCI for power off, command line.  Booted at
 * EL2 (in VHE host mode by then), the payload stays there when its command
 * line has the word "el2", and otherwise continues at EL1.
 */
#include <stdint.h>
#include "alloc.h"
#include "arch.h"
#include "devtree.h"
#include "mmio.h"
#include "panic.h"
#include "percpu.h"
#include "pgtable.h"
#include "processor.h"
#include "psci.h"
#include "report.h"
#include "smp.h"
#include "start.h"
#include "string.h"

#define HCR_E2H (1ul << 34)
#define VIRT_RAM_BASE 0x40000000ul	/* QEMU virt puts the DTB here for an ELF */
#define VIRT_UART 0x09000000ul		/* until the device tree says otherwise */
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define UART_FR_RXFE (1u << 4)

struct percpu cpus[MAX_CPUS];
extern char _end[], boot_stack_guard[];
void el2_vhe_to_el1(void);
void el2_vhe_to_nvhe(uint64_t *root);
void el2_stub_to_nvhe(uint64_t *root);
void el2_stub_panic(uint64_t esr, uint64_t elr);
extern uint64_t boot_sre_esr;	/* ESR_EL2 | 1 << 63 of an UNDEFINED ICC_SRE_EL2, or 0 */
static uintptr_t uart = VIRT_UART;

struct percpu *this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el1);
}

void arch_console_write(const char *s, size_t n)
{
	while (n--) {
		while (mmio_read32(uart + UART_FR) & UART_FR_TXFF)
			;
		mmio_write32(uart + UART_DR, *s++);
	}
}

int arch_console_getc(void)
{
	return mmio_read32(uart + UART_FR) & UART_FR_RXFE ? -1 :
	       (int)(mmio_read32(uart + UART_DR) & 0xff);
}

void arch_exit(int status)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		asm volatile("wfi");
}

/* QEMU's -cpu max reports implementer 0 (reserved for software models). */
bool arch_is_tcg(void)
{
	return (read_sysreg(midr_el1) >> 24) == 0;
}

/* Whether the space-separated list s holds word. */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; (p = strstr(p, word)); p += n)
		if ((p == s || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static unsigned int entry_el;

unsigned int boot_el(void)
{
	return entry_el;
}

/* An exception taken to the EL2 boot stub other than its own HVC. */
void el2_stub_panic(uint64_t esr, uint64_t elr)
{
	panic("unexpected exception to the EL2 boot stub: ESR_EL2 %#lx, ELR_EL2 %#lx", esr, elr);
}

/*
 * Why EL2 cannot be had for "el2" (vhe) or "el2-nvhe", naming the gate, or
 * NULL.  Entered at EL2 without VHE we run at EL1 over the boot stub.
 */
static const char *el2_gate(bool vhe)
{
	if (!ID_FIELD(read_sysreg(id_aa64pfr0_el1), 8))
		return "ID_AA64PFR0_EL1.EL2 is 0 (QEMU: -machine virtualization=on)";
	if (entry_el < 2)
		return "entered at EL1 (QEMU: -machine virtualization=on)";
	if (vhe && !ID_FIELD(read_sysreg(id_aa64mmfr1_el1), 8))
		return "ID_AA64MMFR1_EL1.VH is 0 (no VHE)";
	return NULL;
}

/* An EL2 entry on a CPU or machine without it: SKIP, and that is all. */
static void require_el2(const char *word, bool vhe)
{
	const char *gate = el2_gate(vhe);

	if (gate) {
		report_skip("boot: \"%s\" needs EL2: %s", word, gate);
		report_exit();
	}
}

/*
 * Booted at EL2 we are in VHE host mode, or at EL1 over the boot stub
 * without VHE: stay in VHE ("el2"), go to EL2 with E2H clear ("el2-nvhe"),
 * or continue at EL1.  Staying is a checked promise.
 */
static void choose_el(const char *cmdline, uint64_t base, uint64_t size)
{
	bool at_el2 = current_el() == 2;

	if (has_word(cmdline, "el2-nvhe")) {
		require_el2("el2-nvhe", false);
		pgtable_use_el2_format();
		if (at_el2)
			el2_vhe_to_nvhe(mmu_init(base, size));
		else
			el2_stub_to_nvhe(mmu_init(base, size));
		report(current_el() == 2 && !(read_sysreg(hcr_el2) & HCR_E2H),
		       "boot: the payload stays at EL2 with HCR_EL2.E2H clear, as \"el2-nvhe\" "
		       "asks (EL%u, entered from %s)", current_el(), at_el2 ? "VHE" : "EL1");
	} else if (has_word(cmdline, "el2")) {
		require_el2("el2", true);
		report(at_el2 && (read_sysreg(hcr_el2) & HCR_E2H),
		       "boot: the payload stays at EL2 with HCR_EL2.E2H, as \"el2\" asks (EL%u)",
		       current_el());
	} else if (at_el2) {
		el2_vhe_to_el1();
		flush_tlb();
	}
}

static void percpu_init(unsigned int id)
{
	cpus[id].self = &cpus[id];
	cpus[id].id = id;
	write_sysreg(tpidr_el1, &cpus[id]);
}

static uint64_t ram_bytes;

uint64_t arch_ram_bytes(void)
{
	return ram_bytes;
}

void arm64_start(const void *fdt, uint64_t el)
{
	static char cmdline[4096];
	uint64_t base, size, u;
	const char *args;

	entry_el = el;
	percpu_init(0);
	if (!dt_init(fdt ? fdt : (const void *)VIRT_RAM_BASE))
		panic("no valid device tree at x0 or %#lx", VIRT_RAM_BASE);
	u = dt_reg_by_compatible("arm,pl011");
	if (u)
		uart = u;
	psci_init();
	if (boot_sre_esr)	/* cstart64.S: the ID register and the GIC disagree */
		panic("ID_AA64PFR0_EL1.GIC is %lu (GIC system registers) but ICC_SRE_EL2 is "
		      "UNDEFINED (ESR_EL2 %#lx); the device tree's GIC: %s",
		      ID_FIELD(read_sysreg(id_aa64pfr0_el1), 24), boot_sre_esr & ~(1ul << 63),
		      dt_reg_by_compatible("arm,gic-v3") ? "arm,gic-v3" : "not arm,gic-v3");
	if (!dt_memory(&base, &size))
		panic("no /memory node in the device tree");
	ram_bytes = size;
	/* argv[0]: the DT has no payload name (x86 multiboot has one). */
	args = dt_string("/chosen", "bootargs");
	strcpy(cmdline, "payload ");
	if (args)
		strncpy(cmdline + 8, args, sizeof(cmdline) - 9);
	page_alloc_init((uintptr_t)_end, base + size);
	mmu_init(base, size);
	choose_el(cmdline, base, size);
	unmap_page(boot_stack_guard);
	if (!el2_nvhe())	/* secondaries only know EL1 and VHE */
		smp_boot(fdt ? fdt : (const void *)VIRT_RAM_BASE);
	vmunit_main(cmdline);
}
