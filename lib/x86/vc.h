/*
 * #VC (vector 29) in an SEV-ES guest (AMD APM vol. 2, 15.35; the GHCB
 * specification, protocol version 2, "Non-Automatic Exits"): an
 * intercepted instruction raises #VC with the exit code as its error code,
 * and the guest asks its hypervisor through the GHCB page (lib/x86/ghcb.h):
 * exit code, exit information and the registers the hypervisor needs, each
 * marked valid, the page's address in MSR 0xc0010130, VMGEXIT.  The answer
 * is in SW_EXITINFO1[31:0]: 0 done, 1 an exception to raise (SW_EXITINFO2,
 * in the EVENTINJ format).
 *
 * Served: port I/O (exit code 0x7b, SVM_EXIT_IOIO: IN, OUT, INS, OUTS with
 * REP, sizes 1/2/4, the port from DX or imm8; EXITINFO1 in the IOIO
 * intercept's format, EXITINFO2 the next RIP or, for string I/O, the count;
 * string data in the GHCB's shared buffer, SW_SCRATCH its address, in
 * chunks of at most the buffer) and CPUID (0x72).  64-bit addressing only.
 *
 * The hypervisor is not trusted: each answer field is read once, only the
 * fields asked for are taken (and only when marked valid), an answer other
 * than 0 or a well-formed exception is refused, and string data is copied
 * back exactly as much as was asked, from the guest's own buffer address.
 *
 * vc_serve() is the whole exchange, with the page, its address and the MSR
 * ops as arguments: tests/lib-vc-test.c runs it against a model of the
 * hypervisor.  vc_init() (lib/x86/sev.c) installs it on the real page.
 */
#ifndef VMUNIT_X86_VC_H
#define VMUNIT_X86_VC_H

#include <stdint.h>
#include "ghcb.h"
#include "processor.h"

#define SVM_EXIT_CPUID	0x72
#define SVM_EXIT_IOIO	0x7b

/* SVM_EXIT_IOIO's EXITINFO1 (APM vol. 2, "IOIO Intercepts"). */
#define IOIO_IN		(1u << 0)
#define IOIO_STR	(1u << 2)
#define IOIO_REP	(1u << 3)
#define IOIO_SZ_SHIFT	4	/* SZ8 bit 4, SZ16 bit 5, SZ32 bit 6 */
#define IOIO_A64	(1u << 9)
#define IOIO_SEG_DS	(3u << 10)
#define IOIO_PORT_SHIFT	16

struct vc_ctx {
	struct ghcb *ghcb;		/* the shared page */
	uint64_t gpa;			/* its guest-physical address */
	const struct ghcb_ops *ops;
	uint64_t xcr0;			/* for CPUID */
};

enum vc_result {
	VC_DONE,		/* regs and memory as the instruction leaves them, RIP past it */
	VC_EXCEPTION,		/* *ev to raise; a REP's completed chunks done */
	VC_UNSUPPORTED,		/* an exit code or instruction not served */
	VC_BAD_ANSWER,		/* the hypervisor broke the protocol */
};

struct vc_event {
	uint8_t vector;
	uint8_t has_code;
	uint32_t code;
};

/* The #VC in regs (error_code: the exit code; the instruction at rip). */
enum vc_result vc_serve(const struct vc_ctx *c, struct ex_regs *regs, struct vc_event *ev);

#endif
