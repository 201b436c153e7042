/*
 * The selftest checks of the common page API (lib/vm.h), for the arches
 * that have it; kept apart from lib/selftest.c so that s390x, which has no
 * DAT, does not link them.
 */
#include "alloc.h"
#include "fault.h"
#include "report.h"
#include "selftest.h"
#include "vm.h"

/* Far above any RAM the tests get, inside a 48-bit address space. */
#define ALIAS_VA ((void *)(1ull << 37))

void selftest_alias(const void *arg)
{
	volatile uint64_t *page = alloc_page(), *alias = ALIAS_VA;
	uint64_t val = 0;

	*page = 0x1234;
	map_page(ALIAS_VA, (uint64_t)page, VM_W);
	report(*alias == 0x1234, "a second mapping of a page reads its data (%#lx at %p)",
	       *alias, ALIAS_VA);
	*alias = 0x5678;
	report(*page == 0x5678, "a write through it reaches the page (%#lx)", *page);
	unmap_page(ALIAS_VA);
	report(load_safe(ALIAS_VA, &val).valid && *page == 0x5678,
	       "unmapped again it faults, the page keeps its data");
	free_page((void *)page);
}
