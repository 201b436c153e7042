# s390x: soft-float, so that C never touches the floating-point registers
# the interruption entry does not save; a back chain in every frame for
# backtraces (the ELF ABI's frames have no fixed frame-pointer record).
# Stacks are 32 KiB blocks aligned to their size, and every prologue traps
# when the stack pointer is in the lowest 4 KiB: the stack guard, as there
# is no DAT to unmap a page (lib/s390x/processor.h).  No frame may be
# larger than the guard, or a prologue could step over it.
STACK_SIZE := 32768
STACK_GUARD := 4096
CFLAGS += -m64 -msoft-float -mbackchain -fno-asynchronous-unwind-tables \
	-mstack-size=$(STACK_SIZE) -mstack-guard=$(STACK_GUARD) \
	-Wframe-larger-than=$(STACK_GUARD) \
	-DSTACK_SIZE=$(STACK_SIZE) -DSTACK_GUARD=$(STACK_GUARD)
PAYLOAD_FINISH = mv $@.tmp $@
