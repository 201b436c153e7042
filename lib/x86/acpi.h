/*
 * The ACPI tables the firmware leaves in memory (ACPI 6.4, 5.2): the RSDP
 * on a 16-byte boundary in the EBDA's first KiB or in 0xe0000-0xfffff,
 * then the XSDT (revision 2 and up) or RSDT, every table checksummed.
 * QEMU (qboot, SeaBIOS) and the Bochs BIOS both provide them.  Use before
 * the allocator hands out the memory they sit in (firmware marks it
 * reserved in E820, so it never does).
 */
#ifndef VMUNIT_X86_ACPI_H
#define VMUNIT_X86_ACPI_H

#include <stdint.h>

/* The table with this signature ("APIC" is the MADT), or NULL. */
const void *acpi_table(const char *sig);
/*
 * The enabled processors of the MADT (Processor Local APIC and x2APIC
 * entries with the Enabled flag), or 0 without a MADT.
 */
unsigned int acpi_cpu_count(void);

#endif
