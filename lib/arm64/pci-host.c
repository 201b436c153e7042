/*
 * The PCI host bridge on arm64 virt: the device tree's
 * "pci-host-ecam-generic", configuration space at ECAM + (bus << 20 |
 * devfn << 12 | offset), BARs in its 32-bit memory window.  Both must lie
 * in the device window the boot maps (the first GiB): QEMU's high ECAM
 * does not (-machine highmem-ecam=off puts it there).
 */
#include <stddef.h>
#include "devtree.h"
#include "mmio.h"
#include "pci.h"

#define DEVICE_WINDOW (1ull << 30)

static uintptr_t ecam;
static struct pci_host host;

static uintptr_t at(const struct pci_dev *d, unsigned int off)
{
	return ecam + ((uintptr_t)d->bus << 20 | (uintptr_t)d->devfn << 12 | off);
}

static uint32_t cfg_read(const struct pci_dev *d, unsigned int off, unsigned int size)
{
	uintptr_t a = at(d, off);

	return size == 1 ? mmio_read8(a) : size == 2 ? mmio_read16(a) : mmio_read32(a);
}

static void cfg_write(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v)
{
	uintptr_t a = at(d, off);

	if (size == 1)
		mmio_write8(a, v);
	else if (size == 2)
		mmio_write16(a, v);
	else
		mmio_write32(a, v);
}

const struct pci_host *pci_host(const char **why)
{
	uint64_t base, mem, size;

	if (!dt_pci_host(&base, &mem, &size)) {
		*why = "no pci-host-ecam-generic with a 32-bit memory window in the device tree";
		return NULL;
	}
	if (base >= DEVICE_WINDOW || mem + size > DEVICE_WINDOW) {
		*why = "ECAM or PCI window above the mapped device window (QEMU -machine highmem-ecam=off)";
		return NULL;
	}
	ecam = base;
	host = (struct pci_host){ .mem_base = mem, .mem_top = mem + size, .read = cfg_read,
				  .write = cfg_write };
	return &host;
}
