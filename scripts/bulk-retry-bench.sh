#!/bin/bash
# Times one POST /jobs/retry?status=dlq over N dead-lettered jobs on SQLite, two release binaries
# interleaved (A/B, ROUNDS rounds, each on a fresh copy of the same data). See BENCHMARKS.md.
#
#   BASE=old/vesper NEW=new/vesper scripts/bulk-retry-bench.sh [N=20000] [ROUNDS=3]
#
# Build each with `swift build -c release --product vesper --scratch-path .build-release` in a
# worktree of its commit. Needs curl, python3 and sqlite3; listens on 127.0.0.1:18765 only.
set -e
N=${1:-20000}; ROUNDS=${2:-3}
D=${BENCH_DIR:-/tmp/vesper-bulk-bench}; mkdir -p $D
BASE=${BASE:?set BASE to the release binary before the change}
NEW=${NEW:?set NEW to the release binary after the change}
PORT=18765
start() { # binary db
  (cd $D && APP_ENV=production DB_PATH=$2 API_ADDR=127.0.0.1:$PORT HTTP_WRITE_TIMEOUT=20m LOG_LEVEL=warning exec $1 serve > $D/serve.log 2>&1) &
  PID=$!
  for i in $(seq 1 200); do curl -sf http://127.0.0.1:$PORT/health >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not start"; cat $D/serve.log; exit 1
}
stop() { kill $PID; wait $PID 2>/dev/null || true; }
if [ ! -f $D/seed-$N.db ]; then
  rm -f $D/seed.db*
  start $NEW seed.db
  python3 - $N $PORT <<'PY'
import json, sys, urllib.request
n, port = int(sys.argv[1]), sys.argv[2]
for start in range(0, n, 1000):
    jobs = [{"type": "mail", "queue": "q%d" % (i % 4), "payload": {"i": i}} for i in range(start, min(n, start + 1000))]
    req = urllib.request.Request(f"http://127.0.0.1:{port}/jobs/batch", data=json.dumps({"jobs": jobs}).encode(), headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req).read()
PY
  stop
  sqlite3 $D/seed.db "UPDATE jobs SET status='dlq', retries=1, error='outage', finished_at=created_at; PRAGMA wal_checkpoint(TRUNCATE);"
  mv $D/seed.db $D/seed-$N.db; rm -f $D/seed.db-*
fi
echo "N=$N load: $(uptime | sed 's/.*load/load/')"
for r in $(seq 1 $ROUNDS); do
  for which in base new; do
    BIN=$BASE; [ $which = new ] && BIN=$NEW
    rm -f $D/run.db*; cp $D/seed-$N.db $D/run.db
    start $BIN run.db
    T0=$(date +%s.%N)
    OUT=$(curl -s -X POST "http://127.0.0.1:$PORT/jobs/retry?status=dlq")
    T1=$(date +%s.%N)
    stop
    PENDING=$(sqlite3 $D/run.db "SELECT count(*) FROM jobs WHERE status='pending' AND retries=0")
    echo "round $r $which: $(python3 -c "print(f'{$T1-$T0:.2f} s, {$N/($T1-$T0):.0f} jobs/s')") answer $OUT pending-after $PENDING"
  done
done
echo "load after: $(uptime | sed 's/.*load/load/')"
