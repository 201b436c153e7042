/* GDT TSS, IDT and the C side of exception handling. */
#include <stddef.h>
#include "arch.h"
#include "desc.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"
#include "verdict.h"

_Static_assert(offsetof(struct ex_regs, vector) == 15 * 8, "entry.S layout");
_Static_assert(offsetof(struct ex_regs, rip) == 17 * 8, "entry.S layout");
_Static_assert(sizeof(struct ex_regs) % 16 == 0, "entry.S stack alignment");

#define IST_STACK_SIZE 8192	/* printf and a register dump fit */

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_entry {
	uint16_t offset0, selector;
	uint8_t ist, type_attr;
	uint16_t offset1;
	uint32_t offset2, reserved;
};

extern char ex_stubs[];
extern uint64_t gdt[];		/* x86/cstart64.S: TSS descriptor at TSS_SEL */

static struct idt_entry idt[256] __attribute__((aligned(16)));
static exception_handler_t handlers[256];
static struct tss tss[MAX_CPUS];
static uint8_t ist_stacks[MAX_CPUS][3][IST_STACK_SIZE] __attribute__((aligned(16)));

static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
	"#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP", "vector 22", "vector 23", "vector 24", "vector 25", "vector 26",
	"vector 27", "#HV", "#VC", "#SX", "vector 31",
};

static void set_idt_entry(unsigned int vec, unsigned int ist)
{
	uint64_t addr = (uint64_t)ex_stubs + 16 * vec;

	idt[vec] = (struct idt_entry){
		.offset0 = addr, .selector = KERNEL_CS, .ist = ist,
		.type_attr = 0x8e,	/* present, DPL 0, 64-bit interrupt gate */
		.offset1 = addr >> 16, .offset2 = addr >> 32,
	};
}

static void load_tss(unsigned int cpu)
{
	uint64_t base = (uint64_t)&tss[cpu];
	unsigned int slot = TSS_SEL / 8 + 2 * cpu;

	for (int i = 0; i < 3; i++)
		tss[cpu].ist[i] = (uint64_t)ist_stacks[cpu][i] + IST_STACK_SIZE;
	tss[cpu].iomap_base = sizeof(struct tss);
	gdt[slot] = (sizeof(struct tss) - 1) | (base & 0xffffff) << 16 |
		    0x89ull << 40 | ((base >> 24) & 0xff) << 56;
	gdt[slot + 1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(slot * 8));
}

void desc_init(unsigned int cpu)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	if (cpu == 0) {
		for (unsigned int v = 0; v < 256; v++)
			set_idt_entry(v, 0);
		set_idt_entry(DF_VECTOR, 1);
		set_idt_entry(NMI_VECTOR, 2);
		set_idt_entry(MC_VECTOR, 3);
	}
	load_tss(cpu);
	asm volatile("lidt %0" : : "m"(idtr));
}

void set_idt_ist(unsigned int vector, unsigned int ist)
{
	idt[vector].ist = ist;
}

void set_idt_dpl(unsigned int vector, unsigned int dpl)
{
	idt[vector].type_attr = (idt[vector].type_attr & ~0x60) | (dpl & 3) << 5;
}

void *tss_rsp0(void)
{
	return &tss[this_cpu()->id].rsp[0];
}

exception_handler_t handle_exception(unsigned int vector, exception_handler_t h)
{
	exception_handler_t old = handlers[vector];

	handlers[vector] = h;
	return old;
}

void arch_fault_name(struct fault f, char *buf, unsigned long size)
{
	const char *name = f.vector < 32 ? vector_names[f.vector] : "interrupt";

	if (f.vector == PF_VECTOR)
		snprintf(buf, size, "#PF(%#llx) at %#llx",
			 (unsigned long long)f.code, (unsigned long long)f.addr);
	else if (f.code)
		snprintf(buf, size, "%s(%#llx)", name, (unsigned long long)f.code);
	else
		snprintf(buf, size, "%s", name);
}

void dump_ex_regs(const struct ex_regs *r)
{
	printf("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n"
	       "rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n"
	       "r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n"
	       "r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n"
	       "rip=%016lx rflags=%08lx cs=%04lx ss=%04lx error_code=%#lx\n"
	       "cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx\n",
	       r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
	       r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
	       r->rip, r->rflags, r->cs, r->ss, r->error_code,
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
	backtrace_from(r->rbp, r->rip);
}

void arch_dump_here(void)
{
	uint64_t rip, rsp, rbp;

	asm volatile("lea (%%rip), %0; mov %%rsp, %1; mov %%rbp, %2"
		     : "=r"(rip), "=r"(rsp), "=r"(rbp));
	printf("rip=%016lx rsp=%016lx rbp=%016lx rflags=%08lx\n"
	       "cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx\n",
	       rip, rsp, rbp, read_rflags(), read_cr0(), read_cr2(), read_cr3(),
	       read_cr4());
	backtrace_from(rbp, rip);
}

void do_exception(struct ex_regs *r)
{
	struct percpu *cpu = this_cpu();
	struct fault f = {
		.valid = true, .vector = r->vector, .code = r->error_code,
		.addr = r->vector == PF_VECTOR ? read_cr2() : 0,
	};
	char name[64];

	if (handlers[r->vector]) {
		handlers[r->vector](r);
		return;
	}
	/* Only synchronous exceptions can be a wrapper's fault. */
	if (r->vector < 32 && r->vector != NMI_VECTOR && r->vector != MC_VECTOR &&
	    !cpu->in_panic && fault_catch(f, &r->rip))
		return;
	arch_fault_name(f, name, sizeof(name));
	if (cpu->in_panic) {
		printf("ERROR: %s at rip %#lx while handling a fatal error\n"
		       VM_EXIT_FMT "\n", name, r->rip, VM_STATUS_ERROR);
		arch_exit(VM_STATUS_ERROR);
	}
	cpu->in_panic = true;
	printf("unexpected %s (vector %lu) at rip %#lx on cpu %u\n",
	       name, r->vector, r->rip, cpu->id);
	dump_ex_regs(r);
	report_abort("unexpected exception %s (vector %lu) at rip %#lx",
		     name, r->vector, r->rip);
}
