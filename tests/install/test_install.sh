#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make install as a user or a package sees it, into a DESTDIR: every file
# in its place; libsteward with its soname and pkg-config file, used by a
# program of someone else's (shared, and static with its dependencies
# shared); stewardd's default pages
# where they were installed; the man pages readable and naming every
# command, verb, option and policy key; bash completion of commands,
# verbs, options and their words; the systemd unit valid and hardened.
# Usage: tests/install/test_install.sh BUILD_DIR
set -eu
BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "test_install: $*" >&2
    exit 1
}
cache() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"; }
PREFIX=$(cache CMAKE_INSTALL_PREFIX)
LIBDIR=$(cache CMAKE_INSTALL_LIBDIR)
UNITDIR=$(cache STEWARD_SYSTEMD_UNITDIR)
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
DESTDIR="$T/root" cmake --install "$BUILD" >/dev/null
R="$T/root$PREFIX"

# ---- the files ----
for f in bin/steward sbin/stewardd "$LIBDIR/libsteward.a" \
    "$LIBDIR/libsteward.so" "$LIBDIR/libsteward.so.0" \
    "$LIBDIR/pkgconfig/libsteward.pc" include/steward/steward.h \
    include/steward/scan.h share/steward/policies/cpaas-notice.yaml \
    share/steward/web/privacy/index.html share/steward/web/console/index.html \
    share/steward/web/static/style.css share/man/man1/steward.1 \
    share/man/man5/steward-policy.5 share/man/man8/stewardd.8 \
    share/bash-completion/completions/steward \
    share/bash-completion/completions/stewardd; do
    [ -e "$R/$f" ] || fail "$PREFIX/$f was not installed"
done
[ -f "$T/root$UNITDIR/stewardd.service" ] || fail "$UNITDIR/stewardd.service was not installed"
soname=$(objdump -p "$R/$LIBDIR/libsteward.so.0" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libsteward.so.0 ] || fail "libsteward.so's soname is '$soname', not libsteward.so.0"
cmp -s "$SRC/policies/cpaas-notice.yaml" "$R/share/steward/policies/cpaas-notice.yaml" ||
    fail "the installed policy is not the bundled one"

# ---- stewardd finds its pages where they were installed ----
"$R/sbin/stewardd" --help | grep -qF "(default: $PREFIX/share/steward/web)" ||
    fail "stewardd --help does not name $PREFIX/share/steward/web as its pages"
"$R/bin/steward" init --store "$T/d.db" >/dev/null
if "$R/sbin/stewardd" --store "$T/d.db" --listen 127.0.0.1:1 >/dev/null 2>"$T/err"; then
    fail "stewardd started without its pages"
fi
grep -q -- "--web $PREFIX/share/steward/web: no such directory" "$T/err" ||
    fail "stewardd without its pages said: $(cat "$T/err")"

# ---- someone else's program, against the installed library ----
export PKG_CONFIG_PATH="$R/$LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/root"
pkg-config --exists libsteward || fail "pkg-config finds no libsteward"
[ "$(pkg-config --modversion libsteward)" = "$(cache CMAKE_PROJECT_VERSION)" ] ||
    fail "libsteward.pc says version $(pkg-config --modversion libsteward)"
SAN=""
[ "$(cache STEWARD_SANITIZE)" = ON ] && SAN="-fsanitize=address,undefined"
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Wextra -Werror $SAN "$SRC/tests/install/consumer.c" -o "$T/shared" \
    $(pkg-config --cflags --libs libsteward) || fail "a program does not build against libsteward.so"
ldd "$T/shared" | grep -q "libsteward.so.0 => $R/$LIBDIR/libsteward.so.0" ||
    LD_LIBRARY_PATH="$R/$LIBDIR" ldd "$T/shared" | grep -q "libsteward.so.0 => $R/$LIBDIR" ||
    fail "the program is not linked to libsteward.so.0"
out=$(LD_LIBRARY_PATH="$R/$LIBDIR" ASAN_OPTIONS=detect_leaks=0 "$T/shared" "$T/a.db")
case $out in
"notice 2025-06, "*" 1 finding") ;;
*) fail "the program against libsteward.so printed: $out" ;;
esac
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Wextra -Werror $SAN "$SRC/tests/install/consumer.c" -o "$T/static" \
    $(pkg-config --cflags libsteward) "$R/$LIBDIR/libsteward.a" \
    $(pkg-config --libs $(pkg-config --print-requires-private libsteward)) -lstdc++ -lpthread ||
    fail "a program does not build against libsteward.a"
ldd "$T/static" | grep -q libsteward && fail "the static program still needs libsteward.so"
[ "$(ASAN_OPTIONS=detect_leaks=0 "$T/static" "$T/b.db")" = "$out" ] ||
    fail "the program against libsteward.a printed something else"

# ---- the man pages ----
for m in man1/steward.1 man5/steward-policy.5 man8/stewardd.8; do
    w=$(groff -man -ww -z "$R/share/man/$m" 2>&1)
    [ -z "$w" ] || fail "$m: groff warns: $w"
done
page() { MANWIDTH=200 man -l "$R/share/man/$1" 2>/dev/null | sed 's/‐//g' | tr -s ' '; }
page man1/steward.1 >"$T/steward.txt"
page man8/stewardd.8 >"$T/stewardd.txt"
page man5/steward-policy.5 >"$T/policy.txt"
grep -q "^NAME" "$T/steward.txt" || fail "man steward renders nothing"
cmds=$("$R/bin/steward" --help | awk '/^Commands:/ { f = 1; next } f && /^$/ { f = 0 } f { print $1 }')
[ -n "$cmds" ] || fail "steward --help lists no commands"
for c in $cmds; do
    grep -q "steward $c\b" "$T/steward.txt" || fail "steward(1) lacks the command $c"
    for v in $("$R/bin/steward" "$c" --help | awk -v n="$c" '$1 == "steward" && $2 == n && $3 ~ /^[a-z]/ { print $3 }'); do
        grep -q "steward $c $v\b" "$T/steward.txt" || fail "steward(1) lacks steward $c $v"
    done
done
for o in $("$R/sbin/stewardd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$o\b" "$T/stewardd.txt" || fail "stewardd(8) lacks the option $o"
done
for k in $(grep -oh '{"[a-z_]*", F_[A-Z]*' "$SRC"/src/policy/*.c | cut -d'"' -f2 | sort -u); do
    grep -qw -- "$k" "$T/policy.txt" || fail "steward-policy(5) lacks the key $k"
done

# ---- bash completion ----
cat >"$T/complete.bash" <<SH
PATH="$R/bin:$R/sbin:\$PATH"
. "$R/share/bash-completion/completions/steward"
t() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); COMPREPLY=(); \$F; echo "\${COMPREPLY[*]}"; }
F=_steward
echo "cmds: \$(t steward '')"
echo "con: \$(t steward con)"
echo "verbs: \$(t steward consent '')"
echo "opts: \$(t steward consent give --pu)"
echo "words: \$(t steward policy ropa --format '')"
echo "kinds: \$(t steward hold place --kind '')"
F=_stewardd
echo "daemon: \$(t stewardd --sweep)"
SH
bash "$T/complete.bash" >"$T/complete.out" 2>&1 || fail "the completion script failed: $(cat "$T/complete.out")"
want() { grep -qx -- "$1" "$T/complete.out" || fail "completion: want '$1', got: $(grep "^${1%%:*}:" "$T/complete.out")"; }
want "cmds: $(echo $cmds)"
want "con: consent"
want "verbs: confirm give list receipt refuse renew request show withdraw"
want "opts: --purpose"
want "words: md json csv"
want "kinds: litigation law_enforcement investigation billing_dispute"
want "daemon: --sweep-every"

# ---- the systemd unit ----
unit="$T/root$UNITDIR/stewardd.service"
grep -q "^ExecStart=$PREFIX/sbin/stewardd " "$unit" || fail "the unit does not start $PREFIX/sbin/stewardd"
grep -q "^Type=notify" "$unit" || fail "the unit is not Type=notify"
for d in $(sed -n 's/^Documentation=//p' "$unit"); do
    n=${d#man:}
    s=${n#*(}
    s=${s%)}
    [ -f "$R/share/man/man$s/${n%(*}.$s" ] || fail "the unit names $d, which is not installed"
done
mkdir -p "$T/unit"
sed "s|^ExecStart=$PREFIX|ExecStart=$R|" "$unit" >"$T/unit/stewardd.service"
v=$(systemd-analyze verify --man=no "$T/unit/stewardd.service" 2>&1) ||
    fail "systemd-analyze verify: $v"
systemd-analyze security --offline=true --threshold=20 "$T/unit/stewardd.service" >"$T/security" 2>&1 ||
    fail "the unit's exposure is above 2.0: $(tail -n 1 "$T/security")"
echo "test_install: $(find "$T/root" -type f | wc -l) files installed; $(tail -n 1 "$T/security" | sed 's/^→ //')"
