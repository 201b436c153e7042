/*
 * efi-boot: the EFI application that boots a vmunit payload under UEFI
 * firmware (OVMF on x86_64, AAVMF on arm64), so that a test runs after
 * the firmware a real guest boots with (SEV needs it) with the same
 * payload, report protocol and exit as a direct boot.
 *
 * Contract.  The runner starts QEMU with the firmware, -kernel efi-boot.efi
 * (the firmware loads and starts it: no boot menu, no shell, no FAT
 * image), the payload ELF as the fw_cfg file "opt/vmunit/payload" and the
 * command line with -append.  efi-boot
 * - reads the payload's program headers over fw_cfg DMA and allocates
 *   every PT_LOAD range at its address (so the firmware's own memory,
 *   its stack among it, cannot be under the payload);
 * - exits boot services (the one retry the specification allows when the
 *   map changed), then copies the segments in with fw_cfg DMA and clears
 *   their bss;
 * - hands over the arch's way (efi_arch_enter): on x86_64 it leaves long
 *   mode and enters the payload's multiboot entry with a multiboot info
 *   built from the memory map and the command line, the ACPI RSDP where a
 *   BIOS puts it; on arm64 it moves the device tree to the RAM base,
 *   turns the MMU off and enters with x0 = the device tree, as QEMU does.
 * Any failure before that is "ERROR: efi-boot: ..." and "EXIT: STATUS=3"
 * on the firmware console, then a shutdown: the runner reports ERROR.
 * Started without the payload file, it prints VM_EFI_WAITING_LINE and polls
 * fw_cfg until one appears: the runner snapshots that state once and
 * starts later runs from it (runner/efi-snapshot.h), skipping the
 * firmware's seconds of boot under TCG.
 *
 * The binary is position-independent with no relocations (the link checks
 * it): the firmware may load it anywhere.  Only the UEFI definitions it
 * uses are here (UEFI 2.10 specification, chapter 4 and 7), their offsets
 * asserted.
 */
#ifndef VMUNIT_EFI_H
#define VMUNIT_EFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __x86_64__
#define EFIAPI __attribute__((ms_abi))
#else
#define EFIAPI
#endif

typedef uint64_t efi_status;
typedef void *efi_handle;

#define EFI_SUCCESS		0
#define EFI_ERROR(code)		((1ull << 63) | (code))
#define EFI_LOAD_ERROR		EFI_ERROR(1)
#define EFI_INVALID_PARAMETER	EFI_ERROR(2)
#define EFI_BUFFER_TOO_SMALL	EFI_ERROR(5)

typedef struct {
	uint32_t a;
	uint16_t b, c;
	uint8_t d[8];
} efi_guid;

struct efi_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

struct efi_text_output {
	void *reset;
	efi_status (EFIAPI *output_string)(struct efi_text_output *self, const uint16_t *s);
};

enum efi_memory_type {
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_CONVENTIONAL_MEMORY = 7,
	EFI_ACPI_RECLAIM_MEMORY = 9,
	EFI_ACPI_MEMORY_NVS = 10,
};

enum efi_allocate_type { EFI_ALLOCATE_ANY_PAGES, EFI_ALLOCATE_MAX_ADDRESS, EFI_ALLOCATE_ADDRESS };

struct efi_memory_descriptor {
	uint32_t type;
	uint64_t phys, virt, pages, attribute;
};

#define EFI_PAGE_SIZE 4096ull

struct efi_boot_services {
	struct efi_table_header hdr;
	void *raise_tpl, *restore_tpl;
	efi_status (EFIAPI *allocate_pages)(enum efi_allocate_type type, enum efi_memory_type mem,
					    uint64_t pages, uint64_t *addr);
	void *free_pages;
	efi_status (EFIAPI *get_memory_map)(uint64_t *size, struct efi_memory_descriptor *map,
					    uint64_t *key, uint64_t *desc_size, uint32_t *version);
	efi_status (EFIAPI *allocate_pool)(enum efi_memory_type mem, uint64_t size, void **buf);
	void *free_pool;
	void *events[6];
	void *protocols[3];
	efi_status (EFIAPI *handle_protocol)(efi_handle h, const efi_guid *guid, void **iface);
	void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path;
	void *install_configuration_table, *load_image, *start_image, *exit, *unload_image;
	efi_status (EFIAPI *exit_boot_services)(efi_handle image, uint64_t key);
	void *get_next_monotonic_count;
	efi_status (EFIAPI *stall)(uint64_t us);
};
_Static_assert(offsetof(struct efi_boot_services, allocate_pages) == 40, "UEFI 4.4");
_Static_assert(offsetof(struct efi_boot_services, get_memory_map) == 56, "UEFI 4.4");
_Static_assert(offsetof(struct efi_boot_services, handle_protocol) == 152, "UEFI 4.4");
_Static_assert(offsetof(struct efi_boot_services, exit_boot_services) == 232, "UEFI 4.4");
_Static_assert(offsetof(struct efi_boot_services, stall) == 248, "UEFI 4.4");

enum efi_reset_type { EFI_RESET_SHUTDOWN = 2 };

struct efi_runtime_services {
	struct efi_table_header hdr;
	void *time[4], *virtual_memory[2], *variables[3], *get_next_high_monotonic_count;
	void (EFIAPI *reset_system)(enum efi_reset_type type, efi_status status, uint64_t size,
				    const void *data);
};
_Static_assert(offsetof(struct efi_runtime_services, reset_system) == 104, "UEFI 4.5");

struct efi_configuration_table {
	efi_guid guid;
	void *table;
};

struct efi_system_table {
	struct efi_table_header hdr;
	uint16_t *firmware_vendor;
	uint32_t firmware_revision;
	efi_handle console_in_handle;
	void *con_in;
	efi_handle console_out_handle;
	struct efi_text_output *con_out;
	efi_handle standard_error_handle;
	void *std_err;
	struct efi_runtime_services *runtime;
	struct efi_boot_services *boot;
	uint64_t n_tables;
	struct efi_configuration_table *tables;
};
_Static_assert(offsetof(struct efi_system_table, con_out) == 64, "UEFI 4.3");
_Static_assert(offsetof(struct efi_system_table, boot) == 96, "UEFI 4.3");
_Static_assert(offsetof(struct efi_system_table, tables) == 112, "UEFI 4.3");

/* --- efi-boot's own interfaces (lib/efi/boot.c and the arch parts) --- */

/* A memory map as GetMemoryMap gave it. */
struct efi_map {
	struct efi_memory_descriptor *d;
	uint64_t size, desc_size, key;
};
#define efi_map_each(m, e) \
	for (struct efi_memory_descriptor *e = (m)->d; \
	     (char *)e < (char *)(m)->d + (m)->size; \
	     e = (void *)((char *)e + (m)->desc_size))

/* A configuration table by GUID, or NULL. */
void *efi_config_table(const efi_guid *guid);
/* Whole pages for bytes, ending at or below max; their address, or 0. */
uint64_t efi_alloc_below(enum efi_memory_type mem, uint64_t bytes, uint64_t max);
/* The pages over [base, end) as loader data; false when not all free. */
bool efi_alloc_at(uint64_t base, uint64_t end);
/* "ERROR: efi-boot: <msg> <hex>", "EXIT: STATUS=3", shut down. */
__attribute__((noreturn)) void efi_fail(const char *msg, uint64_t value);

/* fw_cfg, the arch's register access (QEMU docs/specs/fw_cfg.rst). */
void fw_cfg_arch_init(void);
void fw_cfg_arch_select(uint16_t key);
uint8_t fw_cfg_arch_read8(void);
void fw_cfg_arch_dma(uint64_t access);	/* the DMA access's address, kicked */

/*
 * The arch's part.  prepare: before ExitBootServices, with the command
 * line (NUL-terminated, in firmware memory that survives); called again
 * by a retry.  convert: turn the final map into what the payload reads,
 * no allocation allowed.  enter: after the copy; does not return.
 */
void efi_arch_prepare(const char *cmdline);
void efi_arch_convert(const struct efi_map *map);
__attribute__((noreturn)) void efi_arch_enter(uint64_t entry);

#endif
