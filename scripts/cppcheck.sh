#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cppcheck over the library and the commands, with zero findings allowed
# (a finding that is wrong is suppressed where it stands, with why).
# Usage: scripts/cppcheck.sh
set -eu
cd "$(dirname "$0")/.."
command -v cppcheck >/dev/null || { echo "cppcheck: not installed (make deps)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
    --inline-suppr --error-exitcode=1 -j 2 \
    --suppress=missingIncludeSystem \
    --library=scripts/cppcheck-jansson.cfg \
    -I include -I src -I cmd/common -I cmd/steward -I cmd/stewardd \
    src cmd tools 2>"$out" || true
if [ -s "$out" ]; then
    cat "$out" >&2
    echo "cppcheck: $(grep -c '^[^ ].*\]$' "$out") finding(s)" >&2
    exit 1
fi
echo "cppcheck: src, cmd and tools, no findings"
