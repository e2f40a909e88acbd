// SPDX-License-Identifier: GPL-2.0-only
/* Zeroed allocations on transparent huge pages. See huge_alloc.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "huge_alloc.h"

#define HUGE_BYTES ((size_t)2 << 20)	/* x86-64's and arm64-4K's PMD size */

void *zpb_huge_calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	bytes = n * size;
	/* Below one huge page, a huge page would only waste memory. */
	if (bytes < HUGE_BYTES)
		return calloc(n, size);
	if (posix_memalign(&p, HUGE_BYTES, bytes))
		return NULL;
	/* Advice only: where THP is off ("never"), the table is on small pages. */
	madvise(p, bytes, MADV_HUGEPAGE);
	memset(p, 0, bytes);
	return p;
}
