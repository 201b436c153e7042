/*
 * arm64 CPU bring-up: the CPUs of the device tree's /cpus node are started
 * with PSCI CPU_ON at boot and enter the common idle loop (lib/smp.c).
 */
#include <libfdt.h>
#include "alloc.h"
#include "panic.h"
#include "percpu.h"
#include "processor.h"
#include "psci.h"
#include "smp.h"

#define STACK_ORDER 2		/* 16 KiB */
#define EXC_STACK_ORDER 1	/* 8 KiB */

/* Read by secondary_entry with the MMU off: offsets fixed by cstart64.S. */
struct secondary_boot {
	uint64_t ttbr0, tcr, mair, sctlr, vbar, sp, exc_sp, percpu;
	uint64_t stay_el2;	/* started at EL2: stay there (VHE) like the boot CPU */
};

extern char secondary_entry[];

void secondary_main(void);
void secondary_main(void)
{
	smp_secondary_idle();
}

/* MPIDR affinity fields in the layout of a device tree cpu node's reg. */
static uint64_t mpidr_aff(uint64_t mpidr)
{
	return mpidr & 0xff00ffffffull;
}

static void start_cpu(unsigned int id, uint64_t mpidr)
{
	struct secondary_boot *b = alloc_page();
	int64_t ret;

	*b = (struct secondary_boot){
		.ttbr0 = read_sysreg(ttbr0_el1), .tcr = read_sysreg(tcr_el1),
		.mair = read_sysreg(mair_el1), .sctlr = read_sysreg(sctlr_el1),
		.vbar = read_sysreg(vbar_el1),
		.sp = (uint64_t)alloc_pages(STACK_ORDER) + (PAGE_SIZE << STACK_ORDER),
		.exc_sp = (uint64_t)alloc_pages(EXC_STACK_ORDER) + (PAGE_SIZE << EXC_STACK_ORDER),
		.percpu = (uint64_t)&cpus[id],
		.stay_el2 = current_el() == 2,
	};
	cpus[id].self = &cpus[id];
	cpus[id].id = id;
	/* The new CPU reads *b and the percpu data with its caches off. */
	for (uintptr_t p = (uintptr_t)b; p < (uintptr_t)(b + 1); p += 64)
		asm volatile("dc civac, %0" : : "r"(p) : "memory");
	asm volatile("dc civac, %0" : : "r"(&cpus[id]) : "memory");
	dsb(sy);
	ret = psci_call(PSCI_CPU_ON, mpidr, (uint64_t)secondary_entry, (uint64_t)b);
	if (ret)
		panic("PSCI CPU_ON of cpu %u (MPIDR %#lx) failed: %ld", id, mpidr, ret);
	while (!__atomic_load_n(&cpus[id].online, __ATOMIC_ACQUIRE))
		;
}

void smp_boot(const void *fdt)
{
	uint64_t self = mpidr_aff(read_sysreg(mpidr_el1));
	int cpus_node = fdt_path_offset(fdt, "/cpus"), node;
	unsigned int n = 1;

	fdt_for_each_subnode(node, fdt, cpus_node) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", NULL);
		uint64_t mpidr;

		if (!type || strcmp(type, "cpu") || !reg)
			continue;
		mpidr = fdt_address_cells(fdt, cpus_node) == 2
				? (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
				: fdt32_to_cpu(reg[0]);
		if (mpidr_aff(mpidr) == self)
			continue;
		if (n == MAX_CPUS)
			panic("more than %d CPUs", MAX_CPUS);
		start_cpu(n++, mpidr);
	}
	smp_set_nr_cpus(n);
}
