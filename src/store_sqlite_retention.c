/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend, part two: legal holds, the record sweep (set-based,
 * one batch per call), bills, traffic day keys and the traffic tables, one
 * per month so that a month past its 10 years is dropped whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

/* An active hold covers record r (of subject s) through the record, its
 * subject, its subject's account or its activity. */
#define HELD_RECORD                                                           \
    "EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND ("         \
    " (h.scope = 0 AND h.scope_key = CAST(r.id AS BLOB)) OR"                  \
    " (h.scope = 1 AND h.scope_key = CAST(r.subject_id AS BLOB)) OR"          \
    " (h.scope = 2 AND h.scope_key = s.account_bi) OR"                        \
    " (h.scope = 4 AND h.scope_key = CAST(r.activity AS BLOB))))"

sw_status lite_hold_insert(void *impl, const sw_hold_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO holds(id, kind, scope, scope_key, target, reason,"
           " placed_at, placed_by) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_text(st, 2, r->kind);
    sqlite3_bind_int(st, 3, (int)r->scope);
    bind_blob(st, 4, r->key, r->key_len);
    bind_text(st, 5, r->target);
    bind_text(st, 6, r->reason);
    sqlite3_bind_int64(st, 7, r->placed_at);
    bind_text(st, 8, r->placed_by);
    return run(l, st, "placing a hold");
}

sw_status lite_hold_release(void *impl, const char *id, sw_instant at,
                              const char *by)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "SELECT released_at IS NOT NULL FROM holds WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    int released = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(l, status_of(rc), "releasing a hold");
    if (released < 0) {
        snprintf(l->err, sizeof(l->err), "no hold %s", id);
        return SW_ERR_NOTFOUND;
    }
    if (released) {
        snprintf(l->err, sizeof(l->err), "hold %s is already released", id);
        return SW_ERR_CONFLICT;
    }
    st = prep_sql(l, "UPDATE holds SET released_at = ?2, released_by = ?3"
                     " WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    bind_text(st, 3, by);
    return run(l, st, "releasing a hold");
}

sw_status lite_hold_list(void *impl, bool all, sw_hold_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT id, kind, scope, target, reason, placed_at, placed_by,"
           " released_at FROM holds WHERE ?1 OR released_at IS NULL"
           " ORDER BY released_at IS NOT NULL, placed_at, id");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int(st, 1, all);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_hold_row r;
        memset(&r, 0, sizeof(r));
        r.id = (const char *)sqlite3_column_text(st, 0);
        r.kind = (const char *)sqlite3_column_text(st, 1);
        r.scope = (sw_scope_kind)sqlite3_column_int(st, 2);
        r.target = (const char *)sqlite3_column_text(st, 3);
        r.reason = (const char *)sqlite3_column_text(st, 4);
        r.placed_at = sqlite3_column_int64(st, 5);
        r.placed_by = (const char *)sqlite3_column_text(st, 6);
        r.released = sqlite3_column_type(st, 7) != SQLITE_NULL;
        r.released_at = sqlite3_column_int64(st, 7);
        if (cb(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "listing holds");
}

/* ---- the record sweep ---- */

#define DUE_COLUMNS                                                           \
    "r.id, r.subject_id, r.activity, r.category, r.collected_at,"            \
    " r.due_at, r.rule"
/* RETURNING names the deleted table's columns without an alias. */
#define RETURNED                                                              \
    "id, subject_id, activity, category, collected_at, due_at, rule"

/* Hands each row of a statement of DUE_COLUMNS to cb; *n: rows read,
 * *stopped: cb asked to stop. */
static int take_rows(sqlite3_stmt *st, sw_record_cb cb, void *ctx, size_t *n,
                     bool *stopped)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_record_row r;
        memset(&r, 0, sizeof(r));
        r.id = (const char *)sqlite3_column_text(st, 0);
        r.subject = (const char *)sqlite3_column_text(st, 1);
        r.activity = (const char *)sqlite3_column_text(st, 2);
        r.category = (const char *)sqlite3_column_text(st, 3);
        r.collected_at = sqlite3_column_int64(st, 4);
        r.has_due = true;
        r.due_at = sqlite3_column_int64(st, 5);
        r.rule = (const char *)sqlite3_column_text(st, 6);
        (*n)++;
        if (!*stopped && cb(&r, ctx))
            *stopped = true;
    }
    return rc;
}

/* Whether any event is recorded on a record. */
static sw_status record_events_exist(lite *l, bool *any)
{
    *any = true;
    sqlite3_stmt *st =
        prep_sql(l, "SELECT EXISTS (SELECT 1 FROM events WHERE scope = 0)");
    if (!st)
        return SW_ERR_STORE;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *any = sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SW_OK
                            : fail(l, status_of(rc), "checking record events");
}

/* Without holds a batch is a range of the due index: its end is the
 * limit-th due entry (an index-only read). Its rows are read, then deleted
 * by a second walk of the range: the read brings the pages into the cache
 * the DELETE then finds them in, and a DELETE without RETURNING deletes in
 * one pass (DELETE ... RETURNING costs a quarter more). When events is
 * true, the events recorded on the range's records go first. */
static sw_status take_range(lite *l, sw_instant now, size_t limit,
                            bool events, sw_record_cb cb, void *ctx, size_t *n)
{
    bool bounded = false;
    sqlite3_int64 end_due = now, end_row = 0;
    sqlite3_stmt *st;
    int rc;
    if (limit) {
        if (!(st = prep_sql(l, "SELECT due_at, rowid FROM records"
                               " WHERE due_at <= ?1 ORDER BY due_at, rowid"
                               " LIMIT 1 OFFSET ?2")))
            return SW_ERR_STORE;
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)limit - 1);
        rc = sqlite3_step(st);
        if ((bounded = rc == SQLITE_ROW)) {
            end_due = sqlite3_column_int64(st, 0);
            end_row = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return fail(l, status_of(rc), "taking due records");
    }
#define RANGE " WHERE due_at <= ?1 AND (NOT ?2 OR due_at < ?1 OR rowid <= ?3)"
    static const char *const text[3] = {
        "SELECT " RETURNED " FROM records" RANGE,
        "DELETE FROM events WHERE scope = 0 AND scope_key IN"
        " (SELECT CAST(id AS BLOB) FROM records" RANGE ")",
        "DELETE FROM records" RANGE};
#undef RANGE
    bool stopped = false;
    for (int i = 0; i < 3; i++) {
        if (i == 1 && !events)
            continue;
        if (!(st = prep_sql(l, text[i])))
            return SW_ERR_STORE;
        sqlite3_bind_int64(st, 1, end_due);
        sqlite3_bind_int(st, 2, bounded);
        sqlite3_bind_int64(st, 3, end_row);
        rc = i == 0 ? take_rows(st, cb, ctx, n, &stopped) : sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return fail(l, status_of(rc), "taking due records");
        if (stopped)
            return SW_OK; /* the caller fails the batch: nothing deleted */
    }
    if ((size_t)sqlite3_changes(l->db) != *n) {
        snprintf(l->err, sizeof(l->err),
                 "sweep: %zu due records read but %d deleted", *n,
                 sqlite3_changes(l->db));
        return SW_ERR_STORE;
    }
    return SW_OK;
}

/* ?1 the sweep's instant, ?2 the batch's size (-1: all). */
static void bind_batch(sqlite3_stmt *st, sw_instant now, size_t limit)
{
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
}

sw_status lite_sweep_take(void *impl, sw_instant now, size_t limit,
                          bool dry_run, sw_record_cb cb, void *ctx, size_t *n)
{
    lite *l = impl;
    *n = 0;
    /* Without any active hold the due range is read straight. */
    sqlite3_stmt *st = prep_sql(
        l, "SELECT EXISTS (SELECT 1 FROM holds WHERE released_at IS NULL)");
    if (!st)
        return SW_ERR_STORE;
    int rc = sqlite3_step(st);
    int holds = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(l, status_of(rc), "checking holds");
    bool events = false;
    sw_status s;
    if (!dry_run && (s = record_events_exist(l, &events)) != SW_OK)
        return s;
    if (!holds && !dry_run)
        return take_range(l, now, limit, events, cb, ctx, n);
/* The batch when holds are active: the first due records none covers. */
#define UNHELD_DUE                                                            \
    " FROM records r LEFT JOIN subjects s ON s.id = r.subject_id WHERE"       \
    " r.due_at <= ?1 AND NOT " HELD_RECORD " ORDER BY r.due_at, r.rowid"      \
    " LIMIT ?2"
    static const char *const text[2][2] = {
        /* [holds][dry_run]; without holds a sweep takes a range */
        {NULL,
         "SELECT " DUE_COLUMNS " FROM records r WHERE r.due_at <= ?1"
         " ORDER BY r.due_at LIMIT ?2"},
        {"DELETE FROM records WHERE rowid IN (SELECT r.rowid" UNHELD_DUE
         ") RETURNING " RETURNED,
         "SELECT " DUE_COLUMNS UNHELD_DUE},
    };
    if (holds && events && !dry_run) { /* the batch's records' events first */
        if (!(st = prep_sql(l, "DELETE FROM events WHERE scope = 0 AND"
                               " scope_key IN (SELECT CAST(r.id AS BLOB)"
                               UNHELD_DUE ")")))
            return SW_ERR_STORE;
        bind_batch(st, now, limit);
        if ((s = run(l, st, "deleting the batch's events")) != SW_OK)
            return s;
    }
#undef UNHELD_DUE
    if (!(st = prep_sql(l, text[holds][dry_run])))
        return SW_ERR_STORE;
    bind_batch(st, now, limit);
    bool stopped = false; /* a DELETE must still run to its end */
    rc = take_rows(st, cb, ctx, n, &stopped);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SW_OK
                             : fail(l, status_of(rc), "taking due records");
}

sw_status lite_aggregate_add(void *impl, const char *activity,
                             const char *category, const char *month,
                             const char *rule, size_t count)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO aggregates(activity, category, month, rule, count)"
           " VALUES(?1,?2,?3,?4,?5) ON CONFLICT DO UPDATE"
           " SET count = count + excluded.count");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, activity);
    bind_text(st, 2, category);
    bind_text(st, 3, month);
    bind_text(st, 4, rule);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)count);
    return run(l, st, "adding to the aggregates");
}

sw_status lite_subject_remove_if_empty(void *impl, const char *id,
                                       bool *removed)
{
    lite *l = impl;
    *removed = false;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT EXISTS (SELECT 1 FROM records WHERE subject_id = ?1)");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    int any = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(l, status_of(rc), "checking a subject's records");
    if (any)
        return SW_OK;
    sw_erase_result counts;
    sw_status s = lite_subject_destroy_key(l, id);
    if (s == SW_OK)
        s = lite_subject_delete(l, id, &counts);
    *removed = s == SW_OK;
    return s;
}

sw_status lite_record_events_delete(void *impl, const char *record_id)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "DELETE FROM events WHERE scope = 0 AND scope_key = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, record_id, strlen(record_id));
    return run(l, st, "deleting the events of a deleted record");
}

sw_status lite_sweep_held(void *impl, sw_instant now, sw_held_cb cb,
                            void *ctx, size_t *total)
{
    lite *l = impl;
    *total = 0;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT count(*) FROM records r LEFT JOIN subjects s"
           " ON s.id = r.subject_id WHERE r.due_at <= ?1 AND " HELD_RECORD);
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *total = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(l, status_of(rc), "counting held records");
    if (!*total)
        return SW_OK;
    st = prep_sql(
        l, "SELECT h.id, h.kind, count(*) FROM records r LEFT JOIN subjects s"
           " ON s.id = r.subject_id JOIN holds h ON h.released_at IS NULL AND"
           " ((h.scope = 0 AND h.scope_key = CAST(r.id AS BLOB)) OR"
           " (h.scope = 1 AND h.scope_key = CAST(r.subject_id AS BLOB)) OR"
           " (h.scope = 2 AND h.scope_key = s.account_bi) OR"
           " (h.scope = 4 AND h.scope_key = CAST(r.activity AS BLOB)))"
           " WHERE r.due_at <= ?1 GROUP BY h.id, h.kind ORDER BY h.id");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0),
               (const char *)sqlite3_column_text(st, 1),
               (size_t)sqlite3_column_int64(st, 2), ctx))
            break;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "counting held records");
}

/* ---- bills and day keys ---- */

sw_status lite_bill_set(void *impl, const char *account, const char *period,
                          const char *status, sw_instant at)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO bills(account, period, status, updated_at)"
           " VALUES(?1,?2,?3,?4) ON CONFLICT(account, period) DO UPDATE"
           " SET status = excluded.status, updated_at = excluded.updated_at");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, account);
    bind_text(st, 2, period);
    bind_text(st, 3, status);
    sqlite3_bind_int64(st, 4, at);
    return run(l, st, "recording a bill");
}

sw_status lite_epoch_get(void *impl, int64_t day, const char *key_class,
                           uint8_t wrapped[SW_WRAPPED_BYTES])
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT wrapped FROM epoch_keys WHERE day = ?1 AND class = ?2");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, day);
    bind_text(st, 2, key_class);
    int rc = sqlite3_step(st);
    sw_status s = SW_ERR_NOTFOUND;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SW_WRAPPED_BYTES) {
        memcpy(wrapped, sqlite3_column_blob(st, 0), SW_WRAPPED_BYTES);
        s = SW_OK;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        s = fail(l, status_of(rc), "reading a day key");
    }
    sqlite3_reset(st);
    return s;
}

sw_status lite_epoch_put(void *impl, int64_t day, const char *key_class,
                           const uint8_t wrapped[SW_WRAPPED_BYTES],
                           bool has_due, sw_instant due)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(l, "INSERT INTO epoch_keys(day, class,"
                                   " wrapped, due_at) VALUES(?1,?2,?3,?4)");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, day);
    bind_text(st, 2, key_class);
    bind_blob(st, 3, wrapped, SW_WRAPPED_BYTES);
    if (has_due)
        sqlite3_bind_int64(st, 4, due);
    return run(l, st, "creating a day key");
}

static sw_status scan_epochs(lite *l, sqlite3_stmt *st, sw_epoch_cb cb,
                             void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb(sqlite3_column_int64(st, 0),
               (const char *)sqlite3_column_text(st, 1),
               sqlite3_column_blob(st, 2),
               (size_t)sqlite3_column_bytes(st, 2), ctx))
            break;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "reading day keys");
}

sw_status lite_epoch_list(void *impl, sw_epoch_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(l, "SELECT day, class, wrapped FROM"
                                   " epoch_keys ORDER BY day, class");
    return st ? scan_epochs(l, st, cb, ctx) : SW_ERR_STORE;
}

sw_status lite_epoch_due(void *impl, sw_instant now, sw_epoch_cb cb,
                           void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT day, class, wrapped FROM epoch_keys WHERE due_at <= ?1"
           " ORDER BY day, class");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    return scan_epochs(l, st, cb, ctx);
}

sw_status lite_epoch_delete(void *impl, int64_t day, const char *key_class)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "DELETE FROM epoch_keys WHERE day = ?1 AND class = ?2");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, day);
    bind_text(st, 2, key_class);
    return run(l, st, "destroying a day key");
}

/* ---- traffic tables ---- */

#define ROW_COLUMNS                                                           \
    "ext_id, account, account_bi, channel, at, day, sender, country,"        \
    " key_class, ids, dest_bi, duration, op, route, price, currency"

sw_status lite_traffic_month(void *impl, int month)
{
    lite *l = impl;
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "CREATE TABLE IF NOT EXISTS traffic_%d(ext_id TEXT NOT NULL,"
             " account TEXT NOT NULL, account_bi BLOB NOT NULL,"
             " channel TEXT NOT NULL, at INTEGER NOT NULL, day INTEGER NOT "
             "NULL, sender TEXT, country TEXT, key_class TEXT, ids BLOB,"
             " dest_bi BLOB, duration INTEGER, op TEXT, route TEXT,"
             " price TEXT, currency TEXT);"
             "CREATE UNIQUE INDEX IF NOT EXISTS traffic_%d_id"
             " ON traffic_%d(ext_id);"
             "CREATE INDEX IF NOT EXISTS traffic_%d_dest ON traffic_%d(dest_bi)"
             " WHERE dest_bi IS NOT NULL;"
             "CREATE INDEX IF NOT EXISTS traffic_%d_day"
             " ON traffic_%d(day, account);"
             "INSERT OR IGNORE INTO traffic_months(month) VALUES(%d);",
             month, month, month, month, month, month, month, month);
    return lite_exec(l, sql, "creating a month of traffic");
}

sw_status lite_traffic_insert(void *impl, int month, const sw_traffic_rec *r)
{
    lite *l = impl;
    sqlite3_stmt *st = l->ins_month == month ? l->ins_st : NULL;
    if (st) { /* the hot path of an ingest: no SQL text per row */
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO traffic_%d(" ROW_COLUMNS ") VALUES(?1,?2,?3,?4,"
                 "?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
                 month);
        if (!(st = prep_sql(l, sql)))
            return SW_ERR_STORE;
        l->ins_month = month;
        l->ins_st = st;
    }
    bind_text(st, 1, r->ext_id);
    bind_text(st, 2, r->account);
    bind_blob(st, 3, r->account_bi, SW_BLIND_BYTES);
    bind_text(st, 4, r->channel);
    sqlite3_bind_int64(st, 5, r->at);
    sqlite3_bind_int64(st, 6, r->day);
    bind_text(st, 7, r->sender);
    bind_text(st, 8, r->country);
    bind_text(st, 9, r->key_class);
    bind_blob(st, 10, r->ids, r->ids_len);
    bind_blob(st, 11, r->dest_bi, SW_BLIND_BYTES);
    sqlite3_bind_int64(st, 12, r->duration);
    bind_text(st, 13, r->op);
    bind_text(st, 14, r->route);
    bind_text(st, 15, r->price);
    bind_text(st, 16, r->currency);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT) {
        snprintf(l->err, sizeof(l->err), "detail record id '%s' exists",
                 r->ext_id);
        return SW_ERR_CONFLICT;
    }
    return rc == SQLITE_DONE ? SW_OK
                             : fail(l, status_of(rc), "storing traffic");
}

sw_status lite_traffic_flush(void *impl,
                             int (*cb)(const char *ext_id, void *ctx),
                             void *ctx)
{
    (void)impl; /* each row went in (or was refused) at once */
    (void)cb;
    (void)ctx;
    return SW_OK;
}

static sw_status scan_traffic(lite *l, sqlite3_stmt *st, sw_traffic_cb cb,
                              void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_traffic_rec r;
        memset(&r, 0, sizeof(r));
        r.ext_id = (const char *)sqlite3_column_text(st, 0);
        r.account = (const char *)sqlite3_column_text(st, 1);
        r.account_bi = sqlite3_column_blob(st, 2);
        r.channel = (const char *)sqlite3_column_text(st, 3);
        r.at = sqlite3_column_int64(st, 4);
        r.day = sqlite3_column_int64(st, 5);
        r.sender = (const char *)sqlite3_column_text(st, 6);
        r.country = (const char *)sqlite3_column_text(st, 7);
        r.key_class = (const char *)sqlite3_column_text(st, 8);
        r.ids = sqlite3_column_blob(st, 9);
        r.ids_len = (size_t)sqlite3_column_bytes(st, 9);
        r.dest_bi = sqlite3_column_blob(st, 10);
        r.duration = sqlite3_column_int64(st, 11);
        r.op = (const char *)sqlite3_column_text(st, 12);
        r.route = (const char *)sqlite3_column_text(st, 13);
        r.price = (const char *)sqlite3_column_text(st, 14);
        r.currency = (const char *)sqlite3_column_text(st, 15);
        if (cb(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "reading traffic");
}

sw_status lite_traffic_probe(void *impl, int month,
                             const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n,
                             sw_traffic_cb cb, void *ctx)
{
    lite *l = impl;
    char sql[8192];
    int k = snprintf(sql, sizeof(sql),
                     "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE dest_bi IN (",
                     month);
    for (size_t i = 0; i < n && k < (int)sizeof(sql) - 32; i++)
        k += snprintf(sql + k, sizeof(sql) - (size_t)k, "%s?%zu", i ? "," : "",
                      i + 1);
    snprintf(sql + k, sizeof(sql) - (size_t)k, ") ORDER BY at");
    sqlite3_stmt *st = prep_sql(l, sql);
    if (!st)
        return SW_ERR_STORE;
    for (size_t i = 0; i < n; i++)
        bind_blob(st, (int)i + 1, blinds[i], SW_BLIND_BYTES);
    return scan_traffic(l, st, cb, ctx);
}

/* Rows a hold or an unpaid or disputed bill keeps, as a union of four
 * indexed look-ups: a hold on the account, a bill of the account for the
 * period, a hold on the detail record, a hold on the whole activity (a
 * constant condition SQLite evaluates once). */
sw_status lite_traffic_held(void *impl, int month, int64_t day,
                            const char *key_class, const char *period,
                            const char *activity, sw_traffic_cb cb, void *ctx)
{
    lite *l = impl;
    /* A hold on the whole activity keeps every row: checked first, so
     * that without one the look-up never scans the day. */
    sqlite3_stmt *st = prep_sql(
        l, "SELECT EXISTS (SELECT 1 FROM holds WHERE scope = 4 AND"
           " released_at IS NULL AND target = ?1)");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, activity);
    int rc = sqlite3_step(st);
    int all = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(l, status_of(rc), "checking holds");
    char sql[2048], head[256], by_id[256];
    snprintf(head, sizeof(head),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = ?1 AND "
             "key_class = ?2",
             month);
    /* "+day": look the row up by its id, not by scanning the day */
    snprintf(by_id, sizeof(by_id),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE +day = ?1 AND "
             "key_class = ?2",
             month);
    if (all)
        snprintf(sql, sizeof(sql), "%s AND ?3 IS NOT NULL", head);
    else /* each branch an index look-up: (day, account) or the id */
        snprintf(sql, sizeof(sql),
                 "%s AND account IN (SELECT target FROM holds WHERE scope = 2"
                 " AND released_at IS NULL) UNION %s AND account IN (SELECT"
                 " account FROM bills WHERE period = ?3 AND status IN"
                 " ('unpaid', 'disputed')) UNION %s AND ext_id IN (SELECT"
                 " target FROM holds WHERE scope = 0 AND released_at IS NULL)",
                 head, head, by_id);
    if (!(st = prep_sql(l, sql)))
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, day);
    bind_text(st, 2, key_class);
    bind_text(st, 3, period);
    return scan_traffic(l, st, cb, ctx);
}

sw_status lite_traffic_keyed(void *impl, int month, int64_t day,
                               const char *key_class, sw_traffic_cb cb,
                               void *ctx)
{
    lite *l = impl;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = ?1 AND"
             " key_class = ?2",
             month);
    sqlite3_stmt *st = prep_sql(l, sql);
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, day);
    bind_text(st, 2, key_class);
    return scan_traffic(l, st, cb, ctx);
}

sw_status lite_traffic_rekey(void *impl, int month, const char *ext_id,
                               const char *key_class, const uint8_t *ids,
                               size_t ids_len,
                               const uint8_t blind[SW_BLIND_BYTES])
{
    lite *l = impl;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = ?2, ids = ?3, dest_bi = ?4"
             " WHERE ext_id = ?1",
             month);
    sqlite3_stmt *st = prep_sql(l, sql);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, ext_id);
    bind_text(st, 2, key_class);
    bind_blob(st, 3, ids, ids_len);
    bind_blob(st, 4, blind, SW_BLIND_BYTES);
    return run(l, st, "re-keying traffic");
}

sw_status lite_traffic_strip(void *impl, int month, const char *ext_id)
{
    lite *l = impl;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = NULL, ids = NULL,"
             " dest_bi = NULL WHERE ext_id = ?1",
             month);
    sqlite3_stmt *st = prep_sql(l, sql);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, ext_id);
    return run(l, st, "stripping traffic identifiers");
}

sw_status lite_traffic_expire(void *impl, int month, sw_instant before,
                              const char *activity, size_t *deleted,
                              size_t *kept)
{
    lite *l = impl;
    char sql[1024], period[8];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100, month % 100);
    const char *keep =
        "(account IN (SELECT target FROM holds WHERE scope = 2 AND"
        " released_at IS NULL) OR account IN (SELECT account FROM bills"
        " WHERE period = ?2 AND status IN ('unpaid', 'disputed')) OR"
        " ext_id IN (SELECT target FROM holds WHERE scope = 0 AND"
        " released_at IS NULL) OR EXISTS (SELECT 1 FROM holds WHERE"
        " scope = 4 AND released_at IS NULL AND target = ?3))";
    snprintf(sql, sizeof(sql), "DELETE FROM traffic_%d WHERE at < ?1 AND NOT %s",
             month, keep);
    sqlite3_stmt *st = prep_sql(l, sql);
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, before);
    bind_text(st, 2, period);
    bind_text(st, 3, activity);
    sw_status s = run(l, st, "deleting expired traffic");
    if (s != SW_OK)
        return s;
    *deleted = (size_t)sqlite3_changes(l->db);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM traffic_%d WHERE at < ?1 AND %s", month,
             keep);
    if (!(st = prep_sql(l, sql)))
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, before);
    bind_text(st, 2, period);
    bind_text(st, 3, activity);
    int rc = sqlite3_step(st);
    *kept = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SW_OK
                            : fail(l, status_of(rc), "counting kept traffic");
}

sw_status lite_traffic_months(void *impl, int (*cb)(int month, void *ctx),
                                void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "SELECT month FROM traffic_months ORDER BY month");
    if (!st)
        return SW_ERR_STORE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb(sqlite3_column_int(st, 0), ctx))
            break;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "listing traffic months");
}

/* Reads a month's index of destinations from end to end: its pages are
 * then mapped into this connection, and a look-up no longer pays a page
 * fault for each of the day indexes it probes. */
sw_status lite_traffic_warm(void *impl, int month)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM traffic_%d INDEXED BY traffic_%d_dest"
             " WHERE dest_bi IS NOT NULL",
             month, month);
    return lite_exec(impl, sql, "reading a month's index of destinations");
}

sw_status lite_traffic_drop_empty(void *impl, int month, bool *dropped)
{
    lite *l = impl;
    char sql[256];
    *dropped = false;
    snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM traffic_%d)",
             month);
    sqlite3_stmt *st = prep_sql(l, sql);
    if (!st)
        return SW_ERR_STORE;
    int rc = sqlite3_step(st);
    int any = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(l, status_of(rc), "checking a month of traffic");
    if (any)
        return SW_OK;
    lite_forget_dyn(l); /* statements on the table must go first */
    snprintf(sql, sizeof(sql),
             "DROP TABLE traffic_%d; DELETE FROM traffic_months WHERE"
             " month = %d;",
             month, month);
    sw_status s = lite_exec(l, sql, "dropping a month of traffic");
    *dropped = s == SW_OK;
    return s;
}

