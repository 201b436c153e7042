/*
 * apic: the local APIC as the SDM (vol. 3A, chapter 11) defines it, in
 * xAPIC and x2APIC mode, as a hypervisor's APIC emulation must present it:
 * - id: the APIC ID is CPUID.1:EBX[31:24] on every CPU (x2APIC: CPUID.0xB
 *   EDX), version register of an integrated APIC with at least 4 LVTs;
 * - svr, ldr/dfr: the software-enable bit sticks; xAPIC DFR resets to the
 *   flat model and LDR[31:24] is writable; x2APIC LDR is the cluster and
 *   bit the ID defines, read-only, and DFR does not exist (#GP);
 * - self-ipi, eoi: a self-IPI is in IRR while IF is clear, delivered once
 *   with IF set, in ISR while its handler runs and out of it after EOI;
 * - ipi: an IPI to each other CPU arrives there, once;
 *   "once" is a 20 ms window closed by apic_fence(): a late one is
 *   counted in its own case, not the next;
 * - disabled: SVR[8] clear masks the LVTs for good (what a fixed IPI then
 *   does: INFO); IA32_APIC_BASE.EN clear (on CPU 3) leaves an MMIO page
 *   that reads no register, while CR8 still holds the TPR;
 * - relocate: a new base in IA32_APIC_BASE moves the registers there, and
 *   none answer at the old one;
 * - x2apic-msr (on CPU 2): ID read-only, ICR one 64-bit MSR, no ICR2, EOI
 *   and SELF IPI write-only, bits 63:32 reserved; the xAPIC page is gone;
 * - modes: xAPIC -> x2APIC works, x2APIC -> xAPIC and EN=0/EXTD=1 #GP and
 *   change nothing, x2APIC -> disabled works, disabled -> x2APIC #GPs,
 *   disabled -> xAPIC works.
 * (IPI destinations, logical modes and aliases: apic-ipi.)
 * Bochs 2.7 deviations, XFAIL under vmunit.vmm=bochs only with exactly
 * their symptom: the x2APIC LDR keeps its xAPIC value (cpu/apic.cc derives
 * it on leaving x2APIC mode), a disabled APIC ignores IA32_APIC_BASE and
 * an x2APIC ICR write is not recorded (write_x2apic() sends it only).
 * QEMU TCG's (hw/intc/apic.c), XFAIL under TCG only: the MMIO page answers
 * in every mode and stays at 0xfee00000 (apic_mem_read() checks no mode;
 * the region is mapped once), SVR[8] masks no LVT, x2APIC RDMSR of ICR
 * gives bits 31:0, of ICR2 and EOI no #GP, and bits 63:32 are not checked.
 * Gates: CPUID.1:EDX.APIC[9], CPUID.1:ECX.X2APIC[21] for the x2APIC parts.
 */
#include "vmunit.h"
#include "apic.h"
#include "start.h"
#include "cpuid.h"
#include "desc.h"
#include "mmio.h"
#include "processor.h"
#include "safe.h"
#include "smp.h"
#include "time.h"

#define VEC 0x40
#define MSR_X2APIC_DFR 0x80e

struct id_check {
	uint32_t apic, cpuid;
};

static struct id_check ids[MAX_CPUS];

static void read_ids(void *arg)
{
	ids[smp_id()] = (struct id_check){ apic_id(), cpuid(1, 0).b >> 24 };
}

static void test_id(const void *arg)
{
	uint32_t ver = apic_read(APIC_VERSION);

	on_cpus(read_ids, NULL);
	for (unsigned int cpu = 0; cpu < nr_cpus(); cpu++)
		report(ids[cpu].apic == ids[cpu].cpuid,
		       "cpu%u: APIC ID is CPUID.1:EBX[31:24] (%u, %u)", cpu, ids[cpu].apic,
		       ids[cpu].cpuid);
	report((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15 && (ver >> 16 & 0xff) >= 3,
	       "an integrated APIC (0x10-0x15) with at least 4 LVTs (version %#x)", ver);
}

static void test_svr(const void *arg)
{
	uint32_t svr = apic_read(APIC_SVR);

	apic_write(APIC_SVR, (svr & ~(APIC_SVR_ENABLE | 0xff)) | 0xf0);
	report((apic_read(APIC_SVR) & (APIC_SVR_ENABLE | 0xff)) == 0xf0,
	       "SVR: software disable and spurious vector 0xf0 read back (%#x)",
	       apic_read(APIC_SVR));
	apic_write(APIC_SVR, svr);
	report(apic_read(APIC_SVR) & APIC_SVR_ENABLE, "SVR: enabled again (%#x)",
	       apic_read(APIC_SVR));
}

static void test_xapic_ldr_dfr(const void *arg)
{
	uint32_t ldr = apic_read(APIC_LDR);

	report(apic_read(APIC_DFR) >> 28 == 0xf, "DFR resets to the flat model (%#x)",
	       apic_read(APIC_DFR));
	apic_write(APIC_LDR, 0x5a000000);
	report((apic_read(APIC_LDR) & 0xff000000) == 0x5a000000,
	       "LDR[31:24] is writable (%#x)", apic_read(APIC_LDR));
	apic_write(APIC_LDR, ldr);
}

static void test_self_ipi(const void *arg)
{
	unsigned int before = apic_count(0);
	uint32_t late;
	bool ok;

	irq_disable();
	apic_self_ipi(VEC);
	ok = wait_for(apic_vector_set(APIC_IRR, VEC), STAYS_NS) && apic_count(0) == before;
	report(ok, "with IF clear the self-IPI waits in IRR (%u delivered)",
	       apic_count(0) - before);
	irq_enable();
	ok = apic_count_reaches(0, before + 1, ARRIVES_NS) && !apic_count_reaches(0, before + 2, STAYS_NS);
	late = apic_fence(1);
	report(ok && !late && apic_count(0) == before + 1,
	       "with IF set it is delivered once (%u; fence late %#x)", apic_count(0) - before, late);
	irq_disable();
	report(apic_count_in_isr(0), "in ISR while its handler runs");
	report(!apic_vector_set(APIC_ISR, VEC) && !apic_vector_set(APIC_IRR, VEC),
	       "neither in ISR nor IRR after EOI");
}

/* Each other CPU listens, gets VEC, then time for a second one, then the fence. */
static void test_ipi(const void *arg)
{
	if (!have_cpus(2))
		return;
	for (unsigned int cpu = 1; cpu < nr_cpus() && cpu < 32; cpu++) {
		unsigned int before = apic_count(cpu);
		uint32_t late;

		apic_listen(1u << cpu);
		apic_ipi(cpu, VEC);
		apic_count_reaches(cpu, before + 1, ARRIVES_NS);
		wait_for(false, STAYS_NS);
		late = apic_fence(1u << cpu);
		apic_listen_end(1u << cpu);
		report(apic_count(cpu) == before + 1 && !late,
		       "IPI to cpu%u arrives once (APIC ID %u, got %u; fence late %#x)", cpu,
		       apic_id_of(cpu), apic_count(cpu) - before, late);
	}
}

static uint32_t mmio(uint64_t base, unsigned int reg)
{
	return mmio_read32(base + reg);
}

/*
 * SDM vol. 3A 11.4.7.2: with SVR[8] clear every LVT is masked and stays
 * masked.  What becomes of a fixed IPI then the SDM leaves open (it names
 * INIT, NMI, SMI and SIPI as handled normally, and pending IRR and ISR
 * bits as held): INFO.
 */
static void test_sw_disabled(const void *arg)
{
	uint32_t svr = apic_read(APIC_SVR), masked, unmasked;
	unsigned int before = apic_count(0), came;
	bool held;

	apic_write(APIC_LVT_TIMER, VEC);	/* TMICT 0: it does not count */
	apic_write(APIC_SVR, svr & ~APIC_SVR_ENABLE);
	masked = apic_read(APIC_LVT_TIMER);
	apic_write(APIC_LVT_TIMER, VEC);
	unmasked = apic_read(APIC_LVT_TIMER);
	report_tcg_gap((masked & unmasked & APIC_LVT_MASKED) != 0,
		       !((masked | unmasked) & APIC_LVT_MASKED),
		       "LVTT masked on disable, unmasking ignored (%#x, then %#x)", masked,
		       unmasked);
	irq_enable();
	apic_send(apic_id(), VEC);
	apic_count_reaches(0, before + 1, STAYS_NS);
	irq_disable();
	came = apic_count(0) - before;
	held = apic_vector_set(APIC_IRR, VEC);
	apic_write(APIC_SVR, svr);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	irq_enable();
	apic_fence(1);		/* one held is taken now, here */
	irq_disable();
	report_info("a fixed self-IPI while software-disabled: %u delivered, IRR %u, %u after "
		    "SVR[8] is set again", came, held, apic_count(0) - before - came);
}

/*
 * SDM 11.4.3: with IA32_APIC_BASE.EN clear the CPU has no APIC: its MMIO
 * page reads no register; CR8 (the TPR's other name, SDM 10.8.6) still
 * reads what was written.  On CPU 3.  What a store there does is the
 * platform's, not the APIC's (under KVM, QEMU's kvm-apic region turns it
 * into an MSI): not checked.
 */
static uint32_t hw_version, hw_cr8;
static struct fault hw_fault;

static void hw_disabled(void *arg)
{
	uint64_t base = apic_base_addr();

	hw_fault = apic_set_mode(APIC_DISABLED);
	hw_version = mmio(base, APIC_VERSION);
	write_cr8(5);
	hw_cr8 = read_cr8();
	write_cr8(0);
	if (!apic_set_mode(APIC_XAPIC).valid && apic_mode() == APIC_XAPIC)
		apic_cpu_init();	/* Bochs 2.7 stays disabled */
}

static void test_hw_disabled(const void *arg)
{
	uint32_t ver = apic_read(APIC_VERSION);
	char f[48];

	if (!have_cpus(4))
		return;
	on_cpu(3, hw_disabled, NULL);
	if (!report(!hw_fault.valid, "cpu3: xAPIC -> disabled (%s)",
		    fault_str(hw_fault, f, sizeof(f))))
		return;
	report_known(hw_version != ver, arch_is_tcg() && hw_version == ver,
		     "QEMU TCG: its APIC page answers in every mode",
		     "EN=0: the MMIO page reads no register (version %#x, enabled %#x)",
		     hw_version, ver);
	report(hw_cr8 == 5, "EN=0: CR8 reads back what was written (%u)", hw_cr8);
}

/* SDM 11.4.4: IA32_APIC_BASE[51:12] moves the xAPIC page; registers there. */
#define NEW_BASE 0xfef00000ull

static void test_relocate(const void *arg)
{
	uint32_t ver = apic_read(APIC_VERSION), at_new, tpr, at_old;
	struct fault f;
	char fs[48];

	f = apic_set_base(NEW_BASE);
	report(!f.valid && apic_base_addr() == NEW_BASE, "IA32_APIC_BASE takes %#llx (%s, %#lx)",
	       NEW_BASE, fault_str(f, fs, sizeof(fs)), apic_base_addr());
	if (apic_base_addr() != NEW_BASE)
		return;
	at_new = apic_read(APIC_VERSION);
	apic_write(APIC_TPR, 0x20);
	tpr = apic_read(APIC_TPR);
	at_old = mmio(APIC_DEFAULT_BASE, APIC_VERSION);
	apic_write(APIC_TPR, 0);
	apic_set_base(APIC_DEFAULT_BASE);
	report_known(at_new == ver && tpr == 0x20 && at_old != ver, arch_is_tcg() && at_old == ver,
		     "QEMU TCG keeps the APIC page at 0xfee00000",
		     "the registers are at the new base, none at the old: version, TPR (%#x, "
		     "%#x; at the old base %#x)", at_new, tpr, at_old);
	report(apic_read(APIC_VERSION) == ver, "and back at 0xfee00000 (%#x)",
	       apic_read(APIC_VERSION));
}

/*
 * x2APIC MSRs (SDM 11.12.1.2, table 11-6), on CPU 2: the ID is read-only
 * (WRMSR #GP), the ICR one 64-bit MSR (reads back its destination; no
 * ICR2 MSR 0x831), EOI and SELF IPI write-only (RDMSR #GP), bits 63:32 of
 * the others reserved (WRMSR #GP); the xAPIC page reads no register.
 */
static bool gp(struct fault f)
{
	return f.valid && f.vector == GP_VECTOR;
}

static void check_x2apic_msrs(const void *arg)
{
	uint32_t id = apic_id(), ver = apic_read(APIC_VERSION), at_mmio;
	uint64_t v = 0, icr = 0;
	struct fault f, w;

	char fs[48];

	require_cpu(X86_FEATURE_X2APIC);
	f = apic_set_mode(APIC_X2APIC);
	if (!report(!f.valid && apic_mode() == APIC_X2APIC, "cpu2: xAPIC -> x2APIC (%s)",
		    fault_str(f, fs, sizeof(fs))))
		return;
	f = wrmsr_safe(APIC_MSR(APIC_ID), id + 1);
	report(gp(f) && apic_id() == id, "ID: WRMSR #GP, ID kept (%s, %u)",
	       f.valid ? "fault" : "none", apic_id());
	apic_icr(id, APIC_ICR_ASSERT | VEC);	/* IF is clear: it waits in IRR */
	rdmsr_safe(APIC_MSR(APIC_ICR), &icr);
	/* QEMU: apic_register_read() gives ICR[31:0]; Bochs: write_x2apic() keeps nothing */
	report_known(icr >> 32 == id && (icr & 0xff) == VEC,
		     (arch_is_tcg() && icr >> 32 == 0) || (run_on_vmm("bochs") && icr == 0),
		     arch_is_tcg() ? "QEMU TCG reads back ICR[31:0] only" :
				     "Bochs 2.7 does not record an x2APIC ICR write",
		     "ICR: one 64-bit MSR, reads back what was written (%#lx)", icr);
	f = rdmsr_safe(APIC_MSR(APIC_ICR) + 1, &v);
	w = wrmsr_safe(APIC_MSR(APIC_ICR) + 1, 0);
	report_tcg_gap(gp(f) && gp(w), !f.valid && gp(w), "no ICR2 MSR 0x831: RDMSR and WRMSR #GP");
	f = rdmsr_safe(APIC_MSR(APIC_EOI), &v);
	report_tcg_gap(gp(f), !f.valid, "EOI: RDMSR #GP");
	report(gp(rdmsr_safe(APIC_MSR(APIC_SELF_IPI), &v)), "SELF IPI: RDMSR #GP");
	f = wrmsr_safe(APIC_MSR(APIC_TPR), 1ull << 32);
	report_tcg_gap(gp(f), !f.valid, "TPR: WRMSR with bit 32 #GP");
	apic_write(APIC_TPR, 0);
	at_mmio = mmio(APIC_DEFAULT_BASE, APIC_VERSION);
	report_known(at_mmio != ver, arch_is_tcg() && at_mmio == ver,
		     "QEMU TCG: its APIC page answers in every mode",
		     "the xAPIC page reads no register (version %#x, MSR %#x)", at_mmio, ver);
}

static void x2apic_msrs(void *arg)
{
	subtest("x2apic-msr", check_x2apic_msrs, NULL);
	if (apic_mode() == APIC_X2APIC) {	/* back in the reset state, IRR clear */
		apic_set_mode(APIC_DISABLED);
		if (!apic_set_mode(APIC_XAPIC).valid && apic_mode() == APIC_XAPIC)
			apic_cpu_init();	/* Bochs 2.7 stays disabled */
	}
}

/* Bochs's deviation: a write to a disabled APIC's base, ignored. */
static bool bochs_ignored(struct fault e)
{
	return run_on_vmm("bochs") && !e.valid && apic_mode() == APIC_DISABLED;
}

static const char *bochs_note(struct fault e)
{
	return bochs_ignored(e) ? "; Bochs 2.7: a disabled APIC stays disabled" : "";
}

static void test_x2apic(const void *arg)
{
	char f[48];
	uint32_t id, ldr, leaf_b = cpuid(0xb, 0).d, xapic_ldr = apic_read(APIC_LDR);
	uint64_t dfr;
	unsigned int before = apic_count(0);
	struct fault e;

	require_cpu(X86_FEATURE_X2APIC);
	e = apic_set_mode(APIC_X2APIC);
	report(!e.valid && apic_mode() == APIC_X2APIC, "xAPIC -> x2APIC (%s)",
	       fault_str(e, f, sizeof(f)));
	if (apic_mode() != APIC_X2APIC)
		return;
	id = apic_id();
	ldr = apic_read(APIC_LDR);
	report(id == (cpuid_max(0) >= 0xb ? leaf_b : cpuid(1, 0).b >> 24),
	       "x2APIC ID is CPUID.0xB:EDX, or the initial APIC ID (%u)", id);
	/* Bochs 2.7 derives the LDR on leaving x2APIC mode, not on entering it. */
	report_xfail(run_on_vmm("bochs") && ldr == xapic_ldr >> 24,
		     ldr == ((id >> 4) << 16 | 1u << (id & 0xf)),
		     "LDR is cluster ID >> 4, bit ID & 0xf (%#x%s)", ldr,
		     run_on_vmm("bochs") ? "; Bochs 2.7: LDR kept from xAPIC mode" : "");
	report(rdmsr_safe(MSR_X2APIC_DFR, &dfr).vector == GP_VECTOR,
	       "DFR (MSR 0x80e) does not exist: #GP");
	irq_enable();
	apic_self_ipi(VEC);
	report(apic_count_reaches(0, before + 1, ARRIVES_NS), "SELF IPI (MSR 0x83f) is delivered");
	irq_disable();

	e = apic_set_mode(APIC_XAPIC);
	report(e.valid && e.vector == GP_VECTOR && apic_mode() == APIC_X2APIC,
	       "x2APIC -> xAPIC: #GP, still x2APIC (%s, %s)", fault_str(e, f, sizeof(f)),
	       apic_mode_name(apic_mode()));
	e = apic_set_mode(APIC_INVALID);
	report(e.valid && e.vector == GP_VECTOR && apic_mode() == APIC_X2APIC,
	       "EN=0 EXTD=1: #GP, still x2APIC (%s)", fault_str(e, f, sizeof(f)));
	e = apic_set_mode(APIC_DISABLED);
	report(!e.valid && apic_mode() == APIC_DISABLED, "x2APIC -> disabled (%s)",
	       fault_str(e, f, sizeof(f)));
	/* Bochs 2.7 ignores IA32_APIC_BASE writes once the APIC is disabled. */
	e = apic_set_mode(APIC_X2APIC);
	report_xfail(bochs_ignored(e), e.valid && e.vector == GP_VECTOR &&
		     apic_mode() == APIC_DISABLED,
		     "disabled -> x2APIC: #GP, still disabled (%s%s)", fault_str(e, f, sizeof(f)),
		     bochs_note(e));
	e = apic_set_mode(APIC_XAPIC);
	report_xfail(bochs_ignored(e), !e.valid && apic_mode() == APIC_XAPIC,
		     "disabled -> xAPIC (%s, %s%s)", fault_str(e, f, sizeof(f)),
		     apic_mode_name(apic_mode()), bochs_note(e));
	if (apic_mode() == APIC_XAPIC)
		apic_cpu_init();	/* the APIC came back in its reset state */
}

int main(int argc, char **argv)
{
	if (!cpu_has(X86_FEATURE_APIC)) {
		report_skip("%s", cpu_feature_gate(X86_FEATURE_APIC));
		return 0;
	}
	tsc_hz();
	apic_count_vector(VEC);
	apic_init_all();
	subtest("id", test_id, NULL);
	subtest("svr", test_svr, NULL);
	subtest("ldr/dfr", test_xapic_ldr_dfr, NULL);
	subtest("self-ipi", test_self_ipi, NULL);
	subtest("ipi", test_ipi, NULL);
	subtest("disabled", test_sw_disabled, NULL);
	subtest("disabled", test_hw_disabled, NULL);
	subtest("relocate", test_relocate, NULL);
	if (have_cpus(3))
		on_cpu(2, x2apic_msrs, NULL);
	subtest("x2apic", test_x2apic, NULL);
	return 0;
}
