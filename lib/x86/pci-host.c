/*
 * The PCI host bridge on x86 (q35, pc): configuration mechanism #1, the
 * address at port 0xcf8 and the data at 0xcfc; BARs go in [3 GiB, the
 * I/O APIC), inside the PCI hole of both machines at our memory sizes.
 */
#include <stddef.h>
#include "pci.h"
#include "processor.h"

#define CONFIG_ADDRESS	0xcf8
#define CONFIG_DATA	0xcfc

static void address(const struct pci_dev *d, unsigned int off)
{
	outl(CONFIG_ADDRESS, 0x80000000u | d->bus << 16 | d->devfn << 8 | (off & 0xfc));
}

static uint32_t cfg_read(const struct pci_dev *d, unsigned int off, unsigned int size)
{
	uint32_t v;

	address(d, off);
	v = inl(CONFIG_DATA) >> 8 * (off & 3);
	return size == 4 ? v : v & ((1u << 8 * size) - 1);
}

/* Writes of their own width at the byte lane of off: nothing else is touched. */
static void cfg_write(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v)
{
	address(d, off);
	if (size == 4)
		outl(CONFIG_DATA, v);
	else if (size == 2)
		outw(CONFIG_DATA + (off & 2), v);
	else
		outb(CONFIG_DATA + (off & 3), v);
}

static const struct pci_host x86_host = {
	.mem_base = 0xc0000000, .mem_top = 0xfec00000, .read = cfg_read, .write = cfg_write,
};

const struct pci_host *pci_host(const char **why)
{
	struct pci_dev bridge = { 0 };

	if ((uint16_t)cfg_read(&bridge, PCI_VENDOR_ID, 2) == 0xffff) {
		*why = "no PCI host bridge at 00:00.0 (QEMU microvm has none: machine q35 or pc)";
		return NULL;
	}
	return &x86_host;
}
