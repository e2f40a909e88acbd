/* SPDX-License-Identifier: GPL-2.0-only */
/* Reference counts with the kernel's <linux/kref.h> interface. */
#ifndef ZPB_KERNEL_KREF_H
#define ZPB_KERNEL_KREF_H

#include "atomic.h"
#include "bug.h"

struct kref {
	atomic_t refcount;
};

static inline void kref_init(struct kref *kref) { atomic_set(&kref->refcount, 1); }
static inline unsigned int kref_read(const struct kref *kref) { return atomic_read(&kref->refcount); }

static inline void kref_get(struct kref *kref)
{
	/* Taking a reference on a dead object is a use after free. */
	WARN_ON(atomic_inc_return(&kref->refcount) < 2);
}

/**
 * kref_put - drop a reference
 * @kref: the object's reference count
 * @release: called when the count drops to zero
 *
 * Return: 1 if the object was released (and @release called), 0 otherwise.
 */
static inline int kref_put(struct kref *kref, void (*release)(struct kref *kref))
{
	if (atomic_dec_and_test(&kref->refcount)) {
		release(kref);
		return 1;
	}
	return 0;
}

static inline int kref_get_unless_zero(struct kref *kref)
{
	return atomic_add_unless(&kref->refcount, 1, 0);
}

#endif
