#!/usr/bin/env bash
# Runs every BENCHMARKS.md row RUNS times (default 3) with the release binary and prints the
# median of each figure, with the load average next to each run. Usage:
#   swift build -c release --scratch-path .build-bench --product vesper
#   scripts/benchmarks.sh [path/to/vesper]
set -euo pipefail
cd "$(dirname "$0")/.."
#
# PostgreSQL: STORE=postgres with DATABASE_URL or DB_* set, and BEFORE_EACH a command that gives
# every run a fresh database, for example
#   STORE=postgres DB_HOST=/tmp/pg DB_USER=postgres DB_NAME=vbench \
#   BEFORE_EACH='dropdb -h /tmp/pg -U postgres --if-exists vbench && createdb -h /tmp/pg -U postgres vbench' \
#   scripts/benchmarks.sh .build-bench/release/vesper
VESPER=${1:-.build-bench/release/vesper}
RUNS=${RUNS:-3}
STORE=${STORE:-sqlite}
OUT=$(mktemp -d)
rows=(
    "drain --jobs 100000 --workers 16"
    "enqueue --jobs 200000 --batch 1000"
    "burst --jobs 10000 --concurrency 25"
    "burst --jobs 10000 --concurrency 1000"
    "latency --rate 200 --duration 10s"
    "latency --rate 200 --duration 10s --across-nodes"
    "drain --jobs 1000000 --workers 16"
)
if [ -n "${ROWS:-}" ]; then IFS=';' read -r -a rows <<<"$ROWS"; fi
for row in "${rows[@]}"; do
    for run in $(seq "$RUNS"); do
        if [ -n "${BEFORE_EACH:-}" ]; then bash -c "$BEFORE_EACH"; fi
        load=$(cut -d' ' -f1 /proc/loadavg)
        # shellcheck disable=SC2086
        json=$("$VESPER" bench $row --store "$STORE" --json --no-progress || true)
        echo "$row|$run|$load|$json" | tee -a "$OUT/runs.txt"
    done
done
python3 - "$OUT/runs.txt" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    row, run, load, payload = line.rstrip("\n").split("|", 3)
    rows.setdefault(row, []).append((float(load), json.loads(payload)))
for row, runs in rows.items():
    med = lambda f: statistics.median(f(r) for _, r in runs)
    print(f"{row}: median jobs/s {med(lambda r: r['jobs_per_second']):.0f}; "
          f"p50 {med(lambda r: r['latency_ms']['p50']):.3f} ms p90 {med(lambda r: r['latency_ms']['p90']):.3f} ms "
          f"p99 {med(lambda r: r['latency_ms']['p99']):.3f} ms max {med(lambda r: r['latency_ms']['max']):.3f} ms; "
          f"peak rss {med(lambda r: r['peak_rss_mib']):.1f} MiB rss {med(lambda r: r['rss_mib']):.1f} MiB; "
          f"errors {sum(r['errors'] for _, r in runs)} lost {sum(r['lost'] for _, r in runs)}; "
          f"load {', '.join(str(l) for l, _ in runs)}")
PY
