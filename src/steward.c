/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library put together: the one file above every service. Opening a
 * store connects it (src/store) and registers where a lower layer tells a
 * higher one, so that no layer calls up into another.
 */
#include "consent/consent_int.h"
#include "store/store_int.h"

sw_status sw_store_open(const char *uri, const sw_store_options *o,
                        sw_store **out, sw_error *err)
{
    sw_status st = sw_store_connect(uri, o, out, err);
    if (st == SW_OK) /* an event dates suppression entries */
        (*out)->hooks.event = sw_suppression_on_event;
    return st;
}
