/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend (libpq): several processes, one database. Every
 * statement is prepared once per connection and run with parameters;
 * results come back in binary. A write transaction takes one advisory
 * lock, so writers line up as they do on SQLite and the audit chain stays
 * one chain; readers and decisions never wait.
 * Traffic lives in one native partition per month, so a month past its
 * ten years is dropped whole, as SQLite drops its table.
 */
#include <endian.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define WRITE_LOCK 0x73746577 /* "stew": the advisory lock of writers */
#define MAX_ARGS 24
#define MAX_PREP 256

typedef struct pgs {
    PGconn *c;
    char err[512];
    struct {
        const char *sql;
        char name[16];
    } prep[MAX_PREP];
    int n_prep;
    bool write_tx;
    bool copying;      /* a COPY of traffic rows into the stage is open */
    size_t staged;     /* rows in the stage, not yet in traffic */
    sw_status copy_st; /* how the last COPY ended */
    char *line;        /* a row of COPY text being built */
    size_t line_cap;
    uint8_t acc_enc[512], ten_enc[512];
} pgs;

/* ---- statements ---- */

typedef struct args {
    int n;
    const char *v[MAX_ARGS];
    int len[MAX_ARGS];
    int fmt[MAX_ARGS];
    char num[MAX_ARGS][24];
} args;

static void a_txt(args *a, const char *s)
{
    a->v[a->n] = s;
    a->len[a->n] = 0;
    a->fmt[a->n++] = 0;
}

static void a_int(args *a, int64_t x)
{
    snprintf(a->num[a->n], sizeof(a->num[0]), "%lld", (long long)x);
    a_txt(a, a->num[a->n]);
}

static void a_blob(args *a, const void *p, size_t n)
{
    a->v[a->n] = p;
    a->len[a->n] = (int)n;
    a->fmt[a->n++] = 1;
}

static sw_status status_of(const PGresult *r, PGconn *c)
{
    if (PQstatus(c) != CONNECTION_OK)
        return SW_ERR_STORE;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return SW_ERR_STORE;
    if (strcmp(state, "23505") == 0)
        return SW_ERR_CONFLICT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
        return SW_ERR_BUSY;
    return SW_ERR_STORE;
}

static sw_status fail(pgs *p, const PGresult *r, const char *what)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(p->c);
    snprintf(p->err, sizeof(p->err), "%s: %.*s", what,
             (int)strcspn(m, "\n"), m);
    return status_of(r, p->c);
}

/* Ends an open COPY of traffic rows: any other statement first needs the
 * connection back. A row the COPY refused (a duplicate id) fails here. */
static sw_status copy_end(pgs *p)
{
    if (!p->copying)
        return SW_OK;
    p->copying = false;
    sw_status st = SW_OK;
    if (PQputCopyEnd(p->c, NULL) != 1)
        st = fail(p, NULL, "storing traffic");
    PGresult *r;
    while ((r = PQgetResult(p->c))) {
        if (st == SW_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = fail(p, r, "storing traffic");
        PQclear(r);
    }
    return st;
}

/* Runs sql (prepared on first use) with a; the result (rows in binary) or
 * NULL after setting *st and p->err. */
static PGresult *q(pgs *p, const char *sql, const args *a, const char *what,
                   sw_status *st)
{
    if ((*st = copy_end(p)) != SW_OK)
        return NULL;
    const char *name = NULL;
    for (int i = 0; i < p->n_prep && !name; i++)
        if (p->prep[i].sql == sql)
            name = p->prep[i].name;
    if (!name && p->n_prep < MAX_PREP) {
        char *n = p->prep[p->n_prep].name;
        snprintf(n, sizeof(p->prep[0].name), "s%d", p->n_prep);
        PGresult *r = PQprepare(p->c, n, sql, a ? a->n : 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            *st = fail(p, r, what);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        p->prep[p->n_prep++].sql = sql;
        name = n;
    }
    PGresult *r =
        name ? PQexecPrepared(p->c, name, a ? a->n : 0, a ? a->v : NULL,
                              a ? a->len : NULL, a ? a->fmt : NULL, 1)
             : PQexecParams(p->c, sql, a ? a->n : 0, NULL, a ? a->v : NULL,
                            a ? a->len : NULL, a ? a->fmt : NULL, 1);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        *st = fail(p, r, what);
        PQclear(r);
        return NULL;
    }
    *st = SW_OK;
    return r;
}

/* The same for SQL made at run time (a month's table): not prepared. */
static PGresult *q_dyn(pgs *p, const char *sql, const args *a,
                       const char *what, sw_status *st)
{
    if ((*st = copy_end(p)) != SW_OK)
        return NULL;
    PGresult *r = PQexecParams(p->c, sql, a ? a->n : 0, NULL, a ? a->v : NULL,
                               a ? a->len : NULL, a ? a->fmt : NULL, 1);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        *st = fail(p, r, what);
        PQclear(r);
        return NULL;
    }
    *st = SW_OK;
    return r;
}

/* A statement without rows. */
static sw_status run(pgs *p, const char *sql, const args *a, const char *what,
                     size_t *changed)
{
    sw_status st;
    PGresult *r = q(p, sql, a, what, &st);
    if (r && changed)
        *changed = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return st;
}

static bool nul(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

static const char *txt(const PGresult *r, int row, int col)
{
    return nul(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int64_t i64(const PGresult *r, int row, int col)
{
    if (nul(r, row, col))
        return 0;
    const char *v = PQgetvalue(r, row, col);
    int n = PQgetlength(r, row, col);
    if (n == 8) {
        uint64_t x;
        memcpy(&x, v, 8);
        return (int64_t)be64toh(x);
    }
    if (n == 4) {
        uint32_t x;
        memcpy(&x, v, 4);
        return (int32_t)be32toh(x);
    }
    return n == 1 ? (int64_t)(unsigned char)v[0] : 0;
}

static const uint8_t *blob(const PGresult *r, int row, int col, size_t *n)
{
    *n = nul(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
    return nul(r, row, col) ? NULL : (const uint8_t *)PQgetvalue(r, row, col);
}

static bool blob_into(const PGresult *r, int row, int col, uint8_t *dst,
                      size_t want)
{
    size_t n;
    const uint8_t *b = blob(r, row, col, &n);
    if (!b || n != want)
        return false;
    memcpy(dst, b, n);
    return true;
}

/* ---- the schema ---- */

static const char *const schema[] = {
    "CREATE TABLE steward_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    "CREATE TABLE steward_changes(n BIGINT NOT NULL);"
    "INSERT INTO steward_changes VALUES (0);",
    "CREATE TABLE subjects(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " role TEXT NOT NULL, account_bi BYTEA, tenant_bi BYTEA,"
    " account_enc BYTEA, tenant_enc BYTEA, wrapped_key BYTEA,"
    " created_at BIGINT NOT NULL, flags BIGINT NOT NULL DEFAULT 0,"
    " minor_until BIGINT);"
    "CREATE INDEX subjects_account ON subjects(account_bi)"
    " WHERE account_bi IS NOT NULL;"
    "CREATE INDEX subjects_tenant ON subjects(tenant_bi)"
    " WHERE tenant_bi IS NOT NULL;",
    "CREATE TABLE identifiers(blind BYTEA PRIMARY KEY, type TEXT NOT NULL,"
    " subject_id TEXT NOT NULL, value BYTEA NOT NULL,"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX identifiers_subject ON identifiers(subject_id);",
    "CREATE TABLE records(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " activity TEXT NOT NULL, category TEXT NOT NULL, value BYTEA NOT NULL,"
    " source TEXT, collected_at BIGINT NOT NULL, due_at BIGINT, rule TEXT);"
    "CREATE INDEX records_subject ON records(subject_id);"
    "CREATE INDEX records_due ON records(due_at) WHERE due_at IS NOT NULL;",
    "CREATE TABLE events(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " scope BIGINT NOT NULL, scope_key BYTEA NOT NULL, at BIGINT NOT NULL,"
    " recorded_at BIGINT NOT NULL);"
    "CREATE INDEX events_lookup ON events(type, scope, scope_key, at);"
    "CREATE INDEX events_key ON events(scope, scope_key);",
    "CREATE TABLE audit(seq BIGINT PRIMARY KEY, at BIGINT NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, subject_id TEXT,"
    " objects TEXT NOT NULL, details TEXT NOT NULL, prev_hash BYTEA NOT NULL,"
    " hash BYTEA NOT NULL);"
    "CREATE INDEX audit_subject ON audit(subject_id)"
    " WHERE subject_id IS NOT NULL;",
    "CREATE TABLE consents(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, state TEXT NOT NULL, state_at BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL, given_at BIGINT, expires_at BIGINT,"
    " method TEXT NOT NULL, notice_version TEXT NOT NULL, form TEXT,"
    " parental BIGINT NOT NULL DEFAULT 0, token_hash BYTEA,"
    " token_expires BIGINT);"
    "CREATE INDEX consents_subject ON consents(subject_id, purpose,"
    " created_at);",
    "CREATE TABLE consent_changes(consent_id TEXT NOT NULL,"
    " seq BIGINT NOT NULL, state TEXT NOT NULL, at BIGINT NOT NULL,"
    " actor TEXT NOT NULL, note TEXT, PRIMARY KEY(consent_id, seq));",
    "CREATE TABLE objections(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, at BIGINT NOT NULL, override_reason TEXT,"
    " override_at BIGINT, override_by TEXT);",
    "CREATE TABLE holds(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " scope BIGINT NOT NULL, scope_key BYTEA NOT NULL, target TEXT NOT NULL,"
    " reason TEXT NOT NULL, placed_at BIGINT NOT NULL,"
    " placed_by TEXT NOT NULL, released_at BIGINT, released_by TEXT);"
    "CREATE INDEX holds_active ON holds(scope, scope_key)"
    " WHERE released_at IS NULL;",
    "CREATE TABLE aggregates(activity TEXT NOT NULL, category TEXT NOT NULL,"
    " month TEXT NOT NULL, rule TEXT NOT NULL, count BIGINT NOT NULL,"
    " PRIMARY KEY(activity, category, month, rule));",
    "CREATE TABLE bills(account TEXT NOT NULL, period TEXT NOT NULL,"
    " status TEXT NOT NULL, updated_at BIGINT NOT NULL,"
    " PRIMARY KEY(account, period));"
    "CREATE UNIQUE INDEX consents_token ON consents(token_hash)"
    " WHERE token_hash IS NOT NULL;"
    "CREATE INDEX consents_expiry ON consents(expires_at)"
    " WHERE expires_at IS NOT NULL;"
    "CREATE INDEX objections_subject ON objections(subject_id, purpose, at);",
    "CREATE TABLE suppression(hash BYTEA NOT NULL, channel TEXT NOT NULL,"
    " since BIGINT NOT NULL, rule TEXT, due_at BIGINT,"
    " PRIMARY KEY(hash, channel));"
    "CREATE INDEX suppression_due ON suppression(due_at)"
    " WHERE due_at IS NOT NULL;",
    "CREATE TABLE requests(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " regulation TEXT NOT NULL, subject_id TEXT NOT NULL, purpose TEXT,"
    " state TEXT NOT NULL, agent TEXT, agent_proof TEXT, outcome TEXT,"
    " received_at BIGINT NOT NULL, due_at BIGINT NOT NULL,"
    " first_due_at BIGINT NOT NULL, ack_due_at BIGINT,"
    " extended BIGINT NOT NULL DEFAULT 0, closed_at BIGINT,"
    " code_hash BYTEA, code_expires BIGINT,"
    " attempts BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX requests_open ON requests(due_at) WHERE closed_at IS NULL;"
    "CREATE INDEX requests_subject ON requests(subject_id, type)"
    " WHERE closed_at IS NULL;",
    "CREATE TABLE request_changes(request_id TEXT NOT NULL,"
    " seq BIGINT NOT NULL, state TEXT NOT NULL, at BIGINT NOT NULL,"
    " actor TEXT NOT NULL, reason TEXT, PRIMARY KEY(request_id, seq));",
    "CREATE TABLE epoch_keys(day BIGINT NOT NULL, class TEXT NOT NULL,"
    " wrapped BYTEA NOT NULL, due_at BIGINT, PRIMARY KEY(day, class));"
    "CREATE INDEX epoch_keys_due ON epoch_keys(due_at)"
    " WHERE due_at IS NOT NULL;",
    /* traffic: one native partition per month, dropped whole */
    "CREATE TABLE traffic_months(month BIGINT PRIMARY KEY);"
    "CREATE TABLE traffic(month BIGINT NOT NULL, ext_id TEXT NOT NULL,"
    " account TEXT NOT NULL, account_bi BYTEA NOT NULL,"
    " channel TEXT NOT NULL, at BIGINT NOT NULL, day BIGINT NOT NULL,"
    " sender TEXT, country TEXT, key_class TEXT, ids BYTEA, dest_bi BYTEA,"
    " duration BIGINT, op TEXT, route TEXT, price TEXT, currency TEXT,"
    " UNIQUE(month, ext_id)) PARTITION BY LIST (month);"
    "CREATE INDEX traffic_dest ON traffic(dest_bi) WHERE dest_bi IS NOT NULL;"
    "CREATE INDEX traffic_day ON traffic(day, account);",
    "CREATE TABLE api_keys(id TEXT PRIMARY KEY, hash BYTEA NOT NULL UNIQUE,"
    " role TEXT NOT NULL, label TEXT NOT NULL, created_by TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, revoked_at BIGINT);",
};

static const char *const tables[] = {
    "traffic", "traffic_months", "epoch_keys",
    "holds", "aggregates", "bills", "suppression", "requests",
    "request_changes", "api_keys",   "objections",      "consent_changes", "consents",
    "audit",      "events",          "records",         "identifiers",
    "subjects",   "steward_changes", "steward_meta"};

/* ---- open, set up, close ---- */

static void pg_close(void *impl)
{
    pgs *p = impl;
    if (!p)
        return;
    PQfinish(p->c);
    if (p->line)
        sw_wipe(p->line, p->line_cap);
    free(p->line);
    sw_wipe(p->acc_enc, sizeof(p->acc_enc));
    sw_wipe(p->ten_enc, sizeof(p->ten_enc));
    free(p);
}

static sw_status pg_open(const char *uri, bool create, void **impl,
                         int *version, sw_error *err)
{
    *impl = NULL;
    *version = 0;
    pgs *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return SW_ERR_NOMEM;
    }
    p->c = PQconnectdb(uri);
    if (PQstatus(p->c) != CONNECTION_OK) {
        const char *m = PQerrorMessage(p->c);
        snprintf(err->msg, sizeof(err->msg), "cannot connect to PostgreSQL: %.*s",
                 (int)strcspn(m, "\n"), m);
        pg_close(p);
        return SW_ERR_STORE;
    }
    PQclear(PQexec(p->c, "SET client_min_messages = warning"));
    sw_status st;
    PGresult *r =
        q(p, "SELECT to_regclass('steward_meta') IS NOT NULL", NULL,
          "reading the schema", &st);
    bool exists = r && PQntuples(r) == 1 && i64(r, 0, 0);
    PQclear(r);
    if (st == SW_OK && exists) {
        r = q(p, "SELECT value FROM steward_meta WHERE key = 'schema_version'",
              NULL, "reading the schema version", &st);
        if (r && PQntuples(r) == 1)
            *version = atoi(txt(r, 0, 0));
        PQclear(r);
    }
    if (st != SW_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s", p->err);
    } else if (create && exists) {
        snprintf(err->msg, sizeof(err->msg),
                 "this database holds a steward store already; refusing to "
                 "overwrite it");
        st = SW_ERR_EXISTS;
        *version = -1; /* not ours to remove */
    } else if (!create && !exists) {
        snprintf(err->msg, sizeof(err->msg),
                 "no steward store in this database (create one with "
                 "'steward init --store URI --key FILE')");
        st = SW_ERR_NOTFOUND;
    }
    if (st != SW_OK) {
        pg_close(p);
        return st;
    }
    *impl = p;
    return SW_OK;
}

static void pg_remove(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) == CONNECTION_OK)
        for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
            char sql[128];
            snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", tables[i]);
            PQclear(PQexec(c, sql));
        }
    PQfinish(c);
}

static const char *pg_errmsg(void *impl)
{
    return ((pgs *)impl)->err;
}

static sw_status exec_plain(pgs *p, const char *sql, const char *what)
{
    sw_status cst = copy_end(p);
    if (cst != SW_OK && strncmp(sql, "ROLLBACK", 8) != 0)
        return cst;
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType s = PQresultStatus(r);
    sw_status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK
                       ? SW_OK
                       : fail(p, r, what);
    PQclear(r);
    return st;
}

static sw_status pg_setup(void *impl, int *from)
{
    pgs *p = impl;
    sw_status st;
    PGresult *r = q(p, "SELECT to_regclass('steward_meta') IS NOT NULL", NULL,
                    "reading the schema", &st);
    bool exists = r && PQntuples(r) == 1 && i64(r, 0, 0);
    PQclear(r);
    *from = exists ? SW_SCHEMA_LATEST : 0;
    if (st != SW_OK || exists)
        return st;
    /* version 6 at once; later versions migrate from it as on SQLite */
    char ver[64];
    snprintf(ver, sizeof(ver),
             "INSERT INTO steward_meta VALUES('schema_version', '%d');",
             SW_SCHEMA_LATEST);
    if ((st = exec_plain(p, "BEGIN", "creating the schema")) != SW_OK)
        return st;
    for (size_t i = 0; st == SW_OK && i < sizeof(schema) / sizeof(schema[0]);
         i++)
        st = exec_plain(p, schema[i], "creating the schema");
    if (st == SW_OK)
        st = exec_plain(p, ver, "creating the schema");
    return exec_plain(p, st == SW_OK ? "COMMIT" : "ROLLBACK",
                      "creating the schema") == SW_OK
               ? st
               : SW_ERR_STORE;
}

static sw_status pg_traffic_flush(void *impl,
                                  int (*cb)(const char *ext_id, void *ctx),
                                  void *ctx);

static sw_status pg_tx(void *impl, sw_tx_op op)
{
    pgs *p = impl;
    switch (op) {
    case SW_TX_BEGIN:
        p->write_tx = true;
        return exec_plain(p,
                          "BEGIN; SELECT pg_advisory_xact_lock(1937007975)",
                          "starting a change");
    case SW_TX_COMMIT: {
        sw_status st = pg_traffic_flush(p, NULL, NULL);
        if (st == SW_OK)
            st = p->write_tx
                           ? exec_plain(p, "UPDATE steward_changes SET n = n + 1",
                                        "committing")
                           : SW_OK;
        p->write_tx = false;
        if (st != SW_OK) {
            exec_plain(p, "ROLLBACK", "rolling back");
            return st;
        }
        return exec_plain(p, "COMMIT", "committing");
    }
    case SW_TX_ROLLBACK:
        p->write_tx = false;
        p->staged = 0; /* the stage's rows go with the transaction */
        return exec_plain(p, "ROLLBACK", "rolling back");
    case SW_TX_SAVEPOINT:
        return exec_plain(p, "SAVEPOINT change", "starting a change");
    case SW_TX_RELEASE:
        return exec_plain(p, "RELEASE SAVEPOINT change", "ending a change");
    case SW_TX_ROLLBACK_TO:
        return exec_plain(p,
                          "ROLLBACK TO SAVEPOINT change;"
                          " RELEASE SAVEPOINT change",
                          "undoing a change");
    case SW_TX_READ:
        p->write_tx = false;
        return exec_plain(p,
                          "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                          "starting a read");
    }
    return SW_ERR_INVALID;
}

static sw_status pg_checkpoint(void *impl)
{
    (void)impl; /* PostgreSQL's own checkpoints; VACUUM is the DBA's */
    return SW_OK;
}

static sw_status pg_meta_get(void *impl, const char *key, char *val, size_t n)
{
    pgs *p = impl;
    args a = {0};
    a_txt(&a, key);
    sw_status st;
    PGresult *r = q(p, "SELECT value FROM steward_meta WHERE key = $1", &a,
                    "reading store metadata", &st);
    if (r && PQntuples(r) == 1)
        snprintf(val, n, "%s", txt(r, 0, 0));
    else if (r)
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

static sw_status pg_meta_set(void *impl, const char *key, const char *val)
{
    args a = {0};
    a_txt(&a, key);
    a_txt(&a, val);
    return run(impl,
               "INSERT INTO steward_meta(key, value) VALUES($1, $2)"
               " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               &a, "writing store metadata", NULL);
}

/* ---- subjects, identifiers, records, events ---- */

static sw_status pg_subject_insert(void *impl, const sw_subject_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_txt(&a, r->kind);
    a_txt(&a, r->role);
    a_blob(&a, r->has_account ? r->account_bi : NULL, SW_BLIND_BYTES);
    a_blob(&a, r->has_tenant ? r->tenant_bi : NULL, SW_BLIND_BYTES);
    a_blob(&a, r->account_enc, r->account_enc_len);
    a_blob(&a, r->tenant_enc, r->tenant_enc_len);
    a_blob(&a, r->has_key ? r->wrapped_key : NULL, SW_WRAPPED_BYTES);
    a_int(&a, r->created_at);
    a_int(&a, r->flags);
    if (r->has_minor)
        a_int(&a, r->minor_until);
    else
        a_txt(&a, NULL);
    return run(impl,
               "INSERT INTO subjects(id, kind, role, account_bi, tenant_bi,"
               " account_enc, tenant_enc, wrapped_key, created_at, flags,"
               " minor_until) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
               &a, "adding a subject", NULL);
}

static sw_status pg_subject_get(void *impl, const char *id, sw_subject_row *o)
{
    pgs *p = impl;
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(p,
                    "SELECT kind, role, account_bi, tenant_bi, account_enc,"
                    " tenant_enc, wrapped_key, created_at, flags, minor_until"
                    " FROM subjects WHERE id = $1",
                    &a, "reading a subject", &st);
    if (!r)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        snprintf(p->err, sizeof(p->err), "no subject %s", id);
        return SW_ERR_NOTFOUND;
    }
    memset(o, 0, sizeof(*o));
    snprintf(o->id, sizeof(o->id), "%s", id);
    snprintf(o->kind, sizeof(o->kind), "%s", txt(r, 0, 0));
    snprintf(o->role, sizeof(o->role), "%s", txt(r, 0, 1));
    bool ok = true;
    if ((o->has_account = !nul(r, 0, 2)))
        ok &= blob_into(r, 0, 2, o->account_bi, SW_BLIND_BYTES);
    if ((o->has_tenant = !nul(r, 0, 3)))
        ok &= blob_into(r, 0, 3, o->tenant_bi, SW_BLIND_BYTES);
    size_t n;
    const uint8_t *b;
    if ((b = blob(r, 0, 4, &n))) {
        ok &= n <= sizeof(p->acc_enc);
        if (ok) {
            memcpy(p->acc_enc, b, n);
            o->account_enc = p->acc_enc;
            o->account_enc_len = n;
        }
    }
    if ((b = blob(r, 0, 5, &n))) {
        ok &= n <= sizeof(p->ten_enc);
        if (ok) {
            memcpy(p->ten_enc, b, n);
            o->tenant_enc = p->ten_enc;
            o->tenant_enc_len = n;
        }
    }
    if ((o->has_key = !nul(r, 0, 6)))
        ok &= blob_into(r, 0, 6, o->wrapped_key, SW_WRAPPED_BYTES);
    o->created_at = i64(r, 0, 7);
    o->flags = i64(r, 0, 8);
    o->has_minor = !nul(r, 0, 9);
    o->minor_until = i64(r, 0, 9);
    PQclear(r);
    if (!ok) {
        snprintf(p->err, sizeof(p->err), "subject %s: damaged row", id);
        return SW_ERR_CORRUPT;
    }
    return SW_OK;
}

static sw_status pg_subject_destroy_key(void *impl, const char *id)
{
    args a = {0};
    a_txt(&a, id);
    return run(impl,
               "UPDATE subjects SET wrapped_key = NULL, account_enc = NULL,"
               " tenant_enc = NULL WHERE id = $1",
               &a, "destroying a subject key", NULL);
}

static sw_status pg_subject_delete(void *impl, const char *id,
                                   sw_erase_result *c)
{
    static const char *const text[] = {
        "DELETE FROM identifiers WHERE subject_id = $1",
        /* before the records its sub-query reads */
        "DELETE FROM events WHERE (scope = 1 AND"
        " scope_key = convert_to($1, 'UTF8')) OR (scope = 0 AND scope_key IN"
        " (SELECT convert_to(id, 'UTF8') FROM records WHERE subject_id = $1))",
        "DELETE FROM records WHERE subject_id = $1",
        "DELETE FROM consent_changes WHERE consent_id IN"
        " (SELECT id FROM consents WHERE subject_id = $1)",
        "DELETE FROM consents WHERE subject_id = $1",
        "DELETE FROM objections WHERE subject_id = $1",
        "DELETE FROM subjects WHERE id = $1"};
    size_t *counts[] = {&c->identifiers, &c->events, &c->records,
                        NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        args a = {0};
        a_txt(&a, id);
        sw_status st = run(impl, text[i], &a, "erasing a subject", counts[i]);
        if (st != SW_OK)
            return st;
    }
    return SW_OK;
}

static sw_status pg_subjects_in_scope(void *impl, sw_scope_kind scope,
                                      const uint8_t bi[SW_BLIND_BYTES],
                                      sw_subject_id_cb cb, void *ctx)
{
    args a = {0};
    a_blob(&a, bi, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r =
        q(impl,
          scope == SW_EV_TENANT ? "SELECT id FROM subjects WHERE tenant_bi = $1"
                                : "SELECT id FROM subjects WHERE account_bi = $1",
          &a, "listing subjects", &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb(txt(r, i, 0), ctx))
            break;
    PQclear(r);
    return st;
}

static sw_status pg_ident_lookup(void *impl,
                                 const uint8_t blind[SW_BLIND_BYTES],
                                 char *subject)
{
    args a = {0};
    a_blob(&a, blind, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r = q(impl, "SELECT subject_id FROM identifiers WHERE blind = $1",
                    &a, "looking up an identifier", &st);
    if (r && PQntuples(r) == 1)
        snprintf(subject, SW_ID_BUFSZ, "%s", txt(r, 0, 0));
    else if (r)
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

static sw_status pg_ident_insert(void *impl, const sw_ident_row *r,
                                 char *owner)
{
    if (pg_ident_lookup(impl, r->blind, owner) == SW_OK)
        return SW_ERR_CONFLICT;
    args a = {0};
    a_blob(&a, r->blind, SW_BLIND_BYTES);
    a_txt(&a, r->type);
    a_txt(&a, r->subject);
    a_blob(&a, r->value, r->value_len);
    a_int(&a, r->created_at);
    return run(impl,
               "INSERT INTO identifiers(blind, type, subject_id, value,"
               " created_at) VALUES($1,$2,$3,$4,$5)",
               &a, "adding an identifier", NULL);
}

static sw_status pg_ident_list(void *impl, const char *subject, sw_ident_cb cb,
                               void *ctx)
{
    args a = {0};
    a_txt(&a, subject);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT blind, type, value, created_at FROM identifiers"
                    " WHERE subject_id = $1 ORDER BY created_at, type",
                    &a, "listing identifiers", &st);
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_ident_row row;
        memset(&row, 0, sizeof(row));
        blob_into(r, i, 0, row.blind, SW_BLIND_BYTES);
        row.type = txt(r, i, 1);
        row.subject = subject;
        row.value = blob(r, i, 2, &row.value_len);
        row.created_at = i64(r, i, 3);
        if (cb(&row, ctx))
            break;
    }
    PQclear(r);
    return st;
}

static sw_status pg_record_insert(void *impl, const sw_record_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_txt(&a, r->subject);
    a_txt(&a, r->activity);
    a_txt(&a, r->category);
    a_blob(&a, r->value, r->value_len);
    a_txt(&a, r->source);
    a_int(&a, r->collected_at);
    if (r->has_due)
        a_int(&a, r->due_at);
    else
        a_txt(&a, NULL);
    a_txt(&a, r->rule);
    return run(impl,
               "INSERT INTO records(id, subject_id, activity, category, value,"
               " source, collected_at, due_at, rule)"
               " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
               &a, "adding a record", NULL);
}

#define RECORD_COLUMNS                                                        \
    "id, subject_id, activity, category, value, source, collected_at,"       \
    " due_at, rule"

static sw_status scan_records(PGresult *r, sw_record_cb cb, void *ctx)
{
    for (int i = 0; i < PQntuples(r); i++) {
        sw_record_row row;
        row.id = txt(r, i, 0);
        row.subject = txt(r, i, 1);
        row.activity = txt(r, i, 2);
        row.category = txt(r, i, 3);
        row.value = blob(r, i, 4, &row.value_len);
        row.source = txt(r, i, 5);
        row.collected_at = i64(r, i, 6);
        row.has_due = !nul(r, i, 7);
        row.due_at = i64(r, i, 7);
        row.rule = txt(r, i, 8);
        if (cb(&row, ctx))
            break;
    }
    PQclear(r);
    return SW_OK;
}

static sw_status pg_record_get(void *impl, const char *id, sw_record_cb cb,
                               void *ctx)
{
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(impl, "SELECT " RECORD_COLUMNS " FROM records WHERE id = $1",
                    &a, "reading records", &st);
    return r ? scan_records(r, cb, ctx) : st;
}

static sw_status pg_record_list(void *impl, const char *subject,
                                sw_record_cb cb, void *ctx)
{
    args a = {0};
    a_txt(&a, subject);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " RECORD_COLUMNS " FROM records"
                    " WHERE subject_id = $1 ORDER BY collected_at, id",
                    &a, "reading records", &st);
    return r ? scan_records(r, cb, ctx) : st;
}

static sw_status pg_record_set_due(void *impl, const char *id, bool has_due,
                                   sw_instant due, const char *rule)
{
    args a = {0};
    a_txt(&a, id);
    if (has_due)
        a_int(&a, due);
    else
        a_txt(&a, NULL);
    a_txt(&a, rule);
    return run(impl, "UPDATE records SET due_at = $2, rule = $3 WHERE id = $1",
               &a, "moving a due date", NULL);
}

static sw_status pg_event_insert(void *impl, const sw_event_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_txt(&a, r->type);
    a_int(&a, (int64_t)r->scope);
    a_blob(&a, r->key, r->key_len);
    a_int(&a, r->at);
    a_int(&a, r->recorded_at);
    return run(impl,
               "INSERT INTO events(id, type, scope, scope_key, at, recorded_at)"
               " VALUES($1,$2,$3,$4,$5,$6)",
               &a, "recording an event", NULL);
}

static sw_status pg_event_latest(void *impl, const char *type,
                                 const sw_event_keys *k, sw_instant *at)
{
    args a = {0};
    a_txt(&a, type);
    a_blob(&a, k->record, k->record ? strlen(k->record) : 0);
    a_blob(&a, k->subject, k->subject ? strlen(k->subject) : 0);
    a_blob(&a, k->account_bi, SW_BLIND_BYTES);
    a_blob(&a, k->tenant_bi, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT max(at) FROM events WHERE type = $1 AND ("
                    " (scope = 0 AND scope_key = $2) OR"
                    " (scope = 1 AND scope_key = $3) OR"
                    " (scope = 2 AND scope_key = $4) OR"
                    " (scope = 3 AND scope_key = $5))",
                    &a, "reading events", &st);
    if (r && PQntuples(r) == 1 && !nul(r, 0, 0))
        *at = i64(r, 0, 0);
    else if (r)
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

/* ---- the audit trail ---- */

static sw_status pg_audit_append(void *impl, const sw_audit_row *r)
{
    args a = {0};
    a_int(&a, r->seq);
    a_int(&a, r->at);
    a_txt(&a, r->actor);
    a_txt(&a, r->action);
    a_txt(&a, r->subject);
    a_txt(&a, r->objects);
    a_txt(&a, r->details);
    a_blob(&a, r->prev, SW_HASH_BYTES);
    a_blob(&a, r->hash, SW_HASH_BYTES);
    return run(impl,
               "INSERT INTO audit(seq, at, actor, action, subject_id, objects,"
               " details, prev_hash, hash) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
               &a, "appending to the audit trail", NULL);
}

static sw_status pg_audit_last(void *impl, int64_t *seq,
                               uint8_t hash[SW_HASH_BYTES])
{
    *seq = 0;
    memset(hash, 0, SW_HASH_BYTES);
    sw_status st;
    PGresult *r = q(impl, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                    NULL, "reading the audit trail", &st);
    if (r && PQntuples(r) == 1) {
        *seq = i64(r, 0, 0);
        blob_into(r, 0, 1, hash, SW_HASH_BYTES);
    }
    PQclear(r);
    return st;
}

#define AUDIT_PAGE 10000

static sw_status pg_audit_scan(void *impl, int64_t from, sw_audit_cb cb,
                               void *ctx)
{
    /* a page at a time: a long trail never sits whole in memory */
    for (;;) {
        args a = {0};
        a_int(&a, from);
        a_int(&a, AUDIT_PAGE);
        sw_status st;
        PGresult *r = q(impl,
                        "SELECT seq, at, actor, action, subject_id, objects,"
                        " details, prev_hash, hash FROM audit WHERE seq >= $1"
                        " ORDER BY seq LIMIT $2",
                        &a, "reading the audit trail", &st);
        if (!r)
            return st;
        int n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            sw_audit_row row;
            memset(&row, 0, sizeof(row));
            row.seq = i64(r, i, 0);
            row.at = i64(r, i, 1);
            row.actor = txt(r, i, 2);
            row.action = txt(r, i, 3);
            row.subject = txt(r, i, 4);
            row.objects = txt(r, i, 5);
            row.details = txt(r, i, 6);
            size_t len;
            const uint8_t *b = blob(r, i, 7, &len);
            if (b && len == SW_HASH_BYTES)
                memcpy(row.prev, b, SW_HASH_BYTES);
            b = blob(r, i, 8, &len);
            if (b && len == SW_HASH_BYTES)
                memcpy(row.hash, b, SW_HASH_BYTES);
            from = row.seq + 1;
            if (cb(&row, ctx)) {
                PQclear(r);
                return SW_OK;
            }
        }
        PQclear(r);
        if (n < AUDIT_PAGE)
            return SW_OK;
    }
}

/* ---- holds and the record sweep ---- */

/* An active hold covers record r (of subject s) through the record, its
 * subject, its subject's account or its activity. */
#define HELD_RECORD                                                           \
    "EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND ("         \
    " (h.scope = 0 AND h.scope_key = convert_to(r.id, 'UTF8')) OR"            \
    " (h.scope = 1 AND h.scope_key = convert_to(r.subject_id, 'UTF8')) OR"    \
    " (h.scope = 2 AND h.scope_key = s.account_bi) OR"                        \
    " (h.scope = 4 AND h.scope_key = convert_to(r.activity, 'UTF8'))))"

static sw_status pg_hold_insert(void *impl, const sw_hold_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_txt(&a, r->kind);
    a_int(&a, (int64_t)r->scope);
    a_blob(&a, r->key, r->key_len);
    a_txt(&a, r->target);
    a_txt(&a, r->reason);
    a_int(&a, r->placed_at);
    a_txt(&a, r->placed_by);
    return run(impl,
               "INSERT INTO holds(id, kind, scope, scope_key, target, reason,"
               " placed_at, placed_by) VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
               &a, "placing a hold", NULL);
}

static sw_status pg_hold_release(void *impl, const char *id, sw_instant at,
                                 const char *by)
{
    pgs *p = impl;
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(p, "SELECT released_at IS NOT NULL FROM holds WHERE id = $1",
                    &a, "releasing a hold", &st);
    if (!r)
        return st;
    int released = PQntuples(r) == 1 ? (int)i64(r, 0, 0) : -1;
    PQclear(r);
    if (released < 0) {
        snprintf(p->err, sizeof(p->err), "no hold %s", id);
        return SW_ERR_NOTFOUND;
    }
    if (released) {
        snprintf(p->err, sizeof(p->err), "hold %s is already released", id);
        return SW_ERR_CONFLICT;
    }
    a_int(&a, at);
    a_txt(&a, by);
    return run(p,
               "UPDATE holds SET released_at = $2, released_by = $3"
               " WHERE id = $1",
               &a, "releasing a hold", NULL);
}

static sw_status pg_hold_list(void *impl, bool all, sw_hold_cb cb, void *ctx)
{
    args a = {0};
    a_txt(&a, all ? "true" : "false");
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT id, kind, scope, target, reason, placed_at,"
                    " placed_by, released_at FROM holds WHERE $1::boolean OR"
                    " released_at IS NULL ORDER BY released_at IS NOT NULL,"
                    " placed_at, id",
                    &a, "listing holds", &st);
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_hold_row h;
        memset(&h, 0, sizeof(h));
        h.id = txt(r, i, 0);
        h.kind = txt(r, i, 1);
        h.scope = (sw_scope_kind)i64(r, i, 2);
        h.target = txt(r, i, 3);
        h.reason = txt(r, i, 4);
        h.placed_at = i64(r, i, 5);
        h.placed_by = txt(r, i, 6);
        h.released = !nul(r, i, 7);
        h.released_at = i64(r, i, 7);
        if (cb(&h, ctx))
            break;
    }
    PQclear(r);
    return st;
}

#define DUE_COLUMNS                                                           \
    "r.id, r.subject_id, r.activity, r.category, r.collected_at,"            \
    " r.due_at, r.rule"

static sw_status pg_sweep_take(void *impl, sw_instant now, size_t limit,
                               bool dry_run, sw_record_cb cb, void *ctx,
                               size_t *n)
{
    *n = 0;
    args a = {0};
    a_int(&a, now);
    if (limit)
        a_int(&a, (int64_t)limit);
    else
        a_txt(&a, NULL); /* LIMIT NULL: all */
    sw_status st;
    PGresult *r = q(
        impl,
        dry_run ? "SELECT " DUE_COLUMNS " FROM records r LEFT JOIN subjects s"
                  " ON s.id = r.subject_id WHERE r.due_at <= $1 AND NOT "
                  HELD_RECORD " ORDER BY r.due_at LIMIT $2"
                : "DELETE FROM records WHERE id IN (SELECT r.id FROM records r"
                  " LEFT JOIN subjects s ON s.id = r.subject_id WHERE"
                  " r.due_at <= $1 AND NOT " HELD_RECORD " ORDER BY r.due_at"
                  " LIMIT $2) RETURNING id, subject_id, activity, category,"
                  " collected_at, due_at, rule",
        &a, "taking due records", &st);
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_record_row row;
        memset(&row, 0, sizeof(row));
        row.id = txt(r, i, 0);
        row.subject = txt(r, i, 1);
        row.activity = txt(r, i, 2);
        row.category = txt(r, i, 3);
        row.collected_at = i64(r, i, 4);
        row.has_due = true;
        row.due_at = i64(r, i, 5);
        row.rule = txt(r, i, 6);
        (*n)++;
        if (cb(&row, ctx))
            break; /* the caller fails the batch: nothing is deleted */
    }
    PQclear(r);
    return st;
}

static sw_status pg_aggregate_add(void *impl, const char *activity,
                                  const char *category, const char *month,
                                  const char *rule, size_t count)
{
    args a = {0};
    a_txt(&a, activity);
    a_txt(&a, category);
    a_txt(&a, month);
    a_txt(&a, rule);
    a_int(&a, (int64_t)count);
    return run(impl,
               "INSERT INTO aggregates(activity, category, month, rule, count)"
               " VALUES($1,$2,$3,$4,$5) ON CONFLICT(activity, category, month,"
               " rule) DO UPDATE SET count = aggregates.count + excluded.count",
               &a, "adding to the aggregates", NULL);
}

static sw_status pg_subject_remove_if_empty(void *impl, const char *id,
                                            bool *removed)
{
    *removed = false;
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT EXISTS (SELECT 1 FROM records WHERE subject_id = $1)",
                    &a, "checking a subject's records", &st);
    bool any = !r || i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK || any)
        return st;
    sw_erase_result counts;
    if ((st = pg_subject_destroy_key(impl, id)) == SW_OK)
        st = pg_subject_delete(impl, id, &counts);
    *removed = st == SW_OK;
    return st;
}

static sw_status pg_record_events_prune(void *impl)
{
    return run(impl,
               "DELETE FROM events WHERE scope = 0 AND NOT EXISTS"
               " (SELECT 1 FROM records r WHERE convert_to(r.id, 'UTF8') ="
               " events.scope_key)",
               NULL, "deleting events of deleted records", NULL);
}

static sw_status pg_sweep_held(void *impl, sw_instant now, sw_held_cb cb,
                               void *ctx, size_t *total)
{
    *total = 0;
    args a = {0};
    a_int(&a, now);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT count(*) FROM records r LEFT JOIN subjects s"
                    " ON s.id = r.subject_id WHERE r.due_at <= $1 AND "
                    HELD_RECORD,
                    &a, "counting held records", &st);
    if (r)
        *total = (size_t)i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK || !*total)
        return st;
    r = q(impl,
          "SELECT h.id, h.kind, count(*) FROM records r LEFT JOIN subjects s"
          " ON s.id = r.subject_id JOIN holds h ON h.released_at IS NULL AND"
          " ((h.scope = 0 AND h.scope_key = convert_to(r.id, 'UTF8')) OR"
          " (h.scope = 1 AND h.scope_key = convert_to(r.subject_id, 'UTF8')) OR"
          " (h.scope = 2 AND h.scope_key = s.account_bi) OR"
          " (h.scope = 4 AND h.scope_key = convert_to(r.activity, 'UTF8')))"
          " WHERE r.due_at <= $1 GROUP BY h.id, h.kind ORDER BY h.id",
          &a, "counting held records", &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb(txt(r, i, 0), txt(r, i, 1), (size_t)i64(r, i, 2), ctx))
            break;
    PQclear(r);
    return st;
}

static sw_status pg_bill_set(void *impl, const char *account,
                             const char *period, const char *status,
                             sw_instant at)
{
    args a = {0};
    a_txt(&a, account);
    a_txt(&a, period);
    a_txt(&a, status);
    a_int(&a, at);
    return run(impl,
               "INSERT INTO bills(account, period, status, updated_at)"
               " VALUES($1,$2,$3,$4) ON CONFLICT(account, period) DO UPDATE"
               " SET status = excluded.status, updated_at = excluded.updated_at",
               &a, "recording a bill", NULL);
}

/* ---- consents, objections, the suppression list ---- */

#define CONSENT_COLUMNS                                                       \
    "id, subject_id, purpose, state, state_at, created_at, given_at,"        \
    " expires_at, method, notice_version, form, parental, token_hash,"       \
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
        c.id = txt(r, i, 0);
        c.subject = txt(r, i, 1);
        c.purpose = txt(r, i, 2);
        c.state = txt(r, i, 3);
        c.state_at = i64(r, i, 4);
        c.created_at = i64(r, i, 5);
        c.has_given = !nul(r, i, 6);
        c.given_at = i64(r, i, 6);
        c.has_expiry = !nul(r, i, 7);
        c.expires_at = i64(r, i, 7);
        c.method = txt(r, i, 8);
        c.notice_version = txt(r, i, 9);
        c.form = txt(r, i, 10);
        c.parental = i64(r, i, 11) != 0;
        c.has_token = blob_into(r, i, 12, c.token_hash, SW_HASH_BYTES);
        c.token_expires = i64(r, i, 13);
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

static sw_status pg_consent_put(void *impl, const sw_consent_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_txt(&a, r->subject);
    a_txt(&a, r->purpose);
    a_txt(&a, r->state);
    a_int(&a, r->state_at);
    a_int(&a, r->created_at);
    if (r->has_given)
        a_int(&a, r->given_at);
    else
        a_txt(&a, NULL);
    if (r->has_expiry)
        a_int(&a, r->expires_at);
    else
        a_txt(&a, NULL);
    a_txt(&a, r->method);
    a_txt(&a, r->notice_version);
    a_txt(&a, r->form);
    a_int(&a, r->parental);
    if (r->has_token) {
        a_blob(&a, r->token_hash, SW_HASH_BYTES);
        a_int(&a, r->token_expires);
    } else {
        a_txt(&a, NULL);
        a_txt(&a, NULL);
    }
    return run(impl,
               "INSERT INTO consents(" CONSENT_COLUMNS ") VALUES($1,$2,$3,$4,"
               "$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT(id) DO UPDATE"
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

static sw_status pg_consent_get(void *impl, const char *id, sw_consent_cb cb,
                                void *ctx)
{
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(impl, "SELECT " CONSENT_COLUMNS " FROM consents WHERE id = $1",
                    &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, true);
}

static sw_status pg_consent_by_token(void *impl,
                                     const uint8_t hash[SW_HASH_BYTES],
                                     sw_consent_cb cb, void *ctx)
{
    args a = {0};
    a_blob(&a, hash, SW_HASH_BYTES);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " CONSENT_COLUMNS " FROM consents"
                    " WHERE token_hash = $1",
                    &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, true);
}

static sw_status pg_consent_latest(void *impl, const char *subject,
                                   const char *purpose, sw_consent_cb cb,
                                   void *ctx)
{
    args a = {0};
    a_txt(&a, subject);
    a_txt(&a, purpose);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                    " subject_id = $1 AND purpose = $2"
                    " ORDER BY created_at DESC, id DESC LIMIT 1",
                    &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, true);
}

static sw_status pg_consent_list(void *impl, const char *subject,
                                 sw_consent_cb cb, void *ctx)
{
    args a = {0};
    a_txt(&a, subject);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " CONSENT_COLUMNS " FROM consents WHERE"
                    " subject_id = $1 ORDER BY created_at DESC, id DESC",
                    &a, "reading consents", &st);
    return scan_consents(impl, r, st, cb, ctx, false);
}

static sw_status pg_consent_expiring(void *impl, sw_instant now,
                                     sw_consent_cb cb, void *ctx)
{
    args a = {0};
    a_int(&a, now);
    sw_status st;
    PGresult *r = q(impl,
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
    args a = {0};
    a_txt(&a, id);
    a_txt(&a, state);
    a_int(&a, at);
    a_txt(&a, actor);
    a_txt(&a, note);
    return run(impl, sql, &a, what, NULL);
}

/* A timeline, oldest first: sql selects state, at, actor, note for $1. */
static sw_status changes_scan(void *impl, const char *sql, const char *id,
                              sw_change_cb cb, void *ctx, const char *what)
{
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(impl, sql, &a, what, &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb(txt(r, i, 0), i64(r, i, 1), txt(r, i, 2), txt(r, i, 3), ctx))
            break;
    PQclear(r);
    return st;
}

static sw_status pg_consent_change_add(void *impl, const char *id,
                                       const char *state, sw_instant at,
                                       const char *actor, const char *note)
{
    return change_insert(
        impl,
        "INSERT INTO consent_changes(consent_id, seq, state, at, actor, note)"
        " VALUES($1, (SELECT coalesce(max(seq), 0) + 1 FROM consent_changes"
        " WHERE consent_id = $1), $2, $3, $4, $5)",
        id, state, at, actor, note, "recording a consent change");
}

static sw_status pg_consent_changes(void *impl, const char *id,
                                    sw_change_cb cb, void *ctx)
{
    return changes_scan(impl,
                        "SELECT state, at, actor, note FROM consent_changes"
                        " WHERE consent_id = $1 ORDER BY seq",
                        id, cb, ctx, "reading a consent's history");
}

static sw_status pg_objection_insert(void *impl, const sw_objection_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_txt(&a, r->subject);
    a_txt(&a, r->purpose);
    a_int(&a, r->at);
    return run(impl,
               "INSERT INTO objections(id, subject_id, purpose, at)"
               " VALUES($1, $2, $3, $4)",
               &a, "recording an objection", NULL);
}

static sw_status pg_objection_get(void *impl, const char *id,
                                  const char *subject, const char *purpose,
                                  sw_objection_cb cb, void *ctx)
{
    pgs *p = impl;
    args a = {0};
    a_txt(&a, purpose ? subject : id);
    if (purpose)
        a_txt(&a, purpose);
    sw_status st;
    PGresult *r = q(p,
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
        o.id = txt(r, 0, 0);
        o.subject = txt(r, 0, 1);
        o.purpose = txt(r, 0, 2);
        o.at = i64(r, 0, 3);
        o.override_reason = txt(r, 0, 4);
        o.override_at = i64(r, 0, 5);
        o.override_by = txt(r, 0, 6);
        cb(&o, ctx);
    } else {
        snprintf(p->err, sizeof(p->err), "no such objection");
        st = SW_ERR_NOTFOUND;
    }
    PQclear(r);
    return st;
}

static sw_status pg_objection_override(void *impl, const char *id,
                                       const char *reason, sw_instant at,
                                       const char *by)
{
    pgs *p = impl;
    args a = {0};
    a_txt(&a, id);
    a_txt(&a, reason);
    a_int(&a, at);
    a_txt(&a, by);
    size_t n = 0;
    sw_status st = run(p,
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

static sw_status pg_suppression_put(void *impl, const sw_suppression_row *r)
{
    args a = {0};
    a_blob(&a, r->hash, SW_BLIND_BYTES);
    a_txt(&a, r->channel);
    a_int(&a, r->since);
    a_txt(&a, r->rule);
    if (r->has_due)
        a_int(&a, r->due_at);
    else
        a_txt(&a, NULL);
    return run(impl,
               "INSERT INTO suppression(hash, channel, since, rule, due_at)"
               " VALUES($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
               &a, "adding to the suppression list", NULL);
}

static sw_status scan_suppression(PGresult *r, sw_suppression_cb cb,
                                  void *ctx, size_t *n)
{
    *n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        sw_suppression_row s;
        memset(&s, 0, sizeof(s));
        blob_into(r, i, 0, s.hash, SW_BLIND_BYTES);
        s.channel = txt(r, i, 1);
        s.since = i64(r, i, 2);
        s.rule = txt(r, i, 3);
        s.has_due = !nul(r, i, 4);
        s.due_at = i64(r, i, 4);
        (*n)++;
        if (cb(&s, ctx))
            break;
    }
    PQclear(r);
    return SW_OK;
}

static sw_status pg_suppression_get(void *impl,
                                    const uint8_t hash[SW_BLIND_BYTES],
                                    const char *channel, sw_suppression_cb cb,
                                    void *ctx)
{
    pgs *p = impl;
    args a = {0};
    a_blob(&a, hash, SW_BLIND_BYTES);
    a_txt(&a, channel);
    sw_status st;
    PGresult *r = q(p,
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

static sw_status pg_suppression_delete(void *impl,
                                       const uint8_t hash[SW_BLIND_BYTES],
                                       const char *channel, size_t *n)
{
    args a = {0};
    a_blob(&a, hash, SW_BLIND_BYTES);
    a_txt(&a, channel);
    *n = 0;
    return run(impl,
               "DELETE FROM suppression WHERE hash = $1"
               " AND ($2::text IS NULL OR channel = $2)",
               &a, "removing from the suppression list", n);
}

static sw_status pg_suppression_set_due(void *impl,
                                        const uint8_t hash[SW_BLIND_BYTES],
                                        const char *rule, sw_instant due)
{
    args a = {0};
    a_blob(&a, hash, SW_BLIND_BYTES);
    a_txt(&a, rule);
    a_int(&a, due);
    return run(impl,
               "UPDATE suppression SET due_at = $3 WHERE hash = $1 AND rule = $2",
               &a, "dating a suppression entry", NULL);
}

static sw_status pg_suppression_sweep(void *impl, sw_instant now, size_t *n)
{
    args a = {0};
    a_int(&a, now);
    *n = 0;
    return run(impl, "DELETE FROM suppression WHERE due_at <= $1", &a,
               "sweeping the suppression list", n);
}

static sw_status pg_suppression_list(void *impl, sw_suppression_cb cb,
                                     void *ctx)
{
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT hash, channel, since, rule, due_at FROM suppression"
                    " ORDER BY since, hash",
                    NULL, "reading the suppression list", &st);
    size_t n;
    return r ? scan_suppression(r, cb, ctx, &n) : st;
}

/* One statement for every fact of a decision: one round trip. */
static sw_status pg_decide_facts(void *impl, const uint8_t *blind,
                                 const char *subject, int supp,
                                 const char *purpose, sw_instant now,
                                 sw_facts *f)
{
    args a = {0};
    a_blob(&a, blind, blind ? SW_BLIND_BYTES : 0);
    a_txt(&a, subject);
    a_int(&a, supp);
    a_txt(&a, purpose);
    a_int(&a, now);
    sw_status st;
    PGresult *r = q(
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
        "  ORDER BY created_at DESC, id DESC LIMIT 1)"
        " LEFT JOIN objections o ON o.id = (SELECT id FROM objections"
        "  WHERE subject_id = s.id AND purpose = $4"
        "  ORDER BY at DESC, id DESC LIMIT 1)",
        &a, "reading a decision's facts", &st);
    memset(f, 0, sizeof(*f));
    if (r && PQntuples(r) == 1) {
        f->has_subject = !nul(r, 0, 0);
        snprintf(f->subject, sizeof(f->subject), "%s",
                 f->has_subject ? txt(r, 0, 0) : "");
        snprintf(f->kind, sizeof(f->kind), "%s",
                 f->has_subject ? txt(r, 0, 1) : "");
        f->flags = i64(r, 0, 2);
        f->has_minor = !nul(r, 0, 3);
        f->minor_until = i64(r, 0, 3);
        f->suppressed = !nul(r, 0, 4);
        f->suppressed_since = i64(r, 0, 4);
        if ((f->has_consent = !nul(r, 0, 5))) {
            snprintf(f->consent_id, sizeof(f->consent_id), "%s", txt(r, 0, 5));
            snprintf(f->consent_state, sizeof(f->consent_state), "%s",
                     txt(r, 0, 6));
            f->consent_at = i64(r, 0, 7);
            f->has_given = !nul(r, 0, 8);
            f->given_at = i64(r, 0, 8);
            f->has_expiry = !nul(r, 0, 9);
            f->expires_at = i64(r, 0, 9);
            f->parental = i64(r, 0, 10) != 0;
        }
        if ((f->has_objection = !nul(r, 0, 11))) {
            snprintf(f->objection_id, sizeof(f->objection_id), "%s",
                     txt(r, 0, 11));
            f->objection_at = i64(r, 0, 12);
            f->overridden = i64(r, 0, 13) != 0;
        }
        f->ended = !nul(r, 0, 14);
        f->ended_at = i64(r, 0, 14);
    }
    PQclear(r);
    return st;
}

/* ---- data-subject requests ---- */

#define REQUEST_COLUMNS                                                       \
    "id, type, regulation, subject_id, purpose, state, agent, agent_proof,"  \
    " outcome, received_at, due_at, first_due_at, ack_due_at, extended,"     \
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
        const char **text[] = {&q_.id,    &q_.type,  &q_.regulation,
                               &q_.subject, &q_.purpose, &q_.state,
                               &q_.agent, &q_.agent_proof, &q_.outcome};
        for (int k = 0; k < 9; k++)
            *text[k] = txt(r, i, k);
        q_.received_at = i64(r, i, 9);
        q_.due_at = i64(r, i, 10);
        q_.first_due_at = i64(r, i, 11);
        q_.has_ack_due = !nul(r, i, 12);
        q_.ack_due_at = i64(r, i, 12);
        q_.extended = i64(r, i, 13) != 0;
        q_.closed = !nul(r, i, 14);
        q_.closed_at = i64(r, i, 14);
        q_.has_code = blob_into(r, i, 15, q_.code_hash, SW_HASH_BYTES);
        q_.code_expires = i64(r, i, 16);
        q_.attempts = (int)i64(r, i, 17);
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

static sw_status pg_request_put(void *impl, const sw_request_row *r)
{
    args a = {0};
    const char *text[] = {r->id,    r->type,  r->regulation,
                          r->subject, r->purpose, r->state,
                          r->agent, r->agent_proof, r->outcome};
    for (int i = 0; i < 9; i++)
        a_txt(&a, text[i]);
    a_int(&a, r->received_at);
    a_int(&a, r->due_at);
    a_int(&a, r->first_due_at);
    if (r->has_ack_due)
        a_int(&a, r->ack_due_at);
    else
        a_txt(&a, NULL);
    a_int(&a, r->extended);
    if (r->closed)
        a_int(&a, r->closed_at);
    else
        a_txt(&a, NULL);
    if (r->has_code) {
        a_blob(&a, r->code_hash, SW_HASH_BYTES);
        a_int(&a, r->code_expires);
    } else {
        a_txt(&a, NULL);
        a_txt(&a, NULL);
    }
    a_int(&a, r->attempts);
    return run(impl,
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

static sw_status pg_request_get(void *impl, const char *id, sw_request_cb cb,
                                void *ctx)
{
    args a = {0};
    a_txt(&a, id);
    sw_status st;
    PGresult *r = q(impl, "SELECT " REQUEST_COLUMNS " FROM requests WHERE id = $1",
                    &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, true);
}

static sw_status pg_request_open_of(void *impl, const char *subject,
                                    const char *type, sw_request_cb cb,
                                    void *ctx)
{
    args a = {0};
    a_txt(&a, subject);
    a_txt(&a, type);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                    " subject_id = $1 AND type = $2 AND closed_at IS NULL",
                    &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, true);
}

static sw_status pg_request_list_open(void *impl, sw_request_cb cb, void *ctx)
{
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                    " closed_at IS NULL ORDER BY due_at, id",
                    NULL, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, false);
}

static sw_status pg_request_change_add(void *impl, const char *id,
                                       const char *state, sw_instant at,
                                       const char *actor, const char *reason)
{
    return change_insert(
        impl,
        "INSERT INTO request_changes(request_id, seq, state, at, actor,"
        " reason) VALUES($1, (SELECT coalesce(max(seq), 0) + 1 FROM"
        " request_changes WHERE request_id = $1), $2, $3, $4, $5)",
        id, state, at, actor, reason, "recording a request's change");
}

static sw_status pg_request_changes(void *impl, const char *id,
                                    sw_change_cb cb, void *ctx)
{
    return changes_scan(impl,
                        "SELECT state, at, actor, reason FROM request_changes"
                        " WHERE request_id = $1 ORDER BY seq",
                        id, cb, ctx, "reading a request's timeline");
}

static sw_status pg_request_closed_before(void *impl, sw_instant before,
                                          sw_request_cb cb, void *ctx)
{
    args a = {0};
    a_int(&a, before);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                    " closed_at < $1 ORDER BY closed_at, id",
                    &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, false);
}

static sw_status pg_request_delete(void *impl, const char *id)
{
    static const char *const text[] = {
        "DELETE FROM request_changes WHERE request_id = $1",
        "DELETE FROM requests WHERE id = $1"};
    for (int i = 0; i < 2; i++) {
        args a = {0};
        a_txt(&a, id);
        sw_status st = run(impl, text[i], &a, "deleting a request", NULL);
        if (st != SW_OK)
            return st;
    }
    return SW_OK;
}

static sw_status pg_request_since(void *impl, sw_instant since,
                                  sw_request_cb cb, void *ctx)
{
    args a = {0};
    a_int(&a, since);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                    " received_at >= $1 ORDER BY received_at, id",
                    &a, "reading requests", &st);
    return scan_requests(impl, r, st, cb, ctx, false);
}

static sw_status pg_record_hold(void *impl, const char *record,
                                char hold[SW_ID_BUFSZ], char kind[48])
{
    args a = {0};
    a_txt(&a, record);
    sw_status st;
    PGresult *r = q(
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
        snprintf(hold, SW_ID_BUFSZ, "%s", txt(r, 0, 0));
        snprintf(kind, 48, "%s", txt(r, 0, 1));
    } else if (r) {
        st = SW_ERR_NOTFOUND;
    }
    PQclear(r);
    return st;
}

static sw_status pg_record_delete(void *impl, const char *record)
{
    static const char *const text[] = {
        "DELETE FROM events WHERE scope = 0 AND"
        " scope_key = convert_to($1, 'UTF8')",
        "DELETE FROM records WHERE id = $1"};
    for (int i = 0; i < 2; i++) {
        args a = {0};
        a_txt(&a, record);
        sw_status st = run(impl, text[i], &a, "deleting a record", NULL);
        if (st != SW_OK)
            return st;
    }
    return SW_OK;
}

static sw_status pg_record_set_value(void *impl, const char *record,
                                     const uint8_t *value, size_t len)
{
    args a = {0};
    a_txt(&a, record);
    a_blob(&a, value, len);
    return run(impl, "UPDATE records SET value = $2 WHERE id = $1", &a,
               "correcting a record", NULL);
}

/* ---- traffic day keys and months ---- */

static sw_status pg_epoch_get(void *impl, int64_t day, const char *key_class,
                              uint8_t wrapped[SW_WRAPPED_BYTES])
{
    args a = {0};
    a_int(&a, day);
    a_txt(&a, key_class);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT wrapped FROM epoch_keys WHERE day = $1 AND class = $2",
                    &a, "reading a day key", &st);
    if (r && !(PQntuples(r) == 1 && blob_into(r, 0, 0, wrapped, SW_WRAPPED_BYTES)))
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

static sw_status pg_epoch_put(void *impl, int64_t day, const char *key_class,
                              const uint8_t wrapped[SW_WRAPPED_BYTES],
                              bool has_due, sw_instant due)
{
    args a = {0};
    a_int(&a, day);
    a_txt(&a, key_class);
    a_blob(&a, wrapped, SW_WRAPPED_BYTES);
    if (has_due)
        a_int(&a, due);
    else
        a_txt(&a, NULL);
    return run(impl,
               "INSERT INTO epoch_keys(day, class, wrapped, due_at)"
               " VALUES($1,$2,$3,$4)",
               &a, "creating a day key", NULL);
}

static sw_status scan_epochs(PGresult *r, sw_status st, sw_epoch_cb cb,
                             void *ctx)
{
    for (int i = 0; r && i < PQntuples(r); i++) {
        size_t n;
        const uint8_t *w = blob(r, i, 2, &n);
        if (cb(i64(r, i, 0), txt(r, i, 1), w, n, ctx))
            break;
    }
    PQclear(r);
    return st;
}

static sw_status pg_epoch_list(void *impl, sw_epoch_cb cb, void *ctx)
{
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT day, class, wrapped FROM epoch_keys"
                    " ORDER BY day, class",
                    NULL, "reading day keys", &st);
    return scan_epochs(r, st, cb, ctx);
}

static sw_status pg_epoch_due(void *impl, sw_instant now, sw_epoch_cb cb,
                              void *ctx)
{
    args a = {0};
    a_int(&a, now);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT day, class, wrapped FROM epoch_keys"
                    " WHERE due_at <= $1 ORDER BY day, class",
                    &a, "reading day keys", &st);
    return scan_epochs(r, st, cb, ctx);
}

static sw_status pg_epoch_delete(void *impl, int64_t day,
                                 const char *key_class)
{
    args a = {0};
    a_int(&a, day);
    a_txt(&a, key_class);
    return run(impl, "DELETE FROM epoch_keys WHERE day = $1 AND class = $2",
               &a, "destroying a day key", NULL);
}

#define ROW_COLUMNS                                                           \
    "ext_id, account, account_bi, channel, at, day, sender, country,"        \
    " key_class, ids, dest_bi, duration, op, route, price, currency"

static sw_status pg_traffic_month(void *impl, int month)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "CREATE TABLE IF NOT EXISTS traffic_%d PARTITION OF traffic"
             " FOR VALUES IN (%d);"
             "INSERT INTO traffic_months(month) VALUES(%d)"
             " ON CONFLICT DO NOTHING",
             month, month, month);
    return exec_plain(impl, sql, "creating a month of traffic");
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
static sw_status pg_traffic_insert(void *impl, int month,
                                   const sw_traffic_rec *r)
{
    pgs *p = impl;
    if (!p->copying) {
        sw_status cst = exec_plain(
            p,
            "CREATE TEMP TABLE IF NOT EXISTS traffic_stage"
            " (LIKE traffic INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
            "storing traffic");
        if (cst != SW_OK)
            return cst;
        PGresult *res = PQexec(p->c, "COPY traffic_stage(month, " ROW_COLUMNS
                                     ") FROM STDIN");
        sw_status st = PQresultStatus(res) == PGRES_COPY_IN
                           ? SW_OK
                           : fail(p, res, "storing traffic");
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
        return fail(p, NULL, "storing traffic");
    p->staged++;
    return SW_OK;
}

/* The stage into traffic in one statement; the ids it already held are
 * the refused rows. */
static sw_status pg_traffic_flush(void *impl,
                                  int (*cb)(const char *ext_id, void *ctx),
                                  void *ctx)
{
    pgs *p = impl;
    if (!p->staged)
        return copy_end(p);
    p->staged = 0;
    sw_status st;
    PGresult *r = q(p,
                    "WITH ins AS (INSERT INTO traffic SELECT * FROM"
                    " traffic_stage ON CONFLICT DO NOTHING RETURNING month,"
                    " ext_id) SELECT s.ext_id FROM traffic_stage s WHERE NOT"
                    " EXISTS (SELECT 1 FROM ins WHERE ins.month = s.month AND"
                    " ins.ext_id = s.ext_id)",
                    NULL, "storing traffic", &st);
    for (int i = 0; r && cb && i < PQntuples(r); i++)
        if (cb(txt(r, i, 0), ctx))
            break;
    PQclear(r);
    if (st == SW_OK)
        st = exec_plain(p, "TRUNCATE traffic_stage", "storing traffic");
    return st;
}

static sw_status scan_traffic(PGresult *r, sw_status st, sw_traffic_cb cb,
                              void *ctx)
{
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_traffic_rec t_;
        memset(&t_, 0, sizeof(t_));
        size_t n;
        t_.ext_id = txt(r, i, 0);
        t_.account = txt(r, i, 1);
        t_.account_bi = blob(r, i, 2, &n);
        t_.channel = txt(r, i, 3);
        t_.at = i64(r, i, 4);
        t_.day = i64(r, i, 5);
        t_.sender = txt(r, i, 6);
        t_.country = txt(r, i, 7);
        t_.key_class = txt(r, i, 8);
        t_.ids = blob(r, i, 9, &t_.ids_len);
        t_.dest_bi = blob(r, i, 10, &n);
        t_.duration = i64(r, i, 11);
        t_.op = txt(r, i, 12);
        t_.route = txt(r, i, 13);
        t_.price = txt(r, i, 14);
        t_.currency = txt(r, i, 15);
        if (cb(&t_, ctx))
            break;
    }
    PQclear(r);
    return st;
}

static sw_status pg_traffic_probe(void *impl, int month,
                                  const uint8_t (*blinds)[SW_BLIND_BYTES],
                                  size_t n, sw_traffic_cb cb, void *ctx)
{
    char sql[1024];
    args a = {0};
    int k = snprintf(sql, sizeof(sql),
                     "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE dest_bi IN (",
                     month);
    for (size_t i = 0; i < n && i < MAX_ARGS; i++) {
        k += snprintf(sql + k, sizeof(sql) - (size_t)k, "%s$%zu", i ? "," : "",
                      i + 1);
        a_blob(&a, blinds[i], SW_BLIND_BYTES);
    }
    snprintf(sql + k, sizeof(sql) - (size_t)k, ") ORDER BY at");
    sw_status st;
    PGresult *r = q_dyn(impl, sql, &a, "reading traffic", &st);
    return scan_traffic(r, st, cb, ctx);
}

/* Rows a hold or an unpaid or disputed bill keeps (see the SQLite
 * backend: the same four look-ups). */
static sw_status pg_traffic_held(void *impl, int month, int64_t day,
                                 const char *key_class, const char *period,
                                 const char *activity, sw_traffic_cb cb,
                                 void *ctx)
{
    args a = {0};
    a_txt(&a, activity);
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT EXISTS (SELECT 1 FROM holds WHERE scope = 4 AND"
                    " released_at IS NULL AND target = $1)",
                    &a, "checking holds", &st);
    bool all = r && i64(r, 0, 0);
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
    args b = {0};
    a_int(&b, day);
    a_txt(&b, key_class);
    a_txt(&b, period);
    r = q_dyn(impl, sql, &b, "reading held traffic", &st);
    return scan_traffic(r, st, cb, ctx);
}

static sw_status pg_traffic_keyed(void *impl, int month, int64_t day,
                                  const char *key_class, sw_traffic_cb cb,
                                  void *ctx)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT " ROW_COLUMNS " FROM traffic_%d WHERE day = $1 AND"
             " key_class = $2",
             month);
    args a = {0};
    a_int(&a, day);
    a_txt(&a, key_class);
    sw_status st;
    PGresult *r = q_dyn(impl, sql, &a, "reading traffic", &st);
    return scan_traffic(r, st, cb, ctx);
}

static sw_status pg_traffic_rekey(void *impl, int month, const char *ext_id,
                                  const char *key_class, const uint8_t *ids,
                                  size_t ids_len,
                                  const uint8_t blind[SW_BLIND_BYTES])
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = $2, ids = $3, dest_bi = $4"
             " WHERE ext_id = $1",
             month);
    args a = {0};
    a_txt(&a, ext_id);
    a_txt(&a, key_class);
    a_blob(&a, ids, ids_len);
    a_blob(&a, blind, SW_BLIND_BYTES);
    sw_status st;
    PQclear(q_dyn(impl, sql, &a, "re-keying traffic", &st));
    return st;
}

static sw_status pg_traffic_strip(void *impl, int month, const char *ext_id)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE traffic_%d SET key_class = NULL, ids = NULL,"
             " dest_bi = NULL WHERE ext_id = $1",
             month);
    args a = {0};
    a_txt(&a, ext_id);
    sw_status st;
    PQclear(q_dyn(impl, sql, &a, "stripping traffic identifiers", &st));
    return st;
}

static sw_status pg_traffic_expire(void *impl, int month, sw_instant before,
                                   const char *activity, size_t *deleted,
                                   size_t *kept)
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
    args a = {0};
    a_int(&a, before);
    a_txt(&a, period);
    a_txt(&a, activity);
    snprintf(sql, sizeof(sql), "DELETE FROM traffic_%d WHERE at < $1 AND NOT %s",
             month, keep);
    sw_status st;
    PGresult *r = q_dyn(impl, sql, &a, "deleting expired traffic", &st);
    *deleted = r ? (size_t)strtoull(PQcmdTuples(r), NULL, 10) : 0;
    PQclear(r);
    if (st != SW_OK)
        return st;
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM traffic_%d WHERE at < $1 AND %s", month,
             keep);
    r = q_dyn(impl, sql, &a, "counting kept traffic", &st);
    *kept = r ? (size_t)i64(r, 0, 0) : 0;
    PQclear(r);
    return st;
}

static sw_status pg_traffic_months(void *impl,
                                   int (*cb)(int month, void *ctx), void *ctx)
{
    sw_status st;
    PGresult *r = q(impl, "SELECT month FROM traffic_months ORDER BY month",
                    NULL, "listing traffic months", &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb((int)i64(r, i, 0), ctx))
            break;
    PQclear(r);
    return st;
}

/* A month's partition with no row left is dropped whole. */
static sw_status pg_traffic_drop_empty(void *impl, int month, bool *dropped)
{
    char sql[256];
    *dropped = false;
    snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM traffic_%d)",
             month);
    sw_status st;
    PGresult *r = q_dyn(impl, sql, NULL, "checking a month of traffic", &st);
    bool any = !r || i64(r, 0, 0);
    PQclear(r);
    if (st != SW_OK || any)
        return st;
    pgs *p = impl;
    snprintf(sql, sizeof(sql),
             "DROP TABLE traffic_%d; DELETE FROM traffic_months WHERE"
             " month = %d",
             month, month);
    st = exec_plain(p, sql, "dropping a month of traffic");
    *dropped = st == SW_OK;
    return st;
}

/* ---- subject flags, API keys, the change counter ---- */

static sw_status pg_subject_set_flags(void *impl, const char *id,
                                      int64_t flags, bool has_minor,
                                      sw_instant minor_until)
{
    args a = {0};
    a_txt(&a, id);
    a_int(&a, flags);
    if (has_minor)
        a_int(&a, minor_until);
    else
        a_txt(&a, NULL);
    return run(impl,
               "UPDATE subjects SET flags = $2, minor_until = $3 WHERE id = $1",
               &a, "updating a subject", NULL);
}

#define APIKEY_COLUMNS "id, hash, role, label, created_by, created_at, revoked_at"

static sw_status scan_keys(pgs *p, PGresult *r, sw_apikey_cb cb, void *ctx,
                           bool one)
{
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        sw_apikey_row row;
        memset(&row, 0, sizeof(row));
        row.id = txt(r, i, 0);
        blob_into(r, i, 1, row.hash, SW_BLIND_BYTES);
        row.role = txt(r, i, 2);
        row.label = txt(r, i, 3);
        row.created_by = txt(r, i, 4);
        row.created_at = i64(r, i, 5);
        row.revoked = !nul(r, i, 6);
        row.revoked_at = i64(r, i, 6);
        if (cb(&row, ctx) || one)
            break;
    }
    PQclear(r);
    if (one && !n) {
        snprintf(p->err, sizeof(p->err), "no such API key");
        return SW_ERR_NOTFOUND;
    }
    return SW_OK;
}

static sw_status pg_apikey_insert(void *impl, const sw_apikey_row *r)
{
    args a = {0};
    a_txt(&a, r->id);
    a_blob(&a, r->hash, SW_BLIND_BYTES);
    a_txt(&a, r->role);
    a_txt(&a, r->label);
    a_txt(&a, r->created_by);
    a_int(&a, r->created_at);
    return run(impl,
               "INSERT INTO api_keys(" APIKEY_COLUMNS
               ") VALUES($1,$2,$3,$4,$5,$6,NULL)",
               &a, "storing an API key", NULL);
}

static sw_status pg_apikey_get(void *impl, const uint8_t *hash, const char *id,
                               sw_apikey_cb cb, void *ctx)
{
    args a = {0};
    if (id)
        a_txt(&a, id);
    else
        a_blob(&a, hash, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r =
        q(impl,
          id ? "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE id = $1"
             : "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE hash = $1",
          &a, "reading API keys", &st);
    return r ? scan_keys(impl, r, cb, ctx, true) : st;
}

static sw_status pg_apikey_revoke(void *impl, const char *id, sw_instant at)
{
    pgs *p = impl;
    args a = {0};
    a_txt(&a, id);
    a_int(&a, at);
    size_t n = 0;
    sw_status st = run(p,
                       "UPDATE api_keys SET revoked_at = $2 WHERE id = $1"
                       " AND revoked_at IS NULL",
                       &a, "revoking an API key", &n);
    if (st != SW_OK || n == 1)
        return st;
    args b = {0};
    a_txt(&b, id);
    PGresult *r = q(p, "SELECT 1 FROM api_keys WHERE id = $1", &b,
                    "revoking an API key", &st);
    if (!r)
        return st;
    bool exists = PQntuples(r) == 1;
    PQclear(r);
    snprintf(p->err, sizeof(p->err),
             exists ? "API key %s is already revoked" : "no API key %s", id);
    return exists ? SW_ERR_CONFLICT : SW_ERR_NOTFOUND;
}

static sw_status pg_apikey_list(void *impl, sw_apikey_cb cb, void *ctx)
{
    sw_status st;
    PGresult *r = q(impl,
                    "SELECT " APIKEY_COLUMNS " FROM api_keys"
                    " ORDER BY created_at DESC, id DESC",
                    NULL, "reading API keys", &st);
    return r ? scan_keys(impl, r, cb, ctx, false) : st;
}

#define SWEEP_LOCK "1937007975, 1" /* ("stew", 1): the sweep's advisory lock */

static sw_status pg_sweep_lock(void *impl, bool take)
{
    pgs *p = impl;
    if (!take)
        return exec_plain(p, "SELECT pg_advisory_unlock(" SWEEP_LOCK ")",
                          "ending a sweep");
    sw_status st;
    PGresult *r = q(p, "SELECT pg_try_advisory_lock(" SWEEP_LOCK ")", NULL,
                    "starting a sweep", &st);
    bool got = r && i64(r, 0, 0);
    PQclear(r);
    if (st == SW_OK && !got) {
        snprintf(p->err, sizeof(p->err),
                 "another sweep of this store is running (another stewardd?)");
        return SW_ERR_BUSY;
    }
    return st;
}

static sw_status pg_data_version(void *impl, int64_t *v)
{
    sw_status st;
    PGresult *r = q(impl, "SELECT n FROM steward_changes", NULL,
                    "reading the change counter", &st);
    *v = r && PQntuples(r) == 1 ? i64(r, 0, 0) : 0;
    PQclear(r);
    return st;
}

const sw_backend sw_backend_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .remove = pg_remove,
    .errmsg = pg_errmsg,
    .setup = pg_setup,
    .tx = pg_tx,
    .checkpoint = pg_checkpoint,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .subject_insert = pg_subject_insert,
    .subject_get = pg_subject_get,
    .subject_destroy_key = pg_subject_destroy_key,
    .subject_delete = pg_subject_delete,
    .subjects_in_scope = pg_subjects_in_scope,
    .ident_insert = pg_ident_insert,
    .ident_lookup = pg_ident_lookup,
    .ident_list = pg_ident_list,
    .record_insert = pg_record_insert,
    .record_get = pg_record_get,
    .record_list = pg_record_list,
    .record_set_due = pg_record_set_due,
    .event_insert = pg_event_insert,
    .event_latest = pg_event_latest,
    .audit_append = pg_audit_append,
    .audit_last = pg_audit_last,
    .audit_scan = pg_audit_scan,
    .subject_set_flags = pg_subject_set_flags,
    .apikey_insert = pg_apikey_insert,
    .apikey_get = pg_apikey_get,
    .apikey_revoke = pg_apikey_revoke,
    .apikey_list = pg_apikey_list,
    .data_version = pg_data_version,
    .sweep_lock = pg_sweep_lock,
    .hold_insert = pg_hold_insert,
    .hold_release = pg_hold_release,
    .hold_list = pg_hold_list,
    .sweep_take = pg_sweep_take,
    .aggregate_add = pg_aggregate_add,
    .subject_remove_if_empty = pg_subject_remove_if_empty,
    .record_events_prune = pg_record_events_prune,
    .sweep_held = pg_sweep_held,
    .bill_set = pg_bill_set,
    .consent_put = pg_consent_put,
    .consent_get = pg_consent_get,
    .consent_by_token = pg_consent_by_token,
    .consent_latest = pg_consent_latest,
    .consent_list = pg_consent_list,
    .consent_expiring = pg_consent_expiring,
    .consent_change_add = pg_consent_change_add,
    .consent_changes = pg_consent_changes,
    .objection_insert = pg_objection_insert,
    .objection_get = pg_objection_get,
    .objection_override = pg_objection_override,
    .suppression_put = pg_suppression_put,
    .suppression_get = pg_suppression_get,
    .suppression_delete = pg_suppression_delete,
    .suppression_set_due = pg_suppression_set_due,
    .suppression_sweep = pg_suppression_sweep,
    .suppression_list = pg_suppression_list,
    .decide_facts = pg_decide_facts,
    .request_put = pg_request_put,
    .request_get = pg_request_get,
    .request_open_of = pg_request_open_of,
    .request_list_open = pg_request_list_open,
    .request_change_add = pg_request_change_add,
    .request_changes = pg_request_changes,
    .request_closed_before = pg_request_closed_before,
    .request_delete = pg_request_delete,
    .request_since = pg_request_since,
    .record_hold = pg_record_hold,
    .record_delete = pg_record_delete,
    .record_set_value = pg_record_set_value,
    .epoch_get = pg_epoch_get,
    .epoch_put = pg_epoch_put,
    .epoch_list = pg_epoch_list,
    .epoch_due = pg_epoch_due,
    .epoch_delete = pg_epoch_delete,
    .traffic_month = pg_traffic_month,
    .traffic_insert = pg_traffic_insert,
    .traffic_flush = pg_traffic_flush,
    .traffic_probe = pg_traffic_probe,
    .traffic_held = pg_traffic_held,
    .traffic_keyed = pg_traffic_keyed,
    .traffic_rekey = pg_traffic_rekey,
    .traffic_strip = pg_traffic_strip,
    .traffic_expire = pg_traffic_expire,
    .traffic_months = pg_traffic_months,
    .traffic_drop_empty = pg_traffic_drop_empty,
};
