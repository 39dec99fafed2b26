/* SPDX-License-Identifier: Apache-2.0 */
/* Consent from the command line, as a new user meets it: subscribe,
 * confirm, check; unsubscribe, check; erase, check; subscribe again. Then
 * a mailing list filtered in one call, and bad input refused. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir;
static char db[512], store_env[600];
static const char *now_env = "STEWARD_NOW=2026-01-15T10:00:00Z";

#define RUN(r, ...) tu_steward((r), envs(), __VA_ARGS__, (const char *)NULL)

static const char *const *envs(void)
{
    static const char *e[4];
    e[0] = store_env;
    e[1] = now_env;
    e[2] = "STEWARD_ACTOR=test";
    e[3] = NULL;
    return e;
}

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    tu_db(dir, db, sizeof(db));
    snprintf(store_env, sizeof(store_env), "STEWARD_STORE=%s", db);
    tu_run r;
    RUN(&r, "init");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
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

/* Subscribes and returns the confirmation token (static buffer). */
static const char *subscribe(const char *email)
{
    static char token[64];
    tu_run r;
    RUN(&r, "consent", "give", "--email", email, "--purpose",
        "marketing.communications.email", "--method", "web_form", "--kind",
        "marketing_subscriber", "--json");
    assert_int_equal(r.status, 0);
    json_t *o = json_of(&r);
    assert_string_equal(json_string_value(json_object_get(o, "state")),
                        "requested");
    snprintf(token, sizeof(token), "%s",
             json_string_value(json_object_get(o, "confirmation_token")));
    json_decref(o);
    tu_run_free(&r);
    return token;
}

static void check(const char *email, int status, const char *expect)
{
    tu_run r;
    RUN(&r, "check", "--purpose", "marketing.communications.email", "--email",
        email);
    if (r.status != status || !strstr(r.out, expect))
        fail_msg("check %s: status %d, out '%s', err '%s' (want '%s')", email,
                 r.status, r.out, r.err, expect);
    tu_run_free(&r);
}

static void test_cli_consent__subscriber_story(void **state)
{
    (void)state;
    const char *token = subscribe("Pia@Example.com");
    check("pia@example.com", 3, "deny: consent");
    tu_run r;
    RUN(&r, "consent", "confirm", token);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "given"));
    tu_run_free(&r);
    check("pia@example.com", 0, "allow: consent con_");

    now_env = "STEWARD_NOW=2026-02-01T08:00:00Z";
    RUN(&r, "unsubscribe", "--email", "PIA@example.com");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    check("pia@example.com", 3, "deny: suppressed since 2026-02-01");

    RUN(&r, "subject", "find", "--email", "pia@example.com");
    assert_int_equal(r.status, 0);
    char sid[SW_ID_BUFSZ];
    snprintf(sid, sizeof(sid), "%.*s", (int)strcspn(r.out, "\n"), r.out);
    tu_run_free(&r);
    RUN(&r, "subject", "erase", sid);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    check("pia@example.com", 3, "deny: suppressed since 2026-02-01");
    if (!tu_pg()) /* everything into the file: the journal holds nothing */
        tu_exec_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    assert_false(tu_file_contains(db, "pia@example.com"));
    assert_false(tu_file_contains(db, "Pia@Example.com"));

    RUN(&r, "suppression", "list", "--json");
    assert_int_equal(r.status, 0);
    json_t *o = json_of(&r);
    json_t *list = json_object_get(o, "suppression");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(list, 0), "channel")),
        "email");
    json_decref(o);
    tu_run_free(&r);

    now_env = "STEWARD_NOW=2026-03-01T08:00:00Z";
    token = subscribe("pia@example.com");
    check("pia@example.com", 3, "deny: suppressed");
    RUN(&r, "consent", "confirm", token);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    check("pia@example.com", 0, "allow");
    RUN(&r, "consent", "confirm", token);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already used"));
    tu_run_free(&r);

    RUN(&r, "audit", "verify");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

static void test_cli_consent__mailing_list(void **state)
{
    (void)state;
    now_env = "STEWARD_NOW=2026-04-01T08:00:00Z";
    const char *token = subscribe("ok1@example.com");
    tu_run r;
    RUN(&r, "consent", "confirm", token);
    tu_run_free(&r);
    RUN(&r, "unsubscribe", "--email", "gone@example.com");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    char list[600];
    tu_path(dir, "list.txt", list, sizeof(list));
    FILE *f = fopen(list, "w");
    fputs("ok1@example.com\ngone@example.com\nstranger@example.com\n"
          "broken-address\n\xff\xfe@x\n",
          f);
    fclose(f);
    RUN(&r, "check", "--purpose", "marketing.communications.email", "--file",
        list);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "ok1@example.com\n");
    assert_non_null(strstr(r.err, "1 allowed, 2 denied, 2 malformed"));
    assert_non_null(strstr(r.err, "list.txt:4"));
    assert_non_null(strstr(r.err, "list.txt:5"));
    /* a list as long as the store: its facts were read into memory */
    assert_non_null(strstr(r.err, "(decided in memory: "));
    tu_run_free(&r);
    /* --memory 0: each address looked up in the store, the same answers */
    RUN(&r, "check", "--purpose", "marketing.communications.email", "--file",
        list, "--memory", "0");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "ok1@example.com\n");
    assert_non_null(strstr(r.err, "1 allowed, 2 denied, 2 malformed"));
    assert_null(strstr(r.err, "in memory"));
    tu_run_free(&r);
    RUN(&r, "check", "--purpose", "marketing.communications.email", "--file",
        list, "--memory", "lots");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--memory 'lots'"));
    tu_run_free(&r);
    RUN(&r, "check", "--purpose", "marketing.communications.email", "--file",
        list, "--json");
    assert_int_equal(r.status, 0);
    char *line = strtok(r.out, "\n");
    int n = 0, suppressed = 0;
    /* every line answered, in order: one not UTF-8 too */
    static const char *const order[] = {"ok1@example.com", "gone@example.com",
                                        "stranger@example.com",
                                        "broken-address", NULL};
    for (; line; line = strtok(NULL, "\n"), n++) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        assert_non_null(o);
        assert_true(n < 5);
        if (order[n])
            assert_string_equal(
                json_string_value(json_object_get(o, "address")), order[n]);
        else
            assert_non_null(strstr(line, "not UTF-8"));
        const char *reason = json_string_value(json_object_get(o, "reason"));
        suppressed += reason && strcmp(reason, "suppressed") == 0;
        json_decref(o);
    }
    assert_int_equal(n, 5);
    assert_int_equal(suppressed, 1);
    tu_run_free(&r);
}

static void test_cli_consent__bad_input(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "check", "--purpose", "spam", "--email", "a@example.com");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "unknown purpose 'spam'"));
    assert_non_null(strstr(r.err, "marketing.communications.email"));
    tu_run_free(&r);
    RUN(&r, "check", "--purpose", "marketing.communications.email", "--email",
        "nope");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "nope"));
    tu_run_free(&r);
    RUN(&r, "check", "--purpose", "marketing.communications.email");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
    RUN(&r, "consent", "confirm", "0000");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "unknown confirmation token"));
    tu_run_free(&r);
    static const char *const families[] = {"consent", "objection",
                                           "suppression", "cookie"};
    for (size_t i = 0; i < 4; i++) {
        RUN(&r, families[i], "--help");
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: steward"));
        tu_run_free(&r);
    }
    RUN(&r, "check", "--help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--purpose"));
    tu_run_free(&r);
    RUN(&r, "unsubscribe", "--help");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

static void test_cli_consent__receipt_and_cookies(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "consent", "give", "--email", "ray@mail.example", "--purpose",
        "employment.recruitment", "--method", "recruitment_software", "--kind",
        "job_applicant", "--period", "2y", "--json");
    assert_int_equal(r.status, 0);
    json_t *o = json_of(&r);
    char id[SW_ID_BUFSZ];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    tu_run_free(&r);
    RUN(&r, "consent", "receipt", id);
    assert_int_equal(r.status, 0);
    o = json_of(&r);
    assert_string_equal(json_string_value(json_object_get(o, "version")),
                        "KI-CR-v1.1.0");
    json_decref(o);
    tu_run_free(&r);
    RUN(&r, "consent", "show", id, "--json");
    assert_int_equal(r.status, 0);
    o = json_of(&r);
    assert_int_equal(json_array_size(json_object_get(o, "history")), 1);
    json_decref(o);
    tu_run_free(&r);

    RUN(&r, "cookie", "set", "--visitor", "v-77", "--analytics", "yes");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    RUN(&r, "check", "--purpose", "analytics.reporting", "--visitor", "v-77");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "allow"));
    tu_run_free(&r);
    RUN(&r, "cookie", "set", "--visitor", "v-77", "--gpc");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    RUN(&r, "check", "--purpose", "analytics.reporting", "--visitor", "v-77");
    assert_non_null(strstr(r.out, "deny: consent"));
    assert_non_null(strstr(r.out, "withdrawn"));
    tu_run_free(&r);
    RUN(&r, "cookie", "set", "--visitor", "v-77", "--analytics", "maybe");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_consent__subscriber_story),
        cmocka_unit_test(test_cli_consent__mailing_list),
        cmocka_unit_test(test_cli_consent__bad_input),
        cmocka_unit_test(test_cli_consent__receipt_and_cookies),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
