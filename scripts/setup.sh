#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine: the system
# packages (Debian's Chromium for browser tests and the demo, a Secret Service
# for keyring tests, tmux for terminal tests, w3m for the no-JavaScript sign-in
# tests) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium gnome-keyring dbus dbus-x11 libsecret-tools tmux w3m)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
