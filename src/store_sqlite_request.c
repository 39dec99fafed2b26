/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend, part four: data-subject requests and their
 * timelines (see the backend table in store_int.h). */
#include <stdio.h>
#include <string.h>

#include "store_sqlite_int.h"

#define REQUEST_COLUMNS                                                       \
    "id, type, regulation, subject_id, purpose, state, agent, agent_proof,"  \
    " outcome, received_at, due_at, first_due_at, ack_due_at, extended,"     \
    " closed_at, code_hash, code_expires, attempts"

static sw_status scan_requests(lite *l, sqlite3_stmt *st, sw_request_cb cb,
                               void *ctx, bool one)
{
    int rc;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_request_row r;
        memset(&r, 0, sizeof(r));
        const char **text[] = {&r.id,    &r.type,  &r.regulation,
                               &r.subject, &r.purpose, &r.state,
                               &r.agent, &r.agent_proof, &r.outcome};
        for (int i = 0; i < 9; i++)
            *text[i] = (const char *)sqlite3_column_text(st, i);
        r.received_at = sqlite3_column_int64(st, 9);
        r.due_at = sqlite3_column_int64(st, 10);
        r.first_due_at = sqlite3_column_int64(st, 11);
        r.has_ack_due = sqlite3_column_type(st, 12) != SQLITE_NULL;
        r.ack_due_at = sqlite3_column_int64(st, 12);
        r.extended = sqlite3_column_int(st, 13) != 0;
        r.closed = sqlite3_column_type(st, 14) != SQLITE_NULL;
        r.closed_at = sqlite3_column_int64(st, 14);
        if (sqlite3_column_bytes(st, 15) == SW_HASH_BYTES) {
            r.has_code = true;
            memcpy(r.code_hash, sqlite3_column_blob(st, 15), SW_HASH_BYTES);
        }
        r.code_expires = sqlite3_column_int64(st, 16);
        r.attempts = sqlite3_column_int(st, 17);
        n++;
        if (cb(&r, ctx) || one)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(l, status_of(rc), "reading requests");
    if (one && !n) {
        snprintf(l->err, sizeof(l->err), "no such request");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

sw_status lite_request_put(void *impl, const sw_request_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT OR REPLACE INTO requests(" REQUEST_COLUMNS ") VALUES(?1,"
           "?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)");
    if (!st)
        return SW_ERR_STORE;
    const char *text[] = {r->id,    r->type,  r->regulation,
                          r->subject, r->purpose, r->state,
                          r->agent, r->agent_proof, r->outcome};
    for (int i = 0; i < 9; i++)
        bind_text(st, i + 1, text[i]);
    sqlite3_bind_int64(st, 10, r->received_at);
    sqlite3_bind_int64(st, 11, r->due_at);
    sqlite3_bind_int64(st, 12, r->first_due_at);
    if (r->has_ack_due)
        sqlite3_bind_int64(st, 13, r->ack_due_at);
    sqlite3_bind_int(st, 14, r->extended);
    if (r->closed)
        sqlite3_bind_int64(st, 15, r->closed_at);
    if (r->has_code) {
        bind_blob(st, 16, r->code_hash, SW_HASH_BYTES);
        sqlite3_bind_int64(st, 17, r->code_expires);
    }
    sqlite3_bind_int(st, 18, r->attempts);
    return run(l, st, "storing a request");
}

sw_status lite_request_get(void *impl, const char *id, sw_request_cb cb,
                           void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    return scan_requests(l, st, cb, ctx, true);
}

sw_status lite_request_open_of(void *impl, const char *subject,
                               const char *type, sw_request_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE subject_id = ?1"
           " AND type = ?2 AND closed_at IS NULL");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, subject);
    bind_text(st, 2, type);
    return scan_requests(l, st, cb, ctx, true);
}

sw_status lite_request_list_open(void *impl, sw_request_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE closed_at IS NULL"
           " ORDER BY due_at, id");
    if (!st)
        return SW_ERR_STORE;
    return scan_requests(l, st, cb, ctx, false);
}

sw_status lite_request_change_add(void *impl, const char *id,
                                  const char *state, sw_instant at,
                                  const char *actor, const char *reason)
{
    return lite_change_insert(
        impl,
        "INSERT INTO request_changes(request_id, seq, state, at, actor,"
        " reason) VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM"
        " request_changes WHERE request_id = ?1), ?2, ?3, ?4, ?5)",
        id, state, at, actor, reason, "recording a request's change");
}

sw_status lite_request_changes(void *impl, const char *id, sw_change_cb cb,
                               void *ctx)
{
    return lite_changes_scan(impl,
                             "SELECT state, at, actor, reason FROM"
                             " request_changes WHERE request_id = ?1"
                             " ORDER BY seq",
                             id, cb, ctx, "reading a request's timeline");
}

sw_status lite_request_since(void *impl, sw_instant since, sw_request_cb cb,
                             void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE received_at >= ?1"
           " ORDER BY received_at, id");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, since);
    return scan_requests(l, st, cb, ctx, false);
}

sw_status lite_record_hold(void *impl, const char *record,
                           char hold[SW_ID_BUFSZ], char kind[48])
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT h.id, h.kind FROM records r LEFT JOIN subjects s"
           " ON s.id = r.subject_id JOIN holds h ON h.released_at IS NULL AND"
           " ((h.scope = 0 AND h.scope_key = CAST(r.id AS BLOB)) OR"
           " (h.scope = 1 AND h.scope_key = CAST(r.subject_id AS BLOB)) OR"
           " (h.scope = 2 AND h.scope_key = s.account_bi) OR"
           " (h.scope = 4 AND h.scope_key = CAST(r.activity AS BLOB)))"
           " WHERE r.id = ?1 ORDER BY h.placed_at, h.id LIMIT 1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, record);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(hold, SW_ID_BUFSZ, "%s", sqlite3_column_text(st, 0));
        snprintf(kind, 48, "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return SW_ERR_NOTFOUND;
    return rc == SQLITE_ROW ? SW_OK
                            : fail(l, status_of(rc), "checking holds");
}

sw_status lite_record_delete(void *impl, const char *record)
{
    lite *l = impl;
    sw_status s = lite_record_events_delete(l, record);
    if (s != SW_OK)
        return s;
    sqlite3_stmt *st = prep_sql(l, "DELETE FROM records WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, record);
    return run(l, st, "deleting a record");
}

sw_status lite_record_set_value(void *impl, const char *record,
                                const uint8_t *value, size_t len)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "UPDATE records SET value = ?2 WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, record);
    bind_blob(st, 2, value, len);
    return run(l, st, "correcting a record");
}

sw_status lite_request_closed_before(void *impl, sw_instant before,
                                     sw_request_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " REQUEST_COLUMNS " FROM requests WHERE closed_at < ?1"
           " ORDER BY closed_at, id");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, before);
    return scan_requests(l, st, cb, ctx, false);
}

sw_status lite_request_delete(void *impl, const char *id)
{
    lite *l = impl;
    static const char *const text[] = {
        "DELETE FROM request_changes WHERE request_id = ?1",
        "DELETE FROM requests WHERE id = ?1"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = prep_sql(l, text[i]);
        if (!st)
            return SW_ERR_STORE;
        bind_text(st, 1, id);
        sw_status s = run(l, st, "deleting a request");
        if (s != SW_OK)
            return s;
    }
    return SW_OK;
}

/* ---- API keys ---- */

#define APIKEY_COLUMNS "id, hash, role, label, created_by, created_at, revoked_at"

static sw_status scan_apikeys(lite *l, sqlite3_stmt *st, sw_apikey_cb cb,
                              void *ctx, bool one)
{
    int rc;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_apikey_row r;
        memset(&r, 0, sizeof(r));
        r.id = (const char *)sqlite3_column_text(st, 0);
        if (sqlite3_column_bytes(st, 1) == SW_BLIND_BYTES)
            memcpy(r.hash, sqlite3_column_blob(st, 1), SW_BLIND_BYTES);
        r.role = (const char *)sqlite3_column_text(st, 2);
        r.label = (const char *)sqlite3_column_text(st, 3);
        r.created_by = (const char *)sqlite3_column_text(st, 4);
        r.created_at = sqlite3_column_int64(st, 5);
        r.revoked = sqlite3_column_type(st, 6) != SQLITE_NULL;
        r.revoked_at = sqlite3_column_int64(st, 6);
        n++;
        if (cb(&r, ctx) || one)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(l, status_of(rc), "reading API keys");
    if (one && !n) {
        snprintf(l->err, sizeof(l->err), "no such API key");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

sw_status lite_apikey_insert(void *impl, const sw_apikey_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(l, "INSERT INTO api_keys(" APIKEY_COLUMNS
                                   ") VALUES(?1,?2,?3,?4,?5,?6,NULL)");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_blob(st, 2, r->hash, SW_BLIND_BYTES);
    bind_text(st, 3, r->role);
    bind_text(st, 4, r->label);
    bind_text(st, 5, r->created_by);
    sqlite3_bind_int64(st, 6, r->created_at);
    return run(l, st, "storing an API key");
}

sw_status lite_apikey_get(void *impl, const uint8_t *hash, const char *id,
                          sw_apikey_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, id ? "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE id = ?1"
              : "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE hash = ?1");
    if (!st)
        return SW_ERR_STORE;
    if (id)
        bind_text(st, 1, id);
    else
        bind_blob(st, 1, hash, SW_BLIND_BYTES);
    return scan_apikeys(l, st, cb, ctx, true);
}

sw_status lite_apikey_revoke(void *impl, const char *id, sw_instant at)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1"
           " AND revoked_at IS NULL");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    sw_status s = run(l, st, "revoking an API key");
    if (s != SW_OK || sqlite3_changes(l->db) == 1)
        return s;
    st = prep_sql(l, "SELECT 1 FROM api_keys WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(l, status_of(rc), "revoking an API key");
    snprintf(l->err, sizeof(l->err),
             rc == SQLITE_ROW ? "API key %s is already revoked"
                              : "no API key %s",
             id);
    return rc == SQLITE_ROW ? SW_ERR_CONFLICT : SW_ERR_NOTFOUND;
}

sw_status lite_apikey_list(void *impl, sw_apikey_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(l, "SELECT " APIKEY_COLUMNS " FROM api_keys"
                                   " ORDER BY created_at DESC, id DESC");
    if (!st)
        return SW_ERR_STORE;
    return scan_apikeys(l, st, cb, ctx, false);
}

/* ---- the public door's small state ---- */

sw_status lite_state_get(void *impl, const char *kind,
                         const uint8_t key[SW_BLIND_BYTES], char *value,
                         size_t n)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT value FROM public_state WHERE kind = ?1 AND key = ?2");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, kind);
    bind_blob(st, 2, key, SW_BLIND_BYTES);
    int rc = sqlite3_step(st);
    sw_status s = SW_OK;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        snprintf(value, n, "%s", v ? v : "");
    } else if (rc == SQLITE_DONE) {
        snprintf(l->err, sizeof(l->err), "no such state");
        s = SW_ERR_NOTFOUND;
    } else {
        s = fail(l, status_of(rc), "reading the public door's state");
    }
    sqlite3_reset(st);
    return s;
}

sw_status lite_state_put(void *impl, const char *kind,
                         const uint8_t key[SW_BLIND_BYTES], const char *value,
                         sw_instant due)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO public_state(kind, key, value, due_at) VALUES(?1, ?2,"
           " ?3, ?4) ON CONFLICT(kind, key) DO UPDATE SET value ="
           " excluded.value, due_at = excluded.due_at");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, kind);
    bind_blob(st, 2, key, SW_BLIND_BYTES);
    bind_text(st, 3, value);
    sqlite3_bind_int64(st, 4, due);
    return run(l, st, "writing the public door's state");
}

sw_status lite_state_sweep(void *impl, sw_instant now, size_t *n)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "DELETE FROM public_state WHERE due_at <= ?1");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    sw_status s = run(l, st, "sweeping the public door's state");
    *n = s == SW_OK ? (size_t)sqlite3_changes(l->db) : 0;
    return s;
}
