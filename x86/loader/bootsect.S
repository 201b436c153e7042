/*
 * vmunit's boot sector for Bochs, whose BIOS has no multiboot loader: it
 * hands a payload over exactly as QEMU's multiboot loader does, so one
 * payload boots on both.  The runner loads the payload's ELF and its
 * command line where lib/x86/bochs-loader.h says (Bochs optramimage1/2,
 * in RAM before the BIOS runs) and boots this sector from a floppy.
 *
 * Real mode: the INT 15h E820 memory map into multiboot mmap entries,
 * A20 on (port 0x92).  Then 32-bit protected mode, flat segments: copy
 * the ELF's PT_LOAD segments to their physical addresses, zero the rest of
 * each, fill the multiboot info (memory, command line, memory map) and
 * jump to the entry with EAX = 0x2badb002, EBX = the info.  No ELF at
 * ELF_STAGE: "loader: no payload" on COM1 and halt.
 */
#include "x86/bochs-loader.h"

#define ELF_STAGE	BOCHS_ELF_STAGE
#define CMDLINE		BOCHS_CMDLINE
#define MBI		0x5000
#define MMAP		0x5100
#define MB_MAGIC	0x2badb002
#define MB_FLAGS	0x45		/* mem_lower/upper, cmdline, mmap */
#define SMAP		0x534d4150
#define COM1		0x3f8

	.code16
	.text
	.globl _start
_start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7c00, %sp
	cld
	mov $MMAP + 4, %di
	xor %ebx, %ebx
1:	mov $0xe820, %eax
	mov $SMAP, %edx
	mov $20, %ecx
	int $0x15
	jc 2f
	cmp $SMAP, %eax
	jne 2f
	movl $20, -4(%di)
	add $24, %di
	test %ebx, %ebx
	jnz 1b
2:	sub $MMAP + 4, %di
	movzwl %di, %edi
	mov %edi, MBI + 44		/* mmap_length, all 32 bits */
	in $0x92, %al
	or $2, %al
	and $0xfe, %al
	out %al, $0x92
	lgdtl gdt_desc
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $0x08, $pm32

	.code32
pm32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $ELF_STAGE, %ebp
	cmpl $0x464c457f, (%ebp)	/* "\177ELF" */
	jne no_payload
	mov 0x1c(%ebp), %ebx		/* e_phoff */
	add %ebp, %ebx
	movzwl 0x2c(%ebp), %edx		/* e_phnum */
3:	cmpl $1, (%ebx)			/* PT_LOAD */
	jne 4f
	mov 0x04(%ebx), %esi		/* p_offset */
	add %ebp, %esi
	mov 0x0c(%ebx), %edi		/* p_paddr */
	mov 0x10(%ebx), %ecx		/* p_filesz */
	rep movsb
	mov 0x14(%ebx), %ecx		/* p_memsz */
	sub 0x10(%ebx), %ecx
	xor %eax, %eax
	rep stosb
4:	movzwl 0x2a(%ebp), %eax		/* e_phentsize */
	add %eax, %ebx
	dec %edx
	jnz 3b

	/* mem_upper: the available region at 1 MiB, in KiB */
	mov $MMAP, %esi
	mov %esi, %ecx
	add MBI + 44, %ecx
5:	cmp %ecx, %esi
	jae 6f
	cmpl $0x100000, 4(%esi)
	jne 7f
	cmpl $1, 20(%esi)
	jne 7f
	mov 12(%esi), %eax
	shr $10, %eax
	mov %eax, MBI + 8
7:	add $24, %esi
	jmp 5b
6:	movl $MB_FLAGS, MBI
	movl $640, MBI + 4
	movl $CMDLINE, MBI + 16
	movl $MMAP, MBI + 48
	mov $MB_MAGIC, %eax
	mov $MBI, %ebx
	jmp *0x18(%ebp)			/* e_entry */

no_payload:
	mov $COM1 + 3, %dx		/* LCR: 8N1 */
	mov $3, %al
	out %al, %dx
	mov $msg, %esi
	mov $COM1, %dx
8:	lodsb
	test %al, %al
	jz 9f
	out %al, %dx
	jmp 8b
9:	hlt
	jmp 9b

msg:	.asciz "ERROR: loader: no payload ELF loaded\n"
	.balign 8
gdt:	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	.org 510
	.word 0xaa55
