/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nothing personal outlives its deadline: a new user's store seeded
 * through stewardd's API, the privacy centre's public door and the command
 * line (customers, traffic, bills, holds, subscriptions confirmed and not,
 * objections, the suppression list, cookies, a sourced candidate, an
 * applicant, requests), then 1, 2, 7, 11 and 40 years of travel with a
 * sweep each time. Every retention audit on the way explains every item;
 * after the last sweep no personal item is left, and none of the seeded
 * values is in the store's files (SQLite: the database, its WAL and shm;
 * PostgreSQL: a dump of the database).
 */
#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testhttp.h"

#define T0 "2026-01-05T10:00:00Z"

static daemon_t d;
static char admin[128], store_env[600];
static const char *envs[] = {store_env, "STEWARD_ACTOR=story-tester", NULL};

#define RUN(r, ...) tu_steward((r), envs, __VA_ARGS__, (const char *)NULL)

/* Values seeded that must not survive (plain text as it was given). */
static const char *const seeded[] = {
    "ann.story@example.com", "Ann Storyteller",
    "+442079460111",         "7946 0111",
    "INV-STORY-1",           "AGR-STORY-1",
    "sub.story@example.com", "never.story@example.com",
    "max.story@example.com", "Ten years at Storyco",
    "lea.story@example.com", "Lea Applicant",
    "obj.story@example.com", "unsub.story@example.com",
    "visitor-story-1",       "ACME-77",
    "claim story 12",        "nobody.story@example.com"};

static char *ok_run(tu_run *r)
{
    if (r->status != 0)
        fail_msg("steward exited %d: %s", r->status, r->err);
    char *out = r->out;
    r->out = NULL;
    tu_run_free(r);
    return out;
}

static json_t *api(const char *method, const char *path, json_t *body,
                   int expect)
{
    resp r;
    http_json(d.port, method, path, admin, body, &r);
    if (r.status != expect)
        fail_msg("%s %s: %d, expected %d: %s", method, path, r.status, expect,
                 r.body);
    json_t *o = r.json ? json_incref(r.json) : NULL;
    resp_free(&r);
    return o;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    if (!v)
        fail_msg("no '%s' in the answer", k);
    return v;
}

/* The retention audit at now: exit 0, nothing unexplained; the JSON. */
static json_t *audit_at(const char *now)
{
    tu_run r;
    RUN(&r, "retention", "audit", "--json", "--now", now);
    if (r.status != 0)
        fail_msg("retention audit at %s exited %d: %s", now, r.status, r.out);
    json_error_t e;
    json_t *o = json_loads(r.out, 0, &e);
    tu_run_free(&r);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "unexplained")), 0);
    return o;
}

static json_int_t kind_count(json_t *audit, const char *kind, const char *k)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(audit, "kinds"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0)
            return json_integer_value(json_object_get(v, k));
    }
    fail_msg("no kind %s in the audit", kind);
    return -1;
}

static void sweep_at(const char *now)
{
    tu_run r;
    RUN(&r, "sweep", "--now", now);
    free(ok_run(&r));
}

/* Seeds through stewardd: what the platform's services and the privacy
 * centre do. */
static void seed_api(char *public_req)
{
    json_t *o = api("POST", "/v1/subjects",
                    json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "kind",
                              "customer", "account", "ACME-77", "identifiers",
                              "type", "email", "value", "ann.story@example.com",
                              "type", "phone", "value", "+44 20 7946 0111"),
                    201);
    char customer[64];
    snprintf(customer, sizeof(customer), "%s", jstr(o, "id"));
    json_decref(o);
    static const char *const recs[][2] = {
        {"user.name", "Ann Storyteller"},
        {"contract.invoice", "INV-STORY-1"},
        {"contract.agreement", "AGR-STORY-1"}};
    for (size_t i = 0; i < 3; i++)
        json_decref(api("POST", "/v1/records",
                        json_pack("{s:s, s:s, s:s, s:s}", "subject", customer,
                                  "activity", "customer_account", "category",
                                  recs[i][0], "value", recs[i][1]),
                        201));
    o = api("POST", "/v1/consents",
            json_pack("{s:s, s:s, s:s, s:s}", "email", "sub.story@example.com",
                      "purpose", "marketing.communications.email", "method",
                      "web_form", "kind", "marketing_subscriber"),
            201);
    json_decref(api("POST", "/v1/consents/confirm",
                    json_pack("{s:s}", "token", jstr(o, "confirmation_token")),
                    200));
    json_decref(o);
    json_decref(api("POST", "/v1/consents",
                    json_pack("{s:s, s:s, s:s, s:s}", "email",
                              "never.story@example.com", "purpose",
                              "marketing.communications.email", "method",
                              "web_form", "kind", "marketing_subscriber"),
                    201));
    json_decref(api("POST", "/v1/cookies",
                    json_pack("{s:s, s:b, s:b}", "visitor", "visitor-story-1",
                              "analytics", 1, "advertising", 0),
                    200));
    json_decref(api("POST", "/v1/objections",
                    json_pack("{s:s, s:s}", "email", "obj.story@example.com",
                              "purpose", "marketing.communications.email"),
                    201));
    json_decref(api("POST", "/v1/unsubscribe",
                    json_pack("{s:s}", "email", "unsub.story@example.com"),
                    200));
    json_decref(api("POST", "/v1/holds",
                    json_pack("{s:s, s:s, s:s}", "scope", "account:ACME-77",
                              "kind", "litigation", "reason", "claim story 12"),
                    201));
    json_decref(api("POST", "/v1/traffic/bills",
                    json_pack("{s:s, s:s, s:s}", "account", "ACC-1", "period",
                              "2026-01", "status", "unpaid"),
                    200));
    /* the privacy centre: a known person's access request, verified by
     * her code, and an unknown address's */
    o = api("POST", "/privacy/api/requests",
            json_pack("{s:s, s:s}", "type", "access", "email",
                      "ann.story@example.com"),
            202);
    snprintf(public_req, 64, "%s", jstr(o, "id"));
    json_decref(o);
    char code[8], path[128];
    outbox_last_code(&d, code);
    snprintf(path, sizeof(path), "/privacy/api/requests/%s/verify", public_req);
    resp r;
    http_json(d.port, "POST", path, NULL, json_pack("{s:s}", "code", code), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    json_decref(api("POST", "/privacy/api/requests",
                    json_pack("{s:s, s:s}", "type", "access", "email",
                              "nobody.story@example.com"),
                    202));
}

/* Seeds through the command line: traffic, recruitment, a request. */
static void seed_cli(void)
{
    tu_run r;
    char cdr[600];
    tu_path(d.dir, "cdr.csv", cdr, sizeof(cdr));
    assert_int_equal(tu_sh("%s/bench/gen-traffic --start 2026-01-01 --days 3 "
                           "--per-day 20 --destinations 5 --format csv > %s",
                           STEWARD_BUILD_DIR, cdr),
                     0);
    RUN(&r, "traffic", "ingest", cdr, "--now", T0);
    free(ok_run(&r));
    RUN(&r, "subject", "add", "--kind", "sourced_candidate", "--email",
        "max.story@example.com", "--now", T0);
    char *cand = ok_run(&r);
    cand[strcspn(cand, "\n")] = '\0';
    RUN(&r, "record", "add", "--subject", cand, "--activity",
        "sourced_candidates", "--category", "user.employment.experience",
        "--value", "Ten years at Storyco", "--now", T0);
    free(ok_run(&r));
    RUN(&r, "consent", "request", "--subject", cand, "--purpose",
        "employment.recruitment", "--now", T0);
    free(ok_run(&r));
    free(cand);
    RUN(&r, "subject", "add", "--kind", "job_applicant", "--email",
        "lea.story@example.com", "--now", T0);
    char *app = ok_run(&r);
    app[strcspn(app, "\n")] = '\0';
    RUN(&r, "consent", "give", "--subject", app, "--purpose",
        "employment.recruitment", "--method", "web_form", "--period", "2y",
        "--now", T0);
    free(ok_run(&r));
    RUN(&r, "record", "add", "--subject", app, "--activity",
        "recruitment_applicants", "--category", "user.name", "--value",
        "Lea Applicant", "--now", T0);
    free(ok_run(&r));
    free(app);
}

/* Whether any seeded value is in the file (absent files hold none). */
static const char *found_in_file(const char *path)
{
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fclose(f);
    char *text = tu_read_file(path, &n);
    const char *hit = NULL;
    for (size_t i = 0; i < sizeof(seeded) / sizeof(seeded[0]) && !hit; i++)
        if (memmem(text, n, seeded[i], strlen(seeded[i])))
            hit = seeded[i];
    free(text);
    return hit;
}

/* A seeded value found in the store's files, or NULL. */
static const char *store_hit(void)
{
    const char *hit = NULL;
    if (tu_pg()) {
        char dump[600];
        tu_path(d.dir, "dump.sql", dump, sizeof(dump));
        assert_int_equal(tu_sh("pg_dump -d '%s' -f '%s'", d.store, dump), 0);
        return found_in_file(dump);
    }
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3 && !hit; i++) {
        char p[600];
        snprintf(p, sizeof(p), "%s%s", d.store, ext[i]);
        hit = found_in_file(p);
    }
    return hit;
}

static void test_retention_story(void **state)
{
    (void)state;
    daemon_start(&d);
    snprintf(store_env, sizeof(store_env), "STEWARD_STORE=%s", d.store);
    make_key(&d, "admin", admin, sizeof(admin));
    static const char *const args[] = {"--rate", "0", "--now", T0, NULL};
    daemon_run(&d, args);
    char public_req[64];
    seed_api(public_req);
    assert_int_equal(daemon_stop(&d), 0);
    seed_cli();

    /* what the search looks for is there to be found at first (a hold's
     * target and reason are kept as given) */
    assert_non_null(store_hit());
    json_t *a = audit_at(T0);
    assert_true(kind_count(a, "records", "items") >= 6);
    assert_true(kind_count(a, "traffic", "items") == 60);
    json_decref(a);

    /* five months on: the hold is released, the account closed, the bill
     * settled, the request answered */
    const char *later = "2026-06-01T00:00:00Z";
    tu_run r;
    RUN(&r, "hold", "list", "--json", "--now", later);
    char *holds = ok_run(&r);
    json_t *h = json_loads(holds, 0, NULL);
    free(holds);
    const char *hid = json_string_value(
        json_object_get(json_array_get(json_object_get(h, "holds"), 0), "id"));
    assert_non_null(hid);
    RUN(&r, "hold", "release", hid, "--now", later);
    free(ok_run(&r));
    json_decref(h);
    RUN(&r, "event", "add", "--type", "account_closed", "--account", "ACME-77",
        "--at", later, "--now", later);
    free(ok_run(&r));
    RUN(&r, "traffic", "bill", "--account", "ACC-1", "--period", "2026-01",
        "--status", "settled", "--now", later);
    free(ok_run(&r));
    /* the privacy centre's id is its own: the open request is the one the
     * request list shows */
    assert_true(strncmp(public_req, "req_", 4) == 0);
    RUN(&r, "request", "list", "--json", "--now", later);
    char *list = ok_run(&r);
    json_t *l = json_loads(list, 0, NULL);
    free(list);
    json_t *reqs = json_object_get(l, "requests");
    assert_int_equal(json_array_size(reqs), 1);
    char out[600];
    tu_path(d.dir, "answer.json", out, sizeof(out));
    RUN(&r, "request", "complete",
        json_string_value(json_object_get(json_array_get(reqs, 0), "id")),
        "--out", out, "--now", later);
    free(ok_run(&r));
    json_decref(l);
    json_decref(audit_at(later));

    /* 1 year: the traffic identifiers' day keys are gone, the customer is
     * kept for 7 years after the account closed */
    sweep_at("2027-01-06T00:00:00Z");
    a = audit_at("2027-01-06T00:00:00Z");
    assert_int_equal(kind_count(a, "day_keys", "items"), 0);
    assert_int_equal(kind_count(a, "holds", "items"), 0);
    assert_true(kind_count(a, "records", "items") >= 3);
    json_decref(a);
    /* the subscriber unsubscribes: only a keyed hash stays */
    RUN(&r, "unsubscribe", "--email", "sub.story@example.com", "--now",
        "2027-02-01T00:00:00Z");
    free(ok_run(&r));
    /* the visitor turns analytics cookies off (the notice states no period
     * for cookie consents: given, one lasts until withdrawn) */
    RUN(&r, "cookie", "set", "--visitor", "visitor-story-1", "--analytics",
        "no", "--advertising", "no", "--now", "2027-02-01T00:00:00Z");
    free(ok_run(&r));
    static const char *const years[] = {
        "2028-01-06T00:00:00Z", "2033-01-06T00:00:00Z", "2037-01-06T00:00:00Z",
        "2066-01-06T00:00:00Z"};
    for (size_t i = 0; i < 4; i++) {
        sweep_at(years[i]);
        a = audit_at(years[i]);
        if (i == 2) /* 11 years: traffic past its 10 */
            assert_int_equal(kind_count(a, "traffic", "items"), 0);
        if (i < 3) {
            json_decref(a);
            continue;
        }
        /* 40 years: nothing personal left, of any kind */
        if (json_integer_value(json_object_get(a, "personal_items")) != 0) {
            size_t k;
            json_t *v;
            json_array_foreach(json_object_get(a, "kinds"), k, v)
            {
                if (json_is_true(json_object_get(v, "personal")) &&
                    json_integer_value(json_object_get(v, "items")))
                    print_message("left: %s %s\n",
                                  json_string_value(json_object_get(v, "kind")),
                                  json_dumps(json_object_get(v, "reasons"),
                                             JSON_COMPACT));
            }
            fail_msg("personal items left after 40 years");
        }
        assert_true(kind_count(a, "suppression", "items") >= 2);
        json_decref(a);
    }

    const char *hit = store_hit();
    if (hit)
        fail_msg("'%s' is still in the store after 40 years", hit);
    daemon_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retention_story),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
