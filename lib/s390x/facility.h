/*
 * Installed facilities, as STORE FACILITY LIST EXTENDED reports them
 * (PoP chapter 4, "Facility Indications"): test_facility(n) is bit n of the
 * list (bit 0 is the leftmost), false beyond what the CPU stores.  The
 * list is read once, with STFL first: STFLE itself is facility 7.
 * facility_gate(n) names a facility for SKIP reasons, e.g.
 * "STFLE facility 12 (AP query configuration information)".
 * Safe from any CPU, none of it faults.
 */
#ifndef VMUNIT_S390X_FACILITY_H
#define VMUNIT_S390X_FACILITY_H

#include <stdbool.h>

/* The facility numbers the library and tests gate on (PoP 4-79ff.). */
enum {
	FAC_ZARCH_ACTIVE = 2,		/* z/Architecture mode active */
	FAC_STFLE = 7,			/* store-facility-list-extended */
	FAC_EDAT1 = 8,			/* enhanced-DAT 1 */
	FAC_SENSE_RUNNING = 9,		/* SIGP sense running status */
	FAC_TOPOLOGY = 11,		/* configuration topology */
	FAC_AP_QCI = 12,		/* AP query configuration information */
	FAC_AP_FT = 15,			/* AP facilities test */
	FAC_STCKF = 25,			/* store-clock-fast */
	FAC_TOD_STEERING = 28,		/* TOD-clock steering */
	FAC_AP_INTR = 65,		/* AP interruption */
	FAC_ZPCI = 69,			/* PCI */
	FAC_AEN = 71,			/* adapter-event notification */
	FAC_AIS = 72,			/* adapter-interruption suppression */
	FAC_EDAT2 = 78,			/* enhanced-DAT 2 */
	FAC_VECTOR = 129,		/* vector */
	FAC_MULTI_EPOCH = 139,		/* multiple-epoch */
	FAC_UV_CALL = 158,		/* ultravisor call */
	FAC_UNPACK = 161,		/* secure-execution unpack */
	FAC_NR = 256,			/* bits read: four doublewords */
};

bool test_facility(unsigned int nr);
const char *facility_gate(unsigned int nr);

/* SKIP the current (void) test function unless facility nr is installed. */
#define require_facility(nr) require(test_facility(nr), "%s", facility_gate(nr))

#endif
