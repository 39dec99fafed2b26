#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every fuzz harness under libFuzzer for a while (make fuzz):
#   scripts/fuzz.sh BUILD_DIR SECONDS [HARNESS...]
# Each starts from its seeds in fuzz/corpus/NAME and grows a working corpus
# in BUILD_DIR/corpus/NAME; a crash or a leak fails the run and leaves its
# input as BUILD_DIR/crash/NAME-*: copy it into fuzz/corpus/NAME as a
# regression file once fixed. The last lines of each run (executions per
# second, coverage) go to BUILD_DIR/fuzz-NAME.log.
set -u
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [HARNESS...]}
seconds=${2:-60}
shift 2 2>/dev/null || shift $#
harnesses=${*:-"policy time ingest body public scan"}
mkdir -p "$build/crash"
# the same suppressions as the sanitized test build (a leak inside
# libfyaml on malformed YAML, see the file)
LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
export LSAN_OPTIONS
failed=""
for h in $harnesses; do
    exe="$build/fuzz/fuzz_$h"
    if [ ! -x "$exe" ]; then
        echo "fuzz: no $exe (make fuzz builds it)" >&2
        exit 2
    fi
    work="$build/corpus/$h"
    mkdir -p "$work"
    echo "fuzz: $h for ${seconds}s" >&2
    if "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
        -rss_limit_mb=4096 -artifact_prefix="$build/crash/$h-" \
        "$work" "fuzz/corpus/$h" >"$build/fuzz-$h.log" 2>&1; then
        grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::average_exec_per_sec|cov:' \
            "$build/fuzz-$h.log" | tail -n 3 >&2
    else
        echo "fuzz: $h FAILED: see $build/fuzz-$h.log and $build/crash/" >&2
        tail -n 40 "$build/fuzz-$h.log" >&2
        failed="$failed $h"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
echo "fuzz: every harness ran ${seconds}s without a crash or a leak" >&2
