#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A throw-away MariaDB server for the test suite (ctest fixture), the
# connectors' third kind of database:
#   scripts/mariadb_test_server.sh start DIR PORT   a new data directory,
#                                                   root without a password
#                                                   on 127.0.0.1 only
#   scripts/mariadb_test_server.sh stop DIR         stopped, DIR removed
#   scripts/mariadb_test_server.sh pause DIR        stopped, its data kept
#   scripts/mariadb_test_server.sh resume DIR PORT  started on the data kept
# Debian's mariadb-server provides mariadb-install-db and mariadbd; as root
# the server runs as root inside DIR, listening on 127.0.0.1.
set -eu
case "${1:-}" in
start | resume)
    dir=$2
    if [ "$1" = start ]; then
        if [ -f "$dir/pid" ]; then
            kill "$(cat "$dir/pid")" 2>/dev/null || true
            sleep 1
        fi
        # a loaded machine has seen the install fail once: tried twice,
        # its log shown when both fail
        for try in 1 2; do
            rm -rf "$dir"
            mkdir -p "$dir"
            if mariadb-install-db --no-defaults --datadir="$dir/data" \
                --user="$(id -un)" --auth-root-authentication-method=normal \
                --skip-test-db >"$dir/install.log" 2>&1; then
                break
            fi
            if [ $try = 2 ]; then
                echo "mariadb_test_server: mariadb-install-db failed; the end of its log:" >&2
                tail -n 15 "$dir/install.log" >&2
                exit 1
            fi
            sleep 1
        done
    fi
    mariadbd --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --bind-address=127.0.0.1 --port="$3" --socket="$dir/sock" \
        --pid-file="$dir/pid" --skip-name-resolve --log-error="$dir/error.log" \
        --innodb-buffer-pool-size=64M >/dev/null 2>&1 &
    i=0
    until mariadb-admin --no-defaults -h127.0.0.1 -P"$3" -uroot ping \
        >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 150 ]; then
            echo "mariadb_test_server: the server on port $3 did not start; the end of its log:" >&2
            tail -n 15 "$dir/error.log" >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.2
    done
    ;;
stop | pause)
    dir=$2
    pid=
    if [ -f "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
    fi
    i=0
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    # not gone after 30 s: killed, so that nothing holds the port or the
    # data for the next start
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    if [ "$1" = stop ]; then
        rm -rf "$dir"
    fi
    ;;
*)
    echo "usage: $0 start|resume DIR PORT | stop|pause DIR" >&2
    exit 2
    ;;
esac
