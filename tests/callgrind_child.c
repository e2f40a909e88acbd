// SPDX-License-Identifier: GPL-2.0-only
/*
 * The child test_callgrind runs under valgrind: a small, deterministic
 * store/load/invalidate workload against one allocator, every op through
 * zpb_callgrind_op(), as a replay's callgrind child does.
 *
 * Usage: callgrind_child ALLOCATOR OBJECTS
 * Exits 0, or 1 with a message if the allocator misbehaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../allocators/zpool.h"
#include "../measure/callgrind.h"

struct op {
	struct zpool *pool;
	unsigned long handle;
	size_t len;
	unsigned char *buf;
};

static int do_store(void *p)
{
	struct op *o = p;
	void *dst;
	int ret = zpool_malloc(o->pool, o->len, GFP_KERNEL, &o->handle);

	if (ret)
		return ret;
	dst = zpool_map_handle(o->pool, o->handle, ZPOOL_MM_WO);
	memcpy(dst, o->buf, o->len);
	zpool_unmap_handle(o->pool, o->handle);
	return 0;
}

static int do_load(void *p)
{
	struct op *o = p;
	const void *src = zpool_map_handle(o->pool, o->handle, ZPOOL_MM_RO);

	memcpy(o->buf, src, o->len);
	zpool_unmap_handle(o->pool, o->handle);
	return 0;
}

static int do_invalidate(void *p)
{
	struct op *o = p;

	zpool_free(o->pool, o->handle);
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[PAGE_SIZE_MAX], back[PAGE_SIZE_MAX];
	struct zpb_spec spec;
	struct zpool *pool;
	unsigned long *handles;
	size_t *lens;
	char err[256];
	long n, i;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: callgrind_child ALLOCATOR OBJECTS\n");
		return 2;
	}
	if (zpb_spec_parse(argv[1], &spec, err, sizeof(err))) {
		fprintf(stderr, "callgrind_child: %s\n", err);
		return 2;
	}
	/* deferred work runs inside the op that queued it: counted, and the same every run */
	zpb_wq_set_deterministic(true);
	pool = zpool_create_pool(&spec, "callgrind", NULL, 0);
	handles = calloc((size_t)n, sizeof(*handles));
	lens = calloc((size_t)n, sizeof(*lens));
	if (!pool || !handles || !lens) {
		fprintf(stderr, "callgrind_child: cannot create a %s pool\n", argv[1]);
		return 1;
	}
	for (i = 0; i < (long)sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	for (i = 0; i < n; i++) {
		/* sizes from 64 B up, spread so that several size classes are used */
		struct op o = { pool, 0, 64 + (size_t)(i * 997) % (zpb_spec_max_size(&spec) - 64), buf };

		if (zpb_callgrind_op(ZPB_OP_STORE, do_store, &o)) {
			fprintf(stderr, "callgrind_child: %s: store %ld of %zu bytes failed\n", argv[1], i, o.len);
			return 1;
		}
		handles[i] = o.handle;
		lens[i] = o.len;
	}
	for (i = 0; i < n; i++) {
		struct op o = { pool, handles[i], lens[i], back };

		zpb_callgrind_op(ZPB_OP_LOAD, do_load, &o);
		if (memcmp(back, buf, lens[i])) {
			fprintf(stderr, "callgrind_child: %s: load %ld does not match its store\n", argv[1], i);
			return 1;
		}
	}
	for (i = 0; i < n; i += 2) {
		struct op o = { pool, handles[i], 0, NULL };

		zpb_callgrind_op(ZPB_OP_INVALIDATE, do_invalidate, &o);
	}
	for (i = 1; i < n; i += 2)
		zpool_free(pool, handles[i]);	/* not counted: outside zpb_callgrind_op */
	zpool_destroy_pool(pool);
	free(handles);
	free(lens);
	return 0;
}
