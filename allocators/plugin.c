// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading allocator plugins (plugin.h). As fio's load_ioengine() does for
 * `--ioengine=external:PATH`: dlopen the file, look up one symbol, check its
 * version; then check the driver as thoroughly as the harness relies on it,
 * so that a bad plugin is refused with one line instead of crashing later.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kernel/page.h"
#include "plugin.h"

#define MAX_PLUGINS 16

static struct {
	char path[ZPB_SPEC_LEN];
	const struct zpool_driver *driver;
} loaded[MAX_PLUGINS];
static int nloaded;
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;

bool zpb_plugin_name(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') || (n > 3 && !strcmp(name + n - 3, ".so"));
}

/* The option table: what spec.c and `list` rely on. */
static int check_options(const char *path, const struct zpool_driver *d, char *err, size_t errlen)
{
	const struct zpb_option *o;
	int n = 0;

	for (o = d->options; o && o->key; o++, n++) {
		unsigned long names = 0, def;

		if (n == ZPB_MAX_OPTIONS) {
			snprintf(err, errlen, "plugin '%s': driver '%s' has more than %d options",
				 path, d->type, ZPB_MAX_OPTIONS);
			return -1;
		}
		if (!*o->key || strpbrk(o->key, ":=,")) {
			snprintf(err, errlen, "plugin '%s': driver '%s': option %d has an empty key or one with ':', '=' or ','",
				 path, d->type, n + 1);
			return -1;
		}
		def = zpb_option_default(o);	/* a page-size default is checked at this page size */
		switch (o->type) {
		case ZPB_OPT_UINT:
			if (o->min > o->max || def < o->min || def > o->max) {
				snprintf(err, errlen, "plugin '%s': driver '%s': option '%s' has default %lu outside %lu..%lu",
					 path, d->type, o->key, def, o->min, o->max);
				return -1;
			}
			break;
		case ZPB_OPT_BOOL:
			if (def > 1) {
				snprintf(err, errlen, "plugin '%s': driver '%s': boolean option '%s' has default %lu",
					 path, d->type, o->key, def);
				return -1;
			}
			break;
		case ZPB_OPT_ENUM:
			while (o->names && o->names[names])
				names++;
			if (!names || def >= names) {
				snprintf(err, errlen, "plugin '%s': driver '%s': enum option '%s' has %s",
					 path, d->type, o->key, names ? "a default past its names" : "no names");
				return -1;
			}
			break;
		default:
			snprintf(err, errlen, "plugin '%s': driver '%s': option '%s' has unknown type %d",
				 path, d->type, o->key, (int)o->type);
			return -1;
		}
	}
	return 0;
}

int zpb_plugin_check(const char *path, const struct zpb_plugin *p, char *err, size_t errlen)
{
	const struct zpool_driver *d = p->driver;
	const unsigned int known = ZPB_CAP_EVICT | ZPB_CAP_COMPACT | ZPB_CAP_MOVABLE | ZPB_CAP_SPANNING |
				   ZPB_CAP_SLEEP_MAPPED | ZPB_CAP_BOUND | ZPB_CAP_HARNESS | ZPB_CAP_NO_DATA;
	static const struct {
		const char *name;
		size_t off;
	} required[] = {
		{ "create", offsetof(struct zpool_driver, create) },
		{ "destroy", offsetof(struct zpool_driver, destroy) },
		{ "malloc", offsetof(struct zpool_driver, malloc) },
		{ "free", offsetof(struct zpool_driver, free) },
		{ "map", offsetof(struct zpool_driver, map) },
		{ "unmap", offsetof(struct zpool_driver, unmap) },
		{ "total_size", offsetof(struct zpool_driver, total_size) },
		{ "max_size", offsetof(struct zpool_driver, max_size) },
	};
	unsigned int i;
	size_t max;

	if (p->abi_version != ZPB_PLUGIN_ABI_VERSION) {
		snprintf(err, errlen, "plugin '%s' was built for plugin ABI version %u; this zpoolbench has version %d (rebuild it against this zpoolbench's headers)",
			 path, p->abi_version, ZPB_PLUGIN_ABI_VERSION);
		return -1;
	}
	if (p->driver_size != sizeof(struct zpool_driver)) {
		snprintf(err, errlen, "plugin '%s': its struct zpool_driver is %u bytes, this zpoolbench's is %zu (built with other headers?)",
			 path, p->driver_size, sizeof(struct zpool_driver));
		return -1;
	}
	if (!d) {
		snprintf(err, errlen, "plugin '%s': %s has a NULL driver", path, ZPB_PLUGIN_SYMBOL);
		return -1;
	}
	if (!d->type || !*d->type || strpbrk(d->type, "/:, ") || strlen(d->type) >= 64) {
		snprintf(err, errlen, "plugin '%s': the driver's type must be a short name without '/', ':', ',' or spaces",
			 path);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		void *fn;

		memcpy(&fn, (const char *)d + required[i].off, sizeof(fn));
		if (!fn) {
			snprintf(err, errlen, "plugin '%s': driver '%s' has a NULL %s callback (required)",
				 path, d->type, required[i].name);
			return -1;
		}
	}
	if ((d->caps & ZPB_CAP_EVICT) && !d->shrink) {
		snprintf(err, errlen, "plugin '%s': driver '%s' has the evict capability but a NULL shrink callback",
			 path, d->type);
		return -1;
	}
	if ((d->caps & ZPB_CAP_COMPACT) && !d->compact) {
		snprintf(err, errlen, "plugin '%s': driver '%s' has the compact capability but a NULL compact callback",
			 path, d->type);
		return -1;
	}
	if (d->caps & ~known) {
		snprintf(err, errlen, "plugin '%s': driver '%s' has unknown capability bits 0x%x",
			 path, d->type, d->caps & ~known);
		return -1;
	}
	max = d->max_size(NULL);
	if (max < 1 || max > 4 * PAGE_SIZE) {
		snprintf(err, errlen, "plugin '%s': driver '%s' has max_size %zu at %lu-byte pages (expected 1 to %lu)",
			 path, d->type, max, PAGE_SIZE, 4 * PAGE_SIZE);
		return -1;
	}
	return check_options(path, d, err, errlen);
}

const struct zpool_driver *zpb_plugin_load(const char *path, char *err, size_t errlen)
{
	const struct zpool_driver *d = NULL;
	const struct zpb_plugin *p;
	void *handle;
	int i;

	pthread_mutex_lock(&loaded_lock);
	for (i = 0; i < nloaded; i++)
		if (!strcmp(loaded[i].path, path)) {
			d = loaded[i].driver;
			goto out;
		}
	if (nloaded == MAX_PLUGINS) {
		snprintf(err, errlen, "plugin '%s': at most %d plugins can be loaded", path, MAX_PLUGINS);
		goto out;
	}
	if (strlen(path) >= sizeof(loaded[0].path)) {
		snprintf(err, errlen, "plugin path '%.40s...' is too long", path);
		goto out;
	}
	/*
	 * RTLD_NOW: an undefined symbol (a compat function this binary does
	 * not have) is an error here, not a crash at the first call.
	 * RTLD_LOCAL: two plugins' own symbols do not meet.
	 */
	dlerror();
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *why = dlerror();

		snprintf(err, errlen, "plugin '%s' cannot be loaded: %s", path, why ? why : "unknown error");
		/* dlerror's text could in principle hold a newline: keep it one line. */
		for (char *c = err; *c; c++)
			if (*c == '\n')
				*c = ' ';
		goto out;
	}
	p = dlsym(handle, ZPB_PLUGIN_SYMBOL);
	if (!p) {
		snprintf(err, errlen, "plugin '%s' has no symbol '%s' (a plugin defines it with ZPB_PLUGIN_DEFINE; see docs/plugins.md)",
			 path, ZPB_PLUGIN_SYMBOL);
		dlclose(handle);
		goto out;
	}
	if (zpb_plugin_check(path, p, err, errlen)) {
		dlclose(handle);
		goto out;
	}
	/* Never closed: pools, specs and results keep pointers into it. */
	snprintf(loaded[nloaded].path, sizeof(loaded[nloaded].path), "%s", path);
	loaded[nloaded].driver = d = p->driver;
	nloaded++;
out:
	pthread_mutex_unlock(&loaded_lock);
	return d;
}
