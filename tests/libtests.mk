# Host unit tests of the guest library (lib/), run by `make check-host`.
# Each test #includes the lib sources it covers, renamed (vm_printf, ...)
# so they do not clash with the host's C library.

LIBTESTS := tests/lib-printf-test tests/lib-stdlib-test tests/lib-alloc-test tests/lib-css-test \
	tests/lib-gcov-test tests/lib-ghcb-test tests/lib-vc-test
HOST_TESTS += $(LIBTESTS) $(SRCDIR)/tests/arm64-mmio.sh

# Without HOST_CFLAGS' -I options: -Ilib would make lib/string.h and
# lib/stdlib.h shadow the host's <string.h> and <stdlib.h>.
LIBTEST_CFLAGS = $(filter-out -I%,$(HOST_CFLAGS)) $(CMOCKA_CFLAGS)
LIBTEST_LIBS = $(CMOCKA_LIBS)

$(LIBTESTS): tests/%: $(SRCDIR)/tests/%.c $(wildcard $(SRCDIR)/lib/*.[ch]) \
		$(SRCDIR)/tests/libtests.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(LIBTEST_CFLAGS) -o $@ $< $(LIBTEST_LIBS)

# lib/gcov.c against libgcov's own serializer, on a sample the host gcc
# instruments as the payloads are (gcc 12, like the cross compilers).
tests/lib-gcov-test: LIBTEST_LIBS += tests/lib-gcov-sample.o -lgcov
tests/lib-gcov-test: LIBTEST_CFLAGS += -Wno-unused-parameter
tests/lib-gcov-test: tests/lib-gcov-sample.o
tests/lib-gcov-sample.o: $(SRCDIR)/tests/lib-gcov-sample.c
	@mkdir -p $(@D)
	$(HOST_CC) $(filter-out -I%,$(HOST_CFLAGS)) -fprofile-arcs -fprofile-info-section=gcov_info \
		-fprofile-update=single -c -o $@ $<

tests/lib-ghcb-test: $(wildcard $(SRCDIR)/lib/x86/ghcb.[ch])
tests/lib-vc-test: $(wildcard $(SRCDIR)/lib/x86/ghcb.[ch] $(SRCDIR)/lib/x86/vc.[ch] $(SRCDIR)/lib/x86/processor.h)

# lib/s390x sources include lib/ headers by their quoted names.
tests/lib-css-test: LIBTEST_CFLAGS += -iquote $(SRCDIR)/lib
tests/lib-css-test: $(wildcard $(SRCDIR)/lib/s390x/*.[ch])

clean: clean-libtests
clean-libtests:
	rm -f $(LIBTESTS) tests/lib-gcov-sample.o tests/lib-gcov-sample.gc*
.PHONY: clean-libtests
