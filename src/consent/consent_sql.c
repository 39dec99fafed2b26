/* SPDX-License-Identifier: Apache-2.0 */
/* The consent service's SQL: consents, objections, the suppression list
 * and a decision's facts. */
#include <stdio.h>
#include <string.h>

#include "consent/consent_sql.h"
#include "store/sql.h"

/* ---- consents ---- */

#define CONSENT_COLUMNS                                                        \
    "id, subject_id, purpose, state, state_at, created_at, given_at,"          \
    " expires_at, method, notice_version, form, parental, token_hash,"         \
    " token_expires"

static void consent_row_of(const sw_row *r, sw_consent_row *o)
{
    o->id = sw_row_text(r, 0);
    o->subject = sw_row_text(r, 1);
    o->purpose = sw_row_text(r, 2);
    o->state = sw_row_text(r, 3);
    o->state_at = sw_row_int(r, 4);
    o->created_at = sw_row_int(r, 5);
    o->has_given = !sw_row_null(r, 6);
    o->given_at = sw_row_int(r, 6);
    o->has_expiry = !sw_row_null(r, 7);
    o->expires_at = sw_row_int(r, 7);
    o->method = sw_row_text(r, 8);
    o->notice_version = sw_row_text(r, 9);
    o->form = sw_row_text(r, 10);
    o->parental = sw_row_int(r, 11) != 0;
    o->has_token = sw_row_blob_into(r, 12, o->token_hash, SW_HASH_BYTES);
    o->token_expires = sw_row_int(r, 13);
}
SW_ROWS(consent_rows, sw_consent_row, consent_row_of)

sw_status sw_consents_put(sw_store *s, const sw_consent_row *r)
{
    /* seq: the order consents were made in, kept when one changes (the
     * newest of a second is the last made, not a random id's) */
    return sw_sql_run(
        s, "storing a consent",
        "INSERT INTO consents(" CONSENT_COLUMNS ", seq) VALUES(?1,?2,?3,?4,"
        "?5,?6,?7,?8,?9,?10,?11,?12,?13,?14, (SELECT coalesce(max(seq), 0)"
        " + 1 FROM consents)) ON CONFLICT(id) DO UPDATE SET subject_id ="
        " excluded.subject_id, purpose = excluded.purpose, state ="
        " excluded.state, state_at = excluded.state_at, created_at ="
        " excluded.created_at, given_at = excluded.given_at, expires_at ="
        " excluded.expires_at, method = excluded.method, notice_version ="
        " excluded.notice_version, form = excluded.form, parental ="
        " excluded.parental, token_hash = excluded.token_hash,"
        " token_expires = excluded.token_expires",
        SW_ARGS(sw_v_text(r->id), sw_v_text(r->subject), sw_v_text(r->purpose),
                sw_v_text(r->state), sw_v_int(r->state_at),
                sw_v_int(r->created_at), sw_v_opt(r->has_given, r->given_at),
                sw_v_opt(r->has_expiry, r->expires_at), sw_v_text(r->method),
                sw_v_text(r->notice_version), sw_v_text(r->form),
                sw_v_int(r->parental),
                r->has_token ? sw_v_blob(r->token_hash, SW_HASH_BYTES)
                             : sw_v_null(),
                sw_v_opt(r->has_token, r->token_expires)),
        NULL);
}

static sw_status one_consent(sw_store *s, const char *sql, const sw_val *args,
                             size_t n, sw_consent_cb cb, void *ctx)
{
    consent_rows_ctx c = {cb, ctx};
    sw_status st =
        sw_sql_one(s, "reading consents", sql, args, n, consent_rows, &c);
    return st == SW_ERR_NOTFOUND ? sw_fail(s, st, "no such consent") : st;
}

sw_status sw_consents_get(sw_store *s, const char *id, sw_consent_cb cb,
                          void *ctx)
{
    return one_consent(s,
                       "SELECT " CONSENT_COLUMNS " FROM consents WHERE id = ?1",
                       SW_ARGS(sw_v_text(id)), cb, ctx);
}

sw_status sw_consents_by_token(sw_store *s, const uint8_t hash[SW_HASH_BYTES],
                               sw_consent_cb cb, void *ctx)
{
    return one_consent(
        s, "SELECT " CONSENT_COLUMNS " FROM consents WHERE token_hash = ?1",
        SW_ARGS(sw_v_blob(hash, SW_HASH_BYTES)), cb, ctx);
}

sw_status sw_consents_latest(sw_store *s, const char *subject,
                             const char *purpose, sw_consent_cb cb, void *ctx)
{
    return one_consent(s,
                       "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                       " subject_id = ?1 AND purpose = ?2 ORDER BY"
                       " created_at DESC, seq DESC, id DESC LIMIT 1",
                       SW_ARGS(sw_v_text(subject), sw_v_text(purpose)), cb,
                       ctx);
}

sw_status sw_consents_list(sw_store *s, const char *subject, sw_consent_cb cb,
                           void *ctx)
{
    consent_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading consents",
                  "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                  " subject_id = ?1 ORDER BY created_at DESC, seq DESC,"
                  " id DESC",
                  SW_ARGS(sw_v_text(subject)), consent_rows, &c);
}

sw_status sw_consents_expiring(sw_store *s, sw_instant now, sw_consent_cb cb,
                               void *ctx)
{
    consent_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading consents",
                  "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                  " expires_at <= ?1 AND state IN ('given', 'renewed')"
                  " ORDER BY expires_at",
                  SW_ARGS(sw_v_int(now)), consent_rows, &c);
}

sw_status sw_consents_unconfirmed(sw_store *s, sw_instant now, sw_consent_cb cb,
                                  void *ctx)
{
    consent_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading consents",
                  "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                  " state = 'requested' AND token_hash IS NOT NULL AND"
                  " token_expires <= ?1 ORDER BY token_expires, id",
                  SW_ARGS(sw_v_int(now)), consent_rows, &c);
}

sw_status sw_consents_delete(sw_store *s, const char *id)
{
    sw_status st = sw_sql_run(s, "deleting a consent's history",
                              "DELETE FROM consent_changes WHERE"
                              " consent_id = ?1",
                              SW_ARGS(sw_v_text(id)), NULL);
    return st != SW_OK ? st
                       : sw_sql_run(s, "deleting a consent",
                                    "DELETE FROM consents WHERE id = ?1",
                                    SW_ARGS(sw_v_text(id)), NULL);
}

/* ---- timelines: every state a consent or a request went through ---- */

const sw_timeline sw_consent_timeline = {"consent_changes", "consent_id",
                                         "note", "a consent's history"};

sw_status sw_timeline_add(sw_store *s, const sw_timeline *t, const char *id,
                          const char *state, sw_instant at, const char *actor,
                          const char *note)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s(%s, seq, state, at, actor, %s) VALUES(?1,"
             " (SELECT coalesce(max(seq), 0) + 1 FROM %s WHERE %s = ?1), ?2,"
             " ?3, ?4, ?5)",
             t->table, t->key, t->note, t->table, t->key);
    return sw_sql_run(s, t->what, sql,
                      SW_ARGS(sw_v_text(id), sw_v_text(state), sw_v_int(at),
                              sw_v_text(actor), sw_v_text(note)),
                      NULL);
}

typedef struct change_ctx {
    sw_change_cb cb;
    void *ctx;
} change_ctx;

static int change_row(const sw_row *r, void *p)
{
    change_ctx *c = p;
    return c->cb(sw_row_text(r, 0), sw_row_int(r, 1), sw_row_text(r, 2),
                 sw_row_text(r, 3), c->ctx);
}

sw_status sw_timeline_list(sw_store *s, const sw_timeline *t, const char *id,
                           sw_change_cb cb, void *ctx)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT state, at, actor, %s FROM %s WHERE %s = ?1 ORDER BY seq",
             t->note, t->table, t->key);
    change_ctx c = {cb, ctx};
    return sw_sql(s, t->what, sql, SW_ARGS(sw_v_text(id)), change_row, &c);
}

/* ---- objections ---- */

sw_status sw_objections_insert(sw_store *s, const sw_objection_row *r)
{
    return sw_sql_run(s, "recording an objection",
                      "INSERT INTO objections(id, subject_id, purpose, at)"
                      " VALUES(?1, ?2, ?3, ?4)",
                      SW_ARGS(sw_v_text(r->id), sw_v_text(r->subject),
                              sw_v_text(r->purpose), sw_v_int(r->at)),
                      NULL);
}

static void objection_row_of(const sw_row *r, sw_objection_row *o)
{
    o->id = sw_row_text(r, 0);
    o->subject = sw_row_text(r, 1);
    o->purpose = sw_row_text(r, 2);
    o->at = sw_row_int(r, 3);
    o->override_reason = sw_row_text(r, 4);
    o->override_at = sw_row_int(r, 5);
    o->override_by = sw_row_text(r, 6);
}
SW_ROWS(objection_rows, sw_objection_row, objection_row_of)

#define OBJECTION_COLUMNS                                                      \
    "id, subject_id, purpose, at, override_reason, override_at, override_by"

sw_status sw_objections_get(sw_store *s, const char *id, const char *subject,
                            const char *purpose, sw_objection_cb cb, void *ctx)
{
    objection_rows_ctx c = {cb, ctx};
    sw_status st =
        purpose ? sw_sql_one(s, "reading objections",
                             "SELECT " OBJECTION_COLUMNS " FROM objections"
                             " WHERE subject_id = ?1 AND purpose = ?2"
                             " ORDER BY at DESC, id DESC LIMIT 1",
                             SW_ARGS(sw_v_text(subject), sw_v_text(purpose)),
                             objection_rows, &c)
                : sw_sql_one(s, "reading objections",
                             "SELECT " OBJECTION_COLUMNS " FROM objections"
                             " WHERE id = ?1",
                             SW_ARGS(sw_v_text(id)), objection_rows, &c);
    return st == SW_ERR_NOTFOUND ? sw_fail(s, st, "no such objection") : st;
}

sw_status sw_objections_override(sw_store *s, const char *id,
                                 const char *reason, sw_instant at,
                                 const char *by)
{
    int64_t n = 0;
    sw_status st = sw_sql_run(
        s, "overriding an objection",
        "UPDATE objections SET override_reason = ?2, override_at = ?3,"
        " override_by = ?4 WHERE id = ?1 AND override_reason IS NULL",
        SW_ARGS(sw_v_text(id), sw_v_text(reason), sw_v_int(at), sw_v_text(by)),
        &n);
    if (st == SW_OK && n == 0)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "objection %s is unknown or already overridden", id);
    return st;
}

/* ---- the suppression list ---- */

sw_status sw_suppression_rows_put(sw_store *s, const sw_suppression_row *r)
{
    return sw_sql_run(s, "adding to the suppression list",
                      "INSERT INTO suppression(hash, channel, since, rule,"
                      " due_at) VALUES(?1, ?2, ?3, ?4, ?5)"
                      " ON CONFLICT DO NOTHING",
                      SW_ARGS(sw_v_blob(r->hash, SW_BLIND_BYTES),
                              sw_v_text(r->channel), sw_v_int(r->since),
                              sw_v_text(r->rule),
                              sw_v_opt(r->has_due, r->due_at)),
                      NULL);
}

static void supp_row_of(const sw_row *r, sw_suppression_row *o)
{
    sw_row_blob_into(r, 0, o->hash, SW_BLIND_BYTES);
    o->channel = sw_row_text(r, 1);
    o->since = sw_row_int(r, 2);
    o->rule = sw_row_text(r, 3);
    o->has_due = !sw_row_null(r, 4);
    o->due_at = sw_row_int(r, 4);
}
SW_ROWS(supp_rows, sw_suppression_row, supp_row_of)

sw_status sw_suppression_rows_delete(sw_store *s,
                                     const uint8_t hash[SW_BLIND_BYTES],
                                     const char *channel, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(
        s, "removing from the suppression list",
        "DELETE FROM suppression WHERE hash = ?1"
        " AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)",
        SW_ARGS(sw_v_blob(hash, SW_BLIND_BYTES), sw_v_text(channel)), &k);
    *n = (size_t)k;
    return st;
}

sw_status sw_suppression_rows_set_due(sw_store *s,
                                      const uint8_t hash[SW_BLIND_BYTES],
                                      const char *rule, sw_instant trigger,
                                      sw_instant due)
{
    return sw_sql_run(s, "dating a suppression entry",
                      "UPDATE suppression SET due_at = ?3, trigger_at = ?4"
                      " WHERE hash = ?1 AND rule = ?2",
                      SW_ARGS(sw_v_blob(hash, SW_BLIND_BYTES), sw_v_text(rule),
                              sw_v_int(due), sw_v_int(trigger)),
                      NULL);
}

typedef struct dated_ctx {
    sw_suppression_dated_cb cb;
    void *ctx;
} dated_ctx;

static int dated_row(const sw_row *r, void *p)
{
    dated_ctx *c = p;
    uint8_t hash[SW_BLIND_BYTES];
    if (!sw_row_blob_into(r, 0, hash, SW_BLIND_BYTES))
        return 0;
    return c->cb(hash, sw_row_text(r, 1), sw_row_text(r, 2), sw_row_int(r, 3),
                 sw_row_int(r, 4), c->ctx);
}

sw_status sw_suppression_rows_dated(sw_store *s, sw_suppression_dated_cb cb,
                                    void *ctx)
{
    dated_ctx c = {cb, ctx};
    return sw_sql(s, "reading the suppression list",
                  "SELECT hash, channel, rule, trigger_at, due_at"
                  " FROM suppression WHERE due_at IS NOT NULL"
                  " AND trigger_at IS NOT NULL AND rule IS NOT NULL"
                  " ORDER BY hash, channel",
                  SW_NOARGS, dated_row, &c);
}

sw_status sw_suppression_rows_redue(sw_store *s,
                                    const uint8_t hash[SW_BLIND_BYTES],
                                    const char *channel, sw_instant due)
{
    return sw_sql_run(
        s, "moving a suppression entry's due date",
        "UPDATE suppression SET due_at = ?3 WHERE hash = ?1 AND channel = ?2",
        SW_ARGS(sw_v_blob(hash, SW_BLIND_BYTES), sw_v_text(channel),
                sw_v_int(due)),
        NULL);
}

sw_status sw_suppression_rows_sweep(sw_store *s, sw_instant now, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(s, "sweeping the suppression list",
                              "DELETE FROM suppression WHERE due_at <= ?1",
                              SW_ARGS(sw_v_int(now)), &k);
    *n = (size_t)k;
    return st;
}

sw_status sw_suppression_rows_list(sw_store *s, sw_suppression_cb cb, void *ctx)
{
    supp_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading the suppression list",
                  "SELECT hash, channel, since, rule, due_at FROM suppression"
                  " ORDER BY since, hash",
                  SW_NOARGS, supp_rows, &c);
}

/* ---- a decision's facts ---- */

/* The facts' columns from column c0 of a row. */
static void read_facts(const sw_row *r, int c0, sw_facts *f)
{
    f->has_subject = !sw_row_null(r, c0);
    sw_row_text_into(r, c0, f->subject, sizeof(f->subject));
    sw_row_text_into(r, c0 + 1, f->kind, sizeof(f->kind));
    f->flags = sw_row_int(r, c0 + 2);
    f->has_minor = !sw_row_null(r, c0 + 3);
    f->minor_until = sw_row_int(r, c0 + 3);
    f->suppressed = !sw_row_null(r, c0 + 4);
    f->suppressed_since = sw_row_int(r, c0 + 4);
    if ((f->has_consent = !sw_row_null(r, c0 + 5))) {
        sw_row_text_into(r, c0 + 5, f->consent_id, sizeof(f->consent_id));
        sw_row_text_into(r, c0 + 6, f->consent_state, sizeof(f->consent_state));
        f->consent_at = sw_row_int(r, c0 + 7);
        f->has_given = !sw_row_null(r, c0 + 8);
        f->given_at = sw_row_int(r, c0 + 8);
        f->has_expiry = !sw_row_null(r, c0 + 9);
        f->expires_at = sw_row_int(r, c0 + 9);
        f->parental = sw_row_int(r, c0 + 10) != 0;
    }
    if ((f->has_objection = !sw_row_null(r, c0 + 11))) {
        sw_row_text_into(r, c0 + 11, f->objection_id, sizeof(f->objection_id));
        f->objection_at = sw_row_int(r, c0 + 12);
        f->overridden = sw_row_int(r, c0 + 13) != 0;
    }
    f->ended = !sw_row_null(r, c0 + 14);
    f->ended_at = sw_row_int(r, c0 + 14);
}

static int facts_row(const sw_row *r, void *p)
{
    read_facts(r, 0, p);
    return 1;
}

/* The end of the relationship: an event of the types T by NOW on the
 * subject, its account or its tenant (one indexed range each). */
#define ENDED_ON(SCOPE, KEY, NOW, T)                                           \
    "SELECT at FROM events WHERE type IN (" T ") AND scope = " SCOPE           \
    " AND scope_key = " KEY " AND at <= " NOW
#define ENDED_AT(NOW, T)                                                       \
    "(SELECT max(at) FROM (" ENDED_ON(                                         \
        SQL_EV_SUBJECT, "CAST(s.id AS BLOB)", NOW,                             \
        T) " UNION ALL " ENDED_ON(SQL_EV_ACCOUNT, "s.account_bi", NOW,         \
                                  T) " UNION ALL " ENDED_ON(SQL_EV_TENANT,     \
                                                            "s.tenant_bi",     \
                                                            NOW, T) ") e)"

/* Since when the address BLIND is suppressed, when SUPP is 1. */
#define SUPPRESSED_SINCE(BLIND, SUPP)                                          \
    "CASE CAST(" SUPP " AS INTEGER) WHEN 1 THEN (SELECT min(since) FROM"       \
    " suppression WHERE hash = " BLIND ") END"

/* Every fact of a decision about the subject s (joined by the caller),
 * with the address's suppression SUPPRESSED (or, when SUPP is 2, every
 * contact's): the columns read_facts reads, then the joins of its
 * consent and objection. */
#define FACTS_COLUMNS(SUPPRESSED, SUPP, NOW, T)                                \
    "s.id, s.kind, s.flags, s.minor_until,"                                    \
    " CASE CAST(" SUPP " AS INTEGER) WHEN 2 THEN (SELECT min(since) FROM"      \
    "   suppression WHERE hash IN"                                             \
    "   (SELECT blind FROM identifiers WHERE subject_id = s.id"                \
    "    AND type IN ('email', 'phone'))) ELSE " SUPPRESSED " END,"            \
    " c.id, c.state, c.state_at, c.given_at, c.expires_at, c.parental,"        \
    " o.id, o.at, o.override_reason IS NOT NULL, " ENDED_AT(NOW, T)
#define FACTS_JOINS(PURPOSE)                                                   \
    " LEFT JOIN consents c ON c.id = (SELECT id FROM consents"                 \
    "  WHERE subject_id = s.id AND purpose = " PURPOSE                         \
    "  ORDER BY created_at DESC, seq DESC, id DESC LIMIT 1)"                   \
    " LEFT JOIN objections o ON o.id = (SELECT id FROM objections"             \
    "  WHERE subject_id = s.id AND purpose = " PURPOSE                         \
    "  ORDER BY at DESC, id DESC LIMIT 1)"

/* clang-format off */
static const char facts_sql[] =
    "SELECT " FACTS_COLUMNS(SUPPRESSED_SINCE("?1", "?3"), "?3", "?5", "?6, ?7")
    " FROM (SELECT coalesce(CAST(?2 AS TEXT), (SELECT subject_id FROM"
    "  identifiers WHERE blind = ?1)) AS wid) w"
    " LEFT JOIN subjects s ON s.id = w.wid" FACTS_JOINS("?4");
/* clang-format on */

sw_status sw_decision_facts(sw_store *s, const uint8_t *blind,
                            const char *subject, sw_supp_check supp,
                            const char *purpose, const char *const *ended,
                            sw_instant now, sw_facts *f)
{
    memset(f, 0, sizeof(*f));
    /* One statement for every fact of a decision: one round trip. */
    return sw_sql(s, "reading a decision's facts", facts_sql,
                  SW_ARGS(sw_v_blob(blind, blind ? SW_BLIND_BYTES : 0),
                          sw_v_text(subject), sw_v_int(supp),
                          sw_v_text(purpose), sw_v_int(now),
                          sw_v_text(ended[0]), sw_v_text(ended[1])),
                  facts_row, f);
}

typedef struct many_ctx {
    const uint8_t (*blinds)[SW_BLIND_BYTES];
    sw_facts *out;
    size_t k;
    bool supp; /* rows of suppression entries, not of subjects */
} many_ctx;

/* A row goes to every address of the batch with its blind (an address
 * may come twice): a subject's facts, or a suppression entry. */
static int many_row(const sw_row *r, void *p)
{
    many_ctx *c = p;
    uint8_t blind[SW_BLIND_BYTES];
    if (!sw_row_blob_into(r, 0, blind, sizeof(blind)))
        return 0;
    for (size_t i = 0; i < c->k; i++) {
        if (memcmp(c->blinds[i], blind, SW_BLIND_BYTES) != 0)
            continue;
        if (!c->supp) {
            read_facts(r, 1, &c->out[i]);
        } else {
            c->out[i].suppressed = true;
            c->out[i].suppressed_since = sw_row_int(r, 1);
        }
    }
    return 0;
}

/* "?F, ?F+1, ... " for SW_FACTS_MANY parameters from F. */
static size_t in_list(char *out, size_t n, int first)
{
    size_t k = 0;
    for (int i = 0; i < SW_FACTS_MANY && k < n; i++)
        k +=
            (size_t)snprintf(out + k, n - k, "%s?%d", i ? ", " : "", first + i);
    return k;
}

sw_status sw_decision_facts_many(sw_store *s,
                                 const uint8_t (*blinds)[SW_BLIND_BYTES],
                                 size_t k, sw_supp_check supp,
                                 const char *purpose, const char *const *ended,
                                 sw_instant now, sw_facts *out)
{
    if (k > SW_FACTS_MANY || supp == SW_SUPP_CONTACTS)
        return sw_fail(s, SW_ERR_INVALID,
                       "at most %d addresses a statement, each checked "
                       "alone against the suppression list",
                       SW_FACTS_MANY);
    memset(out, 0, k * sizeof(*out));
    /* Two statements of SW_FACTS_MANY parameters each (the rest NULL), so
     * each is prepared once and kept: the subjects that hold the
     * addresses with their facts, then the addresses suppressed. Each is
     * one IN list (one cursor a table, however many addresses). */
    char list[SW_FACTS_MANY * 8];
    if (in_list(list, sizeof(list), 5) >= sizeof(list) - 1)
        return sw_fail(s, SW_ERR_INVALID, "the facts' statement is too long");
    char sql[sizeof(list) + 4096];
    /* clang-format off */
    snprintf(sql, sizeof(sql),
             "SELECT i.blind, " FACTS_COLUMNS("NULL", "0", "?2", "?3, ?4")
             " FROM identifiers i LEFT JOIN subjects s ON s.id = i.subject_id"
             FACTS_JOINS("?1") " WHERE i.blind IN (%s)", list);
    /* clang-format on */
    sw_val args[4 + SW_FACTS_MANY];
    args[0] = sw_v_text(purpose);
    args[1] = sw_v_int(now);
    args[2] = sw_v_text(ended[0]);
    args[3] = sw_v_text(ended[1]);
    for (size_t i = 0; i < SW_FACTS_MANY; i++)
        args[4 + i] =
            i < k ? sw_v_blob(blinds[i], SW_BLIND_BYTES) : sw_v_null();
    many_ctx c = {blinds, out, k, false};
    sw_status st = sw_sql(s, "reading the facts of many decisions", sql, args,
                          4 + SW_FACTS_MANY, many_row, &c);
    if (st != SW_OK || supp != SW_SUPP_ADDRESS)
        return st;
    in_list(list, sizeof(list), 1);
    snprintf(sql, sizeof(sql),
             "SELECT hash, min(since) FROM suppression WHERE hash IN (%s)"
             " GROUP BY hash",
             list);
    c.supp = true;
    return sw_sql(s, "reading the suppression of many addresses", sql, args + 4,
                  SW_FACTS_MANY, many_row, &c);
}
