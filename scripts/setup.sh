#!/usr/bin/env bash
# Installs every Debian package Liuhen needs to build, run and test. Idempotent: when all the
# packages are present it installs nothing. Runs apt-get as root (through sudo when not root).
set -euo pipefail

packages=(
  # build
  pkg-config build-essential
  # GStreamer 1.22: libraries for the gstreamer crates, and the elements the pipelines use
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools gstreamer1.0-plugins-base-apps
  # the RTSP server library, for the loopback IP camera the tests record from
  libgstrtspserver-1.0-dev
  # textoverlay and clockoverlay (Pango) for the composite view's caption and clock
  gstreamer1.0-x
  # Slint: fonts and keyboard for the kiosk; CJK glyphs; a virtual display for window tests
  libfontconfig-dev libxkbcommon-dev fonts-noto-cjk xvfb
  # the hall board's Mandarin call announcements, made on the machine with no network
  espeak-ng
  # the desk's pages are tested in a real headless Chromium; the opinion's PDF is read back
  chromium chromium-driver poppler-utils
  # the site's own CA and the API's HTTPS certificate (scripts/make-site-cert.sh)
  openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The OpenAPI validator the tests check the API's description with (a client must be
# generatable from it), in a virtual environment of the project's own under target/.
tools="$(cd "$(dirname "$0")/.." && pwd)/target/tools"
validator_version="0.7.2"
installed="$("$tools/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))' 2>/dev/null || true)"
if [ "$installed" != "$validator_version" ]; then
  echo "setup: installing openapi-spec-validator $validator_version into $tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q "openapi-spec-validator==$validator_version"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing. Install Rust 1.95 or newer (rustup) and run this again." >&2
  exit 1
fi
