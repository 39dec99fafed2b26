/* SPDX-License-Identifier: Apache-2.0 */
/* The policy's versions (notice 16): the store records the policy it
 * applies, refuses another one until it is applied, and applying a change
 * dates again what the changed rules govern, in one audited step. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define NOW "2026-12-03T10:00:00Z"
#define MKT "marketing.communications.email"

static sw_policy *bundled_with(const char *const *pairs)
{
    char *text = tu_bundled_variant(pairs);
    sw_policy *p = tu_policy_text(text);
    free(text);
    return p;
}

/* The behaviour analytics rule at 6 months instead of 25, in a notice of
 * its own version. */
static sw_policy *six_months(void)
{
    static const char *const pairs[] = {
        "categories: [user.behavior.platform_usage, user.device]\n"
        "        keep: 25m",
        "categories: [user.behavior.platform_usage, user.device]\n"
        "        keep: 6m",
        "version: \"2025-06\"", "version: \"2026-12\"", NULL};
    return bundled_with(pairs);
}

static void add_analytics(tu_store *t, const char *at, char *sid, char *rid)
{
    sw_subject_spec spec = {"customer_user", "ACME", NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(t->s, &spec, sid), SW_OK);
    sw_record_spec r = {sid,
                        "product_analytics",
                        "user.behavior.platform_usage",
                        "clicks on the dashboard",
                        23,
                        NULL,
                        true,
                        tu_instant(at),
                        NULL};
    assert_int_equal(sw_record_add(t->s, &r, rid, NULL), SW_OK);
}

static sw_due due_of(tu_store *t, const char *sid)
{
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t->s, sid, &v), SW_OK);
    assert_int_equal(v->n_records, 1);
    sw_due d = v->records[0].due;
    sw_subject_view_free(v);
    return d;
}

static int count_version(const sw_policy_version *v, void *p)
{
    int *n = p;
    (*n)++;
    assert_int_equal(v->seq, *n);
    assert_int_equal(strlen(v->hash), 64);
    return 0;
}

static int versions(tu_store *t)
{
    int n = 0;
    assert_int_equal(sw_policy_history(t->s, count_version, &n), SW_OK);
    return n;
}

static int find_action(const sw_audit_entry *e, void *p)
{
    const char **want = p;
    if (strcmp(e->action, want[0]) == 0)
        want[1] = "found";
    return 0;
}

static bool audited(tu_store *t, const char *action)
{
    const char *want[2] = {action, NULL};
    assert_int_equal(sw_audit_log(t->s, NULL, find_action, want), SW_OK);
    return want[1] != NULL;
}

/* The case: behaviour analytics goes from 25 months to 6. Before,
 * the record kept its 25-month date under a policy that said 6, and the
 * sweep deleted nothing. */
static void
test_versions__shortened_rule_redates_and_the_sweep_deletes(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, NOW);
    assert_int_equal(versions(&t), 1); /* the first policy, recorded */
    assert_true(audited(&t, "policy.record"));
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_analytics(&t, "2026-01-01T00:00:00Z", sid, rid);
    assert_int_equal(due_of(&t, sid).due_at,
                     tu_instant("2028-02-01T00:00:00Z"));

    /* the dry run says what would change, and changes nothing */
    sw_policy *next = six_months();
    sw_policy_plan *plan = NULL;
    assert_int_equal(sw_policy_apply(t.s, next, true, &plan), SW_OK);
    assert_true(plan->dry_run);
    assert_false(plan->unchanged);
    assert_int_equal(plan->from_seq, 1);
    assert_int_equal(plan->to_seq, 0);
    assert_string_equal(plan->from_notice, "2025-06");
    assert_string_equal(plan->to_notice, "2026-12");
    assert_int_equal(plan->n_rules, 1);
    assert_string_equal(plan->rules[0].rule, "product_analytics.behaviour");
    assert_int_equal(plan->rules[0].kind, SW_RULE_SHORTENED);
    assert_string_equal(plan->rules[0].before, "P25M");
    assert_string_equal(plan->rules[0].after, "P6M");
    assert_int_equal(plan->rules[0].redated, 1);
    assert_int_equal(plan->rules[0].now_due, 1);
    assert_int_equal(plan->records_redated, 1);
    assert_int_equal(plan->records_now_due, 1);
    sw_policy_plan_free(plan);
    assert_int_equal(due_of(&t, sid).due_at,
                     tu_instant("2028-02-01T00:00:00Z"));
    assert_int_equal(versions(&t), 1);
    sw_sweep_report *r = tu_sweep(&t, NOW);
    assert_int_equal(r->records, 0);
    sw_sweep_report_free(r);

    /* applied: the record is dated from 6 months, and the sweep takes it */
    plan = tu_store_apply(&t, next);
    assert_false(plan->dry_run);
    assert_int_equal(plan->to_seq, 2);
    assert_int_equal(plan->records_redated, 1);
    sw_policy_plan_free(plan);
    sw_due d = due_of(&t, sid);
    assert_true(d.has_due);
    assert_int_equal(d.due_at, tu_instant("2026-07-01T00:00:00Z"));
    assert_string_equal(d.rule, "product_analytics.behaviour");
    assert_int_equal(versions(&t), 2);
    assert_true(audited(&t, "policy.apply"));
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    assert_true(v.intact);

    /* reopened, the store applies version 2: the old policy is refused,
     * and the store gives its own back */
    sw_policy *mine = NULL;
    assert_int_equal(sw_store_policy(t.s, &mine), SW_OK);
    assert_non_null(mine);
    assert_string_equal(mine->hash, t.policy->hash);
    assert_string_equal(mine->notice.version, "2026-12");
    sw_policy_free(mine);
    sw_policy *old = tu_bundled();
    assert_int_equal(sw_store_use_policy(t.s, old), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), "version 2"));
    assert_non_null(strstr(sw_errmsg(t.s), "2026-12"));
    sw_store_options o;
    sw_store_options_init(&o);
    if (t.key[0])
        o.key_file = t.key;
    o.policy = old;
    sw_store *other = NULL;
    sw_error err;
    tu_store_reopen(&t);
    assert_int_equal(sw_store_open(t.path, &o, &other, &err), SW_ERR_CONFLICT);
    assert_null(other);
    assert_non_null(strstr(err.msg, "not the policy this store applies"));
    sw_policy_free(old);

    r = tu_sweep(&t, NOW);
    assert_int_equal(r->records, 1);
    sw_sweep_report_free(r);
    /* the same policy again: nothing to do */
    sw_policy *again = six_months();
    assert_int_equal(sw_policy_apply(t.s, again, false, &plan), SW_OK);
    assert_true(plan->unchanged);
    assert_int_equal(versions(&t), 2);
    sw_policy_plan_free(plan);
    sw_policy_free(again);
    tu_store_free(&t);
}

static void test_versions__lengthened_rule_moves_dates_later(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, NOW);
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_analytics(&t, "2026-01-01T00:00:00Z", sid, rid);
    static const char *const pairs[] = {
        "categories: [user.behavior.platform_usage, user.device]\n"
        "        keep: 25m",
        "categories: [user.behavior.platform_usage, user.device]\n"
        "        keep: 3y",
        NULL};
    sw_policy_plan *plan = tu_store_apply(&t, bundled_with(pairs));
    assert_int_equal(plan->n_rules, 1);
    assert_int_equal(plan->rules[0].kind, SW_RULE_LENGTHENED);
    assert_int_equal(plan->rules[0].redated, 1);
    assert_int_equal(plan->rules[0].now_due, 0);
    /* only a rule changed: the notice's purposes did not, so the same
     * notice version is accepted and no consent is asked again */
    assert_int_equal(plan->n_purposes, 0);
    assert_int_equal(plan->n_reconsent, 0);
    sw_policy_plan_free(plan);
    assert_int_equal(due_of(&t, sid).due_at,
                     tu_instant("2029-01-01T00:00:00Z"));
    tu_store_free(&t);
}

/* A policy that drops an activity stored records belong to would leave
 * them with no rule: refused, nothing changed. */
static void test_versions__dropping_an_activity_in_use_is_refused(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, NOW);
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ];
    add_analytics(&t, "2026-01-01T00:00:00Z", sid, rid);
    static const char *const pairs[] = {"  - id: product_analytics\n",
                                        "  - id: product_insights\n", NULL};
    sw_policy *next = bundled_with(pairs);
    sw_policy_plan *plan = NULL;
    assert_int_equal(sw_policy_apply(t.s, next, false, &plan), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), "'product_analytics'"));
    assert_non_null(strstr(sw_errmsg(t.s), "1 stored"));
    sw_policy_plan_free(plan);
    assert_int_equal(versions(&t), 1);
    assert_int_equal(due_of(&t, sid).due_at,
                     tu_instant("2028-02-01T00:00:00Z"));
    assert_false(audited(&t, "policy.apply"));
    sw_policy_free(next);
    tu_store_free(&t);
}

/* A purpose that now covers more: the consents given under the older
 * notice are listed to be asked again; the same change without a new
 * notice version is refused (a consent could not say what it saw). */
static void test_versions__changed_purpose_lists_consents_to_ask_again(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, NOW);
    sw_ident id = {"email", "dora@example.org"};
    sw_who who = {NULL, &id};
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = MKT;
    spec.method = "web_form";
    spec.new_kind = "marketing_subscriber";
    sw_consent_result c, done;
    assert_int_equal(sw_consent_give(t.s, &who, &spec, &c), SW_OK);
    assert_int_equal(sw_consent_confirm(t.s, c.token, &done), SW_OK);

    static const char *const same_version[] = {
        "Send newsletters, blogs and news of webinars and events",
        "Send newsletters, blogs, news of webinars and events, and offers",
        NULL};
    sw_policy *bad = bundled_with(same_version);
    sw_policy_plan *plan = NULL;
    assert_int_equal(sw_policy_apply(t.s, bad, true, &plan), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(t.s), MKT));
    assert_non_null(strstr(sw_errmsg(t.s), "notice.version"));
    sw_policy_plan_free(plan);
    sw_policy_free(bad);

    static const char *const new_version[] = {
        "Send newsletters, blogs and news of webinars and events",
        "Send newsletters, blogs, news of webinars and events, and offers",
        "version: \"2025-06\"", "version: \"2027-01\"", NULL};
    plan = tu_store_apply(&t, bundled_with(new_version));
    assert_int_equal(plan->n_rules, 0);
    assert_int_equal(plan->n_purposes, 1);
    assert_string_equal(plan->purposes[0], MKT);
    assert_int_equal(plan->n_reconsent, 1);
    assert_string_equal(plan->reconsent[0].consent, c.id);
    assert_string_equal(plan->reconsent[0].subject, c.subject);
    assert_string_equal(plan->reconsent[0].notice_version, "2025-06");
    char *text = sw_policy_plan_json(plan);
    json_t *o = json_loads(text, 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_array_size(json_object_get(o, "reconsent")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "to_notice")),
                        "2027-01");
    json_decref(o);
    free(text);
    sw_policy_plan_free(plan);
    assert_int_equal(versions(&t), 2);
    tu_store_free(&t);
}

/* The end users' identifiers from 12 months to 6: the day keys that
 * unlock them are dated again, and the sweep destroys them 6 months
 * earlier. */
static void test_versions__traffic_day_keys_are_dated_again(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    const char *cdr =
        "{\"id\":\"c1\",\"account\":\"ACC-1\",\"channel\":\"sms\","
        "\"time\":\"2025-03-14T10:00:00Z\",\"sender\":\"ACME\","
        "\"destination\":\"+447700900123\",\"country\":\"GB\","
        "\"imsi\":\"234150123456789\",\"imei\":\"490154203237518\","
        "\"duration\":0,\"operator\":\"OpA\",\"route\":\"r1\","
        "\"price\":\"0.0400\",\"currency\":\"EUR\"}\n";
    FILE *f = fmemopen((void *)cdr, strlen(cdr), "r");
    assert_non_null(f);
    sw_diags *d = sw_diags_new();
    sw_ingest_options io = {false, 0, NULL, NULL};
    sw_ingest_result ir;
    assert_int_equal(sw_traffic_ingest(t.s, f, "cdr.ndjson", &io, d, &ir),
                     SW_OK);
    fclose(f);
    sw_diags_free(d);
    assert_int_equal(ir.stored, 1);
    static const char *const pairs[] = {
        "categories: [user.telecom, user.contact.email]\n        keep: 12m",
        "categories: [user.telecom, user.contact.email]\n        keep: 6m",
        NULL};
    sw_policy_plan *plan = tu_store_apply(&t, bundled_with(pairs));
    assert_int_equal(plan->n_rules, 1);
    assert_string_equal(plan->rules[0].rule, "traffic.end_user_identifiers");
    assert_int_equal(plan->rules[0].kind, SW_RULE_SHORTENED);
    assert_int_equal(plan->day_keys_redated, 1);
    assert_int_equal(plan->day_keys_now_due, 0);
    sw_policy_plan_free(plan);
    /* end of 2025-03-14 + 6 months: the key goes on 2025-09-15 */
    sw_sweep_report *r = tu_sweep(&t, "2025-09-14T23:59:59Z");
    assert_int_equal(r->epochs_destroyed, 0);
    sw_sweep_report_free(r);
    r = tu_sweep(&t, "2025-09-15T00:00:00Z");
    assert_int_equal(r->epochs_destroyed, 1);
    sw_sweep_report_free(r);
    tu_store_free(&t);
}

/* A suppression entry's clock started at the event: a longer period
 * after it moves its due date from that event, not from the apply. */
static void test_versions__suppression_entries_are_dated_again(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, "2026-01-10T00:00:00Z");
    sw_ident id = {"email", "eve@acme.example"};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &id};
    char sid[SW_ID_BUFSZ], eid[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    sw_who who = {sid, NULL};
    sw_objection_result o;
    assert_int_equal(sw_objection_add(t.s, &who, MKT, &o), SW_OK);
    assert_true(o.suppressed);
    sw_event_spec e = {"relationship_ended",
                       NULL,
                       "ACME",
                       NULL,
                       NULL,
                       tu_instant("2026-01-10T00:00:00Z"),
                       NULL};
    assert_int_equal(sw_event_add(t.s, &e, eid, NULL), SW_OK);
    tu_store_now(&t, "2026-02-01T00:00:00Z");
    static const char *const pairs[] = {
        "supplier_personnel]\n        keep: 0d\n        after: "
        "relationship_ended",
        "supplier_personnel]\n        keep: 90d\n        after: "
        "relationship_ended",
        NULL};
    sw_policy_plan *plan = tu_store_apply(&t, bundled_with(pairs));
    assert_int_equal(plan->n_rules, 1);
    assert_string_equal(plan->rules[0].rule, "suppression.b2b");
    assert_int_equal(plan->rules[0].kind, SW_RULE_LENGTHENED);
    assert_int_equal(plan->suppression_redated, 1);
    assert_int_equal(plan->suppression_now_due, 0);
    sw_policy_plan_free(plan);
    /* 2026-01-10 + 90 days = 2026-04-10 */
    sw_sweep_report *r = tu_sweep(&t, "2026-04-09T23:59:59Z");
    assert_int_equal(r->suppression_removed, 0);
    sw_sweep_report_free(r);
    r = tu_sweep(&t, "2026-04-10T00:00:00Z");
    assert_int_equal(r->suppression_removed, 1);
    sw_sweep_report_free(r);
    tu_store_free(&t);
}

/* A handle opened before another applied a new version (a running
 * daemon while the CLI applies) would date new data by the old rules:
 * its changes are refused until it is opened again; it still reads. */
static void test_versions__a_handle_under_the_old_version_cannot_write(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, NOW);
    sw_policy *old = tu_bundled();
    sw_store_options o;
    sw_store_options_init(&o);
    if (t.key[0])
        o.key_file = t.key;
    o.policy = old;
    sw_clock_init_fixed(&o.clock, tu_instant(NOW));
    sw_store *other = NULL;
    sw_error err;
    assert_int_equal(sw_store_open(t.path, &o, &other, &err), SW_OK);
    sw_policy_plan_free(tu_store_apply(&t, six_months()));
    char sid[SW_ID_BUFSZ];
    sw_subject_spec spec = {"customer_user", "ACME", NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(other, &spec, sid), SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(other), "policy version 2"));
    assert_non_null(strstr(sw_errmsg(other), "open it again"));
    assert_int_equal(sw_batch_begin(other), SW_ERR_CONFLICT);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(other, &v), SW_OK);
    assert_true(v.intact);
    sw_store_close(other);
    sw_policy_free(old);
    /* the handle that applied it goes on */
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_versions__shortened_rule_redates_and_the_sweep_deletes),
        cmocka_unit_test(test_versions__lengthened_rule_moves_dates_later),
        cmocka_unit_test(test_versions__dropping_an_activity_in_use_is_refused),
        cmocka_unit_test(
            test_versions__changed_purpose_lists_consents_to_ask_again),
        cmocka_unit_test(test_versions__traffic_day_keys_are_dated_again),
        cmocka_unit_test(test_versions__suppression_entries_are_dated_again),
        cmocka_unit_test(
            test_versions__a_handle_under_the_old_version_cannot_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
