#!/usr/bin/env bash
# Makes the virtualenv of the 360Giving check (scripts/open_data/check-360giving.py) at
# target/open_data/venv, or reuses it while requirements.txt and the Python are unchanged.
# Prints the virtualenv's python on stdout (its last line); progress goes to stderr.
#
# usage: bash scripts/open_data/setup.sh
# environment:
#   OPEN_DATA_VENV  where the virtualenv goes (default $CARGO_TARGET_DIR or target, then open_data/venv)
#   PYTHON          the Python (3.10 or later) that makes it (default python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=${OPEN_DATA_VENV:-${CARGO_TARGET_DIR:-$root/target}/open_data/venv}
python=${PYTHON:-python3}
req=scripts/open_data/requirements.txt
stamp="$venv/.requirements-stamp"

say() { printf '[open_data] %s\n' "$*" >&2; }

want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing the 360Giving check's Python tools into $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! "$python" -m venv "$venv" >&2; then
    # Debian's own Python keeps venv (ensurepip) in a separate package.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "python3 -m venv failed: installing Debian's python3-venv"
      rm -rf "$venv"
      apt-get install -y python3-venv >&2
      "$python" -m venv "$venv" >&2
    else
      say "FAIL: '$python -m venv' failed; on Debian: apt-get install -y python3-venv"
      exit 1
    fi
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
