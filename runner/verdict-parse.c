#define _GNU_SOURCE
#include "verdict-parse.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "util.h"

static const char *const check_names[] = VM_CHECK_NAMES;
static const char *const verdict_names[] = VM_VERDICT_NAMES;

_Static_assert(sizeof(check_names) / sizeof(check_names[0]) == CHECK_NR_KINDS,
	       "VM_CHECK_NAMES matches enum check_kind");
_Static_assert(sizeof(verdict_names) / sizeof(verdict_names[0]) == V_NR_VERDICTS,
	       "VM_VERDICT_NAMES matches enum verdict");

const char *verdict_name(enum verdict v)
{
	return v < V_NR_VERDICTS ? verdict_names[v] : "?";
}

int verdict_from_name(const char *name)
{
	for (int v = 0; v < V_NR_VERDICTS; v++)
		if (!strcasecmp(name, verdict_names[v]))
			return v;
	return -1;
}

size_t check_name_len(const char *msg)
{
	size_t n = strlen(msg), depth = 0;

	if (!n || msg[n - 1] != ')')
		return n;
	for (size_t i = n; i-- > 0;) {
		if (msg[i] == ')')
			depth++;
		else if (msg[i] == '(' && !--depth)
			return i && msg[i - 1] == ' ' ? i - 1 : n;
	}
	return n;
}

const char *check_kind_name(enum check_kind k)
{
	return k < CHECK_NR_KINDS ? check_names[k] : "?";
}

void vp_init(struct vparse *vp)
{
	*vp = (struct vparse){ 0 };
}

void vp_free(struct vparse *vp)
{
	for (size_t i = 0; i < vp->nchecks; i++)
		free(vp->checks[i].msg);
	free(vp->checks);
	free(vp->error);
	free(vp->after_exit_first);
	free(vp->qemu_msg);
	free(vp->flood);
	free(vp->migration);
	free(vp->fatal);
	vp_init(vp);
}

/* "TAG: rest" or "TAG" alone: the rest, else NULL. */
static const char *after_tag(const char *line, const char *tag)
{
	size_t n = strlen(tag);

	if (strncmp(line, tag, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	return line + strspn(line, " ");
}

void vp_add_check(struct vparse *vp, enum check_kind kind, const char *msg)
{
	size_t len = strlen(msg);

	vp->count[kind]++;
	if (vp->flood)
		return;
	if (vp->nchecks == VP_MAX_CHECKS || vp->msg_bytes + len > VP_MAX_MSG_BYTES) {
		vp_flood(vp, vp->nchecks == VP_MAX_CHECKS ? "100000 check lines" : "16 MiB of check text");
		return;
	}
	if (vp->nchecks == vp->cap) {
		vp->cap = vp->cap ? 2 * vp->cap : 32;
		vp->checks = xrealloc(vp->checks, vp->cap * sizeof(*vp->checks));
	}
	vp->checks[vp->nchecks++] = (struct check){ .kind = kind, .msg = xstrdup(msg) };
	vp->msg_bytes += len;
}

static int check_kind(const char *line, const char **msg)
{
	for (int k = 0; k < CHECK_NR_KINDS; k++)
		if ((*msg = after_tag(line, check_names[k])))
			return k;
	return -1;
}

static void parse_summary(struct vparse *vp, const char *line)
{
	char extra;

	vp->have_summary = true;
	vp->summary_bad = sscanf(line, VM_SUMMARY_FMT "%c", &vp->sum_tests,
				 &vp->sum_unexpected, &vp->sum_expected,
				 &vp->sum_skipped, &vp->sum_notrun, &extra) != 5;
}

static void parse_exit(struct vparse *vp, const char *line)
{
	char extra;

	if (sscanf(line, VM_EXIT_FMT "%c", &vp->status, &extra) == 1)
		vp->have_exit = true;
}

/*
 * Past the terminal control sequences (ESC [ parameters, intermediates,
 * final byte: ECMA-48 CSI) a line starts with: UEFI firmware clears its
 * serial console with them, and the payload's first line follows.
 */
static const char *skip_csi(const char *s)
{
	while (s[0] == '\033' && s[1] == '[') {
		const char *p = s + 2;

		p += strspn(p, "0123456789:;<=>?");
		p += strspn(p, " !\"#$%&'()*+,-./");
		if (*p < 0x40 || *p > 0x7e)
			break;
		s = p + 1;
	}
	return s;
}

/*
 * The line without '\r's around it (serial "\r\n"), leading control
 * sequences or trailing blanks.
 */
static char *clean_line(const char *line)
{
	char *s = xstrdup(skip_csi(line + strspn(line, "\r")));
	size_t n = strlen(s);

	while (n && strchr("\r \t", s[n - 1]))
		s[--n] = '\0';
	return s;
}

void vp_migration_failed(struct vparse *vp, const char *why)
{
	if (!vp->migration)
		vp->migration = xstrdup(why);
}

void vp_flood(struct vparse *vp, const char *what)
{
	if (!vp->flood)
		vp->flood = xstrdup(what);
}

/*
 * QEMU's fatal errors, as its KVM code prints them to stderr (accel/kvm
 * and target/.../kvm): the VM is paused or QEMU gives up; nothing the guest
 * does afterwards counts.
 */
static const char *const fatal_starts[] = {
	"KVM internal error.",		/* "Suberror: 1" = emulation failure */
	"KVM: entry failed, hardware error",
	"error: kvm run failed",
	"KVM: unknown exit reason",
	"kvm: unhandled exit",
};

/*
 * UEFI firmware's own exception handlers (AAVMF's, OVMF's): they print a
 * dump and spin, so the line alone ends the run.
 */
static const char *const firmware_fatal_starts[] = {
	"Synchronous Exception at 0x",
	"!!!! X64 Exception Type - ",
};

/* The instruction behind the first code byte, for the common culprits. */
static const char *insn_name(const char *bytes)
{
	static const struct { const char *bytes, *name; } insns[] = {
		{ "cc", "INT3" }, { "0f 0b", "UD2" }, { "f4", "HLT" },
		{ "0f a2", "CPUID" }, { "0f 32", "RDMSR" }, { "0f 30", "WRMSR" },
		{ "0f 38 f0", "MOVBE" }, { "0f 38 f1", "MOVBE" }, { "cd", "INT n" },
		{ "0f 01", "a system instruction (0f 01)" },
	};

	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		if (!strncmp(bytes, insns[i].bytes, strlen(insns[i].bytes)))
			return insns[i].name;
	return NULL;
}

/* After a fatal line: the register dump's RIP= and Code=... <xx> ... */
static void parse_fatal_dump(struct vparse *vp, const char *line)
{
	const char *p;

	if ((p = strstr(line, "RIP=")) || (p = strstr(line, "PC=")))
		sscanf(strchr(p, '=') + 1, "%llx", &vp->rip);
	if (!strncmp(line, "Code=", 5)) {
		const char *end;

		p = strchr(line, '<');
		if (p)
			snprintf(vp->code, sizeof(vp->code), "%.8s", p + 1);
		vp->code[strcspn(vp->code, ">")] = '\0';
		end = p ? strchr(p, '>') : NULL;
		if (end && end[1] && end[2]) {	/* bytes after "<xx>" (found by tests/fuzz) */
			end += 1 + (end[1] == ' ');
			snprintf(vp->code + strlen(vp->code), sizeof(vp->code) - strlen(vp->code),
				 " %.11s", end);
		}
		vp->fatal_done = true;
	}
	if (!strcmp(line, "emulation failure") && !strstr(vp->fatal, "emulation")) {
		char *s = xasprintf("%s (emulation failure)", vp->fatal);

		free(vp->fatal);
		vp->fatal = s;
	}
}

static bool parse_fatal(struct vparse *vp, const char *line)
{
	for (size_t i = 0; i < sizeof(fatal_starts) / sizeof(fatal_starts[0]); i++)
		if (!strncmp(line, fatal_starts[i], strlen(fatal_starts[i]))) {
			if (!vp->fatal)
				vp->fatal = xstrdup(line);
			return true;
		}
	for (size_t i = 0; i < sizeof(firmware_fatal_starts) / sizeof(firmware_fatal_starts[0]); i++)
		if (!vp->fatal && !strncmp(line, firmware_fatal_starts[i],
					   strlen(firmware_fatal_starts[i]))) {
			vp->fatal = xasprintf("UEFI firmware: %s", line);
			vp->fatal_done = true;
			return true;
		}
	if (vp->fatal)
		parse_fatal_dump(vp, line);
	return vp->fatal != NULL;
}

/* warn_report()'s "warning: ...", also after an option's location ("-accel kvm: "). */
static bool qemu_warning(const char *msg)
{
	return !strncmp(msg, "warning:", 8) || strstr(msg, ": warning:");
}

/*
 * "qemu-system-x86_64: msg": QEMU's own message (error_report()); the
 * first that is not a warning, which an error after it replaces.
 */
bool vp_qemu_line(struct vparse *vp, const char *line)
{
	size_t n = vp->qemu_name ? strlen(vp->qemu_name) : 0;
	const char *msg = line + n + 1;

	if (!n || strncmp(line, vp->qemu_name, n) || line[n] != ':')
		return false;
	msg += strspn(msg, " ");
	if (!vp->qemu_msg || (vp->qemu_msg_warning && !qemu_warning(msg))) {
		free(vp->qemu_msg);
		vp->qemu_msg = xstrdup(msg);
		vp->qemu_msg_warning = qemu_warning(msg);
	}
	return true;
}

/*
 * QEMU refusing, before the guest starts, what the host's KVM lacks (its
 * messages): not a crash but an absent feature, a SKIP naming it.
 */
static bool kvm_lacks(const char *msg)
{
	static const char *const lacks[] = {
		"is not supported by kernel",	/* a Hyper-V enlightenment (hv-*) */
		"KVM does not support ",	/* arm64: virtualization=on, GICv2 */
	};

	for (size_t i = 0; msg && i < sizeof(lacks) / sizeof(lacks[0]); i++)
		if (strstr(msg, lacks[i]))
			return true;
	return false;
}

static void after_exit(struct vparse *vp, const char *line)
{
	const char *msg;

	if (check_kind(line, &msg) < 0 && !after_tag(line, VM_ERROR_TAG) &&
	    strncmp(line, "SUMMARY:", 8) && strncmp(line, "EXIT:", 5))
		return;
	if (!vp->after_exit++)
		vp->after_exit_first = xstrdup(line);
}

void vp_line(struct vparse *vp, const char *raw)
{
	char *line = clean_line(raw);
	const char *rest;
	int k;

	if ((vp->own_line ? vp->own_line : vp_qemu_line)(vp, line) || parse_fatal(vp, line)) {
		free(line);
		return;
	}
	vp->guest_lines++;
	if (vp->have_exit)
		after_exit(vp, line);
	else if ((k = check_kind(line, &rest)) >= 0)
		vp_add_check(vp, k, rest);
	else if ((rest = after_tag(line, VM_ERROR_TAG))) {
		if (!vp->error)
			vp->error = xstrdup(*rest ? rest : "(no reason given)");
	} else if (!strncmp(line, "SUMMARY:", 8))
		parse_summary(vp, line);
	else if (!strncmp(line, "EXIT:", 5))
		parse_exit(vp, line);
	free(line);
}

void vp_event(struct vparse *vp, const char *event, const char *reason)
{
	if (!strcmp(event, "SHUTDOWN") && reason && !strcmp(reason, "guest-reset"))
		vp->reset = true;
	else if (!strcmp(event, "STOP"))
		vp->stopped = true;
	else if (!strcmp(event, "GUEST_PANICKED"))
		vp->panicked = true;
}

bool vp_fatal(const struct vparse *vp)
{
	return vp->fatal || vp->flood || vp->migration || vp->after_exit || (vp->stopped && !vp->have_exit);
}

/* ---- the decision ---- */

struct why {
	char *buf;
	size_t len;
	enum verdict v;		/* what say() said */
};

static enum verdict say(struct why *w, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum verdict say(struct why *w, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->buf, w->len, fmt, ap);
	va_end(ap);
	w->v = v;
	return v;
}

static unsigned failed(const struct vparse *vp)
{
	return vp->count[CHECK_FAIL] + vp->count[CHECK_XPASS];
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * The status the check lines call for, decided here on its own rather than
 * with the guest's vm_status_from_counts(): that rule is what this
 * cross-checks, so a bug in it cannot fool both sides.  nchecks > 0.
 */
static int status_from_checks(const struct vparse *vp)
{
	if (failed(vp))
		return VM_STATUS_FAIL;
	return vp->count[CHECK_SKIP] + vp->count[CHECK_NOTRUN] == vp->nchecks ? VM_STATUS_SKIP
									     : VM_STATUS_PASS;
}

/* What the summary claims versus what the check lines said; 0 if equal. */
static int summary_mismatch(const struct vparse *vp, char *buf, size_t len)
{
	const struct { const char *what; unsigned said, seen; } f[] = {
		{ "tests", vp->sum_tests, vp->nchecks },
		{ "unexpected failures", vp->sum_unexpected, failed(vp) },
		{ "expected failures", vp->sum_expected, vp->count[CHECK_XFAIL] },
		{ "skipped", vp->sum_skipped, vp->count[CHECK_SKIP] },
		{ "not run", vp->sum_notrun, vp->count[CHECK_NOTRUN] },
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && off < len; i++)
		if (f[i].said != f[i].seen)
			off += snprintf(buf + off, len - off, "%s%u %s (%u seen)",
					off ? ", " : "", f[i].said, f[i].what,
					f[i].seen);
	return off != 0;
}

/* The status the check counts call for. */
static enum verdict skip_reasons(const struct vparse *vp, struct why *w)
{
	size_t off = 0;

	w->buf[0] = '\0';
	for (size_t i = 0; i < vp->nchecks && off + 1 < w->len; i++)
		if (vp->checks[i].kind == CHECK_SKIP || vp->checks[i].kind == CHECK_NOTRUN)
			off += snprintf(w->buf + off, w->len - off, "%s%s",
					off ? "; " : "", vp->checks[i].msg);
	return V_SKIP;
}

/* ", 2 skipped, 1 not run": what else the checks were, appended at off. */
static void check_tally(const struct vparse *vp, struct why *w, int off)
{
	unsigned xfail = vp->count[CHECK_XFAIL], skip = vp->count[CHECK_SKIP];
	unsigned notrun = vp->count[CHECK_NOTRUN];

	if (xfail)
		off += snprintf(w->buf + off, w->len - off, ", %u %s", xfail,
				plural(xfail, "expected failure", "expected failures"));
	if (skip)
		off += snprintf(w->buf + off, w->len - off, ", %u skipped", skip);
	if (notrun)
		snprintf(w->buf + off, w->len - off, ", %u not run", notrun);
}

/*
 * Nothing failed: PASS, unless no check passed but some failed as known
 * (a deviation of the platform and SKIPs): then that is the result, XFAIL.
 */
static enum verdict pass_summary(const struct vparse *vp, struct why *w)
{
	unsigned n = vp->nchecks;
	size_t i = 0;

	if (vp->count[CHECK_PASS] || !vp->count[CHECK_XFAIL]) {
		check_tally(vp, w, snprintf(w->buf, w->len, "%u %s", n,
					    plural(n, "check", "checks")));
		return V_PASS;
	}
	while (i < vp->nchecks - 1 && vp->checks[i].kind != CHECK_XFAIL)
		i++;
	check_tally(vp, w, snprintf(w->buf, w->len, "no check passed: %s", vp->checks[i].msg));
	return V_XFAIL;
}

enum verdict vp_recount(const struct vparse *vp, char *reason, size_t len)
{
	struct why w = { reason, len, V_PASS };

	if (failed(vp)) {
		snprintf(reason, len, "%u of %zu checks failed", failed(vp), vp->nchecks);
		return V_FAIL;
	}
	return pass_summary(vp, &w);
}

/* " after 10 checks", or nothing before the first check. */
static const char *checks_seen(const struct vparse *vp, char *buf, size_t len)
{
	size_t n = vp->nchecks;

	buf[0] = '\0';
	if (n)
		snprintf(buf, len, " after %zu %s", n, plural(n, "check", "checks"));
	return buf;
}

/* " at INT3, rip 0x100110" from the register dump after a fatal line. */
static void fatal_where(const struct vparse *vp, char *buf, size_t len)
{
	const char *insn = insn_name(vp->code);
	size_t off = 0;

	buf[0] = '\0';
	if (insn)
		off += snprintf(buf + off, len - off, " at %s", insn);
	if (vp->rip)
		off += snprintf(buf + off, len - off, "%s rip %#llx", off ? "," : " at", vp->rip);
	if (*vp->code && !insn)
		snprintf(buf + off, len - off, ", code %s", vp->code);
}

/*
 * QEMU or KVM gave up, the output flooded or went on after EXIT (the
 * runner then cuts the test short), or the VM stopped, reset or panicked.
 */
static int fatal_verdict(const struct vparse *vp, struct why *w)
{
	char after[64], where[128];

	checks_seen(vp, after, sizeof(after));
	if (vp->flood)
		return say(w, V_ERROR, "output flood: more than %s%s; output cut off",
			   vp->flood, after), 1;
	if (vp->migration)
		return say(w, V_ERROR, "migration: %s%s", vp->migration, after), 1;
	if (vp->fatal) {
		fatal_where(vp, where, sizeof(where));
		return say(w, V_ERROR, "%s%s%s", vp->fatal, where, after), 1;
	}
	if (vp->after_exit)	/* the runner ends the test then */
		return say(w, V_ERROR, "output after EXIT: %u %s, the first \"%s\"",
			   vp->after_exit, plural(vp->after_exit, "line", "lines"),
			   vp->after_exit_first), 1;
	if (vp->have_exit)
		return 0;
	if (vp->stopped)
		return say(w, V_ERROR, "the VM stopped (QMP STOP) without a fatal message%s", after), 1;
	if (vp->panicked)
		return say(w, V_ERROR, "guest panic (QMP GUEST_PANICKED)%s", after), 1;
	if (vp->reset)
		return say(w, V_ERROR, "the guest reset the machine (a triple fault on x86)%s", after), 1;
	return 0;
}

bool vp_unstarted(const struct vparse *vp, const struct qemu_end *end)
{
	return !end->timed_out && !vp->guest_lines && !vp->fatal && !vp->reset &&
	       (WIFSIGNALED(end->wstatus) || WEXITSTATUS(end->wstatus));
}

/* The checks that need only how QEMU ended: TIMEOUT, CRASH. */
static int process_verdict(const struct vparse *vp, const struct qemu_end *end,
			   struct why *w)
{
	int ws = end->wstatus, sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
	const char *msg = vp->qemu_msg, *colon = msg ? ": " : "", *vmm = end->vmm ?: "QEMU";
	char how[64];

	if (sig)
		snprintf(how, sizeof(how), "killed by signal %d (SIG%s)", sig,
			 sigabbrev_np(sig) ?: "?");
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(ws));
	if (end->timed_out && vp->have_exit)
		say(w, V_TIMEOUT, "EXIT seen, %s did not exit within %g s", vmm, end->timeout_s);
	else if (end->timed_out)
		say(w, V_TIMEOUT, "no verdict after %g s", end->timeout_s);
	else if (vp_unstarted(vp, end) && kvm_lacks(msg))
		say(w, V_SKIP, "the host's KVM lacks what the entry asks for (%s)", msg);
	else if (vp_unstarted(vp, end))
		say(w, V_CRASH, "%s could not start (%s)%s%s", vmm, how, colon, msg ? msg : "");
	else if (sig)
		say(w, V_CRASH, "%s %s%s%s", vmm, how, colon, msg ? msg : "");
	else if (!vp->have_exit)
		say(w, V_CRASH, "no EXIT line; %s %s%s%s", vmm, how, colon, msg ? msg : "");
	else
		return 0;
	return 1;
}

/* The exit device's status, when the arch has one, must match EXIT. */
static int exit_device_mismatch(const struct vparse *vp,
				const struct qemu_end *end, struct why *w)
{
	int code = WEXITSTATUS(end->wstatus), dev;

	if (!end->decode_exit)
		return 0;
	dev = end->decode_exit(code);
	if (dev == EXIT_NONZERO) {
		if (vp->status != 0)
			return 0;
		say(w, V_ERROR, "QEMU exit status %d says the guest failed, EXIT line says STATUS=0",
		    code);
		return 1;
	}
	if (dev < 0)
		say(w, V_ERROR, "QEMU exited with status %d, not through the exit device (EXIT line says STATUS=%d)",
		    code, vp->status);
	else if (dev != vp->status)
		say(w, V_ERROR, "exit device reported status %d, EXIT line says STATUS=%d",
		    dev, vp->status);
	return dev != vp->status;
}

/*
 * In order: timed out -> TIMEOUT; QEMU refused a feature the host's KVM lacks
 * before the guest started -> SKIP; QEMU killed by a signal -> CRASH; no EXIT
 * line -> CRASH; SUMMARY missing or disagreeing with the check lines ->
 * ERROR; exit device disagreeing with EXIT -> ERROR; unknown status ->
 * ERROR; status 3 -> ERROR (the guest's reason); an ERROR line with another
 * status -> ERROR; no checks -> ERROR; status
 * inconsistent with the counts -> ERROR; then status 1 FAIL, 2 SKIP, 0 PASS.
 */
enum verdict vp_verdict(const struct vparse *vp, const struct qemu_end *end,
			char *reason, size_t len)
{
	struct why w = { reason, len, V_ERROR };
	char buf[256];
	int want;

	if (fatal_verdict(vp, &w) || process_verdict(vp, end, &w))
		return w.v;
	if (!vp->have_summary)
		return say(&w, V_ERROR, "no SUMMARY line");
	if (vp->summary_bad)
		return say(&w, V_ERROR, "malformed SUMMARY line");
	if (summary_mismatch(vp, buf, sizeof(buf)))
		return say(&w, V_ERROR, "SUMMARY disagrees with the check lines: %s", buf);
	if (exit_device_mismatch(vp, end, &w))
		return V_ERROR;
	if (vp->status < VM_STATUS_PASS || vp->status > VM_STATUS_ERROR)
		return say(&w, V_ERROR, "unknown EXIT status %d", vp->status);
	if (vp->status == VM_STATUS_ERROR)
		return say(&w, V_ERROR, "%s", vp->error ? vp->error : "guest reported ERROR");
	if (vp->error)
		return say(&w, V_ERROR, "guest printed ERROR (%s) but EXIT STATUS=%d",
			   vp->error, vp->status);
	if (!vp->nchecks)
		return say(&w, V_ERROR, "no checks reported");
	want = status_from_checks(vp);
	if (vp->status != want)
		return say(&w, V_ERROR, "EXIT STATUS=%d but the checks say %d (%u of %zu failed, %u skipped)",
			   vp->status, want, failed(vp), vp->nchecks,
			   vp->count[CHECK_SKIP]);
	if (vp->status == VM_STATUS_FAIL) {
		say(&w, V_FAIL, "%u of %zu checks failed", failed(vp), vp->nchecks);
		if (vp->count[CHECK_NOTRUN])
			snprintf(reason + strlen(reason), len - strlen(reason), ", %u not run",
				 vp->count[CHECK_NOTRUN]);
		return V_FAIL;
	}
	if (vp->status == VM_STATUS_SKIP)
		return skip_reasons(vp, &w);
	if (vp->migrate && !vp->migrated)
		return say(&w, V_ERROR, "a migration entry (cfg migration = 1) that never migrated");
	return pass_summary(vp, &w);
}

void verdict_line(char *buf, size_t len, enum verdict v, const char *name,
		  const char *reason)
{
	if (reason && *reason)
		snprintf(buf, len, "%s %s (%s)", verdict_name(v), name, reason);
	else
		snprintf(buf, len, "%s %s", verdict_name(v), name);
}

enum verdict apply_expect(int expect, const char *want_reason, enum verdict v,
			  char *reason, size_t len)
{
	char *was;

	if (expect < 0)
		return v;
	if ((enum verdict)expect != v || (want_reason && !strstr(reason, want_reason))) {
		was = xstrdup(reason);
		snprintf(reason, len, "expected %s%s%s, got %s%s%s", verdict_name(expect),
			 want_reason ? ": " : "", want_reason ? want_reason : "",
			 verdict_name(v), *was ? ": " : "", was);
		free(was);
		return V_FAIL;
	}
	was = xstrdup(reason);
	snprintf(reason, len, "expected %s%s%s", verdict_name(v), *was ? ": " : "",
		 was);
	free(was);
	return V_PASS;
}
