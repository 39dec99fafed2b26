/* SPDX-License-Identifier: Apache-2.0 */
/* Data-subject requests from the command line, as a new user meets them:
 * a customer with records in five activities and traffic records; an
 * access request verified by its code and answered with an HTML report;
 * then an erasure whose report says what went and what stayed and why. */
#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir;
static char db[512], store_env[600];

#define RUN(r, ...) tu_steward((r), envs, __VA_ARGS__, (const char *)NULL)

static const char *envs[] = {store_env, "STEWARD_NOW=2026-05-04T09:00:00Z",
                             "STEWARD_ACTOR=dpo", NULL};

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    tu_db(dir, db, sizeof(db));
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

/* Runs and expects success; returns stdout (free). */
static char *ok(tu_run *r)
{
    if (r->status != 0)
        fail_msg("exit %d: %s", r->status, r->err);
    char *out = r->out;
    r->out = NULL;
    tu_run_free(r);
    return out;
}

static char *field(const char *json, const char *key)
{
    json_error_t err;
    json_t *o = json_loads(json, 0, &err);
    if (!o)
        fail_msg("not JSON: %s", json);
    char *v = strdup(json_string_value(json_object_get(o, key)));
    json_decref(o);
    return v;
}

/* Opens a request for the holder of an identifier (--email, --phone)
 * and verifies it with the code from its message, in the environment
 * env. */
static char *open_verified_env(const char *const *env, const char *type,
                               const char *reg, const char *opt,
                               const char *value)
{
    tu_run r;
    tu_steward(&r, env, "request", "open", "--type", type, "--regulation", reg,
               opt, value, "--json", (const char *)NULL);
    char *out = ok(&r);
    char *id = field(out, "id");
    char *msg = field(out, "verification_message");
    free(out);
    regex_t re;
    regmatch_t m[2];
    assert_int_equal(regcomp(&re, "is ([0-9]{6})\\.", REG_EXTENDED), 0);
    assert_int_equal(regexec(&re, msg, 2, m, 0), 0);
    char code[8];
    snprintf(code, sizeof(code), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
             msg + m[1].rm_so);
    regfree(&re);
    free(msg);
    tu_steward(&r, env, "request", "verify", id, "--code", code,
               (const char *)NULL);
    free(ok(&r));
    return id;
}

static char *open_verified_as(const char *type, const char *opt,
                              const char *value)
{
    return open_verified_env(envs, type, "gdpr", opt, value);
}

static char *open_verified(const char *type)
{
    return open_verified_as(type, "--email", "ivy@acme.example");
}

static void test_cli_request__customer_story(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "init");
    free(ok(&r));
    RUN(&r, "subject", "add", "--kind", "customer", "--account", "ACC-1",
        "--email", "ivy@acme.example");
    char *sid = ok(&r);
    sid[strcspn(sid, "\n")] = '\0';
    static const char *const recs[][4] = {
        {"customer_account", "user.name", "Ivy Stone", "2025-02-01T10:00:00Z"},
        {"customer_account", "contract.invoice", "INV-2025-0042",
         "2025-03-01T10:00:00Z"},
        {"customer_support", "user.content.support_ticket",
         "Ticket: delivery reports", "2026-01-10T10:00:00Z"},
        {"product_analytics", "user.behavior.platform_usage",
         "pages: /dashboard", "2026-04-01T10:00:00Z"},
        {"security_logs", "user.device.ip_address", "198.51.100.7",
         "2026-04-02T10:00:00Z"},
    };
    char ticket[64] = "";
    for (int i = 0; i < 5; i++) {
        RUN(&r, "record", "add", "--subject", sid, "--activity", recs[i][0],
            "--category", recs[i][1], "--value", recs[i][2], "--at",
            recs[i][3]);
        char *out = ok(&r);
        if (i == 2)
            snprintf(ticket, sizeof(ticket), "%.*s", (int)strcspn(out, " \n"),
                     out);
        free(out);
    }
    /* traffic records of the customer's account */
    char cdr[600];
    tu_path(dir, "cdr.ndjson", cdr, sizeof(cdr));
    FILE *f = fopen(cdr, "w");
    fputs("{\"id\":\"c1\",\"account\":\"ACC-1\",\"channel\":\"sms\",\"time\":"
          "\"2026-04-20T10:00:00Z\",\"sender\":\"IVYSHOP\",\"destination\":"
          "\"+447700900001\",\"country\":\"GB\"}\n",
          f);
    fclose(f);
    RUN(&r, "traffic", "ingest", cdr);
    free(ok(&r));
    char scope[80];
    snprintf(scope, sizeof(scope), "record:%s", ticket);
    RUN(&r, "hold", "place", "--scope", scope, "--kind", "litigation",
        "--reason", "claim 7");
    char *hold = ok(&r);
    hold[strcspn(hold, "\n")] = '\0';

    /* access: verified, answered with an HTML page */
    char *id = open_verified("access");
    char html_path[600];
    tu_path(dir, "access.html", html_path, sizeof(html_path));
    RUN(&r, "request", "complete", id, "--format", "html", "--out", html_path);
    char *out = ok(&r);
    assert_non_null(strstr(out, "completed"));
    free(out);
    free(id);
    char *html = tu_read_file(html_path, NULL);
    for (int i = 0; i < 5; i++)
        assert_non_null(strstr(html, recs[i][2]));
    assert_non_null(strstr(html, "Create the account and provide the "
                                 "services")); /* a purpose */
    assert_non_null(strstr(html, "6(1)(b)"));  /* a legal basis */
    assert_non_null(strstr(html, "10 years")); /* the invoices' period */
    assert_non_null(strstr(html, "Auditors and tax authorities"));
    assert_non_null(strstr(html, "supervisory authority"));
    free(html);

    /* erasure: what went, what stayed and why */
    id = open_verified("erasure");
    RUN(&r, "request", "complete", id);
    out = ok(&r);
    json_error_t err;
    json_t *rep = json_loads(out, 0, &err);
    free(out);
    assert_non_null(rep);
    /* the name, the analytics and the security log go: the invoices'
     * obligation keeps the invoice only */
    assert_int_equal(json_array_size(json_object_get(rep, "deleted")), 3);
    size_t i;
    json_t *g;
    bool invoices = false, held = false;
    json_array_foreach(json_object_get(rep, "kept"), i, g)
    {
        const char *rule = json_string_value(json_object_get(g, "rule"));
        const char *reason = json_string_value(json_object_get(g, "reason"));
        const char *until = json_string_value(json_object_get(g, "until"));
        if (strcmp(rule, "customer_account.invoices") == 0) {
            invoices = true;
            assert_string_equal(until, "2036-01-01T00:00:00Z");
        }
        if (strstr(reason, hold))
            held = true;
        assert_string_not_equal(rule, "customer_account.customer");
    }
    assert_true(invoices);
    assert_true(held);
    json_decref(rep);
    RUN(&r, "request", "show", id);
    out = ok(&r);
    assert_non_null(strstr(out, "completed"));
    free(out);
    free(id);

    RUN(&r, "report", "requests", "--json");
    out = ok(&r);
    rep = json_loads(out, 0, &err);
    free(out);
    assert_int_equal(json_integer_value(json_object_get(rep, "completed")), 2);
    json_decref(rep);
    RUN(&r, "audit", "verify");
    free(ok(&r));
    free(hold);
    free(sid);
}

/* Notice 2 from the command line: two customers messaged a number steward
 * knows from nothing else; its holder's request is verified by a code to
 * it and forwarded, one notice per customer; one customer's instruction
 * erases its records and no other's. */
static void test_cli_request__processor_story(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "init");
    free(ok(&r));
    char cdr[600];
    tu_path(dir, "cdr2.ndjson", cdr, sizeof(cdr));
    FILE *f = fopen(cdr, "w");
    assert_non_null(f);
    static const char *const rows[][2] = {
        {"cdr-a1", "ACC-A"}, {"cdr-a2", "ACC-A"}, {"cdr-b1", "ACC-B"}};
    for (int i = 0; i < 3; i++)
        fprintf(f,
                "{\"id\":\"%s\",\"account\":\"%s\",\"channel\":\"sms\","
                "\"time\":\"2026-04-0%dT10:00:00Z\",\"sender\":\"Shop\","
                "\"destination\":\"+447700900555\"}\n",
                rows[i][0], rows[i][1], i + 1);
    fclose(f);
    RUN(&r, "traffic", "ingest", cdr);
    free(ok(&r));
    char *id = open_verified_as("access", "--phone", "+447700900555");
    RUN(&r, "request", "complete", id);
    char *out = ok(&r);
    json_t *a = json_loads(out, 0, NULL);
    assert_non_null(a);
    json_t *notices = json_object_get(a, "notices");
    assert_int_equal(json_array_size(notices), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *n = json_array_get(notices, i);
        const char *c = json_string_value(json_object_get(n, "customer"));
        const char *other = strcmp(c, "ACC-A") == 0 ? "ACC-B" : "ACC-A";
        char *text = json_dumps(n, 0);
        assert_null(strstr(text, other));
        assert_null(strstr(text, strcmp(c, "ACC-A") == 0 ? "cdr-b1" : "cdr-a"));
        free(text);
    }
    json_decref(a);
    free(out);
    free(id);
    /* the subject the request made is the number's, under either name */
    RUN(&r, "subject", "add", "--kind", "customer", "--phone", "+447700900555");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already belongs"));
    tu_run_free(&r);
    RUN(&r, "traffic", "erase", "--account", "ACC-A", "--msisdn",
        "+447700900555");
    assert_int_equal(r.status, 2); /* no instruction: usage */
    tu_run_free(&r);
    RUN(&r, "traffic", "erase", "--account", "ACC-A", "--msisdn",
        "+447700900555", "--instruction", "ACC-A/77", "--json");
    out = ok(&r);
    a = json_loads(out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(a, "erased")), 2);
    json_decref(a);
    free(out);
    RUN(&r, "traffic", "export", "--account", "ACC-B", "--phone",
        "+447700900555", "--json");
    out = ok(&r);
    a = json_loads(out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(a, "found")), 1);
    json_decref(a);
    free(out);
    RUN(&r, "traffic", "find", "--msisdn", "+447700900555", "--json");
    out = ok(&r);
    assert_non_null(strstr(out, "cdr-b1"));
    assert_null(strstr(out, "cdr-a1"));
    free(out);
    RUN(&r, "audit", "verify");
    free(ok(&r));
}

/* The disclosure story from the command line: the police get a
 * customer's traffic data under an order that forbids telling them; their
 * access answer says nothing of it until the order's date, then lists it;
 * their CCPA right-to-know answer lists its categories. */
static void test_cli_request__disclosure_story(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "init");
    free(ok(&r));
    RUN(&r, "subject", "add", "--kind", "customer", "--account", "ACC-1",
        "--email", "ivy@acme.example", "--msisdn", "+447700900555");
    free(ok(&r));
    /* added as an msisdn, found as a phone: one number */
    RUN(&r, "request", "open", "--type", "restriction", "--regulation", "gdpr",
        "--phone", "07700 900555", "--default-country", "GB");
    char *out0 = ok(&r);
    assert_non_null(strstr(out0, "+447700900555"));
    free(out0);
    RUN(&r, "disclosure", "add", "--recipient-kind", "law_enforcement",
        "--recipient", "Metropolitan Police", "--basis", "6(1)(c)",
        "--reference", "ORDER-77", "--scope", "phone:+44 7700 900555",
        "--categories", "user.telecom.msisdn,system.traffic",
        "--confidential-until", "2026-08-01");
    free(ok(&r));
    RUN(&r, "disclosure", "list");
    char *out = ok(&r);
    assert_non_null(strstr(out, "withheld from access"));
    assert_non_null(strstr(out, "msisdn:+447700900555"));
    free(out);

    char *id = open_verified("access");
    RUN(&r, "request", "complete", id);
    out = ok(&r);
    assert_null(strstr(out, "Metropolitan"));
    free(out);
    RUN(&r, "request", "show", id);
    out = ok(&r);
    assert_non_null(strstr(out, "1 disclosure withheld under a "
                                "confidentiality order until 2026-08-01"));
    free(out);
    free(id);

    const char *later[] = {store_env, "STEWARD_NOW=2026-08-02T09:00:00Z",
                           "STEWARD_ACTOR=dpo", NULL};
    char *rid = open_verified_env(later, "access", "gdpr", "--email",
                                  "ivy@acme.example");
    tu_steward(&r, later, "request", "complete", rid, (const char *)NULL);
    out = ok(&r);
    assert_non_null(strstr(out, "Metropolitan Police"));
    free(out);
    free(rid);

    rid = open_verified_env(later, "know_categories", "ccpa", "--email",
                            "ivy@acme.example");
    tu_steward(&r, later, "request", "complete", rid, (const char *)NULL);
    out = ok(&r);
    json_t *a = json_loads(out, 0, NULL);
    assert_non_null(a);
    char *given = json_dumps(json_object_get(a, "categories_disclosed"), 0);
    assert_non_null(strstr(given, "law_enforcement"));
    assert_non_null(strstr(given, "identifiers"));
    free(given);
    json_decref(a);
    free(out);
    free(rid);
    RUN(&r, "audit", "verify");
    free(ok(&r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_request__customer_story, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_request__processor_story,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_request__disclosure_story,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
