#!/usr/bin/env bash
# Sets up the machine and runs the demo site (sites/demo/site.toml): the room controller with one
# interview room (test-pattern camera, test-tone microphone, virtual recording light) and a
# service hall of three windows, and every screen: the room's door panel, the hall board, the
# ticket kiosk, window 1's screen, its counter screen and the publicity kiosk. Each is a window when there is a
# display, otherwise a PNG redrawn every 2 s under var/demo/. Records and media go to var/demo/.
# Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked -p room-controller -p kiosk-app

api=http://127.0.0.1:7878
site=sites/demo/site.toml
mkdir -p var/demo var/demo/docks

# Tokens for the demo's screens, its clerk and its counter staff member, issued once per
# records file.
rc=./target/debug/room-controller
tokens=var/demo/tokens.env
if [ ! -f var/demo/liuhen.db ] || ! grep -qs LIUHEN_SUPERVISOR_TOKEN "$tokens"; then
  rm -f "$tokens"
  # Token names are unique; an older demo's tokens stay valid beside these.
  at=$(date +%s)
  kiosk=$($rc token --site "$site" issue --name "demo screens $at" --role kiosk)
  clerk=$($rc token --site "$site" issue --name "demo clerk $at" --role clerk --agency scjg)
  $rc staff --site "$site" add --id demo-staff --agency scjg --name 王芳 --credential 32010019001 \
    --role clerk --category 市场监管 >/dev/null 2>&1 || true
  counter=$($rc token --site "$site" issue --name "demo counter 1 $at" --staff demo-staff)
  # The desk's people: a legal reviewer, the agency head, and the justice bureau's supervisor.
  $rc staff --site "$site" add --id demo-reviewer --agency scjg --name 李审核 --credential 32010019002 \
    --role reviewer --category 法制审核 >/dev/null 2>&1 || true
  $rc staff --site "$site" add --id demo-head --agency scjg --name 赵局长 --credential 32010019003 \
    --role head --category 市场监管 >/dev/null 2>&1 || true
  reviewer=$($rc token --site "$site" issue --name "demo reviewer $at" --staff demo-reviewer)
  head=$($rc token --site "$site" issue --name "demo head $at" --staff demo-head)
  supervisor=$($rc token --site "$site" issue --name "demo supervisor $at" --role supervisor)
  printf 'LIUHEN_KIOSK_TOKEN=%s\nLIUHEN_TOKEN=%s\nLIUHEN_COUNTER_TOKEN=%s\nLIUHEN_REVIEWER_TOKEN=%s\nLIUHEN_HEAD_TOKEN=%s\nLIUHEN_SUPERVISOR_TOKEN=%s\n' \
    "$kiosk" "$clerk" "$counter" "$reviewer" "$head" "$supervisor" > "$tokens"
  chmod 600 "$tokens"
fi
# A body-worn camera issued to the demo staff member, for the collection station (once).
$rc device --site "$site" list | grep -q '^DEMO-ZFY001' ||
  $rc device --site "$site" add --serial DEMO-ZFY001 --model bodycam-gat947 --agency scjg \
    --issued-to demo-staff
# shellcheck source=/dev/null
. "$tokens"
$rc serve --site "$site" &
controller=$!
screens=()
trap 'kill -TERM "${screens[@]}" $controller 2>/dev/null; wait $controller 2>/dev/null' EXIT

# Wait (up to 10 s) until the API accepts connections.
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/7878) 2>/dev/null && break
  sleep 0.2
done

# Every screen of the site: with a display each in its window; without one each drawn into
# var/demo/<name>.png every 2 s (the hall board still speaks its calls).
show() {
  local name=$1 token=$2
  shift 2
  # Each screen reads its token from a file of its own (on the command line it shows in `ps`).
  (umask 077 && printf '%s' "$token" > "var/demo/$name.token")
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    ./target/debug/kiosk-app --api "$api" --token-file "var/demo/$name.token" \
      --state-file "var/demo/$name.json" "$@" &
  else
    ./target/debug/kiosk-app --api "$api" --token-file "var/demo/$name.token" \
      --state-file "var/demo/$name.json" --png "var/demo/$name.png" "$@" &
  fi
  screens+=($!)
}
show door-panel "$LIUHEN_KIOSK_TOKEN" door --room interview-1
show hall-board "$LIUHEN_KIOSK_TOKEN" --size 1920x1080 hall-board
show ticket-kiosk "$LIUHEN_KIOSK_TOKEN" --size 1920x1080 ticket
show window-1 "$LIUHEN_KIOSK_TOKEN" --size 800x480 window --window w1
show counter-1 "$LIUHEN_COUNTER_TOKEN" --size 800x480 counter --window w1
show publicity "$LIUHEN_KIOSK_TOKEN" --size 1920x1080 publicity --agency scjg
show collect "$LIUHEN_KIOSK_TOKEN" --size 1920x1080 collect

cat <<MSG

  Liuhen demo site is running: API at $api
  Screens: door panel, hall board, ticket kiosk, window 1, its counter screen, publicity kiosk,
  collection station
  $( [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && echo "(windows)" || echo "(drawn into var/demo/*.png every 2 s)").
  Record a session (in another shell), as the demo clerk of 市市场监督管理局:
    export \$(grep LIUHEN_TOKEN= $tokens)
    ./target/debug/room-controller session start --room interview-1 --case "市监罚〔2026〕12号"
    ./target/debug/room-controller session stop <id>
  Take a number and call it (the kiosk and counter screens do the same on touch):
    . $tokens
    curl -H "Authorization: Bearer \$LIUHEN_KIOSK_TOKEN" -d '{"service_id":"licence"}' \\
      -H 'content-type: application/json' $api/api/hall/tickets
    curl -H "Authorization: Bearer \$LIUHEN_COUNTER_TOKEN" -d '{"action":"sign_in"}' \\
      -H 'content-type: application/json' $api/api/hall/windows/w1
    curl -H "Authorization: Bearer \$LIUHEN_COUNTER_TOKEN" -d '{"action":"call_next"}' \\
      -H 'content-type: application/json' $api/api/hall/windows/w1
  Record a decision and publish it (the publicity kiosk and the hall board then show it, masked):
    curl -X PUT -H "Authorization: Bearer \$LIUHEN_TOKEN" -H 'content-type: application/json' \\
      -d '{"action_type":"penalty","party":"张三"}' "$api/api/cases/市监罚〔2026〕12号"
    curl -H "Authorization: Bearer \$LIUHEN_TOKEN" -H 'content-type: application/json' \\
      -d '{"document_number":"市监罚决〔2026〕12号","conclusion":"警告","decided_on":"2026-11-20"}' \\
      "$api/api/cases/市监罚〔2026〕12号/decision"
    curl -H "Authorization: Bearer \$LIUHEN_TOKEN" -H 'content-type: application/json' \\
      -d '{"action":"publish"}' "$api/api/cases/市监罚〔2026〕12号/publication"
  The public website (publicity, case lookup; no token): http://127.0.0.1:8080/
  The desk (legal review, approval, playback, supervision) in a browser: $api/desk
    sign in with LIUHEN_REVIEWER_TOKEN, LIUHEN_HEAD_TOKEN or LIUHEN_SUPERVISOR_TOKEN from $tokens
  Static publicity pages: ./target/debug/room-controller publicity --site $site --out var/demo/pages
  Dock the demo body-worn camera (a folder standing for the mounted camera; real ones are
  mounted by deploy/99-liuhen-bodycam.rules), then read what was collected:
    mkdir -p var/demo/camera/VIDEO var/demo/camera/PHOTO && echo "\$(date '+%F %T')" > var/demo/camera/TIME.TXT
    gst-launch-1.0 -q videotestsrc num-buffers=100 ! x264enc ! mp4mux ! \
      filesink location=var/demo/camera/VIDEO/DEMO-ZFY001_001_\$(date +%Y%m%d%H%M%S)_0001.MP4
    mv var/demo/camera var/demo/docks/DEMO-ZFY001
    curl -H "Authorization: Bearer \$LIUHEN_TOKEN" $api/api/footage
  Media and records are in var/demo/. Ctrl-C here stops the site.

MSG
wait $controller
