/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite driver: a store is one file in WAL mode, secure_delete on,
 * its schema version in user_version and steward's mark in
 * application_id. Steward's SQL is SQLite's own: nothing is rewritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/crypto.h"
#include "store/driver.h"

#define APP_ID 0x53545744 /* "STWD" */

typedef struct lite {
    sqlite3 *db;
    char path[1024];
    int sweep_fd;  /* the sweep's flock on the database file, or -1 */
    bool external; /* a connector's database, not a store */
    /* prepared once: a bulk load runs a savepoint per change */
    sqlite3_stmt *tx[SW_TX_READ + 2], *data_version;
    char err[512];
} lite;

typedef struct lite_stmt {
    lite *l;
    sqlite3_stmt *st;
} lite_stmt;

static sw_status status_of(int rc)
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

static sw_status fail(lite *l, int rc)
{
    snprintf(l->err, sizeof(l->err), "%s", sqlite3_errmsg(l->db));
    return status_of(rc);
}

static bool lite_accepts(const char *uri)
{
    return !strstr(uri, "://");
}

static sw_status lite_exec(void *db, const char *sql)
{
    lite *l = db;
    char *msg = NULL;
    int rc = sqlite3_exec(l->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(l->err, sizeof(l->err), "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return status_of(rc);
}

static sw_status pragma_int(lite *l, const char *pragma, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(l->db, pragma, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? SW_OK : status_of(rc);
}

static void lite_close(void *db)
{
    lite *l = db;
    if (!l)
        return;
    if (l->sweep_fd >= 0)
        close(l->sweep_fd);
    for (size_t i = 0; i < sizeof(l->tx) / sizeof(l->tx[0]); i++)
        sqlite3_finalize(l->tx[i]);
    sqlite3_finalize(l->data_version);
    sqlite3_close_v2(l->db);
    free(l);
}

static sw_status lite_open(const char *uri, bool create, void **db,
                           int *version, sw_error *err)
{
    *db = NULL;
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
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(uri, &l->db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s: %s", uri,
                 l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
        lite_close(l);
        return status_of(rc);
    }
    sqlite3_extended_result_codes(l->db, 0);
    sqlite3_busy_timeout(l->db, 10000);
    int app = 0;
    sw_status st = pragma_int(l, "PRAGMA application_id", &app);
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
    *db = l;
    return SW_OK;
}

/* A connector's SQLite file: it must exist; nothing of a store's is
 * asked of it. */
static sw_status lite_connect(const char *uri, void **db, sw_error *err)
{
    *db = NULL;
    lite *l = calloc(1, sizeof(*l));
    if (!l) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return SW_ERR_NOMEM;
    }
    snprintf(l->path, sizeof(l->path), "%s", uri);
    l->sweep_fd = -1;
    l->external = true;
    int rc = sqlite3_open_v2(uri, &l->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(l->db, "SELECT count(*) FROM sqlite_schema", NULL,
                          NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s: %s", uri,
                 l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
        lite_close(l);
        return rc == SQLITE_CANTOPEN ? SW_ERR_NOTFOUND : status_of(rc);
    }
    sqlite3_extended_result_codes(l->db, 0);
    sqlite3_busy_timeout(l->db, 10000);
    *db = l;
    return SW_OK;
}

static void lite_remove(const char *uri, const char *const *tables)
{
    (void)tables; /* they go with the file */
    char side[1100];
    unlink(uri);
    snprintf(side, sizeof(side), "%s-wal", uri);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", uri);
    unlink(side);
}

static const char *lite_errmsg(void *db)
{
    return ((lite *)db)->err;
}

static sw_status lite_migrate(void *db, const char *const *steps, int from,
                              int to)
{
    lite *l = db;
    /* Ledger changes are few and precious: FULL; deleted pages are
     * overwritten so an erased subject's wrapped key leaves no trace. The
     * file is read through a memory map as large as SQLite allows (it is
     * address space, not memory): a traffic look-up's probes then cost no
     * system call. */
    sw_status st =
        lite_exec(l, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA secure_delete=ON; PRAGMA foreign_keys=OFF;"
                     " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
                     " PRAGMA mmap_size=17179869184;");
    if (st != SW_OK || from >= to)
        return st;
    if ((st = lite_exec(l, "BEGIN IMMEDIATE")) != SW_OK)
        return st;
    for (int v = from; v < to && st == SW_OK; v++)
        st = lite_exec(l, steps[v]);
    if (st == SW_OK) {
        char set[96];
        snprintf(set, sizeof(set),
                 "PRAGMA user_version=%d; PRAGMA application_id=%d;", to,
                 APP_ID);
        st = lite_exec(l, set);
    }
    if (st == SW_OK)
        st = lite_exec(l, "COMMIT");
    if (st != SW_OK)
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static sw_status lite_prepare(void *db, const char *sql, void **out)
{
    lite *l = db;
    lite_stmt *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(l->err, sizeof(l->err), "out of memory");
        return SW_ERR_NOMEM;
    }
    s->l = l;
    int rc = sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &s->st, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        return fail(l, rc);
    }
    *out = s;
    return SW_OK;
}

/* Runs a statement prepared once into *st; a row it returns is read. */
static sw_status run_kept(lite *l, sqlite3_stmt **st, const char *sql)
{
    int rc = SQLITE_OK;
    if (!*st)
        rc = sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                                NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(*st);
        sqlite3_reset(*st);
    }
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SW_OK : fail(l, rc);
}

static sw_status lite_tx(void *db, sw_tx_op op)
{
    static const char *const text[] = {
        [SW_TX_BEGIN] = "BEGIN IMMEDIATE",
        [SW_TX_COMMIT] = "COMMIT",
        [SW_TX_ROLLBACK] = "ROLLBACK",
        [SW_TX_SAVEPOINT] = "SAVEPOINT change",
        [SW_TX_RELEASE] = "RELEASE change",
        [SW_TX_ROLLBACK_TO] = "ROLLBACK TO change",
        [SW_TX_READ] = "BEGIN DEFERRED",
    };
    lite *l = db;
    sw_status st = run_kept(l, &l->tx[op], text[op]);
    if (st == SW_OK && op == SW_TX_ROLLBACK_TO) /* and out of it */
        st = run_kept(l, &l->tx[SW_TX_RELEASE], text[SW_TX_RELEASE]);
    return st;
}

static void lite_finalize(void *stmt)
{
    lite_stmt *s = stmt;
    if (s) {
        sqlite3_finalize(s->st);
        free(s);
    }
}

static sw_status lite_bind(void *stmt, int i, const sw_val *v)
{
    lite_stmt *s = stmt;
    int rc;
    switch (v->type) {
    case SW_INT: rc = sqlite3_bind_int64(s->st, i, v->i); break;
    case SW_TEXT:
        rc = sqlite3_bind_text(s->st, i, v->p, (int)v->n, SQLITE_STATIC);
        break;
    case SW_BLOB:
        rc = sqlite3_bind_blob(s->st, i, v->p, (int)v->n, SQLITE_STATIC);
        break;
    default: rc = sqlite3_bind_null(s->st, i); break;
    }
    return rc == SQLITE_OK ? SW_OK : fail(s->l, rc);
}

static sw_status lite_step(void *stmt, bool *row)
{
    lite_stmt *s = stmt;
    int rc = sqlite3_step(s->st);
    *row = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SW_OK : fail(s->l, rc);
}

static void lite_column(void *stmt, int i, sw_val *out)
{
    sqlite3_stmt *st = ((lite_stmt *)stmt)->st;
    memset(out, 0, sizeof(*out));
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_FLOAT && ((lite_stmt *)stmt)->l->external)
        type = SQLITE_TEXT; /* a connector's number keeps its fraction */
    switch (type) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
        out->type = SW_INT;
        out->i = sqlite3_column_int64(st, i);
        break;
    case SQLITE_TEXT:
        out->type = SW_TEXT;
        out->p = sqlite3_column_text(st, i);
        out->n = (size_t)sqlite3_column_bytes(st, i);
        break;
    case SQLITE_BLOB:
        out->type = SW_BLOB;
        out->p = sqlite3_column_blob(st, i);
        out->n = (size_t)sqlite3_column_bytes(st, i);
        break;
    default: break;
    }
}

static void lite_reset(void *stmt)
{
    lite_stmt *s = stmt;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
}

static int64_t lite_changes(void *db)
{
    return sqlite3_changes64(((lite *)db)->db);
}

/* One prepared insert, stepped per row: the rows are in the file's pages
 * as fast as SQLite takes them, and a refused row is known at once. */
static sw_status lite_load(void *db, const sw_load *ld, size_t *stored)
{
    lite *l = db;
    *stored = 0;
    char sql[1024];
    int k = snprintf(sql, sizeof(sql), "INSERT INTO %s(", ld->table);
    for (int c = 0; c < ld->n_cols && k < (int)sizeof(sql); c++)
        k += snprintf(sql + k, sizeof(sql) - (size_t)k, "%s%s", c ? "," : "",
                      ld->cols[c]);
    for (int c = 0; c < ld->n_cols && k < (int)sizeof(sql); c++)
        k += snprintf(sql + k, sizeof(sql) - (size_t)k, "%s?%d",
                      c ? "," : ") VALUES(", c + 1);
    k += snprintf(sql + k, sizeof(sql) - (size_t)k, ") ON CONFLICT DO NOTHING");
    if (k >= (int)sizeof(sql) || ld->n_cols > 64) {
        snprintf(l->err, sizeof(l->err), "a load of too many columns");
        return SW_ERR_LIMIT;
    }
    void *st;
    sw_status s = lite_prepare(l, sql, &st);
    sw_val vals[64];
    while (s == SW_OK && ld->row(ld->ctx, vals)) {
        for (int c = 0; c < ld->n_cols && s == SW_OK; c++)
            s = lite_bind(st, c + 1, &vals[c]);
        bool row;
        if (s == SW_OK && (s = lite_step(st, &row)) == SW_OK) {
            if (sqlite3_changes(l->db) == 1)
                (*stored)++;
            else
                ld->refused(ld->ctx, &vals[0]);
        }
        lite_reset(st);
    }
    lite_finalize(st);
    return s;
}

/* flock, not SQLite's own (fcntl) locks: the two kinds do not meet. */
static sw_status lite_sweep_lock(void *db, bool take)
{
    lite *l = db;
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

static sw_status lite_data_version(void *db, int64_t *v)
{
    lite *l = db;
    int rc = SQLITE_OK;
    if (!l->data_version)
        rc = sqlite3_prepare_v3(l->db, "PRAGMA data_version", -1,
                                SQLITE_PREPARE_PERSISTENT, &l->data_version,
                                NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(l->data_version)) == SQLITE_ROW)
        *v = sqlite3_column_int64(l->data_version, 0);
    if (l->data_version)
        sqlite3_reset(l->data_version);
    return rc == SQLITE_ROW ? SW_OK : fail(l, rc);
}

static sw_status lite_checkpoint(void *db)
{
    return lite_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

const sw_driver sw_driver_sqlite = {
    .version = SW_DRIVER_VERSION,
    .name = "sqlite",
    .caps = SW_DRV_STMT_ATOMIC | SW_DRV_ROWID | SW_DRV_LOCAL,
    .accepts = lite_accepts,
    .open = lite_open,
    .close = lite_close,
    .remove = lite_remove,
    .errmsg = lite_errmsg,
    .connect = lite_connect,
    .columns_sql = "SELECT name, type FROM pragma_table_info(?1)",
    .exec = lite_exec,
    .migrate = lite_migrate,
    .tx = lite_tx,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .bind = lite_bind,
    .step = lite_step,
    .column = lite_column,
    .reset = lite_reset,
    .changes = lite_changes,
    .load = lite_load,
    .sweep_lock = lite_sweep_lock,
    .data_version = lite_data_version,
    .checkpoint = lite_checkpoint,
};
