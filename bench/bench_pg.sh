#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# steward on PostgreSQL, each figure next to a baseline on the same server in
# the same run (a throw-away cluster from pg_virtualenv):
#  1. traffic ingest (steward traffic ingest of a CSV file: parse, seal,
#     blind, insert) against a plain COPY of the same file into a table of
#     text columns;
#  2. the sweep of records past their ten years (rows deleted, the month's
#     table dropped) against a plain DELETE of the same rows;
#  3. decisions per second (wrk, GET /v1/decide) with two stewardd on the
#     one database against one.
#   bench/bench_pg.sh BUILD_DIR [LINES] [SUBJECTS] [SECONDS]
set -eu
if [ -z "${PGHOST:-}" ]; then
    command -v pg_virtualenv >/dev/null || { echo "bench_pg: pg_virtualenv is missing (scripts/deps.sh)" >&2; exit 1; }
    exec pg_virtualenv -t sh "$0" "$@"
fi
BUILD=$(cd "${1:-build}" && pwd)
WEB=$(cd "$(dirname "$0")/../web" && pwd)
LINES=${2:-500000}
SUBJECTS=${3:-2000}
SECS=${4:-10}
ST="$BUILD/steward"
D="$BUILD/stewardd"
GEN="$BUILD/bench/gen-traffic"
W=$(mktemp -d /tmp/steward-bench-pg-XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
uri() { echo "postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$1"; }
psql -q -c "CREATE DATABASE bench" -c "CREATE DATABASE plain" >/dev/null
U=$(uri bench)
export STEWARD_KEY_FILE="$W/master.key"
"$ST" init --store "$U" >/dev/null
echo "# steward on PostgreSQL $(psql -Atc 'SHOW server_version') ($(nproc) cores), pg_virtualenv cluster"

# ---- 1. ingest against COPY ----
DAYS=$(( (LINES + 9999) / 10000 ))
"$GEN" --days "$DAYS" --per-day 10000 --start 2015-01-01 --format csv > "$W/t.csv"
N=$(( $(wc -l < "$W/t.csv") - 1 ))
psql -q -d plain -c "CREATE TABLE t(id text, account text, channel text, time text,
  sender text, destination text, country text, imsi text, imei text,
  duration text, operator text, route text, price text, currency text)" >/dev/null
T0=$(now)
psql -q -d plain -c "\\copy t FROM '$W/t.csv' WITH (FORMAT csv, HEADER true)" >/dev/null
T1=$(now)
"$ST" traffic ingest "$W/t.csv" --store "$U" --now 2015-06-01T00:00:00Z >/dev/null
T2=$(now)
awk -v a="$T0" -v b="$T1" -v c="$T2" -v n="$N" 'BEGIN {
  printf "ingest   steward: %d rows in %.2f s = %.0f rows/s (parse, seal, blind index, insert)\n", n, c-b, n/(c-b);
  printf "         plain COPY of the same file: %.2f s = %.0f rows/s; ratio %.2f\n", b-a, n/(b-a), (b-a)/(c-b) }'

# ---- 2. the ten-year sweep against DELETE ----
psql -q -d plain -c "ALTER TABLE t ADD COLUMN at timestamptz" \
    -c "UPDATE t SET at = time::timestamptz" -c "VACUUM ANALYZE t" >/dev/null
T3=$(now)
psql -q -d plain -c "DELETE FROM t WHERE at < '2026-01-01'" >/dev/null
T4=$(now)
"$ST" sweep --store "$U" --now 2026-07-01T00:00:00Z --json > "$W/sweep.json"
T5=$(now)
DEL=$(sed -n 's/.*"rows_deleted": *\([0-9]*\).*/\1/p' "$W/sweep.json" | head -n 1)
awk -v a="$T3" -v b="$T4" -v c="$T5" -v n="$N" -v d="${DEL:-0}" 'BEGIN {
  printf "sweep    steward: %d rows past their 10 years in %.2f s = %.0f rows/s (months dropped, certified)\n", d, c-b, d/(c-b);
  printf "         plain DELETE of the same rows: %.2f s = %.0f rows/s; ratio %.2f\n", b-a, n/(b-a), (b-a)/(c-b) }'

# ---- 3. decisions: two daemons on one database against one ----
KEY=$("$ST" key create --role service --store "$U" 2>/dev/null)
seq 1 "$SUBJECTS" | sed 's/.*/{"kind":"marketing_subscriber","identifiers":[{"type":"email","value":"u&@bench.example"}]}/' > "$W/subjects"
P1=$(port); P2=$(port)
"$D" --store "$U" --listen 127.0.0.1:$P1 --rate 0 --sweep-every 0 --web "$WEB" --threads 1 --outbox "$W/o1" 2>/dev/null &
PIDS="$PIDS $!"
"$D" --store "$U" --listen 127.0.0.1:$P2 --rate 0 --sweep-every 0 --web "$WEB" --threads 1 --outbox "$W/o2" 2>/dev/null &
PIDS="$PIDS $!"
for p in $P1 $P2; do
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$p/healthz" && break; sleep 0.05; done
done
while read -r line; do
    curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        -d "$line" "http://127.0.0.1:$P1/v1/subjects"
done < "$W/subjects"
cat > "$W/d.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $KEY"
request = function()
  return wrk.format("GET", "/v1/decide?purpose=marketing.communications.email&email=u" ..
                    math.random(1, $SUBJECTS) .. "%40bench.example")
end
LUA
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
wrk -t1 -c32 -d"${SECS}s" -s "$W/d.lua" "http://127.0.0.1:$P1/" > "$W/one"
wrk -t1 -c32 -d"${SECS}s" -s "$W/d.lua" "http://127.0.0.1:$P1/" > "$W/two1" &
WRK=$!
wrk -t1 -c32 -d"${SECS}s" -s "$W/d.lua" "http://127.0.0.1:$P2/" > "$W/two2"
wait $WRK # not the daemons
awk -v one="$(rps "$W/one")" -v a="$(rps "$W/two1")" -v b="$(rps "$W/two2")" -v s="$SUBJECTS" 'BEGIN {
  printf "decide   one stewardd (1 thread): %.0f decisions/s; two on the same database: %.0f + %.0f = %.0f/s; ratio %.2f (%d subjects)\n", one, a, b, a+b, (a+b)/one, s }'
