/*
 * Common start: command line to argc/argv, main(), verdict.  Words the
 * runner adds for the framework are taken out of argv: "vmunit.smp=N" (the
 * CPUs the run asked for: with more than one, a missing CPU is a FAIL
 * before main() runs), "vmunit.mem=M" (its memory in MiB),
 * "vmunit.vmm=NAME" (a VMM other than QEMU), "vmunit.boot=efi" (booted
 * through UEFI firmware), "vmunit.stats" (the runner reads KVM's
 * statistics: run_stats()) and "vmunit.l0=NAME" (KVM runs nested in the
 * box, under QEMU TCG or Bochs), see start.h.
 */
#include "argv.h"
#include "report.h"
#include "smp.h"
#include "start.h"
#include "stdlib.h"
#include "string.h"

#define MAX_ARGS 64

int main(int argc, char **argv);

static unsigned long asked_mem_mib;
static const char *vmm = "qemu";
static unsigned int asked_cpus;
static const char *l0 = "";
static bool stats, efi, migrating;

bool run_l0(const char *name)
{
	return !strcmp(l0, name);
}

bool run_l0_tcg(void)
{
	return run_l0("tcg");
}

bool run_stats(void)
{
	return stats;
}

unsigned long run_memory_mib(void)
{
	return asked_mem_mib;
}

bool run_booted_efi(void)
{
	return efi;
}

/*
 * A BIOS keeps little (SeaBIOS its top pages in the E820 map): 1/64 of
 * the RAM, at least 1 MiB.  OVMF and AAVMF keep their runtime services,
 * ACPI and reserved areas: measured 5.5 MiB of 64 MiB, so 1/16, at least
 * 8 MiB.
 */
uint64_t run_firmware_slack(uint64_t want)
{
	uint64_t part = want / (efi ? 16 : 64), least = (efi ? 8ull : 1ull) << 20;

	return part > least ? part : least;
}

bool run_migrates(void)
{
	return migrating;
}

bool run_on_vmm(const char *name)
{
	return !strcmp(vmm, name);
}

bool have_cpus(unsigned int n)
{
	if (nr_cpus() >= n)
		return true;
	if (asked_cpus >= n)
		report_not_run("needs %u CPUs: not run, the run asked for %u (%u came up, "
			       "boot: ...)", n, asked_cpus, nr_cpus());
	else
		report_skip("needs %u CPUs: run with -smp %u or more (has %u)", n, n, nr_cpus());
	return false;
}

/* Removes the "vmunit.*" words; the CPU count asked for, 0 when none. */
static unsigned int take_framework_words(int *argc, char **argv)
{
	unsigned int want = 0;
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		if (!strncmp(argv[i], "vmunit.smp=", 11))
			want = strtoul(argv[i] + 11, NULL, 10);
		else if (!strncmp(argv[i], "vmunit.mem=", 11))
			asked_mem_mib = strtoul(argv[i] + 11, NULL, 10);
		else if (!strncmp(argv[i], "vmunit.vmm=", 11))
			vmm = argv[i] + 11;
		else if (!strcmp(argv[i], "vmunit.boot=efi"))
			efi = true;
		else if (!strcmp(argv[i], "vmunit.stats"))
			stats = true;
		else if (!strncmp(argv[i], "vmunit.l0=", 10))
			l0 = argv[i] + 10;
		else if (!strcmp(argv[i], "vmunit.migrate"))
			migrating = true;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return want;
}

void vmunit_main(char *cmdline)
{
	static char *argv[MAX_ARGS + 1];
	int argc = split_args(cmdline, argv, MAX_ARGS);
	int ret;

	asked_cpus = take_framework_words(&argc, argv);
	/* A FAIL when CPUs are missing; else only INFO, so that a test whose
	 * own checks all SKIP stays a SKIP. */
	if (asked_cpus > 1 && nr_cpus() != asked_cpus)
		report_fail("boot: the CPUs the run asked for are up (%u up, want %u)", nr_cpus(),
			    asked_cpus);
	else if (asked_cpus > 1)
		report_info("boot: %u CPUs up, as the run asked", nr_cpus());
	ret = main(argc, argv);

	if (ret)
		report_abort("main() returned %d", ret);
	report_exit();
}
