/*
 * Host test of lib/x86/vc.c: the SEV-ES #VC exchange through a GHCB page
 * against a model hypervisor that answers per the GHCB specification
 * (protocol version 2: IOIO 0x7b, CPUID 0x72) and checks the guest kept to
 * it, and against wrong answers (errors, malformed events, missing valid
 * bits, a longer count than asked) the guest must not take.  The model
 * reads the page at its own offsets, not through lib/x86/ghcb.h's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../lib/x86/ghcb.c"
#include "../lib/x86/vc.c"

#define GPA 0x7000ull		/* where the guest says its GHCB is */
#define DF (1ull << 10)

/* The GHCB, with slack after it: a guest that overruns the page hits it. */
static union {
	struct ghcb g;
	uint8_t slack[3 * 4096];
} page;
static uint64_t msr;
static unsigned int exits;
static uint64_t sent_info1, sent_info2;
static enum { HONEST, ERROR_GP, ERROR_ON_2ND, BAD_RET, BAD_EVENT, NO_RAX, LONG } mode;

/* The model's port: what was written (each element's bytes in order); reads count up. */
static uint8_t out_log[16384];
static unsigned int out_len, in_next;

static uint64_t field(unsigned int off) { uint64_t v; memcpy(&v, &page.g.page[off], 8); return v; }
static void put(unsigned int off, uint64_t v) { memcpy(&page.g.page[off], &v, 8); }
static int valid(unsigned int off) { return page.g.page[0x3f0 + off / 64] >> (off / 8 % 8) & 1; }
static void mark(unsigned int off) { page.g.page[0x3f0 + off / 64] |= 1 << (off / 8 % 8); }

static void model_write(uint64_t v) { msr = v; }
static uint64_t model_read(void) { return msr; }

static void model_port(int in, unsigned int size, uint8_t *data)
{
	for (unsigned int b = 0; b < size; b++) {
		if (in)
			data[b] = in_next++;
		else
			out_log[out_len++] = data[b];
	}
}

static void model_ioio(void)
{
	uint64_t info1 = field(0x398), count = field(0x3a0);
	unsigned int size = info1 >> 4 & 7, in = info1 & 1;
	uint8_t *buf = &page.g.page[0x800], rax[8];

	assert_true(size == 1 || size == 2 || size == 4);
	assert_true(info1 & (1 << 9));			/* A64 */
	if (info1 & 4) {				/* string: the count in EXITINFO2 */
		assert_true(valid(0x3a8));
		assert_int_equal(field(0x3a8), GPA + 0x800);
		assert_true(count >= 1 && count * size <= 2032);
		for (uint64_t i = 0; i < count; i++)
			model_port(in, size, buf + i * size);
		if (mode == LONG) {			/* claims more, scratch elsewhere */
			memset(buf + count * size, 0xee, 2032 - count * size);
			put(0x3a0, count + 8);
			put(0x3a8, GPA + 0x10);
			return;
		}
	} else if (in) {
		model_port(1, size, rax);
		put(0x1f8, 0);
		memcpy(&page.g.page[0x1f8], rax, size);
		if (mode != NO_RAX)
			mark(0x1f8);
	} else {
		assert_true(valid(0x1f8));
		memcpy(rax, &page.g.page[0x1f8], 8);
		model_port(0, size, rax);
	}
	put(0x3a0, 0);
}

static void model_cpuid(void)
{
	assert_true(valid(0x1f8) && valid(0x308) && valid(0x3e8));
	put(0x1f8, 0xd0000000 | field(0x1f8));
	put(0x318, 0x68747541);
	put(0x308, 0xc0000000 | field(0x308));
	put(0x310, 0x69746e65);
	mark(0x1f8), mark(0x318), mark(0x308), mark(0x310);
	put(0x3a0, 0);
}

/* The hypervisor's side of VMGEXIT: the request in the page msr names. */
static void model_vmgexit(void)
{
	uint64_t code = field(0x390);

	exits++;
	sent_info1 = field(0x398), sent_info2 = field(0x3a0);
	assert_int_equal(msr, GPA);
	assert_true(valid(0x390) && valid(0x398) && valid(0x3a0));
	assert_int_equal(page.g.page[0xffa], 2);	/* protocol version */
	assert_int_equal(*(uint32_t *)&page.g.page[0xffc], 0);	/* usage */
	if (code == 0x7b)
		model_ioio();
	else if (code == 0x72)
		model_cpuid();
	else
		fail_msg("unexpected exit code %#lx", (unsigned long)code);
	put(0x398, 0);
	if (mode == ERROR_GP || (mode == ERROR_ON_2ND && exits == 2)) {
		put(0x398, 1);
		put(0x3a0, 0x18ull << 32 | 1u << 31 | 1 << 11 | 3 << 8 | 13);	/* #GP(0x18) */
	} else if (mode == BAD_RET) {
		put(0x398, 2);
	} else if (mode == BAD_EVENT) {
		put(0x398, 1);
		put(0x3a0, 2 << 8 | 2);		/* not valid, and an NMI */
	}
}

static const struct ghcb_ops model = { model_write, model_read, model_vmgexit };
static const struct vc_ctx ctx = { &page.g, GPA, &model, 1 };

/* A #VC for the instruction insn (exit code code), registers r. */
static enum vc_result vc(uint64_t code, const uint8_t *insn, struct ex_regs *r, struct vc_event *ev)
{
	r->error_code = code;
	r->rip = (uint64_t)insn;
	return vc_serve(&ctx, r, ev);
}

static int setup(void **state)
{
	(void)state;
	mode = HONEST;
	exits = out_len = in_next = 0;
	memset(&page, 0, sizeof(page));
	return 0;
}

static void test_rep_outsb(void **state)
{
	static const uint8_t insn[] = { 0xf3, 0x6e };
	uint8_t src[100];
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	for (int i = 0; i < 100; i++)
		src[i] = i * 7;
	r.rdx = 0x3ff, r.rsi = (uint64_t)src, r.rcx = 100;
	assert_int_equal(vc(0x7b, insn, &r, &ev), VC_DONE);
	assert_int_equal(exits, 1);
	assert_int_equal(out_len, 100);
	assert_memory_equal(out_log, src, 100);		/* in order */
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rsi, (uint64_t)src + 100);
	assert_int_equal(r.rip, (uint64_t)insn + 2);
}

static void test_rep_insw(void **state)
{
	static const uint8_t insn[] = { 0x66, 0xf3, 0x6d };
	uint16_t dst[8] = { 0 };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	r.rdx = 0x3ff, r.rdi = (uint64_t)dst, r.rcx = 5;
	assert_int_equal(vc(0x7b, insn, &r, &ev), VC_DONE);
	for (int i = 0; i < 5; i++)
		assert_int_equal(dst[i], (2 * i + 1) << 8 | 2 * i);
	assert_int_equal(dst[5], 0);
	assert_int_equal(r.rdi, (uint64_t)&dst[5]);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rip, (uint64_t)insn + 3);
}

/* DF=1: OUTS reads and INS writes downwards from RSI/RDI. */
static void test_backwards(void **state)
{
	static const uint8_t outs[] = { 0xf3, 0x6e }, ins[] = { 0xf3, 0x6c };
	uint8_t src[4] = { 1, 2, 3, 4 }, dst[6] = { 0 };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	r.rflags = DF, r.rsi = (uint64_t)&src[3], r.rcx = 4;
	assert_int_equal(vc(0x7b, outs, &r, &ev), VC_DONE);
	assert_memory_equal(out_log, ((uint8_t[]){ 4, 3, 2, 1 }), 4);
	assert_int_equal(r.rsi, (uint64_t)src - 1);
	r.rdi = (uint64_t)&dst[4], r.rcx = 4;
	assert_int_equal(vc(0x7b, ins, &r, &ev), VC_DONE);
	assert_memory_equal(dst, ((uint8_t[]){ 0, 3, 2, 1, 0, 0 }), 6);
	assert_int_equal(r.rdi, (uint64_t)dst);
}

/* More than the shared buffer holds: several exchanges, in order. */
static void test_chunked(void **state)
{
	static const uint8_t outs[] = { 0xf3, 0x6e }, insl[] = { 0xf3, 0x6d };
	static uint8_t src[5000];
	static uint32_t dst[1001];
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	for (int i = 0; i < 5000; i++)
		src[i] = i ^ i >> 8;
	r.rsi = (uint64_t)src, r.rcx = 5000;
	assert_int_equal(vc(0x7b, outs, &r, &ev), VC_DONE);
	assert_int_equal(exits, 3);			/* 2032 + 2032 + 936 */
	assert_int_equal(out_len, 5000);
	assert_memory_equal(out_log, src, 5000);
	r.rdi = (uint64_t)dst, r.rcx = 1000;
	assert_int_equal(vc(0x7b, insl, &r, &ev), VC_DONE);
	assert_int_equal(exits, 5);			/* 508 + 492 dwords */
	assert_int_equal(dst[999], 0x9f9e9d9c);		/* bytes 3996..3999 */
	assert_int_equal(dst[1000], 0);
	assert_int_equal(r.rdi, (uint64_t)&dst[1000]);
}

static void test_in_out(void **state)
{
	static const uint8_t out_imm[] = { 0xe6, 0x80 }, in_eax[] = { 0xed },
			     in_al[] = { 0xec }, in_ax[] = { 0x66, 0xed }, outw[] = { 0x66, 0xef };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	r.rax = 0x1234;
	assert_int_equal(vc(0x7b, out_imm, &r, &ev), VC_DONE);
	assert_int_equal(out_len, 1);
	assert_int_equal(out_log[0], 0x34);
	assert_int_equal(r.rip, (uint64_t)out_imm + 2);
	r.rax = 0xabcd, r.rdx = 0x3ff;
	assert_int_equal(vc(0x7b, outw, &r, &ev), VC_DONE);
	assert_memory_equal(out_log + 1, ((uint8_t[]){ 0xcd, 0xab }), 2);
	r.rax = 0xffffffffffffffff;
	assert_int_equal(vc(0x7b, in_eax, &r, &ev), VC_DONE);
	assert_int_equal(r.rax, 0x03020100);		/* zero-extended */
	assert_int_equal(vc(0x7b, in_al, &r, &ev), VC_DONE);
	assert_int_equal(r.rax, 0x03020104);
	assert_int_equal(vc(0x7b, in_ax, &r, &ev), VC_DONE);
	assert_int_equal(r.rax, 0x03020605);
	assert_int_equal(r.rip, (uint64_t)in_ax + 2);
}

/* EXITINFO1 (the IOIO intercept's format) and EXITINFO2 as the guest sent them. */
static void test_exit_info(void **state)
{
	static const uint8_t insb[] = { 0xf3, 0x6c }, outsw[] = { 0x66, 0x6f },
			     out_dx[] = { 0x48, 0xef }, in_imm[] = { 0xe4, 0x71 };
	uint8_t buf[4] = { 0 };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	r.rdx = 0x3ff, r.rdi = r.rsi = (uint64_t)buf, r.rcx = 3;
	vc(0x7b, insb, &r, &ev);	/* port, A64, SZ8, REP, STR, IN; the count */
	assert_int_equal(sent_info1, 0x3ff << 16 | 0x200 | 0x10 | 8 | 4 | 1);
	assert_int_equal(sent_info2, 3);
	r.rcx = 3;
	vc(0x7b, outsw, &r, &ev);	/* DS, A64, SZ16, STR; one */
	assert_int_equal(sent_info1, 0x3ff << 16 | 0xc00 | 0x200 | 0x20 | 4);
	assert_int_equal(sent_info2, 1);
	assert_int_equal(r.rcx, 3);	/* no REP: RCX is not the count */
	vc(0x7b, out_dx, &r, &ev);	/* REX.W: still SZ32; the next RIP */
	assert_int_equal(sent_info1, 0x3ff << 16 | 0x200 | 0x40);
	assert_int_equal(sent_info2, (uint64_t)out_dx + 2);
	vc(0x7b, in_imm, &r, &ev);
	assert_int_equal(sent_info1, 0x71 << 16 | 0x200 | 0x10 | 1);
	assert_int_equal(sent_info2, (uint64_t)in_imm + 2);
}

/* A hypervisor error is the exception it names; a REP keeps its done part. */
static void test_exception(void **state)
{
	static const uint8_t outs[] = { 0xf3, 0x6e }, in_al[] = { 0xec };
	static uint8_t src[3000];
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	mode = ERROR_GP;
	r.rax = 0x55;
	assert_int_equal(vc(0x7b, in_al, &r, &ev), VC_EXCEPTION);
	assert_int_equal(ev.vector, 13);
	assert_int_equal(ev.has_code, 1);
	assert_int_equal(ev.code, 0x18);
	assert_int_equal(r.rax, 0x55);
	assert_int_equal(r.rip, (uint64_t)in_al);	/* not past it */
	mode = ERROR_ON_2ND;
	exits = 0;
	r.rsi = (uint64_t)src, r.rcx = 3000;
	assert_int_equal(vc(0x7b, outs, &r, &ev), VC_EXCEPTION);
	assert_int_equal(r.rcx, 3000 - 2032);
	assert_int_equal(r.rsi, (uint64_t)src + 2032);
	assert_int_equal(r.rip, (uint64_t)outs);
}

/* Answers the guest must refuse, taking nothing from them. */
static void test_refused(void **state)
{
	static const uint8_t in_al[] = { 0xec };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	for (mode = BAD_RET; mode <= NO_RAX; mode++) {
		r.rax = 0x55;
		assert_int_equal(vc(0x7b, in_al, &r, &ev), VC_BAD_ANSWER);
		assert_int_equal(r.rax, 0x55);
		assert_int_equal(r.rip, (uint64_t)in_al);
	}
}

/* A longer count and another buffer in the answer: the guest copies what it asked. */
static void test_long_answer(void **state)
{
	static const uint8_t ins[] = { 0xf3, 0x6c };
	uint8_t dst[64];
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	mode = LONG;
	memset(dst, 0x5a, sizeof(dst));
	r.rdi = (uint64_t)dst, r.rcx = 8;
	assert_int_equal(vc(0x7b, ins, &r, &ev), VC_DONE);
	for (int i = 0; i < 8; i++)
		assert_int_equal(dst[i], i);
	for (int i = 8; i < 64; i++)
		assert_int_equal(dst[i], 0x5a);
	assert_int_equal(r.rdi, (uint64_t)dst + 8);
}

static void test_unsupported(void **state)
{
	static const uint8_t addr32[] = { 0x67, 0xf3, 0x6e }, ud2[] = { 0x0f, 0x0b };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	assert_int_equal(vc(0x7b, addr32, &r, &ev), VC_UNSUPPORTED);
	assert_int_equal(vc(0x7b, ud2, &r, &ev), VC_UNSUPPORTED);
	assert_int_equal(vc(0x7c, ud2, &r, &ev), VC_UNSUPPORTED);	/* MSR */
	assert_int_equal(vc(0x72, ud2, &r, &ev), VC_UNSUPPORTED);
	assert_int_equal(exits, 0);
}

static void test_cpuid(void **state)
{
	static const uint8_t insn[] = { 0x0f, 0xa2 };
	struct ex_regs r = { 0 };
	struct vc_event ev;

	(void)state;
	r.rax = 0xffffffff00000007, r.rcx = 1;
	assert_int_equal(vc(0x72, insn, &r, &ev), VC_DONE);
	assert_int_equal(r.rax, 0xd0000007);
	assert_int_equal(r.rbx, 0x68747541);
	assert_int_equal(r.rcx, 0xc0000001);
	assert_int_equal(r.rdx, 0x69746e65);
	assert_int_equal(r.rip, (uint64_t)insn + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rep_outsb, setup),
		cmocka_unit_test_setup(test_rep_insw, setup),
		cmocka_unit_test_setup(test_backwards, setup),
		cmocka_unit_test_setup(test_chunked, setup),
		cmocka_unit_test_setup(test_in_out, setup),
		cmocka_unit_test_setup(test_exit_info, setup),
		cmocka_unit_test_setup(test_exception, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_long_answer, setup),
		cmocka_unit_test_setup(test_unsupported, setup),
		cmocka_unit_test_setup(test_cpuid, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
