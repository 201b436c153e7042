/*
 * efi-boot's x86_64 entry and hand-over.  efi_entry: the PE entry point,
 * called with the Microsoft x64 convention (image handle in RCX, system
 * table in RDX), calls efi_main with the System V one.  efi_x86_enter:
 * out of long mode (a 32-bit code segment, paging off, EFER.LME off) into
 * the payload's multiboot entry: EAX the loader magic, EBX the info, flat
 * 32-bit segments; the EBDA segment at 0x40e when there is one.  Runs
 * from identity-mapped memory below 4 GiB (efi_arch_prepare checks).
 */
#define CODE64 0x08
#define DATA 0x10
#define CODE32 0x18
#define MB_MAGIC_LOADER 0x2badb002

	.text
	.globl efi_entry
efi_entry:
	push %rsi			/* callee-saved in the Microsoft convention */
	push %rdi
	sub $8, %rsp
	mov %rcx, %rdi
	mov %rdx, %rsi
	call efi_main
	add $8, %rsp
	pop %rdi
	pop %rsi
	ret

	/* efi_x86_enter(entry, mbi, ebda segment) */
	.globl efi_x86_enter
efi_x86_enter:
	cli
	lea gdt(%rip), %rax
	mov %rax, gdt_desc + 2(%rip)
	lgdt gdt_desc(%rip)
	mov %edx, %ebp
	lea 1f(%rip), %rax
	push $CODE32
	push %rax
	lretq

	.code32
1:	mov $DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov %cr0, %eax
	and $0x7fffffff, %eax		/* PG off: long mode inactive */
	mov %eax, %cr0
	mov $0xc0000080, %ecx
	rdmsr
	and $~(1 << 8), %eax		/* EFER.LME off */
	wrmsr
	test %ebp, %ebp
	jz 2f
	mov %bp, 0x40e
2:	mov %esi, %ebx
	mov $MB_MAGIC_LOADER, %eax
	jmp *%edi

	.data
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* CODE64 */
	.quad 0x00cf93000000ffff	/* DATA */
	.quad 0x00cf9b000000ffff	/* CODE32 */
gdt_end:
	.balign 8
gdt_desc:
	.word gdt_end - gdt - 1
	.quad 0				/* the base, set at run time: no relocation */

	.section .note.GNU-stack, "", @progbits
