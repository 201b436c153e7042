/*
 * virtio-ccw: the virtio suite (lib/virtio-suite.h) over the virtio-ccw
 * transport (lib/s390x/virtio-ccw.h); the cfg entry adds virtio-rng-ccw
 * and virtio-blk-ccw (on the runner's scratch disk).  With the argument
 * "bounce" every buffer goes through a bounce buffer of the 31-bit pool,
 * as a protected-virtualization guest must.
 */
#include "vmunit.h"
#include "string.h"
#include "virtio-ccw.h"
#include "virtio-suite.h"

int main(int argc, char **argv)
{
	bool bounce = argc > 1 && !strcmp(argv[1], "bounce");

	virtio_ccw_force_bounce(bounce);
	report_info("virtio-ccw, bounce buffers %s", bounce ? "forced" : "as ACCESS_PLATFORM says");
	virtio_suite(virtio_ccw_find);
	return 0;
}
