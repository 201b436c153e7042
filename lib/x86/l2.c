/* What an L2 guest runs on (lib/x86/l2.h). */
#include <stddef.h>
#include "alloc.h"
#include "l2.h"
#include "panic.h"

#define STACK_ORDER 1

_Static_assert(offsetof(struct l2_regs, rsi) == 32 && offsetof(struct l2_regs, rdi) == 40 &&
	       offsetof(struct l2_regs, r15) == 112, "the world switches' layout");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The base of the 16-byte system descriptor sel selects in the GDT at gdt. */
static uint64_t tss_base(uint64_t gdt, uint16_t sel)
{
	const uint64_t *d = (const uint64_t *)(gdt + (sel & ~7));

	return (d[0] >> 16 & 0xffffff) | (d[0] >> 56 & 0xff) << 24 | d[1] << 32;
}

void l1_env(struct l1_env *e)
{
	struct desc_ptr gdtr, idtr;

	asm volatile("sgdt %0; sidt %1; str %2; mov %%cs, %3; mov %%ds, %4"
		     : "=m"(gdtr), "=m"(idtr), "=r"(e->tr), "=r"(e->cs), "=r"(e->ds));
	e->gdt_base = gdtr.base;
	e->gdt_limit = gdtr.limit;
	e->idt_base = idtr.base;
	e->idt_limit = idtr.limit;
	e->tr_base = tss_base(gdtr.base, e->tr);
}

uint64_t l2_stack(void)
{
	void *p = alloc_pages(STACK_ORDER);

	assert(p);
	return (uint64_t)p + (PAGE_SIZE << STACK_ORDER);
}

struct l2_regs l2_start_regs(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	return (struct l2_regs){ .rdi = arg, .rsi = (uint64_t)fn };
}
