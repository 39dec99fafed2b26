/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL backend, part three: consents and their history,
 * objections, the suppression list, the decision, data-subject requests
 * (see the backend table in store_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* ---- consents, objections, the suppression list ---- */

#define CONSENT_COLUMNS                                                        \
    "id, subject_id, purpose, state, state_at, created_at, given_at,"          \
    " expires_at, method, notice_version, form, parental, token_hash,"         \
    " token_expires"

static sw_status scan_consents(pgs *p, PGresult *r, sw_status st,
                               sw_consent_cb cb, void *ctx, bool one)
{
    if (!r)
        return st;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        sw_consent_row c;
        memset(&c, 0, sizeof(c));
        c.id = pg_col_txt(r, i, 0);
        c.subject = pg_col_txt(r, i, 1);
        c.purpose = pg_col_txt(r, i, 2);
        c.state = pg_col_txt(r, i, 3);
        c.state_at = pg_col_i64(r, i, 4);
        c.created_at = pg_col_i64(r, i, 5);
        c.has_given = !pg_col_null(r, i, 6);
        c.given_at = pg_col_i64(r, i, 6);
        c.has_expiry = !pg_col_null(r, i, 7);
        c.expires_at = pg_col_i64(r, i, 7);
        c.method = pg_col_txt(r, i, 8);
        c.notice_version = pg_col_txt(r, i, 9);
        c.form = pg_col_txt(r, i, 10);
        c.parental = pg_col_i64(r, i, 11) != 0;
        c.has_token = pg_col_blob_into(r, i, 12, c.token_hash, SW_HASH_BYTES);
        c.token_expires = pg_col_i64(r, i, 13);
        if (cb(&c, ctx) || one)
            break;
    }
    PQclear(r);
    if (one && !n) {
        snprintf(p->err, sizeof(p->err), "no such consent");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

sw_status pg_consent_put(void *impl, const sw_consent_row *r)
{
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_txt(&a, r->subject);
    pg_arg_txt(&a, r->purpose);
    pg_arg_txt(&a, r->state);
    pg_arg_int(&a, r->state_at);
    pg_arg_int(&a, r->created_at);
    if (r->has_given)
        pg_arg_int(&a, r->given_at);
    else
        pg_arg_txt(&a, NULL);
    if (r->has_expiry)
        pg_arg_int(&a, r->expires_at);
    else
        pg_arg_txt(&a, NULL);
    pg_arg_txt(&a, r->method);
    pg_arg_txt(&a, r->notice_version);
    pg_arg_txt(&a, r->form);
    pg_arg_int(&a, r->parental);
    if (r->has_token) {
        pg_arg_blob(&a, r->token_hash, SW_HASH_BYTES);
        pg_arg_int(&a, r->token_expires);
    } else {
        pg_arg_txt(&a, NULL);
        pg_arg_txt(&a, NULL);
    }
    return pg_run(
        impl,
        "INSERT INTO consents(" CONSENT_COLUMNS ", seq) VALUES($1,$2,$3,$4,"
        "$5,$6,$7,$8,$9,$10,$11,$12,$13,$14, (SELECT coalesce(max(seq), 0)"
        " + 1 FROM consents)) ON CONFLICT(id) DO UPDATE"
        " SET subject_id = excluded.subject_id, purpose ="
        " excluded.purpose, state = excluded.state, state_at ="
        " excluded.state_at, created_at = excluded.created_at,"
        " given_at = excluded.given_at, expires_at ="
        " excluded.expires_at, method = excluded.method,"
        " notice_version = excluded.notice_version, form ="
        " excluded.form, parental = excluded.parental, token_hash ="
        " excluded.token_hash, token_expires = excluded.token_expires",
        &a, "storing a consent", NULL);
}

sw_status pg_consent_get(void *impl, const char *id, sw_consent_cb cb,
                         void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r =
        pg_q(impl, "SELECT " CONSENT_COLUMNS " FROM consents WHERE id = $1", &a,
             "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, true);
}

sw_status pg_consent_by_token(void *impl, const uint8_t hash[SW_HASH_BYTES],
                              sw_consent_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_blob(&a, hash, SW_HASH_BYTES);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " CONSENT_COLUMNS " FROM consents"
                       " WHERE token_hash = $1",
                       &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, true);
}

sw_status pg_consent_latest(void *impl, const char *subject,
                            const char *purpose, sw_consent_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, subject);
    pg_arg_txt(&a, purpose);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                       " subject_id = $1 AND purpose = $2"
                       " ORDER BY created_at DESC, seq DESC, id DESC LIMIT 1",
                       &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, true);
}

sw_status pg_consent_list(void *impl, const char *subject, sw_consent_cb cb,
                          void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, subject);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                       " subject_id = $1 ORDER BY created_at DESC, seq DESC, id DESC",
                       &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, false);
}

sw_status pg_consent_expiring(void *impl, sw_instant now, sw_consent_cb cb,
                              void *ctx)
{
    pg_args a = {0};
    pg_arg_int(&a, now);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                       " expires_at <= $1 AND state IN ('given', 'renewed')"
                       " ORDER BY expires_at",
                       &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, false);
}

/* A timeline row (consents and requests share the shape). */
static sw_status change_insert(void *impl, const char *sql, const char *id,
                               const char *state, sw_instant at,
                               const char *actor, const char *note,
                               const char *what)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    pg_arg_txt(&a, state);
    pg_arg_int(&a, at);
    pg_arg_txt(&a, actor);
    pg_arg_txt(&a, note);
    return pg_run(impl, sql, &a, what, NULL);
}

/* A timeline, oldest first: sql selects state, at, actor, note for $1. */
static sw_status changes_scan(void *impl, const char *sql, const char *id,
                              sw_change_cb cb, void *ctx, const char *what)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r = pg_q(impl, sql, &a, what, &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb(pg_col_txt(r, i, 0), pg_col_i64(r, i, 1), pg_col_txt(r, i, 2),
               pg_col_txt(r, i, 3), ctx))
            break;
    PQclear(r);
    return st;
}

sw_status pg_consent_change_add(void *impl, const char *id, const char *state,
                                sw_instant at, const char *actor,
                                const char *note)
{
    return change_insert(
        impl,
        "INSERT INTO consent_changes(consent_id, seq, state, at, actor, note)"
        " VALUES($1, (SELECT coalesce(max(seq), 0) + 1 FROM consent_changes"
        " WHERE consent_id = $1), $2, $3, $4, $5)",
        id, state, at, actor, note, "recording a consent change");
}

sw_status pg_consent_changes(void *impl, const char *id, sw_change_cb cb,
                             void *ctx)
{
    return changes_scan(impl,
                        "SELECT state, at, actor, note FROM consent_changes"
                        " WHERE consent_id = $1 ORDER BY seq",
                        id, cb, ctx, "reading a consent's history");
}

sw_status pg_objection_insert(void *impl, const sw_objection_row *r)
{
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_txt(&a, r->subject);
    pg_arg_txt(&a, r->purpose);
    pg_arg_int(&a, r->at);
    return pg_run(impl,
                  "INSERT INTO objections(id, subject_id, purpose, at)"
                  " VALUES($1, $2, $3, $4)",
                  &a, "recording an objection", NULL);
}

sw_status pg_objection_get(void *impl, const char *id, const char *subject,
                           const char *purpose, sw_objection_cb cb, void *ctx)
{
    pgs *p = impl;
    pg_args a = {0};
    pg_arg_txt(&a, purpose ? subject : id);
    if (purpose)
        pg_arg_txt(&a, purpose);
    sw_status st;
    PGresult *r =
        pg_q(p,
             purpose ? "SELECT id, subject_id, purpose, at,"
                       " override_reason, override_at, override_by"
                       " FROM objections WHERE subject_id = $1 AND"
                       " purpose = $2 ORDER BY at DESC, id DESC LIMIT 1"
                     : "SELECT id, subject_id, purpose, at,"
                       " override_reason, override_at, override_by"
                       " FROM objections WHERE id = $1",
             &a, "reading objections", &st);
    if (!r)
        return st;
    if (PQntuples(r) == 1) {
        sw_objection_row o;
        o.id = pg_col_txt(r, 0, 0);
        o.subject = pg_col_txt(r, 0, 1);
        o.purpose = pg_col_txt(r, 0, 2);
        o.at = pg_col_i64(r, 0, 3);
        o.override_reason = pg_col_txt(r, 0, 4);
        o.override_at = pg_col_i64(r, 0, 5);
        o.override_by = pg_col_txt(r, 0, 6);
        cb(&o, ctx);
    } else {
        snprintf(p->err, sizeof(p->err), "no such objection");
        st = SW_ERR_NOTFOUND;
    }
    PQclear(r);
    return st;
}

sw_status pg_objection_override(void *impl, const char *id, const char *reason,
                                sw_instant at, const char *by)
{
    pgs *p = impl;
    pg_args a = {0};
    pg_arg_txt(&a, id);
    pg_arg_txt(&a, reason);
    pg_arg_int(&a, at);
    pg_arg_txt(&a, by);
    size_t n = 0;
    sw_status st = pg_run(p,
                          "UPDATE objections SET override_reason = $2,"
                          " override_at = $3, override_by = $4 WHERE id = $1"
                          " AND override_reason IS NULL",
                          &a, "overriding an objection", &n);
    if (st == SW_OK && n == 0) {
        snprintf(p->err, sizeof(p->err),
                 "objection %s is unknown or already overridden", id);
        return SW_ERR_CONFLICT;
    }
    return st;
}

sw_status pg_suppression_put(void *impl, const sw_suppression_row *r)
{
    pg_args a = {0};
    pg_arg_blob(&a, r->hash, SW_BLIND_BYTES);
    pg_arg_txt(&a, r->channel);
    pg_arg_int(&a, r->since);
    pg_arg_txt(&a, r->rule);
    if (r->has_due)
        pg_arg_int(&a, r->due_at);
    else
        pg_arg_txt(&a, NULL);
    return pg_run(impl,
                  "INSERT INTO suppression(hash, channel, since, rule, due_at)"
                  " VALUES($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                  &a, "adding to the suppression list", NULL);
}

static sw_status scan_suppression(PGresult *r, sw_suppression_cb cb, void *ctx,
                                  size_t *n)
{
    *n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        sw_suppression_row s;
        memset(&s, 0, sizeof(s));
        pg_col_blob_into(r, i, 0, s.hash, SW_BLIND_BYTES);
        s.channel = pg_col_txt(r, i, 1);
        s.since = pg_col_i64(r, i, 2);
        s.rule = pg_col_txt(r, i, 3);
        s.has_due = !pg_col_null(r, i, 4);
        s.due_at = pg_col_i64(r, i, 4);
        (*n)++;
        if (cb(&s, ctx))
            break;
    }
    PQclear(r);
    return SW_OK;
}

sw_status pg_suppression_get(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                             const char *channel, sw_suppression_cb cb,
                             void *ctx)
{
    pgs *p = impl;
    pg_args a = {0};
    pg_arg_blob(&a, hash, SW_BLIND_BYTES);
    pg_arg_txt(&a, channel);
    sw_status st;
    PGresult *r =
        pg_q(p,
             "SELECT hash, channel, since, rule, due_at FROM suppression"
             " WHERE hash = $1 AND ($2::text IS NULL OR channel = $2)",
             &a, "reading the suppression list", &st);
    if (!r)
        return st;
    size_t n;
    scan_suppression(r, cb, ctx, &n);
    if (!n) {
        snprintf(p->err, sizeof(p->err), "not on the suppression list");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

sw_status pg_suppression_delete(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                                const char *channel, size_t *n)
{
    pg_args a = {0};
    pg_arg_blob(&a, hash, SW_BLIND_BYTES);
    pg_arg_txt(&a, channel);
    *n = 0;
    return pg_run(impl,
                  "DELETE FROM suppression WHERE hash = $1"
                  " AND ($2::text IS NULL OR channel = $2)",
                  &a, "removing from the suppression list", n);
}

sw_status pg_suppression_set_due(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                                 const char *rule, sw_instant due)
{
    pg_args a = {0};
    pg_arg_blob(&a, hash, SW_BLIND_BYTES);
    pg_arg_txt(&a, rule);
    pg_arg_int(&a, due);
    return pg_run(
        impl,
        "UPDATE suppression SET due_at = $3 WHERE hash = $1 AND rule = $2", &a,
        "dating a suppression entry", NULL);
}

sw_status pg_suppression_sweep(void *impl, sw_instant now, size_t *n)
{
    pg_args a = {0};
    pg_arg_int(&a, now);
    *n = 0;
    return pg_run(impl, "DELETE FROM suppression WHERE due_at <= $1", &a,
                  "sweeping the suppression list", n);
}

sw_status pg_suppression_list(void *impl, sw_suppression_cb cb, void *ctx)
{
    sw_status st;
    PGresult *r =
        pg_q(impl,
             "SELECT hash, channel, since, rule, due_at FROM suppression"
             " ORDER BY since, hash",
             NULL, "reading the suppression list", &st);
    size_t n;
    return r ? scan_suppression(r, cb, ctx, &n) : st;
}

/* One statement for every fact of a decision: one round trip. */
sw_status pg_decide_facts(void *impl, const uint8_t *blind, const char *subject,
                          int supp, const char *purpose, sw_instant now,
                          sw_facts *f)
{
    pg_args a = {0};
    pg_arg_blob(&a, blind, blind ? SW_BLIND_BYTES : 0);
    pg_arg_txt(&a, subject);
    pg_arg_int(&a, supp);
    pg_arg_txt(&a, purpose);
    pg_arg_int(&a, now);
    sw_status st;
    PGresult *r = pg_q(
        impl,
        "SELECT s.id, s.kind, s.flags, s.minor_until,"
        " CASE $3::bigint WHEN 1 THEN (SELECT min(since) FROM suppression"
        "   WHERE hash = $1)"
        "  WHEN 2 THEN (SELECT min(since) FROM suppression WHERE hash IN"
        "   (SELECT blind FROM identifiers WHERE subject_id = s.id"
        "    AND type IN ('email', 'phone'))) END,"
        " c.id, c.state, c.state_at, c.given_at, c.expires_at, c.parental,"
        " o.id, o.at, o.override_reason IS NOT NULL,"
        " (SELECT max(at) FROM events WHERE type IN"
        "  ('relationship_ended', 'account_closed') AND at <= $5 AND"
        "  ((scope = 1 AND scope_key = convert_to(s.id, 'UTF8')) OR"
        "   (scope = 2 AND scope_key = s.account_bi) OR"
        "   (scope = 3 AND scope_key = s.tenant_bi)))"
        " FROM (SELECT coalesce($2::text, (SELECT subject_id FROM identifiers"
        "  WHERE blind = $1)) AS wid) w"
        " LEFT JOIN subjects s ON s.id = w.wid"
        " LEFT JOIN consents c ON c.id = (SELECT id FROM consents"
        "  WHERE subject_id = s.id AND purpose = $4"
        "  ORDER BY created_at DESC, seq DESC, id DESC LIMIT 1)"
        " LEFT JOIN objections o ON o.id = (SELECT id FROM objections"
        "  WHERE subject_id = s.id AND purpose = $4"
        "  ORDER BY at DESC, id DESC LIMIT 1)",
        &a, "reading a decision's facts", &st);
    memset(f, 0, sizeof(*f));
    if (r && PQntuples(r) == 1) {
        f->has_subject = !pg_col_null(r, 0, 0);
        snprintf(f->subject, sizeof(f->subject), "%s",
                 f->has_subject ? pg_col_txt(r, 0, 0) : "");
        snprintf(f->kind, sizeof(f->kind), "%s",
                 f->has_subject ? pg_col_txt(r, 0, 1) : "");
        f->flags = pg_col_i64(r, 0, 2);
        f->has_minor = !pg_col_null(r, 0, 3);
        f->minor_until = pg_col_i64(r, 0, 3);
        f->suppressed = !pg_col_null(r, 0, 4);
        f->suppressed_since = pg_col_i64(r, 0, 4);
        if ((f->has_consent = !pg_col_null(r, 0, 5))) {
            snprintf(f->consent_id, sizeof(f->consent_id), "%s",
                     pg_col_txt(r, 0, 5));
            snprintf(f->consent_state, sizeof(f->consent_state), "%s",
                     pg_col_txt(r, 0, 6));
            f->consent_at = pg_col_i64(r, 0, 7);
            f->has_given = !pg_col_null(r, 0, 8);
            f->given_at = pg_col_i64(r, 0, 8);
            f->has_expiry = !pg_col_null(r, 0, 9);
            f->expires_at = pg_col_i64(r, 0, 9);
            f->parental = pg_col_i64(r, 0, 10) != 0;
        }
        if ((f->has_objection = !pg_col_null(r, 0, 11))) {
            snprintf(f->objection_id, sizeof(f->objection_id), "%s",
                     pg_col_txt(r, 0, 11));
            f->objection_at = pg_col_i64(r, 0, 12);
            f->overridden = pg_col_i64(r, 0, 13) != 0;
        }
        f->ended = !pg_col_null(r, 0, 14);
        f->ended_at = pg_col_i64(r, 0, 14);
    }
    PQclear(r);
    return st;
}

/* ---- data-subject requests ---- */

#define REQUEST_COLUMNS                                                        \
    "id, type, regulation, subject_id, purpose, state, agent, agent_proof,"    \
    " outcome, received_at, due_at, first_due_at, ack_due_at, extended,"       \
    " closed_at, code_hash, code_expires, attempts"

static sw_status scan_requests(pgs *p, PGresult *r, sw_status st,
                               sw_request_cb cb, void *ctx, bool one)
{
    if (!r)
        return st;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        sw_request_row q_;
        memset(&q_, 0, sizeof(q_));
        const char **text[] = {&q_.id,      &q_.type,        &q_.regulation,
                               &q_.subject, &q_.purpose,     &q_.state,
                               &q_.agent,   &q_.agent_proof, &q_.outcome};
        for (int k = 0; k < 9; k++)
            *text[k] = pg_col_txt(r, i, k);
        q_.received_at = pg_col_i64(r, i, 9);
        q_.due_at = pg_col_i64(r, i, 10);
        q_.first_due_at = pg_col_i64(r, i, 11);
        q_.has_ack_due = !pg_col_null(r, i, 12);
        q_.ack_due_at = pg_col_i64(r, i, 12);
        q_.extended = pg_col_i64(r, i, 13) != 0;
        q_.closed = !pg_col_null(r, i, 14);
        q_.closed_at = pg_col_i64(r, i, 14);
        q_.has_code = pg_col_blob_into(r, i, 15, q_.code_hash, SW_HASH_BYTES);
        q_.code_expires = pg_col_i64(r, i, 16);
        q_.attempts = (int)pg_col_i64(r, i, 17);
        if (cb(&q_, ctx) || one)
            break;
    }
    PQclear(r);
    if (one && !n) {
        snprintf(p->err, sizeof(p->err), "no such request");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

sw_status pg_request_put(void *impl, const sw_request_row *r)
{
    pg_args a = {0};
    const char *text[] = {r->id,      r->type,        r->regulation,
                          r->subject, r->purpose,     r->state,
                          r->agent,   r->agent_proof, r->outcome};
    for (int i = 0; i < 9; i++)
        pg_arg_txt(&a, text[i]);
    pg_arg_int(&a, r->received_at);
    pg_arg_int(&a, r->due_at);
    pg_arg_int(&a, r->first_due_at);
    if (r->has_ack_due)
        pg_arg_int(&a, r->ack_due_at);
    else
        pg_arg_txt(&a, NULL);
    pg_arg_int(&a, r->extended);
    if (r->closed)
        pg_arg_int(&a, r->closed_at);
    else
        pg_arg_txt(&a, NULL);
    if (r->has_code) {
        pg_arg_blob(&a, r->code_hash, SW_HASH_BYTES);
        pg_arg_int(&a, r->code_expires);
    } else {
        pg_arg_txt(&a, NULL);
        pg_arg_txt(&a, NULL);
    }
    pg_arg_int(&a, r->attempts);
    return pg_run(
        impl,
        "INSERT INTO requests(" REQUEST_COLUMNS ") VALUES($1,$2,$3,$4,"
        "$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
        " ON CONFLICT(id) DO UPDATE SET type = excluded.type,"
        " regulation = excluded.regulation, subject_id ="
        " excluded.subject_id, purpose = excluded.purpose, state ="
        " excluded.state, agent = excluded.agent, agent_proof ="
        " excluded.agent_proof, outcome = excluded.outcome,"
        " received_at = excluded.received_at, due_at = excluded.due_at,"
        " first_due_at = excluded.first_due_at, ack_due_at ="
        " excluded.ack_due_at, extended = excluded.extended, closed_at"
        " = excluded.closed_at, code_hash = excluded.code_hash,"
        " code_expires = excluded.code_expires, attempts ="
        " excluded.attempts",
        &a, "storing a request", NULL);
}

sw_status pg_request_get(void *impl, const char *id, sw_request_cb cb,
                         void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r =
        pg_q(impl, "SELECT " REQUEST_COLUMNS " FROM requests WHERE id = $1", &a,
             "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, true);
}

sw_status pg_request_open_of(void *impl, const char *subject, const char *type,
                             sw_request_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, subject);
    pg_arg_txt(&a, type);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                       " subject_id = $1 AND type = $2 AND closed_at IS NULL",
                       &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, true);
}

sw_status pg_request_list_open(void *impl, sw_request_cb cb, void *ctx)
{
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                       " closed_at IS NULL ORDER BY due_at, id",
                       NULL, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, false);
}

sw_status pg_request_change_add(void *impl, const char *id, const char *state,
                                sw_instant at, const char *actor,
                                const char *reason)
{
    return change_insert(
        impl,
        "INSERT INTO request_changes(request_id, seq, state, at, actor,"
        " reason) VALUES($1, (SELECT coalesce(max(seq), 0) + 1 FROM"
        " request_changes WHERE request_id = $1), $2, $3, $4, $5)",
        id, state, at, actor, reason, "recording a request's change");
}

sw_status pg_request_changes(void *impl, const char *id, sw_change_cb cb,
                             void *ctx)
{
    return changes_scan(impl,
                        "SELECT state, at, actor, reason FROM request_changes"
                        " WHERE request_id = $1 ORDER BY seq",
                        id, cb, ctx, "reading a request's timeline");
}

sw_status pg_request_closed_before(void *impl, sw_instant before,
                                   sw_request_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_int(&a, before);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                       " closed_at < $1 ORDER BY closed_at, id",
                       &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, false);
}

sw_status pg_request_delete(void *impl, const char *id)
{
    static const char *const text[] = {
        "DELETE FROM request_changes WHERE request_id = $1",
        "DELETE FROM requests WHERE id = $1"};
    for (int i = 0; i < 2; i++) {
        pg_args a = {0};
        pg_arg_txt(&a, id);
        sw_status st = pg_run(impl, text[i], &a, "deleting a request", NULL);
        if (st != SW_OK)
            return st;
    }
    return SW_OK;
}

sw_status pg_request_since(void *impl, sw_instant since, sw_request_cb cb,
                           void *ctx)
{
    pg_args a = {0};
    pg_arg_int(&a, since);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                       " received_at >= $1 ORDER BY received_at, id",
                       &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, false);
}

sw_status pg_record_hold(void *impl, const char *record, char hold[SW_ID_BUFSZ],
                         char kind[48])
{
    pg_args a = {0};
    pg_arg_txt(&a, record);
    sw_status st;
    PGresult *r = pg_q(
        impl,
        "SELECT h.id, h.kind FROM records r LEFT JOIN subjects s"
        " ON s.id = r.subject_id JOIN holds h ON h.released_at IS NULL AND"
        " ((h.scope = 0 AND h.scope_key = convert_to(r.id, 'UTF8')) OR"
        " (h.scope = 1 AND h.scope_key = convert_to(r.subject_id, 'UTF8')) OR"
        " (h.scope = 2 AND h.scope_key = s.account_bi) OR"
        " (h.scope = 4 AND h.scope_key = convert_to(r.activity, 'UTF8')))"
        " WHERE r.id = $1 ORDER BY h.placed_at, h.id LIMIT 1",
        &a, "checking holds", &st);
    if (r && PQntuples(r) == 1) {
        snprintf(hold, SW_ID_BUFSZ, "%s", pg_col_txt(r, 0, 0));
        snprintf(kind, 48, "%s", pg_col_txt(r, 0, 1));
    } else if (r) {
        st = SW_ERR_NOTFOUND;
    }
    PQclear(r);
    return st;
}

sw_status pg_record_delete(void *impl, const char *record)
{
    sw_status st = pg_record_events_delete(impl, record);
    if (st != SW_OK)
        return st;
    pg_args a = {0};
    pg_arg_txt(&a, record);
    return pg_run(impl, "DELETE FROM records WHERE id = $1", &a,
                  "deleting a record", NULL);
}

sw_status pg_record_set_value(void *impl, const char *record,
                              const uint8_t *value, size_t len)
{
    pg_args a = {0};
    pg_arg_txt(&a, record);
    pg_arg_blob(&a, value, len);
    return pg_run(impl, "UPDATE records SET value = $2 WHERE id = $1", &a,
                  "correcting a record", NULL);
}

/* ---- the public door's small state ---- */

sw_status pg_state_get(void *impl, const char *kind,
                       const uint8_t key[SW_BLIND_BYTES], char *value,
                       size_t n)
{
    pg_args a = {0};
    pg_arg_txt(&a, kind);
    pg_arg_blob(&a, key, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT value FROM public_state WHERE kind = $1 AND"
                       " key = $2",
                       &a, "reading the public door's state", &st);
    if (!r)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        snprintf(((pgs *)impl)->err, sizeof(((pgs *)impl)->err),
                 "no such state");
        return SW_ERR_NOTFOUND;
    }
    const char *v = pg_col_txt(r, 0, 0);
    snprintf(value, n, "%s", v ? v : "");
    PQclear(r);
    return SW_OK;
}

sw_status pg_state_put(void *impl, const char *kind,
                       const uint8_t key[SW_BLIND_BYTES], const char *value,
                       sw_instant due)
{
    pg_args a = {0};
    pg_arg_txt(&a, kind);
    pg_arg_blob(&a, key, SW_BLIND_BYTES);
    pg_arg_txt(&a, value);
    pg_arg_int(&a, due);
    return pg_run(impl,
                  "INSERT INTO public_state(kind, key, value, due_at)"
                  " VALUES($1, $2, $3, $4) ON CONFLICT(kind, key) DO UPDATE"
                  " SET value = excluded.value, due_at = excluded.due_at",
                  &a, "writing the public door's state", NULL);
}

sw_status pg_state_sweep(void *impl, sw_instant now, size_t *n)
{
    pg_args a = {0};
    pg_arg_int(&a, now);
    return pg_run(impl, "DELETE FROM public_state WHERE due_at <= $1", &a,
                  "sweeping the public door's state", n);
}
