#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A throw-away PostgreSQL cluster for the test suite (ctest fixture):
#   scripts/pg_test_cluster.sh start NAME PORT   created, trust on 127.0.0.1
#   scripts/pg_test_cluster.sh stop NAME
# Debian's postgresql-common does the work (as root it runs the server as
# the postgres user); the tests reach it with PGHOST/PGPORT/PGUSER.
set -eu
V=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
case "${1:-}" in
start)
    pg_dropcluster "$V" "$2" --stop >/dev/null 2>&1 || true
    pg_createcluster -p "$3" "$V" "$2" -- --auth=trust >/dev/null
    pg_ctlcluster "$V" "$2" start
    ;;
stop)
    pg_dropcluster "$V" "$2" --stop
    ;;
*)
    echo "usage: $0 start NAME PORT | stop NAME" >&2
    exit 2
    ;;
esac
