/*
 * x86_64 boot: a multiboot (v1) ELF entered in 32-bit protected mode with
 * paging off.  Builds page tables that map the first 4 GiB 1:1 with 2M pages,
 * enters long mode and calls x86_start(multiboot info) on the boot stack.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x2		/* bit 1: memory info wanted */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define BOOT_STACK_SIZE 16384

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
	.fill 2 * 64, 8, 0		/* 0x20: a TSS descriptor per CPU */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.bss
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

	/* pd: 2048 2M pages, present + writable + PS */
	mov $pd, %edi
	mov $0x83, %eax
	xor %edx, %edx
	mov $2048, %ecx
1:	mov %eax, (%edi)
	mov %edx, 4(%edi)
	add $0x200000, %eax
	adc $0, %edx
	add $8, %edi
	loop 1b
	/* pdpt[0..3] -> pd, pml4[0] -> pdpt */
	mov $pdpt, %edi
	mov $pd + 3, %eax
	mov $4, %ecx
2:	mov %eax, (%edi)
	add $4096, %eax
	add $8, %edi
	loop 2b
	movl $pdpt + 3, pml4

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
