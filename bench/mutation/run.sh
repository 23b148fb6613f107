#!/usr/bin/env bash
# Mutation testing of runtime/Compiled.Runtime with Stryker.NET (pinned in .config/dotnet-tools.json).
#
#   bash bench/mutation/run.sh              # the whole runtime project
#   bash bench/mutation/run.sh Kernels      # one folder: Kernels, Training, Serialization, Data
#   bash bench/mutation/run.sh Root         # the files at the project's root (INetwork.cs, Rng.cs)
#
# Extra arguments after the folder go to Stryker unchanged (they win over stryker-config.json), e.g.
#   bash bench/mutation/run.sh Data --concurrency 1 -V debug
#   bash bench/mutation/run.sh Kernels -m '**/Kernels/LossKernels.cs'   (replaces the folder's glob)
#   bash bench/mutation/run.sh Kernels -m '**/Kernels/*.cs' -m '!**/Kernels/Sgemm*.cs' \
#        --test-case-filter 'FullyQualifiedName!~Compiled.Tests.Generator.&FullyQualifiedName!~Compiled.Tests.Kernels.Sgemm'
#        (the kernels other than SGEMM, without the slow SGEMM tests: about 15 minutes)
#   COVERAGE=all bash bench/mutation/run.sh Kernels -m '**/Kernels/PooledSingleChannelConvolution.cs' --test-case-filter ...
#        (coverage-analysis "all" instead of "perTest", which has no command-line flag: each covered mutant is then
#        tested against every test of the filter. Needed where the code is reached only by a theory whose data xUnit
#        cannot serialize (one test case with many results): Stryker keeps the coverage of its FIRST data row only, so
#        what later rows reach shows as "no coverage". Keep the filter narrow: every mutant runs all of it.)
#
# Reports (html, json, cleartext in console.log) go to bench/mutation/out/<folder>-<UTC time>/ (git-ignored).
# Slow: docs/mutation.md says how long each folder takes. Not run in CI.
# A run stopped by hand (kill) may leave Stryker's mutated Compiled.Runtime.dll in
# tests/Compiled.Tests/bin/Release: delete that folder before testing in Release again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
folder="${1:-all}"
[ $# -gt 0 ] && shift

# Tests that never reach the runtime (the generator's, which compile declarations with Roslyn) are
# always left out; the SGEMM tests (a third of the suite's time, slower still under Stryker's
# instrumentation) only when the folder is not Kernels.
no_generator='FullyQualifiedName!~Compiled.Tests.Generator.'
no_sgemm='FullyQualifiedName!~Compiled.Tests.Kernels.Sgemm'
case "$folder" in
  all)                          mutate=('**/*.cs');             filter="$no_generator" ;;
  Kernels)                      mutate=('**/Kernels/**/*.cs');  filter="$no_generator" ;;
  Training|Serialization|Data)  mutate=("**/$folder/**/*.cs");  filter="$no_generator&$no_sgemm" ;;
  Root)                         mutate=('**/*.cs' '!**/Kernels/**' '!**/Training/**' '!**/Serialization/**' '!**/Data/**')
                                filter="$no_generator&$no_sgemm" ;;
  *) echo "usage: $0 [all|Kernels|Training|Serialization|Data|Root] [stryker options...]" >&2; exit 2 ;;
esac

# A -m/--mutate given by the caller replaces the folder's glob; a --test-case-filter, the filter.
for a in "$@"; do
  case "$a" in
    -m|--mutate) mutate=() ;;
    --test-case-filter) filter="" ;;
  esac
done

out="$here/out/$folder-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

cd "$root"
dotnet tool restore >/dev/null

# Solution mode: the test project reaches Compiled.Runtime only through src/Compiled, and Stryker
# looks for the project to mutate among the test project's direct references unless given the
# solution ("No project found" otherwise).
config="$here/stryker-config.json"
if [ -n "${COVERAGE:-}" ]; then
  case "$COVERAGE" in off|all|perTest|perIsolatedTest) ;; *) echo "COVERAGE must be off, all, perTest or perIsolatedTest" >&2; exit 2 ;; esac
  config="$out/stryker-config.json"
  sed "s/\"coverage-analysis\": \"perTest\"/\"coverage-analysis\": \"$COVERAGE\"/" "$here/stryker-config.json" > "$config"
  grep -q "\"coverage-analysis\": \"$COVERAGE\"" "$config" || { echo "could not set coverage-analysis in $config" >&2; exit 2; }
fi
args=(--config-file "$config" --solution "$root/Compiled.sln"
      --output "$out" --skip-version-check)
[ -n "$filter" ] && args+=(--test-case-filter "$filter")
for g in "${mutate[@]}"; do args+=(--mutate "$g"); done

echo "stryker: folder=$folder coverage=${COVERAGE:-perTest} mutate=${mutate[*]:-(from arguments)} filter=${filter:-(from arguments)} output=$out"
start=$(date +%s)
set +e
nice -n 19 dotnet stryker "${args[@]}" "$@" 2>&1 | tee "$out/console.log"
rc=${PIPESTATUS[0]}
set -e
echo "stryker: exit $rc after $(( $(date +%s) - start )) s; reports in $out/reports" | tee -a "$out/console.log"
exit "$rc"
