/* SPDX-License-Identifier: Apache-2.0 */
/* Retention from the command line, as a new user meets it: a year and a
 * half of generated traffic, sweeps at successive months, identifiers that
 * disappear 12 months after their day while the customer's part remains,
 * and an account under a hold that keeps them. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir;
static char db[512], store_env[600], cdr[600];
static const char *envs[] = {store_env, "STEWARD_ACTOR=test", NULL};

#define RUN(r, ...) tu_steward((r), envs, __VA_ARGS__, (const char *)NULL)

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    tu_db(dir, db, sizeof(db));
    tu_path(dir, "cdr.csv", cdr, sizeof(cdr));
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

/* Records of one person (+447700000042) per month, from find --json. */
static json_t *found(const char *now)
{
    tu_run r;
    RUN(&r, "traffic", "find", "--msisdn", "+447700000042", "--json", "--now",
        now);
    assert_int_equal(r.status, 0);
    json_error_t err;
    json_t *o = json_loads(r.out, 0, &err);
    assert_non_null(o);
    tu_run_free(&r);
    return o;
}

static int count_before(json_t *o, const char *month, const char *account)
{
    int n = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(o, "records"), i, rec)
    {
        const char *t = json_string_value(json_object_get(rec, "time"));
        const char *a = json_string_value(json_object_get(rec, "account"));
        if (strncmp(t, month, 7) < 0 && (!account || strcmp(a, account) == 0))
            n++;
    }
    return n;
}

static void test_cli_retention__traffic_story(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "init", "--now", "2025-01-01T00:00:00Z");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_int_equal(tu_sh("%s/bench/gen-traffic --start 2025-01-01 --days "
                           "540 --per-day 40 --destinations 100 --format csv "
                           "> %s",
                           STEWARD_BUILD_DIR, cdr),
                     0);
    RUN(&r, "traffic", "ingest", cdr, "--now", "2025-01-01T00:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "21600 stored"));
    tu_run_free(&r);
    RUN(&r, "hold", "place", "--scope", "account:ACC-3", "--kind", "litigation",
        "--reason", "claim 12", "--now", "2025-06-01T00:00:00Z");
    assert_int_equal(r.status, 0);
    char hold[SW_ID_BUFSZ];
    snprintf(hold, sizeof(hold), "%.*s", (int)strcspn(r.out, "\n"), r.out);
    tu_run_free(&r);

    json_t *before = found("2026-01-01T00:00:00Z");
    int all_2025 = count_before(before, "2025-07", NULL);
    int acc3_2025 = count_before(before, "2025-07", "ACC-3");
    assert_true(all_2025 > acc3_2025 && acc3_2025 > 0);
    json_decref(before);

    /* Month after month, identifiers go 12 months after their day. */
    const char *nows[] = {"2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z",
                          "2026-07-01T00:00:00Z", NULL};
    const char *months[] = {"2025-01", "2025-03", "2025-06"};
    for (int i = 0; nows[i]; i++) {
        RUN(&r, "sweep", "--now", nows[i]);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "days of identifiers destroyed"));
        tu_run_free(&r);
        json_t *o = found(nows[i]);
        /* Only the held account's records are left before that month. */
        assert_int_equal(count_before(o, months[i], NULL),
                         count_before(o, months[i], "ACC-3"));
        json_decref(o);
    }
    json_t *o = found("2026-07-01T00:00:00Z");
    assert_int_equal(count_before(o, "2025-07", "ACC-3"), acc3_2025);
    json_decref(o);

    RUN(&r, "hold", "list", "--json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, hold));
    tu_run_free(&r);
    RUN(&r, "hold", "release", hold, "--now", "2026-07-02T00:00:00Z");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    RUN(&r, "sweep", "--json", "--now", "2026-07-02T00:00:00Z");
    assert_int_equal(r.status, 0);
    json_error_t err;
    json_t *rep = json_loads(r.out, 0, &err);
    assert_non_null(rep);
    assert_true(
        json_integer_value(json_object_get(json_object_get(rep, "traffic"),
                                           "rows_stripped_after_hold")) > 0);
    json_decref(rep);
    tu_run_free(&r);
    o = found("2026-07-02T00:00:00Z");
    assert_int_equal(count_before(o, "2025-07", NULL), 0);
    json_decref(o);

    /* The customer's part of every record is still there... */
    assert_int_equal(tu_count_sql(db, "SELECT count(*) FROM traffic_202501"),
                     1240);
    /* ...until its 10 years are over. */
    RUN(&r, "sweep", "--dry-run", "--now", "2035-02-01T00:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "sweep plan"));
    tu_run_free(&r);
    RUN(&r, "sweep", "--now", "2035-02-01T00:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1240 rows past 10 years deleted"));
    assert_non_null(strstr(r.out, "1 months dropped"));
    tu_run_free(&r);
    RUN(&r, "audit", "verify");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

static void test_cli_retention__bad_input(void **state)
{
    (void)state;
    tu_run r;
    char bad[600];
    tu_path(dir, "bad.ndjson", bad, sizeof(bad));
    FILE *f = fopen(bad, "w");
    fputs("{\"id\":\"b1\",\"account\":\"A\",\"channel\":\"sms\",\"time\":"
          "\"2026-01-01T00:00:00Z\",\"destination\":\"+447700900123\"}\n"
          "{\"id\":\"b2\",\"account\":\"A\"}\n",
          f);
    fclose(f);
    RUN(&r, "traffic", "ingest", bad, "--now", "2026-01-02T00:00:00Z");
    assert_int_equal(r.status, 1);
    char want[700];
    snprintf(want, sizeof(want), "%s:2:", bad);
    assert_non_null(strstr(r.err, want));
    assert_non_null(strstr(r.err, "nothing stored"));
    tu_run_free(&r);
    RUN(&r, "traffic", "ingest", bad, "--skip-bad", "--now",
        "2026-01-02T00:00:00Z");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1 stored, 1 bad skipped"));
    tu_run_free(&r);
    RUN(&r, "hold", "place", "--scope", "galaxy:far", "--kind", "litigation",
        "--reason", "x");
    assert_int_equal(r.status, 1);
    tu_run_free(&r);
    RUN(&r, "traffic", "bill", "--account", "A", "--period", "2026-13",
        "--status", "unpaid");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "expected YYYY-MM"));
    tu_run_free(&r);
    const char *help[][2] = {{"hold", "place"},   {"hold", "release"},
                             {"hold", "list"},    {"traffic", "ingest"},
                             {"traffic", "find"}, {"traffic", "bill"},
                             {NULL, NULL}};
    for (int i = 0; help[i][0]; i++) {
        RUN(&r, help[i][0], help[i][1], "--help");
        assert_int_equal(r.status, 0);
        tu_run_free(&r);
    }
    RUN(&r, "sweep", "--help");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

/* A changed notice from the command line: behaviour analytics from 25
 * months to 6, seen with --dry-run, applied, kept in the history, and
 * swept; the old file is refused once the store applies the new one. */
static void test_cli_retention__policy_change_story(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char db2[512], env2[600], next[600], key[600] = "";
    const char *was = getenv("STEWARD_KEY_FILE"); /* tu_db moves it */
    snprintf(key, sizeof(key), "%s", was ? was : "");
    tu_db(d, db2, sizeof(db2));
    snprintf(env2, sizeof(env2), "STEWARD_STORE=%s", db2);
    const char *e2[] = {env2, "STEWARD_ACTOR=test", NULL};
    tu_path(d, "next.yaml", next, sizeof(next));
    static const char *const pairs[] = {
        "version: \"2025-06\"", "version: \"2026-12\"",
        "categories: [user.behavior.platform_usage, user.device]\n"
        "        keep: 25m",
        "categories: [user.behavior.platform_usage, user.device]\n"
        "        keep: 6m",
        NULL};
    tu_bundled_variant_file(next, pairs);

    tu_run r;
    tu_steward(&r, e2, "init", (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    tu_steward(&r, e2, "subject", "add", "--kind", "customer_user", "--account",
               "ACME", "--json", (const char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *o = json_loads(r.out, 0, NULL);
    assert_non_null(o);
    char sid[64];
    snprintf(sid, sizeof(sid), "%s",
             json_string_value(json_object_get(o, "id")));
    json_decref(o);
    tu_run_free(&r);
    tu_steward(&r, e2, "record", "add", "--subject", sid, "--activity",
               "product_analytics", "--category",
               "user.behavior.platform_usage", "--value", "clicks", "--at",
               "2026-01-01T00:00:00Z", (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "2028-02-01"));
    tu_run_free(&r);

    tu_steward(&r, e2, "policy", "apply", next, "--dry-run", "--json", "--now",
               "2026-12-03T10:00:00Z", (const char *)NULL);
    assert_int_equal(r.status, 0);
    o = json_loads(r.out, 0, NULL);
    assert_non_null(o);
    assert_true(json_is_true(json_object_get(o, "dry_run")));
    json_t *ch = json_array_get(json_object_get(o, "rules"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "change")),
                        "shortened");
    assert_int_equal(json_integer_value(json_object_get(ch, "redated")), 1);
    json_decref(o);
    tu_run_free(&r);
    tu_steward(&r, e2, "subject", "show", sid, (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(
        strstr(r.out, "2028-02-01")); /* the dry run changed nothing */
    tu_run_free(&r);
    /* the new file is not the store's policy until it is applied */
    tu_steward(&r, e2, "subject", "show", sid, "--policy", next,
               (const char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "policy apply"));
    assert_null(strchr(strchr(r.err, '\n') + 1, '\n')); /* one line */
    tu_run_free(&r);

    tu_steward(&r, e2, "policy", "apply", next, "--now", "2026-12-03T10:00:00Z",
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "recorded as policy version 2"));
    assert_non_null(strstr(r.out, "shortened"));
    tu_run_free(&r);
    /* without --policy the store's own applies; the bundled one is old */
    tu_steward(&r, e2, "subject", "show", sid, (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "2026-07-01"));
    assert_non_null(strstr(r.out, "6 months after collection"));
    tu_run_free(&r);
    tu_steward(&r, e2, "policy", "history", "--json", (const char *)NULL);
    assert_int_equal(r.status, 0);
    o = json_loads(r.out, 0, NULL);
    assert_int_equal(json_array_size(o), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(o, 1),
                                                          "notice_version")),
                        "2026-12");
    json_decref(o);
    tu_run_free(&r);
    tu_steward(&r, e2, "sweep", "--now", "2026-12-03T12:00:00Z", "--json",
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    o = json_loads(r.out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(o, "records")), 1);
    json_decref(o);
    tu_run_free(&r);
    tu_db_drop(db2);
    tu_rmtree(d);
    free(d);
    if (key[0])
        setenv("STEWARD_KEY_FILE", key, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_retention__traffic_story),
        cmocka_unit_test(test_cli_retention__bad_input),
        cmocka_unit_test(test_cli_retention__policy_change_story),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
