#!/usr/bin/env bash
# The layering rule: domain depends on nothing outward (no database, HTTP or CLI crates);
# store and the use cases (app) do not know about HTTP (app renders its mail with askama);
# nothing in the web crate but the pages and the router imports a page module. A misnamed package makes `cargo tree` fail, failing this.
set -euo pipefail
deps=$(cargo tree -p convene-domain -e normal --prefix none)
for outer in sqlx axum tower tower-http askama lettre clap tokio convene-store convene-web; do
  if grep -q "^$outer " <<<"$deps"; then echo "convene-domain depends on $outer"; exit 1; fi
done
# The use cases may use askama for mail content (crates/app/templates/mail/), never an
# HTTP crate or the web crate's askama_web.
deps=$(cargo tree -p convene-app -e normal --prefix none)
for outer in axum tower tower-http hyper askama_web lettre clap convene-web; do
  if grep -q "^$outer " <<<"$deps"; then echo "convene-app depends on $outer"; exit 1; fi
done
deps=$(cargo tree -p convene-store -e normal --prefix none)
for outer in axum tower-http askama lettre clap convene-web; do
  if grep -q "^$outer " <<<"$deps"; then echo "convene-store depends on $outer"; exit 1; fi
done
# Pages and the API reach the store only through the use cases: the web crate does not
# depend on convene-store (its tests may, as a dev-dependency), names no store item, and
# neither touches the store handle nor opens a change itself.
direct=$(cargo tree -p convene-web -e normal --depth 1 --prefix none)
if grep -q "^convene-store " <<<"$direct"; then
  echo "convene-web depends on convene-store directly (call convene-app instead)"
  exit 1
fi
reach=$(grep -rnE 'convene_store|\bstate\.db\b|\.app\.db\b|\bstate\.begin\(|\bwork\.tx\(\)' crates/web/src --include='*.rs' || true)
if [ -n "$reach" ]; then
  echo "The web crate reaches the store or opens a change itself (call a convene-app use case):"
  echo "$reach"
  exit 1
fi
# Pages are the outermost room of the web crate: the API and every shared module call
# shared services, never a page module. Only the pages themselves and `server.rs` (which
# assembles the routes) may name `pages`.
web_src=crates/web/src
importers=$(grep -rlE '(crate|super)::pages\b|\bpages::' "$web_src" --include='*.rs' \
  | grep -vE "^$web_src/(pages/|server\.rs$|lib\.rs$)" || true)
if [ -n "$importers" ]; then
  echo "These modules import a page module (move what they share out of pages/):"
  echo "$importers"
  exit 1
fi
# Changes go through the use cases' unit of work (`convene_app::Work`: begin, change, typed
# audit entry, commit, mail wake-up, cache clearing), never a raw transaction, hand-written
# audit row or outbox insert in the web crate.
raw=$(grep -rnE '\bdb\.begin\(\)|convene_store::Tx\b|\baudit::(log|record)\(|outbox::enqueue\(|mail_wake\.notify' "$web_src" --include='*.rs' || true)
if [ -n "$raw" ]; then
  echo "The web crate changes the store by hand (use convene_app::Work):"
  echo "$raw"
  exit 1
fi
echo "Layers are in order."
