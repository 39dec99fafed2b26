/* SPDX-License-Identifier: Apache-2.0 */
/* Growable text buffer with a size cap, for rendering reports. */
#ifndef STEWARD_BUF_INT_H
#define STEWARD_BUF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/status.h"

typedef struct sw_buf {
    char *data;
    size_t len, cap, max;
    bool failed; /* an append ran out of memory or hit max: sticky */
} sw_buf;

/* An empty buffer that refuses to grow past max bytes. */
void sw_buf_init(sw_buf *b, size_t max);
/* Frees the data; the buffer may be reused after sw_buf_init. */
void sw_buf_release(sw_buf *b);
void sw_buf_puts(sw_buf *b, const char *s);
void sw_buf_putn(sw_buf *b, const char *s, size_t n);
void sw_buf_printf(sw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A CSV field (RFC 4180): quoted when it holds a comma, quote or newline;
 * a value starting with =, +, -, @, tab or CR is quoted and prefixed with
 * a single quote (OWASP CSV injection), so no spreadsheet runs it. */
void sw_buf_csv(sw_buf *b, const char *s);
/* Markdown table cell text: '|' escaped, newlines as spaces. */
void sw_buf_md(sw_buf *b, const char *s);
/* Hands the NUL-terminated text to the caller (free()) and empties b.
 * Returns SW_ERR_NOMEM or SW_ERR_LIMIT if any append failed (and frees). */
sw_status sw_buf_finish(sw_buf *b, char **out);

#endif
