#define _GNU_SOURCE
#include "plan.h"
#include "efi-snapshot.h"
#include "x86/bochs-loader.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first line of path, without its newline; NULL when unreadable. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return xstrdup("");
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/*
 * A SKIP reason may quote what a kernel parameter reads (/sys/..., short,
 * printable), never another file's contents.
 */
static bool shows_value(const char *path, const char *got)
{
	size_t n = strlen(got);

	if (strncmp(path, "/sys/", 5) || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (got[i] < 0x20 || got[i] > 0x7e)
			return false;
	return true;
}

static char *check_one(const char *check)
{
	const char *eq = strchr(check, '=');
	char *path = xstrdup(check), *got, *why = NULL;

	path[eq - check] = '\0';
	got = first_line(path);
	if (!got)
		why = xasprintf("requires %s = %s (cannot read it: %m)", path, eq + 1);
	else if (strcmp(got, eq + 1) && shows_value(path, got))
		why = xasprintf("requires %s = %s (it reads %s)", path, eq + 1, got);
	else if (strcmp(got, eq + 1))
		why = xasprintf("requires %s = %s (it reads another value)", path, eq + 1);
	free(got);
	free(path);
	return why;
}

char *check_preconditions(const char *checks)
{
	char *copy, *save, *w, *why = NULL;

	if (!checks)
		return NULL;
	copy = xstrdup(checks);
	for (w = strtok_r(copy, " \t", &save); w && !why;
	     w = strtok_r(NULL, " \t", &save))
		why = check_one(w);
	free(copy);
	return why;
}

static char *static_skip(const struct host *h, const struct cfg_entry *c, enum arch a,
			 enum vmm vmm, enum accel accel)
{
	const struct vmm_info *vi = vmm_info(vmm);
	char *why;

	if (!(vi->arch_mask & (1u << a)))
		return xasprintf("%s runs no %s payloads", vi->display, arch_info(a)->name);
	if (vmm != VMM_QEMU &&
	    (c->machine || c->qemu_params || c->scratch || c->efi || c->migration))
		return xasprintf("needs QEMU (its %s), running %s",
				 c->machine ? "machine" : c->qemu_params ? "qemu_params" :
				 c->scratch ? "scratch" : c->efi ? "EFI boot" : "live migration",
				 vi->display);
	if (c->efi && !arch_info(a)->efi_machine)
		return xasprintf("boot = efi: no EFI boot for %s", arch_info(a)->name);
	if (c->efi && !efi_firmware(a))
		return xasprintf("boot = efi: no UEFI firmware (%s, Debian package %s)",
				 arch_info(a)->efi_firmware[0],
				 a == ARCH_X86_64 ? "ovmf" : "qemu-efi-aarch64");
	if (vmm == VMM_QEMU && c->accel != ACCEL_AUTO && c->accel != accel)
		return xasprintf("requires accel=%s (running %s)",
				 accel_name(c->accel), accel_name(accel));
	if (vmm != VMM_QEMU && c->accel != ACCEL_AUTO)
		return xasprintf("requires accel=%s (running %s)", accel_name(c->accel),
				 vi->display);
	why = check_preconditions(c->check);
	/* A deviation of the box's L0 that takes L1 and its other tests with it. */
	if (!why && c->efi && h->in_box && !strcmp(h->box_l0, "tcg") && a == ARCH_X86_64)
		why = xstrdup("boot = efi in the box: OVMF in a guest of nested SVM makes the L0 "
			      "QEMU TCG abort (tcg_handle_interrupt: assertion failed: "
			      "(bql_locked())) or corrupt L1 (\"corrupted stack end\" panics)");
	return why;
}

/*
 * Bochs reads the command line from a file ("payload args"): one per test
 * under BUILDDIR/build/bochs, with the debugger's rc file, kept so that
 * the logged command line can be run again by hand.
 */
static int bochs_files(const struct host *h, const char *name, const char *payload,
		       const char *append, struct qemu_opts *o, char **files, struct err *e)
{
	char *dir = path_join(h->builddir, "build/bochs"), *tmp, *sub;
	char *text = xasprintf("%s%s%s", payload, append ? " " : "", append ? append : "");
	int r = 0;

	files[0] = xasprintf("%s/%s.cmdline", dir, name);
	files[1] = path_join(dir, "continue.rc");
	files[2] = path_join(h->builddir, "x86/bochs-boot.img");
	tmp = xasprintf("%s.%d", files[0], (int)getpid());
	sub = xstrdup(files[0]);	/* "arch/name" when the run has several arches */
	if (strlen(text) >= BOCHS_CMDLINE_MAX)
		r = err_set(e, "%s: command line longer than %d bytes", name, BOCHS_CMDLINE_MAX - 1);
	else if (mkdir_p(dirname(sub)) || write_file(tmp, text, strlen(text) + 1) ||
		 rename(tmp, files[0]) ||
		 write_file(files[1], "c\n", 2))
		r = err_set(e, "%s: cannot write the Bochs files: %m", dir);
	else if (access(files[2], R_OK))
		r = err_set(e, "%s: Bochs boot image %s (run make?)", files[2],
			    errno == ENOENT ? "not found" : "unreadable");
	o->cmdline_file = files[0];
	o->rc_file = files[1];
	o->loader = files[2];
	free(sub);
	free(tmp);
	free(text);
	free(dir);
	return r;
}

/*
 * The guest command line: what the run asks for, for the guest to check
 * (lib/start.c: every CPU came up, the platform reports all the memory),
 * then the entry's args.
 */
static char *guest_cmdline(const struct host *h, const struct cfg_entry *c, enum vmm vmm,
			   unsigned ncpus, bool checked)
{
	char smp[32] = "", on[64] = "";

	if (h->in_box)	/* for the guest's XFAILs of what KVM leaves to the L0 */
		snprintf(on, sizeof(on), "vmunit.l0=%s %s", h->box_l0,
			 c->efi ? "vmunit.boot=efi " : "");
	else if (vmm != VMM_QEMU)	/* for the guest's XFAILs of that VMM's deviations */
		snprintf(on, sizeof(on), "vmunit.vmm=%s ", vmm_info(vmm)->name);
	else if (c->efi)	/* for its memory checks: the firmware keeps more */
		snprintf(on, sizeof(on), "vmunit.boot=efi ");
	if (!checked)	/* run by hand: extra VMM arguments may change both */
		return c->args || *on ? xasprintf("%s%s", on, c->args ? c->args : "") : NULL;
	if (ncpus > 1)
		snprintf(smp, sizeof(smp), " vmunit.smp=%u", ncpus);
	return xasprintf("%svmunit.mem=%u%s%s%s", on, c->memory, smp, c->args ? " " : "",
			 c->args ? c->args : "");
}

/*
 * The CPU model: --cpu, else the entry's (when it is for this VMM), else
 * the VMM's default (QEMU: by accelerator, in qemu_argv()).
 */
static const char *pick_cpu(const struct host *h, const struct cfg_entry *c, enum vmm vmm)
{
	if (h->cpu)
		return h->cpu;
	if (c->cpu && c->vmm == vmm)
		return c->cpu;
	return vmm_info(vmm)->default_cpu;
}

/*
 * boot = efi: efi-boot.efi, built next to the payloads, and the firmware;
 * under TCG the firmware snapshot to start from (efi-snapshot.h), made by
 * the same command line without the payload and its command line.
 */
static int efi_files(const struct host *h, enum arch a, struct qemu_opts *o, char **path,
		     struct test *t, struct err *e)
{
	char *rel = xasprintf("%s/efi-boot.efi", arch_info(a)->dir), *dir;
	struct qemu_opts bare = *o;

	*path = path_join(h->builddir, rel);
	free(rel);
	o->efi_boot = *path;
	o->efi_firmware = efi_firmware(a);
	if (access(*path, R_OK))
		return err_set(e, "%s: EFI loader %s (run make?)", *path,
			       errno == ENOENT ? "not found" : "unreadable");
	if (o->accel != ACCEL_TCG)
		return 0;
	bare.efi_boot = o->efi_boot;
	bare.efi_firmware = o->efi_firmware;
	bare.payload = NULL;
	bare.append = NULL;
	if (qemu_argv(&bare, &t->efi_snap_argv, e))
		return -1;
	dir = path_join(h->builddir, "build/efi-snapshot");
	t->efi_state = efi_snapshot_key(dir, t->efi_snap_argv.v);
	free(dir);
	return 0;
}

/*
 * The most CPUs the VMM's machine takes, for a $MAX_SMP above it: QEMU's
 * virt 8 with GICv2 (its default without gic-version=3/max/host) and 512
 * with GICv3, s390-ccw-virtio 248, pc 255, microvm and q35 288; Bochs 254.
 */
static unsigned max_cpus(enum vmm vmm, enum arch a, const char *machine)
{
	if (vmm == VMM_BOCHS)
		return 254;
	switch (a) {
	case ARCH_ARM64:
		return strstr(machine, "gic-version=3") || strstr(machine, "gic-version=max") ||
		       strstr(machine, "gic-version=host") ? 512 : 8;
	case ARCH_S390X:
		return 248;
	default:
		return !strncmp(machine, "pc", 2) ? 255 : 288;
	}
}

/* The entry's CPUs: smp = $MAX_SMP is the host's, capped with a note. */
static unsigned entry_smp(const struct host *h, const struct cfg_entry *c, enum vmm vmm,
			  enum arch a, struct test *t)
{
	const char *machine = c->machine ? c->machine : arch_info(a)->machine;
	unsigned most = max_cpus(vmm, a, machine);

	if (c->smp != CFG_SMP_MAX)
		return c->smp;
	if (h->max_smp <= most)
		return h->max_smp;
	t->smp_note = xasprintf("smp: $MAX_SMP is %u, %s takes %u", h->max_smp,
				vmm == VMM_BOCHS ? "Bochs" : machine, most);
	return most;
}

/* by_hand: a payload run with extra VMM arguments, not a cfg entry. */
static int build(const struct host *h, const struct cfg_entry *c, enum arch a,
		 const char *payload, char *const *extra, bool by_hand, struct test *t,
		 struct err *e)
{
	enum vmm vmm = h->vmm >= 0 ? (enum vmm)h->vmm : c->vmm;
	unsigned ncpus = entry_smp(h, c, vmm, a, t);
	char *append = guest_cmdline(h, c, vmm, ncpus, !by_hand), *files[3] = { 0 };
	struct qemu_opts o = {
		.arch = a, .qemu = vmm == VMM_QEMU ? h->qemu[a] : h->bochs, .payload = payload,
		.machine = c->machine, .cpu = pick_cpu(h, c, vmm), .smp = ncpus,
		.memory = c->memory, .append = append,
		.params = c->qemu_params, .extra = extra,
	};
	int r;

	if (access(payload, R_OK)) {
		free(append);
		return err_set(e, "%s: payload %s (test '%s'; run make?)",
			       payload, errno == ENOENT ? "not found" : "unreadable",
			       c->name);
	}
	o.accel = vmm == VMM_QEMU ? accel_pick(h->accel, h->kvm, a, h->arch) : ACCEL_TCG;
	t->arch = a;
	t->vmm = vmm;
	t->accel = o.accel;
	t->payload = xstrdup(payload);
	t->note = vmm == VMM_QEMU ? h->note : NULL;
	t->expect = c->expect;
	t->expect_reason = c->expect_reason;
	if (h->timeout_s)
		t->timeout_s = h->timeout_s == TIMEOUT_NONE ? 0 : h->timeout_s;
	else
		t->timeout_s = c->timeout * (o.accel == ACCEL_TCG || h->in_box ? h->tcg_factor : 1);
	t->skip = static_skip(h, c, a, vmm, o.accel);
	t->stats = c->stats;
	t->stats_check = c->stats_check;
	t->stats_kvm = c->stats && vmm == VMM_QEMU && o.accel == ACCEL_KVM;
	if (t->stats_kvm) {
		char *more = xasprintf("%s%svmunit.stats", append ? append : "", append ? " " : "");

		free(append);
		o.append = append = more;
		o.paused = true;
	}
	t->migrate = vmm == VMM_QEMU && !by_hand && c->migration;
	if (t->migrate) {
		char *more = xasprintf("%s%svmunit.migrate", append ? append : "", append ? " " : "");

		free(append);
		o.append = append = more;
	}
	if (t->log && vmm == VMM_BOCHS)
		o.vmm_log = t->vmm_log = xasprintf("%s.bochs", t->log);
	if (c->scratch) {
		t->scratch = h->logdir ? xasprintf("%s/%s.img", h->logdir, t->name)
				       : xasprintf("%s.img", t->name);
		t->scratch_mib = c->scratch;
		o.scratch = t->scratch;
	}
	r = t->skip ? 0 : vmm == VMM_BOCHS ? bochs_files(h, t->name, payload, append, &o,
							   files, e) : 0;
	if (!r && !t->skip && c->efi)
		r = efi_files(h, a, &o, &files[0], t, e);
	if (!r && !t->skip)
		r = vmm_info(vmm)->argv(&o, &t->argv, e);
	for (int i = 0; i < 3; i++)
		free(files[i]);
	free(append);
	return r;
}

int plan_test(const struct host *h, const struct sel *s, struct test *t,
	      struct err *e)
{
	const struct cfg_entry *c = s->entry;
	char *rel = xasprintf("%s/%s.elf", arch_info(s->arch)->dir, c->file);
	char *payload = path_join(h->builddir, rel);
	int r;

	*t = (struct test){ 0 };
	t->entry = c->name;
	if (h->multi_arch)
		t->name = xasprintf("%s/%s", arch_info(s->arch)->name, c->name);
	else
		t->name = xstrdup(c->name);
	if (h->logdir)
		t->log = xasprintf("%s/%s.log", h->logdir, t->name);
	if (h->logdir)
		t->gcov_dir = xasprintf("%s/%s.gcov", h->logdir, t->name);
	r = build(h, c, s->arch, payload, NULL, false, t, e);
	free(rel);
	free(payload);
	return r;
}

/* "x86/apic.elf" -> "apic" */
static char *payload_name(const char *payload)
{
	char *copy = xstrdup(payload), *base = xstrdup(basename(copy));
	char *dot = strrchr(base, '.');

	if (dot && dot != base)
		*dot = '\0';
	free(copy);
	return base;
}

int plan_payload(const struct host *h, enum arch a, const char *payload, const char *args,
		 char *const *extra, struct test *t, struct err *e)
{
	char *name = payload_name(payload);
	struct cfg_entry c = {
		.name = name, .file = name, .arch_mask = 1u << a, .args = (char *)args,
		.smp = CFG_DEFAULT_SMP, .memory = CFG_DEFAULT_MEMORY,
		.timeout = CFG_DEFAULT_TIMEOUT, .accel = ACCEL_AUTO,
		.expect = -1,
	};
	int r;

	*t = (struct test){ .name = xstrdup(name) };
	r = build(h, &c, a, payload, extra, true, t, e);
	free(name);
	return r;
}

void plan_free(struct test *t)
{
	free(t->name);
	free(t->payload);
	free(t->smp_note);
	strv_free(&t->argv);
	free(t->skip);
	free(t->log);
	free(t->vmm_log);
	free(t->gcov_dir);
	free(t->scratch);
	free(t->efi_state);
	strv_free(&t->efi_snap_argv);
	*t = (struct test){ 0 };
}
