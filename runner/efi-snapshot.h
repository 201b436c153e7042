/*
 * Firmware snapshots for boot = efi under TCG: OVMF takes ~4 s to boot
 * there (AAVMF ~1.5 s), the payload a tenth of that.  So the runner boots
 * the firmware once per QEMU command line, up to lib/efi's loader waiting
 * for its payload (VM_EFI_WAITING_LINE), migrates that running VM into a
 * file, and starts each run from it (-incoming defer, then the stream over
 * QMP), its payload and command line in fw_cfg, which migration does not
 * carry.
 *
 * The file is the runner's alone: QEMU never sees a path, and no shell
 * runs.  QEMU gets one end of a socket pair (QMP "getfd", SCM_RIGHTS) and
 * migrates into or from it ("fd:"); the runner copies between the socket
 * and the file.  (A socket, not the file itself: QEMU 9.1 deprecated "fd:"
 * on a regular file, with a warning on the console, and later QEMUs refuse
 * it; 7.2 has no "file:" with an fd.)  The file is a header of the
 * runner's (a magic and the length of the stream it wrote) and QEMU's
 * migration stream ("QEVM", version 3).
 *
 * efi_snapshot_key(): the file for a command line (argv without the
 * payload and -append): BUILDDIR/build/efi-snapshot/<FNV-1a of the argv and
 * of the size and mtime of each file it names, so a rebuilt loader or an
 * upgraded firmware or QEMU makes a new one>.state.
 * efi_snapshot_make(): boots argv with a QMP monitor, waits for the line
 * (EFI_SNAPSHOT_TIMEOUT_S), migrates into a new file of its own in the
 * directory (the directory made with mkdir and opened without following a
 * symbolic link; the file created O_EXCL | O_NOFOLLOW under a random name),
 * kills that QEMU, writes the header, fsyncs and renames the file to path
 * (so concurrent runners each install a whole one).  0, or -1 with a
 * message; the run then boots cold.
 * efi_snapshot_open(): the snapshot checked before use: a regular file (a
 * symbolic link is not followed) whose header's length is that of the rest
 * (not truncated), which starts as QEMU's stream does.  An fd, or
 * EFI_SNAPSHOT_NONE (none, or its directory cannot be used: then
 * efi_snapshot_make() says why), or EFI_SNAPSHOT_BAD: e says what was
 * wrong and whether the file was deleted (it is, unless replaced since).
 * efi_snapshot_argv() and efi_snapshot_incoming(): a QEMU started from the
 * snapshot: its argv words, and the QMP commands queued before it starts
 * (a thread of the runner feeds the stream; fd is the caller's).  Their
 * replies' ids start "efi-": efi_snapshot_refused() tells an error reply.
 * efi_snapshot_drop(): a snapshot QEMU could not load anyway, deleted if it
 * is still the file efi_snapshot_open() checked: 0 when that file is gone
 * (now, or replaced since), else -1 with errno.  The next batch's
 * efi_snapshot_make() makes a new one.
 */
#ifndef RUNNER_EFI_SNAPSHOT_H
#define RUNNER_EFI_SNAPSHOT_H

#include <stdbool.h>
#include <sys/stat.h>

#include "util.h"

#define EFI_SNAPSHOT_TIMEOUT_S 120
#define EFI_SNAPSHOT_NONE (-1)
#define EFI_SNAPSHOT_BAD (-2)

struct json_object;
struct qmp;

char *efi_snapshot_key(const char *dir, char *const *argv);
int efi_snapshot_make(char *const *argv, const char *path, struct err *e);
int efi_snapshot_open(const char *path, struct stat *st, struct err *e);
void efi_snapshot_argv(struct strv *argv);
int efi_snapshot_incoming(struct qmp *q, int fd);
bool efi_snapshot_refused(const char *id, const struct json_object *ret);
int efi_snapshot_drop(const char *path, const struct stat *st);

#endif
