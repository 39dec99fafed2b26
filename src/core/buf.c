/* SPDX-License-Identifier: Apache-2.0 */
/* Growable text buffer with a size cap (curl's dynbuf idea). */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sw_buf_init(sw_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->failed = false;
}

void sw_buf_release(sw_buf *b)
{
    free(b->data);
    sw_buf_init(b, b->max);
}

static bool reserve(sw_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 > b->max) {
        b->failed = true;
        return false;
    }
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void sw_buf_putn(sw_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sw_buf_puts(sw_buf *b, const char *s)
{
    sw_buf_putn(b, s, strlen(s));
}

void sw_buf_printf(sw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* A cell a spreadsheet would run as a formula: OWASP's list of leading
 * characters (=, +, -, @, tab, carriage return). */
static bool formula_like(const char *s)
{
    return *s && strchr("=+-@\t\r", *s) != NULL;
}

void sw_buf_csv(sw_buf *b, const char *s)
{
    if (!s)
        s = "";
    bool formula = formula_like(s);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        sw_buf_puts(b, s);
        return;
    }
    /* quoted; a formula-like value is prefixed with a single quote, as
     * OWASP recommends, so it is shown as text and never evaluated */
    sw_buf_putn(b, formula ? "\"'" : "\"", formula ? 2 : 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        sw_buf_putn(b, s, (size_t)(q - s));
        sw_buf_putn(b, "\"\"", 2);
    }
    sw_buf_puts(b, s);
    sw_buf_putn(b, "\"", 1);
}

void sw_buf_md(sw_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            sw_buf_putn(b, "\\|", 2);
        else if (*s == '\n' || *s == '\r')
            sw_buf_putn(b, " ", 1);
        else
            sw_buf_putn(b, s, 1);
    }
}

sw_status sw_buf_finish(sw_buf *b, char **out)
{
    *out = NULL;
    if (b->failed) {
        bool limit = b->len + 1 >= b->max || b->cap == b->max;
        sw_buf_release(b);
        return limit ? SW_ERR_LIMIT : SW_ERR_NOMEM;
    }
    if (!b->data && !reserve(b, 0))
        return SW_ERR_NOMEM;
    if (b->len == 0)
        b->data[0] = '\0';
    *out = b->data;
    sw_buf_init(b, b->max);
    return SW_OK;
}
