/*
 * Is KVM usable for an arch?  Proven by booting, not by opening /dev/kvm:
 * the device must open read-write ($KVM_DEVICE names another one, for the
 * host tests), the arch's default machine and CPU model must start under
 * -accel kvm, and the probe payload (<arch dir>/probe.elf, the "probe"
 * entry of unittests.cfg: console output, #UD, INT3, #GP and the like)
 * must boot and PASS within PROBE_TIMEOUT_S ($KVM_PROBE_TIMEOUT overrides).  A KVM fatal error, a QEMU
 * abort or a failed check all say "not usable", with QEMU's or the
 * probe's reason.  One probe per run and arch (~0.2 s); its log is
 * LOGDIR/kvm-probe-<arch>.log.  A signal during the probe ends the run.
 */
#ifndef RUNNER_PROBE_H
#define RUNNER_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

#define PROBE_TIMEOUT_S 10

enum kvm_probe {
	KVM_USABLE,
	KVM_NO_DEVICE,		/* the device does not exist: nothing to say */
	KVM_NOT_USABLE,		/* why says why */
};

enum kvm_probe kvm_probe(const struct host *h, enum arch a, char *why, size_t len);

#endif
