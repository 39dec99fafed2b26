/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library put together: the one file above every service. Opening a
 * store connects it (src/store) and registers where a lower layer tells a
 * higher one, so that no layer calls up into another.
 */
#include <stdio.h>

#include "consent/consent_int.h"
#include "ledger/ledger_sql.h"
#include "steward/retention.h"
#include "store/store_int.h"

sw_status sw_store_open(const char *uri, const sw_store_options *o,
                        sw_store **out, sw_error *err)
{
    sw_status st = sw_store_connect(uri, o, out, err);
    if (st != SW_OK)
        return st;
    (*out)->hooks.event = sw_suppression_on_event; /* it dates entries */
    /* the policy given must be the one the store applies */
    if ((o->policy && (st = sw_store_use_policy(*out, o->policy)) != SW_OK) ||
        (st = sw_ident_space_migrate(*out)) != SW_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s", sw_errmsg(*out));
        sw_store_close(*out);
        *out = NULL;
    }
    return st;
}
