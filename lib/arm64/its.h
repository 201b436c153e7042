/*
 * GICv3 ITS and physical LPIs (IHI 0069, chapters 5 and 6).
 *
 * its_init() (after gic_init()) disables the ITS, gives each GITS_BASER<n>
 * of type Devices or Collections a flat table for ITS_MAX_DEVICES devices
 * and ITS_MAX_COLLECTIONS collections, sets up the command queue
 * (GITS_CBASER) and enables the ITS; it also builds the LPI property table
 * (LPIs GIC_LPI_BASE .. GIC_LPI_BASE + ITS_NR_LPIS - 1, all disabled) and
 * one pending table per CPU.  It returns NULL, or why there is no ITS to
 * test, naming the gate: a SKIP reason.  LPIs reach a CPU only after
 * its_enable_lpis() ran on it (GICR_PROPBASER, GICR_PENDBASER, then
 * GICR_CTLR.EnableLPIs, which need not be clearable again).
 *
 * Commands are queued at GITS_CWRITER and waited for: each its_*() command
 * returns true once GITS_CREADR has passed it.  A queue that stalls
 * (GITS_CREADR.Stalled) or does not move within a second is a FAIL
 * reported here once; from then on every command returns false at once.
 * its_send() is the raw form for commands expected to be in error.
 * Collections are named by the CPU they target (ICID = CPU number) unless a
 * test remaps them.  Call from one CPU at a time.
 */
#ifndef VMUNIT_ARM64_ITS_H
#define VMUNIT_ARM64_ITS_H

#include <stdbool.h>
#include <stdint.h>

#define ITS_MAX_DEVICES		1024
#define ITS_MAX_COLLECTIONS	64
#define ITS_NR_LPIS		8192

enum its_cmd_op {
	ITS_MOVI = 0x01, ITS_INT = 0x03, ITS_CLEAR = 0x04, ITS_SYNC = 0x05,
	ITS_MAPD = 0x08, ITS_MAPC = 0x09, ITS_MAPTI = 0x0a, ITS_MAPI = 0x0b,
	ITS_INV = 0x0c, ITS_INVALL = 0x0d, ITS_MOVALL = 0x0e, ITS_DISCARD = 0x0f,
};

struct its_cmd {
	uint64_t dw[4];
};

enum its_result { ITS_CONSUMED, ITS_STALLED, ITS_STUCK };

const char *its_init(void);
void its_enable_lpis(void);
/* Property table entry of an LPI: enabled or not, at the default priority. */
void lpi_config(unsigned int intid, bool enable);

/* The MAPC/SYNC/MOVALL target field of a CPU's redistributor (GITS_TYPER.PTA). */
uint64_t its_rdbase(unsigned int cpu);

enum its_result its_send(const struct its_cmd *c);
/* MAPD with V=1 gives the device a fresh, empty ITT for 2^event_bits events. */
bool its_mapd(uint32_t dev, unsigned int event_bits, bool valid);
bool its_mapc(uint16_t icid, unsigned int cpu, bool valid);
bool its_mapti(uint32_t dev, uint32_t event, unsigned int intid, uint16_t icid);
bool its_mapi(uint32_t dev, uint32_t event, uint16_t icid);
bool its_movi(uint32_t dev, uint32_t event, uint16_t icid);
bool its_discard(uint32_t dev, uint32_t event);
bool its_int(uint32_t dev, uint32_t event);
bool its_clear(uint32_t dev, uint32_t event);
bool its_inv(uint32_t dev, uint32_t event);
bool its_invall(uint16_t icid);
bool its_sync(unsigned int cpu);
bool its_movall(unsigned int from_cpu, unsigned int to_cpu);

/* An MSI write of event to GITS_TRANSLATER (the bus gives the DeviceID). */
void its_translate(uint32_t event);
/* The DeviceID QEMU gives a CPU's write to GITS_TRANSLATER. */
#define ITS_CPU_DEVICE_ID 0

#endif
