# SPDX-License-Identifier: Apache-2.0
# Writes OUTPUT, a C file defining sw_policy_bundled_text() over the bytes of
# INPUT, so the steward binary carries its bundled policy.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"/* Generated from ${INPUT} by cmake/embed.cmake; do not edit. */\n"
"#include <stddef.h>\n"
"const char *sw_policy_bundled_text(size_t *len);\n"
"static const char data[] = {\n${bytes}0x00};\n"
"const char *sw_policy_bundled_text(size_t *len)\n{\n"
"    if (len)\n        *len = ${size};\n    return data;\n}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
