/* The SVM harness (lib/x86/svm.h). */
#include <stddef.h>
#include "alloc.h"
#include "cpuid.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "processor.h"
#include "report.h"
#include "safe.h"
#include "smp.h"
#include "svm.h"

#define ATTR_CODE64	0xa9b	/* P, DPL 0, S, execute/read accessed; L, G */
#define ATTR_DATA	0xc93	/* P, DPL 0, S, read/write accessed; D/B, G */
#define ATTR_TSS64_BUSY	0x08b

_Static_assert(offsetof(struct vmcb_control, pause_filter_threshold) == 0x3c &&
	       offsetof(struct vmcb_control, iopm_base_pa) == 0x40 &&
	       offsetof(struct vmcb_control, asid) == 0x58 &&
	       offsetof(struct vmcb_control, int_ctl) == 0x60 &&
	       offsetof(struct vmcb_control, exit_code) == 0x70 &&
	       offsetof(struct vmcb_control, np_enable) == 0x90 &&
	       offsetof(struct vmcb_control, event_inj) == 0xa8 &&
	       offsetof(struct vmcb_control, n_cr3) == 0xb0 &&
	       offsetof(struct vmcb_control, clean) == 0xc0 &&
	       offsetof(struct vmcb_control, next_rip) == 0xc8 &&
	       offsetof(struct vmcb_control, software) == 0x3e0 &&
	       sizeof(struct vmcb_control) == 0x400, "VMCB control area (APM table B-1)");
_Static_assert(offsetof(struct vmcb, save.tr) == 0x490 && offsetof(struct vmcb, save.cpl) == 0x4cb &&
	       offsetof(struct vmcb, save.efer) == 0x4d0 && offsetof(struct vmcb, save.cr4) == 0x548 &&
	       offsetof(struct vmcb, save.rip) == 0x578 && offsetof(struct vmcb, save.rsp) == 0x5d8 &&
	       offsetof(struct vmcb, save.rax) == 0x5f8 &&
	       offsetof(struct vmcb, save.sysenter_eip) == 0x638 &&
	       offsetof(struct vmcb, save.cr2) == 0x640 && offsetof(struct vmcb, save.g_pat) == 0x668 &&
	       offsetof(struct vmcb, save.last_excp_to) == 0x690, "VMCB save area (APM table B-2)");

void svm_enter(struct l2_regs *regs, uint64_t vmcb);
void svm_guest_start(void);

void vmload(uint64_t pa)
{
	asm volatile("vmload %%rax" : : "a"(pa) : "memory");
}

void vmsave(uint64_t pa)
{
	asm volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

void stgi(void)
{
	asm volatile("stgi" : : : "memory");
}

void clgi(void)
{
	asm volatile("clgi" : : : "memory");
}

/*
 * VM_CR exists where SVM does (APM vol. 2, 15.30.1): a #GP reading it is a
 * FAIL, but for Bochs 2.7, which lacks the MSR (an XFAIL: read as 0).
 */
static uint64_t vm_cr(void)
{
	uint64_t v = 0;
	struct fault f = rdmsr_safe(MSR_VM_CR, &v);
	bool bochs = bochs_lacks_msr(f);

	if (f.valid)
		report_xfail(bochs, false, "VM_CR (MSR 0xc0010114) reads where CPUID says SVM "
			     "(vector %u)%s", f.vector, bochs ? "; Bochs 2.7: no VM_CR" : "");
	return v;
}

const char *svm_gate(void)
{
	if (!cpu_has(X86_FEATURE_SVM))
		return cpu_feature_gate(X86_FEATURE_SVM);
	if (vm_cr() & VM_CR_SVMDIS)
		return "VM_CR (MSR 0xc0010114).SVMDIS[4] is set: SVM disabled by firmware";
	return NULL;
}

/* L1's state that VMSAVE keeps while L2 runs: one area per CPU. */
static void *host_area[MAX_CPUS];

bool svm_start(void)
{
	const char *gate = svm_gate();
	void *hsave;

	if (gate) {
		report_skip("%s", gate);
		return false;
	}
	hsave = alloc_page();
	host_area[smp_id()] = alloc_page();
	assert(hsave && host_area[smp_id()]);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | X86_EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)hsave);
	return true;
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit, uint64_t base)
{
	*s = (struct vmcb_seg){ sel, attrib, limit, base };
}

/* L2 runs on L1's state: CR0/3/4, EFER, PAT, descriptors, segments, MSRs. */
static void write_state(struct vmcb_save *s, uint64_t (*fn)(uint64_t), uint64_t arg,
			struct l2_regs *regs)
{
	struct l1_env e;

	l1_env(&e);
	seg(&s->cs, e.cs, ATTR_CODE64, 0xffffffff, 0);
	seg(&s->es, e.ds, ATTR_DATA, 0xffffffff, 0);
	s->ss = s->ds = s->es;
	seg(&s->fs, e.ds, ATTR_DATA, 0xffffffff, rdmsr(MSR_FS_BASE));
	seg(&s->gs, e.ds, ATTR_DATA, 0xffffffff, rdmsr(MSR_GS_BASE));
	seg(&s->tr, e.tr, ATTR_TSS64_BUSY, 0x67, e.tr_base);
	seg(&s->gdtr, 0, 0, e.gdt_limit, e.gdt_base);
	seg(&s->idtr, 0, 0, e.idt_limit, e.idt_base);
	s->efer = rdmsr(MSR_EFER);
	s->cr0 = read_cr0();
	s->cr3 = read_cr3();
	s->cr4 = read_cr4();
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = 0x2;
	s->rip = (uint64_t)svm_guest_start;
	s->rsp = l2_stack();
	s->g_pat = rdmsr(MSR_IA32_CR_PAT);
	s->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	s->star = rdmsr(MSR_STAR);
	s->lstar = rdmsr(MSR_LSTAR);
	s->cstar = rdmsr(MSR_CSTAR);
	s->sfmask = rdmsr(MSR_SYSCALL_MASK);
	*regs = l2_start_regs(fn, arg);
}

const char *svm_exit_name(uint64_t code)
{
	static const struct { uint64_t code; const char *name; } names[] = {
		{ SVM_EXIT_INTR, "INTR" }, { SVM_EXIT_VINTR, "VINTR" },
		{ SVM_EXIT_CPUID, "CPUID" }, { SVM_EXIT_PAUSE, "PAUSE" }, { SVM_EXIT_HLT, "HLT" },
		{ SVM_EXIT_IOIO, "IOIO" }, { SVM_EXIT_MSR, "MSR" },
		{ SVM_EXIT_SHUTDOWN, "SHUTDOWN" }, { SVM_EXIT_VMRUN, "VMRUN" },
		{ SVM_EXIT_VMMCALL, "VMMCALL" }, { SVM_EXIT_NPF, "NPF" },
		{ SVM_EXIT_INVALID, "VMEXIT_INVALID" },
	};
	static char buf[MAX_CPUS][24];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
		snprintf(buf[smp_id()], sizeof(buf[0]), "exception %lu",
			 code - SVM_EXIT_EXCP_BASE);
	else
		snprintf(buf[smp_id()], sizeof(buf[0]), "exit %#lx", code);
	return buf[smp_id()];
}

/* What EXITINFO1 says for the exits that define it, e.g. " [port 0x80 out 8-bit]". */
static void info1_str(const struct svm_guest *g, char *buf, unsigned long size)
{
	uint64_t i = g->info1;

	buf[0] = '\0';
	if (g->exit_code == SVM_EXIT_NPF)
		snprintf(buf, size, " [%s%s%s%s%s%s]", i & SVM_NPF_PRESENT ? "present" : "not present",
			 i & SVM_NPF_WRITE ? " write" : "", i & SVM_NPF_FETCH ? " fetch" : "",
			 i & SVM_NPF_RSVD ? " reserved bit" : "",
			 i & SVM_NPF_FINAL ? ", final address" : "",
			 i & SVM_NPF_TABLES ? ", page-table walk" : "");
	else if (g->exit_code == SVM_EXIT_IOIO)
		snprintf(buf, size, " [port %#lx %s %u-bit]", SVM_IOIO_PORT(i),
			 i & SVM_IOIO_IN ? "in" : "out",
			 i & SVM_IOIO_SZ32 ? 32 : i & SVM_IOIO_SZ16 ? 16 : 8);
	else if (g->exit_code == SVM_EXIT_MSR)
		snprintf(buf, size, " [%s]", i ? "WRMSR" : "RDMSR");
}

/* EXITINTINFO: " [vector 0x52, INTR]" when valid. */
static void event_str(uint64_t e, char *buf, unsigned long size)
{
	static const char *const types[8] = { "INTR", "?", "NMI", "exception", "software int" };

	buf[0] = '\0';
	if (e & SVM_EVT_VALID)
		snprintf(buf, size, " [vector %#lx, %s%s]", e & 0xff,
			 types[e >> 8 & 7] ? types[e >> 8 & 7] : "?",
			 e & SVM_EVT_ERR ? ", error code" : "");
}

const char *svm_exit_str(const struct svm_guest *g, char *buf, unsigned long size)
{
	char info[96], event[48];

	info1_str(g, info, sizeof(info));
	event_str(g->int_info, event, sizeof(event));
	snprintf(buf, size, "%s (%#lx), EXITINFO1 %#lx%s, EXITINFO2 %#lx, EXITINTINFO %#lx%s, L2 RIP %#lx",
		 svm_exit_name(g->exit_code), g->exit_code, g->info1, info, g->info2, g->int_info,
		 event, g->rip);
	return buf;
}

static enum svm_action unexpected(struct svm_guest *g)
{
	char buf[200];

	report_abort("unexpected #VMEXIT: %s, L2 RAX %#lx", svm_exit_str(g, buf, sizeof(buf)),
		     g->regs.rax);
}

#define VMMCALL_LEN 3	/* 0f 01 d9 */

static enum svm_action on_vmmcall(struct svm_guest *g)
{
	enum svm_action a;

	if (g->regs.rax == L2_CALL_DONE) {
		g->result = g->regs.rbx;
		g->done = true;
		return SVM_DONE;
	}
	if (!g->request)
		return unexpected(g);	/* a request no test registered for */
	a = g->request(g);
	g->insn_len = VMMCALL_LEN;
	return a == SVM_DONE ? a : SVM_SKIP;
}

uint64_t svm_l2_call(uint64_t request)
{
	asm volatile("vmmcall" : "+a"(request) : : "memory");
	return request;
}

static enum svm_action stop(struct svm_guest *g)
{
	return SVM_DONE;
}

void svm_stop_on(struct svm_guest *g, uint64_t exit_code)
{
	if (exit_code == SVM_EXIT_INVALID) {
		g->invalid = stop;
		return;
	}
	assert(exit_code < SVM_EXIT_CODES);
	g->handlers[exit_code] = stop;
}

void svm_intercept(struct svm_guest *g, enum svm_intercept i, bool on)
{
	uint32_t *word = &g->vmcb->control.intercepts[i / 32];

	*word = on ? *word | 1u << (i % 32) : *word & ~(1u << (i % 32));
}

void svm_guest_init(struct svm_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	*g = (struct svm_guest){ .vmcb = alloc_page() };
	assert(g->vmcb);
	g->handlers[SVM_EXIT_VMMCALL] = on_vmmcall;
	svm_intercept(g, ICPT_VMRUN, true);
	svm_intercept(g, ICPT_VMMCALL, true);
	g->vmcb->control.asid = 1;
	write_state(&g->vmcb->save, fn, arg, &g->regs);
}

uint8_t *svm_iopm(struct svm_guest *g)
{
	uint8_t *map = alloc_pages(2);	/* 16 KiB: the 12 the APM asks for */

	assert(map);
	g->vmcb->control.iopm_base_pa = (uint64_t)map;
	svm_intercept(g, ICPT_IOIO, true);
	return map;
}

uint8_t *svm_msrpm(struct svm_guest *g)
{
	uint8_t *map = alloc_pages(1);

	assert(map);
	g->vmcb->control.msrpm_base_pa = (uint64_t)map;
	svm_intercept(g, ICPT_MSR, true);
	return map;
}

/* Two bits per MSR (read, write) in three 2 KiB ranges (APM 15.11). */
void svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool write)
{
	static const uint32_t base[] = { 0, 0xc0000000, 0xc0010000 };

	for (unsigned int i = 0; i < 3; i++)
		if (msr - base[i] < 0x2000) {
			uint32_t bit = i * 0x4000 + (msr - base[i]) * 2 + write;

			msrpm[bit / 8] |= 1u << (bit % 8);
			return;
		}
	panic("MSR %#x is outside the MSR permission map", msr);
}

void svm_run(struct svm_guest *g)
{
	struct vmcb_control *c = &g->vmcb->control;
	uint64_t host = (uint64_t)host_area[smp_id()];

	assert(host);
	for (;;) {
		svm_handler_t h;

		g->vmcb->save.rax = g->regs.rax;
		c->clean = 0;		/* the harness edits the VMCB between runs */
		clgi();
		vmsave(host);
		vmload((uint64_t)g->vmcb);
		svm_enter(&g->regs, (uint64_t)g->vmcb);
		vmsave((uint64_t)g->vmcb);
		vmload(host);
		stgi();
		c->tlb_control = SVM_TLB_NOTHING;	/* a flush asked for is done */
		c->event_inj = 0;
		g->regs.rax = g->vmcb->save.rax;
		g->exit_code = c->exit_code;
		g->info1 = c->exit_info1;
		g->info2 = c->exit_info2;
		g->int_info = c->exit_int_info;
		g->rip = g->vmcb->save.rip;
		if (g->exit_code == SVM_EXIT_INVALID || g->exit_code == SVM_EXIT_INVALID32)
			h = g->invalid;
		else
			h = g->exit_code < SVM_EXIT_CODES ? g->handlers[g->exit_code] : NULL;
		switch (h ? h(g) : unexpected(g)) {
		case SVM_DONE:
			return;
		case SVM_SKIP:
			if (cpu_has(X86_FEATURE_NRIPS))
				g->vmcb->save.rip = c->next_rip;
			else if (g->insn_len)
				g->vmcb->save.rip += g->insn_len;
			else
				panic("SVM_SKIP without NRIPS needs the instruction's length");
			break;
		case SVM_RESUME:
			break;
		}
	}
}
