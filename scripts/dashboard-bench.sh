#!/usr/bin/env bash
# Times each dashboard page with many jobs stored (BENCHMARKS.md, "Dashboard"). Usage:
#   scripts/dashboard-bench.sh [path/to/vesper] [jobs]
# Fills a fresh SQLite file with `jobs` rows (default 1,000,000) in one SQL statement (80% done over
# the last hour, 10% pending, 5% dlq, 3% failed, 2% cancelled; 20 types, 5 queues), starts a node on
# it with every queue paused (so the numbers hold still; NO_PENDING=1: see below), and requests each page REQUESTS times
# (default 20) with curl, printing the median and the slowest time per page; then times one bulk
# retry. (`type.3` has no dead jobs: that row walks the whole DLQ index to find nothing.)
set -euo pipefail
cd "$(dirname "$0")/.."
VESPER=${1:-.build/debug/vesper}
JOBS=${2:-1000000}
REQUESTS=${REQUESTS:-20}
# NO_PENDING=1 makes the pending tenth done too: an idle node's claims then find nothing to walk
# (with 100,000 pending jobs in paused queues every claim walks them all; see BENCHMARKS.md).
DONE_PERCENT=$([ "${NO_PENDING:-0}" = 1 ] && echo 90 || echo 80)
DIR=$(mktemp -d)
PORT=${PORT:-18099}
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT

DB_PATH="$DIR/bench.db" "$VESPER" migrate >/dev/null
now_us=$(($(date +%s) * 1000000))
start=$(date +%s)
sqlite3 "$DIR/bench.db" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $JOBS)
INSERT INTO jobs (id, type, queue, priority, payload, status, retries, max_retries, error, run_at, created_at, updated_at,
                  started_at, finished_at, fingerprint, attempt, timeout_ms)
SELECT lower(printf('%08x-%04x-7%03x-8%03x-%012x', abs(random()) % 4294967296, abs(random()) % 65536, abs(random()) % 4096,
                    abs(random()) % 4096, i)),
       'type.' || (i % 20), 'queue-' || (i % 5), i % 11, '{"n":' || i || ',"note":"<b>not bold</b>"}',
       CASE WHEN i % 100 < $DONE_PERCENT THEN 'done' WHEN i % 100 < 90 THEN 'pending' WHEN i % 100 < 95 THEN 'dlq'
            WHEN i % 100 < 98 THEN 'failed' ELSE 'cancelled' END,
       CASE WHEN i % 100 BETWEEN 90 AND 97 THEN 4 ELSE 0 END, 3,
       CASE WHEN i % 100 BETWEEN 90 AND 97 THEN 'connection refused' ELSE '' END,
       $now_us - 3600000000 + i * 3600000000 / $JOBS, $now_us - 3600000000 + i * 3600000000 / $JOBS,
       $now_us - 3600000000 + i * 3600000000 / $JOBS, NULL,
       CASE WHEN i % 100 < $DONE_PERCENT OR i % 100 >= 90 THEN $now_us - 3600000000 + i * 3600000000 / $JOBS + 1000 END,
       'bench', 1, 300000
FROM n;
ANALYZE;
SQL
echo "inserted $JOBS jobs in $(($(date +%s) - start))s; file $(du -h "$DIR/bench.db" | cut -f1)"

DB_PATH="$DIR/bench.db" API_ADDR="127.0.0.1:$PORT" WORKERS=1 LOG_LEVEL=error HTTP_WRITE_TIMEOUT=10m "$VESPER" serve >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.2; done
if [ "${NO_PENDING:-0}" != 1 ]; then
    for q in 0 1 2 3 4; do curl -fs -X POST "http://127.0.0.1:$PORT/queues/queue-$q/pause" >/dev/null; done
fi
sleep 6   # one statistics sample
job=$(curl -fs "http://127.0.0.1:$PORT/jobs?status=dlq&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["job_id"])')
cursor=$(curl -fs "http://127.0.0.1:$PORT/jobs?status=done&limit=50" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %10s %10s\n' page median_ms max_ms
for page in /ui /ui/jobs "/ui/jobs?status=dlq" "/ui/jobs?status=done&cursor=$cursor" "/ui/jobs?status=dlq&type=type.12&queue=queue-2" \
    "/ui/jobs?status=dlq&type=type.3" \
    "/ui/jobs?status=pending&priority=10" "/ui/jobs/$job" /ui/queues /ui/fleet /ui/cron /stats; do
    times=()
    for _ in $(seq "$REQUESTS"); do
        times+=("$(curl -fs -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT$page")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v page="$page" '{ t[NR] = $1 * 1000 } END { printf "%-48s %10.1f %10.1f\n", page, t[int((NR + 1) / 2)], t[NR] }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Bulk retry of the dead-letter jobs of one type created in the last 15 minutes (2,500 of the
# 50,000 in the DLQ with a million jobs), one retry transaction per job.
after=$(date -u -d "@$(($(date +%s) - 900))" +%Y-%m-%dT%H:%M:%SZ)
curl -fs -o "$DIR/retry.json" -w "POST /jobs/retry?status=dlq&type=type.12&created_after=$after: %{time_total}s " \
    -X POST "http://127.0.0.1:$PORT/jobs/retry?status=dlq&type=type.12&created_after=$after"
cat "$DIR/retry.json"; echo
