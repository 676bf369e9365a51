#!/usr/bin/env bash
# Installs what `swift test` needs beyond the Swift toolchain, if it is missing:
# PostgreSQL server binaries (the tests start a throwaway server themselves), the SQLite library,
# promtool (Debian's prometheus package) to validate the /metrics output, and headless Chromium with
# its WebDriver plus Python's selenium for the dashboard's browser test.
set -euo pipefail

have_postgres() {
    command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}

missing=()
have_postgres || missing+=(postgresql)
[ -e /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)   # promtool validates /metrics
command -v chromium >/dev/null 2>&1 || missing+=(chromium)      # the dashboard's browser test
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test-setup: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "test-setup: missing ${missing[*]}; install them (e.g. sudo apt-get install ${missing[*]})" >&2
        exit 1
    fi
fi

# selenium drives Chromium over WebDriver (Tests/Browser/), in the python3 on PATH.
if ! python3 -c 'import selenium' >/dev/null 2>&1; then
    if ! python3 -m pip --version >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    fi
    echo "test-setup: installing selenium (pip)"
    # Debian's own python3 refuses pip installs outside a virtualenv (PEP 668) unless told otherwise.
    python3 -m pip install -q selenium || python3 -m pip install -q --break-system-packages selenium \
        || { echo "test-setup: pip install selenium failed" >&2; exit 1; }
fi
