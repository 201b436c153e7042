/* The virtio tests (lib/virtio-suite.h). */
#include "alloc.h"
#include "clock.h"
#include "migrate.h"
#include "report.h"
#include "string.h"
#include "virtio-blk.h"
#include "virtio-suite.h"

#define RNG_LEN		64
#define PATTERN		0xa5
#define TIMEOUT_US	5000000
#define SECTORS		8

static virtio_find_t find;
static struct virtio_dev dev;
static struct virtq vq;
static struct virtio_blk blk;	/* (a virtq is too big for a stack) */
static uint8_t *rng_buf;	/* RNG_LEN posted, RNG_LEN more as a guard */

static bool all(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* One RNG_LEN request posted and kicked. */
static bool rng_post(void)
{
	struct virtio_sg in = { rng_buf, RNG_LEN };

	memset(rng_buf, PATTERN, 2 * RNG_LEN);
	if (!virtq_add(&vq, NULL, 0, &in, 1, rng_buf))
		return false;
	virtq_kick(&vq);
	return true;
}

/* The rng device (found by the subtest) reset and driven afresh. */
static bool rng_open(void)
{
	if (!rng_buf)
		rng_buf = malloc(2 * RNG_LEN);
	return virtio_init(&dev, 0, &vq, 1, 16);
}

static void test_rng(const void *arg)
{
	unsigned int rounds, bad_len = 0, no_data = 0, lost = 0, n;
	uint32_t len = 0;
	bool ok;

	require(find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	ok = rng_open();

	if (!report(ok, "init: VERSION_1 negotiated, FEATURES_OK, a queue (%u entries; %s)", vq.num,
		    dev.error ? dev.error : "ok"))
		return;
	report_info("rng features %#lx: ACCESS_PLATFORM %u, INDIRECT_DESC %u, EVENT_IDX %u, RING_PACKED %u",
		    dev.features, virtio_has(&dev, VIRTIO_F_ACCESS_PLATFORM),
		    virtio_has(&dev, VIRTIO_F_INDIRECT_DESC), virtio_has(&dev, VIRTIO_F_EVENT_IDX),
		    virtio_has(&dev, VIRTIO_F_RING_PACKED));
	rounds = 2 * vq.num + 3;	/* the ring wraps twice */
	for (n = 0; n < rounds && !vq.error; n++) {
		if (!rng_post() || virtq_wait(&vq, &len, TIMEOUT_US) != rng_buf) {
			lost++;
			break;
		}
		bad_len += !len || len > RNG_LEN || !all(rng_buf + RNG_LEN, PATTERN, RNG_LEN);
		no_data += all(rng_buf, PATTERN, len);
	}
	report(!lost && n == rounds, "%u requests, each answered (%u; %s)", rounds, n,
	       vq.error ? vq.error : "no ring error");
	report(!bad_len, "every used length is 1..%u and nothing past it changed (%u bad)", RNG_LEN,
	       bad_len);
	report(!no_data, "entropy arrives in each (%u unchanged)", no_data);
	if (virtio_has(&dev, VIRTIO_F_EVENT_IDX) && vq.packed)
		report_info("EVENT_IDX on a packed ring: its event areas are not checked");
	else if (virtio_has(&dev, VIRTIO_F_EVENT_IDX))
		report(virtq_avail_event(&vq) == vq.avail_idx,
		       "EVENT_IDX: the device's avail_event is the avail index it has taken (%u, %u)",
		       virtq_avail_event(&vq), vq.avail_idx);
	else
		report_skip("EVENT_IDX: EVENT_IDX[29] not offered");
}

/*
 * Queue 1 (MQ): its own notify address (virtio-pci: queue_notify_off x
 * notify_off_multiplier), its own rings; what it writes, queue 0 reads.
 */
static void second_queue(uint8_t *w, uint8_t *r)
{
	int wst, rst;

	if (blk.nq < 2) {
		report_skip("queue 1: VIRTIO_BLK_F_MQ[12] not offered (QEMU num-queues=2)");
		return;
	}
	for (unsigned int i = 0; i < SECTORS * 512; i++)
		w[i] = (uint8_t)(i * 13 + 1);
	memset(r, 0, SECTORS * 512);
	wst = virtio_blk_rw(&blk, 1, VIRTIO_BLK_T_OUT, SECTORS, w, SECTORS * 512);
	rst = virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_IN, SECTORS, r, SECTORS * 512);
	report(wst == VIRTIO_BLK_S_OK && rst == VIRTIO_BLK_S_OK && !memcmp(w, r, SECTORS * 512),
	       "queue 1 (of %u): a write there completes, queue 0 reads it back (%d, %d%s%s)",
	       blk.queues, wst, rst, blk.vq[1].error ? "; " : "",
	       blk.vq[1].error ? blk.vq[1].error : "");
}

static void test_blk(const void *arg)
{
	uint8_t *w = malloc(SECTORS * 512), *r = malloc(SECTORS * 512);
	bool ok;
	int st;

	require(find(&dev, VIRTIO_ID_BLOCK, 0), "%s", dev.error);
	ok = virtio_blk_init(&blk, &dev);
	if (!report(ok, "init, capacity and blk_size in range (%lu sectors; %s)", blk.capacity,
		    dev.error ? dev.error : "ok"))
		return;
	report_info("blk features %#lx: requests %s", dev.features,
		    virtio_has(&dev, VIRTIO_F_INDIRECT_DESC) && !blk.vq[0].packed ?
		    "through indirect tables" : "as descriptor chains");
	for (unsigned int i = 0; i < SECTORS * 512; i++)
		w[i] = (uint8_t)(i * 7 + i / 512);
	memset(r, 0, SECTORS * 512);
	st = virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_OUT, 0, w, SECTORS * 512);
	report(st == VIRTIO_BLK_S_OK, "write %u sectors: status OK (%d%s%s)", SECTORS, st,
	       blk.vq[0].error ? "; " : "", blk.vq[0].error ? blk.vq[0].error : "");
	st = virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_IN, 0, r, SECTORS * 512);
	report(st == VIRTIO_BLK_S_OK && !memcmp(w, r, SECTORS * 512),
	       "read them back: status OK, the same bytes (%d)", st);
	if (virtio_has(&dev, VIRTIO_BLK_F_FLUSH)) {
		st = virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
		report(st == VIRTIO_BLK_S_OK, "FLUSH: status OK (%d)", st);
	} else {
		report_skip("FLUSH: VIRTIO_BLK_F_FLUSH[9] not offered");
	}
	st = virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_OUT, blk.capacity, w, 512);
	report(st == VIRTIO_BLK_S_IOERR, "a write past the capacity: status IOERR (%d)", st);
	second_queue(w, r);
	virtio_reset(&dev);
	free(w);
	free(r);
}

static void test_access_platform(const void *arg)
{
	uint16_t before;
	uint32_t len = 0;
	bool untouched, arrived, ok;

	require(find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	ok = rng_open();
	if (!report(ok, "init (%s)", dev.error ? dev.error : "ok"))
		return;
	require(virtio_has(&dev, VIRTIO_F_ACCESS_PLATFORM),
		"ACCESS_PLATFORM[33] not offered (QEMU iommu_platform=on)");
	before = virtio16(vq.used->idx);
	if (!rng_post()) {	/* the driver's own step: a precondition, not a check */
		report_fail("the request could not be posted (%s)",
			    vq.error ? vq.error : "ring full");
		return;
	}
	poll_until(virtio16(vq.used->idx) != before, TIMEOUT_US);
	untouched = all(rng_buf, PATTERN, RNG_LEN);
	arrived = virtq_get(&vq, &len) == rng_buf && !all(rng_buf, PATTERN, len);
	report(virtio16(vq.used->idx) != before && untouched,
	       "the device answered without writing the caller's buffer (used %u)",
	       (unsigned int)virtio16(vq.used->idx));
	report(arrived, "the data arrives there from the bounce copy (%u bytes)", len);
	virtio_reset(&dev);
}

/*
 * Playing the device: the used element at the driver's next position
 * (split: used ring slot; packed: descriptor), rewritten.
 */
struct used_at {
	uint32_t id, len;
};

static bool packed_used(uint16_t flags)
{
	bool a = flags & VIRTQ_PDESC_F_AVAIL, u = flags & VIRTQ_PDESC_F_USED;

	return a == u && u == vq.used_wrap;
}

/* A request posted and completed by the device, not yet taken by the driver. */
static bool completed(void)
{
	uint16_t slot = vq.last_used;

	if (!rng_post())
		return false;
	if (vq.packed)
		return poll_until(packed_used(virtio16(vq.pdesc[slot].flags)), TIMEOUT_US);
	return poll_until((uint16_t)(virtio16(vq.used->idx) - slot) >= 1, TIMEOUT_US);
}

static struct used_at used_get(void)
{
	if (vq.packed)
		return (struct used_at){ virtio16(vq.pdesc[vq.last_used].id),
					 virtio32(vq.pdesc[vq.last_used].len) };
	return (struct used_at){ virtio32(vq.used->ring[vq.last_used % vq.num].id),
				 virtio32(vq.used->ring[vq.last_used % vq.num].len) };
}

/* The element at the next position says u; publish marks it used (split: idx + 1). */
static void used_set(struct used_at u, bool publish)
{
	if (vq.packed) {
		vq.pdesc[vq.last_used].id = virtio16(u.id);
		vq.pdesc[vq.last_used].len = virtio32(u.len);
		if (publish)
			vq.pdesc[vq.last_used].flags = virtio16(vq.used_wrap ?
				VIRTQ_PDESC_F_AVAIL | VIRTQ_PDESC_F_USED : 0);
		return;
	}
	vq.used->ring[vq.last_used % vq.num] = (struct virtq_used_elem){ virtio32(u.id),
									   virtio32(u.len) };
	if (publish)
		vq.used->idx = virtio16(vq.last_used + 1);
}

enum forgery { ID_RANGE, ID_STALE, LENGTH, INDEX, FORGERIES };

static const char *const forgery_names[FORGERIES] = {
	"a used id out of range", "a used id not outstanding", "a used length over the buffer",
	"a used index moved by more than the ring",
};
/* What each refusal must say. */
static const char *const forgery_errors[FORGERIES] = {
	"out of range", "not outstanding", "over the chain", "more than the ring",
};

/*
 * A packed ring has no used index: its fourth forgery is a used
 * descriptor with the last lap's wrap bits, which must not be taken.
 */
static void forge_wrap(void)
{
	uint32_t len;
	bool taken;

	virtq_get(&vq, &len);
	used_set((struct used_at){ 0, 1 }, false);
	vq.pdesc[vq.last_used].flags = virtio16(vq.used_wrap ? 0 :
						VIRTQ_PDESC_F_AVAIL | VIRTQ_PDESC_F_USED);
	taken = virtq_get(&vq, &len) != NULL;
	report(!taken && !vq.error, "a used descriptor with the last lap's wrap bits: not taken (%s)",
	       vq.error ? vq.error : taken ? "taken" : "nothing");
}

static void forge(enum forgery f)
{
	struct used_at u;
	uint32_t len;
	bool refused;

	if (!rng_open() || !completed()) {
		report_fail("%s: the honest request completes (%s)", forgery_names[f],
			    dev.error ? dev.error : "no answer");
		return;
	}
	u = used_get();
	switch (f) {
	case ID_RANGE:	/* the first id past the ring: the boundary */
		used_set((struct used_at){ vq.num, u.len }, false);
		break;
	case ID_STALE:	/* take it honestly, then the device says it again */
		virtq_get(&vq, &len);
		used_set((struct used_at){ u.id, 1 }, true);
		break;
	case LENGTH:
		used_set((struct used_at){ u.id, RNG_LEN + 1 }, false);
		break;
	case INDEX:
		if (vq.packed) {
			forge_wrap();
			virtio_reset(&dev);
			return;
		}
		vq.used->idx = virtio16(vq.last_used + vq.num + 1);
		break;
	default:
		break;
	}
	refused = !virtq_get(&vq, &len) && vq.error && strstr(vq.error, forgery_errors[f]);
	report(refused && !virtq_add(&vq, NULL, 0, &(struct virtio_sg){ rng_buf, 1 }, 1, rng_buf),
	       "%s: refused, named, the queue broken (%s)", forgery_names[f],
	       vq.error ? vq.error : "accepted");
	virtio_reset(&dev);
}

/*
 * With bounce buffers: a device that fills a request short (played here:
 * its used length rewritten to half of what it wrote) gets only that much
 * copied back, and the rest of the caller's buffer stays as it was.
 */
static void test_bounce_short(const void *arg)
{
	uint32_t len = 0;
	bool taken;

	require(find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	if (!rng_open() || !completed()) {
		report_fail("the honest request completes (%s)", dev.error ? dev.error : "no answer");
		return;
	}
	if (!dev.bounce) {
		report_skip("no bounce buffers: ACCESS_PLATFORM[33] not offered (QEMU iommu_platform=on)");
		virtio_reset(&dev);
		return;
	}
	used_set((struct used_at){ used_get().id, RNG_LEN / 2 }, false);
	taken = virtq_get(&vq, &len) == rng_buf;
	report(taken && len == RNG_LEN / 2 && !all(rng_buf, PATTERN, len) &&
	       all(rng_buf + len, PATTERN, 2 * RNG_LEN - len),
	       "a short fill (used length %u of %u written): only that much copied back (%s)",
	       len, RNG_LEN, vq.error ? vq.error : taken ? "taken" : "not taken");
	virtio_reset(&dev);
}

/* The blk config as a device that lies about blk_size would give it. */
static const struct virtio_transport *real;

static uint32_t lying_config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	return off == 20 ? 1000 : real->config(d, off, size);
}

static void forge_config(void)
{
	struct virtio_transport lying;

	if (!find(&dev, VIRTIO_ID_BLOCK, 0)) {
		report_skip("a config value out of range: %s", dev.error);
		return;
	}
	real = dev.t;
	lying = *real;
	lying.config = lying_config;
	dev.t = &lying;
	if (!virtio_blk_init(&blk, &dev) && dev.error && !strncmp(dev.error, "config blk_size", 15))
		report_pass("a config value out of range (blk_size 1000): refused, named (%s)",
			    dev.error);
	else if (!virtio_has(&dev, VIRTIO_BLK_F_BLK_SIZE))
		report_skip("a config value out of range: VIRTIO_BLK_F_BLK_SIZE[6] not offered");
	else
		report_fail("a config value out of range (blk_size 1000): refused, named (%s)",
			    dev.error ? dev.error : "accepted");
	dev.t = real;
	virtio_reset(&dev);
}

static void test_forged(const void *arg)
{
	uint32_t len;
	bool ok;

	require(find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	for (enum forgery f = 0; f < FORGERIES; f++)
		forge(f);
	forge_config();
	require(find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	ok = rng_open() && rng_post() && virtq_wait(&vq, &len, TIMEOUT_US) == rng_buf;
	report(ok, "after a reset the honest path works again (%s)",
	       dev.error ? dev.error : vq.error ? vq.error : "ok");
	virtio_reset(&dev);
}

/* One request more than the ring's entries on queue q: it wraps; the requests that completed. */
static unsigned int lap(unsigned int q, uint8_t *buf)
{
	unsigned int n;

	for (n = 0; n < blk.vq[q].num + 1; n++)
		if (virtio_blk_rw(&blk, q, VIRTIO_BLK_T_IN, n % SECTORS, buf, 512) != VIRTIO_BLK_S_OK)
			break;
	return n;
}

static bool laps(uint8_t *buf)
{
	for (unsigned int q = 0; q < blk.nq; q++)
		if (lap(q, buf) != blk.vq[q].num + 1)
			return false;
	return true;
}

static void test_migration(const void *arg)
{
	static struct virtio_blk_req rd, wr;
	uint8_t *a = malloc(SECTORS * 512), *b = malloc(SECTORS * 512), *r = malloc(SECTORS * 512);
	int st;

	require(find(&dev, VIRTIO_ID_BLOCK, 0), "%s", dev.error);
	require(virtio_blk_init(&blk, &dev), "init: %s", dev.error);
	for (unsigned int i = 0; i < SECTORS * 512; i++) {
		a[i] = (uint8_t)(i * 5 + 3);
		b[i] = (uint8_t)(i * 11 + 7);
	}
	memset(r, 0, SECTORS * 512);
	require(virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_OUT, 0, a, SECTORS * 512) == VIRTIO_BLK_S_OK &&
		laps(r), "the rings before the migration (%s)", blk.vq[0].error ?: "a request failed");
	require(virtio_blk_post(&blk, 0, &rd, VIRTIO_BLK_T_IN, 0, r, SECTORS * 512),
		"queue 0: a read could not be posted");
	if (blk.nq > 1) {
		require(virtio_blk_post(&blk, 1, &wr, VIRTIO_BLK_T_OUT, SECTORS, b, SECTORS * 512),
			"queue 1: a write could not be posted");
		virtq_kick(&blk.vq[1]);
	}
	migrate();
	if (blk.nq > 1) {
		st = virtio_blk_wait(&blk, 1, &wr);
		report(st == VIRTIO_BLK_S_OK, "queue 1: the write kicked before completes (%d%s%s)",
		       st, blk.vq[1].error ? "; " : "", blk.vq[1].error ?: "");
	} else {
		report_skip("queue 1: VIRTIO_BLK_F_MQ[12] not offered (QEMU num-queues=2)");
	}
	virtq_kick(&blk.vq[0]);
	st = virtio_blk_wait(&blk, 0, &rd);
	report(st == VIRTIO_BLK_S_OK && !memcmp(r, a, SECTORS * 512),
	       "queue 0: the read posted before, kicked now, reads what was written (%d%s%s)", st,
	       blk.vq[0].error ? "; " : "", blk.vq[0].error ?: "");
	if (blk.nq > 1) {
		st = virtio_blk_rw(&blk, 0, VIRTIO_BLK_T_IN, SECTORS, r, SECTORS * 512);
		report(st == VIRTIO_BLK_S_OK && !memcmp(r, b, SECTORS * 512),
		       "queue 0 reads back queue 1's write (%d)", st);
	}
	report(laps(r), "each ring goes on for a lap (%u entries, %s ring)", blk.vq[0].num,
	       blk.vq[0].packed ? "packed" : "split");
	virtio_reset(&dev);
	free(a);
	free(b);
	free(r);
}

void virtio_suite(virtio_find_t f)
{
	find = f;
	subtest("rng", test_rng, NULL);
	subtest("blk", test_blk, NULL);
	subtest("access-platform", test_access_platform, NULL);
	subtest("bounce-short", test_bounce_short, NULL);
	subtest("forged", test_forged, NULL);
	subtest("migration", test_migration, NULL);
}
