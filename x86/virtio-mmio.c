/*
 * virtio-mmio: the virtio suite (lib/virtio-suite.h) over the virtio-mmio
 * transport on QEMU microvm, its windows from the DSDT's LNRO0005
 * devices; the cfg entry adds virtio-rng and virtio-blk (on the runner's
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
