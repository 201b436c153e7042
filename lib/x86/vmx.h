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
 * allow is named ("IA32_VMX_PROCBASED_CTLS2 bit 10 (PAUSE-loop exiting)")
 * for a SKIP, never written blind.
 *
 * vmx_run() enters L2 (VMLAUNCH, then VMRESUME) and dispatches each VM
 * exit to the handler registered for its basic reason: RESUME, SKIP (past
 * the exiting instruction) or DONE; vmx_stop_on() registers DONE for an
 * exit a test expects.  L2 asks L1 with VMCALL, RAX = request; fn's
 * return is request VMX_CALL_DONE with its value in RBX.  An exit nobody
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
#include "processor.h"

/* VMCS field encodings (SDM vol. 3D, appendix B). */
enum vmcs_field {
	VPID = 0x0000,
	GUEST_ES_SEL = 0x0800, GUEST_CS_SEL = 0x0802, GUEST_SS_SEL = 0x0804,
	GUEST_DS_SEL = 0x0806, GUEST_FS_SEL = 0x0808, GUEST_GS_SEL = 0x080a,
	GUEST_LDTR_SEL = 0x080c, GUEST_TR_SEL = 0x080e,
	HOST_ES_SEL = 0x0c00, HOST_CS_SEL = 0x0c02, HOST_SS_SEL = 0x0c04,
	HOST_DS_SEL = 0x0c06, HOST_FS_SEL = 0x0c08, HOST_GS_SEL = 0x0c0a,
	HOST_TR_SEL = 0x0c0c,
	IO_BITMAP_A = 0x2000, IO_BITMAP_B = 0x2002, MSR_BITMAP = 0x2004,
	EPT_POINTER = 0x201a,
	GUEST_PHYS_ADDR = 0x2400,
	VMCS_LINK_PTR = 0x2800, GUEST_DEBUGCTL = 0x2802, GUEST_PAT = 0x2804,
	GUEST_EFER = 0x2806,
	HOST_PAT = 0x2c00, HOST_EFER = 0x2c02,
	PIN_CTLS = 0x4000, PROC_CTLS = 0x4002, EXCEPTION_BITMAP = 0x4004,
	EXIT_CTLS = 0x400c, ENTRY_CTLS = 0x4012, ENTRY_INTR_INFO = 0x4016,
	PROC_CTLS2 = 0x401e, PLE_GAP = 0x4020, PLE_WINDOW = 0x4022,
	VM_INSTRUCTION_ERROR = 0x4400, EXIT_REASON = 0x4402, EXIT_INTR_INFO = 0x4404,
	EXIT_INTR_ERROR = 0x4406, IDT_VECTORING_INFO = 0x4408, EXIT_INSN_LEN = 0x440c,
	GUEST_ES_LIMIT = 0x4800, GUEST_CS_LIMIT = 0x4802, GUEST_SS_LIMIT = 0x4804,
	GUEST_DS_LIMIT = 0x4806, GUEST_FS_LIMIT = 0x4808, GUEST_GS_LIMIT = 0x480a,
	GUEST_LDTR_LIMIT = 0x480c, GUEST_TR_LIMIT = 0x480e, GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR = 0x4814, GUEST_CS_AR = 0x4816, GUEST_SS_AR = 0x4818,
	GUEST_DS_AR = 0x481a, GUEST_FS_AR = 0x481c, GUEST_GS_AR = 0x481e,
	GUEST_LDTR_AR = 0x4820, GUEST_TR_AR = 0x4822,
	GUEST_INTERRUPTIBILITY = 0x4824, GUEST_ACTIVITY = 0x4826,
	GUEST_SYSENTER_CS = 0x482a, PREEMPTION_TIMER = 0x482e,
	HOST_SYSENTER_CS = 0x4c00,
	EXIT_QUALIFICATION = 0x6400, GUEST_LINEAR_ADDR = 0x640a,
	GUEST_CR0 = 0x6800, GUEST_CR3 = 0x6802, GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806, GUEST_CS_BASE = 0x6808, GUEST_SS_BASE = 0x680a,
	GUEST_DS_BASE = 0x680c, GUEST_FS_BASE = 0x680e, GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812, GUEST_TR_BASE = 0x6814, GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818, GUEST_DR7 = 0x681a, GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e, GUEST_RFLAGS = 0x6820,
	GUEST_SYSENTER_ESP = 0x6824, GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00, HOST_CR3 = 0x6c02, HOST_CR4 = 0x6c04, HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08, HOST_TR_BASE = 0x6c0a, HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e, HOST_SYSENTER_ESP = 0x6c10, HOST_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14, HOST_RIP = 0x6c16,
};

/* Basic exit reasons (SDM vol. 3D, appendix C). */
enum {
	EXIT_EXCEPTION = 0, EXIT_EXTINT = 1, EXIT_TRIPLE_FAULT = 2, EXIT_CPUID = 10,
	EXIT_HLT = 12, EXIT_VMCALL = 18, EXIT_IO = 30, EXIT_RDMSR = 31, EXIT_WRMSR = 32,
	EXIT_INVALID_STATE = 33,
	EXIT_PAUSE = 40, EXIT_EPT_VIOLATION = 48, EXIT_PREEMPTION_TIMER = 52,
	EXIT_SPP_EVENT = 66,
	EXIT_REASONS = 70,
};
#define EXIT_REASON_FAILED_ENTRY (1u << 31)

/* Controls (the bits the harness and its tests name). */
#define PIN_PREEMPTION_TIMER	(1u << 6)
#define PROC_HLT_EXITING	(1u << 7)
#define PROC_UNCOND_IO		(1u << 24)
#define PROC_MSR_BITMAP		(1u << 28)
#define PROC_SECONDARY		(1u << 31)
#define PROC2_EPT		(1u << 1)
#define PROC2_VPID		(1u << 5)
#define PROC2_PLE		(1u << 10)
#define EXIT_HOST_64		(1u << 9)
#define EXIT_LOAD_EFER		(1u << 21)
#define ENTRY_GUEST_64		(1u << 9)
#define ENTRY_LOAD_EFER		(1u << 15)

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

/* NULL when every wanted bit is allowed, else which one is not. */
const char *vmx_ctls_allowed(const struct vmx_ctls *want);
/*
 * For a test's main(): VMX usable with the controls in need and VMXON
 * done, true; else a SKIP naming the gate (or a FAIL if VMXON fails).
 */
bool vmx_start(const struct vmx_ctls *need);

struct vmx_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vmx_action { VMX_RESUME, VMX_SKIP, VMX_DONE };

struct vmx_guest;
typedef enum vmx_action (*vmx_handler_t)(struct vmx_guest *g);

#define VMX_CALL_DONE 0

struct vmx_guest {
	void *vmcs;
	struct vmx_regs regs;
	bool launched;
	vmx_handler_t handlers[EXIT_REASONS];
	/* How the last vmx_run() ended. */
	struct vmx_status entry;	/* the VMLAUNCH/VMRESUME outcome */
	uint32_t exit_reason;
	uint64_t qualification, guest_rip;
	uint64_t result;		/* fn's return, with VMX_CALL_DONE */
	bool done;			/* fn returned */
};

/* 0, or with a SKIP reason in *gate when a control is not allowed. */
bool vmx_guest_init(struct vmx_guest *g, uint64_t (*fn)(uint64_t), uint64_t arg,
		    const struct vmx_ctls *want, const char **gate);
void vmx_run(struct vmx_guest *g);
void vmx_stop_on(struct vmx_guest *g, uint32_t reason);
/* "exit 12 (HLT), qualification 0, guest RIP 0x..." for messages. */
const char *vmx_exit_str(const struct vmx_guest *g, char *buf, unsigned long size);

#endif
