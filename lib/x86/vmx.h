/*
 * An in-guest VMX harness (SDM vol. 3C, chapters 24-27): the payload is
 * L1, its L2 guests are C functions.
 *
 * vmx_gate() says why VMX cannot be used (CPUID.1:ECX.VMX[5], a locked
 * IA32_FEATURE_CONTROL without VMXON outside SMX), or NULL; vmx_on() sets
 * CR4.VMXE and the CR0/CR4 fixed bits (IA32_VMX_CR{0,4}_FIXED{0,1}) and
 * executes VMXON on a region with IA32_VMX_BASIC's revision.  vmx_status
 * decodes an instruction's outcome: VMsucceed, VMfailInvalid (CF) or
 * VMfailValid (ZF, with the VM-instruction error and its name).
 *
 * vmx_guest_init() makes a fresh VMCS (VMCLEAR, VMPTRLD) for L2 = fn(arg)
 * in 64-bit mode on L1's page tables, GDT, IDT, TSS and per-CPU GS, with
 * a stack of its own, MSR accesses not exiting (an all-zero MSR bitmap,
 * where the CPU allows one), and the controls of struct vmx_ctls adjusted through
 * the allowed-0/allowed-1 MSRs (the TRUE_* ones when IA32_VMX_BASIC[55]).
 * vmx_ctls_allowed() checks the wanted bits first: a bit the CPU does not
 * allow is named ("IA32_VMX_PROCBASED_CTLS2 bit 42 (allowed-1 ...)") in the
 * SKIP vmx_guest_init() reports, never written blind.
 *
 * vmx_run() enters L2 (VMLAUNCH, then VMRESUME) and dispatches each VM
 * exit to the handler registered for its basic reason: RESUME, SKIP (past
 * the exiting instruction) or DONE; vmx_stop_on() registers DONE for an
 * exit a test expects.  L2 is an l2.h guest; its hypercall is VMCALL.  An exit nobody
 * expects (no handler, an unknown request, an entry failure, exit reason
 * bit 31, without a handler for 33) ends the test as ERROR, printing the
 * exit reason, qualification and guest RIP; a VMfail of the entry itself
 * returns, recorded in the guest with its VM-instruction error.  Never a
 * hang.
 */
#ifndef VMUNIT_X86_VMX_H
#define VMUNIT_X86_VMX_H

#include <stdbool.h>
#include <stdint.h>
#include "l2.h"
#include "processor.h"

/* VMCS field encodings (SDM vol. 3D, appendix B), one table for the enum and the names. */
#define VMCS_FIELDS(X) \
	X(VPID, 0x0000) \
	X(POSTED_INTR_NV, 0x0002) \
	X(GUEST_ES_SEL, 0x0800) \
	X(GUEST_CS_SEL, 0x0802) \
	X(GUEST_SS_SEL, 0x0804) \
	X(GUEST_DS_SEL, 0x0806) \
	X(GUEST_FS_SEL, 0x0808) \
	X(GUEST_GS_SEL, 0x080a) \
	X(GUEST_LDTR_SEL, 0x080c) \
	X(GUEST_TR_SEL, 0x080e) \
	X(GUEST_INTR_STATUS, 0x0810) \
	X(GUEST_PML_INDEX, 0x0812) \
	X(HOST_ES_SEL, 0x0c00) \
	X(HOST_CS_SEL, 0x0c02) \
	X(HOST_SS_SEL, 0x0c04) \
	X(HOST_DS_SEL, 0x0c06) \
	X(HOST_FS_SEL, 0x0c08) \
	X(HOST_GS_SEL, 0x0c0a) \
	X(HOST_TR_SEL, 0x0c0c) \
	X(IO_BITMAP_A, 0x2000) \
	X(IO_BITMAP_B, 0x2002) \
	X(MSR_BITMAP, 0x2004) \
	X(PML_ADDRESS, 0x200e) \
	X(VIRTUAL_APIC_PAGE_ADDR, 0x2012) \
	X(APIC_ACCESS_ADDR, 0x2014) \
	X(POSTED_INTR_DESC_ADDR, 0x2016) \
	X(EPT_POINTER, 0x201a) \
	X(EOI_EXIT_BITMAP0, 0x201c) \
	X(EOI_EXIT_BITMAP1, 0x201e) \
	X(EOI_EXIT_BITMAP2, 0x2020) \
	X(EOI_EXIT_BITMAP3, 0x2022) \
	X(SPPTP, 0x2030) \
	X(GUEST_PHYS_ADDR, 0x2400) \
	X(VMCS_LINK_PTR, 0x2800) \
	X(GUEST_DEBUGCTL, 0x2802) \
	X(GUEST_PAT, 0x2804) \
	X(GUEST_EFER, 0x2806) \
	X(HOST_PAT, 0x2c00) \
	X(HOST_EFER, 0x2c02) \
	X(PIN_CTLS, 0x4000) \
	X(PROC_CTLS, 0x4002) \
	X(EXCEPTION_BITMAP, 0x4004) \
	X(EXIT_CTLS, 0x400c) \
	X(ENTRY_CTLS, 0x4012) \
	X(ENTRY_INTR_INFO, 0x4016) \
	X(TPR_THRESHOLD, 0x401c) \
	X(PROC_CTLS2, 0x401e) \
	X(PLE_GAP, 0x4020) \
	X(PLE_WINDOW, 0x4022) \
	X(VM_INSTRUCTION_ERROR, 0x4400) \
	X(EXIT_REASON, 0x4402) \
	X(EXIT_INTR_INFO, 0x4404) \
	X(EXIT_INTR_ERROR, 0x4406) \
	X(IDT_VECTORING_INFO, 0x4408) \
	X(EXIT_INSN_LEN, 0x440c) \
	X(GUEST_ES_LIMIT, 0x4800) \
	X(GUEST_CS_LIMIT, 0x4802) \
	X(GUEST_SS_LIMIT, 0x4804) \
	X(GUEST_DS_LIMIT, 0x4806) \
	X(GUEST_FS_LIMIT, 0x4808) \
	X(GUEST_GS_LIMIT, 0x480a) \
	X(GUEST_LDTR_LIMIT, 0x480c) \
	X(GUEST_TR_LIMIT, 0x480e) \
	X(GUEST_GDTR_LIMIT, 0x4810) \
	X(GUEST_IDTR_LIMIT, 0x4812) \
	X(GUEST_ES_AR, 0x4814) \
	X(GUEST_CS_AR, 0x4816) \
	X(GUEST_SS_AR, 0x4818) \
	X(GUEST_DS_AR, 0x481a) \
	X(GUEST_FS_AR, 0x481c) \
	X(GUEST_GS_AR, 0x481e) \
	X(GUEST_LDTR_AR, 0x4820) \
	X(GUEST_TR_AR, 0x4822) \
	X(GUEST_INTERRUPTIBILITY, 0x4824) \
	X(GUEST_ACTIVITY, 0x4826) \
	X(GUEST_SYSENTER_CS, 0x482a) \
	X(PREEMPTION_TIMER, 0x482e) \
	X(HOST_SYSENTER_CS, 0x4c00) \
	X(EXIT_QUALIFICATION, 0x6400) \
	X(GUEST_LINEAR_ADDR, 0x640a) \
	X(GUEST_CR0, 0x6800) \
	X(GUEST_CR3, 0x6802) \
	X(GUEST_CR4, 0x6804) \
	X(GUEST_ES_BASE, 0x6806) \
	X(GUEST_CS_BASE, 0x6808) \
	X(GUEST_SS_BASE, 0x680a) \
	X(GUEST_DS_BASE, 0x680c) \
	X(GUEST_FS_BASE, 0x680e) \
	X(GUEST_GS_BASE, 0x6810) \
	X(GUEST_LDTR_BASE, 0x6812) \
	X(GUEST_TR_BASE, 0x6814) \
	X(GUEST_GDTR_BASE, 0x6816) \
	X(GUEST_IDTR_BASE, 0x6818) \
	X(GUEST_DR7, 0x681a) \
	X(GUEST_RSP, 0x681c) \
	X(GUEST_RIP, 0x681e) \
	X(GUEST_RFLAGS, 0x6820) \
	X(GUEST_SYSENTER_ESP, 0x6824) \
	X(GUEST_SYSENTER_EIP, 0x6826) \
	X(GUEST_S_CET, 0x6828) \
	X(GUEST_SSP, 0x682a) \
	X(GUEST_INTR_SSP, 0x682c) \
	X(HOST_CR0, 0x6c00) \
	X(HOST_CR3, 0x6c02) \
	X(HOST_CR4, 0x6c04) \
	X(HOST_FS_BASE, 0x6c06) \
	X(HOST_GS_BASE, 0x6c08) \
	X(HOST_TR_BASE, 0x6c0a) \
	X(HOST_GDTR_BASE, 0x6c0c) \
	X(HOST_IDTR_BASE, 0x6c0e) \
	X(HOST_SYSENTER_ESP, 0x6c10) \
	X(HOST_SYSENTER_EIP, 0x6c12) \
	X(HOST_RSP, 0x6c14) \
	X(HOST_RIP, 0x6c16) \
	X(HOST_S_CET, 0x6c18) \
	X(HOST_SSP, 0x6c1a) \
	X(HOST_INTR_SSP, 0x6c1c)

enum vmcs_field {
#define VMCS_ENUM(name, code) name = code,
	VMCS_FIELDS(VMCS_ENUM)
#undef VMCS_ENUM
};

/* "GUEST_RIP" for 0x681e, or "?". */
const char *vmcs_field_name(enum vmcs_field f);

/* Basic exit reasons (SDM vol. 3D, appendix C). */
enum {
	EXIT_EXCEPTION = 0, EXIT_EXTINT = 1, EXIT_TRIPLE_FAULT = 2, EXIT_NMI_WINDOW = 8,
	EXIT_CPUID = 10,
	EXIT_HLT = 12, EXIT_VMCALL = 18, EXIT_IO = 30, EXIT_RDMSR = 31, EXIT_WRMSR = 32,
	EXIT_INVALID_STATE = 33,
	EXIT_PAUSE = 40, EXIT_TPR_BELOW_THRESHOLD = 43, EXIT_APIC_ACCESS = 44,
	EXIT_VIRTUALIZED_EOI = 45, EXIT_EPT_VIOLATION = 48, EXIT_EPT_MISCONFIG = 49,
	EXIT_PREEMPTION_TIMER = 52, EXIT_APIC_WRITE = 56, EXIT_PML_FULL = 62,
	EXIT_SPP_EVENT = 66,
	EXIT_REASONS = 70,
};
#define EXIT_REASON_FAILED_ENTRY (1u << 31)

/* Controls (the bits the harness and its tests name). */
#define PIN_EXTINT_EXITING	(1u << 0)
#define PIN_NMI_EXITING		(1u << 3)
#define PIN_VIRTUAL_NMIS	(1u << 5)
#define PIN_PREEMPTION_TIMER	(1u << 6)
#define PIN_POSTED_INTR		(1u << 7)
#define PROC_HLT_EXITING	(1u << 7)
#define PROC_TPR_SHADOW		(1u << 21)
#define PROC_NMI_WINDOW		(1u << 22)
#define PROC_UNCOND_IO		(1u << 24)
#define PROC_MSR_BITMAP		(1u << 28)
#define PROC_SECONDARY		(1u << 31)
#define PROC2_APIC_ACCESS	(1u << 0)	/* virtualize APIC accesses */
#define PROC2_EPT		(1u << 1)
#define PROC2_X2APIC		(1u << 4)	/* virtualize x2APIC mode */
#define PROC2_VPID		(1u << 5)
#define PROC2_APIC_REGS		(1u << 8)	/* APIC-register virtualization */
#define PROC2_VINTR		(1u << 9)	/* virtual-interrupt delivery */
#define PROC2_PLE		(1u << 10)
#define PROC2_PML		(1u << 17)
#define EXIT_HOST_64		(1u << 9)
#define EXIT_ACK_INTR		(1u << 15)
#define EXIT_SAVE_PREEMPTION	(1u << 22)
#define EXIT_LOAD_EFER		(1u << 21)
#define ENTRY_GUEST_64		(1u << 9)
#define ENTRY_LOAD_EFER		(1u << 15)

/* VM-entry interruption information (ENTRY_INTR_INFO), guest interruptibility. */
#define INTR_INFO_VALID		(1u << 31)
#define INTR_TYPE_NMI		(2u << 8)
#define INTERRUPTIBILITY_NMI	(1u << 3)	/* (virtual-)NMI blocking */

enum vmx_result { VMX_OK, VMX_FAIL_INVALID, VMX_FAIL_VALID };

struct vmx_status {
	enum vmx_result result;
	uint32_t error;		/* VM-instruction error, for VMX_FAIL_VALID */
};

const char *vmx_gate(void);
/* CR4.VMXE and the CR0/CR4 fixed bits, as VMXON needs them. */
void vmx_prepare_crs(void);
/* VMXON with everything right: vmx_prepare_crs(), the region. */
struct vmx_status vmx_on(void);
void vmx_off(void);
/* The VMXON region vmx_on() used. */
void *vmx_vmxon_region(void);
/* A 4K region with IA32_VMX_BASIC's revision (or revision ^ 1 if bad). */
void *vmx_region(bool bad_revision);
uint64_t vmx_basic(void);

/* The instructions, each with its outcome. */
struct vmx_status vmxon(uint64_t pa);
struct vmx_status vmclear(uint64_t pa);
struct vmx_status vmptrld(uint64_t pa);
struct vmx_status vmwrite(enum vmcs_field f, uint64_t v);
uint64_t vmread(enum vmcs_field f);
/* The outcome from RFLAGS after a VMX instruction (CF, ZF). */
struct vmx_status vmx_status_of(uint64_t rflags);
/* "VMfailValid error 5 (VMRESUME with non-launched VMCS)" and the like. */
const char *vmx_status_str(struct vmx_status s, char *buf, unsigned long size);
const char *vmx_error_name(uint32_t error);
const char *vmx_exit_name(uint32_t reason);

struct vmx_ctls {
	uint32_t pin, proc, proc2, exit, entry;
};

/*
 * NULL when every wanted bit is allowed, else which one is not; with
 * PROC2_EPT also what EPT needs of IA32_VMX_EPT_VPID_CAP (a 4-level walk,
 * write-back structures, INVEPT).
 */
const char *vmx_ctls_allowed(const struct vmx_ctls *want);
/*
 * For a test's main(): VMX usable with the controls in need and VMXON
 * done, true; else a SKIP naming the gate (or a FAIL if VMXON fails).
 */
bool vmx_start(const struct vmx_ctls *need);

enum vmx_action { VMX_RESUME, VMX_SKIP, VMX_DONE };

struct vmx_guest;
typedef enum vmx_action (*vmx_handler_t)(struct vmx_guest *g);


/*
 * A posted-interrupt descriptor (SDM vol. 3C, 30.6): PIR, one bit per
 * vector, and ON (outstanding notification, bit 256); the CPU uses no
 * other field.
 */
struct vmx_pi_desc {
	volatile uint64_t pir[4];
	volatile uint64_t control;	/* bit 0: ON */
	uint64_t unused[3];
} __attribute__((aligned(64)));
#define PI_ON 1ull

struct vmx_guest {
	void *vmcs;
	uint32_t *vapic;		/* vmx_vapic_init(): the virtual-APIC page */
	void *apic_access;		/* and the APIC-access page (NULL: none) */
	struct vmx_pi_desc *pi;		/* ... and the posted-interrupt descriptor */
	struct l2_regs regs;
	bool launched;
	vmx_handler_t handlers[EXIT_REASONS];
	/* How the last vmx_run() ended. */
	struct vmx_status entry;	/* the VMLAUNCH/VMRESUME outcome */
	uint32_t exit_reason;
	uint64_t qualification, guest_rip;
	uint64_t result;		/* fn's return, with L2_CALL_DONE */
	bool done;			/* fn returned */
};

/* true, or false after a SKIP naming the control the CPU does not allow. */
bool vmx_guest_init(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
		    const struct vmx_ctls *want);
void vmx_run(struct vmx_guest *g);
void vmx_stop_on(struct vmx_guest *g, uint32_t reason);
/* "exit 12 (HLT), qualification 0, guest RIP 0x..." for messages. */
const char *vmx_exit_str(const struct vmx_guest *g, char *buf, unsigned long size);

/*
 * APIC virtualization (SDM vol. 3C, chapter 30), after vmx_guest_init()
 * with PROC_TPR_SHADOW: vmx_vapic_init() gives L2 a zeroed virtual-APIC
 * page (g->vapic, laid out like the APIC's registers: vmx_vapic_reg());
 * with PROC2_APIC_ACCESS an APIC-access page of RAM (g->apic_access, any
 * 4K-aligned physical address: SDM vol. 3C 25.6.8), which L2 reaches on
 * L1's page tables for its virtualized xAPIC MMIO (a test may point
 * APIC_ACCESS_ADDR elsewhere, e.g. at L1's own APIC); with PIN_POSTED_INTR, a
 * zeroed descriptor (g->pi) and notification vector nv.  TPR threshold
 * and EOI-exit bitmap start at 0, guest interrupt status (RVI, SVI) too.
 */
void vmx_vapic_init(struct vmx_guest *g, unsigned int nv);
/* A register of the virtual-APIC page, by its xAPIC offset (APIC_TPR ...). */
volatile uint32_t *vmx_vapic_reg(const struct vmx_guest *g, unsigned int reg);
/* The vector's bit of a 256-bit register (APIC_ISR, APIC_IRR) of the page. */
bool vmx_vapic_vector(const struct vmx_guest *g, unsigned int reg, unsigned int vector);
void vmx_vapic_set_vector(const struct vmx_guest *g, unsigned int reg, unsigned int vector);
/* The EOI-exit bitmap's bit for vector (the current VMCS). */
void vmx_eoi_exit(unsigned int vector, bool exit);
/*
 * Post vector to the descriptor (SDM 30.6): PIR bit, then ON, both locked;
 * when ON was clear, the notification nv as a fixed IPI to CPU cpu
 * (apic_ipi()).  Safe from any CPU.
 */
void vmx_pi_post(struct vmx_pi_desc *d, unsigned int vector, unsigned int nv, unsigned int cpu);

#endif
