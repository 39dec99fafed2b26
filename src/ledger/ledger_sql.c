/* SPDX-License-Identifier: Apache-2.0 */
/* The ledger's SQL: subjects, identifiers, records, events. */
#include <stdio.h>
#include <string.h>

#include "ledger/ledger_sql.h"
#include "store/sql.h"

static sw_val opt_blob(bool has, const void *p, size_t n)
{
    return has ? sw_v_blob(p, n) : sw_v_null();
}

sw_status sw_subjects_insert(sw_store *s, const sw_subject_row *r)
{
    return sw_sql_run(
        s, "adding a subject",
        "INSERT INTO subjects(id, kind, role, account_bi, tenant_bi,"
        " account_enc, tenant_enc, wrapped_key, created_at, flags,"
        " minor_until) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        SW_ARGS(
            sw_v_text(r->id), sw_v_text(r->kind), sw_v_text(r->role),
            opt_blob(r->has_account, r->account_bi, SW_BLIND_BYTES),
            opt_blob(r->has_tenant, r->tenant_bi, SW_BLIND_BYTES),
            opt_blob(r->account_enc_len, r->account_enc, r->account_enc_len),
            opt_blob(r->tenant_enc_len, r->tenant_enc, r->tenant_enc_len),
            opt_blob(r->has_key, r->wrapped_key, SW_WRAPPED_BYTES),
            sw_v_int(r->created_at), sw_v_int(r->flags),
            sw_v_opt(r->has_minor, r->minor_until)),
        NULL);
}

/* A blob column of at most cap bytes into dst (0 bytes for NULL). */
static bool blob_upto(const sw_row *r, int c, uint8_t *dst, size_t cap,
                      size_t *len)
{
    const uint8_t *b = sw_row_blob(r, c, len);
    if (*len > cap)
        return false;
    if (b && *len)
        memcpy(dst, b, *len);
    return true;
}

typedef struct subject_ctx {
    sw_subject_row *o;
    bool ok;
} subject_ctx;

static int subject_row(const sw_row *r, void *p)
{
    subject_ctx *c = p;
    sw_subject_row *o = c->o;
    sw_row_text_into(r, 0, o->kind, sizeof(o->kind));
    sw_row_text_into(r, 1, o->role, sizeof(o->role));
    c->ok = true;
    if ((o->has_account = !sw_row_null(r, 2)))
        c->ok &= sw_row_blob_into(r, 2, o->account_bi, SW_BLIND_BYTES);
    if ((o->has_tenant = !sw_row_null(r, 3)))
        c->ok &= sw_row_blob_into(r, 3, o->tenant_bi, SW_BLIND_BYTES);
    c->ok &= blob_upto(r, 4, o->account_enc, sizeof(o->account_enc),
                       &o->account_enc_len);
    c->ok &= blob_upto(r, 5, o->tenant_enc, sizeof(o->tenant_enc),
                       &o->tenant_enc_len);
    if ((o->has_key = !sw_row_null(r, 6)))
        c->ok &= sw_row_blob_into(r, 6, o->wrapped_key, SW_WRAPPED_BYTES);
    o->created_at = sw_row_int(r, 7);
    o->flags = sw_row_int(r, 8);
    o->has_minor = !sw_row_null(r, 9);
    o->minor_until = sw_row_int(r, 9);
    return 1;
}

sw_status sw_subjects_get(sw_store *s, const char *id, sw_subject_row *o)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->id, sizeof(o->id), "%s", id);
    subject_ctx c = {o, false};
    sw_status st = sw_sql_one(
        s, "reading a subject",
        "SELECT kind, role, account_bi, tenant_bi, account_enc, tenant_enc,"
        " wrapped_key, created_at, flags, minor_until FROM subjects"
        " WHERE id = ?1",
        SW_ARGS(sw_v_text(id)), subject_row, &c);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "no subject %s", id);
    if (st == SW_OK && !c.ok)
        return sw_fail(s, SW_ERR_CORRUPT, "subject %s: damaged row", id);
    return st;
}

sw_status sw_subjects_set_flags(sw_store *s, const char *id, int64_t flags,
                                bool has_minor, sw_instant minor_until)
{
    return sw_sql_run(
        s, "updating a subject",
        "UPDATE subjects SET flags = ?2, minor_until = ?3 WHERE id = ?1",
        SW_ARGS(sw_v_text(id), sw_v_int(flags),
                sw_v_opt(has_minor, minor_until)),
        NULL);
}

sw_status sw_subjects_delete(sw_store *s, const char *id, sw_erase_result *c)
{
    /* the key first: from here on every copy of the data is noise */
    static const char *const text[] = {
        "UPDATE subjects SET wrapped_key = NULL, account_enc = NULL,"
        " tenant_enc = NULL WHERE id = ?1",
        "DELETE FROM identifiers WHERE subject_id = ?1",
        /* before the records its sub-query reads */
        "DELETE FROM events WHERE (scope = " SQL_EV_SUBJECT
        " AND scope_key = CAST(?1 AS BLOB)) OR (scope = " SQL_EV_RECORD
        " AND scope_key IN (SELECT CAST(id AS BLOB) FROM records"
        " WHERE subject_id = ?1))",
        "DELETE FROM records WHERE subject_id = ?1",
        "DELETE FROM consent_changes WHERE consent_id IN"
        " (SELECT id FROM consents WHERE subject_id = ?1)",
        "DELETE FROM consents WHERE subject_id = ?1",
        "DELETE FROM objections WHERE subject_id = ?1",
        "DELETE FROM subjects WHERE id = ?1"};
    size_t *counts[] = {
        NULL, &c->identifiers, &c->events, &c->records, NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        int64_t n = 0;
        sw_status st = sw_sql_run(s, "erasing a subject", text[i],
                                  SW_ARGS(sw_v_text(id)), &n);
        if (st != SW_OK)
            return st;
        if (counts[i])
            *counts[i] = (size_t)n;
    }
    return SW_OK;
}

#define SUBJECT_KEPT_1_2 SW_SUBJECT_KEPT("?1", "?2")

sw_status sw_subjects_remove_if_empty(sw_store *s, const char *id,
                                      sw_instant now, bool *removed)
{
    *removed = false;
    int64_t any = 1;
    sw_status st = sw_sql_int(s, "checking what keeps a subject",
                              "SELECT " SUBJECT_KEPT_1_2,
                              SW_ARGS(sw_v_text(id), sw_v_int(now)), &any);
    if (st != SW_OK || any)
        return st;
    sw_erase_result counts;
    st = sw_subjects_delete(s, id, &counts);
    *removed = st == SW_OK;
    return st;
}

typedef struct id_ctx {
    sw_subject_id_cb cb;
    void *ctx;
} id_ctx;

static int subject_id(const sw_row *r, void *p)
{
    id_ctx *c = p;
    return c->cb(sw_row_text(r, 0), c->ctx);
}

sw_status sw_subjects_in_scope(sw_store *s, sw_scope_kind scope,
                               const uint8_t bi[SW_BLIND_BYTES],
                               sw_subject_id_cb cb, void *ctx)
{
    id_ctx c = {cb, ctx};
    return sw_sql(s, "listing subjects",
                  scope == SW_EV_TENANT
                      ? "SELECT id FROM subjects WHERE tenant_bi = ?1"
                      : "SELECT id FROM subjects WHERE account_bi = ?1",
                  SW_ARGS(sw_v_blob(bi, SW_BLIND_BYTES)), subject_id, &c);
}

/* ---- identifiers ---- */

sw_status sw_identifiers_lookup(sw_store *s,
                                const uint8_t blind[SW_BLIND_BYTES],
                                char *subject)
{
    return sw_sql_text(s, "looking up an identifier",
                       "SELECT subject_id FROM identifiers WHERE blind = ?1",
                       SW_ARGS(sw_v_blob(blind, SW_BLIND_BYTES)), subject,
                       SW_ID_BUFSZ);
}

sw_status sw_identifiers_insert(sw_store *s, const sw_ident_row *r, char *owner)
{
    sw_status st = sw_identifiers_lookup(s, r->blind, owner);
    if (st != SW_ERR_NOTFOUND)
        return st == SW_OK ? SW_ERR_CONFLICT : st;
    return sw_sql_run(s, "adding an identifier",
                      "INSERT INTO identifiers(blind, type, subject_id,"
                      " value, created_at) VALUES(?1,?2,?3,?4,?5)",
                      SW_ARGS(sw_v_blob(r->blind, SW_BLIND_BYTES),
                              sw_v_text(r->type), sw_v_text(r->subject),
                              sw_v_blob(r->value, r->value_len),
                              sw_v_int(r->created_at)),
                      NULL);
}

typedef struct ident_ctx {
    const char *subject;
    sw_ident_cb cb;
    void *ctx;
} ident_ctx;

static int ident_row(const sw_row *r, void *p)
{
    ident_ctx *c = p;
    sw_ident_row o;
    memset(&o, 0, sizeof(o));
    sw_row_blob_into(r, 0, o.blind, SW_BLIND_BYTES);
    o.type = sw_row_text(r, 1);
    o.subject = c->subject ? c->subject : sw_row_text(r, 4);
    o.value = sw_row_blob(r, 2, &o.value_len);
    o.created_at = sw_row_int(r, 3);
    return c->cb(&o, c->ctx);
}

sw_status sw_identifiers_list(sw_store *s, const char *subject, sw_ident_cb cb,
                              void *ctx)
{
    ident_ctx c = {subject, cb, ctx};
    return sw_sql(s, "listing identifiers",
                  "SELECT blind, type, value, created_at FROM identifiers"
                  " WHERE subject_id = ?1 ORDER BY created_at, type",
                  SW_ARGS(sw_v_text(subject)), ident_row, &c);
}

sw_status sw_identifiers_of_type(sw_store *s, const char *type, sw_ident_cb cb,
                                 void *ctx)
{
    ident_ctx c = {NULL, cb, ctx};
    return sw_sql(s, "listing identifiers",
                  "SELECT blind, type, value, created_at, subject_id"
                  " FROM identifiers WHERE type = ?1 ORDER BY subject_id",
                  SW_ARGS(sw_v_text(type)), ident_row, &c);
}

sw_status sw_identifiers_reblind(sw_store *s,
                                 const uint8_t from[SW_BLIND_BYTES],
                                 const uint8_t to[SW_BLIND_BYTES])
{
    return sw_sql_run(
        s, "moving an identifier",
        "UPDATE identifiers SET blind = ?2 WHERE blind = ?1",
        SW_ARGS(sw_v_blob(from, SW_BLIND_BYTES), sw_v_blob(to, SW_BLIND_BYTES)),
        NULL);
}

/* ---- records ---- */

sw_status sw_records_insert(sw_store *s, const sw_record_row *r)
{
    return sw_sql_run(
        s, "adding a record",
        "INSERT INTO records(id, subject_id, activity, category, value,"
        " source, collected_at, due_at, rule, event)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        SW_ARGS(sw_v_text(r->id), sw_v_text(r->subject), sw_v_text(r->activity),
                sw_v_text(r->category), sw_v_blob(r->value, r->value_len),
                sw_v_text(r->source), sw_v_int(r->collected_at),
                sw_v_opt(r->has_due, r->due_at), sw_v_text(r->rule),
                sw_v_text(r->event)),
        NULL);
}

static void record_row_of(const sw_row *r, sw_record_row *o)
{
    o->id = sw_row_text(r, 0);
    o->subject = sw_row_text(r, 1);
    o->activity = sw_row_text(r, 2);
    o->category = sw_row_text(r, 3);
    o->value = sw_row_blob(r, 4, &o->value_len);
    o->source = sw_row_text(r, 5);
    o->collected_at = sw_row_int(r, 6);
    o->has_due = !sw_row_null(r, 7);
    o->due_at = sw_row_int(r, 7);
    o->rule = sw_row_text(r, 8);
    o->event = sw_row_text(r, 9);
}
SW_ROWS(record_rows, sw_record_row, record_row_of)

#define RECORD_COLUMNS                                                         \
    "id, subject_id, activity, category, value, source, collected_at,"         \
    " due_at, rule, event"

sw_status sw_records_get(sw_store *s, const char *id, sw_record_cb cb,
                         void *ctx)
{
    record_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading records",
                  "SELECT " RECORD_COLUMNS " FROM records WHERE id = ?1",
                  SW_ARGS(sw_v_text(id)), record_rows, &c);
}

sw_status sw_records_of_event(sw_store *s, const char *event, sw_record_cb cb,
                              void *ctx)
{
    record_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading records",
                  "SELECT " RECORD_COLUMNS " FROM records"
                  " WHERE event = ?1 ORDER BY collected_at, id",
                  SW_ARGS(sw_v_text(event)), record_rows, &c);
}

sw_status sw_records_list(sw_store *s, const char *subject, sw_record_cb cb,
                          void *ctx)
{
    record_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading records",
                  "SELECT " RECORD_COLUMNS " FROM records"
                  " WHERE subject_id = ?1 ORDER BY collected_at, id",
                  SW_ARGS(sw_v_text(subject)), record_rows, &c);
}

sw_status sw_records_page(sw_store *s, const char *activity, const char *after,
                          int limit, sw_record_cb cb, void *ctx)
{
    record_rows_ctx c = {cb, ctx};
    return sw_sql(
        s, "reading records",
        "SELECT id, subject_id, activity, category, NULL, source,"
        " collected_at, due_at, rule, event FROM records"
        " WHERE activity = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        SW_ARGS(sw_v_text(activity), sw_v_text(after), sw_v_int(limit)),
        record_rows, &c);
}

sw_status sw_records_set_due(sw_store *s, const char *id, bool has_due,
                             sw_instant due, const char *rule)
{
    return sw_sql_run(
        s, "moving a due date",
        "UPDATE records SET due_at = ?2, rule = ?3 WHERE id = ?1",
        SW_ARGS(sw_v_text(id), sw_v_opt(has_due, due), sw_v_text(rule)), NULL);
}

sw_status sw_records_due_open(sw_store *s, const char *subject,
                              const char *activity, sw_instant due)
{
    return sw_sql_run(
        s, "moving due dates",
        "UPDATE records SET due_at = ?3 WHERE subject_id = ?1"
        " AND activity = ?2 AND due_at IS NULL",
        SW_ARGS(sw_v_text(subject), sw_v_text(activity), sw_v_int(due)), NULL);
}

sw_status sw_records_set_value(sw_store *s, const char *id,
                               const uint8_t *value, size_t len)
{
    return sw_sql_run(s, "correcting a record",
                      "UPDATE records SET value = ?2 WHERE id = ?1",
                      SW_ARGS(sw_v_text(id), sw_v_blob(value, len)), NULL);
}

sw_status sw_records_delete(sw_store *s, const char *id)
{
    sw_status st = sw_sql_run(s, "deleting the events of a deleted record",
                              "DELETE FROM events WHERE scope = " SQL_EV_RECORD
                              " AND scope_key = ?1",
                              SW_ARGS(sw_v_blob(id, strlen(id))), NULL);
    if (st == SW_OK)
        st = sw_sql_run(s, "deleting a record",
                        "DELETE FROM records WHERE id = ?1",
                        SW_ARGS(sw_v_text(id)), NULL);
    return st;
}

/* ---- events ---- */

sw_status sw_events_insert(sw_store *s, const sw_event_row *r)
{
    return sw_sql_run(
        s, "recording an event",
        "INSERT INTO events(id, type, scope, scope_key, at, recorded_at)"
        " VALUES(?1,?2,?3,?4,?5,?6)",
        SW_ARGS(sw_v_text(r->id), sw_v_text(r->type), sw_v_int(r->scope),
                sw_v_blob(r->key, r->key_len), sw_v_int(r->at),
                sw_v_int(r->recorded_at)),
        NULL);
}

static int latest_row(const sw_row *r, void *p)
{
    sw_instant *at = p;
    if (sw_row_null(r, 0))
        return 1;
    *at = sw_row_int(r, 0);
    at[1] = 1; /* found */
    return 1;
}

sw_status sw_events_latest(sw_store *s, const char *type,
                           const sw_event_keys *k, sw_instant *at)
{
    sw_instant got[2] = {0, 0};
    const char *rec = k->record, *sub = k->subject, *ev = k->event;
    sw_status st =
        sw_sql(s, "reading events",
               "SELECT max(at) FROM events WHERE type = ?1 AND ("
               " (scope = " SQL_EV_RECORD " AND scope_key = ?2) OR"
               " (scope = " SQL_EV_SUBJECT " AND scope_key = ?3) OR"
               " (scope = " SQL_EV_ACCOUNT " AND scope_key = ?4) OR"
               " (scope = " SQL_EV_TENANT " AND scope_key = ?5) OR"
               " (scope = " SQL_EV_EVENT " AND scope_key = ?6))",
               SW_ARGS(sw_v_text(type), sw_v_blob(rec, rec ? strlen(rec) : 0),
                       sw_v_blob(sub, sub ? strlen(sub) : 0),
                       sw_v_blob(k->account_bi, SW_BLIND_BYTES),
                       sw_v_blob(k->tenant_bi, SW_BLIND_BYTES),
                       sw_v_blob(ev, ev ? strlen(ev) : 0)),
               latest_row, got);
    if (st == SW_OK && !got[1])
        return SW_ERR_NOTFOUND;
    *at = got[0];
    return st;
}
