#!/usr/bin/env bash
# PostgreSQL's "cost as the table grows" rows on a table that already holds N finished jobs,
# settled as a table that filled over days would be: a first bench run works N jobs off (they
# stay `done`, as retention keeps them), then a VACUUM (ANALYZE), as autovacuum would have run
# long before a week of history piled up, and only then are the rows measured on the same
# database.
#
# `bench --prefill-done N` measures right after the N jobs passed through instead, before
# autovacuum has visited: the claim index still holds their dead entries then. On SQLite the two
# are the same (its UPDATE leaves no dead index entries), so use `--prefill-done` there.
#
#   DB_HOST=/tmp/pg DB_USER=postgres DB_NAME=vbench \
#   BEFORE='dropdb -h /tmp/pg -U postgres --if-exists vbench && createdb -h /tmp/pg -U postgres vbench' \
#   scripts/full-table-bench.sh path/to/vesper 1000000
#
# Prints one line per row: the row, the load average, its JSON report. VACUUM=0 skips the VACUUM;
# SETTLE=S then waits S seconds instead, for autovacuum to visit on its own.
#
# PREFILL=copy builds the history in SQL instead, for ten million rows and more (the bench would
# take hours): a bench run works 1,000 jobs off, and their `finished_jobs` rows are copied with
# new ids until COUNT rows are there, numbered below the sequence so that later jobs are newer.
set -euo pipefail
VESPER=$(realpath "${1:?path to the vesper binary}")
COUNT=${2:-1000000}
rows=(
    "burst --jobs 2000 --concurrency 1"
    "drain --jobs 100000 --workers 16"
)
if [ -n "${ROWS:-}" ]; then IFS=';' read -r -a rows <<<"$ROWS"; fi
if [ -n "${BEFORE:-}" ]; then bash -c "$BEFORE"; fi
psql_() { psql -q -h "${DB_HOST:-localhost}" -p "${DB_PORT:-5432}" -U "${DB_USER:-postgres}" "${DB_NAME:-vesper}" "$@"; }
start=$(date +%s)
if [ "${PREFILL:-bench}" = copy ]; then
    "$VESPER" bench drain --jobs 1000 --store postgres --json --no-progress >/dev/null
    copies=$(((COUNT + 999) / 1000 - 1))
    # Each copy g of a row gets seq + g * 10^8: below the sequence once it is moved past them all.
    psql_ -c "INSERT INTO finished_jobs SELECT (jsonb_populate_record(f, jsonb_build_object('id', gen_random_uuid(),
        'seq', f.seq + g::bigint * 100000000))).* FROM finished_jobs f, generate_series(1, $copies) g" \
        -c "SELECT setval(pg_get_serial_sequence('jobs', 'seq'), (SELECT max(seq) FROM finished_jobs))" >/dev/null
else
    "$VESPER" bench drain --jobs "$COUNT" --workers 16 --batch 5000 --store postgres --json --no-progress >/dev/null
fi
echo "prefill: $COUNT jobs done in $(($(date +%s) - start)) s" >&2
if [ "${VACUUM:-1}" = 1 ]; then
    start=$(date +%s)
    psql_ -c "VACUUM (ANALYZE) jobs" -c "VACUUM (ANALYZE) finished_jobs" -c "CHECKPOINT"
    echo "vacuum and checkpoint: $(($(date +%s) - start)) s" >&2
fi
sleep "${SETTLE:-0}"
for row in "${rows[@]}"; do
    # shellcheck disable=SC2086
    echo "$row|$(cut -d' ' -f1 /proc/loadavg)|$("$VESPER" bench $row --store postgres --json --no-progress)"
done
