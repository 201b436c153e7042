/*
 * GICv3: distributor, this CPU's redistributor and the ITS from the device
 * tree ("arm,gic-v3", "arm,gic-v3-its"), the CPU interface through ICC_*
 * system registers, and IRQ dispatch by INTID (LPIs: lib/arm64/its.h).  gic_init() runs on the boot CPU and, through
 * gic_cpu_init(), on every CPU that takes interrupts.  Handlers run with
 * IRQs masked, after the acknowledge and before the EOI.  The register
 * helpers act on the calling CPU's redistributor for SGIs and PPIs.
 */
#ifndef VMUNIT_ARM64_GIC_H
#define VMUNIT_ARM64_GIC_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_SGI(n)	(n)
#define GIC_PPI(n)	(16 + (n))
#define GIC_SPURIOUS	1023
#define GIC_LPI_BASE	8192

typedef void (*irq_handler_t)(unsigned int intid);

/* false when the device tree has no "arm,gic-v3" node. */
bool gic_init(void);
void gic_cpu_init(void);
/* MMIO bases: distributor, this CPU's redistributor, ITS (0 if none). */
uintptr_t gic_dist_base(void);
uintptr_t gic_redist_base(void);
uintptr_t gic_its_base(void);
/* The redistributor of a CPU that ran gic_cpu_init(). */
uintptr_t gic_redist_of(unsigned int cpu);
void gic_set_handler(unsigned int intid, irq_handler_t h);
/* One handler for every LPI (GIC_LPI_BASE and up). */
void gic_set_lpi_handler(irq_handler_t h);

/* SGIs and PPIs of the calling CPU. */
void gic_enable(unsigned int intid, bool on);
void gic_set_priority(unsigned int intid, uint8_t prio);
bool gic_pending(unsigned int intid);
bool gic_active(unsigned int intid);

void gic_send_sgi(unsigned int cpu, unsigned int intid);
void gic_set_pmr(uint8_t pmr);

/* For do_exception(): handle one IRQ; -1, or the INTID nobody handles. */
int gic_handle_irq(void);

static inline void irq_enable(void)
{
	asm volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("msr daifset, #2" : : : "memory");
}

#endif
