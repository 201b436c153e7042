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
 * - modes: xAPIC -> x2APIC works, x2APIC -> xAPIC and EN=0/EXTD=1 #GP and
 *   change nothing, x2APIC -> disabled works, disabled -> x2APIC #GPs,
 *   disabled -> xAPIC works.
 * Bochs 2.7 deviations, XFAIL under vmunit.vmm=bochs only with exactly
 * their symptom: the x2APIC LDR keeps its xAPIC value (cpu/apic.cc derives
 * it on leaving x2APIC mode), and a disabled APIC ignores IA32_APIC_BASE.
 * Gates: CPUID.1:EDX.APIC[9], CPUID.1:ECX.X2APIC[21] for the x2APIC parts.
 */
#include "vmunit.h"
#include "apic.h"
#include "start.h"
#include "cpuid.h"
#include "desc.h"
#include "processor.h"
#include "safe.h"
#include "smp.h"
#include "time.h"

#define VEC 0x40
#define ARRIVES_NS 2000000000ull	/* 2 s: a loaded host is slow */
#define STAYS_NS 20000000ull		/* 20 ms for one that must not come */
#define MSR_X2APIC_DFR 0x80e

static volatile unsigned int got[MAX_CPUS];
static volatile bool in_isr[MAX_CPUS];

static void on_vec(struct ex_regs *r)
{
	unsigned int cpu = smp_id();

	in_isr[cpu] = apic_vector_set(APIC_ISR, VEC);
	__atomic_fetch_add(&got[cpu], 1, __ATOMIC_RELEASE);
	apic_eoi();
}

static bool arrived(unsigned int cpu, unsigned int want, uint64_t ns)
{
	return wait_for(__atomic_load_n(&got[cpu], __ATOMIC_ACQUIRE) >= want, ns);
}

static void init_here(void *arg)
{
	apic_cpu_init();
}

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
	unsigned int before = got[0];
	bool ok;

	irq_disable();
	apic_self_ipi(VEC);
	ok = wait_for(apic_vector_set(APIC_IRR, VEC), STAYS_NS) && got[0] == before;
	report(ok, "with IF clear the self-IPI waits in IRR (%u delivered)", got[0] - before);
	irq_enable();
	ok = arrived(0, before + 1, ARRIVES_NS) && !arrived(0, before + 2, STAYS_NS);
	report(ok, "with IF set it is delivered once (%u)", got[0] - before);
	irq_disable();
	report(in_isr[0], "in ISR while its handler runs");
	report(!apic_vector_set(APIC_ISR, VEC) && !apic_vector_set(APIC_IRR, VEC),
	       "neither in ISR nor IRR after EOI");
}

static void take_ipi(void *arg)
{
	unsigned int cpu = smp_id();

	irq_enable();
	arrived(cpu, (uintptr_t)arg, ARRIVES_NS);
	wait_for(false, STAYS_NS);	/* time for a second one */
	irq_disable();
}

static void test_ipi(const void *arg)
{
	if (!have_cpus(2))
		return;
	for (unsigned int cpu = 1; cpu < nr_cpus(); cpu++) {
		unsigned int before = got[cpu];

		on_cpu_async(cpu, take_ipi, (void *)(uintptr_t)(before + 1));
		apic_ipi(cpu, VEC);
		while (!on_cpu_done(cpu))
			;
		report(got[cpu] == before + 1, "IPI to cpu%u arrives once (APIC ID %u, got %u)",
		       cpu, apic_id_of(cpu), got[cpu] - before);
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
	unsigned int before = got[0];
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
	report(arrived(0, before + 1, ARRIVES_NS), "SELF IPI (MSR 0x83f) is delivered");
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
	handle_exception(VEC, on_vec);
	on_cpus(init_here, NULL);
	subtest("id", test_id, NULL);
	subtest("svr", test_svr, NULL);
	subtest("ldr/dfr", test_xapic_ldr_dfr, NULL);
	subtest("self-ipi", test_self_ipi, NULL);
	subtest("ipi", test_ipi, NULL);
	subtest("x2apic", test_x2apic, NULL);
	return 0;
}
