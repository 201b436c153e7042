# libFuzzer targets for every input the runner reads (tests/fuzz/fuzz-*.c),
# built with clang's fuzzer, AddressSanitizer and UndefinedBehaviorSanitizer
# over the runner's own sources (compiled again into build/fuzz).
#   make fuzz        each target for FUZZ_RUNS executions (default 10^6)
#   make check       each target for FUZZ_QUICK_S seconds (scripts/check.sh)
# Seeds: tests/fuzz/corpus/<target>/ (read only); what a run finds goes to
# build/fuzz/corpus-<target>, and a crash input to build/fuzz/ (add it to
# the seeds once fixed).  Included by the top-level Makefile.

FUZZ_CC ?= clang
FUZZ_TARGETS := cfg baseline verdict qmp writers
FUZZ_BINS := $(FUZZ_TARGETS:%=build/fuzz/fuzz-%)
FUZZ_RUNS ?= 1000000
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(FUZZ_SAN) -iquote $(SRCDIR)/runner -iquote $(SRCDIR)/lib \
	$(shell pkg-config --cflags $(RUNNER_PKGS) 2>/dev/null)
FUZZ_OBJS := $(RUNNER_UNITS:%=build/fuzz/runner/%.o)

build/fuzz/runner/%.o: $(SRCDIR)/runner/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz-%: $(SRCDIR)/tests/fuzz/fuzz-%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(RUNNER_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: deps fuzz-build
	@$(SRCDIR)/scripts/fuzz.sh -runs=$(FUZZ_RUNS) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-build
