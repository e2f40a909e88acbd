#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Measure compressed page sizes of real data on this machine and write
traces/synth/profile_data.c, the histograms behind `zpoolbench synth`.

Usage (from the repository's root):
    python3 traces/synth/gen_profiles.py [--compressor lz4|lzo|zstd:N] > traces/synth/profile_data.c

Pages are compressed with the same library calls as `zpoolbench capture
pages` (liblz4's LZ4_compress_default, liblzo2's lzo1x_1_compress, libzstd's
ZSTD_compress at a level), through ctypes, and classified the same way:
same-filled (every 8-byte word equal) pages are not compressed; pages whose
output is 4096 bytes or more are incompressible. Three data sets:

  binaries     /usr/bin/* and /usr/lib/x86_64-linux-gnu/*.so*, sorted by
               name, the first 24 MiB of each list
  text         /usr/share/doc: plain files and decompressed .gz files, sorted
               by path, 16 MiB
  python-heap  the anonymous memory of a python3 child that imports a set of
               standard modules and builds dicts, lists and strings from the
               text corpus, read through /proc/PID/maps and /proc/PID/mem

See docs/synth-profiles.md for what each profile makes of them.
"""
import ctypes
import datetime
import gzip
import os
import platform
import subprocess
import sys

PAGE = 4096
BUCKETS = 64
BUCKET_BYTES = 64


class Compressor:
    def __init__(self, spec):
        self.spec = spec
        self.out = ctypes.create_string_buffer(2 * PAGE + 1024)
        if spec == "lz4":
            self.lib = ctypes.CDLL("liblz4.so.1")
            self.fn = self._lz4
        elif spec == "lzo":
            self.lib = ctypes.CDLL("liblzo2.so.2")
            if self.lib.__lzo_init_v2(0x20a0, 2, 4, 8, 4, 8, 8, 8, 8, 48) != 0:
                raise SystemExit("lzo_init failed")
            self.work = ctypes.create_string_buffer(16384 * 8)  # LZO1X_1_MEM_COMPRESS
            self.fn = self._lzo
        elif spec.startswith("zstd"):
            self.lib = ctypes.CDLL("libzstd.so.1")
            self.level = int(spec.split(":")[1]) if ":" in spec else 3
            self.spec = "zstd:%d" % self.level
            self.lib.ZSTD_compress.restype = ctypes.c_size_t
            self.fn = self._zstd
        else:
            raise SystemExit("unknown compressor " + spec)

    def _lz4(self, page):
        return self.lib.LZ4_compress_default(page, self.out, PAGE, len(self.out))

    def _lzo(self, page):
        n = ctypes.c_ulong(len(self.out))
        if self.lib.lzo1x_1_compress(page, ctypes.c_ulong(PAGE), self.out, ctypes.byref(n), self.work):
            raise SystemExit("lzo1x_1_compress failed")
        return n.value

    def _zstd(self, page):
        return self.lib.ZSTD_compress(self.out, ctypes.c_size_t(len(self.out)), page,
                                      ctypes.c_size_t(PAGE), self.level)


class Hist:
    def __init__(self, name):
        self.name = name
        self.pages = self.same = self.incomp = 0
        self.buckets = [0] * BUCKETS
        self.sources = []

    def add(self, comp, page):
        if len(page) < PAGE:
            page = page + bytes(PAGE - len(page))
        self.pages += 1
        if page == page[:8] * (PAGE // 8):
            self.same += 1
            return
        n = comp.fn(page)
        if n <= 0:
            raise SystemExit("compression failed")
        if n >= PAGE:
            self.incomp += 1
            return
        self.buckets[min((n - 1) // BUCKET_BYTES, BUCKETS - 1)] += 1

    def add_bytes(self, comp, data):
        for off in range(0, len(data), PAGE):
            self.add(comp, data[off:off + PAGE])


def files_under(paths, limit, reader):
    """Yield (path, bytes) in sorted order until @limit bytes were given."""
    total = 0
    for path in paths:
        if total >= limit:
            return
        try:
            data = reader(path)
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        if not data:
            continue
        data = data[:limit - total]
        total += len(data)
        yield path, data


def plain(path):
    with open(path, "rb") as f:
        return f.read()


def doc_reader(path):
    return gzip.open(path).read() if path.endswith(".gz") else plain(path)


def regular_files(top, accept):
    out = []
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for f in files:
            p = os.path.join(root, f)
            if accept(p) and os.path.isfile(p) and not os.path.islink(p):
                out.append(p)
    return sorted(out)


def measure_binaries(comp):
    h = Hist("binaries")
    for top, accept in (("/usr/bin", lambda p: True),
                        ("/usr/lib/x86_64-linux-gnu", lambda p: ".so" in os.path.basename(p))):
        paths = sorted(p for p in (os.path.join(top, f) for f in os.listdir(top))
                       if accept(p) and os.path.isfile(p) and not os.path.islink(p))
        n = 0
        for path, data in files_under(paths, 24 << 20, plain):
            h.add_bytes(comp, data)
            n += 1
        h.sources.append("%s: %d files (first 24 MiB by name)" % (top, n))
    return h


def measure_text(comp):
    h = Hist("text")
    paths = regular_files("/usr/share/doc", lambda p: True)
    n = 0
    for path, data in files_under(paths, 16 << 20, doc_reader):
        h.add_bytes(comp, data)
        n += 1
    h.sources.append("/usr/share/doc: %d files, .gz decompressed (first 16 MiB by path)" % n)
    return h


CHILD = r"""
import sys, json, gzip, os, collections, decimal, email.parser, xml.dom.minidom, random
import asyncio, http.client, sqlite3, argparse, logging, re, difflib, textwrap
random.seed(1)
words = collections.Counter()
docs = []
for root, dirs, files in sorted(os.walk('/usr/share/doc')):
    for f in sorted(files)[:4]:
        p = os.path.join(root, f)
        try:
            t = (gzip.open(p) if p.endswith('.gz') else open(p, 'rb')).read(65536)
        except Exception:
            continue
        s = t.decode('utf-8', 'replace')
        docs.append(s)
        words.update(s.split())
    if len(docs) > 1500:
        break
index = {w: [i for i in range(random.randrange(1, 8))] for w in list(words)[:60000]}
common = [w for w, _ in words.most_common(500)]
records = [{'id': i, 'name': 'item%06d' % i, 'score': random.random(),
            'tags': random.sample(common, 3)} for i in range(40000)]
blob = json.dumps(records[:5000])
nums = [decimal.Decimal(i) / 7 for i in range(20000)]
sys.stdout.write('ready\n')
sys.stdout.flush()
sys.stdin.read()
"""


def anon_ranges(pid):
    out = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            perms = parts[1]
            name = parts[5].strip() if len(parts) > 5 else ""
            if perms[1] != "w" or perms[3] != "p":
                continue
            if name and name not in ("[heap]", "[stack]") and not name.startswith("[anon:"):
                continue
            a, b = (int(x, 16) for x in parts[0].split("-"))
            out.append((a, b))
    return out


def measure_python_heap(comp):
    h = Hist("python-heap")
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    try:
        if child.stdout.readline() != b"ready\n":
            raise SystemExit("the python child did not start")
        total = 0
        with open("/proc/%d/mem" % child.pid, "rb", buffering=0) as mem:
            for a, b in anon_ranges(child.pid):
                for off in range(a, b, PAGE):
                    try:
                        mem.seek(off)
                        page = mem.read(PAGE)
                    except OSError:
                        continue
                    if len(page) == PAGE:
                        h.add(comp, page)
                        total += PAGE
        h.sources.append("anonymous memory of a python3 %s child (%d MiB): stdlib imports, "
                         "dicts/lists/strings built from /usr/share/doc"
                         % (platform.python_version(), total >> 20))
    finally:
        child.stdin.close()
        child.wait()
    return h


def emit(hists, comp, argv):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print("// SPDX-License-Identifier: GPL-2.0-only")
    print("/*")
    print(" * Compressed-size histograms of real pages, generated; do not edit.")
    print(" * Command: python3 traces/synth/gen_profiles.py%s > traces/synth/profile_data.c"
          % ("".join(" " + a for a in argv)))
    print(" * Date: %s; kernel %s; compressor %s; machine %s" % (now, platform.release(), comp.spec,
                                                               platform.machine()))
    print(" * Bucket i counts pages compressed to (64 i, 64 (i + 1)] bytes.")
    print(" */")
    print('#include "synth.h"')
    for h in hists:
        print()
        for s in h.sources:
            print("/* %s: %s */" % (h.name, s))
        print("const struct zpb_size_hist zpb_hist_%s = {" % h.name.replace("-", "_"))
        print('\t.name = "%s",' % h.name)
        print('\t.compressor = "%s",' % comp.spec)
        print("\t.pages = %d," % h.pages)
        print("\t.same_filled = %d," % h.same)
        print("\t.incompressible = %d," % h.incomp)
        print("\t.buckets = {")
        for i in range(0, BUCKETS, 8):
            print("\t\t" + " ".join("%d," % c for c in h.buckets[i:i + 8]))
        print("\t},")
        print("};")


def main():
    spec = "lz4"
    args = sys.argv[1:]
    if args[:1] == ["--compressor"] and len(args) == 2:
        spec = args[1]
    elif args:
        raise SystemExit(__doc__)
    comp = Compressor(spec)
    hists = [measure_python_heap(comp), measure_binaries(comp), measure_text(comp)]
    for h in hists:
        sys.stderr.write("%s: %d pages, %d same-filled, %d incompressible\n"
                         % (h.name, h.pages, h.same, h.incomp))
    emit(hists, comp, args)


if __name__ == "__main__":
    main()
