/* SPDX-License-Identifier: Apache-2.0 */
/* The ledger: subjects, identifiers, records, events and their due dates,
 * disclosure, crypto-shredding, and no plaintext on disk. */
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_sql.h"
#include "steward/audit.h"
#include "steward/consent.h"
#include "store/store_int.h"
#include "testutil.h"

#define NOW "2026-01-15T10:00:00Z"

static int setup(void **state)
{
    tu_store *t = calloc(1, sizeof(*t));
    tu_store_new(t, NOW);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tu_store_free(*state);
    free(*state);
    return 0;
}

static void add_subject(tu_store *t, const char *kind, const char *account,
                        const char *email, const char *phone, char *id)
{
    sw_ident ids[2];
    size_t n = 0;
    if (email)
        ids[n++] = (sw_ident){"email", email};
    if (phone)
        ids[n++] = (sw_ident){"phone", phone};
    sw_subject_spec spec = {kind, account, NULL, NULL, n, ids};
    if (sw_subject_add(t->s, &spec, id) != SW_OK)
        fail_msg("subject add: %s", sw_errmsg(t->s));
}

static void add_record(tu_store *t, const char *subject, const char *activity,
                       const char *category, const char *value, const char *at,
                       char *id, sw_due *due)
{
    sw_record_spec r = {
        subject,       activity, category,   value,
        strlen(value), NULL,     at != NULL, at ? tu_instant(at) : 0,
        NULL};
    if (sw_record_add(t->s, &r, id, due) != SW_OK)
        fail_msg("record add: %s", sw_errmsg(t->s));
}

static void event(tu_store *t, const char *type, const char *subject,
                  const char *account, const char *record, const char *at,
                  size_t *moved)
{
    sw_event_spec e = {type,   subject,        account, NULL,
                       record, tu_instant(at), NULL};
    char id[SW_ID_BUFSZ];
    if (sw_event_add(t->s, &e, id, moved) != SW_OK)
        fail_msg("event add: %s", sw_errmsg(t->s));
}

/* The due date of record rid as subject show reports it ("" if none). */
static const char *due_of(tu_store *t, const char *subject, const char *rid,
                          char *buf)
{
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, subject, &v), SW_OK);
    buf[0] = '\0';
    for (size_t i = 0; i < v->n_records; i++)
        if (strcmp(v->records[i].id, rid) == 0 && v->records[i].due.has_due)
            sw_instant_format(v->records[i].due.due_at, buf);
    sw_subject_view_free(v);
    return buf;
}

static void test_ledger__find_by_every_identifier_type(void **state)
{
    tu_store *t = *state;
    sw_ident ids[] = {
        {"email", "Ann@Example.com"},  {"phone", "020 7946 0958"},
        {"msisdn", "+44 7700 900123"}, {"imsi", "234150123456789"},
        {"imei", "490154203237518"},   {"account_id", "ACME-7"},
        {"ip", "203.0.113.9"},         {"x-crm", "C-991"}};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 8, ids};
    char id[SW_ID_BUFSZ], found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_add(t->s, &spec, id), SW_OK);
    /* Other spellings of the same identifiers find the same subject. */
    sw_ident probes[] = {
        {"email", " ann@example.COM"},  {"phone", "+44 (0)20 7946 0958"},
        {"msisdn", "00447700900123"},   {"imsi", "234 15 0123456789"},
        {"imei", "49-015420-323751-8"}, {"account_id", " ACME-7"},
        {"ip", "203.0.113.9"},          {"x-crm", "C-991 "}};
    for (size_t i = 0; i < 8; i++) {
        if (i == 1)
            continue; /* "(0)" is not a separator steward drops */
        if (sw_subject_find(t->s, &probes[i], found) != SW_OK)
            fail_msg("%s: %s", probes[i].type, sw_errmsg(t->s));
        assert_string_equal(found, id);
    }
    sw_ident other = {"email", "bob@example.com"};
    assert_int_equal(sw_subject_find(t->s, &other, found), SW_ERR_NOTFOUND);
    sw_ident bad = {"imei", "490154203237517"};
    assert_int_equal(sw_subject_find(t->s, &bad, found), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "check digit"));
}

static void test_ledger__identifier_belongs_to_one_subject(void **state)
{
    tu_store *t = *state;
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ];
    add_subject(t, "customer", NULL, "ann@example.com", NULL, a);
    sw_ident dup = {"email", "ANN@example.com"};
    sw_subject_spec spec = {"prospect", NULL, NULL, NULL, 1, &dup};
    assert_int_equal(sw_subject_add(t->s, &spec, b), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t->s), a));
    assert_string_equal(b, "");
    /* Nothing of the refused subject remains. */
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t->s, &v), SW_OK);
    assert_int_equal(v.entries, 3);
    /* Adding it to the same subject is refused too; another one is fine. */
    assert_int_equal(sw_ident_add(t->s, a, &dup), SW_ERR_CONFLICT);
    sw_ident phone = {"phone", "+385 91 234 5678"};
    assert_int_equal(sw_ident_add(t->s, a, &phone), SW_OK);
    char found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_find(t->s, &phone, found), SW_OK);
    assert_string_equal(found, a);
}

/* A number is one identifier whether it was given as --msisdn or --phone:
 * found under either name, and never held by two subjects. */
static void test_ledger__msisdn_and_phone_are_one_number(void **state)
{
    tu_store *t = *state;
    sw_ident m = {"msisdn", "+447700999001"};
    sw_subject_spec spec = {"end_user", NULL, NULL, NULL, 1, &m};
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ], found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_add(t->s, &spec, a), SW_OK);
    sw_ident p = {"phone", "07700 999001"};
    assert_int_equal(sw_subject_find(t->s, &p, found), SW_OK);
    assert_string_equal(found, a);
    sw_subject_spec twin = {"customer", NULL, NULL, NULL, 1, &p};
    assert_int_equal(sw_subject_add(t->s, &twin, b), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t->s), a));
    /* and the other way round: a phone found as an msisdn */
    sw_ident p2 = {"phone", "+447700999002"}, m2 = {"msisdn", "447700999002"};
    sw_subject_spec spec2 = {"marketing_subscriber", NULL, NULL, NULL, 1, &p2};
    assert_int_equal(sw_subject_add(t->s, &spec2, b), SW_OK);
    m2.value = "+447700999002";
    assert_int_equal(sw_subject_find(t->s, &m2, found), SW_OK);
    assert_string_equal(found, b);
    /* the consent ledger keys it the same way */
    sw_who who = {NULL, &m2};
    sw_consent_spec cs;
    memset(&cs, 0, sizeof(cs));
    cs.purpose = "marketing.communications.email";
    cs.method = "web_form";
    sw_consent_result cr;
    if (sw_consent_give(t->s, &who, &cs, &cr) != SW_OK)
        fail_msg("give: %s", sw_errmsg(t->s));
    assert_string_equal(cr.subject, b);
    assert_false(cr.created_subject);
}

static int count_action(const sw_audit_entry *e, void *ctx)
{
    if (strcmp(e->action, "identifier.space") == 0)
        ++*(int *)ctx;
    return 0;
}

/* A store from before the one space kept msisdns under their own blind
 * index: the next open moves them, once, and audits it. */
static void test_ledger__old_msisdns_move_into_the_phone_space(void **state)
{
    tu_store *t = *state;
    sw_ident m = {"msisdn", "+447700999001"};
    sw_subject_spec spec = {"end_user", NULL, NULL, NULL, 1, &m};
    char a[SW_ID_BUFSZ], found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_add(t->s, &spec, a), SW_OK);
    /* what schema 9 wrote: the blind index under "msisdn" */
    uint8_t now[SW_BLIND_BYTES], old[SW_BLIND_BYTES];
    sw_blind(t->s->keys, "phone", "+447700999001", 13, now);
    sw_blind(t->s->keys, "msisdn", "+447700999001", 13, old);
    assert_int_equal(sw_identifiers_reblind(t->s, now, old), SW_OK);
    assert_int_equal(sw_meta_set(t->s, "ident_space", "msisdn"), SW_OK);
    sw_ident p = {"phone", "+447700999001"};
    assert_int_equal(sw_subject_find(t->s, &p, found), SW_ERR_NOTFOUND);
    tu_store_reopen(t);
    assert_int_equal(sw_subject_find(t->s, &p, found), SW_OK);
    assert_string_equal(found, a);
    assert_int_equal(sw_subject_find(t->s, &m, found), SW_OK);
    tu_store_reopen(t); /* once */
    int n = 0;
    assert_int_equal(sw_audit_log(t->s, NULL, count_action, &n), SW_OK);
    assert_int_equal(n, 1);
}

static void test_ledger__subject_kinds_and_roles_come_from_the_policy(void **s)
{
    tu_store *t = *s;
    char id[SW_ID_BUFSZ];
    sw_subject_spec bad = {"martian", NULL, NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(t->s, &bad, id), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "unknown subject kind 'martian'"));
    sw_subject_spec eu = {"end_user", "ACME", NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(t->s, &eu, id), SW_OK);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, id, &v), SW_OK);
    assert_string_equal(v->role, "processor");
    assert_string_equal(v->account, "ACME");
    sw_subject_view_free(v);
    sw_subject_spec c = {"customer", NULL, NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(t->s, &c, id), SW_OK);
    assert_int_equal(sw_subject_show(t->s, id, &v), SW_OK);
    assert_string_equal(v->role, "controller");
    assert_null(v->account);
    sw_subject_view_free(v);
}

static void test_ledger__records_must_match_the_policy(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(t, "customer", "ACME", "ann@example.com", NULL, sid);
    sw_record_spec r = {sid,
                        "customer_account",
                        "user.health_and_medical.dietary",
                        "vegan",
                        5,
                        NULL,
                        false,
                        0,
                        NULL};
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "has no category"));
    r.activity = "no_such_activity";
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "unknown activity"));
    /* A customer is not a job applicant. */
    r.activity = "recruitment_applicants";
    r.category = "user.employment.education";
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "kind 'customer'"));
    r.subject = "sub_nope";
    r.activity = "customer_account";
    r.category = "user.name";
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_ERR_NOTFOUND);
}

/* Regression: a record collected at 9999-12-31 was taken (and got a due
 * date past year 9999); an account of 500 KB was taken. */
static int scan_details(const sw_audit_entry *e, void *ctx)
{
    if (strcmp(e->action, "record.add") == 0 &&
        strstr(e->details, "scan_removed"))
        snprintf(ctx, 512, "%s", e->details);
    return 0;
}

/* Notice 5.6.1: personal data revealed in a survey answer is removed
 * before the answer is stored; the audit says what was removed, never
 * the values; a category the policy does not scan is kept as given. */
static void test_ledger__survey_answers_are_stored_redacted(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], r1[SW_ID_BUFSZ], r2[SW_ID_BUFSZ];
    add_subject(t, "research_participant", NULL, "p@example.com", NULL, sid);
    const char *answer = "Good app. Call me on +385 91 234 5678 or write to "
                         "ivana.babic@example.hr, IBAN HR1210010051863000160.";
    add_record(t, sid, "market_research", "user.content.survey_answer", answer,
               NULL, r1, NULL);
    add_record(t, sid, "market_research", "user.name", "Ivana Babić", NULL, r2,
               NULL);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_OK);
    int seen = 0;
    for (size_t i = 0; i < v->n_records; i++) {
        if (strcmp(v->records[i].id, r1) == 0) {
            assert_string_equal(v->records[i].value,
                                "Good app. Call me on [phone] or write to "
                                "[email], IBAN [iban].");
            seen++;
        } else if (strcmp(v->records[i].id, r2) == 0) {
            assert_string_equal(v->records[i].value, "Ivana Babić");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    sw_subject_view_free(v);
    char details[512] = "";
    assert_int_equal(sw_audit_log(t->s, NULL, scan_details, details), SW_OK);
    assert_non_null(strstr(details, "\"scan_removed\":{\"email\":1,\"iban\":1,"
                                    "\"phone\":1}"));
    assert_null(strstr(details, "ivana"));
    assert_null(strstr(details, "234 5678"));
    /* nor in the store's files (a SQLite store: the file and its WAL) */
    if (!tu_pg()) {
        char cmd[1200];
        snprintf(cmd, sizeof(cmd),
                 "cat %s* | grep -a -c -e ivana.babic -e '234 5678' -e "
                 "HR1210010051863000160 >/dev/null",
                 t->path);
        assert_int_not_equal(tu_sh("%s", cmd), 0);
    }
}

static int batch_scan_details(const sw_audit_entry *e, void *ctx)
{
    if (strcmp(e->action, "record.add") == 0 && strstr(e->details, "batch"))
        snprintf(ctx, 512, "%s", e->details);
    return 0;
}

/* In a batch, the answers are redacted as one by one, and the batch's one
 * entry counts what was removed from all of them. */
static void test_ledger__batch_counts_what_scans_removed(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(t, "research_participant", NULL, "q@example.com", NULL, sid);
    assert_int_equal(sw_batch_begin(t->s), SW_OK);
    for (int i = 0; i < 3; i++) {
        char v[128];
        snprintf(v, sizeof(v), "Answer %d: write to person%d@example.com.", i,
                 i);
        add_record(t, sid, "market_research", "user.content.survey_answer", v,
                   NULL, rid, NULL);
    }
    add_record(t, sid, "market_research", "user.content.survey_answer",
               "Nothing personal here.", NULL, rid, NULL);
    assert_int_equal(sw_batch_commit(t->s), SW_OK);
    char details[512] = "";
    assert_int_equal(sw_audit_log(t->s, NULL, batch_scan_details, details),
                     SW_OK);
    assert_non_null(strstr(details, "\"records\":4"));
    assert_non_null(strstr(details, "\"scan_removed\":{\"email\":3}"));
    assert_null(strstr(details, "person0"));
}

static void test_ledger__input_is_bounded(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(t, "customer", "ACME", "bounds@example.com", NULL, sid);
    sw_record_spec r = {sid,         "customer_account",
                        "user.name", "Name",
                        4,           NULL,
                        true,        tu_instant("9999-12-31T23:59:59Z"),
                        NULL};
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_ERR_RANGE);
    assert_non_null(strstr(sw_errmsg(t->s), "2999"));
    r.collected_at = tu_instant("2999-12-31T00:00:00Z");
    sw_due due;
    assert_int_equal(sw_record_add(t->s, &r, rid, &due), SW_OK);
    sw_event_spec e = {"account_closed",         NULL, "ACME", NULL, NULL,
                       tu_instant("9999-01-01"), NULL};
    char eid[SW_ID_BUFSZ];
    assert_int_equal(sw_event_add(t->s, &e, eid, NULL), SW_ERR_RANGE);
    size_t n = 500 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'A', n);
    big[n] = '\0';
    sw_ident id = {"email", "big@example.com"};
    sw_subject_spec spec = {"customer", big, NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(t->s, &spec, sid), SW_ERR_LIMIT);
    assert_non_null(strstr(sw_errmsg(t->s), "account"));
    free(big);
}

/* Regression: on PostgreSQL one record the database refused inside a batch
 * aborted the whole batch, though a failed change is undone alone. A
 * trigger refuses one category; the batch's other records are kept. */
static void test_ledger__failed_record_in_a_batch_is_undone_alone(void **s)
{
    tu_store *t = *s;
    if (tu_pg())
        tu_exec_sql(t->path,
                    "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN"
                    " IF NEW.category = 'user.contact.phone_number' THEN"
                    " RAISE EXCEPTION 'refused by the test'; END IF;"
                    " RETURN NEW; END $$ LANGUAGE plpgsql;"
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON records"
                    " FOR EACH ROW EXECUTE FUNCTION refuse_one()");
    else
        tu_exec_sql(t->path,
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON records"
                    " WHEN NEW.category = 'user.contact.phone_number' BEGIN"
                    " SELECT RAISE(ABORT, 'refused by the test'); END");
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(t, "customer", "ACME", "batch@example.com", NULL, sid);
    assert_int_equal(sw_batch_begin(t->s), SW_OK);
    sw_record_spec ok = {
        sid, "customer_account", "user.name", "Name", 4, NULL, false, 0, NULL};
    sw_record_spec bad = {sid,
                          "customer_account",
                          "user.contact.phone_number",
                          "+441",
                          4,
                          NULL,
                          false,
                          0,
                          NULL};
    assert_int_equal(sw_record_add(t->s, &ok, rid, NULL), SW_OK);
    assert_int_not_equal(sw_record_add(t->s, &bad, rid, NULL), SW_OK);
    assert_int_equal(sw_record_add(t->s, &ok, rid, NULL), SW_OK);
    assert_int_equal(sw_batch_commit(t->s), SW_OK);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_OK);
    assert_int_equal(v->n_records, 2);
    sw_subject_view_free(v);
    sw_audit_verdict av;
    assert_int_equal(sw_audit_verify(t->s, &av), SW_OK);
    assert_true(av.intact);
}

static void test_ledger__account_closure_sets_due_dates(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], user[SW_ID_BUFSZ], name[SW_ID_BUFSZ],
        inv[SW_ID_BUFSZ], agr[SW_ID_BUFSZ], uname[SW_ID_BUFSZ];
    char buf[SW_INSTANT_BUFSZ];
    sw_due d;
    add_subject(t, "customer", "ACME", "ann@example.com", "+442079460958", sid);
    add_subject(t, "customer_user", "ACME", "bob@example.com", NULL, user);
    add_record(t, sid, "customer_account", "user.name", "Ann Lee",
               "2024-01-10T09:00:00Z", name, &d);
    assert_false(d.has_due); /* no account closure yet */
    assert_string_equal(d.rule, "customer_account.customer");
    add_record(t, sid, "customer_account", "contract.invoice", "INV-1",
               "2024-03-15T10:00:00Z", inv, &d);
    assert_true(d.has_due); /* the invoice's own date starts its clock */
    assert_string_equal(sw_instant_format(d.due_at, buf),
                        "2035-01-01T00:00:00Z");
    add_record(t, sid, "customer_account", "contract.agreement", "MSA v3",
               "2024-01-10T09:00:00Z", agr, &d);
    add_record(t, user, "customer_account", "user.name", "Bob Roe",
               "2024-02-01T09:00:00Z", uname, &d);
    size_t moved = 0;
    event(t, "account_closed", NULL, "ACME", NULL, "2025-06-30T12:00:00Z",
          &moved);
    assert_int_equal(moved, 3); /* name, agreement, the user's name */
    assert_string_equal(due_of(t, sid, name, buf), "2032-06-30T12:00:00Z");
    assert_string_equal(due_of(t, sid, agr, buf), "2036-01-01T00:00:00Z");
    assert_string_equal(due_of(t, sid, inv, buf), "2035-01-01T00:00:00Z");
    assert_string_equal(due_of(t, user, uname, buf), "2026-06-30T12:00:00Z");
}

static void test_ledger__later_event_of_same_kind_moves_again(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ], buf[SW_INSTANT_BUFSZ];
    sw_due d;
    add_subject(t, "prospect", NULL, "lead@example.com", NULL, sid);
    add_record(t, sid, "sales_prospects", "user.name", "Lee Ad", NULL, rid, &d);
    size_t moved;
    event(t, "last_contact", sid, NULL, NULL, "2025-08-31T16:00:00Z", &moved);
    assert_int_equal(moved, 1);
    assert_string_equal(due_of(t, sid, rid, buf), "2026-02-28T16:00:00Z");
    event(t, "last_contact", sid, NULL, NULL, "2025-11-30T09:00:00Z", &moved);
    assert_int_equal(moved, 1);
    assert_string_equal(due_of(t, sid, rid, buf), "2026-05-30T09:00:00Z");
    /* An agreement cancels the 6-month rule. */
    event(t, "agreement_concluded", sid, NULL, NULL, "2025-12-01T00:00:00Z",
          &moved);
    assert_int_equal(moved, 1);
    assert_string_equal(due_of(t, sid, rid, buf), "");
}

static void test_ledger__record_scoped_event_moves_one_record(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], t1[SW_ID_BUFSZ], t2[SW_ID_BUFSZ],
        buf[SW_INSTANT_BUFSZ];
    sw_due d;
    add_subject(t, "customer", "ACME", "ann@example.com", NULL, sid);
    add_record(t, sid, "customer_support", "user.content.support_ticket",
               "ticket one", "2025-01-01T00:00:00Z", t1, &d);
    assert_false(d.has_due); /* a ticket counts from its closure */
    add_record(t, sid, "customer_support", "user.content.support_ticket",
               "ticket two", "2025-02-01T00:00:00Z", t2, &d);
    size_t moved;
    event(t, "ticket_closed", NULL, NULL, t1, "2025-03-01T00:00:00Z", &moved);
    assert_int_equal(moved, 1);
    assert_string_equal(due_of(t, sid, t1, buf), "2032-03-01T00:00:00Z");
    assert_string_equal(due_of(t, sid, t2, buf), "");
}

static void test_ledger__events_are_checked(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], id[SW_ID_BUFSZ];
    add_subject(t, "customer", "ACME", NULL, NULL, sid);
    sw_event_spec e = {"account_exploded", sid, NULL, NULL, NULL, 0, NULL};
    assert_int_equal(sw_event_add(t->s, &e, id, NULL), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "unknown event type"));
    e.type = "collected";
    assert_int_equal(sw_event_add(t->s, &e, id, NULL), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "record's own time"));
    e.type = "account_closed";
    e.account = "ACME";
    assert_int_equal(sw_event_add(t->s, &e, id, NULL), SW_ERR_INVALID);
    e.account = NULL;
    e.subject = "sub_nope";
    assert_int_equal(sw_event_add(t->s, &e, id, NULL), SW_ERR_NOTFOUND);
}

static int count_disclosures(const sw_audit_entry *e, void *ctx)
{
    if (strcmp(e->action, "subject.disclose") == 0)
        (*(int *)ctx)++;
    /* Entries name ids, never values. */
    assert_null(strstr(e->details, "ann@example.com"));
    assert_null(strstr(e->details, "Ann Lee"));
    return 0;
}

static int count_ids(const char *id, void *ctx)
{
    (void)id;
    (*(int *)ctx)++;
    return 0;
}

/* Events as entities (notice 5.5): a participant's registrations for two
 * breakfasts, each tied to its event; each event's day dates its own
 * registration, and the second event does not re-date the first's. An
 * event's id is checked; its events go once none of its records is
 * left (ledger.orphan_subject after they were recorded). */
static void test_ledger__events_date_their_own_records(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], r1[SW_ID_BUFSZ], r2[SW_ID_BUFSZ], id[SW_ID_BUFSZ];
    add_subject(t, "event_participant", NULL, "guest@example.com", NULL, sid);
    sw_record_spec a = {sid,         "event_registration",
                        "user.name", "Guest One",
                        9,           NULL,
                        false,       0,
                        "EV-7"};
    sw_record_spec b = a;
    b.event = "EV-9";
    sw_due due;
    assert_int_equal(sw_record_add(t->s, &a, r1, &due), SW_OK);
    assert_false(due.has_due);
    assert_int_equal(sw_record_add(t->s, &b, r2, NULL), SW_OK);
    size_t moved = 0;
    sw_event_spec e7 = {"event_held", NULL, NULL,
                        NULL,         NULL, tu_instant("2026-02-10T09:00:00Z"),
                        "EV-7"};
    assert_int_equal(sw_event_add(t->s, &e7, id, &moved), SW_OK);
    assert_int_equal(moved, 1);
    sw_event_spec e9 = e7;
    e9.event = "EV-9";
    e9.at = tu_instant("2026-05-20T09:00:00Z");
    assert_int_equal(sw_event_add(t->s, &e9, id, &moved), SW_OK);
    assert_int_equal(moved, 1);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_OK);
    char w[SW_INSTANT_BUFSZ];
    for (size_t i = 0; i < v->n_records; i++) {
        const sw_record_view *r = &v->records[i];
        assert_true(r->due.has_due);
        bool first = strcmp(r->id, r1) == 0;
        assert_string_equal(r->event, first ? "EV-7" : "EV-9");
        /* 60 days after its own event's day */
        assert_string_equal(sw_instant_format(r->due.due_at, w),
                            first ? "2026-04-11T09:00:00Z"
                                  : "2026-07-19T09:00:00Z");
    }
    sw_subject_view_free(v);
    sw_record_spec bad = a;
    bad.event = "EV 7";
    assert_int_equal(sw_record_add(t->s, &bad, id, NULL), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "an event's id"));
    sw_event_spec two = e7;
    two.subject = sid;
    assert_int_equal(sw_event_add(t->s, &two, id, NULL), SW_ERR_INVALID);
    /* EV-7's registration is swept on its day, and its event with it (it
     * was recorded more than ledger.orphan_subject before); EV-9's stays */
    sw_sweep_report *rep = tu_sweep(t, "2026-04-11T09:00:00Z");
    assert_int_equal(rep->records, 1);
    assert_int_equal(rep->events_removed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(tu_count_sql(t->path, "SELECT count(*) FROM events WHERE"
                                           " scope = 5"),
                     1);
    rep = tu_sweep(t, "2026-07-19T09:00:00Z");
    assert_int_equal(rep->records, 1);
    assert_int_equal(rep->events_removed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(tu_count_sql(t->path, "SELECT count(*) FROM events WHERE"
                                           " scope = 5"),
                     0);
}

static void test_ledger__show_decrypts_and_is_audited(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(t, "customer", "ACME", "ann@example.com", "+442079460958", sid);
    add_record(t, sid, "customer_account", "user.name", "Ann Lee", NULL, rid,
               NULL);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_OK);
    assert_int_equal(v->n_idents, 2);
    assert_int_equal(v->n_records, 1);
    assert_string_equal(v->records[0].value, "Ann Lee");
    assert_string_equal(v->records[0].category, "user.name");
    sw_subject_view_free(v);
    int disclosures = 0;
    sw_audit_filter f = {false, 0, sid};
    assert_int_equal(sw_audit_log(t->s, &f, count_disclosures, &disclosures),
                     SW_OK);
    assert_int_equal(disclosures, 1);
}

static void test_ledger__value_swapped_between_rows_is_detected(void **s)
{
    tu_store *t = *s;
    char sid[SW_ID_BUFSZ], a[SW_ID_BUFSZ], b[SW_ID_BUFSZ];
    add_subject(t, "customer", NULL, "ann@example.com", NULL, sid);
    add_record(t, sid, "customer_account", "user.name", "Ann Lee", NULL, a,
               NULL);
    add_record(t, sid, "customer_account", "user.job_title", "CFO", NULL, b,
               NULL);
    sw_store_close(t->s);
    t->s = NULL;
    char sql[512];
    snprintf(sql, sizeof(sql),
             "UPDATE records SET value = (SELECT value FROM records WHERE "
             "id = '%s') WHERE id = '%s'",
             b, a);
    tu_exec_sql(t->path, sql);
    tu_store_reopen(t);
    sw_subject_view *v = (sw_subject_view *)1;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_ERR_CRYPTO);
    assert_null(v);
    assert_non_null(strstr(sw_errmsg(t->s), "altered or moved"));
}

/* The files a store keeps on disk. */
static bool on_disk(tu_store *t, const char *needle)
{
    char wal[600], shm[600];
    snprintf(wal, sizeof(wal), "%s-wal", t->path);
    snprintf(shm, sizeof(shm), "%s-shm", t->path);
    return tu_file_contains(t->path, needle) || tu_file_contains(wal, needle) ||
           tu_file_contains(shm, needle);
}

static void test_ledger__no_plaintext_on_disk_before_or_after_erase(void **s)
{
    tu_store *t = *s;
    const char *secrets[] = {"ann.secret@example.com", "+442079460958",
                             "Annabel Secretperson",   "ACME-SECRET-ACCOUNT",
                             "490154203237518",        NULL};
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    sw_ident ids[] = {
        {"email", secrets[0]}, {"phone", secrets[1]}, {"imei", secrets[4]}};
    sw_subject_spec spec = {"customer", secrets[3], NULL, NULL, 3, ids};
    assert_int_equal(sw_subject_add(t->s, &spec, sid), SW_OK);
    add_record(t, sid, "customer_account", "user.name", secrets[2], NULL, rid,
               NULL);
    add_record(t, sid, "customer_account", "user.contact.email", secrets[0],
               NULL, rid, NULL);
    for (int i = 0; secrets[i]; i++)
        if (on_disk(t, secrets[i]))
            fail_msg("'%s' found in plaintext on disk", secrets[i]);
    sw_erase_result r;
    assert_int_equal(sw_subject_erase(t->s, sid, &r), SW_OK);
    assert_int_equal(r.records, 2);
    assert_int_equal(r.identifiers, 3);
    for (int i = 0; secrets[i]; i++)
        assert_false(on_disk(t, secrets[i]));
}

static void test_ledger__erase_leaves_nothing_readable(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_subject(t, "customer", "ACME", "ann@example.com", NULL, sid);
    add_record(t, sid, "customer_account", "user.name", "Ann Lee", NULL, rid,
               NULL);
    size_t moved;
    event(t, "account_closed", sid, NULL, NULL, "2025-01-01T00:00:00Z", &moved);
    sw_erase_result r;
    assert_int_equal(sw_subject_erase(t->s, sid, &r), SW_OK);
    assert_int_equal(r.records, 1);
    assert_int_equal(r.identifiers, 1);
    assert_int_equal(r.events, 1);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_ERR_NOTFOUND);
    sw_ident e = {"email", "ann@example.com"};
    char found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_find(t->s, &e, found), SW_ERR_NOTFOUND);
    int hits = 0;
    assert_int_equal(sw_subject_find_account(t->s, "ACME", count_ids, &hits),
                     SW_OK);
    assert_int_equal(hits, 0);
    /* No row of the subject is left in any table. */
    sw_store_close(t->s);
    t->s = NULL;
    const char *tables[] = {"subjects WHERE id", "identifiers WHERE subject_id",
                            "records WHERE subject_id", NULL};
    for (int i = 0; tables[i]; i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s = '%s'", tables[i],
                 sid);
        assert_int_equal(tu_count_sql(t->path, sql), 0);
    }
    tu_store_reopen(t);
    /* Erasing again says there is nothing. */
    assert_int_equal(sw_subject_erase(t->s, sid, &r), SW_ERR_NOTFOUND);
    sw_audit_verdict verdict;
    assert_int_equal(sw_audit_verify(t->s, &verdict), SW_OK);
    assert_true(verdict.intact);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ledger__find_by_every_identifier_type),
        T(test_ledger__identifier_belongs_to_one_subject),
        T(test_ledger__msisdn_and_phone_are_one_number),
        T(test_ledger__old_msisdns_move_into_the_phone_space),
        T(test_ledger__subject_kinds_and_roles_come_from_the_policy),
        T(test_ledger__records_must_match_the_policy),
        T(test_ledger__survey_answers_are_stored_redacted),
        T(test_ledger__batch_counts_what_scans_removed),
        T(test_ledger__input_is_bounded),
        T(test_ledger__failed_record_in_a_batch_is_undone_alone),
        T(test_ledger__account_closure_sets_due_dates),
        T(test_ledger__later_event_of_same_kind_moves_again),
        T(test_ledger__record_scoped_event_moves_one_record),
        T(test_ledger__events_are_checked),
        T(test_ledger__events_date_their_own_records),
        T(test_ledger__show_decrypts_and_is_audited),
        T(test_ledger__value_swapped_between_rows_is_detected),
        T(test_ledger__no_plaintext_on_disk_before_or_after_erase),
        T(test_ledger__erase_leaves_nothing_readable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
