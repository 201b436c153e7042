/*
 * The device tree the boot loader passed, read with libfdt.  dt_init()
 * validates it once at boot; the lookups return 0 / NULL / -1 when the
 * node or property is absent.  Read-only; safe from any CPU after boot.
 */
#ifndef VMUNIT_ARM64_DEVTREE_H
#define VMUNIT_ARM64_DEVTREE_H

#include <stdbool.h>
#include <stdint.h>

bool dt_init(const void *fdt);
/* First "reg" range of the first /memory node. */
bool dt_memory(uint64_t *base, uint64_t *size);
/* First (or index-th) "reg" base of the first enabled node compatible with compat. */
uint64_t dt_reg_by_compatible(const char *compat);
uint64_t dt_reg_by_compatible_index(const char *compat, int index);
/* The generic ECAM host bridge: its config space and 32-bit memory window. */
bool dt_pci_host(uint64_t *ecam, uint64_t *mem_base, uint64_t *mem_size);
/* The first "reg" base of every enabled node compatible with compat (up to max). */
unsigned int dt_regs_by_compatible(const char *compat, uintptr_t *bases, unsigned int max);
/* The index-th interrupt of the first node compatible with compat, as a GIC INTID. */
int dt_interrupt_by_compatible(const char *compat, int index);
/* A string property of a node given by path, e.g. ("/chosen", "bootargs"). */
const char *dt_string(const char *path, const char *prop);

#endif
