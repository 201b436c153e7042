/* The virtio driver core (lib/virtio.h). */
#include "alloc.h"
#include "clock.h"
#include "printf.h"
#include "string.h"
#include "virtio.h"

#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

void *virtio_ram_alloc(size_t size)
{
	void *p = memalign(4096, size);

	if (p)
		memset(p, 0, size);
	return p;
}

uint64_t virtio_ram_addr(const void *p)
{
	return (uintptr_t)p;
}

static bool fail(struct virtio_dev *d, const char *fmt, unsigned long a, unsigned long b)
{
	snprintf(d->why, sizeof(d->why), fmt, a, b);
	d->error = d->why;
	d->t->set_status(d, d->t->status(d) | VIRTIO_STATUS_FAILED);
	return false;
}

bool virtio_has(const struct virtio_dev *d, unsigned int feature)
{
	return d->features >> feature & 1;
}

uint32_t virtio_config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	return d->t->config(d, off, size);
}

uint64_t virtio_config64(struct virtio_dev *d, unsigned int off)
{
	return virtio_config(d, off, 4) | (uint64_t)virtio_config(d, off + 4, 4) << 32;
}

void virtio_reset(struct virtio_dev *d)
{
	d->t->set_status(d, 0);
	poll_until(d->t->status(d) == 0, 1000000);
}

static bool queue_init(struct virtio_dev *d, struct virtq *vq, unsigned int i, unsigned int max)
{
	unsigned int dev_max = d->t->queue_max(d, i), num = 1;

	if (!dev_max)
		return fail(d, "queue %lu: the device has none (maximum size 0)", i, 0);
	while (num * 2 <= dev_max && num * 2 <= max)
		num *= 2;
	if (vq->dev == d && vq->desc) {	/* this queue's rings from the last init */
		d->t->dma_free(vq->desc);
		d->t->dma_free((void *)vq->avail);
		d->t->dma_free((void *)vq->used);
	}
	*vq = (struct virtq){ .dev = d, .index = i, .num = num, .nfree = num,
			      .packed = virtio_has(d, VIRTIO_F_RING_PACKED),
			      .avail_wrap = true, .used_wrap = true };
	vq->desc = d->t->dma_alloc(16 * num);
	vq->pdesc = (volatile struct virtq_pdesc *)vq->desc;
	vq->avail = d->t->dma_alloc(6 + 2 * num);
	vq->used = d->t->dma_alloc(6 + 8 * num);
	if (!vq->desc || !vq->avail || !vq->used)
		return fail(d, "queue %lu: no device memory for %lu entries", i, num);
	for (unsigned int k = 0; k < num; k++)
		vq->next[k] = k + 1;
	d->t->queue_setup(d, i, num, d->t->dma_addr(vq->desc), d->t->dma_addr((void *)vq->avail),
			  d->t->dma_addr((void *)vq->used));
	return true;
}

bool virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	uint64_t offered;

	d->error = NULL;
	virtio_reset(d);
	if (d->t->status(d))
		return fail(d, "the device did not reset (status %#lx)", d->t->status(d), 0);
	d->t->set_status(d, VIRTIO_STATUS_ACK);
	d->t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	offered = d->t->features(d);
	if (!(offered >> VIRTIO_F_VERSION_1 & 1))
		return fail(d, "a legacy device: no VERSION_1[32] (features %#lx)", offered, 0);
	d->features = offered & (want | 1ull << VIRTIO_F_VERSION_1 |
				 1ull << VIRTIO_F_ACCESS_PLATFORM | 1ull << VIRTIO_F_INDIRECT_DESC |
				 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_RING_PACKED);
	d->bounce = d->t->dma_bounce || virtio_has(d, VIRTIO_F_ACCESS_PLATFORM);
	d->t->set_features(d, d->features);
	d->t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(d->t->status(d) & VIRTIO_STATUS_FEATURES_OK))
		return fail(d, "FEATURES_OK did not stick (features %#lx)", d->features, 0);
	return true;
}

bool virtio_start(struct virtio_dev *d, struct virtq *vqs, unsigned int nq, unsigned int qsize)
{
	for (unsigned int i = 0; i < nq; i++)
		if (!queue_init(d, &vqs[i], i, qsize < VIRTQ_MAX_SIZE ? qsize : VIRTQ_MAX_SIZE))
			return false;
	d->t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	return true;
}

bool virtio_init(struct virtio_dev *d, uint64_t want, struct virtq *vqs, unsigned int nq,
		 unsigned int qsize)
{
	return virtio_negotiate(d, want) && virtio_start(d, vqs, nq, qsize);
}

/* ---- virtqueues ---- */

static void *broken(struct virtq *vq, const char *fmt, unsigned long a, unsigned long b)
{
	snprintf(vq->why, sizeof(vq->why), fmt, a, b);
	vq->error = vq->why;
	return NULL;
}

/* The buffer the device is given for sg: its own, or a bounce copy. */
static uint64_t device_buffer(struct virtq *vq, struct chain *c, const struct virtio_sg *sg,
			      bool in)
{
	const struct virtio_transport *t = vq->dev->t;
	struct bounce *b;

	if (!vq->dev->bounce)
		return t->dma_addr(sg->p);
	b = &c->bounce[c->nbounce++];
	*b = (struct bounce){ t->dma_alloc(sg->len), sg->p, sg->len, in };
	if (!in)
		memcpy(b->mine, sg->p, sg->len);
	return t->dma_addr(b->mine);
}

/* The n buffers as descriptors at table[at[k]], linked through at[]. */
static void fill(struct virtq *vq, struct chain *c, struct virtq_desc *table, const uint16_t *at,
		 const struct virtio_sg *out, unsigned int nout, const struct virtio_sg *in,
		 unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		bool w = k >= nout;
		const struct virtio_sg *sg = w ? &in[k - nout] : &out[k];

		table[at[k]] = (struct virtq_desc){
			.addr = virtio64(device_buffer(vq, c, sg, w)), .len = virtio32(sg->len),
			.flags = virtio16((w ? VIRTQ_DESC_F_WRITE : 0) |
					  (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = virtio16(k + 1 < n ? at[k + 1] : 0),
		};
		c->in_bytes += w ? sg->len : 0;
	}
}

/*
 * Packed: the chain in consecutive descriptors from avail_idx under a free
 * buffer id, the head's flags written last so the device sees it whole.
 */
static bool packed_add(struct virtq *vq, const struct virtio_sg *out, unsigned int nout,
		       const struct virtio_sg *in, unsigned int n, void *token)
{
	unsigned int id = vq->free_head, pos = vq->avail_idx;
	struct chain *c = &vq->chain[id];
	bool wrap = vq->avail_wrap;
	uint16_t head_flags = 0;

	*c = (struct chain){ .token = token, .ndesc = n };
	for (unsigned int k = 0; k < n; k++) {
		bool w = k >= nout;
		const struct virtio_sg *sg = w ? &in[k - nout] : &out[k];
		uint16_t flags = (w ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
				 (wrap ? VIRTQ_PDESC_F_AVAIL : VIRTQ_PDESC_F_USED);

		vq->pdesc[pos].addr = virtio64(device_buffer(vq, c, sg, w));
		vq->pdesc[pos].len = virtio32(sg->len);
		vq->pdesc[pos].id = virtio16(id);
		if (k)
			vq->pdesc[pos].flags = virtio16(flags);
		else
			head_flags = flags;
		c->in_bytes += w ? sg->len : 0;
		if (++pos == vq->num) {
			pos = 0;
			wrap = !wrap;
		}
	}
	mb();
	vq->pdesc[vq->avail_idx].flags = virtio16(head_flags);
	vq->avail_idx = pos;
	vq->avail_wrap = wrap;
	vq->free_head = vq->next[id];
	vq->nfree -= n;
	return true;
}

bool virtq_add(struct virtq *vq, const struct virtio_sg *out, unsigned int nout,
	       const struct virtio_sg *in, unsigned int nin, void *token)
{
	const struct virtio_transport *t = vq->dev->t;
	unsigned int n = nout + nin, head = vq->free_head, d = head;
	struct chain *c = &vq->chain[head];
	bool indirect = n > 1 && !vq->packed && virtio_has(vq->dev, VIRTIO_F_INDIRECT_DESC);
	uint16_t at[VIRTQ_MAX_SIZE];

	if (vq->error || !n || n > VIRTQ_MAX_SIZE || !token || (indirect ? 1 : n) > vq->nfree ||
	    (vq->dev->bounce && n > sizeof(c->bounce) / sizeof(c->bounce[0])))
		return false;
	if (vq->packed)
		return packed_add(vq, out, nout, in, n, token);
	*c = (struct chain){ .token = token, .ndesc = n };
	if (indirect && (c->table = t->dma_alloc(16 * n))) {
		for (unsigned int k = 0; k < n; k++)
			at[k] = k;
		fill(vq, c, c->table, at, out, nout, in, n);
		c->ndesc = 1;
		vq->desc[head] = (struct virtq_desc){
			.addr = virtio64(t->dma_addr(c->table)), .len = virtio32(16 * n),
			.flags = virtio16(VIRTQ_DESC_F_INDIRECT),
		};
		d = vq->next[head];
	} else if (n <= vq->nfree) {
		for (unsigned int k = 0; k < n; k++, d = vq->next[d])
			at[k] = d;
		fill(vq, c, vq->desc, at, out, nout, in, n);
	} else {	/* no memory for the table, and too few descriptors */
		c->token = NULL;
		return false;
	}
	vq->free_head = d;
	vq->nfree -= c->ndesc;
	vq->avail[2 + vq->avail_idx % vq->num] = virtio16(head);
	mb();
	vq->avail[1] = virtio16(++vq->avail_idx);
	return true;
}

uint16_t virtq_avail_event(const struct virtq *vq)
{
	return virtio16(*(volatile uint16_t *)&vq->used->ring[vq->num]);
}

void virtq_kick(struct virtq *vq)
{
	mb();
	vq->dev->t->notify(vq->dev, vq->index);
}

/* The chain at head back on the free list, by the driver's own links. */
static void release(struct virtq *vq, unsigned int head, uint32_t len)
{
	struct chain *c = &vq->chain[head];
	unsigned int last = head;

	for (unsigned int k = 0; k < c->nbounce; k++) {
		struct bounce *b = &c->bounce[k];

		if (b->in)	/* only what the device says it wrote */
			memcpy(b->theirs, b->mine, len < b->len ? len : b->len);
		len -= b->in ? (len < b->len ? len : b->len) : 0;
		vq->dev->t->dma_free(b->mine);
	}
	if (c->table)
		vq->dev->t->dma_free(c->table);
	for (unsigned int k = 1; k < c->ndesc && !vq->packed; k++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;	/* packed: the id back on the free list */
	vq->free_head = head;
	vq->nfree += c->ndesc;
	c->token = NULL;
}

/* The id and length of a used element, validated; its token (NULL: refused). */
static void *take(struct virtq *vq, uint32_t id, uint32_t elen, uint32_t *len)
{
	void *token;

	if (id >= vq->num)
		return broken(vq, "used id %lu out of range (ring of %lu)", id, vq->num);
	if (!vq->chain[id].token)
		return broken(vq, "used id %lu is not outstanding", id, 0);
	if (elen > vq->chain[id].in_bytes)
		return broken(vq, "used length %lu over the chain's %lu writable bytes", elen,
			      vq->chain[id].in_bytes);
	token = vq->chain[id].token;
	release(vq, id, elen);
	*len = elen;
	return token;
}

/* Packed: the descriptor at last_used, once its AVAIL and USED bits both say used. */
static void *packed_get(struct virtq *vq, uint32_t *len)
{
	uint16_t flags = virtio16(vq->pdesc[vq->last_used].flags), id;
	bool avail = flags & VIRTQ_PDESC_F_AVAIL, used = flags & VIRTQ_PDESC_F_USED;
	void *token;
	unsigned int skip;

	if (avail != used || used != vq->used_wrap)
		return NULL;
	mb();
	id = virtio16(vq->pdesc[vq->last_used].id);
	skip = id < vq->num ? vq->chain[id].ndesc : 0;
	token = take(vq, id, virtio32(vq->pdesc[vq->last_used].len), len);
	if (!token)
		return NULL;
	vq->last_used += skip;
	if (vq->last_used >= vq->num) {
		vq->last_used -= vq->num;
		vq->used_wrap = !vq->used_wrap;
	}
	return token;
}

void *virtq_get(struct virtq *vq, uint32_t *len)
{
	uint16_t used_idx, moved;
	struct virtq_used_elem e;
	void *token;

	if (vq->error)
		return NULL;
	if (vq->packed)
		return packed_get(vq, len);
	used_idx = virtio16(vq->used->idx);
	moved = used_idx - vq->last_used;
	if (!moved)
		return NULL;
	if (moved > vq->num)
		return broken(vq, "used index moved by %lu, more than the ring's %lu entries",
			      moved, vq->num);
	mb();
	e = vq->used->ring[vq->last_used % vq->num];
	token = take(vq, virtio32(e.id), virtio32(e.len), len);
	vq->last_used += token != NULL;
	return token;
}

void *virtq_wait(struct virtq *vq, uint32_t *len, uint64_t timeout_us)
{
	void *token = NULL;

	poll_until((token = virtq_get(vq, len)) || vq->error, timeout_us);
	return token;
}
