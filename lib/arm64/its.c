/* GICv3 ITS driver: tables, command queue, LPI configuration (lib/arm64/its.h). */
#include "alloc.h"
#include "mmio.h"
#include "panic.h"
#include "percpu.h"
#include "gic.h"
#include "its.h"
#include "processor.h"
#include "report.h"
#include "smp.h"
#include "string.h"

#define GITS_CTLR		0x0000
#define GITS_CTLR_ENABLED	(1u << 0)
#define GITS_CTLR_QUIESCENT	(1u << 31)
#define GITS_TYPER		0x0008
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_CREADR_STALLED	(1u << 0)
#define GITS_BASER(n)		(0x0100 + 8 * (n))
#define GITS_TRANSLATER		0x10040		/* in the translation frame */

#define TYPER_ITT_ENTRY(t)	((((t) >> 4) & 0xf) + 1)
#define TYPER_DEVBITS(t)	((((t) >> 13) & 0x1f) + 1)
#define TYPER_PTA		(1ull << 19)

#define BASER_VALID		(1ull << 63)
#define BASER_TYPE(b)		(((b) >> 56) & 7)
#define BASER_ENTRY_SIZE(b)	((((b) >> 48) & 0x1f) + 1)
#define BASER_PAGE_SIZE(b)	(((b) >> 8) & 3)
#define BASER_TYPE_DEVICES	1
#define BASER_TYPE_COLLECTIONS	4
/* Normal inner write-back read/write-allocate, inner shareable. */
#define CACHE_WB(shift)		(7ull << (shift))
#define SH_INNER		(1ull << 10)
#define SH_MASK			(3ull << 10)

#define GICD_TYPER		0x0004
#define GICD_TYPER_LPIS		(1u << 17)
#define GICD_TYPER_IDBITS(t)	((((t) >> 19) & 0x1f) + 1)
#define GICR_CTLR		0x0000
#define GICR_CTLR_ENABLE_LPIS	(1u << 0)
#define GICR_TYPER		0x0008
#define GICR_TYPER_PLPIS	(1ull << 0)
#define GICR_PROPBASER		0x0070
#define GICR_PENDBASER		0x0078
#define PENDBASER_PTZ		(1ull << 62)

#define LPI_IDBITS		14	/* INTIDs below 2^14: ITS_NR_LPIS LPIs */
#define LPI_PRIORITY		0xa0
#define LPI_ENABLE		1
#define CMDQ_ORDER		4	/* 64 KiB: 2048 commands */
#define CMDQ_BYTES		(PAGE_SIZE << CMDQ_ORDER)
#define CMD_TIMEOUT_MS		1000

static uintptr_t its;
static uint64_t typer;
static struct its_cmd *cmdq;
static uint64_t cwriter;
static bool broken;
static uint8_t *prop;
static void *pend[MAX_CPUS];
static void *itt[ITS_MAX_DEVICES];

/*
 * A flat table for a GITS_BASER<n> of type Devices or Collections, in 4K
 * pages where the register takes them (else its fixed page size); false if
 * the ITS keeps it non-shareable (this driver does no cache maintenance).
 */
static bool setup_baser(unsigned int n, uint64_t baser)
{
	unsigned int type = BASER_TYPE(baser);
	uint64_t entries = type == BASER_TYPE_DEVICES ? ITS_MAX_DEVICES : ITS_MAX_COLLECTIONS;
	uint64_t page, bytes, pages, want;
	unsigned int order = 0;

	mmio_write64(its + GITS_BASER(n), baser & ~(3ull << 8));	/* ask for 4K pages */
	page = 4096ull << (2 * BASER_PAGE_SIZE(mmio_read64(its + GITS_BASER(n))));
	bytes = entries * BASER_ENTRY_SIZE(baser);
	pages = (bytes + page - 1) / page;
	while ((PAGE_SIZE << order) < pages * page)
		order++;
	want = (uint64_t)alloc_pages(order) | BASER_VALID | CACHE_WB(59) | SH_INNER |
	       (baser & (7ull << 56)) | (BASER_PAGE_SIZE(mmio_read64(its + GITS_BASER(n))) << 8) |
	       (pages - 1);
	mmio_write64(its + GITS_BASER(n), want);
	return (mmio_read64(its + GITS_BASER(n)) & SH_MASK) == SH_INNER;
}

const char *its_init(void)
{
	uint32_t dtyper = mmio_read32(gic_dist_base() + GICD_TYPER);
	uint64_t v;

	its = gic_its_base();
	if (!its)
		return "no ITS: device tree has no \"arm,gic-v3-its\" (QEMU virt: its=on)";
	if (!(dtyper & GICD_TYPER_LPIS) ||
	    !(mmio_read64(gic_redist_base() + GICR_TYPER) & GICR_TYPER_PLPIS))
		return "no LPIs: GICD_TYPER.LPIS or GICR_TYPER.PLPIS is 0";
	if (GICD_TYPER_IDBITS(dtyper) < LPI_IDBITS)
		return "GICD_TYPER.IDbits below 14: fewer LPIs than the tests use";
	typer = mmio_read64(its + GITS_TYPER);
	if (TYPER_DEVBITS(typer) < 10)
		return "GITS_TYPER.Devbits below 10: fewer DeviceIDs than the tests use";
	mmio_write32(its + GITS_CTLR, 0);
	while (!(mmio_read32(its + GITS_CTLR) & GITS_CTLR_QUIESCENT))
		;
	for (unsigned int n = 0; n < 8; n++) {
		v = mmio_read64(its + GITS_BASER(n));
		if ((BASER_TYPE(v) == BASER_TYPE_DEVICES || BASER_TYPE(v) == BASER_TYPE_COLLECTIONS) &&
		    !setup_baser(n, v))
			return "GITS_BASER shareability reads back non-shareable: "
			       "this driver needs a coherent ITS";
	}
	cmdq = alloc_pages(CMDQ_ORDER);
	mmio_write64(its + GITS_CBASER, (uint64_t)cmdq | BASER_VALID | CACHE_WB(59) | SH_INNER |
				(CMDQ_BYTES / PAGE_SIZE - 1));
	if ((mmio_read64(its + GITS_CBASER) & SH_MASK) != SH_INNER)
		return "GITS_CBASER shareability reads back non-shareable: "
		       "this driver needs a coherent ITS";
	mmio_write64(its + GITS_CWRITER, 0);
	cwriter = 0;
	mmio_write32(its + GITS_CTLR, GITS_CTLR_ENABLED);

	prop = alloc_pages(1);		/* 2^14 - 8192 bytes, one byte per LPI */
	for (unsigned int i = 0; i < ITS_NR_LPIS; i++)
		prop[i] = LPI_PRIORITY;
	for (unsigned int cpu = 0; cpu < nr_cpus(); cpu++)
		pend[cpu] = alloc_pages(4);	/* 2^14 bits, 64 KiB aligned */
	dsb(ishst);
	return NULL;
}

void its_enable_lpis(void)
{
	uintptr_t r = gic_redist_base();

	mmio_write64(r + GICR_PROPBASER, (uint64_t)prop | CACHE_WB(7) | SH_INNER | (LPI_IDBITS - 1));
	mmio_write64(r + GICR_PENDBASER, (uint64_t)pend[smp_id()] | CACHE_WB(7) | SH_INNER | PENDBASER_PTZ);
	dsb(sy);
	mmio_write32(r + GICR_CTLR, mmio_read32(r + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
	dsb(sy);
}

void lpi_config(unsigned int intid, bool enable)
{
	prop[intid - GIC_LPI_BASE] = LPI_PRIORITY | (enable ? LPI_ENABLE : 0);
	dsb(ishst);
}

uint64_t its_rdbase(unsigned int cpu)
{
	uintptr_t r = gic_redist_of(cpu);

	if (typer & TYPER_PTA)
		return r >> 16;
	return (mmio_read64(r + GICR_TYPER) >> 8) & 0xffff;	/* Processor_Number */
}

static bool wait_creadr(uint64_t *creadr)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * CMD_TIMEOUT_MS / 1000;

	for (;;) {
		*creadr = mmio_read64(its + GITS_CREADR);
		if ((*creadr & ~0x1full) == cwriter || (*creadr & GITS_CREADR_STALLED))
			return true;
		if (read_sysreg(cntvct_el0) > end)
			return false;
	}
}

enum its_result its_send(const struct its_cmd *c)
{
	uint64_t creadr;

	cmdq[cwriter / sizeof(*c)] = *c;
	dsb(ishst);
	cwriter = (cwriter + sizeof(*c)) % CMDQ_BYTES;
	mmio_write64(its + GITS_CWRITER, cwriter);
	if (!wait_creadr(&creadr))
		return ITS_STUCK;
	return creadr & GITS_CREADR_STALLED ? ITS_STALLED : ITS_CONSUMED;
}

static bool send(uint64_t dw0, uint64_t dw1, uint64_t dw2, uint64_t dw3)
{
	static const char *const result[] = {
		[ITS_STALLED] = "GITS_CREADR.Stalled is set",
		[ITS_STUCK] = "GITS_CREADR did not move in 1 s",
	};
	enum its_result r;

	if (broken)
		return false;
	r = its_send(&(struct its_cmd){ { dw0, dw1, dw2, dw3 } });
	if (r == ITS_CONSUMED)
		return true;
	broken = true;
	report_fail("ITS: command %#lx not consumed (%#lx %#lx %#lx: %s; CREADR %#lx, "
		    "CWRITER %#lx)", dw0 & 0xff, dw1, dw2, dw3, result[r], mmio_read64(its + GITS_CREADR),
		    cwriter);
	return false;
}

#define DEV(op, dev) ((op) | (uint64_t)(dev) << 32)

bool its_mapd(uint32_t dev, unsigned int event_bits, bool valid)
{
	size_t bytes = TYPER_ITT_ENTRY(typer) << event_bits;

	assert(dev < ITS_MAX_DEVICES && event_bits >= 1);
	free(itt[dev]);
	itt[dev] = NULL;
	if (valid) {
		itt[dev] = memalign(256, bytes);
		assert(itt[dev]);
		memset(itt[dev], 0, bytes);
		dsb(ishst);
	}
	return send(DEV(ITS_MAPD, dev), event_bits - 1,
		    (uint64_t)itt[dev] | (uint64_t)valid << 63, 0);
}

bool its_mapc(uint16_t icid, unsigned int cpu, bool valid)
{
	return send(ITS_MAPC, 0, icid | its_rdbase(cpu) << 16 | (uint64_t)valid << 63, 0);
}

bool its_mapti(uint32_t dev, uint32_t event, unsigned int intid, uint16_t icid)
{
	return send(DEV(ITS_MAPTI, dev), event | (uint64_t)intid << 32, icid, 0);
}

bool its_mapi(uint32_t dev, uint32_t event, uint16_t icid)
{
	return send(DEV(ITS_MAPI, dev), event, icid, 0);
}

bool its_movi(uint32_t dev, uint32_t event, uint16_t icid)
{
	return send(DEV(ITS_MOVI, dev), event, icid, 0);
}

bool its_discard(uint32_t dev, uint32_t event)
{
	return send(DEV(ITS_DISCARD, dev), event, 0, 0);
}

bool its_int(uint32_t dev, uint32_t event)
{
	return send(DEV(ITS_INT, dev), event, 0, 0);
}

bool its_clear(uint32_t dev, uint32_t event)
{
	return send(DEV(ITS_CLEAR, dev), event, 0, 0);
}

bool its_inv(uint32_t dev, uint32_t event)
{
	return send(DEV(ITS_INV, dev), event, 0, 0);
}

bool its_invall(uint16_t icid)
{
	return send(ITS_INVALL, 0, icid, 0);
}

bool its_sync(unsigned int cpu)
{
	return send(ITS_SYNC, 0, its_rdbase(cpu) << 16, 0);
}

bool its_movall(unsigned int from_cpu, unsigned int to_cpu)
{
	return send(ITS_MOVALL, 0, its_rdbase(from_cpu) << 16, its_rdbase(to_cpu) << 16);
}

void its_translate(uint32_t event)
{
	dsb(ishst);
	mmio_write32(its + GITS_TRANSLATER, event);
}
