#!/usr/bin/env bash
# Sets up the machine (Debian packages) and runs Liuhen's whole test suite: unit tests of every
# crate and the end-to-end tests in tests/, which run the real controller, GStreamer pipelines,
# SQLite, a pseudo-terminal light and the kiosk's renderer together.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --workspace --locked "$@"
