/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics list: positioned messages about user input. */
#include "steward/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIAGS_MAX 10000

struct sw_diags {
    sw_diag *v;
    size_t n, cap, errors;
};

sw_diags *sw_diags_new(void)
{
    return calloc(1, sizeof(sw_diags));
}

void sw_diags_free(sw_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free((char *)d->v[i].code);
        free((char *)d->v[i].file);
        free((char *)d->v[i].message);
    }
    free(d->v);
    free(d);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

sw_status sw_diags_add(sw_diags *d, sw_severity sev, const char *code,
                       const char *file, int line, int col, const char *fmt,
                       ...)
{
    if (d->n >= DIAGS_MAX)
        return SW_ERR_LIMIT;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        sw_diag *v = realloc(d->v, cap * sizeof(*v));
        if (!v)
            return SW_ERR_NOMEM;
        d->v = v;
        d->cap = cap;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sw_diag dg = {sev, dup_or_null(code), dup_or_null(file), line,
                  col, strdup(msg)};
    if ((code && !dg.code) || (file && !dg.file) || !dg.message) {
        free((char *)dg.code);
        free((char *)dg.file);
        free((char *)dg.message);
        return SW_ERR_NOMEM;
    }
    d->v[d->n++] = dg;
    if (sev == SW_SEV_ERROR)
        d->errors++;
    return SW_OK;
}

size_t sw_diags_count(const sw_diags *d)
{
    return d ? d->n : 0;
}

size_t sw_diags_errors(const sw_diags *d)
{
    return d ? d->errors : 0;
}

const sw_diag *sw_diags_at(const sw_diags *d, size_t i)
{
    return d && i < d->n ? &d->v[i] : NULL;
}

char *sw_diag_format(const sw_diag *dg, char *buf, size_t n)
{
    const char *sev = dg->severity == SW_SEV_ERROR ? "error" : "warning";
    int k = 0;
    if (dg->file && dg->line > 0)
        k = snprintf(buf, n, "%s:%d:%d: ", dg->file, dg->line, dg->col);
    else if (dg->file)
        k = snprintf(buf, n, "%s: ", dg->file);
    if (k < 0 || (size_t)k >= n)
        return buf;
    if (dg->code)
        snprintf(buf + k, n - (size_t)k, "%s: %s [%s]", sev, dg->message,
                 dg->code);
    else
        snprintf(buf + k, n - (size_t)k, "%s: %s", sev, dg->message);
    return buf;
}
