/*
 * stage2: a stage-2 translation of our own at EL2 (lib/arm64/stage2.h),
 * for an EL1 guest with stage 1 off, as the "Improve efficiency of stage2
 * page table" and "Assorted IPA size fixes" series handle it on the host
 * side; under KVM with nested virtualization it tests the shadowing of our
 * tables.  ARM ARM D8 (VMSAv8-64 translation).
 *
 * - ipa-limit: with VTCR_EL2.T0SZ and PS from ID_AA64MMFR0_EL1.PARange
 *   the last IPA page maps and reads; one past the PA size the guest takes
 *   an address size fault (stage 1 off, level 0); past a smaller T0SZ the
 *   IPA is a stage-2 translation fault with HPFAR_EL2 naming it; an output
 *   address past a smaller VTCR_EL2.PS is a stage-2 address size fault;
 * - blocks: 4K pages, 2M and 1G blocks translate every offset inside;
 * - permissions: S2AP read-only, write-only and none, and XN, each fault
 *   as a stage-2 permission fault with the access kind and FAR_EL2, and an
 *   allowed access works;
 * - first-touch: every CPU touches the same 64 unmapped pages at once; the
 *   EL2 handler maps each on its first fault, so each is mapped once and
 *   every CPU finds its own data in every page afterwards;
 * - bbm: break-before-make with TLBI IPAS2E1IS: after the break the IPA
 *   faults (on every CPU), after the make it reads the new page, and a 2M
 *   block split into pages keeps every page but the one replaced.
 * Needs EL2: "el2" (VHE, all CPUs) or "el2-nvhe" (the boot CPU only) with
 * -machine virtualization=on.
 */
#include "vmunit.h"
#include "devtree.h"
#include "processor.h"
#include "smp.h"
#include "stage2.h"

#define IPA_PAGE	0x100000000ull		/* test IPAs above 4 GiB */
#define IPA_BLOCK	0x140000000ull
#define IPA_PERM	0x180000000ull
#define IPA_1G		0x200000000ull
#define IPA_TOUCH	0x300000000ull
#define IPA_BBM		0x340000000ull
#define IPA_BBM_BLOCK	0x340200000ull
#define TOUCH_PAGES	64
#define FSC_ADDR_SIZE	0x00
#define RET_INSN	0xd65f03c0u

static struct s2_vm vm;
static const uint64_t rodata_magic = 0x5ca1ab1e0ddba11ull;

static uint64_t *page_with(uint64_t v)
{
	uint64_t *p = alloc_page();

	assert(p);
	p[0] = v;
	return p;
}

static struct s2_exit load(struct s2_vm *v, uint64_t ipa)
{
	return s2_run(v, S2_LOAD, ipa, 0, 0, 0);
}

static const char *str(const struct s2_exit *e)
{
	static char buf[MAX_CPUS][128];

	return s2_exit_str(e, buf[smp_id()], sizeof(buf[0]));
}

static bool reads(const struct s2_exit *e, uint64_t want)
{
	return e->reason == S2_DONE && e->x0 == want;
}

/* A stage-2 abort of this kind (EC), fault type and address. */
static bool aborts(const struct s2_exit *e, unsigned int ec, unsigned int fsc_type,
		   uint64_t ipa)
{
	return e->reason == S2_ABORT && ESR_EC(e->esr) == ec &&
	       FSC_TYPE(ESR_FSC(e->esr)) == fsc_type &&
	       (fsc_type == FSC_PERMISSION ? e->far : e->hpfar_ipa) == ipa;
}

static void test_ipa_limit(const void *arg)
{
	unsigned int pa = s2_max_pa_bits(), small = pa > 40 ? 40 : pa - 4;
	unsigned int real = parange_bits(read_sysreg(id_aa64mmfr0_el1) & 0xf);
	uint64_t top = (1ull << pa) - S2_PAGE, *p = page_with(0x1badcafe ^ top);
	struct s2_vm v;
	struct s2_exit e;

	report_info("PARange: %u-bit PA; a %u-bit IPA space starts at level %u", real, pa,
		    vm.start_level);
	s2_map(&vm, top, (uint64_t)p, S2_PAGE, S2_R | S2_W);
	e = load(&vm, top);
	report(reads(&e, p[0]), "the last page of the largest IPA space maps and reads "
	       "(2^%u - 4K = %#lx: %s)", pa, top, str(&e));
	e = load(&vm, 1ull << real);
	report(e.reason == S2_GUEST_EXCEPTION && ESR_EC(e.esr) == EC_DABT_CUR &&
	       ESR_FSC(e.esr) == FSC_ADDR_SIZE && e.far == 1ull << real,
	       "past the PA size: the guest, stage 1 off, takes an address size fault, "
	       "level 0 (2^%u: %s)", real, str(&e));

	s2_init(&v, small, pa);
	top = (1ull << small) - S2_PAGE;
	s2_map(&v, top, (uint64_t)p, S2_PAGE, S2_R);
	e = load(&v, top);
	report(reads(&e, p[0]), "a smaller IPA space: its last page reads (%u-bit, level %u "
	       "start: %s)", small, v.start_level, str(&e));
	e = load(&v, 1ull << small);
	report(aborts(&e, EC_DABT_LOW, FSC_TRANSLATION, 1ull << small),
	       "an IPA past VTCR_EL2.T0SZ: stage-2 translation fault there (2^%u: %s)", small,
	       str(&e));

	/* (An IPA space larger than PS is CONSTRAINED UNPREDICTABLE: equal.) */
	s2_init(&v, small, small);
	top -= S2_PAGE;
	s2_map(&v, top, (uint64_t)p, S2_PAGE, S2_R);
	s2_map(&v, top + S2_PAGE, 1ull << small, S2_PAGE, S2_R);
	e = load(&v, top);
	report(reads(&e, p[0]), "VTCR_EL2.PS that small: RAM below it reads (%u bits: %s)", small,
	       str(&e));
	e = load(&v, top + S2_PAGE);
	report(aborts(&e, EC_DABT_LOW, FSC_ADDR_SIZE, top + S2_PAGE) &&
	       ESR_FSC(e.esr) == (FSC_ADDR_SIZE | 3),
	       "output address 2^PS: stage-2 address size fault, level 3 (2^%u: %s)", small,
	       str(&e));
}

static void test_blocks(const void *arg)
{
	uint64_t *p = page_with(0x4b0000 ^ IPA_PAGE), *q = alloc_pages(9), *r, base, size;
	struct s2_exit e;

	assert(q);
	s2_map(&vm, IPA_PAGE, (uint64_t)p, S2_PAGE, S2_R | S2_W);
	e = load(&vm, IPA_PAGE);
	report(reads(&e, p[0]), "a 4K page reads through (%s)", str(&e));

	q[0] = 0x2b10c0;
	q[S2_BLOCK_2M / 8 - 1] = 0x2b10c1;
	s2_map(&vm, IPA_BLOCK, (uint64_t)q, S2_BLOCK_2M, S2_R | S2_W);
	e = load(&vm, IPA_BLOCK);
	report(reads(&e, q[0]), "a 2M block: its first word (%s)", str(&e));
	e = load(&vm, IPA_BLOCK + S2_BLOCK_2M - 8);
	report(reads(&e, q[S2_BLOCK_2M / 8 - 1]), "a 2M block: its last word (%s)", str(&e));
	e = load(&vm, IPA_BLOCK + S2_BLOCK_2M);
	report(aborts(&e, EC_DABT_LOW, FSC_TRANSLATION, IPA_BLOCK + S2_BLOCK_2M),
	       "past the 2M block: translation fault (%s)", str(&e));

	dt_memory(&base, &size);
	require(!(base & (S2_BLOCK_1G - 1)), "a 1G block onto RAM: RAM base %#lx is not 1G aligned",
		base);
	r = page_with(0x1b10c);
	s2_map(&vm, IPA_1G, base, S2_BLOCK_1G, S2_R);
	e = load(&vm, IPA_1G + ((uint64_t)&rodata_magic - base));
	report(reads(&e, rodata_magic), "a 1G block onto RAM: the payload's data (%s)", str(&e));
	e = load(&vm, IPA_1G + ((uint64_t)r - base));
	report(reads(&e, r[0]), "a 1G block onto RAM: an allocated page (+%#lx: %s)",
	       (uint64_t)r - base, str(&e));
}

/* Permission faults at an offset inside the page: FAR_EL2 is the whole address. */
#define IN_PAGE 0x5a8

static void test_permissions(const void *arg)
{
	uint64_t *ro = page_with(0x5a01), *wo = page_with(0x5a02), *none = page_with(0x5a03);
	uint32_t *code = alloc_page();
	uint64_t at = IPA_PERM;
	struct s2_exit e;

	s2_map(&vm, at, (uint64_t)ro, S2_PAGE, S2_R);
	e = load(&vm, at);
	report(reads(&e, 0x5a01), "read-only: loads (%s)", str(&e));
	ro[IN_PAGE / 8] = 0x5a11;
	e = s2_run(&vm, S2_STORE, at + IN_PAGE, 0xbad, 0, 0);
	report(aborts(&e, EC_DABT_LOW, FSC_PERMISSION, at + IN_PAGE) && (e.esr & ESR_WNR) &&
	       ro[IN_PAGE / 8] == 0x5a11,
	       "read-only: a store is a permission fault (write) and lands nowhere (%s)", str(&e));

	at += S2_PAGE;
	s2_map(&vm, at, (uint64_t)wo, S2_PAGE, S2_W);
	e = s2_run(&vm, S2_STORE, at, 0x600d, 0, 0);
	report(e.reason == S2_DONE && wo[0] == 0x600d, "write-only: stores (%s)", str(&e));
	e = load(&vm, at + IN_PAGE);
	report(aborts(&e, EC_DABT_LOW, FSC_PERMISSION, at + IN_PAGE) && !(e.esr & ESR_WNR),
	       "write-only: a load is a permission fault (read) (%s)", str(&e));

	at += S2_PAGE;
	s2_map(&vm, at, (uint64_t)none, S2_PAGE, 0);
	e = load(&vm, at + IN_PAGE);
	report(aborts(&e, EC_DABT_LOW, FSC_PERMISSION, at + IN_PAGE),
	       "no access: a load faults (%s)", str(&e));

	code[0] = RET_INSN;
	code[IN_PAGE / 4] = RET_INSN;
	asm volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" : : "r"(code) : "memory");
	asm volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb"
		     : : "r"(code + IN_PAGE / 4) : "memory");
	at += S2_PAGE;
	s2_map(&vm, at, (uint64_t)code, S2_PAGE, S2_R | S2_X);
	e = s2_run(&vm, S2_EXEC, at, 0, 0, 0);
	report(e.reason == S2_DONE, "executable: the guest runs code there (%s)", str(&e));
	at += S2_PAGE;
	s2_map(&vm, at, (uint64_t)code, S2_PAGE, S2_R | S2_W);
	e = s2_run(&vm, S2_EXEC, at + IN_PAGE, 0, 0, 0);
	report(aborts(&e, EC_IABT_LOW, FSC_PERMISSION, at + IN_PAGE),
	       "XN: a fetch is an instruction permission fault (%s)", str(&e));
}

static struct s2_vm touch_vm;
static unsigned int maps[TOUCH_PAGES], again;
static uint64_t *touch_page[TOUCH_PAGES];
static unsigned int arrived;
static struct s2_exit touch_exit[MAX_CPUS];

/* The EL2 handler (under touch_vm.lock): map a page on its first fault. */
static bool map_on_demand(struct s2_vm *v, const struct s2_exit *e)
{
	uint64_t ipa = e->hpfar_ipa, i = (ipa - IPA_TOUCH) / S2_PAGE;

	if (ESR_EC(e->esr) != EC_DABT_LOW || FSC_TYPE(ESR_FSC(e->esr)) != FSC_TRANSLATION ||
	    ipa < IPA_TOUCH || i >= TOUCH_PAGES)
		return false;
	if (s2_mapped(v, ipa)) {	/* another CPU mapped it after we faulted */
		again++;
		return true;
	}
	touch_page[i] = page_with(ipa);
	s2_map(v, ipa, (uint64_t)touch_page[i], S2_PAGE, S2_R | S2_W);
	maps[i]++;
	return true;
}

static uint64_t touch_value(unsigned int cpu)
{
	return 0xc0de0000ull + cpu;
}

static void touch(void *arg)
{
	unsigned int cpu = smp_id();

	__atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < nr_cpus())
		;
	touch_exit[cpu] = s2_run(&touch_vm, S2_TOUCH, IPA_TOUCH, TOUCH_PAGES, 8 + 8 * cpu,
				 touch_value(cpu));
}

static void test_first_touch(const void *arg)
{
	unsigned int bad_exit = 0, bad_maps = 0, bad_data = 0, first = 0;

	if (!have_cpus(2))
		return;
	s2_init(&touch_vm, s2_max_pa_bits(), s2_max_pa_bits());
	touch_vm.on_abort = map_on_demand;
	on_cpus(touch, NULL);
	for (unsigned int cpu = 0; cpu < nr_cpus(); cpu++)
		if (!reads(&touch_exit[cpu], 0) && !bad_exit++)
			first = cpu;
	report(!bad_exit, "%u CPUs each found every page's own stamp and their data in it "
	       "(%u did not; first cpu%u: %s)", nr_cpus(), bad_exit, first,
	       str(&touch_exit[first]));
	for (unsigned int i = 0; i < TOUCH_PAGES; i++) {
		bad_maps += maps[i] != 1;
		for (unsigned int cpu = 0; touch_page[i] && cpu < nr_cpus(); cpu++)
			bad_data += touch_page[i][1 + cpu] != touch_value(cpu);
	}
	report(!bad_maps, "each of the %u pages was mapped once (%u were not)", TOUCH_PAGES,
	       bad_maps);
	report(!bad_data, "afterwards every page holds every CPU's value (%u missing)", bad_data);
	report_info("%u faults found their page already mapped by another CPU", again);
}

struct remote_load {
	uint64_t ipa;
	struct s2_exit exit;
};

static void load_here(void *arg)
{
	struct remote_load *l = arg;

	l->exit = load(&vm, l->ipa);
}

/* A load on the last CPU too (its TLB is not ours), when there is one. */
static bool other_cpu_sees(uint64_t ipa, bool faults, uint64_t want, char *got, size_t n)
{
	struct remote_load l = { .ipa = ipa };

	if (nr_cpus() < 2) {
		snprintf(got, n, "one CPU");
		return true;
	}
	on_cpu(nr_cpus() - 1, load_here, &l);
	s2_exit_str(&l.exit, got, n);
	return faults ? aborts(&l.exit, EC_DABT_LOW, FSC_TRANSLATION, ipa) : reads(&l.exit, want);
}

static void test_bbm(const void *arg)
{
	uint64_t *p1 = page_with(0xbb01), *p2 = page_with(0xbb02), *p3 = page_with(0xbb03);
	uint64_t *q = alloc_pages(9);
	struct s2_exit e;
	char other[128];
	bool ok;

	assert(q);
	s2_map(&vm, IPA_BBM, (uint64_t)p1, S2_PAGE, S2_R);
	e = load(&vm, IPA_BBM);
	ok = other_cpu_sees(IPA_BBM, false, 0xbb01, other, sizeof(other));
	report(reads(&e, 0xbb01) && ok, "before: the old page (%s; other CPU: %s)", str(&e), other);
	s2_unmap(&vm, IPA_BBM);
	e = load(&vm, IPA_BBM);
	ok = other_cpu_sees(IPA_BBM, true, 0, other, sizeof(other));
	report(aborts(&e, EC_DABT_LOW, FSC_TRANSLATION, IPA_BBM) && ok,
	       "break + TLBI IPAS2E1IS: a translation fault on every CPU (%s; other CPU: %s)",
	       str(&e), other);
	s2_map(&vm, IPA_BBM, (uint64_t)p2, S2_PAGE, S2_R);
	e = load(&vm, IPA_BBM);
	ok = other_cpu_sees(IPA_BBM, false, 0xbb02, other, sizeof(other));
	report(reads(&e, 0xbb02) && ok, "make: the new page, nowhere the old (%s; other CPU: %s)",
	       str(&e), other);

	q[0] = 0xb10c0;
	q[S2_PAGE / 8] = 0xb10c1;
	s2_map(&vm, IPA_BBM_BLOCK, (uint64_t)q, S2_BLOCK_2M, S2_R);
	e = load(&vm, IPA_BBM_BLOCK);
	report(reads(&e, 0xb10c0), "a 2M block before the split (%s)", str(&e));
	s2_unmap(&vm, IPA_BBM_BLOCK);
	s2_map(&vm, IPA_BBM_BLOCK, (uint64_t)p3, S2_PAGE, S2_R);
	for (uint64_t off = S2_PAGE; off < S2_BLOCK_2M; off += S2_PAGE)
		s2_map(&vm, IPA_BBM_BLOCK + off, (uint64_t)q + off, S2_PAGE, S2_R);
	e = load(&vm, IPA_BBM_BLOCK);
	report(reads(&e, 0xbb03), "split into pages: the replaced first page is new (%s)",
	       str(&e));
	e = load(&vm, IPA_BBM_BLOCK + S2_PAGE);
	report(reads(&e, 0xb10c1), "split into pages: the second still the block's (%s)",
	       str(&e));
}

int main(int argc, char **argv)
{
	if (current_el() != 2) {
		report_skip("needs EL2: run with \"el2\" or \"el2-nvhe\" "
			    "(QEMU: -machine virtualization=on)");
		return 0;
	}
	s2_init(&vm, s2_max_pa_bits(), s2_max_pa_bits());
	subtest("ipa-limit", test_ipa_limit, NULL);
	subtest("blocks", test_blocks, NULL);
	subtest("permissions", test_permissions, NULL);
	subtest("first-touch", test_first_touch, NULL);
	subtest("bbm", test_bbm, NULL);
	return 0;
}
