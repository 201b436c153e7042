# The host runner (runner/vmunit-run) and its tests.
#
# Included by the top-level Makefile, which may set HOST_CC, HOST_CFLAGS,
# SRCDIR and HOST_TESTS; also works alone: make -f runner/runner.mk
# Objects go to runner/ and tests/ under the current directory.

runner_saved_goal := $(.DEFAULT_GOAL)

HOST_CC ?= gcc
HOST_CFLAGS ?= -std=gnu11 -O2 -g -Wall -Wextra -Werror
SRCDIR ?= .

RUNNER_PKGS := json-c libxml-2.0 libdw libarchive
# lib/ also holds the guest's string.h and stdlib.h: reach it with -iquote
# only ("verdict.h"), never -I, or it would shadow the host's libc headers.
RUNNER_CFLAGS := $(filter-out -Ilib -I$(SRCDIR)/lib,$(HOST_CFLAGS)) \
	-std=gnu11 -Wall -Wextra -Werror -MMD -MP \
	-iquote $(SRCDIR)/runner -iquote $(SRCDIR)/lib \
	$(shell pkg-config --cflags $(RUNNER_PKGS) 2>/dev/null)
RUNNER_LIBS := $(shell pkg-config --libs $(RUNNER_PKGS) 2>/dev/null)
# Link with the compile flags too (-fsanitize=..., -pg ...), minus -I.
RUNNER_LDFLAGS = $(filter-out -I%,$(HOST_CFLAGS)) $(HOST_LDFLAGS)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

RUNNER_UNITS := util cfg qemu vmm bochs qmp efi-snapshot select verdict-parse plan baseline gcov-collect stats reaper migrate symbols run box-record untar box json-out junit report checkcfg probe
RUNNER_LIB_OBJS := $(RUNNER_UNITS:%=runner/%.o)
RUNNER_OBJS := $(RUNNER_LIB_OBJS) runner/main.o
RUNNER_TEST_BINS := tests/runner-cfg-test tests/runner-verdict-test tests/runner-baseline-test \
	tests/runner-stats-test \
	tests/runner-qemu-test tests/runner-report-test tests/runner-gcov-test \
	tests/runner-symbols-test tests/runner-untar-test
RUNNER_TEST_OBJS := $(RUNNER_TEST_BINS:%=%.o)
RUNNER_SCRIPTS := $(SRCDIR)/tests/runner-integration.sh $(SRCDIR)/tests/runner-efi-snapshot.sh

HOST_TESTS += $(RUNNER_TEST_BINS) $(RUNNER_SCRIPTS)

runner-all: runner/vmunit-run $(RUNNER_TEST_BINS)

runner/vmunit-run: $(RUNNER_OBJS)
	$(HOST_CC) $(RUNNER_LDFLAGS) -o $@ $^ $(RUNNER_LIBS)

$(RUNNER_OBJS): runner/%.o: $(SRCDIR)/runner/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(RUNNER_CFLAGS) -c -o $@ $<

# The coverage collector writes the guests' images only in a coverage build
# (runner/gcov-collect.h): COVERAGE from config.mak, read by the top-level
# Makefile, and rebuilt when ./configure changes it.  Built alone (make -f
# runner/runner.mk, check-asan) the runner is not a coverage build.
runner/gcov-collect.o: RUNNER_CFLAGS += -DVMUNIT_COVERAGE=$(if $(COVERAGE),1,0)
runner/gcov-collect.o: $(wildcard config.mak)

$(RUNNER_TEST_OBJS): tests/%.o: $(SRCDIR)/tests/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(RUNNER_CFLAGS) $(CMOCKA_CFLAGS) -c -o $@ $<

$(RUNNER_TEST_BINS): %: %.o $(RUNNER_LIB_OBJS)
	$(HOST_CC) $(RUNNER_LDFLAGS) -o $@ $^ $(RUNNER_LIBS) $(CMOCKA_LIBS)
# Its own functions at their ELF addresses (runner/symbols.h reads /proc/self/exe).
tests/runner-symbols-test: RUNNER_LDFLAGS += -no-pie

# The integration test and the benchmark drive the built runner.
check-host: runner/vmunit-run

runner-check: runner/vmunit-run $(RUNNER_TEST_BINS)
	@for t in $(RUNNER_TEST_BINS:%=./%) $(RUNNER_SCRIPTS); do \
		echo "== $$t"; $$t || exit 1; done

bench-runner: runner/vmunit-run
	@$(SRCDIR)/scripts/bench-runner.sh

runner-clean:
	rm -f runner/vmunit-run runner/*.o runner/*.d $(RUNNER_TEST_BINS) \
		$(RUNNER_TEST_OBJS) $(RUNNER_TEST_OBJS:.o=.d)

clean: runner-clean

.PHONY: runner-all runner-check bench-runner runner-clean

-include $(RUNNER_OBJS:.o=.d) $(RUNNER_TEST_OBJS:.o=.d)

# Standalone, build the runner; included, leave the default goal alone.
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),runner.mk)
.DEFAULT_GOAL := runner-all
else
.DEFAULT_GOAL := $(runner_saved_goal)
endif
