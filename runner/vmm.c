#include "vmm.h"

#include <string.h>

#include "verdict-parse.h"

static const struct vmm_info vmms[VMM_NR] = {
	[VMM_QEMU] = {
		.name = "qemu", .display = "QEMU", .arch_mask = ARCH_MASK_ALL,
		.argv = qemu_argv, .own_line = vp_qemu_line, .exit_has_status = true,
	},
	[VMM_BOCHS] = {
		.name = "bochs", .display = "Bochs", .arch_mask = 1u << ARCH_X86_64,
		.default_cpu = "tigerlake", .argv = bochs_argv, .own_line = bochs_own_line,
	},
};

const struct vmm_info *vmm_info(enum vmm v)
{
	return &vmms[v];
}

int vmm_from_name(const char *name)
{
	for (int v = 0; v < VMM_NR; v++)
		if (!strcmp(name, vmms[v].name))
			return v;
	return -1;
}
