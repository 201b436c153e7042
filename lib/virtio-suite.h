/*
 * The virtio tests, one body for every transport; each arch's test file
 * names its transport's find function (virtio-mmio.h: virtio_mmio_find):
 * - rng: entropy arrives in every request of a few rounds of the ring,
 *   the used length is at most the buffer and no byte past it changed;
 * - blk (on the runner's scratch disk): a pattern written and read back,
 *   FLUSH when offered, a write past the capacity refused with IOERR;
 *   with VIRTIO_BLK_F_MQ[12], a write on queue 1 read back on queue 0;
 * - access-platform: with ACCESS_PLATFORM[33] (QEMU iommu_platform=on)
 *   the device writes a bounce buffer: the caller's buffer is untouched
 *   until the driver copies the data over (SKIP when not offered);
 * - forged: playing the device, after a request completed, the test
 *   rewrites the used ring with an id out of range, an id not outstanding,
 *   a length over the buffer, a used index moved by more than the ring
 *   (packed rings: a used descriptor with the last lap's wrap bits, not
 *   taken);
 *   and a blk config value out of range: each is refused with its name
 *   and the queue (or device) is broken; after a reset the honest path
 *   works again;
 * - migration (lib/migrate.h; the same checks unmigrated): both blk
 *   queues past a wrap, then on queue 0 a read posted and not kicked, on
 *   queue 1 (MQ) a write kicked; after the migration the write completes,
 *   the read, kicked now, returns what was written before it, queue 0
 *   reads queue 1's write back, and each ring goes on past another wrap.
 */
#ifndef VMUNIT_VIRTIO_SUITE_H
#define VMUNIT_VIRTIO_SUITE_H

#include "virtio.h"

typedef bool (*virtio_find_t)(struct virtio_dev *d, uint32_t device_id, unsigned int index);

void virtio_suite(virtio_find_t find);

#endif
