#!/usr/bin/env bash
# The package as a user gets it: packs src/Compiled.Package into a local folder feed, lists its contents, then
# copies tests/PackageConsumer out of the repository (no Directory.Build.props, no project references), builds and
# runs it against that package, and publishes it with NativeAOT + trimming (x86-64-v3) with every warning an error,
# runs the executable and prints its size. A packaging, trimming or AOT mistake fails CI.
# Usage: bash .ci/package.sh   (needs clang for NativeAOT: installed from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A version of its own per run, so NuGet's global package cache never serves an older build of the package.
version="0.1.0-ci.$(date -u +%Y%m%d%H%M%S).$$"

echo "== pack Compiled $version"
dotnet pack src/Compiled.Package -c Release -o "$work/feed" -p:Version="$version" -nologo -v q
package="$work/feed/Compiled.$version.nupkg"
listing=$(unzip -l "$package")   # read once: `unzip | grep -q` would fail on SIGPIPE under pipefail
awk 'NR > 3 && $4 != "" && $4 !~ /^(_rels|package|\[Content)/ { printf "  %9d  %s\n", $1, $4 }' <<< "$listing"
for entry in lib/net10.0/Compiled.dll lib/net10.0/Compiled.Runtime.dll lib/net10.0/Compiled.xml lib/net10.0/Compiled.Runtime.xml \
             analyzers/dotnet/cs/Compiled.Generator.dll analyzers/dotnet/cs/Compiled.CodeFixes.dll README.md; do
  grep -q " $entry\$" <<< "$listing" || { echo "package lacks $entry" >&2; exit 1; }
done
echo "  package size: $(stat -c %s "$package") bytes"

cp -r tests/PackageConsumer "$work/consumer"
rm -rf "$work/consumer/bin" "$work/consumer/obj"
cat > "$work/consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="compiled-local" value="$work/feed" />
  </packageSources>
</configuration>
XML

echo "== build and run the consumer (JIT)"
dotnet run --project "$work/consumer" -c Release -p:CompiledVersion="$version" -nologo

echo "== publish the consumer with NativeAOT and trimming, warnings as errors"
linker=()
if ! command -v clang >/dev/null 2>&1; then
  if command -v clang-14 >/dev/null 2>&1; then
    linker=(-p:CppCompilerAndLinker=clang-14)
  else
    echo "  installing clang and zlib (NativeAOT links with them)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq clang zlib1g-dev >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq clang zlib1g-dev >/dev/null; fi
  fi
fi
dotnet publish "$work/consumer" -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true \
  -p:CompiledVersion="$version" "${linker[@]}" -o "$work/aot" -nologo
"$work/aot/PackageConsumer"
echo "  NativeAOT executable: $(stat -c %s "$work/aot/PackageConsumer") bytes"
