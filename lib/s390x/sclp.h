/*
 * The service-call logical processor (SCLP): the console (ASCII console
 * events, the one QEMU connects to -serial), the machine's memory size
 * and its CPUs.  Every call waits for its service-signal external
 * interruption, so the caller runs with external interruptions disabled;
 * calls from several CPUs take turns (one lock), but none may come from an
 * interruption handler.
 */
#ifndef VMUNIT_S390X_SCLP_H
#define VMUNIT_S390X_SCLP_H

#include <stddef.h>
#include <stdint.h>

/* Enable the service signal and announce the console's event type. */
void sclp_init(void);
/* Write n bytes to the ASCII console. */
void sclp_console_write(const char *s, size_t n);
/* One byte of console input (Read Event Data, ASCII console), or -1. */
int sclp_console_getc(void);
/* Bytes of memory from Read SCP Info (0 when the SCLP does not say). */
uint64_t sclp_memory_size(void);
/*
 * The addresses of the configured CPUs, from Read SCP Info, into addrs[]
 * (at most max of them); returns how many there are (0 when the SCLP does
 * not say).
 */
unsigned int sclp_cpu_addresses(uint16_t *addrs, unsigned int max);
/* Called by the external-interruption handler on a service signal. */
void sclp_service_signal(uint32_t param);

#endif
