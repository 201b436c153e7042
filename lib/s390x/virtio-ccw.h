/*
 * The virtio-ccw transport (virtio spec 4.3): a virtio device is a
 * subchannel whose SENSE ID says control-unit type 0x3832, model = the
 * virtio device ID; each transport operation is one channel command
 * (READ_FEAT, WRITE_FEAT, READ_CONF, WRITE_STATUS, READ_STATUS,
 * READ_VQ_CONF, SET_VQ, VDEV_RESET) after SET_VIRTIO_REV (revision 2, else
 * 1; a device that takes neither is legacy and refused, named); queues
 * are notified with DIAGNOSE 0x500 subcode 3.  Control blocks, rings and
 * (bounce) buffers come from the 31-bit pool (dma31.h); with force_bounce
 * every buffer is bounced, the protected-virtualization model.
 */
#ifndef VMUNIT_S390X_VIRTIO_CCW_H
#define VMUNIT_S390X_VIRTIO_CCW_H

#include "virtio.h"

bool virtio_ccw_find(struct virtio_dev *d, uint32_t device_id, unsigned int index);
void virtio_ccw_force_bounce(bool on);
/*
 * SET_IND: classic queue indicators at ind (in the 31-bit pool), bit 1 << i
 * set by the device when queue i has used buffers; before DRIVER_OK.
 */
bool virtio_ccw_set_indicators(struct virtio_dev *d, uint64_t *ind);
/*
 * SET_IND_ADAPTER: adapter (thin) indicators: the device sets bit + i of
 * the indicator bytes at ind (bit 0 the leftmost) for queue i, and the
 * summary byte, with an adapter interruption of class isc; both in the
 * 31-bit pool; before DRIVER_OK.
 */
bool virtio_ccw_set_adapter_indicators(struct virtio_dev *d, uint8_t *summary, uint8_t *ind,
				       unsigned int bit, unsigned int isc);
/* The revision SET_VIRTIO_REV settled on for d (1 or 2). */
unsigned int virtio_ccw_revision(const struct virtio_dev *d);

#endif
