#!/usr/bin/env bash
# The browser demo (samples/BrowserDigits, docs/browser.md) in a real headless Chromium: installs Debian's chromium if
# /usr/bin/chromium is missing, publishes the Blazor WebAssembly app (Release, Mono interpreter, no wasm-tools workload),
# then runs tests/Compiled.BrowserTests, which serves the published wwwroot with Kestrel, drives Chromium through
# Playwright (ExecutablePath: Playwright's own browser downloads are not needed), trains the network in the page,
# checks its test accuracy and a digit drawn with the mouse, and compares Predict's latency in the browser with native.
# Prints the measurements and the screenshot's path. Usage: bash .ci/browser.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "== installing chromium (Debian)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
fi
"${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || true

echo "== publish samples/BrowserDigits"
dotnet publish samples/BrowserDigits -c Release -o "$work/site" -nologo -v q

echo "== tests/Compiled.BrowserTests"
BROWSERDIGITS_WWWROOT="$work/site/wwwroot" BROWSERDIGITS_RESULTS="$work/results.txt" \
  dotnet test tests/Compiled.BrowserTests -c Release -nologo
cat "$work/results.txt"
echo "browser check: $(( $(date +%s) - start )) s"
