/* PCI on bus 0 (lib/pci.h). */
#include <stddef.h>
#include "pci.h"

#define BAR_IO		(1u << 0)
#define BAR_64		(2u << 1)
#define BAR_TYPE_MASK	(3u << 1)
#define BAR_ADDR_MASK	0xfffffff0u

static const struct pci_host *host;
static uint64_t next_free;	/* where the next BAR we place may go */

uint32_t pci_read(const struct pci_dev *d, unsigned int off, unsigned int size)
{
	return host->read(d, off, size);
}

void pci_write(const struct pci_dev *d, unsigned int off, unsigned int size, uint32_t v)
{
	host->write(d, off, size, v);
}

unsigned int pci_next_cap(const struct pci_dev *d, uint8_t id, unsigned int from)
{
	unsigned int off = from ? pci_read(d, from + 1, 1) : pci_read(d, PCI_CAP_PTR, 1);

	if (!from && !(pci_read(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	for (unsigned int n = 0; off >= 0x40 && n < 48; n++) {	/* 48: a loop is a bug */
		off &= ~3u;
		if (pci_read(d, off, 1) == id)
			return off;
		off = pci_read(d, off + 1, 1);
	}
	return 0;
}

/* BAR i's address and whether it is a 64-bit one; 0 for I/O or absent. */
static uint64_t bar_addr(const struct pci_dev *d, unsigned int i, bool *is64)
{
	uint32_t lo = pci_read(d, PCI_BAR0 + 4 * i, 4);

	*is64 = (lo & BAR_TYPE_MASK) == BAR_64;
	if (lo & BAR_IO)
		return 0;
	return (lo & BAR_ADDR_MASK) |
	       (*is64 && i < 5 ? (uint64_t)pci_read(d, PCI_BAR0 + 4 * (i + 1), 4) << 32 : 0);
}

/* Size a memory BAR the firmware left unplaced and place it; its address. */
static uint64_t place(const struct pci_dev *d, unsigned int i, bool is64)
{
	unsigned int off = PCI_BAR0 + 4 * i;
	uint32_t keep = pci_read(d, off, 4) & ~BAR_ADDR_MASK, size;
	uint64_t at;

	pci_write(d, off, 4, 0xffffffff);
	size = ~(pci_read(d, off, 4) & BAR_ADDR_MASK) + 1;
	if (!size || !(pci_read(d, off, 4) & BAR_ADDR_MASK)) {
		pci_write(d, off, 4, keep);
		return 0;	/* not implemented */
	}
	at = (next_free + size - 1) & ~(uint64_t)(size - 1);
	if (at + size > host->mem_top) {
		pci_write(d, off, 4, keep);
		return 0;
	}
	pci_write(d, off, 4, (uint32_t)at | keep);
	if (is64)
		pci_write(d, off + 4, 4, 0);
	next_free = at + size;
	return at;
}

/* Every device on bus 0: f(d, arg) until it returns true. */
static bool each_device(bool (*f)(struct pci_dev *d, void *arg), void *arg)
{
	for (unsigned int devfn = 0; devfn < 256; devfn++) {
		struct pci_dev d = { .devfn = devfn };
		uint32_t id = pci_read(&d, PCI_VENDOR_ID, 4);

		if ((uint16_t)id == 0xffff || !(uint16_t)id) {
			if (!(devfn & 7))
				devfn += 7;	/* no function 0: no device */
			continue;
		}
		d.vendor = id;
		d.device = id >> 16;
		if (f(&d, arg))
			return true;
		if (!(devfn & 7) && !(pci_read(&d, PCI_HEADER_TYPE, 1) & 0x80))
			devfn += 7;	/* single-function */
	}
	return false;
}

/* A memory BAR's size, its decoding off while it is probed. */
static uint32_t bar_size(const struct pci_dev *d, unsigned int i)
{
	unsigned int off = PCI_BAR0 + 4 * i;
	uint32_t cmd = pci_read(d, PCI_COMMAND, 2), was = pci_read(d, off, 4), size;

	pci_write(d, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MEMORY);
	pci_write(d, off, 4, 0xffffffff);
	size = ~(pci_read(d, off, 4) & BAR_ADDR_MASK) + 1;
	pci_write(d, off, 4, was);
	pci_write(d, PCI_COMMAND, 2, cmd);
	return size;
}

/* next_free above every memory BAR already placed in the window. */
static bool note_bars(struct pci_dev *d, void *arg)
{
	for (unsigned int i = 0; i < 6; i++) {
		bool is64;
		uint64_t a = bar_addr(d, i, &is64);

		if (a >= host->mem_base && a < host->mem_top && a + bar_size(d, i) > next_free)
			next_free = a + bar_size(d, i);
		i += is64;
	}
	return false;
}

struct want {
	bool (*match)(const struct pci_dev *d, void *arg);
	void *arg;
	unsigned int index;
	struct pci_dev *found;
};

static bool take(struct pci_dev *d, void *arg)
{
	struct want *w = arg;

	if (!w->match(d, w->arg) || w->index--)
		return false;
	*w->found = *d;
	return true;
}

struct id {
	uint16_t vendor, device;
};

static bool same_id(const struct pci_dev *d, void *arg)
{
	const struct id *id = arg;

	return d->vendor == id->vendor && d->device == id->device;
}

bool pci_find(struct pci_dev *d, uint16_t vendor, uint16_t device, unsigned int index,
	      const char **why)
{
	struct id id = { vendor, device };

	return pci_find_match(d, same_id, &id, index, why);
}

bool pci_find_match(struct pci_dev *d, bool (*match)(const struct pci_dev *d, void *arg),
		    void *arg, unsigned int index, const char **why)
{
	struct want w = { match, arg, index, d };
	static bool scanned;

	if (!host && !(host = pci_host(why)))
		return false;
	if (!scanned) {
		next_free = host->mem_base;
		each_device(note_bars, NULL);
		scanned = true;
	}
	if (!each_device(take, &w)) {
		*why = "no such PCI device on bus 0";
		return false;
	}
	for (unsigned int i = 0; i < 6; i++) {
		bool is64;

		d->bar[i] = bar_addr(d, i, &is64);
		if (!d->bar[i] && !(pci_read(d, PCI_BAR0 + 4 * i, 4) & BAR_IO))
			d->bar[i] = place(d, i, is64);
		i += is64;
	}
	pci_write(d, PCI_COMMAND, 2,
		  pci_read(d, PCI_COMMAND, 2) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return true;
}
