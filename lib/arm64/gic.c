/* GICv3 driver: SGIs, PPIs and LPI dispatch (IHI 0069, chapters 9 and 12). */
#include "devtree.h"
#include "gic.h"
#include "mmio.h"
#include "panic.h"
#include "percpu.h"
#include "processor.h"
#include "smp.h"

#define GICD_CTLR		0x0000
#define GICD_CTLR_ARE		(1u << 4)
#define GICD_CTLR_GRP1		(1u << 1)
#define GICD_CTLR_RWP		(1u << 31)
#define GICR_STRIDE		0x20000
#define GICR_TYPER		0x0008
#define GICR_TYPER_LAST		(1ull << 4)
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	(1u << 1)
#define GICR_WAKER_ASLEEP	(1u << 2)
#define GICR_SGI		0x10000	/* SGI_base frame */
#define GICR_IGROUPR0		(GICR_SGI + 0x080)
#define GICR_ISENABLER0		(GICR_SGI + 0x100)
#define GICR_ICENABLER0		(GICR_SGI + 0x180)
#define GICR_ISPENDR0		(GICR_SGI + 0x200)
#define GICR_ISACTIVER0		(GICR_SGI + 0x300)
#define GICR_IPRIORITYR		(GICR_SGI + 0x400)
#define DEFAULT_PRIORITY	0xa0

#define ICC_PMR_EL1	s3_0_c4_c6_0
#define ICC_IAR1_EL1	s3_0_c12_c12_0
#define ICC_EOIR1_EL1	s3_0_c12_c12_1
#define ICC_BPR1_EL1	s3_0_c12_c12_3
#define ICC_SRE_EL1	s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1	s3_0_c12_c12_7
#define ICC_SGI1R_EL1	s3_0_c12_c11_5

static uintptr_t gicd, gicr_base, gits;
static uintptr_t gicr[MAX_CPUS];
static uint64_t mpidr_of[MAX_CPUS];
static irq_handler_t handlers[32], lpi_handler;

static uintptr_t my_gicr(void)
{
	return gicr[smp_id()];
}

/* The redistributor frame whose GICR_TYPER affinity is this CPU's. */
static uintptr_t find_gicr(uint64_t mpidr)
{
	uint32_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	for (uintptr_t r = gicr_base;; r += GICR_STRIDE) {
		uint64_t typer = mmio_read64(r + GICR_TYPER);

		if ((typer >> 32) == aff)
			return r;
		if (typer & GICR_TYPER_LAST)
			panic("no redistributor for MPIDR %#lx", mpidr);
	}
}

void gic_cpu_init(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uintptr_t r = find_gicr(mpidr);

	gicr[smp_id()] = r;
	mpidr_of[smp_id()] = mpidr;
	mmio_write32(r + GICR_WAKER, mmio_read32(r + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (mmio_read32(r + GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	mmio_write32(r + GICR_IGROUPR0, ~0u);		/* SGIs and PPIs: group 1 */
	mmio_write32(r + GICR_ICENABLER0, ~0u);		/* all disabled until asked */
	for (unsigned int i = 0; i < 32; i++)
		mmio_write8(r + GICR_IPRIORITYR + i, DEFAULT_PRIORITY);
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_BPR1_EL1, 0);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
}

static void gic_cpu_init_fn(void *arg)
{
	gic_cpu_init();
}

bool gic_init(void)
{
	gicd = dt_reg_by_compatible("arm,gic-v3");
	gicr_base = dt_reg_by_compatible_index("arm,gic-v3", 1);
	if (!gicd || !gicr_base)
		return false;
	gits = dt_reg_by_compatible("arm,gic-v3-its");
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
	on_cpus(gic_cpu_init_fn, NULL);
	return true;
}

uintptr_t gic_dist_base(void)
{
	return gicd;
}

uintptr_t gic_redist_base(void)
{
	return my_gicr();
}

uintptr_t gic_redist_of(unsigned int cpu)
{
	return gicr[cpu];
}

uintptr_t gic_its_base(void)
{
	return gits;
}

void gic_set_handler(unsigned int intid, irq_handler_t h)
{
	assert(intid < 32);
	handlers[intid] = h;
}

void gic_set_lpi_handler(irq_handler_t h)
{
	lpi_handler = h;
}

void gic_enable(unsigned int intid, bool on)
{
	mmio_write32(my_gicr() + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), 1u << intid);
}

void gic_set_priority(unsigned int intid, uint8_t prio)
{
	mmio_write8(my_gicr() + GICR_IPRIORITYR + intid, prio);
}

bool gic_pending(unsigned int intid)
{
	return mmio_read32(my_gicr() + GICR_ISPENDR0) >> intid & 1;
}

bool gic_active(unsigned int intid)
{
	return mmio_read32(my_gicr() + GICR_ISACTIVER0) >> intid & 1;
}

void gic_set_pmr(uint8_t pmr)
{
	write_sysreg(ICC_PMR_EL1, pmr);
	isb();
}

void gic_send_sgi(unsigned int cpu, unsigned int intid)
{
	uint64_t m = mpidr_of[cpu];
	uint64_t v = (uint64_t)intid << 24 | 1ull << (m & 0xf) |
		     ((m >> 8) & 0xff) << 16 | ((m >> 16) & 0xff) << 32 |
		     ((m >> 32) & 0xff) << 48;

	dsb(ishst);
	write_sysreg(ICC_SGI1R_EL1, v);
	isb();
}

int gic_handle_irq(void)
{
	uint64_t iar = read_sysreg(ICC_IAR1_EL1);
	unsigned int intid = iar & 0xffffff;
	irq_handler_t h = intid < 32 ? handlers[intid] : intid >= GIC_LPI_BASE ? lpi_handler : NULL;

	if (intid == GIC_SPURIOUS)
		return -1;
	if (h)
		h(intid);
	write_sysreg(ICC_EOIR1_EL1, iar);
	isb();
	return h ? -1 : (int)intid;
}
