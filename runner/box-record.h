/*
 * The box's stream back (box.h): the runner inside L1 (--box-inner) prints
 * one record per finished test on L1's console, a line
 *
 *   VMUNIT-BOX-RESULT: {"entry":..,"verdict":..,"reason":..,"seconds":..,
 *                       "started":..,"unstarted":..,"checks":[[KIND,MSG]..],
 *                       "stats":[[NAME,DELTA]..]}
 *
 * (json-c; one line whatever the guest printed), and the host runner reads
 * it back into a result.  A record is untrusted input: anything malformed,
 * unknown or out of bounds (the verdict-parse.h limits) is refused with a
 * message, never half taken.
 */
#ifndef RUNNER_BOX_RECORD_H
#define RUNNER_BOX_RECORD_H

#include <stdio.h>

#include "run.h"

#define BOX_RECORD_TAG "VMUNIT-BOX-RESULT: "
/* ... and before that, when it starts: "VMUNIT-BOX-START: ENTRY". */
#define BOX_START_TAG "VMUNIT-BOX-START: "

/* The record of r (its test's cfg entry) as one line, flushed. */
void box_record_write(FILE *f, const struct result *r);

struct box_record {
	char *entry;
	struct result r;	/* r.test unset; r.vp is &vp */
	struct vparse vp;
};

/* The JSON after the tag: 0, or -1 with a message (rec then empty). */
int box_record_read(const char *json, struct box_record *rec, struct err *e);
void box_record_free(struct box_record *rec);

#endif
