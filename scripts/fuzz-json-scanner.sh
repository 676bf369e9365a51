#!/usr/bin/env bash
# Fuzzes JSONObjectScanner with libFuzzer for N seconds (default 20): builds the scanner's source,
# the invariants it is checked against (JSONScannerOracle: what it accepts, JSONSerialization must
# accept, with the same members, byte for byte) and the entry point with
# `swiftc -sanitize=fuzzer,address`, then runs from the committed seed corpus.
#
#   scripts/fuzz-json-scanner.sh            # 20 s
#   scripts/fuzz-json-scanner.sh 3600       # an hour; extra arguments go to libFuzzer (e.g. -max_len=65536)
#
# Build output, the growing working corpus and crash inputs stay under .build-fuzz/ (git-ignored).
# A crash input can be replayed with `.build-fuzz/json-scanner/fuzz-json-scanner <file>`.
# Exit status: 0 when no invariant broke, 1 on a finding, 77 when the fuzzer runtime cannot be
# built on this machine (the Swift test that calls this script skips then).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true

out=.build-fuzz/json-scanner
mkdir -p "$out/corpus" "$out/artifacts"
binary="$out/fuzz-json-scanner"
sources=(
    Sources/VesperHTTP/Wire/JSONObjectScanner.swift
    Tests/VesperHTTPTests/JSONScannerOracle.swift
    Fuzz/JSONObjectScanner/main.swift
)

# Rebuild only when a source is newer than the binary.
needs_build=0
[ -x "$binary" ] || needs_build=1
for source in "${sources[@]}"; do [ "$source" -nt "$binary" ] && needs_build=1; done
if [ "$needs_build" -eq 1 ]; then
    swiftc=$(command -v swiftc || true)
    if [ -z "$swiftc" ]; then echo "fuzz-json-scanner: swiftc not found" >&2; exit 77; fi
    # lld when the toolchain has it: gold prints a warning for every ASan helper symbol.
    linker=()
    if [ -x "$(dirname "$swiftc")/ld.lld" ] || command -v ld.lld >/dev/null 2>&1; then linker=(-use-ld=lld); fi
    if ! "$swiftc" -O -sanitize=fuzzer,address -parse-as-library "${linker[@]}" "${sources[@]}" \
        -module-name JSONScannerFuzz -o "$binary" >"$out/build.log" 2>&1; then
        cat "$out/build.log" >&2
        if grep -qiE "unsupported option|sanitizer.*not supported|cannot find.*(fuzzer|asan)|libclang_rt" "$out/build.log"; then
            echo "fuzz-json-scanner: this toolchain cannot build a libFuzzer binary" >&2
            exit 77
        fi
        exit 2
    fi
fi

# The committed seeds, plus whatever earlier runs found interesting.
cp -n Fuzz/JSONObjectScanner/corpus/* "$out/corpus/" 2>/dev/null || true
echo "fuzz-json-scanner: running for ${seconds}s"
# Leak detection is off: Foundation's caches look like leaks to LeakSanitizer.
# No Swift runtime backtracer: libFuzzer reports the crash and saves the input itself.
SWIFT_BACKTRACE=enable=no exec "$binary" "$out/corpus" -max_total_time="$seconds" -detect_leaks=0 -max_len=4096 \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
