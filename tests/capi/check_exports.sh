#!/bin/sh
# ABI gate for librapport.so.
#  1. every dynamic symbol it defines starts with rapport_;
#  2. with a baseline (rapport.symbols), no baseline symbol has disappeared (an ABI break within
#     the major version) and no new symbol is exported without being added to the baseline.
# Usage: check_exports.sh path/to/librapport.so [baseline]
set -eu
lib="$1"
baseline="${2:-}"
if [ ! -f "$lib" ]; then
  echo "check_exports: no such library: $lib" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u > "$tmp/exported"
status=0
if grep -v '^rapport_' "$tmp/exported" > "$tmp/bad"; then
  echo "check_exports: $lib exports symbols outside the rapport_ prefix:" >&2
  sed 's/^/  /' "$tmp/bad" >&2
  status=1
fi
count=$(grep -c '^rapport_' "$tmp/exported" || true)
if [ "$count" -eq 0 ]; then
  echo "check_exports: $lib exports no rapport_ symbol" >&2
  status=1
fi
if [ -n "$baseline" ]; then
  grep -v '^#' "$baseline" | grep -v '^$' | sort -u > "$tmp/baseline"
  comm -23 "$tmp/baseline" "$tmp/exported" > "$tmp/removed"
  comm -13 "$tmp/baseline" "$tmp/exported" > "$tmp/added"
  if [ -s "$tmp/removed" ]; then
    echo "check_exports: ABI break: symbols of the baseline are no longer exported:" >&2
    sed 's/^/  /' "$tmp/removed" >&2
    status=1
  fi
  if [ -s "$tmp/added" ]; then
    echo "check_exports: new exported symbols; append them to $baseline if intended:" >&2
    sed 's/^/  /' "$tmp/added" >&2
    status=1
  fi
fi
if [ "$status" -eq 0 ]; then
  echo "check_exports: $count symbols, all rapport_*${baseline:+, matching the baseline}"
fi
exit "$status"
