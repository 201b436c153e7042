/*
 * virtio-mmio windows on x86 (QEMU microvm): the DSDT's devices with _HID
 * "LNRO0005", each window the Memory32Fixed descriptor of the device's
 * _CRS (ACPI 6.4, 6.4.3.4: 0x86, length 9, then the write flag, base and
 * length), the first one after the _HID string.
 */
#include "acpi.h"
#include "string.h"
#include "virtio-mmio.h"

#define FADT_DSDT	40
#define FADT_X_DSDT	140

static const uint8_t *dsdt(uint32_t *len)
{
	const uint8_t *fadt = acpi_table("FACP");
	uint64_t addr;

	if (!fadt)
		return NULL;
	addr = *(const uint32_t *)(fadt + FADT_DSDT);
	if (*(const uint32_t *)(fadt + 4) >= FADT_X_DSDT + 8 && *(const uint64_t *)(fadt + FADT_X_DSDT))
		addr = *(const uint64_t *)(fadt + FADT_X_DSDT);
	if (!addr || memcmp((const void *)addr, "DSDT", 4))
		return NULL;
	*len = *(const uint32_t *)(addr + 4);
	return (const uint8_t *)addr;
}

unsigned int virtio_mmio_slots(uintptr_t *bases, unsigned int max)
{
	uint32_t len = 0;
	const uint8_t *t = dsdt(&len);
	unsigned int n = 0;

	for (uint32_t i = 0; t && n < max && i + 8 <= len; i++) {
		if (memcmp(t + i, "LNRO0005", 8))
			continue;
		for (uint32_t k = i + 8; k + 12 <= len; k++)
			if (t[k] == 0x86 && t[k + 1] == 9 && t[k + 2] == 0) {
				bases[n++] = *(const uint32_t *)(t + k + 4);
				break;
			}
	}
	return n;
}
