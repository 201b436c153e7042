# x86_64: no red zone (exceptions push on the current stack), no SSE/x87
# in guest code, small code model at 1 MiB; QEMU's multiboot loader wants
# an ELF32 file.
CFLAGS += -m64 -mno-red-zone -mgeneral-regs-only -mcmodel=small
# ENDBR64 at every function (a NOP without CET), so that the cet test can
# turn IBT on; switch tables use NOTRACK jumps (S_CET.NO_TRACK_EN).
CFLAGS += -fcf-protection=branch
PAYLOAD_FINISH = $(OBJCOPY) -O elf32-i386 $@.tmp $@ && rm -f $@.tmp

# Bochs's BIOS has no multiboot loader: it boots our boot sector
# (x86/loader/bootsect.S) from a 1.44 MB floppy image, which hands the
# payload over as QEMU's loader does.
ARCH_EXTRA := x86/bochs-boot.img
x86/bochs-boot.img: x86/loader/bootsect.S lib/x86/bochs-loader.h config.mak
	$(GUEST_CC) -m32 -nostdlib -static -Ilib -Wl,-Ttext=0x7c00 -Wl,--oformat=binary \
		-Wl,--build-id=none -o $@.tmp $<
	test "$$(stat -c %s $@.tmp)" = 512
	truncate -s 1474560 $@.tmp && mv $@.tmp $@

# EFI boot (lib/efi/efi.h): objcopy's PE target for efi-boot.efi.
EFI_TARGET := efi-app-x86_64
