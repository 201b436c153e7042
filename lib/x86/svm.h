/*
 * An in-guest SVM harness (AMD APM vol. 2, chapter 15): the payload is L1,
 * its L2 guests are l2.h functions whose hypercall is VMMCALL.
 *
 * svm_gate() says why SVM cannot be used (CPUID.0x80000001:ECX.SVM[2],
 * VM_CR.SVMDIS; VM_CR that does not read is a FAIL check, an XFAIL on
 * Bochs 2.7, which lacks it), or NULL; svm_start() is that gate as a SKIP, then
 * EFER.SVME and VM_HSAVE_PA.  Features of CPUID 0x8000000A:EDX are
 * cpu_has(X86_FEATURE_NP ...) (cpuid.h), named by cpu_feature_gate().
 *
 * svm_guest_init() fills a VMCB (its control and save areas are the named
 * structs below, offsets asserted at build time) for L2 = fn(arg) on L1's
 * CR0/3/4, EFER, PAT, descriptors and segments, ASID 1, intercepting
 * VMRUN (which the APM requires) and VMMCALL, and nothing else; tests set
 * intercepts with svm_intercept(), an I/O or MSR permission map with
 * svm_iopm()/svm_msrpm() (all clear: nothing else exits).
 *
 * svm_run() executes VMLOAD, VMRUN, VMSAVE of the VMCB (with GIF clear
 * around them, set again after) and dispatches each #VMEXIT to the
 * handler registered for its exit code: RESUME, SKIP (past the
 * intercepted instruction: nRIP with NRIPS, else the length the test
 * gave in g->insn_len) or DONE; svm_stop_on() registers DONE for an exit
 * a test expects (for VMEXIT_INVALID also the 32-bit 0xffffffff QEMU TCG
 * writes: tests check the exact code).  L2's VMMCALL with RAX other than L2_CALL_DONE is a
 * request: g->request(g) answers it, and L2 goes on after the VMMCALL
 * unless it returns DONE.  An exit nobody expects, VMEXIT_INVALID included
 * unless a test stops on it, ends the test as ERROR with the exit code's
 * name, EXITINFO1/2, EXITINTINFO and L2's RIP: never a hang.
 */
#ifndef VMUNIT_X86_SVM_H
#define VMUNIT_X86_SVM_H

#include <stdbool.h>
#include <stdint.h>
#include "l2.h"

#define MSR_VM_CR	0xc0010114
#define MSR_VM_HSAVE_PA	0xc0010117
#define VM_CR_SVMDIS	(1u << 4)
#define X86_EFER_SVME	(1ul << 12)

/* Intercept bits: word 0-5 as in the VMCB, bit as in the APM (table B-1). */
#define SVM_ICPT(word, bit) ((word) * 32 + (bit))
enum svm_intercept {
	ICPT_INTR = SVM_ICPT(3, 0), ICPT_VINTR = SVM_ICPT(3, 4), ICPT_CPUID = SVM_ICPT(3, 18),
	ICPT_PAUSE = SVM_ICPT(3, 23), ICPT_HLT = SVM_ICPT(3, 24), ICPT_IOIO = SVM_ICPT(3, 27),
	ICPT_MSR = SVM_ICPT(3, 28), ICPT_SHUTDOWN = SVM_ICPT(3, 31),
	ICPT_VMRUN = SVM_ICPT(4, 0), ICPT_VMMCALL = SVM_ICPT(4, 1),
};
/* Exception intercepts: word 2, bit = vector. */
#define ICPT_EXCEPTION(v) SVM_ICPT(2, (v))

/* Exit codes (APM vol. 2, appendix C). */
enum {
	SVM_EXIT_EXCP_BASE = 0x40, SVM_EXIT_INTR = 0x60, SVM_EXIT_VINTR = 0x64,
	SVM_EXIT_CPUID = 0x72, SVM_EXIT_PAUSE = 0x77, SVM_EXIT_HLT = 0x78,
	SVM_EXIT_IOIO = 0x7b, SVM_EXIT_MSR = 0x7c, SVM_EXIT_SHUTDOWN = 0x7f,
	SVM_EXIT_VMRUN = 0x80, SVM_EXIT_VMMCALL = 0x81, SVM_EXIT_NPF = 0x400,
	SVM_EXIT_CODES = 0x401,		/* the table's size: up to NPF */
};
#define SVM_EXIT_INVALID ((uint64_t)-1)
/* How QEMU TCG stores it: -1 in 32 bits (dispatched as VMEXIT_INVALID). */
#define SVM_EXIT_INVALID32 0xffffffffull

/* EVENTINJ and EXITINTINFO. */
#define SVM_EVT_VALID		(1u << 31)
#define SVM_EVT_ERR		(1u << 11)
#define SVM_EVT_INTR		(0u << 8)
#define SVM_EVT_NMI		(2u << 8)
#define SVM_EVT_EXCEPTION	(3u << 8)
#define SVM_EVT_SOFT		(4u << 8)

/* IOIO EXITINFO1. */
#define SVM_IOIO_IN		(1u << 0)
#define SVM_IOIO_SZ8		(1u << 4)
#define SVM_IOIO_SZ16		(1u << 5)
#define SVM_IOIO_SZ32		(1u << 6)
#define SVM_IOIO_PORT(info)	((info) >> 16 & 0xffff)

/* #NPF EXITINFO1: a #PF error code, and where the fault was. */
#define SVM_NPF_PRESENT		(1ull << 0)
#define SVM_NPF_WRITE		(1ull << 1)
#define SVM_NPF_USER		(1ull << 2)
#define SVM_NPF_RSVD		(1ull << 3)	/* a reserved bit set in a nested entry */
#define SVM_NPF_FETCH		(1ull << 4)
#define SVM_NPF_FINAL		(1ull << 32)	/* translating the final address */
#define SVM_NPF_TABLES		(1ull << 33)	/* walking L2's page tables */

#define SVM_TLB_NOTHING		0
#define SVM_TLB_ALL		1
#define SVM_TLB_ASID		3

/* V_INTR fields of int_ctl. */
#define SVM_V_TPR_MASK		0xfull
#define SVM_V_IRQ		(1ull << 8)
#define SVM_V_INTR_PRIO(p)	((uint64_t)(p) << 16)
#define SVM_V_IGN_TPR		(1ull << 20)
#define SVM_V_INTR_MASKING	(1ull << 24)
#define SVM_V_INTR_VECTOR(v)	((uint64_t)(v) << 32)

/* virt_ext (VMCB 0xb8). */
#define SVM_LBR_VIRT		(1ull << 0)	/* LBR virtualization: CPUID 0x8000000A:EDX.LBRV */

struct vmcb_control {
	uint32_t intercepts[6];		/* CR r/w, DR r/w, exceptions, misc 1-3 */
	uint8_t reserved1[0x3c - 0x18];
	uint16_t pause_filter_threshold;
	uint16_t pause_filter_count;
	uint64_t iopm_base_pa;
	uint64_t msrpm_base_pa;
	uint64_t tsc_offset;
	uint32_t asid;
	uint8_t tlb_control;
	uint8_t reserved2[3];
	uint64_t int_ctl;		/* V_TPR, V_IRQ, V_INTR_* */
	uint64_t int_state;		/* bit 0: interrupt shadow */
	uint64_t exit_code;
	uint64_t exit_info1;
	uint64_t exit_info2;
	uint64_t exit_int_info;
	uint64_t np_enable;		/* bit 0: nested paging */
	uint64_t avic_apic_bar;
	uint64_t ghcb_pa;
	uint64_t event_inj;
	uint64_t n_cr3;
	uint64_t virt_ext;		/* LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean;
	uint32_t reserved3;
	uint64_t next_rip;
	uint8_t insn_len;
	uint8_t insn_bytes[15];
	uint8_t reserved4[0x3e0 - 0xe0];
	uint8_t software[0x20];		/* 0x3e0: for the hypervisor (Hyper-V's) */
};

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;		/* descriptor bits 40-47 and 52-55 */
	uint32_t limit;
	uint64_t base;
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint8_t reserved1[0xcb - 0xa0];
	uint8_t cpl;
	uint32_t reserved2;
	uint64_t efer;
	uint8_t reserved3[0x148 - 0xd8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;
	uint8_t reserved4[0x1d8 - 0x180];
	uint64_t rsp;
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;
	uint8_t reserved5[0x268 - 0x248];
	uint64_t g_pat;
	uint64_t dbgctl, br_from, br_to, last_excp_from, last_excp_to;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

enum svm_action { SVM_RESUME, SVM_SKIP, SVM_DONE };

struct svm_guest;
typedef enum svm_action (*svm_handler_t)(struct svm_guest *g);

struct svm_guest {
	struct vmcb *vmcb;
	struct l2_regs regs;		/* but RAX, which is the VMCB's */
	svm_handler_t handlers[SVM_EXIT_CODES];
	svm_handler_t invalid;		/* for VMEXIT_INVALID, or NULL */
	svm_handler_t request;		/* L2's VMMCALL requests, or NULL */
	unsigned insn_len;		/* SKIP without NRIPS: the instruction's length */
	/* How the last svm_run() ended. */
	uint64_t exit_code, info1, info2, int_info, rip;
	uint64_t result;		/* fn's return, with L2_CALL_DONE */
	bool done;			/* fn returned */
};

const char *svm_gate(void);
/* For a test's main(): SVM usable and on, true; else a SKIP naming the gate. */
bool svm_start(void);

void svm_guest_init(struct svm_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg);
void svm_intercept(struct svm_guest *g, enum svm_intercept i, bool on);
/* A zeroed I/O (12 KiB) or MSR (8 KiB) permission map, in use. */
uint8_t *svm_iopm(struct svm_guest *g);
uint8_t *svm_msrpm(struct svm_guest *g);
/* Make RDMSR (write: WRMSR) of msr exit, in the map svm_msrpm() gave. */
void svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool write);
void svm_run(struct svm_guest *g);
void svm_stop_on(struct svm_guest *g, uint64_t exit_code);
/* "VMMCALL (0x81)", "#NPF (0x400)", "VMEXIT_INVALID", or "0x..." */
const char *svm_exit_name(uint64_t code);
/*
 * "HLT (0x78), EXITINFO1 0, EXITINFO2 0, EXITINTINFO 0, L2 RIP 0x...", with
 * EXITINFO1 decoded for #NPF, IOIO and MSR, EXITINTINFO when valid.
 */
const char *svm_exit_str(const struct svm_guest *g, char *buf, unsigned long size);

/* In L2: VMMCALL with RAX = request; RAX after it. */
uint64_t svm_l2_call(uint64_t request);

/* The instructions, for tests that use them alone. */
void vmload(uint64_t pa);
void vmsave(uint64_t pa);
void stgi(void);
void clgi(void);

#endif
