/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel-compatibility layer, whole. Ports include this one header.
 * Each facility lives in its own header beside this one and is implemented
 * once in the matching .c file.
 */
#ifndef ZPB_KERNEL_COMPAT_H
#define ZPB_KERNEL_COMPAT_H

#include "types.h"
#include "bug.h"
#include "list.h"
#include "atomic.h"
#include "spinlock.h"
#include "kref.h"
#include "bitops.h"
#include "page.h"
#include "migrate.h"
#include "percpu.h"
#include "workqueue.h"
#include "slab.h"
#include "fault.h"
#include "vmalloc.h"
#include "rcupdate.h"

#endif
