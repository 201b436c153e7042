/*
 * psci: the PSCI interface a hypervisor implements for its guests (Arm DEN
 * 0022, PSCI 1.1), through the conduit the device tree names:
 * - version: PSCI_VERSION is 0.2 or later (the function IDs used here);
 * - not-supported: an unallocated function ID of the PSCI range
 *   (0x8400001f) returns NOT_SUPPORTED (-1); with PSCI 1.0, PSCI_FEATURES
 *   says CPU_ON is implemented (0) and that ID is not (-1);
 * - affinity: AFFINITY_INFO of every running CPU is ON (0); of an MPIDR
 *   with no CPU, INVALID_PARAMETERS (-2);
 * - cpu-on: CPU_ON of a running CPU is ALREADY_ON (-4), of an MPIDR with
 *   no CPU INVALID_PARAMETERS;
 * - cpu-off (the last CPU, last): CPU_OFF does not return and AFFINITY_INFO
 *   turns OFF (1) within 1 s; CPU_ON brings it up again (SUCCESS, to a
 *   parking loop), a second CPU_ON at once is ALREADY_ON or ON_PENDING
 *   (-5; QEMU TCG may answer SUCCESS again: XFAIL), and AFFINITY_INFO
 *   turns ON within 1 s.
 * Needs: smp 2 or more.
 */
#include "vmunit.h"
#include "clock.h"
#include "processor.h"
#include "psci.h"
#include "smp.h"

#define PSCI_CPU_OFF		0x84000002
#define PSCI_AFFINITY_INFO	0xc4000004
#define PSCI_FEATURES		0x8400000a
#define PSCI_UNALLOCATED	0x8400001f
#define NOT_SUPPORTED		-1
#define INVALID_PARAMETERS	-2
#define ALREADY_ON		-4
#define ON_PENDING		-5
#define AFF_ON			0
#define AFF_OFF			1
#define NO_CPU_MPIDR		0xfeull	/* Aff0 254: QEMU's and KVM's virt number CPUs from 0 */
#define WAIT_US			1000000

static uint64_t mpidr[MAX_CPUS];
static uint32_t version;
static volatile bool off_returned;

static void read_mpidr(void *arg)
{
	mpidr[smp_id()] = read_sysreg(mpidr_el1) & 0xff00ffffffull;
}

static void test_version(const void *arg)
{
	version = psci_call(PSCI_VERSION, 0, 0, 0);
	report(version >= 2, "PSCI_VERSION is 0.2 or later (%u.%u)", version >> 16,
	       version & 0xffff);
}

static void test_not_supported(const void *arg)
{
	int64_t r = psci_call(PSCI_UNALLOCATED, 0, 0, 0);

	report(r == NOT_SUPPORTED, "function %#x, not allocated: NOT_SUPPORTED (%ld)",
	       PSCI_UNALLOCATED, r);
	if (version < 0x10000) {
		report_skip("PSCI_FEATURES: PSCI 1.0 needed (PSCI_VERSION %u.%u)", version >> 16,
			    version & 0xffff);
		return;
	}
	r = psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0);
	report(r == 0, "PSCI_FEATURES: CPU_ON is implemented (%ld)", r);
	r = psci_call(PSCI_FEATURES, PSCI_UNALLOCATED, 0, 0);
	report(r == NOT_SUPPORTED, "PSCI_FEATURES: %#x is not (%ld)", PSCI_UNALLOCATED, r);
}

static void test_affinity(const void *arg)
{
	unsigned int on = 0;
	int64_t r;

	for (unsigned int i = 0; i < nr_cpus(); i++)
		on += psci_call(PSCI_AFFINITY_INFO, mpidr[i], 0, 0) == AFF_ON;
	report(on == nr_cpus(), "AFFINITY_INFO: every running CPU is ON (%u of %u)", on,
	       nr_cpus());
	r = psci_call(PSCI_AFFINITY_INFO, NO_CPU_MPIDR, 0, 0);
	report(r == INVALID_PARAMETERS, "AFFINITY_INFO of MPIDR %#llx, no CPU: "
	       "INVALID_PARAMETERS (%ld)", NO_CPU_MPIDR, r);
}

/* Where a CPU turned on again waits, MMU and caches off: it touches nothing. */
asm(".pushsection .text\n"
    "park: wfe\n"
    "	b park\n"
    ".popsection");
extern char park[];

static void test_cpu_on(const void *arg)
{
	int64_t r = psci_call(PSCI_CPU_ON, mpidr[1], (uint64_t)park, 0);

	report(r == ALREADY_ON, "CPU_ON of a running CPU: ALREADY_ON (%ld)", r);
	r = psci_call(PSCI_CPU_ON, NO_CPU_MPIDR, (uint64_t)park, 0);
	report(r == INVALID_PARAMETERS, "CPU_ON of MPIDR %#llx, no CPU: INVALID_PARAMETERS (%ld)",
	       NO_CPU_MPIDR, r);
}

static void cpu_off(void *arg)
{
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	off_returned = true;
}

/* AFFINITY_INFO of cpu reaching state within WAIT_US. */
static bool affinity_becomes(unsigned int cpu, int64_t state)
{
	return poll_until(psci_call(PSCI_AFFINITY_INFO, mpidr[cpu], 0, 0) == state, WAIT_US);
}

static void test_cpu_off(const void *arg)
{
	unsigned int last = nr_cpus() - 1;
	int64_t r, again;

	on_cpu_async(last, cpu_off, NULL);
	report(affinity_becomes(last, AFF_OFF) && !off_returned,
	       "CPU_OFF on CPU %u: it does not return, AFFINITY_INFO turns OFF", last);
	r = psci_call(PSCI_CPU_ON, mpidr[last], (uint64_t)park, 0);
	again = psci_call(PSCI_CPU_ON, mpidr[last], (uint64_t)park, 0);
	report(r == 0, "CPU_ON brings it up again: SUCCESS (%ld)", r);
	report_known(again == ALREADY_ON || again == ON_PENDING, arch_is_tcg() && !again,
		     "QEMU TCG answers SUCCESS again while the first power-on is still queued",
		     "a second CPU_ON at once: ALREADY_ON or ON_PENDING (%ld)", again);
	report(affinity_becomes(last, AFF_ON), "AFFINITY_INFO turns ON again");
}

int main(int argc, char **argv)
{
	if (!have_cpus(2))
		return 0;
	on_cpus(read_mpidr, NULL);
	subtest("version", test_version, NULL);
	subtest("not-supported", test_not_supported, NULL);
	subtest("affinity", test_affinity, NULL);
	subtest("cpu-on", test_cpu_on, NULL);
	subtest("cpu-off", test_cpu_off, NULL);	/* last: that CPU stays parked */
	return 0;
}
