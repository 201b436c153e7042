/*
 * The fatal endings every arch's selftest offers, shared so that each arch
 * proves the same thing: selftest_fatal(mode, raise) runs the mode named
 * by argv[1] and returns false when mode is not one of them.
 *   unexpected  raise() an exception nothing catches
 *   assert      fail an assert()
 *   overflow    recurse into the stack's guard page
 *   nochecks    report nothing at all
 *   fail        report a true and a false check
 *   xpass       report a true check and a passing one marked XFAIL
 * The first four must end the test as ERROR, the last two as FAIL;
 * unittests.cfg expects that verdict and reason.
 */
#ifndef VMUNIT_SELFTEST_H
#define VMUNIT_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool selftest_fatal(const char *mode, void (*raise)(void));

/* A subtest: snprintf with the common conversions, flags and widths. */
void selftest_printf(const void *arg);

/*
 * alloc_pages(2) is aligned to its size, freeing it restores the page
 * count to free0 (the count before), and malloc is 16-byte aligned.
 */
void selftest_alloc_basics(size_t free0);

/*
 * The RAM the platform reports (arch_ram_bytes()) is the memory the run
 * asked for (run_memory_mib()), less at most what firmware keeps: a memory
 * map cut short is a FAIL.
 */
void selftest_memory(const void *arg);

/*
 * Page API (lib/vm.h, not on s390x): a page mapped a second time at
 * another address is the same memory, both ways; unmapped, that address
 * faults again.
 */
void selftest_alias(const void *arg);

/*
 * on_cpus() reaches every CPU, each reporting under its own per-CPU prefix,
 * and hw_id() (APIC ID, MPIDR affinity ...) differs between CPUs.
 */
void selftest_smp(uint64_t (*hw_id)(void));

#endif
