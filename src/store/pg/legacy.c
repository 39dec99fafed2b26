/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The layout an earlier steward gave PostgreSQL stores, and its one-time
 * conversion. That layout named the metadata table steward_meta and kept
 * traffic in native partitions of one table `traffic` (a column `month`);
 * every driver now shares SQLite's layout: `meta`, and a plain table per
 * month. Until migrate converts it (the first write of the open, after
 * the key was checked), the session reads steward_meta through a
 * temporary view named meta, which changes nothing in the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

sw_status sw_pg_legacy_open(pgc *p)
{
    int64_t old = 0;
    sw_status st = sw_pg_query_int(
        p, "SELECT to_regclass('public.steward_meta') IS NOT NULL", &old);
    if (st != SW_OK || !old)
        return st;
    p->legacy = true;
    return sw_pg_exec_raw(p, "CREATE OR REPLACE TEMP VIEW meta AS"
                             " SELECT key, value FROM public.steward_meta");
}

/* Each partition becomes a month's table of its own: detached, without
 * the month column (and the key on (month, ext_id) that went with it),
 * keyed by ext_id, its indexes under the names every driver uses. */
static sw_status detach_months(pgc *p)
{
    PGresult *r = PQexec(
        p->c, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON"
              " c.oid = i.inhrelid WHERE i.inhparent = 'traffic'::regclass"
              " ORDER BY c.relname");
    sw_status st =
        PQresultStatus(r) == PGRES_TUPLES_OK ? SW_OK : sw_pg_fail(p, r);
    for (int i = 0; st == SW_OK && i < PQntuples(r); i++) {
        const char *t = PQgetvalue(r, i, 0);
        if (strncmp(t, "traffic_", 8) != 0 || strlen(t) > 40)
            continue; /* not one steward made */
        char sql[1024];
        snprintf(sql, sizeof(sql),
                 "ALTER TABLE traffic DETACH PARTITION %s;"
                 " ALTER TABLE %s DROP COLUMN month;"
                 " CREATE UNIQUE INDEX %s_id ON %s(ext_id);",
                 t, t, t, t);
        st = sw_pg_exec_raw(p, sql);
        /* the indexes the partition inherited, renamed */
        static const char *const idx[][2] = {{"(dest_bi)", "dest"},
                                             {"(day, account)", "day"}};
        for (int j = 0; st == SW_OK && j < 2; j++) {
            snprintf(sql, sizeof(sql),
                     "SELECT indexname FROM pg_indexes WHERE tablename = '%s'"
                     " AND indexdef LIKE '%%%s%%' AND indexname <> '%s_%s'",
                     t, idx[j][0], t, idx[j][1]);
            PGresult *x = PQexec(p->c, sql);
            st =
                PQresultStatus(x) == PGRES_TUPLES_OK ? SW_OK : sw_pg_fail(p, x);
            if (st == SW_OK && PQntuples(x) > 0) {
                snprintf(sql, sizeof(sql), "ALTER INDEX \"%s\" RENAME TO %s_%s",
                         PQgetvalue(x, 0, 0), t, idx[j][1]);
                st = sw_pg_exec_raw(p, sql);
            }
            PQclear(x);
        }
    }
    PQclear(r);
    return st;
}

sw_status sw_pg_legacy_convert(pgc *p)
{
    sw_status st =
        sw_pg_exec_raw(p, "DROP VIEW IF EXISTS pg_temp.meta;"
                          " ALTER TABLE steward_meta RENAME TO meta");
    int64_t parted = 0;
    if (st == SW_OK)
        st = sw_pg_query_int(
            p, "SELECT to_regclass('public.traffic') IS NOT NULL", &parted);
    if (st == SW_OK && parted)
        st = detach_months(p);
    if (st == SW_OK && parted)
        st = sw_pg_exec_raw(p, "DROP TABLE traffic");
    return st;
}
