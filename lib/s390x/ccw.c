/*
 * Channel programs: format-1 CCWs, ORBs, IDAW lists, and the SCSW/IRB
 * decoded for messages (lib/s390x/css.h).  Plain C, no instructions.
 */
#include "css.h"
#include "dma31.h"
#include "printf.h"

#define IDAW_2K 2048u
#define IDAW_4K 4096u
#define ADDR31_LIMIT (1ull << 31)

struct ccw1 ccw_data(uint8_t cmd, uint8_t flags, const void *buf, uint16_t count)
{
	return ccw1(cmd, flags, count, dma31_addr(buf));
}

struct ccw1 ccw_tic(const struct ccw1 *target)
{
	return ccw1(CCW_CMD_TIC, 0, 0, dma31_addr(target));
}

void orb_init(struct orb *orb, uint32_t intparm, const struct ccw1 *cpa, uint16_t ctrl)
{
	*orb = (struct orb){
		.intparm = intparm,
		.ctrl = ORB_FMT1 | ctrl,
		.lpm = 0xff,
		.cpa = dma31_addr(cpa),
	};
}

static uint64_t idaw_block(enum idaw_fmt fmt)
{
	return fmt == IDAW_FMT2_4K ? IDAW_4K : IDAW_2K;
}

unsigned int idaw_count(enum idaw_fmt fmt, uint64_t addr, size_t len)
{
	uint64_t block = idaw_block(fmt);

	if (!len)
		return 1;
	return (addr + len - 1) / block - addr / block + 1;
}

unsigned int idaw_build(void *list, enum idaw_fmt fmt, const void *buf, size_t len,
			unsigned int max)
{
	uint64_t addr = (uintptr_t)buf, block = idaw_block(fmt);
	unsigned int n = idaw_count(fmt, addr, len);

	if (n > max || (fmt == IDAW_FMT1 && addr + len > ADDR31_LIMIT))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t a = i ? (addr & ~(block - 1)) + i * block : addr;

		if (fmt == IDAW_FMT1)
			((uint32_t *)list)[i] = a;
		else
			((uint64_t *)list)[i] = a;
	}
	return n;
}

uint16_t idaw_orb_ctrl(enum idaw_fmt fmt)
{
	switch (fmt) {
	case IDAW_FMT2_2K:
		return ORB_IDAW_FMT2 | ORB_IDAW_2K;
	case IDAW_FMT2_4K:
		return ORB_IDAW_FMT2;
	default:
		return 0;
	}
}

static int put_bits(char *buf, size_t size, int n, unsigned int v,
		    const char *const names[8])
{
	for (int i = 0; i < 8; i++)
		if (v & 0x80 >> i && n >= 0 && (size_t)n < size)
			n += snprintf(buf + n, size - n, " %s", names[i]);
	return n;
}

const char *scsw_str(const struct scsw *s, char *buf, size_t size)
{
	static const char *const fc[8] = { "?", "start", "halt", "clear" };
	static const char *const ac[8] = { "", "resume", "start", "halt", "clear", "sch-active",
					   "dev-active", "suspended" };
	static const char *const sc[8] = { "", "", "", "alert", "int", "pri", "sec", "pend" };
	static const char *const ds[8] = { "ATTN", "SM", "CUE", "BUSY", "CE", "DE", "UC", "UE" };
	static const char *const ss[8] = { "PCI", "IL", "PC", "PROT", "CDC", "CCC", "IFCC",
					   "CHAIN" };
	int n = snprintf(buf, size, "FC");

	n = put_bits(buf, size, n, s->ctrl >> 8 & 0x70, fc);
	if (s->ctrl & SCSW_AC_MASK && n >= 0 && (size_t)n < size) {
		n += snprintf(buf + n, size - n, ", AC");
		n = put_bits(buf, size, n, (s->ctrl & SCSW_AC_MASK) >> 5, ac);
	}
	if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, ", SC");
	n = put_bits(buf, size, n, s->ctrl & SCSW_SC_MASK, sc);
	if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, ", DS");
	n = put_bits(buf, size, n, s->dstat, ds);
	if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, ", SS");
	n = put_bits(buf, size, n, s->cstat, ss);
	if (n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - n, ", CPA %#x, count %u", s->cpa, s->count);
	return buf;
}

const char *crw_str(uint32_t crw, char *buf, size_t size)
{
	static const char *const flags[8] = { "?", "S", "R", "C", "", "", "", "" };
	static const char *const rsc[16] = { [CRW_RSC_SCH] = "sch", [CRW_RSC_CHP] = "chp",
					     [0x9] = "config", [0xb] = "css" };
	static const char *const erc[9] = { "event", "avail", "init", "temp-error",
					    "params-init", "terminal", "perm-error",
					    "perm-error-init", "params-modified" };
	int n = snprintf(buf, size, "CRW %#x:", crw);

	n = put_bits(buf, size, n, crw >> 24 & 0xf0, flags);
	if (crw & CRW_ANCILLARY && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " A");
	if (n >= 0 && (size_t)n < size && rsc[CRW_RSC(crw)])
		n += snprintf(buf + n, size - n, " RSC %s", rsc[CRW_RSC(crw)]);
	else if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " RSC %#x", CRW_RSC(crw));
	if (n >= 0 && (size_t)n < size && CRW_ERC(crw) < 9)
		n += snprintf(buf + n, size - n, ", ERC %s", erc[CRW_ERC(crw)]);
	else if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, ", ERC %#x", CRW_ERC(crw));
	if (n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - n, ", RSID %#x", CRW_RSID(crw));
	return buf;
}

const uint8_t *irb_sense(const struct irb *irb)
{
	return irb->scsw.flags & SCSW_ECTL ? irb->ecw : NULL;
}
