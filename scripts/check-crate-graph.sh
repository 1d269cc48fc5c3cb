#!/usr/bin/env bash
# Checks the rules of the crate graph (docs/ARCHITECTURE.md) that Cargo can show: the kiosk and
# the pipelines never link SQLite, and the API contract (site-api) links neither SQLite,
# GStreamer nor Slint.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
must_not_link() {
  local crate="$1" dependency="$2"
  local found
  found="$(cargo tree --locked -p "$crate" -i "$dependency" 2>/dev/null || true)"
  if [ -n "$found" ]; then
    echo "crate graph: $crate links $dependency, which it must not:" >&2
    echo "$found" >&2
    fail=1
  fi
}

# The check itself works: the records do link SQLite.
if [ -z "$(cargo tree --locked -p records -i rusqlite 2>/dev/null || true)" ]; then
  echo "crate graph: cargo tree shows no SQLite under records; the check cannot be trusted" >&2
  exit 1
fi

must_not_link kiosk-app rusqlite
must_not_link pipelines rusqlite
must_not_link hardware-profiles rusqlite
must_not_link evidence rusqlite
for dependency in rusqlite gstreamer slint; do
  must_not_link site-api "$dependency"
done
must_not_link evidence gstreamer
must_not_link records gstreamer

if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "crate graph: kiosk-app, pipelines, hardware-profiles and evidence link no SQLite; site-api links no SQLite, GStreamer or Slint"
