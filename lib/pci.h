/*
 * PCI on bus 0 of the platform's host bridge (PCI Local Bus 3.0, PCIe
 * base spec chapter 7): configuration space through the arch's mechanism
 * (x86: ports 0xcf8/0xcfc; arm64: the device tree's ECAM), enumeration,
 * the capability list, and memory BARs: a BAR the firmware left at 0 is
 * sized and placed in the arch's 32-bit window above every BAR already
 * there, then memory decoding and bus mastering are turned on.
 * pci_find() says why it found nothing (no host bridge, no such device).
 */
#ifndef VMUNIT_PCI_H
#define VMUNIT_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYS_ID		0x2e
#define PCI_CAP_PTR		0x34
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_STATUS_CAP_LIST	(1u << 4)
#define PCI_CAP_ID_VNDR		0x09

struct pci_dev {
	uint8_t bus, devfn;
	uint16_t vendor, device;
	uint64_t bar[6];	/* memory BARs' addresses (a 64-bit one in its first slot) */
};

/* The arch's part (lib/<arch>/pci-host.c). */
struct pci_host {
	uint64_t mem_base, mem_top;	/* 32-bit memory window for BARs */
	uint32_t (*read)(const struct pci_dev *d, unsigned int off, unsigned int size);
	void (*write)(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v);
};
/* The platform's host bridge, or NULL with why. */
const struct pci_host *pci_host(const char **why);

/* The index-th (from 0) device vendor:device on bus 0, BARs placed, enabled. */
bool pci_find(struct pci_dev *d, uint16_t vendor, uint16_t device, unsigned int index,
	      const char **why);
/* The same for the index-th device match() accepts (config space readable in it). */
bool pci_find_match(struct pci_dev *d, bool (*match)(const struct pci_dev *d, void *arg),
		    void *arg, unsigned int index, const char **why);
uint32_t pci_read(const struct pci_dev *d, unsigned int off, unsigned int size);
void pci_write(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v);
/* The next capability of id after config offset from (0: the first), or 0. */
unsigned int pci_next_cap(const struct pci_dev *d, uint8_t id, unsigned int from);

#endif
