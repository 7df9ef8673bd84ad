#!/usr/bin/python3
"""Writes the README's dry-run table from benchmarks/results/dry_run.json (between its markers).

    benchmarks/readme_dry_run_table.py [benchmarks/results/dry_run.json]
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from analysis import exchange_model as em  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "benchmarks", "results", "dry_run.json")
study = em.load_dry_run(path)
rows = em.table(study)
cross = {alg: em.crossover(rows, alg) for alg in ("allgatherv", "alltoallv")}
m = study.get("machine", {})
head = (f"Measured {study.get('started', '?')} on {m.get('cpu', '?')} ({m.get('cores', '?')} cores), "
        f"{study.get('t_stop_ms', '?')} ms per point, fastest of the interleaved repeats; load average "
        f"{study.get('load_average_before', ['?'])[0]} before, {study.get('load_average_after', ['?'])[0]} after. "
        f"Peak RSS of the dry-run process: {rows[0]['peak_rss_mb']:.0f} MiB at R = {rows[0]['ranks']}, "
        f"{max(r['peak_rss_mb'] for r in rows):.0f} MiB at most.\n\n")
body = head + em.format_table(rows, cross) + "\n"
readme = os.path.join(ROOT, "README.md")
text = open(readme).read()
start = "<!-- dry-run table: generated from benchmarks/results/dry_run.json -->\n"
end = "<!-- /dry-run table -->"
a = text.index(start) + len(start)
b = text.index(end)
open(readme, "w").write(text[:a] + body + text[b:])
print(body)
