#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The scanner against ripgrep (Debian's ripgrep) over the same file of
# SIZE MiB (bench_scan.c says what is in it): steward finds and validates
# every type in one pass; rg counts the lines matching equivalent
# patterns, validating nothing. The ratio is rg's time over steward's
# (above 1: steward is faster).
#   bench/bench_scan.sh BUILD_DIR [SIZE_MIB]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
SIZE=${2:-1024}
command -v rg >/dev/null || { echo "bench_scan: rg is missing (scripts/deps.sh bench)" >&2; exit 1; }
F=${TMPDIR:-/tmp}/steward-bench-scan-$SIZE.txt
P=$(mktemp)
trap 'rm -f "$P"' EXIT INT TERM
out=$("$BUILD/bench/bench_scan" "$F" "$SIZE")
set -- $out
secs=$1 bytes=$2 found=$3
cat >"$P" <<'PAT'
[A-Za-z0-9._%+\-]@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}\b
\+[1-9][0-9 ().\-/]{5,24}[0-9]\b
(?:\(0?[1-9][0-9]{0,3}\)|\b[0-9]{2,5})(?:[ .\-/][0-9]{2,8}){1,4}\b
\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b
\b[0-9](?:[ \-]?[0-9]){10,18}\b
\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b
[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]{0,32}[0-9A-Fa-f]\b
\b[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}\b
\b[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b
\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b
(?i:born|birth|dob|birthday|rođen)[^\n]{0,24}[0-9]{1,2}[./\-][0-9]{1,2}[./\-][0-9]{2,4}\b
(?:name is|zovem se|ime mi je)[ \t]+[A-ZČĆĐŠŽ][a-zčćđšž]+(?: [A-ZČĆĐŠŽ][a-zčćđšž]+){0,2}
PAT
t0=$(date +%s.%N)
rg -c -j1 -f "$P" "$F" >/dev/null || true
t1=$(date +%s.%N)
matches=$(rg -c -j1 -f "$P" "$F" || echo 0)
python3 - "$secs" "$bytes" "$found" "$t0" "$t1" "$matches" <<'PY'
import sys
secs, size, found = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rg = float(sys.argv[5]) - float(sys.argv[4])
print(f"scan     steward: {size / 2**30:.2f} GiB in {secs:.2f} s = {size / secs / 1e9:.2f} GB/s, "
      f"{found} findings validated (one thread)")
print(f"         rg -c -j1 -f (the same patterns, nothing validated): {rg:.2f} s = "
      f"{size / rg / 1e9:.2f} GB/s, {sys.argv[6]} matching lines; ratio {rg / secs:.2f}")
PY
