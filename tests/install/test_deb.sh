#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make test-deb: the packages of make deb installed on this machine (as
# root), the service started as its unit says (systemd's own when systemd
# runs this machine, else the unit's user, environment and command line
# by hand), /healthz and the pages answered, a reload, a clean stop; then
# purged, with nothing of them left behind.
# Usage: tests/install/test_deb.sh DEB_DIR
set -eu
OUT=$(cd "${1:?usage: $0 DEB_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
fail() {
    echo "test_deb: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || fail "installing a package needs root"
if dpkg -s steward >/dev/null 2>&1 || dpkg -s libsteward0 >/dev/null 2>&1; then
    fail "steward is installed on this machine already; this test would remove it"
fi
T=$(mktemp -d)
DP=""
cleanup() {
    [ -n "$DP" ] && kill "$DP" 2>/dev/null
    rm -rf "$T"
    if dpkg -s steward >/dev/null 2>&1; then
        apt-get purge -y -qq steward libsteward0 libsteward-dev >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
debs=$(ls "$OUT"/steward_*.deb "$OUT"/libsteward0_*.deb "$OUT"/libsteward-dev_*.deb)
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $debs >"$T/install.log" 2>&1 ||
    fail "the packages did not install: $(tail -n 5 "$T/install.log")"
dpkg -L steward libsteward0 libsteward-dev | sort -u >"$T/files"

# ---- what the packages made ----
getent passwd steward >/dev/null || fail "no user steward"
[ "$(stat -c %U /var/lib/steward/steward.db)" = steward ] ||
    fail "/var/lib/steward/steward.db is not the user steward's"
[ "$(stat -c %a /var/lib/steward/steward.db.key)" = 600 ] ||
    fail "the store's key is not mode 0600"
for p in steward stewardd steward-policy; do
    man -w "$p" >/dev/null 2>&1 || fail "man $p finds no page"
done
[ "$(pkg-config --modversion libsteward)" = 0.1.0 ] || fail "pkg-config finds no libsteward 0.1.0"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$SRC/tests/install/consumer.c" -o "$T/consumer" \
    $(pkg-config --cflags --libs libsteward) || fail "a program does not build against the package"
case $("$T/consumer" "$T/c.db") in
"notice 2025-06, "*) ;;
*) fail "the program against the package failed" ;;
esac

# ---- the service ----
unit=/lib/systemd/system/stewardd.service
[ -f "$unit" ] || fail "$unit is missing"
P=$((18000 + $$ % 1000))
echo "STEWARD_ARGS=--listen 127.0.0.1:$P --sweep-every 0" >>/etc/default/stewardd
up() {
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$P/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
if [ -d /run/systemd/system ]; then
    systemctl restart stewardd
    up || fail "stewardd.service does not answer: $(journalctl -u stewardd -n 5 --no-pager)"
    systemctl reload stewardd
    systemctl is-active -q stewardd || fail "stewardd.service stopped on reload"
    up || fail "stewardd.service does not answer after a reload"
    curl -fsS "http://127.0.0.1:$P/privacy/" | grep -qi "<html" || fail "the privacy centre is not served"
    systemctl stop stewardd
else
    # as systemd would start it: the unit's user, working directory,
    # environment (Environment=, then EnvironmentFile=) and command line
    user=$(sed -n 's/^User=//p' "$unit")
    dir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    (
        cd "$dir"
        for kv in $(sed -n 's/^Environment=//p' "$unit"); do export "${kv?}"; done
        # KEY=VALUE lines, the value the rest of the line (systemd's way)
        while IFS= read -r l; do
            case $l in '#'* | '') continue ;; esac
            export "${l?}"
        done </etc/default/stewardd
        # shellcheck disable=SC2086
        exec setpriv --reuid="$user" --regid="$user" --init-groups -- $(eval echo "$exec_start")
    ) 2>"$T/stewardd.log" &
    DP=$!
    up || fail "stewardd, started as its unit says, does not answer: $(tail -n 3 "$T/stewardd.log")"
    curl -fsS "http://127.0.0.1:$P/privacy/" | grep -qi "<html" || fail "the privacy centre is not served from /usr/share/steward/web"
    kill -HUP "$DP"   # what ExecReload sends
    for _ in $(seq 1 50); do
        grep -q '"event":"reload"' "$T/stewardd.log" && break
        sleep 0.1
    done
    grep -q '"event":"reload","policy":"unchanged"' "$T/stewardd.log" ||
        fail "stewardd did not reload: $(tail -n 3 "$T/stewardd.log")"
    up || fail "stewardd does not answer after a reload"
    kill -TERM "$DP"
    st=0
    wait "$DP" || st=$?
    DP=""
    [ "$st" -eq 0 ] || fail "stewardd stopped with status $st"
    grep -q '"event":"stopped"' "$T/stewardd.log" || fail "stewardd did not stop cleanly"
fi

# ---- purged: nothing left ----
apt-get purge -y -qq steward libsteward0 libsteward-dev >"$T/purge.log" 2>&1 ||
    fail "the packages did not purge: $(tail -n 5 "$T/purge.log")"
left=""
while read -r f; do
    [ -d "$f" ] && continue
    [ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done <"$T/files"
[ -z "$left" ] || fail "files left after purge:$left"
[ ! -e /var/lib/steward ] || fail "/var/lib/steward is left after purge"
[ ! -e /etc/default/stewardd ] || fail "/etc/default/stewardd is left after purge"
getent passwd steward >/dev/null && fail "the user steward is left after purge"
echo "test_deb: $(wc -l <"$T/files") paths installed, served, reloaded, stopped and purged"
