/*
 * Firmware snapshots for boot = efi under TCG: OVMF takes ~4 s to boot
 * there (AAVMF ~1.5 s), the payload a tenth of that.  So the runner boots
 * the firmware once per QEMU command line, up to lib/efi's loader waiting
 * for its payload (VM_EFI_WAITING_LINE), migrates that running VM into a
 * file, and starts each run from it (-incoming), its payload and command
 * line in fw_cfg, which migration does not carry.
 *
 * efi_snapshot_key(): the file for a command line (argv without the
 * payload and -append): BUILDDIR/build/efi-snapshot/<FNV-1a of the argv and
 * of the size and mtime of each file it names, so a rebuilt loader or an
 * upgraded firmware or QEMU makes a new one>.state.
 * efi_snapshot_make(): boots argv with a QMP monitor, waits for the line
 * (EFI_SNAPSHOT_TIMEOUT_S), migrates to PATH.<pid>.tmp, renames it to path
 * (so concurrent runners each write a whole one), kills that QEMU.  0, or
 * -1 with a message; the run then boots cold.
 * efi_snapshot_argv(): the words that start a QEMU from path.
 */
#ifndef RUNNER_EFI_SNAPSHOT_H
#define RUNNER_EFI_SNAPSHOT_H

#include "util.h"

#define EFI_SNAPSHOT_TIMEOUT_S 120

char *efi_snapshot_key(const char *dir, char *const *argv);
int efi_snapshot_make(char *const *argv, const char *path, struct err *e);
void efi_snapshot_argv(struct strv *argv, const char *path);

#endif
