#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The layers of libsteward point down, and no files depend on each other
# in a circle. Usage: scripts/layers.sh BUILD_DIR
#
# A file's layer is its folder under src/ (src/store/pg/pg.c is in
# "store"); src/layers.txt gives each folder its level. A file may use
# (call, or include a private header of) its own folder or a folder of a
# lower level, never one of its own level or above. Calls are read from
# the library's object files (nm), includes from the sources. Among the
# files, neither the calls nor the includes may go round in a circle.
set -eu
cd "$(dirname "$0")/.."
build=${1:?usage: $0 BUILD_DIR}
levels=src/layers.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the library's objects, as "file object" (file: the path under src/)
grep -o ' -o CMakeFiles/steward-obj\.dir/src/[^ ]*\.c\.o' \
    "$build/compile_commands.json" | sed 's/^ -o //' | sort -u |
    while read -r o; do
        f=${o#CMakeFiles/steward-obj.dir/src/}
        echo "${f%.o} $build/$o"
    done >"$tmp/objects"
[ -s "$tmp/objects" ] || { echo "layers: no objects in $build" >&2; exit 2; }
while read -r f o; do
    [ -f "$o" ] || { echo "layers: $o is missing (build first)" >&2; exit 2; }
done <"$tmp/objects"

# edges "from to" between files: calls, then includes
while read -r f o; do
    nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }'
done <"$tmp/objects" >"$tmp/defs"
while read -r f o; do
    nm -u "$o" | awk -v f="$f" '{ print f, $NF }'
done <"$tmp/objects" >"$tmp/undefs"
awk 'NR == FNR { def[$1] = $2; next }
     ($2 in def) && def[$2] != $1 { print $1, def[$2] }' \
    "$tmp/defs" "$tmp/undefs" | sort -u >"$tmp/calls"
find src -name '*.[ch]' | sed 's|^src/||' | sort | while read -r f; do
    sed -n 's/^#include "\([a-z_]*\/[a-z_/]*\.h\)".*/\1/p' "src/$f" |
        while read -r h; do if [ -f "src/$h" ]; then echo "$f $h"; fi; done
done >"$tmp/includes"

status=0
# upward or sideways: a folder of the same or a higher level
cat "$tmp/calls" "$tmp/includes" | awk -v L="$levels" '
    function folder(p,   a) { split(p, a, "/"); return a[2] == "" ? "steward" : a[1] }
    BEGIN { while ((getline line < L) > 0) {
                if (line ~ /^[a-z]/) { split(line, w, " "); lvl[w[1]] = w[2] } } }
    { a = folder($1); b = folder($2)
      if (!(a in lvl)) { print "layers: " $1 ": folder " a " has no level in " L; bad = 1; next }
      if (!(b in lvl)) { print "layers: " $2 ": folder " b " has no level in " L; bad = 1; next }
      if (a != b && lvl[b] >= lvl[a]) {
          print "layers: " $1 " (" a ", level " lvl[a] ") uses " $2 " (" b ", level " lvl[b] ")"; bad = 1 } }
    END { exit bad }' || status=1

# circles: the transitive closure of each graph
for g in calls includes; do
    awk -v what="$g" '
        { n[$1] = n[$2] = 1; e[$1, $2] = 1 }
        END {
            for (k in n) for (i in n) if ((i, k) in e) for (j in n)
                if ((k, j) in e) e[i, j] = 1
            for (i in n) if ((i, i) in e) { print "layers: " i " is in a circle of " what; bad = 1 }
            exit bad }' "$tmp/$g" || status=1
done

[ "$status" -eq 0 ] && echo "layers: $(wc -l <"$tmp/calls") calls and $(wc -l <"$tmp/includes") includes point down; no circles"
exit "$status"
