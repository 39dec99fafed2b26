/* SPDX-License-Identifier: Apache-2.0 */
/* The ledger from the command line, as a new user meets it: init, a
 * customer with records, an account closure, show, erase, audit verify --
 * and a byte changed in the audit table with the sqlite3 tool. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

static char *dir;
static char db[512], key[512], store_env[600];

#define RUN(r, ...) tu_steward((r), envs, __VA_ARGS__, (const char *)NULL)

static const char *envs[] = {store_env, "STEWARD_NOW=2026-01-15T10:00:00Z",
                             "STEWARD_ACTOR=test", NULL};

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    tu_db(dir, db, sizeof(db));
    if (tu_pg()) /* a database has no place beside it: STEWARD_KEY_FILE */
        snprintf(key, sizeof(key), "%s", getenv("STEWARD_KEY_FILE"));
    else
        snprintf(key, sizeof(key), "%s.key", db);
    snprintf(store_env, sizeof(store_env), "STEWARD_STORE=%s", db);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_db_drop(db);
    tu_rmtree(dir);
    free(dir);
    return 0;
}

static json_t *json_of(const tu_run *r)
{
    json_error_t err;
    json_t *o = json_loads(r->out, 0, &err);
    if (!o)
        fail_msg("not JSON (%s): %s", err.text, r->out);
    return o;
}

static void test_cli_ledger__new_user_story(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "init");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "created store"));
    tu_run_free(&r);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    RUN(&r, "init");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "refusing to overwrite"));
    tu_run_free(&r);

    RUN(&r, "subject", "add", "--kind", "customer", "--account", "ACME-1",
        "--email", "Ann.Lee@Example.com", "--phone", "+44 20 7946 0958",
        "--json");
    assert_int_equal(r.status, 0);
    json_t *o = json_of(&r);
    char sid[SW_ID_BUFSZ];
    snprintf(sid, sizeof(sid), "%s",
             json_string_value(json_object_get(o, "id")));
    json_decref(o);
    tu_run_free(&r);

    RUN(&r, "record", "add", "--subject", sid, "--activity", "customer_account",
        "--category", "user.name", "--value", "Annabel Lee", "--at",
        "2024-01-10T09:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "no due date yet"));
    tu_run_free(&r);
    RUN(&r, "record", "add", "--subject", sid, "--activity", "customer_account",
        "--category", "contract.invoice", "--value", "INV-2024-0042", "--at",
        "2024-03-15T10:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "due 2035-01-01T00:00:00Z"));
    tu_run_free(&r);
    RUN(&r, "record", "add", "--subject", sid, "--activity", "customer_account",
        "--category", "user.health_and_medical.dietary", "--value", "vegan");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "has no category"));
    tu_run_free(&r);

    RUN(&r, "event", "add", "--type", "account_closed", "--account", "ACME-1",
        "--at", "2025-06-30T12:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1 record got a new due date"));
    tu_run_free(&r);

    RUN(&r, "subject", "show", sid, "--json");
    assert_int_equal(r.status, 0);
    o = json_of(&r);
    json_t *recs = json_object_get(o, "records");
    assert_int_equal(json_array_size(recs), 2);
    size_t i;
    json_t *rec;
    int checked = 0;
    json_array_foreach(recs, i, rec)
    {
        const char *cat = json_string_value(json_object_get(rec, "category"));
        const char *due = json_string_value(json_object_get(rec, "due"));
        if (strcmp(cat, "user.name") == 0) {
            assert_string_equal(due, "2032-06-30T12:00:00Z");
            assert_string_equal(
                json_string_value(json_object_get(rec, "retention")),
                "7 years after account closure");
            assert_string_equal(
                json_string_value(json_object_get(rec, "value")),
                "Annabel Lee");
            checked++;
        } else if (strcmp(cat, "contract.invoice") == 0) {
            assert_string_equal(due, "2035-01-01T00:00:00Z");
            checked++;
        }
    }
    assert_int_equal(checked, 2);
    json_t *ids = json_object_get(o, "identifiers");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(ids, 0), "value")),
        "ann.lee@example.com");
    json_decref(o);
    tu_run_free(&r);

    RUN(&r, "subject", "find", "--phone", "0044 20 7946 0958");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, sid));
    tu_run_free(&r);

    RUN(&r, "subject", "erase", sid);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "data key destroyed; 2 records"));
    tu_run_free(&r);
    RUN(&r, "subject", "show", sid);
    assert_int_equal(r.status, 1);
    tu_run_free(&r);
    RUN(&r, "subject", "find", "--email", "ann.lee@example.com");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no subject has this email"));
    tu_run_free(&r);
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", db);
    const char *values[] = {"Annabel Lee",   "ann.lee@example.com",
                            "INV-2024-0042", "ACME-1",
                            "+442079460958", NULL};
    for (int k = 0; values[k]; k++) {
        assert_false(tu_file_contains(db, values[k]));
        assert_false(tu_file_contains(wal, values[k]));
    }

    RUN(&r, "audit", "verify");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "audit trail intact: 8 entries"));
    tu_run_free(&r);

    /* A byte changed behind steward's back breaks the chain at entry 3
     * (after the store's creation and its policy's first version). */
    tu_exec_sql(db, "UPDATE audit SET details = replace(details, 'customer',"
                    " 'custoMer') WHERE seq = 3");
    RUN(&r, "audit", "verify");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "audit trail broken at entry 3"));
    tu_run_free(&r);
    RUN(&r, "audit", "verify", "--json");
    assert_int_equal(r.status, 1);
    o = json_of(&r);
    assert_false(json_is_true(json_object_get(o, "intact")));
    assert_int_equal(json_integer_value(json_object_get(o, "first_bad")), 3);
    json_decref(o);
    tu_run_free(&r);
}

static void test_cli_ledger__wrong_key_is_one_line_and_changes_nothing(void **s)
{
    (void)s;
    tu_run r;
    char other[512], other_env[600];
    tu_path(dir, "other.db", other, sizeof(other));
    snprintf(other_env, sizeof(other_env), "STEWARD_STORE=%s", other);
    char other_key[600], other_key_env[700];
    snprintf(other_key, sizeof(other_key), "%s.key", other);
    snprintf(other_key_env, sizeof(other_key_env), "STEWARD_KEY_FILE=%s",
             other_key);
    const char *oenv[] = {other_env, other_key_env, NULL};
    tu_steward(&r, oenv, "init", (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    size_t n = 0;
    /* a file: every byte stays; a database: every row */
    char *before = tu_pg() ? NULL : tu_read_file(db, &n);
    long audit = tu_count_sql(db, "SELECT count(*) FROM audit");
    char okey[600];
    snprintf(okey, sizeof(okey), "%s.key", other);
    RUN(&r, "audit", "log", "--key", okey);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "key check mismatch"));
    assert_int_equal(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err));
    tu_run_free(&r);
    assert_int_equal(tu_count_sql(db, "SELECT count(*) FROM audit"), audit);
    if (before) {
        size_t m;
        char *after = tu_read_file(db, &m);
        assert_int_equal(n, m);
        assert_memory_equal(before, after, n);
        free(after);
    }
    free(before);
}

static void test_cli_ledger__audit_log_filters(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "audit", "log", "--json", "--since", "2026-01-15T10:00:00Z");
    assert_int_equal(r.status, 0);
    json_t *o = json_of(&r);
    json_t *entries = json_object_get(o, "entries");
    assert_true(json_array_size(entries) >= 7);
    json_t *first = json_array_get(entries, 0);
    assert_string_equal(json_string_value(json_object_get(first, "action")),
                        "store.init");
    assert_string_equal(json_string_value(json_object_get(first, "actor")),
                        "test");
    json_decref(o);
    tu_run_free(&r);
    RUN(&r, "audit", "log", "--since", "2030-01-01");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    tu_run_free(&r);
}

/* A DPO keeps a checkpoint of the trail elsewhere; the trail cut at its
 * end afterwards (the head rewritten to match) fails both checks. */
static void test_cli_ledger__checkpoint_story(void **state)
{
    (void)state;
    char *d2 = tu_tmpdir(), db2[512], env2[600], cp[600];
    tu_db(d2, db2, sizeof(db2));
    snprintf(env2, sizeof(env2), "STEWARD_STORE=%s", db2);
    tu_path(d2, "checkpoint.json", cp, sizeof(cp));
    const char *e2[] = {env2, "STEWARD_ACTOR=test", NULL};
    tu_run r;
    tu_steward(&r, e2, "init", (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    for (int i = 0; i < 3; i++) {
        char email[64];
        snprintf(email, sizeof(email), "cp%d@example.com", i);
        tu_steward(&r, e2, "subject", "add", "--kind", "customer", "--email",
                   email, (const char *)NULL);
        assert_int_equal(r.status, 0);
        tu_run_free(&r);
    }
    tu_steward(&r, e2, "audit", "head", "--out", cp, (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "checkpoint written"));
    tu_run_free(&r);
    tu_steward(&r, e2, "audit", "verify", "--checkpoint", cp,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "checkpoint of entry 5"));
    tu_run_free(&r);
    /* the last two entries go, and the head is set to the one left */
    char cut[1024];
    snprintf(cut, sizeof(cut),
             tu_pg() ? "DELETE FROM audit WHERE seq > 4; UPDATE meta"
                       " SET value = (SELECT a.seq || ' ' || encode(a.hash,"
                       " 'hex') FROM audit a WHERE a.seq = 4) || ' ' ||"
                       " right(value, 64) WHERE key = 'audit_seal'"
                     : "DELETE FROM audit WHERE seq > 4; UPDATE meta SET value"
                       " = (SELECT a.seq || ' ' || lower(hex(a.hash)) FROM"
                       " audit a WHERE a.seq = 4) || ' ' || substr(value,"
                       " length(value) - 63) WHERE key = 'audit_seal'");
    tu_exec_sql(db2, cut);
    tu_steward(&r, e2, "audit", "verify", (const char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "seal"));
    tu_run_free(&r);
    tu_steward(&r, e2, "audit", "verify", "--checkpoint", cp, "--json",
               (const char *)NULL);
    assert_int_equal(r.status, 1);
    json_t *o = json_of(&r);
    assert_false(json_is_true(json_object_get(o, "intact")));
    json_decref(o);
    tu_run_free(&r);
    tu_db_drop(db2);
    tu_rmtree(d2);
    free(d2);
    if (tu_pg()) /* tu_db pointed STEWARD_KEY_FILE at the second store's */
        setenv("STEWARD_KEY_FILE", key, 1);
}

static void test_cli_ledger__help_and_usage(void **state)
{
    (void)state;
    const char *cmds[][2] = {{"subject", "add"},  {"subject", "find"},
                             {"subject", "show"}, {"subject", "erase"},
                             {"record", "add"},   {"event", "add"},
                             {"audit", "verify"}, {"audit", "log"},
                             {"audit", "head"},   {NULL, NULL}};
    tu_run r;
    for (int i = 0; cmds[i][0]; i++) {
        RUN(&r, cmds[i][0], cmds[i][1], "--help");
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: steward"));
        tu_run_free(&r);
    }
    RUN(&r, "init", "--help");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    RUN(&r, "subject", "find", "--email", "a@example.com", "--phone", "+441");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "exactly one"));
    tu_run_free(&r);
    RUN(&r, "event", "add", "--type", "account_closed", "--at", "2025-01-01");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
    RUN(&r, "record", "add", "--subject", "x", "--kind", "customer");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "does not apply"));
    tu_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_ledger__new_user_story),
        cmocka_unit_test(
            test_cli_ledger__wrong_key_is_one_line_and_changes_nothing),
        cmocka_unit_test(test_cli_ledger__audit_log_filters),
        cmocka_unit_test(test_cli_ledger__checkpoint_story),
        cmocka_unit_test(test_cli_ledger__help_and_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
