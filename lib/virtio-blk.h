/*
 * A virtio-blk driver on lib/virtio.h (virtio spec 5.2), one request at a
 * time.  virtio_blk_init() checks the config values it uses: capacity
 * (sectors of 512 bytes) non-zero and below 2^48, blk_size (with
 * VIRTIO_BLK_F_BLK_SIZE) a power of two from 512 to 64 KiB; a value out of
 * range is refused, named, in d->error; with VIRTIO_BLK_F_MQ, num_queues
 * from 1 to 65535, of which it drives the first two (nq).  Requests, on
 * queue q, return the device's
 * status byte (VIRTIO_BLK_S_*), or -1 with vq.error when the device broke
 * the ring or never answered.  virtio_blk_rw() is one request start to
 * end; virtio_blk_post() and virtio_blk_wait() split it, for a request
 * left in flight (posted, kicked or not) while something else happens.
 */
#ifndef VMUNIT_VIRTIO_BLK_H
#define VMUNIT_VIRTIO_BLK_H

#include "virtio.h"

#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_F_MQ		12

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

struct virtio_blk {
	struct virtio_dev *dev;
	struct virtq vq[2];
	unsigned int queues;	/* the device's num_queues (1 without MQ) */
	unsigned int nq;	/* queues driven: the first 1 or 2 */
	uint64_t capacity;	/* 512-byte sectors */
	uint32_t blk_size;
};

/* A request's header and status byte, in place until it is waited for. */
struct virtio_blk_req {
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	uint8_t status;
};

bool virtio_blk_init(struct virtio_blk *b, struct virtio_dev *d);
/* type IN, OUT or FLUSH of len bytes at sector (len 0 for FLUSH), on queue q < nq. */
int virtio_blk_rw(struct virtio_blk *b, unsigned int q, uint32_t type, uint64_t sector, void *buf,
		  uint32_t len);
/* The same request posted on queue q, not kicked; false when the ring is full or broken. */
bool virtio_blk_post(struct virtio_blk *b, unsigned int q, struct virtio_blk_req *r,
		     uint32_t type, uint64_t sector, void *buf, uint32_t len);
/* r's status once it completes: the next completion on queue q must be r. */
int virtio_blk_wait(struct virtio_blk *b, unsigned int q, struct virtio_blk_req *r);

#endif
