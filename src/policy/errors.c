/* SPDX-License-Identifier: Apache-2.0 */
/* The policy's errors: each one counted and kept as a diagnostic with its
 * position, for the loader (loader.c) and the section checks (systems.c). */
#include <stdarg.h>
#include <stdio.h>

#include "policy/policy_int.h"

void sw_perr_at(pctx *c, sw_pos p, const char *code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->errors++;
    if (c->diags)
        sw_diags_add(c->diags, SW_SEV_ERROR, code, c->file, p.line, p.col, "%s",
                     msg);
}
