#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every symbol libsteward exports is steward's: named sw_... (everything
# else is static). An instrumented build (ASan) adds one __odr_asan.NAME
# indicator per exported global; NAME is what is checked. The shared
# library shows the same names and its version node (src/libsteward.map).
# The one C++ file (src/traffic/ndjson_simd.cpp) carries weak copies of
# simdjson's inline functions (W, mangled _Z...): simdjson's, not
# steward's, and the shared library keeps them local.
# Usage: scripts/symbols.sh BUILD_DIR
set -eu
build=${1:?usage: $0 BUILD_DIR}
lib=$build/libsteward.a
so=$build/libsteward.so
for f in "$lib" "$so"; do
    [ -f "$f" ] || { echo "symbols: $f is missing (build first)" >&2; exit 2; }
done
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 && !($2 == "W" && $3 ~ /^_Z/) { n = $3; sub(/^__odr_asan\./, "", n); if (n !~ /^sw_/) print $3 }' | sort -u)
if [ -n "$bad" ]; then
    echo "symbols: libsteward exports names without the sw_ prefix:" >&2
    echo "$bad" | sed 's/^/  /' >&2
    exit 1
fi
bad=$(nm -D --defined-only "$so" | awk 'NF == 3 && $3 != "STEWARD_0" && $3 !~ /^sw_/ { print $3 }' | sort -u)
if [ -n "$bad" ]; then
    echo "symbols: libsteward.so shows names without the sw_ prefix:" >&2
    echo "$bad" | sed 's/^/  /' >&2
    exit 1
fi
echo "symbols: $(nm -g --defined-only "$lib" | awk 'NF == 3 && $3 ~ /^sw_/' | wc -l) exported, every one sw_ (and $(nm -g --defined-only "$lib" | awk 'NF == 3 && $2 == "W" && $3 ~ /^_Z/' | wc -l) of simdjson's inline functions); libsteward.so: $(nm -D --defined-only "$so" | grep -c ' sw_')"
