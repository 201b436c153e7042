/*
 * The multiboot (v1) information a loader hands the x86 payload's 32-bit
 * entry in EBX (QEMU's loader, x86/loader/bootsect.S on Bochs, lib/efi's
 * efi-boot under UEFI): only the parts vmunit reads or writes.
 */
#ifndef VMUNIT_X86_MULTIBOOT_H
#define VMUNIT_X86_MULTIBOOT_H

#include <stdint.h>

#define MB_MAGIC_LOADER 0x2badb002	/* EAX at the entry */
#define MB_INFO_MEM (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MEM_MAP (1u << 6)
#define MB_AVAILABLE 1			/* memory map entry types */
#define MB_RESERVED 2
#define MB_ACPI 3
#define MB_NVS 4

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

/* A memory map entry; size counts the bytes after itself. */
struct multiboot_mmap {
	uint32_t size;
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

#endif
