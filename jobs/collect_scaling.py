#!/usr/bin/env python3
"""Collect the run summaries of a Myelin scaling study into one table.

    jobs/collect_scaling.py OUTDIR             write OUTDIR/scaling.json and OUTDIR/scaling.csv
    jobs/collect_scaling.py --strict OUTDIR    ... and exit 3 when any run failed
    jobs/collect_scaling.py --check OUTDIR     only read OUTDIR/scaling.json, print the table,
                                               exit 3 when any run failed (1 if it is missing)

OUTDIR is what jobs/strong_scaling.sh / weak_scaling.sh wrote: manifest.tsv (the planned runs
and their job ids) and, per run NAME, NAME.json (summary of `myelin run --summary-json`),
NAME.h5 and NAME.out (log). Without a manifest every *.json summary in OUTDIR is taken.

Every planned run gives one row, also when it failed: a missing or unreadable summary, a rank
or thread count other than planned, or an HDF5 file whose /meta attribute `complete` is not 1
(checked when h5py can be imported) make the row ok=false with the reason in `error`.

Only the standard library is needed (h5py is optional), so any python3 on a cluster works.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PHASES = ("build", "update", "collect", "exchange", "deliver", "output")

# columns of scaling.csv, in order (scaling.json rows hold these plus per-rank lists)
CSV_COLUMNS = (
    ["name", "kind", "ok", "error", "ranks", "threads", "cores", "neurons", "synapses",
     "t_stop_ms", "epochs", "spikes", "mean_rate_hz", "loop_s"]
    + [f"{p}_s" for p in PHASES]
    + ["wait_mean_s", "wait_max_s", "bytes_per_epoch", "bytes_per_epoch_from",
       "bytes_received_rank0", "peak_rss_mb_max", "peak_rss_mb_total", "launcher", "job_id",
       "slurm_state", "git_sha", "version", "h5_complete", "note", "summary", "log"]
)


def read_manifest(outdir: Path):
    """Planned runs and study settings from manifest.tsv, or (None, {}) when absent."""
    path = outdir / "manifest.tsv"
    if not path.is_file():
        return None, {}
    meta, runs, header = {}, [], None
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            m = re.match(r"#\s*([A-Za-z_]+)=(.*)$", line)
            if m:
                meta[m.group(1)] = m.group(2).strip()
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        runs.append(dict(zip(header, cells + [""] * (len(header) - len(cells)))))
    return runs, meta


def _int_or_none(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def _num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def log_facts(log: Path) -> dict:
    """launcher, job id and the last error line from a run.sbatch log."""
    facts = {}
    if not log.is_file():
        return facts
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return facts
    for m in re.finditer(r"\[run\.sbatch\] launcher=(\S+)", text):
        facts["launcher"] = m.group(1)
    for m in re.finditer(r"\[run\.sbatch\] job_id=(\S+)", text):
        if m.group(1) != "none":
            facts["job_id"] = m.group(1)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # the most telling line: Myelin's own message, then SLURM/MPI errors, then kills/limits
    for pattern in (r"^(myelin|\[run\.sbatch\]).*(error|fatal)", r"\berror\b|fatal",
                    r"killed|cancell?ed|time limit|oom|abort|signal"):
        hits = [ln for ln in lines if re.search(pattern, ln, re.I)]
        if hits:
            facts["last_error"] = hits[0][:300]
            break
    return facts


def slurm_state(job_id) -> str | None:
    """JobState and ExitCode from scontrol (best effort; None when unknown)."""
    if not job_id or not str(job_id).isdigit() or shutil.which("scontrol") is None:
        return None
    try:
        out = subprocess.run(["scontrol", "show", "job", "-o", str(job_id)], capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    st = re.search(r"JobState=(\S+)", out)
    ec = re.search(r"ExitCode=(\S+)", out)
    if not st:
        return None
    return st.group(1) + (f" ExitCode={ec.group(1)}" if ec else "")


def h5_complete(path: Path):
    """True/False from /meta attribute `complete`; None when h5py is unavailable."""
    try:
        import h5py  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return None
    try:
        with h5py.File(path, "r") as f:
            if "meta" not in f:
                return False
            return int(f["meta"].attrs.get("complete", 0)) == 1
    except (OSError, KeyError, ValueError, TypeError):
        return False


def row_for(outdir: Path, name: str, kind: str, planned: dict | None,
            ask_slurm: bool = False) -> dict:
    planned = planned or {}
    summary = outdir / f"{name}.json"
    log = outdir / f"{name}.out"
    h5 = outdir / f"{name}.h5"
    row = {c: None for c in CSV_COLUMNS}
    row.update(name=name, kind=kind, ok=False, error=None, summary=str(summary),
               log=str(log) if log.is_file() else None)
    exp_r = _int_or_none(planned.get("ranks"))
    exp_t = _int_or_none(planned.get("threads"))
    exp_n = _int_or_none(planned.get("neurons"))
    row["ranks"], row["threads"], row["neurons"] = exp_r, exp_t, exp_n
    row["note"] = planned.get("note") or None
    job = planned.get("job_id") or None
    if job in ("none", ""):
        job = None
    facts = log_facts(log)
    row["launcher"] = facts.get("launcher")
    row["job_id"] = job or facts.get("job_id")

    errors = []
    data = None
    if not summary.is_file():
        errors.append("no summary JSON")
    else:
        try:
            data = json.loads(summary.read_text())
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:
            errors.append(f"unreadable summary JSON ({e})")
            data = None

    if data is not None:
        for k in ("ranks", "threads", "neurons", "synapses", "epochs", "spikes"):
            v = data.get(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                row[k] = int(v)
        for k in ("t_stop_ms", "mean_rate_hz", "loop_s", "bytes_received_rank0"):
            row[k] = _num(data.get(k))
        for k in ("git_sha", "version"):
            row[k] = data.get(k)
        if data.get("launcher"):
            row["launcher"] = data["launcher"]
        if data.get("job_id") not in (None, "", "none"):
            row["job_id"] = str(data["job_id"])
        phases = data.get("phase_s_max_over_ranks") or {}
        row["phase_s_max_over_ranks"] = {p: _num(phases.get(p)) for p in phases}
        for p in PHASES:
            row[f"{p}_s"] = _num(phases.get(p))
        per_rank = data.get("phase_s_per_rank")
        if isinstance(per_rank, list) and per_rank and all(isinstance(d, dict) for d in per_rank):
            row["phase_s_per_rank"] = per_rank
            keys = sorted({k for d in per_rank for k in d})
            row["phase_s_mean_over_ranks"] = {
                k: sum(_num(d.get(k)) or 0.0 for d in per_rank) / len(per_rank) for k in keys}
        wait = data.get("exchange_wait_s_per_rank")
        if isinstance(wait, list) and wait:
            w = [_num(x) for x in wait if _num(x) is not None]
            if w:
                row["exchange_wait_s_per_rank"] = w
                row["wait_mean_s"] = sum(w) / len(w)
                row["wait_max_s"] = max(w)
        if _num(data.get("bytes_per_epoch")) is not None:
            row["bytes_per_epoch"] = data["bytes_per_epoch"]
            row["bytes_per_epoch_from"] = "summary"
        elif row["bytes_received_rank0"] is not None and row["epochs"]:
            row["bytes_per_epoch"] = row["bytes_received_rank0"] / row["epochs"]
            row["bytes_per_epoch_from"] = "bytes_received_rank0/epochs"
        rss = [_num(x) for x in data.get("peak_rss_mb_per_rank") or []]
        rss = [x for x in rss if x is not None]
        if rss:
            row["peak_rss_mb_max"] = max(rss)
            row["peak_rss_mb_total"] = sum(rss)
        for k in ("neurons_per_rank", "synapses_per_rank", "peak_rss_mb_per_rank"):
            if isinstance(data.get(k), list):
                row[k] = data[k]
        if row["loop_s"] is None:
            errors.append("summary has no loop_s")
        if exp_r is not None and row["ranks"] != exp_r:
            errors.append(f"planned {exp_r} ranks, summary says {row['ranks']}")
        if exp_t is not None and row["threads"] != exp_t:
            errors.append(f"planned {exp_t} threads, summary says {row['threads']}")
        if exp_n is not None and row["neurons"] != exp_n:
            errors.append(f"planned {exp_n} neurons, summary says {row['neurons']}")
        if h5.is_file():
            row["h5_complete"] = h5_complete(h5)
            if row["h5_complete"] is False:
                errors.append(f"{h5.name}: /meta complete != 1")
        elif planned:
            errors.append(f"result file {h5.name} missing")

    if row["ranks"] is not None and row["threads"] is not None:
        row["cores"] = row["ranks"] * row["threads"]
    if errors:
        row["slurm_state"] = slurm_state(row["job_id"]) if ask_slurm else None
        why = list(errors)
        if row["slurm_state"]:
            why.append(f"SLURM {row['slurm_state']}")
        if job == "submit-failed":
            why.append(planned.get("note") or "sbatch refused the job")
        if "last_error" in facts:
            why.append(f"log: {facts['last_error']}")
        elif not log.is_file():
            why.append("no log")
        row["error"] = "; ".join(why)
    else:
        row["ok"] = True
    return row


def collect(outdir: Path) -> dict:
    planned, meta = read_manifest(outdir)
    kind = meta.get("kind") or "unknown"
    rows = []
    if planned is not None:
        for p in planned:
            rows.append(row_for(outdir, p["name"], kind, p, ask_slurm=meta.get("mode") == "slurm"))
    else:
        for f in sorted(outdir.glob("*.json")):
            if f.name in ("scaling.json", "manifest.json"):
                continue
            try:
                d = json.loads(f.read_text())
            except (OSError, ValueError):
                d = None
            if isinstance(d, dict) and "loop_s" in d and "ranks" in d:
                rows.append(row_for(outdir, f.stem, kind, None))
    rows.sort(key=lambda r: (r["cores"] or 0, r["ranks"] or 0, r["name"]))
    n_ok = sum(1 for r in rows if r["ok"])
    return {
        "kind": kind,
        "config": meta.get("config"),
        "mode": meta.get("mode"),
        "threads": _int_or_none(meta.get("threads")),
        "population": meta.get("population"),
        "neurons_per_rank": _int_or_none(meta.get("neurons_per_rank")),
        "outdir": str(outdir),
        "collected": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "n_runs": len(rows),
        "n_ok": n_ok,
        "n_failed": len(rows) - n_ok,
        "runs": rows,
    }


def _fmt(v, spec=""):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "ok" if v else "FAILED"
    return format(v, spec) if spec else str(v)


def table(study: dict) -> str:
    head = ("run", "ranks", "thr", "neurons", "synapses", "loop_s", "exch_s", "wait_max",
            "B/epoch", "rss_MB", "launcher", "job", "status")
    lines = []
    for r in study["runs"]:
        lines.append((r["name"], _fmt(r["ranks"]), _fmt(r["threads"]), _fmt(r["neurons"]),
                      _fmt(r["synapses"]), _fmt(r["loop_s"], ".4f"), _fmt(r["exchange_s"], ".4f"),
                      _fmt(r["wait_max_s"], ".4f"), _fmt(r["bytes_per_epoch"], ".0f"),
                      _fmt(r["peak_rss_mb_max"], ".1f"), _fmt(r["launcher"]), _fmt(r["job_id"]),
                      _fmt(r["ok"])))
    widths = [max(len(h), *(len(x[i]) for x in lines)) if lines else len(h)
              for i, h in enumerate(head)]
    out = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    out += ["  ".join(c.rjust(w) for c, w in zip(x, widths)) for x in lines]
    for r in study["runs"]:
        if not r["ok"]:
            out.append(f"  {r['name']}: {r['error']}")
    out.append(f"{study['kind']} scaling: {study['n_runs']} run(s), {study['n_ok']} ok, "
               f"{study['n_failed']} failed")
    return "\n".join(out)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write(study: dict, outdir: Path) -> None:
    _write_atomic(outdir / "scaling.json", json.dumps(study, indent=1) + "\n")
    tmp = outdir / "scaling.csv.tmp"
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in study["runs"]:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in CSV_COLUMNS})
    os.replace(tmp, outdir / "scaling.csv")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("outdir", type=Path)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--strict", action="store_true", help="exit 3 when any run failed")
    g.add_argument("--check", action="store_true",
                   help="read the existing scaling.json only; exit 3 when any run failed")
    a = ap.parse_args(argv)
    if not a.outdir.is_dir():
        print(f"collect_scaling.py: OUTDIR '{a.outdir}' is not a directory", file=sys.stderr)
        return 2
    outdir = a.outdir.resolve()
    if a.check:
        try:
            study = json.loads((outdir / "scaling.json").read_text())
        except (OSError, ValueError) as e:
            print(f"collect_scaling.py: cannot read {outdir / 'scaling.json'}: {e}", file=sys.stderr)
            return 1
        print(table(study))
        return 3 if study.get("n_failed", 1) or not study.get("runs") else 0
    study = collect(outdir)
    write(study, outdir)
    print(table(study))
    print(f"wrote {outdir / 'scaling.json'} and {outdir / 'scaling.csv'}")
    if not study["runs"]:
        print("collect_scaling.py: no runs found (no manifest.tsv, no summaries)", file=sys.stderr)
        return 3 if a.strict else 0
    return 3 if a.strict and study["n_failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
