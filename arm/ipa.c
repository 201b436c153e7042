/*
 * ipa: the guest's view of its physical address size, after the "KVM:
 * arm64: Assorted IPA size fixes" series: ID_AA64MMFR0_EL1.PARange must
 * name a defined size, and all RAM the device tree describes must lie
 * below it; the first and last page of RAM must be usable (run with a
 * large -m to put the last page high).  The host side of the series
 * (KVM_CREATE_VM IPA type, memslots ending at the limit) is not visible to
 * a guest.  Needs nothing optional.
 */
#include "vmunit.h"
#include "devtree.h"
#include "processor.h"
#include "start.h"

static void touch(const char *what, uint64_t addr)
{
	volatile uint64_t *p = (volatile uint64_t *)addr;
	uint64_t old = 0, got = 0, want = addr ^ 0x5a5a5a5a5a5a5a5aull;
	struct fault f;
	char fs[96];

	f = load_safe(p, &old);
	if (!f.valid)
		f = store_safe(p, want);
	if (!f.valid)
		f = load_safe(p, &got);
	if (!f.valid)
		*p = old;
	report(!f.valid && got == want, "%s page of RAM is usable (at %#lx: got %s, %#lx)",
	       what, addr, fault_str(f, fs, sizeof(fs)), got);
}

int main(int argc, char **argv)
{
	unsigned int parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t base = 0, size = 0, top;
	unsigned int bits;

	bits = parange_bits(parange);
	report(bits, "ID_AA64MMFR0_EL1.PARange is defined (%u)", parange);
	if (!bits)
		bits = parange_bits(0);
	/* (Without /memory the boot would have stopped: compare with the run.) */
	dt_memory(&base, &size);
	report(size == (uint64_t)run_memory_mib() << 20,
	       "device tree describes the RAM the run asked for (%#lx + %#lx, want %lu MiB)",
	       base, size, run_memory_mib());
	top = base + size;
	report_info("PARange %u: %u-bit PA; RAM %#lx..%#lx", parange, bits, base, top - 1);
	report(top <= 1ull << bits, "RAM ends within the PA space (at %#lx, %u-bit)",
	       top, bits);
	touch("first", base);
	touch("last", top - PAGE_SIZE);
	return 0;
}
