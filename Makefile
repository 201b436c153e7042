# vmunit: one build for every arch.  ./configure writes config.mak;
# `make ARCH=arm64` builds another arch with its Debian cross toolchain.

-include config.mak

.DEFAULT_GOAL := all

comma := ,
HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
CONFIG_ARCH ?= $(HOST_ARCH)
ARCH ?= $(CONFIG_ARCH)
ifeq ($(ARCH),$(CONFIG_ARCH))
  GUEST_CC := $(CC)
else
  TRIPLET_x86_64 := x86_64-linux-gnu-
  TRIPLET_arm64 := aarch64-linux-gnu-
  TRIPLET_s390x := s390x-linux-gnu-
  CROSS_PREFIX := $(if $(filter $(ARCH),$(HOST_ARCH)),,$(TRIPLET_$(ARCH)))
  GUEST_CC := $(CROSS_PREFIX)gcc
endif
OBJCOPY := $(CROSS_PREFIX)objcopy
ARCH_DIR_x86_64 := x86
ARCH_DIR_arm64 := arm
ARCH_DIR_s390x := s390x
ARCH_DIR := $(ARCH_DIR_$(ARCH))
LIBARCH_DIR := lib/$(if $(filter x86_64,$(ARCH)),x86,$(ARCH))
BUILD := build/$(ARCH)

# The one freestanding flags list (+ per-arch additions in <arch dir>/arch.mk).
CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdlib \
	-fno-stack-protector -fno-omit-frame-pointer -fno-pic -fno-pie \
	-fno-tree-loop-distribute-patterns -fno-strict-aliasing \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -MMD -MP \
	-Ilib -I$(LIBARCH_DIR) $(if $(WERROR),-Werror)
LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
# ./configure --enable-coverage: every C file but lib/gcov.c counts its arcs.
ifneq ($(COVERAGE),)
  GCC_MAJOR := $(firstword $(subst ., ,$(shell $(GUEST_CC) -dumpversion)))
  ifneq ($(GCC_MAJOR),12)
    $(error coverage: lib/gcov.c knows gcc 12's gcov structures, $(GUEST_CC) is gcc $(GCC_MAJOR))
  endif
  COVERAGE_CFLAGS := -fprofile-arcs -ftest-coverage -fprofile-info-section=gcov_info \
	-fprofile-update=single
endif
ifeq ($(wildcard $(ARCH_DIR)/arch.mk),)
  $(error ARCH=$(ARCH): no $(ARCH_DIR)/arch.mk (supported: x86_64, arm64, s390x))
endif
include $(ARCH_DIR)/arch.mk

LIB_SRCS := $(wildcard lib/*.c $(LIBARCH_DIR)/*.c $(LIBARCH_DIR)/*.S)
LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(LIB_SRCS)))
BOOT_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(wildcard $(ARCH_DIR)/*.S)))
TESTS := $(patsubst %.c,%,$(wildcard $(ARCH_DIR)/*.c))
PAYLOADS := $(addsuffix .elf,$(TESTS))

# EFI boot (lib/efi/efi.h): one efi-boot.efi per arch whose arch.mk names
# the objcopy target EFI_TARGET; position-independent, and the link fails
# if anything in it needs a relocation other than a relative one.
ifneq ($(EFI_TARGET),)
EFI_BOOT := $(ARCH_DIR)/efi-boot.efi
EFI_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(basename lib/efi/boot.c \
	lib/efi/$(ARCH).c lib/efi/$(ARCH)-entry.S lib/string.c))
EFI_CFLAGS := $(filter-out -fno-pic -fno-pie,$(CFLAGS)) -fpie -fvisibility=hidden
$(BUILD)/efi/%.o: %.c config.mak $(ARCH_DIR)/arch.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(EFI_CFLAGS) -c -o $@ $<
$(BUILD)/efi/%.o: %.S config.mak $(ARCH_DIR)/arch.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(EFI_CFLAGS) -c -o $@ $<
$(EFI_BOOT): $(EFI_OBJS) lib/efi/efi.lds
	$(GUEST_CC) -nostdlib -pie -Wl,--no-dynamic-linker -Wl,--build-id=none \
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T lib/efi/efi.lds \
		-o $@.elf $(EFI_OBJS) $(EFI_LIBS) -lgcc
	@if $(CROSS_PREFIX)readelf -rW $@.elf | grep ' R_' | grep -v '_RELATIVE '; then \
		echo "$@: needs relocations other than relative ones" >&2; exit 1; fi
	$(OBJCOPY) -j .text -j .data -j .reloc --target=$(EFI_TARGET) --subsystem=10 $@.elf $@
	rm -f $@.elf
endif

all: $(PAYLOADS) $(ARCH_EXTRA) $(EFI_BOOT) runner/vmunit-run

$(BUILD)/%.o: %.c config.mak $(ARCH_DIR)/arch.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) $(if $(filter lib/gcov.c,$<),,$(COVERAGE_CFLAGS)) -c -o $@ $<
$(BUILD)/%.o: %.S config.mak $(ARCH_DIR)/arch.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/libvmunit.a: $(LIB_OBJS)
	rm -f $@ && $(CROSS_PREFIX)ar rcs $@ $^
# Payload link: per-arch post-link step in PAYLOAD_FINISH (e.g. x86 ELF32).
$(ARCH_DIR)/%.elf: $(BUILD)/$(ARCH_DIR)/%.o $(BOOT_OBJS) $(BUILD)/libvmunit.a $(ARCH_DIR)/flat.lds
	$(GUEST_CC) $(CFLAGS) $(LDFLAGS) -T $(ARCH_DIR)/flat.lds -o $@.tmp $(BOOT_OBJS) $< \
		-Wl,--start-group $(BUILD)/libvmunit.a $(ARCH_LIBS) -lgcc -Wl,--end-group
	$(PAYLOAD_FINISH)


config.mak:
	./configure

# Host side: runner, host tests.
HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror
SRCDIR := .
HOST_TESTS :=
include runner/runner.mk
include tests/libtests.mk
include tests/fuzz/fuzz.mk

deps:
	@scripts/install-deps.sh

check-host: $(HOST_TESTS)
	@scripts/check.sh --host-only $(ARCH) $(filter-out runner/vmunit-run,$(HOST_TESTS))

# Every ported arch: the ones with an <arch dir>/arch.mk.
CHECK_ARCHES := $(foreach a,x86_64 arm64 s390x,$(if $(wildcard $(ARCH_DIR_$(a))/arch.mk),$(a)))

# Host tests and the guest suite of every arch, with one closing line; the
# payloads with -Werror (a warning of a fresh build fails the check).
check: deps
	@$(MAKE) -s --no-print-directory $(HOST_TESTS) fuzz-build
	@for a in $(CHECK_ARCHES); do $(MAKE) -s --no-print-directory ARCH=$$a WERROR=y all || exit; done
	@scripts/check.sh $(subst $(eval) ,$(comma),$(CHECK_ARCHES)) \
		$(filter-out runner/vmunit-run,$(HOST_TESTS))

# Real KVM in the box (runner/box.h) for every Debian kernel and arch with
# one: KERNELS=debian-6.12 for fewer.
check-kvm: deps
	@$(MAKE) -s --no-print-directory all
	@scripts/check-kvm.sh $(KERNELS)

# The GitLab pipeline (.gitlab-ci.yml) run here by gitlab-ci-local, then
# checked (scripts/check-ci.sh): not part of check (minutes of box boots).
check-ci: deps
	@$(MAKE) -s --no-print-directory runner/vmunit-run
	@scripts/check-ci.sh

run: deps
	@$(MAKE) --no-print-directory all
	@./run_tests.sh -a $(ARCH)

# The runner's host tests again with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer (a build of their own in build/asan).
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan: deps
	@mkdir -p build/asan
	@$(MAKE) -s --no-print-directory -C build/asan -f $(CURDIR)/runner/runner.mk \
		SRCDIR=$(CURDIR) HOST_CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Werror $(ASAN_FLAGS)" \
		runner-check

# The mutation gate: every mutant of tests/mutants.txt must be killed.
mutate: deps
	@scripts/mutate.sh

bench: runner/vmunit-run
	@for a in $(CHECK_ARCHES); do \
		$(MAKE) -s --no-print-directory ARCH=$$a all && scripts/bench.sh $$a || exit; done

# Guest line coverage of lib/ and the tests (./configure --enable-coverage):
# the suite of every arch under TCG, then coverage/index.html.
coverage: deps
	@test -n "$(COVERAGE)" || { echo "make coverage: ./configure --enable-coverage first" >&2; exit 2; }
	@$(MAKE) -s --no-print-directory runner/vmunit-run
	@for a in $(CHECK_ARCHES); do $(MAKE) -s --no-print-directory ARCH=$$a all || exit; done
	@scripts/coverage.sh $(CHECK_ARCHES)

# One self-contained script per cfg entry and arch: standalone/<arch>/<entry>.
standalone: runner/vmunit-run
	@for a in $(CHECK_ARCHES); do $(MAKE) -s --no-print-directory ARCH=$$a all && \
		scripts/standalone.sh $$a standalone || exit; done

clean:
	rm -rf build logs standalone coverage */*.elf */*.elf.tmp */*.efi

distclean: clean
	rm -f config.mak

.PHONY: all check check-ci check-kvm check-host check-asan run mutate bench standalone coverage deps clean distclean
.SECONDARY:
-include $(shell find build -path build/box -prune -o -name '*.d' -type f -print 2>/dev/null)
