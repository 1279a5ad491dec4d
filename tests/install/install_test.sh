#!/usr/bin/env bash
# Usage: install_test.sh BUILD_DIR SOURCE_DIR C_COMPILER GENERATOR
set -euo pipefail
build=$1 src=$2 cc=$3 gen=$4
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix/usr" > "$prefix/install.log"
test -f "$prefix/usr/include/rapport.h"
test -f "$prefix/usr/include/rapport/database.h"
libdir=$(dirname "$(find "$prefix/usr" -name 'librapport.so.1' | head -n1)")
test -n "$libdir"

echo "== find_package(Rapport)"
cmake -S "$src/consumer_cmake" -B "$prefix/consumer" -G "$gen" -DCMAKE_PREFIX_PATH="$prefix/usr" -DCMAKE_C_COMPILER="$cc" > "$prefix/cfg.log"
cmake --build "$prefix/consumer" > "$prefix/build.log"
LD_LIBRARY_PATH="$libdir" "$prefix/consumer/consumer"
"$prefix/consumer/consumer_cpp"

echo "== pkg-config rapport"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
"$cc" -std=c99 -pedantic -Wall -Werror -o "$prefix/consumer_pc" "$src/consumer.c" $(pkg-config --cflags --libs rapport)
LD_LIBRARY_PATH="$libdir" "$prefix/consumer_pc"
echo "install test: 3 passed, 0 failed"
