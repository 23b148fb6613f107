#!/usr/bin/env bash
# Side-by-side session: TorchSharp harness and CnnBench alternating (TS, Compiled, TS, Compiled) so drift
# between runs shows, then the Markdown tables (compare.py). Usage, from the repository root:
#   [RUNS=2] bench/CnnBench/run.sh [TS_DIR] [OUT_DIR] [QUIET_WAIT]
# TS_DIR is a built copy of the TorchSharp harness (default /tmp/ts, see README.md); OUT_DIR gets the JSON
# files and logs (default /tmp/cnnbench-out); QUIET_WAIT (default 60) is each program's --quiet-wait.
set -euo pipefail
ts=${1:-/tmp/ts}
out=${2:-/tmp/cnnbench-out}
quiet=${3:-60}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

dotnet build "$here" -c Release -v q -nologo >/dev/null
{
  date -u
  lscpu | grep -E 'Model name|CPU family|^Model:|^CPU\(s\)|L2|L3'
  grep -m1 'model name' /proc/cpuinfo
  git -C "$here" log --oneline -1
} | tee "$out/session.txt"
if [ -f "$ts/fma-peak/bin/Release/net10.0/fma.dll" ]; then   # the harness's probe, as a cross-check of CnnBench's own
  echo "fma-peak ($(date -u +%T)):" | tee -a "$out/session.txt"
  dotnet "$ts/fma-peak/bin/Release/net10.0/fma.dll" | tee -a "$out/session.txt"
fi

for run in $(seq 1 "${RUNS:-2}"); do
  echo "== TorchSharp run $run ($(date -u +%T))"
  dotnet "$ts/bench/bin/Release/net10.0/bench.dll" --only cnn --threads 1,2 --repeats 3 --quiet-wait "$quiet" \
    --json "$out/ts$run.json" | tee "$out/ts$run.log"
  echo "== Compiled run $run ($(date -u +%T))"
  dotnet "$here/bin/Release/net10.0/CnnBench.dll" --threads 1,2 --repeats 3 --quiet-wait "$quiet" --conv-quiet-wait 10 \
    --json "$out/compiled$run.json" | tee "$out/compiled$run.log"
done
echo "== done $(date -u +%T)"
python3 "$here/compare.py" --ts $(ls "$out"/ts[0-9]*.json | sort -V) --compiled $(ls "$out"/compiled[0-9]*.json | sort -V) | tee "$out/tables.md"
