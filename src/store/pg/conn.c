/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL driver's connection helpers, shared by its files: a
 * failure's message and status, text run as it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

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

sw_status sw_pg_fail(pgc *p, const PGresult *r)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(p->c);
    if (!m || !*m)
        m = PQerrorMessage(p->c);
    snprintf(p->err, sizeof(p->err), "%.*s", (int)strcspn(m, "\n"), m);
    return status_of(r, p->c);
}

/* Runs text (statements without parameters) as it is. */
sw_status sw_pg_exec_raw(pgc *p, const char *sql)
{
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType s = PQresultStatus(r);
    sw_status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK
                       ? SW_OK
                       : sw_pg_fail(p, r);
    PQclear(r);
    return st;
}

/* A one-value query run as it is: its first column of the first row as a
 * number (booleans 0 or 1), or 0 when there is none. */
sw_status sw_pg_query_int(pgc *p, const char *sql, int64_t *out)
{
    PGresult *r = PQexec(p->c, sql);
    sw_status st =
        PQresultStatus(r) == PGRES_TUPLES_OK ? SW_OK : sw_pg_fail(p, r);
    *out = 0;
    if (st == SW_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
        const char *v = PQgetvalue(r, 0, 0);
        *out = *v == 't' ? 1 : *v == 'f' ? 0 : strtoll(v, NULL, 10);
    }
    PQclear(r);
    return st;
}
