/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MariaDB and MySQL driver (libmariadb), for the connectors: it
 * connects to a database steward does not own and runs steward's SQL
 * there as prepared statements with bound values. It keeps no store
 * (open is NULL). The session quotes names "so" (ANSI_QUOTES), counts an
 * UPDATE's matched rows as PostgreSQL and SQLite do, and keeps time in
 * UTC. Placeholders ?1..?N become MariaDB's ?, each bound in its place.
 *
 * The connection string: mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE
 * (mysql:// too), with %XX escapes in the user and password, and
 * ?socket=PATH for a local socket.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "core/crypto.h"
#include "store/driver.h"

#define MAX_PARAMS 160
#define FIRST_BUFFER 64 /* a column's first buffer; a longer value grows it */

typedef struct mdb {
    MYSQL *m;
    int64_t changes;
    char err[512];
} mdb;

typedef struct mdb_stmt {
    mdb *c;
    MYSQL_STMT *st;
    int n_occ;              /* placeholders in the text, in order */
    int at[MAX_PARAMS];     /* the ?N each of them is */
    sw_val val[MAX_PARAMS]; /* by N - 1: bound values */
    int64_t num[MAX_PARAMS];
    MYSQL_BIND param[MAX_PARAMS];
    /* a result's columns */
    MYSQL_RES *meta;
    unsigned n_cols;
    MYSQL_BIND *col;
    char **buf;
    unsigned long *len;
    my_bool *null, *trunc;
    bool executed;
} mdb_stmt;

static sw_status status_of(unsigned code)
{
    switch (code) {
    case 0: return SW_OK;
    case 1062: return SW_ERR_CONFLICT; /* ER_DUP_ENTRY */
    case 1205:                         /* ER_LOCK_WAIT_TIMEOUT */
    case 1213: return SW_ERR_BUSY;     /* ER_LOCK_DEADLOCK */
    case 2002:                         /* CR_CONNECTION_ERROR */
    case 2003:                         /* CR_CONN_HOST_ERROR */
    case 2006:                         /* CR_SERVER_GONE_ERROR */
    case 2013: return SW_ERR_IO;       /* CR_SERVER_LOST */
    default: return SW_ERR_STORE;
    }
}

static sw_status fail_conn(mdb *c)
{
    snprintf(c->err, sizeof(c->err), "%s", mysql_error(c->m));
    return status_of(mysql_errno(c->m));
}

static sw_status fail_stmt(mdb_stmt *s)
{
    snprintf(s->c->err, sizeof(s->c->err), "%s", mysql_stmt_error(s->st));
    return status_of(mysql_stmt_errno(s->st));
}

static bool mdb_accepts(const char *uri)
{
    return strncmp(uri, "mariadb://", 10) == 0 ||
           strncmp(uri, "mysql://", 8) == 0;
}

/* Copies [p, end) to out (of cap), decoding %XX; false when too long. */
static bool decode(const char *p, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    while (p < end) {
        if (n + 1 >= cap)
            return false;
        if (*p == '%' && end - p >= 3 && isxdigit((unsigned char)p[1]) &&
            isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            out[n++] = (char)strtol(hex, NULL, 16);
            p += 3;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return true;
}

typedef struct mdb_uri {
    char user[128], pass[256], host[256], db[128], sock[512];
    unsigned port;
} mdb_uri;

static bool parse_uri(const char *uri, mdb_uri *u)
{
    memset(u, 0, sizeof(*u));
    const char *p = strstr(uri, "://");
    if (!p)
        return false;
    p += 3;
    const char *at = strrchr(p, '@');
    const char *slash = strchr(at ? at : p, '/');
    if (!at || !slash)
        return false;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!decode(p, colon ? colon : at, u->user, sizeof(u->user)) ||
        (colon && !decode(colon + 1, at, u->pass, sizeof(u->pass))))
        return false;
    const char *h = at + 1;
    const char *pc = memchr(h, ':', (size_t)(slash - h));
    if (!decode(h, pc ? pc : slash, u->host, sizeof(u->host)))
        return false;
    if (pc) {
        char *e;
        long port = strtol(pc + 1, &e, 10);
        if (e != slash || port <= 0 || port > 65535)
            return false;
        u->port = (unsigned)port;
    }
    const char *q = strchr(slash, '?');
    if (!decode(slash + 1, q ? q : slash + strlen(slash), u->db, sizeof(u->db)))
        return false;
    if (q && strncmp(q, "?socket=", 8) == 0 &&
        !decode(q + 8, q + strlen(q), u->sock, sizeof(u->sock)))
        return false;
    return *u->user && *u->db && (*u->host || *u->sock);
}

static void mdb_close(void *db)
{
    mdb *c = db;
    if (!c)
        return;
    mysql_close(c->m);
    free(c);
}

static sw_status mdb_query(mdb *c, const char *sql)
{
    if (mysql_real_query(c->m, sql, (unsigned long)strlen(sql)) != 0)
        return fail_conn(c);
    MYSQL_RES *r = mysql_store_result(c->m);
    mysql_free_result(r);
    c->changes = (int64_t)mysql_affected_rows(c->m);
    return SW_OK;
}

static sw_status mdb_connect(const char *uri, void **db, sw_error *err)
{
    *db = NULL;
    mdb_uri u;
    if (!parse_uri(uri, &u)) {
        snprintf(err->msg, sizeof(err->msg),
                 "not a MariaDB connection string "
                 "(mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE)");
        sw_wipe(&u, sizeof(u));
        return SW_ERR_INVALID;
    }
    mdb *c = calloc(1, sizeof(*c));
    if (c)
        c->m = mysql_init(NULL);
    if (!c || !c->m) {
        free(c);
        sw_wipe(&u, sizeof(u));
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return SW_ERR_NOMEM;
    }
    unsigned timeout = 10;
    mysql_options(c->m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(c->m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_options(c->m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    mysql_options(c->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    MYSQL *ok = mysql_real_connect(c->m, *u.host ? u.host : NULL, u.user,
                                   *u.pass ? u.pass : NULL, u.db, u.port,
                                   *u.sock ? u.sock : NULL, CLIENT_FOUND_ROWS);
    sw_wipe(&u, sizeof(u));
    sw_status st = ok ? mdb_query(c, "SET SESSION sql_mode = CONCAT("
                                     "@@sql_mode, ',ANSI_QUOTES'),"
                                     " time_zone = '+00:00'")
                      : SW_ERR_IO;
    if (st != SW_OK) {
        snprintf(err->msg, sizeof(err->msg), "cannot connect to MariaDB: %s",
                 mysql_error(c->m));
        mdb_close(c);
        return st;
    }
    *db = c;
    return SW_OK;
}

static const char *mdb_errmsg(void *db)
{
    return ((mdb *)db)->err;
}

static sw_status mdb_exec(void *db, const char *sql)
{
    return mdb_query(db, sql);
}

static sw_status mdb_tx(void *db, sw_tx_op op)
{
    static const char *const text[] = {
        [SW_TX_BEGIN] = "START TRANSACTION",
        [SW_TX_COMMIT] = "COMMIT",
        [SW_TX_ROLLBACK] = "ROLLBACK",
        [SW_TX_SAVEPOINT] = "SAVEPOINT change",
        [SW_TX_RELEASE] = "RELEASE SAVEPOINT change",
        [SW_TX_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT change",
        [SW_TX_READ] = "START TRANSACTION READ ONLY",
    };
    mdb *c = db;
    sw_status st = mdb_query(c, text[op]);
    if (st == SW_OK && op == SW_TX_ROLLBACK_TO)
        st = mdb_query(c, text[SW_TX_RELEASE]);
    return st;
}

/* ?N becomes ?, outside quoted text and names; at[k] is the N of the k-th. */
static char *rewrite(const char *sql, int *at, int *n_occ)
{
    char *out = malloc(strlen(sql) + 1);
    if (!out)
        return NULL;
    char *w = out;
    char quote = 0;
    *n_occ = 0;
    for (const char *p = sql; *p;) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *w++ = *p++;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *w++ = *p++;
        } else if (*p == '?' && isdigit((unsigned char)p[1])) {
            int n = (int)strtol(p + 1, (char **)&p, 10);
            if (*n_occ >= MAX_PARAMS || n < 1 || n > MAX_PARAMS) {
                free(out);
                return NULL;
            }
            at[(*n_occ)++] = n;
            *w++ = '?';
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return out;
}

static void free_result(mdb_stmt *s)
{
    if (s->buf)
        for (unsigned i = 0; i < s->n_cols; i++)
            free(s->buf[i]);
    free(s->buf);
    free(s->col);
    free(s->len);
    free(s->null);
    free(s->trunc);
    s->buf = NULL;
    s->col = NULL;
    s->len = NULL;
    s->null = s->trunc = NULL;
    if (s->meta)
        mysql_free_result(s->meta);
    s->meta = NULL;
    s->n_cols = 0;
}

static void mdb_reset(void *stmt)
{
    mdb_stmt *s = stmt;
    free_result(s);
    mysql_stmt_free_result(s->st);
    mysql_stmt_reset(s->st);
    memset(s->val, 0, sizeof(s->val));
    s->executed = false;
}

static void mdb_finalize(void *stmt)
{
    mdb_stmt *s = stmt;
    if (!s)
        return;
    free_result(s);
    mysql_stmt_close(s->st);
    free(s);
}

static sw_status mdb_prepare(void *db, const char *sql, void **out)
{
    mdb *c = db;
    mdb_stmt *s = calloc(1, sizeof(*s));
    char *text = s ? rewrite(sql, s->at, &s->n_occ) : NULL;
    if (!text) {
        free(s);
        snprintf(c->err, sizeof(c->err),
                 "out of memory, or more than %d parameters", MAX_PARAMS);
        return SW_ERR_INVALID;
    }
    s->c = c;
    s->st = mysql_stmt_init(c->m);
    sw_status st = SW_OK;
    if (!s->st)
        st = fail_conn(c);
    else if (mysql_stmt_prepare(s->st, text, (unsigned long)strlen(text)))
        st = fail_stmt(s);
    free(text);
    if (st != SW_OK) {
        if (s->st)
            mysql_stmt_close(s->st);
        free(s);
        return st;
    }
    *out = s;
    return SW_OK;
}

static sw_status mdb_bind(void *stmt, int i, const sw_val *v)
{
    mdb_stmt *s = stmt;
    if (i < 1 || i > MAX_PARAMS) {
        snprintf(s->c->err, sizeof(s->c->err), "parameter %d of at most %d", i,
                 MAX_PARAMS);
        return SW_ERR_INVALID;
    }
    s->val[i - 1] = *v;
    s->num[i - 1] = v->i;
    return SW_OK;
}

/* Binds a result's columns to buffers of their own. */
static sw_status bind_result(mdb_stmt *s)
{
    s->n_cols = mysql_num_fields(s->meta);
    s->col = calloc(s->n_cols, sizeof(*s->col));
    s->buf = calloc(s->n_cols, sizeof(*s->buf));
    s->len = calloc(s->n_cols, sizeof(*s->len));
    s->null = calloc(s->n_cols, sizeof(*s->null));
    s->trunc = calloc(s->n_cols, sizeof(*s->trunc));
    if (!s->col || !s->buf || !s->len || !s->null || !s->trunc) {
        snprintf(s->c->err, sizeof(s->c->err), "out of memory");
        return SW_ERR_NOMEM;
    }
    for (unsigned i = 0; i < s->n_cols; i++) {
        if (!(s->buf[i] = malloc(FIRST_BUFFER))) {
            snprintf(s->c->err, sizeof(s->c->err), "out of memory");
            return SW_ERR_NOMEM;
        }
        s->col[i].buffer_type = MYSQL_TYPE_STRING;
        s->col[i].buffer = s->buf[i];
        s->col[i].buffer_length = FIRST_BUFFER - 1;
        s->col[i].length = &s->len[i];
        s->col[i].is_null = &s->null[i];
        s->col[i].error = &s->trunc[i];
    }
    return mysql_stmt_bind_result(s->st, s->col) ? fail_stmt(s) : SW_OK;
}

static sw_status execute(mdb_stmt *s)
{
    memset(s->param, 0, sizeof(s->param));
    for (int k = 0; k < s->n_occ; k++) {
        int n = s->at[k] - 1;
        MYSQL_BIND *b = &s->param[k];
        const sw_val *v = &s->val[n];
        switch (v->type) {
        case SW_INT:
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &s->num[n];
            break;
        case SW_TEXT:
        case SW_BLOB:
            b->buffer_type =
                v->type == SW_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
            b->buffer = (void *)(v->p ? v->p : "");
            b->buffer_length = (unsigned long)v->n;
            break;
        default: b->buffer_type = MYSQL_TYPE_NULL; break;
        }
    }
    if (s->n_occ && mysql_stmt_bind_param(s->st, s->param))
        return fail_stmt(s);
    if (mysql_stmt_execute(s->st))
        return fail_stmt(s);
    s->c->changes = (int64_t)mysql_stmt_affected_rows(s->st);
    s->meta = mysql_stmt_result_metadata(s->st);
    if (!s->meta)
        return SW_OK;
    if (mysql_stmt_store_result(s->st))
        return fail_stmt(s);
    return bind_result(s);
}

static sw_status mdb_step(void *stmt, bool *row)
{
    mdb_stmt *s = stmt;
    *row = false;
    if (!s->executed) {
        s->executed = true;
        sw_status st = execute(s);
        if (st != SW_OK || !s->meta)
            return st;
    } else if (!s->meta) {
        return SW_OK;
    }
    int rc = mysql_stmt_fetch(s->st);
    if (rc == MYSQL_NO_DATA)
        return SW_OK;
    if (rc == 1)
        return fail_stmt(s);
    for (unsigned i = 0; rc == MYSQL_DATA_TRUNCATED && i < s->n_cols; i++) {
        if (!s->trunc[i])
            continue;
        char *more = realloc(s->buf[i], s->len[i] + 1);
        if (!more) {
            snprintf(s->c->err, sizeof(s->c->err), "out of memory");
            return SW_ERR_NOMEM;
        }
        s->buf[i] = more;
        s->col[i].buffer = more;
        s->col[i].buffer_length = s->len[i];
        if (mysql_stmt_fetch_column(s->st, &s->col[i], i, 0))
            return fail_stmt(s);
    }
    if (rc == MYSQL_DATA_TRUNCATED && mysql_stmt_bind_result(s->st, s->col))
        return fail_stmt(s);
    *row = true;
    return SW_OK;
}

static bool is_integer(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT ||
           t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_LONGLONG ||
           t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_YEAR;
}

static void mdb_column(void *stmt, int i, sw_val *out)
{
    mdb_stmt *s = stmt;
    memset(out, 0, sizeof(*out));
    if (!s->meta || i < 0 || (unsigned)i >= s->n_cols || s->null[i])
        return;
    size_t n = s->len[i] < s->col[i].buffer_length ? s->len[i]
                                                   : s->col[i].buffer_length;
    s->buf[i][n] = '\0';
    MYSQL_FIELD *f = mysql_fetch_field_direct(s->meta, (unsigned)i);
    if (is_integer(f->type)) {
        out->type = SW_INT;
        out->i = strtoll(s->buf[i], NULL, 10);
        return;
    }
    out->type = SW_TEXT;
    out->p = s->buf[i];
    out->n = n;
}

static int64_t mdb_changes(void *db)
{
    return ((mdb *)db)->changes;
}

const sw_driver sw_driver_mariadb = {
    .version = SW_DRIVER_VERSION,
    .name = "mariadb",
    .caps = SW_DRV_STMT_ATOMIC,
    .accepts = mdb_accepts,
    .close = mdb_close,
    .errmsg = mdb_errmsg,
    .connect = mdb_connect,
    .columns_sql =
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = DATABASE() AND table_name = ?1"
        " ORDER BY ordinal_position",
    .exec = mdb_exec,
    .tx = mdb_tx,
    .prepare = mdb_prepare,
    .finalize = mdb_finalize,
    .bind = mdb_bind,
    .step = mdb_step,
    .column = mdb_column,
    .reset = mdb_reset,
    .changes = mdb_changes,
};
