/* The virtio-mmio transport (lib/virtio-mmio.h). */
#include "alloc.h"
#include "mmio.h"
#include "printf.h"
#include "string.h"
#include "virtio-mmio.h"

enum {
	MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010,
	DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
	QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
	QUEUE_NOTIFY = 0x050, STATUS = 0x070, QUEUE_DESC = 0x080, QUEUE_DRIVER = 0x090,
	QUEUE_DEVICE = 0x0a0, CONFIG = 0x100,
};

#define MAX_SLOTS 64

static uintptr_t base(struct virtio_dev *d)
{
	return (uintptr_t)d->priv;
}

static uint32_t rd(struct virtio_dev *d, unsigned int reg)
{
	return mmio_read32(base(d) + reg);
}

static void wr(struct virtio_dev *d, unsigned int reg, uint32_t v)
{
	mmio_write32(base(d) + reg, v);
}

static uint64_t features(struct virtio_dev *d)
{
	wr(d, DEVICE_FEATURES_SEL, 1);
	uint64_t hi = rd(d, DEVICE_FEATURES);

	wr(d, DEVICE_FEATURES_SEL, 0);
	return hi << 32 | rd(d, DEVICE_FEATURES);
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	wr(d, DRIVER_FEATURES_SEL, 1);
	wr(d, DRIVER_FEATURES, f >> 32);
	wr(d, DRIVER_FEATURES_SEL, 0);
	wr(d, DRIVER_FEATURES, (uint32_t)f);
}

static uint8_t status(struct virtio_dev *d)
{
	return rd(d, STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	wr(d, STATUS, s);
}

/* Config space reads of 1, 2 or 4 bytes at their natural width. */
static uint32_t config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	uintptr_t a = base(d) + CONFIG + off;

	return size == 1 ? mmio_read8(a) : size == 2 ? mmio_read16(a) : mmio_read32(a);
}

static unsigned int queue_max(struct virtio_dev *d, unsigned int i)
{
	wr(d, QUEUE_SEL, i);
	return rd(d, QUEUE_READY) ? 0 : rd(d, QUEUE_NUM_MAX);
}

static void wr64(struct virtio_dev *d, unsigned int reg, uint64_t v)
{
	wr(d, reg, (uint32_t)v);
	wr(d, reg + 4, v >> 32);
}

static void queue_setup(struct virtio_dev *d, unsigned int i, unsigned int num, uint64_t desc,
			uint64_t driver, uint64_t device)
{
	wr(d, QUEUE_SEL, i);
	wr(d, QUEUE_NUM, num);
	wr64(d, QUEUE_DESC, desc);
	wr64(d, QUEUE_DRIVER, driver);
	wr64(d, QUEUE_DEVICE, device);
	wr(d, QUEUE_READY, 1);
}

static void notify(struct virtio_dev *d, unsigned int i)
{
	wr(d, QUEUE_NOTIFY, i);
}

static const struct virtio_transport mmio = {
	.name = "virtio-mmio", .features = features, .set_features = set_features,
	.status = status, .set_status = set_status, .config = config,
	.queue_max = queue_max, .queue_setup = queue_setup, .notify = notify,
	.dma_alloc = virtio_ram_alloc, .dma_free = free, .dma_addr = virtio_ram_addr,
};

bool virtio_mmio_find(struct virtio_dev *d, uint32_t device_id, unsigned int index)
{
	uintptr_t bases[MAX_SLOTS];
	unsigned int n = virtio_mmio_slots(bases, MAX_SLOTS), legacy = 0;

	*d = (struct virtio_dev){ .t = &mmio, .device_id = device_id };
	for (unsigned int i = 0; i < n; i++) {
		d->priv = (void *)bases[i];
		if (rd(d, MAGIC) != VIRTIO_MMIO_MAGIC || rd(d, DEVICE_ID) != device_id)
			continue;
		if (rd(d, VERSION) != 2) {
			legacy++;
			continue;
		}
		if (!index--)
			return true;
	}
	snprintf(d->why, sizeof(d->why), legacy ?
		 "virtio-mmio device ID %u: only legacy (Version 1) ones; -global virtio-mmio.force-legacy=false" :
		 "no virtio-mmio device ID %u among %u slots", device_id, n);
	d->error = d->why;
	return false;
}
