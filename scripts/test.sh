#!/usr/bin/env bash
# Runs every test: unit tests, store tests and HTTP tests on SQLite and PostgreSQL, the
# browser tests in headless Chromium with axe-core, the HTML validity checks, then the API
# contract against the demo (scripts/contract.sh, on the binary the tests just built).
# Needs PostgreSQL on 127.0.0.1:5432 (or CONVENE_TEST_POSTGRES_URL), Chromium and
# chromedriver, Java and `npm ci` done: `.ci/run` installs all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/axe-core ] || npm ci --no-audit --no-fund --ignore-scripts
bash scripts/open_data/setup.sh >/dev/null
cargo test --workspace --all-targets "$@"
bash scripts/contract.sh "${CARGO_TARGET_DIR:-target}/debug/convene"
