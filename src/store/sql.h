/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running steward's SQL through a store's driver: what every service uses
 * instead of a database's own API. A statement is prepared once per handle
 * and kept (cached by its text); arguments are typed values; rows go to a
 * callback. The SQL is written once, in one dialect: placeholders ?1..?N,
 * types INTEGER, TEXT and BLOB; each driver rewrites what its database
 * spells otherwise (driver.h).
 *
 * Private to libsteward.
 */
#ifndef STEWARD_STORE_SQL_H
#define STEWARD_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/driver.h"
#include "store/store_int.h"

/* A row being read; borrowed for the callback's call. */
typedef struct sw_row {
    const sw_driver *drv;
    void *stmt;
} sw_row;

typedef int (*sw_row_cb)(const sw_row *r, void *ctx);

/* Columns from 0. Text: NULL for SQL NULL. Ints: 0 for NULL. */
const char *sw_row_text(const sw_row *r, int col);
int64_t sw_row_int(const sw_row *r, int col);
bool sw_row_null(const sw_row *r, int col);
/* A blob (NULL for SQL NULL), n bytes. */
const uint8_t *sw_row_blob(const sw_row *r, int col, size_t *n);
/* Copies a blob of exactly n bytes into dst; false otherwise. */
bool sw_row_blob_into(const sw_row *r, int col, uint8_t *dst, size_t n);
/* Copies text into dst (n bytes): "" for NULL; false when it was cut. */
bool sw_row_text_into(const sw_row *r, int col, char *dst, size_t n);

/* Values. */
static inline sw_val sw_v_text(const char *s)
{
    return s ? (sw_val){SW_TEXT, 0, s, strlen(s)} : (sw_val){SW_NULL, 0, 0, 0};
}
static inline sw_val sw_v_int(int64_t i)
{
    return (sw_val){SW_INT, i, NULL, 0};
}
static inline sw_val sw_v_blob(const void *p, size_t n)
{
    return p ? (sw_val){SW_BLOB, 0, p, n} : (sw_val){SW_NULL, 0, 0, 0};
}
/* An int, or NULL when !has. */
static inline sw_val sw_v_opt(bool has, int64_t i)
{
    return has ? sw_v_int(i) : (sw_val){SW_NULL, 0, 0, 0};
}
static inline sw_val sw_v_null(void)
{
    return (sw_val){SW_NULL, 0, 0, 0};
}

/* The arguments of a statement, as (array, count). */
#define SW_ARGS(...)                                                           \
    ((const sw_val[]){__VA_ARGS__}),                                           \
        (sizeof((const sw_val[]){__VA_ARGS__}) / sizeof(sw_val))
#define SW_NOARGS NULL, 0

/*
 * Runs sql with its arguments; each row goes to cb (NULL: rows are not
 * wanted) until cb returns non-zero. On failure s->err says "what: the
 * database's message". A callback may run other statements on s.
 * *rows (may be NULL): how many rows were handed to cb.
 */
sw_status sw_sql(sw_store *s, const char *what, const char *sql,
                 const sw_val *args, size_t n, sw_row_cb cb, void *ctx);
/* The first row only: SW_ERR_NOTFOUND (no message set) when there is
 * none. */
sw_status sw_sql_one(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, sw_row_cb cb, void *ctx);
/* The first column of the first row as a number (0 for NULL): counts
 * and EXISTS. SW_ERR_NOTFOUND (no message) when there is no row. */
sw_status sw_sql_int(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, int64_t *out);
/* The first column of the first row as text into buf (size bytes; ""
 * for NULL); SW_ERR_NOTFOUND (no message) when there is no row. */
sw_status sw_sql_text(sw_store *s, const char *what, const char *sql,
                      const sw_val *args, size_t n, char *buf, size_t size);
/* A statement that returns no rows; *changed (may be NULL): how many rows
 * it inserted, changed or deleted. */
sw_status sw_sql_run(sw_store *s, const char *what, const char *sql,
                     const sw_val *args, size_t n, int64_t *changed);
/* Text of statements without parameters (a table's DDL), not kept. */
sw_status sw_sql_exec(sw_store *s, const char *what, const char *sql);

/*
 * Rows handed on as a type: SW_ROWS(name, type, read) defines name_ctx
 * (a callback of const type * rows and its context) and name, an
 * sw_row_cb that reads each row with read(const sw_row *, type *) and
 * hands it to that callback.
 */
#define SW_ROWS(name, type, read)                                              \
    typedef struct name##_ctx {                                                \
        int (*cb)(const type *row, void *ctx);                                 \
        void *ctx;                                                             \
    } name##_ctx;                                                              \
    static int name(const sw_row *r, void *p)                                  \
    {                                                                          \
        name##_ctx *c = p;                                                     \
        type o;                                                                \
        memset(&o, 0, sizeof(o));                                              \
        read(r, &o);                                                           \
        return c->cb(&o, c->ctx);                                              \
    }

/* Sets s->err from the driver's message and returns st. */
sw_status sw_sql_fail(sw_store *s, sw_status st, const char *what);

/* Finalizes every statement kept (before the connection closes, or when
 * a table they name goes). */
void sw_sql_forget(sw_store *s);

#endif
