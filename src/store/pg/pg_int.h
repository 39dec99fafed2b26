/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the PostgreSQL driver: the connection and what its files
 * share (pg.c: connection, transactions, statements; rewrite.c: steward's
 * SQL in PostgreSQL's spelling; load.c: COPY; legacy.c: the layout an
 * earlier steward gave PostgreSQL stores). */
#ifndef STEWARD_STORE_PG_INT_H
#define STEWARD_STORE_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/driver.h"

/* The advisory locks ("stew"): every write transaction takes the first
 * (one writer at a time, one audit chain); the sweep holds the second
 * across its batches (one sweep at a time). */
#define PG_WRITE_LOCK "1937007975"
#define PG_SWEEP_LOCK "1937007975, 1"

typedef struct pgc {
    PGconn *c;
    char err[512];
    uint64_t statements; /* names handed out */
    int64_t changes;     /* rows the last statement changed */
    bool write_tx;
    bool legacy;   /* an earlier layout, converted by the next migrate */
    bool external; /* a connector's database: results as text, no lock */
    char *line;    /* a row of COPY text being built */
    size_t line_cap;
} pgc;

/* Sets p->err from a result (or the connection) and returns a status. */
sw_status sw_pg_fail(pgc *p, const PGresult *r);
/* Text as it is (no rewriting), statements without parameters. */
sw_status sw_pg_exec_raw(pgc *p, const char *sql);
/* The first value of a query run as it is, as a number (0 when none). */
sw_status sw_pg_query_int(pgc *p, const char *sql, int64_t *out);

/* Steward's SQL in PostgreSQL's spelling (caller frees; NULL: no
 * memory): ?N becomes $N, INTEGER BIGINT, BLOB BYTEA, CAST(x AS BLOB)
 * convert_to(x, 'UTF8'); WITHOUT ROWID goes. */
char *sw_pg_rewrite(const char *sql);
/* The highest $N of a rewritten statement. */
int sw_pg_count_params(const char *sql);

sw_status sw_pg_load(void *db, const sw_load *l, size_t *stored);

/* At open, a store of the earlier layout (steward_meta, traffic in native
 * partitions) is read through a session's view; convert makes it the
 * layout of every driver, inside migrate's transaction. */
sw_status sw_pg_legacy_open(pgc *p);
sw_status sw_pg_legacy_convert(pgc *p);

#endif
