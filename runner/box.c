#define _GNU_SOURCE
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "box-record.h"
#include "untar.h"

#define BOX_LINE_MAX (8u << 20)		/* a record with every check of a test */
#define BOX_SILENCE_MARGIN_S 120	/* QEMU's start inside L1 and a slow L0 */
#define BOX_MEMORY_MIB "6144"		/* the 4.6 GiB entries, overcommitted */
#define BOX_MAX_BOOTS 6			/* L1s per run, when they end early */

struct box {
	enum arch arch;
	struct box_opts o;
	char *platform, *l0, *runfile, *boxlog;
	char *root, *runner;	/* L1's userland and the runner in it */
	struct strv argv;	/* L0 */
	char *bochs_base;	/* the Bochs flavour: the base disk of its kernel, or NULL */
	char *img;		/* ... and the disk each L1 boots */
	char *com2;		/* ... and where COM2 goes: L1's logs as a tar */
};

/* "key=value" in the lines of text: a copy of value, or NULL. */
static char *value_of(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, n) && l[n] == '=')
			return strndup(l + n + 1, strcspn(l + n + 1, "\n"));
	return NULL;
}

/*
 * The L0 QEMU: TCG with the CPU's virtualization for L1's KVM (x86_64:
 * -cpu max's SVM with NPT; arm64: EL2 and a GICv3, which KVM arm64 needs
 * for its guests), L1's console on stdout, the two 9p shares.  x86_64's L1
 * has one vCPU: with two, L2 guests triple-fault now and then (at boot,
 * in mid-test: 1 run in 3 of the suite, 0 in 8 with one vCPU), which
 * looks like TCG's nested paging racing with KVM's NPT updates from the
 * other vCPU.
 */
static void l0_argv(struct box *b, const char *qemu, const char *kernel, const char *initrd)
{
	bool arm = b->arch == ARCH_ARM64;
	struct strv *v = &b->argv;

	strv_push(v, qemu);
	if (arm)
		strv_append(v, (char *[]){ "-accel", "tcg", "-machine",
					   "virt,virtualization=on,gic-version=3", "-cpu", "max",
					   NULL });
	else
		strv_append(v, (char *[]){ "-accel", "tcg", "-cpu", "max", "-bios", "qboot.rom",
					   NULL });
	strv_push(v, "-append");
	strv_pushf(v, "console=%s loglevel=4 panic=-1%s vmunit.box=%s%s%s",
		   arm ? "ttyAMA0" : "ttyS0", arm ? "" : " kvm_amd.nested=1", b->runfile,
		   b->o.cmdline ? " " : "", b->o.cmdline ? b->o.cmdline : "");
	strv_append(v, (char *[]){ "-smp", arm ? "2" : "1", "-m", BOX_MEMORY_MIB, "-display",
				   "none", "-nodefaults", "-no-reboot", "-serial", "stdio",
				   "-kernel", NULL });
	strv_push(v, kernel);
	strv_push(v, "-initrd");
	strv_push(v, initrd);
	strv_push(v, "-virtfs");
	strv_push(v, "local,path=/,mount_tag=vmunit-root,security_model=none,readonly=on,"
		     "multidevs=remap");
	strv_push(v, "-virtfs");
	strv_pushf(v, "local,path=%s,mount_tag=vmunit-logs,security_model=none", b->o.logdir);
}

#define BOCHS_MEMORY_MIB "2048"

/*
 * The Intel flavour: scripts/box-bochs.sh's cached layer and disk, and L0
 * its "boot" of the run's disk with the model and CPU count vmm names
 * ("bochs[:MODEL[:CPUS]]").
 */
static struct box *bochs_prepare(const struct box_opts *bo, struct err *e)
{
	char *script = path_join(bo->srcdir, "scripts/box-bochs.sh");
	char *cache = path_join(bo->builddir, "build/box");
	char *argv[] = { "/bin/sh", script, "prepare", (char *)bo->kernel, cache, NULL };
	char *out = NULL, *kernel = NULL, *name = NULL, *base = NULL, *model = NULL, *cpus;
	struct box *b = NULL;

	if (bo->modules) {
		err_set(e, "--box-vmm bochs: Debian kernels only (no --box-modules)");
		goto out;
	}
	model = xstrdup(bo->vmm[5] == ':' ? bo->vmm + 6 : "tigerlake");
	cpus = strchr(model, ':');
	if (cpus)
		*cpus++ = '\0';
	if (!*model || strspn(model, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(model) ||
	    (cpus && strcmp(cpus, "1") && strcmp(cpus, "2"))) {
		err_set(e, "--box-vmm %s: want bochs[:MODEL[:CPUS]], a Bochs CPU model and 1 or 2 CPUs",
			bo->vmm);
		goto out;
	}
	out = capture_output(argv, false, true);
	if (!out || !(kernel = value_of(out, "kernel")) || !(name = value_of(out, "name")) ||
	    !(base = value_of(out, "base"))) {
		err_set(e, "--box %s --box-vmm bochs: the disk could not be prepared "
			"(scripts/box-bochs.sh, see above)", bo->kernel);
		goto out;
	}
	b = xmalloc(sizeof(*b));
	*b = (struct box){ .arch = ARCH_X86_64, .o = *bo };
	b->runfile = xasprintf("%s/box-x86_64.run", bo->logdir);
	b->boxlog = xasprintf("%s/box-x86_64.log", bo->logdir);
	b->img = xasprintf("%s/box-x86_64.img", bo->logdir);
	b->com2 = xasprintf("%s.com2", b->img);
	b->root = xstrdup("/");
	b->runner = xstrdup(bo->runner);
	b->bochs_base = base;
	base = NULL;
	b->platform = xasprintf("%s, kvm_intel nested=1, nested under Bochs 2.7 %s (%s CPU%s)", name,
				model, cpus ? cpus : "1", cpus && *cpus == '2' ? "s" : "");
	b->l0 = xasprintf("bochs:%s:%s", model, cpus ? cpus : "1");
	strv_append(&b->argv, (char *[]){ "/bin/sh", script, "boot", b->img, model,
					  cpus ? cpus : "1", BOCHS_MEMORY_MIB, NULL });
out:
	free(script);
	free(cache);
	free(out);
	free(kernel);
	free(name);
	free(base);
	free(model);
	return b;
}

struct box *box_prepare(const struct box_opts *bo, enum arch a, const char *qemu,
			struct err *e)
{
	char *script = path_join(bo->srcdir, "scripts/box.sh");
	char *cache = path_join(bo->builddir, "build/box");
	char *argv[] = { "/bin/sh", script, "prepare", (char *)bo->kernel,
			 (char *)arch_info(a)->name, cache, (char *)bo->modules, NULL };
	char *out, *kernel = NULL, *initrd = NULL, *name = NULL;
	struct box *b = NULL;

	if (bo->vmm) {
		free(script);
		free(cache);
		return bochs_prepare(bo, e);
	}
	out = capture_output(argv, false, true);
	if (!out || !(kernel = value_of(out, "kernel")) || !(initrd = value_of(out, "initrd")) ||
	    !(name = value_of(out, "name"))) {
		err_set(e, "--box %s: the kernel cache could not be prepared (scripts/box.sh, see above)",
			bo->kernel);
		goto out;
	}
	b = xmalloc(sizeof(*b));
	*b = (struct box){ .arch = a, .o = *bo };
	b->runfile = xasprintf("%s/box-%s.run", bo->logdir, arch_info(a)->name);
	b->boxlog = xasprintf("%s/box-%s.log", bo->logdir, arch_info(a)->name);
	b->root = value_of(out, "root") ?: xstrdup("/");
	b->runner = value_of(out, "runner") ?: xstrdup(bo->runner);
	if (a == ARCH_ARM64) {
		const char *mode = bo->cmdline ? strstr(bo->cmdline, "kvm-arm.mode=") : NULL;

		b->platform = xasprintf("%s, KVM arm64 %.*s, nested under QEMU TCG", name,
					mode ? (int)strcspn(mode + 13, " ") : 3,
					mode ? mode + 13 : "VHE");
	} else {
		b->platform = xasprintf("%s, kvm_amd nested=1, nested under QEMU TCG", name);
	}
	l0_argv(b, qemu, kernel, initrd);
out:
	free(script);
	free(cache);
	free(out);
	free(kernel);
	free(initrd);
	free(name);
	return b;
}

const char *box_platform(const struct box *b)
{
	return b->platform;
}

const char *box_l0(const struct box *b)
{
	return b->l0 ? b->l0 : "qemu";
}

char *box_command(const struct box *b)
{
	return shell_quote_argv(b->argv.v);
}

void box_free(struct box *b)
{
	if (!b)
		return;
	free(b->platform);
	free(b->l0);
	free(b->runfile);
	free(b->boxlog);
	free(b->root);
	free(b->runner);
	free(b->bochs_base);
	if (b->img)
		unlink(b->img);
	if (b->com2)
		unlink(b->com2);
	free(b->img);
	free(b->com2);
	strv_free(&b->argv);
	free(b);
}

/* ---- one L1 ---- */

/* Where a test is: waiting for an L1, running in one, or with its verdict. */
enum box_state { BOX_WAITING, BOX_RUNNING, BOX_DONE };

/* The L1s of a run, one at a time, for the tests still without a verdict. */
struct l1 {
	struct box *b;
	const struct test *tests;
	size_t n;
	enum box_state *state;	/* per test */
	bool *rerun;		/* per test: run again after an L0 crash */
	const struct run_opts *o;
	FILE *log;
	int fd, sigfd;
	pid_t pid;
	bool ready, ended, exited;	/* ended: the runner inside did */
	char again[440];	/* the last L0 crash, why tests are run again, or "" */
	int wstatus, stop;
	char cause[400];	/* why L1 ended early, or "" */
	char last[200];		/* its last line that was not a record */
	char oops[200];		/* the first line of an L1 kernel oops, or "" */
	char *line;
	size_t len;
	long long deadline, started;
	double silence_s;
};

static int by_length(const void *x, const void *y)
{
	size_t a = strlen(*(const char *const *)x), b = strlen(*(const char *const *)y);

	return (a > b) - (a < b);
}

/* Is dir the directory d or inside it? */
static bool within(const char *dir, const char *d)
{
	size_t n = strlen(d);

	return !strncmp(dir, d, n) && (dir[n] == '\0' || dir[n] == '/');
}

/*
 * The run file (box-init): the log directory, the root, the host's
 * directories the runner needs in a root of its own and the runner's own
 * (none inside another), the runner's argv.
 */
static int write_runfile(struct l1 *l, struct err *e)
{
	struct box *b = l->b;
	char factor[32];
	FILE *f = fopen(b->runfile, "we");
	char *rdir = xstrdup(b->runner);
	const char *binds[] = { b->o.srcdir, b->o.builddir, b->o.cfgdir, dirname(rdir) };
	const size_t nb = sizeof(binds) / sizeof(*binds);

	if (!f) {
		free(rdir);
		return err_set(e, "%s: %m", b->runfile);
	}
	fprintf(f, "%s\n", b->o.logdir);
	if (!b->bochs_base)
		fprintf(f, "%s\n", b->root);
	qsort(binds, nb, sizeof(*binds), by_length);
	for (size_t i = 0; strcmp(b->root, "/") && i < nb; i++) {
		bool inside = false;

		for (size_t k = 0; k < i; k++)
			inside |= within(binds[i], binds[k]);
		if (!inside)
			fprintf(f, "%s ", binds[i]);
	}
	free(rdir);
	snprintf(factor, sizeof(factor), "%g", b->o.timeout_factor);
	if (!b->bochs_base)
		fputc('\n', f);
	fprintf(f, "%s\n--box-inner=%s\n--no-progress\n-c\n%s\n-S\n%s\n-b\n%s\n-a\n%s\n"
		"--accel\nkvm\n--logdir\n%s\n-j\n%u\n--timeout-factor\n%s\n",
		b->runner, b->bochs_base ? "bochs" : "tcg", b->o.cfg, b->o.srcdir, b->o.builddir,
		arch_info(b->arch)->name, b->o.logdir, b->bochs_base ? 1 : l->o->jobs, factor);
	if (b->o.timeout_s)
		fprintf(f, "--timeout\n%g\n", b->o.timeout_s == TIMEOUT_NONE ? 0 : b->o.timeout_s);
	for (size_t i = 0; i < l->n; i++)
		if (l->state[i] == BOX_WAITING)
			fprintf(f, "%s\n", l->tests[i].entry);
	if (fclose(f))
		return err_set(e, "%s: %m", b->runfile);
	return 0;
}

static void deliver(struct l1 *l, size_t i, struct result *r, struct vparse *vp)
{
	r->test = &l->tests[i];
	if (l->rerun[i])
		snprintf(r->notice, sizeof(r->notice), "run again in a fresh L1: %s", l->again);
	if (l->o->baseline)
		baseline_apply(l->o->baseline, r, vp);
	l->state[i] = BOX_DONE;
	l->o->done(l->o->ctx, r);
}

/* A waiting or running test by its entry, or n. */
static size_t find(const struct l1 *l, const char *entry)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->state[i] != BOX_DONE && !strcmp(l->tests[i].entry, entry))
			break;
	return i;
}

static void record(struct l1 *l, const char *json)
{
	struct box_record rec;
	struct err e;
	size_t i;

	if (box_record_read(json, &rec, &e)) {
		fprintf(l->log, "# box: a record refused: %s\n", e.msg);
		return;
	}
	i = find(l, rec.entry);
	if (i == l->n)
		fprintf(l->log, "# box: a record for no test waiting for one: %.100s\n", rec.entry);
	else
		deliver(l, i, &rec.r, &rec.vp);
	box_record_free(&rec);
}

static void say_cause(struct l1 *l, const char *fmt, ...)
{
	va_list ap;

	if (*l->cause)
		return;
	va_start(ap, fmt);
	vsnprintf(l->cause, sizeof(l->cause), fmt, ap);
	va_end(ap);
}

static void kill_l0(struct l1 *l)
{
	if (l->pid > 0 && !l->exited)
		kill(-l->pid, SIGKILL);
}

/* A kernel message without its "[   20.434180] " time stamp. */
static const char *kmsg(const char *line)
{
	const char *end = line[0] == '[' ? strstr(line, "] ") : NULL;

	return end ? end + 2 : line;
}

/* The first line of an oops: a fault or BUG in L1's kernel (x86_64 and arm64 wording). */
static bool oops_start(const char *m)
{
	return !strncmp(m, "BUG: ", 5) || !strncmp(m, "Unable to handle kernel ", 24) ||
	       !strncmp(m, "general protection fault", 24) || !strncmp(m, "kernel BUG at ", 14) ||
	       !strncmp(m, "Internal error: ", 16);
}

/*
 * L1's kernel oopsed (KVM's own code, most likely, under a test): the
 * tests running get an ERROR naming it and where (x86 "RIP: 0010:f+o/s",
 * arm64 "pc : f+o/s") at once, not a hang; those waiting get a fresh L1.
 */
static void oops_line(struct l1 *l, const char *m)
{
	if (!*l->oops) {
		if (oops_start(m))
			snprintf(l->oops, sizeof(l->oops), "%s", m);
		return;
	}
	if (!strncmp(m, "RIP: ", 5) || !strncmp(m, "pc : ", 5)) {
		say_cause(l, "L1 kernel oops: %s, at %s", l->oops, m + 5);
		kill_l0(l);
	}
}

static void box_line(struct l1 *l, char *line)
{
	const char *rest;
	size_t n = strlen(line);

	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	if (!strncmp(line, BOX_START_TAG, strlen(BOX_START_TAG))) {
		size_t i = find(l, line + strlen(BOX_START_TAG));

		fprintf(l->log, "%s\n", line);
		if (i < l->n)
			l->state[i] = BOX_RUNNING;
		return;
	}
	if (!strncmp(line, BOX_RECORD_TAG, strlen(BOX_RECORD_TAG))) {
		fprintf(l->log, "%.200s%s\n", line, n > 200 ? " ..." : "");
		record(l, line + strlen(BOX_RECORD_TAG));
		l->deadline = now_ms() + (long long)(l->silence_s * 1000);
		return;
	}
	fprintf(l->log, "%s\n", line);
	if (*line)
		snprintf(l->last, sizeof(l->last), "%s", line);
	if ((rest = strstr(line, "VMUNIT-BOX: ready "))) {
		l->ready = true;
		fprintf(l->log, "# box: L1 ready %.1f s after L0 started\n",
			(now_ms() - l->started) / 1000.0);
		l->deadline = now_ms() + (long long)(l->silence_s * 1000);
	} else if ((rest = strstr(line, "VMUNIT-BOX: error "))) {
		say_cause(l, "L1: %s", rest + strlen("VMUNIT-BOX: error "));
	} else if ((rest = strstr(line, "VMUNIT-BOX: end "))) {
		l->ended = true;
		say_cause(l, "the runner in L1 ended (status %.10s) without its verdict",
			  rest + strlen("VMUNIT-BOX: end "));
	} else if ((rest = strstr(line, "Kernel panic - not syncing"))) {
		say_cause(l, "L1 %s", rest);
		kill_l0(l);	/* Bochs has no -no-reboot */
	} else if ((rest = strstr(line, "Out of memory"))) {
		say_cause(l, "L1 ran out of memory: %s", rest);
	} else {
		oops_line(l, kmsg(line));
	}
}

static void read_output(struct l1 *l)
{
	char buf[65536];
	ssize_t n = read(l->fd, buf, sizeof(buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(l->fd);
		l->fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || l->len == BOX_LINE_MAX - 1) {
			l->line[l->len] = '\0';
			box_line(l, l->line);
			l->len = 0;
			if (buf[i] == '\n')
				continue;
		}
		l->line[l->len++] = buf[i] ? buf[i] : ' ';
	}
}

static void wait_l1(struct l1 *l)
{
	struct pollfd pfd[2] = {
		{ .fd = l->fd, .events = POLLIN }, { .fd = l->sigfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	long long left = l->deadline - now_ms();

	if (poll(pfd, 2, left < 0 ? 0 : left > 1000 ? 1000 : left) > 0 && pfd[0].revents)
		read_output(l);
	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			l->stop = si.ssi_signo;
	if (!l->exited && waitpid(l->pid, &l->wstatus, WNOHANG) == l->pid) {
		l->exited = true;
		kill(-l->pid, SIGKILL);
		l->deadline = now_ms() + 2000;	/* what is left in the pipe */
	}
	if (now_ms() < l->deadline || l->exited)
		return;
	if (!l->ready)
		say_cause(l, "L1 did not get ready in %g s (its last line: %s)",
			  l->b->o.boot_timeout_s, *l->last ? l->last : "none");
	else
		say_cause(l, "L1 was silent for %.0f s, hung? (its last line: %s)", l->silence_s,
			  *l->last ? l->last : "none");
	kill_l0(l);
}

/* The tests in state s get a verdict: ERROR naming the cause. */
static void lost(struct l1 *l, enum box_state s)
{
	for (size_t i = 0; i < l->n; i++) {
		struct result r = { .v = V_ERROR, .unstarted = s == BOX_WAITING,
				    .started = s == BOX_RUNNING };
		struct vparse vp;

		if (l->state[i] != s)
			continue;
		vp_init(&vp);
		r.vp = &vp;
		snprintf(r.reason, sizeof(r.reason), "box: %s", l->cause);
		deliver(l, i, &r, &vp);
	}
}

/* An L0 that died of a signal it did not get from us: QEMU crashed. */
static bool l0_crashed(const struct l1 *l)
{
	return l->exited && WIFSIGNALED(l->wstatus) && WTERMSIG(l->wstatus) != SIGKILL;
}

/*
 * The Bochs flavour's disk for this L1 (scripts/box-bochs.sh image): the
 * run file, the runner, the cfg, the payloads of the tests waiting and
 * the EFI loader, at their own paths.
 */
static int bochs_disk(struct l1 *l, struct err *e)
{
	struct box *b = l->b;
	struct strv v = { 0 };
	char *script = path_join(b->o.srcdir, "scripts/box-bochs.sh"), *out;
	char *efi = path_join(b->o.builddir, "x86/efi-boot.efi");	/* boot = efi's loader */
	/* scripts/box-bochs.sh image puts it on L1's command line */
	char *append = xasprintf("vmunit.logs=ttyS1%s%s", b->o.cmdline ? " " : "",
				 b->o.cmdline ? b->o.cmdline : "");

	setenv("BOX_APPEND", append, 1);
	free(append);
	unlink(b->com2);	/* the last L1's */
	strv_append(&v, (char *[]){ "/bin/sh", script, "image", b->bochs_base, b->img,
				    b->runfile, b->runner, (char *)b->o.cfg, NULL });
	if (!access(efi, R_OK))
		strv_push(&v, efi);
	free(efi);
	for (size_t i = 0; i < l->n; i++) {
		char *p = l->state[i] == BOX_WAITING && l->tests[i].payload ?
			  realpath(l->tests[i].payload, NULL) : NULL;

		if (p)
			strv_push(&v, p);
		free(p);
	}
	out = capture_output(v.v, true, true);
	strv_free(&v);
	free(script);
	if (!out)
		return err_set(e, "scripts/box-bochs.sh image %s failed", b->img);
	free(out);
	return 0;
}

static int boot(struct l1 *l, const sigset_t *mask, struct err *e)
{
	char *cmd = shell_quote_argv(l->b->argv.v);
	int p[2], r;

	fprintf(l->log, "%s\n", cmd);
	free(cmd);
	fflush(l->log);
	if (write_runfile(l, e) || (l->b->bochs_base && bochs_disk(l, e)))
		return -1;
	if (pipe2(p, O_CLOEXEC))
		return err_set(e, "pipe: %m");
	r = run_spawn(l->b->argv.v, -1, p[1], -1, mask, &l->pid);
	close(p[1]);
	if (r) {
		close(p[0]);
		return err_set(e, "%s: %s", l->b->argv.v[0], strerror(r));
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	l->fd = p[0];
	l->started = now_ms();
	l->deadline = l->started + (long long)(l->b->o.boot_timeout_s * 1000);
	return 0;
}

/*
 * The Bochs flavour: the per-test logs L1 sent on COM2 once its runner
 * ended (scripts/box-bochs-init), into the log directory (untar.h).
 */
static void bochs_logs(struct l1 *l)
{
	struct box *b = l->b;
	int dir = open(b->o.logdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned n;

	if (dir < 0) {
		fprintf(l->log, "# box: %s: %m\n", b->o.logdir);
		return;
	}
	n = untar_logs(b->com2, dir, base_name(b->boxlog), &UNTAR_CAPS, l->log);
	fprintf(l->log, "# box: %u files of L1's log directory into %s\n", n, b->o.logdir);
	close(dir);
}

/* Tests in state s. */
static size_t count(const struct l1 *l, enum box_state s)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		k += l->state[i] == s;
	return k;
}

/* One L1 from boot to its end: false when the run was interrupted. */
static bool one_l1(struct l1 *l, const sigset_t *old)
{
	struct err e;

	l->ready = l->ended = l->exited = false;
	*l->cause = *l->last = *l->oops = '\0';
	l->len = 0;
	if (boot(l, old, &e)) {
		say_cause(l, "%s", e.msg);
		return true;
	}
	while (!l->stop && (l->fd >= 0 || !l->exited))
		wait_l1(l);
	kill_l0(l);
	if (!l->exited)
		while (waitpid(l->pid, &l->wstatus, 0) < 0 && errno == EINTR)
			;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->b->bochs_base)
		bochs_logs(l);
	if (l0_crashed(l))
		say_cause(l, "the L0 QEMU died of SIG%s (its last line: %s)",
			  sigabbrev_np(WTERMSIG(l->wstatus)) ?: "?", l->last);
	say_cause(l, "L1 ended without a verdict for it (its last line: %s)", l->last);
	return !l->stop;
}

/*
 * After an L1 that ended early: the tests it was running get an ERROR
 * naming the cause (unless L0 crashed: each waits for the next L1, once),
 * and the tests still waiting go to a fresh L1; when L1 never got ready,
 * the runner inside ended of itself, or BOX_MAX_BOOTS L1s were spent,
 * every test left gets the ERROR.
 */
static bool again(struct l1 *l, unsigned boots)
{
	bool crash = l0_crashed(l);

	if (!count(l, BOX_WAITING) && !count(l, BOX_RUNNING))
		return false;
	if ((!l->ready && !crash) || (l->ended && !crash) || boots == BOX_MAX_BOOTS) {
		lost(l, BOX_RUNNING);
		lost(l, BOX_WAITING);
		return false;
	}
	for (size_t i = 0; crash && i < l->n; i++)
		if (l->state[i] == BOX_RUNNING && !l->rerun[i]) {
			l->state[i] = BOX_WAITING;
			l->rerun[i] = true;
		}
	lost(l, BOX_RUNNING);
	if (!count(l, BOX_WAITING))
		return false;
	if (crash)
		snprintf(l->again, sizeof(l->again), "%s", l->cause);
	fprintf(l->log, "# box: %s; the %zu tests left run in a fresh L1\n", l->cause,
		count(l, BOX_WAITING));
	fprintf(stderr, "vmunit-run: box: %s; the %zu tests left run in a fresh L1\n", l->cause,
		count(l, BOX_WAITING));
	return true;
}

struct batch_end box_run(struct box *b, const struct test *tests, size_t n,
			 const struct run_opts *o)
{
	struct l1 l = { .b = b, .tests = tests, .n = n, .o = o, .fd = -1 };
	struct batch_end end = { 0 };
	unsigned boots = 0;
	sigset_t old;

	l.state = xmalloc(n * sizeof(*l.state) + 1);
	l.rerun = xmalloc(n * sizeof(*l.rerun) + 1);
	memset(l.state, 0, n * sizeof(*l.state));	/* BOX_WAITING */
	memset(l.rerun, 0, n * sizeof(*l.rerun));
	l.line = xmalloc(BOX_LINE_MAX);
	for (size_t i = 0; i < n; i++)
		if (tests[i].timeout_s * b->o.timeout_factor > l.silence_s)
			l.silence_s = tests[i].timeout_s * b->o.timeout_factor;
		else if (!tests[i].timeout_s)	/* TIMEOUT=0: no timeout, L1 may be silent */
			l.silence_s = 1e9;
	l.silence_s += BOX_SILENCE_MARGIN_S;
	l.log = fopen(b->boxlog, "we");
	if (!l.log) {
		fprintf(stderr, "vmunit-run: %s: %m\n", b->boxlog);
		l.log = fopen("/dev/null", "we");
		end.log_errors++;
	}
	l.sigfd = run_signals_open(&old);
	while (one_l1(&l, &old) && again(&l, ++boots))
		;
	end.signal = l.stop;
	close(l.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fclose(l.log))
		end.log_errors++;
	free(l.line);
	free(l.state);
	free(l.rerun);
	return end;
}
