/*
 * Entry from arch setup into the common library: splits the command line
 * (its first word is argv[0]: the payload's path on x86, where multiboot
 * gives it, else the word "payload"), runs
 * the test's main() and prints the verdict.  Never returns.
 */
#ifndef VMUNIT_START_H
#define VMUNIT_START_H

#include <stdbool.h>
#include <stdint.h>

__attribute__((noreturn)) void vmunit_main(char *cmdline);

/* The memory the run asked for (the runner's vmunit.mem=M), or 0 if unknown. */
unsigned long run_memory_mib(void);
/*
 * Whether the runner said the VMM is name ("bochs": vmunit.vmm=bochs;
 * "qemu" without the word), for XFAILs of one VMM's known deviations.
 */
bool run_on_vmm(const char *name);
/*
 * Whether the runner said the hypervisor runs nested under QEMU TCG (the
 * box: vmunit.l0=tcg; the Intel box says vmunit.l0=bochs), so what it
 * leaves to the CPU meets TCG's emulation.
 */
bool run_l0_tcg(void);
/*
 * Whether the runner said the hypervisor under test runs nested under the
 * L0 name ("tcg", "bochs": vmunit.l0=NAME), for XFAILs of deviations of
 * that L0 which its hypervisor passes through.
 */
bool run_l0(const char *name);
/*
 * Whether the runner booted the payload through UEFI firmware
 * (vmunit.boot=efi), whose runtime services, ACPI tables and reserved
 * memory take more of the RAM than a BIOS's: run_firmware_slack().
 */
bool run_booted_efi(void);
/* How much of want bytes of RAM the firmware may keep for itself. */
uint64_t run_firmware_slack(uint64_t want);
/*
 * Whether the runner reads KVM's statistics around the test
 * (vmunit.stats): report_exit() then prints "STATS: end" and waits
 * STATS_WAIT_US before SUMMARY, so the runner's last snapshot is the
 * test's work and not the exit's.
 */
bool run_stats(void);
/* Whether the run migrates the VM when the test asks (vmunit.migrate, lib/migrate.h). */
bool run_migrates(void);
#define STATS_WAIT_US 500000

#endif
