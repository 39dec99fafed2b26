#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every symbol libsteward exports is steward's: named sw_... (everything
# else is static). An instrumented build (ASan) adds one __odr_asan.NAME
# indicator per exported global; NAME is what is checked.
# Usage: scripts/symbols.sh BUILD_DIR
set -eu
lib=${1:?usage: $0 BUILD_DIR}/libsteward.a
[ -f "$lib" ] || { echo "symbols: $lib is missing (build first)" >&2; exit 2; }
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 { n = $3; sub(/^__odr_asan\./, "", n); if (n !~ /^sw_/) print $3 }' | sort -u)
if [ -n "$bad" ]; then
    echo "symbols: libsteward exports names without the sw_ prefix:" >&2
    echo "$bad" | sed 's/^/  /' >&2
    exit 1
fi
echo "symbols: $(nm -g --defined-only "$lib" | awk 'NF == 3 && $3 !~ /^__odr_asan\./' | wc -l) exported, every one sw_"
