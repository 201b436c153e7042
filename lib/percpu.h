/*
 * Per-CPU state of the common library.  this_cpu() is provided by the arch
 * (x86: GS base; it never changes while the CPU runs) and is safe anywhere,
 * including exception handlers.
 */
#ifndef VMUNIT_PERCPU_H
#define VMUNIT_PERCPU_H

#include <stdbool.h>
#include "arch.h"
#include "fault.h"
#include "spinlock.h"

#define MAX_CPUS 64
#define PREFIX_MAX 200
#define PREFIX_DEPTH 16

struct percpu {
	struct percpu *self;	/* first: arches load it with one instruction */
	unsigned int id;
	struct fault fault;	/* last fault caught by a fixup or call_safe */
	bool catching;		/* inside call_safe */
	bool in_panic;		/* a fatal path is running on this CPU */
	unsigned long catch_ctx[JMP_CTX_WORDS];
	char prefix[PREFIX_MAX];
	unsigned short prefix_end[PREFIX_DEPTH];
	unsigned int prefix_depth;
	bool online;		/* in smp_secondary_idle (the boot CPU: never) */
	struct spinlock work_lock;	/* serializes the CPUs posting work */
	void (*work)(void *);	/* posted by on_cpu(), NULL when done */
	void *work_arg;
};

extern struct percpu cpus[MAX_CPUS];
struct percpu *this_cpu(void);

#endif
