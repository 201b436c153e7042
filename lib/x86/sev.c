/* The SEV-ES #VC handler on one GHCB page (lib/x86/sev.h). */
#include "desc.h"
#include "pgtable.h"
#include "report.h"
#include "sev.h"
#include "string.h"
#include "vc.h"

static struct ghcb ghcb_page;

static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	if (!(read_cr4() & X86_CR4_OSXSAVE))
		return 1;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void vc_handler(struct ex_regs *r)
{
	static const char *const why[] = {
		[VC_UNSUPPORTED] = "not served", [VC_BAD_ANSWER] = "the hypervisor's answer refused",
	};
	static bool failing;
	struct vc_ctx c = { &ghcb_page, (uint64_t)&ghcb_page, &ghcb_hw, xcr0() };
	struct vc_event ev;
	enum vc_result res = vc_serve(&c, r, &ev);

	if (res == VC_DONE)
		return;
	if (res == VC_EXCEPTION) {
		r->vector = ev.vector;
		r->error_code = ev.code;
		do_exception(r);
		return;
	}
	/* The console's port I/O is a #VC too: if it fails as well, stop. */
	if (failing)
		for (;;)
			ghcb_terminate(&ghcb_hw, 0);
	failing = true;
	report_abort("#VC exit code %#lx at rip %#lx: %s", r->error_code, r->rip, why[res]);
}

void sev_es_init(void)
{
	uint64_t *pte;

	if (!(sev_status & SEV_STATUS_ES))
		return;
	/* Out of the cache as encrypted lines, then mapped without the C-bit. */
	for (unsigned int i = 0; i < sizeof(ghcb_page); i += 64)
		asm volatile("clflush %0" : : "m"(ghcb_page.page[i]));
	pte = get_pte(&ghcb_page);
	*pte &= ~sev_cbit_mask;
	invlpg(&ghcb_page);
	memset(&ghcb_page, 0, sizeof(ghcb_page));
	handle_exception(VC_VECTOR, vc_handler);
}
