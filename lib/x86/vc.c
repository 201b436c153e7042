/* The #VC exchange through the GHCB page (lib/x86/vc.h). */
#include <stdbool.h>
#include "vc.h"

#define GHCB_VERSION	2
#define RFLAGS_DF	(1ull << 10)
#define EVENT_V		(1ull << 31)
#define EVENT_EV	(1ull << 11)
#define EVENT_EXCEPTION	3		/* EVENTINJ.TYPE[10:8] */

/* A decoded IN, OUT, INS or OUTS. */
struct io {
	uint32_t info1;		/* EXITINFO1 */
	unsigned int size, len;
	bool in, str, rep;
};

/* The instruction at insn: 0, or -1 for one not served. */
static int decode_io(const uint8_t *insn, const struct ex_regs *r, struct io *io)
{
	unsigned int i = 0, opsize = 4, port;
	bool rep = false;
	uint8_t op;

	for (;; i++) {
		if (i == 14)
			return -1;
		if (insn[i] == 0x66)
			opsize = 2;
		else if (insn[i] == 0xf3)
			rep = true;
		else if ((insn[i] & 0xf0) != 0x40)	/* REX.W does not widen port I/O */
			break;
	}
	op = insn[i++];
	if ((op & 0xfc) == 0x6c)		/* INS, OUTS */
		port = r->rdx & 0xffff;
	else if ((op & 0xfc) == 0xe4)		/* IN, OUT imm8 */
		port = insn[i++];
	else if ((op & 0xfc) == 0xec)		/* IN, OUT DX */
		port = r->rdx & 0xffff;
	else
		return -1;
	io->size = op & 1 ? opsize : 1;
	io->len = i;
	io->in = !(op & 2);
	io->str = (op & 0xfc) == 0x6c;
	io->rep = io->str && rep;
	io->info1 = port << IOIO_PORT_SHIFT | io->size << IOIO_SZ_SHIFT | IOIO_A64 |
		    (io->in ? IOIO_IN : 0) | (io->str ? IOIO_STR : 0) |
		    (io->rep ? IOIO_REP : 0) | (io->str && !io->in ? IOIO_SEG_DS : 0);
	return 0;
}

/* One VMGEXIT with the fields set since ghcb_clear(); the answer checked. */
static enum vc_result vmgexit(const struct vc_ctx *c, uint64_t code, uint64_t info1,
			       uint64_t info2, struct vc_event *ev)
{
	struct ghcb *g = c->ghcb;
	uint64_t ret, event;

	ghcb_set(g, GHCB_EXIT_CODE, code);
	ghcb_set(g, GHCB_EXIT_INFO_1, info1);
	ghcb_set(g, GHCB_EXIT_INFO_2, info2);
	*(volatile uint16_t *)&g->page[GHCB_PROTOCOL_VERSION] = GHCB_VERSION;
	*(volatile uint32_t *)&g->page[GHCB_USAGE] = 0;
	c->ops->write(c->gpa);
	c->ops->vmgexit();
	ret = (uint32_t)ghcb_get(g, GHCB_EXIT_INFO_1);
	if (ret == 0)
		return VC_DONE;
	if (ret != 1)
		return VC_BAD_ANSWER;
	event = ghcb_get(g, GHCB_EXIT_INFO_2);
	if (!(event & EVENT_V) || (event >> 8 & 7) != EVENT_EXCEPTION || (event & 0xff) >= 32)
		return VC_BAD_ANSWER;
	*ev = (struct vc_event){ event & 0xff, !!(event & EVENT_EV), event & EVENT_EV ? event >> 32 : 0 };
	return VC_EXCEPTION;
}

/* n elements of size between memory at addr (step apart) and buf, in order. */
static void copy_elems(uint64_t addr, int64_t step, uint8_t *buf, uint64_t n, unsigned int size,
		       bool to_mem)
{
	for (uint64_t i = 0; i < n; i++, addr += step, buf += size)
		for (unsigned int b = 0; b < size; b++)
			if (to_mem)
				((volatile uint8_t *)addr)[b] = buf[b];
			else
				buf[b] = ((volatile uint8_t *)addr)[b];
}

static enum vc_result io_string(const struct vc_ctx *c, struct ex_regs *r, const struct io *io,
				struct vc_event *ev)
{
	struct ghcb *g = c->ghcb;
	uint8_t *buf = &g->page[GHCB_BUFFER];
	uint64_t count = io->rep ? r->rcx : 1, max = GHCB_BUFFER_SIZE / io->size, n;
	int64_t step = r->rflags & RFLAGS_DF ? -(int64_t)io->size : (int64_t)io->size;
	enum vc_result res;

	for (; count; count -= n) {
		n = count < max ? count : max;
		if (!io->in)
			copy_elems(r->rsi, step, buf, n, io->size, false);
		ghcb_clear(g);
		ghcb_set(g, GHCB_SCRATCH, c->gpa + GHCB_BUFFER);
		res = vmgexit(c, SVM_EXIT_IOIO, io->info1, n, ev);
		if (res != VC_DONE)
			return res;
		if (io->in) {
			copy_elems(r->rdi, step, buf, n, io->size, true);
			r->rdi += n * step;
		} else {
			r->rsi += n * step;
		}
		if (io->rep)
			r->rcx -= n;
	}
	r->rip += io->len;
	return VC_DONE;
}

static enum vc_result io_one(const struct vc_ctx *c, struct ex_regs *r, const struct io *io,
			     struct vc_event *ev)
{
	uint64_t mask = (1ull << (io->size * 8)) - 1, v;
	enum vc_result res;

	ghcb_clear(c->ghcb);
	if (!io->in)
		ghcb_set(c->ghcb, GHCB_RAX, r->rax & mask);
	res = vmgexit(c, SVM_EXIT_IOIO, io->info1, r->rip + io->len, ev);
	if (res != VC_DONE)
		return res;
	if (io->in) {
		if (!ghcb_valid(c->ghcb, GHCB_RAX))
			return VC_BAD_ANSWER;
		v = ghcb_get(c->ghcb, GHCB_RAX) & mask;
		/* a 32-bit destination zero-extends into RAX */
		r->rax = io->size == 4 ? v : (r->rax & ~mask) | v;
	}
	r->rip += io->len;
	return VC_DONE;
}

static enum vc_result cpuid(const struct vc_ctx *c, struct ex_regs *r, struct vc_event *ev)
{
	static const enum ghcb_field out[4] = { GHCB_RAX, GHCB_RBX, GHCB_RCX, GHCB_RDX };
	uint64_t *regs[4] = { &r->rax, &r->rbx, &r->rcx, &r->rdx };
	const uint8_t *insn = (const uint8_t *)r->rip;
	enum vc_result res;

	if (insn[0] != 0x0f || insn[1] != 0xa2)
		return VC_UNSUPPORTED;
	ghcb_clear(c->ghcb);
	ghcb_set(c->ghcb, GHCB_RAX, (uint32_t)r->rax);
	ghcb_set(c->ghcb, GHCB_RCX, (uint32_t)r->rcx);
	ghcb_set(c->ghcb, GHCB_XCR0, c->xcr0);
	res = vmgexit(c, SVM_EXIT_CPUID, 0, 0, ev);
	if (res != VC_DONE)
		return res;
	for (int i = 0; i < 4; i++)
		if (!ghcb_valid(c->ghcb, out[i]))
			return VC_BAD_ANSWER;
	for (int i = 0; i < 4; i++)
		*regs[i] = (uint32_t)ghcb_get(c->ghcb, out[i]);
	r->rip += 2;
	return VC_DONE;
}

enum vc_result vc_serve(const struct vc_ctx *c, struct ex_regs *r, struct vc_event *ev)
{
	struct io io;

	if (r->error_code == SVM_EXIT_CPUID)
		return cpuid(c, r, ev);
	if (r->error_code != SVM_EXIT_IOIO || decode_io((const uint8_t *)r->rip, r, &io))
		return VC_UNSUPPORTED;
	return io.str ? io_string(c, r, &io, ev) : io_one(c, r, &io, ev);
}
