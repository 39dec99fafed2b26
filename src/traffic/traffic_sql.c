/* SPDX-License-Identifier: Apache-2.0 */
/* Traffic's SQL: bills, day keys, and the tables of detail records, one
 * per month so that a month past its period is dropped whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "holds/cover.h"
#include "store/sql.h"
#include "traffic/traffic_sql.h"

/* The bill rule: traffic of an account whose bill for the period (bound
 * as P) is unpaid or disputed is kept until the bill is settled. */
#define SW_BILL_OPEN(P)                                                        \
    "(SELECT account FROM bills WHERE period = " P                             \
    " AND status IN ('unpaid', 'disputed'))"

/* What keeps a detail record of a period (?2) past its own: a hold on its
 * account, on itself or on the activity (?3), or an open bill. */
#define BILL_OPEN_2 SW_BILL_OPEN("?2")
#define BILL_OPEN_3 SW_BILL_OPEN("?3")
#define HELD_ACTIVITY_3 SW_HELD_ACTIVITY("?3")
#define KEPT                                                                   \
    "(account IN " SW_HELD_ACCOUNTS " OR account IN " BILL_OPEN_2              \
    " OR ext_id IN " SW_HELD_DETAIL_RECORDS " OR " HELD_ACTIVITY_3 ")"

sw_status sw_bills_set(sw_store *s, const char *account, const char *period,
                       const char *status, sw_instant at)
{
    return sw_sql_run(
        s, "recording a bill",
        "INSERT INTO bills(account, period, status, updated_at)"
        " VALUES(?1,?2,?3,?4) ON CONFLICT(account, period) DO UPDATE"
        " SET status = excluded.status, updated_at = excluded.updated_at",
        SW_ARGS(sw_v_text(account), sw_v_text(period), sw_v_text(status),
                sw_v_int(at)),
        NULL);
}

/* ---- day keys ---- */

typedef struct wrapped_ctx {
    uint8_t *out;
    bool ok;
} wrapped_ctx;

static int wrapped_row(const sw_row *r, void *p)
{
    wrapped_ctx *c = p;
    c->ok = sw_row_blob_into(r, 0, c->out, SW_WRAPPED_BYTES);
    return 1;
}

sw_status sw_day_keys_get(sw_store *s, int64_t day, const char *key_class,
                          uint8_t wrapped[SW_WRAPPED_BYTES])
{
    wrapped_ctx c = {wrapped, false};
    sw_status st = sw_sql_one(
        s, "reading a day key",
        "SELECT wrapped FROM epoch_keys WHERE day = ?1 AND class = ?2",
        SW_ARGS(sw_v_int(day), sw_v_text(key_class)), wrapped_row, &c);
    return st == SW_OK && !c.ok ? SW_ERR_NOTFOUND : st;
}

sw_status sw_day_keys_put(sw_store *s, int64_t day, const char *key_class,
                          const uint8_t wrapped[SW_WRAPPED_BYTES], bool has_due,
                          sw_instant due)
{
    return sw_sql_run(s, "creating a day key",
                      "INSERT INTO epoch_keys(day, class, wrapped, due_at)"
                      " VALUES(?1,?2,?3,?4)",
                      SW_ARGS(sw_v_int(day), sw_v_text(key_class),
                              sw_v_blob(wrapped, SW_WRAPPED_BYTES),
                              sw_v_opt(has_due, due)),
                      NULL);
}

typedef struct key_ctx {
    sw_day_key_cb cb;
    void *ctx;
} key_ctx;

static int key_row(const sw_row *r, void *p)
{
    key_ctx *c = p;
    size_t n;
    const uint8_t *w = sw_row_blob(r, 2, &n);
    return c->cb(sw_row_int(r, 0), sw_row_text(r, 1), w, n, c->ctx);
}

sw_status sw_day_keys_list(sw_store *s, bool due, sw_instant now,
                           sw_day_key_cb cb, void *ctx)
{
    key_ctx c = {cb, ctx};
    return due ? sw_sql(s, "reading day keys",
                        "SELECT day, class, wrapped FROM epoch_keys"
                        " WHERE due_at <= ?1 ORDER BY day, class",
                        SW_ARGS(sw_v_int(now)), key_row, &c)
               : sw_sql(s, "reading day keys",
                        "SELECT day, class, wrapped FROM epoch_keys"
                        " ORDER BY day, class",
                        SW_NOARGS, key_row, &c);
}

typedef struct key_due_ctx {
    sw_day_due_cb cb;
    void *ctx;
} key_due_ctx;

static int key_due_row(const sw_row *r, void *p)
{
    key_due_ctx *c = p;
    return c->cb(sw_row_int(r, 0), sw_row_text(r, 1), sw_row_int(r, 2), c->ctx);
}

sw_status sw_day_keys_dues(sw_store *s, sw_day_due_cb cb, void *ctx)
{
    key_due_ctx c = {cb, ctx};
    return sw_sql(s, "reading day keys",
                  "SELECT day, class, due_at FROM epoch_keys"
                  " WHERE due_at IS NOT NULL ORDER BY day, class",
                  SW_NOARGS, key_due_row, &c);
}

sw_status sw_day_keys_set_due(sw_store *s, int64_t day, const char *key_class,
                              sw_instant due)
{
    return sw_sql_run(
        s, "moving a day key's due date",
        "UPDATE epoch_keys SET due_at = ?3 WHERE day = ?1 AND class = ?2",
        SW_ARGS(sw_v_int(day), sw_v_text(key_class), sw_v_int(due)), NULL);
}

sw_status sw_day_keys_delete(sw_store *s, int64_t day, const char *key_class)
{
    return sw_sql_run(s, "destroying a day key",
                      "DELETE FROM epoch_keys WHERE day = ?1 AND class = ?2",
                      SW_ARGS(sw_v_int(day), sw_v_text(key_class)), NULL);
}

/* ---- the months' tables ---- */

#define ROW_COLUMNS                                                            \
    "ext_id, account, account_bi, channel, at, day, sender, country,"          \
    " key_class, ids, dest_bi, duration, op, route, price, currency"

sw_status sw_traffic_month(sw_store *s, int month)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "CREATE TABLE IF NOT EXISTS traffic_%d(ext_id TEXT NOT NULL,"
             " account TEXT NOT NULL, account_bi BLOB NOT NULL,"
             " channel TEXT NOT NULL, at INTEGER NOT NULL,"
             " day INTEGER NOT NULL, sender TEXT, country TEXT,"
             " key_class TEXT, ids BLOB, dest_bi BLOB, duration INTEGER,"
             " op TEXT, route TEXT, price TEXT, currency TEXT);"
             "CREATE UNIQUE INDEX IF NOT EXISTS traffic_%d_id"
             " ON traffic_%d(ext_id);"
             "CREATE INDEX IF NOT EXISTS traffic_%d_dest ON traffic_%d(dest_bi)"
             " WHERE dest_bi IS NOT NULL;"
             "CREATE INDEX IF NOT EXISTS traffic_%d_day"
             " ON traffic_%d(day, account);"
             "INSERT INTO traffic_months(month) VALUES(%d)"
             " ON CONFLICT DO NOTHING;",
             month, month, month, month, month, month, month, month);
    return sw_sql_exec(s, "creating a month of traffic", sql);
}

typedef struct load_ctx {
    const sw_traffic_rec *(*next)(void *ctx);
    void (*refused)(void *ctx, const char *ext_id);
    void *ctx;
} load_ctx;

static bool load_row(void *p, sw_val *v)
{
    load_ctx *c = p;
    const sw_traffic_rec *r = c->next(c->ctx);
    if (!r)
        return false;
    v[0] = sw_v_text(r->ext_id);
    v[1] = sw_v_text(r->account);
    v[2] = sw_v_blob(r->account_bi, SW_BLIND_BYTES);
    v[3] = sw_v_text(r->channel);
    v[4] = sw_v_int(r->at);
    v[5] = sw_v_int(r->day);
    v[6] = sw_v_text(r->sender);
    v[7] = sw_v_text(r->country);
    v[8] = sw_v_text(r->key_class);
    v[9] = sw_v_blob(r->ids, r->ids_len);
    v[10] = sw_v_blob(r->dest_bi, SW_BLIND_BYTES);
    v[11] = sw_v_int(r->duration);
    v[12] = sw_v_text(r->op);
    v[13] = sw_v_text(r->route);
    v[14] = sw_v_text(r->price);
    v[15] = sw_v_text(r->currency);
    return true;
}

static void load_refused(void *p, const sw_val *key)
{
    load_ctx *c = p;
    char id[128];
    snprintf(id, sizeof(id), "%.*s", (int)key->n, (const char *)key->p);
    c->refused(c->ctx, id);
}

sw_status sw_traffic_load(sw_store *s, int month,
                          const sw_traffic_rec *(*next)(void *ctx),
                          void (*refused)(void *ctx, const char *ext_id),
                          void *ctx, size_t *stored)
{
    static const char *const cols[] = {
        "ext_id", "account", "account_bi", "channel", "at",      "day",
        "sender", "country", "key_class",  "ids",     "dest_bi", "duration",
        "op",     "route",   "price",      "currency"};
    char table[32];
    snprintf(table, sizeof(table), "traffic_%d", month);
    load_ctx c = {next, refused, ctx};
    sw_load l = {table, cols, 16, load_row, load_refused, &c};
    sw_status st = s->drv->load(s->db, &l, stored);
    return st == SW_OK ? st : sw_sql_fail(s, st, "storing traffic");
}

static void traffic_row_of(const sw_row *r, sw_traffic_rec *t)
{
    size_t n;
    t->ext_id = sw_row_text(r, 0);
    t->account = sw_row_text(r, 1);
    t->account_bi = sw_row_blob(r, 2, &n);
    t->channel = sw_row_text(r, 3);
    t->at = sw_row_int(r, 4);
    t->day = sw_row_int(r, 5);
    t->sender = sw_row_text(r, 6);
    t->country = sw_row_text(r, 7);
    t->key_class = sw_row_text(r, 8);
    t->ids = sw_row_blob(r, 9, &t->ids_len);
    t->dest_bi = sw_row_blob(r, 10, &n);
    t->duration = sw_row_int(r, 11);
    t->op = sw_row_text(r, 12);
    t->route = sw_row_text(r, 13);
    t->price = sw_row_text(r, 14);
    t->currency = sw_row_text(r, 15);
}
SW_ROWS(traffic_rows, sw_traffic_rec, traffic_row_of)

sw_status sw_traffic_probe(sw_store *s, int month,
                           const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n,
                           sw_traffic_cb cb, void *ctx)
{
    if (n > 128)
        return sw_fail(s, SW_ERR_LIMIT, "more than 128 day keys in a look-up");
    char sql[2048];
    int k = snprintf(
        sql, sizeof(sql),
        "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE dest_bi IN (", month);
    sw_val args[128];
    for (size_t i = 0; i < n; i++) {
        k += snprintf(sql + k, sizeof(sql) - (size_t)k, "%s?%zu", i ? "," : "",
                      i + 1);
        args[i] = sw_v_blob(blinds[i], SW_BLIND_BYTES);
    }
    snprintf(sql + k, sizeof(sql) - (size_t)k, ") ORDER BY at");
    traffic_rows_ctx c = {cb, ctx};
    return n ? sw_sql(s, "reading traffic", sql, args, n, traffic_rows, &c)
             : SW_OK;
}

sw_status sw_traffic_held(sw_store *s, int month, int64_t day,
                          const char *key_class, const char *period,
                          const char *activity, sw_traffic_cb cb, void *ctx)
{
    /* A hold on the whole activity keeps every row: checked first, so
     * that without one the look-up never scans the day. */
    int64_t all = 0;
    sw_status st =
        sw_sql_int(s, "checking holds", "SELECT " SW_HELD_ACTIVITY("?1"),
                   SW_ARGS(sw_v_text(activity)), &all);
    if (st != SW_OK)
        return st;
    char sql[2048];
#define DAY_ROWS "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = ?1 AND"
    if (all)
        snprintf(sql, sizeof(sql),
                 DAY_ROWS " key_class = ?2 AND CAST(?3 AS TEXT) IS NOT NULL",
                 month);
    else /* each branch an index look-up: (day, account), or the id ("+day"
            keeps the day's index out of it) */
        snprintf(sql, sizeof(sql),
                 DAY_ROWS
                 " key_class = ?2 AND account IN " SW_HELD_ACCOUNTS
                 " UNION " DAY_ROWS
                 " key_class = ?2 AND account IN " BILL_OPEN_3
                 " UNION SELECT " ROW_COLUMNS " FROM traffic_%d WHERE +day = ?1"
                 " AND key_class = ?2 AND ext_id IN " SW_HELD_DETAIL_RECORDS,
                 month, month, month);
#undef DAY_ROWS
    traffic_rows_ctx c = {cb, ctx};
    return sw_sql(
        s, "reading held traffic", sql,
        SW_ARGS(sw_v_int(day), sw_v_text(key_class), sw_v_text(period)),
        traffic_rows, &c);
}

sw_status sw_traffic_keyed(sw_store *s, int month, int64_t day,
                           const char *key_class, sw_traffic_cb cb, void *ctx)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = ?1 AND"
             " key_class = ?2",
             month);
    traffic_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading traffic", sql,
                  SW_ARGS(sw_v_int(day), sw_v_text(key_class)), traffic_rows,
                  &c);
}

sw_status sw_traffic_rekey(sw_store *s, int month, const char *ext_id,
                           const char *key_class, const uint8_t *ids,
                           size_t ids_len, const uint8_t blind[SW_BLIND_BYTES])
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = ?2, ids = ?3, dest_bi = ?4"
             " WHERE ext_id = ?1",
             month);
    return sw_sql_run(s, "re-keying traffic", sql,
                      SW_ARGS(sw_v_text(ext_id), sw_v_text(key_class),
                              sw_v_blob(ids, ids_len),
                              sw_v_blob(blind, SW_BLIND_BYTES)),
                      NULL);
}

sw_status sw_traffic_hold_keeps(sw_store *s, const char *activity,
                                const char *account, const char *ext_id,
                                bool *held)
{
    int64_t n = 0;
    sw_status st = sw_sql_int(
        s, "checking holds",
        "SELECT CASE WHEN " SW_HELD_ACTIVITY(
            "?1") " OR ?2 IN " SW_HELD_ACCOUNTS
                  " OR ?3 IN " SW_HELD_DETAIL_RECORDS " THEN 1 ELSE 0 END",
        SW_ARGS(sw_v_text(activity), sw_v_text(account), sw_v_text(ext_id)),
        &n);
    *held = n != 0;
    return st;
}

sw_status sw_traffic_strip(sw_store *s, int month, const char *ext_id)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = NULL, ids = NULL,"
             " dest_bi = NULL WHERE ext_id = ?1",
             month);
    return sw_sql_run(s, "stripping traffic identifiers", sql,
                      SW_ARGS(sw_v_text(ext_id)), NULL);
}

/* How many rows of a month with at < before something keeps */
static sw_status count_kept(sw_store *s, int month, sw_instant before,
                            const char *activity, int64_t *k)
{
    char sql[1024], period[8];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100, month % 100);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM traffic_%d WHERE at < ?1 AND " KEPT, month);
    return sw_sql_int(
        s, "counting kept traffic", sql,
        SW_ARGS(sw_v_int(before), sw_v_text(period), sw_v_text(activity)), k);
}

/* Deletes rows of a month with at < before that nothing keeps; counts
 * deleted and kept. */
static sw_status expire_rows(sw_store *s, int month, sw_instant before,
                             const char *activity, size_t *deleted,
                             size_t *kept)
{
    char sql[1024], period[8];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100, month % 100);
    snprintf(sql, sizeof(sql),
             "DELETE FROM traffic_%d WHERE at < ?1 AND NOT " KEPT, month);
    int64_t n = 0, k = 0;
    sw_status st = sw_sql_run(
        s, "deleting expired traffic", sql,
        SW_ARGS(sw_v_int(before), sw_v_text(period), sw_v_text(activity)), &n);
    if (st == SW_OK)
        st = count_kept(s, month, before, activity, &k);
    *deleted = (size_t)n;
    *kept = (size_t)k;
    return st;
}

typedef struct month_ctx {
    int (*cb)(int month, void *ctx);
    void *ctx;
} month_ctx;

static int month_row(const sw_row *r, void *p)
{
    month_ctx *c = p;
    return c->cb((int)sw_row_int(r, 0), c->ctx);
}

sw_status sw_traffic_months(sw_store *s, int (*cb)(int month, void *ctx),
                            void *ctx)
{
    month_ctx c = {cb, ctx};
    return sw_sql(s, "listing traffic months",
                  "SELECT month FROM traffic_months ORDER BY month", SW_NOARGS,
                  month_row, &c);
}

sw_status sw_bills_settled_delete(sw_store *s, const char *period, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(s, "removing settled bills",
                              "DELETE FROM bills WHERE period < ?1 AND status"
                              " NOT IN ('unpaid', 'disputed')",
                              SW_ARGS(sw_v_text(period)), &k);
    *n = (size_t)k;
    return st;
}

/* The month's table and its entry gone */
static sw_status drop_month(sw_store *s, int month)
{
    char sql[256];
    sw_sql_forget(s); /* statements on the table go first */
    snprintf(sql, sizeof(sql),
             "DROP TABLE traffic_%d; DELETE FROM traffic_months WHERE"
             " month = %d;",
             month, month);
    return sw_sql_exec(s, "dropping a month of traffic", sql);
}

/* Drops a month's table when it holds no row; *dropped says if so. */
static sw_status drop_empty(sw_store *s, int month, bool *dropped)
{
    char sql[256];
    *dropped = false;
    snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM traffic_%d)",
             month);
    int64_t any = 1;
    sw_status st =
        sw_sql_int(s, "checking a month of traffic", sql, SW_NOARGS, &any);
    if (st != SW_OK || any)
        return st;
    st = drop_month(s, month);
    *dropped = st == SW_OK;
    return st;
}

sw_status sw_traffic_expire_month(sw_store *s, int month, sw_instant before,
                                  const char *activity, bool whole,
                                  size_t *deleted, size_t *kept, bool *dropped)
{
    *deleted = *kept = 0;
    *dropped = false;
    int64_t k = 1, n = 0;
    sw_status st = whole ? count_kept(s, month, before, activity, &k) : SW_OK;
    if (st != SW_OK)
        return st;
    if (k > 0) { /* rows deleted one by one; an emptied month dropped */
        st = expire_rows(s, month, before, activity, deleted, kept);
        return st == SW_OK ? drop_empty(s, month, dropped) : st;
    }
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM traffic_%d", month);
    if ((st = sw_sql_int(s, "counting a month of traffic", sql, SW_NOARGS,
                         &n)) != SW_OK ||
        (st = drop_month(s, month)) != SW_OK)
        return st;
    *deleted = (size_t)n;
    *dropped = true;
    return SW_OK;
}

sw_status sw_traffic_warm_month(sw_store *s, int month)
{
    if (!(s->drv->caps & SW_DRV_LOCAL))
        return SW_OK; /* a server's buffers are every connection's */
    char sql[256];
    int64_t n;
    /* only the indexed column: the destinations' index, read whole */
    snprintf(sql, sizeof(sql),
             "SELECT count(dest_bi) FROM traffic_%d WHERE dest_bi IS NOT NULL",
             month);
    return sw_sql_int(s, "reading a month's index of destinations", sql,
                      SW_NOARGS, &n);
}
