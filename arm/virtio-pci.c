/*
 * virtio-pci: the virtio suite (lib/virtio-suite.h) over the modern
 * virtio-pci transport on QEMU virt (the device tree's ECAM, low with
 * -machine highmem-ecam=off); the cfg entry adds virtio-rng-pci and
 * virtio-blk-pci (on the runner's scratch disk).
 */
#include "vmunit.h"
#include "virtio-pci.h"
#include "virtio-suite.h"

int main(int argc, char **argv)
{
	virtio_suite(virtio_pci_find);
	return 0;
}
