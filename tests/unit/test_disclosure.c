/* SPDX-License-Identifier: Apache-2.0 */
/* The disclosure log: what it refuses, whom an entry concerns (sealed,
 * blind-indexed, found through the person's identifiers and account),
 * and what the person is told: the access answer leaves out a disclosure
 * under a confidentiality order until its date; the CCPA right-to-know
 * answer lists the categories disclosed. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "steward/audit.h"
#include "steward/disclosure.h"
#include "testutil.h"

#define NOW "2026-05-04T09:00:00Z"

static sw_status add(tu_store *t, const char *kind, const char *scope,
                     const char *cats, const char *until, char *id)
{
    const char *list[4];
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", cats);
    for (char *save = NULL, *c = strtok_r(buf, ",", &save); c && n < 4;
         c = strtok_r(NULL, ",", &save))
        list[n++] = c;
    sw_disclosure_spec d;
    memset(&d, 0, sizeof(d));
    d.recipient_kind = kind;
    d.recipient = "Metropolitan Police";
    d.basis = "6(1)(c)";
    d.reference = "ORDER-77";
    d.scope = scope;
    d.categories = list;
    d.n_categories = n;
    if (until) {
        d.has_confidential_until = true;
        d.confidential_until = tu_instant(until);
    }
    return sw_disclosure_add(t->s, &d, id);
}

static void person(tu_store *t, char *sid)
{
    sw_ident ids[2] = {{"email", "ivy@acme.example"},
                       {"phone", "+447700900555"}};
    sw_subject_spec spec = {"customer", "ACC-1", NULL, NULL, 2, ids};
    assert_int_equal(sw_subject_add(t->s, &spec, sid), SW_OK);
    char rid[SW_ID_BUFSZ];
    sw_record_spec r = {
        sid, "customer_account", "contract.invoice", "INV-1", 5, NULL, false, 0,
        NULL};
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_OK);
}

static int count(const sw_disclosure_view *d, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:b}", "scope", d->scope,
                                         "kind", d->scope_kind, "confidential",
                                         d->confidential));
    return 0;
}

static void test_disclosure__refuses_what_is_not_a_disclosure(void **state)
{
    tu_store *t = *state;
    char id[SW_ID_BUFSZ], sid[SW_ID_BUFSZ];
    person(t, sid);
    assert_int_equal(
        add(t, "police", "email:ivy@acme.example", "user.name", NULL, id),
        SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "law_enforcement"));
    assert_int_equal(
        add(t, "court", "email:ivy@acme.example", "user.nope", NULL, id),
        SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t->s), "user.nope"));
    assert_int_equal(add(t, "court", "email:ivy@acme.example", "", NULL, id),
                     SW_ERR_INVALID);
    assert_int_equal(add(t, "court", "imei:1", "user.name", NULL, id),
                     SW_ERR_INVALID);
    assert_int_equal(
        add(t, "court", "email:not-an-address", "user.name", NULL, id),
        SW_ERR_INVALID);
    assert_int_equal(
        add(t, "court", "subject:sub_nobody", "user.name", NULL, id),
        SW_ERR_NOTFOUND);
    assert_string_equal(id, "");
    json_t *all = json_array();
    assert_int_equal(sw_disclosure_list(t->s, NULL, count, all), SW_OK);
    assert_int_equal(json_array_size(all), 0);
    json_decref(all);
}

/* Found through every way a person is named, sealed on disk. */
static void test_disclosure__concerns_a_person_however_named(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], other[SW_ID_BUFSZ], id[SW_ID_BUFSZ];
    person(t, sid);
    sw_ident oi = {"email", "max@acme.example"};
    sw_subject_spec os = {"customer", "ACC-2", NULL, NULL, 1, &oi};
    assert_int_equal(sw_subject_add(t->s, &os, other), SW_OK);
    assert_int_equal(add(t, "law_enforcement", "msisdn:+44 7700 900555",
                         "user.telecom.msisdn,system.traffic", NULL, id),
                     SW_OK);
    assert_int_equal(add(t, "auditor", "account:ACC-1", "contract", NULL, id),
                     SW_OK);
    char scope[80];
    snprintf(scope, sizeof(scope), "subject:%s", sid);
    assert_int_equal(add(t, "court", scope, "user.name", NULL, id), SW_OK);
    assert_int_equal(
        add(t, "court", "email:max@acme.example", "user.name", NULL, id),
        SW_OK);
    json_t *mine = json_array();
    assert_int_equal(sw_disclosure_list(t->s, sid, count, mine), SW_OK);
    assert_int_equal(json_array_size(mine), 3);
    char *text = json_dumps(mine, 0);
    assert_non_null(strstr(text, "+447700900555")); /* decrypted */
    assert_null(strstr(text, "max@"));
    free(text);
    json_decref(mine);
    json_t *all = json_array();
    assert_int_equal(sw_disclosure_list(t->s, NULL, count, all), SW_OK);
    assert_int_equal(json_array_size(all), 4);
    json_decref(all);
    if (!tu_pg()) { /* nothing in clear, in the file or its journal */
        char wal[600];
        snprintf(wal, sizeof(wal), "%s-wal", t->path);
        const char *files[] = {t->path, wal};
        for (int i = 0; i < 2; i++) {
            assert_false(tu_file_contains(files[i], "447700900555"));
            assert_false(tu_file_contains(files[i], "max@acme.example"));
        }
    }
    assert_int_equal(
        tu_count_sql(t->path, "SELECT count(*) FROM audit WHERE action ="
                              " 'disclosure.add' AND details LIKE"
                              " '%ORDER-77%' AND details NOT LIKE '%9005%'"),
        4);
    /* a key moved from another entry does not open this one */
    tu_exec_sql(t->path, "UPDATE disclosures SET wrapped_key = (SELECT"
                         " d2.wrapped_key FROM disclosures d2 WHERE d2.id <>"
                         " disclosures.id ORDER BY d2.id LIMIT 1)");
    all = json_array();
    assert_int_equal(sw_disclosure_list(t->s, NULL, count, all), SW_ERR_CRYPTO);
    assert_non_null(strstr(sw_errmsg(t->s), "does not decrypt"));
    json_decref(all);
}

static char *answer(tu_store *t, sw_request_type type, sw_regulation reg,
                    char *outcome)
{
    sw_ident id = {"email", "ivy@acme.example"};
    sw_who who = {NULL, &id};
    sw_request_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.type = type;
    spec.regulation = reg;
    sw_request_opened o;
    if (sw_request_open(t->s, &who, &spec, &o) != SW_OK)
        fail_msg("open: %s", sw_errmsg(t->s));
    assert_int_equal(sw_request_verify(t->s, o.req.id, o.code), SW_OK);
    sw_fulfil_options fo = {SW_ANSWER_JSON, NULL, NULL, NULL};
    sw_fulfilment f;
    if (sw_request_fulfil(t->s, o.req.id, &fo, &f) != SW_OK)
        fail_msg("fulfil: %s", sw_errmsg(t->s));
    snprintf(outcome, 512, "%s", f.outcome);
    return f.answer;
}

/* The disclosure story: a law-enforcement disclosure under a
 * confidentiality order is absent from the access answer until its date,
 * then present; the CCPA right-to-know answer lists its categories. */
static void test_disclosure__confidential_until_its_date(void **state)
{
    tu_store *t = *state;
    char sid[SW_ID_BUFSZ], id[SW_ID_BUFSZ], out[512];
    person(t, sid);
    assert_int_equal(add(t, "law_enforcement", "msisdn:+447700900555",
                         "user.telecom.msisdn,system.traffic",
                         "2026-08-01T00:00:00Z", id),
                     SW_OK);
    char *a = answer(t, SW_REQ_ACCESS, SW_GDPR, out);
    json_t *j = json_loads(a, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "disclosures")), 0);
    assert_null(strstr(a, "Metropolitan"));
    assert_null(strstr(a, "ORDER-77"));
    assert_non_null(strstr(out, "1 disclosure withheld"));
    assert_non_null(strstr(out, "2026-08-01"));
    json_decref(j);
    free(a);

    tu_store_now(t, "2026-08-01T00:00:01Z");
    a = answer(t, SW_REQ_ACCESS, SW_GDPR, out);
    j = json_loads(a, 0, NULL);
    json_t *d = json_array_get(json_object_get(j, "disclosures"), 0);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "recipient")),
                        "Metropolitan Police");
    assert_string_equal(json_string_value(json_object_get(d, "basis")),
                        "6(1)(c)");
    assert_null(strstr(out, "withheld"));
    json_decref(j);
    free(a);

    a = answer(t, SW_REQ_KNOW_CATEGORIES, SW_CCPA, out);
    j = json_loads(a, 0, NULL);
    bool identifiers = false, commercial = false;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "categories_disclosed"), i, c)
    {
        const char *cid = json_string_value(json_object_get(c, "id"));
        char *text = json_dumps(c, 0);
        if (strcmp(cid, "identifiers") == 0)
            identifiers = strstr(text, "law_enforcement") != NULL;
        free(text);
    }
    json_array_foreach(json_object_get(j, "categories_collected"), i, c)
        commercial |= strcmp(json_string_value(json_object_get(c, "id")),
                             "commercial") == 0; /* the invoice */
    assert_true(identifiers);
    assert_true(commercial);
    json_decref(j);
    free(a);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t->s, &v), SW_OK);
    assert_true(v.intact);
}

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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_disclosure__refuses_what_is_not_a_disclosure),
        T(test_disclosure__concerns_a_person_however_named),
        T(test_disclosure__confidential_until_its_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
