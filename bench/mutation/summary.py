#!/usr/bin/env python3
"""Summarise a Stryker.NET JSON report (mutation-report.json) per runtime folder.

    python3 bench/mutation/summary.py bench/mutation/out/<run>/reports/mutation-report.json [--survivors N]

Prints, per folder (Kernels, Training, Serialization, Data, root files): killed, survived, timeout,
no coverage, compile errors, ignored, and the mutation score as Stryker computes it
((killed + timeout) / (killed + timeout + survived + no coverage)); then the surviving and
uncovered mutants as file:line, mutator, original -> replacement.
"""
import json
import sys
from collections import Counter, defaultdict


def folder_of(path):
    parts = path.replace("\\", "/").split("/")
    if "Compiled.Runtime" in parts:
        parts = parts[parts.index("Compiled.Runtime") + 1:]
    return parts[0] if len(parts) > 1 else "(root)"


def original_text(source_lines, loc):
    s, e = loc["start"], loc["end"]
    if s["line"] == e["line"]:
        return source_lines[s["line"] - 1][s["column"] - 1:e["column"] - 1]
    first = source_lines[s["line"] - 1][s["column"] - 1:]
    return first + " ..."


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    limit = 1000
    if "--survivors" in args:
        i = args.index("--survivors")
        limit = int(args[i + 1])
        del args[i:i + 2]
    report = json.load(open(args[0], encoding="utf-8"))
    counts = defaultdict(Counter)
    undetected = []
    for path, f in sorted(report["files"].items()):
        lines = f.get("source", "").splitlines()
        short = path.replace("\\", "/").split("Compiled.Runtime/")[-1]
        for m in f["mutants"]:
            st = m["status"]
            counts[folder_of(path)][st] += 1
            if st in ("Survived", "NoCoverage"):
                orig = original_text(lines, m["location"]) if lines else "?"
                undetected.append((short, m["location"]["start"]["line"], st, m["mutatorName"],
                                   " ".join(orig.split())[:70], " ".join(m.get("replacement", "").split())[:70]))

    cols = ["Killed", "Survived", "Timeout", "NoCoverage", "CompileError", "RuntimeError", "Ignored"]
    print("| folder | " + " | ".join(cols) + " | score | score of covered |")
    print("|---" * (len(cols) + 3) + "|")
    for folder, c in sorted(counts.items()):
        if sum(c[k] for k in ("Killed", "Survived", "Timeout", "NoCoverage")) == 0:
            continue
        det = c["Killed"] + c["Timeout"]
        total = det + c["Survived"] + c["NoCoverage"]
        covered = det + c["Survived"]
        score = 100.0 * det / total if total else float("nan")
        cov = 100.0 * det / covered if covered else float("nan")
        print(f"| {folder} | " + " | ".join(str(c[k]) for k in cols) + f" | {score:.1f} % | {cov:.1f} % |")
    print()
    for short, line, st, mut, orig, rep in sorted(undetected)[:limit]:
        print(f"{short}:{line}  {st:10s} {mut}: `{orig}` -> `{rep}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
