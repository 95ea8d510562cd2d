#!/usr/bin/env bash
# Bring up a single-node skiff cluster on this machine: install what is missing, then run the
# control plane, scheduler and node agent in the foreground (Ctrl-C stops it). It prints the
# kubeconfig path and a ready-to-paste kubectl line.
#   scripts/up.sh [--data-dir DIR] [--listen ADDR:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
data_dir="${SKIFF_DATA_DIR:-$PWD/.skiff}"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
exec node bin/skiff.js up --data-dir "$data_dir" "${args[@]}"
