/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connectors, each figure next to a baseline in the same run
 * (bench/bench_systems.sh prepares the databases and the environment):
 *  1. the retention sweep of expired rows in an external PostgreSQL table
 *     (steward's sweep: spans of the heap's blocks, each a transaction of
 *     the system and an audit entry in the store) against a plain
 *     DELETE ... WHERE clock <= cut-off of the same rows in a copy of the
 *     table, each of the two after a checkpoint;
 *  2. access for one person across three systems (SQLite, PostgreSQL,
 *     MariaDB, each a table of N rows with an indexed e-mail column):
 *     sw_system_rows' latency, p50 and p99, against the same three look-ups
 *     run directly through each database's own client library.
 *   bench_systems STORE_DIR PLAIN_PG_URI PEOPLE LOOKUPS
 */
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "steward/steward.h"

static sw_store *open_store(const char *dir, const char *policy_file,
                            const char *now, sw_policy **p)
{
    sw_diags *d = sw_diags_new();
    if (sw_policy_load_file(policy_file, d, p) != SW_OK) {
        fprintf(stderr, "bench_systems: %s does not load\n", policy_file);
        exit(1);
    }
    sw_diags_free(d);
    char path[600];
    snprintf(path, sizeof(path), "%s/steward.db", dir);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = *p;
    sw_instant t;
    sw_instant_parse(now, &t);
    sw_clock_init_fixed(&o.clock, t);
    sw_error err;
    sw_store *s;
    if (sw_store_open(path, &o, &s, &err) != SW_OK) {
        fprintf(stderr, "bench_systems: %s\n", err.msg);
        exit(1);
    }
    return s;
}

static double direct_lookups(const char *email)
{
    static sqlite3 *lite;
    static PGconn *pg;
    static MYSQL *my;
    static sqlite3_stmt *ls;
    static MYSQL_STMT *ms;
    if (!lite) {
        sqlite3_open_v2(getenv("BENCH_CRM_LITE"), &lite, SQLITE_OPEN_READWRITE,
                        NULL);
        sqlite3_prepare_v2(
            lite, "SELECT id, name, email FROM contacts WHERE email = ?", -1,
            &ls, NULL);
        pg = PQconnectdb(getenv("BENCH_CRM_PG"));
        PQclear(PQprepare(
            pg, "q", "SELECT id, name, email FROM contacts WHERE email = $1", 1,
            NULL));
        my = mysql_init(NULL);
        if (!mysql_real_connect(my, "127.0.0.1", "root", NULL, "crm",
                                (unsigned)atoi(getenv("BENCH_MARIA_PORT")),
                                NULL, 0)) {
            fprintf(stderr, "bench_systems: MariaDB: %s\n", mysql_error(my));
            exit(1);
        }
        ms = mysql_stmt_init(my);
        const char *q = "SELECT id, name, email FROM contacts WHERE email = ?";
        mysql_stmt_prepare(ms, q, strlen(q));
    }
    double t0 = now_s();
    sqlite3_bind_text(ls, 1, email, -1, SQLITE_STATIC);
    while (sqlite3_step(ls) == SQLITE_ROW) {
    }
    sqlite3_reset(ls);
    const char *v[1] = {email};
    PQclear(PQexecPrepared(pg, "q", 1, v, NULL, NULL, 0));
    MYSQL_BIND b;
    memset(&b, 0, sizeof(b));
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = (void *)email;
    b.buffer_length = strlen(email);
    mysql_stmt_bind_param(ms, &b);
    mysql_stmt_execute(ms);
    mysql_stmt_store_result(ms);
    mysql_stmt_free_result(ms);
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_systems STORE_DIR PLAIN_PG_URI PEOPLE "
                        "LOOKUPS\n");
        return 2;
    }
    const char *dir = argv[1];
    long people = atol(argv[3]);
    int lookups = atoi(argv[4]);
    char policy[600];
    snprintf(policy, sizeof(policy), "%s/policy.yaml", dir);
    sw_policy *p;
    sw_store *s = open_store(dir, policy, "2026-12-01T00:00:00Z", &p);

    /* ---- 2. access first (the sweep empties a table) ---- */
    double *ours = calloc((size_t)lookups, sizeof(double));
    double *theirs = calloc((size_t)lookups, sizeof(double));
    srand(7);
    for (int i = 0; i < lookups; i++) {
        char email[64];
        snprintf(email, sizeof(email), "p%ld@bench.example",
                 1 + (long)rand() % people);
        sw_ident id = {"email", email};
        char sid[SW_ID_BUFSZ];
        sw_subject_spec spec = {"prospect", NULL, NULL, NULL, 1, &id};
        if (sw_subject_find(s, &id, sid) != SW_OK &&
            sw_subject_add(s, &spec, sid) != SW_OK) {
            fprintf(stderr, "bench_systems: %s\n", sw_errmsg(s));
            return 1;
        }
        char *json = NULL;
        double t0 = now_s();
        if (sw_system_rows(s, sid, &json) != SW_OK) {
            fprintf(stderr, "bench_systems: %s\n", sw_errmsg(s));
            return 1;
        }
        ours[i] = now_s() - t0;
        if (i == 0 && !strstr(json, email)) {
            fprintf(stderr, "bench_systems: no rows found for %s\n", email);
            return 1;
        }
        free(json);
        theirs[i] = direct_lookups(email);
    }
    qsort(ours, (size_t)lookups, sizeof(double), cmp_double);
    qsort(theirs, (size_t)lookups, sizeof(double), cmp_double);
    int p99 = (int)(0.99 * (lookups - 1));
    printf(
        "access   steward: one person across 3 systems of %ld rows: p50 %.2f "
        "ms, p99 %.2f ms (connect, check the schema, look up, follow "
        "relations, audit)\n",
        people, ours[lookups / 2] * 1e3, ours[p99] * 1e3);
    printf("         the same 3 look-ups through each client library, kept "
           "connections: p50 %.2f ms, p99 %.2f ms; ratio (p99) %.2f\n",
           theirs[lookups / 2] * 1e3, theirs[p99] * 1e3,
           theirs[p99] / ours[p99]);

    /* ---- 1. the sweep against DELETE ---- */
    PGconn *plain = PQconnectdb(argv[2]);
    /* each of the two starts from a checkpoint: neither pays for the
     * other's dirty pages */
    PQclear(PQexec(plain, "CHECKPOINT"));
    double t0 = now_s();
    PGresult *r = PQexec(plain, "DELETE FROM contacts WHERE last_contact_at"
                                " <= '2026-06-01 00:00:00'");
    double t1 = now_s();
    long deleted = atol(PQcmdTuples(r));
    PQclear(r);
    PQclear(PQexec(plain, "CHECKPOINT"));
    PQfinish(plain);
    sw_sweep_report *rep = NULL;
    double t2 = now_s();
    if (sw_sweep(s, NULL, &rep) != SW_OK) {
        fprintf(stderr, "bench_systems: sweep: %s\n", sw_errmsg(s));
        return 1;
    }
    double t3 = now_s();
    size_t rows = 0;
    for (size_t i = 0; i < rep->n_systems; i++) {
        if (rep->systems[i].error[0]) {
            fprintf(stderr, "bench_systems: sweep: %s\n",
                    rep->systems[i].error);
            return 1;
        }
        if (strcmp(rep->systems[i].system, "bench_pg") == 0)
            rows += rep->systems[i].rows;
    }
    printf(
        "sweep    steward: %zu expired rows of an external PostgreSQL table "
        "in %.2f s = %.0f rows/s (spans of the heap of about 100000 rows, each a transaction, audited)\n",
        rows, t3 - t2, (double)rows / (t3 - t2));
    printf("         plain DELETE ... WHERE clock <= cut-off of the same %ld "
           "rows: %.2f s = %.0f rows/s; ratio %.2f\n",
           deleted, t1 - t0, (double)deleted / (t1 - t0),
           ((t1 - t0) / (double)deleted) / ((t3 - t2) / (double)rows));
    sw_sweep_report_free(rep);
    sw_store_close(s);
    sw_policy_free(p);
    free(ours);
    free(theirs);
    return 0;
}
