/*
 * Spinlocks for guest code; safe from any CPU.  Not recursive, and not
 * safe to take from an exception handler that interrupted the holder.
 */
#ifndef VMUNIT_SPINLOCK_H
#define VMUNIT_SPINLOCK_H

#include "arch.h"

struct spinlock {
	int v;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->v, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

#endif
