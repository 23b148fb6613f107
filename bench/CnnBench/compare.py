#!/usr/bin/env python3
"""Markdown tables from runs of the TorchSharp harness (bench.dll --json) and of CnnBench (--json).

    python3 compare.py --ts ts1.json ts2.json --compiled c1.json c2.json

Each cell is the median over runs of each run's median of its repeats (as the harness's --merge does);
the per-run medians are listed too, in the order given, so drift between alternating runs shows.
Ratio = Compiled speed / TorchSharp speed: samples/s divided, or latency inverted (> 1: Compiled faster).
"""
import argparse
import json
import statistics


def load(files):
    runs = []
    for f in files:
        with open(f) as h:
            runs.append(json.load(h))
    return runs


def medians(runs, key_filter=None):
    """(kind, batch, threads) -> list of per-run medians."""
    cells = {}
    for run in runs:
        for r in run.get("results") or []:
            if r.get("model", "cnn") != "cnn":
                continue
            key = (r["kind"], r["batch"], r["threads"])
            cells.setdefault(key, []).append(statistics.median(r["values"]))
    return cells


def fmt(v):
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 1000 else f"{v:.1f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ts", nargs="+", required=True)
    p.add_argument("--compiled", nargs="+", required=True)
    a = p.parse_args()
    ts, cc = medians(load(a.ts)), medians(load(a.compiled))
    threads = sorted({k[2] for k in cc} | {k[2] for k in ts})
    rows = [
        ("TrainStep, SGD 0.01", "train", 1, "train", "samples/s"),
        ("TrainStep, SGD 0.01", "train", 32, "train", "samples/s"),
        ("TrainStep, SGD 0.01", "train", 128, "train", "samples/s"),
        ("Predict latency (TS: forward on a prepared tensor)", "infer_latency", 1, "infer_latency", "µs"),
        ("Predict latency (TS: float[] → tensor → forward → float[])", "infer_latency", 1, "infer_latency_e2e", "µs"),
        ("Predict throughput", "infer_throughput", 128, "infer_throughput", "samples/s"),
        ("TrainStep, a different sample each call", "train_cycle", 1, "train_cycle", "samples/s"),
        ("Predict latency, a different sample each call", "infer_latency_cycle", 1, "infer_latency_cycle", "µs"),
    ]

    head = "| measure | batch | unit |"
    rule = "|---|---:|---|"
    for t in threads:
        head += f" TorchSharp {t}t | Compiled {t}t | ratio {t}t |"
        rule += "---:|---:|---:|"
    print(head)
    print(rule)
    for name, ckind, batch, tkind, unit in rows:
        line = f"| {name} | {batch} | {unit} |"
        for t in threads:
            tv = ts.get((tkind, batch, t))
            cv = cc.get((ckind, batch, t))
            tm = statistics.median(tv) if tv else None
            cm = statistics.median(cv) if cv else None
            ratio = None
            if tm and cm:
                ratio = tm / cm if unit == "µs" else cm / tm
            line += f" {fmt(tm)} | {fmt(cm)} | {'–' if ratio is None else f'**{ratio:.2f}×**'} |"
        print(line)

    print()
    print("Per-run medians, in the order given (drift between runs):")
    print()
    print("| measure | batch | threads | TorchSharp runs | Compiled runs |")
    print("|---|---:|---:|---|---|")
    for name, ckind, batch, tkind, unit in rows:
        for t in threads:
            tv, cv = ts.get((tkind, batch, t), []), cc.get((ckind, batch, t), [])
            print(f"| {tkind} | {batch} | {t} | {', '.join(fmt(v) for v in tv)} | {', '.join(fmt(v) for v in cv)} |")

    conv = {}
    peaks = {1: [], 2: []}
    for run in load(a.compiled):
        pk = run.get("peak")
        if not pk:
            continue
        peaks[1].append(max(pk["one_thread_v256"], pk["one_thread_v512"]))
        peaks[2].append(pk["two_threads"])
        for r in run.get("conv") or []:
            key = (r["layer"], r["batch"], r["pass"], r["threads"])
            conv.setdefault(key, []).append((statistics.median(r["gflops"]), r["fraction_of_peak"]))
    if conv:
        print()
        print("FMA peak per run: 1 thread " + ", ".join(f"{v:.0f}" for v in peaks[1]) +
              "; 2 threads " + ", ".join(f"{v:.0f}" for v in peaks[2]) + " GFLOP/s")
        print()
        cthreads = sorted({k[3] for k in conv})
        print("| layer | batch | pass | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}: GFLOP/s (of peak)" for t in cthreads) + " |")
        print("|---|---:|---|" + "---:|" * len(cthreads))
        for key in dict.fromkeys((k[0], k[1], k[2]) for k in conv):
            line = f"| {key[0]} | {key[1]} | {key[2]} |"
            for t in cthreads:
                vals = conv.get((*key, t), [])
                g = statistics.median(v[0] for v in vals)
                f = statistics.median(v[1] for v in vals)
                line += f" {g:.1f} ({f * 100:.0f} %) |"
            print(line)


if __name__ == "__main__":
    main()
