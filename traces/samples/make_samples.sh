#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make_samples.sh [BUILDDIR]: regenerate the bundled sample traces in
# traces/samples/ from data on this machine (Debian 12 paths). Run from the
# repository's root. traces/samples/README.md lists what each one is; the
# captures from real data differ from machine to machine (other binaries,
# another python heap), the synth one does not.
set -eu
b=${1:-build}
zpb="$b/zpoolbench"
d=traces/samples

# 1. Executables and a shared library, under an LRU with a 1 MiB RAM budget.
"$zpb" capture pages /usr/bin/bash /usr/lib/x86_64-linux-gnu/libc.so.6 \
	--compressor lz4 --incompressible store --order lru --budget 256 \
	--working-set 600 --zipf 0.9 --ops 80000 --seed 1 -o "$d/binaries-lru.zpt"

# 2. A text corpus (the licence texts every Debian system has), zstd, LRU with 12 pages of RAM.
"$zpb" capture pages /usr/share/common-licenses/Apache-2.0 /usr/share/common-licenses/GFDL-1.3 \
	/usr/share/common-licenses/GPL-2 /usr/share/common-licenses/GPL-3 \
	/usr/share/common-licenses/LGPL-2.1 /usr/share/common-licenses/MPL-2.0 \
	--compressor zstd:3 --incompressible store --order lru --budget 12 --zipf 0.8 --ops 20000 \
	--seed 1 -o "$d/licenses-lru.zpt"

# 3. A live python3 heap: a child builds dicts, lists and strings, then keeps
#    rewriting a moving part of them; capture process watches it for 4 s.
python3 -c '
import random, sys, time
random.seed(1)
words = ["w%05d" % i for i in range(20000)]
table = {w: [random.random() for _ in range(8)] for w in words}
rows = [{"id": i, "name": random.choice(words), "tags": random.sample(words, 4)} for i in range(30000)]
sys.stdout.write("ready\n"); sys.stdout.flush()
end = time.time() + 6
step = 0
while time.time() < end:
    base = (step * 1500) % len(rows)
    for r in rows[base:base + 1500]:
        r["name"] = random.choice(words)
        r["score"] = random.random()
    for w in words[(step * 700) % len(words):][:700]:
        table[w][step % 8] = random.random()
    step += 1
    time.sleep(0.02)
' > /tmp/zpb-sample-python.$$ &
child=$!
while ! grep -q ready /tmp/zpb-sample-python.$$ 2>/dev/null; do sleep 0.1; done
"$zpb" capture process "$child" --interval 100 --duration 4 --budget 1024 \
	--compressor lz4 --incompressible store --no-contents -o "$d/python-heap-process.zpt"
wait "$child" || true
rm -f /tmp/zpb-sample-python.$$

# 4. Synthetic, from the default profile (identical on every machine).
"$zpb" synth --profile mixed --ops 60000 --seed 1 -o "$d/synth-mixed.zpt"

ls -l "$d"/*.zpt "$d"/*.pages
