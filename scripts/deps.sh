#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages steward needs, and only those that are missing,
# then the npm packages of the browser tests (tests/browser, from its lock).
# Each line of the table is: how to check | the Debian package that provides it.
#   scripts/deps.sh         build, run and test
#   scripts/deps.sh bench   the same, and what the benchmarks compare with
#   scripts/deps.sh fuzz    the same, and clang with libFuzzer
#   scripts/deps.sh deb     the same, and what builds the Debian package
set -eu
cd "$(dirname "$0")/.."

need=""
check() { # kind name package
    case "$1" in
        pc)  pkg-config --exists "$2" 2>/dev/null || need="$need $3" ;;
        cmd) command -v "$2" >/dev/null 2>&1 || need="$need $3" ;;
        glob) ls $2 >/dev/null 2>&1 || need="$need $3" ;;
    esac
}

check cmd cc              gcc
check cmd make            make
check cmd cmake           cmake
check cmd pkg-config      pkg-config
check cmd sqlite3         sqlite3
check pc  libfyaml        libfyaml-dev
check pc  jansson         libjansson-dev
check pc  cmocka          libcmocka-dev
check pc  libsodium       libsodium-dev
check pc  sqlite3         libsqlite3-dev
check pc  libmicrohttpd   libmicrohttpd-dev
check pc  libpq           libpq-dev
# the connectors: MariaDB and MySQL systems
check pc  libmariadb      libmariadb-dev
# personal data in free text: one multi-pattern scan
check pc  libhs           libvectorscan-dev
# the traffic ingest's NDJSON parser (C++)
check pc  simdjson        libsimdjson-dev
check cmd g++             g++
# time zones of the law's calendars
check pc  icu-i18n        libicu-dev
# stewardd's outbox through an SMTP relay
check pc  libcurl         libcurl4-openssl-dev
# stewardd as a systemd service (sd_notify)
check pc  libsystemd      libsystemd-dev
# the suite again on PostgreSQL: a throw-away server per test program
check glob '/usr/lib/postgresql/*/bin/postgres' postgresql
check cmd pg_dump         postgresql-client
# the connectors' tests: a throw-away MariaDB server
check glob /usr/sbin/mariadbd mariadb-server
# make install's test: the man pages read, the systemd unit checked
check cmd groff           groff-base
check cmd man             man-db
check cmd systemd-analyze systemd
# the habits make test checks: format and static analysis
check cmd clang-format-14 clang-format-14
check cmd cppcheck        cppcheck
# the daemon's tests: TLS, and the pages in a real browser
check cmd openssl         openssl
check cmd curl            curl
check cmd chromium        chromium
check cmd node            nodejs
check cmd npm             npm
if [ "${1:-}" = fuzz ]; then
    check cmd clang       clang
    check glob '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' libclang-rt-14-dev
fi
if [ "${1:-}" = deb ]; then
    check cmd dh          debhelper
    check cmd dpkg-buildpackage dpkg-dev
fi
if [ "${1:-}" = bench ]; then
    check cmd wrk         wrk
    check cmd nginx       nginx-light
    check cmd rg          ripgrep
fi

# promtool (the metrics' lint): the binary alone, from Debian's prometheus
# package (apt-get download; nothing installed, no server started)
promtool() {
    [ -x build-tools/promtool ] && return 0
    echo "steward: fetching promtool from Debian's prometheus package" >&2
    rm -rf build-tools/tmp
    mkdir -p build-tools/tmp
    (cd build-tools/tmp && { apt-get download prometheus >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get download prometheus >/dev/null; }; }) &&
        dpkg-deb -x build-tools/tmp/prometheus_*.deb build-tools/tmp/root &&
        cp build-tools/tmp/root/usr/bin/promtool build-tools/promtool
    rc=$?
    rm -rf build-tools/tmp
    [ $rc -eq 0 ] || echo "steward: promtool could not be fetched" >&2
    return $rc
}

browser() {
    if [ ! -d tests/browser/node_modules/playwright-core ] ||
        [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
        echo "steward: installing the browser tests' npm packages" >&2
        (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

if [ -z "$need" ]; then
    browser
    promtool
    exit 0
fi
echo "steward: installing missing Debian packages:$need" >&2
if [ "$(id -u)" -ne 0 ]; then
    echo "steward: need root to install packages (run as root or install:$need)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
browser
promtool
