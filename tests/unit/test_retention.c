/* SPDX-License-Identifier: Apache-2.0 */
/* The sweep: every rule of the notice with a period, driven through a real
 * sweep at chosen instants (the second before due: kept; on the due
 * instant: gone); holds; dry runs; certificates; aggregates. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define T0 "2024-03-15T10:00:00Z"

static sw_policy *policy;

/* How many rows a query counts in the test store's file. */
static long count_sql(tu_store *t, const char *sql)
{
    return tu_count_sql(t->path, sql);
}

static sw_sweep_report *sweep_at(tu_store *t, const char *now, bool dry)
{
    if (!dry)
        return tu_sweep(t, now);
    tu_store_now(t, now);
    sw_sweep_options o = {dry, 0, NULL, NULL};
    sw_sweep_report *r = NULL;
    if (sw_sweep(t->s, &o, &r) != SW_OK)
        fail_msg("sweep: %s", sw_errmsg(t->s));
    return r;
}

static size_t records_left(tu_store *t)
{
    return (size_t)count_sql(t, "SELECT count(*) FROM records");
}

/* ---- one test per rule with a period ---- */

static void test_retention__rule(void **state)
{
    const sw_rule *rule = *state;
    const sw_activity *a = rule->activity;
    const char *kind =
        rule->subjects.n ? rule->subjects.v[0] : a->subjects.v[0];
    const char *category = NULL;
    for (size_t i = 0; i < a->categories.n && !category; i++)
        for (size_t j = 0; j < rule->categories.n && !category; j++)
            if (sw_category_covers(rule->categories.v[j], a->categories.v[i]))
                category = a->categories.v[i];
    assert_non_null(category);
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ], eid[SW_ID_BUFSZ];
    sw_subject_spec spec = {kind, "ACME", NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    sw_record_spec r = {sid, a->id, category, "personal value",
                        14,  NULL,  true,     tu_instant(T0),
                        NULL};
    assert_int_equal(sw_record_add(t.s, &r, rid, NULL), SW_OK);
    const sw_trigger *tr = sw_policy_trigger(policy, rule->after);
    if (tr->scope != SW_SCOPE_RECORD) {
        sw_event_spec e = {rule->after,    sid, NULL, NULL, NULL,
                           tu_instant(T0), NULL};
        assert_int_equal(sw_event_add(t.s, &e, eid, NULL), SW_OK);
    }
    sw_instant due;
    assert_int_equal(sw_rule_due(rule, tu_instant(T0), &due), SW_OK);
    char before[SW_INSTANT_BUFSZ], at[SW_INSTANT_BUFSZ];
    sw_instant_format(due - 1, before);
    sw_instant_format(due, at);

    sw_sweep_report *rep = sweep_at(&t, before, false);
    assert_int_equal(rep->records, 0);
    sw_sweep_report_free(rep);
    assert_int_equal(records_left(&t), 1);

    rep = sweep_at(&t, at, false);
    assert_int_equal(rep->records, 1);
    assert_int_equal(rep->n_groups, 1);
    assert_string_equal(rep->groups[0].rule, rule->id);
    assert_string_equal(rep->groups[0].section, rule->section);
    assert_string_equal(rep->groups[0].action, sw_action_name(rule->action));
    assert_int_equal(rep->subjects_removed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(records_left(&t), 0);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM subjects"), 0);
    /* What survives is a count, with nothing personal. */
    assert_int_equal(count_sql(&t, "SELECT sum(count) FROM aggregates"), 1);
    tu_store_free(&t);
}

/* ---- holds and the sweep's promises ---- */

typedef struct fx {
    tu_store t;
    char sid[SW_ID_BUFSZ], other[SW_ID_BUFSZ];
    char rids[8][SW_ID_BUFSZ];
} fx;

/* Two prospects whose records are due 2026-02-28T16:00:00Z; the second
 * also has a record that is not due. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    tu_store_new(&f->t, "2025-09-01T00:00:00Z");
    sw_subject_spec a = {"prospect", "LEADS", NULL, NULL, 0, NULL};
    sw_subject_spec b = {"prospect", "OTHER", NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(f->t.s, &a, f->sid), SW_OK);
    assert_int_equal(sw_subject_add(f->t.s, &b, f->other), SW_OK);
    sw_record_spec r = {
        f->sid, "sales_prospects", "user.name", "Lee Ad", 6, NULL, false, 0,
        NULL};
    assert_int_equal(sw_record_add(f->t.s, &r, f->rids[0], NULL), SW_OK);
    r.category = "user.job_title";
    assert_int_equal(sw_record_add(f->t.s, &r, f->rids[1], NULL), SW_OK);
    r.subject = f->other;
    assert_int_equal(sw_record_add(f->t.s, &r, f->rids[2], NULL), SW_OK);
    char eid[SW_ID_BUFSZ];
    sw_event_spec e = {"last_contact",
                       NULL,
                       "LEADS",
                       NULL,
                       NULL,
                       tu_instant("2025-08-31T16:00:00Z"),
                       NULL};
    assert_int_equal(sw_event_add(f->t.s, &e, eid, NULL), SW_OK);
    e.account = "OTHER";
    assert_int_equal(sw_event_add(f->t.s, &e, eid, NULL), SW_OK);
    /* a record of the second subject with no due date */
    sw_record_spec c = {f->other,
                        "sales_prospects",
                        "user.contact.email",
                        "o@example.com",
                        13,
                        NULL,
                        false,
                        0,
                        NULL};
    assert_int_equal(sw_record_add(f->t.s, &c, f->rids[3], NULL), SW_OK);
    e.type = "agreement_concluded"; /* cancels only for OTHER... */
    e.account = NULL;
    e.record = f->rids[3]; /* ...and only this record */
    assert_int_equal(sw_event_add(f->t.s, &e, eid, NULL), SW_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tu_store_free(&f->t);
    free(f);
    return 0;
}

#define DUE "2026-02-28T16:00:00Z"

static void test_retention__hold_suspends_deletion(void **state)
{
    fx *f = *state;
    char hold[SW_ID_BUFSZ];
    assert_int_equal(sw_hold_place(f->t.s, "account:LEADS", "litigation",
                                   "case 2026-114", hold),
                     SW_OK);
    sw_sweep_report *r = sweep_at(&f->t, DUE, false);
    assert_int_equal(r->records, 1); /* OTHER's due record */
    assert_int_equal(r->held, 2);
    assert_int_equal(r->n_held, 1);
    assert_string_equal(r->held_by[0].hold, hold);
    assert_string_equal(r->held_by[0].kind, "litigation");
    assert_int_equal(r->held_by[0].records, 2);
    sw_sweep_report_free(r);
    assert_int_equal(records_left(&f->t), 3);
    /* Every later sweep keeps them too. */
    r = sweep_at(&f->t, "2030-01-01T00:00:00Z", false);
    assert_int_equal(r->records, 0);
    assert_int_equal(r->held, 2);
    sw_sweep_report_free(r);
    /* After release the next sweep deletes what is due. */
    assert_int_equal(sw_hold_release(f->t.s, hold), SW_OK);
    assert_int_equal(sw_hold_release(f->t.s, hold), SW_ERR_CONFLICT);
    r = sweep_at(&f->t, "2030-01-01T00:00:00Z", false);
    assert_int_equal(r->records, 2);
    assert_int_equal(r->held, 0);
    sw_sweep_report_free(r);
    assert_int_equal(records_left(&f->t), 1); /* the undue one */
}

/* A swept record takes its own events with it; a kept record keeps its
 * own. Without holds (a range of the due index) and with one (a query
 * that leaves out what holds cover). */
static void swept_records_take_their_events(fx *f, bool with_hold)
{
    char eid[SW_ID_BUFSZ], hold[SW_ID_BUFSZ];
    sw_event_spec e = {"last_contact",
                       NULL,
                       NULL,
                       NULL,
                       f->rids[0],
                       tu_instant("2025-08-31T16:00:00Z"),
                       NULL};
    assert_int_equal(sw_event_add(f->t.s, &e, eid, NULL), SW_OK);
    const char *count = "SELECT count(*) FROM events WHERE scope = 0";
    assert_int_equal(count_sql(&f->t, count), 2);
    if (with_hold) /* it covers the record that is not due */
        assert_int_equal(sw_hold_place(f->t.s, "account:OTHER", "investigation",
                                       "case 7", hold),
                         SW_OK);
    sw_sweep_report *r = sweep_at(&f->t, DUE, false);
    assert_int_equal(r->records, with_hold ? 2 : 3);
    sw_sweep_report_free(r);
    /* the event of the record not due is still there */
    assert_int_equal(count_sql(&f->t, count), 1);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM events WHERE scope = 0 AND"
             " CAST(scope_key AS TEXT) = '%s'",
             f->rids[3]);
    if (!tu_pg())
        assert_int_equal(count_sql(&f->t, sql), 1);
}

static void test_retention__swept_records_take_their_events(void **state)
{
    swept_records_take_their_events(*state, false);
}

static void test_retention__swept_records_take_their_events_held(void **s)
{
    swept_records_take_their_events(*s, true);
}

static void test_retention__hold_scopes(void **state)
{
    fx *f = *state;
    char h1[SW_ID_BUFSZ], h2[SW_ID_BUFSZ], h3[SW_ID_BUFSZ];
    char scope[64];
    snprintf(scope, sizeof(scope), "record:%s", f->rids[0]);
    assert_int_equal(sw_hold_place(f->t.s, scope, "investigation", "inq", h1),
                     SW_OK);
    snprintf(scope, sizeof(scope), "subject:%s", f->other);
    assert_int_equal(
        sw_hold_place(f->t.s, scope, "law_enforcement", "order 7", h2), SW_OK);
    sw_sweep_report *r = sweep_at(&f->t, DUE, false);
    assert_int_equal(r->records, 1); /* rids[1] only */
    assert_int_equal(r->held, 2);
    sw_sweep_report_free(r);
    assert_int_equal(sw_hold_place(f->t.s, "activity:sales_prospects",
                                   "litigation", "all leads", h3),
                     SW_OK);
    assert_int_equal(sw_hold_release(f->t.s, h1), SW_OK);
    assert_int_equal(sw_hold_release(f->t.s, h2), SW_OK);
    r = sweep_at(&f->t, DUE, false);
    assert_int_equal(r->records, 0);
    assert_int_equal(r->held, 2);
    sw_sweep_report_free(r);
    /* Bad holds are refused and change nothing. */
    char bad[SW_ID_BUFSZ];
    assert_int_equal(sw_hold_place(f->t.s, "account:X", "vacation", "r", bad),
                     SW_ERR_INVALID);
    assert_int_equal(
        sw_hold_place(f->t.s, "planet:mars", "litigation", "r", bad),
        SW_ERR_INVALID);
    assert_int_equal(
        sw_hold_place(f->t.s, "activity:nope", "litigation", "r", bad),
        SW_ERR_INVALID);
    assert_int_equal(sw_hold_place(f->t.s, "account:X", "litigation", "", bad),
                     SW_ERR_INVALID);
    assert_int_equal(sw_hold_release(f->t.s, "hold_nope"), SW_ERR_NOTFOUND);
    assert_int_equal(count_sql(&f->t, "SELECT count(*) FROM holds"), 3);
    assert_int_equal(count_sql(&f->t, "SELECT count(*) FROM audit WHERE "
                                      "action LIKE 'hold.%'"),
                     5);
}

/* A subject nothing keeps (identifiers, no record, consent or request)
 * goes the policy's ledger.orphan_subject (30 days) after it was created,
 * unless a hold keeps it; the certificate counts it. */
static void test_retention__orphan_subjects_go(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ], hold[SW_ID_BUFSZ];
    sw_ident ia = {"phone", "+447700900123"},
             ib = {"email", "held@example.com"};
    sw_subject_spec sa = {"end_user", NULL, NULL, NULL, 1, &ia};
    sw_subject_spec sb = {"prospect", NULL, NULL, NULL, 1, &ib};
    assert_int_equal(sw_subject_add(t.s, &sa, a), SW_OK);
    assert_int_equal(sw_subject_add(t.s, &sb, b), SW_OK);
    char scope[SW_ID_BUFSZ + 16];
    snprintf(scope, sizeof(scope), "subject:%s", b);
    assert_int_equal(sw_hold_place(t.s, scope, "litigation", "claim 1", hold),
                     SW_OK);
    sw_sweep_report *r = sweep_at(&t, "2024-04-14T09:59:59Z", false);
    assert_int_equal(r->orphans_removed, 0);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM subjects"), 2);
    r = sweep_at(&t, "2024-04-14T10:00:00Z", false); /* 30 days */
    assert_int_equal(r->orphans_removed, 1);
    assert_int_equal(r->subjects_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM subjects"), 1);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM identifiers"), 1);
    sw_subject_view *v = NULL;
    assert_int_equal(sw_subject_show(t.s, a, &v), SW_ERR_NOTFOUND);
    assert_null(v);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM audit WHERE action ="
                                   " 'sweep.certificate' AND details LIKE"
                                   " '%\"orphans_removed\":1%'"),
                     1);
    /* released: the held one goes at the next sweep */
    assert_int_equal(sw_hold_release(t.s, hold), SW_OK);
    r = sweep_at(&t, "2024-04-15T00:00:00Z", false);
    assert_int_equal(r->orphans_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM subjects"), 0);
    tu_store_free(&t);
}

/* The kind of data named in a retention audit. */
static const sw_audit_kind *audit_kind(const sw_retention_audit *a,
                                       const char *kind)
{
    for (size_t i = 0; i < a->n_kinds; i++)
        if (strcmp(a->kinds[i].kind, kind) == 0)
            return &a->kinds[i];
    fail_msg("no kind %s in the audit", kind);
    return NULL;
}

static sw_retention_audit *audit_at(tu_store *t, const char *now)
{
    tu_store_now(t, now);
    sw_retention_audit *a = NULL;
    if (sw_retention_audit_run(t->s, &a) != SW_OK)
        fail_msg("retention audit: %s", sw_errmsg(t->s));
    return a;
}

/* Whether the audit lists item id of kind as unexplained, with why. */
static bool listed(const sw_retention_audit *a, const char *kind,
                   const char *id, const char *why)
{
    for (size_t i = 0; i < a->n_items; i++)
        if (strcmp(a->items[i].kind, kind) == 0 && strstr(a->items[i].id, id) &&
            strstr(a->items[i].why, why))
            return true;
    return false;
}

/* The retention audit sorts every stored item: a record with a due date,
 * one waiting for its trigger, the subject they keep, its identifier and
 * an active hold are all explained; rows written past the library (an
 * identifier and a record of a subject that is gone, a subject nothing
 * keeps under a policy without ledger.orphan_subject) are listed with
 * why. */
static void test_retention__audit_sorts_every_item(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char sid[SW_ID_BUFSZ], r1[SW_ID_BUFSZ], r2[SW_ID_BUFSZ], h[SW_ID_BUFSZ];
    sw_ident id = {"email", "buyer@example.com"};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    sw_record_spec name = {
        sid, "customer_account", "user.name", "Ann Buyer", 9, NULL, false, 0,
        NULL};
    sw_record_spec inv = {
        sid, "customer_account", "contract.invoice", "INV-1", 5, NULL, false, 0,
        NULL};
    assert_int_equal(sw_record_add(t.s, &name, r1, NULL), SW_OK);
    assert_int_equal(sw_record_add(t.s, &inv, r2, NULL), SW_OK);
    assert_int_equal(
        sw_hold_place(t.s, "account:ACME", "litigation", "claim 7", h), SW_OK);
    sw_retention_audit *a = audit_at(&t, T0);
    assert_int_equal(a->unexplained, 0);
    const sw_audit_kind *k = audit_kind(a, "records");
    assert_int_equal(k->items, 2);
    assert_int_equal(k->dated, 1);
    assert_int_equal(k->kept, 1);
    bool waiting = false;
    for (size_t i = 0; i < a->n_reasons; i++)
        waiting |= strcmp(a->reasons[i].kind, "records") == 0 &&
                   strstr(a->reasons[i].reason,
                          "waiting for account closure: then rule "
                          "customer_account.customer") != NULL;
    assert_true(waiting);
    assert_int_equal(audit_kind(a, "subjects")->kept, 1);
    assert_int_equal(audit_kind(a, "identifiers")->kept, 1);
    assert_int_equal(audit_kind(a, "holds")->kept, 1);
    assert_true(audit_kind(a, "audit_trail")->items > 0);
    assert_false(audit_kind(a, "audit_trail")->personal);
    /* subject, identifier, two records, the hold */
    assert_int_equal(a->personal_items, 5);
    char *json = sw_retention_audit_json(a);
    assert_non_null(strstr(json, "\"unexplained\": 0"));
    free(json);
    sw_retention_audit_free(a);

    /* rows that point to a subject that is gone */
    const char *bytes = tu_pg() ? "'\\x00112233'::bytea" : "X'00112233'";
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO identifiers(blind, type, subject_id, value,"
             " created_at) VALUES(%s, 'email', 'subj_gone', %s, 0)",
             bytes, bytes);
    tu_exec_sql(t.path, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records(id, subject_id, activity, category, value,"
             " collected_at) VALUES('rec_lost', 'subj_gone',"
             " 'customer_account', 'user.name', %s, 0)",
             bytes);
    tu_exec_sql(t.path, sql);
    a = audit_at(&t, T0);
    assert_int_equal(a->unexplained, 2);
    assert_int_equal(audit_kind(a, "identifiers")->unexplained, 1);
    assert_int_equal(audit_kind(a, "records")->unexplained, 1);
    assert_true(listed(a, "identifiers", "subj_gone", "its subject is gone"));
    assert_true(listed(a, "records", "rec_lost", "its subject is gone"));
    sw_retention_audit_free(a);
    tu_store_free(&t);
}

/* A released hold goes ledger.released_hold (30 days) after its release;
 * a settled bill goes once its period's traffic is past its own period
 * (10 years), an unpaid one stays; events on an account no subject is in
 * any more go ledger.orphan_subject after they were recorded. Each is
 * counted by the certificate, and the audit dates them meanwhile. */
static void test_retention__released_holds_bills_and_events_go(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    char h[SW_ID_BUFSZ], ev[SW_ID_BUFSZ];
    assert_int_equal(
        sw_hold_place(t.s, "account:OLDCO", "litigation", "claim 9", h), SW_OK);
    assert_int_equal(sw_traffic_bill(t.s, "OLDCO", "2024-02", "settled"),
                     SW_OK);
    assert_int_equal(sw_traffic_bill(t.s, "OLDCO", "2024-01", "unpaid"), SW_OK);
    sw_event_spec e = {"account_closed", NULL, "OLDCO", NULL, NULL,
                       tu_instant(T0),   NULL};
    assert_int_equal(sw_event_add(t.s, &e, ev, NULL), SW_OK);
    tu_store_now(&t, "2024-03-20T10:00:00Z");
    assert_int_equal(sw_hold_release(t.s, h), SW_OK);

    sw_retention_audit *a = audit_at(&t, "2024-03-20T10:00:00Z");
    assert_int_equal(a->unexplained, 0);
    assert_int_equal(audit_kind(a, "holds")->dated, 1);
    assert_int_equal(audit_kind(a, "bills")->dated, 1);
    assert_int_equal(audit_kind(a, "bills")->kept, 1);
    assert_int_equal(audit_kind(a, "events")->dated, 1);
    sw_retention_audit_free(a);

    sw_sweep_report *r = sweep_at(&t, "2024-04-14T09:59:59Z", false);
    assert_int_equal(r->events_removed, 0);
    sw_sweep_report_free(r);
    r = sweep_at(&t, "2024-04-14T10:00:00Z", false); /* 30 days */
    assert_int_equal(r->events_removed, 1);
    assert_int_equal(r->holds_removed, 0);
    sw_sweep_report_free(r);
    r = sweep_at(&t, "2024-04-19T10:00:00Z", false); /* 30 days */
    assert_int_equal(r->holds_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM holds"), 0);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM events"), 0);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM bills"), 2);
    r = sweep_at(&t, "2036-01-01T00:00:00Z", false);
    assert_int_equal(r->bills_removed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM bills WHERE status"
                                   " = 'unpaid'"),
                     1);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM bills"), 1);
    assert_int_equal(count_sql(&t, "SELECT count(*) FROM audit WHERE action ="
                                   " 'sweep.certificate' AND details LIKE"
                                   " '%\"holds_removed\":1%'"),
                     1);
    tu_store_free(&t);
}

static void test_retention__dry_run_changes_nothing(void **state)
{
    fx *f = *state;
    long audit = count_sql(&f->t, "SELECT count(*) FROM audit");
    sw_sweep_report *r = sweep_at(&f->t, DUE, true);
    assert_true(r->dry_run);
    assert_int_equal(r->records, 3);
    /* the sweep at DUE removes OWNER (its only records go): so does the
     * plan say */
    assert_int_equal(r->subjects_removed, 1);
    assert_int_equal(r->n_groups, 1);
    assert_string_equal(r->groups[0].rule, "sales_prospects.no_agreement");
    assert_string_equal(r->groups[0].trigger, "last_contact");
    assert_string_equal(r->groups[0].section, "5.3");
    char t[SW_INSTANT_BUFSZ];
    assert_string_equal(sw_instant_format(r->groups[0].first_due, t), DUE);
    sw_sweep_report_free(r);
    assert_int_equal(records_left(&f->t), 4);
    assert_int_equal(count_sql(&f->t, "SELECT count(*) FROM audit"), audit);
}

static void test_retention__certificate_and_idempotence(void **state)
{
    fx *f = *state;
    sw_sweep_report *r = sweep_at(&f->t, DUE, false);
    assert_int_equal(r->records, 3);
    assert_int_equal(r->subjects_removed, 1); /* OTHER keeps one record */
    char *json = sw_sweep_report_json(r);
    assert_non_null(strstr(json, "\"rule\": \"sales_prospects.no_agreement\""));
    free(json);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&f->t, "SELECT count(*) FROM audit WHERE "
                                      "action = 'sweep.certificate' AND "
                                      "details LIKE '%\"records\":3%'"),
                     1);
    long audit = count_sql(&f->t, "SELECT count(*) FROM audit");
    /* A second sweep at the same instant does nothing. */
    r = sweep_at(&f->t, DUE, false);
    assert_int_equal(r->records, 0);
    assert_int_equal(r->batches, 0);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&f->t, "SELECT count(*) FROM audit"), audit);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(f->t.s, &v), SW_OK);
    assert_true(v.intact);
}

static void test_retention__small_batches_give_the_same_result(void **s)
{
    fx *f = *s;
    tu_store_now(&f->t, DUE);
    sw_sweep_options o = {false, 1, NULL, NULL};
    sw_sweep_report *r;
    assert_int_equal(sw_sweep(f->t.s, &o, &r), SW_OK);
    assert_int_equal(r->records, 3);
    assert_int_equal(r->batches, 3);
    assert_int_equal(r->n_groups, 1);
    assert_int_equal(r->groups[0].records, 3);
    sw_sweep_report_free(r);
    assert_int_equal(count_sql(&f->t, "SELECT count(*) FROM audit WHERE "
                                      "action = 'sweep.batch'"),
                     3);
}

int main(void)
{
    policy = tu_bundled();
    size_t n = 0;
    struct CMUnitTest tests[80];
    for (size_t i = 0; i < sw_policy_rule_count(policy) && n < 72; i++) {
        const sw_rule *r = sw_policy_rule_at(policy, i);
        if (r->keep_kind != SW_KEEP_PERIOD)
            continue;
        memset(&tests[n], 0, sizeof(tests[n]));
        tests[n].name = r->id;
        tests[n].test_func = test_retention__rule;
        tests[n].initial_state = (void *)r;
        n++;
    }
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test_setup_teardown(test_retention__hold_suspends_deletion,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention__hold_scopes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_retention__swept_records_take_their_events, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_retention__swept_records_take_their_events_held, setup,
            teardown),
        cmocka_unit_test(test_retention__orphan_subjects_go),
        cmocka_unit_test(test_retention__audit_sorts_every_item),
        cmocka_unit_test(test_retention__released_holds_bills_and_events_go),
        cmocka_unit_test_setup_teardown(test_retention__dry_run_changes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_retention__certificate_and_idempotence, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_retention__small_batches_give_the_same_result, setup,
            teardown),
    };
    memcpy(&tests[n], fixed, sizeof(fixed));
    n += sizeof(fixed) / sizeof(fixed[0]);
    int failed =
        _cmocka_run_group_tests("test_retention", tests, n, NULL, NULL);
    sw_policy_free(policy);
    return failed;
}
