/* Device-tree lookups on top of libfdt (Debian's libfdt-dev:arm64). */
#include <libfdt.h>
#include "devtree.h"

static const void *fdt;

bool dt_init(const void *blob)
{
	if (!blob || fdt_check_header(blob))
		return false;
	fdt = blob;
	return true;
}

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 32 | fdt32_to_cpu(*p++);
	return v;
}

/* The index-th (address, size) pair of node's "reg", using its parent's cells. */
static bool reg(int node, int index, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p || ac < 1 || sc < 0 || len < 4 * (ac + sc) * (index + 1))
		return false;
	p += (ac + sc) * index;
	*addr = cells(p, ac);
	if (size)
		*size = cells(p + ac, sc);
	return true;
}

bool dt_memory(uint64_t *base, uint64_t *size)
{
	int node = fdt ? fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
						      sizeof("memory")) : -1;

	return node >= 0 && reg(node, 0, base, size);
}

uint64_t dt_reg_by_compatible_index(const char *compat, int index)
{
	int node = -1;
	uint64_t addr;

	while (fdt && (node = fdt_node_offset_by_compatible(fdt, node, compat)) >= 0) {
		const char *status = fdt_getprop(fdt, node, "status", NULL);

		if ((!status || !strcmp(status, "okay")) && reg(node, index, &addr, NULL))
			return addr;
	}
	return 0;
}

unsigned int dt_regs_by_compatible(const char *compat, uintptr_t *bases, unsigned int max)
{
	unsigned int n = 0;
	int node = -1;
	uint64_t addr;

	while (fdt && n < max && (node = fdt_node_offset_by_compatible(fdt, node, compat)) >= 0) {
		const char *status = fdt_getprop(fdt, node, "status", NULL);

		if ((!status || !strcmp(status, "okay")) && reg(node, 0, &addr, NULL))
			bases[n++] = addr;
	}
	return n;
}

bool dt_pci_host(uint64_t *ecam, uint64_t *mem_base, uint64_t *mem_size)
{
	int node = fdt ? fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic") : -1;
	int pac = node >= 0 ? fdt_address_cells(fdt, fdt_parent_offset(fdt, node)) : 0;
	const fdt32_t *p;
	int len;

	if (node < 0 || !reg(node, 0, ecam, NULL))
		return false;
	/* ranges: (3-cell PCI address, pac-cell CPU address, 2-cell size) each */
	p = fdt_getprop(fdt, node, "ranges", &len);
	for (int k = 0; p && (k + 1) * 4 * (5 + pac) <= len; k++, p += 5 + pac)
		if ((fdt32_to_cpu(p[0]) >> 24 & 3) == 2) {	/* 32-bit memory space */
			*mem_base = cells(p + 3, pac);
			*mem_size = cells(p + 3 + pac, 2);
			return true;
		}
	return false;
}

uint64_t dt_reg_by_compatible(const char *compat)
{
	return dt_reg_by_compatible_index(compat, 0);
}

int dt_interrupt_by_compatible(const char *compat, int index)
{
	int node = fdt ? fdt_node_offset_by_compatible(fdt, -1, compat) : -1;
	const fdt32_t *p;
	int len;

	/* GIC bindings: three cells (type: 0 SPI, 1 PPI; number; flags). */
	p = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;
	if (!p || len < 12 * (index + 1))
		return -1;
	p += 3 * index;
	return fdt32_to_cpu(p[1]) + (fdt32_to_cpu(p[0]) == 1 ? 16 : 32);
}

const char *dt_string(const char *path, const char *prop)
{
	int node = fdt ? fdt_path_offset(fdt, path) : -1;

	return node >= 0 ? fdt_getprop(fdt, node, prop, NULL) : NULL;
}
