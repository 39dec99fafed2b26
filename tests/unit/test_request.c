/* SPDX-License-Identifier: Apache-2.0 */
/* Data-subject requests: intake, the one-time code, every deadline rule
 * (month ends, extension before and after the first month, 10 business
 * days across a weekend, 45 + 45 days), refusals, and the rights the
 * consent ledger fulfils. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger/ledger_sql.h"
#include "steward/traffic.h"
#include "testutil.h"

/* Fulfils a request; returns the status, the answer in *answer (free). */
static sw_status fulfil(tu_store *t, const char *id, sw_answer_format fmt,
                        char *outcome, char **answer)
{
    sw_fulfil_options o = {fmt, NULL, NULL, NULL};
    sw_fulfilment f;
    sw_status st = sw_request_fulfil(t->s, id, &o, &f);
    snprintf(outcome, 256, "%s", f.outcome);
    if (answer)
        *answer = f.answer;
    else
        free(f.answer);
    return st;
}

static void customer(tu_store *t, const char *email, char *sid)
{
    sw_ident id = {"email", email};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &id};
    if (sw_subject_add(t->s, &spec, sid) != SW_OK)
        fail_msg("subject: %s", sw_errmsg(t->s));
}

static sw_request_opened open_req(tu_store *t, const char *email,
                                  sw_request_type type, sw_regulation reg,
                                  const char *purpose)
{
    sw_ident id = {"email", email};
    sw_who who = {NULL, &id};
    sw_request_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.type = type;
    spec.regulation = reg;
    spec.purpose = purpose;
    sw_request_opened o;
    if (sw_request_open(t->s, &who, &spec, &o) != SW_OK)
        fail_msg("open: %s", sw_errmsg(t->s));
    return o;
}

static int count_cb(const sw_request_view *r, void *ctx)
{
    (void)r;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_gdpr_deadlines(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-01-31T09:00:00Z");
    char sid[SW_ID_BUFSZ];
    customer(&t, "amy@acme.example", sid);
    sw_request_opened o =
        open_req(&t, "amy@acme.example", SW_REQ_ACCESS, SW_GDPR, NULL);
    assert_int_equal(o.req.state, SW_RS_VERIFYING);
    assert_int_equal(o.req.received_at, tu_instant("2026-01-31T09:00:00Z"));
    /* one month: 28 February, a Saturday, so the next working day, to
     * its last second in London (GMT in winter) */
    assert_int_equal(o.req.due_at, tu_instant("2026-03-02T23:59:59Z"));
    assert_false(o.req.has_ack_due);
    assert_string_equal(o.req.subject, sid);
    assert_int_equal(strlen(o.code), 6);
    assert_non_null(strstr(o.message, o.code));
    assert_non_null(strstr(o.message, "amy@acme.example"));
    /* only the keyed hash of the code is kept */
    assert_false(tu_file_contains(t.path, o.code));

    /* a second open access request of the subject is refused */
    sw_ident id = {"email", "amy@acme.example"};
    sw_who who = {NULL, &id};
    sw_request_spec spec = {SW_REQ_ACCESS, SW_GDPR, NULL, NULL, NULL, false, 0};
    sw_request_opened dup;
    assert_int_equal(sw_request_open(t.s, &who, &spec, &dup), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), o.req.id));

    /* extended before the month ends: two further months from the first
     * deadline (2 May, a Saturday; 4 May is a bank holiday), at 23:59:59
     * British Summer Time */
    tu_store_now(&t, "2026-02-27T00:00:00Z");
    assert_int_equal(sw_request_extend(t.s, o.req.id, ""), SW_ERR_INVALID);
    assert_int_equal(sw_request_extend(t.s, o.req.id, "many records"), SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_EXTENDED);
    assert_true(v.extended);
    assert_int_equal(v.due_at, tu_instant("2026-05-05T22:59:59Z"));
    assert_int_equal(v.first_due_at, tu_instant("2026-03-02T23:59:59Z"));
    assert_int_equal(sw_request_extend(t.s, o.req.id, "again"),
                     SW_ERR_CONFLICT);
    tu_store_free(&t);

    /* a leap year's February; too late to extend after the month */
    tu_store_new(&t, "2028-01-31T09:00:00Z");
    customer(&t, "bea@acme.example", sid);
    o = open_req(&t, "bea@acme.example", SW_REQ_ERASURE, SW_GDPR, NULL);
    assert_int_equal(o.req.due_at, tu_instant("2028-02-29T23:59:59Z"));
    tu_store_now(&t, "2028-03-01T00:00:00Z");
    assert_int_equal(sw_request_extend(t.s, o.req.id, "late"), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), "too late"));
    /* overdue from the next second on */
    size_t n = 0;
    tu_store_now(&t, "2028-02-29T23:59:59Z");
    assert_int_equal(sw_request_list(t.s, true, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 0);
    tu_store_now(&t, "2028-03-01T00:00:00Z");
    assert_int_equal(sw_request_list(t.s, true, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 1);
    tu_store_free(&t);
}

static void test_ccpa_deadlines_and_list(void **state)
{
    (void)state;
    /* Friday 2026-01-02 (04:00 in California): 10 business days later is
     * Friday 2026-01-16, due at 23:59:59 Pacific time */
    tu_store t;
    tu_store_new(&t, "2026-01-02T12:00:00Z");
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ];
    customer(&t, "cal@acme.example", a);
    customer(&t, "dee@acme.example", b);
    sw_request_opened o =
        open_req(&t, "cal@acme.example", SW_REQ_KNOW_CATEGORIES, SW_CCPA, NULL);
    assert_true(o.req.has_ack_due);
    assert_int_equal(o.req.ack_due_at, tu_instant("2026-01-17T07:59:59Z"));
    /* 45 calendar days: 16 February */
    assert_int_equal(o.req.due_at, tu_instant("2026-02-17T07:59:59Z"));
    tu_store_now(&t, "2026-02-10T00:00:00Z");
    assert_int_equal(sw_request_extend(t.s, o.req.id, "volume"), SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    /* 90 days from receipt: 2 April, in daylight saving time */
    assert_int_equal(v.due_at, tu_instant("2026-04-03T06:59:59Z"));

    /* another, not extended: overdue after 45 days */
    tu_store_now(&t, "2026-01-02T12:00:00Z");
    sw_request_opened o2 =
        open_req(&t, "dee@acme.example", SW_REQ_ACCESS, SW_CCPA, NULL);
    tu_store_now(&t, "2026-02-20T00:00:00Z");
    size_t n = 0;
    assert_int_equal(sw_request_list(t.s, true, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 1); /* o2 only */
    /* due 16 February (Pacific), now the 19th there: 3 working days late;
     * the extended one has working days left, not counting holidays */
    assert_int_equal(sw_request_get(t.s, o2.req.id, &v), SW_OK);
    assert_true(v.overdue);
    assert_int_equal(v.working_days_left, -3);
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_false(v.overdue);
    /* 20 Feb .. 2 Apr: 30 weekdays after the 19th, Cesar Chavez Day
     * (31 March) off */
    assert_int_equal(v.working_days_left, 29);
    n = 0;
    assert_int_equal(sw_request_list(t.s, false, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 2);
    n = 0; /* due within 7 days of 02-20: none (o2 is past, o is April) */
    assert_int_equal(sw_request_list(t.s, false, 7 * 86400, count_cb, &n),
                     SW_OK);
    assert_int_equal(n, 1); /* the overdue one is due "within" too */
    bool late;
    assert_int_equal(sw_request_refuse(t.s, o2.req.id,
                                       "manifestly "
                                       "unfounded",
                                       &late),
                     SW_OK);
    assert_true(late);
    assert_int_equal(sw_request_get(t.s, o2.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_REFUSED);
    assert_non_null(strstr(v.outcome, "manifestly unfounded"));
    assert_non_null(strstr(v.outcome, "complaint"));
    n = 0;
    assert_int_equal(sw_request_list(t.s, false, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 1);
    tu_store_free(&t);
}

static void test_verification(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ];
    customer(&t, "eli@acme.example", sid);
    sw_request_opened o =
        open_req(&t, "eli@acme.example", SW_REQ_RESTRICTION, SW_GDPR, NULL);
    char wrong[8];
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(o.code) + 1) % 1000000);
    assert_int_equal(sw_request_verify(t.s, o.req.id, wrong), SW_ERR_DENIED);
    assert_non_null(strstr(sw_errmsg(t.s), "4 attempts left"));
    /* a verified request only: completing before is refused */
    char out[256];
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, NULL),
                     SW_ERR_CONFLICT);
    /* expired after 15 minutes: a new code */
    tu_store_now(&t, "2026-05-04T08:15:00Z");
    assert_int_equal(sw_request_verify(t.s, o.req.id, o.code), SW_ERR_CONFLICT);
    sw_request_opened again;
    assert_int_equal(sw_request_resend(t.s, o.req.id, &again), SW_OK);
    assert_int_equal(sw_request_verify(t.s, o.req.id, again.code), SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_IN_PROGRESS);
    /* restriction: every purpose denied from now on */
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, NULL), SW_OK);
    assert_non_null(strstr(out, "restricted"));
    sw_who who = {sid, NULL};
    sw_decision d;
    assert_int_equal(
        sw_decide(t.s, "business.contract_administration", &who, &d), SW_OK);
    assert_int_equal(d.reason, SW_DENY_RESTRICTED);
    tu_store_free(&t);

    /* five wrong codes end the code, never the request (a stranger's
     * guesses must not cancel it): a new code verifies */
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    customer(&t, "fay@acme.example", sid);
    o = open_req(&t, "fay@acme.example", SW_REQ_ACCESS, SW_GDPR, NULL);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(o.code) + 7) % 1000000);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sw_request_verify(t.s, o.req.id, wrong),
                         SW_ERR_DENIED);
    assert_non_null(strstr(sw_errmsg(t.s), "no longer works"));
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_VERIFYING);
    assert_int_equal(sw_request_verify(t.s, o.req.id, o.code), SW_ERR_CONFLICT);
    assert_int_equal(sw_request_resend(t.s, o.req.id, &again), SW_OK);
    assert_int_equal(sw_request_verify(t.s, o.req.id, again.code), SW_OK);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM"
                                          " request_changes"),
                     3); /* received, verifying, in progress */
    tu_store_free(&t);
}

static void test_intake_refusals(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    sw_ident id = {"email", "nobody@example.net"};
    sw_who who = {NULL, &id};
    sw_request_spec spec = {SW_REQ_ACCESS, SW_CCPA, NULL, NULL, NULL, false, 0};
    sw_request_opened o;
    assert_int_equal(sw_request_open(t.s, &who, &spec, &o), SW_ERR_NOTFOUND);
    assert_non_null(strstr(sw_errmsg(t.s), "holds no data"));
    char sid[SW_ID_BUFSZ];
    customer(&t, "gil@acme.example", sid);
    sw_ident id2 = {"email", "gil@acme.example"};
    sw_who who2 = {NULL, &id2};
    spec.agent = "Agent Ltd";
    assert_int_equal(sw_request_open(t.s, &who2, &spec, &o), SW_ERR_INVALID);
    spec.agent_proof = "signed permission of 2026-05-01";
    assert_int_equal(sw_request_open(t.s, &who2, &spec, &o), SW_OK);
    assert_string_equal(o.req.agent, "Agent Ltd");
    spec.type = SW_REQ_OBJECTION; /* an objection names its purpose */
    spec.agent = spec.agent_proof = NULL;
    assert_int_equal(sw_request_open(t.s, &who2, &spec, &o), SW_ERR_INVALID);
    /* rights steward does not fulfil yet say so */
    assert_int_equal(sw_request_withdraw(t.s, o.req.id), SW_ERR_NOTFOUND);
    tu_store_free(&t);
}

static void test_fulfil_through_consent(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ];
    customer(&t, "hal@acme.example", sid);
    sw_request_opened o = open_req(&t, "hal@acme.example", SW_REQ_OBJECTION,
                                   SW_GDPR, "marketing.communications.email");
    assert_int_equal(sw_request_verify(t.s, o.req.id, o.code), SW_OK);
    char out[256];
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, NULL), SW_OK);
    assert_non_null(strstr(out, "suppression list"));
    sw_ident id = {"email", "hal@acme.example"};
    sw_who who = {NULL, &id};
    sw_decision d;
    assert_int_equal(sw_decide(t.s, "marketing.communications.email", &who, &d),
                     SW_OK);
    assert_int_equal(d.reason, SW_DENY_SUPPRESSED);

    /* withdrawn by the requester: closed, nothing answered */
    sw_request_opened a =
        open_req(&t, "hal@acme.example", SW_REQ_ACCESS, SW_GDPR, NULL);
    assert_int_equal(sw_request_verify(t.s, a.req.id, a.code), SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_withdraw(t.s, a.req.id), SW_OK);
    assert_int_equal(sw_request_get(t.s, a.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_WITHDRAWN);
    assert_int_equal(sw_request_withdraw(t.s, a.req.id), SW_ERR_CONFLICT);
    assert_int_equal(fulfil(&t, a.req.id, SW_ANSWER_JSON, out, NULL),
                     SW_ERR_CONFLICT);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                          " action LIKE 'request.%'"),
                     6); /* 2 opens, 2 verifies, complete, withdraw */
    tu_store_free(&t);
}

/* A customer with records in five activities. */
static void five_activities(tu_store *t, char *sid, char rec[5][SW_ID_BUFSZ])
{
    customer(t, "ivy@acme.example", sid);
    static const struct {
        const char *activity, *category, *value, *source;
    } r[5] = {
        {"customer_account", "user.name", "Ivy Stone", "data_subject"},
        {"customer_account", "contract.invoice", "INV-2025-0042",
         "data_subject"},
        {"customer_support", "user.content.support_ticket",
         "Ticket: my SMS are late", "data_subject"},
        {"product_analytics", "user.behavior.platform_usage",
         "pages: /dashboard", "generated"},
        {"security_logs", "user.device.ip_address", "198.51.100.7",
         "generated"},
    };
    for (int i = 0; i < 5; i++) {
        sw_record_spec spec = {sid,
                               r[i].activity,
                               r[i].category,
                               r[i].value,
                               strlen(r[i].value),
                               r[i].source,
                               true,
                               tu_instant("2026-03-01T10:00:00Z"),
                               NULL};
        if (sw_record_add(t->s, &spec, rec[i], NULL) != SW_OK)
            fail_msg("record %d: %s", i, sw_errmsg(t->s));
    }
}

static sw_request_opened verified(tu_store *t, const char *email,
                                  sw_request_type type, sw_regulation reg)
{
    sw_request_opened o = open_req(t, email, type, reg, NULL);
    if (sw_request_verify(t->s, o.req.id, o.code) != SW_OK)
        fail_msg("verify: %s", sw_errmsg(t->s));
    return o;
}

/* Part 4 of the rights: a completed access answer reaches the person as
 * a link to a download kept encrypted for the policy's period, audited
 * when fetched, deleted by the sweep once the period is over. */
static void test_answer_delivered_as_a_download(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    customer(&t, "ivy@acme.example", sid);
    sw_record_spec rs = {
        sid, "customer_account", "user.name", "Ivy Stone", 9, NULL, false, 0,
        NULL};
    assert_int_equal(sw_record_add(t.s, &rs, rid, NULL), SW_OK);
    sw_request_opened o =
        verified(&t, "ivy@acme.example", SW_REQ_ACCESS, SW_GDPR);
    sw_fulfil_options fo = {SW_ANSWER_HTML, NULL, NULL,
                            "https://privacy.example.com"};
    sw_fulfilment f;
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &fo, &f), SW_OK);
    assert_true(f.link.ready);
    assert_string_equal(f.link.channel, "email");
    assert_string_equal(f.link.to, "ivy@acme.example");
    assert_int_equal(f.link.expires_at, tu_instant("2026-06-03T08:00:00Z"));
    char url[256];
    snprintf(url, sizeof(url),
             "https://privacy.example.com/privacy/answers/%s?token=%s",
             o.req.id, f.link.token);
    assert_non_null(strstr(f.link.body, url));
    assert_non_null(strstr(f.outcome, "download link"));
    /* the answer is kept sealed: its values are nowhere in clear */
    if (!tu_pg())
        assert_false(tu_file_contains(t.path, "Ivy Stone"));

    sw_answer_file af;
    char wrong[65];
    snprintf(wrong, sizeof(wrong), "%s", f.link.token);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_int_equal(sw_answer_fetch(t.s, o.req.id, wrong, &af), SW_ERR_DENIED);
    assert_int_equal(sw_answer_fetch(t.s, "req_other", f.link.token, &af),
                     SW_ERR_DENIED);
    assert_int_equal(sw_answer_fetch(t.s, o.req.id, f.link.token, &af), SW_OK);
    assert_int_equal(af.len, f.answer_len);
    assert_memory_equal(af.data, f.answer, af.len);
    assert_string_equal(af.mime, "text/html; charset=utf-8");
    assert_non_null(strstr(af.filename, ".html"));
    free(af.data);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                          " action = 'answer.fetch'"),
                     1);
    /* after its period: not served, and the sweep deletes it */
    tu_store_now(&t, "2026-06-03T08:00:00Z");
    assert_int_equal(sw_answer_fetch(t.s, o.req.id, f.link.token, &af),
                     SW_ERR_DENIED);
    sw_sweep_report *r = tu_sweep(&t, "2026-06-03T08:00:00Z");
    assert_int_equal(r->answers_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM answers"), 0);
    free(f.answer);

    /* the answer goes where the code went, not to the first address */
    char two[SW_ID_BUFSZ];
    sw_ident ids[2] = {{"email", "first@acme.example"},
                       {"email", "second@acme.example"}};
    sw_subject_spec ss = {"customer", "ACME", NULL, NULL, 2, ids};
    assert_int_equal(sw_subject_add(t.s, &ss, two), SW_OK);
    o = verified(&t, "second@acme.example", SW_REQ_ACCESS, SW_GDPR);
    assert_non_null(strstr(o.message, "second@acme.example"));
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &fo, &f), SW_OK);
    assert_string_equal(f.link.to, "second@acme.example");
    free(f.answer);
    o = open_req(&t, "second@acme.example", SW_REQ_PORTABILITY, SW_GDPR, NULL);
    sw_request_opened again;
    tu_store_now(&t, "2026-06-03T09:00:00Z"); /* the first code expired */
    assert_int_equal(sw_request_resend(t.s, o.req.id, &again), SW_OK);
    assert_non_null(strstr(again.message, "second@acme.example"));

    /* an erasure is not kept for download; a policy with no period keeps
     * no answer */
    o = verified(&t, "ivy@acme.example", SW_REQ_ERASURE, SW_GDPR);
    fo.format = SW_ANSWER_JSON;
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &fo, &f), SW_OK);
    assert_false(f.link.ready);
    free(f.answer);
    tu_store_free(&t);

    static const char *const pairs[] = {"requests:\n  answer_download: 30d\n",
                                        "", NULL};
    char *text = tu_bundled_variant(pairs);
    tu_store_new_policy(&t, "2026-05-04T08:00:00Z", tu_policy_text(text));
    free(text);
    customer(&t, "ivy@acme.example", sid);
    o = verified(&t, "ivy@acme.example", SW_REQ_PORTABILITY, SW_GDPR);
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &fo, &f), SW_OK);
    assert_false(f.link.ready);
    assert_null(strstr(f.outcome, "download"));
    free(f.answer);
    tu_store_free(&t);
}

/* The access answer lists the person's consents, each with the notice
 * version it was given under (notice 16: a changed notice is told apart)
 * and its period. */
static void test_access_lists_consents_and_their_notice(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    sw_ident id = {"email", "lea@mail.example"};
    sw_who who = {NULL, &id};
    sw_consent_spec c = {"employment.recruitment",
                         "web_form",
                         "apply-v2",
                         "2024-01",
                         true,
                         {2, 0, 0},
                         false,
                         0,
                         false,
                         0,
                         false,
                         "job_applicant"};
    sw_consent_result res;
    assert_int_equal(sw_consent_give(t.s, &who, &c, &res), SW_OK);
    sw_request_opened o =
        verified(&t, "lea@mail.example", SW_REQ_ACCESS, SW_GDPR);
    char *json, out[256];
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    json_t *r = json_loads(json, 0, NULL);
    free(json);
    json_t *cons = json_object_get(r, "consents");
    assert_int_equal(json_array_size(cons), 1);
    json_t *x = json_array_get(cons, 0);
    assert_string_equal(json_string_value(json_object_get(x, "purpose")),
                        "employment.recruitment");
    assert_string_equal(json_string_value(json_object_get(x, "state")),
                        "given");
    assert_string_equal(json_string_value(json_object_get(x, "notice_version")),
                        "2024-01");
    assert_string_equal(json_string_value(json_object_get(x, "expires_at")),
                        "2028-05-04T08:00:00Z");
    json_decref(r);
    o = verified(&t, "lea@mail.example", SW_REQ_ACCESS, SW_GDPR);
    char *html;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_HTML, out, &html), SW_OK);
    assert_non_null(strstr(html, "<h2>Your consents</h2>"));
    assert_non_null(strstr(html, "<td>2024-01</td>"));
    free(html);
    tu_store_free(&t);
}

static void test_access_report(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rec[5][SW_ID_BUFSZ], out[256];
    five_activities(&t, sid, rec);
    sw_request_opened o =
        verified(&t, "ivy@acme.example", SW_REQ_ACCESS, SW_GDPR);
    /* HTML is for access, CSV for portability */
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_CSV, out, NULL),
                     SW_ERR_INVALID);
    char *json;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    assert_non_null(strstr(out, "5 records"));
    json_error_t err;
    json_t *r = json_loads(json, 0, &err);
    free(json);
    assert_non_null(r);
    json_t *recs = json_object_get(r, "records");
    assert_int_equal(json_array_size(recs), 5);
    size_t i;
    json_t *x;
    bool invoice = false;
    json_array_foreach(recs, i, x)
    {
        assert_true(json_array_size(json_object_get(x, "purposes")) > 0);
        assert_true(json_array_size(json_object_get(x, "legal_basis")) > 0);
        assert_true(json_array_size(json_object_get(x, "recipients")) > 0);
        assert_non_null(json_object_get(x, "transfers"));
        assert_non_null(
            json_object_get(json_object_get(x, "retention"), "period"));
        if (strcmp(json_string_value(json_object_get(x, "value")),
                   "INV-2025-0042") == 0)
            invoice = true;
    }
    assert_true(invoice);
    assert_true(json_array_size(json_object_get(r, "rights")) >= 9);
    assert_non_null(
        strstr(json_string_value(json_object_get(r, "automated_decisions")),
               "automated"));
    json_decref(r);
    /* audited as a disclosure, then completed */
    assert_true(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                     " action = 'subject.disclose'") >= 1);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_COMPLETED);

    /* the HTML page: escaped values, a row per record, the rights */
    o = verified(&t, "ivy@acme.example", SW_REQ_ACCESS, SW_GDPR);
    char *html;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_HTML, out, &html), SW_OK);
    assert_non_null(strstr(html, "<!doctype html>"));
    assert_non_null(strstr(html, "lang=\"en\""));
    assert_non_null(strstr(html, "Ivy Stone"));
    assert_non_null(strstr(html, "Ticket: my SMS are late"));
    assert_non_null(strstr(html, "Your rights"));
    size_t rows = 0;
    for (const char *p = html; (p = strstr(p, "<tr><td>")); p++)
        rows++;
    assert_int_equal(rows, 5);
    free(html);
    tu_store_free(&t);
}

/* Values a spreadsheet would run (OWASP CSV injection) come out as text:
 * quoted and prefixed with a single quote. */
static void test_portability_csv_neutralises_formulas(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ], out[256];
    customer(&t, "eve@acme.example", sid);
    static const char *const evil[] = {
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+SUM(1,2)",
        "-2+3",
        "@SUM(A1)",
        "\tinvisible",
        "\r=1",
        "plain"};
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        sw_record_spec spec = {sid,
                               "customer_support",
                               "user.content.support_ticket",
                               evil[i],
                               strlen(evil[i]),
                               "data_subject",
                               false,
                               0,
                               NULL};
        if (sw_record_add(t.s, &spec, rid, NULL) != SW_OK)
            fail_msg("record: %s", sw_errmsg(t.s));
    }
    sw_request_opened o =
        verified(&t, "eve@acme.example", SW_REQ_PORTABILITY, SW_GDPR);
    char *csv;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_CSV, out, &csv), SW_OK);
    assert_false(tu_csv_has_formula(csv));
    assert_non_null(strstr(csv, "\"'=HYPERLINK(\"\"http://evil.example\"\","
                                "\"\"x\"\")\""));
    assert_non_null(strstr(csv, "\"'+SUM(1,2)\""));
    assert_non_null(strstr(csv, "\"'@SUM(A1)\""));
    assert_non_null(strstr(csv, ",plain,"));
    free(csv);
    tu_store_free(&t);
}

/* A record added without a source takes the activity's declared one, and
 * portability exports what is processed on consent or contract whatever
 * its source: the export of a support ticket added the default way is not
 * empty. */
static void test_portability_without_a_source(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ], out[256];
    customer(&t, "zoe@acme.example", sid);
    sw_record_spec spec = {sid,
                           "customer_support",
                           "user.content.support_ticket",
                           "my router blinks",
                           16,
                           NULL,
                           false,
                           0,
                           NULL};
    assert_int_equal(sw_record_add(t.s, &spec, rid, NULL), SW_OK);
    sw_subject_view *v = NULL;
    assert_int_equal(sw_subject_show(t.s, sid, &v), SW_OK);
    assert_int_equal(v->n_records, 1);
    assert_string_equal(v->records[0].source, "data_subject");
    sw_subject_view_free(v);
    sw_request_opened o =
        verified(&t, "zoe@acme.example", SW_REQ_PORTABILITY, SW_GDPR);
    char *json;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    assert_non_null(strstr(json, "my router blinks"));
    assert_non_null(strstr(out, "portable data: 1 record"));
    free(json);
    tu_store_free(&t);
}

static void test_portability_and_know(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rec[5][SW_ID_BUFSZ], out[256];
    five_activities(&t, sid, rec);
    sw_request_opened o =
        verified(&t, "ivy@acme.example", SW_REQ_PORTABILITY, SW_GDPR);
    char *csv;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_CSV, out, &csv), SW_OK);
    /* provided by the subject, on contract: account and support records */
    assert_non_null(strstr(csv, "category,value,activity,collected_at\r\n"));
    assert_non_null(strstr(csv, "Ivy Stone"));
    assert_non_null(strstr(csv, "INV-2025-0042"));
    assert_null(strstr(csv, "198.51.100.7")); /* generated, not provided */
    assert_null(strstr(csv, "/dashboard"));
    free(csv);

    o = verified(&t, "ivy@acme.example", SW_REQ_KNOW_CATEGORIES, SW_CCPA);
    char *json;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    json_error_t err;
    json_t *r = json_loads(json, 0, &err);
    free(json);
    assert_non_null(r);
    assert_false(json_is_true(json_object_get(r, "sold")));
    assert_true(json_array_size(json_object_get(r, "categories_collected")) >
                0);
    assert_true(json_array_size(json_object_get(r, "third_party_categories")) >
                0);
    assert_non_null(strstr(json_string_value(json_object_get(r, "statement")),
                           "do not sell"));
    json_decref(r);
    tu_store_free(&t);
}

static void test_rectification(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rec[5][SW_ID_BUFSZ];
    five_activities(&t, sid, rec);
    sw_request_opened o =
        verified(&t, "ivy@acme.example", SW_REQ_RECTIFICATION, SW_GDPR);
    sw_fulfil_options opt = {SW_ANSWER_JSON, NULL, NULL, NULL};
    sw_fulfilment f;
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &opt, &f),
                     SW_ERR_INVALID);
    opt.record = "rec_nope";
    opt.value = "x";
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &opt, &f),
                     SW_ERR_NOTFOUND);
    opt.record = rec[0];
    opt.value = "Ivy Stone-Marsh";
    assert_int_equal(sw_request_fulfil(t.s, o.req.id, &opt, &f), SW_OK);
    assert_non_null(strstr(f.answer, "recipients_to_tell"));
    free(f.answer);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t.s, sid, &v), SW_OK);
    bool found = false;
    for (size_t i = 0; i < v->n_records; i++)
        found |= strcmp(v->records[i].value, "Ivy Stone-Marsh") == 0;
    sw_subject_view_free(v);
    assert_true(found);
    tu_store_free(&t);
}

static void test_erasure_keeps_what_the_law_needs(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], rec[5][SW_ID_BUFSZ], hold[SW_ID_BUFSZ], out[256];
    five_activities(&t, sid, rec);
    /* the invoice (dated by its record) is kept 10 years after the end of
     * its invoicing year */
    char scope[64];
    snprintf(scope, sizeof(scope), "record:%s", rec[2]);
    assert_int_equal(sw_hold_place(t.s, scope, "litigation", "claim 7", hold),
                     SW_OK);
    sw_ident addr = {"email", "ivy@acme.example"};
    sw_objection_result ob;
    assert_int_equal(sw_suppression_add(t.s, &addr, NULL, &ob), SW_OK);
    sw_request_opened o =
        verified(&t, "ivy@acme.example", SW_REQ_ERASURE, SW_GDPR);
    char *json;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    json_error_t err;
    json_t *r = json_loads(json, 0, &err);
    free(json);
    assert_non_null(r);
    assert_false(json_is_true(json_object_get(r, "crypto_shredded")));
    json_t *kept = json_object_get(r, "kept");
    bool by_hold = false, by_law = false;
    size_t i;
    json_t *g;
    json_array_foreach(kept, i, g)
    {
        const char *reason = json_string_value(json_object_get(g, "reason"));
        by_hold |= strstr(reason, hold) != NULL;
        if (strstr(reason, "legal obligation") &&
            strcmp(json_string_value(json_object_get(g, "rule")),
                   "customer_account.invoices") == 0) {
            by_law = true;
            assert_string_equal(json_string_value(json_object_get(g, "until")),
                                "2037-01-01T00:00:00Z");
            assert_string_equal(
                json_string_value(json_object_get(g, "section")), "5.1.3");
            /* each record kept, with its exact due instant */
            json_t *it = json_array_get(json_object_get(g, "items"), 0);
            assert_string_equal(
                json_string_value(json_object_get(it, "record")), rec[1]);
            assert_string_equal(
                json_string_value(json_object_get(it, "category")),
                "contract.invoice");
            assert_string_equal(json_string_value(json_object_get(it, "due")),
                                "2037-01-01T00:00:00Z");
        }
        /* the invoice's obligation does not keep the name on the account */
        assert_string_not_equal(json_string_value(json_object_get(g, "rule")),
                                "customer_account.customer");
    }
    assert_true(by_hold);
    assert_true(by_law);
    /* the name, analytics and security logs went; the held ticket and the
     * invoice stay; the subject is restricted to storage */
    json_t *del = json_object_get(r, "deleted");
    assert_int_equal(json_array_size(del), 3);
    bool name_gone = false;
    json_array_foreach(del, i, g) name_gone |=
        strcmp(json_string_value(json_object_get(g, "record")), rec[0]) == 0;
    assert_true(name_gone);
    json_decref(r);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM records"), 2);
    sw_who who = {sid, NULL};
    sw_decision d;
    assert_int_equal(
        sw_decide(t.s, "business.contract_administration", &who, &d), SW_OK);
    assert_int_equal(d.reason, SW_DENY_RESTRICTED);
    /* the suppression entry stays */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM suppression"),
                     1);
    tu_store_free(&t);

    /* nothing to keep: crypto-shredded */
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char p[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    sw_ident id = {"email", "jo@lead.example"};
    sw_subject_spec spec = {"prospect", NULL, NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(t.s, &spec, p), SW_OK);
    sw_record_spec rs = {
        p, "sales_prospects", "user.name", "Jo", 2, NULL, false, 0, NULL};
    assert_int_equal(sw_record_add(t.s, &rs, rid, NULL), SW_OK);
    o = verified(&t, "jo@lead.example", SW_REQ_ERASURE, SW_CCPA);
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, NULL), SW_OK);
    assert_non_null(strstr(out, "key is destroyed"));
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM subjects"), 0);
    assert_false(tu_file_contains(t.path, "jo@lead.example"));
    tu_store_free(&t);
}

/* Each notice of a forwarded request names its own customer and its own
 * records, and nothing of any other. */
static void assert_notices_apart(const char *json, size_t customers)
{
    json_t *a = json_loads(json, 0, NULL);
    assert_non_null(a);
    json_t *notices = json_object_get(a, "notices");
    assert_int_equal(json_array_size(notices), customers);
    size_t i, j;
    json_t *n, *m;
    json_array_foreach(notices, i, n)
    {
        const char *mine = json_string_value(json_object_get(n, "customer"));
        assert_non_null(
            strstr(json_string_value(json_object_get(n, "notice")), mine));
        json_array_foreach(notices, j, m)
        {
            if (i == j)
                continue;
            const char *other =
                json_string_value(json_object_get(m, "customer"));
            char *text = json_dumps(n, 0);
            assert_null(strstr(text, other));
            free(text);
            size_t k, q;
            json_t *id, *own;
            json_array_foreach(json_object_get(m, "record_ids"), k, id)
                json_array_foreach(json_object_get(n, "record_ids"), q, own)
                    assert_false(json_equal(id, own));
        }
    }
    json_decref(a);
}

static void ingest(tu_store *t, const char *text, size_t stored)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    sw_diags *d = sw_diags_new();
    sw_ingest_result ir;
    assert_int_equal(sw_traffic_ingest(t->s, f, "cdr", NULL, d, &ir), SW_OK);
    fclose(f);
    sw_diags_free(d);
    assert_int_equal(ir.stored, stored);
}

/* Notice 2, the processor story: two customers' traffic reached one
 * number whose holder steward knows from nothing else. The holder files,
 * is verified by a code to the number, and the request is forwarded to
 * each customer with a notice of its own; one customer's instruction then
 * erases its records only. */
static void test_processor_story(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    ingest(&t,
           "{\"id\":\"cdr-a1\",\"account\":\"ACC-A\",\"channel\":\"sms\","
           "\"time\":\"2026-04-01T10:00:00Z\",\"sender\":\"Shop\","
           "\"destination\":\"+447700900555\"}\n"
           "{\"id\":\"cdr-a2\",\"account\":\"ACC-A\",\"channel\":\"sms\","
           "\"time\":\"2026-04-02T10:00:00Z\",\"sender\":\"Shop\","
           "\"destination\":\"+447700900555\"}\n"
           "{\"id\":\"cdr-b1\",\"account\":\"ACC-B\",\"channel\":\"sms\","
           "\"time\":\"2026-04-03T10:00:00Z\",\"sender\":\"Bank\","
           "\"destination\":\"+44 7700 900555\"}\n"
           "{\"id\":\"cdr-c1\",\"account\":\"ACC-C\",\"channel\":\"sms\","
           "\"time\":\"2026-04-03T11:00:00Z\",\"sender\":\"Other\","
           "\"destination\":\"+447700900556\"}\n",
           4);
    /* a number no traffic reached is still refused */
    sw_ident none = {"phone", "+447700900999"};
    sw_who nobody = {NULL, &none};
    sw_request_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.type = SW_REQ_ACCESS;
    sw_request_opened o;
    assert_int_equal(sw_request_open(t.s, &nobody, &spec, &o), SW_ERR_NOTFOUND);

    sw_ident num = {"phone", "+447700900555"};
    sw_who who = {NULL, &num};
    assert_int_equal(sw_request_open(t.s, &who, &spec, &o), SW_OK);
    assert_int_equal(o.req.state, SW_RS_VERIFYING);
    assert_non_null(strstr(o.message, "+447700900555")); /* the code's way */
    sw_subject_row row;
    assert_int_equal(sw_subjects_get(t.s, o.req.subject, &row), SW_OK);
    assert_string_equal(row.kind, "end_user");
    assert_string_equal(row.role, "processor");
    /* the number now belongs to that subject, under either name */
    sw_ident m = {"msisdn", "+447700900555"};
    char found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_find(t.s, &m, found), SW_OK);
    assert_string_equal(found, o.req.subject);
    assert_int_equal(sw_request_verify(t.s, o.req.id, o.code), SW_OK);
    char out[256], *json;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    assert_non_null(strstr(out, "one notice each"));
    assert_null(strstr(json, "ACC-C"));
    assert_null(strstr(json, "cdr-c1"));
    assert_notices_apart(json, 2);
    json_t *a = json_loads(json, 0, NULL);
    json_t *first = json_array_get(json_object_get(a, "notices"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "customer")),
                        "ACC-A");
    assert_int_equal(
        json_integer_value(json_object_get(first, "traffic_records")), 2);
    json_decref(a);
    free(json);

    /* ACC-A instructs: its records lose the number, ACC-B's keep it */
    sw_instruction in = {"ACC-A", "msisdn", "+447700900555", "ACC-A/DSR-1"};
    sw_traffic_erased er;
    assert_int_equal(sw_traffic_erase(t.s, &in, &er), SW_OK);
    assert_int_equal(er.erased, 2);
    size_t n = 0;
    assert_int_equal(
        sw_traffic_find(t.s, "msisdn", "+447700900555", NULL, NULL, &n), SW_OK);
    assert_int_equal(n, 1);

    /* the public door: a number known only from traffic gets its code */
    sw_public_limits l;
    sw_public_limits_init(&l);
    sw_ident other = {"phone", "+447700900556"};
    sw_public_filing pf;
    assert_int_equal(
        sw_public_file(t.s, &l, "198.51.100.7", &other, &spec, &pf), SW_OK);
    assert_true(pf.send);
    assert_string_equal(pf.channel, "sms");
    assert_non_null(strstr(pf.body, "code"));
    tu_store_free(&t);
}

static void test_processor_forwarding_and_child(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], out[256];
    sw_ident id = {"email", "enduser@mail.example"};
    sw_subject_spec spec = {"end_user", "ACME-CPAAS", NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    sw_request_opened o =
        verified(&t, "enduser@mail.example", SW_REQ_ACCESS, SW_GDPR);
    char *json;
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    assert_non_null(strstr(out, "forwarded to ACME-CPAAS"));
    json_t *a = json_loads(json, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "notices")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(a, "notices"), 0), "customer")),
        "ACME-CPAAS");
    assert_non_null(json_object_get(a, "reply_to_requester"));
    json_decref(a);
    free(json);

    /* an end user with no account on record: the request goes to the
     * customers whose traffic reached the address, and to no other */
    char anon[SW_ID_BUFSZ];
    sw_ident aid = {"email", "reader@mail.example"};
    sw_subject_spec as = {"end_user", NULL, NULL, NULL, 1, &aid};
    assert_int_equal(sw_subject_add(t.s, &as, anon), SW_OK);
    static const char traffic[] =
        "{\"id\":\"m1\",\"account\":\"ACC-7\",\"channel\":\"email\","
        "\"time\":\"2026-04-01T10:00:00Z\",\"sender\":\"Shop\","
        "\"destination\":\"Reader@Mail.example\"}\n"
        "{\"id\":\"m2\",\"account\":\"ACC-9\",\"channel\":\"email\","
        "\"time\":\"2026-04-20T10:00:00Z\",\"sender\":\"Bank\","
        "\"destination\":\"reader@mail.example\"}\n"
        "{\"id\":\"m3\",\"account\":\"ACC-5\",\"channel\":\"email\","
        "\"time\":\"2026-04-21T10:00:00Z\",\"sender\":\"Other\","
        "\"destination\":\"someone@else.example\"}\n";
    FILE *f = fmemopen((void *)traffic, strlen(traffic), "r");
    assert_non_null(f);
    sw_diags *d = sw_diags_new();
    sw_ingest_result ir;
    assert_int_equal(sw_traffic_ingest(t.s, f, "mail", NULL, d, &ir), SW_OK);
    fclose(f);
    sw_diags_free(d);
    assert_int_equal(ir.stored, 3);
    o = verified(&t, "reader@mail.example", SW_REQ_ERASURE, SW_GDPR);
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, &json), SW_OK);
    assert_non_null(strstr(out, "forwarded to ACC-7, ACC-9,"));
    assert_null(strstr(json, "ACC-5"));
    assert_notices_apart(json, 2);
    free(json);

    char kid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    sw_ident kid_id = {"email", "kid@mail.example"};
    sw_subject_spec ks = {"event_participant", NULL, NULL, NULL, 1, &kid_id};
    assert_int_equal(sw_subject_add(t.s, &ks, kid), SW_OK);
    sw_record_spec rs = {kid,  "webinars", "user.name", "Kid", 3,
                         NULL, false,      0,           NULL};
    assert_int_equal(sw_record_add(t.s, &rs, rid, NULL), SW_OK);
    sw_erase_result er;
    assert_int_equal(sw_subject_child(t.s, kid, &er), SW_OK);
    assert_int_equal(er.records, 1);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                          " action = 'subject.child'"),
                     1);
    assert_false(tu_file_contains(t.path, "kid@mail.example"));
    tu_store_free(&t);
}

static void test_withdraw_consent_and_records_kept_24_months(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    char sid[SW_ID_BUFSZ], out[256];
    sw_ident id = {"email", "max@mail.example"};
    sw_subject_spec spec = {"job_applicant", NULL, NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    sw_who who = {sid, NULL};
    sw_consent_spec cs;
    memset(&cs, 0, sizeof(cs));
    cs.purpose = "employment.recruitment";
    cs.method = "recruitment_software";
    cs.has_period = true;
    cs.period = (sw_duration){2, 0, 0};
    sw_consent_result cr;
    assert_int_equal(sw_consent_give(t.s, &who, &cs, &cr), SW_OK);
    sw_request_opened o =
        verified(&t, "max@mail.example", SW_REQ_WITHDRAW_CONSENT, SW_GDPR);
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, NULL), SW_OK);
    assert_string_equal(out, "1 consent withdrawn");
    sw_decision d;
    assert_int_equal(sw_decide(t.s, "employment.recruitment", &who, &d), SW_OK);
    assert_int_equal(d.reason, SW_DENY_CONSENT_WITHDRAWN);

    /* the request's record stays 24 months after it closed, then goes */
    sw_sweep_report *r = tu_sweep(&t, "2028-05-04T07:59:59Z");
    assert_int_equal(r->requests_removed, 0);
    sw_sweep_report_free(r);
    /* the address is kept for the request, as long as the request */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM identifiers"),
                     1);
    r = tu_sweep(&t, "2028-05-04T08:00:00Z");
    assert_int_equal(r->requests_removed, 1);
    assert_int_equal(r->orphans_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM subjects"), 0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM identifiers"),
                     0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM requests"), 0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM"
                                          " request_changes"),
                     0);
    tu_store_free(&t);
}

static void test_stats(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-01T08:00:00Z");
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ], out[256];
    customer(&t, "kay@acme.example", a);
    customer(&t, "lou@acme.example", b);
    sw_request_opened o =
        verified(&t, "kay@acme.example", SW_REQ_RESTRICTION, SW_GDPR);
    tu_store_now(&t, "2026-05-03T08:00:00Z");
    assert_int_equal(fulfil(&t, o.req.id, SW_ANSWER_JSON, out, NULL), SW_OK);
    open_req(&t, "lou@acme.example", SW_REQ_ACCESS, SW_CCPA, NULL);
    tu_store_now(&t, "2026-07-01T00:00:00Z");
    sw_request_stats st;
    assert_int_equal(sw_request_stats_since(t.s, 0, &st), SW_OK);
    assert_int_equal(st.count[SW_REQ_RESTRICTION][SW_GDPR], 1);
    assert_int_equal(st.count[SW_REQ_ACCESS][SW_CCPA], 1);
    assert_int_equal(st.completed, 1);
    assert_int_equal(st.open, 1);
    assert_int_equal(st.overdue, 1);
    assert_int_equal(st.median_days_x100, 200); /* two days */
    assert_int_equal(st.max_days_x100, 200);
    tu_store_free(&t);
}

/* Issue 16: a request whose requester never verifies who they are was
 * kept open, with its identifiers, for ever. At its deadline the sweep
 * closes it as refused; a verified one stays open. */
static void test_unverified_request_lapses_at_its_deadline(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-01-31T09:00:00Z");
    char sid[SW_ID_BUFSZ];
    customer(&t, "amy@acme.example", sid);
    sw_request_opened lost =
        open_req(&t, "amy@acme.example", SW_REQ_ACCESS, SW_GDPR, NULL);
    sw_request_opened kept =
        verified(&t, "amy@acme.example", SW_REQ_ERASURE, SW_GDPR);
    /* the second before its deadline it waits */
    sw_sweep_report *r = tu_sweep(&t, "2026-03-02T23:59:59Z");
    assert_int_equal(r->requests_lapsed, 0);
    sw_sweep_report_free(r);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, lost.req.id, &v), SW_OK);
    assert_false(v.closed);
    r = tu_sweep(&t, "2026-03-03T00:00:00Z");
    assert_int_equal(r->requests_lapsed, 1);
    char *cert = sw_sweep_report_json(r);
    json_t *o = json_loads(cert, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(o, "requests_lapsed")),
                     1);
    json_decref(o);
    free(cert);
    sw_sweep_report_free(r);
    assert_int_equal(sw_request_get(t.s, lost.req.id, &v), SW_OK);
    assert_true(v.closed);
    assert_int_equal(v.state, SW_RS_REFUSED);
    assert_non_null(strstr(v.outcome, "not verified"));
    assert_int_equal(sw_request_get(t.s, kept.req.id, &v), SW_OK);
    assert_false(v.closed);
    /* closed, it goes by the rule after request_closed (24 months) */
    r = tu_sweep(&t, "2028-03-03T00:00:00Z");
    assert_int_equal(r->requests_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(sw_request_get(t.s, lost.req.id, &v), SW_ERR_NOTFOUND);
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gdpr_deadlines),
        cmocka_unit_test(test_unverified_request_lapses_at_its_deadline),
        cmocka_unit_test(test_ccpa_deadlines_and_list),
        cmocka_unit_test(test_verification),
        cmocka_unit_test(test_intake_refusals),
        cmocka_unit_test(test_fulfil_through_consent),
        cmocka_unit_test(test_access_lists_consents_and_their_notice),
        cmocka_unit_test(test_access_report),
        cmocka_unit_test(test_portability_and_know),
        cmocka_unit_test(test_portability_without_a_source),
        cmocka_unit_test(test_portability_csv_neutralises_formulas),
        cmocka_unit_test(test_rectification),
        cmocka_unit_test(test_erasure_keeps_what_the_law_needs),
        cmocka_unit_test(test_processor_forwarding_and_child),
        cmocka_unit_test(test_processor_story),
        cmocka_unit_test(test_answer_delivered_as_a_download),
        cmocka_unit_test(test_withdraw_consent_and_records_kept_24_months),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
