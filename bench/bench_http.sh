#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# stewardd over HTTP, each figure next to a baseline measured in the same run:
#  1. GET /v1/decide with wrk (keep-alive, 64 connections) against the same
#     wrk on a static file of the same size served by nginx on this machine;
#  2. traffic ingest over HTTP (streamed) against the CLI's ingest of the
#     same file;
#  3. stewardd's peak memory (VmHWM) during the wrk run and during a 1 GB
#     streamed ingest (chunked, generated on the fly: never on disk).
#   bench/bench_http.sh BUILD_DIR [SUBJECTS] [INGEST_LINES] [BIG_LINES] [SECONDS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
WEB=$(cd "$(dirname "$0")/../web" && pwd)
SUBJECTS=${2:-2000}
LINES=${3:-1000000}
BIG=${4:-4000000}
SECS=${5:-10}
ST="$BUILD/steward"
D="$BUILD/stewardd"
GEN="$BUILD/bench/gen-traffic"
for t in wrk nginx curl; do
    command -v $t >/dev/null || { echo "bench_http: $t is missing (scripts/deps.sh bench)" >&2; exit 1; }
done
W=$(mktemp -d /tmp/steward-bench-http-XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT INT TERM
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
hwm() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status"; }
gen() { # lines: recent days, 10 000 a day (identifiers within their 12 months)
    days=$(( ($1 + 9999) / 10000 ))
    "$GEN" --days "$days" --per-day 10000 --start "$(date -u -d "-$days days" +%F)"
}
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/$2" && return 0; sleep 0.05; done; return 1; }

echo "# stewardd over HTTP ($(nproc) cores); wrk -t2 -c64 -d${SECS}s"
# ---- the daemon and its data ----
"$ST" init --store "$W/s.db" >/dev/null
KEY=$("$ST" key create --role service --store "$W/s.db" 2>/dev/null)
P=$(port)
"$D" --store "$W/s.db" --listen 127.0.0.1:$P --rate 0 --sweep-every 0 --web "$WEB" \
    --outbox "$W/outbox" 2>"$W/d.log" &
DP=$!; PIDS="$PIDS $DP"
wait_up $P healthz
seq 1 "$SUBJECTS" | xargs -P 4 -I{} curl -s -o /dev/null -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d '{"kind":"marketing_subscriber","identifiers":[{"type":"email","value":"u{}@bench.example"}]}' \
    "http://127.0.0.1:$P/v1/subjects"
cat > "$W/decide.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $KEY"
local n = $SUBJECTS
request = function()
  return wrk.format("GET", "/v1/decide?purpose=marketing.communications.email&email=u" ..
                    math.random(1, n) .. "%40bench.example")
end
LUA
# the size of an answer, for nginx's file
BODY=$(curl -s -H "Authorization: Bearer $KEY" \
    "http://127.0.0.1:$P/v1/decide?purpose=marketing.communications.email&email=u1%40bench.example")
mkdir -p "$W/www" "$W/ng/logs"
printf '%s' "$BODY" > "$W/www/decide.json"
NP=$(port)
cat > "$W/ng/nginx.conf" <<NG
worker_processes $(nproc);
pid $W/ng/nginx.pid;
error_log $W/ng/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NP; root $W/www;
           location / { default_type application/json; } }
}
NG
nginx -p "$W/ng" -c "$W/ng/nginx.conf" -g 'daemon off;' &
NGP=$!; PIDS="$PIDS $NGP"
wait_up $NP decide.json

anon() { awk '/RssAnon/ {print int($2/1024)}' "/proc/$1/status"; }
sample_start() { # the largest RssAnon of stewardd until sample_stop
    rm -f "$W/sample.stop"; echo 0 > "$W/anon.max"
    ( max=0; while kill -0 $DP 2>/dev/null && [ ! -f "$W/sample.stop" ]; do
          a=$(anon $DP); [ "$a" -gt "$max" ] && max=$a && echo $max > "$W/anon.max"
          sleep 0.1; done ) &
    SAMPLER=$!
}
sample_stop() { touch "$W/sample.stop"; wait $SAMPLER || true; }

wrk_run() { # url [script] -> "rps p99_ms"
    if [ -n "${2:-}" ]; then
        wrk -t2 -c64 -d"${SECS}s" --latency -s "$2" "$1" > "$W/wrk.out"
    else
        wrk -t2 -c64 -d"${SECS}s" --latency "$1" > "$W/wrk.out"
    fi
    rps=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.out")
    p99=$(awk '$1 == "99%" {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+/, "", v);
                if (u == "us") v /= 1000; else if (u == "s") v *= 1000; print v}' "$W/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$W/wrk.out")
    echo "$rps $p99 ${non2xx:-0}"
}
HWM0=$(hwm $DP)
set -- $(wrk_run "http://127.0.0.1:$NP/decide.json")
NG_RPS=$1; NG_P99=$2
set -- $(wrk_run "http://127.0.0.1:$P/" "$W/decide.lua")
ST_RPS=$1; ST_P99=$2; ST_BAD=$3
HWM1=$(hwm $DP)
awk -v s="$ST_RPS" -v n="$NG_RPS" -v sp="$ST_P99" -v np="$NG_P99" -v bad="$ST_BAD" -v subj="$SUBJECTS" 'BEGIN {
  printf "decide   stewardd GET /v1/decide: %9.0f req/s  p99 %6.2f ms  (non-2xx: %s; %s subjects)\n", s, sp, bad, subj;
  printf "         nginx static file:       %9.0f req/s  p99 %6.2f ms\n", n, np;
  printf "         ratio stewardd/nginx: %.2f (target >= 0.5), p99 target <= 5 ms\n", s / n }'
echo "memory   stewardd peak RSS: ${HWM0} MiB before wrk, ${HWM1} MiB after"

# ---- ingest: HTTP against the CLI, the same file ----
gen "$LINES" > "$W/t.ndjson"
SIZE=$(stat -c %s "$W/t.ndjson")
"$ST" init --store "$W/cli.db" >/dev/null
sync
T0=$(date +%s.%N)
"$ST" traffic ingest "$W/t.ndjson" --store "$W/cli.db" >/dev/null
T1=$(date +%s.%N)
sample_start
curl -s -o "$W/ingest.json" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$W/t.ndjson" \
    "http://127.0.0.1:$P/v1/traffic"
T2=$(date +%s.%N)
sample_stop; ANON_SMALL=$(cat "$W/anon.max")
grep -q '"status":"stored"' "$W/ingest.json" || { cat "$W/ingest.json"; exit 1; }
awk -v a="$T0" -v b="$T1" -v c="$T2" -v n="$LINES" -v sz="$SIZE" 'BEGIN {
  printf "ingest   CLI:  %d lines (%.0f MB) in %.2f s = %.0f lines/s\n", n, sz/1e6, b-a, n/(b-a);
  printf "         HTTP: %d lines in %.2f s = %.0f lines/s\n", n, c-b, n/(c-b);
  printf "         ratio HTTP/CLI: %.2f\n", (b-a)/(c-b) }'
rm -f "$W/t.ndjson"

# ---- a 1 GB body streamed: memory stays bounded ----
# VmHWM counts the store's memory-mapped pages too (file pages the kernel
# reclaims at will); the heap is RssAnon, sampled while the body streams.
HWM2=$(hwm $DP)
ANON0=$(anon $DP)
T3=$(date +%s.%N)
sample_start
gen "$BIG" | curl -s -o "$W/big.json" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/x-ndjson' -H 'Transfer-Encoding: chunked' -T - \
    -X POST "http://127.0.0.1:$P/v1/traffic"
T4=$(date +%s.%N)
sample_stop; ANON=$(cat "$W/anon.max")
HWM3=$(hwm $DP)
BYTES=$(sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$W/big.json")
STORED=$(sed -n 's/.*"lines":\([0-9]*\).*/\1/p' "$W/big.json")
awk -v b="$BYTES" -v l="$STORED" -v t="$(echo "$T4 - $T3" | bc)" -v h2="$HWM2" -v h3="$HWM3" \
    -v a0="$ANON0" -v a="$ANON" -v as="$ANON_SMALL" -v ss="$SIZE" 'BEGIN {
  printf "stream   %.2f GB (%d lines) streamed in %.1f s\n", b/1e9, l, t;
  printf "         stewardd heap (RssAnon): %d MiB before, at most %d MiB while streaming\n", a0, a;
  printf "         (at most %d MiB during the %.0f MB body above: the heap does not grow with the body)\n", as, ss/1e6;
  printf "         peak RSS with mapped store pages (VmHWM): %d MiB before, %d MiB after\n", h2, h3 }'
