#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The connectors against real databases (bench_systems.c says what each
# figure is and its baseline): a throw-away PostgreSQL cluster
# (pg_virtualenv) and MariaDB server, and an SQLite file, each with a table
# of contacts of ROWS rows (an index on the e-mail column); in PostgreSQL
# nine in ten of them past their six months.
#   bench/bench_systems.sh BUILD_DIR [ROWS] [LOOKUPS]
set -eu
if [ -z "${PGHOST:-}" ]; then
    command -v pg_virtualenv >/dev/null || { echo "bench_systems: pg_virtualenv is missing (scripts/deps.sh)" >&2; exit 1; }
    exec pg_virtualenv -t sh "$0" "$@"
fi
BUILD=$(cd "${1:-build}" && pwd)
ROWS=${2:-1000000}
LOOKUPS=${3:-300}
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/steward-bench-systems-XXXXXX)
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cleanup() { sh "$SRC/scripts/mariadb_test_server.sh" stop "$W/mariadb" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT INT TERM
uri() { echo "postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$1"; }
echo "# the connectors: PostgreSQL $(psql -Atc 'SHOW server_version'), MariaDB, SQLite; $(nproc) cores; $ROWS rows a table" >&2

# the same contacts in each database
psql -q -c "CREATE DATABASE crm" -c "CREATE DATABASE plain" >/dev/null
for db in crm plain; do
    psql -q -d "$db" -c "CREATE TABLE contacts(id BIGINT PRIMARY KEY, name TEXT, email TEXT,
        last_contact_at TIMESTAMP)" \
      -c "INSERT INTO contacts SELECT i, 'Person ' || i, 'p' || i || '@bench.example',
        CASE WHEN i % 10 = 0 THEN TIMESTAMP '2026-11-01' ELSE TIMESTAMP '2020-01-01' END
        + (i % 86400) * INTERVAL '1 second' FROM generate_series(1, $ROWS) i" \
      -c "CREATE INDEX ON contacts(email)" -c "VACUUM ANALYZE contacts" >/dev/null
done
sqlite3 "$W/crm.db" "CREATE TABLE contacts(id INTEGER PRIMARY KEY, name TEXT, email TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
  INSERT INTO contacts SELECT i, 'Person ' || i, 'p' || i || '@bench.example' FROM n;
  CREATE INDEX contacts_email ON contacts(email);"
sh "$SRC/scripts/mariadb_test_server.sh" start "$W/mariadb" "$MPORT"
mariadb --no-defaults -h127.0.0.1 -P"$MPORT" -uroot -e "CREATE DATABASE crm;
  USE crm; CREATE TABLE contacts(id BIGINT PRIMARY KEY, name VARCHAR(64),
  email VARCHAR(128), KEY(email)) ENGINE=InnoDB;
  INSERT INTO contacts SELECT seq, CONCAT('Person ', seq),
  CONCAT('p', seq, '@bench.example') FROM seq_1_to_$ROWS;"

# the policy: the bundled one and the three systems
{
    cat "$SRC/policies/cpaas-notice.yaml"
    echo "systems:"
    for s in lite:sqlite:BENCH_CRM_LITE pg:postgresql:BENCH_CRM_PG maria:mariadb:BENCH_CRM_MARIA; do
        id=${s%%:*}; rest=${s#*:}; conn=${rest%%:*}; env=${rest#*:}
        cat <<YAML
  - id: bench_$id
    name: CRM on $conn
    connector: $conn
    credentials: { env: $env }
    datasets:
      - table: contacts
        activity: sales_prospects
        key: id
YAML
        if [ "$id" = pg ]; then
            printf '        rule: sales_prospects.no_agreement\n        clock: last_contact_at\n'
        fi
        cat <<YAML
        identities:
          - { type: email, column: email }
        columns:
          - { name: name, category: user.name, erase: delete }
          - { name: email, category: user.contact.email, erase: delete }
YAML
    done
} > "$W/policy.yaml"
export BENCH_CRM_LITE="$W/crm.db" BENCH_CRM_PG="$(uri crm)"
export BENCH_CRM_MARIA="mariadb://root@127.0.0.1:$MPORT/crm" BENCH_MARIA_PORT="$MPORT"
"$BUILD/steward" init --store "$W/steward.db" --policy "$W/policy.yaml" >/dev/null
"$BUILD/bench/bench_systems" "$W" "$(uri plain)" "$ROWS" "$LOOKUPS"
