#!/usr/bin/env bash
# `bench burst` against a node that has been running for a while, as production nodes have,
# instead of the fresh node `bench` starts in its own process. The node's first statistics sample
# counts the retained history (0.15 s of CPU per million finished jobs on SQLite, about 0.8 s for
# ten million on PostgreSQL), which falls inside the first seconds of a fresh node's run.
#
# Starts `vesper serve` with the environment given (DB_PATH, or DB_HOST/DB_NAME/...), 16 workers
# and the demo consumer, waits WARM seconds (default 10), runs `bench burst --server` with JOBS
# jobs (default 30000) at CONCURRENCY (default 1) from a second process, stops the node and prints
# the JSON report. Make a run long enough to include the node's periodic history count (about
# 60 times the count's own time, so a minute at ten million rows on PostgreSQL):
#
#   DB_PATH=/tmp/history.db scripts/warm-node-burst.sh path/to/vesper
#   DB_HOST=/tmp/pg DB_USER=postgres DB_NAME=vbench JOBS=45000 scripts/warm-node-burst.sh path/to/vesper
set -euo pipefail
VESPER=$(realpath "${1:?path to the vesper binary}")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
API_ADDR=127.0.0.1:$port WORKERS=16 DEMO_CONSUMER=1 LOG_LEVEL=warning "$VESPER" serve >"$log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null || true; wait $node 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    kill -0 $node 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
sleep "${WARM:-10}"
"$VESPER" bench burst --server "http://127.0.0.1:$port" --jobs "${JOBS:-30000}" --concurrency "${CONCURRENCY:-1}" \
    --json --no-progress
