/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The plugin ABI: an allocator built out of tree as a shared object and
 * loaded with `--alloc ./libmine.so[:key=value...]`, as fio loads an
 * external ioengine (`--ioengine=external:/path.so`: dlopen, then one
 * well-known symbol, then a version check). docs/plugins.md is the manual.
 *
 * A plugin fills a struct zpool_driver (zpool.h) exactly as the in-tree
 * ports do, and exports it through one symbol:
 *
 *	static const struct zpool_driver mine_driver = { .type = "mine", ... };
 *	ZPB_PLUGIN_DEFINE(mine_driver);
 *
 * It may use the kernel-compat layer (kernel/compat.h: lists, spinlocks,
 * alloc_page, kmem_cache, workqueues...): those functions are not in the
 * plugin but in the zpoolbench binary, which exports them (it is linked
 * with -rdynamic), so the plugin's pages come from the same page arena and
 * budget as every in-tree allocator's.
 *
 * Installed as <zpoolbench/plugin.h>; `pkg-config --cflags zpoolbench`
 * gives the include path.
 */
#ifndef ZPB_PLUGIN_H
#define ZPB_PLUGIN_H

#include "zpool.h"

/*
 * The ABI version. It changes (and every plugin must be rebuilt) whenever
 * an installed header changes in a way a built plugin would see: the layout
 * of struct zpool_driver, zpb_option, zpb_spec, zpool, page or any other
 * type a plugin shares with the binary; the signature or meaning of a
 * function or callback; the behaviour of an inline function or macro that
 * touches state the binary keeps. Adding a new function, capability bit or
 * option flag that old plugins need not know about does not change it.
 */
/*
 * 2: PAGE_SIZE became the page size chosen at run time (4K, 16K or 64K; it
 * was the constant 4096), and struct zpool_driver's max_size a function.
 */
#define ZPB_PLUGIN_ABI_VERSION 2

/* The symbol zpoolbench looks up in a plugin (dlsym). */
#define ZPB_PLUGIN_SYMBOL "zpb_plugin"

/**
 * struct zpb_plugin - what a plugin exports, as ZPB_PLUGIN_SYMBOL
 * @abi_version: ZPB_PLUGIN_ABI_VERSION of the headers it was built with;
 *	first, so that it can be read whatever else changes
 * @driver_size: sizeof(struct zpool_driver) as it was built
 * @driver: the allocator. Required: @type (no '/', ':' or ','), @max_size
 *	(returning 1 to 4 pages at the page size in force), @create, @destroy, @malloc, @free, @map, @unmap and
 *	@total_size; @shrink if @caps has ZPB_CAP_EVICT, @compact if
 *	ZPB_CAP_COMPACT. @options: at most ZPB_MAX_OPTIONS.
 */
struct zpb_plugin {
	unsigned int abi_version;
	unsigned int driver_size;
	const struct zpool_driver *driver;
};

#define ZPB_PLUGIN_DEFINE(drv)							\
	__attribute__((visibility("default")))					\
	const struct zpb_plugin zpb_plugin = {					\
		.abi_version = ZPB_PLUGIN_ABI_VERSION,				\
		.driver_size = sizeof(struct zpool_driver),			\
		.driver = &(drv),						\
	}

/* Whether an allocator spec's name is a plugin's path: it has a '/' or ends in ".so". */
bool zpb_plugin_name(const char *name);
/**
 * zpb_plugin_load - load (once) the plugin at @path and check it
 * Return: its driver, or NULL with @err set to one line naming @path and
 * what is wrong. A plugin stays loaded until the process exits.
 */
const struct zpool_driver *zpb_plugin_load(const char *path, char *err, size_t errlen);
/*
 * What zpb_plugin_load() checks of a loaded plugin's @p before using it
 * (ABI version, driver size, required callbacks, capabilities, max_size,
 * the options table). Return: 0, or -1 with @err set to one line naming @path.
 */
int zpb_plugin_check(const char *path, const struct zpb_plugin *p, char *err, size_t errlen);

#endif
