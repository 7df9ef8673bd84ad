#!/usr/bin/python3
"""Cost of checkpoints: size, write time and read (restore) time, for sw100k (static, 10 M
synapses) and sw10k made plastic (additive all-to-all STDP on its recurrent projection).

Each case runs `myelin run` for T ms with --checkpoint (written at the end), then `myelin
resume` for one more epoch from it; the times are those Myelin prints (slowest rank), the size
that of the file. Prints one JSON document and writes it to benchmarks/results/checkpoint_cost.json.

    benchmarks/checkpoint_cost.py [--myelin build/myelin] [--ranks 2] [--threads 1]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
STDP = ('{ rule = "additive", pairing = "all_to_all", A_plus = 0.01, A_minus = 0.0105, '
        'tau_plus = 20.0, tau_minus = 20.0, w_min = 0.0, w_max = 1.0 }')
CASES = [
    ("sw100k", "benchmarks/sw100k.toml", 100.0, []),
    ("sw10k_plastic", "benchmarks/sw10k.toml", 500.0,
     ["--set", f"projection.recurrent.plasticity={STDP}"]),
]


def launch(args, ranks, threads, myelin):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMP_NUM_THREADS=str(threads))
    cmd = ["mpiexec", "-n", str(ranks), "--bind-to", "none", myelin] + args + ["--threads", str(threads)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return p.stderr, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--myelin", default=os.path.join(ROOT, "build", "myelin"))
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("-o", default=os.path.join(HERE, "results", "checkpoint_cost.json"))
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as work:
        for name, config, t_stop, extra in CASES:
            out, ckpt = os.path.join(work, name + ".h5"), os.path.join(work, name + ".ckpt.h5")
            err, run_s = launch(["run", os.path.join(ROOT, config), "-o", out, "--checkpoint", ckpt,
                                 "--set", f"simulation.t_stop={t_stop}"] + extra, a.ranks,
                                a.threads, a.myelin)
            m = re.search(r"checkpoint at t = \S+ ms written to \S+ \((\S+) MB, (\S+) s\)", err)
            write_s = float(m.group(2)) if m else None
            err2, resume_s = launch(["resume", ckpt, "-o", os.path.join(work, name + ".rest.h5"),
                                     "--t-stop", str(t_stop + 1.0), "--checkpoint",
                                     os.path.join(work, name + ".end.h5")], a.ranks, a.threads,
                                    a.myelin)
            m2 = re.search(r"state restored from \S+ in (\S+) s", err2)
            size = os.path.getsize(ckpt)
            rows.append({
                "case": name, "config": config, "t_ms": t_stop, "ranks": a.ranks,
                "threads": a.threads, "bytes": size, "mb": round(size / 1e6, 2),
                "write_s": write_s, "read_s": float(m2.group(1)) if m2 else None,
                "run_wall_s": round(run_s, 2), "resume_wall_s": round(resume_s, 2),
            })
            print(f"{name}: {size / 1e6:.1f} MB, write {write_s} s, read {rows[-1]['read_s']} s",
                  file=sys.stderr)
    doc = {"benchmark": "checkpoint_cost", "machine_note": "2 shared cores; measured once",
           "results": rows}
    text = json.dumps(doc, indent=2)
    print(text)
    os.makedirs(os.path.dirname(a.o), exist_ok=True)
    with open(a.o, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
