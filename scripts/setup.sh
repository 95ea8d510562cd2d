#!/usr/bin/env bash
# Installs everything skiff needs on a fresh Debian machine of this kind: Node dependencies
# (and the native SQLite binding), then the compiled JS. Idempotent; safe to run every time.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: scripts/apt-packages.txt (one per line, # comments), plus any given as arguments.
mapfile -t listed < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/apt-packages.txt 2>/dev/null)
need_apt=()
for pkg in "${listed[@]}" "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

stamp=node_modules/.skiff-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing node modules" >&2
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
node -e "require('better-sqlite3')" 2>/dev/null || npm rebuild better-sqlite3 --loglevel=error
if [ ! -f dist/cli/main.js ] || [ -n "$(find src -name '*.ts' -newer dist/cli/main.js -print -quit)" ]; then
  echo "setup: compiling" >&2
  npm run --silent build
fi
# The engine's process spawner (src/runtime/native), compiled once per version of its source.
node --import tsx -e "import('./src/runtime/native/native-binary.ts').then((m) => m.nativeBinary('skiff-spawner'))"
