#define _GNU_SOURCE
#include "qemu.h"
#include "verdict-parse.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* x86 isa-debug-exit: the guest writes s, QEMU exits with (s << 1) | 1. */
static int x86_decode_exit(int code)
{
	return (code & 1) ? (code - 1) / 2 : -1;
}

static const char *const x86_extra[] = {
	"-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", NULL
};

/* UEFI firmware for -bios where Debian (ovmf, qemu-efi-aarch64) puts it. */
static const char *const x86_efi[] = { "/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd", NULL };
static const char *const arm64_efi[] = { "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd", NULL };

static const char *const no_extra[] = { NULL };

/*
 * s390x: the guest's disabled wait at the shutdown address ends QEMU with
 * 0, at any other address (a failed status) with 1 under
 * -action panic=exit-failure; which status it was only the EXIT line says.
 */
static int s390x_decode_exit(int code)
{
	return code == 0 ? 0 : code == 1 ? EXIT_NONZERO : -1;
}

static const char *const s390x_extra[] = { "-action", "panic=exit-failure", NULL };

static const struct arch_info arches[ARCH_NR] = {
	[ARCH_X86_64] = {
		.name = "x86_64", .uname = "x86_64", .dir = "x86",
		.qemu = "qemu-system-x86_64", .machine = "microvm",
		/* qboot, not SeaBIOS: ~20 ms less per boot (make bench).  Name
		 * it: Debian's QEMU 10 makes microvm default to bios-microvm.bin. */
		.bios = "qboot.rom",
		.efi_machine = "q35", .efi_firmware = x86_efi,
		.extra = x86_extra, .decode_exit = x86_decode_exit,
	},
	[ARCH_ARM64] = {
		.name = "arm64", .uname = "aarch64", .dir = "arm",
		.qemu = "qemu-system-aarch64", .machine = "virt,gic-version=3",
		/* acpi=off: with ACPI, AAVMF gives no device tree */
		.efi_machine = "virt,gic-version=3,acpi=off", .efi_firmware = arm64_efi,
		.extra = no_extra,
	},
	[ARCH_S390X] = {
		.name = "s390x", .uname = "s390x", .dir = "s390x",
		.qemu = "qemu-system-s390x", .machine = "s390-ccw-virtio",
		.extra = s390x_extra, .decode_exit = s390x_decode_exit,
	},
};

const struct arch_info *arch_info(enum arch a)
{
	return &arches[a];
}

int arch_from_name(const char *name)
{
	for (int a = 0; a < ARCH_NR; a++)
		if (!strcmp(name, arches[a].name))
			return a;
	return -1;
}

/* Also uname -m names and the arch dir: kernel developers export ARCH=x86. */
int arch_from_any_name(const char *name)
{
	for (int a = 0; a < ARCH_NR; a++)
		if (!strcmp(name, arches[a].uname) || !strcmp(name, arches[a].dir))
			return a;
	return arch_from_name(name);
}

int arch_from_dir(const char *dir)
{
	for (int a = 0; a < ARCH_NR; a++)
		if (!strcmp(dir, arches[a].dir))
			return a;
	return -1;
}

int arch_host(void)
{
	struct utsname u;

	if (uname(&u))
		return -1;
	return arch_from_any_name(u.machine);
}

int accel_from_name(const char *name)
{
	if (!strcmp(name, "kvm"))
		return ACCEL_KVM;
	if (!strcmp(name, "tcg"))
		return ACCEL_TCG;
	if (!strcmp(name, "auto"))
		return ACCEL_AUTO;
	return -1;
}

const char *accel_name(enum accel a)
{
	return a == ACCEL_KVM ? "kvm" : a == ACCEL_TCG ? "tcg" : "auto";
}

enum accel accel_pick(enum accel override, bool kvm_ok, enum arch test,
		      int host)
{
	if (override != ACCEL_AUTO)
		return override;
	return kvm_ok && (int)test == host ? ACCEL_KVM : ACCEL_TCG;
}

int split_params(const char *s, struct strv *out, struct err *e)
{
	char *word = xmalloc(strlen(s) + 1);
	size_t len = 0;
	int in_word = 0, r = 0;
	char quote = 0;

	for (; *s; s++) {
		if (quote && *s == quote) {
			quote = 0;
		} else if (quote) {
			word[len++] = *s;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
			in_word = 1;
		} else if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (in_word) {
				word[len] = '\0';
				strv_push(out, word);
			}
			len = 0;
			in_word = 0;
		} else {
			word[len++] = *s;
			in_word = 1;
		}
	}
	if (quote)
		r = err_set(e, "unterminated %c quote in qemu_params", quote);
	else if (in_word) {
		word[len] = '\0';
		strv_push(out, word);
	}
	free(word);
	return r;
}

static void push_pair(struct strv *argv, const char *opt, const char *val)
{
	strv_push(argv, opt);
	strv_push(argv, val);
}

static void push_uint(struct strv *argv, const char *opt, unsigned val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", val);
	push_pair(argv, opt, buf);
}

const char *efi_firmware(enum arch a)
{
	const char *const *list = arch_info(a)->efi_firmware;

	for (; list && *list; list++)
		if (!access(*list, R_OK))
			return *list;
	return NULL;
}

const char *qemu_default_cpu(enum accel accel)
{
	return accel == ACCEL_KVM ? "host" : "max";
}

int qemu_argv(const struct qemu_opts *o, struct strv *argv, struct err *e)
{
	const struct arch_info *ai = arch_info(o->arch);

	strv_push(argv, o->qemu);
	strv_append(argv, (char *const[]){ "-nodefaults", "-no-user-config",
			"-display", "none", "-serial", "stdio", "-no-reboot", NULL });
	push_pair(argv, "-machine", o->machine ? o->machine
				: o->efi_boot ? ai->efi_machine : ai->machine);
	push_pair(argv, "-accel", accel_name(o->accel));
	push_pair(argv, "-cpu", o->cpu ? o->cpu : qemu_default_cpu(o->accel));
	push_uint(argv, "-smp", o->smp);
	push_uint(argv, "-m", o->memory);
	if (o->efi_boot || ai->bios)
		push_pair(argv, "-bios", o->efi_boot ? o->efi_firmware : ai->bios);
	if (o->efi_boot && !o->payload) {	/* efi-snapshot.h: the loader waits */
		push_pair(argv, "-kernel", o->efi_boot);
	} else if (o->efi_boot) {
		/* The payload as a fw_cfg file (a ',' in the path doubled); on
		 * x86 the command line starts with its path, as multiboot's. */
		static const char prefix[] = "name=opt/vmunit/payload,file=";
		char *file = xmalloc(sizeof(prefix) + 2 * strlen(o->payload)), *q;

		q = stpcpy(file, prefix);
		for (const char *p = o->payload; *p; p++)
			if ((*q++ = *p) == ',')
				*q++ = ',';
		*q = '\0';
		push_pair(argv, "-kernel", o->efi_boot);
		push_pair(argv, "-fw_cfg", file);
		free(file);
	} else {
		push_pair(argv, "-kernel", o->payload);
	}
	if (o->efi_boot && o->payload && o->arch == ARCH_X86_64) {
		char *cmdline = xasprintf("%s%s%s", o->payload, o->append ? " " : "",
					  o->append ? o->append : "");

		push_pair(argv, "-append", cmdline);
		free(cmdline);
	} else if (o->append) {
		push_pair(argv, "-append", o->append);
	}
	strv_append(argv, (char *const *)ai->extra);
	if (o->paused)
		strv_push(argv, "-S");
	if (o->scratch) {
		char *drive = xasprintf("if=none,id=scratch,format=raw,file=%s", o->scratch);

		push_pair(argv, "-drive", drive);
		free(drive);
	}
	if (o->params && split_params(o->params, argv, e))
		return -1;
	strv_append(argv, o->extra);
	return 0;
}

/* An executable regular file (root's access(X_OK) also passes directories). */
static bool executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

int vmm_exec_check(const char *path, struct err *e)
{
	char buf[256], *interp;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	interp = buf + 2 + strspn(buf + 2, " \t");
	interp[strcspn(interp, " \t\r\n")] = '\0';
	if (!executable(interp))
		return err_set(e, "%s: cannot be started: its interpreter %s is not an executable",
			       path, interp);
	return 0;
}

char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save, *found = NULL;

	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (executable(p))
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

char *qemu_find(enum arch a, const char *env_qemu, const char *dir,
		struct err *e)
{
	const char *bin = arch_info(a)->qemu;
	char *p;

	if (env_qemu && *env_qemu) {
		if (!executable(env_qemu)) {
			err_set(e, "QEMU=%s: not an executable", env_qemu);
			return NULL;
		}
		p = xstrdup(env_qemu);
	} else if (dir && *dir) {
		p = path_join(dir, bin);
		if (!executable(p)) {
			err_set(e, "%s: not found (QEMU directory %s)", bin, dir);
			free(p);
			return NULL;
		}
	} else if (!(p = find_in_path(bin))) {
		err_set(e, "%s: not found in PATH (install QEMU, or set QEMU= or --qemu-dir)",
			bin);
		return NULL;
	}
	if (vmm_exec_check(p, e)) {
		free(p);
		return NULL;
	}
	return p;
}
