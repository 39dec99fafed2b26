/* SPDX-License-Identifier: Apache-2.0 */
/* Data-subject requests: intake, the one-time code, every deadline rule
 * (month ends, extension before and after the first month, 10 business
 * days across a weekend, 45 + 45 days), refusals, and the rights the
 * consent ledger fulfils. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

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
    sw_request_opened o = open_req(&t, "amy@acme.example", SW_REQ_ACCESS,
                                   SW_GDPR, NULL);
    assert_int_equal(o.req.state, SW_RS_VERIFYING);
    assert_int_equal(o.req.received_at, tu_instant("2026-01-31T09:00:00Z"));
    /* one month, clamped to the end of February */
    assert_int_equal(o.req.due_at, tu_instant("2026-02-28T09:00:00Z"));
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
    sw_request_spec spec = {SW_REQ_ACCESS, SW_GDPR, NULL, NULL, NULL, false,
                            0};
    sw_request_opened dup;
    assert_int_equal(sw_request_open(t.s, &who, &spec, &dup),
                     SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), o.req.id));

    /* extended before the month ends: two further months from receipt */
    tu_store_now(&t, "2026-02-27T00:00:00Z");
    assert_int_equal(sw_request_extend(t.s, o.req.id, ""), SW_ERR_INVALID);
    assert_int_equal(sw_request_extend(t.s, o.req.id, "many records"),
                     SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_EXTENDED);
    assert_true(v.extended);
    assert_int_equal(v.due_at, tu_instant("2026-04-30T09:00:00Z"));
    assert_int_equal(v.first_due_at, tu_instant("2026-02-28T09:00:00Z"));
    assert_int_equal(sw_request_extend(t.s, o.req.id, "again"),
                     SW_ERR_CONFLICT);
    tu_store_free(&t);

    /* a leap year's February; too late to extend after the month */
    tu_store_new(&t, "2028-01-31T09:00:00Z");
    customer(&t, "bea@acme.example", sid);
    o = open_req(&t, "bea@acme.example", SW_REQ_ERASURE, SW_GDPR, NULL);
    assert_int_equal(o.req.due_at, tu_instant("2028-02-29T09:00:00Z"));
    tu_store_now(&t, "2028-02-29T09:00:00Z");
    assert_int_equal(sw_request_extend(t.s, o.req.id, "late"),
                     SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), "too late"));
    /* overdue from the next second on */
    size_t n = 0;
    assert_int_equal(sw_request_list(t.s, true, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 0);
    tu_store_now(&t, "2028-02-29T09:00:01Z");
    assert_int_equal(sw_request_list(t.s, true, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 1);
    tu_store_free(&t);
}

static void test_ccpa_deadlines_and_list(void **state)
{
    (void)state;
    /* Friday 2026-01-02: 10 business days later is Friday 2026-01-16 */
    tu_store t;
    tu_store_new(&t, "2026-01-02T12:00:00Z");
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ];
    customer(&t, "cal@acme.example", a);
    customer(&t, "dee@acme.example", b);
    sw_request_opened o = open_req(&t, "cal@acme.example",
                                   SW_REQ_KNOW_CATEGORIES, SW_CCPA, NULL);
    assert_true(o.req.has_ack_due);
    assert_int_equal(o.req.ack_due_at,
                     sw_add_business_days(tu_instant("2026-01-02T12:00:00Z"),
                                          10));
    assert_int_equal(o.req.ack_due_at, tu_instant("2026-01-16T12:00:00Z"));
    assert_int_equal(o.req.due_at, tu_instant("2026-02-16T12:00:00Z"));
    tu_store_now(&t, "2026-02-10T00:00:00Z");
    assert_int_equal(sw_request_extend(t.s, o.req.id, "volume"), SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.due_at, tu_instant("2026-04-02T12:00:00Z"));

    /* another, not extended: overdue after 45 days */
    tu_store_now(&t, "2026-01-02T12:00:00Z");
    sw_request_opened o2 =
        open_req(&t, "dee@acme.example", SW_REQ_ACCESS, SW_CCPA, NULL);
    tu_store_now(&t, "2026-02-20T00:00:00Z");
    size_t n = 0;
    assert_int_equal(sw_request_list(t.s, true, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 1); /* o2 only */
    n = 0;
    assert_int_equal(sw_request_list(t.s, false, 0, count_cb, &n), SW_OK);
    assert_int_equal(n, 2);
    n = 0; /* due within 7 days of 02-20: none (o2 is past, o is April) */
    assert_int_equal(sw_request_list(t.s, false, 7 * 86400, count_cb, &n),
                     SW_OK);
    assert_int_equal(n, 1); /* the overdue one is due "within" too */
    bool late;
    assert_int_equal(sw_request_refuse(t.s, o2.req.id, "manifestly "
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
    assert_int_equal(sw_request_complete(t.s, o.req.id, out, sizeof(out)),
                     SW_ERR_CONFLICT);
    /* expired after 15 minutes: a new code */
    tu_store_now(&t, "2026-05-04T08:15:00Z");
    assert_int_equal(sw_request_verify(t.s, o.req.id, o.code),
                     SW_ERR_CONFLICT);
    sw_request_opened again;
    assert_int_equal(sw_request_resend(t.s, o.req.id, &again), SW_OK);
    assert_int_equal(sw_request_verify(t.s, o.req.id, again.code), SW_OK);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_IN_PROGRESS);
    /* restriction: every purpose denied from now on */
    assert_int_equal(sw_request_complete(t.s, o.req.id, out, sizeof(out)),
                     SW_OK);
    assert_non_null(strstr(out, "restricted"));
    sw_who who = {sid, NULL};
    sw_decision d;
    assert_int_equal(
        sw_decide(t.s, "business.contract_administration", &who, &d), SW_OK);
    assert_int_equal(d.reason, SW_DENY_RESTRICTED);
    tu_store_free(&t);

    /* five wrong codes: refused as unverified */
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    customer(&t, "fay@acme.example", sid);
    o = open_req(&t, "fay@acme.example", SW_REQ_ACCESS, SW_GDPR, NULL);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(o.code) + 7) % 1000000);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sw_request_verify(t.s, o.req.id, wrong),
                         SW_ERR_DENIED);
    assert_non_null(strstr(sw_errmsg(t.s), "unverified"));
    assert_int_equal(sw_request_get(t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_REFUSED);
    assert_int_equal(sw_request_verify(t.s, o.req.id, o.code),
                     SW_ERR_CONFLICT);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM"
                                          " request_changes"),
                     3); /* received, verifying, refused */
    tu_store_free(&t);
}

static void test_intake_refusals(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-04T08:00:00Z");
    sw_ident id = {"email", "nobody@example.net"};
    sw_who who = {NULL, &id};
    sw_request_spec spec = {SW_REQ_ACCESS, SW_CCPA, NULL, NULL, NULL, false,
                            0};
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
    assert_int_equal(sw_request_complete(t.s, o.req.id, out, sizeof(out)),
                     SW_OK);
    assert_non_null(strstr(out, "suppression list"));
    sw_ident id = {"email", "hal@acme.example"};
    sw_who who = {NULL, &id};
    sw_decision d;
    assert_int_equal(sw_decide(t.s, "marketing.communications.email", &who,
                               &d),
                     SW_OK);
    assert_int_equal(d.reason, SW_DENY_SUPPRESSED);

    /* access is not fulfilled by steward yet: it says so, nothing moves */
    sw_request_opened a =
        open_req(&t, "hal@acme.example", SW_REQ_ACCESS, SW_GDPR, NULL);
    assert_int_equal(sw_request_verify(t.s, a.req.id, a.code), SW_OK);
    assert_int_equal(sw_request_complete(t.s, a.req.id, out, sizeof(out)),
                     SW_ERR_UNSUPPORTED);
    sw_request_view v;
    assert_int_equal(sw_request_get(t.s, a.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_IN_PROGRESS);
    assert_int_equal(sw_request_withdraw(t.s, a.req.id), SW_OK);
    assert_int_equal(sw_request_get(t.s, a.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_WITHDRAWN);
    assert_int_equal(sw_request_withdraw(t.s, a.req.id), SW_ERR_CONFLICT);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                          " action LIKE 'request.%'"),
                     6); /* 2 opens, 2 verifies, complete, withdraw */
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gdpr_deadlines),
        cmocka_unit_test(test_ccpa_deadlines_and_list),
        cmocka_unit_test(test_verification),
        cmocka_unit_test(test_intake_refusals),
        cmocka_unit_test(test_fulfil_through_consent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
