/*
 * vmunit-run: read unittests.cfg, pick tests, run them under QEMU, report.
 *
 * Exit status: 0 when nothing failed, 1 when a test failed (FAIL, ERROR,
 * TIMEOUT, CRASH), 2 for bad input (cfg, options, unknown test, missing
 * payload or QEMU), 128+signal when interrupted.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <libgen.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "box-record.h"
#include "box.h"
#include "cfg.h"
#include "checkcfg.h"
#include "plan.h"
#include "probe.h"
#include "qemu.h"
#include "reaper.h"
#include "report.h"
#include "run.h"
#include "select.h"
#include "vmm.h"

#define EXIT_BAD_INPUT 2
#define EXIT_BISECT_SKIP 125	/* git bisect run: this commit cannot be tested */

/* What bad input exits with: 2, or 125 under --bisect. */
static int bad_input_status = EXIT_BAD_INPUT;

struct opts {
	const char *cfg, *srcdir, *builddir, *arch, *group, *tap_file;
	const char *accel, *logdir, *qemu_dir, *factor, *timeout, *payload, *vmm, *cpu, *append;
	const char *shard;
	const char *json, *junit, *baseline, *write_baseline;
	const char *box, *box_modules, *box_append, *box_vmm, *box_l0;
	unsigned jobs;
	bool tap, list, verbose, dry_run, check_cfg, bisect, no_progress, box_inner, all;
	char **args;		/* tests, or extra QEMU args with --payload */
	size_t nargs;
};

static const char usage_text[] =
"usage: vmunit-run [options] [TEST|GLOB ...]\n"
"       vmunit-run [options] --payload FILE [-- VMM-ARGS ...]\n"
"\n"
"Runs the tests of unittests.cfg under QEMU (or Bochs, for x86_64) and\n"
"reports their verdicts.\n"
"\n"
"  -c, --config CFG        test list (default SRCDIR/unittests.cfg)\n"
"  -S, --srcdir DIR        source tree (default .)\n"
"  -b, --builddir DIR      where the payloads were built (default .)\n"
"  -a, --arch LIST         x86_64,arm64,s390x or all (default $ARCH or the host's)\n"
"  -g, --group GROUP       only tests in GROUP\n"
"      --all               also the entries of group nodefault, which run\n"
"                          otherwise only when a group or name chooses them\n"
"  -j, --jobs N            run N tests at once (default: online CPUs)\n"
"  -t                      TAP 13 on stdout instead of console lines\n"
"      --tap FILE          also write TAP 13 to FILE\n"
"      --json FILE         also write the run as JSON (docs/results.schema.json)\n"
"      --junit FILE        also write the run as JUnit XML (docs/junit.xsd)\n"
"  -l, --list              list the selected tests (name, arch, groups)\n"
"  -v, --verbose           also print guest output, prefixed by the test name\n"
"      --no-progress       no status line (there is one only when stdout is a\n"
"                          terminal: done/total, running, elapsed, failed)\n"
"      --accel kvm|tcg     accelerator (default $ACCEL, else kvm when a probe\n"
"                          boot under kvm passes and the arch is the host's,\n"
"                          else tcg, with a note saying why; kvm or tcg\n"
"                          given: no probe, no fallback)\n"
"      --vmm qemu|bochs    run every selected entry under this VMM (default\n"
"                          $VMM, else each entry's vmm=, else qemu); Bochs\n"
"                          runs x86_64 only, the other arches' entries SKIP\n"
"      --cpu MODEL         the CPU model of every entry (QEMU -cpu, Bochs\n"
"                          cpu: model=; default the entry's, else QEMU host\n"
"                          under kvm and max under tcg, Bochs tigerlake)\n"
"      --logdir DIR        per-test logs (default logs; Bochs's own log next\n"
"                          to each, NAME.log.bochs)\n"
"      --qemu-dir DIR      take qemu-system-* from DIR (default $QEMU_DIR, else\n"
"                          PATH; $QEMU names the binary for a one-arch run)\n"
"      --timeout-factor F  multiply timeouts under tcg, from 0.1 to 100\n"
"                          (default $TCG_TIMEOUT_FACTOR, else 3)\n"
"      --timeout DURATION  every entry's timeout instead of its cfg one, not\n"
"                          multiplied (default $TIMEOUT, as kvm-unit-tests;\n"
"                          timeout(1) syntax: 90, 90s, 1.5m, 2h, 1d; 0: none)\n"
"  -n, --dry-run           print the VMM command lines, run nothing\n"
"      --payload FILE      run one payload with the default command line plus\n"
"                          VMM-ARGS (QEMU options, or bochsrc lines for\n"
"                          Bochs); arch from -a or the file's directory\n"
"      --append ARGS       with --payload: the guest's command line\n"
"      --shard K/N         only shard K of N: an entry is in shard 1 + a hash of\n"
"                          its arch/name mod N, the same on every machine\n"
"      --baseline FILE     known failures (format: runner/baseline.h): a\n"
"                          failure FILE lists is XFAIL, not counted as failed;\n"
"                          a listed one that passes is a \"fixed?\" notice\n"
"      --write-baseline FILE  write this run's failures (and the --baseline\n"
"                          records still failing or not run) as a baseline\n"
"      --box KERNEL        run the tests on real KVM in a box: KERNEL (debian-6.1,\n"
"                          debian-6.12, or the path of a bzImage or arm64\n"
"                          Image) boots under QEMU TCG as an L1 guest whose\n"
"                          KVM runs them (x86_64, arm64); kernels cached in\n"
"                          build/box;\n"
"                          known failures: SRCDIR/runner/box.baseline unless\n"
"                          --baseline names another\n"
"      --box-modules DIR   the modules of --box PATH (DIR/lib/modules/RELEASE)\n"
"      --box-append ARGS   more for L1's kernel command line\n"
"                          (kvm-arm.mode=nvhe, kvm_amd.npt=...)\n"
"      --box-vmm bochs[:MODEL[:CPUS]]  the Intel box (x86_64): L1 under Bochs\n"
"                          (default tigerlake, 1 CPU), its KVM kvm_intel\n"
"      --box-inner[=L0]    (the runner inside the box: records on stdout,\n"
"                          timeouts scaled under kvm, the host holds the lock;\n"
"                          L0 tcg, the default, or bochs, for the guest)\n"
"      --bisect            exit for git bisect run: 0 all passed, 1 a test\n"
"                          failed, 125 nothing could be tested (bad input,\n"
"                          missing payload, the VMM could not start, all SKIP)\n"
"      --check-cfg         check that cfg entries and SRCDIR/<arch>/*.c agree\n"
"  -h, --help              this text\n"
"\n"
"Environment: ACCEL, ARCH, QEMU, QEMU_DIR, TCG_TIMEOUT_FACTOR, TIMEOUT, VMM as\n"
"above;\n"
"BOCHS the Bochs binary (default bochs in PATH);\n"
"KVM_DEVICE the device the kvm probe opens (default /dev/kvm),\n"
"KVM_PROBE_TIMEOUT its timeout in seconds (default 10);\n"
"BOX_BOOT_TIMEOUT the seconds the box's L1 has to get ready (default 180).\n"
"\n"
"TEST is a section name of the cfg or a glob (quote it). Closing line:\n"
"\"N passed, N failed, N skipped\". Exit status: 0 nothing failed, 1 a test\n"
"failed, 2 bad input or results not written in full (--bisect: 125 for\n"
"those and for untestable runs), 128+N interrupted by signal N.\n";

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("vmunit-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(bad_input_status);
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

enum { OPT_TAP = 256, OPT_ACCEL, OPT_LOGDIR, OPT_QEMU_DIR, OPT_FACTOR, OPT_TIMEOUT,
       OPT_PAYLOAD, OPT_CHECK_CFG, OPT_VMM, OPT_CPU, OPT_APPEND, OPT_SHARD, OPT_BISECT,
       OPT_JSON, OPT_JUNIT, OPT_NO_PROGRESS, OPT_BASELINE, OPT_WRITE_BASELINE,
       OPT_BOX, OPT_BOX_MODULES, OPT_BOX_APPEND, OPT_BOX_VMM, OPT_BOX_INNER, OPT_ALL };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "srcdir", required_argument, NULL, 'S' },
	{ "builddir", required_argument, NULL, 'b' },
	{ "arch", required_argument, NULL, 'a' },
	{ "group", required_argument, NULL, 'g' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "jobs", required_argument, NULL, 'j' },
	{ "list", no_argument, NULL, 'l' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "tap", required_argument, NULL, OPT_TAP },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "logdir", required_argument, NULL, OPT_LOGDIR },
	{ "qemu-dir", required_argument, NULL, OPT_QEMU_DIR },
	{ "timeout-factor", required_argument, NULL, OPT_FACTOR },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "payload", required_argument, NULL, OPT_PAYLOAD },
	{ "check-cfg", no_argument, NULL, OPT_CHECK_CFG },
	{ "vmm", required_argument, NULL, OPT_VMM },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "bisect", no_argument, NULL, OPT_BISECT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
	{ "box", required_argument, NULL, OPT_BOX },
	{ "box-modules", required_argument, NULL, OPT_BOX_MODULES },
	{ "box-append", required_argument, NULL, OPT_BOX_APPEND },
	{ "box-vmm", required_argument, NULL, OPT_BOX_VMM },
	{ "box-inner", optional_argument, NULL, OPT_BOX_INNER },
	{ 0 },
};

static void set_option(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'c': o->cfg = arg; break;
	case 'S': o->srcdir = arg; break;
	case 'b': o->builddir = arg; break;
	case 'a': o->arch = arg; break;
	case 'g': o->group = arg; break;
	case OPT_ALL: o->all = true; break;
	case 'j':
		if (parse_uint(arg, 1, 4096, &o->jobs))
			die("-j %s: want a number from 1 to 4096", arg);
		break;
	case 't': o->tap = true; break;
	case 'l': o->list = true; break;
	case 'v': o->verbose = true; break;
	case 'n': o->dry_run = true; break;
	case 'h': fputs(usage_text, stdout); exit(0);
	case OPT_TAP: o->tap_file = arg; break;
	case OPT_ACCEL: o->accel = arg; break;
	case OPT_LOGDIR: o->logdir = arg; break;
	case OPT_QEMU_DIR: o->qemu_dir = arg; break;
	case OPT_FACTOR: o->factor = arg; break;
	case OPT_TIMEOUT: o->timeout = arg; break;
	case OPT_PAYLOAD: o->payload = arg; break;
	case OPT_CHECK_CFG: o->check_cfg = true; break;
	case OPT_VMM: o->vmm = arg; break;
	case OPT_CPU: o->cpu = arg; break;
	case OPT_APPEND: o->append = arg; break;
	case OPT_SHARD: o->shard = arg; break;
	case OPT_JSON: o->json = arg; break;
	case OPT_JUNIT: o->junit = arg; break;
	case OPT_NO_PROGRESS: o->no_progress = true; break;
	case OPT_BASELINE: o->baseline = arg; break;
	case OPT_WRITE_BASELINE: o->write_baseline = arg; break;
	case OPT_BOX: o->box = arg; break;
	case OPT_BOX_MODULES: o->box_modules = arg; break;
	case OPT_BOX_APPEND: o->box_append = arg; break;
	case OPT_BOX_VMM: o->box_vmm = arg; break;
	case OPT_BOX_INNER:
		o->box_inner = true;
		o->box_l0 = arg ? arg : "tcg";
		if (strcmp(o->box_l0, "tcg") && strcmp(o->box_l0, "bochs"))
			die("--box-inner=%s: want tcg or bochs", arg);
		break;
	case OPT_BISECT: o->bisect = true; bad_input_status = EXIT_BISECT_SKIP; break;
	default:
		fputs("Try 'vmunit-run -h'.\n", stderr);
		exit(bad_input_status);
	}
}

static void parse_options(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){
		.srcdir = ".", .builddir = ".",
		.accel = env_or("ACCEL", "auto"),
		.logdir = "logs", .qemu_dir = env_or("QEMU_DIR", NULL),
		.factor = env_or("TCG_TIMEOUT_FACTOR", "3"), .vmm = env_or("VMM", NULL),
		.timeout = env_or("TIMEOUT", NULL),
		.jobs = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1,
	};
	while ((c = getopt_long(argc, argv, "c:S:b:a:g:j:tlvnh", long_opts, NULL)) != -1)
		set_option(o, c, optarg);
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->tap && o->tap_file)
		die("-t and --tap FILE: use one of them");
	if ((o->box_modules || o->box_append || o->box_vmm) && !o->box)
		die("--box-modules, --box-append and --box-vmm go with --box");
	if (o->box_vmm && strcmp(o->box_vmm, "bochs") && strncmp(o->box_vmm, "bochs:", 6))
		die("--box-vmm %s: the box's other L0 is bochs[:MODEL[:CPUS]]", o->box_vmm);
}

/* ---- host facts ---- */

/* -a, else $ARCH, else the host's arch. */
static unsigned arch_mask(const struct opts *o)
{
	const char *list = o->arch ? o->arch : env_or("ARCH", NULL);
	struct err e;
	unsigned mask;
	int host;

	if (list) {
		if (parse_arch_list(list, &mask, &e))
			die("%s", e.msg);
		return mask;
	}
	host = arch_host();
	if (host < 0)
		die("the host arch is none of x86_64, arm64, s390x: use -a");
	return 1u << host;
}

static double timeout_factor(const char *s)
{
	char *end;
	double f = strtod(s, &end);

	if (*end || end == s || !(f >= 0.1) || f > 100)
		die("timeout factor '%s': want a number from 0.1 to 100", s);
	return f;
}

/* timeout(1)'s DURATION in seconds, TIMEOUT_NONE for 0, or 0 when unset. */
static double duration(const char *s)
{
	static const char units[] = "smhd";
	static const double seconds[] = { 1, 60, 3600, 86400 };
	const char *u;
	char *end;
	double v;

	if (!s)
		return 0;
	v = strtod(s, &end);
	u = *end ? strchr(units, *end) : NULL;
	if (end == s || isspace((unsigned char)*s) || (*end && (!u || end[1])) || !(v >= 0))
		v = -1;
	else if (u)
		v *= seconds[u - units];
	if (v < 0 || v > 7 * 86400 || (v > 0 && v < 0.1))
		die("timeout '%s': want a duration from 0.1 s to 7 days (90, 90s, 1.5m, 2h, 1d) or 0",
		    s);
	return v ? v : TIMEOUT_NONE;
}

/* $MAX_SMP (as kvm-unit-tests), else the online CPUs: what smp = $MAX_SMP gives. */
static unsigned max_smp(void)
{
	const char *s = getenv("MAX_SMP");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned v;

	if (s && parse_uint(s, 1, 4096, &v))
		die("MAX_SMP '%s': want a number from 1 to 4096", s);
	return s ? v : online < 1 ? 1 : online > 4096 ? 4096 : (unsigned)online;
}

static void host_facts(const struct opts *o, struct host *h)
{
	int accel = accel_from_name(o->accel), vmm = o->vmm ? vmm_from_name(o->vmm) : -1;

	if (accel < 0)
		die("accel '%s': want kvm, tcg or auto", o->accel);
	if (o->vmm && vmm < 0)
		die("vmm '%s': want qemu or bochs", o->vmm);
	if (o->cpu && (!*o->cpu || o->cpu[strcspn(o->cpu, ", \t\n")]))
		die("cpu '%s': want a model name", o->cpu);
	*h = (struct host){
		.accel = accel, .arch = arch_host(), .vmm = vmm, .cpu = o->cpu,
		.max_smp = max_smp(),
		.tcg_factor = timeout_factor(o->factor), .timeout_s = duration(o->timeout),
		.builddir = o->builddir,
		.logdir = o->logdir, .in_box = o->box_inner, .box_l0 = o->box_l0,
	};
}

static enum vmm sel_vmm(const struct host *h, const struct sel *s)
{
	return h->vmm >= 0 ? (enum vmm)h->vmm : s->entry ? s->entry->vmm : VMM_QEMU;
}

/* The arches of the selected tests that run under vmm. */
static unsigned used_arches(const struct host *h, const struct selection *sel, enum vmm vmm)
{
	unsigned used = 0;

	for (size_t i = 0; i < sel->n; i++)
		if (sel_vmm(h, &sel->v[i]) == vmm)
			used |= 1u << sel->v[i].arch;
	return used & vmm_info(vmm)->arch_mask;
}

/* $BOCHS, else bochs in PATH; when a selected test runs under Bochs. */
static char *find_bochs(const struct selection *sel, struct host *h)
{
	const char *env = env_or("BOCHS", NULL);
	char *p;

	if (!used_arches(h, sel, VMM_BOCHS))
		return NULL;
	struct err e;

	p = env ? xstrdup(env) : find_in_path("bochs");
	if (!p || access(p, X_OK))
		die("%s: Bochs not found (install bochs, or set BOCHS=)", env ? env : "bochs");
	if (vmm_exec_check(p, &e))
		die("%s", e.msg);
	h->bochs = p;
	return p;
}

/* The QEMU binary for every arch that has a selected test under QEMU. */
static void find_qemus(const struct opts *o, const struct selection *sel,
		       struct host *h, char **found)
{
	const char *env = env_or("QEMU", NULL);
	unsigned used = used_arches(h, sel, VMM_QEMU);
	struct err e;

	if (env && (used & (used - 1)))
		die("QEMU=%s names one binary, but tests of several arches are selected (use -a)",
		    env);
	for (int a = 0; a < ARCH_NR; a++) {
		if (!(used & (1u << a)))
			continue;
		found[a] = qemu_find(a, env, o->qemu_dir, &e);
		if (!found[a])
			die("%s", e.msg);
		h->qemu[a] = found[a];
	}
}

/*
 * Auto mode: kvm for the host's arch when the probe passes (probe.h), else
 * tcg with a note that says why, on stderr, in the TAP stream and in every
 * log.  The note is kept in h->note (malloc'ed).
 */
static void choose_accel(struct host *h, unsigned used)
{
	char why[600];
	enum kvm_probe p;

	if (h->accel != ACCEL_AUTO || h->arch < 0 || !(used & (1u << h->arch)))
		return;
	p = kvm_probe(h, h->arch, why, sizeof(why));
	h->kvm = p == KVM_USABLE;
	if (h->kvm) {
		h->note = xasprintf("accel: kvm for %s (the kvm probe passed)",
				    arch_info(h->arch)->name);
		return;
	}
	h->note = xasprintf("note: kvm not usable (%s); using tcg (ACCEL=kvm to insist)", why);
	if (p == KVM_NOT_USABLE)
		fprintf(stderr, "vmunit-run: %s\n", h->note);
}

/*
 * One run per log directory: a second one would interleave its logs.  The
 * lock (LOGDIR/.lock, holding the PID) is held until the runner exits.
 */
static void lock_logdir(const char *dir)
{
	char *path = path_join(dir, ".lock"), pid[32] = "";
	int fd;

	if (mkdir_p(dir))
		die("%s: cannot create the log directory: %m", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %m", path);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (read(fd, pid, sizeof(pid) - 1) > 0)
			pid[strcspn(pid, "\n")] = '\0';
		die("%s is in use by another run (PID %s); wait for it or use --logdir",
		    dir, *pid ? pid : "?");
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0)
		die("%s: %m", path);
	free(path);
}

/* ---- modes ---- */

/* What the run's callbacks reach. */
struct run_ctx {
	struct report *rep;
	struct box *box;		/* run in it, or NULL */
	bool records;			/* --box-inner: a record per test on stdout */
	struct baseline *baseline;	/* or NULL */
	const char *write_baseline;	/* or NULL */
};

static void on_line(void *ctx, const struct test *t, const char *line)
{
	report_guest_line(((struct run_ctx *)ctx)->rep, t, line);
}

static void on_done(void *ctx, const struct result *r)
{
	struct run_ctx *c = ctx;

	report_result(c->rep, r);
	if (c->records)
		box_record_write(stdout, r);
	if (c->write_baseline)
		baseline_note(c->baseline, r);
}

static void on_started(void *ctx, const struct test *t)
{
	struct run_ctx *c = ctx;

	report_started(c->rep, t);
	if (c->records) {
		printf("%s%s\n", BOX_START_TAG, t->entry);
		fflush(stdout);
	}
}

/* --write-baseline, for a run that went to its end; true when it failed. */
static bool write_baseline(const struct run_ctx *c)
{
	struct err e;

	if (!c->write_baseline || !baseline_write(c->baseline, c->write_baseline, &e))
		return false;
	fprintf(stderr, "vmunit-run: %s\n", e.msg);
	return true;
}

/* 0 nothing failed, 1 a test failed, 2 output lost, 128+N interrupted. */
static int run_and_report(const struct test *tests, size_t n, unsigned jobs,
			  struct run_ctx *c, bool passthrough, bool bisect)
{
	struct run_opts ro = {
		.jobs = jobs, .passthrough = passthrough, .line = on_line,
		.done = on_done, .started = on_started, .ctx = c, .baseline = c->baseline,
	};
	struct report *rep = c->rep;
	struct batch_end end;
	bool lost;

	report_begin(rep, n);
	end = c->box ? box_run(c->box, tests, n, &ro) : run_batch(tests, n, &ro);
	report_end(rep, end.signal);
	lost = report_close(rep) | (end.log_errors != 0);
	if (end.signal) {
		fprintf(stderr, "vmunit-run: interrupted by SIG%s; unfinished tests not reported%s\n",
			sigabbrev_np(end.signal) ?: "?",
			c->write_baseline ? ", no baseline written" : "");
		return 128 + end.signal;
	}
	lost |= write_baseline(c);
	if (lost) {
		fputs("vmunit-run: results were not written in full (see above)\n", stderr);
		return bad_input_status;
	}
	if (bisect)	/* a failure that ran, or nothing that ran and passed */
		return rep->failed > rep->unstarted ? 1 :
		       rep->unstarted || !(rep->passed + rep->xfailed) ? EXIT_BISECT_SKIP : 0;
	return rep->failed ? 1 : 0;
}

static void list_tests(const struct selection *sel)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct cfg_entry *t = sel->v[i].entry;

		printf("%-32s %-7s %s\n", t->name, arch_info(sel->v[i].arch)->name,
		       t->groups ? t->groups : "");
	}
}

static void dry_run(const struct test *tests, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *cmd;

		if (tests[i].skip) {
			printf("# %s: SKIP (%s)\n", tests[i].name, tests[i].skip);
			continue;
		}
		cmd = shell_quote_argv(tests[i].argv.v);
		printf("%s\n", cmd);
		free(cmd);
	}
}

/* "nodefault: 2 entries left out (...): x86_64/a, arm64/a", or NULL. */
static char *left_out(const struct strv *names)
{
	char *buf;
	size_t len;
	FILE *f;

	if (!names->n)
		return NULL;
	f = xopen_memstream(&buf, &len);
	fprintf(f, "nodefault: %zu %s left out (--all, a group or a name runs %s):", names->n,
		names->n == 1 ? "entry" : "entries", names->n == 1 ? "it" : "them");
	for (size_t i = 0; i < names->n; i++)
		fprintf(f, "%s %s", i ? "," : "", names->v[i]);
	return xclose_memstream(f, &buf);
}

static struct report make_report(const struct opts *o, const char *note)
{
	struct report r = { .console = stdout, .verbose = o->verbose, .note = note,
			    .progress = !o->tap && !o->no_progress && isatty(STDOUT_FILENO) };

	if (o->tap) {
		r.console = NULL;
		r.tap = stdout;
		r.tap_name = "stdout";
	} else if (o->tap_file) {
		char *dir = xstrdup(o->tap_file);

		mkdir_p(dirname(dir));
		free(dir);
		r.tap = fopen(o->tap_file, "we");
		r.tap_name = o->tap_file;
		if (!r.tap)
			die("%s: %m", o->tap_file);
	}
	return r;
}

/* $BOX_BOOT_TIMEOUT-like seconds, or dflt when unset. */
static double timeout_seconds(const char *s, double dflt)
{
	unsigned v;

	if (!s)
		return dflt;
	if (parse_uint(s, 1, 3600, &v))
		die("timeout '%s': want seconds from 1 to 3600", s);
	return v;
}

/* An absolute path of an existing file or directory, for the runner inside the box. */
static char *absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p)
		die("%s: %m", path);
	return p;
}

/*
 * --box: the kernel cache made, the L0 command line built (box.h); the
 * tests run under kvm inside L1, so the accelerator is kvm and nothing
 * is probed.  h->note names the platform.
 */
static struct box *box_setup(const struct opts *o, const struct selection *sel, struct host *h,
			     char **paths)
{
	unsigned mask = arch_mask(o);
	enum arch a = __builtin_ctz(mask);
	struct box_opts bo = { .kernel = o->box, .modules = o->box_modules, .cmdline = o->box_append,
			       .vmm = o->box_vmm,
			       .timeout_factor = h->tcg_factor, .timeout_s = h->timeout_s,
			       .boot_timeout_s = timeout_seconds(env_or("BOX_BOOT_TIMEOUT", NULL),
								 BOX_BOOT_TIMEOUT_S) };
	struct box *b;
	struct err e;

	if (mask & (mask - 1))
		die("--box runs one arch at a time: give -a x86_64 or -a arm64");
	if (a == ARCH_S390X)
		die("--box: no box for s390x (x86_64 and arm64 have one)");
	if (o->box_vmm && a != ARCH_X86_64)
		die("--box-vmm bochs: the Intel box is x86_64's");
	if (h->accel == ACCEL_TCG || used_arches(h, sel, VMM_BOCHS))
		die("--box runs the tests under QEMU with kvm inside L1: not with --accel tcg or Bochs");
	h->accel = ACCEL_KVM;
	mkdir_p(o->logdir);
	paths[0] = absolute("/proc/self/exe");
	paths[1] = absolute(o->srcdir);
	paths[2] = absolute(o->builddir);
	paths[3] = o->cfg ? absolute(o->cfg) : path_join(paths[1], "unittests.cfg");
	paths[4] = absolute(o->logdir);
	for (int i = 0; i < 5; i++)
		if (strchr(paths[i], '\n') || strchr(paths[i], ' '))
			die("--box: '%s' has a blank or a newline in its path", paths[i]);
	bo.runner = paths[0];
	bo.srcdir = paths[1];
	bo.builddir = paths[2];
	bo.cfg = paths[3];
	bo.logdir = paths[4];
	paths[5] = strndup(paths[3], strrchr(paths[3], '/') - paths[3]);
	bo.cfgdir = *paths[5] ? paths[5] : "/";
	b = box_prepare(&bo, a, h->qemu[a], &e);
	if (!b)
		die("%s", e.msg);
	h->note = xasprintf("platform: %s", box_platform(b));
	return b;
}

static int run_selection(const struct opts *o, const struct selection *sel)
{
	struct test *tests = xmalloc(sel->n * sizeof(*tests));
	char *qemus[ARCH_NR] = { 0 }, *bochs, *paths[6] = { 0 }, *box_baseline = NULL;
	struct run_ctx ctx = { .write_baseline = o->write_baseline, .records = o->box_inner };
	struct report rep = { 0 };
	struct host h;
	struct err e;
	int status = 0;

	if (o->box && !o->baseline)	/* the known failures of the box's KVMs */
		box_baseline = path_join(o->srcdir, "runner/box.baseline");
	if ((o->baseline || o->write_baseline || box_baseline) &&
	    !(ctx.baseline = baseline_load(o->baseline ? o->baseline : box_baseline, &e)))
		die("%s", e.msg);
	host_facts(o, &h);
	if (!o->dry_run)
		reaper_start();
	h.multi_arch = (arch_mask(o) & (arch_mask(o) - 1)) != 0;
	find_qemus(o, sel, &h, qemus);
	bochs = find_bochs(sel, &h);
	if (o->box)
		ctx.box = box_setup(o, sel, &h, paths);
	if (ctx.baseline && ctx.box)
		baseline_box(ctx.baseline, o->box, box_l0(ctx.box));
	if (!o->dry_run && !o->box_inner)
		lock_logdir(o->logdir);
	else if (o->dry_run)
		h.logdir = NULL;
	if (!o->box)
		choose_accel(&h, used_arches(&h, sel, VMM_QEMU));
	for (size_t i = 0; i < sel->n; i++)
		if (plan_test(&h, &sel->v[i], &tests[i], &e))
			die("%s", e.msg);
	if (o->dry_run) {
		if (ctx.box) {
			char *cmd = box_command(ctx.box);

			printf("# %s\n%s\n# inside L1:\n", h.note, cmd);
			free(cmd);
		}
		dry_run(tests, sel->n);
	} else {
		rep = make_report(o, h.note);
		if (o->box_inner)
			rep.console = NULL;
		rep.platform = ctx.box != NULL;
		rep.left_out = left_out(&sel->left_out);
		if (o->json && !(rep.json = json_out_begin(o->json, &h, &e)))
			die("%s", e.msg);
		if (o->junit && !(rep.junit = junit_begin(o->junit, ctx.box ? box_platform(ctx.box) : NULL, &e)))
			die("%s", e.msg);
		ctx.rep = &rep;
		status = run_and_report(tests, sel->n, o->jobs, &ctx, false, o->bisect);
	}
	free(rep.left_out);
	baseline_free(ctx.baseline);
	box_free(ctx.box);
	for (size_t i = 0; i < sel->n; i++)
		plan_free(&tests[i]);
	free(tests);
	for (int a = 0; a < ARCH_NR; a++)
		free(qemus[a]);
	for (int i = 0; i < 6; i++)
		free(paths[i]);
	free(box_baseline);
	free(bochs);
	free((char *)h.note);
	return status;
}

/* --payload: arch from -a, else the payload's directory, else the default. */
static enum arch payload_arch(const struct opts *o)
{
	char *copy = xstrdup(o->payload);
	int a = arch_from_dir(basename(dirname(copy)));
	unsigned mask;

	free(copy);
	if (!o->arch && a >= 0)
		return a;
	mask = arch_mask(o);
	if (mask & (mask - 1))
		die("--payload runs one arch: give -a ARCH");
	return __builtin_ctz(mask);
}

static int run_payload(const struct opts *o)
{
	struct sel fake = { .arch = payload_arch(o) };
	struct selection sel = { .v = &fake, .n = 1 };
	struct report rep = { .console = stdout };
	struct run_ctx ctx = { .rep = &rep };
	char *qemus[ARCH_NR] = { 0 }, *bochs;
	struct test t;
	struct host h;
	struct err e;
	int status;

	host_facts(o, &h);
	if (!o->dry_run)
		reaper_start();
	h.logdir = NULL;
	find_qemus(o, &sel, &h, qemus);
	bochs = find_bochs(&sel, &h);
	choose_accel(&h, used_arches(&h, &sel, VMM_QEMU));
	if (plan_payload(&h, fake.arch, o->payload, o->append, o->args, &t, &e))
		die("%s", e.msg);
	status = 0;
	if (o->dry_run)
		dry_run(&t, 1);
	else
		status = run_and_report(&t, 1, 1, &ctx, true, o->bisect);
	plan_free(&t);
	free(qemus[fake.arch]);
	free(bochs);
	free((char *)h.note);
	return status;
}

static int run_cfg(const struct opts *o)
{
	struct sel_opts so = {
		.arch_mask = arch_mask(o), .group = o->group, .all = o->all,
		.patterns = o->args, .npatterns = o->nargs,
	};
	struct err se;
	char *path = o->cfg ? xstrdup(o->cfg) : path_join(o->srcdir, "unittests.cfg");
	struct selection sel;
	struct cfg cfg;
	struct err e;
	int status = 0;

	if (o->shard && parse_shard(o->shard, &so.shard, &so.nshards, &se))
		die("%s", se.msg);
	if (cfg_load(path, &cfg, &e))
		die("%s", e.msg);
	free(path);
	if (o->check_cfg) {
		status = check_cfg(&cfg, o->srcdir, so.arch_mask, stdout) ? EXIT_BAD_INPUT : 0;
	} else if (select_tests(&cfg, &so, &sel, &e)) {
		die("%s", e.msg);
	} else if (!sel.n && so.nshards) {
		printf("no test in shard %u/%u\n0 passed, 0 failed, 0 skipped\n", so.shard,
		       so.nshards);
		status = o->bisect ? EXIT_BISECT_SKIP : 0;
	} else if (!sel.n) {
		die("no test selected (arch %s%s%s)", o->arch ? o->arch : "of the host",
		    o->group ? ", group " : "", o->group ? o->group : "");
	} else {
		if (o->list)
			list_tests(&sel);
		else
			status = run_selection(o, &sel);
		selection_free(&sel);
	}
	cfg_free(&cfg);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o;

	parse_options(argc, argv, &o);
	if (o.payload)
		return run_payload(&o);
	return run_cfg(&o);
}
