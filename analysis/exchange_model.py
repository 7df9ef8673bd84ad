"""The spike exchange at R ranks: dry-run measurements plus a model of the wire.

    python3 -m analysis.scaling --dry-run benchmarks/results/dry_run.json -o docs/img/dry_run.png

The input is what ``benchmarks/dry_run.py`` prints: one ``myelin run --dry-run-ranks R``
report per (R, algorithm). A dry run measures everything rank 0 does per epoch at R ranks
except moving bytes between nodes: packing its spikes, unpacking and merging what the other
ranks send (``exchange``), and delivering them (``deliver``). The wire is modelled with the
usual latency-bandwidth (alpha-beta) costs of the collectives Myelin calls, per epoch:

- allgatherv: a header Allgather (64 B per rank) and the payload Allgatherv; both by recursive
  doubling / ring, so  T = 2 alpha ceil(log2 R) + beta (64 R + B_recv).
- alltoallv: a header Alltoall (64 B to every rank) and the payload Alltoallv; both pairwise
  with every rank (Myelin sends a header to every rank, even with no spikes for it), so
  T = 2 alpha (R - 1) + beta (64 R + B_recv).

B_recv is the measured payload received per epoch. alpha and beta default to 2 us and
0.1 ns/B (10 GB/s, an InfiniBand HDR link); change them with --alpha-us and --beta-ns-per-byte.

The exchange costs as much as the update at the rank count where measured exchange-side cost
plus the modelled wire equals the update time per epoch; between and beyond the measured R the
cost is interpolated linearly in R (volume grows linearly in R for allgatherv).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

HEADER_BYTES = 64  # one rank's per-epoch header (counts, health) in comm/spike_exchange.cpp


class DryRunError(ValueError):
    """The input is not a dry-run study."""


def load_dry_run(path) -> dict:
    data = json.loads(Path(path).read_text())
    points = data.get("points") if isinstance(data, dict) else data
    if not points:
        raise DryRunError(f"{path}: no dry-run points (want benchmarks/dry_run.py output)")
    for p in points:
        for key in ("dry_run_ranks", "exchange", "update_us_per_epoch",
                    "exchange_side_us_per_epoch", "bytes_received_per_epoch"):
            if key not in p:
                raise DryRunError(f"{path}: a point lacks {key!r}")
    return data if isinstance(data, dict) else {"points": points}


def wire_us(algorithm: str, ranks: int, bytes_received: float, alpha_us: float = 2.0,
            beta_ns_per_byte: float = 0.1) -> float:
    """Modelled time on the wire per epoch [us] (see the module docstring)."""
    volume = HEADER_BYTES * ranks + bytes_received
    if ranks <= 1:
        return 0.0
    if algorithm == "allgatherv":
        messages = 2 * math.ceil(math.log2(ranks))
    elif algorithm == "alltoallv":
        messages = 2 * (ranks - 1)
    else:
        raise DryRunError(f"unknown exchange algorithm {algorithm!r}")
    return alpha_us * messages + beta_ns_per_byte * 1e-3 * volume


def table(study: dict, alpha_us: float = 2.0, beta_ns_per_byte: float = 0.1) -> List[dict]:
    rows = []
    for p in sorted(study["points"], key=lambda p: (p["exchange"], p["dry_run_ranks"])):
        r = p["dry_run_ranks"]
        wire = wire_us(p["exchange"], r, p["bytes_received_per_epoch"], alpha_us, beta_ns_per_byte)
        rows.append({
            "ranks": r, "exchange": p["exchange"],
            "spikes_received": p["spikes_received_per_epoch"],
            "bytes_received": p["bytes_received_per_epoch"],
            "bytes_per_spike": (p["bytes_received_per_epoch"] / p["spikes_received_per_epoch"]
                                if p["spikes_received_per_epoch"] else float("nan")),
            "update_us": p["update_us_per_epoch"], "exchange_us": p["exchange_us_per_epoch"],
            "deliver_us": p["deliver_us_per_epoch"],
            "measured_us": p["exchange_side_us_per_epoch"], "wire_us": wire,
            "total_us": p["exchange_side_us_per_epoch"] + wire,
            "peak_rss_mb": p.get("peak_rss_mb"),
        })
    for row in rows:
        row["ratio_to_update"] = row["total_us"] / row["update_us"] if row["update_us"] else math.inf
    return rows


def crossover(rows: Sequence[dict], algorithm: str, alpha_us: float = 2.0,
              beta_ns_per_byte: float = 0.1, limit: int = 1 << 24) -> Optional[int]:
    """Smallest R at which (measured exchange side + wire) >= update, interpolating the measured
    exchange-side cost and payload linearly in R (extrapolating from the last two points).
    None when it stays below up to `limit` ranks."""
    pts = sorted((r for r in rows if r["exchange"] == algorithm), key=lambda r: r["ranks"])
    if not pts:
        return None
    update = sum(r["update_us"] for r in pts) / len(pts)  # does not depend on R

    def at(ranks: float, key: str) -> float:
        if len(pts) == 1:
            return pts[0][key]
        for a, b in zip(pts, pts[1:]):
            if ranks <= b["ranks"]:
                break
        t = (ranks - a["ranks"]) / (b["ranks"] - a["ranks"])
        return max(0.0, a[key] + t * (b[key] - a[key]))

    def cost(ranks: int) -> float:
        return at(ranks, "measured_us") + wire_us(algorithm, ranks, at(ranks, "bytes_received"),
                                                  alpha_us, beta_ns_per_byte)

    if cost(pts[0]["ranks"]) >= update:
        return pts[0]["ranks"]
    lo, hi = pts[0]["ranks"], pts[0]["ranks"]
    while cost(hi) < update:
        lo, hi = hi, hi * 2
        if hi > limit:
            return None
    while hi - lo > 1:  # cost grows with R on every segment that matters here
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if cost(mid) < update else (lo, mid)
    return hi


def format_table(rows: Sequence[dict], crossovers: Dict[str, Optional[int]]) -> str:
    out = ["| R | exchange | spikes in / epoch | bytes in / epoch | B / spike | update µs | "
           "exchange µs | deliver µs | wire µs (model) | exchange side + wire / update |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['ranks']} | {r['exchange']} | {r['spikes_received']:.0f} | "
                   f"{r['bytes_received']:.0f} | {r['bytes_per_spike']:.2f} | {r['update_us']:.0f} | "
                   f"{r['exchange_us']:.0f} | {r['deliver_us']:.0f} | {r['wire_us']:.0f} | "
                   f"{r['ratio_to_update']:.3f} |")
    for alg, r in crossovers.items():
        out.append("")
        out.append(f"{alg}: exchange side + wire equals the update at R = "
                   + (f"{r}" if r else "> 16M (not reached)"))
    return "\n".join(out)


def plot(rows: Sequence[dict], crossovers: Dict[str, Optional[int]], title: Optional[str] = None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.5))
    colours = {"allgatherv": "tab:red", "alltoallv": "tab:blue"}
    update = None
    for alg in ("allgatherv", "alltoallv"):
        pts = [r for r in rows if r["exchange"] == alg]
        if not pts:
            continue
        ranks = [r["ranks"] for r in pts]
        ax.plot(ranks, [r["measured_us"] for r in pts], "o-", color=colours[alg],
                label=f"{alg}: measured (pack, unpack, merge, deliver)")
        ax.plot(ranks, [r["total_us"] for r in pts], "s--", color=colours[alg], alpha=0.6,
                label=f"{alg}: + modelled wire")
        update = sum(r["update_us"] for r in pts) / len(pts)
        if crossovers.get(alg):
            ax.axvline(crossovers[alg], color=colours[alg], lw=0.8, ls=":")
    if update:
        ax.axhline(update, color="k", lw=1.0, label="update (per epoch)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("ranks R (one dry-run rank of an R-rank job)")
    ax.set_ylabel("time per epoch on one rank [µs]")
    ax.set_title(title or "Spike exchange at R ranks (sw100k-like share per rank)")
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig
