/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulk loads on PostgreSQL: the rows go by COPY into a temporary stage
 * shaped like the table (one round trip for any number of rows), then
 * into the table in one statement that skips the keys it holds already;
 * what was skipped is read back as the refused rows.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "store/pg/pg_int.h"

/* Makes room for need more bytes of the COPY line. */
static bool line_room(pgc *p, size_t used, size_t need)
{
    if (used + need + 1 <= p->line_cap)
        return true;
    size_t cap = (used + need + 1) * 2;
    char *l = malloc(cap);
    if (!l)
        return false;
    if (p->line) {
        memcpy(l, p->line, used);
        sw_wipe(p->line, p->line_cap);
        free(p->line);
    }
    p->line = l;
    p->line_cap = cap;
    return true;
}

/* One field of COPY text, then a tab: \N for NULL; text escaped (tab,
 * newline, carriage return, backslash); bytes as \\x and hex digits. */
static bool put_field(pgc *p, size_t *n, const sw_val *v)
{
    char num[24];
    const char *s = NULL;
    size_t len = 0;
    if (v->type == SW_INT) {
        len = (size_t)snprintf(num, sizeof(num), "%lld", (long long)v->i);
        s = num;
    } else if (v->type == SW_TEXT) {
        s = v->p;
        len = v->n;
    }
    size_t need = v->type == SW_BLOB ? 2 * v->n + 4 : 2 * len + 3;
    if (!line_room(p, *n, need))
        return false;
    char *w = p->line + *n;
    if (v->type == SW_NULL) {
        memcpy(w, "\\N", 2);
        w += 2;
    } else if (v->type == SW_BLOB) {
        memcpy(w, "\\\\x", 3);
        sw_hex(v->p, v->n, w + 3);
        w += 3 + 2 * v->n;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            *w++ = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        *w++ = c;
    }
    *w++ = '\t';
    *n = (size_t)(w - p->line);
    return true;
}

/* The COPY of every row into the stage; the connection is back to
 * statements on return. */
/* The chunk's rows as COPY text in p->line (*len bytes, a row a line) */
static sw_status build_rows(pgc *p, const sw_load *l, size_t *len, size_t *rows)
{
    sw_val vals[64];
    size_t n = 0;
    while (l->row(l->ctx, vals)) {
        for (int c = 0; c < l->n_cols; c++)
            if (!put_field(p, &n, &vals[c])) {
                snprintf(p->err, sizeof(p->err), "bulk load: out of memory");
                return SW_ERR_NOMEM;
            }
        p->line[n - 1] = '\n'; /* the last tab ends the row */
        (*rows)++;
    }
    *len = n;
    return SW_OK;
}

/* COPY target(cols) of the text build_rows made, in one round trip;
 * *unique: it failed on a unique key (SQLSTATE 23505). */
static sw_status copy_text(pgc *p, const char *target, const char *cols,
                           size_t len, bool *unique)
{
    *unique = false;
    char sql[1200];
    snprintf(sql, sizeof(sql), "COPY %s(%s) FROM STDIN", target, cols);
    PGresult *r = PQexec(p->c, sql);
    sw_status st =
        PQresultStatus(r) == PGRES_COPY_IN ? SW_OK : sw_pg_fail(p, r);
    PQclear(r);
    if (st != SW_OK)
        return st;
    const char *why = NULL;
    if (len > INT_MAX)
        why = "a chunk larger than a COPY message";
    else if (len && PQputCopyData(p->c, p->line, (int)len) != 1)
        why = "the connection refused the rows";
    if (PQputCopyEnd(p->c, why) != 1 && !why)
        why = "the connection refused the end of the rows";
    while ((r = PQgetResult(p->c))) {
        if (st == SW_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            *unique = state && strcmp(state, "23505") == 0;
            st = sw_pg_fail(p, r);
        }
        PQclear(r);
    }
    if (why) {
        snprintf(p->err, sizeof(p->err), "bulk load: %s", why);
        return SW_ERR_NOMEM;
    }
    return st;
}

sw_status sw_pg_load(void *db, const sw_load *l, size_t *stored)
{
    pgc *p = db;
    *stored = 0;
    char cols[1024] = "", stage[128], sql[4096];
    size_t k = 0;
    for (int c = 0; c < l->n_cols && k < sizeof(cols); c++)
        k += (size_t)snprintf(cols + k, sizeof(cols) - k, "%s%s", c ? ", " : "",
                              l->cols[c]);
    if (k >= sizeof(cols) || l->n_cols > 64 ||
        strlen(l->table) > sizeof(stage) - 16) {
        snprintf(p->err, sizeof(p->err), "a load of too many columns");
        return SW_ERR_LIMIT;
    }
    size_t rows = 0, len = 0;
    sw_status st = build_rows(p, l, &len, &rows);
    if (st != SW_OK || rows == 0)
        return st;
    /* Inside a transaction (an ingest is one), straight into the table
     * under a savepoint: one COPY, no stage. A key the table holds
     * already fails the whole COPY; the savepoint undoes it and the stage
     * below sorts the chunk's rows from those it refuses. */
    bool unique = false;
    if (PQtransactionStatus(p->c) == PQTRANS_INTRANS) {
        st = sw_pg_exec_raw(p, "SAVEPOINT stw_load");
        if (st == SW_OK)
            st = copy_text(p, l->table, cols, len, &unique);
        if (st == SW_OK) {
            st = sw_pg_exec_raw(p, "RELEASE SAVEPOINT stw_load");
            *stored = st == SW_OK ? rows : 0;
            return st;
        }
        if (!unique)
            return st;
        if ((st = sw_pg_exec_raw(p, "ROLLBACK TO SAVEPOINT stw_load")) !=
                SW_OK ||
            (st = sw_pg_exec_raw(p, "RELEASE SAVEPOINT stw_load")) != SW_OK)
            return st;
    }
    snprintf(stage, sizeof(stage), "stw_load_%s", l->table);
    snprintf(sql, sizeof(sql),
             "CREATE TEMP TABLE IF NOT EXISTS %s (LIKE %s INCLUDING"
             " DEFAULTS) ON COMMIT DELETE ROWS",
             stage, l->table);
    st = sw_pg_exec_raw(p, sql);
    if (st == SW_OK)
        st = copy_text(p, stage, cols, len, &unique);
    if (st != SW_OK)
        return st;
    /* every staged key with how many of its rows the table did not take
     * (a key is inserted once at most) */
    const char *key = l->cols[0];
    snprintf(sql, sizeof(sql),
             "WITH ins AS (INSERT INTO %s(%s) SELECT %s FROM %s ON CONFLICT"
             " DO NOTHING RETURNING %s AS k), got AS (SELECT k, count(*) AS"
             " n FROM ins GROUP BY k) SELECT s.%s, count(*) -"
             " coalesce(max(g.n), 0) FROM %s s LEFT JOIN got g ON g.k ="
             " s.%s GROUP BY s.%s HAVING count(*) > coalesce(max(g.n), 0);"
             " TRUNCATE %s",
             l->table, cols, cols, stage, key, key, stage, key, key, stage);
    if (!PQsendQuery(p->c, sql))
        return sw_pg_fail(p, NULL);
    size_t refused = 0;
    PGresult *r;
    while ((r = PQgetResult(p->c))) {
        ExecStatusType e = PQresultStatus(r);
        if (st == SW_OK && e != PGRES_TUPLES_OK && e != PGRES_COMMAND_OK)
            st = sw_pg_fail(p, r);
        for (int i = 0; st == SW_OK && e == PGRES_TUPLES_OK && i < PQntuples(r);
             i++) {
            const char *v = PQgetvalue(r, i, 0);
            sw_val kv = {SW_TEXT, 0, v, strlen(v)};
            for (long m = strtol(PQgetvalue(r, i, 1), NULL, 10); m > 0; m--) {
                l->refused(l->ctx, &kv);
                refused++;
            }
        }
        PQclear(r);
    }
    *stored = st == SW_OK && rows >= refused ? rows - refused : 0;
    return st;
}
