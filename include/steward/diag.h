/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics: positioned errors and warnings about user input. */
#ifndef STEWARD_DIAG_H
#define STEWARD_DIAG_H

#include <stddef.h>

#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_severity { SW_SEV_ERROR = 0, SW_SEV_WARNING = 1 } sw_severity;

/* One diagnostic. line and col are 1-based; 0 when unknown. code is a short
 * stable keyword ("unknown-key", "gap"...) that tests and scripts can match. */
typedef struct sw_diag {
    sw_severity severity;
    const char *code;
    const char *file;
    int line;
    int col;
    const char *message;
} sw_diag;

/* A growable list of diagnostics. Not thread-safe. */
typedef struct sw_diags sw_diags;

/* A new empty list, or NULL when out of memory. Free with sw_diags_free. */
sw_diags *sw_diags_new(void);
/* Frees the list and every diagnostic; NULL is a no-op. */
void sw_diags_free(sw_diags *d);
/* Appends a diagnostic; file, code and the formatted message are copied.
 * Returns SW_ERR_NOMEM (and adds nothing) when memory runs out, or
 * SW_ERR_LIMIT past 10 000 entries. */
sw_status sw_diags_add(sw_diags *d, sw_severity sev, const char *code,
                       const char *file, int line, int col, const char *fmt,
                       ...) __attribute__((format(printf, 7, 8)));
size_t sw_diags_count(const sw_diags *d);
/* The number of entries of severity SW_SEV_ERROR. */
size_t sw_diags_errors(const sw_diags *d);
/* Entry i (borrowed, valid until the list is freed), or NULL. */
const sw_diag *sw_diags_at(const sw_diags *d, size_t i);

/* Formats "file:line:col: error: message [code]" into buf (size n) and
 * returns buf. Missing parts are left out. */
char *sw_diag_format(const sw_diag *dg, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
