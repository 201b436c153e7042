/*
 * virtio-ccw: the virtio suite (lib/virtio-suite.h) over the virtio-ccw
 * transport (lib/s390x/virtio-ccw.h), then what is the transport's own:
 * - indicators: with classic indicators (SET_IND), a completed request
 *   sets queue 0's bit in the indicator word; with adapter indicators
 *   (SET_IND_ADAPTER, bit 5 of a byte array) it sets that bit and the
 *   summary byte;
 * - pv: a protected-virtualization guest (STFLE facility 158, ultravisor
 *   call) must bounce every buffer through shared memory: the suite's rng
 *   again with the bounce path forced; SKIP naming facility 158 elsewhere
 *   (TCG has none); written for a KVM PV host, not run here.
 * The cfg entry adds virtio-rng-ccw and virtio-blk-ccw (on the runner's
 * scratch disk).  With the argument "bounce" every buffer goes through a
 * bounce buffer of the 31-bit pool, as a PV guest's must, for the suite.
 */
#include "vmunit.h"
#include "clock.h"
#include "dma31.h"
#include "facility.h"
#include "string.h"
#include "virtio-ccw.h"
#include "virtio-suite.h"

static struct virtio_dev dev;
static struct virtq vq;

static void test_indicators(const void *arg)
{
	uint64_t *ind = dma31_alloc(8, 8);
	uint8_t *buf = dma31_alloc(64, 16);
	uint32_t len;
	bool ok;

	require(virtio_ccw_find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	ok = virtio_init(&dev, 0, &vq, 1, 16);
	if (!report(ok, "init (revision %u; %s)", virtio_ccw_revision(&dev),
		    dev.error ? dev.error : "ok"))
		return;
	ok = virtio_ccw_set_indicators(&dev, ind);
	report(ok, "SET_IND with an indicator word in the 31-bit pool is taken");
	ok = virtq_add(&vq, NULL, 0, &(struct virtio_sg){ buf, 64 }, 1, buf);
	virtq_kick(&vq);
	ok = ok && virtq_wait(&vq, &len, 5000000) == buf;
	report(ok && poll_until(*ind & 1, 1000000),
	       "a completed request sets queue 0's indicator bit (%#lx)", *ind);
	virtio_reset(&dev);
	dma31_free(ind);
	dma31_free(buf);
}

static void test_adapter_indicators(const void *arg)
{
	uint8_t *summary = dma31_alloc(1, 8), *ind = dma31_alloc(8, 8);
	uint8_t *buf = dma31_alloc(64, 16);
	uint32_t len;
	bool ok;

	require(virtio_ccw_find(&dev, VIRTIO_ID_RNG, 0), "%s", dev.error);
	ok = virtio_init(&dev, 0, &vq, 1, 16);
	if (!report(ok, "init (%s)", dev.error ? dev.error : "ok"))
		return;
	if (!virtio_ccw_set_adapter_indicators(&dev, summary, ind, 5, 3)) {
		/* the spec lets a device without adapter interruptions refuse it */
		report_skip("adapter indicators: SET_IND_ADAPTER refused (no adapter interruptions)");
		virtio_reset(&dev);
		return;
	}
	ok = virtq_add(&vq, NULL, 0, &(struct virtio_sg){ buf, 64 }, 1, buf);
	virtq_kick(&vq);
	ok = ok && virtq_wait(&vq, &len, 5000000) == buf;
	ok = ok && poll_until(ind[0] & 0x80 >> 5, 1000000);
	report(ok && *summary && !(ind[0] & ~(0x80 >> 5)),
	       "a completed request sets bit 5 alone and the summary byte (%#x, %#x)", ind[0],
	       *summary);
	virtio_reset(&dev);
	dma31_free(summary);
	dma31_free(ind);
	dma31_free(buf);
}

static void test_pv(const void *arg)
{
	require(test_facility(FAC_UV_CALL), "%s: not a protected-virtualization guest",
		facility_gate(FAC_UV_CALL));
	virtio_ccw_force_bounce(true);
	virtio_suite(virtio_ccw_find);
}

int main(int argc, char **argv)
{
	bool bounce = argc > 1 && !strcmp(argv[1], "bounce");

	virtio_ccw_force_bounce(bounce);
	report_info("virtio-ccw, bounce buffers %s", bounce ? "forced" : "as ACCESS_PLATFORM says");
	virtio_suite(virtio_ccw_find);
	subtest("indicators", test_indicators, NULL);
	subtest("adapter indicators", test_adapter_indicators, NULL);
	subtest("pv", test_pv, NULL);
	return 0;
}
