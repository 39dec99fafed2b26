/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend: one file in WAL mode, secure_delete on, statements
 * prepared once per connection. The only file that knows SQLite's SQL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/hash.h"
#include "store_sqlite_int.h"

#define APP_ID 0x53545744 /* "STWD" */

/* Schema migrations: entry v-1 takes a store from version v-1 to v. */
static const char *const migrations[SW_SCHEMA_LATEST] = {
    /* 1: the ledger and the audit trail */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE subjects(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " role TEXT NOT NULL, account_bi BLOB, tenant_bi BLOB, account_enc BLOB,"
    " tenant_enc BLOB, wrapped_key BLOB, created_at INTEGER NOT NULL);"
    "CREATE INDEX subjects_account ON subjects(account_bi)"
    " WHERE account_bi IS NOT NULL;"
    "CREATE INDEX subjects_tenant ON subjects(tenant_bi)"
    " WHERE tenant_bi IS NOT NULL;"
    "CREATE TABLE identifiers(blind BLOB PRIMARY KEY, type TEXT NOT NULL,"
    " subject_id TEXT NOT NULL, value BLOB NOT NULL,"
    " created_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX identifiers_subject ON identifiers(subject_id);"
    "CREATE TABLE records(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " activity TEXT NOT NULL, category TEXT NOT NULL, value BLOB NOT NULL,"
    " source TEXT, collected_at INTEGER NOT NULL, due_at INTEGER, rule TEXT);"
    "CREATE INDEX records_subject ON records(subject_id);"
    "CREATE INDEX records_due ON records(due_at) WHERE due_at IS NOT NULL;"
    "CREATE TABLE events(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " scope INTEGER NOT NULL, scope_key BLOB NOT NULL, at INTEGER NOT NULL,"
    " recorded_at INTEGER NOT NULL);"
    "CREATE INDEX events_lookup ON events(type, scope, scope_key, at);"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, subject_id TEXT,"
    " objects TEXT NOT NULL, details TEXT NOT NULL, prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE INDEX audit_subject ON audit(subject_id)"
    " WHERE subject_id IS NOT NULL;",
    /* 2: subject flags (restriction, child) */
    "ALTER TABLE subjects ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;",
    /* 3: holds, aggregates, bills, traffic day keys and months */
    "CREATE TABLE holds(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " scope INTEGER NOT NULL, scope_key BLOB NOT NULL, target TEXT NOT NULL,"
    " reason TEXT NOT NULL, placed_at INTEGER NOT NULL,"
    " placed_by TEXT NOT NULL, released_at INTEGER, released_by TEXT);"
    "CREATE INDEX holds_active ON holds(scope, scope_key)"
    " WHERE released_at IS NULL;"
    "CREATE TABLE aggregates(activity TEXT NOT NULL, category TEXT NOT NULL,"
    " month TEXT NOT NULL, rule TEXT NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY(activity, category, month, rule)) WITHOUT ROWID;"
    "CREATE TABLE bills(account TEXT NOT NULL, period TEXT NOT NULL,"
    " status TEXT NOT NULL, updated_at INTEGER NOT NULL,"
    " PRIMARY KEY(account, period)) WITHOUT ROWID;"
    "CREATE TABLE epoch_keys(day INTEGER NOT NULL, class TEXT NOT NULL,"
    " wrapped BLOB NOT NULL, due_at INTEGER, PRIMARY KEY(day, class))"
    " WITHOUT ROWID;"
    "CREATE INDEX epoch_keys_due ON epoch_keys(due_at)"
    " WHERE due_at IS NOT NULL;"
    "CREATE TABLE traffic_months(month INTEGER PRIMARY KEY);"
    "CREATE INDEX events_key ON events(scope, scope_key);",
    /* 4: consents with their history, objections, the suppression list */
    "ALTER TABLE subjects ADD COLUMN minor_until INTEGER;"
    "CREATE TABLE consents(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, state TEXT NOT NULL, state_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, given_at INTEGER, expires_at INTEGER,"
    " method TEXT NOT NULL, notice_version TEXT NOT NULL, form TEXT,"
    " parental INTEGER NOT NULL DEFAULT 0, token_hash BLOB,"
    " token_expires INTEGER);"
    "CREATE INDEX consents_subject ON consents(subject_id, purpose,"
    " created_at);"
    "CREATE UNIQUE INDEX consents_token ON consents(token_hash)"
    " WHERE token_hash IS NOT NULL;"
    "CREATE INDEX consents_expiry ON consents(expires_at)"
    " WHERE expires_at IS NOT NULL;"
    "CREATE TABLE consent_changes(consent_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, note TEXT, PRIMARY KEY(consent_id, seq))"
    " WITHOUT ROWID;"
    "CREATE TABLE objections(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, at INTEGER NOT NULL, override_reason TEXT,"
    " override_at INTEGER, override_by TEXT);"
    "CREATE INDEX objections_subject ON objections(subject_id, purpose, at);"
    "CREATE TABLE suppression(hash BLOB NOT NULL, channel TEXT NOT NULL,"
    " since INTEGER NOT NULL, rule TEXT, due_at INTEGER,"
    " PRIMARY KEY(hash, channel)) WITHOUT ROWID;"
    "CREATE INDEX suppression_due ON suppression(due_at)"
    " WHERE due_at IS NOT NULL;",
    /* 5: data-subject requests and their timelines */
    "CREATE TABLE requests(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " regulation TEXT NOT NULL, subject_id TEXT NOT NULL, purpose TEXT,"
    " state TEXT NOT NULL, agent TEXT, agent_proof TEXT, outcome TEXT,"
    " received_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
    " first_due_at INTEGER NOT NULL, ack_due_at INTEGER,"
    " extended INTEGER NOT NULL DEFAULT 0, closed_at INTEGER,"
    " code_hash BLOB, code_expires INTEGER,"
    " attempts INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX requests_open ON requests(due_at) WHERE closed_at IS NULL;"
    "CREATE INDEX requests_subject ON requests(subject_id, type)"
    " WHERE closed_at IS NULL;"
    "CREATE TABLE request_changes(request_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, reason TEXT, PRIMARY KEY(request_id, seq))"
    " WITHOUT ROWID;",
    /* 6: API keys of the daemon (keyed hashes) */
    "CREATE TABLE api_keys(id TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    " role TEXT NOT NULL, label TEXT NOT NULL, created_by TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, revoked_at INTEGER);",
    /* 7: the real time of each audit entry; its head sealed in one row;
     * the public door's tickets and throttles */
    "ALTER TABLE audit ADD COLUMN written_at INTEGER;"
    "DELETE FROM meta WHERE key IN ('audit_seq', 'audit_head');"
    "CREATE TABLE public_state(kind TEXT NOT NULL, key BLOB NOT NULL,"
    " value TEXT NOT NULL, due_at INTEGER NOT NULL,"
    " PRIMARY KEY(kind, key)) WITHOUT ROWID;"
    "CREATE INDEX public_state_due ON public_state(due_at);"
    "ALTER TABLE consents ADD COLUMN seq INTEGER;"
    "UPDATE consents SET seq = rowid;"
    "CREATE INDEX consents_seq ON consents(seq);",
};



static const char *const sql[S_COUNT] = {
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [S_SUBJ_INSERT] = "INSERT INTO subjects(id, kind, role, account_bi,"
                      " tenant_bi, account_enc, tenant_enc, wrapped_key,"
                      " created_at, flags, minor_until) VALUES(?1,?2,?3,?4,?5,"
                      "?6,?7,?8,?9,?10,?11)",
    [S_SUBJ_GET] = "SELECT kind, role, account_bi, tenant_bi, account_enc,"
                   " tenant_enc, wrapped_key, created_at, flags, minor_until"
                   " FROM subjects"
                   " WHERE id = ?1",
    [S_SUBJ_DESTROY_KEY] = "UPDATE subjects SET wrapped_key = NULL,"
                           " account_enc = NULL, tenant_enc = NULL"
                           " WHERE id = ?1",
    [S_SUBJ_DEL_IDENTS] = "DELETE FROM identifiers WHERE subject_id = ?1",
    [S_SUBJ_DEL_RECORDS] = "DELETE FROM records WHERE subject_id = ?1",
    [S_SUBJ_DEL_EVENTS] = "DELETE FROM events WHERE (scope = 1"
                          " AND scope_key = CAST(?1 AS BLOB)) OR (scope = 0"
                          " AND scope_key IN (SELECT CAST(id AS BLOB)"
                          " FROM records WHERE subject_id = ?1))",
    [S_SUBJ_DELETE] = "DELETE FROM subjects WHERE id = ?1",
    [S_SUBJ_BY_ACCOUNT] = "SELECT id FROM subjects WHERE account_bi = ?1",
    [S_SUBJ_BY_TENANT] = "SELECT id FROM subjects WHERE tenant_bi = ?1",
    [S_IDENT_INSERT] = "INSERT INTO identifiers(blind, type, subject_id,"
                       " value, created_at) VALUES(?1,?2,?3,?4,?5)",
    [S_IDENT_LOOKUP] = "SELECT subject_id FROM identifiers WHERE blind = ?1",
    [S_IDENT_LIST] = "SELECT blind, type, value, created_at FROM identifiers"
                     " WHERE subject_id = ?1 ORDER BY created_at, type",
    [S_REC_INSERT] = "INSERT INTO records(id, subject_id, activity, category,"
                     " value, source, collected_at, due_at, rule)"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [S_REC_GET] = "SELECT id, subject_id, activity, category, value, source,"
                  " collected_at, due_at, rule FROM records WHERE id = ?1",
    [S_REC_LIST] = "SELECT id, subject_id, activity, category, value, source,"
                   " collected_at, due_at, rule FROM records"
                   " WHERE subject_id = ?1 ORDER BY collected_at, id",
    [S_REC_SET_DUE] = "UPDATE records SET due_at = ?2, rule = ?3"
                      " WHERE id = ?1",
    [S_EV_INSERT] = "INSERT INTO events(id, type, scope, scope_key, at,"
                    " recorded_at) VALUES(?1,?2,?3,?4,?5,?6)",
    [S_EV_LATEST] = "SELECT max(at) FROM events WHERE type = ?1 AND ("
                    " (scope = 0 AND scope_key = ?2) OR"
                    " (scope = 1 AND scope_key = ?3) OR"
                    " (scope = 2 AND scope_key = ?4) OR"
                    " (scope = 3 AND scope_key = ?5))",
    [S_AUDIT_APPEND] = "INSERT INTO audit(seq, at, actor, action, subject_id,"
                       " objects, details, prev_hash, hash, written_at)"
                       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [S_AUDIT_LAST] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_SCAN] = "SELECT seq, at, actor, action, subject_id, objects,"
                     " details, prev_hash, hash, written_at FROM audit"
                     " WHERE seq >= ?1"
                     " ORDER BY seq",
    [S_TX_BEGIN] = "BEGIN IMMEDIATE",
    [S_TX_COMMIT] = "COMMIT",
    [S_TX_ROLLBACK] = "ROLLBACK",
    [S_TX_SAVEPOINT] = "SAVEPOINT change",
    [S_TX_RELEASE] = "RELEASE change",
    [S_TX_UNDO] = "ROLLBACK TO change",
    [S_TX_READ] = "BEGIN DEFERRED",
};


sw_status fail(lite *l, sw_status st, const char *what)
{
    snprintf(l->err, sizeof(l->err), "%s: %s", what, sqlite3_errmsg(l->db));
    return st;
}

sw_status status_of(int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return SW_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return SW_ERR_BUSY;
    case SQLITE_NOMEM: return SW_ERR_NOMEM;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return SW_ERR_CORRUPT;
    case SQLITE_CONSTRAINT: return SW_ERR_CONFLICT;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN: return SW_ERR_IO;
    default: return SW_ERR_STORE;
    }
}

/* The prepared statement id, reset and unbound; NULL after setting err. */
sqlite3_stmt *prep(lite *l, enum stmt id)
{
    if (!l->st[id]) {
        if (sqlite3_prepare_v3(l->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &l->st[id], NULL) != SQLITE_OK) {
            fail(l, SW_ERR_STORE, "preparing a statement");
            return NULL;
        }
    } else {
        sqlite3_reset(l->st[id]);
        sqlite3_clear_bindings(l->st[id]);
    }
    return l->st[id];
}

void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void bind_blob(sqlite3_stmt *st, int i, const void *v, size_t n)
{
    if (v)
        sqlite3_bind_blob(st, i, v, (int)n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows. */
sw_status run(lite *l, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sw_status s = rc == SQLITE_DONE ? SW_OK : fail(l, status_of(rc), what);
    sqlite3_reset(st);
    return s;
}


/* A hash of statement text that reads a bounded part of it (long texts
 * are asked for on hot paths): the length, the head, every 16th byte of
 * the middle (where the texts of per-month tables differ) and the tail. */
static uint32_t text_hash(const char *text)
{
    size_t n = strlen(text);
    uint32_t h = SW_HASH_SEED ^ (uint32_t)n;
    for (size_t i = 0; i < n; i += i < 48 || i + 32 >= n ? 1 : 16)
        h = (h ^ (uint8_t)text[i]) * 16777619u;
    return h;
}

sqlite3_stmt *prep_sql(lite *l, const char *text)
{
    uint32_t h = text_hash(text);
    for (int i = 0; i < LITE_DYN; i++) {
        int k = (int)((h + (uint32_t)i) % LITE_DYN);
        if (l->dyn[k].text && strcmp(l->dyn[k].text, text) == 0) {
            sqlite3_reset(l->dyn[k].st);
            sqlite3_clear_bindings(l->dyn[k].st);
            return l->dyn[k].st;
        }
        if (!l->dyn[k].text || i == LITE_DYN - 1) {
            if (l->dyn[k].text) { /* full: recycle the last probe */
                if (l->ins_st == l->dyn[k].st)
                    l->ins_st = NULL, l->ins_month = 0;
                sqlite3_finalize(l->dyn[k].st);
                free(l->dyn[k].text);
                l->dyn[k].text = NULL;
            }
            sqlite3_stmt *st;
            if (sqlite3_prepare_v3(l->db, text, -1, SQLITE_PREPARE_PERSISTENT,
                                   &st, NULL) != SQLITE_OK) {
                fail(l, SW_ERR_STORE, "preparing a statement");
                return NULL;
            }
            l->dyn[k].text = strdup(text);
            l->dyn[k].st = st;
            if (!l->dyn[k].text) {
                sqlite3_finalize(st);
                fail(l, SW_ERR_NOMEM, "preparing a statement");
                return NULL;
            }
            return st;
        }
    }
    return NULL;
}

void lite_forget_dyn(lite *l)
{
    l->ins_month = 0;
    l->ins_st = NULL; /* one of the statements finalized below */
    for (int i = 0; i < LITE_DYN; i++) {
        sqlite3_finalize(l->dyn[i].st);
        free(l->dyn[i].text);
        l->dyn[i].text = NULL;
        l->dyn[i].st = NULL;
    }
}

sw_status lite_exec(lite *l, const char *text, const char *what)
{
    char *msg = NULL;
    int rc = sqlite3_exec(l->db, text, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(l->err, sizeof(l->err), "%s: %s", what,
                 msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return status_of(rc);
    }
    return SW_OK;
}

static sw_status pragma_int(lite *l, const char *pragma, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(l->db, pragma, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *out = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? SW_OK : status_of(rc);
}

static void lite_close(void *impl)
{
    lite *l = impl;
    if (!l)
        return;
    if (l->sweep_fd >= 0)
        close(l->sweep_fd);
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(l->st[i]);
    lite_forget_dyn(l);
    sqlite3_close_v2(l->db);
    sw_wipe(l->acc_enc, sizeof(l->acc_enc));
    sw_wipe(l->ten_enc, sizeof(l->ten_enc));
    free(l);
}

static sw_status lite_open(const char *uri, bool create, void **impl,
                           int *version, sw_error *err)
{
    *impl = NULL;
    if (!create && access(uri, F_OK) != 0) {
        snprintf(err->msg, sizeof(err->msg),
                 "no store at %s (create one with 'steward init')", uri);
        return SW_ERR_NOTFOUND;
    }
    lite *l = calloc(1, sizeof(*l));
    if (!l) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return SW_ERR_NOMEM;
    }
    snprintf(l->path, sizeof(l->path), "%s", uri);
    l->sweep_fd = -1;
    if (create) {
        /* 0600 like the key: SQLite gives the journal files (-wal, -shm)
         * the database file's own mode */
        int fd = open(uri, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            snprintf(err->msg, sizeof(err->msg), "%s: %s", uri,
                     strerror(errno));
            free(l);
            return errno == EEXIST ? SW_ERR_EXISTS : SW_ERR_IO;
        }
        close(fd);
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(uri, &l->db, flags, NULL);
    sw_status st = status_of(rc);
    if (rc != SQLITE_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s: %s", uri,
                 l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
        lite_close(l);
        return st;
    }
    sqlite3_extended_result_codes(l->db, 0);
    sqlite3_busy_timeout(l->db, 10000);
    int app = 0;
    st = pragma_int(l, "PRAGMA application_id", &app);
    if (st == SW_OK)
        st = pragma_int(l, "PRAGMA user_version", version);
    if (st != SW_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s is not a steward store (%s)",
                 uri, sqlite3_errmsg(l->db));
        lite_close(l);
        return st == SW_ERR_BUSY ? st : SW_ERR_CORRUPT;
    }
    if (!create && app != APP_ID) {
        snprintf(err->msg, sizeof(err->msg),
                 "%s is not a steward store (an SQLite file of another "
                 "program)",
                 uri);
        lite_close(l);
        return SW_ERR_CORRUPT;
    }
    *impl = l;
    return SW_OK;
}

static void lite_remove(const char *uri)
{
    char side[1100];
    unlink(uri);
    snprintf(side, sizeof(side), "%s-wal", uri);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", uri);
    unlink(side);
}

static const char *lite_errmsg(void *impl)
{
    return ((lite *)impl)->err;
}

static sw_status lite_setup(void *impl, int *from)
{
    lite *l = impl;
    /* Ledger changes are few and precious: FULL; deleted pages are
     * overwritten so an erased subject's wrapped key leaves no trace. The
     * file is read through a memory map as large as SQLite allows (it is
     * address space, not memory): a traffic look-up's probes then cost no
     * system call. */
    sw_status st = lite_exec(l,
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                        " PRAGMA secure_delete=ON; PRAGMA foreign_keys=OFF;"
                        " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
                        " PRAGMA mmap_size=17179869184;",
                        "configuring the store");
    if (st != SW_OK)
        return st;
    if ((st = pragma_int(l, "PRAGMA user_version", from)) != SW_OK)
        return fail(l, st, "reading the schema version");
    if (*from >= SW_SCHEMA_LATEST)
        return SW_OK;
    if ((st = lite_exec(l, "BEGIN IMMEDIATE", "upgrading the schema")) != SW_OK)
        return st;
    for (int v = *from; v < SW_SCHEMA_LATEST && st == SW_OK; v++)
        st = lite_exec(l, migrations[v], "upgrading the schema");
    if (st == SW_OK) {
        char set[96];
        snprintf(set, sizeof(set),
                 "PRAGMA user_version=%d; PRAGMA application_id=%d;",
                 SW_SCHEMA_LATEST, APP_ID);
        st = lite_exec(l, set, "upgrading the schema");
    }
    if (st == SW_OK)
        st = lite_exec(l, "COMMIT", "upgrading the schema");
    if (st != SW_OK)
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static sw_status lite_tx(void *impl, sw_tx_op op)
{
    lite *l = impl;
    static const enum stmt id[] = {
        [SW_TX_BEGIN] = S_TX_BEGIN,         [SW_TX_COMMIT] = S_TX_COMMIT,
        [SW_TX_ROLLBACK] = S_TX_ROLLBACK,   [SW_TX_SAVEPOINT] = S_TX_SAVEPOINT,
        [SW_TX_RELEASE] = S_TX_RELEASE,     [SW_TX_ROLLBACK_TO] = S_TX_UNDO,
        [SW_TX_READ] = S_TX_READ,
    };
    /* Prepared once: a bulk load runs one savepoint per change. */
    sqlite3_stmt *st = prep(l, id[op]);
    if (!st)
        return SW_ERR_STORE;
    sw_status s = run(l, st, "transaction");
    if (s == SW_OK && op == SW_TX_ROLLBACK_TO && (st = prep(l, S_TX_RELEASE)))
        s = run(l, st, "transaction");
    return s;
}

static sw_status lite_checkpoint(void *impl)
{
    return lite_exec(impl, "PRAGMA wal_checkpoint(TRUNCATE)",
                "checkpointing the journal");
}

static sw_status lite_meta_get(void *impl, const char *key, char *val,
                               size_t n)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_META_GET);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    sw_status s = SW_ERR_NOTFOUND;
    if (rc == SQLITE_ROW) {
        snprintf(val, n, "%s", (const char *)sqlite3_column_text(st, 0));
        s = SW_OK;
    } else if (rc != SQLITE_DONE) {
        s = fail(l, status_of(rc), "reading store metadata");
    }
    sqlite3_reset(st);
    return s;
}

static sw_status lite_meta_set(void *impl, const char *key, const char *val)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_META_SET);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, key);
    bind_text(st, 2, val);
    return run(l, st, "writing store metadata");
}

static sw_status lite_subject_insert(void *impl, const sw_subject_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_SUBJ_INSERT);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_text(st, 2, r->kind);
    bind_text(st, 3, r->role);
    bind_blob(st, 4, r->has_account ? r->account_bi : NULL, SW_BLIND_BYTES);
    bind_blob(st, 5, r->has_tenant ? r->tenant_bi : NULL, SW_BLIND_BYTES);
    bind_blob(st, 6, r->account_enc, r->account_enc_len);
    bind_blob(st, 7, r->tenant_enc, r->tenant_enc_len);
    bind_blob(st, 8, r->has_key ? r->wrapped_key : NULL, SW_WRAPPED_BYTES);
    sqlite3_bind_int64(st, 9, r->created_at);
    sqlite3_bind_int64(st, 10, r->flags);
    if (r->has_minor)
        sqlite3_bind_int64(st, 11, r->minor_until);
    return run(l, st, "adding a subject");
}

/* Copies a blob column into dst (cap bytes); false when it does not fit. */
static bool copy_blob(sqlite3_stmt *st, int col, uint8_t *dst, size_t cap,
                      size_t *len)
{
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    const void *p = sqlite3_column_blob(st, col);
    if (n > cap)
        return false;
    if (n)
        memcpy(dst, p, n);
    *len = n;
    return true;
}

static sw_status lite_subject_get(void *impl, const char *id,
                                  sw_subject_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_SUBJ_GET);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            snprintf(l->err, sizeof(l->err), "no subject %s", id);
            return SW_ERR_NOTFOUND;
        }
        return fail(l, status_of(rc), "reading a subject");
    }
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s", id);
    snprintf(r->kind, sizeof(r->kind), "%s", sqlite3_column_text(st, 0));
    snprintf(r->role, sizeof(r->role), "%s", sqlite3_column_text(st, 1));
    size_t n = 0;
    bool ok = true;
    if ((r->has_account = sqlite3_column_type(st, 2) != SQLITE_NULL))
        ok &= copy_blob(st, 2, r->account_bi, SW_BLIND_BYTES, &n);
    if ((r->has_tenant = sqlite3_column_type(st, 3) != SQLITE_NULL))
        ok &= copy_blob(st, 3, r->tenant_bi, SW_BLIND_BYTES, &n);
    if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
        ok &= copy_blob(st, 4, l->acc_enc, sizeof(l->acc_enc),
                        &r->account_enc_len);
        r->account_enc = l->acc_enc;
    }
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        ok &= copy_blob(st, 5, l->ten_enc, sizeof(l->ten_enc),
                        &r->tenant_enc_len);
        r->tenant_enc = l->ten_enc;
    }
    if ((r->has_key = sqlite3_column_type(st, 6) != SQLITE_NULL)) {
        ok &= copy_blob(st, 6, r->wrapped_key, SW_WRAPPED_BYTES, &n);
        ok &= n == SW_WRAPPED_BYTES;
    }
    r->created_at = sqlite3_column_int64(st, 7);
    r->flags = sqlite3_column_int64(st, 8);
    r->has_minor = sqlite3_column_type(st, 9) != SQLITE_NULL;
    r->minor_until = sqlite3_column_int64(st, 9);
    sqlite3_reset(st);
    if (!ok) {
        snprintf(l->err, sizeof(l->err), "subject %s: damaged row", id);
        return SW_ERR_CORRUPT;
    }
    return SW_OK;
}

sw_status lite_subject_destroy_key(void *impl, const char *id)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_SUBJ_DESTROY_KEY);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    return run(l, st, "destroying a subject key");
}

static sw_status delete_counted(lite *l, enum stmt id, const char *subject,
                                size_t *count)
{
    sqlite3_stmt *st = prep(l, id);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, subject);
    sw_status s = run(l, st, "erasing a subject");
    if (count)
        *count = (size_t)sqlite3_changes(l->db);
    return s;
}

sw_status lite_subject_delete(void *impl, const char *id,
                                     sw_erase_result *c)
{
    lite *l = impl;
    sw_status s = delete_counted(l, S_SUBJ_DEL_IDENTS, id, &c->identifiers);
    if (s == SW_OK) /* before the records its sub-query reads */
        s = delete_counted(l, S_SUBJ_DEL_EVENTS, id, &c->events);
    if (s == SW_OK)
        s = delete_counted(l, S_SUBJ_DEL_RECORDS, id, &c->records);
    if (s == SW_OK)
        s = lite_subject_consents_delete(l, id);
    if (s == SW_OK)
        s = delete_counted(l, S_SUBJ_DELETE, id, NULL);
    return s;
}

static sw_status lite_subjects_in_scope(void *impl, sw_scope_kind scope,
                                        const uint8_t bi[SW_BLIND_BYTES],
                                        sw_subject_id_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st =
        prep(l, scope == SW_EV_TENANT ? S_SUBJ_BY_TENANT : S_SUBJ_BY_ACCOUNT);
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, bi, SW_BLIND_BYTES);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0), ctx))
            break;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "listing subjects");
}

static sw_status lite_ident_lookup(void *impl,
                                   const uint8_t blind[SW_BLIND_BYTES],
                                   char *subject)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_IDENT_LOOKUP);
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, blind, SW_BLIND_BYTES);
    int rc = sqlite3_step(st);
    sw_status s = SW_ERR_NOTFOUND;
    if (rc == SQLITE_ROW) {
        snprintf(subject, SW_ID_BUFSZ, "%s", sqlite3_column_text(st, 0));
        s = SW_OK;
    } else if (rc != SQLITE_DONE) {
        s = fail(l, status_of(rc), "looking up an identifier");
    }
    sqlite3_reset(st);
    return s;
}

static sw_status lite_ident_insert(void *impl, const sw_ident_row *r,
                                   char *owner)
{
    lite *l = impl;
    if (lite_ident_lookup(impl, r->blind, owner) == SW_OK)
        return SW_ERR_CONFLICT;
    sqlite3_stmt *st = prep(l, S_IDENT_INSERT);
    if (!st)
        return SW_ERR_STORE;
    bind_blob(st, 1, r->blind, SW_BLIND_BYTES);
    bind_text(st, 2, r->type);
    bind_text(st, 3, r->subject);
    bind_blob(st, 4, r->value, r->value_len);
    sqlite3_bind_int64(st, 5, r->created_at);
    return run(l, st, "adding an identifier");
}

static sw_status lite_ident_list(void *impl, const char *subject,
                                 sw_ident_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_IDENT_LIST);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, subject);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_ident_row r;
        memset(&r, 0, sizeof(r));
        if (sqlite3_column_bytes(st, 0) == SW_BLIND_BYTES)
            memcpy(r.blind, sqlite3_column_blob(st, 0), SW_BLIND_BYTES);
        r.type = (const char *)sqlite3_column_text(st, 1);
        r.subject = subject;
        r.value = sqlite3_column_blob(st, 2);
        r.value_len = (size_t)sqlite3_column_bytes(st, 2);
        r.created_at = sqlite3_column_int64(st, 3);
        if (cb(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "listing identifiers");
}

static sw_status lite_record_insert(void *impl, const sw_record_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_REC_INSERT);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_text(st, 2, r->subject);
    bind_text(st, 3, r->activity);
    bind_text(st, 4, r->category);
    bind_blob(st, 5, r->value, r->value_len);
    bind_text(st, 6, r->source);
    sqlite3_bind_int64(st, 7, r->collected_at);
    if (r->has_due)
        sqlite3_bind_int64(st, 8, r->due_at);
    bind_text(st, 9, r->rule);
    return run(l, st, "adding a record");
}

static sw_status scan_records(lite *l, sqlite3_stmt *st, sw_record_cb cb,
                              void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_record_row r;
        r.id = (const char *)sqlite3_column_text(st, 0);
        r.subject = (const char *)sqlite3_column_text(st, 1);
        r.activity = (const char *)sqlite3_column_text(st, 2);
        r.category = (const char *)sqlite3_column_text(st, 3);
        r.value = sqlite3_column_blob(st, 4);
        r.value_len = (size_t)sqlite3_column_bytes(st, 4);
        r.source = (const char *)sqlite3_column_text(st, 5);
        r.collected_at = sqlite3_column_int64(st, 6);
        r.has_due = sqlite3_column_type(st, 7) != SQLITE_NULL;
        r.due_at = sqlite3_column_int64(st, 7);
        r.rule = (const char *)sqlite3_column_text(st, 8);
        if (cb(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "reading records");
}

static sw_status lite_record_get(void *impl, const char *id, sw_record_cb cb,
                                 void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_REC_GET);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    return scan_records(l, st, cb, ctx);
}

static sw_status lite_record_list(void *impl, const char *subject,
                                  sw_record_cb cb, void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_REC_LIST);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, subject);
    return scan_records(l, st, cb, ctx);
}

static sw_status lite_record_set_due(void *impl, const char *id, bool has_due,
                                     sw_instant due, const char *rule)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_REC_SET_DUE);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, id);
    if (has_due)
        sqlite3_bind_int64(st, 2, due);
    bind_text(st, 3, rule);
    return run(l, st, "moving a due date");
}

static sw_status lite_event_insert(void *impl, const sw_event_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_EV_INSERT);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, r->id);
    bind_text(st, 2, r->type);
    sqlite3_bind_int(st, 3, (int)r->scope);
    bind_blob(st, 4, r->key, r->key_len);
    sqlite3_bind_int64(st, 5, r->at);
    sqlite3_bind_int64(st, 6, r->recorded_at);
    return run(l, st, "recording an event");
}

static sw_status lite_event_latest(void *impl, const char *type,
                                   const sw_event_keys *k, sw_instant *at)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_EV_LATEST);
    if (!st)
        return SW_ERR_STORE;
    bind_text(st, 1, type);
    bind_blob(st, 2, k->record, k->record ? strlen(k->record) : 0);
    bind_blob(st, 3, k->subject, k->subject ? strlen(k->subject) : 0);
    bind_blob(st, 4, k->account_bi, SW_BLIND_BYTES);
    bind_blob(st, 5, k->tenant_bi, SW_BLIND_BYTES);
    int rc = sqlite3_step(st);
    sw_status s = SW_ERR_NOTFOUND;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *at = sqlite3_column_int64(st, 0);
        s = SW_OK;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        s = fail(l, status_of(rc), "reading events");
    }
    sqlite3_reset(st);
    return s;
}

static sw_status lite_audit_append(void *impl, const sw_audit_row *r)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_AUDIT_APPEND);
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, r->seq);
    sqlite3_bind_int64(st, 2, r->at);
    bind_text(st, 3, r->actor);
    bind_text(st, 4, r->action);
    bind_text(st, 5, r->subject);
    bind_text(st, 6, r->objects);
    bind_text(st, 7, r->details);
    bind_blob(st, 8, r->prev, SW_HASH_BYTES);
    bind_blob(st, 9, r->hash, SW_HASH_BYTES);
    if (r->has_written)
        sqlite3_bind_int64(st, 10, r->written_at);
    return run(l, st, "appending to the audit trail");
}

static sw_status lite_audit_last(void *impl, int64_t *seq,
                                 uint8_t hash[SW_HASH_BYTES])
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_AUDIT_LAST);
    if (!st)
        return SW_ERR_STORE;
    int rc = sqlite3_step(st);
    *seq = 0;
    memset(hash, 0, SW_HASH_BYTES);
    sw_status s = SW_OK;
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == SW_HASH_BYTES)
            memcpy(hash, sqlite3_column_blob(st, 1), SW_HASH_BYTES);
    } else if (rc != SQLITE_DONE) {
        s = fail(l, status_of(rc), "reading the audit trail");
    }
    sqlite3_reset(st);
    return s;
}

static sw_status lite_audit_scan(void *impl, int64_t from, sw_audit_cb cb,
                                 void *ctx)
{
    lite *l = impl;
    sqlite3_stmt *st = prep(l, S_AUDIT_SCAN);
    if (!st)
        return SW_ERR_STORE;
    sqlite3_bind_int64(st, 1, from);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sw_audit_row r;
        memset(&r, 0, sizeof(r));
        r.seq = sqlite3_column_int64(st, 0);
        r.at = sqlite3_column_int64(st, 1);
        r.actor = (const char *)sqlite3_column_text(st, 2);
        r.action = (const char *)sqlite3_column_text(st, 3);
        r.subject = (const char *)sqlite3_column_text(st, 4);
        r.objects = (const char *)sqlite3_column_text(st, 5);
        r.details = (const char *)sqlite3_column_text(st, 6);
        /* A damaged hash column reads as zeros: the chain check fails. */
        if (sqlite3_column_bytes(st, 7) == SW_HASH_BYTES)
            memcpy(r.prev, sqlite3_column_blob(st, 7), SW_HASH_BYTES);
        if (sqlite3_column_bytes(st, 8) == SW_HASH_BYTES)
            memcpy(r.hash, sqlite3_column_blob(st, 8), SW_HASH_BYTES);
        r.has_written = sqlite3_column_type(st, 9) != SQLITE_NULL;
        r.written_at = sqlite3_column_int64(st, 9);
        if (!r.actor || !r.action || !r.objects || !r.details) {
            r.actor = r.actor ? r.actor : "";
            r.action = r.action ? r.action : "";
            r.objects = r.objects ? r.objects : "";
            r.details = r.details ? r.details : "";
        }
        if (cb(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? SW_OK
               : fail(l, status_of(rc), "reading the audit trail");
}

const sw_backend sw_backend_sqlite = {
    .name = "sqlite",
    .stmt_atomic = true,
    .open = lite_open,
    .close = lite_close,
    .remove = lite_remove,
    .errmsg = lite_errmsg,
    .setup = lite_setup,
    .tx = lite_tx,
    .checkpoint = lite_checkpoint,
    .meta_get = lite_meta_get,
    .meta_set = lite_meta_set,
    .subject_insert = lite_subject_insert,
    .subject_get = lite_subject_get,
    .subject_destroy_key = lite_subject_destroy_key,
    .subject_delete = lite_subject_delete,
    .subjects_in_scope = lite_subjects_in_scope,
    .ident_insert = lite_ident_insert,
    .ident_lookup = lite_ident_lookup,
    .ident_list = lite_ident_list,
    .record_insert = lite_record_insert,
    .record_get = lite_record_get,
    .record_list = lite_record_list,
    .record_set_due = lite_record_set_due,
    .event_insert = lite_event_insert,
    .event_latest = lite_event_latest,
    .audit_append = lite_audit_append,
    .audit_last = lite_audit_last,
    .audit_scan = lite_audit_scan,
    .hold_insert = lite_hold_insert,
    .hold_release = lite_hold_release,
    .hold_list = lite_hold_list,
    .sweep_take = lite_sweep_take,
    .aggregate_add = lite_aggregate_add,
    .subject_remove_if_empty = lite_subject_remove_if_empty,
    .sweep_held = lite_sweep_held,
    .bill_set = lite_bill_set,
    .epoch_get = lite_epoch_get,
    .epoch_put = lite_epoch_put,
    .epoch_list = lite_epoch_list,
    .epoch_due = lite_epoch_due,
    .epoch_delete = lite_epoch_delete,
    .traffic_month = lite_traffic_month,
    .traffic_insert = lite_traffic_insert,
    .traffic_flush = lite_traffic_flush,
    .traffic_probe = lite_traffic_probe,
    .traffic_held = lite_traffic_held,
    .traffic_keyed = lite_traffic_keyed,
    .traffic_rekey = lite_traffic_rekey,
    .traffic_strip = lite_traffic_strip,
    .traffic_expire = lite_traffic_expire,
    .traffic_months = lite_traffic_months,
    .traffic_warm = lite_traffic_warm,
    .traffic_drop_empty = lite_traffic_drop_empty,
    .subject_set_flags = lite_subject_set_flags,
    .consent_put = lite_consent_put,
    .consent_get = lite_consent_get,
    .consent_by_token = lite_consent_by_token,
    .consent_latest = lite_consent_latest,
    .consent_list = lite_consent_list,
    .consent_expiring = lite_consent_expiring,
    .consent_change_add = lite_consent_change_add,
    .consent_changes = lite_consent_changes,
    .objection_insert = lite_objection_insert,
    .objection_get = lite_objection_get,
    .objection_override = lite_objection_override,
    .suppression_put = lite_suppression_put,
    .suppression_get = lite_suppression_get,
    .suppression_delete = lite_suppression_delete,
    .suppression_set_due = lite_suppression_set_due,
    .suppression_sweep = lite_suppression_sweep,
    .suppression_list = lite_suppression_list,
    .data_version = lite_data_version,
    .sweep_lock = lite_sweep_lock,
    .apikey_insert = lite_apikey_insert,
    .apikey_get = lite_apikey_get,
    .apikey_revoke = lite_apikey_revoke,
    .apikey_list = lite_apikey_list,
    .state_get = lite_state_get,
    .state_put = lite_state_put,
    .state_sweep = lite_state_sweep,
    .decide_facts = lite_decide_facts,
    .request_put = lite_request_put,
    .request_get = lite_request_get,
    .request_open_of = lite_request_open_of,
    .request_list_open = lite_request_list_open,
    .request_change_add = lite_request_change_add,
    .request_changes = lite_request_changes,
    .request_since = lite_request_since,
    .request_closed_before = lite_request_closed_before,
    .request_delete = lite_request_delete,
    .record_hold = lite_record_hold,
    .record_delete = lite_record_delete,
    .record_set_value = lite_record_set_value,
};
