/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend (libpq): several processes, one database. Every
 * statement is prepared once per connection and run with parameters;
 * results come back in binary. A write transaction takes one advisory
 * lock, so writers line up as they do on SQLite and the audit chain stays
 * one chain; readers and decisions never wait. This part: statements,
 * schema, connection, transactions, the ledger, the audit trail, keys and
 * the backend table; the others are named in store_pg_int.h.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* ---- statements ---- */

static bool arg_room(pg_args *a)
{
    if (a->n < MAX_ARGS)
        return true;
    a->overflow = true;
    return false;
}

void pg_arg_txt(pg_args *a, const char *s)
{
    if (!arg_room(a))
        return;
    a->v[a->n] = s;
    a->len[a->n] = 0;
    a->fmt[a->n++] = 0;
}

void pg_arg_int(pg_args *a, int64_t x)
{
    if (!arg_room(a))
        return;
    snprintf(a->num[a->n], sizeof(a->num[0]), "%lld", (long long)x);
    pg_arg_txt(a, a->num[a->n]);
}

void pg_arg_blob(pg_args *a, const void *p, size_t n)
{
    if (!arg_room(a))
        return;
    a->v[a->n] = p;
    a->len[a->n] = (int)n;
    a->fmt[a->n++] = 1;
}

/* A statement's parameters that were cut (a caller's bug): refused. */
static bool args_overflow(pgs *p, const pg_args *a, const char *what,
                          sw_status *st)
{
    if (!a || !a->overflow)
        return false;
    snprintf(p->err, sizeof(p->err), "%s: more than %d parameters", what,
             MAX_ARGS);
    *st = SW_ERR_LIMIT;
    return true;
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

sw_status pg_fail(pgs *p, const PGresult *r, const char *what)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(p->c);
    snprintf(p->err, sizeof(p->err), "%s: %.*s", what, (int)strcspn(m, "\n"),
             m);
    return status_of(r, p->c);
}

/* Ends an open COPY of traffic rows: any other statement first needs the
 * connection back. A row the COPY refused (a duplicate id) fails here. */
sw_status pg_copy_end(pgs *p)
{
    if (!p->copying)
        return SW_OK;
    p->copying = false;
    sw_status st = SW_OK;
    if (PQputCopyEnd(p->c, NULL) != 1)
        st = pg_fail(p, NULL, "storing traffic");
    PGresult *r;
    while ((r = PQgetResult(p->c))) {
        if (st == SW_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = pg_fail(p, r, "storing traffic");
        PQclear(r);
    }
    return st;
}

/* Runs sql (prepared on first use) with a; the result (rows in binary) or
 * NULL after setting *st and p->err. */
PGresult *pg_q(pgs *p, const char *sql, const pg_args *a, const char *what,
               sw_status *st)
{
    if (args_overflow(p, a, what, st) || (*st = pg_copy_end(p)) != SW_OK)
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
            *st = pg_fail(p, r, what);
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
        *st = pg_fail(p, r, what);
        PQclear(r);
        return NULL;
    }
    *st = SW_OK;
    return r;
}

/* The same for SQL made at run time (a month's table): not prepared. */
PGresult *pg_q_dyn(pgs *p, const char *sql, const pg_args *a, const char *what,
                   sw_status *st)
{
    if (args_overflow(p, a, what, st) || (*st = pg_copy_end(p)) != SW_OK)
        return NULL;
    PGresult *r = PQexecParams(p->c, sql, a ? a->n : 0, NULL, a ? a->v : NULL,
                               a ? a->len : NULL, a ? a->fmt : NULL, 1);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        *st = pg_fail(p, r, what);
        PQclear(r);
        return NULL;
    }
    *st = SW_OK;
    return r;
}

/* A statement without rows. */
sw_status pg_run(pgs *p, const char *sql, const pg_args *a, const char *what,
                 size_t *changed)
{
    sw_status st;
    PGresult *r = pg_q(p, sql, a, what, &st);
    if (r && changed)
        *changed = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return st;
}

bool pg_col_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

const char *pg_col_txt(const PGresult *r, int row, int col)
{
    return pg_col_null(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int64_t pg_col_i64(const PGresult *r, int row, int col)
{
    if (pg_col_null(r, row, col))
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

const uint8_t *pg_col_blob(const PGresult *r, int row, int col, size_t *n)
{
    *n = pg_col_null(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
    return pg_col_null(r, row, col) ? NULL
                                    : (const uint8_t *)PQgetvalue(r, row, col);
}

bool pg_col_blob_into(const PGresult *r, int row, int col, uint8_t *dst,
                      size_t want)
{
    size_t n;
    const uint8_t *b = pg_col_blob(r, row, col, &n);
    if (!b || n != want)
        return false;
    memcpy(dst, b, n);
    return true;
}

/* ---- the schema ---- */

#define PUBLIC_STATE                                                           \
    "CREATE TABLE public_state(kind TEXT NOT NULL, key BYTEA NOT NULL,"        \
    " value TEXT NOT NULL, due_at BIGINT NOT NULL, PRIMARY KEY(kind, key));"   \
    "CREATE INDEX public_state_due ON public_state(due_at);"
#define CONSENT_SEQ                                                            \
    "ALTER TABLE consents ADD COLUMN seq BIGINT;"                             \
    "CREATE INDEX consents_seq ON consents(seq);"

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
    " hash BYTEA NOT NULL, written_at BIGINT);"
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
    PUBLIC_STATE CONSENT_SEQ,
};

static const char *const tables[] = {
    "traffic",         "traffic_months", "epoch_keys",      "holds",
    "aggregates",      "bills",          "suppression",     "requests",
    "request_changes", "api_keys",       "objections",      "consent_changes",
    "consents",        "audit",          "events",          "records",
    "identifiers",     "subjects",       "steward_changes", "steward_meta",
    "public_state"};

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
        snprintf(err->msg, sizeof(err->msg),
                 "cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"),
                 m);
        pg_close(p);
        return SW_ERR_STORE;
    }
    PQclear(PQexec(p->c, "SET client_min_messages = warning"));
    sw_status st;
    PGresult *r = pg_q(p, "SELECT to_regclass('steward_meta') IS NOT NULL",
                       NULL, "reading the schema", &st);
    bool exists = r && PQntuples(r) == 1 && pg_col_i64(r, 0, 0);
    PQclear(r);
    if (st == SW_OK && exists) {
        r = pg_q(p,
                 "SELECT value FROM steward_meta WHERE key = 'schema_version'",
                 NULL, "reading the schema version", &st);
        if (r && PQntuples(r) == 1)
            *version = atoi(pg_col_txt(r, 0, 0));
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

sw_status pg_exec(pgs *p, const char *sql, const char *what)
{
    sw_status cst = pg_copy_end(p);
    if (cst != SW_OK && strncmp(sql, "ROLLBACK", 8) != 0)
        return cst;
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType s = PQresultStatus(r);
    sw_status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK
                       ? SW_OK
                       : pg_fail(p, r, what);
    PQclear(r);
    return st;
}

/* Migrations of stores created at an older version: entry v takes a
 * store from version v-1 to v (a new store gets the schema above, which is
 * the latest). */
static const char *const migrations[SW_SCHEMA_LATEST + 1] = {
    [7] = "ALTER TABLE audit ADD COLUMN IF NOT EXISTS written_at BIGINT;"
          "DELETE FROM steward_meta WHERE key IN ('audit_seq',"
          " 'audit_head');" PUBLIC_STATE CONSENT_SEQ,
};

static sw_status pg_migrate(pgs *p, int *from)
{
    sw_status st;
    PGresult *r = pg_q(
        p, "SELECT value FROM steward_meta WHERE key = 'schema_version'",
        NULL, "reading the schema version", &st);
    int v = r && PQntuples(r) == 1 ? atoi(pg_col_txt(r, 0, 0)) : 0;
    PQclear(r);
    *from = v;
    if (st != SW_OK || v >= SW_SCHEMA_LATEST)
        return st;
    if (v < 6) {
        snprintf(p->err, sizeof(p->err),
                 "schema version %d is older than any PostgreSQL store", v);
        return SW_ERR_CORRUPT;
    }
    char ver[96];
    snprintf(ver, sizeof(ver),
             "UPDATE steward_meta SET value = '%d' WHERE key ="
             " 'schema_version'",
             SW_SCHEMA_LATEST);
    st = pg_exec(p, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")",
                 "upgrading the schema");
    for (int i = v + 1; st == SW_OK && i <= SW_SCHEMA_LATEST; i++)
        if (migrations[i])
            st = pg_exec(p, migrations[i], "upgrading the schema");
    if (st == SW_OK)
        st = pg_exec(p, ver, "upgrading the schema");
    return pg_exec(p, st == SW_OK ? "COMMIT" : "ROLLBACK",
                   "upgrading the schema") == SW_OK
               ? st
               : SW_ERR_STORE;
}

static sw_status pg_setup(void *impl, int *from)
{
    pgs *p = impl;
    sw_status st;
    PGresult *r = pg_q(p, "SELECT to_regclass('steward_meta') IS NOT NULL",
                       NULL, "reading the schema", &st);
    bool exists = r && PQntuples(r) == 1 && pg_col_i64(r, 0, 0);
    PQclear(r);
    *from = 0;
    if (st != SW_OK)
        return st;
    if (exists)
        return pg_migrate(p, from);
    /* the latest version at once */
    char ver[64];
    snprintf(ver, sizeof(ver),
             "INSERT INTO steward_meta VALUES('schema_version', '%d');",
             SW_SCHEMA_LATEST);
    if ((st = pg_exec(p, "BEGIN", "creating the schema")) != SW_OK)
        return st;
    for (size_t i = 0; st == SW_OK && i < sizeof(schema) / sizeof(schema[0]);
         i++)
        st = pg_exec(p, schema[i], "creating the schema");
    if (st == SW_OK)
        st = pg_exec(p, ver, "creating the schema");
    return pg_exec(p, st == SW_OK ? "COMMIT" : "ROLLBACK",
                   "creating the schema") == SW_OK
               ? st
               : SW_ERR_STORE;
}

static sw_status pg_tx(void *impl, sw_tx_op op)
{
    pgs *p = impl;
    switch (op) {
    case SW_TX_BEGIN:
        p->write_tx = true;
        return pg_exec(p,
                       "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")",
                       "starting a change");
    case SW_TX_COMMIT: {
        sw_status st = pg_traffic_flush(p, NULL, NULL);
        if (st == SW_OK)
            st = p->write_tx
                     ? pg_exec(p, "UPDATE steward_changes SET n = n + 1",
                               "committing")
                     : SW_OK;
        p->write_tx = false;
        if (st != SW_OK) {
            pg_exec(p, "ROLLBACK", "rolling back");
            return st;
        }
        return pg_exec(p, "COMMIT", "committing");
    }
    case SW_TX_ROLLBACK:
        p->write_tx = false;
        p->staged = 0; /* the stage's rows go with the transaction */
        return pg_exec(p, "ROLLBACK", "rolling back");
    case SW_TX_SAVEPOINT:
        return pg_exec(p, "SAVEPOINT change", "starting a change");
    case SW_TX_RELEASE:
        return pg_exec(p, "RELEASE SAVEPOINT change", "ending a change");
    case SW_TX_ROLLBACK_TO:
        return pg_exec(p,
                       "ROLLBACK TO SAVEPOINT change;"
                       " RELEASE SAVEPOINT change",
                       "undoing a change");
    case SW_TX_READ:
        p->write_tx = false;
        return pg_exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
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
    pg_args a = {0};
    pg_arg_txt(&a, key);
    sw_status st;
    PGresult *r = pg_q(p, "SELECT value FROM steward_meta WHERE key = $1", &a,
                       "reading store metadata", &st);
    if (r && PQntuples(r) == 1)
        snprintf(val, n, "%s", pg_col_txt(r, 0, 0));
    else if (r)
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

static sw_status pg_meta_set(void *impl, const char *key, const char *val)
{
    pg_args a = {0};
    pg_arg_txt(&a, key);
    pg_arg_txt(&a, val);
    return pg_run(impl,
                  "INSERT INTO steward_meta(key, value) VALUES($1, $2)"
                  " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  &a, "writing store metadata", NULL);
}

/* ---- subjects, identifiers, records, events ---- */

static sw_status pg_subject_insert(void *impl, const sw_subject_row *r)
{
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_txt(&a, r->kind);
    pg_arg_txt(&a, r->role);
    pg_arg_blob(&a, r->has_account ? r->account_bi : NULL, SW_BLIND_BYTES);
    pg_arg_blob(&a, r->has_tenant ? r->tenant_bi : NULL, SW_BLIND_BYTES);
    pg_arg_blob(&a, r->account_enc, r->account_enc_len);
    pg_arg_blob(&a, r->tenant_enc, r->tenant_enc_len);
    pg_arg_blob(&a, r->has_key ? r->wrapped_key : NULL, SW_WRAPPED_BYTES);
    pg_arg_int(&a, r->created_at);
    pg_arg_int(&a, r->flags);
    if (r->has_minor)
        pg_arg_int(&a, r->minor_until);
    else
        pg_arg_txt(&a, NULL);
    return pg_run(impl,
                  "INSERT INTO subjects(id, kind, role, account_bi, tenant_bi,"
                  " account_enc, tenant_enc, wrapped_key, created_at, flags,"
                  " minor_until) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                  &a, "adding a subject", NULL);
}

static sw_status pg_subject_get(void *impl, const char *id, sw_subject_row *o)
{
    pgs *p = impl;
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r =
        pg_q(p,
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
    snprintf(o->kind, sizeof(o->kind), "%s", pg_col_txt(r, 0, 0));
    snprintf(o->role, sizeof(o->role), "%s", pg_col_txt(r, 0, 1));
    bool ok = true;
    if ((o->has_account = !pg_col_null(r, 0, 2)))
        ok &= pg_col_blob_into(r, 0, 2, o->account_bi, SW_BLIND_BYTES);
    if ((o->has_tenant = !pg_col_null(r, 0, 3)))
        ok &= pg_col_blob_into(r, 0, 3, o->tenant_bi, SW_BLIND_BYTES);
    size_t n;
    const uint8_t *b;
    if ((b = pg_col_blob(r, 0, 4, &n))) {
        ok &= n <= sizeof(p->acc_enc);
        if (ok) {
            memcpy(p->acc_enc, b, n);
            o->account_enc = p->acc_enc;
            o->account_enc_len = n;
        }
    }
    if ((b = pg_col_blob(r, 0, 5, &n))) {
        ok &= n <= sizeof(p->ten_enc);
        if (ok) {
            memcpy(p->ten_enc, b, n);
            o->tenant_enc = p->ten_enc;
            o->tenant_enc_len = n;
        }
    }
    if ((o->has_key = !pg_col_null(r, 0, 6)))
        ok &= pg_col_blob_into(r, 0, 6, o->wrapped_key, SW_WRAPPED_BYTES);
    o->created_at = pg_col_i64(r, 0, 7);
    o->flags = pg_col_i64(r, 0, 8);
    o->has_minor = !pg_col_null(r, 0, 9);
    o->minor_until = pg_col_i64(r, 0, 9);
    PQclear(r);
    if (!ok) {
        snprintf(p->err, sizeof(p->err), "subject %s: damaged row", id);
        return SW_ERR_CORRUPT;
    }
    return SW_OK;
}

sw_status pg_subject_destroy_key(void *impl, const char *id)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    return pg_run(impl,
                  "UPDATE subjects SET wrapped_key = NULL, account_enc = NULL,"
                  " tenant_enc = NULL WHERE id = $1",
                  &a, "destroying a subject key", NULL);
}

sw_status pg_subject_delete(void *impl, const char *id, sw_erase_result *c)
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
    size_t *counts[] = {
        &c->identifiers, &c->events, &c->records, NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        pg_args a = {0};
        pg_arg_txt(&a, id);
        sw_status st =
            pg_run(impl, text[i], &a, "erasing a subject", counts[i]);
        if (st != SW_OK)
            return st;
    }
    return SW_OK;
}

static sw_status pg_subjects_in_scope(void *impl, sw_scope_kind scope,
                                      const uint8_t bi[SW_BLIND_BYTES],
                                      sw_subject_id_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_blob(&a, bi, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r = pg_q(impl,
                       scope == SW_EV_TENANT
                           ? "SELECT id FROM subjects WHERE tenant_bi = $1"
                           : "SELECT id FROM subjects WHERE account_bi = $1",
                       &a, "listing subjects", &st);
    for (int i = 0; r && i < PQntuples(r); i++)
        if (cb(pg_col_txt(r, i, 0), ctx))
            break;
    PQclear(r);
    return st;
}

static sw_status
pg_ident_lookup(void *impl, const uint8_t blind[SW_BLIND_BYTES], char *subject)
{
    pg_args a = {0};
    pg_arg_blob(&a, blind, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r =
        pg_q(impl, "SELECT subject_id FROM identifiers WHERE blind = $1", &a,
             "looking up an identifier", &st);
    if (r && PQntuples(r) == 1)
        snprintf(subject, SW_ID_BUFSZ, "%s", pg_col_txt(r, 0, 0));
    else if (r)
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

static sw_status pg_ident_insert(void *impl, const sw_ident_row *r, char *owner)
{
    if (pg_ident_lookup(impl, r->blind, owner) == SW_OK)
        return SW_ERR_CONFLICT;
    pg_args a = {0};
    pg_arg_blob(&a, r->blind, SW_BLIND_BYTES);
    pg_arg_txt(&a, r->type);
    pg_arg_txt(&a, r->subject);
    pg_arg_blob(&a, r->value, r->value_len);
    pg_arg_int(&a, r->created_at);
    return pg_run(impl,
                  "INSERT INTO identifiers(blind, type, subject_id, value,"
                  " created_at) VALUES($1,$2,$3,$4,$5)",
                  &a, "adding an identifier", NULL);
}

static sw_status pg_ident_list(void *impl, const char *subject, sw_ident_cb cb,
                               void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, subject);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT blind, type, value, created_at FROM identifiers"
                       " WHERE subject_id = $1 ORDER BY created_at, type",
                       &a, "listing identifiers", &st);
    for (int i = 0; r && i < PQntuples(r); i++) {
        sw_ident_row row;
        memset(&row, 0, sizeof(row));
        pg_col_blob_into(r, i, 0, row.blind, SW_BLIND_BYTES);
        row.type = pg_col_txt(r, i, 1);
        row.subject = subject;
        row.value = pg_col_blob(r, i, 2, &row.value_len);
        row.created_at = pg_col_i64(r, i, 3);
        if (cb(&row, ctx))
            break;
    }
    PQclear(r);
    return st;
}

static sw_status pg_record_insert(void *impl, const sw_record_row *r)
{
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_txt(&a, r->subject);
    pg_arg_txt(&a, r->activity);
    pg_arg_txt(&a, r->category);
    pg_arg_blob(&a, r->value, r->value_len);
    pg_arg_txt(&a, r->source);
    pg_arg_int(&a, r->collected_at);
    if (r->has_due)
        pg_arg_int(&a, r->due_at);
    else
        pg_arg_txt(&a, NULL);
    pg_arg_txt(&a, r->rule);
    return pg_run(
        impl,
        "INSERT INTO records(id, subject_id, activity, category, value,"
        " source, collected_at, due_at, rule)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        &a, "adding a record", NULL);
}

#define RECORD_COLUMNS                                                         \
    "id, subject_id, activity, category, value, source, collected_at,"         \
    " due_at, rule"

static sw_status scan_records(PGresult *r, sw_record_cb cb, void *ctx)
{
    for (int i = 0; i < PQntuples(r); i++) {
        sw_record_row row;
        row.id = pg_col_txt(r, i, 0);
        row.subject = pg_col_txt(r, i, 1);
        row.activity = pg_col_txt(r, i, 2);
        row.category = pg_col_txt(r, i, 3);
        row.value = pg_col_blob(r, i, 4, &row.value_len);
        row.source = pg_col_txt(r, i, 5);
        row.collected_at = pg_col_i64(r, i, 6);
        row.has_due = !pg_col_null(r, i, 7);
        row.due_at = pg_col_i64(r, i, 7);
        row.rule = pg_col_txt(r, i, 8);
        if (cb(&row, ctx))
            break;
    }
    PQclear(r);
    return SW_OK;
}

static sw_status pg_record_get(void *impl, const char *id, sw_record_cb cb,
                               void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    sw_status st;
    PGresult *r =
        pg_q(impl, "SELECT " RECORD_COLUMNS " FROM records WHERE id = $1", &a,
             "reading records", &st);
    return r ? scan_records(r, cb, ctx) : st;
}

static sw_status pg_record_list(void *impl, const char *subject,
                                sw_record_cb cb, void *ctx)
{
    pg_args a = {0};
    pg_arg_txt(&a, subject);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT " RECORD_COLUMNS " FROM records"
                       " WHERE subject_id = $1 ORDER BY collected_at, id",
                       &a, "reading records", &st);
    return r ? scan_records(r, cb, ctx) : st;
}

static sw_status pg_record_set_due(void *impl, const char *id, bool has_due,
                                   sw_instant due, const char *rule)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    if (has_due)
        pg_arg_int(&a, due);
    else
        pg_arg_txt(&a, NULL);
    pg_arg_txt(&a, rule);
    return pg_run(impl,
                  "UPDATE records SET due_at = $2, rule = $3 WHERE id = $1", &a,
                  "moving a due date", NULL);
}

static sw_status pg_event_insert(void *impl, const sw_event_row *r)
{
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_txt(&a, r->type);
    pg_arg_int(&a, (int64_t)r->scope);
    pg_arg_blob(&a, r->key, r->key_len);
    pg_arg_int(&a, r->at);
    pg_arg_int(&a, r->recorded_at);
    return pg_run(
        impl,
        "INSERT INTO events(id, type, scope, scope_key, at, recorded_at)"
        " VALUES($1,$2,$3,$4,$5,$6)",
        &a, "recording an event", NULL);
}

static sw_status pg_event_latest(void *impl, const char *type,
                                 const sw_event_keys *k, sw_instant *at)
{
    pg_args a = {0};
    pg_arg_txt(&a, type);
    pg_arg_blob(&a, k->record, k->record ? strlen(k->record) : 0);
    pg_arg_blob(&a, k->subject, k->subject ? strlen(k->subject) : 0);
    pg_arg_blob(&a, k->account_bi, SW_BLIND_BYTES);
    pg_arg_blob(&a, k->tenant_bi, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r = pg_q(impl,
                       "SELECT max(at) FROM events WHERE type = $1 AND ("
                       " (scope = 0 AND scope_key = $2) OR"
                       " (scope = 1 AND scope_key = $3) OR"
                       " (scope = 2 AND scope_key = $4) OR"
                       " (scope = 3 AND scope_key = $5))",
                       &a, "reading events", &st);
    if (r && PQntuples(r) == 1 && !pg_col_null(r, 0, 0))
        *at = pg_col_i64(r, 0, 0);
    else if (r)
        st = SW_ERR_NOTFOUND;
    PQclear(r);
    return st;
}

/* ---- the audit trail ---- */

static sw_status pg_audit_append(void *impl, const sw_audit_row *r)
{
    pg_args a = {0};
    pg_arg_int(&a, r->seq);
    pg_arg_int(&a, r->at);
    pg_arg_txt(&a, r->actor);
    pg_arg_txt(&a, r->action);
    pg_arg_txt(&a, r->subject);
    pg_arg_txt(&a, r->objects);
    pg_arg_txt(&a, r->details);
    pg_arg_blob(&a, r->prev, SW_HASH_BYTES);
    pg_arg_blob(&a, r->hash, SW_HASH_BYTES);
    if (r->has_written)
        pg_arg_int(&a, r->written_at);
    else
        pg_arg_txt(&a, NULL);
    return pg_run(
        impl,
        "INSERT INTO audit(seq, at, actor, action, subject_id, objects,"
        " details, prev_hash, hash, written_at)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        &a, "appending to the audit trail", NULL);
}

static sw_status pg_audit_last(void *impl, int64_t *seq,
                               uint8_t hash[SW_HASH_BYTES])
{
    *seq = 0;
    memset(hash, 0, SW_HASH_BYTES);
    sw_status st;
    PGresult *r =
        pg_q(impl, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
             NULL, "reading the audit trail", &st);
    if (r && PQntuples(r) == 1) {
        *seq = pg_col_i64(r, 0, 0);
        pg_col_blob_into(r, 0, 1, hash, SW_HASH_BYTES);
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
        pg_args a = {0};
        pg_arg_int(&a, from);
        pg_arg_int(&a, AUDIT_PAGE);
        sw_status st;
        PGresult *r =
            pg_q(impl,
                 "SELECT seq, at, actor, action, subject_id, objects,"
                 " details, prev_hash, hash, written_at FROM audit"
                 " WHERE seq >= $1 ORDER BY seq LIMIT $2",
                 &a, "reading the audit trail", &st);
        if (!r)
            return st;
        int n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            sw_audit_row row;
            memset(&row, 0, sizeof(row));
            row.seq = pg_col_i64(r, i, 0);
            row.at = pg_col_i64(r, i, 1);
            row.actor = pg_col_txt(r, i, 2);
            row.action = pg_col_txt(r, i, 3);
            row.subject = pg_col_txt(r, i, 4);
            row.objects = pg_col_txt(r, i, 5);
            row.details = pg_col_txt(r, i, 6);
            size_t len;
            const uint8_t *b = pg_col_blob(r, i, 7, &len);
            if (b && len == SW_HASH_BYTES)
                memcpy(row.prev, b, SW_HASH_BYTES);
            b = pg_col_blob(r, i, 8, &len);
            if (b && len == SW_HASH_BYTES)
                memcpy(row.hash, b, SW_HASH_BYTES);
            row.has_written = !pg_col_null(r, i, 9);
            row.written_at = pg_col_i64(r, i, 9);
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

/* ---- subject flags, API keys, the change counter ---- */

static sw_status pg_subject_set_flags(void *impl, const char *id, int64_t flags,
                                      bool has_minor, sw_instant minor_until)
{
    pg_args a = {0};
    pg_arg_txt(&a, id);
    pg_arg_int(&a, flags);
    if (has_minor)
        pg_arg_int(&a, minor_until);
    else
        pg_arg_txt(&a, NULL);
    return pg_run(
        impl, "UPDATE subjects SET flags = $2, minor_until = $3 WHERE id = $1",
        &a, "updating a subject", NULL);
}

#define APIKEY_COLUMNS                                                         \
    "id, hash, role, label, created_by, created_at, revoked_at"

static sw_status scan_keys(pgs *p, PGresult *r, sw_apikey_cb cb, void *ctx,
                           bool one)
{
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        sw_apikey_row row;
        memset(&row, 0, sizeof(row));
        row.id = pg_col_txt(r, i, 0);
        pg_col_blob_into(r, i, 1, row.hash, SW_BLIND_BYTES);
        row.role = pg_col_txt(r, i, 2);
        row.label = pg_col_txt(r, i, 3);
        row.created_by = pg_col_txt(r, i, 4);
        row.created_at = pg_col_i64(r, i, 5);
        row.revoked = !pg_col_null(r, i, 6);
        row.revoked_at = pg_col_i64(r, i, 6);
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
    pg_args a = {0};
    pg_arg_txt(&a, r->id);
    pg_arg_blob(&a, r->hash, SW_BLIND_BYTES);
    pg_arg_txt(&a, r->role);
    pg_arg_txt(&a, r->label);
    pg_arg_txt(&a, r->created_by);
    pg_arg_int(&a, r->created_at);
    return pg_run(impl,
                  "INSERT INTO api_keys(" APIKEY_COLUMNS
                  ") VALUES($1,$2,$3,$4,$5,$6,NULL)",
                  &a, "storing an API key", NULL);
}

static sw_status pg_apikey_get(void *impl, const uint8_t *hash, const char *id,
                               sw_apikey_cb cb, void *ctx)
{
    pg_args a = {0};
    if (id)
        pg_arg_txt(&a, id);
    else
        pg_arg_blob(&a, hash, SW_BLIND_BYTES);
    sw_status st;
    PGresult *r =
        pg_q(impl,
             id ? "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE id = $1"
                : "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE hash = $1",
             &a, "reading API keys", &st);
    return r ? scan_keys(impl, r, cb, ctx, true) : st;
}

static sw_status pg_apikey_revoke(void *impl, const char *id, sw_instant at)
{
    pgs *p = impl;
    pg_args a = {0};
    pg_arg_txt(&a, id);
    pg_arg_int(&a, at);
    size_t n = 0;
    sw_status st = pg_run(p,
                          "UPDATE api_keys SET revoked_at = $2 WHERE id = $1"
                          " AND revoked_at IS NULL",
                          &a, "revoking an API key", &n);
    if (st != SW_OK || n == 1)
        return st;
    pg_args b = {0};
    pg_arg_txt(&b, id);
    PGresult *r = pg_q(p, "SELECT 1 FROM api_keys WHERE id = $1", &b,
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
    PGresult *r = pg_q(impl,
                       "SELECT " APIKEY_COLUMNS " FROM api_keys"
                       " ORDER BY created_at DESC, id DESC",
                       NULL, "reading API keys", &st);
    return r ? scan_keys(impl, r, cb, ctx, false) : st;
}

static sw_status pg_sweep_lock(void *impl, bool take)
{
    pgs *p = impl;
    if (!take)
        return pg_exec(p, "SELECT pg_advisory_unlock(" PG_SWEEP_LOCK ")",
                       "ending a sweep");
    sw_status st;
    PGresult *r = pg_q(p, "SELECT pg_try_advisory_lock(" PG_SWEEP_LOCK ")",
                       NULL, "starting a sweep", &st);
    bool got = r && pg_col_i64(r, 0, 0);
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
    PGresult *r = pg_q(impl, "SELECT n FROM steward_changes", NULL,
                       "reading the change counter", &st);
    *v = r && PQntuples(r) == 1 ? pg_col_i64(r, 0, 0) : 0;
    PQclear(r);
    return st;
}

const sw_backend sw_backend_pg = {
    .name = "postgresql",
    .stmt_atomic = false,
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
    .state_get = pg_state_get,
    .state_put = pg_state_put,
    .state_sweep = pg_state_sweep,
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
    .traffic_warm = pg_traffic_warm,
    .traffic_drop_empty = pg_traffic_drop_empty,
};
