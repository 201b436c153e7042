/*
 * Everything that differs between architectures, in one table, and the QEMU
 * command line built from it.  The command line is an argv array; it is only
 * ever turned into a string for display (util.h: shell_quote_argv).
 */
#ifndef RUNNER_QEMU_H
#define RUNNER_QEMU_H

#include <stdbool.h>

#include "util.h"

enum arch { ARCH_X86_64, ARCH_ARM64, ARCH_S390X, ARCH_NR };
#define ARCH_MASK_ALL ((1u << ARCH_NR) - 1)

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct arch_info {
	const char *name;		/* as in unittests.cfg and -a */
	const char *uname;		/* uname -m on such a host */
	const char *dir;		/* source and payload directory */
	const char *qemu;		/* QEMU binary name */
	const char *machine;		/* default -machine value */
	const char *bios;		/* -bios for a direct boot, or NULL */
	const char *efi_machine;	/* -machine for boot = efi; NULL: no EFI boot */
	const char *const *efi_firmware; /* its -bios, the first that exists */
	const char *const *extra;	/* NULL-terminated extra argv */
	/*
	 * Guest status from QEMU's exit code, EXIT_NONZERO when it only says
	 * "not 0", or -1 when the code did not come from the exit device.
	 * NULL: the arch has no exit decoding.
	 */
	int (*decode_exit)(int code);
};

const struct arch_info *arch_info(enum arch a);
/* Canonical name only ("arm64"); -1 when unknown. */
int arch_from_name(const char *name);
/* Canonical or uname name ("aarch64"); -1 when unknown. */
int arch_from_any_name(const char *name);
/* The arch whose directory is dir ("x86"); -1 when none. */
int arch_from_dir(const char *dir);
/* The host's arch from uname(2); -1 when it is none of ours. */
int arch_host(void);

/* "kvm"/"tcg" -> ACCEL_*, "auto" -> ACCEL_AUTO; -1 when unknown. */
int accel_from_name(const char *name);
const char *accel_name(enum accel a);
/* The accelerator a run uses: the override, else kvm when usable and native. */
enum accel accel_pick(enum accel override, bool kvm_usable, enum arch test,
		      int host);
/* The arch's UEFI firmware file on this host, or NULL. */
const char *efi_firmware(enum arch a);
/* The -cpu a run gets unless the cfg names one: host under kvm, max under tcg. */
const char *qemu_default_cpu(enum accel accel);

/*
 * Split qemu_params on whitespace; '...' and "..." group words (no escapes,
 * no shell evaluation).  -1 with a message on an unterminated quote.
 */
int split_params(const char *s, struct strv *out, struct err *e);

struct qemu_opts {
	enum arch arch;
	const char *qemu;		/* binary path */
	const char *payload;		/* NULL: boot = efi's loader waits (efi-snapshot.h) */
	enum accel accel;		/* KVM or TCG, already picked */
	const char *machine;		/* NULL: the arch's default */
	const char *cpu;		/* NULL: host under kvm, max under tcg */
	unsigned smp, memory;		/* memory in MiB */
	const char *append;		/* guest command line, or NULL */
	const char *params;		/* qemu_params, or NULL */
	const char *scratch;		/* the scratch disk's image (drive id "scratch"), or NULL */
	/* boot = efi (lib/efi/efi.h): efi-boot.efi and the firmware; else NULL */
	const char *efi_boot, *efi_firmware;
	bool paused;			/* -S: the runner lets it run over QMP */
	char *const *extra;		/* more argv at the end, or NULL */
	/* Bochs only (vmm.h): boot image, command line and rc files, its log. */
	const char *loader, *cmdline_file, *rc_file, *vmm_log;
};

int qemu_argv(const struct qemu_opts *o, struct strv *argv, struct err *e);

/*
 * The QEMU binary for an arch: $QEMU if set (env_qemu), else dir/<binary>
 * if dir is set, else a PATH lookup.  Malloc'ed path, or NULL with a message.
 */
char *qemu_find(enum arch a, const char *env_qemu, const char *dir,
		struct err *e);
/*
 * 0 when exec can start path, as far as can be told before: a script whose
 * #! interpreter is missing fails like a missing binary (-1, named).
 */
int vmm_exec_check(const char *path, struct err *e);
/* The executable name in $PATH (malloc'ed), or NULL. */
char *find_in_path(const char *name);

#endif
