/* Stage-2 tables and the EL1 guest run from EL2 (lib/arm64/stage2.h). */
#include "alloc.h"
#include "arch.h"
#include "panic.h"
#include "percpu.h"
#include "pgtable.h"
#include "printf.h"
#include "processor.h"
#include "smp.h"
#include "stage2.h"
#include "traps.h"

/* Stage-2 descriptors (ARM ARM D8.3, D8.5.5). */
#define S2D_VALID	(1ull << 0)
#define S2D_TABLE	(1ull << 1)	/* table at L0-L2, page at L3 */
#define S2D_NORMAL_WB	(0xfull << 2)	/* MemAttr: Normal, inner/outer write-back */
#define S2D_AP_R	(1ull << 6)
#define S2D_AP_W	(1ull << 7)
#define S2D_SH_INNER	(3ull << 8)
#define S2D_AF		(1ull << 10)
#define S2D_XN		(1ull << 54)	/* XN[1:0] = 0b10: not executable at EL1 or EL0 */
#define S2D_ADDR	0x0000fffffffff000ull

#define HCR_VM		(1ull << 0)
#define HCR_DC		(1ull << 12)
#define HCR_TGE		(1ull << 27)
#define HCR_E2H		(1ull << 34)
#define VTCR_RES1	(1ull << 31)
#define VMIDS		256		/* 8-bit VMIDs (VTCR_EL2.VS clear) */
#define GUEST_SCTLR	0x30d00800ull	/* RES1 bits; M clear: stage 1 off */
#define GUEST_PSTATE_EL2T 0x8		/* M[3:0] of EL2t; | SPSel for EL2h */

extern char _text[], _etext[];
extern char s2_guest_load[], s2_guest_store[], s2_guest_exec[], s2_guest_touch[];
extern char s2_guest_vectors[];
__attribute__((noreturn)) void s2_guest_enter(const char *pc, const uint64_t *args);

#define PS_MAX		5		/* VTCR_EL2.PS 48 bits: the 4K granule's limit */

static const char *const guest_ops[] = {
	[S2_LOAD] = s2_guest_load, [S2_STORE] = s2_guest_store,
	[S2_EXEC] = s2_guest_exec, [S2_TOUCH] = s2_guest_touch,
};

/* Per CPU: the host context to return to and the exit being recorded. */
static struct s2_cpu {
	unsigned long host[JMP_CTX_WORDS];
	struct s2_vm *vm;
	struct s2_exit exit;
	uint64_t host_hcr, host_pstate;
} s2_cpus[MAX_CPUS];

static unsigned int level_shift(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

unsigned int s2_max_pa_bits(void)
{
	unsigned int bits = parange_bits(read_sysreg(id_aa64mmfr0_el1) & 0xf);

	return bits && bits < parange_bits(PS_MAX) ? bits : parange_bits(PS_MAX);
}

static unsigned int ps_field(unsigned int bits)
{
	for (unsigned int i = 0; i <= PS_MAX; i++)
		if (parange_bits(i) == bits)
			return i;
	panic("stage 2: no VTCR_EL2.PS encoding for %u bits", bits);
}

static uint64_t guest_hcr(uint64_t hcr)
{
	return (hcr & ~HCR_TGE) | HCR_VM | HCR_DC;
}

/*
 * The host keeps HCR_EL2.VM and DC set (inert with TGE = 1 in VHE, and for
 * EL2 itself in nVHE) and VTCR/VTTBR as they are: entering the guest then
 * changes no translation control, so TLB entries survive between runs as
 * they would on a real host, and only our TLBIs remove them.
 */
static void load_vm(struct s2_vm *vm)
{
	uint64_t hcr = read_sysreg(hcr_el2);

	if ((hcr & (HCR_VM | HCR_DC)) != (HCR_VM | HCR_DC))
		write_sysreg(hcr_el2, hcr | HCR_VM | HCR_DC);
	if (read_sysreg(vtcr_el2) != vm->vtcr)
		write_sysreg(vtcr_el2, vm->vtcr);
	if (read_sysreg(vttbr_el2) != vm->vttbr)
		write_sysreg(vttbr_el2, vm->vttbr);
	isb();
}

static void s2_exit_handler(struct ex_regs *r);

void s2_init(struct s2_vm *vm, unsigned int ipa_bits, unsigned int pa_bits)
{
	static unsigned int vmids;	/* each VM its own: TLB entries are per VMID */
	unsigned int level = 2, order;

	assert(ipa_bits >= 32 && ipa_bits <= 48 && ++vmids < VMIDS);
	/* The deepest start level whose table, concatenated up to 16 times,
	 * resolves the IPA bits above it; level 0 takes no concatenation. */
	while (level > 0 && ipa_bits - level_shift(level) > 9 + 4)
		level--;
	order = ipa_bits - level_shift(level) > 9 ? ipa_bits - level_shift(level) - 9 : 0;
	*vm = (struct s2_vm){
		.root = alloc_pages(order),
		.ipa_bits = ipa_bits, .pa_bits = pa_bits, .start_level = level,
		.vtcr = (64 - ipa_bits) | (uint64_t)(2 - level) << 6 | 1 << 8 | 1 << 10 |
			3 << 12 | (uint64_t)ps_field(pa_bits) << 16 | VTCR_RES1,
	};
	assert(vm->root);
	vm->vttbr = (uint64_t)vm->root | (uint64_t)vmids << 48;
	for (char *p = _text; p < _etext; p += S2_PAGE)
		s2_map(vm, (uint64_t)p, (uint64_t)p, S2_PAGE, S2_R | S2_X);
	handle_lower_el(s2_exit_handler);
}

/*
 * The descriptor for ipa at level leaf, with tables allocated on the way;
 * without alloc, the block or invalid entry where the walk stops short.
 */
static uint64_t *walk(struct s2_vm *vm, uint64_t ipa, unsigned int leaf, bool alloc)
{
	uint64_t *table = vm->root;
	unsigned int level = vm->start_level;
	uint64_t index = ipa >> level_shift(level) & ((1ull << (vm->ipa_bits - level_shift(level))) - 1);

	for (;; level++) {
		uint64_t *e = &table[index];

		if (level == leaf)
			return e;
		if (!(*e & S2D_VALID)) {
			if (!alloc)
				return e;
			*e = (uint64_t)alloc_page() | S2D_VALID | S2D_TABLE;
		} else if (!(*e & S2D_TABLE)) {
			assert(!alloc);		/* a block: s2_unmap() it first */
			return e;
		}
		table = (uint64_t *)(*e & S2D_ADDR);
		index = ipa >> level_shift(level + 1) & 511;
	}
}

void s2_map(struct s2_vm *vm, uint64_t ipa, uint64_t pa, uint64_t size, unsigned int perm)
{
	unsigned int leaf = size == S2_PAGE ? 3 : size == S2_BLOCK_2M ? 2 : 1;

	assert((size == S2_PAGE || size == S2_BLOCK_2M || size == S2_BLOCK_1G) &&
	       !(ipa & (size - 1)) && !(pa & (size - 1)) && leaf >= vm->start_level);
	*walk(vm, ipa, leaf, true) = pa | S2D_VALID | (leaf == 3 ? S2D_TABLE : 0) |
				     S2D_NORMAL_WB | S2D_SH_INNER | S2D_AF |
				     (perm & S2_R ? S2D_AP_R : 0) | (perm & S2_W ? S2D_AP_W : 0) |
				     (perm & S2_X ? 0 : S2D_XN);
	dsb(ishst);
}

uint64_t *s2_entry(struct s2_vm *vm, uint64_t ipa)
{
	return walk(vm, ipa, 3, false);
}

bool s2_mapped(struct s2_vm *vm, uint64_t ipa)
{
	return *s2_entry(vm, ipa) & S2D_VALID;
}

/*
 * Invalidate ipa's stage-2 entries and the combined stage 1+2 ones of the
 * VMID.  VMALLE1IS reaches the EL1&0 regime only with HCR_EL2.TGE clear,
 * so the host's HCR_EL2 is switched to the guest's for the while.
 */
void s2_tlbi_ipa(struct s2_vm *vm, uint64_t ipa)
{
	uint64_t hcr;

	load_vm(vm);
	hcr = read_sysreg(hcr_el2);
	write_sysreg(hcr_el2, guest_hcr(hcr));
	isb();
	dsb(ishst);
	asm volatile("tlbi ipas2e1is, %0" : : "r"(ipa >> 12) : "memory");
	dsb(ish);
	asm volatile("tlbi vmalle1is" : : : "memory");
	dsb(ish);
	write_sysreg(hcr_el2, hcr);
	isb();
}

void s2_unmap(struct s2_vm *vm, uint64_t ipa)
{
	*s2_entry(vm, ipa) = 0;
	s2_tlbi_ipa(vm, ipa);
}

static void back_to_host(void)
{
	vm_longjmp(s2_cpus[smp_id()].host, 1);
}

/* Every synchronous exit of the guest, at EL2 on its CPU. */
static void s2_exit_handler(struct ex_regs *r)
{
	struct s2_cpu *c = &s2_cpus[smp_id()];
	unsigned int ec = ESR_EC(r->esr), imm = r->esr & 0xffff;
	struct s2_exit e = { .reason = S2_OTHER, .esr = r->esr, .far = r->far, .pc = r->pc };
	bool resume = false;

	if (ec == EC_HVC64 && imm == 0) {
		e.reason = S2_DONE;
		e.x0 = r->x[0];
	} else if (ec == EC_HVC64 && imm == 1) {
		e = (struct s2_exit){ .reason = S2_GUEST_EXCEPTION, .esr = r->x[1],
				      .far = r->x[2], .pc = r->x[3] };
	} else if (ec == EC_DABT_LOW || ec == EC_IABT_LOW) {
		e.reason = S2_ABORT;
		e.hpfar_ipa = (read_sysreg(hpfar_el2) >> 4 & ((1ull << 40) - 1)) << 12;
		if (c->vm->on_abort) {
			spin_lock(&c->vm->lock);
			resume = c->vm->on_abort(c->vm, &e);
			spin_unlock(&c->vm->lock);
		}
	}
	if (resume)
		return;
	c->exit = e;
	write_sysreg(hcr_el2, c->host_hcr);
	isb();
	r->pc = (uintptr_t)back_to_host;
	r->pstate = c->host_pstate;
}

struct s2_exit s2_run(struct s2_vm *vm, enum s2_op op, uint64_t a, uint64_t b, uint64_t c,
		      uint64_t d)
{
	struct s2_cpu *cpu = &s2_cpus[smp_id()];
	const uint64_t args[4] = { a, b, c, d };

	assert(current_el() == 2);
	cpu->vm = vm;
	load_vm(vm);
	cpu->host_hcr = read_sysreg(hcr_el2);
	cpu->host_pstate = read_sysreg(daif) | GUEST_PSTATE_EL2T | read_sysreg(spsel);
	if (el2_nvhe()) {
		write_sysreg(sctlr_el1, GUEST_SCTLR);
		write_sysreg(vbar_el1, s2_guest_vectors);
	} else {
		write_sysreg(s3_5_c1_c0_0, GUEST_SCTLR);	/* SCTLR_EL12 */
		write_sysreg(s3_5_c12_c0_0, s2_guest_vectors);	/* VBAR_EL12 */
	}
	if (vm_setjmp(cpu->host) == 0) {
		write_sysreg(hcr_el2, guest_hcr(cpu->host_hcr));
		isb();
		s2_guest_enter(guest_ops[op], args);
	}
	return cpu->exit;
}

const char *s2_exit_str(const struct s2_exit *e, char *buf, unsigned long size)
{
	unsigned int ec = ESR_EC(e->esr), fsc = ESR_FSC(e->esr);

	switch (e->reason) {
	case S2_DONE:
		snprintf(buf, size, "done, x0 %#lx", e->x0);
		break;
	case S2_GUEST_EXCEPTION:
		snprintf(buf, size, "EL1 exception EC %#x FSC %#x, FAR %#lx, pc %#lx",
			 ec, fsc, e->far, e->pc);
		break;
	case S2_ABORT:
		snprintf(buf, size, "stage-2 %s abort FSC %#x%s at IPA page %#lx, FAR %#lx",
			 ec == EC_IABT_LOW ? "instruction" : "data", fsc,
			 e->esr & ESR_WNR ? " (write)" : "", e->hpfar_ipa, e->far);
		break;
	default:
		snprintf(buf, size, "exit EC %#x ISS %#lx at pc %#lx", ec, ESR_ISS(e->esr), e->pc);
	}
	return buf;
}
