#!/bin/sh
# ABI gate: compares the built librapport against the committed baseline (capi/abi/) with abidiff.
# Added functions are allowed (reported); removed or changed ones fail. Needs debug info (-g).
# Usage: check_abi.sh BASELINE.abi LIBRARY HEADERS_DIR
set -u
baseline=$1 lib=$2 headers=$3
abidiff --headers-dir2 "$headers" --drop-private-types --no-show-locs "$baseline" "$lib"
rc=$?
if [ $((rc & 3)) -ne 0 ]; then
  echo "abi: abidiff failed to compare (exit $rc)"
  exit 1
fi
if [ $((rc & 8)) -ne 0 ]; then
  echo "abi: incompatible change against $baseline (exit $rc); see above"
  exit 1
fi
echo "abi: compatible with the baseline"
