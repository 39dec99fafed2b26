/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The patterns of the chosen types compiled into one vectorscan
 * streaming database: at run time for a subset of types, at build time
 * (src/scan/dbgen.c) for all of them, so that a scanner of every type
 * costs no compilation when it starts.
 */
#include <stdio.h>

#include "scan/scan_int.h"

unsigned sw_scan_pattern_types(const scan_pattern *p)
{
    unsigned t = 0;
    for (size_t i = 0; i < SCAN_MAX_CHECKS && p->v[i].check; i++)
        t |= p->v[i].types;
    return t;
}

sw_status sw_scan_compile(unsigned types, const hs_platform_info_t *platform,
                          hs_database_t **db, char *why, size_t n)
{
    *db = NULL;
    size_t np;
    const scan_pattern *pats = sw_scan_patterns(&np);
    const char *res[SCAN_MAX_PATTERNS];
    unsigned flags[SCAN_MAX_PATTERNS], ids[SCAN_MAX_PATTERNS];
    unsigned k = 0;
    for (size_t i = 0; i < np && k < SCAN_MAX_PATTERNS; i++) {
        if (!(sw_scan_pattern_types(&pats[i]) & types))
            continue;
        res[k] = pats[i].re;
        flags[k] = pats[i].flags;
        ids[k] = (unsigned)i;
        k++;
    }
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(res, flags, ids, k, HS_MODE_STREAM, platform, db,
                         &ce) != HS_SUCCESS) {
        snprintf(why, n, "vectorscan refuses pattern %d: %s",
                 ce ? ce->expression : -1, ce ? ce->message : "?");
        hs_free_compile_error(ce);
        *db = NULL;
        return SW_ERR_INVALID;
    }
    return SW_OK;
}
