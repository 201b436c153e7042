/* The GHCB MSR protocol (lib/x86/ghcb.h). */
#include "ghcb.h"

static uint64_t exchange(const struct ghcb_ops *o, uint64_t request)
{
	o->write(request);
	o->vmgexit();
	return o->read();
}

int ghcb_cpuid_reg(const struct ghcb_ops *o, uint32_t fn, enum ghcb_reg r, uint32_t *out)
{
	uint64_t resp = exchange(o, (uint64_t)fn << 32 | (uint64_t)r << 30 | GHCB_CPUID_REQ);

	/* bits 29:12 reserved, 31:30 the register asked for */
	if ((resp & GHCB_INFO_MASK) != GHCB_CPUID_RESP || (resp >> 30 & 3) != r ||
	    (resp >> 12 & 0x3ffff))
		return -1;
	*out = resp >> 32;
	return 0;
}

int ghcb_cpuid(const struct ghcb_ops *o, uint32_t fn, uint32_t regs[4])
{
	for (int r = GHCB_EAX; r <= GHCB_EDX; r++)
		if (ghcb_cpuid_reg(o, fn, r, &regs[r]))
			return -1;
	return 0;
}

int ghcb_sev_info(const struct ghcb_ops *o, struct ghcb_sev_info *info)
{
	uint64_t resp = exchange(o, GHCB_SEV_INFO_REQ);

	if ((resp & GHCB_INFO_MASK) != GHCB_SEV_INFO || (resp >> 12 & 0xfff))
		return -1;
	*info = (struct ghcb_sev_info){ resp >> 48, resp >> 32, resp >> 24 };
	if (info->min_version > info->max_version || !info->cbit || info->cbit > 63)
		return -1;
	return 0;
}

void ghcb_terminate(const struct ghcb_ops *o, uint8_t reason)
{
	exchange(o, (uint64_t)reason << 16 | GHCB_TERMINATE_REQ);
}

void ghcb_clear(struct ghcb *g)
{
	for (int i = 0; i < 16; i++)
		((volatile uint8_t *)g->page)[GHCB_VALID_BITMAP + i] = 0;
}

void ghcb_set(struct ghcb *g, enum ghcb_field f, uint64_t v)
{
	*(volatile uint64_t *)&g->page[f] = v;
	((volatile uint8_t *)g->page)[GHCB_VALID_BITMAP + f / 64] |= 1 << (f / 8 % 8);
}

uint64_t ghcb_get(const struct ghcb *g, enum ghcb_field f)
{
	return *(const volatile uint64_t *)&g->page[f];
}

int ghcb_valid(const struct ghcb *g, enum ghcb_field f)
{
	return ((const volatile uint8_t *)g->page)[GHCB_VALID_BITMAP + f / 64] >> (f / 8 % 8) & 1;
}

static void hw_write(uint64_t v)
{
	asm volatile("wrmsr" : : "c"(MSR_GHCB), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t hw_read(void)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_GHCB));
	return (uint64_t)hi << 32 | lo;
}

static void hw_vmgexit(void)
{
	asm volatile("rep; vmmcall" : : : "memory");
}

const struct ghcb_ops ghcb_hw = { hw_write, hw_read, hw_vmgexit };
