/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Traffic's tables (traffic_sql.c): a table of detail records per month
 * (traffic_YYYYMM, dropped whole once empty), the list of months, the
 * day keys (epoch_keys) and the bills. Private to libsteward; strings and
 * blobs handed to callbacks are borrowed for the call.
 */
#ifndef STEWARD_TRAFFIC_SQL_H
#define STEWARD_TRAFFIC_SQL_H

#include "ledger/ledger_sql.h"

/* A communication detail record as stored. */
typedef struct sw_traffic_rec {
    const char *ext_id;
    const char *account;
    const uint8_t *account_bi;
    const char *channel;
    sw_instant at;
    int64_t day; /* days since 1970-01-01: the epoch */
    const char *sender;
    const char *country;
    const char *key_class; /* the key the identifiers are under, or NULL */
    const uint8_t *ids;    /* sealed destination, IMSI, IMEI */
    size_t ids_len;
    const uint8_t *dest_bi;
    int64_t duration;
    const char *op, *route, *price, *currency;
} sw_traffic_rec;

typedef int (*sw_traffic_cb)(const sw_traffic_rec *r, void *ctx);
typedef int (*sw_day_key_cb)(int64_t day, const char *key_class,
                             const uint8_t *wrapped, size_t len, void *ctx);

sw_status sw_bills_set(sw_store *s, const char *account, const char *period,
                       const char *status, sw_instant at);

/* SW_ERR_NOTFOUND (no message) when the day has no key of the class. */
sw_status sw_day_keys_get(sw_store *s, int64_t day, const char *key_class,
                          uint8_t wrapped[SW_WRAPPED_BYTES]);
sw_status sw_day_keys_put(sw_store *s, int64_t day, const char *key_class,
                          const uint8_t wrapped[SW_WRAPPED_BYTES], bool has_due,
                          sw_instant due);
/* Every key (due: only those due by now), by day and class. */
sw_status sw_day_keys_list(sw_store *s, bool due, sw_instant now,
                           sw_day_key_cb cb, void *ctx);
sw_status sw_day_keys_delete(sw_store *s, int64_t day, const char *key_class);
typedef int (*sw_day_due_cb)(int64_t day, const char *key_class, sw_instant due,
                             void *ctx);
/* The keys that have a due date (not a hold's), by day and class. */
sw_status sw_day_keys_dues(sw_store *s, sw_day_due_cb cb, void *ctx);
sw_status sw_day_keys_set_due(sw_store *s, int64_t day, const char *key_class,
                              sw_instant due);

/* Makes sure the table of a month (YYYYMM) exists. */
sw_status sw_traffic_month(sw_store *s, int month);
/* Stores rows of a month in bulk: next(ctx) gives each row in turn (NULL
 * after the last); refused(ctx, id) is told each row whose id the month
 * holds already (or that came twice). */
sw_status sw_traffic_load(sw_store *s, int month,
                          const sw_traffic_rec *(*next)(void *ctx),
                          void (*refused)(void *ctx, const char *ext_id),
                          void *ctx, size_t *stored);
/* Rows of a month whose destination has one of n blind indexes (one per
 * live day key of the month), oldest first. */
sw_status sw_traffic_probe(sw_store *s, int month,
                           const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n,
                           sw_traffic_cb cb, void *ctx);
/* Rows of a day under key_class that a hold or an unpaid or disputed
 * bill of period keeps (activity: the traffic activity's id). */
sw_status sw_traffic_held(sw_store *s, int month, int64_t day,
                          const char *key_class, const char *period,
                          const char *activity, sw_traffic_cb cb, void *ctx);
/* Rows of a day under key_class. */
sw_status sw_traffic_keyed(sw_store *s, int month, int64_t day,
                           const char *key_class, sw_traffic_cb cb, void *ctx);
sw_status sw_traffic_rekey(sw_store *s, int month, const char *ext_id,
                           const char *key_class, const uint8_t *ids,
                           size_t ids_len, const uint8_t blind[SW_BLIND_BYTES]);
/* Whether an active hold keeps a detail record: on the whole activity,
 * on its account, or on the record itself (bills do not count here). */
sw_status sw_traffic_hold_keeps(sw_store *s, const char *activity,
                                const char *account, const char *ext_id,
                                bool *held);
/* Removes a row's identifiers. */
sw_status sw_traffic_strip(sw_store *s, int month, const char *ext_id);
sw_status sw_traffic_months(sw_store *s, int (*cb)(int month, void *ctx),
                            void *ctx);
/* Deletes the settled bills (neither unpaid nor disputed: they keep
 * nothing) of periods before `period` (YYYY-MM); *n: how many. */
sw_status sw_bills_settled_delete(sw_store *s, const char *period, size_t *n);
/* The rows of a month with at < before that nothing keeps go, and an
 * emptied month is dropped; *deleted and *kept count them.
 * whole: the month is wholly before `before`; when nothing in it is kept
 * (hold, bill, the activity's hold) the table is dropped whole, its rows
 * counted in *deleted, instead of deleted row by row. */
sw_status sw_traffic_expire_month(sw_store *s, int month, sw_instant before,
                                  const char *activity, bool whole,
                                  size_t *deleted, size_t *kept, bool *dropped);
/* Reads a month's index of destinations end to end where the database
 * is mapped into this process, so the first look-ups run as fast as the
 * later ones; nothing elsewhere. */
sw_status sw_traffic_warm_month(sw_store *s, int month);

#endif
