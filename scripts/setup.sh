#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine: the system
# packages (Debian's Chromium for browser tests and the demo, a Secret Service
# for keyring tests, tmux for terminal tests, w3m for the no-JavaScript sign-in
# tests, bubblewrap for agents with `isolate: true`, zsh, fish and bash-completion for the shell completion tests,
# redis-server and postgresql for the Redis and Postgres token stores' tests, which start their own servers on 127.0.0.1 with temporary data directories) and the npm dependencies; builds the CLI and puts `opperator` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium gnome-keyring dbus dbus-x11 libsecret-tools tmux w3m bubblewrap zsh fish bash-completion redis-server postgresql)
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

# `opperator` on PATH, so the commands it prints run as printed: this
# checkout's CLI linked into npm's global bin (npm link), else into
# ~/.local/bin when the global prefix is not writable without sudo.
if npm link -w @opperator/cli --no-audit --no-fund >/dev/null 2>&1; then
  echo "setup: opperator is on PATH: $(npm prefix -g)/bin/opperator -> this checkout"
else
  mkdir -p "$HOME/.local/bin"
  ln -sf "$PWD/packages/cli/bin/opperator.js" "$HOME/.local/bin/opperator"
  case ":$PATH:" in
    *":$HOME/.local/bin:"*) echo "setup: opperator is on PATH: $HOME/.local/bin/opperator -> this checkout" ;;
    *) echo "setup: linked $HOME/.local/bin/opperator; add that folder to PATH (export PATH=\"\$HOME/.local/bin:\$PATH\"), or run npx opperator here" ;;
  esac
fi
