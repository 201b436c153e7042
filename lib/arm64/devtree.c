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
static bool reg(int node, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p || ac < 1 || sc < 0 || len < 4 * (ac + sc))
		return false;
	*addr = cells(p, ac);
	if (size)
		*size = cells(p + ac, sc);
	return true;
}

bool dt_memory(uint64_t *base, uint64_t *size)
{
	int node = fdt ? fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
						      sizeof("memory")) : -1;

	return node >= 0 && reg(node, base, size);
}

uint64_t dt_reg_by_compatible(const char *compat)
{
	int node = -1;
	uint64_t addr;

	while (fdt && (node = fdt_node_offset_by_compatible(fdt, node, compat)) >= 0) {
		const char *status = fdt_getprop(fdt, node, "status", NULL);

		if ((!status || !strcmp(status, "okay")) && reg(node, &addr, NULL))
			return addr;
	}
	return 0;
}

const char *dt_string(const char *path, const char *prop)
{
	int node = fdt ? fdt_path_offset(fdt, path) : -1;

	return node >= 0 ? fdt_getprop(fdt, node, prop, NULL) : NULL;
}
