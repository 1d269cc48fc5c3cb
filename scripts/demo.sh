#!/usr/bin/env bash
# Sets up the machine and runs the demo site (sites/demo/site.toml): the room controller with one
# interview room (test-pattern camera, test-tone microphone, virtual recording light) and the
# room's door panel: a window when there is a display, otherwise a PNG redrawn every 2 s at
# var/demo/door-panel.png. Records and media go to var/demo/. Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked -p room-controller -p kiosk-app

api=http://127.0.0.1:7878
site=sites/demo/site.toml
mkdir -p var/demo

# Tokens for the demo's door panel and clerk, issued once per records file.
tokens=var/demo/tokens.env
if [ ! -f var/demo/liuhen.db ] || [ ! -f "$tokens" ]; then
  rm -f "$tokens"
  kiosk=$(./target/debug/room-controller token --site "$site" issue --name "demo door panel" --role kiosk)
  clerk=$(./target/debug/room-controller token --site "$site" issue --name "demo clerk" --role clerk --agency scjg)
  printf 'LIUHEN_KIOSK_TOKEN=%s\nLIUHEN_TOKEN=%s\n' "$kiosk" "$clerk" > "$tokens"
  chmod 600 "$tokens"
fi
# shellcheck source=/dev/null
. "$tokens"
./target/debug/room-controller serve --site "$site" &
controller=$!
trap 'kill -TERM $controller 2>/dev/null; wait $controller 2>/dev/null' EXIT

# Wait (up to 10 s) until the API accepts connections.
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/7878) 2>/dev/null && break
  sleep 0.2
done

cat <<MSG

  Liuhen demo site is running: API at $api
  Record a session (in another shell), as the demo clerk of 市市场监督管理局:
    export \$(grep LIUHEN_TOKEN= $tokens)
    ./target/debug/room-controller session start --room interview-1 --case "市监罚〔2026〕12号"
    ./target/debug/room-controller session stop <id>
  Media and records are in var/demo/. Ctrl-C here stops the site.

MSG

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  ./target/debug/kiosk-app --api "$api" --token "$LIUHEN_KIOSK_TOKEN" door --room interview-1
else
  echo "No display: drawing the door panel into var/demo/door-panel.png every 2 s."
  ./target/debug/kiosk-app --api "$api" --token "$LIUHEN_KIOSK_TOKEN" --png var/demo/door-panel.png --state-file var/demo/door-state.json door --room interview-1
fi
