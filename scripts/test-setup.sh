#!/usr/bin/env bash
# Installs what `swift test` needs beyond the Swift toolchain, if it is missing:
# PostgreSQL server binaries (the tests start a throwaway server themselves), the SQLite library,
# promtool (Debian's prometheus package) to validate the /metrics output, headless Chromium with
# its WebDriver plus Python's selenium for the dashboard's browser test, PyYAML for
# scripts/openapi-json.py, and Schemathesis (in a virtualenv) to fuzz the API against openapi.yaml.
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
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)        # scripts/openapi-json.py
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)  # Schemathesis's virtualenv

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

# Schemathesis (PyPI) fuzzes a real node against openapi.yaml (Tests/EndToEndTests/SchemathesisTests.swift).
# It lives in its own virtualenv under the user's cache, so the system Python stays as it is; the
# test is skipped, saying why, only when this install was impossible.
venv="${XDG_CACHE_HOME:-$HOME/.cache}/vesper-schemathesis"
if ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
    echo "test-setup: installing schemathesis (pip) into $venv"
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'schemathesis>=4.32,<5'; }; then
        echo "test-setup: could not install schemathesis; the Schemathesis test will be skipped" >&2
        rm -rf "$venv"
    fi
fi
