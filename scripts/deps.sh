#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages steward needs, and only those that are missing.
# Each line of the table is: how to check | the Debian package that provides it.
set -eu

need=""
check() { # kind name package
    case "$1" in
        pc)  pkg-config --exists "$2" 2>/dev/null || need="$need $3" ;;
        cmd) command -v "$2" >/dev/null 2>&1 || need="$need $3" ;;
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

if [ -z "$need" ]; then
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
