/*
 * The virtio-mmio transport (virtio spec 4.2), modern register layout
 * (Version 2) only: QEMU's virtio-mmio is legacy (Version 1) unless run
 * with -global virtio-mmio.force-legacy=false, and such a device is
 * refused, named.  Discovery is the platform's: the device tree's
 * "virtio,mmio" nodes on arm64, microvm's fixed slots on x86
 * (virtio_mmio_slots(), lib/<arch>); a slot whose device ID reads 0 has
 * no device.  DMA memory is identity-mapped RAM.
 */
#ifndef VMUNIT_VIRTIO_MMIO_H
#define VMUNIT_VIRTIO_MMIO_H

#include "virtio.h"

#define VIRTIO_MMIO_MAGIC 0x74726976	/* "virt" */

/* The platform's virtio-mmio register windows: how many, into bases. */
unsigned int virtio_mmio_slots(uintptr_t *bases, unsigned int max);

/*
 * The index-th (from 0) modern virtio-mmio device of device_id, ready for
 * virtio_init(); false with d->error set (naming what is missing) if none.
 */
bool virtio_mmio_find(struct virtio_dev *d, uint32_t device_id, unsigned int index);

#endif
