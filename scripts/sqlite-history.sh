#!/usr/bin/env bash
# A SQLite database holding COUNT finished (`done`) jobs, built in SQL in a minute or two instead
# of working them through a node (`bench --prefill-done`), for the full-table rows at ten million:
#
#   scripts/sqlite-history.sh path/to/vesper /tmp/history.db 10000000
#
# The schema comes from `vesper migrate`; the jobs finished over the last hour, with version-4
# UUIDs as ids.
set -euo pipefail
VESPER=$(realpath "${1:?path to the vesper binary}")
FILE=${2:?database file}
COUNT=${3:-10000000}
rm -f "$FILE" "$FILE-wal" "$FILE-shm"
DB_PATH="$FILE" "$VESPER" migrate >/dev/null
now=$(($(date +%s) * 1000000))
hour=3600000000
sqlite3 "$FILE" "PRAGMA journal_mode = WAL;" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $COUNT),
    h(i, x, t) AS (SELECT i, lower(hex(randomblob(16))), $now - $hour + i * $hour / $COUNT FROM n)
INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at, updated_at,
    started_at, finished_at, attempt, timeout_ms, fingerprint)
SELECT substr(x, 1, 8) || '-' || substr(x, 9, 4) || '-4' || substr(x, 14, 3) || '-a' || substr(x, 18, 3) || '-' || substr(x, 21, 12),
    'demo.noop', 'default', i % 4, '{\"n\":' || i || '}', 'done', 3, t, t, t, t, t, 1, 300000, '' FROM h;" \
    "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "$FILE: $COUNT done jobs, $(du -h "$FILE" | cut -f1)"
