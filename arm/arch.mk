# arm64: no FP/SIMD in guest code, no outlined atomics (libgcc helpers that
# probe the CPU through the C library).  Payloads link Debian's libfdt.a
# (libfdt-dev:arm64), whose headers only the device-tree glue sees.
CFLAGS += -mgeneral-regs-only -mno-outline-atomics
LIBFDT := /usr/lib/aarch64-linux-gnu/libfdt.a
ARCH_LIBS := $(LIBFDT)
$(BUILD)/lib/arm64/devtree.o $(BUILD)/lib/arm64/smp.o: CFLAGS += -idirafter /usr/include
PAYLOAD_FINISH = mv $@.tmp $@

# EFI boot (lib/efi/efi.h): objcopy's PE target for efi-boot.efi, which
# reads the device tree with libfdt too.
EFI_TARGET := efi-app-aarch64
EFI_LIBS := $(LIBFDT)
$(BUILD)/efi/lib/efi/arm64.o: EFI_CFLAGS += -idirafter /usr/include
