#!/bin/sh
# ABI gate: every dynamic symbol librapport.so defines must start with rapport_.
# Usage: check_exports.sh path/to/librapport.so
set -eu
lib="$1"
if [ ! -f "$lib" ]; then
  echo "check_exports: no such library: $lib" >&2
  exit 2
fi
symbols=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//')
count=$(printf '%s\n' "$symbols" | grep -c '^rapport_' || true)
bad=$(printf '%s\n' "$symbols" | grep -v '^rapport_' | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "check_exports: $lib exports symbols outside the rapport_ prefix:" >&2
  printf '%s\n' "$bad" | sed 's/^/  /' >&2
  exit 1
fi
if [ "$count" -eq 0 ]; then
  echo "check_exports: $lib exports no rapport_ symbol" >&2
  exit 1
fi
echo "check_exports: $count symbols, all rapport_*"
