/*
 * The virtio-pci transport, modern (virtio spec 4.1.4: the vendor
 * capabilities for the common, notify and device config structures),
 * for modern (1af4:1040 + ID) and transitional (1af4:1000-103f, the ID in
 * the subsystem ID) devices; a device without the modern capabilities is
 * refused, named.  PCI itself is lib/pci.h; DMA memory is identity-mapped
 * RAM.
 */
#ifndef VMUNIT_VIRTIO_PCI_H
#define VMUNIT_VIRTIO_PCI_H

#include "virtio.h"

/* The index-th virtio-pci device of device_id, for virtio_init(). */
bool virtio_pci_find(struct virtio_dev *d, uint32_t device_id, unsigned int index);

#endif
