/* The virtio-ccw transport (lib/s390x/virtio-ccw.h). */
#include "css.h"
#include "dma31.h"
#include "panic.h"
#include "printf.h"
#include "string.h"
#include "virtio-ccw.h"

#define CU_VIRTIO	0x3832
#define ISC		3
#define MAX_DEVS	16

enum {
	CMD_WRITE_FEAT = 0x11, CMD_READ_FEAT = 0x12, CMD_SET_VQ = 0x13, CMD_READ_CONF = 0x22,
	CMD_WRITE_STATUS = 0x31, CMD_READ_VQ_CONF = 0x32, CMD_VDEV_RESET = 0x33,
	CMD_SET_IND = 0x43, CMD_READ_STATUS = 0x72, CMD_SET_IND_ADAPTER = 0x73,
	CMD_SET_VIRTIO_REV = 0x83,
};

struct vccw {
	uint32_t schid;
	unsigned int revision;
	uint8_t status;		/* revision 1: what was last written and taken */
};

/* The channel program's control blocks and its data, in the 31-bit pool. */
static struct io {
	struct orb orb;
	struct irb irb;
	struct ccw1 ccw;
	uint8_t data[256] __attribute__((aligned(8)));
} *io;

static struct vccw devs[MAX_DEVS];
static unsigned int ndevs;

static struct vccw *vc(struct virtio_dev *d)
{
	return d->priv;
}

/*
 * One command on the subchannel, its data in io->data (an incorrect length
 * suppressed: config and SENSE ID are read in part): whether it ended
 * with channel and device end alone.
 */
static bool command(uint32_t schid, uint8_t cmd, uint16_t count)
{
	struct io_int irq;
	int cc;

	io->ccw = ccw_data(cmd, CCW_SLI, io->data, count);
	orb_init(&io->orb, schid, &io->ccw, 0);
	cc = ssch(schid, &io->orb);
	if (cc == 1) {	/* status pending: a queue's indicator interruption; take it */
		css_wait_io(schid, 0, &irq);
		tsch(schid, &io->irb);
		cc = ssch(schid, &io->orb);
	}
	if (cc || !css_wait_io(schid, CSS_TIMEOUT_US, &irq) || tsch(schid, &io->irb))
		return false;
	return io->irb.scsw.dstat == (DEV_CHAN_END | DEV_DEV_END) && !io->irb.scsw.cstat;
}

static bool dev_command(struct virtio_dev *d, uint8_t cmd, uint16_t count)
{
	return command(vc(d)->schid, cmd, count);
}

static uint64_t features(struct virtio_dev *d)
{
	uint64_t f = 0;

	for (int i = 1; i >= 0; i--) {
		memset(io->data, 0, 5);
		io->data[4] = i;
		if (!dev_command(d, CMD_READ_FEAT, 5))
			return 0;
		f = f << 32 | virtio32(*(uint32_t *)io->data);
	}
	return f;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	for (int i = 0; i < 2; i++) {
		*(uint32_t *)io->data = virtio32(f >> 32 * i);
		io->data[4] = i;
		dev_command(d, CMD_WRITE_FEAT, 5);
	}
}

static uint8_t status(struct virtio_dev *d)
{
	if (vc(d)->revision < 2)
		return vc(d)->status;
	return dev_command(d, CMD_READ_STATUS, 1) ? io->data[0] : VIRTIO_STATUS_FAILED;
}

/* Status 0 is a reset; a status the device refuses (unit check) is not taken. */
static void set_status(struct virtio_dev *d, uint8_t s)
{
	bool taken;

	if (!s) {
		taken = dev_command(d, CMD_VDEV_RESET, 0);
	} else {
		io->data[0] = s;
		taken = dev_command(d, CMD_WRITE_STATUS, 1);
	}
	if (taken)
		vc(d)->status = s;
}

/* The config space is read from its start; values are little-endian. */
static uint32_t config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	if (off + size > sizeof(io->data) || !dev_command(d, CMD_READ_CONF, off + size))
		return 0;
	for (unsigned int i = size; i-- > 0;)
		v = v << 8 | io->data[off + i];
	return v;
}

static unsigned int queue_max(struct virtio_dev *d, unsigned int i)
{
	memset(io->data, 0, 4);
	*(uint16_t *)io->data = i;	/* big-endian: the channel's */
	return dev_command(d, CMD_READ_VQ_CONF, 4) ? *(uint16_t *)(io->data + 2) : 0;
}

static void queue_setup(struct virtio_dev *d, unsigned int i, unsigned int num, uint64_t desc,
			uint64_t driver, uint64_t device)
{
	struct { uint64_t desc; uint32_t res0; uint16_t index, num; uint64_t driver, device; }
		__attribute__((packed)) info = { desc, 0, i, num, driver, device };

	memcpy(io->data, &info, sizeof(info));
	if (!dev_command(d, CMD_SET_VQ, sizeof(info)))
		panic("virtio-ccw: SET_VQ of queue %u refused", i);
}

/* DIAGNOSE 0x500, subcode 3: notify queue i of the subchannel. */
static void notify(struct virtio_dev *d, unsigned int i)
{
	register uint64_t code asm("1") = 3;
	register uint64_t schid asm("2") = vc(d)->schid;
	register uint64_t queue asm("3") = i;
	register uint64_t cookie asm("4") = 0;

	asm volatile("diag 2,4,0x500" : "+d"(schid) : "d"(code), "d"(queue), "d"(cookie)
		     : "memory", "cc");
}

static void *dma_alloc(size_t size)
{
	return dma31_alloc(size, 16);
}

/* Real addresses (no DAT): ring entries are 64-bit, any buffer is fine. */
static uint64_t dma_addr(const void *p)
{
	return (uintptr_t)p;
}

static struct virtio_transport ccw = {
	.name = "virtio-ccw", .features = features, .set_features = set_features,
	.status = status, .set_status = set_status, .config = config,
	.queue_max = queue_max, .queue_setup = queue_setup, .notify = notify,
	.dma_alloc = dma_alloc, .dma_free = dma31_free, .dma_addr = dma_addr,
};

void virtio_ccw_force_bounce(bool on)
{
	ccw.dma_bounce = on;
}

bool virtio_ccw_set_indicators(struct virtio_dev *d, uint64_t *ind)
{
	*(uint64_t *)io->data = dma31_addr(ind);
	return dev_command(d, CMD_SET_IND, 8);
}

bool virtio_ccw_set_adapter_indicators(struct virtio_dev *d, uint8_t *summary, uint8_t *ind,
				       unsigned int bit, unsigned int isc)
{
	struct { uint64_t summary, ind, bit; uint8_t isc; } __attribute__((packed)) area = {
		dma31_addr(summary), dma31_addr(ind), bit, isc,
	};

	memcpy(io->data, &area, sizeof(area));
	return dev_command(d, CMD_SET_IND_ADAPTER, sizeof(area));
}

unsigned int virtio_ccw_revision(const struct virtio_dev *d)
{
	return ((const struct vccw *)d->priv)->revision;
}

/* SET_VIRTIO_REV: 2, else 1; 0 when the device takes neither. */
static unsigned int set_revision(uint32_t schid)
{
	for (unsigned int rev = 2; rev >= 1; rev--) {
		*(uint32_t *)io->data = rev << 16;	/* revision, length 0 (big-endian) */
		if (command(schid, CMD_SET_VIRTIO_REV, 4))
			return rev;
	}
	return 0;
}

/* Whether schid is a virtio device of device_id (SENSE ID), enabled. */
static bool is_virtio(uint32_t schid, uint32_t device_id)
{
	const struct senseid *id = (const void *)io->data;

	if (css_enable(schid, ISC, schid) || !command(schid, CCW_CMD_SENSE_ID, 7))
		return false;
	return id->reserved == 0xff && id->cu_type == CU_VIRTIO && id->cu_model == device_id;
}

bool virtio_ccw_find(struct virtio_dev *d, uint32_t device_id, unsigned int index)
{
	uint32_t schids[64];
	int n;
	unsigned int legacy = 0;

	if (!io) {
		io = dma31_alloc(sizeof(*io), 8);
		assert(io);
		css_irq_init(ISC);
	}
	n = css_enumerate(schids, 64);
	*d = (struct virtio_dev){ .t = &ccw, .device_id = device_id };
	for (int i = 0; i < n && i < 64; i++) {
		struct vccw *v;
		unsigned int rev;

		if (!is_virtio(schids[i], device_id))
			continue;
		for (v = devs; v < devs + ndevs && v->schid != schids[i]; v++)
			;
		/* A revision holds until the subchannel is reset: found again, keep it. */
		rev = set_revision(schids[i]);
		if (!rev && v < devs + ndevs)
			rev = v->revision;
		if (!rev) {
			legacy++;
			continue;
		}
		if (index-- || v == devs + MAX_DEVS)
			continue;
		ndevs += v == devs + ndevs;
		*v = (struct vccw){ .schid = schids[i], .revision = rev };
		d->priv = v;
		return true;
	}
	snprintf(d->why, sizeof(d->why), legacy ?
		 "virtio-ccw device ID %u: SET_VIRTIO_REV 1 and 2 refused (a legacy device)" :
		 "no virtio-ccw device ID %u among %d subchannels", device_id, n);
	d->error = d->why;
	return false;
}
