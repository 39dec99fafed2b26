/* SPDX-License-Identifier: Apache-2.0 */
/* A real sweep process killed with SIGKILL at many points: each time, and
 * after a final run, nothing not due was deleted, nothing due is left
 * behind, and the audit chain verifies. */
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define SUBJECTS 150
#define PER_SUBJECT 10
#define NOW "2026-03-01T00:00:00Z"

/* Half the subjects' records are due at NOW, the others have no due date;
 * plus 40 days of traffic whose identifiers are due. */
static void fill(tu_store *t)
{
    assert_int_equal(sw_batch_begin(t->s), SW_OK);
    for (int i = 0; i < SUBJECTS; i++) {
        char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ], account[32];
        snprintf(account, sizeof(account), "%s-%d", i % 2 ? "DUE" : "KEEP", i);
        sw_subject_spec spec = {"prospect", account, NULL, NULL, 0, NULL};
        assert_int_equal(sw_subject_add(t->s, &spec, sid), SW_OK);
        for (int k = 0; k < PER_SUBJECT; k++) {
            sw_record_spec r = {
                sid, "sales_prospects", "user.name", "Lee", 3, NULL, false, 0,
                NULL};
            assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_OK);
        }
        if (i % 2) {
            char eid[SW_ID_BUFSZ];
            sw_event_spec e = {"last_contact",
                               sid,
                               NULL,
                               NULL,
                               NULL,
                               tu_instant("2025-01-01T00:00:00Z"),
                               NULL};
            assert_int_equal(sw_event_add(t->s, &e, eid, NULL), SW_OK);
        }
    }
    assert_int_equal(sw_batch_commit(t->s), SW_OK);
    char cmd[1200], file[600];
    snprintf(file, sizeof(file), "%s/cdr.ndjson", t->dir);
    snprintf(cmd, sizeof(cmd),
             "%s/bench/gen-traffic --start 2025-01-01 --days 40 --per-day 20 "
             "> %s",
             STEWARD_BUILD_DIR, file);
    assert_int_equal(tu_sh("%s", cmd), 0);
    FILE *f = fopen(file, "r");
    sw_ingest_result ir;
    sw_diags *d = sw_diags_new();
    sw_ingest_options o = {false, 0, NULL, NULL};
    assert_int_equal(sw_traffic_ingest(t->s, f, "cdr", &o, d, &ir), SW_OK);
    fclose(f);
    sw_diags_free(d);
    assert_int_equal(ir.stored, 800);
}

static void check_invariants(const char *db)
{
    /* Nothing not due was deleted. */
    assert_int_equal(tu_count_sql(db,
                                  "SELECT count(*) FROM records WHERE due_at "
                                  "IS NULL"),
                     SUBJECTS / 2 * PER_SUBJECT);
    assert_int_equal(
        tu_count_sql(db, "SELECT count(*) FROM subjects WHERE id IN "
                         "(SELECT subject_id FROM records WHERE due_at "
                         "IS NULL)"),
        SUBJECTS / 2);
    /* Every subject still present has its key or none of its data. */
    assert_int_equal(tu_count_sql(db, "SELECT count(*) FROM subjects WHERE "
                                      "wrapped_key IS NULL"),
                     0);
    assert_int_equal(tu_count_sql(db, "SELECT count(*) FROM traffic_202501"),
                     620);
}

static void verify_chain(tu_store *t)
{
    tu_store_reopen(t);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t->s, &v), SW_OK);
    if (!v.intact)
        fail_msg("audit chain broken: %s", v.reason);
    sw_store_close(t->s);
    t->s = NULL;
}

typedef struct certified {
    long certificates, records, days;
} certified;

static int add_certified(const sw_audit_entry *e, void *p)
{
    certified *c = p;
    if (strcmp(e->action, "sweep.certificate") != 0)
        return 0;
    json_t *d = json_loads(e->details, 0, NULL);
    assert_non_null(d);
    c->certificates++;
    c->records += (long)json_integer_value(json_object_get(d, "records"));
    c->days += (long)json_integer_value(
        json_object_get(json_object_get(d, "traffic"), "days_stripped"));
    json_decref(d);
    return 0;
}

static void test_sweep_kill__killed_sweeps_finish_cleanly(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, NOW);
    fill(&t);
    sw_store_close(t.s);
    t.s = NULL;
    char due_days[128];
    snprintf(due_days, sizeof(due_days),
             "SELECT count(*) FROM epoch_keys WHERE due_at <= %lld",
             (long long)tu_instant(NOW));
    long days = tu_count_sql(t.path, due_days);
    char store_arg[600];
    snprintf(store_arg, sizeof(store_arg), "--store=%s", t.path);
    int kills = 0, finished = 0;
    unsigned seed = 12345;
    /* Kill points from 1 ms up, with some jitter; the last round is not
     * killed: running the sweep again completes the work. */
    for (int round = 0; round <= 30 && !finished; round++) {
        useconds_t delay =
            round == 30
                ? 0
                : (useconds_t)(1000 + round * 1500 + rand_r(&seed) % 1500);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execl(STEWARD_BIN, STEWARD_BIN, "sweep", store_arg, "--batch", "25",
                  "--now", NOW, "--policy",
                  STEWARD_SOURCE_DIR "/policies/cpaas-notice.yaml",
                  (char *)NULL);
            _exit(127);
        }
        if (delay) {
            usleep(delay);
            kill(pid, SIGKILL);
        }
        int st;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
            kills++;
        } else {
            assert_true(WIFEXITED(st));
            assert_int_equal(WEXITSTATUS(st), 0);
            finished = 1;
        }
        check_invariants(t.path);
        verify_chain(&t);
    }
    assert_true(kills >= 5);
    assert_true(finished);
    /* Nothing due is left behind; a run at the same instant does nothing. */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM records WHERE "
                                          "due_at IS NOT NULL"),
                     0);
    char sql[128];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM epoch_keys WHERE due_at <= %lld",
             (long long)tu_instant("2026-03-01T00:00:00Z"));
    assert_int_equal(tu_count_sql(t.path, sql), 0);
    tu_store_reopen(&t);
    tu_store_now(&t, NOW);
    sw_sweep_report *r;
    sw_sweep_options o = {false, 0, NULL, NULL};
    assert_int_equal(sw_sweep(t.s, &o, &r), SW_OK);
    assert_int_equal(r->records, 0);
    assert_int_equal(r->epochs_destroyed, 0);
    sw_sweep_report_free(r);
    /* Regression: the certificates left out what killed runs did. Taken
     * together they certify every record deleted and every day stripped. */
    certified c = {0, 0, 0};
    assert_int_equal(sw_audit_log(t.s, NULL, add_certified, &c), SW_OK);
    assert_true(c.certificates >= 1);
    assert_int_equal(c.records, SUBJECTS / 2 * PER_SUBJECT);
    assert_int_equal(c.days, days);
    print_message("sweep killed %d times before one finished\n", kills);
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_kill__killed_sweeps_finish_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
