/* The virtio-blk driver (lib/virtio-blk.h). */
#include "printf.h"
#include "virtio-blk.h"

#define CFG_CAPACITY	0
#define CFG_BLK_SIZE	20
#define CFG_NUM_QUEUES	34
#define TIMEOUT_US	5000000

static bool refuse(struct virtio_dev *d, const char *what, uint64_t v)
{
	snprintf(d->why, sizeof(d->why), "config %s %#lx out of range", what, v);
	d->error = d->why;
	virtio_reset(d);
	return false;
}

bool virtio_blk_init(struct virtio_blk *b, struct virtio_dev *d)
{
	*b = (struct virtio_blk){ .dev = d, .blk_size = 512 };
	if (!virtio_negotiate(d, 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH |
			      1ull << VIRTIO_BLK_F_MQ))
		return false;
	b->queues = virtio_has(d, VIRTIO_BLK_F_MQ) ? virtio_config(d, CFG_NUM_QUEUES, 2) : 1;
	if (!b->queues)
		return refuse(d, "num_queues", 0);
	b->nq = b->queues < 2 ? b->queues : 2;
	if (!virtio_start(d, b->vq, b->nq, 16))
		return false;
	b->capacity = virtio_config64(d, CFG_CAPACITY);
	if (!b->capacity || b->capacity >> 48)
		return refuse(d, "capacity", b->capacity);
	if (virtio_has(d, VIRTIO_BLK_F_BLK_SIZE)) {
		b->blk_size = virtio_config(d, CFG_BLK_SIZE, 4);
		if (b->blk_size < 512 || b->blk_size > 65536 || (b->blk_size & (b->blk_size - 1)))
			return refuse(d, "blk_size", b->blk_size);
	}
	return true;
}

bool virtio_blk_post(struct virtio_blk *b, unsigned int q, struct virtio_blk_req *r,
		     uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
	struct virtio_sg out[2] = { { &r->hdr, sizeof(r->hdr) }, { buf, len } };
	struct virtio_sg in[2] = { { buf, len }, { &r->status, 1 } };
	bool write = type == VIRTIO_BLK_T_OUT;

	r->hdr.type = virtio32(type);
	r->hdr.reserved = 0;
	r->hdr.sector = virtio64(sector);
	r->status = 0xff;
	if (!len)	/* FLUSH: the header out, the status in */
		return virtq_add(&b->vq[q], out, 1, &in[1], 1, r);
	return virtq_add(&b->vq[q], out, write ? 2 : 1, write ? &in[1] : in, write ? 1 : 2, r);
}

int virtio_blk_wait(struct virtio_blk *b, unsigned int q, struct virtio_blk_req *r)
{
	uint32_t used;

	if (virtq_wait(&b->vq[q], &used, TIMEOUT_US) != r)
		return -1;
	return r->status;
}

int virtio_blk_rw(struct virtio_blk *b, unsigned int q, uint32_t type, uint64_t sector, void *buf,
		  uint32_t len)
{
	struct virtio_blk_req r;

	if (!virtio_blk_post(b, q, &r, type, sector, buf, len))
		return -1;
	virtq_kick(&b->vq[q]);
	return virtio_blk_wait(b, q, &r);
}
