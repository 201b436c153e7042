/*
 * SIGNAL PROCESSOR, STORE CPU ADDRESS and the s390x CPU bring-up (PoP
 * chapter 4, "Signal-Processor Orders").  A CPU is named by its 16-bit CPU
 * address; smp ids (lib/smp.h) map to addresses with cpu_address().
 * sigp() returns the condition code: 0 order accepted, 1 status stored
 * (*status, bits of SIGP_STATUS_*), 2 busy, 3 not operational (no such
 * CPU).  The bring-up takes the configured CPUs' addresses from SCLP Read
 * SCP Info and starts each other CPU with SET PREFIX and RESTART.
 * Privileged; safe from any CPU.
 */
#ifndef VMUNIT_S390X_SIGP_H
#define VMUNIT_S390X_SIGP_H

#include <stdbool.h>
#include <stdint.h>

enum sigp_order {
	SIGP_SENSE = 0x01,
	SIGP_EXTERNAL_CALL = 0x02,
	SIGP_EMERGENCY_SIGNAL = 0x03,
	SIGP_START = 0x04,
	SIGP_STOP = 0x05,
	SIGP_RESTART = 0x06,
	SIGP_STOP_AND_STORE_STATUS = 0x09,
	SIGP_INITIAL_CPU_RESET = 0x0b,
	SIGP_CPU_RESET = 0x0c,
	SIGP_SET_PREFIX = 0x0d,
	SIGP_STORE_STATUS_AT_ADDRESS = 0x0e,
	SIGP_SET_ARCHITECTURE = 0x12,
	SIGP_COND_EMERGENCY_SIGNAL = 0x13,
	SIGP_SENSE_RUNNING_STATUS = 0x15,
};

/* Status bits stored with condition code 1. */
#define SIGP_STATUS_EQUIPMENT_CHECK	0x80000000u
#define SIGP_STATUS_NOT_RUNNING		0x00000400u
#define SIGP_STATUS_INCORRECT_STATE	0x00000200u
#define SIGP_STATUS_INVALID_PARAMETER	0x00000100u
#define SIGP_STATUS_EXT_CALL_PENDING	0x00000080u
#define SIGP_STATUS_STOPPED		0x00000040u
#define SIGP_STATUS_OPERATOR_INTERV	0x00000020u
#define SIGP_STATUS_CHECK_STOP		0x00000010u
#define SIGP_STATUS_INOPERATIVE		0x00000004u
#define SIGP_STATUS_INVALID_ORDER	0x00000002u
#define SIGP_STATUS_RECEIVER_CHECK	0x00000001u

enum { SIGP_CC_ACCEPTED, SIGP_CC_STATUS, SIGP_CC_BUSY, SIGP_CC_NOT_OPERATIONAL };

int sigp(uint16_t addr, uint8_t order, uint64_t param, uint32_t *status);
/* sigp(), repeated while the CPU is busy (condition code 2). */
int sigp_retry(uint16_t addr, uint8_t order, uint64_t param, uint32_t *status);

/* This CPU's address (STAP). */
static inline uint16_t stap(void)
{
	uint16_t addr;

	asm volatile("stap %0" : "=Q"(addr));
	return addr;
}

/* The CPU address of smp id id (< nr_cpus()). */
uint16_t cpu_address(unsigned int id);
/* SIGP sense: the CPU is in the stopped state. */
bool cpu_stopped(uint16_t addr);
/* SIGP stop, then sense until the CPU has stopped (an ERROR line after 1 s). */
void cpu_stop(uint16_t addr);

/* Memory each other CPU takes from the page allocator at boot: prefix area, two stacks. */
#define SMP_CPU_BYTES (8192 + 2 * STACK_SIZE)

/* For setup.c: start the other CPUs; stop them before the final wait. */
void smp_boot(void);
void smp_stop_others(void);

#endif
