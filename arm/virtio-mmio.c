/*
 * virtio-mmio: the virtio suite (lib/virtio-suite.h) over the virtio-mmio
 * transport on QEMU virt, its windows from the device tree's "virtio,mmio"
 * nodes; the cfg entry adds virtio-rng and virtio-blk (on the runner's
 * scratch disk) with -global virtio-mmio.force-legacy=false.
 */
#include "vmunit.h"
#include "virtio-mmio.h"
#include "virtio-suite.h"

int main(int argc, char **argv)
{
	virtio_suite(virtio_mmio_find);
	return 0;
}
