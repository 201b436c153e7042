/*
 * x86_64 boot: a multiboot (v1) ELF entered in 32-bit protected mode with
 * paging off.  Builds page tables that map the first 4 GiB 1:1 with 2M pages,
 * enters long mode and calls x86_start(multiboot info) on the boot stack.
 *
 * SEV-aware ("x86/seves: Support 32-bit boot path"; AMD APM vol. 2 15.34,
 * the GHCB specification): before its first CPUID it installs a 32-bit IDT
 * whose #VC handler (vector 29) serves CPUID through the GHCB MSR protocol
 * (an SEV-ES guest's CPUID is a #VC; elsewhere the handler never runs).
 * When CPUID 0x8000001F (read only if 0x80000000 reaches it) reports SEV
 * and SEV_STATUS (MSR 0xc0010131, read only then) says it is active, every
 * page-table entry gets the C-bit (CPUID 0x8000001F:EBX[5:0]), kept in
 * sev_cbit_mask for pgtable.c (and SEV_STATUS in sev_status).  A #VC it cannot serve asks the hypervisor
 * to terminate the guest (GHCB MSR request 0x100): there is no console yet.
 * SEV_STATUS is read fault-safe (a #GP gate: Bochs 2.7's ryzen reports SEV
 * without the MSR) and reads as 0 when it faults.
 *
 * A CPU without long mode (CPUID.0x80000001:EDX.LM[29]) cannot run the
 * payload: the boot says so on COM1 as the verdict protocol's one SKIP
 * (lib/verdict.h) and exits through isa-debug-exit or Bochs's shutdown port.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x2		/* bit 1: memory info wanted */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define BOOT_STACK_SIZE 16384
#define VC_VECTOR 29
#define GP_VECTOR 13
#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define SVM_EXIT_CPUID 0x72
#define MSR_GHCB 0xc0010130
#define MSR_SEV_STATUS 0xc0010131
#define GHCB_CPUID_REQ 0x004
#define GHCB_CPUID_RESP 0x005
#define GHCB_TERMINATE_REQ 0x100

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.data
	.balign 16
	.globl gdt
gdt:
	.quad 0				/* null */
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
	.quad 0x00cf9b000000ffff	/* 0x18: 32-bit code */
	.quad 0x00cff3000000ffff	/* 0x20: user data (DPL 3) */
	.quad 0x00affb000000ffff	/* 0x28: user 64-bit code (DPL 3) */
	.fill 2 * 64, 8, 0		/* 0x30: a TSS descriptor per CPU */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt
idt32_desc:
	.word 8 * (VC_VECTOR + 1) - 1
	.long idt32
	.globl sev_cbit_mask
sev_cbit_mask:
	.quad 0
	.globl sev_status		/* lib/x86/sev.h */
sev_status:
	.quad 0
no_long_mode:
	.ascii "SKIP: boot: CPUID.0x80000001:EDX.LM[29] is clear: no long mode, "
	.ascii "no x86_64 payload runs on this CPU\n"
	.ascii "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 1 skipped, 0 not run\n"
	.asciz "EXIT: STATUS=2\n"
bochs_shutdown:
	.ascii "Shutdown"

	.bss
	.balign 8
idt32:	.fill VC_VECTOR + 1, 8, 0
vc_regs: .fill 4, 4, 0
	.balign 4096
pml4:	.fill 512, 8, 0
pdpt:	.fill 512, 8, 0
pd:	.fill 4 * 512, 8, 0
	.globl boot_stack_guard		/* unmapped by x86_start: overflow is #PF */
boot_stack_guard:
	.fill 4096, 1, 0
boot_stack:
	.fill BOOT_STACK_SIZE, 1, 0
boot_stack_top:

	.text
	.code32
	.globl start
start:
	mov $boot_stack_top, %esp
	mov %ebx, %esi			/* multiboot info */

	/* idt32: 32-bit interrupt gates in the loader's code segment */
	mov $vc_handler32, %eax
	mov $idt32 + 8 * VC_VECTOR, %edi
	call set_gate32
	mov $gp_handler32, %eax
	mov $idt32 + 8 * GP_VECTOR, %edi
	call set_gate32
	lidt idt32_desc

	/* long mode, or one SKIP and out */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb 5f
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jc 6f
5:	mov $no_long_mode, %esi
	jmp skip_exit32
6:

	/* %ebp: the C-bit in an entry's high dword when SEV is active, else 0 */
	xor %ebp, %ebp
	mov $0x80000000, %eax
	cpuid
	cmp $0x8000001f, %eax
	jb 1f
	mov $0x8000001f, %eax
	cpuid
	test $(1 << 1), %eax		/* SEV */
	jz 1f
	mov %ebx, %edi
	mov $MSR_SEV_STATUS, %ecx
sev_status_rdmsr:
	rdmsr				/* gp_handler32: 0 when it faults */
	mov %eax, sev_status
	mov %edx, sev_status + 4
	test $1, %eax			/* SEV active */
	jz 1f
	mov %edi, %ecx
	and $0x3f, %ecx
	sub $32, %ecx
	jb 1f				/* not a high-dword bit: no C-bit we can set */
	mov $1, %ebp
	shl %cl, %ebp
	mov %ebp, sev_cbit_mask + 4
1:
	/* pd: 2048 2M pages, present + writable + PS */
	mov $pd, %edi
	mov $0x83, %eax
	xor %edx, %edx
	mov $2048, %ecx
1:	mov %eax, (%edi)
	mov %edx, 4(%edi)
	or %ebp, 4(%edi)
	add $0x200000, %eax
	adc $0, %edx
	add $8, %edi
	loop 1b
	/* pdpt[0..3] -> pd, pml4[0] -> pdpt */
	mov $pdpt, %edi
	mov $pd + 7, %eax		/* P, W, U: the leaves decide access */
	mov $4, %ecx
2:	mov %eax, (%edi)
	mov %ebp, 4(%edi)
	add $4096, %eax
	add $8, %edi
	loop 2b
	movl $pdpt + 7, pml4
	mov %ebp, pml4 + 4

	mov %cr4, %eax
	or $(1 << 5), %eax		/* PAE */
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3

	/* EFER.LME, plus NXE when CPUID.80000001:EDX.NX[20] says so */
	xor %edi, %edi
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb 3f
	mov $0x80000001, %eax
	cpuid
	and $(1 << 20), %edx
	shr $9, %edx			/* bit 20 -> bit 11 (NXE) */
	mov %edx, %edi
3:	mov $0xc0000080, %ecx
	rdmsr
	or $(1 << 8), %eax
	or %edi, %eax
	wrmsr

	mov %cr0, %eax
	or $0x80010001, %eax		/* PG, WP, PE */
	mov %eax, %cr0
	lgdt gdt_desc
	ljmp $KERNEL_CS, $start64

/* The 32-bit interrupt gate at %edi for the handler at %eax. */
set_gate32:
	mov %cs, %edx
	shl $16, %edx
	mov %ax, %dx
	mov %edx, (%edi)
	and $0xffff0000, %eax
	or $0x8e00, %eax		/* present, DPL 0, 32-bit interrupt gate */
	mov %eax, 4(%edi)
	ret

/*
 * #GP in the 32-bit entry: the SEV_STATUS read reads 0 and goes on; any
 * other stops here (there is no console for it).
 */
gp_handler32:
	cmpl $sev_status_rdmsr, 4(%esp)
	jne 2f
	xor %eax, %eax
	xor %edx, %edx
	add $4, %esp			/* the error code */
	addl $2, (%esp)			/* past RDMSR (0f 32) */
	iret
2:	hlt
	jmp 2b

/* The NUL-terminated text at %esi on COM1 (8N1, 115200), then exit 2. */
skip_exit32:
	mov $COM1 + 3, %dx
	mov $0x80, %al			/* DLAB */
	out %al, %dx
	mov $COM1, %dx
	mov $1, %al			/* divisor 1 */
	out %al, %dx
	inc %dx
	xor %al, %al
	out %al, %dx
	mov $COM1 + 3, %dx
	mov $0x03, %al			/* 8N1 */
	out %al, %dx
1:	mov $COM1 + 5, %dx		/* LSR */
2:	in %dx, %al
	test $0x20, %al			/* THRE */
	jz 2b
	lodsb
	test %al, %al
	jz 3f
	mov $COM1, %dx
	out %al, %dx
	jmp 1b
3:	in %dx, %al
	test $0x40, %al			/* TEMT: the last byte out */
	jz 3b
	mov $DEBUG_EXIT_PORT, %dx
	mov $2, %eax			/* VM_STATUS_SKIP */
	out %eax, %dx
	mov $BOCHS_SHUTDOWN_PORT, %dx
	mov $bochs_shutdown, %esi
	mov $8, %ecx
	rep outsb
4:	hlt
	jmp 4b

/*
 * #VC in the 32-bit entry: error code (the exit code), EIP, CS, EFLAGS on
 * the stack.  CPUID: each of EAX..EDX of leaf EAX through the GHCB MSR
 * protocol (subleaf-free leaves only: the protocol carries no ECX), the
 * answer checked for its code and register, then past the 2-byte CPUID.
 */
vc_handler32:
	cmpl $SVM_EXIT_CPUID, (%esp)
	jne vc_terminate
	push %esi
	push %edi
	push %ebp
	mov %eax, %esi			/* the leaf */
	xor %edi, %edi			/* the register: 0 EAX, 1 EBX, 2 ECX, 3 EDX */
1:	mov %edi, %eax
	shl $30, %eax
	or $GHCB_CPUID_REQ, %eax
	mov %esi, %edx
	mov $MSR_GHCB, %ecx
	wrmsr
	rep; vmmcall			/* VMGEXIT */
	mov $MSR_GHCB, %ecx
	rdmsr
	mov %eax, %ebp
	and $0xfff, %ebp
	cmp $GHCB_CPUID_RESP, %ebp
	jne vc_terminate
	shr $30, %eax
	cmp %edi, %eax
	jne vc_terminate
	mov %edx, vc_regs(, %edi, 4)
	inc %edi
	cmp $4, %edi
	jb 1b
	mov vc_regs, %eax
	mov vc_regs + 4, %ebx
	mov vc_regs + 8, %ecx
	mov vc_regs + 12, %edx
	pop %ebp
	pop %edi
	pop %esi
	add $4, %esp			/* the error code */
	addl $2, (%esp)			/* past CPUID (0f a2) */
	iret
vc_terminate:
	mov $MSR_GHCB, %ecx
	mov $GHCB_TERMINATE_REQ, %eax	/* reason set 0, code 0: general */
	xor %edx, %edx
	wrmsr
	rep; vmmcall
2:	hlt
	jmp 2b

	.code64
start64:
	mov $KERNEL_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov %esi, %edi
	xor %ebp, %ebp
	call x86_start
4:	cli
	hlt
	jmp 4b

	.section .note.GNU-stack, "", @progbits
