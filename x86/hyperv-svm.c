/*
 * hyperv-svm: the Hyper-V enlightenments for nested SVM (Hyper-V TLFS),
 * as an L1 that is itself an enlightened guest of KVM (QEMU's hv-*
 * properties) sees them:
 * - detect: CPUID.1:ECX.HYPERVISOR[31]; leaf 0x40000000's maximum and
 *   the "Microsoft Hv" signature; 0x40000001 "Hv#1"; leaves read only up
 *   to the maximum (cpuid.h); the privileges of 0x40000003.EAX (HYPERCALL[5],
 *   VP_INDEX[6], APIC_ACCESS[4]: the VP assist page), the nested features
 *   of 0x4000000A.EAX (DIRECT_FLUSH[17], GUEST_MAPPING_FLUSH[18],
 *   MSR_BITMAP[19], ENLIGHTENED_TLB[22]) named;
 * - msr-bitmap (0x4000000A.EAX.MSR_BITMAP[19]): with the enlightened MSR
 *   bitmap on in the VMCB's enlightenments (0x3e0), a permission map
 *   change L1 makes with VMCB clean bit 31 clear is honoured;
 * - direct-flush (DIRECT_FLUSH[17], APIC_ACCESS[4]): with the VP assist
 *   page's direct hypercalls and the VMCB's nested_flush_hypercall, L2's
 *   HvCallFlushVirtualAddressSpace through VMMCALL is answered by L0:
 *   status 0 and no #VMEXIT to L1.
 * Under QEMU TCG and Bochs the signature is another one (QEMU refuses
 * hv-* without KVM): SKIP naming it.  The nested parts need SVM too
 * (x86/svm.c tests SVM itself) and are written for a KVM host on AMD;
 * the cfg entry hyperv-svm-kvm starts one with the hv-* properties.  So
 * an ignored direct flush shows only under KVM: in the 6.12 x86 KVM box
 * (6.1's QEMU refuses hv-tlbflush-direct there: SKIP).
 */
#include "vmunit.h"
#include "alloc.h"
#include "cpuid.h"
#include "processor.h"
#include "string.h"
#include "svm.h"

#define HV_BASE			0x40000000
#define HV_INTERFACE_HV1	0x31237648	/* "Hv#1" */
#define HV_PRIV_APIC_ACCESS	(1u << 4)	/* APIC MSRs, VP assist page */
#define HV_PRIV_HYPERCALL	(1u << 5)
#define HV_PRIV_VP_INDEX	(1u << 6)
#define HV_NESTED_DIRECT_FLUSH	(1u << 17)
#define HV_NESTED_MAPPING_FLUSH	(1u << 18)
#define HV_NESTED_MSR_BITMAP	(1u << 19)
#define HV_NESTED_ENLIGHTENED_TLB (1u << 22)

#define MSR_HV_GUEST_OS_ID	0x40000000
#define MSR_HV_HYPERCALL	0x40000001
#define MSR_HV_VP_ASSIST_PAGE	0x40000073
#define HV_CALL_FLUSH_VA_SPACE	0x0002
#define HV_FLUSH_ALL_PROCESSORS	(1ull << 0)
#define HV_FLUSH_ALL_SPACES	(1ull << 1)

/* The VMCB's software area (0x3e0) as Hyper-V defines it. */
struct hv_vmcb_enlightenments {
	uint32_t control;	/* nested_flush_hypercall[0], msr_bitmap[1], npt_tlb[2] */
	uint32_t vp_id;
	uint64_t vm_id;
	uint64_t partition_assist_page;
	uint64_t reserved;
};
#define HV_ENL_FLUSH_HYPERCALL	(1u << 0)
#define HV_ENL_MSR_BITMAP	(1u << 1)
#define HV_CLEAN_ENLIGHTENMENTS	(1u << 31)
#define VP_ASSIST_NESTED_CONTROL 0x20	/* its features: directhypercall[0] */

_Static_assert(sizeof(struct hv_vmcb_enlightenments) == sizeof(((struct vmcb_control *)0)->software),
	       "the VMCB software area");

static uint32_t max_leaf, privileges, nested;
static char buf[240];
static struct svm_guest g;

static void test_detect(const void *arg)
{
	struct cpuid r;
	char sig[13];

	require(cpu_has(X86_FEATURE_HYPERVISOR), "%s: not a guest",
		cpu_feature_gate(X86_FEATURE_HYPERVISOR));
	hypervisor_signature(sig);
	require(!strcmp(sig, "Microsoft Hv"),
		"CPUID 0x40000000 signature \"%s\", not \"Microsoft Hv\" (QEMU's hv-* need KVM)",
		sig);
	max_leaf = cpuid(HV_BASE, 0).a;
	report(max_leaf >= 0x40000005, "max leaf is at least 0x40000005 (%#x)", max_leaf);
	r = cpuid(0x40000001, 0);
	report(r.a == HV_INTERFACE_HV1, "0x40000001: interface \"Hv#1\" (%#x)", r.a);
	privileges = cpuid(0x40000003, 0).a;
	report_info("0x40000003.EAX privileges %#x: HYPERCALL[5] %u, VP_INDEX[6] %u, APIC_ACCESS[4] %u",
		    privileges, !!(privileges & HV_PRIV_HYPERCALL),
		    !!(privileges & HV_PRIV_VP_INDEX), !!(privileges & HV_PRIV_APIC_ACCESS));
	report_info("0x40000004.EAX recommendations %#x", cpuid(0x40000004, 0).a);
	require(max_leaf >= 0x4000000a, "CPUID 0x40000000.EAX: max leaf %#x is below 0x4000000A",
		max_leaf);
	nested = cpuid(0x4000000a, 0).a;
	report_info("0x4000000A.EAX nested features %#x: DIRECT_FLUSH[17] %u, GUEST_MAPPING_FLUSH[18] %u, MSR_BITMAP[19] %u, ENLIGHTENED_TLB[22] %u",
		    nested, !!(nested & HV_NESTED_DIRECT_FLUSH),
		    !!(nested & HV_NESTED_MAPPING_FLUSH), !!(nested & HV_NESTED_MSR_BITMAP),
		    !!(nested & HV_NESTED_ENLIGHTENED_TLB));
}

static struct hv_vmcb_enlightenments *enl(void)
{
	return (struct hv_vmcb_enlightenments *)g.vmcb->control.software;
}

static uint64_t l2_rdmsr(uint64_t msr)
{
	return rdmsr(msr);
}

static void test_msr_bitmap(const void *arg)
{
	uint8_t *map;

	require(nested & HV_NESTED_MSR_BITMAP, "CPUID 0x4000000A.EAX.MSR_BITMAP[19]");
	svm_guest_init(&g, l2_rdmsr, MSR_IA32_SYSENTER_CS);
	map = svm_msrpm(&g);
	svm_msrpm_set(map, MSR_IA32_SYSENTER_CS, false);
	enl()->control = HV_ENL_MSR_BITMAP;
	svm_stop_on(&g, SVM_EXIT_MSR);
	svm_run(&g);
	report(g.exit_code == SVM_EXIT_MSR, "enlightened MSR bitmap: RDMSR with its bit set exits (%s)",
	       svm_exit_str(&g, buf, sizeof(buf)));
	memset(map, 0, 2 * 4096);
	g.vmcb->control.clean &= ~HV_CLEAN_ENLIGHTENMENTS;
	svm_run(&g);
	report(g.done, "cleared with clean bit 31 clear: the RDMSR no longer exits (%s)",
	       svm_exit_str(&g, buf, sizeof(buf)));
}

static uint64_t flush_input[3] __attribute__((aligned(16)));

#define NOT_ANSWERED 0xdeadull	/* RAX going in: a request, should L1 see it */

/* HvCallFlushVirtualAddressSpace, all spaces, all processors: its status. */
static uint64_t l2_flush(uint64_t arg)
{
	register uint64_t output asm("r8") = 0;
	uint64_t status = NOT_ANSWERED;

	flush_input[1] = HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_SPACES;
	asm volatile("vmmcall"
		     : "+a"(status)
		     : "c"((uint64_t)HV_CALL_FLUSH_VA_SPACE), "d"((uint64_t)flush_input),
		       "r"(output)
		     : "memory");
	return status;
}

static enum svm_action reached_l1(struct svm_guest *guest)
{
	return SVM_DONE;
}

static void test_direct_flush(const void *arg)
{
	uint8_t *assist = alloc_page();

	require(nested & HV_NESTED_DIRECT_FLUSH, "CPUID 0x4000000A.EAX.DIRECT_FLUSH[17]");
	require(privileges & HV_PRIV_APIC_ACCESS, "CPUID 0x40000003.EAX.APIC_ACCESS[4] (VP assist)");
	wrmsr(MSR_HV_GUEST_OS_ID, 1ull << 63);
	*(uint32_t *)(assist + VP_ASSIST_NESTED_CONTROL) = 1;	/* directhypercall */
	wrmsr(MSR_HV_VP_ASSIST_PAGE, (uint64_t)assist | 1);
	svm_guest_init(&g, l2_flush, 0);
	enl()->control = HV_ENL_FLUSH_HYPERCALL;
	g.request = reached_l1;
	svm_run(&g);
	report(g.done && g.result == 0,
	       "L2's flush hypercall is answered by L0: status 0, no #VMEXIT to L1 (status %#lx; %s)",
	       g.result, svm_exit_str(&g, buf, sizeof(buf)));
	wrmsr(MSR_HV_VP_ASSIST_PAGE, 0);
}

int main(int argc, char **argv)
{
	subtest("detect", test_detect, NULL);
	if (!nested)
		return 0;
	if (!svm_start())
		return 0;
	subtest("msr-bitmap", test_msr_bitmap, NULL);
	subtest("direct-flush", test_direct_flush, NULL);
	return 0;
}
