/*
 * The local APIC (SDM vol. 3A, chapter 11) of the calling CPU, in xAPIC
 * mode (MMIO at the base in IA32_APIC_BASE) or x2APIC mode (MSR 0x800 +
 * offset / 16), behind one API: registers are named by their xAPIC offset.
 * apic_set_mode() changes IA32_APIC_BASE.{EN,EXTD} and returns the fault
 * the write took (the SDM's illegal transitions #GP: x2APIC -> xAPIC,
 * EN=0 with EXTD=1).  Each CPU has its own APIC and mode; the boot leaves
 * every CPU in xAPIC mode.  apic_cpu_init() (on each CPU, once) records
 * the CPU's APIC ID for apic_ipi().  apic_set_base() moves the xAPIC
 * MMIO page (IA32_APIC_BASE[51:12]) and returns the fault, like
 * apic_set_mode().  Safe from any CPU, each on its own.
 */
#ifndef VMUNIT_X86_APIC_H
#define VMUNIT_X86_APIC_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"

#define APIC_ID		0x020
#define APIC_VERSION	0x030
#define APIC_TPR	0x080
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SVR	0x0f0
#define APIC_ISR	0x100	/* 8 registers, 0x10 apart: vectors 32 at a time */
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300	/* x2APIC: one 64-bit MSR; xAPIC: with ICR2 */
#define APIC_ICR2	0x310	/* xAPIC only */
#define APIC_LVT_TIMER	0x320
#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_LVT_ERROR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0	/* x2APIC only */

#define APIC_SVR_ENABLE		(1u << 8)
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_TIMER_ONESHOT	(0u << 17)
#define APIC_TIMER_PERIODIC	(1u << 17)
#define APIC_TIMER_TSC_DEADLINE	(2u << 17)
#define APIC_ICR_FIXED		(0u << 8)
#define APIC_ICR_NMI		(4u << 8)	/* vector ignored */
#define APIC_ICR_ASSERT		(1u << 14)
#define APIC_ICR_BUSY		(1u << 12)	/* xAPIC delivery status */
#define APIC_ICR_LOGICAL	(1u << 11)	/* destination mode */
#define APIC_ICR_SELF		(1u << 18)	/* destination shorthands */
#define APIC_ICR_ALL		(2u << 18)
#define APIC_ICR_OTHERS		(3u << 18)
#define APIC_DFR_FLAT		0xffffffffu
#define APIC_DFR_CLUSTER	0x0fffffffu
#define APIC_DEFAULT_BASE	0xfee00000ull
#define APIC_MSR(reg)		(0x800 + ((reg) >> 4))	/* x2APIC */
#define MSR_IA32_TSC_DEADLINE	0x6e0

enum apic_mode { APIC_DISABLED, APIC_INVALID, APIC_XAPIC, APIC_X2APIC };

enum apic_mode apic_mode(void);
const char *apic_mode_name(enum apic_mode m);
struct fault apic_set_mode(enum apic_mode m);
uint64_t apic_base_addr(void);
struct fault apic_set_base(uint64_t addr);
uint32_t apic_read(unsigned int reg);
void apic_write(unsigned int reg, uint32_t v);
/* This CPU's APIC ID: ID[31:24] in xAPIC mode, all 32 bits in x2APIC. */
uint32_t apic_id(void);
void apic_eoi(void);
/* Vector bit of a 256-bit register (ISR, TMR, IRR). */
bool apic_vector_set(unsigned int reg, unsigned int vector);
/*
 * Send an IPI: ICR[31:0] lo (vector, delivery and destination mode,
 * shorthand), destination dest (an APIC ID or logical destination, 8 bits
 * in xAPIC mode, 32 in x2APIC); xAPIC: waits until it is sent.
 */
void apic_icr(uint32_t dest, uint32_t lo);
/* The physical broadcast destination of this CPU's mode (0xff, 0xffffffff). */
uint32_t apic_broadcast(void);
/* Fixed IPIs, edge: to an APIC ID, to this CPU, to CPU n (apic_cpu_init). */
void apic_send(uint32_t dest, unsigned int vector);
void apic_self_ipi(unsigned int vector);
void apic_ipi(unsigned int cpu, unsigned int vector);
/* An NMI IPI to CPU n, this one included (by its APIC ID: the self shorthand is fixed-only). */
void apic_nmi(unsigned int cpu);
void apic_cpu_init(void);
/* apic_cpu_init() on every CPU. */
void apic_init_all(void);
/* The APIC ID apic_cpu_init() recorded for CPU n. */
uint32_t apic_id_of(unsigned int cpu);

/*
 * Counting a fixed vector: after apic_count_vector(v), v's handler (on
 * every CPU) counts it per CPU, notes whether v was in ISR while it ran,
 * and EOIs.  apic_count_reaches() waits up to ns for CPU n's count to
 * reach want.
 */
void apic_count_vector(unsigned int vector);
unsigned int apic_count(unsigned int cpu);
bool apic_count_in_isr(unsigned int cpu);
bool apic_count_reaches(unsigned int cpu, unsigned int want, uint64_t ns);

/*
 * CPUs listening: apic_listen(cpus) (bit n: CPU n; this CPU left out) has
 * them spin with IF set until apic_listen_end(cpus) returns.
 */
void apic_listen(uint32_t cpus);
void apic_listen_end(uint32_t cpus);

/*
 * The end of a window in which nothing more may arrive: a fixed IPI of
 * APIC_FENCE_VECTOR (priority class 2, below every vector a test counts)
 * to each CPU of cpus (by its APIC ID from apic_cpu_init(); this CPU by a
 * self-IPI), then up to ARRIVES_NS until each has handled it.  A target
 * takes a pending NMI, or a pending interrupt of a higher class, before
 * the fence, so one that came late is counted before apic_fence()
 * returns.  The targets listen with IF set (this CPU too, when in cpus).
 * Returns the CPUs that did not handle the fence, or had a vector above
 * its class still in IRR when they did: 0 when clean.
 */
#define APIC_FENCE_VECTOR	0x2f
uint32_t apic_fence(uint32_t cpus);
/*
 * The timer's rate at divide-by-1, measured against the TSC (time.h);
 * leaves TDCR at divide-by-1, the timer stopped, its LVT masked.  0: it
 * does not count.
 */
uint64_t apic_timer_hz(void);

#endif
