#!/usr/bin/env bash
# The layering rule: domain depends on nothing outward (no database, HTTP or CLI crates);
# store does not know about HTTP. A misnamed package makes `cargo tree` fail, failing this.
set -euo pipefail
deps=$(cargo tree -p convene-domain -e normal --prefix none)
for outer in sqlx axum tower tower-http askama lettre clap tokio convene-store convene-web; do
  if grep -q "^$outer " <<<"$deps"; then echo "convene-domain depends on $outer"; exit 1; fi
done
deps=$(cargo tree -p convene-store -e normal --prefix none)
for outer in axum tower-http askama lettre clap convene-web; do
  if grep -q "^$outer " <<<"$deps"; then echo "convene-store depends on $outer"; exit 1; fi
done
echo "Layers are in order."
