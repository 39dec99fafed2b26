/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Several processes on one store (an SQLite file, or one PostgreSQL
 * database with STEWARD_TEST_PG): eight writers make a thousand changes
 * each at the same time; the audit trail is then one chain, with an entry
 * per change, no gap and no fork, and `steward audit verify` says so.
 */
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define WRITERS 8
#define CHANGES 1000

static int writer(const tu_store *t, int w)
{
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = t->policy;
    o.key_file = t->key[0] ? t->key : NULL;
    o.actor = "writer";
    sw_store *s;
    sw_error err;
    if (sw_store_open(t->path, &o, &s, &err) != SW_OK)
        return 2;
    for (int i = 0; i < CHANGES; i++) {
        char email[64], id[SW_ID_BUFSZ];
        snprintf(email, sizeof(email), "w%d.%d@example.com", w, i);
        sw_ident ident = {"email", email};
        sw_subject_spec spec = {"prospect", NULL, NULL, NULL, 1, &ident};
        sw_status st;
        /* the store may be busy a moment: the change is retried, never
         * half made */
        while ((st = sw_subject_add(s, &spec, id)) == SW_ERR_BUSY)
            usleep(1000);
        if (st != SW_OK) {
            fprintf(stderr, "writer %d, change %d: %s\n", w, i, sw_errmsg(s));
            sw_store_close(s);
            return 1;
        }
    }
    sw_store_close(s);
    return 0;
}

static void test_eight_writers_one_chain(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-11-01T09:00:00Z");
    sw_store_close(t.s);
    t.s = NULL;
    long before = tu_count_sql(t.path, "SELECT count(*) FROM audit");
    pid_t kids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        fflush(NULL);
        kids[w] = fork();
        assert_true(kids[w] >= 0);
        if (kids[w] == 0)
            _exit(writer(&t, w));
    }
    for (int w = 0; w < WRITERS; w++) {
        int st;
        assert_true(waitpid(kids[w], &st, 0) == kids[w]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM subjects"),
                     WRITERS * CHANGES);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit"),
                     before + WRITERS * CHANGES);
    /* no gap: seq runs 1..n */
    assert_int_equal(tu_count_sql(t.path, "SELECT max(seq) - count(*) FROM"
                                          " audit"),
                     0);
    /* no fork: no two entries name the same previous entry */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) - count(DISTINCT"
                                          " prev_hash) FROM audit"),
                     0);
    /* the chain recomputes, with the CLI as an auditor would run it */
    tu_run r;
    if (t.key[0])
        tu_steward(&r, NULL, "audit", "verify", "--store", t.path, "--key",
                   t.key, NULL);
    else
        tu_steward(&r, NULL, "audit", "verify", "--store", t.path, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "audit trail intact"));
    char want[64];
    snprintf(want, sizeof(want), "%ld entries", before + WRITERS * CHANGES);
    assert_non_null(strstr(r.out, want));
    tu_run_free(&r);
    tu_store_reopen(&t);
    tu_store_free(&t);
}

/* Another process's sweep holds the lock: this one waits its turn. */
static void test_one_sweep_at_a_time(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-11-01T09:00:00Z");
    PGconn *pg = NULL;
    int fd = -1;
    if (tu_pg()) { /* the lock as another stewardd would hold it */
        pg = PQconnectdb(t.path);
        PQclear(PQexec(pg, "SELECT pg_advisory_lock(1937007975, 1)"));
    } else {
        fd = open(t.path, O_RDONLY);
        assert_int_equal(flock(fd, LOCK_EX), 0);
    }
    sw_sweep_options o;
    memset(&o, 0, sizeof(o));
    sw_sweep_report *r = NULL;
    assert_int_equal(sw_sweep(t.s, &o, &r), SW_ERR_BUSY);
    assert_non_null(strstr(sw_errmsg(t.s), "another sweep"));
    sw_sweep_report_free(r);
    /* a plan (dry run) needs no lock */
    o.dry_run = true;
    assert_int_equal(sw_sweep(t.s, &o, &r), SW_OK);
    sw_sweep_report_free(r);
    o.dry_run = false;
    if (pg) { /* the other sweep ends: its lock goes */
        PQclear(PQexec(pg, "SELECT pg_advisory_unlock(1937007975, 1)"));
        PQfinish(pg);
    } else {
        close(fd);
    }
    assert_int_equal(sw_sweep(t.s, &o, &r), SW_OK);
    sw_sweep_report_free(r);
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eight_writers_one_chain),
        cmocka_unit_test(test_one_sweep_at_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
