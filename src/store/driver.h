/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage driver: the one seam between steward's SQL and a database,
 * in the spirit of APR's apr_dbd and libgit2's odb backends. A driver
 * opens a connection, frames transactions, runs statements written once
 * in steward's SQL (placeholders ?1..?N; SQLite's spelling of types,
 * INTEGER and BLOB; CAST(column AS BLOB) for a text's bytes), loads rows
 * in bulk, holds the sweep's lock and tells when another connection
 * changed the store. It knows nothing of subjects, consents or traffic:
 * every business rule lives in the services above.
 *
 * The connectors (src/systems) use the same table on databases steward
 * does not own, through connect: SQLite, PostgreSQL and MariaDB (whose
 * driver only connects: it keeps no store).
 *
 * Private to libsteward. A connection (void *db) and its statements are
 * used by one thread at a time. Every operation returns a status and, on
 * failure, leaves a message for errmsg(). Values handed out (column, the
 * keys given to refused) are borrowed until the next call on the same
 * statement or connection.
 */
#ifndef STEWARD_STORE_DRIVER_H
#define STEWARD_STORE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steward/store.h"

#define SW_DRIVER_VERSION 2

/* A value bound to a statement or read from a row. */
typedef enum sw_vtype { SW_NULL = 0, SW_INT, SW_TEXT, SW_BLOB } sw_vtype;

typedef struct sw_val {
    sw_vtype type;
    int64_t i;     /* SW_INT */
    const void *p; /* SW_TEXT (NUL-terminated) and SW_BLOB: borrowed */
    size_t n;      /* bytes at p (a text's length without its NUL) */
} sw_val;

typedef enum sw_tx_op {
    SW_TX_BEGIN, /* a write transaction, locking other writers out */
    SW_TX_COMMIT,
    SW_TX_ROLLBACK,
    SW_TX_SAVEPOINT, /* nested: one change inside a batch */
    SW_TX_RELEASE,
    SW_TX_ROLLBACK_TO, /* undoes to the savepoint and releases it */
    SW_TX_READ,        /* a read transaction: one snapshot, one lock */
} sw_tx_op;

/* A bulk load: rows into table's columns. cols[0] is the row's key: a
 * row whose key is there already (or earlier in the same load) is
 * refused, and its key handed to refused, once per refused row. */
typedef struct sw_load {
    const char *table;
    const char *const *cols;
    int n_cols;
    /* fills vals[0..n_cols) with the next row; false after the last */
    bool (*row)(void *ctx, sw_val *vals);
    /* a refused row's key */
    void (*refused)(void *ctx, const sw_val *key);
    void *ctx;
} sw_load;

/* What a driver does that not every driver does alike. */
#define SW_DRV_STMT_ATOMIC                                                     \
    1u /* a failed statement is undone alone and                               \
          the transaction goes on; without it a                                \
          failure aborts the transaction unless a                              \
          savepoint was set */
#define SW_DRV_ROWID                                                           \
    2u /* every table has a rowid, in insertion                                \
          order (a sweep takes a range of it) */
#define SW_DRV_LOCAL                                                           \
    4u /* the database is mapped into this process:                            \
          pages a handle reads once stay near */

typedef struct sw_driver {
    int version; /* SW_DRIVER_VERSION */
    const char *name;
    unsigned caps; /* SW_DRV_* */
    /* Whether uri is one of this driver's ("postgresql://..."). */
    bool (*accepts)(const char *uri);

    /* Opens (with create: makes a new, empty store), changing nothing
     * else, and reads the schema version the store is at (0 for a new
     * one). A database that is no steward store is SW_ERR_CORRUPT. */
    sw_status (*open)(const char *uri, bool create, void **db, int *version,
                      sw_error *err);
    void (*close)(void *db);
    /* Removes what open(create) and the schema's tables (NULL-ended)
     * made: a creation that failed. */
    void (*remove)(const char *uri, const char *const *tables);
    const char *(*errmsg)(void *db);
    /* Opens a database steward does not own (a connector's): nothing of
     * steward's is read or made there, times are UTC, identifiers are
     * quoted "so" and results come as text or numbers. open, migrate,
     * remove, load, sweep_lock, data_version and checkpoint are not for
     * such a connection; a driver that only connects leaves open NULL. */
    sw_status (*connect)(const char *uri, void **db, sw_error *err);
    /* On such a connection: the query of one parameter, a table's name,
     * whose rows are its columns' names and declared types. */
    const char *columns_sql;

    /* Runs text of one or more statements without parameters. */
    sw_status (*exec)(void *db, const char *sql);
    /* At every open: applies the connection's settings and, in one write
     * transaction, what the driver itself keeps up to date, then
     * steps[from..to) (schema text) and records version to. */
    sw_status (*migrate)(void *db, const char *const *steps, int from, int to);
    sw_status (*tx)(void *db, sw_tx_op op);

    /* One statement of steward's SQL. */
    sw_status (*prepare)(void *db, const char *sql, void **stmt);
    void (*finalize)(void *stmt);
    sw_status (*bind)(void *stmt, int i, const sw_val *v); /* i from 1 */
    /* Runs or goes on: *row says whether a row is there to read. */
    sw_status (*step)(void *stmt, bool *row);
    void (*column)(void *stmt, int i, sw_val *out); /* i from 0 */
    /* Makes the statement ready to be bound and run again. */
    void (*reset)(void *stmt);
    /* Rows the last statement on db inserted, changed or deleted. */
    int64_t (*changes)(void *db);

    /* Loads rows in bulk (COPY, or one prepared insert), inside the
     * caller's transaction; *stored: how many were taken. */
    sw_status (*load)(void *db, const sw_load *l, size_t *stored);
    /* Takes (or gives back) the sweep's lock, held across its batches and
     * processes: SW_ERR_BUSY when another holds it. */
    sw_status (*sweep_lock)(void *db, bool take);
    /* A number that changes when another connection commits a change. */
    sw_status (*data_version)(void *db, int64_t *v);
    /* Folds the journal into the store and empties it (an erasure leaves
     * no copy behind); nothing where there is no such journal. */
    sw_status (*checkpoint)(void *db);
} sw_driver;

extern const sw_driver sw_driver_sqlite;
extern const sw_driver sw_driver_pg;
extern const sw_driver sw_driver_mariadb; /* connects only */

#endif
