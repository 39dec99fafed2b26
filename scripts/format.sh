#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The C (and the one C++) sources as the tree's .clang-format writes them (clang-format 14).
#   scripts/format.sh          fails, naming the files, when one differs
#   scripts/format.sh --fix    rewrites them
set -eu
cd "$(dirname "$0")/.."
cf=$(command -v clang-format-14 || true)
[ -n "$cf" ] || { echo "format: clang-format-14 is not installed (make deps)" >&2; exit 2; }
files=$(find include src cmd tools tests fuzz bench -name node_modules -prune -o \
    -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) -print | sort)
if [ "${1:-}" = --fix ]; then
    # shellcheck disable=SC2086
    "$cf" -i $files
    exit 0
fi
bad=""
for f in $files; do
    "$cf" --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
    echo "format: these files differ from .clang-format (scripts/format.sh --fix):" >&2
    for f in $bad; do echo "  $f" >&2; done
    exit 1
fi
echo "format: $(echo "$files" | wc -l) files as .clang-format writes them"
