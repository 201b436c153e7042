# x86_64: no red zone (exceptions push on the current stack), no SSE/x87
# in guest code, small code model at 1 MiB; QEMU's multiboot loader wants
# an ELF32 file.
CFLAGS += -m64 -mno-red-zone -mgeneral-regs-only -mcmodel=small
PAYLOAD_FINISH = $(OBJCOPY) -O elf32-i386 $@.tmp $@ && rm -f $@.tmp
