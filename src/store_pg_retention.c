/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL backend, part two: legal holds, the record sweep, bills,
 * traffic day keys and months (see the backend table in store_int.h).
 * Traffic lives in one native partition per month of `traffic`, so a month
 * past its ten years is dropped whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* ---- holds and the record sweep ---- */

/* An active hold covers record r (of subject s) through the record, its
 * subject, its subject's account or its activity. */
#define HELD_RECORD                                                            \
    "EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND ("          \
    " (h.scope = 0 AND h.scope_key = convert_to(r.id, 'UTF8')) OR"             \
    " (h.scope = 1 AND h.scope_key = convert_to(r.subject_id, 'UTF8')) OR"     \
    " (h.scope = 2 AND h.scope_key = s.account_bi) OR"                         \
    " (h.scope = 4 AND h.scope_key = convert_to(r.activity, 'UTF8'))))"

sw_status pg_hold_insert(void *impl, const sw_hold_row *r)
{
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_txt(&a, r->kind);
    pg_arg_int(&a, (int64_t)r->scope);
    pg_arg_blob(&a, r->key, r->key_len);
    pg_arg_txt(&a, r->target);
    pg_arg_txt(&a, r->reason);
    pg_arg_int(&a, r->placed_at);
    pg_arg_txt(&a, r->placed_by);
    return pg_run(
        impl,
        "INSERT INTO holds(id, kind, scope, scope_key, target, reason,"
        " placed_at, placed_by) VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
        &a, "placing a hold", NULL);
}

sw_status pg_hold_release(void *impl, const char *id, sw_instant at,
                          const char *by)
{
    pgs *p = impl;
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r =
        pg_q(p, "SELECT released_at IS NOT NULL FROM holds WHERE id = $1", &a,
             "releasing a hold", &st);
    if (!r)
        return st;
    int released = PQntuples(r) == 1 ? (int)pg_col_i64(r, 0, 0) : -1;
    PQclear(r);
    if (released < 0) {
        snprintf(p->err, sizeof(p->err), "no hold %s", id);
        return SW_ERR_NOTFOUND;
    }
    if (released) {
        snprintf(p->err, sizeof(p->err), "hold %s is already released", id);
        return SW_ERR_CONFLICT;
    }
    pg_arg_int(&a, at);
    pg_arg_txt(&a, by);
    return pg_run(p,
                  "UPDATE holds SET released_at = $2, released_by = $3"
                  " WHERE id = $1",
                  &a, "releasing a hold", NULL);
}

sw_status pg_hold_list(void *impl, bool all, sw_hold_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, all ? "true" : "false");
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT id, kind, scope, target, reason, placed_at,"
                       " placed_by, released_at FROM holds WHERE $1::boolean OR"
                       " released_at IS NULL ORDER BY released_at IS NOT NULL,"
                       " placed_at, id",
                       &a, "listing holds", &st);
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_hold_row h;
        memset(&h, 0, sizeof(h));
        h.id = pg_col_txt(r, i, 0);
        h.kind = pg_col_txt(r, i, 1);
        h.scope = (sw_scope_kind)pg_col_i64(r, i, 2);
        h.target = pg_col_txt(r, i, 3);
        h.reason = pg_col_txt(r, i, 4);
        h.placed_at = pg_col_i64(r, i, 5);
        h.placed_by = pg_col_txt(r, i, 6);
        h.released = !pg_col_null(r, i, 7);
        h.released_at = pg_col_i64(r, i, 7);
        if (cb(&h, ctx))
            break;
    }
    PQclear(r);
    return st;
}

#define DUE_COLUMNS                                                            \
    "r.id, r.subject_id, r.activity, r.category, r.collected_at,"              \
    " r.due_at, r.rule"

sw_status pg_sweep_take(void *impl, sw_instant now, size_t limit, bool dry_run,
                        sw_record_cb cb, void *ctx, size_t *n)
{
    *n = 0;
    pg_args a = {0};
    pg_arg_int(&a, now);
    if (limit)
        pg_arg_int(&a, (int64_t)limit);
    else
        pg_arg_txt(&a, NULL); /* LIMIT NULL: all */
    sw_status st;
    PGresult *r = pg_q(
        impl,
        dry_run ? "SELECT " DUE_COLUMNS " FROM records r LEFT JOIN subjects s"
                  " ON s.id = r.subject_id WHERE r.due_at <= $1 AND "
                  "NOT " HELD_RECORD " ORDER BY r.due_at LIMIT $2"
                : "WITH taken AS (DELETE FROM records WHERE id IN (SELECT r.id"
                  " FROM records r LEFT JOIN subjects s ON s.id ="
                  " r.subject_id WHERE r.due_at <= $1 AND NOT " HELD_RECORD
                  " ORDER BY r.due_at LIMIT $2) RETURNING id, subject_id,"
                  " activity, category, collected_at, due_at, rule),"
                  /* the events recorded on them go with them */
                  " gone AS (DELETE FROM events WHERE scope = 0 AND"
                  " scope_key IN (SELECT convert_to(id, 'UTF8') FROM taken))"
                  " SELECT * FROM taken",
        &a, "taking due records", &st);
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_record_row row;
        memset(&row, 0, sizeof(row));
        row.id = pg_col_txt(r, i, 0);
        row.subject = pg_col_txt(r, i, 1);
        row.activity = pg_col_txt(r, i, 2);
        row.category = pg_col_txt(r, i, 3);
        row.collected_at = pg_col_i64(r, i, 4);
        row.has_due = true;
        row.due_at = pg_col_i64(r, i, 5);
        row.rule = pg_col_txt(r, i, 6);
        (*n)++;
        if (cb(&row, ctx))
            break; /* the caller fails the batch: nothing is deleted */
    }
    PQclear(r);
    return st;
}

sw_status pg_aggregate_add(void *impl, const char *activity,
                           const char *category, const char *month,
                           const char *rule, size_t count)
{
    pg_args a = {0};
    pg_arg_txt(&a, activity);
    pg_arg_txt(&a, category);
    pg_arg_txt(&a, month);
    pg_arg_txt(&a, rule);
    pg_arg_int(&a, (int64_t)count);
    return pg_run(
        impl,
        "INSERT INTO aggregates(activity, category, month, rule, count)"
        " VALUES($1,$2,$3,$4,$5) ON CONFLICT(activity, category, month,"
        " rule) DO UPDATE SET count = aggregates.count + excluded.count",
        &a, "adding to the aggregates", NULL);
}

sw_status pg_subject_remove_if_empty(void *impl, const char *id, bool *removed)
{
    *removed = false;
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r = pg_q(
        impl, "SELECT EXISTS (SELECT 1 FROM records WHERE subject_id = $1)", &a,
        "checking a subject's records", &st);
    bool any = !r || pg_col_i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK || any)
        return st;
    sw_erase_result counts;
    if ((st = pg_subject_destroy_key(impl, id)) == SW_OK)
        st = pg_subject_delete(impl, id, &counts);
    *removed = st == SW_OK;
    return st;
}

sw_status pg_record_events_delete(void *impl, const char *record_id)
{
    pg_args a = {0};
    pg_arg_blob(&a, record_id, strlen(record_id));
    return pg_run(impl,
                  "DELETE FROM events WHERE scope = 0 AND scope_key = $1", &a,
                  "deleting the events of a deleted record", NULL);
}

sw_status pg_sweep_held(void *impl, sw_instant now, sw_held_cb cb, void *ctx,
                        size_t *total)
{
    *total = 0;
    pg_args a = {0};
    pg_arg_int(&a, now);
    sw_status st;
    PGresult *r =
        pg_q(impl,
             "SELECT count(*) FROM records r LEFT JOIN subjects s"
             " ON s.id = r.subject_id WHERE r.due_at <= $1 AND " HELD_RECORD,
             &a, "counting held records", &st);
    if (r)
        *total = (size_t)pg_col_i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK || !*total)
        return st;
    r = pg_q(
        impl,
        "SELECT h.id, h.kind, count(*) FROM records r LEFT JOIN subjects s"
        " ON s.id = r.subject_id JOIN holds h ON h.released_at IS NULL AND"
        " ((h.scope = 0 AND h.scope_key = convert_to(r.id, 'UTF8')) OR"
        " (h.scope = 1 AND h.scope_key = convert_to(r.subject_id, 'UTF8')) OR"
        " (h.scope = 2 AND h.scope_key = s.account_bi) OR"
        " (h.scope = 4 AND h.scope_key = convert_to(r.activity, 'UTF8')))"
        " WHERE r.due_at <= $1 GROUP BY h.id, h.kind ORDER BY h.id",
        &a, "counting held records", &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb(pg_col_txt(r, i, 0), pg_col_txt(r, i, 1),
               (size_t)pg_col_i64(r, i, 2), ctx))
            break;
    PQclear(r);
    return st;
}

sw_status pg_bill_set(void *impl, const char *account, const char *period,
                      const char *status, sw_instant at)
{
    pg_args a = {0};
    pg_arg_txt(&a, account);
    pg_arg_txt(&a, period);
    pg_arg_txt(&a, status);
    pg_arg_int(&a, at);
    return pg_run(
        impl,
        "INSERT INTO bills(account, period, status, updated_at)"
        " VALUES($1,$2,$3,$4) ON CONFLICT(account, period) DO UPDATE"
        " SET status = excluded.status, updated_at = excluded.updated_at",
        &a, "recording a bill", NULL);
}

/* ---- traffic day keys and months ---- */

sw_status pg_epoch_get(void *impl, int64_t day, const char *key_class,
                       uint8_t wrapped[SW_WRAPPED_BYTES])
{
    pg_args a = {0};
    pg_arg_int(&a, day);
    pg_arg_txt(&a, key_class);
    sw_status st;
    PGresult *r = pg_q(
        impl, "SELECT wrapped FROM epoch_keys WHERE day = $1 AND class = $2",
        &a, "reading a day key", &st);
    if (r && !(PQntuples(r) == 1 &&
               pg_col_blob_into(r, 0, 0, wrapped, SW_WRAPPED_BYTES)))
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

sw_status pg_epoch_put(void *impl, int64_t day, const char *key_class,
                       const uint8_t wrapped[SW_WRAPPED_BYTES], bool has_due,
                       sw_instant due)
{
    pg_args a = {0};
    pg_arg_int(&a, day);
    pg_arg_txt(&a, key_class);
    pg_arg_blob(&a, wrapped, SW_WRAPPED_BYTES);
    if (has_due)
        pg_arg_int(&a, due);
    else
        pg_arg_txt(&a, NULL);
    return pg_run(impl,
                  "INSERT INTO epoch_keys(day, class, wrapped, due_at)"
                  " VALUES($1,$2,$3,$4)",
                  &a, "creating a day key", NULL);
}

static sw_status scan_epochs(PGresult *r, sw_status st, sw_epoch_cb cb,
                             void *ctx)
{
    for (int i = 0; r && i < PQntuples(r); i++) {
        size_t n;
        const uint8_t *w = pg_col_blob(r, i, 2, &n);
        if (cb(pg_col_i64(r, i, 0), pg_col_txt(r, i, 1), w, n, ctx))
            break;
    }
    PQclear(r);
    return st;
}

sw_status pg_epoch_list(void *impl, sw_epoch_cb cb, void *ctx)
{
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT day, class, wrapped FROM epoch_keys"
                       " ORDER BY day, class",
                       NULL, "reading day keys", &st);
    return scan_epochs(r, st, cb, ctx);
}

sw_status pg_epoch_due(void *impl, sw_instant now, sw_epoch_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_int(&a, now);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT day, class, wrapped FROM epoch_keys"
                       " WHERE due_at <= $1 ORDER BY day, class",
                       &a, "reading day keys", &st);
    return scan_epochs(r, st, cb, ctx);
}

sw_status pg_epoch_delete(void *impl, int64_t day, const char *key_class)
{
    pg_args a = {0};
    pg_arg_int(&a, day);
    pg_arg_txt(&a, key_class);
    return pg_run(impl, "DELETE FROM epoch_keys WHERE day = $1 AND class = $2",
                  &a, "destroying a day key", NULL);
}

#define ROW_COLUMNS                                                            \
    "ext_id, account, account_bi, channel, at, day, sender, country,"          \
    " key_class, ids, dest_bi, duration, op, route, price, currency"

sw_status pg_traffic_month(void *impl, int month)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "CREATE TABLE IF NOT EXISTS traffic_%d PARTITION OF traffic"
             " FOR VALUES IN (%d);"
             "INSERT INTO traffic_months(month) VALUES(%d)"
             " ON CONFLICT DO NOTHING",
             month, month, month);
    return pg_exec(impl, sql, "creating a month of traffic");
}

/* COPY text: a field, escaped (tab, newline, backslash), or \N. */
static bool put_text(pgs *p, size_t *n, const char *s)
{
    size_t need = s ? 2 * strlen(s) + 2 : 3;
    if (*n + need + 1 > p->line_cap) {
        size_t cap = (*n + need + 1) * 2;
        char *l = realloc(p->line, cap);
        if (!l)
            return false;
        p->line = l;
        p->line_cap = cap;
    }
    if (!s) {
        memcpy(p->line + *n, "\\N", 2);
        *n += 2;
    }
    for (; s && *s; s++) {
        char c = *s;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            p->line[(*n)++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        p->line[(*n)++] = c;
    }
    p->line[(*n)++] = '\t';
    return true;
}

/* bytea in COPY text: \\x and hex digits. */
static bool put_bytes(pgs *p, size_t *n, const uint8_t *b, size_t len)
{
    if (!b)
        return put_text(p, n, NULL);
    char hex[2 * 1024 + 4];
    if (2 * len + 3 > sizeof(hex))
        return false;
    hex[0] = '\\';
    hex[1] = 'x';
    sw_hex(b, len, hex + 2);
    return put_text(p, n, hex);
}

/* Rows go to the partitioned table through one COPY that stays open
 * across inserts (an ingest's hot path: no round trip per row); the next
 * other statement ends it, and a refused row (a duplicate id) fails that
 * statement, so the ingest as a whole. */
sw_status pg_traffic_insert(void *impl, int month, const sw_traffic_rec *r)
{
    pgs *p = impl;
    if (!p->copying) {
        sw_status cst =
            pg_exec(p,
                    "CREATE TEMP TABLE IF NOT EXISTS traffic_stage"
                    " (LIKE traffic INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
                    "storing traffic");
        if (cst != SW_OK)
            return cst;
        PGresult *res = PQexec(p->c, "COPY traffic_stage(month, " ROW_COLUMNS
                                     ") FROM STDIN");
        sw_status st = PQresultStatus(res) == PGRES_COPY_IN
                           ? SW_OK
                           : pg_fail(p, res, "storing traffic");
        PQclear(res);
        if (st != SW_OK)
            return st;
        p->copying = true;
    }
    char num[3][24];
    snprintf(num[0], sizeof(num[0]), "%d", month);
    snprintf(num[1], sizeof(num[1]), "%lld", (long long)r->at);
    snprintf(num[2], sizeof(num[2]), "%lld", (long long)r->day);
    char dur[24];
    snprintf(dur, sizeof(dur), "%lld", (long long)r->duration);
    size_t n = 0;
    bool ok = put_text(p, &n, num[0]) && put_text(p, &n, r->ext_id) &&
              put_text(p, &n, r->account) &&
              put_bytes(p, &n, r->account_bi, SW_BLIND_BYTES) &&
              put_text(p, &n, r->channel) && put_text(p, &n, num[1]) &&
              put_text(p, &n, num[2]) && put_text(p, &n, r->sender) &&
              put_text(p, &n, r->country) && put_text(p, &n, r->key_class) &&
              put_bytes(p, &n, r->ids, r->ids_len) &&
              put_bytes(p, &n, r->dest_bi, r->dest_bi ? SW_BLIND_BYTES : 0) &&
              put_text(p, &n, dur) && put_text(p, &n, r->op) &&
              put_text(p, &n, r->route) && put_text(p, &n, r->price) &&
              put_text(p, &n, r->currency);
    if (!ok) {
        snprintf(p->err, sizeof(p->err), "out of memory storing traffic");
        return SW_ERR_NOMEM;
    }
    p->line[n - 1] = '\n'; /* the last tab ends the row */
    if (PQputCopyData(p->c, p->line, (int)n) != 1)
        return pg_fail(p, NULL, "storing traffic");
    p->staged++;
    return SW_OK;
}

/* The stage into traffic in one statement; the ids it already held are
 * the refused rows. */
sw_status pg_traffic_flush(void *impl, int (*cb)(const char *ext_id, void *ctx),
                           void *ctx)
{
    pgs *p = impl;
    if (!p->staged)
        return pg_copy_end(p);
    p->staged = 0;
    sw_status st;
    PGresult *r =
        pg_q(p,
             "WITH ins AS (INSERT INTO traffic SELECT * FROM"
             " traffic_stage ON CONFLICT DO NOTHING RETURNING month,"
             " ext_id) SELECT s.ext_id FROM traffic_stage s WHERE NOT"
             " EXISTS (SELECT 1 FROM ins WHERE ins.month = s.month AND"
             " ins.ext_id = s.ext_id)",
             NULL, "storing traffic", &st);
    for (int i = 0; r && cb && i < PQntuples(r); i++)
        if (cb(pg_col_txt(r, i, 0), ctx))
            break;
    PQclear(r);
    if (st == SW_OK)
        st = pg_exec(p, "TRUNCATE traffic_stage", "storing traffic");
    return st;
}

static sw_status scan_traffic(PGresult *r, sw_status st, sw_traffic_cb cb,
                              void *ctx)
{
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_traffic_rec t_;
        memset(&t_, 0, sizeof(t_));
        size_t n;
        t_.ext_id = pg_col_txt(r, i, 0);
        t_.account = pg_col_txt(r, i, 1);
        t_.account_bi = pg_col_blob(r, i, 2, &n);
        t_.channel = pg_col_txt(r, i, 3);
        t_.at = pg_col_i64(r, i, 4);
        t_.day = pg_col_i64(r, i, 5);
        t_.sender = pg_col_txt(r, i, 6);
        t_.country = pg_col_txt(r, i, 7);
        t_.key_class = pg_col_txt(r, i, 8);
        t_.ids = pg_col_blob(r, i, 9, &t_.ids_len);
        t_.dest_bi = pg_col_blob(r, i, 10, &n);
        t_.duration = pg_col_i64(r, i, 11);
        t_.op = pg_col_txt(r, i, 12);
        t_.route = pg_col_txt(r, i, 13);
        t_.price = pg_col_txt(r, i, 14);
        t_.currency = pg_col_txt(r, i, 15);
        if (cb(&t_, ctx))
            break;
    }
    PQclear(r);
    return st;
}

sw_status pg_traffic_probe(void *impl, int month,
                           const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n,
                           sw_traffic_cb cb, void *ctx)
{
    /* One parameter whatever n is (a month has up to 31 day keys, and
     * hold keys besides): a bytea[] in array text form, {"\\x0a1b",...}. */
    size_t each = 2 * SW_BLIND_BYTES + 6;
    char *list = malloc(n * each + 3);
    if (!list) {
        snprintf(((pgs *)impl)->err, sizeof(((pgs *)impl)->err),
                 "reading traffic: out of memory");
        return SW_ERR_NOMEM;
    }
    size_t k = 0;
    list[k++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            list[k++] = ',';
        memcpy(list + k, "\"\\\\x", 4);
        k += 4;
        sw_hex(blinds[i], SW_BLIND_BYTES, list + k);
        k += 2 * SW_BLIND_BYTES;
        list[k++] = '"';
    }
    list[k++] = '}';
    list[k] = '\0';
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE dest_bi ="
             " ANY($1::bytea[]) ORDER BY at",
             month);
    pg_args a = {0};
    pg_arg_txt(&a, list);
    sw_status st;
    PGresult *r = pg_q_dyn(impl, sql, &a, "reading traffic", &st);
    free(list);
    return scan_traffic(r, st, cb, ctx);
}

/* Rows a hold or an unpaid or disputed bill keeps (see the SQLite
 * backend: the same four look-ups). */
sw_status pg_traffic_held(void *impl, int month, int64_t day,
                          const char *key_class, const char *period,
                          const char *activity, sw_traffic_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, activity);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT EXISTS (SELECT 1 FROM holds WHERE scope = 4 AND"
                       " released_at IS NULL AND target = $1)",
                       &a, "checking holds", &st);
    bool all = r && pg_col_i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK)
        return st;
    char sql[2048], head[256];
    snprintf(head, sizeof(head),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = $1 AND "
             "key_class = $2",
             month);
    if (all)
        snprintf(sql, sizeof(sql), "%s AND $3::text IS NOT NULL", head);
    else
        snprintf(sql, sizeof(sql),
                 "%s AND (account IN (SELECT target FROM holds WHERE scope = 2"
                 " AND released_at IS NULL) OR account IN (SELECT account"
                 " FROM bills WHERE period = $3 AND status IN ('unpaid',"
                 " 'disputed')) OR ext_id IN (SELECT target FROM holds WHERE"
                 " scope = 0 AND released_at IS NULL))",
                 head);
    pg_args b = {0};
    pg_arg_int(&b, day);
    pg_arg_txt(&b, key_class);
    pg_arg_txt(&b, period);
    r = pg_q_dyn(impl, sql, &b, "reading held traffic", &st);
    return scan_traffic(r, st, cb, ctx);
}

sw_status pg_traffic_keyed(void *impl, int month, int64_t day,
                           const char *key_class, sw_traffic_cb cb, void *ctx)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = $1 AND"
             " key_class = $2",
             month);
    pg_args a = {0};
    pg_arg_int(&a, day);
    pg_arg_txt(&a, key_class);
    sw_status st;
    PGresult *r = pg_q_dyn(impl, sql, &a, "reading traffic", &st);
    return scan_traffic(r, st, cb, ctx);
}

sw_status pg_traffic_rekey(void *impl, int month, const char *ext_id,
                           const char *key_class, const uint8_t *ids,
                           size_t ids_len, const uint8_t blind[SW_BLIND_BYTES])
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = $2, ids = $3, dest_bi = $4"
             " WHERE ext_id = $1",
             month);
    pg_args a = {0};
    pg_arg_txt(&a, ext_id);
    pg_arg_txt(&a, key_class);
    pg_arg_blob(&a, ids, ids_len);
    pg_arg_blob(&a, blind, SW_BLIND_BYTES);
    sw_status st;
    PQclear(pg_q_dyn(impl, sql, &a, "re-keying traffic", &st));
    return st;
}

sw_status pg_traffic_strip(void *impl, int month, const char *ext_id)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = NULL, ids = NULL,"
             " dest_bi = NULL WHERE ext_id = $1",
             month);
    pg_args a = {0};
    pg_arg_txt(&a, ext_id);
    sw_status st;
    PQclear(pg_q_dyn(impl, sql, &a, "stripping traffic identifiers", &st));
    return st;
}

sw_status pg_traffic_expire(void *impl, int month, sw_instant before,
                            const char *activity, size_t *deleted, size_t *kept)
{
    char sql[1024], period[8];
    snprintf(period, sizeof(period), "%04d-%02d", month / 100, month % 100);
    const char *keep =
        "(account IN (SELECT target FROM holds WHERE scope = 2 AND"
        " released_at IS NULL) OR account IN (SELECT account FROM bills"
        " WHERE period = $2 AND status IN ('unpaid', 'disputed')) OR"
        " ext_id IN (SELECT target FROM holds WHERE scope = 0 AND"
        " released_at IS NULL) OR EXISTS (SELECT 1 FROM holds WHERE"
        " scope = 4 AND released_at IS NULL AND target = $3))";
    pg_args a = {0};
    pg_arg_int(&a, before);
    pg_arg_txt(&a, period);
    pg_arg_txt(&a, activity);
    snprintf(sql, sizeof(sql),
             "DELETE FROM traffic_%d WHERE at < $1 AND NOT %s", month, keep);
    sw_status st;
    PGresult *r = pg_q_dyn(impl, sql, &a, "deleting expired traffic", &st);
    *deleted = r ? (size_t)strtoull(PQcmdTuples(r), NULL, 10) : 0;
    PQclear(r);
    if (st != SW_OK)
        return st;
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM traffic_%d WHERE at < $1 AND %s", month,
             keep);
    r = pg_q_dyn(impl, sql, &a, "counting kept traffic", &st);
    *kept = r ? (size_t)pg_col_i64(r, 0, 0) : 0;
    PQclear(r);
    return st;
}

sw_status pg_traffic_months(void *impl, int (*cb)(int month, void *ctx),
                            void *ctx)
{
    sw_status st;
    PGresult *r = pg_q(impl, "SELECT month FROM traffic_months ORDER BY month",
                       NULL, "listing traffic months", &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb((int)pg_col_i64(r, i, 0), ctx))
            break;
    PQclear(r);
    return st;
}

/* The server's buffers are shared by every connection and every daemon:
 * a handle has nothing of its own to bring in. */
sw_status pg_traffic_warm(void *impl, int month)
{
    (void)impl;
    (void)month;
    return SW_OK;
}

/* A month's partition with no row left is dropped whole. */
sw_status pg_traffic_drop_empty(void *impl, int month, bool *dropped)
{
    char sql[256];
    *dropped = false;
    snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM traffic_%d)",
             month);
    sw_status st;
    PGresult *r = pg_q_dyn(impl, sql, NULL, "checking a month of traffic", &st);
    bool any = !r || pg_col_i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK || any)
        return st;
    pgs *p = impl;
    snprintf(sql, sizeof(sql),
             "DROP TABLE traffic_%d; DELETE FROM traffic_months WHERE"
             " month = %d",
             month, month);
    st = pg_exec(p, sql, "dropping a month of traffic");
    *dropped = st == SW_OK;
    return st;
}
