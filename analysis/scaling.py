"""Speed-up, parallel efficiency and phase breakdown of a Myelin scaling study.

    python3 -m analysis.scaling OUTDIR/scaling.json -o scaling.png [--kind strong|weak]

The input is what ``jobs/collect_scaling.py`` writes (``{"kind": ..., "runs": [row, ...]}``;
a bare list of rows or of ``myelin run --summary-json`` summaries works too). Writes the figure
as PNG and PDF (``-o x.png`` gives x.png and x.pdf) and prints the table.

Definitions, with n = ranks x threads ("cores") and the baseline b = the successful run with the
fewest cores (normally 1 x 1):

- strong scaling (fixed network):  S(n) = T(b) / T(n),  E(n) = S(n) / (n / n_b)
  -> with n_b = 1: S = T1/Tn, E = S/n. Ideal: S = n, E = 1.
- weak scaling (fixed work per rank): E(n) = T(b) / T(n), scaled speed-up S(n) = E(n) n / n_b.
  Ideal: T constant, E = 1.

T is the simulation loop time ``loop_s`` (network build excluded). When a layout (ranks,
threads) was run more than once, its fastest run is used. Failed runs are listed, not used.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

LOOP_PHASES = ("update", "collect", "exchange", "deliver", "output")
PHASE_COLOURS = {"update": "#4477aa", "collect": "#66ccee", "exchange": "#ee6677",
                 "deliver": "#228833", "output": "#ccbb44", "other": "#bbbbbb"}


class ScalingError(ValueError):
    """Input that cannot be analysed (no file, no successful run, ...)."""


# ------------------------------------------------------------------ input
def _normalise(row: dict, i: int) -> dict:
    """One run row with at least name, ok, ranks, threads, cores, neurons, loop_s, phases."""
    r = dict(row)
    r.setdefault("name", f"run{i}")
    if "ok" not in r:  # a bare summary: it exists, so the run finished
        r["ok"] = r.get("loop_s") is not None
    if not r.get("phase_s_max_over_ranks"):
        r["phase_s_max_over_ranks"] = {p: r[f"{p}_s"] for p in ("build",) + LOOP_PHASES
                                       if r.get(f"{p}_s") is not None}
    if r.get("phase_s_per_rank") and not r.get("phase_s_mean_over_ranks"):
        per = [d for d in r["phase_s_per_rank"] if isinstance(d, dict)]
        keys = sorted({k for d in per for k in d})
        r["phase_s_mean_over_ranks"] = {k: float(np.mean([d.get(k, 0.0) for d in per]))
                                        for k in keys}
    if r.get("wait_mean_s") is None and r.get("exchange_wait_s_per_rank"):
        r["wait_mean_s"] = float(np.mean(r["exchange_wait_s_per_rank"]))
        r["wait_max_s"] = float(np.max(r["exchange_wait_s_per_rank"]))
    ranks, threads = r.get("ranks"), r.get("threads")
    if r.get("cores") is None and ranks is not None and threads is not None:
        r["cores"] = int(ranks) * int(threads)
    loop = r.get("loop_s")
    if r["ok"] and not (isinstance(loop, (int, float)) and math.isfinite(loop) and loop > 0):
        r["ok"] = False
        r["error"] = r.get("error") or f"no usable loop_s ({loop!r})"
    if r["ok"] and (not ranks or not threads):
        r["ok"] = False
        r["error"] = r.get("error") or "no ranks/threads"
    return r


def load(path) -> dict:
    """The study in ``path``: ``{"kind": str|None, "runs": [normalised rows]}``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as e:
        raise ScalingError(f"cannot read {path}: {e.strerror or e}") from e
    except ValueError as e:
        raise ScalingError(f"{path} is not JSON: {e}") from e
    if isinstance(data, list):
        data = {"kind": None, "runs": data}
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise ScalingError(f"{path}: expected collect_scaling.py output with a 'runs' list")
    study = dict(data)
    study["runs"] = [_normalise(r, i) for i, r in enumerate(data["runs"]) if isinstance(r, dict)]
    if study.get("kind") not in ("strong", "weak"):
        study["kind"] = None
    return study


def infer_kind(runs: Sequence[dict]) -> str:
    """strong when every successful run simulated the same number of neurons, else weak."""
    sizes = {r.get("neurons") for r in runs if r.get("ok")}
    return "weak" if len(sizes) > 1 else "strong"


# ------------------------------------------------------------------ numbers
def scaling_table(runs: Sequence[dict], kind: str) -> List[dict]:
    """Rows of the successful runs, one per (ranks, threads), sorted by cores, with
    ``speedup``, ``efficiency`` and ``ideal_speedup`` (see the module docstring)."""
    if kind not in ("strong", "weak"):
        raise ScalingError(f"kind must be 'strong' or 'weak', not {kind!r}")
    best: Dict[tuple, dict] = {}
    count: Dict[tuple, int] = {}
    for r in runs:
        if not r.get("ok"):
            continue
        key = (int(r["ranks"]), int(r["threads"]))
        count[key] = count.get(key, 0) + 1
        if key not in best or r["loop_s"] < best[key]["loop_s"]:
            best[key] = r
    if not best:
        raise ScalingError("no successful run to analyse")
    rows = sorted(best.values(), key=lambda r: (r["cores"], r["ranks"]))
    base = rows[0]
    t_b, n_b = float(base["loop_s"]), float(base["cores"])
    out = []
    for r in rows:
        t, n = float(r["loop_s"]), float(r["cores"])
        ideal = n / n_b
        if kind == "strong":
            speedup = t_b / t
            efficiency = speedup / ideal
        else:
            efficiency = t_b / t
            speedup = efficiency * ideal
        row = dict(r)
        row.update(speedup=speedup, efficiency=efficiency, ideal_speedup=ideal,
                   baseline=base["name"], repeats=count[(int(r["ranks"]), int(r["threads"]))])
        out.append(row)
    return out


def phase_breakdown(row: dict) -> tuple:
    """({phase: seconds} of the loop phases, label): per-rank means when the summary has
    per-rank phase times, else the maxima over ranks."""
    if row.get("phase_s_mean_over_ranks"):
        src, label = row["phase_s_mean_over_ranks"], "mean over ranks"
    else:
        src, label = row.get("phase_s_max_over_ranks") or {}, "max over ranks"
    return {p: float(src.get(p) or 0.0) for p in LOOP_PHASES}, label


# ------------------------------------------------------------------ output
def _f(v, spec):
    return "-" if v is None else format(v, spec)


def format_table(study: dict, table: List[dict], kind: str) -> str:
    head = ["run", "ranks", "thr", "cores", "neurons", "loop_s", "speedup", "effic",
            *[f"{p}_s" for p in LOOP_PHASES], "wait_s", "build_s"]
    lines = []
    for r in table:
        ph, _ = phase_breakdown(r)
        lines.append([r["name"], str(r["ranks"]), str(r["threads"]), str(r["cores"]),
                      _f(r.get("neurons"), "d"), _f(r["loop_s"], ".4f"), _f(r["speedup"], ".3f"),
                      _f(r["efficiency"], ".3f"), *[_f(ph[p], ".4f") for p in LOOP_PHASES],
                      _f(r.get("wait_mean_s"), ".4f"),
                      _f((r.get("phase_s_max_over_ranks") or {}).get("build"), ".4f")])
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    out = [f"{kind} scaling, baseline {table[0]['name']} ({table[0]['cores']} core(s), "
           f"loop {table[0]['loop_s']:.4f} s)",
           "  ".join(h.rjust(w) for h, w in zip(head, widths))]
    out += ["  ".join(c.rjust(w) for c, w in zip(x, widths)) for x in lines]
    failed = [r for r in study["runs"] if not r.get("ok")]
    repeated = [r for r in table if r["repeats"] > 1]
    if repeated:
        out.append("repeated layouts: " + ", ".join(
            f"{r['ranks']}x{r['threads']} fastest of {r['repeats']} = {r['name']}" for r in repeated))
    for r in table:
        if r.get("note"):
            out.append(f"note {r['name']}: {r['note']}")
    out.append(f"{len(study['runs'])} run(s): {len(study['runs']) - len(failed)} ok, "
               f"{len(failed)} failed")
    for r in failed:
        out.append(f"  FAILED {r['name']} ({r.get('ranks')} x {r.get('threads')}): "
                   f"{r.get('error') or 'unknown reason'}")
    return "\n".join(out)


def plot(study: dict, table: List[dict], kind: str, title: Optional[str] = None):
    """Figure: speed-up, efficiency (both against cores) and the phase breakdown per run."""
    import matplotlib

    matplotlib.use("Agg")  # headless clusters have no display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    plain = FuncFormatter(lambda v, _pos: f"{v:g}")

    def plain_log2(axis, values):
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(NullFormatter())
        axis.set_ticks(sorted(set(values)))

    cores = np.array([r["cores"] for r in table], dtype=float)
    speed = np.array([r["speedup"] for r in table])
    eff = np.array([r["efficiency"] for r in table])
    ideal = np.array([r["ideal_speedup"] for r in table])
    labels = [f"{r['ranks']}x{r['threads']}" for r in table]

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
    ax = axes[0]
    ax.plot(cores, ideal, "--", color="0.5", label="ideal")
    ax.plot(cores, speed, "o-", color="C0", label="measured")
    for x, y, s in zip(cores, speed, labels):
        ax.annotate(s, (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    if len(cores) > 1:
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        plain_log2(ax.xaxis, cores)
        ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel("cores (ranks x threads)")
    ax.set_ylabel("speed-up" if kind == "strong" else "scaled speed-up (E n / n_base)")
    ax.set_title("speed-up" + (" T_base/T_n" if kind == "strong" else " (weak)"))
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)

    ax = axes[1]
    ax.axhline(1.0, ls="--", color="0.5", label="ideal")
    ax.plot(cores, eff, "o-", color="C1", label="measured")
    for x, y, s in zip(cores, eff, labels):
        ax.annotate(s, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if len(cores) > 1:
        ax.set_xscale("log", base=2)
        plain_log2(ax.xaxis, cores)
    ax.set_ylim(0, max(1.1, float(np.nanmax(eff)) * 1.1))
    ax.set_xlabel("cores (ranks x threads)")
    ax.set_ylabel("parallel efficiency")
    ax.set_title("efficiency " + ("S/n" if kind == "strong" else "T_base/T_n"))
    ax.grid(True, which="both", alpha=0.3)

    # phase breakdown: every run of the study, failed ones marked
    ax = axes[2]
    runs = sorted(study["runs"], key=lambda r: (r.get("cores") or 0, r.get("ranks") or 0,
                                                 r.get("name", "")))
    x = np.arange(len(runs))
    bottom = np.zeros(len(runs))
    sources = set()
    per_phase = {p: np.zeros(len(runs)) for p in LOOP_PHASES}
    waits = np.full(len(runs), np.nan)
    loops = np.full(len(runs), np.nan)
    for i, r in enumerate(runs):
        if not r.get("ok"):
            continue
        ph, src = phase_breakdown(r)
        sources.add(src)
        for p in LOOP_PHASES:
            per_phase[p][i] = ph[p]
        loops[i] = r["loop_s"]
        if r.get("wait_mean_s") is not None:
            waits[i] = r["wait_mean_s"]
    exch_bottom = None
    for p in LOOP_PHASES:
        if p == "exchange":
            exch_bottom = bottom.copy()
        ax.bar(x, per_phase[p], bottom=bottom, color=PHASE_COLOURS[p], label=p, width=0.7)
        bottom += per_phase[p]
    if np.isfinite(waits).any():
        w = np.where(np.isfinite(waits), waits, 0.0)
        ax.bar(x, np.minimum(w, per_phase["exchange"]) if per_phase["exchange"].any() else w,
               bottom=exch_bottom, fill=False, hatch="//", edgecolor="k", linewidth=0,
               width=0.7, label="exchange wait")
    ax.plot(x, loops, "k_", markersize=18, mew=2, label="loop time")
    top = float(np.nanmax(np.concatenate([bottom, loops[np.isfinite(loops)]]))) if len(x) else 1
    for i, r in enumerate(runs):
        if not r.get("ok"):
            ax.text(i, top * 0.02, "FAILED", rotation=90, ha="center", va="bottom",
                    color="red", fontsize=8)
    ax.set_xticks(x, [f"{r.get('ranks')}x{r.get('threads')}" for r in runs],
                  rotation=45 if len(runs) > 8 else 0)
    ax.set_xlabel("run (ranks x threads)")
    ax.set_ylabel("time (s)")
    ax.set_title("loop phases (" + ", ".join(sorted(sources)) + ")" if sources else "loop phases")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, axis="y", alpha=0.3)

    neurons = sorted({r.get("neurons") for r in table if r.get("neurons")})
    size = (f"{neurons[0]:,} neurons" if len(neurons) == 1 else
            f"{neurons[0]:,}-{neurons[-1]:,} neurons" if neurons else "")
    fig.suptitle(title or f"Myelin {kind} scaling" + (f", {size}" if size else "")
                 + (f" ({Path(study['config']).name})" if study.get("config") else ""))
    return fig


def save(fig, output) -> List[Path]:
    """``x.png`` or ``x.pdf`` or ``x`` -> x.png and x.pdf (both always)."""
    output = Path(output)
    stem = output.with_suffix("") if output.suffix.lower() in (".png", ".pdf") else output
    paths = [stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".pdf")]
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(p, dpi=150)
    return paths


# ------------------------------------------------------------------ CLI
def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m analysis.scaling",
        description="Speed-up, efficiency and phase breakdown of a Myelin scaling study "
                    "(OUTDIR/scaling.json from jobs/collect_scaling.py).")
    ap.add_argument("input", help="scaling.json written by jobs/collect_scaling.py (or, with "
                    "--dry-run, the output of benchmarks/dry_run.py)")
    ap.add_argument("--dry-run", action="store_true",
                    help="the input is a dry-run study: per-epoch exchange cost at R ranks, with "
                         "the wire modelled (analysis/exchange_model.py)")
    ap.add_argument("--alpha-us", type=float, default=2.0, help="dry run: latency per message [us]")
    ap.add_argument("--beta-ns-per-byte", type=float, default=0.1,
                    help="dry run: inverse bandwidth [ns/B] (0.1: 10 GB/s)")
    ap.add_argument("-o", "--output", help="figure path; PNG and PDF are written "
                    "[scaling.png beside the input]")
    ap.add_argument("--kind", choices=("strong", "weak"),
                    help="override the study's kind (default: from the file, else inferred: "
                         "weak when the neuron count varies)")
    ap.add_argument("--title", help="figure title")
    ap.add_argument("--table-json", metavar="FILE",
                    help="also write the table (speed-up, efficiency per run) as JSON")
    a = ap.parse_args(argv)
    if a.dry_run:
        return _dry_run_main(a, ap.prog)
    try:
        study = load(a.input)
        kind = a.kind or study["kind"] or infer_kind(study["runs"])
        table = scaling_table(study["runs"], kind)
    except ScalingError as e:
        print(f"{ap.prog}: error: {e}", file=sys.stderr)
        return 2
    print(format_table(study, table, kind))
    fig = plot(study, table, kind, a.title)
    out = a.output or str(Path(a.input).with_name("scaling.png"))
    for p in save(fig, out):
        print(f"wrote {p}")
    if a.table_json:
        keep = ("name", "ranks", "threads", "cores", "neurons", "loop_s", "speedup",
                "efficiency", "ideal_speedup", "baseline", "repeats")
        Path(a.table_json).write_text(json.dumps(
            {"kind": kind, "rows": [{k: r.get(k) for k in keep} for r in table]}, indent=1) + "\n")
        print(f"wrote {a.table_json}")
    return 0


def _dry_run_main(a, prog) -> int:
    from analysis import exchange_model as em
    try:
        study = em.load_dry_run(a.input)
        rows = em.table(study, a.alpha_us, a.beta_ns_per_byte)
    except (em.DryRunError, OSError, json.JSONDecodeError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    crossings = {alg: em.crossover(rows, alg, a.alpha_us, a.beta_ns_per_byte)
                 for alg in ("allgatherv", "alltoallv") if any(r["exchange"] == alg for r in rows)}
    print(em.format_table(rows, crossings))
    out = a.output or str(Path(a.input).with_name("dry_run.png"))
    for p in save(em.plot(rows, crossings, a.title), out):
        print(f"wrote {p}")
    if a.table_json:
        Path(a.table_json).write_text(json.dumps({"rows": rows, "crossover": crossings}, indent=1) + "\n")
        print(f"wrote {a.table_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
