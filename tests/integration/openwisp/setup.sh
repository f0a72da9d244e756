#!/usr/bin/env bash
# Make (idempotently) the real openwisp-controller 1.3.2 the integration tests talk to.
#
#   setup.sh           install what is missing, migrate, seed
#   setup.sh --reset   the same from an empty database (the tests change the data)
#
#   NOC_TUI_OPENWISP_STATE  database, tokens, logs, pid (default ~/.cache/noc-tui/openwisp-peer)
#   NOC_TUI_OPENWISP_VENV   the controller's venv (default ~/.cache/noc-tui/openwisp-venv)
#
# Steps: Debian packages (SpatiaLite, GDAL, python3-venv; apt-get when missing), a venv from
# Debian's python3 (its sqlite3 loads extensions, which GeoDjango needs), the pinned
# requirements.txt from PyPI, `migrate`, seed.py. Exit 77 means a prerequisite is missing
# (no apt-get or root for the packages, no network to Debian or PyPI): the tests skip then;
# any other failure is a failure.
set -euo pipefail

RECIPE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${NOC_TUI_OPENWISP_STATE:-$HOME/.cache/noc-tui/openwisp-peer}"
VENV="${NOC_TUI_OPENWISP_VENV:-$HOME/.cache/noc-tui/openwisp-venv}"
DEBS=(libsqlite3-mod-spatialite gdal-bin python3-venv)
T0=$SECONDS

say() { echo "[openwisp setup $((SECONDS - T0))s] $*"; }
missing() { echo "missing prerequisite: $*" >&2; exit 77; }

if [[ "${1:-}" == "--reset" ]]; then
    if [[ -f "$STATE/server.pid" ]] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null; then
        echo "the controller is running (pid $(cat "$STATE/server.pid")): stop it first" >&2
        exit 1
    fi
    say "reset: empty database in $STATE"
    rm -f "$STATE/openwisp.sqlite3" "$STATE"/*.token
fi
mkdir -p "$STATE"

# --- Debian packages ----------------------------------------------------------------------
absent=()
for deb in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || absent+=("$deb")
done
if (( ${#absent[@]} )); then
    command -v apt-get >/dev/null || missing "Debian packages ${absent[*]} and no apt-get to install them"
    as_root=()
    if (( $(id -u) != 0 )); then
        sudo -n true 2>/dev/null || missing "Debian packages ${absent[*]}; apt-get needs root (no passwordless sudo)"
        as_root=(sudo -n)
    fi
    say "apt-get install ${absent[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${absent[@]}" >/dev/null 2>&1; then
        "${as_root[@]}" apt-get update -q >/dev/null 2>&1 \
            || missing "Debian packages ${absent[*]}; apt-get update failed (no network to the Debian mirror?)"
        "${as_root[@]}" apt-get install -y -q --no-install-recommends "${absent[@]}" >/dev/null
    fi
else
    say "Debian packages present"
fi

# --- the venv ---------------------------------------------------------------------------
loads_extensions() {
    "$1" -c 'import sqlite3; sqlite3.connect(":memory:").enable_load_extension(True)' 2>/dev/null
}
if [[ -x "$VENV/bin/python" ]] && ! loads_extensions "$VENV/bin/python"; then
    say "$VENV's sqlite3 cannot load extensions: making it again"
    rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    loads_extensions /usr/bin/python3 || missing "/usr/bin/python3 whose sqlite3 can load extensions (Debian's python3)"
    say "venv $VENV from /usr/bin/python3"
    mkdir -p "$(dirname "$VENV")"
    /usr/bin/python3 -m venv "$VENV"
fi
# The venv records which requirements it holds: a changed pin reinstalls, an unchanged one is free.
wanted="$(sha256sum "$RECIPE/requirements.txt" | cut -d' ' -f1)"
if [[ "$(cat "$VENV/.requirements" 2>/dev/null)" == "$wanted" ]]; then
    say "openwisp-controller 1.3.2 already installed"
else
    say "pip install openwisp-controller 1.3.2 and its pinned dependencies"
    if ! "$VENV/bin/python" -m pip install -q -r "$RECIPE/requirements.txt"; then
        probe="$(mktemp -d)"
        trap 'rm -rf "$probe"' EXIT
        "$VENV/bin/python" -m pip download -q --no-deps -d "$probe" openwisp-controller==1.3.2 >/dev/null 2>&1 \
            || missing "openwisp-controller 1.3.2 from PyPI (no network to the package index?)"
        echo "pip install failed with the index reachable" >&2
        exit 1
    fi
    echo "$wanted" >"$VENV/.requirements"
fi

# --- database and seed ------------------------------------------------------------------
export OPENWISP_STATE_DIR="$STATE"
cd "$RECIPE"
say "migrate"
"$VENV/bin/python" -m django migrate --noinput -v 0 --settings=owpeer.settings --pythonpath="$RECIPE"
say "seed"
"$VENV/bin/python" seed.py
say "ready: state in $STATE"
