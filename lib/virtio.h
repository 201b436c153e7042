/*
 * One virtio 1.x driver core for every transport (virtio-mmio.h; PCI and
 * CCW to come), and a driver that does not trust its device.
 *
 * virtio_init() resets the device and negotiates: VERSION_1 is required
 * (a legacy device is refused, named); ACCESS_PLATFORM, INDIRECT_DESC and
 * EVENT_IDX are taken when the device offers them, RING_PACKED too (then
 * every queue is a packed ring: chains in consecutive descriptors, used
 * ones found by their AVAIL/USED bits and the wrap counter; the same
 * validation of ids and lengths), and of the device-type
 * features those the caller wants and the device offers; FEATURES_OK must
 * stick.  With INDIRECT_DESC a chain of several buffers is one ring
 * descriptor pointing to a table; with EVENT_IDX the driver still
 * notifies every time (it polls: no used_event interrupts needed), and
 * virtq_avail_event() reads the device's avail_event.  Memory the device
 * sees comes from the transport's DMA allocator; with ACCESS_PLATFORM
 * (or a platform that says so, dma_bounce) every buffer goes through a
 * bounce buffer of the core's, so the device never sees the caller's.
 *
 * Split virtqueues: virtq_add() posts a chain of device-readable (out)
 * and device-writable (in) buffers under a token; virtq_kick() notifies;
 * virtq_get() returns a completed token and its used length, validating
 * everything the device wrote: a used index that moves by more than the
 * ring size, a used id out of range or not outstanding, a used length
 * over the chain's writable bytes.  Each is refused with its name in
 * vq->error, the queue is broken (nothing more is read or posted) and
 * no out-of-bounds access happens: the chain is freed from the driver's
 * own copy of it, never from the descriptor table.  virtio_config*()
 * read the config space (in CPU order); a device driver checks the values
 * it uses.  Ring fields are little-endian: virtio16/32/64() convert.
 */
#ifndef VMUNIT_VIRTIO_H
#define VMUNIT_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED	34

#define VIRTIO_STATUS_ACK	1
#define VIRTIO_STATUS_DRIVER	2
#define VIRTIO_STATUS_DRIVER_OK	4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED	128

#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLOCK	2
#define VIRTIO_ID_RNG	4

#define VIRTQ_MAX_SIZE	256	/* what the driver uses at most */

/* virtio 1.x rings and config are little-endian, whatever the CPU. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define virtio16(x) __builtin_bswap16(x)
#define virtio32(x) __builtin_bswap32(x)
#define virtio64(x) __builtin_bswap64(x)
#else
#define virtio16(x) ((uint16_t)(x))
#define virtio32(x) ((uint32_t)(x))
#define virtio64(x) ((uint64_t)(x))
#endif

struct virtio_dev;

/* What a transport provides (virtio spec 4.x). */
struct virtio_transport {
	const char *name;
	uint64_t (*features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t f);
	uint8_t (*status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t s);	/* 0: reset */
	uint32_t (*config)(struct virtio_dev *d, unsigned int off, unsigned int size);
	/* The device's maximum size for queue i (0: no such queue). */
	unsigned int (*queue_max)(struct virtio_dev *d, unsigned int i);
	/* Queue i of num entries at these device addresses, enabled. */
	void (*queue_setup)(struct virtio_dev *d, unsigned int i, unsigned int num,
			    uint64_t desc, uint64_t driver, uint64_t device);
	void (*notify)(struct virtio_dev *d, unsigned int i);
	/* Device-visible memory (zeroed, 16-byte aligned), its address for the device. */
	void *(*dma_alloc)(size_t size);
	void (*dma_free)(void *p);
	uint64_t (*dma_addr)(const void *p);
	bool dma_bounce;	/* the platform needs bounce buffers always */
};

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

struct virtq_used_elem {
	uint32_t id, len;
};

/* A packed ring's descriptor (virtio 1.1, 2.8). */
struct virtq_pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id, flags;
};
#define VIRTQ_PDESC_F_AVAIL	(1u << 7)
#define VIRTQ_PDESC_F_USED	(1u << 15)

struct virtq {
	struct virtio_dev *dev;
	unsigned int index, num;
	bool packed;				/* RING_PACKED: pdesc, the event areas */
	struct virtq_desc *desc;
	volatile struct virtq_pdesc *pdesc;	/* the same memory, packed */
	volatile uint16_t *avail;		/* flags, idx, ring[num]; packed: driver event */
	volatile struct virtq_used {
		uint16_t flags, idx;
		struct virtq_used_elem ring[];
	} *used;				/* packed: device event */
	uint16_t avail_idx, last_used;		/* packed: ring positions */
	bool avail_wrap, used_wrap;		/* packed: the wrap counters */
	/*
	 * The driver's own record of each chain, by head (packed: by buffer
	 * id; next[] is then the list of free ids).
	 */
	uint16_t free_head, nfree;
	uint16_t next[VIRTQ_MAX_SIZE];
	struct chain {
		void *token;			/* NULL: not outstanding */
		uint16_t ndesc;			/* in the ring: 1 when indirect */
		uint32_t in_bytes;
		struct virtq_desc *table;	/* its indirect table, or NULL */
		/* Bounced: each buffer's bounce copy, and the caller's in buffers. */
		struct bounce { void *mine, *theirs; uint32_t len; bool in; } bounce[4];
		unsigned int nbounce;
	} chain[VIRTQ_MAX_SIZE];
	const char *error;			/* why it is broken, or NULL */
	char why[120];
};

struct virtio_sg {
	void *p;
	uint32_t len;
};

struct virtio_dev {
	const struct virtio_transport *t;
	void *priv;			/* the transport's */
	uint32_t device_id;
	uint64_t features;		/* negotiated */
	bool bounce;			/* buffers go through bounce copies */
	const char *error;		/* why virtio_init() failed, or NULL */
	char why[120];
};

/*
 * Reset, negotiate (want: device-type feature bits, below 24), set up
 * queues 0..nq-1 into vqs with at most qsize entries each, DRIVER_OK.
 * false with d->error when the device cannot be driven.
 */
bool virtio_init(struct virtio_dev *d, uint64_t want, struct virtq *vqs, unsigned int nq,
		 unsigned int qsize);
/*
 * virtio_init() in two steps, for a driver that reads the config space
 * (a queue count) between them: reset and negotiate up to FEATURES_OK;
 * then the queues and DRIVER_OK.
 */
bool virtio_negotiate(struct virtio_dev *d, uint64_t want);
bool virtio_start(struct virtio_dev *d, struct virtq *vqs, unsigned int nq, unsigned int qsize);
void virtio_reset(struct virtio_dev *d);
bool virtio_has(const struct virtio_dev *d, unsigned int feature);
uint32_t virtio_config(struct virtio_dev *d, unsigned int off, unsigned int size);
uint64_t virtio_config64(struct virtio_dev *d, unsigned int off);

/* Post out then in buffers as one chain (at most 4 buffers when bounced); false when full or broken. */
bool virtq_add(struct virtq *vq, const struct virtio_sg *out, unsigned int nout,
	       const struct virtio_sg *in, unsigned int nin, void *token);
void virtq_kick(struct virtq *vq);
/* With EVENT_IDX: the avail index the device last said it wants a kick at. */
uint16_t virtq_avail_event(const struct virtq *vq);
/* A completed chain's token and used length, or NULL (none yet, or broken). */
void *virtq_get(struct virtq *vq, uint32_t *len);
/* virtq_get() polled for up to timeout_us; NULL on timeout or breakage. */
void *virtq_wait(struct virtq *vq, uint32_t *len, uint64_t timeout_us);

/* DMA for transports on identity-mapped RAM (free() frees it). */
void *virtio_ram_alloc(size_t size);
uint64_t virtio_ram_addr(const void *p);

#endif
