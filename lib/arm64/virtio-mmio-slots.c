/* virtio-mmio windows on arm64: the device tree's "virtio,mmio" nodes. */
#include "devtree.h"
#include "virtio-mmio.h"

unsigned int virtio_mmio_slots(uintptr_t *bases, unsigned int max)
{
	return dt_regs_by_compatible("virtio,mmio", bases, max);
}
