/* SPDX-License-Identifier: Apache-2.0 */
/* Text checks for what comes from outside: UTF-8 that is well-formed. */
#ifndef STEWARD_TEXT_H
#define STEWARD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF) without a NUL byte. Thread-safe. */
bool sw_utf8_valid(const char *s, size_t n);

/* Replaces, in place, each byte of s (NUL-terminated) that is not part of
 * well-formed UTF-8 with '?'; returns how many were replaced. A message
 * that quotes outside input stays printable and encodable as JSON. */
size_t sw_utf8_clean(char *s);

#ifdef __cplusplus
}
#endif
#endif
