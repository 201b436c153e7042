/* The in-guest VMX harness (lib/x86/vmx.h). */
#include "alloc.h"
#include "apic.h"
#include "cpuid.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"
#include "string.h"
#include "vmx.h"

#define MSR_FEATURE_CONTROL	0x03a
#define FC_LOCKED		(1u << 0)
#define FC_VMXON_OUTSIDE_SMX	(1u << 2)
#define MSR_VMX_BASIC		0x480
#define MSR_VMX_CR0_FIXED0	0x486
#define MSR_VMX_CR0_FIXED1	0x487
#define MSR_VMX_CR4_FIXED0	0x488
#define MSR_VMX_CR4_FIXED1	0x489
#define MSR_VMX_PROCBASED_CTLS2	0x48b
#define BASIC_TRUE_CTLS		(1ull << 55)
#define X86_CR4_VMXE		(1ul << 13)
#define AR_CODE64		0xa09b	/* P, DPL 0, S, execute/read accessed, L, G */
#define AR_DATA			0xc093	/* P, DPL 0, S, read/write accessed, D/B, G */
#define AR_TSS64_BUSY		0x008b
#define AR_UNUSABLE		(1u << 16)

/* vmx-entry.S */
int vmx_enter(struct l2_regs *regs, bool launched);
void vmx_exit_entry(void);
void vmx_guest_start(void);

static void *vmxon_region;

uint64_t vmx_basic(void)
{
	return rdmsr(MSR_VMX_BASIC);
}

static bool cpu_has_vmx(void)
{
	return cpuid(1, 0).c & (1u << 5);
}

const char *vmx_gate(void)
{
	uint64_t fc;

	if (!cpu_has_vmx())
		return "CPUID.0x1:ECX.VMX[5]";
	fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FC_LOCKED) && !(fc & FC_VMXON_OUTSIDE_SMX))
		return "IA32_FEATURE_CONTROL is locked without VMXON outside SMX (bit 2)";
	if (!(fc & FC_LOCKED))
		wrmsr(MSR_FEATURE_CONTROL, fc | FC_LOCKED | FC_VMXON_OUTSIDE_SMX);
	return NULL;
}


struct vmx_status vmx_status_of(uint64_t rflags)
{
	if (rflags & 1)
		return (struct vmx_status){ VMX_FAIL_INVALID };
	if (rflags & (1 << 6))
		return (struct vmx_status){ VMX_FAIL_VALID, vmread(VM_INSTRUCTION_ERROR) };
	return (struct vmx_status){ VMX_OK };
}

#define VMX_INSN(insn, operand)						\
	({								\
		uint64_t __f;						\
		asm volatile(insn " %1; pushf; pop %0"			\
			     : "=r"(__f) : "m"(operand) : "cc", "memory");	\
		vmx_status_of(__f);					\
	})

struct vmx_status vmxon(uint64_t pa)
{
	return VMX_INSN("vmxon", pa);
}

struct vmx_status vmclear(uint64_t pa)
{
	return VMX_INSN("vmclear", pa);
}

struct vmx_status vmptrld(uint64_t pa)
{
	return VMX_INSN("vmptrld", pa);
}

struct vmx_status vmwrite(enum vmcs_field f, uint64_t v)
{
	uint64_t flags;

	asm volatile("vmwrite %1, %2; pushf; pop %0"
		     : "=r"(flags) : "r"(v), "r"((uint64_t)f) : "cc", "memory");
	return vmx_status_of(flags);
}

uint64_t vmread(enum vmcs_field f)
{
	uint64_t v = 0;

	asm volatile("vmread %1, %0" : "+r"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

void *vmx_region(bool bad_revision)
{
	uint32_t *r = alloc_page();

	assert(r);
	r[0] = (vmx_basic() & 0x7fffffff) ^ bad_revision;
	return r;
}

void vmx_prepare_crs(void)
{
	write_cr0((read_cr0() | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
	write_cr4(((read_cr4() | X86_CR4_VMXE) | rdmsr(MSR_VMX_CR4_FIXED0)) &
		  rdmsr(MSR_VMX_CR4_FIXED1));
}

struct vmx_status vmx_on(void)
{
	vmx_prepare_crs();
	if (!vmxon_region)
		vmxon_region = vmx_region(false);
	return vmxon((uint64_t)vmxon_region);
}

void *vmx_vmxon_region(void)
{
	return vmxon_region;
}

void vmx_off(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
	write_cr4(read_cr4() & ~X86_CR4_VMXE);
}

static const char *const errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "Invalid operand to INVEPT/INVVPID",
};

const char *vmx_error_name(uint32_t error)
{
	return error < sizeof(errors) / sizeof(errors[0]) && errors[error] ? errors[error] : "?";
}

const char *vmx_status_str(struct vmx_status s, char *buf, unsigned long size)
{
	if (s.result == VMX_OK)
		snprintf(buf, size, "VMsucceed");
	else if (s.result == VMX_FAIL_INVALID)
		snprintf(buf, size, "VMfailInvalid");
	else
		snprintf(buf, size, "VMfailValid error %u (%s)", s.error, vmx_error_name(s.error));
	return buf;
}

const char *vmx_exit_name(uint32_t reason)
{
	static const char *const names[EXIT_REASONS] = {
		[EXIT_EXCEPTION] = "exception or NMI", [EXIT_EXTINT] = "external interrupt",
		[EXIT_TRIPLE_FAULT] = "triple fault", [EXIT_NMI_WINDOW] = "NMI window",
		[EXIT_CPUID] = "CPUID",
		[EXIT_HLT] = "HLT", [EXIT_VMCALL] = "VMCALL", [EXIT_IO] = "I/O instruction",
		[EXIT_RDMSR] = "RDMSR", [EXIT_WRMSR] = "WRMSR",
		[EXIT_INVALID_STATE] = "VM-entry failure: invalid guest state",
		[EXIT_PAUSE] = "PAUSE", [EXIT_TPR_BELOW_THRESHOLD] = "TPR below threshold",
		[EXIT_APIC_ACCESS] = "APIC access", [EXIT_VIRTUALIZED_EOI] = "virtualized EOI",
		[EXIT_APIC_WRITE] = "APIC write", [EXIT_EPT_VIOLATION] = "EPT violation",
		[EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
		[EXIT_PREEMPTION_TIMER] = "VMX-preemption timer expired",
		[EXIT_PML_FULL] = "page-modification log full",
		[EXIT_SPP_EVENT] = "SPP-related event",
	};
	uint32_t basic = reason & 0xffff;

	return basic < EXIT_REASONS && names[basic] ? names[basic] : "?";
}

const char *vmx_exit_str(const struct vmx_guest *g, char *buf, unsigned long size)
{
	char s[96];

	if (g->entry.result != VMX_OK)
		snprintf(buf, size, "entry %s", vmx_status_str(g->entry, s, sizeof(s)));
	else
		snprintf(buf, size, "exit %u%s (%s), qualification %#lx, guest RIP %#lx",
			 g->exit_reason & 0xffff,
			 g->exit_reason & EXIT_REASON_FAILED_ENTRY ? " | entry failure" : "",
			 vmx_exit_name(g->exit_reason), g->qualification, g->guest_rip);
	return buf;
}

/* The capability MSRs of each control, plain and TRUE_*. */
static const struct ctl_msr {
	const char *name, *true_name;
	uint32_t msr, true_msr;
	size_t off;
} ctl_msrs[] = {
	{ "IA32_VMX_PINBASED_CTLS", "IA32_VMX_TRUE_PINBASED_CTLS", 0x481, 0x48d,
	  offsetof(struct vmx_ctls, pin) },
	{ "IA32_VMX_PROCBASED_CTLS", "IA32_VMX_TRUE_PROCBASED_CTLS", 0x482, 0x48e,
	  offsetof(struct vmx_ctls, proc) },
	{ "IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_PROCBASED_CTLS2", 0x48b, 0x48b,
	  offsetof(struct vmx_ctls, proc2) },
	{ "IA32_VMX_EXIT_CTLS", "IA32_VMX_TRUE_EXIT_CTLS", 0x483, 0x48f,
	  offsetof(struct vmx_ctls, exit) },
	{ "IA32_VMX_ENTRY_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS", 0x484, 0x490,
	  offsetof(struct vmx_ctls, entry) },
};

static uint64_t ctl_caps(const struct ctl_msr *c, const char **name)
{
	bool true_ctls = vmx_basic() & BASIC_TRUE_CTLS;

	*name = true_ctls ? c->true_name : c->name;
	return rdmsr(true_ctls ? c->true_msr : c->msr);
}

/* What EPT needs of IA32_VMX_EPT_VPID_CAP (MSR 0x48c) beyond the control. */
static const char *ept_caps_missing(void)
{
	static const struct { int bit; const char *what; } needs[] = {
		{ 6, "page-walk length 4" }, { 14, "write-back EPT structures" }, { 20, "INVEPT" },
	};
	static char why[96];
	uint64_t cap = rdmsr(0x48c);

	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (!(cap >> needs[i].bit & 1)) {
			snprintf(why, sizeof(why), "IA32_VMX_EPT_VPID_CAP bit %d (%s)", needs[i].bit,
				 needs[i].what);
			return why;
		}
	return NULL;
}

const char *vmx_ctls_allowed(const struct vmx_ctls *want)
{
	static char why[96];

	for (size_t i = 0; i < sizeof(ctl_msrs) / sizeof(ctl_msrs[0]); i++) {
		uint32_t w = *(const uint32_t *)((const char *)want + ctl_msrs[i].off);
		const char *name;
		uint64_t caps;

		if (!w)
			continue;
		if (ctl_msrs[i].msr == MSR_VMX_PROCBASED_CTLS2 &&
		    !(rdmsr(0x482) >> 32 & PROC_SECONDARY))
			return "IA32_VMX_PROCBASED_CTLS bit 63 (activate secondary controls)";
		caps = ctl_caps(&ctl_msrs[i], &name);
		if (w & ~(uint32_t)(caps >> 32)) {
			snprintf(why, sizeof(why), "%s bit %u (allowed-1 %#x)", name,
				 __builtin_ctz(w & ~(uint32_t)(caps >> 32)) + 32, (uint32_t)(caps >> 32));
			return why;
		}
	}
	return want->proc2 & PROC2_EPT ? ept_caps_missing() : NULL;
}

bool vmx_start(const struct vmx_ctls *need)
{
	const char *gate = vmx_gate();
	struct vmx_status s;
	char buf[96];

	if (gate) {
		report_skip("%s", gate);
		return false;
	}
	s = vmx_on();
	if (s.result != VMX_OK) {
		report_fail("VMXON succeeds (%s)", vmx_status_str(s, buf, sizeof(buf)));
		return false;
	}
	gate = vmx_ctls_allowed(need);
	if (gate) {
		report_skip("%s", gate);
		vmx_off();
	}
	return !gate;
}

/* wanted | allowed-0, & allowed-1. */
static uint32_t adjust(const struct ctl_msr *c, uint32_t want)
{
	const char *name;
	uint64_t caps = ctl_caps(c, &name);

	return (want | (uint32_t)caps) & (uint32_t)(caps >> 32);
}

const char *vmcs_field_name(enum vmcs_field f)
{
	static const struct { enum vmcs_field f; const char *name; } names[] = {
#define VMCS_NAME(name, code) { name, #name },
		VMCS_FIELDS(VMCS_NAME)
#undef VMCS_NAME
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].f == f)
			return names[i].name;
	return "?";
}

static void must(struct vmx_status s, enum vmcs_field f)
{
	char buf[96];

	if (s.result != VMX_OK)
		panic("VMWRITE %s (%#x): %s", vmcs_field_name(f), f,
		      vmx_status_str(s, buf, sizeof(buf)));
}

static void w(enum vmcs_field f, uint64_t v)
{
	must(vmwrite(f, v), f);
}

/*
 * L2 runs on L1's state: the same CR0/3/4, EFER, GDT, IDT, TSS and GS.
 * The EFER fields exist only with the controls that load them (efer):
 * without, entry and exit set EFER.LME/LMA from the 64-bit controls and
 * keep the rest, which is L1's (SDM vol. 3C, 27.3.2.1 and 28.5.1).
 */
static void write_state(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
			bool efer)
{
	struct l1_env e;
	uint16_t cs, ds;

	l1_env(&e);
	cs = e.cs;
	ds = e.ds;
	w(HOST_CR0, read_cr0());
	w(HOST_CR3, read_cr3());
	w(HOST_CR4, read_cr4());
	if (efer)
		w(HOST_EFER, rdmsr(MSR_EFER));
	w(HOST_CS_SEL, cs);
	w(HOST_SS_SEL, ds);
	w(HOST_DS_SEL, ds);
	w(HOST_ES_SEL, ds);
	w(HOST_FS_SEL, ds);
	w(HOST_GS_SEL, ds);
	w(HOST_TR_SEL, e.tr);
	w(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	w(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	w(HOST_TR_BASE, e.tr_base);
	w(HOST_GDTR_BASE, e.gdt_base);
	w(HOST_IDTR_BASE, e.idt_base);
	w(HOST_RIP, (uint64_t)vmx_exit_entry);

	w(GUEST_CR0, read_cr0());
	w(GUEST_CR3, read_cr3());
	w(GUEST_CR4, read_cr4());
	if (efer)
		w(GUEST_EFER, rdmsr(MSR_EFER));
	w(GUEST_DR7, 0x400);
	w(GUEST_RFLAGS, 0x2);
	w(GUEST_RSP, l2_stack());
	w(GUEST_RIP, (uint64_t)vmx_guest_start);
	w(VMCS_LINK_PTR, ~0ull);
	w(GUEST_CS_SEL, cs);
	w(GUEST_CS_AR, AR_CODE64);
	w(GUEST_CS_LIMIT, 0xffffffff);
	for (enum vmcs_field f = GUEST_ES_SEL; f <= GUEST_GS_SEL; f += 2) {
		if (f == GUEST_CS_SEL)
			continue;
		w(f, ds);
		w(GUEST_ES_AR + (f - GUEST_ES_SEL), AR_DATA);
		w(GUEST_ES_LIMIT + (f - GUEST_ES_SEL), 0xffffffff);
	}
	w(GUEST_FS_BASE, rdmsr(MSR_FS_BASE));
	w(GUEST_GS_BASE, rdmsr(MSR_GS_BASE));
	w(GUEST_LDTR_AR, AR_UNUSABLE);
	w(GUEST_TR_SEL, e.tr);
	w(GUEST_TR_AR, AR_TSS64_BUSY);
	w(GUEST_TR_LIMIT, 0x67);
	w(GUEST_TR_BASE, e.tr_base);
	w(GUEST_GDTR_BASE, e.gdt_base);
	w(GUEST_GDTR_LIMIT, e.gdt_limit);
	w(GUEST_IDTR_BASE, e.idt_base);
	w(GUEST_IDTR_LIMIT, e.idt_limit);
	g->regs = l2_start_regs(fn, arg);
}

/* An all-zero MSR bitmap: no RDMSR/WRMSR exits. */
static void *no_msr_exits(void)
{
	static void *bitmap;

	if (!bitmap)
		bitmap = alloc_page();
	assert(bitmap);
	return bitmap;
}

static enum vmx_action unexpected(struct vmx_guest *g)
{
	char buf[160];

	report_abort("unexpected VM exit: %s, L2 RAX %#lx", vmx_exit_str(g, buf, sizeof(buf)),
		     g->regs.rax);
}

static enum vmx_action on_vmcall(struct vmx_guest *g)
{
	if (g->regs.rax != L2_CALL_DONE)
		return unexpected(g);	/* a request no test registered for */
	g->result = g->regs.rbx;
	g->done = true;
	return VMX_DONE;
}

static enum vmx_action stop(struct vmx_guest *g)
{
	return VMX_DONE;
}

void vmx_stop_on(struct vmx_guest *g, uint32_t reason)
{
	assert(reason < EXIT_REASONS);
	g->handlers[reason] = stop;
}

bool vmx_guest_init(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
		    const struct vmx_ctls *want)
{
	const char *gate = vmx_ctls_allowed(want);
	struct vmx_ctls c = *want;
	uint32_t *ctl = (uint32_t *)&c;
	bool efer;
	const enum vmcs_field fields[] = { PIN_CTLS, PROC_CTLS, PROC_CTLS2, EXIT_CTLS,
					   ENTRY_CTLS };

	if (gate) {
		report_skip("%s", gate);
		return false;
	}
	/* (after the gate: vmx_ctls_allowed() says why in one buffer) */
	efer = !vmx_ctls_allowed(&(struct vmx_ctls){ .exit = EXIT_LOAD_EFER,
						     .entry = ENTRY_LOAD_EFER });
	*g = (struct vmx_guest){ .vmcs = vmx_region(false) };
	g->handlers[EXIT_VMCALL] = on_vmcall;
	if (vmclear((uint64_t)g->vmcs).result != VMX_OK ||
	    vmptrld((uint64_t)g->vmcs).result != VMX_OK)
		panic("VMCLEAR/VMPTRLD of a fresh VMCS failed");
	if (!vmx_ctls_allowed(&(struct vmx_ctls){ .proc = PROC_MSR_BITMAP }))
		c.proc |= PROC_MSR_BITMAP;
	c.exit |= EXIT_HOST_64 | (efer ? EXIT_LOAD_EFER : 0);
	c.entry |= ENTRY_GUEST_64 | (efer ? ENTRY_LOAD_EFER : 0);
	if (c.proc2)
		c.proc |= PROC_SECONDARY;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i] != PROC_CTLS2 || c.proc2)
			w(fields[i], adjust(&ctl_msrs[i], ctl[i]));
	write_state(g, fn, arg, efer);
	if (c.proc & PROC_MSR_BITMAP)
		w(MSR_BITMAP, (uint64_t)no_msr_exits());
	return true;
}

void vmx_run(struct vmx_guest *g)
{
	for (;;) {
		int r = vmx_enter(&g->regs, g->launched);
		uint32_t basic;
		vmx_handler_t h;

		if (r) {
			g->entry = vmx_status_of(r == 1 ? 1 : 1 << 6);
			return;
		}
		g->entry = (struct vmx_status){ VMX_OK };
		g->exit_reason = vmread(EXIT_REASON);
		g->qualification = vmread(EXIT_QUALIFICATION);
		g->guest_rip = vmread(GUEST_RIP);
		basic = g->exit_reason & 0xffff;
		if (!(g->exit_reason & EXIT_REASON_FAILED_ENTRY))
			g->launched = true;
		h = basic < EXIT_REASONS ? g->handlers[basic] : NULL;
		switch (h ? h(g) : unexpected(g)) {
		case VMX_DONE:
			return;
		case VMX_SKIP:
			w(GUEST_RIP, g->guest_rip + vmread(EXIT_INSN_LEN));
			break;
		case VMX_RESUME:
			break;
		}
	}
}

void vmx_vapic_init(struct vmx_guest *g, unsigned int nv)
{
	g->vapic = alloc_page();
	assert(g->vapic);
	w(VIRTUAL_APIC_PAGE_ADDR, (uint64_t)g->vapic);
	g->apic_access = NULL;
	if (vmread(PROC_CTLS) & PROC_SECONDARY && vmread(PROC_CTLS2) & PROC2_APIC_ACCESS) {
		g->apic_access = alloc_page();
		assert(g->apic_access);
		w(APIC_ACCESS_ADDR, (uint64_t)g->apic_access);
	}
	if (vmread(PIN_CTLS) & PIN_POSTED_INTR) {
		g->pi = alloc_page();
		assert(g->pi);
		w(POSTED_INTR_DESC_ADDR, (uint64_t)g->pi);
		w(POSTED_INTR_NV, nv);
	}
}

volatile uint32_t *vmx_vapic_reg(const struct vmx_guest *g, unsigned int reg)
{
	return (volatile uint32_t *)((char *)g->vapic + reg);
}

bool vmx_vapic_vector(const struct vmx_guest *g, unsigned int reg, unsigned int vector)
{
	return *vmx_vapic_reg(g, reg + vector / 32 * 0x10) >> (vector % 32) & 1;
}

void vmx_vapic_set_vector(const struct vmx_guest *g, unsigned int reg, unsigned int vector)
{
	*vmx_vapic_reg(g, reg + vector / 32 * 0x10) |= 1u << (vector % 32);
}

void vmx_eoi_exit(unsigned int vector, bool exit)
{
	enum vmcs_field f = EOI_EXIT_BITMAP0 + vector / 64 * 2;
	uint64_t bit = 1ull << (vector % 64);

	w(f, exit ? vmread(f) | bit : vmread(f) & ~bit);
}

void vmx_pi_post(struct vmx_pi_desc *d, unsigned int vector, unsigned int nv, unsigned int cpu)
{
	bool was_on;

	asm volatile("lock btsq %1, %0" : "+m"(d->pir[vector / 64]) : "r"((uint64_t)vector % 64)
		     : "cc", "memory");
	asm volatile("lock btsq $0, %0" : "+m"(d->control), "=@ccc"(was_on) : : "memory");
	if (!was_on)
		apic_ipi(cpu, nv);
}
