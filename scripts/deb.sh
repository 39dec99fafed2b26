#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make deb: the Debian packages (steward, libsteward0, libsteward-dev),
# built by dpkg-buildpackage from a copy of the tree in OUT/src, so that
# neither the tree nor its parent gets the build's files; the .deb files
# land in OUT (default build-deb).
#   scripts/deb.sh [OUT]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-build-deb}
rm -rf "$OUT/src"
mkdir -p "$OUT/src"
tar --exclude='./build*' --exclude=./var --exclude=node_modules --exclude=./.git \
    -cf - . | tar -xf - -C "$OUT/src"
rm -f "$OUT"/*.deb "$OUT"/*.changes "$OUT"/*.buildinfo
jobs=$(nproc 2>/dev/null || echo 2)
(cd "$OUT/src" && DEB_BUILD_OPTIONS="parallel=$jobs nocheck" \
    dpkg-buildpackage -us -uc -b >../build.log 2>&1) || {
    tail -n 40 "$OUT/build.log" >&2
    echo "steward: the package did not build (all of it in $OUT/build.log)" >&2
    exit 1
}
rm -rf "$OUT/src"
ls "$OUT"/*.deb
