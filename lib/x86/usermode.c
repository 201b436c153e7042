/* CPL3 entry (IRETQ to a user stub) and return (INT from it): usermode.h. */
#include "arch.h"
#include "desc.h"
#include "processor.h"
#include "usermode.h"
#include "vm.h"

#define STR_(x) #x
#define STR(x) STR_(x)

extern char __start_user_text[], __stop_user_text[];

/*
 * user_enter(arg, fn, user_rsp, rsp0): TSS.RSP0 = this stack pointer (all
 * below it is free once at CPL3), then IRETQ to user_stub at CPL3.
 */
__attribute__((noreturn)) void user_enter(uint64_t arg, uint64_t (*fn)(uint64_t),
					  uint64_t user_rsp, void *rsp0);
asm(".pushsection .text\n"
    "user_enter:\n"
    "	mov %rsp, (%rcx)\n"
    "	pushq $" STR(USER_DS) " | 3\n"
    "	pushq %rdx\n"
    "	pushfq\n"
    "	pushq $" STR(USER_CS) " | 3\n"
    "	lea user_stub(%rip), %rax\n"
    "	push %rax\n"
    "	iretq\n"
    ".popsection\n"
    ".pushsection user_text, \"ax\"\n"
    "user_stub:\n"
    "	call *%rsi\n"
    "	int $" STR(USER_RET_VECTOR) "\n"
    "	ud2\n"
    ".popsection");

static unsigned long ctx[JMP_CTX_WORDS];
static volatile uint64_t result;
static uint8_t stack[4096] __attribute__((aligned(4096)));

static void user_returned(struct ex_regs *r)
{
	result = r->rax;
	vm_longjmp(ctx, 1);
}

static void setup(void)
{
	static bool done;

	if (done)
		return;
	for (char *p = __start_user_text; p < __stop_user_text; p += 4096)
		protect_page(p, VM_X | VM_USER);
	protect_page(stack, VM_W | VM_USER);
	set_idt_dpl(USER_RET_VECTOR, 3);
	done = true;
}

uint64_t run_user(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	setup();
	handle_exception(USER_RET_VECTOR, user_returned);
	if (!vm_setjmp(ctx))
		user_enter(arg, fn, (uint64_t)stack + sizeof(stack), tss_rsp0());
	/* the entry from CPL3 left SS null, the IRETQ to it DS and ES */
	asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" : : "r"(KERNEL_DS));
	return result;
}
