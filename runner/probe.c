#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

static void keep_result(void *ctx, const struct result *r)
{
	struct result *out = ctx;

	out->v = r->v;
	snprintf(out->reason, sizeof(out->reason), "%s", r->reason);
}

static enum kvm_probe device_opens(char *why, size_t len)
{
	const char *dev = getenv("KVM_DEVICE");
	int fd;

	dev = dev && *dev ? dev : "/dev/kvm";
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return KVM_USABLE;
	}
	snprintf(why, len, "%s: %s", dev, strerror(errno));
	return errno == ENOENT ? KVM_NO_DEVICE : KVM_NOT_USABLE;
}

/* $KVM_PROBE_TIMEOUT seconds, else PROBE_TIMEOUT_S. */
static unsigned probe_timeout(void)
{
	const char *env = getenv("KVM_PROBE_TIMEOUT");
	unsigned s;

	return env && !parse_uint(env, 1, 3600, &s) ? s : PROBE_TIMEOUT_S;
}

/* Boots the planned probe; a signal meanwhile ends the run. */
static void boot(const struct host *h, enum arch a, struct test *t, struct result *r)
{
	struct run_opts ro = { .jobs = 1, .done = keep_result, .ctx = r };
	struct batch_end end;

	t->timeout_s = probe_timeout();
	if (h->logdir)
		t->log = xasprintf("%s/kvm-probe-%s.log", h->logdir, arch_info(a)->name);
	end = run_batch(t, 1, &ro);
	if (end.signal) {
		fprintf(stderr, "vmunit-run: interrupted by SIG%s during the kvm probe\n",
			sigabbrev_np(end.signal) ?: "?");
		exit(128 + end.signal);
	}
}

enum kvm_probe kvm_probe(const struct host *h, enum arch a, char *why, size_t len)
{
	char *rel = xasprintf("%s/probe.elf", arch_info(a)->dir);
	char *payload = path_join(h->builddir, rel);
	struct host kh = *h;
	struct result r = { .v = V_ERROR };
	enum kvm_probe p = device_opens(why, len);
	struct test t;
	struct err e;

	kh.accel = ACCEL_KVM;
	kh.note = NULL;
	kh.vmm = VMM_QEMU;
	kh.cpu = NULL;
	if (p == KVM_USABLE && plan_payload(&kh, a, payload, NULL, NULL, &t, &e)) {
		snprintf(why, len, "%s", e.msg);
		p = KVM_NOT_USABLE;
	} else if (p == KVM_USABLE) {
		boot(h, a, &t, &r);
		if (r.v != V_PASS) {
			char verdict[32] = "";	/* a CRASH's reason is QEMU's own */

			if (r.v != V_CRASH)
				snprintf(verdict, sizeof(verdict), "probe %s: ", verdict_name(r.v));
			snprintf(why, len, "%s -accel kvm -cpu %s: %s%s", base_name(t.argv.v[0]),
				 qemu_default_cpu(ACCEL_KVM), verdict, r.reason);
			p = KVM_NOT_USABLE;
		}
		plan_free(&t);
	}
	free(rel);
	free(payload);
	return p;
}
