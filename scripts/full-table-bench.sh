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
set -euo pipefail
VESPER=$(realpath "${1:?path to the vesper binary}")
COUNT=${2:-1000000}
rows=(
    "burst --jobs 2000 --concurrency 1"
    "drain --jobs 100000 --workers 16"
)
if [ -n "${ROWS:-}" ]; then IFS=';' read -r -a rows <<<"$ROWS"; fi
if [ -n "${BEFORE:-}" ]; then bash -c "$BEFORE"; fi
start=$(date +%s)
"$VESPER" bench drain --jobs "$COUNT" --workers 16 --batch 5000 --store postgres --json --no-progress >/dev/null
echo "prefill: $COUNT jobs done in $(($(date +%s) - start)) s" >&2
if [ "${VACUUM:-1}" = 1 ]; then
    start=$(date +%s)
    psql -q -h "${DB_HOST:-localhost}" -p "${DB_PORT:-5432}" -U "${DB_USER:-postgres}" "${DB_NAME:-vesper}" \
        -c "VACUUM (ANALYZE) jobs" -c "VACUUM (ANALYZE) finished_jobs"
    echo "vacuum: $(($(date +%s) - start)) s" >&2
fi
sleep "${SETTLE:-0}"
for row in "${rows[@]}"; do
    # shellcheck disable=SC2086
    echo "$row|$(cut -d' ' -f1 /proc/loadavg)|$("$VESPER" bench $row --store postgres --json --no-progress)"
done
