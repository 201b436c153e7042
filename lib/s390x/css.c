/* Channel-subsystem instructions, subchannel set-up and I/O interruptions. */
#include "css.h"
#include "dma31.h"
#include "panic.h"
#include "percpu.h"
#include "processor.h"
#include "spinlock.h"
#include "string.h"
#include "tod.h"
#include "traps.h"

#define IO_QUEUE 16

/*
 * The CC of a channel-subsystem instruction with r1 and r2 set (the
 * subsystem ID in r1 for the subchannel ones) and its operand at blk
 * (NULL for those without one: the address is ignored).
 */
#define CSS_INSN(insn, r1, r2, blk)					\
	({								\
		register uint64_t __r1 asm("1") = (r1);			\
		register uint64_t __r2 asm("2") = (r2);			\
		int __cc;						\
		asm volatile(insn "\n\t"				\
			     "ipm %[cc]\n\t"				\
			     "srl %[cc], 28"				\
			     : [cc] "=d"(__cc)				\
			     : "d"(__r1), "d"(__r2), [b] "a"(blk)	\
			     : "cc", "memory");				\
		__cc;							\
	})

/* The same, with the instruction in the exception table; *cc is -1 on a fault. */
#define CSS_INSN_SAFE(insn, r1, r2, blk, ccp)				\
	({								\
		struct percpu *__cpu = this_cpu(); /* a call: before r1 */ \
		int __cc = -1;						\
		__cpu->fault = NO_FAULT;				\
		register uint64_t __r1 asm("1") = (r1);			\
		register uint64_t __r2 asm("2") = (r2);			\
		asm volatile("1: " insn "\n\t"			\
			     "ipm %[cc]\n\t"				\
			     "srl %[cc], 28\n"				\
			     "2:\n" EXTABLE(1b, 2b)			\
			     : [cc] "+d"(__cc)				\
			     : "d"(__r1), "d"(__r2), [b] "a"(blk)	\
			     : "cc", "memory");				\
		*(ccp) = __cc;						\
		__cpu->fault;						\
	})

int stsch(uint32_t schid, struct schib *schib)
{
	return CSS_INSN("stsch 0(%[b])", schid, 0, schib);
}

int msch(uint32_t schid, struct schib *schib)
{
	return CSS_INSN("msch 0(%[b])", schid, 0, schib);
}

int ssch(uint32_t schid, struct orb *orb)
{
	return CSS_INSN("ssch 0(%[b])", schid, 0, orb);
}

int tsch(uint32_t schid, struct irb *irb)
{
	return CSS_INSN("tsch 0(%[b])", schid, 0, irb);
}

int hsch(uint32_t schid)
{
	return CSS_INSN("hsch", schid, 0, NULL);
}

int rsch(uint32_t schid)
{
	return CSS_INSN("rsch", schid, 0, NULL);
}

int csch(uint32_t schid)
{
	return CSS_INSN("csch", schid, 0, NULL);
}

struct fault stsch_safe(uint32_t schid, struct schib *schib, int *cc)
{
	return CSS_INSN_SAFE("stsch 0(%[b])", schid, 0, schib, cc);
}

struct fault msch_safe(uint32_t schid, struct schib *schib, int *cc)
{
	return CSS_INSN_SAFE("msch 0(%[b])", schid, 0, schib, cc);
}

struct fault ssch_safe(uint32_t schid, struct orb *orb, int *cc)
{
	return CSS_INSN_SAFE("ssch 0(%[b])", schid, 0, orb, cc);
}

struct fault tsch_safe(uint32_t schid, struct irb *irb, int *cc)
{
	return CSS_INSN_SAFE("tsch 0(%[b])", schid, 0, irb, cc);
}

#define CHSC_INSN ".insn rre, 0xb25f0000, %[b], 0"

int stcrw(uint32_t *crw)
{
	return CSS_INSN("stcrw 0(%[b])", 0, 0, crw);
}

int rchp(uint8_t chpid)
{
	return CSS_INSN("rchp", chpid, 0, NULL);
}

void schm(uint64_t r1, uint64_t mbo)
{
	CSS_INSN("schm", r1, mbo, NULL);
}

int chsc(void *block)
{
	return CSS_INSN(CHSC_INSN, 0, 0, block);
}

struct fault stcrw_safe(uint32_t *crw, int *cc)
{
	return CSS_INSN_SAFE("stcrw 0(%[b])", 0, 0, crw, cc);
}

struct fault schm_safe(uint64_t r1, uint64_t mbo)
{
	int cc;

	return CSS_INSN_SAFE("schm", r1, mbo, NULL, &cc);
}

struct fault chsc_safe(void *block, int *cc)
{
	return CSS_INSN_SAFE(CHSC_INSN, 0, 0, block, cc);
}

const struct chsc_header *chsc_cmd(void *block, uint16_t code, uint32_t p1, uint32_t p2)
{
	uint32_t *req = block;

	assert(!((uintptr_t)block & 0xfff));
	memset(block, 0, 4096);
	*(struct chsc_header *)block = (struct chsc_header){ .len = 16, .code = code };
	req[1] = p1;
	req[2] = p2;
	return chsc(block) ? NULL : (const struct chsc_header *)(req + 4);
}

int css_enumerate(uint32_t *schids, int max)
{
	struct schib *schib = dma31_alloc(sizeof(*schib), 0);
	int n = 0;

	assert(schib);
	for (uint32_t sch = 0; sch <= 0xffff; sch++) {
		if (stsch(SCHID(0, sch), schib) || !(schib->pmcw.flags & PMCW_DNV))
			continue;
		if (n < max)
			schids[n] = SCHID(0, sch);
		n++;
	}
	dma31_free(schib);
	return n;
}

static int modify(uint32_t schid, uint16_t flags, uint32_t intparm)
{
	struct schib *schib = dma31_alloc(sizeof(*schib), 0);
	int cc;

	assert(schib);
	cc = stsch(schid, schib);
	if (!cc) {
		schib->pmcw.flags = (schib->pmcw.flags & ~(PMCW_ISC_MASK | PMCW_ENABLED)) | flags;
		schib->pmcw.intparm = intparm;
		cc = msch(schid, schib);
	}
	if (!cc)
		cc = stsch(schid, schib);
	if (!cc && (schib->pmcw.flags & (PMCW_ISC_MASK | PMCW_ENABLED)) != flags)
		cc = -1;
	dma31_free(schib);
	return cc;
}

int css_enable(uint32_t schid, unsigned int isc, uint32_t intparm)
{
	return modify(schid, PMCW_ENABLED | (isc & 7) << PMCW_ISC_SHIFT, intparm);
}

int css_disable(uint32_t schid)
{
	return modify(schid, 0, 0);
}

static struct spinlock io_lock;
static struct io_int io_queue[IO_QUEUE];
static unsigned int io_queued;

static void io_handler(struct ex_regs *r)
{
	spin_lock(&io_lock);
	if (io_queued < IO_QUEUE)
		io_queue[io_queued++] = (struct io_int){
			.schid = r->info.subsys_id,
			.intparm = r->info.io_param,
			.word = r->info.io_int_id,
		};
	spin_unlock(&io_lock);
}

void css_irq_init(unsigned int isc)
{
	handle_interrupt(INT_IO, io_handler);
	/* CR6 bits 32-39: I/O-interruption subclass masks 0-7. */
	lctlg(6, stctg(6) | 0x80000000ul >> (isc & 7));
}

/* Take the first queued interruption for schid into *io. */
static bool take_io(uint32_t schid, struct io_int *io)
{
	bool found = false;

	spin_lock(&io_lock);
	for (unsigned int i = 0; i < io_queued && !found; i++) {
		if (io_queue[i].schid != schid)
			continue;
		*io = io_queue[i];
		for (io_queued--; i < io_queued; i++)
			io_queue[i] = io_queue[i + 1];
		found = true;
	}
	spin_unlock(&io_lock);
	return found;
}

/* Let pending I/O interruptions in between two instructions. */
static inline void io_window(void)
{
	uint8_t old;

	asm volatile("stosm %0, 0x02\n\t"
		     "stnsm %0, 0xfd"
		     : "=Q"(old) : : "memory");
}

bool css_wait_io(uint32_t schid, uint64_t timeout_us, struct io_int *io)
{
	uint64_t end = tod_now() + timeout_us * TOD_USEC;

	do {
		io_window();
		if (take_io(schid, io))
			return true;
	} while (tod_now() < end);
	return false;
}
