/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend, part three: consents and their history, objections,
 * the suppression list (see the backend table in store_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store_sqlite_int.h"

#define CONSENT_COLUMNS                                                       \
    "id, subject_id, purpose, state, state_at, created_at, given_at,"        \
    " expires_at, method, notice_version, form, parental, token_hash,"       \
    " token_expires"

/* Steps a statement of consent rows, handing each to cb. */
static sw_status scan_consents(lite *l, sqlite3_stmt *st, sw_consent_cb cb,
                               void *ctx, bool one)
{
    int rc;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_consent_row r;
        memset(&r, 0, sizeof(r));
        r.id = (const char *)sqlite3_column_text(st, 0);
        r.subject = (const char *)sqlite3_column_text(st, 1);
        r.purpose = (const char *)sqlite3_column_text(st, 2);
        r.state = (const char *)sqlite3_column_text(st, 3);
        r.state_at = sqlite3_column_int64(st, 4);
        r.created_at = sqlite3_column_int64(st, 5);
        r.has_given = sqlite3_column_type(st, 6) != SQLITE_NULL;
        r.given_at = sqlite3_column_int64(st, 6);
        r.has_expiry = sqlite3_column_type(st, 7) != SQLITE_NULL;
        r.expires_at = sqlite3_column_int64(st, 7);
        r.method = (const char *)sqlite3_column_text(st, 8);
        r.notice_version = (const char *)sqlite3_column_text(st, 9);
        r.form = (const char *)sqlite3_column_text(st, 10);
        r.parental = sqlite3_column_int(st, 11) != 0;
        if (sqlite3_column_bytes(st, 12) == SW_HASH_BYTES) {
            r.has_token = true;
            memcpy(r.token_hash, sqlite3_column_blob(st, 12), SW_HASH_BYTES);
        }
        r.token_expires = sqlite3_column_int64(st, 13);
        n++;
        if (cb(&r, ctx) || one)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(l, status_of(rc), "reading consents");
    if (one && !n) {
        snprintf(l->err, sizeof(l->err), "no such consent");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

sw_status lite_subject_consents_delete(lite *l, const char *subject)
{
    static const char *const text[] = {
        "DELETE FROM consent_changes WHERE consent_id IN"
        " (SELECT id FROM consents WHERE subject_id = ?1)",
        "DELETE FROM consents WHERE subject_id = ?1",
        "DELETE FROM objections WHERE subject_id = ?1"};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        sqlite3_stmt *st = prep_sql(l, text[i]);
        if (!st)
            return SW_ERR_STORE;
        bind_text(st, 1, subject);
        sw_status s = run(l, st, "erasing a subject's consents");
        if (s != SW_OK)
            return s;
    }
    return SW_OK;
}

sw_status lite_subject_set_flags(void *impl, const char *id, int64_t flags,
                                 bool has_minor, sw_instant minor_until)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "UPDATE subjects SET flags = ?2, minor_until = ?3 WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, flags);
    if (has_minor)
        sqlite3_bind_int64(st, 3, minor_until);
    return run(l, st, "updating a subject");
}

sw_status lite_consent_put(void *impl, const sw_consent_row *r)
{
    lite *l = impl;
    /* seq: the order consents were made in, kept when one changes (the
     * newest of a second is the last made, not a random id's) */
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO consents(" CONSENT_COLUMNS ", seq) VALUES(?1,"
           "?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14, (SELECT"
           " coalesce(max(seq), 0) + 1 FROM consents)) ON CONFLICT(id) DO"
           " UPDATE SET subject_id = excluded.subject_id, purpose ="
           " excluded.purpose, state = excluded.state, state_at ="
           " excluded.state_at, created_at = excluded.created_at,"
           " given_at = excluded.given_at, expires_at = excluded.expires_at,"
           " method = excluded.method, notice_version ="
           " excluded.notice_version, form = excluded.form, parental ="
           " excluded.parental, token_hash = excluded.token_hash,"
           " token_expires = excluded.token_expires");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_text(st, 2, r->subject);
    bind_text(st, 3, r->purpose);
    bind_text(st, 4, r->state);
    sqlite3_bind_int64(st, 5, r->state_at);
    sqlite3_bind_int64(st, 6, r->created_at);
    if (r->has_given)
        sqlite3_bind_int64(st, 7, r->given_at);
    if (r->has_expiry)
        sqlite3_bind_int64(st, 8, r->expires_at);
    bind_text(st, 9, r->method);
    bind_text(st, 10, r->notice_version);
    bind_text(st, 11, r->form);
    sqlite3_bind_int(st, 12, r->parental);
    if (r->has_token) {
        bind_blob(st, 13, r->token_hash, SW_HASH_BYTES);
        sqlite3_bind_int64(st, 14, r->token_expires);
    }
    return run(l, st, "storing a consent");
}

sw_status lite_consent_get(void *impl, const char *id, sw_consent_cb cb,
                           void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "SELECT " CONSENT_COLUMNS " FROM consents WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    return scan_consents(l, st, cb, ctx, true);
}

sw_status lite_consent_by_token(void *impl, const uint8_t hash[SW_HASH_BYTES],
                                sw_consent_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " CONSENT_COLUMNS " FROM consents WHERE token_hash = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, hash, SW_HASH_BYTES);
    return scan_consents(l, st, cb, ctx, true);
}

sw_status lite_consent_latest(void *impl, const char *subject,
                              const char *purpose, sw_consent_cb cb,
                              void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " CONSENT_COLUMNS " FROM consents WHERE subject_id = ?1"
           " AND purpose = ?2 ORDER BY created_at DESC, seq DESC, id DESC LIMIT 1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, subject);
    bind_text(st, 2, purpose);
    return scan_consents(l, st, cb, ctx, true);
}

sw_status lite_consent_list(void *impl, const char *subject, sw_consent_cb cb,
                            void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " CONSENT_COLUMNS " FROM consents WHERE subject_id = ?1"
           " ORDER BY created_at DESC, seq DESC, id DESC");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, subject);
    return scan_consents(l, st, cb, ctx, false);
}

sw_status lite_consent_expiring(void *impl, sw_instant now, sw_consent_cb cb,
                                void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT " CONSENT_COLUMNS " FROM consents WHERE expires_at <= ?1"
           " AND state IN ('given', 'renewed') ORDER BY expires_at");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    return scan_consents(l, st, cb, ctx, false);
}

/* A timeline row (consents and requests share the shape): text inserts
 * (id, seq computed, state, at, actor, note) from ?1..?5. */
sw_status lite_change_insert(lite *l, const char *text, const char *id,
                             const char *state, sw_instant at,
                             const char *actor, const char *note,
                             const char *what)
{
    sqlite3_stmt *st = prep_sql(l, text);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    bind_text(st, 2, state);
    sqlite3_bind_int64(st, 3, at);
    bind_text(st, 4, actor);
    bind_text(st, 5, note);
    return run(l, st, what);
}

/* A timeline, oldest first: text selects state, at, actor, note for ?1. */
sw_status lite_changes_scan(lite *l, const char *text, const char *id,
                            sw_change_cb cb, void *ctx, const char *what)
{
    sqlite3_stmt *st = prep_sql(l, text);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0),
               sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_text(st, 2),
               (const char *)sqlite3_column_text(st, 3), ctx))
            break;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SW_OK
                                                 : fail(l, status_of(rc), what);
}

sw_status lite_consent_change_add(void *impl, const char *id,
                                  const char *state, sw_instant at,
                                  const char *actor, const char *note)
{
    return lite_change_insert(
        impl,
        "INSERT INTO consent_changes(consent_id, seq, state, at, actor,"
        " note) VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM"
        " consent_changes WHERE consent_id = ?1), ?2, ?3, ?4, ?5)",
        id, state, at, actor, note, "recording a consent change");
}

sw_status lite_consent_changes(void *impl, const char *id, sw_change_cb cb,
                               void *ctx)
{
    return lite_changes_scan(impl,
                             "SELECT state, at, actor, note FROM"
                             " consent_changes WHERE consent_id = ?1"
                             " ORDER BY seq",
                             id, cb, ctx, "reading a consent's history");
}

sw_status lite_objection_insert(void *impl, const sw_objection_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO objections(id, subject_id, purpose, at)"
           " VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_text(st, 2, r->subject);
    bind_text(st, 3, r->purpose);
    sqlite3_bind_int64(st, 4, r->at);
    return run(l, st, "recording an objection");
}

sw_status lite_objection_get(void *impl, const char *id, const char *subject,
                             const char *purpose, sw_objection_cb cb,
                             void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, purpose ? "SELECT id, subject_id, purpose, at, override_reason,"
                     " override_at, override_by FROM objections"
                     " WHERE subject_id = ?1 AND purpose = ?2"
                     " ORDER BY at DESC, id DESC LIMIT 1"
                   : "SELECT id, subject_id, purpose, at, override_reason,"
                     " override_at, override_by FROM objections"
                     " WHERE id = ?1");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, purpose ? subject : id);
    if (purpose)
        bind_text(st, 2, purpose);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sw_objection_row r;
        r.id = (const char *)sqlite3_column_text(st, 0);
        r.subject = (const char *)sqlite3_column_text(st, 1);
        r.purpose = (const char *)sqlite3_column_text(st, 2);
        r.at = sqlite3_column_int64(st, 3);
        r.override_reason = (const char *)sqlite3_column_text(st, 4);
        r.override_at = sqlite3_column_int64(st, 5);
        r.override_by = (const char *)sqlite3_column_text(st, 6);
        cb(&r, ctx);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        snprintf(l->err, sizeof(l->err), "no such objection");
        return SW_ERR_NOTFOUND;
    }
    return rc == SQLITE_ROW ? SW_OK
                            : fail(l, status_of(rc), "reading objections");
}

sw_status lite_objection_override(void *impl, const char *id,
                                  const char *reason, sw_instant at,
                                  const char *by)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "UPDATE objections SET override_reason = ?2, override_at = ?3,"
           " override_by = ?4 WHERE id = ?1 AND override_reason IS NULL");
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    bind_text(st, 2, reason);
    sqlite3_bind_int64(st, 3, at);
    bind_text(st, 4, by);
    sw_status s = run(l, st, "overriding an objection");
    if (s == SW_OK && sqlite3_changes(l->db) == 0) {
        snprintf(l->err, sizeof(l->err),
                 "objection %s is unknown or already overridden", id);
        return SW_ERR_CONFLICT;
    }
    return s;
}

sw_status lite_suppression_put(void *impl, const sw_suppression_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "INSERT INTO suppression(hash, channel, since, rule, due_at)"
           " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, r->hash, SW_BLIND_BYTES);
    bind_text(st, 2, r->channel);
    sqlite3_bind_int64(st, 3, r->since);
    bind_text(st, 4, r->rule);
    if (r->has_due)
        sqlite3_bind_int64(st, 5, r->due_at);
    return run(l, st, "adding to the suppression list");
}

static sw_status scan_suppression(lite *l, sqlite3_stmt *st,
                                  sw_suppression_cb cb, void *ctx, size_t *n)
{
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_suppression_row r;
        memset(&r, 0, sizeof(r));
        if (sqlite3_column_bytes(st, 0) == SW_BLIND_BYTES)
            memcpy(r.hash, sqlite3_column_blob(st, 0), SW_BLIND_BYTES);
        r.channel = (const char *)sqlite3_column_text(st, 1);
        r.since = sqlite3_column_int64(st, 2);
        r.rule = (const char *)sqlite3_column_text(st, 3);
        r.has_due = sqlite3_column_type(st, 4) != SQLITE_NULL;
        r.due_at = sqlite3_column_int64(st, 4);
        (*n)++;
        if (cb(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "reading the suppression list");
}

sw_status lite_suppression_get(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                               const char *channel, sw_suppression_cb cb,
                               void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT hash, channel, since, rule, due_at FROM suppression"
           " WHERE hash = ?1 AND (?2 IS NULL OR channel = ?2)");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, hash, SW_BLIND_BYTES);
    bind_text(st, 2, channel);
    size_t n;
    sw_status s = scan_suppression(l, st, cb, ctx, &n);
    if (s == SW_OK && !n) {
        snprintf(l->err, sizeof(l->err), "not on the suppression list");
        return SW_ERR_NOTFOUND;
    }
    return s;
}

sw_status lite_suppression_delete(void *impl,
                                  const uint8_t hash[SW_BLIND_BYTES],
                                  const char *channel, size_t *n)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "DELETE FROM suppression WHERE hash = ?1"
           " AND (?2 IS NULL OR channel = ?2)");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, hash, SW_BLIND_BYTES);
    bind_text(st, 2, channel);
    sw_status s = run(l, st, "removing from the suppression list");
    *n = s == SW_OK ? (size_t)sqlite3_changes(l->db) : 0;
    return s;
}

sw_status lite_suppression_set_due(void *impl,
                                   const uint8_t hash[SW_BLIND_BYTES],
                                   const char *rule, sw_instant due)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "UPDATE suppression SET due_at = ?3 WHERE hash = ?1 AND rule = ?2");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, hash, SW_BLIND_BYTES);
    bind_text(st, 2, rule);
    sqlite3_bind_int64(st, 3, due);
    return run(l, st, "dating a suppression entry");
}

sw_status lite_suppression_sweep(void *impl, sw_instant now, size_t *n)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep_sql(l, "DELETE FROM suppression WHERE due_at <= ?1");
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    sw_status s = run(l, st, "sweeping the suppression list");
    *n = s == SW_OK ? (size_t)sqlite3_changes(l->db) : 0;
    return s;
}

sw_status lite_suppression_list(void *impl, sw_suppression_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l, "SELECT hash, channel, since, rule, due_at FROM suppression"
           " ORDER BY since, hash");
    if (!st)
        return SW_ERR_STORE;
    size_t n;
    return scan_suppression(l, st, cb, ctx, &n);
}

/* flock, not SQLite's own (fcntl) locks: the two kinds do not meet. */
sw_status lite_sweep_lock(void *impl, bool take)
{
    lite *l = impl;
    if (!take) {
        if (l->sweep_fd >= 0)
            close(l->sweep_fd);
        l->sweep_fd = -1;
        return SW_OK;
    }
    int fd = open(l->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(l->err, sizeof(l->err), "%s: %s", l->path, strerror(errno));
        return SW_ERR_IO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        snprintf(l->err, sizeof(l->err),
                 "another sweep of this store is running");
        return SW_ERR_BUSY;
    }
    l->sweep_fd = fd;
    return SW_OK;
}

sw_status lite_data_version(void *impl, int64_t *v)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(l, "PRAGMA data_version");
    if (!st)
        return SW_ERR_STORE;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SW_OK
                            : fail(l, status_of(rc), "reading the data version");
}

/* One statement for every fact of a decision: the backend's single round
 * trip per decision. */
sw_status lite_decide_facts(void *impl, const uint8_t *blind,
                            const char *subject, int supp,
                            const char *purpose, sw_instant now,
                            sw_facts *f)
{
    lite *l = impl;
    sqlite3_stmt *st = prep_sql(
        l,
        "SELECT s.id, s.kind, s.flags, s.minor_until,"
        " CASE ?3 WHEN 1 THEN (SELECT min(since) FROM suppression"
        "   WHERE hash = ?1)"
        "  WHEN 2 THEN (SELECT min(since) FROM suppression WHERE hash IN"
        "   (SELECT blind FROM identifiers WHERE subject_id = s.id"
        "    AND type IN ('email', 'phone'))) END,"
        " c.id, c.state, c.state_at, c.given_at, c.expires_at, c.parental,"
        " o.id, o.at, o.override_reason IS NOT NULL,"
        /* one indexed range per scope (type, scope, scope_key, at) */
        " (SELECT max(at) FROM (SELECT at FROM events WHERE type IN"
        "  ('relationship_ended', 'account_closed') AND scope = 1 AND"
        "  scope_key = CAST(s.id AS BLOB) AND at <= ?5"
        "  UNION ALL SELECT at FROM events WHERE type IN"
        "  ('relationship_ended', 'account_closed') AND scope = 2 AND"
        "  scope_key = s.account_bi AND at <= ?5"
        "  UNION ALL SELECT at FROM events WHERE type IN"
        "  ('relationship_ended', 'account_closed') AND scope = 3 AND"
        "  scope_key = s.tenant_bi AND at <= ?5))"
        " FROM (SELECT coalesce(?2, (SELECT subject_id FROM identifiers"
        "  WHERE blind = ?1)) AS wid) w"
        " LEFT JOIN subjects s ON s.id = w.wid"
        " LEFT JOIN consents c ON c.id = (SELECT id FROM consents"
        "  WHERE subject_id = s.id AND purpose = ?4"
        "  ORDER BY created_at DESC, seq DESC, id DESC LIMIT 1)"
        " LEFT JOIN objections o ON o.id = (SELECT id FROM objections"
        "  WHERE subject_id = s.id AND purpose = ?4"
        "  ORDER BY at DESC, id DESC LIMIT 1)");
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, blind, blind ? SW_BLIND_BYTES : 0);
    bind_text(st, 2, subject);
    sqlite3_bind_int(st, 3, supp);
    bind_text(st, 4, purpose);
    sqlite3_bind_int64(st, 5, now);
    memset(f, 0, sizeof(*f));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        f->has_subject = sqlite3_column_type(st, 0) != SQLITE_NULL;
        snprintf(f->subject, sizeof(f->subject), "%s",
                 f->has_subject ? (const char *)sqlite3_column_text(st, 0)
                                : "");
        snprintf(f->kind, sizeof(f->kind), "%s",
                 f->has_subject ? (const char *)sqlite3_column_text(st, 1)
                                : "");
        f->flags = sqlite3_column_int64(st, 2);
        f->has_minor = sqlite3_column_type(st, 3) != SQLITE_NULL;
        f->minor_until = sqlite3_column_int64(st, 3);
        f->suppressed = sqlite3_column_type(st, 4) != SQLITE_NULL;
        f->suppressed_since = sqlite3_column_int64(st, 4);
        if ((f->has_consent = sqlite3_column_type(st, 5) != SQLITE_NULL)) {
            snprintf(f->consent_id, sizeof(f->consent_id), "%s",
                     sqlite3_column_text(st, 5));
            snprintf(f->consent_state, sizeof(f->consent_state), "%s",
                     sqlite3_column_text(st, 6));
            f->consent_at = sqlite3_column_int64(st, 7);
            f->has_given = sqlite3_column_type(st, 8) != SQLITE_NULL;
            f->given_at = sqlite3_column_int64(st, 8);
            f->has_expiry = sqlite3_column_type(st, 9) != SQLITE_NULL;
            f->expires_at = sqlite3_column_int64(st, 9);
            f->parental = sqlite3_column_int(st, 10) != 0;
        }
        if ((f->has_objection = sqlite3_column_type(st, 11) != SQLITE_NULL)) {
            snprintf(f->objection_id, sizeof(f->objection_id), "%s",
                     sqlite3_column_text(st, 11));
            f->objection_at = sqlite3_column_int64(st, 12);
            f->overridden = sqlite3_column_int(st, 13) != 0;
        }
        f->ended = sqlite3_column_type(st, 14) != SQLITE_NULL;
        f->ended_at = sqlite3_column_int64(st, 14);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "reading a decision's facts");
}
