/* SPDX-License-Identifier: Apache-2.0 */
/* What traffic (traffic.c) offers the other services. Private to
 * libsteward. */
#ifndef STEWARD_TRAFFIC_INT_H
#define STEWARD_TRAFFIC_INT_H

#include "steward/retention.h"
#include "traffic/traffic_sql.h"

/* The traffic part of a sweep: day keys past their period destroyed
 * (held rows re-keyed first), months past theirs emptied and dropped. */
sw_status sw_traffic_sweep(sw_store *s, sw_instant now, sw_sweep_report *r);

/* Dates every day key again under the store's policy (a changed rule for
 * the end users' identifiers): *moved keys get another due date, of
 * which *now_due are due already; dry: nothing is written. */
sw_status sw_day_keys_redate(sw_store *s, bool dry, size_t *moved,
                             size_t *now_due);

/* Whether any live detail record reaches value (type "msisdn", "phone"
 * or "email"); reads only, not audited (nothing is disclosed). */
sw_status sw_traffic_reaches(sw_store *s, const char *type, const char *value,
                             bool *any);

#endif
