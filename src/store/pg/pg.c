/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL driver (libpq): several processes, one database. Steward's
 * SQL is rewritten once per statement (rewrite.c), prepared once per
 * connection and run with parameters; results come back in binary. A write
 * transaction takes one advisory lock, so writers line up as they do on
 * SQLite and the audit chain stays one chain; readers never wait. The
 * driver keeps one table of its own, steward_changes: a counter every
 * write commit bumps, which tells other connections to forget what they
 * cached.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/crypto.h"
#include "store/pg/pg_int.h"

/* PostgreSQL's type ids (pg_type.dat) of the columns steward reads. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23

#define MAX_PARAMS 160

typedef struct pg_stmt {
    pgc *p;
    char name[24];
    int n_params;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS], fmt[MAX_PARAMS];
    char num[MAX_PARAMS][24];
    PGresult *res;
    int row, rows;
} pg_stmt;

static bool pg_accepts(const char *uri)
{
    return strncmp(uri, "postgres://", 11) == 0 ||
           strncmp(uri, "postgresql://", 13) == 0;
}

static void pg_close(void *db)
{
    pgc *p = db;
    if (!p)
        return;
    PQfinish(p->c);
    if (p->line)
        sw_wipe(p->line, p->line_cap);
    free(p->line);
    free(p);
}

static sw_status pg_open(const char *uri, bool create, void **db, int *version,
                         sw_error *err)
{
    *db = NULL;
    *version = 0;
    pgc *p = calloc(1, sizeof(*p));
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
    sw_status st = sw_pg_exec_raw(p, "SET client_min_messages = warning");
    int64_t exists = 0, v = 0;
    if (st == SW_OK)
        st = sw_pg_query_int(
            p, "SELECT to_regclass('steward_changes') IS NOT NULL", &exists);
    if (st == SW_OK && exists)
        st = sw_pg_legacy_open(p); /* an earlier steward's layout */
    if (st == SW_OK && exists)
        st = sw_pg_query_int(
            p, "SELECT value FROM meta WHERE key = 'schema_version'", &v);
    *version = (int)v;
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
    *db = p;
    return SW_OK;
}

/* A connector's database: statements only, results as text, times in
 * UTC; steward keeps nothing there. */
static sw_status pg_connect(const char *uri, void **db, sw_error *err)
{
    *db = NULL;
    pgc *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return SW_ERR_NOMEM;
    }
    p->external = true;
    p->c = PQconnectdb(uri);
    sw_status st = PQstatus(p->c) == CONNECTION_OK
                       ? sw_pg_exec_raw(p, "SET client_min_messages = warning;"
                                           " SET TIME ZONE 'UTC'")
                       : SW_ERR_IO;
    if (st != SW_OK) {
        const char *m = PQerrorMessage(p->c);
        snprintf(err->msg, sizeof(err->msg),
                 "cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"),
                 m);
        pg_close(p);
        return st;
    }
    *db = p;
    return SW_OK;
}

static void pg_remove(const char *uri, const char *const *tables)
{
    PGconn *c = PQconnectdb(uri);
    for (size_t i = 0; PQstatus(c) == CONNECTION_OK && tables && tables[i];
         i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", tables[i]);
        PQclear(PQexec(c, sql));
    }
    if (PQstatus(c) == CONNECTION_OK)
        PQclear(PQexec(c, "DROP TABLE IF EXISTS steward_changes"));
    PQfinish(c);
}

static const char *pg_errmsg(void *db)
{
    return ((pgc *)db)->err;
}

static sw_status pg_exec(void *db, const char *sql)
{
    pgc *p = db;
    char *text = sw_pg_rewrite(sql);
    if (!text) {
        snprintf(p->err, sizeof(p->err), "out of memory");
        return SW_ERR_NOMEM;
    }
    sw_status st = sw_pg_exec_raw(p, text);
    free(text);
    return st;
}

static sw_status pg_tx(void *db, sw_tx_op op)
{
    pgc *p = db;
    if (p->external && (op == SW_TX_BEGIN || op == SW_TX_COMMIT))
        return sw_pg_exec_raw(p, op == SW_TX_BEGIN ? "BEGIN" : "COMMIT");
    switch (op) {
    case SW_TX_BEGIN:
        p->write_tx = true;
        return sw_pg_exec_raw(
            p, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")");
    case SW_TX_COMMIT: {
        sw_status st =
            p->write_tx
                ? sw_pg_exec_raw(p, "UPDATE steward_changes SET n = n + 1")
                : SW_OK;
        p->write_tx = false;
        if (st != SW_OK) {
            PQclear(PQexec(p->c, "ROLLBACK"));
            return st;
        }
        return sw_pg_exec_raw(p, "COMMIT");
    }
    case SW_TX_ROLLBACK:
        p->write_tx = false;
        return sw_pg_exec_raw(p, "ROLLBACK");
    case SW_TX_SAVEPOINT: return sw_pg_exec_raw(p, "SAVEPOINT change");
    case SW_TX_RELEASE: return sw_pg_exec_raw(p, "RELEASE SAVEPOINT change");
    case SW_TX_ROLLBACK_TO:
        return sw_pg_exec_raw(
            p, "ROLLBACK TO SAVEPOINT change; RELEASE SAVEPOINT change");
    case SW_TX_READ:
        p->write_tx = false;
        return sw_pg_exec_raw(
            p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    return SW_ERR_INVALID;
}

static sw_status pg_migrate(void *db, const char *const *steps, int from,
                            int to)
{
    pgc *p = db;
    if (from >= to && !p->legacy)
        return SW_OK;
    sw_status st = pg_tx(p, SW_TX_BEGIN);
    if (st == SW_OK && p->legacy)
        st = sw_pg_legacy_convert(p);
    if (st == SW_OK)
        st = sw_pg_exec_raw(p, "CREATE TABLE IF NOT EXISTS steward_changes"
                               "(n BIGINT NOT NULL);"
                               " INSERT INTO steward_changes SELECT 0 WHERE NOT"
                               " EXISTS (SELECT 1 FROM steward_changes)");
    for (int v = from; v < to && st == SW_OK; v++)
        st = pg_exec(p, steps[v]);
    if (st == SW_OK) {
        char set[160];
        snprintf(set, sizeof(set),
                 "INSERT INTO meta(key, value) VALUES('schema_version', '%d')"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 to);
        st = sw_pg_exec_raw(p, set);
    }
    if (st == SW_OK)
        st = pg_tx(p, SW_TX_COMMIT);
    else
        pg_tx(p, SW_TX_ROLLBACK);
    if (st == SW_OK)
        p->legacy = false;
    return st;
}

/* ---- statements ---- */

static sw_status pg_prepare(void *db, const char *sql, void **out)
{
    pgc *p = db;
    pg_stmt *s = calloc(1, sizeof(*s));
    char *text = s ? sw_pg_rewrite(sql) : NULL;
    if (!text) {
        free(s);
        snprintf(p->err, sizeof(p->err), "out of memory");
        return SW_ERR_NOMEM;
    }
    s->p = p;
    s->n_params = sw_pg_count_params(text);
    snprintf(s->name, sizeof(s->name), "s%llu",
             (unsigned long long)++p->statements);
    sw_status st = SW_OK;
    if (s->n_params > MAX_PARAMS) {
        snprintf(p->err, sizeof(p->err), "more than %d parameters", MAX_PARAMS);
        st = SW_ERR_LIMIT;
    } else {
        PGresult *r = PQprepare(p->c, s->name, text, s->n_params, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            st = sw_pg_fail(p, r);
        PQclear(r);
    }
    free(text);
    if (st != SW_OK) {
        free(s);
        return st;
    }
    *out = s;
    return SW_OK;
}

static void pg_reset(void *stmt)
{
    pg_stmt *s = stmt;
    PQclear(s->res);
    s->res = NULL;
    s->row = s->rows = 0;
    for (int i = 0; i < s->n_params; i++) {
        s->v[i] = NULL;
        s->len[i] = s->fmt[i] = 0;
    }
}

static void pg_finalize(void *stmt)
{
    pg_stmt *s = stmt;
    if (!s)
        return;
    pg_reset(s);
    if (PQstatus(s->p->c) == CONNECTION_OK) {
        char sql[48];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
        PQclear(PQexec(s->p->c, sql));
    }
    free(s);
}

static sw_status pg_bind(void *stmt, int i, const sw_val *v)
{
    pg_stmt *s = stmt;
    if (i < 1 || i > s->n_params) {
        snprintf(s->p->err, sizeof(s->p->err),
                 "parameter %d of a statement of %d", i, s->n_params);
        return SW_ERR_INVALID;
    }
    i--;
    s->fmt[i] = 0;
    s->len[i] = 0;
    switch (v->type) {
    case SW_INT:
        snprintf(s->num[i], sizeof(s->num[i]), "%lld", (long long)v->i);
        s->v[i] = s->num[i];
        break;
    case SW_TEXT: s->v[i] = v->p; break;
    case SW_BLOB: /* bytes as they are, never as text */
        s->v[i] = v->p ? v->p : "";
        s->len[i] = (int)v->n;
        s->fmt[i] = 1;
        break;
    default: s->v[i] = NULL; break;
    }
    return SW_OK;
}

static sw_status pg_step(void *stmt, bool *row)
{
    pg_stmt *s = stmt;
    pgc *p = s->p;
    *row = false;
    if (!s->res) {
        s->res = PQexecPrepared(p->c, s->name, s->n_params, s->v, s->len,
                                s->fmt, p->external ? 0 : 1);
        ExecStatusType e = PQresultStatus(s->res);
        if (e != PGRES_COMMAND_OK && e != PGRES_TUPLES_OK) {
            sw_status st = sw_pg_fail(p, s->res);
            PQclear(s->res);
            s->res = NULL;
            return st;
        }
        p->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
        s->rows = PQntuples(s->res);
        s->row = -1;
    }
    if (s->row < s->rows)
        s->row++;
    *row = s->row < s->rows;
    return SW_OK;
}

static int64_t be_int(const char *v, int n)
{
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
    if (n == 2) {
        uint16_t x;
        memcpy(&x, v, 2);
        return (int16_t)be16toh(x);
    }
    return n == 1 ? (unsigned char)v[0] : 0;
}

static void pg_column(void *stmt, int i, sw_val *out)
{
    pg_stmt *s = stmt;
    memset(out, 0, sizeof(*out));
    if (!s->res || s->row >= s->rows || i >= PQnfields(s->res) ||
        PQgetisnull(s->res, s->row, i))
        return;
    const char *v = PQgetvalue(s->res, s->row, i);
    int n = PQgetlength(s->res, s->row, i);
    switch (PQftype(s->res, i)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        out->type = SW_INT;
        out->i = s->p->external ? (*v == 't'   ? 1
                                   : *v == 'f' ? 0
                                               : strtoll(v, NULL, 10))
                                : be_int(v, n);
        break;
    case OID_BYTEA:
        if (s->p->external) /* as text: \x and hex digits */
            goto text;
        out->type = SW_BLOB;
        out->p = v;
        out->n = (size_t)n;
        break;
    default: /* text types: their bytes (libpq ends them with a NUL) */
    text:
        out->type = SW_TEXT;
        out->p = v;
        out->n = (size_t)n;
        break;
    }
}

static int64_t pg_changes(void *db)
{
    return ((pgc *)db)->changes;
}

static sw_status pg_sweep_lock(void *db, bool take)
{
    pgc *p = db;
    if (!take)
        return sw_pg_exec_raw(p,
                              "SELECT pg_advisory_unlock(" PG_SWEEP_LOCK ")");
    int64_t got = 0;
    sw_status st = sw_pg_query_int(
        p, "SELECT pg_try_advisory_lock(" PG_SWEEP_LOCK ")", &got);
    if (st == SW_OK && !got) {
        snprintf(p->err, sizeof(p->err),
                 "another sweep of this store is running (another stewardd?)");
        return SW_ERR_BUSY;
    }
    return st;
}

static sw_status pg_data_version(void *db, int64_t *v)
{
    return sw_pg_query_int(db, "SELECT n FROM steward_changes", v);
}

static sw_status pg_checkpoint(void *db)
{
    (void)db; /* PostgreSQL's own checkpoints; VACUUM is the DBA's */
    return SW_OK;
}

const sw_driver sw_driver_pg = {
    .version = SW_DRIVER_VERSION,
    .name = "postgresql",
    .caps = 0,
    .accepts = pg_accepts,
    .open = pg_open,
    .close = pg_close,
    .remove = pg_remove,
    .errmsg = pg_errmsg,
    .connect = pg_connect,
    .columns_sql =
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?1"
        " ORDER BY ordinal_position",
    .exec = pg_exec,
    .migrate = pg_migrate,
    .tx = pg_tx,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind = pg_bind,
    .step = pg_step,
    .column = pg_column,
    .reset = pg_reset,
    .changes = pg_changes,
    .load = sw_pg_load,
    .sweep_lock = pg_sweep_lock,
    .data_version = pg_data_version,
    .checkpoint = pg_checkpoint,
};
