#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# plugin_test.sh BUILDDIR: allocator plugins end to end (docs/plugins.md).
# 'ninja install' into a staging directory (DESTDIR), examples/plugin built
# out of tree against it with nothing but pkg-config, then
#  - the plugin takes none of the compat layer with it (its alloc_page is
#    the binary's: undefined in the .so);
#  - 'selftest --alloc PLUGIN' passes (at a fifth of the shadow length);
#  - 'replay' of a bundled trace with it verifies every load;
#  - a plugin that breaks its objects fails selftest (status 1);
#  - a wrong ABI version, a missing symbol, a NULL required callback and a
#    file that is no shared object are each refused with one line naming the
#    file and the fault, status 2, by selftest and by replay.
# Each command is bounded by timeout(1); the staging directory is removed
# however the script ends. Prints "N passed, N failed" like the C tests.
set -u
b=${1:-build}
. tests/sh_harness.sh
z=$b/zpoolbench
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-plugin.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
T="timeout 300"

for tool in pkg-config make cc nm; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "skip plugin tests: $tool is not installed (apt-get install pkg-config make gcc binutils)"
		echo "1 skipped"
		finish
	fi
done

manifest=$(sed -n 's/^manifest = //p' "$b/config.ninja")
prefix=$(sed -n 's/^prefix = //p' "$b/config.ninja")
stage=$tmp/stage
if DESTDIR=$stage $T ninja -f "$manifest" install >"$tmp/install.out" 2>&1 &&
   [ -f "$stage$prefix/lib/pkgconfig/zpoolbench.pc" ] && [ -f "$stage$prefix/include/zpoolbench/plugin.h" ] &&
   [ -x "$stage$prefix/bin/zpoolbench" ] && [ -f "$stage$prefix/include/zpoolbench/kernel/config.h" ]; then
	ok install_with_destdir_puts_binary_headers_and_pkgconfig_under_it
else
	bad install_with_destdir_puts_binary_headers_and_pkgconfig_under_it "$(tail -n 5 "$tmp/install.out")"
	finish
fi
grep -q "^prefix=$prefix\$" "$stage$prefix/lib/pkgconfig/zpoolbench.pc" &&
	ok pkgconfig_file_names_the_prefix_not_the_destdir ||
	bad pkgconfig_file_names_the_prefix_not_the_destdir "$(head -n 8 "$stage$prefix/lib/pkgconfig/zpoolbench.pc")"

# The example, copied out of the tree so that nothing but the installed
# prefix can be found; the sysroot maps the .pc file's PREFIX into the stage.
export PKG_CONFIG_PATH="$stage$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_LIBDIR="$stage$prefix/lib/pkgconfig"
mkdir "$tmp/example"
cp examples/plugin/Makefile examples/plugin/pageper.c "$tmp/example/"
so=$tmp/example/libpageper.so
if (cd "$tmp/example" && $T make >"$tmp/make.out" 2>&1) && [ -f "$so" ]; then
	ok example_plugin_builds_out_of_tree_with_pkg_config_only
else
	bad example_plugin_builds_out_of_tree_with_pkg_config_only "$(tail -n 5 "$tmp/make.out")"
	finish
fi
# The compat layer is the binary's: alloc_page undefined in the plugin, defined (exported) in zpoolbench.
if nm -D "$so" | grep -q ' U alloc_page$' && nm -D "$z" | grep -q ' T alloc_page$'; then
	ok plugin_uses_the_binarys_compat_layer_not_its_own_copy
else
	bad plugin_uses_the_binarys_compat_layer_not_its_own_copy "plugin: $(nm -D "$so" | grep alloc_page); binary: $(nm -D "$z" | grep -c ' T alloc_page$') exported"
fi

# selftest output ends with its own "N passed, N failed": keep it out of this script's.
if $T "$z" selftest --alloc "$so" --scale 0.2 >"$tmp/st.out" 2>&1; then
	line=$(tail -n 1 "$tmp/st.out")
	case $line in
	"11 passed, 0 failed") ok selftest_passes_the_example_plugin ;;
	*) bad selftest_passes_the_example_plugin "expected '11 passed, 0 failed', got '$line'" ;;
	esac
else
	bad selftest_passes_the_example_plugin "status $?: $(grep -v '^ok' "$tmp/st.out" | head -n 5)"
fi
if $T "$z" selftest --alloc "$so:poison=1" --check conformance_data_survives_thousands_of_other_operations \
	--quiet >"$tmp/st2.out" 2>&1 && grep -q "^ok   conformance_data_survives_thousands_of_other_operations $so:poison=1 " "$tmp/st2.out"; then
	ok selftest_takes_a_plugin_spec_with_options
else
	bad selftest_takes_a_plugin_spec_with_options "$(head -n 3 "$tmp/st2.out")"
fi

if $T "$z" replay traces/samples/synth-mixed.zpt --alloc "$so" -o "$tmp/r.json" --quiet >"$tmp/replay.out" 2>&1; then
	why=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
run = r["runs"][0]
o = run["ops"]
bad = []
if not (r["complete"] and run["complete"]): bad.append("incomplete")
if run["verify_failures"]: bad.append("%d verify failures" % run["verify_failures"])
if o["load"] == 0 or o["load_hits"] != o["load"]: bad.append("%d of %d loads found" % (o["load_hits"], o["load"]))
if run["allocator"] != sys.argv[2]: bad.append("allocator named %s" % run["allocator"])
print("; ".join(bad))' "$tmp/r.json" "$so")
	[ -z "$why" ] && ok replay_with_the_example_plugin_verifies_every_load ||
		bad replay_with_the_example_plugin_verifies_every_load "$why"
else
	bad replay_with_the_example_plugin_verifies_every_load "status $?: $(tail -n 3 "$tmp/replay.out")"
fi

# Bad plugins, built here against the same installed headers.
cflags=$(pkg-config --cflags --libs zpoolbench)
mkbad() { # NAME DRIVER-BODY [ABI]
	cat > "$tmp/$1.c" <<C
#include <zpoolbench/kernel/compat.h>
#include <zpoolbench/plugin.h>
static void *c_(const char *n, gfp_t g, const struct zpool_ops *o, struct zpool *z, const struct zpb_spec *s)
{ (void)n, (void)g, (void)o, (void)z, (void)s; return kzalloc(64, GFP_KERNEL); }
static void d_(void *p) { kfree(p); }
static int m_(void *p, size_t s, gfp_t g, unsigned long *h)
{ struct page *pg; (void)p, (void)g; if (!s) return -EINVAL; if (s > PAGE_SIZE) return -ENOSPC;
  pg = alloc_page(GFP_KERNEL); if (!pg) return -ENOMEM; *h = (unsigned long)pg; return 0; }
static void f_(void *p, unsigned long h) { (void)p; __free_page((struct page *)h); }
static void *map_(void *p, unsigned long h, enum zpool_mapmode mm) { (void)p, (void)mm; return page_address((struct page *)h); }
static void *onemap_(void *p, unsigned long h, enum zpool_mapmode mm) { static char one[PAGE_SIZE_MAX]; (void)p, (void)h, (void)mm; return one; }
static void u_(void *p, unsigned long h) { (void)p, (void)h; }
static u64 t_(void *p) { (void)p; return 0; }
static const struct zpool_driver drv = { .type = "$1", .max_size = zpool_max_size_page, .create = c_, .destroy = d_,
	.free = f_, .unmap = u_, .total_size = t_, $2 };
${3:-ZPB_PLUGIN_DEFINE(drv);}
void *keep_(void) { (void)map_; (void)onemap_; (void)m_; return (void *)&drv; }
C
	cc -fPIC -shared -o "$tmp/$1.so" "$tmp/$1.c" $cflags >"$tmp/$1.cc.out" 2>&1 ||
		bad "build_$1" "$(head -n 3 "$tmp/$1.cc.out")"
}
mkbad badabi ".malloc = m_, .map = map_" \
	'__attribute__((visibility("default"))) const struct zpb_plugin zpb_plugin = { ZPB_PLUGIN_ABI_VERSION + 1, sizeof(struct zpool_driver), &drv };'
mkbad nosym ".malloc = m_, .map = map_" "/* no zpb_plugin */"
mkbad nullcb ".map = map_"
# One mapping for every object, and no size: any object's write lands on every other's.
mkbad onemap ".malloc = m_, .map = onemap_"
printf 'not an ELF file\n' > "$tmp/notelf.so"

# refused CASE FILE PATTERN: status 2, one line on stderr naming FILE and matching PATTERN, nothing on stdout.
refused() {
	for cmd in selftest replay; do
		if [ $cmd = selftest ]; then
			$T "$z" selftest --alloc "$2" >"$tmp/out" 2>"$tmp/err"
		else
			$T "$z" replay traces/samples/synth-mixed.zpt --alloc "$2" -o "$tmp/rr.json" >"$tmp/out" 2>"$tmp/err"
		fi
		rc=$?
		n=$(wc -l < "$tmp/err")
		if [ $rc -ne 2 ] || [ "$n" -ne 1 ] || ! grep -q -- "$2" "$tmp/err" || ! grep -q -- "$3" "$tmp/err" || [ -s "$tmp/out" ]; then
			bad "${cmd}_refuses_$1" "status $rc (expected 2), $n stderr lines (expected 1 naming $2 and '$3'): $(head -c 300 "$tmp/err")"
		else
			ok "${cmd}_refuses_$1"
		fi
	done
}
refused plugin_of_another_abi_version "$tmp/badabi.so" "ABI version $(sed -n 's/^plugin_abi=//p' "$stage$prefix/lib/pkgconfig/zpoolbench.pc" | awk '{ print $1 + 1 }')"
refused plugin_without_the_zpb_plugin_symbol "$tmp/nosym.so" "no symbol 'zpb_plugin'"
refused plugin_with_a_null_malloc_callback "$tmp/nullcb.so" "NULL malloc callback"
refused file_that_is_not_a_shared_object "$tmp/notelf.so" "cannot be loaded"
refused plugin_path_that_does_not_exist "$tmp/absent.so" "cannot be loaded"

# A plugin that loads but corrupts objects: selftest says so (status 1) and names the check.
$T "$z" selftest --alloc "$tmp/onemap.so" --check conformance_data_survives_thousands_of_other_operations \
	--check conformance_every_size_round_trips_and_past_max_is_enospc --quiet >"$tmp/st3.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q '^FAIL conformance_data_survives_thousands_of_other_operations ' "$tmp/st3.out" &&
   [ "$(tail -n 1 "$tmp/st3.out")" = "0 passed, 2 failed" ]; then
	ok selftest_fails_a_plugin_that_overwrites_objects
else
	bad selftest_fails_a_plugin_that_overwrites_objects "status $rc (expected 1): $(grep -v '^  ' "$tmp/st3.out" | head -n 4)"
fi
finish
