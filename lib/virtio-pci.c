/* The virtio-pci transport (lib/virtio-pci.h). */
#include "alloc.h"
#include "mmio.h"
#include "pci.h"
#include "printf.h"
#include "string.h"
#include "virtio-pci.h"

#define VENDOR		0x1af4
#define MODERN_BASE	0x1040
#define CAP_COMMON	1
#define CAP_NOTIFY	2
#define CAP_DEVICE	4

/* The common configuration structure's fields. */
enum {
	DFSELECT = 0, DF = 4, GFSELECT = 8, GF = 12, STATUS = 20, Q_SELECT = 22, Q_SIZE = 24,
	Q_ENABLE = 28, Q_NOFF = 30, Q_DESC = 32, Q_DRIVER = 40, Q_DEVICE = 48,
};

struct vpci {
	uintptr_t common, notify, device;
	uint32_t multiplier;
};

static struct vpci devs[256];	/* by devfn: bus 0 */

static struct vpci *vp(struct virtio_dev *d)
{
	return d->priv;
}


static uint64_t features(struct virtio_dev *d)
{
	uint64_t hi;

	mmio_write32(vp(d)->common + DFSELECT, 1);
	hi = mmio_read32(vp(d)->common + DF);
	mmio_write32(vp(d)->common + DFSELECT, 0);
	return hi << 32 | mmio_read32(vp(d)->common + DF);
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	mmio_write32(vp(d)->common + GFSELECT, 1);
	mmio_write32(vp(d)->common + GF, f >> 32);
	mmio_write32(vp(d)->common + GFSELECT, 0);
	mmio_write32(vp(d)->common + GF, (uint32_t)f);
}

static uint8_t status(struct virtio_dev *d)
{
	return mmio_read8(vp(d)->common + STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	mmio_write8(vp(d)->common + STATUS, s);
}

static uint32_t config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	uintptr_t a = vp(d)->device + off;

	return size == 1 ? mmio_read8(a) : size == 2 ? mmio_read16(a) : mmio_read32(a);
}

static unsigned int queue_max(struct virtio_dev *d, unsigned int i)
{
	mmio_write16(vp(d)->common + Q_SELECT, i);
	return mmio_read16(vp(d)->common + Q_ENABLE) ? 0 : mmio_read16(vp(d)->common + Q_SIZE);
}

static void w64(uintptr_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, v >> 32);
}

static void queue_setup(struct virtio_dev *d, unsigned int i, unsigned int num, uint64_t desc,
			uint64_t driver, uint64_t device)
{
	uintptr_t c = vp(d)->common;

	mmio_write16(c + Q_SELECT, i);
	mmio_write16(c + Q_SIZE, num);
	w64(c + Q_DESC, desc);
	w64(c + Q_DRIVER, driver);
	w64(c + Q_DEVICE, device);
	mmio_write16(c + Q_ENABLE, 1);
}

static void notify(struct virtio_dev *d, unsigned int i)
{
	uintptr_t c = vp(d)->common;

	mmio_write16(c + Q_SELECT, i);
	mmio_write16(vp(d)->notify + mmio_read16(c + Q_NOFF) * vp(d)->multiplier, i);
}

static const struct virtio_transport pci = {
	.name = "virtio-pci", .features = features, .set_features = set_features,
	.status = status, .set_status = set_status, .config = config,
	.queue_max = queue_max, .queue_setup = queue_setup, .notify = notify,
	.dma_alloc = virtio_ram_alloc, .dma_free = free, .dma_addr = virtio_ram_addr,
};

/* The three structures from the vendor capabilities; false if one is missing. */
static bool caps(const struct pci_dev *p, struct vpci *v)
{
	*v = (struct vpci){ 0 };
	for (unsigned int c = pci_next_cap(p, PCI_CAP_ID_VNDR, 0); c;
	     c = pci_next_cap(p, PCI_CAP_ID_VNDR, c)) {
		unsigned int type = pci_read(p, c + 3, 1), bar = pci_read(p, c + 4, 1);
		uintptr_t a;

		if (bar > 5 || !p->bar[bar])
			continue;
		a = p->bar[bar] + pci_read(p, c + 8, 4);
		if (type == CAP_COMMON && !v->common)
			v->common = a;
		else if (type == CAP_NOTIFY && !v->notify) {
			v->notify = a;
			v->multiplier = pci_read(p, c + 16, 4);
		} else if (type == CAP_DEVICE && !v->device)
			v->device = a;
	}
	return v->common && v->notify && v->device;
}

/* Modern 1040 + id, or transitional 1000-103f with the id as subsystem: one bus walk. */
static bool is_virtio(const struct pci_dev *p, void *arg)
{
	uint32_t id = *(const uint32_t *)arg;

	return p->vendor == VENDOR &&
	       (p->device == MODERN_BASE + id ||
		(p->device >= 0x1000 && p->device < 0x1040 && pci_read(p, PCI_SUBSYS_ID, 2) == id));
}

bool virtio_pci_find(struct virtio_dev *d, uint32_t device_id, unsigned int index)
{
	const char *why = NULL;
	struct pci_dev p;

	*d = (struct virtio_dev){ .t = &pci, .device_id = device_id };
	if (!pci_find_match(&p, is_virtio, &device_id, index, &why)) {
		snprintf(d->why, sizeof(d->why), "virtio-pci device ID %u: %s", device_id, why);
		d->error = d->why;
		return false;
	}
	if (!caps(&p, &devs[p.devfn])) {
		snprintf(d->why, sizeof(d->why),
			 "virtio-pci %02x:%02x.%u: no modern common/notify/device capabilities",
			 p.bus, p.devfn >> 3, p.devfn & 7);
		d->error = d->why;
		return false;
	}
	d->priv = &devs[p.devfn];
	return true;
}
