#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""zblock_study.py REPORT_JSON RESULTS_JSON...: the tables of docs/zblock.md.

Reads `zpoolbench report`'s report.json (the verdict: each input's ranking
by the equal-work rules, and why an allocator was left out) and the replay
results it was made from (marks, latency, work), and prints Markdown:

  1. the verdict of every input, one row per input: the ranking, the mean
     pool pages over the run as a ratio to the ideal bound, and what each
     left-out allocator did not do;
  2. per input, each allocator's work, pool pages (mean, peak, final) and
     latency (median of the repetitions' p50 and p99, with their range);
  3. per input, the pool pages at every MARK, with the ratio to ideal.

Nothing is computed here that the results or the report do not hold, other
than ratios and medians; a figure below the bound would be printed as it is
and flagged, never hidden.
"""
import json
import os
import statistics
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("zblock_study.py: %s: %s" % (path, e))


def spread(values, fmt="%.0f"):
    """The median of @values, with their range when they differ."""
    if not values:
        return "–"
    med = statistics.median(values)
    lo, hi = min(values), max(values)
    if lo == hi:
        return fmt % med
    return (fmt + " (" + fmt + "–" + fmt + ")") % (med, lo, hi)


def input_name(results_path, doc):
    name = os.path.splitext(os.path.basename(results_path))[0]
    comp = doc["options"].get("compress")
    return name, comp


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: zblock_study.py REPORT_JSON RESULTS_JSON...")
    report = load(sys.argv[1])
    by_path = {}
    for p in sys.argv[2:]:
        # By file name: the report may have been made before its directory moved.
        by_path[os.path.basename(p)] = (p, load(p))

    inputs = []
    for inp in report["inputs"]:
        key = os.path.basename(inp["results"])
        if key not in by_path:
            sys.exit("zblock_study.py: %s: the report's input is not among the results given" % inp["results"])
        path, doc = by_path[key]
        inputs.append((inp, path, doc))

    out = []
    w = out.append
    w("## The verdict of every input")
    w("")
    w("Ranked by the mean pool pages over the run (the verdict's equal-work rules: "
      "docs/report.md); each cell is that mean as a ratio to the ideal bound. "
      "A cell in brackets is an allocator that did less work (it rejected pages, "
      "which went to the swap device instead): its ratio is per stored byte, and it is not ranked.")
    w("")
    allocs = []
    for inp, _, _ in inputs:
        for a in inp["allocators"]:
            if not a["bound"] and a["allocator"] not in allocs:
                allocs.append(a["allocator"])
    w("| input | page size | " + " | ".join(allocs) + " | first |")
    w("|---|---:|" + "---:|" * len(allocs) + "---|")
    for inp, path, doc in inputs:
        name, _ = input_name(path, doc)
        cells = []
        by = {a["allocator"]: a for a in inp["allocators"]}
        for al in allocs:
            a = by.get(al)
            if a is None:
                cells.append("–")
            elif a.get("ranked"):
                flag = " ⚠ below the bound" if a.get("below_bound") else ""
                cells.append("%.3f%s" % (a["ratio_to_bound"], flag))
            else:
                cells.append("[%.3f]" % a["ratio_to_bound_per_stored_byte"])
        first = inp["ranking"][0] if inp["ranking"] else "none ranked"
        w("| %s | %d | %s | %s |" % (name, doc["trace"]["page_size"], " | ".join(cells), first))
    w("")
    lefts = [(input_name(p, d)[0], lo) for inp, p, d in inputs for lo in inp["left_out"]]
    if lefts:
        w("Left out of a ranking:")
        w("")
        for name, lo in lefts:
            w("- %s, %s: %s" % (name, lo["allocator"], lo["reason"]))
        w("")

    for inp, path, doc in inputs:
        name, comp = input_name(path, doc)
        runs = doc["runs"]
        order = []
        for r in runs:
            if r["allocator"] not in order:
                order.append(r["allocator"])
        by = {a["allocator"]: a for a in inp["allocators"]}
        w("## %s" % name)
        w("")
        t = doc["trace"]
        w("`%s` (sha256 %s…), %d-byte pages, %d records; %s; %s." % (
            t["path"], t["sha256"][:12], t["page_size"], t["records"],
            ("compressed at replay with " + comp) if comp else ("the trace's own lengths (" + str(t.get("compressor")) + ")"),
            "%d repetitions" % doc["options"]["repeat"]))
        if inp.get("headline"):
            w("")
            w("> " + inp["headline"])
        w("")
        w("| allocator | rank | stored objects | rejected pages | mean pool pages (× ideal) | peak | final | store p50 ns | store p99 ns | load p50 ns | load p99 ns |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for al in order:
            rs = [r for r in runs if r["allocator"] == al]
            a = by.get(al, {})
            if a.get("bound"):
                rank = "bound"
            elif a.get("ranked"):
                rank = str(a["rank"])
            else:
                rank = "not ranked"
            ratio = a.get("ratio_to_bound")
            mean = "%.0f" % rs[0]["over_run"]["mean_pool_pages"]
            if ratio is not None and not a.get("bound"):
                mean += " (%.3f)" % ratio
            lat = rs[0]["latency_ns"]
            w("| %s | %s | %d | %d | %s | %d | %d | %s | %s | %s | %s |" % (
                al, rank, rs[0]["work"]["stored_objects"], rs[0]["work"]["rejected_pages"], mean,
                rs[0]["over_run"]["peak_pool_pages"], rs[0]["final"]["pool_pages"],
                spread([r["latency_ns"]["store"]["p50"] for r in rs]),
                spread([r["latency_ns"]["store"]["p99"] for r in rs]),
                spread([r["latency_ns"]["load"]["p50"] for r in rs]) if lat["load"]["count"] else "–",
                spread([r["latency_ns"]["load"]["p99"] for r in rs]) if lat["load"]["count"] else "–"))
        w("")
        if "phases_ns" in runs[0]:
            w("Where a store's and a load's time goes, median of the repetitions' p50 (ns): "
              "the codec's phases beside the allocator's own.")
            w("")
            cols = [("store", "compress"), ("store", "allocate"), ("store", "map"), ("store", "copy_in"),
                    ("load", "map"), ("load", "decompress"), ("load", "verify")]
            w("| allocator | " + " | ".join("%s %s" % c for c in cols) + " |")
            w("|---|" + "---:|" * len(cols))
            for al in order:
                rs = [r for r in runs if r["allocator"] == al]
                cells = []
                for op, ph in cols:
                    v = [r["phases_ns"][op][ph]["p50"] for r in rs
                         if ph in r["phases_ns"].get(op, {}) and r["phases_ns"][op][ph]["count"]]
                    cells.append(spread(v))
                w("| %s | %s |" % (al, " | ".join(cells)))
            w("")
        ideal = next((r for r in runs if r["allocator"] == "ideal"), None)
        marks = runs[0]["marks"]
        if marks:
            w("Pool pages at each mark, and in brackets the ratio to ideal per stored byte "
              "(pool pages per stored byte over the ideal's: the same as the ratio of pages when "
              "both stored the same bytes; a † marks a cell whose allocator stored fewer bytes "
              "than ideal by then, having rejected pages):")
            w("")
            w("| mark | record | live objects | " + " | ".join(a for a in order if a != "ideal") + " | ideal |")
            w("|---|---:|---:|" + "---:|" * len(order))
            firsts = {al: next(r for r in runs if r["allocator"] == al) for al in order}
            for i, m in enumerate(marks):
                cells = []
                im = ideal["marks"][i] if ideal else None
                for al in order:
                    if al == "ideal":
                        continue
                    am = firsts[al]["marks"][i]
                    pp = am["pool_pages"]
                    if not im or not im["pool_pages"] or not am["stored_bytes"]:
                        cells.append("%d" % pp)
                        continue
                    r = (pp / am["stored_bytes"]) / (im["pool_pages"] / im["stored_bytes"])
                    less = am["stored_bytes"] < im["stored_bytes"]
                    flag = " ⚠ below the bound" if r < 1 - 1e-9 else ""
                    cells.append("%d (%.2f%s)%s" % (pp, r, "†" if less else "", flag))
                w("| %s | %d | %d | %s | %s |" % (m["label"], m["record"], m["live_objects"],
                                                   " | ".join(cells), im["pool_pages"] if im else "–"))
            w("")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
