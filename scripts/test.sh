#!/usr/bin/env bash
# The one command that runs every check: typecheck, lint, unit tests, end-to-end tests.
#   scripts/test.sh        everything
#   scripts/test.sh unit   unit tests only (src/**/*.test.ts)
#   scripts/test.sh e2e    end-to-end tests only (test/e2e/**/*.test.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
what=${1:-all}
if [ "$what" = all ]; then
  echo "== typecheck"; npm run --silent typecheck
  echo "== lint"; npm run --silent lint
fi
unit=$(find src -name '*.test.ts' | sort)
e2e=$(find test/e2e -name '*.test.ts' 2>/dev/null | sort)
case "$what" in
  unit) files=$unit ;;
  e2e) files=$e2e ;;
  *) files="$unit $e2e" ;;
esac
echo "== tests"
# Node 20's test runner does not expand globs: the file list is explicit.
# shellcheck disable=SC2086
exec node --import tsx --test --test-reporter=spec --test-timeout=300000 $files
