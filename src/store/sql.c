/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Steward's SQL through a handle's driver: statements prepared once per
 * handle and kept by their text, typed arguments, rows to a callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "store/sql.h"

/* A hash of statement text that reads a bounded part of it (long texts
 * are asked for on hot paths): the length, the head, every 16th byte of
 * the middle (where the texts of per-month tables differ) and the tail. */
static uint32_t text_hash(const char *text, size_t n)
{
    uint32_t h = SW_HASH_SEED ^ (uint32_t)n;
    for (size_t i = 0; i < n; i += i < 48 || i + 32 >= n ? 1 : 16)
        h = (h ^ (uint8_t)text[i]) * 16777619u;
    return h;
}

static void slot_clear(sw_store *s, sw_stmt_slot *t)
{
    if (t->stmt)
        s->drv->finalize(t->stmt);
    free(t->sql);
    memset(t, 0, sizeof(*t));
}

void sw_sql_forget(sw_store *s)
{
    for (int i = 0; i < SW_STMT_SLOTS; i++)
        if (s->stmts[i].sql && !s->stmts[i].busy)
            slot_clear(s, &s->stmts[i]);
}

sw_status sw_sql_fail(sw_store *s, sw_status st, const char *what)
{
    const char *m = s->db ? s->drv->errmsg(s->db) : "no connection";
    if (what)
        snprintf(s->err, sizeof(s->err), "%s: %s", what, m);
    else
        snprintf(s->err, sizeof(s->err), "%s", m);
    return st;
}

/* The kept statement of sql, marked busy; or, when that one is being
 * stepped already (a callback's nested use), a statement of its own
 * (*own: the caller finalizes it). */
static sw_status stmt_get(sw_store *s, const char *what, const char *sql,
                          sw_stmt_slot **slot, void **stmt)
{
    size_t n = strlen(sql);
    uint32_t h = text_hash(sql, n);
    sw_stmt_slot *room = NULL;
    bool nested = false;
    *slot = NULL;
    for (int i = 0; i < 8; i++) {
        sw_stmt_slot *t = &s->stmts[(h + (uint32_t)i) % SW_STMT_SLOTS];
        if (t->sql && t->hash == h && strcmp(t->sql, sql) == 0) {
            if (t->busy) {
                nested = true;
                break;
            }
            t->busy = true;
            *slot = t;
            *stmt = t->stmt;
            return SW_OK;
        }
        if (!room || (room->sql && !t->sql))
            room = t->busy ? room : t; /* an empty one, else one not busy */
    }
    sw_status st = s->drv->prepare(s->db, sql, stmt);
    if (st != SW_OK)
        return sw_sql_fail(s, st, what);
    char *copy = nested || !room ? NULL : malloc(n + 1);
    if (copy) { /* kept; a nested use's statement is finalized after */
        slot_clear(s, room);
        memcpy(copy, sql, n + 1);
        room->sql = copy;
        room->hash = h;
        room->stmt = *stmt;
        room->busy = true;
        *slot = room;
    }
    return SW_OK;
}

static void stmt_put(sw_store *s, sw_stmt_slot *slot, void *stmt)
{
    if (slot) {
        s->drv->reset(stmt);
        slot->busy = false;
    } else {
        s->drv->finalize(stmt);
    }
}

static sw_status run(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, sw_row_cb cb, void *ctx,
                     bool one, size_t *rows)
{
    sw_stmt_slot *slot;
    void *stmt;
    sw_status st = stmt_get(s, what, sql, &slot, &stmt);
    if (st != SW_OK)
        return st;
    for (size_t i = 0; i < n && st == SW_OK; i++)
        st = s->drv->bind(stmt, (int)i + 1, &args[i]);
    sw_row r = {s->drv, stmt};
    bool row = true;
    *rows = 0;
    while (st == SW_OK && row) {
        if ((st = s->drv->step(stmt, &row)) != SW_OK || !row)
            break;
        (*rows)++;
        if ((cb && cb(&r, ctx)) || one)
            break;
    }
    if (st != SW_OK)
        sw_sql_fail(s, st, what);
    stmt_put(s, slot, stmt);
    return st;
}

sw_status sw_sql(sw_store *s, const char *what, const char *sql,
                 const sw_val *args, size_t n, sw_row_cb cb, void *ctx)
{
    size_t rows;
    return run(s, what, sql, args, n, cb, ctx, false, &rows);
}

sw_status sw_sql_one(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, sw_row_cb cb, void *ctx)
{
    size_t rows;
    sw_status st = run(s, what, sql, args, n, cb, ctx, true, &rows);
    return st == SW_OK && !rows ? SW_ERR_NOTFOUND : st;
}

typedef struct text_ctx {
    char *buf;
    size_t n;
} text_ctx;

static int first_text(const sw_row *r, void *p)
{
    text_ctx *c = p;
    sw_row_text_into(r, 0, c->buf, c->n);
    return 1;
}

sw_status sw_sql_text(sw_store *s, const char *what, const char *sql,
                      const sw_val *args, size_t n, char *buf, size_t size)
{
    text_ctx c = {buf, size};
    if (size)
        buf[0] = '\0';
    return sw_sql_one(s, what, sql, args, n, first_text, &c);
}

static int first_int(const sw_row *r, void *ctx)
{
    *(int64_t *)ctx = sw_row_int(r, 0);
    return 1;
}

sw_status sw_sql_int(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, int64_t *out)
{
    *out = 0;
    size_t rows;
    sw_status st = run(s, what, sql, args, n, first_int, out, true, &rows);
    return st == SW_OK && !rows ? SW_ERR_NOTFOUND : st;
}

sw_status sw_sql_run(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, int64_t *changed)
{
    size_t rows;
    sw_status st = run(s, what, sql, args, n, NULL, NULL, false, &rows);
    if (changed)
        *changed = st == SW_OK ? s->drv->changes(s->db) : 0;
    return st;
}

sw_status sw_sql_exec(sw_store *s, const char *what, const char *sql)
{
    sw_status st = s->drv->exec(s->db, sql);
    return st == SW_OK ? st : sw_sql_fail(s, st, what);
}

/* ---- columns ---- */

static sw_val col(const sw_row *r, int i)
{
    sw_val v;
    r->drv->column(r->stmt, i, &v);
    return v;
}

const char *sw_row_text(const sw_row *r, int c)
{
    sw_val v = col(r, c);
    return v.type == SW_TEXT ? (const char *)v.p : NULL;
}

int64_t sw_row_int(const sw_row *r, int c)
{
    sw_val v = col(r, c);
    if (v.type == SW_TEXT)
        return strtoll(v.p, NULL, 10);
    return v.type == SW_INT ? v.i : 0;
}

bool sw_row_null(const sw_row *r, int c)
{
    return col(r, c).type == SW_NULL;
}

const uint8_t *sw_row_blob(const sw_row *r, int c, size_t *n)
{
    sw_val v = col(r, c);
    *n = v.type == SW_BLOB || v.type == SW_TEXT ? v.n : 0;
    if (v.type != SW_BLOB && v.type != SW_TEXT)
        return NULL;
    return v.p ? v.p : (const uint8_t *)"";
}

bool sw_row_blob_into(const sw_row *r, int c, uint8_t *dst, size_t n)
{
    size_t len;
    const uint8_t *b = sw_row_blob(r, c, &len);
    if (!b || len != n)
        return false;
    memcpy(dst, b, n);
    return true;
}

bool sw_row_text_into(const sw_row *r, int c, char *dst, size_t n)
{
    const char *t = sw_row_text(r, c);
    return (size_t)snprintf(dst, n, "%s", t ? t : "") < n;
}
