/* SPDX-License-Identifier: Apache-2.0 */
/* The consent ledger, objections, the suppression list and the decision:
 * one test per allow and deny reason, double opt-in, the 30-day and the
 * consent-period expiries, suppression surviving erasure with only its
 * hash, cookies and GPC, receipts. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define T0 "2026-03-01T10:00:00Z"
#define MKT "marketing.communications.email"
#define REC "employment.recruitment"

static sw_decision decide(tu_store *t, const char *purpose, const char *type,
                          const char *value)
{
    sw_ident id = {type, value};
    sw_who who = {NULL, &id};
    sw_decision d;
    if (sw_decide(t->s, purpose, &who, &d) != SW_OK)
        fail_msg("decide: %s", sw_errmsg(t->s));
    return d;
}

static sw_decision decide_subject(tu_store *t, const char *purpose,
                                  const char *subject)
{
    sw_who who = {subject, NULL};
    sw_decision d;
    if (sw_decide(t->s, purpose, &who, &d) != SW_OK)
        fail_msg("decide: %s", sw_errmsg(t->s));
    return d;
}

static void add_subject(tu_store *t, const char *kind, const char *account,
                        const char *email, char *sid)
{
    sw_ident id = {"email", email};
    sw_subject_spec spec = {kind, account, NULL, NULL, email ? 1 : 0, &id};
    if (sw_subject_add(t->s, &spec, sid) != SW_OK)
        fail_msg("subject: %s", sw_errmsg(t->s));
}

static void add_record(tu_store *t, const char *sid, const char *activity,
                       const char *category, char *rid)
{
    sw_record_spec r = {sid,  activity, category, "value", 5,
                        NULL, false,    0,        NULL};
    if (sw_record_add(t->s, &r, rid, NULL) != SW_OK)
        fail_msg("record: %s", sw_errmsg(t->s));
}

/* Subscribes an address (double opt-in): the pending result. */
static sw_consent_result subscribe(tu_store *t, const char *email)
{
    sw_ident id = {"email", email};
    sw_who who = {NULL, &id};
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = MKT;
    spec.method = "web_form";
    spec.form = "newsletter-form-v3";
    spec.new_kind = "marketing_subscriber";
    sw_consent_result r;
    if (sw_consent_give(t->s, &who, &spec, &r) != SW_OK)
        fail_msg("give: %s", sw_errmsg(t->s));
    return r;
}

static sw_consent_result give(tu_store *t, const char *subject,
                              const char *purpose, const char *period)
{
    sw_who who = {subject, NULL};
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = purpose;
    spec.method = "recruitment_software";
    if (period) {
        spec.has_period = true;
        assert_int_equal(sw_duration_parse(period, &spec.period), SW_OK);
    }
    sw_consent_result r;
    if (sw_consent_give(t->s, &who, &spec, &r) != SW_OK)
        fail_msg("give: %s", sw_errmsg(t->s));
    return r;
}

static sw_sweep_report *sweep_at(tu_store *t, const char *now)
{
    return tu_sweep(t, now);
}

static long audit_entries(tu_store *t)
{
    return tu_count_sql(t->path, "SELECT count(*) FROM audit");
}

/* ---- double opt-in, allow by consent, token refusals ---- */

static void test_double_opt_in(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_consent_result r = subscribe(&t, "Ann@Example.com");
    assert_int_equal(r.state, SW_CONSENT_REQUESTED);
    assert_true(r.created_subject);
    assert_int_equal(strlen(r.token), 48);
    assert_int_equal(r.token_expires, tu_instant("2026-03-08T10:00:00Z"));
    sw_decision d = decide(&t, MKT, "email", "ann@example.com");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_CONSENT_PENDING);
    assert_string_equal(d.ref, r.id);

    tu_store_now(&t, "2026-03-02T09:00:00Z");
    sw_consent_result c;
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_OK);
    assert_string_equal(c.id, r.id);
    d = decide(&t, MKT, "email", " ANN@example.com ");
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_CONSENT);
    assert_string_equal(d.activity, "email_marketing");
    assert_string_equal(d.basis, "6(1)(a)");
    assert_string_equal(d.ref, r.id);
    assert_int_equal(d.at, tu_instant("2026-03-02T09:00:00Z"));
    char text[256];
    assert_non_null(strstr(sw_decision_text(&d, text, sizeof(text)),
                           "given on 2026-03-02"));

    /* the token is spent; an unknown one is unknown; nothing changes */
    long before = audit_entries(&t);
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), "already used"));
    assert_int_equal(sw_consent_confirm(t.s,
                                        "0123456789abcdef0123456789abcdef"
                                        "0123456789abcdef",
                                        &c),
                     SW_ERR_NOTFOUND);
    assert_int_equal(sw_consent_confirm(t.s, "short", &c), SW_ERR_NOTFOUND);
    assert_int_equal(audit_entries(&t), before);

    /* the history keeps both states */
    sw_consent_view v;
    assert_int_equal(sw_consent_show(t.s, r.id, &v, NULL, NULL), SW_OK);
    assert_int_equal(v.state, SW_CONSENT_GIVEN);
    assert_string_equal(v.form, "newsletter-form-v3");
    assert_string_equal(v.notice_version, t.policy->notice.version);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM "
                                          "consent_changes"),
                     2);
    tu_store_free(&t);
}

static void test_expired_token(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_consent_result r = subscribe(&t, "bob@example.com");
    tu_store_now(&t, "2026-03-08T10:00:00Z"); /* 7 days: the link is dead */
    sw_consent_result c;
    long before = audit_entries(&t);
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), "expired"));
    assert_int_equal(audit_entries(&t), before);
    sw_decision d = decide(&t, MKT, "email", "bob@example.com");
    assert_int_equal(d.reason, SW_DENY_CONSENT_PENDING);
    tu_store_free(&t);
}

/* A confirmation pending when sweeps run keeps its link until its own
 * expiry: a first subscription, and a re-subscription after an
 * unsubscribe (the address suppressed until it is confirmed). */
static void test_pending_survives_sweeps(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_consent_result r = subscribe(&t, "dan@example.com");
    sw_sweep_report_free(sweep_at(&t, "2026-03-02T10:00:00Z"));
    sw_sweep_report_free(sweep_at(&t, "2026-03-03T10:00:00Z"));
    sw_consent_result c;
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_OK);
    assert_true(decide(&t, MKT, "email", "dan@example.com").allow);

    /* unsubscribed, then subscribing again: pending across sweeps */
    tu_store_now(&t, "2026-04-01T00:00:00Z");
    sw_ident id = {"email", "dan@example.com"};
    sw_objection_result o;
    assert_int_equal(sw_suppression_add(t.s, &id, NULL, &o), SW_OK);
    r = subscribe(&t, "dan@example.com");
    for (int day = 2; day <= 7; day++) {
        char at[32];
        snprintf(at, sizeof(at), "2026-04-0%dT00:00:00Z", day);
        sw_sweep_report_free(sweep_at(&t, at));
    }
    assert_int_equal(decide(&t, MKT, "email", "dan@example.com").reason,
                     SW_DENY_SUPPRESSED);
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_OK);
    assert_true(decide(&t, MKT, "email", "dan@example.com").allow);
    tu_store_free(&t);
}

/* A subscription never confirmed goes with its address once its link
 * expired (the policy's consent.confirmation_valid): the sweep after that
 * removes the consent, its history and the subject nothing else keeps. */
static void test_unconfirmed_subscription_goes(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_consent_result r = subscribe(&t, "eve@example.com");
    sw_sweep_report *rep = sweep_at(&t, "2026-03-08T09:59:59Z");
    assert_int_equal(rep->unconfirmed_removed, 0);
    sw_sweep_report_free(rep);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"), 1);
    rep = sweep_at(&t, "2026-03-08T10:00:00Z"); /* 7 days after */
    assert_int_equal(rep->unconfirmed_removed, 1);
    assert_int_equal(rep->subjects_removed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"), 0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM subjects"), 0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM identifiers"),
                     0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM "
                                          "consent_changes"),
                     0);
    assert_int_equal(decide(&t, MKT, "email", "eve@example.com").reason,
                     SW_DENY_NO_CONSENT);
    sw_consent_result c;
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_ERR_NOTFOUND);
    /* the certificate says so */
    assert_int_equal(tu_count_sql(t.path,
                                  "SELECT count(*) FROM audit WHERE action ="
                                  " 'sweep.certificate' AND details LIKE"
                                  " '%\"unconfirmed_removed\":1%'"),
                     1);
    tu_store_free(&t);
}

/* ---- the suppression list ---- */

static void test_unsubscribe_survives_erasure(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_consent_result r = subscribe(&t, "carol@example.org");
    sw_consent_result c;
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_OK);
    assert_true(decide(&t, MKT, "email", "carol@example.org").allow);

    tu_store_now(&t, "2026-04-01T00:00:00Z");
    sw_ident id = {"email", "Carol@Example.org"};
    sw_objection_result o;
    assert_int_equal(sw_suppression_add(t.s, &id, NULL, &o), SW_OK);
    assert_int_equal(o.consents_withdrawn, 1);
    sw_decision d = decide(&t, MKT, "email", "carol@example.org");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_SUPPRESSED);
    assert_int_equal(d.at, tu_instant("2026-04-01T00:00:00Z"));
    /* also for the events invitations the suppression list covers */
    assert_int_equal(
        decide(&t, "business.events.invitations", "email", "carol@example.org")
            .reason,
        SW_DENY_SUPPRESSED);

    /* erased: the subject goes, the entry stays, the address is nowhere */
    sw_erase_result er;
    assert_int_equal(sw_subject_erase(t.s, c.subject, &er), SW_OK);
    d = decide(&t, MKT, "email", "carol@example.org");
    assert_int_equal(d.reason, SW_DENY_SUPPRESSED);
    tu_store_reopen(&t); /* checkpointed: everything is in the file */
    assert_false(tu_file_contains(t.path, "carol@example.org"));
    assert_false(tu_file_contains(t.path, "Carol@Example.org"));
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM suppression"),
                     1);
    /* only the hash, the channel, the dates and the rule */
    assert_int_equal(
        tu_count_sql(t.path,
                     tu_pg() ? "SELECT count(*) FROM information_schema.columns"
                               " WHERE table_name = 'suppression'"
                             : "SELECT count(*) FROM pragma_table_info("
                               "'suppression')"),
        6);
    assert_int_equal(tu_count_sql(t.path, "SELECT length(hash) FROM "
                                          "suppression"),
                     16);

    /* subscribing again lifts it once confirmed */
    r = subscribe(&t, "carol@example.org");
    assert_int_equal(decide(&t, MKT, "email", "carol@example.org").reason,
                     SW_DENY_SUPPRESSED);
    assert_int_equal(sw_consent_confirm(t.s, r.token, &c), SW_OK);
    d = decide(&t, MKT, "email", "carol@example.org");
    assert_true(d.allow);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM suppression"),
                     0);
    tu_store_free(&t);
}

static void test_unknown_address(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_decision d = decide(&t, MKT, "email", "nobody@example.net");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_NO_CONSENT);
    /* a bare unsubscribe needs no subject */
    sw_ident id = {"phone", "+44 7700 900123"};
    sw_objection_result o;
    assert_int_equal(sw_suppression_add(t.s, &id, "sms", &o), SW_OK);
    d = decide(&t, MKT, "phone", "+447700900123");
    assert_int_equal(d.reason, SW_DENY_SUPPRESSED);
    tu_store_free(&t);
}

/* ---- B2B marketing: legitimate interest while the relationship lasts ---- */

static void test_b2b_relationship(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], other[SW_ID_BUFSZ], eid[SW_ID_BUFSZ];
    add_subject(&t, "customer", "ACME", "dan@acme.example", sid);
    add_subject(&t, "customer", "ACME", "eve@acme.example", other);
    sw_decision d = decide(&t, MKT, "email", "dan@acme.example");
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_LEGITIMATE_INTEREST);
    assert_string_equal(d.activity, "b2b_marketing");
    assert_string_equal(d.basis, "6(1)(f)");

    /* Eve objects: absolute, and her entry stays until the relationship
     * ends */
    sw_who who = {other, NULL};
    sw_objection_result o;
    assert_int_equal(sw_objection_add(t.s, &who, MKT, &o), SW_OK);
    assert_true(o.suppressed);
    assert_int_equal(decide_subject(&t, MKT, other).reason, SW_DENY_SUPPRESSED);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM suppression"
                                          " WHERE rule = 'suppression.b2b'"
                                          " AND due_at IS NULL"),
                     1);

    tu_store_now(&t, "2026-06-30T00:00:00Z");
    sw_event_spec e = {"relationship_ended",
                       NULL,
                       "ACME",
                       NULL,
                       NULL,
                       tu_instant("2026-06-30T00:00:00Z"),
                       NULL};
    assert_int_equal(sw_event_add(t.s, &e, eid, NULL), SW_OK);
    d = decide(&t, MKT, "email", "dan@acme.example");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_RELATIONSHIP_ENDED);
    assert_int_equal(d.at, tu_instant("2026-06-30T00:00:00Z"));
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM suppression"
                                          " WHERE due_at IS NOT NULL"),
                     1);
    sw_sweep_report *r = sweep_at(&t, "2026-06-30T00:00:01Z");
    assert_int_equal(r->suppression_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM suppression"),
                     0);
    tu_store_free(&t);
}

/* ---- objection to other legitimate interests, and its override ---- */

static void test_objection_override(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "prospect", NULL, "fay@lead.example", sid);
    sw_decision d = decide(&t, "sales", "email", "fay@lead.example");
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_LEGITIMATE_INTEREST);
    sw_who who = {sid, NULL};
    sw_objection_result o;
    assert_int_equal(sw_objection_add(t.s, &who, "sales", &o), SW_OK);
    assert_false(o.suppressed);
    d = decide(&t, "sales", "email", "fay@lead.example");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_OBJECTED);
    assert_string_equal(d.ref, o.id);
    assert_int_equal(sw_objection_override(t.s, o.id, ""), SW_ERR_INVALID);
    assert_int_equal(
        sw_objection_override(t.s, o.id, "pending legal claim against them"),
        SW_OK);
    d = decide(&t, "sales", "email", "fay@lead.example");
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_OVERRIDE);
    assert_int_equal(sw_objection_override(t.s, o.id, "again"),
                     SW_ERR_CONFLICT);
    assert_int_equal(sw_objection_override(t.s, "obj_nope", "x"),
                     SW_ERR_NOTFOUND);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                          " action = 'objection.override'"),
                     1);
    tu_store_free(&t);
}

/* ---- restriction, children, not applicable, refusal ---- */

static void test_restricted(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "prospect", NULL, "gus@lead.example", sid);
    assert_int_equal(sw_subject_restrict(t.s, sid, true, "accuracy contested"),
                     SW_OK);
    sw_decision d = decide(&t, "sales", "email", "gus@lead.example");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_RESTRICTED);
    assert_int_equal(sw_subject_restrict(t.s, sid, false, "verified"), SW_OK);
    assert_true(decide(&t, "sales", "email", "gus@lead.example").allow);
    tu_store_free(&t);
}

/* An event participant born on 2012-05-01 signs up (a parent's consent
 * when parental). */
static void give_child(tu_store *t, const char *email, bool parental)
{
    sw_ident id = {"email", email};
    sw_who who = {NULL, &id};
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = "business.events";
    spec.method = "web_form";
    spec.new_kind = "event_participant";
    spec.has_born = true;
    spec.born = tu_instant("2012-05-01T00:00:00Z");
    spec.parental = parental;
    sw_consent_result r;
    assert_int_equal(sw_consent_give(t->s, &who, &spec, &r), SW_OK);
}

static void test_child(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    give_child(&t, "kid@example.com", false);
    sw_decision d = decide(&t, "business.events", "email", "kid@example.com");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_CHILD);
    assert_int_equal(d.at, tu_instant("2028-05-01T00:00:00Z"));
    /* at 16 the consent is theirs to give */
    tu_store_now(&t, "2028-05-01T00:00:00Z");
    assert_true(
        decide(&t, "business.events", "email", "kid@example.com").allow);
    /* a parent's consent counts before */
    tu_store_now(&t, T0);
    give_child(&t, "kid2@example.com", true);
    assert_true(
        decide(&t, "business.events", "email", "kid2@example.com").allow);
    tu_store_free(&t);
}

static void test_not_applicable_and_refused(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], cand[SW_ID_BUFSZ];
    add_subject(&t, "supplier_vendor", "PARTS", "hal@parts.example", sid);
    sw_decision d = decide(&t, REC, "email", "hal@parts.example");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_NOT_APPLICABLE);
    /* no consent to a consent purpose */
    add_subject(&t, "job_applicant", NULL, "ida@mail.example", cand);
    d = decide(&t, REC, "email", "ida@mail.example");
    assert_int_equal(d.reason, SW_DENY_NO_CONSENT);
    sw_who who = {cand, NULL};
    sw_consent_result r;
    assert_int_equal(sw_consent_refuse(t.s, &who, REC, &r), SW_OK);
    d = decide(&t, REC, "email", "ida@mail.example");
    assert_int_equal(d.reason, SW_DENY_CONSENT_REFUSED);
    assert_string_equal(d.ref, r.id);
    tu_store_free(&t);
}

/* ---- a list decided in one batch ---- */

/* A store with a subject in every state a decision tells apart. */
static void seed_every_state(tu_store *t)
{
    char sid[SW_ID_BUFSZ], eid[SW_ID_BUFSZ];
    sw_consent_result c;
    /* given, pending, withdrawn (suppressed) subscriptions */
    assert_int_equal(
        sw_consent_confirm(t->s, subscribe(t, "given@example.com").token, &c),
        SW_OK);
    subscribe(t, "pending@example.com");
    assert_int_equal(
        sw_consent_confirm(t->s, subscribe(t, "gone@example.com").token, &c),
        SW_OK);
    sw_ident gone = {"email", "gone@example.com"};
    sw_who gw = {NULL, &gone};
    size_t n;
    assert_int_equal(sw_consent_withdraw(t->s, &gw, MKT, &n), SW_OK);
    /* an unsubscribed phone no subject holds */
    sw_ident ph = {"phone", "+44 7700 900123"};
    sw_objection_result o;
    assert_int_equal(sw_suppression_add(t->s, &ph, "sms", &o), SW_OK);
    /* B2B: one customer whose relationship ended, one whose did not, one
     * who objected to sales */
    add_subject(t, "customer", "ACME", "dan@acme.example", sid);
    add_subject(t, "customer", "OLDCO", "old@oldco.example", sid);
    sw_event_spec e = {"relationship_ended",
                       NULL,
                       "OLDCO",
                       NULL,
                       NULL,
                       tu_instant("2026-02-01T00:00:00Z"),
                       NULL};
    assert_int_equal(sw_event_add(t->s, &e, eid, NULL), SW_OK);
    add_subject(t, "prospect", NULL, "fay@lead.example", sid);
    sw_who fw = {sid, NULL};
    assert_int_equal(sw_objection_add(t->s, &fw, "sales", &o), SW_OK);
    /* restricted; a child; a refusal */
    add_subject(t, "prospect", NULL, "gus@lead.example", sid);
    assert_int_equal(sw_subject_restrict(t->s, sid, true, "contested"), SW_OK);
    give_child(t, "kid@example.com", false);
    add_subject(t, "job_applicant", NULL, "ida@mail.example", sid);
    sw_who iw = {sid, NULL};
    assert_int_equal(sw_consent_refuse(t->s, &iw, REC, &c), SW_OK);
}

static void assert_same(const sw_decision *a, const sw_decision *b)
{
    assert_int_equal(a->allow, b->allow);
    assert_int_equal(a->reason, b->reason);
    assert_true(
        a->activity == b->activity ||
        (a->activity && b->activity && strcmp(a->activity, b->activity) == 0));
    assert_true(a->basis == b->basis ||
                (a->basis && b->basis && strcmp(a->basis, b->basis) == 0));
    assert_string_equal(a->ref, b->ref);
    assert_int_equal(a->has_at, b->has_at);
    assert_int_equal(a->at, b->at);
}

/* Notice 5.3, 7: a list checked in one batch gets, address by address,
 * the decision a single question gets, whatever is kept in memory. */
static void test_batch_agrees_with_single_decisions(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    seed_every_state(&t);
    static const char *const known[] = {
        "given@example.com",  " GIVEN@example.com ", "pending@example.com",
        "gone@example.com",   "+447700900123",       "07700 900123",
        "dan@acme.example",   "old@oldco.example",   "fay@lead.example",
        "gus@lead.example",   "kid@example.com",     "ida@mail.example",
        "nobody@example.net", "not-an-address",      "12"};
    enum { N = 300 }; /* more than one statement's worth */
    static char extra[N][48];
    sw_decide_item *items = calloc(N, sizeof(*items));
    assert_non_null(items);
    size_t nk = sizeof(known) / sizeof(known[0]);
    for (size_t i = 0; i < N; i++) {
        const char *v = known[i % nk];
        if (i >= 2 * nk && i % 3 == 0) {
            snprintf(extra[i], sizeof(extra[i]), "stranger%zu@example.org", i);
            v = extra[i];
        }
        items[i].id.value = v;
        items[i].id.type = strchr(v, '@') ? "email" : "phone";
    }
    items[7].id.type = "fax"; /* not a type a decision is asked for */
    static const char *const purposes[] = {MKT, "sales", "business.events",
                                           REC};
    for (size_t p = 0; p < sizeof(purposes) / sizeof(purposes[0]); p++) {
        for (int warm = 0; warm < 2; warm++) {
            /* cold: nothing kept; warm: every verdict kept already */
            if (!warm)
                sw_decide_forget(t.s);
            assert_int_equal(sw_decide_batch(t.s, purposes[p], items, N),
                             SW_OK);
            sw_decide_forget(t.s);
            for (size_t i = 0; i < N; i++) {
                sw_who who = {NULL, &items[i].id};
                sw_decision d;
                sw_status st = sw_decide(t.s, purposes[p], &who, &d);
                assert_int_equal(items[i].st, st);
                if (st != SW_OK) {
                    assert_string_equal(items[i].why, sw_errmsg(t.s));
                    continue;
                }
                assert_same(&items[i].d, &d);
            }
        }
    }
    /* the reasons the seed was made for are all there */
    assert_int_equal(sw_decide_batch(t.s, MKT, items, N), SW_OK);
    assert_true(items[0].d.allow);
    assert_int_equal(items[2].d.reason, SW_DENY_CONSENT_PENDING);
    assert_int_equal(items[3].d.reason, SW_DENY_SUPPRESSED);
    assert_int_equal(items[5].d.reason, SW_DENY_SUPPRESSED);
    assert_int_equal(items[6].d.reason, SW_ALLOW_LEGITIMATE_INTEREST);
    assert_int_equal(items[7].st, SW_ERR_INVALID);
    assert_non_null(strstr(items[7].why, "'fax'"));
    assert_int_equal(items[13].st, SW_ERR_INVALID);
    assert_int_equal(items[12].d.reason, SW_DENY_NO_CONSENT);
    assert_int_equal(sw_decide_batch(t.s, "sales", items, N), SW_OK);
    assert_int_equal(items[8].d.reason, SW_DENY_OBJECTED);
    assert_int_equal(items[9].d.reason, SW_DENY_RESTRICTED);
    assert_int_equal(sw_decide_batch(t.s, "business.events", items, N), SW_OK);
    assert_int_equal(items[10].d.reason, SW_DENY_CHILD);
    assert_int_equal(sw_decide_batch(t.s, REC, items, N), SW_OK);
    assert_int_equal(items[11].d.reason, SW_DENY_CONSENT_REFUSED);
    /* an unknown purpose fails the whole batch, naming it */
    assert_int_equal(sw_decide_batch(t.s, "marketing.spam", items, N),
                     SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t.s), "marketing.spam"));
    free(items);
    tu_store_free(&t);
}

/* Every item of a batch against the single decision read from the store
 * (nothing in memory). */
static void assert_batch_as_store(tu_store *t, const char *purpose,
                                  sw_decide_item *items, size_t n)
{
    sw_decide_forget(t->s);
    for (size_t i = 0; i < n; i++) {
        sw_who who = {NULL, &items[i].id};
        sw_decision d;
        sw_status st = sw_decide(t->s, purpose, &who, &d);
        assert_int_equal(items[i].st, st);
        if (st == SW_OK)
            assert_same(&items[i].d, &d);
        else
            assert_string_equal(items[i].why, sw_errmsg(t->s));
        sw_decide_forget(t->s);
    }
}

static bool warm(tu_store *t)
{
    sw_decide_warmth w;
    assert_int_equal(sw_decide_warm(t->s, 0, 0, &w), SW_OK);
    return w.warm;
}

/* Issue 20: the facts read into memory at once give, address by address
 * and reason by reason, the decisions read from the store one by one;
 * time passing (a consent period ending) and a change are seen. */
static void test_decisions_in_memory_agree(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    seed_every_state(&t);
    char sid[SW_ID_BUFSZ];
    /* a consent for two years; an objection overridden; a child with
     * parental consent; a second consent replacing a refusal */
    add_subject(&t, "job_applicant", NULL, "jo@mail.example", sid);
    give(&t, sid, REC, "2y");
    add_subject(&t, "prospect", NULL, "lee@lead.example", sid);
    sw_who lw = {sid, NULL};
    sw_objection_result o;
    assert_int_equal(sw_objection_add(t.s, &lw, "sales", &o), SW_OK);
    assert_int_equal(sw_objection_override(t.s, o.id, "legal claim"), SW_OK);
    give_child(&t, "teen@example.com", true);
    add_subject(&t, "job_applicant", NULL, "max@mail.example", sid);
    sw_who mw = {sid, NULL};
    sw_consent_result c;
    assert_int_equal(sw_consent_refuse(t.s, &mw, REC, &c), SW_OK);
    tu_store_now(&t, "2026-03-02T10:00:00Z"); /* the newer one, a day on */
    give(&t, sid, REC, "2y");
    add_subject(&t, "job_applicant", NULL, "wes@mail.example", sid);
    give(&t, sid, REC, "2y");
    sw_who ww = {sid, NULL};
    size_t nw;
    assert_int_equal(sw_consent_withdraw(t.s, &ww, REC, &nw), SW_OK);
    static const char *const list[] = {
        "given@example.com",   " GIVEN@example.com ",
        "pending@example.com", "gone@example.com",
        "+447700900123",       "07700 900123",
        "dan@acme.example",    "old@oldco.example",
        "fay@lead.example",    "gus@lead.example",
        "kid@example.com",     "ida@mail.example",
        "jo@mail.example",     "lee@lead.example",
        "teen@example.com",    "max@mail.example",
        "wes@mail.example",    "nobody@example.net",
        "not-an-address",      "12"};
    enum { N = sizeof(list) / sizeof(list[0]) };
    sw_decide_item items[N];
    memset(items, 0, sizeof(items));
    for (size_t i = 0; i < N; i++) {
        items[i].id.value = list[i];
        items[i].id.type = strchr(list[i], '@') ? "email" : "phone";
    }
    static const char *const purposes[] = {MKT, "sales", "business.events",
                                           REC};
    sw_reason seen[SW_DENY_NOT_APPLICABLE + 1] = {0};
    for (size_t p = 0; p < sizeof(purposes) / sizeof(purposes[0]); p++) {
        /* a batch from memory */
        assert_true(warm(&t));
        assert_int_equal(sw_decide_batch(t.s, purposes[p], items, N), SW_OK);
        assert_batch_as_store(&t, purposes[p], items, N);
        for (size_t i = 0; i < N; i++)
            if (items[i].st == SW_OK)
                seen[items[i].d.reason] = 1;
        /* single decisions from memory, each against the store's */
        for (size_t i = 0; i < N; i++) {
            assert_true(warm(&t));
            sw_who who = {NULL, &items[i].id};
            items[i].st = sw_decide(t.s, purposes[p], &who, &items[i].d);
            snprintf(items[i].why, sizeof(items[i].why), "%s",
                     items[i].st == SW_OK ? "" : sw_errmsg(t.s));
        }
        assert_batch_as_store(&t, purposes[p], items, N);
    }
    /* a long batch (decided on two threads) as the short one */
    enum { LONG = 3001 };
    sw_decide_item *many = calloc(LONG, sizeof(*many));
    assert_non_null(many);
    for (size_t i = 0; i < LONG; i++)
        many[i].id = items[i % N].id;
    for (size_t p = 0; p < sizeof(purposes) / sizeof(purposes[0]); p++) {
        assert_true(warm(&t));
        assert_int_equal(sw_decide_batch(t.s, purposes[p], items, N), SW_OK);
        sw_decide_counters before, after;
        sw_decide_counts(t.s, &before);
        assert_int_equal(sw_decide_batch(t.s, purposes[p], many, LONG), SW_OK);
        sw_decide_counts(t.s, &after);
        size_t ok = 0;
        for (size_t i = 0; i < LONG; i++) {
            assert_int_equal(many[i].st, items[i % N].st);
            assert_string_equal(many[i].why, items[i % N].why);
            if (many[i].st == SW_OK) {
                assert_same(&many[i].d, &items[i % N].d);
                ok++;
            }
        }
        assert_int_equal(
            after.allowed + after.denied - before.allowed - before.denied, ok);
    }
    free(many);
    /* every reason came up but an unknown purpose, the bases of no
     * consent or objection, and an expiry (below) */
    for (int r = SW_ALLOW_CONSENT; r <= SW_DENY_NOT_APPLICABLE; r++)
        if (r != SW_DENY_PURPOSE_UNKNOWN && r != SW_ALLOW_CONTRACT &&
            r != SW_ALLOW_LEGAL_OBLIGATION && r != SW_DENY_CONSENT_EXPIRED)
            if (!seen[r])
                fail_msg("no decision gave %s", sw_reason_code((sw_reason)r));
    /* read at T0, asked two years later: the consent period ended */
    assert_true(warm(&t));
    tu_store_now(&t, "2028-03-01T10:00:00Z");
    sw_decide_item jo = {.id = {"email", "jo@mail.example"}};
    assert_int_equal(sw_decide_batch(t.s, REC, &jo, 1), SW_OK);
    assert_int_equal(jo.d.reason, SW_DENY_CONSENT_EXPIRED);
    assert_batch_as_store(&t, REC, &jo, 1);
    /* a change through the handle forgets the facts at once */
    assert_true(warm(&t));
    sw_ident gi = {"email", "given@example.com"};
    assert_int_equal(sw_suppression_add(t.s, &gi, NULL, &o), SW_OK);
    sw_decide_warmth w;
    sw_decide_warmth_of(t.s, &w);
    assert_false(w.warm);
    sw_decide_item given = {.id = gi};
    assert_int_equal(sw_decide_batch(t.s, MKT, &given, 1), SW_OK);
    assert_int_equal(given.d.reason, SW_DENY_SUPPRESSED);
    tu_store_free(&t);
}

/* Issue 20: the facts go to memory only when they pay and fit, and say
 * why not; a handle of the same group shares them. */
static void test_decision_facts_bounded_and_shared(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    seed_every_state(&t);
    sw_decide_warmth w;
    /* one decision against a dozen addresses: one look-up is cheaper */
    assert_int_equal(sw_decide_warm(t.s, 1, 0, &w), SW_OK);
    assert_false(w.warm);
    assert_non_null(strstr(w.why, "one by one"));
    /* more than the memory allowed */
    assert_int_equal(sw_decide_warm(t.s, 0, 1024, &w), SW_OK);
    assert_false(w.warm);
    assert_true(w.too_large);
    assert_true(w.bytes > 1024);
    assert_non_null(strstr(w.why, "MiB"));
    sw_decide_warmth_of(t.s, &w);
    assert_false(w.warm);
    /* two handles of one group: the second gets the first's facts */
    sw_store_group *g = sw_store_group_new();
    assert_non_null(g);
    sw_store_options so;
    sw_store_options_init(&so);
    so.policy = t.policy;
    so.group = g;
    so.clock = t.clock;
    if (t.key[0])
        so.key_file = t.key;
    sw_store *a, *b;
    sw_error err;
    assert_int_equal(sw_store_open(t.path, &so, &a, &err), SW_OK);
    assert_int_equal(sw_store_open(t.path, &so, &b, &err), SW_OK);
    assert_int_equal(sw_decide_warm(a, 100, 0, &w), SW_OK);
    assert_true(w.warm);
    assert_true(w.subjects >= 9);
    assert_true(w.addresses >= 10);
    assert_int_equal(w.suppressed, 2);
    bool shared;
    assert_int_equal(sw_decide_share(a, b, &shared), SW_OK);
    assert_true(shared);
    sw_decide_warmth wb;
    sw_decide_warmth_of(b, &wb);
    assert_true(wb.warm);
    assert_int_equal(wb.bytes, w.bytes);
    sw_ident gi = {"email", "given@example.com"};
    sw_who who = {NULL, &gi};
    sw_decision d;
    assert_int_equal(sw_decide(b, MKT, &who, &d), SW_OK);
    assert_true(d.allow);
    /* a change through another handle of the group: both forget, and
     * what was read is not shared any more */
    sw_objection_result o;
    assert_int_equal(sw_suppression_add(a, &gi, NULL, &o), SW_OK);
    assert_int_equal(sw_decide(b, MKT, &who, &d), SW_OK);
    assert_int_equal(d.reason, SW_DENY_SUPPRESSED);
    sw_decide_warmth_of(b, &wb);
    assert_false(wb.warm);
    assert_int_equal(sw_decide_share(a, b, &shared), SW_OK);
    assert_false(shared);
    /* a change by a handle outside the group (another process): the
     * facts are not handed on */
    assert_int_equal(sw_decide_warm(a, 0, 0, &w), SW_OK);
    assert_true(w.warm);
    sw_ident di = {"email", "dan@acme.example"};
    assert_int_equal(sw_suppression_add(t.s, &di, NULL, &o), SW_OK);
    assert_int_equal(sw_decide_share(a, b, &shared), SW_OK);
    assert_false(shared);
    sw_store_close(a);
    sw_store_close(b);
    sw_store_group_free(g);
    tu_store_free(&t);
}

/* ---- contract and legal obligation ---- */

static void test_other_bases(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char cust[SW_ID_BUFSZ], req[SW_ID_BUFSZ];
    add_subject(&t, "customer", "ACME", "pat@acme.example", cust);
    sw_decision d = decide(&t, "business.contract_administration", "email",
                           "pat@acme.example");
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_CONTRACT);
    assert_string_equal(d.activity, "customer_account");
    assert_string_equal(d.basis, "6(1)(b)");
    add_subject(&t, "requester", NULL, "quinn@mail.example", req);
    d = decide_subject(&t, "privacy.requests", req);
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_LEGAL_OBLIGATION);
    assert_string_equal(d.basis, "6(1)(c)");
    char text[256];
    assert_non_null(
        strstr(sw_decision_text(&d, text, sizeof(text)), "6(1)(c)"));
    tu_store_free(&t);
}

/* ---- bad input changes nothing ---- */

static void test_bad_input(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    long before = audit_entries(&t);
    sw_ident id = {"email", "x@example.com"};
    sw_who who = {NULL, &id};
    sw_decision d;
    assert_int_equal(sw_decide(t.s, "marketing.spam", &who, &d),
                     SW_ERR_INVALID);
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_PURPOSE_UNKNOWN);
    assert_non_null(strstr(sw_errmsg(t.s), "unknown purpose 'marketing.spam'"));
    assert_non_null(strstr(sw_errmsg(t.s), MKT)); /* the list */
    sw_ident bad = {"email", "not-an-address"};
    sw_who w2 = {NULL, &bad};
    assert_int_equal(sw_decide(t.s, MKT, &w2, &d), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t.s), "not-an-address"));
    sw_ident badp = {"phone", "12"};
    sw_who w3 = {NULL, &badp};
    assert_int_equal(sw_decide(t.s, MKT, &w3, &d), SW_ERR_INVALID);
    sw_who w4 = {"sub_missing", NULL};
    assert_int_equal(sw_decide(t.s, MKT, &w4, &d), SW_ERR_NOTFOUND);
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = "nope";
    spec.method = "web_form";
    sw_consent_result r;
    assert_int_equal(sw_consent_give(t.s, &w2, &spec, &r), SW_ERR_INVALID);
    spec.purpose = MKT;
    spec.new_kind = "marketing_subscriber";
    assert_int_equal(sw_consent_give(t.s, &w2, &spec, &r), SW_ERR_INVALID);
    assert_int_equal(audit_entries(&t), before);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM subjects"), 0);
    sw_decide_counters n;
    sw_decide_counts(t.s, &n);
    assert_int_equal(n.allowed + n.denied, 0);
    tu_store_free(&t);
}

/* ---- recruitment: the consent period and the 30 days ---- */

static void test_consent_period(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "jo@mail.example", sid);
    add_record(&t, sid, "recruitment_applicants", "user.employment.experience",
               rid);
    sw_consent_result r = give(&t, sid, REC, "2y");
    assert_int_equal(r.state, SW_CONSENT_GIVEN);
    tu_store_now(&t, "2028-03-01T09:59:59Z");
    sw_decision d = decide(&t, REC, "email", "jo@mail.example");
    assert_true(d.allow);
    sw_sweep_report *rep = sweep_at(&t, "2028-03-01T09:59:59Z");
    assert_int_equal(rep->consents_expired, 0);
    assert_int_equal(rep->records, 0);
    sw_sweep_report_free(rep);
    /* at the end of the period: denied at once, deleted by the sweep */
    tu_store_now(&t, "2028-03-01T10:00:00Z");
    d = decide(&t, REC, "email", "jo@mail.example");
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_CONSENT_EXPIRED);
    assert_int_equal(d.at, tu_instant("2028-03-01T10:00:00Z"));
    rep = sweep_at(&t, "2028-03-01T10:00:00Z");
    assert_int_equal(rep->consents_expired, 1);
    assert_int_equal(rep->records, 1);
    assert_int_equal(rep->subjects_removed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM records"), 0);
    tu_store_free(&t);
}

static void test_withdrawal_makes_due(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "kim@mail.example", sid);
    add_record(&t, sid, "recruitment_applicants", "user.employment.education",
               rid);
    sw_consent_result r = give(&t, sid, REC, "2y");
    assert_true(decide(&t, REC, "email", "kim@mail.example").allow);
    tu_store_now(&t, "2026-05-01T00:00:00Z");
    sw_ident id = {"email", "kim@mail.example"};
    sw_who who = {NULL, &id};
    size_t n;
    assert_int_equal(sw_consent_withdraw(t.s, &who, NULL, &n), SW_OK);
    assert_int_equal(n, 1);
    sw_decision d = decide(&t, REC, "email", "kim@mail.example");
    assert_int_equal(d.reason, SW_DENY_CONSENT_WITHDRAWN);
    assert_string_equal(d.ref, r.id);
    assert_int_equal(d.at, tu_instant("2026-05-01T00:00:00Z"));
    sw_sweep_report *rep = sweep_at(&t, "2026-05-01T00:00:00Z");
    assert_int_equal(rep->records, 1);
    sw_sweep_report_free(rep);
    /* withdrawing what is not there is refused */
    char s2[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "lea@mail.example", s2);
    sw_who w2 = {s2, NULL};
    assert_int_equal(sw_consent_withdraw(t.s, &w2, REC, &n), SW_ERR_NOTFOUND);
    tu_store_free(&t);
}

static void sourced(tu_store *t, char *sid, char *rid)
{
    add_subject(t, "sourced_candidate", NULL, "max@mail.example", sid);
    add_record(t, sid, "sourced_candidates", "user.employment.experience", rid);
    sw_who who = {sid, NULL};
    sw_consent_result r;
    assert_int_equal(sw_consent_request(t->s, &who, REC, &r), SW_OK);
    assert_int_equal(r.state, SW_CONSENT_REQUESTED);
}

static void test_sourced_30_days(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    sourced(&t, sid, rid);
    /* asking is on legitimate interests; a pending request is not consent */
    assert_int_equal(decide(&t, REC, "email", "max@mail.example").reason,
                     SW_DENY_CONSENT_PENDING);
    sw_sweep_report *rep = sweep_at(&t, "2026-03-31T09:59:59Z");
    assert_int_equal(rep->records, 0);
    sw_sweep_report_free(rep);
    rep = sweep_at(&t, "2026-03-31T10:00:00Z");
    assert_int_equal(rep->records, 1);
    /* the request unanswered keeps nothing: the candidate goes with it */
    assert_int_equal(rep->subjects_removed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM subjects"), 0);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"), 0);
    tu_store_free(&t);

    /* consent within the 30 days keeps the candidate */
    tu_store_new(&t, T0);
    sourced(&t, sid, rid);
    tu_store_now(&t, "2026-03-20T00:00:00Z");
    give(&t, sid, REC, "2y");
    rep = sweep_at(&t, "2026-04-30T00:00:00Z");
    assert_int_equal(rep->records, 0);
    sw_sweep_report_free(rep);
    assert_true(decide(&t, REC, "email", "max@mail.example").allow);
    /* ... for the consent's 2 years: then the record goes */
    rep = sweep_at(&t, "2028-03-19T23:59:59Z");
    assert_int_equal(rep->records, 0);
    sw_sweep_report_free(rep);
    rep = sweep_at(&t, "2028-03-20T00:00:00Z");
    assert_int_equal(rep->consents_expired, 1);
    assert_int_equal(rep->records, 1);
    assert_string_equal(rep->groups[0].rule,
                        "recruitment.sourced_consent_period");
    sw_sweep_report_free(rep);
    tu_store_free(&t);
}

/* An activity that keeps its data for the consent's period (notice 5.8,
 * 13) takes no consent without a period: refused with a message saying
 * so, nothing stored; with the policy's consent_period it takes that. */
static void test_consent_needs_its_period(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "pia@mail.example", sid);
    sw_who who = {sid, NULL};
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = REC;
    spec.method = "recruitment_software";
    sw_consent_result r;
    long before = audit_entries(&t);
    assert_int_equal(sw_consent_give(t.s, &who, &spec, &r), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t.s), "period of the consent"));
    assert_non_null(strstr(sw_errmsg(t.s), "recruitment_applicants"));
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"), 0);
    assert_int_equal(audit_entries(&t), before);
    tu_store_free(&t);

    /* a policy default for the activity serves when none is given */
    tu_store_new(&t, T0);
    sw_activity *a = (sw_activity *)sw_policy_activity(
        t.policy, "recruitment_applicants"); /* the store reads this one */
    a->consent_period = (sw_duration){1, 0, 0};
    add_subject(&t, "job_applicant", NULL, "pia@mail.example", sid);
    who.subject = sid;
    assert_int_equal(sw_consent_give(t.s, &who, &spec, &r), SW_OK);
    sw_consent_view v;
    assert_int_equal(sw_consent_show(t.s, r.id, &v, NULL, NULL), SW_OK);
    assert_true(v.has_expiry);
    assert_int_equal(v.expires_at, tu_instant("2027-03-01T10:00:00Z"));
    tu_store_free(&t);
}

/* ---- cookies and Global Privacy Control ---- */

typedef struct gpc_seen {
    const char *purpose;
    char method[64];
    bool found;
    char id[SW_ID_BUFSZ];
} gpc_seen;

static int find_purpose(const sw_consent_view *c, void *p)
{
    gpc_seen *g = p;
    if (!g->found && strcmp(c->purpose, g->purpose) == 0) {
        g->found = true;
        snprintf(g->method, sizeof(g->method), "%s", c->method);
        snprintf(g->id, sizeof(g->id), "%s", c->id);
    }
    return 0;
}

typedef struct change_seen {
    sw_consent_state state;
    char note[128];
} change_seen;

static int last_change(const sw_consent_change *c, void *p)
{
    change_seen *ch = p;
    ch->state = c->state;
    snprintf(ch->note, sizeof(ch->note), "%s", c->note);
    return 0;
}

static void test_cookies_gpc(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    const char *an = t.policy->consent.cookie_analytics;
    const char *ad = t.policy->consent.cookie_advertising;
    const char *nec = t.policy->consent.cookie_necessary;
    assert_int_equal(sw_cookie_choose(t.s, "v-123", SW_COOKIE_ACCEPT,
                                      SW_COOKIE_REFUSE, false),
                     SW_OK);
    assert_true(decide(&t, an, "visitor", "v-123").allow);
    assert_int_equal(decide(&t, ad, "visitor", "v-123").reason,
                     SW_DENY_CONSENT_REFUSED);
    sw_decision d = decide(&t, nec, "visitor", "v-123");
    assert_true(d.allow);
    assert_int_equal(d.reason, SW_ALLOW_LEGITIMATE_INTEREST);
    /* Sec-GPC: 1 opts out of both, whatever was accepted */
    assert_int_equal(sw_cookie_choose(t.s, "v-123", SW_COOKIE_ACCEPT,
                                      SW_COOKIE_ACCEPT, true),
                     SW_OK);
    assert_int_equal(decide(&t, an, "visitor", "v-123").reason,
                     SW_DENY_CONSENT_WITHDRAWN);
    assert_false(decide(&t, ad, "visitor", "v-123").allow);
    assert_true(decide(&t, nec, "visitor", "v-123").allow);
    /* a visitor never asked has given nothing */
    assert_int_equal(sw_cookie_choose(t.s, "v-9", SW_COOKIE_UNCHANGED,
                                      SW_COOKIE_UNCHANGED, true),
                     SW_OK);
    assert_int_equal(decide(&t, an, "visitor", "v-9").reason,
                     SW_DENY_CONSENT_REFUSED);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"
                                          " WHERE method ="
                                          " 'global_privacy_control'"),
                     2); /* v-9's two refusals */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM"
                                          " consent_changes WHERE note ="
                                          " 'global_privacy_control'"),
                     1); /* v-123's analytics withdrawal */
    /* the withdrawal names its method in the consent's history and in its
     * audit entry; the consent keeps the method it was given with */
    sw_ident vis = {"visitor", "v-123"};
    sw_who who = {NULL, &vis};
    gpc_seen g = {an, "", false, ""};
    assert_int_equal(sw_consent_list(t.s, &who, find_purpose, &g), SW_OK);
    assert_true(g.found);
    assert_string_equal(g.method, "cookie_settings");
    change_seen ch = {0};
    sw_consent_view cv;
    assert_int_equal(sw_consent_show(t.s, g.id, &cv, last_change, &ch), SW_OK);
    assert_int_equal(ch.state, SW_CONSENT_WITHDRAWN);
    assert_string_equal(ch.note, "global_privacy_control");
    assert_int_equal(
        tu_count_sql(t.path,
                     "SELECT count(*) FROM audit WHERE action ="
                     " 'consent.withdraw' AND details LIKE"
                     " '%\"change_method\":\"global_privacy_control\"%'"),
        1);
    tu_store_free(&t);
}

/* The privacy centre's cookie banner asks the library, not itself, what a
 * visitor's cookies may do; a GPC signal refuses what was accepted, once. */
static void test_cookie_state_gpc_is_a_standing_objection(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_cookie_view v;
    long before = audit_entries(&t);
    assert_int_equal(sw_cookie_state(t.s, "v-new", false, &v), SW_OK);
    assert_true(v.necessary);
    assert_false(v.analytics || v.advertising || v.gpc);
    assert_int_equal(audit_entries(&t), before); /* asking changes nothing */
    assert_int_equal(sw_cookie_choose(t.s, "v-new", SW_COOKIE_ACCEPT,
                                      SW_COOKIE_REFUSE, false),
                     SW_OK);
    assert_int_equal(sw_cookie_state(t.s, "v-new", false, &v), SW_OK);
    assert_true(v.analytics);
    assert_false(v.advertising);
    before = audit_entries(&t);
    assert_int_equal(sw_cookie_state(t.s, "v-new", true, &v), SW_OK);
    assert_true(v.gpc);
    assert_false(v.analytics || v.advertising);
    assert_true(audit_entries(&t) > before); /* the refusal, recorded */
    assert_int_equal(
        decide(&t, t.policy->consent.cookie_analytics, "visitor", "v-new")
            .reason,
        SW_DENY_CONSENT_WITHDRAWN);
    before = audit_entries(&t);
    assert_int_equal(sw_cookie_state(t.s, "v-new", true, &v), SW_OK);
    assert_int_equal(audit_entries(&t), before); /* once */
    assert_int_equal(sw_cookie_state(t.s, "", false, &v), SW_ERR_INVALID);
    tu_store_free(&t);
}

/* Handles of one group (a daemon's pool) see each other's changes at
 * once, not after the refresh interval; each counts its own decisions. */
static void test_group_sees_changes_at_once(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "ola@mail.example", sid);
    give(&t, sid, REC, "2y");
    sw_store_group *g = sw_store_group_new();
    assert_non_null(g);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = t.policy;
    o.clock = t.clock;
    o.key_file = t.key[0] ? t.key : NULL;
    o.group = g;
    sw_store *a, *b;
    sw_error err;
    assert_int_equal(sw_store_open(t.path, &o, &a, &err), SW_OK);
    assert_int_equal(sw_store_open(t.path, &o, &b, &err), SW_OK);
    sw_ident id = {"email", "ola@mail.example"};
    sw_who by_mail = {NULL, &id}, by_id = {sid, NULL};
    sw_decision d;
    assert_int_equal(sw_decide(a, REC, &by_mail, &d), SW_OK);
    assert_true(d.allow);
    size_t n;
    assert_int_equal(sw_consent_withdraw(b, &by_id, REC, &n), SW_OK);
    assert_int_equal(sw_decide(a, REC, &by_mail, &d), SW_OK); /* same second */
    assert_false(d.allow);
    assert_int_equal(d.reason, SW_DENY_CONSENT_WITHDRAWN);
    assert_int_equal(sw_decide(b, REC, &by_mail, &d), SW_OK);
    sw_decide_counters ca, cb;
    sw_decide_counts(a, &ca);
    sw_decide_counts(b, &cb);
    assert_int_equal(ca.allowed, 1);
    assert_int_equal(ca.denied, 1);
    assert_int_equal(cb.allowed + cb.denied, 1);
    sw_store_close(a);
    sw_store_close(b);
    sw_store_group_free(g);
    tu_store_free(&t);
}

/* Regression: a withdrawal walks copies of every consent of the subject;
 * past 64 of them the copies' array moved and their strings dangled
 * (heap use-after-free in the sanitized build, out_of_memory in others). */
static void test_withdraw_after_many_consents(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    const char *an = t.policy->consent.cookie_analytics;
    const char *ad = t.policy->consent.cookie_advertising;
    for (int i = 0; i < 50; i++) {
        char now[SW_INSTANT_BUFSZ];
        tu_store_now(&t, sw_instant_format(tu_instant(T0) + 60 * i, now));
        assert_int_equal(sw_cookie_choose(t.s, "v-many", SW_COOKIE_ACCEPT,
                                          SW_COOKIE_ACCEPT, false),
                         SW_OK);
        assert_true(decide(&t, an, "visitor", "v-many").allow);
        if (sw_cookie_choose(t.s, "v-many", SW_COOKIE_REFUSE, SW_COOKIE_REFUSE,
                             false) != SW_OK)
            fail_msg("round %d: %s", i, sw_errmsg(t.s));
        assert_int_equal(decide(&t, an, "visitor", "v-many").reason,
                         SW_DENY_CONSENT_WITHDRAWN);
        assert_false(decide(&t, ad, "visitor", "v-many").allow);
    }
    /* every consent given was withdrawn, under its own id */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"),
                     100);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM consents"
                                          " WHERE state = 'withdrawn'"),
                     100);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(DISTINCT consent_id)"
                                          " FROM consent_changes WHERE"
                                          " state = 'withdrawn'"),
                     100);
    tu_store_free(&t);
}

/* Regression: choices made within one second were ordered by their random
 * ids, so the newest consent could be an older one. */
static void test_newest_of_a_second_is_the_last_made(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0); /* the clock stands still */
    const char *an = t.policy->consent.cookie_analytics;
    for (int i = 0; i < 12; i++) {
        bool yes = i % 2 == 0;
        assert_int_equal(
            sw_cookie_choose(t.s, "v-fast",
                             yes ? SW_COOKIE_ACCEPT : SW_COOKIE_REFUSE,
                             SW_COOKIE_UNCHANGED, false),
            SW_OK);
        if (decide(&t, an, "visitor", "v-fast").allow != yes)
            fail_msg("choice %d: the decision follows an older consent", i);
    }
    tu_store_free(&t);
}

/* ---- the receipt ---- */

static void test_receipt(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "ned@mail.example", sid);
    sw_consent_result r = give(&t, sid, REC, "1y");
    char *text;
    assert_int_equal(sw_consent_receipt(t.s, r.id, &text), SW_OK);
    json_error_t err;
    json_t *o = json_loads(text, 0, &err);
    free(text);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "version")),
                        "KI-CR-v1.1.0");
    /* a receipt's id: a version-4 UUID of its own, new at every print */
    const char *rid = json_string_value(json_object_get(o, "consentReceiptID"));
    assert_non_null(rid);
    assert_int_equal(strlen(rid), 36);
    assert_true(rid[8] == '-' && rid[13] == '-' && rid[18] == '-' &&
                rid[23] == '-');
    assert_int_equal(rid[14], '4');
    assert_non_null(strchr("89ab", rid[19]));
    char first[37];
    snprintf(first, sizeof(first), "%s", rid);
    char *again;
    assert_int_equal(sw_consent_receipt(t.s, r.id, &again), SW_OK);
    json_t *o2 = json_loads(again, 0, &err);
    free(again);
    assert_string_not_equal(
        json_string_value(json_object_get(o2, "consentReceiptID")), first);
    json_decref(o2);
    assert_int_equal(json_integer_value(json_object_get(o, "consentTimestamp")),
                     tu_instant(T0));
    assert_string_equal(json_string_value(json_object_get(o, "piiPrincipalId")),
                        sid);
    json_t *ctl = json_array_get(json_object_get(o, "piiControllers"), 0);
    assert_string_equal(
        json_string_value(json_object_get(ctl, "piiController")),
        t.policy->controller.name);
    /* the Kantara field table: a phone, and the address as an object */
    assert_string_equal(json_string_value(json_object_get(ctl, "phone")),
                        t.policy->controller.phone);
    json_t *addr = json_object_get(ctl, "address");
    assert_true(json_is_object(addr));
    assert_string_equal(
        json_string_value(json_object_get(addr, "addressCountry")), "GB");
    assert_string_equal(
        json_string_value(json_object_get(addr, "streetAddress")),
        t.policy->controller.postal.street);
    json_t *svc = json_array_get(json_object_get(o, "services"), 0);
    json_t *pur = json_array_get(json_object_get(svc, "purposes"), 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(pur, "purposeCategory"), 0)),
                        REC);
    assert_true(json_array_size(json_object_get(pur, "piiCategory")) > 0);
    /* one string naming the recipients, when there are any */
    json_t *third = json_object_get(pur, "thirdPartyName");
    assert_true(json_is_true(json_object_get(pur, "thirdPartyDisclosure"))
                    ? json_is_string(third)
                    : third == NULL);
    assert_non_null(strstr(
        json_string_value(json_object_get(pur, "termination")), "2027-03-01"));
    json_decref(o);
    assert_int_equal(sw_consent_receipt(t.s, "con_none", &text),
                     SW_ERR_NOTFOUND);
    tu_store_free(&t);
}

/* A consent to business.events covers every activity that pursues it on
 * consent, dietary requirements (a special category, 9(2)(a)) among
 * them: the receipt lists each as a service and is sensitive. */
static void test_receipt_covers_every_activity_of_the_consent(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "event_participant", NULL, "eve@mail.example", sid);
    sw_consent_result r = give(&t, sid, "business.events", "1y");
    char *text;
    assert_int_equal(sw_consent_receipt(t.s, r.id, &text), SW_OK);
    json_t *o = json_loads(text, 0, NULL);
    free(text);
    size_t want = 0;
    bool dietary = false;
    for (size_t i = 0; i < t.policy->n_activities; i++) {
        const sw_activity *a = &t.policy->activities[i];
        bool consent = false;
        for (size_t j = 0; j < a->n_bases; j++)
            consent |=
                strcmp(a->bases[j].basis, "6(1)(a)") == 0 &&
                (a->bases[j].purposes.n == 0 ||
                 sw_strs_contains(&a->bases[j].purposes, "business.events"));
        if (consent && sw_strs_contains(&a->purposes, "business.events") &&
            sw_strs_contains(&a->subjects, "event_participant")) {
            want++;
            dietary |= strcmp(a->id, "event_dietary") == 0;
        }
    }
    assert_true(dietary);
    assert_true(want > 1);
    json_t *svcs = json_object_get(o, "services");
    assert_int_equal(json_array_size(svcs), want);
    bool listed = false;
    size_t i;
    json_t *svc;
    json_array_foreach(svcs, i, svc) listed |=
        strcmp(json_string_value(json_object_get(svc, "service")),
               sw_policy_activity(t.policy, "event_dietary")->name) == 0;
    assert_true(listed);
    assert_true(json_is_true(json_object_get(o, "sensitive")));
    json_t *spi = json_object_get(o, "spiCat");
    assert_int_equal(json_array_size(spi), 1);
    assert_string_equal(json_string_value(json_array_get(spi, 0)),
                        "user.health_and_medical.dietary");
    json_decref(o);
    tu_store_free(&t);
}

/* Signed receipts: a JWS (EdDSA, the store's key) that verifies with the
 * store, and fails once changed or against another store. */
static void test_receipt_jws_verifies(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "ned@mail.example", sid);
    sw_consent_result r = give(&t, sid, REC, "1y");
    char *jws;
    assert_int_equal(sw_consent_receipt_jws(t.s, r.id, &jws), SW_OK);
    assert_non_null(jws);
    char *d1 = strchr(jws, '.');
    char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    /* the protected header says EdDSA */
    char header[256];
    size_t hl = 0;
    assert_int_equal(
        sodium_base642bin((unsigned char *)header, sizeof(header) - 1, jws,
                          (size_t)(d1 - jws), NULL, &hl, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING),
        0);
    header[hl] = 0;
    json_t *h = json_loads(header, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "EdDSA");
    json_decref(h);
    char *payload = NULL;
    assert_int_equal(sw_consent_receipt_verify(t.s, jws, &payload), SW_OK);
    json_t *o = json_loads(payload, 0, NULL);
    free(payload);
    assert_string_equal(json_string_value(json_object_get(o, "piiPrincipalId")),
                        sid);
    assert_non_null(json_string_value(json_object_get(o, "publicKey")));
    json_decref(o);
    /* one byte of the body changed: refused */
    char *bad = strdup(jws);
    size_t at = (size_t)(d1 - jws) + 5;
    bad[at] = bad[at] == 'A' ? 'B' : 'A';
    assert_int_equal(sw_consent_receipt_verify(t.s, bad, &payload),
                     SW_ERR_CRYPTO);
    assert_null(payload);
    free(bad);
    assert_int_equal(sw_consent_receipt_verify(t.s, "not.a jws", &payload),
                     SW_ERR_SYNTAX);
    assert_int_equal(sw_consent_receipt_verify(t.s, "nodots", &payload),
                     SW_ERR_SYNTAX);
    /* another store's key does not vouch for it */
    tu_store other;
    tu_store_new(&other, T0);
    assert_int_equal(sw_consent_receipt_verify(other.s, jws, &payload),
                     SW_ERR_CRYPTO);
    tu_store_free(&other);
    free(jws);
    tu_store_free(&t);
}

/* ---- what the handle keeps never outlives a change ---- */

static void test_decision_follows_changes(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ];
    add_subject(&t, "job_applicant", NULL, "ola@mail.example", sid);
    for (int i = 0; i < 3; i++) /* kept in memory */
        assert_int_equal(decide(&t, REC, "email", "ola@mail.example").reason,
                         SW_DENY_NO_CONSENT);
    give(&t, sid, REC, "2y");
    assert_true(decide(&t, REC, "email", "ola@mail.example").allow);
    assert_true(decide_subject(&t, REC, sid).allow);
    /* another handle's change is seen after the refresh interval */
    sw_store *other;
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = t.policy;
    o.clock = t.clock;
    o.key_file = t.key[0] ? t.key : NULL;
    sw_error err;
    assert_int_equal(sw_store_open(t.path, &o, &other, &err), SW_OK);
    sw_who who = {sid, NULL};
    size_t n;
    assert_int_equal(sw_consent_withdraw(other, &who, REC, &n), SW_OK);
    sw_store_close(other);
    assert_true(decide(&t, REC, "email", "ola@mail.example").allow);
    tu_store_now(&t, "2026-03-01T10:00:01Z");
    assert_int_equal(decide(&t, REC, "email", "ola@mail.example").reason,
                     SW_DENY_CONSENT_WITHDRAWN);
    sw_decide_counters c;
    sw_decide_counts(t.s, &c);
    assert_int_equal(c.allowed, 3);
    assert_int_equal(c.denied, 4);
    tu_store_free(&t);
}

/* ---- the one-click link: sealed, opened only by its store ---- */

static void test_unsubscribe_link(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    sw_ident id = {"email", "  Liz@Example.COM "};
    char token[SW_LINK_TOKEN_BUFSZ];
    assert_int_equal(sw_unsubscribe_link(t.s, &id, NULL, token), SW_OK);
    /* URL-safe, and the address is not readable in it */
    assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                   "opqrstuvwxyz0123456789-_"),
                     strlen(token));
    assert_null(strstr(token, "liz"));
    char type[SW_LINK_TOKEN_BUFSZ], value[SW_LINK_TOKEN_BUFSZ],
        channel[SW_LINK_TOKEN_BUFSZ];
    assert_int_equal(sw_unsubscribe_link_open(t.s, token, type, value, channel),
                     SW_OK);
    assert_string_equal(type, "email");
    assert_string_equal(value, "liz@example.com");
    assert_string_equal(channel, "email");
    /* two links of one address differ (a fresh nonce each) */
    char again[SW_LINK_TOKEN_BUFSZ];
    assert_int_equal(sw_unsubscribe_link(t.s, &id, "email", again), SW_OK);
    assert_string_not_equal(token, again);
    /* one changed character, or another store's key: refused */
    token[10] = token[10] == 'A' ? 'B' : 'A';
    assert_int_equal(sw_unsubscribe_link_open(t.s, token, type, value, channel),
                     SW_ERR_DENIED);
    assert_int_equal(sw_unsubscribe_link_open(t.s, "", type, value, channel),
                     SW_ERR_DENIED);
    tu_store other;
    tu_store_new(&other, T0);
    assert_int_equal(
        sw_unsubscribe_link_open(other.s, again, type, value, channel),
        SW_ERR_DENIED);
    tu_store_free(&other);
    /* not for an identifier that is not an address */
    sw_ident imsi = {"imsi", "234150000000465"};
    assert_int_equal(sw_unsubscribe_link(t.s, &imsi, NULL, token),
                     SW_ERR_INVALID);
    /* opened, it unsubscribes: the decision denies */
    assert_int_equal(sw_unsubscribe_link_open(t.s, again, type, value, channel),
                     SW_OK);
    sw_ident addr = {type, value};
    sw_objection_result r;
    assert_int_equal(sw_suppression_add(t.s, &addr, channel, &r), SW_OK);
    assert_int_equal(decide(&t, MKT, "email", "liz@example.com").reason,
                     SW_DENY_SUPPRESSED);
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_opt_in),
        cmocka_unit_test(test_expired_token),
        cmocka_unit_test(test_pending_survives_sweeps),
        cmocka_unit_test(test_unconfirmed_subscription_goes),
        cmocka_unit_test(test_unsubscribe_survives_erasure),
        cmocka_unit_test(test_unknown_address),
        cmocka_unit_test(test_b2b_relationship),
        cmocka_unit_test(test_objection_override),
        cmocka_unit_test(test_restricted),
        cmocka_unit_test(test_child),
        cmocka_unit_test(test_not_applicable_and_refused),
        cmocka_unit_test(test_other_bases),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_consent_period),
        cmocka_unit_test(test_withdrawal_makes_due),
        cmocka_unit_test(test_sourced_30_days),
        cmocka_unit_test(test_consent_needs_its_period),
        cmocka_unit_test(test_cookies_gpc),
        cmocka_unit_test(test_cookie_state_gpc_is_a_standing_objection),
        cmocka_unit_test(test_group_sees_changes_at_once),
        cmocka_unit_test(test_withdraw_after_many_consents),
        cmocka_unit_test(test_newest_of_a_second_is_the_last_made),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_receipt_covers_every_activity_of_the_consent),
        cmocka_unit_test(test_receipt_jws_verifies),
        cmocka_unit_test(test_decision_follows_changes),
        cmocka_unit_test(test_unsubscribe_link),
        cmocka_unit_test(test_batch_agrees_with_single_decisions),
        cmocka_unit_test(test_decisions_in_memory_agree),
        cmocka_unit_test(test_decision_facts_bounded_and_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
