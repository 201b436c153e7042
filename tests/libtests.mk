# Host unit tests of the guest library (lib/), run by `make check-host`.
# Each test #includes the lib sources it covers, renamed (vm_printf, ...)
# so they do not clash with the host's C library.

LIBTESTS := tests/lib-printf-test tests/lib-stdlib-test tests/lib-alloc-test tests/lib-css-test
HOST_TESTS += $(LIBTESTS)

# Without HOST_CFLAGS' -I options: -Ilib would make lib/string.h and
# lib/stdlib.h shadow the host's <string.h> and <stdlib.h>.
LIBTEST_CFLAGS = $(filter-out -I%,$(HOST_CFLAGS)) $(CMOCKA_CFLAGS)
LIBTEST_LIBS = $(CMOCKA_LIBS)

$(LIBTESTS): tests/%: $(SRCDIR)/tests/%.c $(wildcard $(SRCDIR)/lib/*.[ch]) \
		$(SRCDIR)/tests/libtests.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(LIBTEST_CFLAGS) -o $@ $< $(LIBTEST_LIBS)

# lib/s390x sources include lib/ headers by their quoted names.
tests/lib-css-test: LIBTEST_CFLAGS += -iquote $(SRCDIR)/lib
tests/lib-css-test: $(wildcard $(SRCDIR)/lib/s390x/*.[ch])

clean: clean-libtests
clean-libtests:
	rm -f $(LIBTESTS)
.PHONY: clean-libtests
