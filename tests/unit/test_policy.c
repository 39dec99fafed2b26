/* SPDX-License-Identifier: Apache-2.0 */
/* The policy: the bundled notice loads and says what the notice says; every
 * bad policy under tests/data/policy/bad/ fails with its expected
 * diagnostic; the linter reports the notice's gaps. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *minimal_path(char *buf, size_t n)
{
    return tu_src("tests/data/policy/good/minimal.yaml", buf, n);
}

/* Loads YAML text; returns the status and leaves diagnostics in *d. */
static sw_status load_text(const char *text, sw_diags **d, sw_policy **p)
{
    *d = sw_diags_new();
    return sw_policy_load_buffer("test.yaml", text, strlen(text), *d, p);
}

/* The minimal policy with one substitution applied. */
static char *minimal_with(const char *old, const char *new)
{
    char path[512];
    char *base = tu_read_file(minimal_path(path, sizeof(path)), NULL);
    char *at = strstr(base, old);
    assert_non_null(at);
    size_t n = strlen(base) - strlen(old) + strlen(new) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - base), base, new, at + strlen(old));
    free(base);
    return out;
}

static size_t count_code(const sw_diags *d, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < sw_diags_count(d); i++)
        if (strcmp(sw_diags_at(d, i)->code, code) == 0)
            n++;
    return n;
}

static void test_policy__minimal_policy_loads(void **state)
{
    (void)state;
    char path[512];
    sw_diags *d = sw_diags_new();
    sw_policy *p = NULL;
    assert_int_equal(
        sw_policy_load_file(minimal_path(path, sizeof(path)), d, &p), SW_OK);
    assert_int_equal(sw_diags_count(d), 0);
    assert_int_equal(p->n_activities, 1);
    assert_string_equal(p->activities[0].rules[0].id, "accounts.basic");
    assert_ptr_equal(p->activities[0].rules[0].activity, &p->activities[0]);
    assert_int_equal(p->activities[0].rules[0].keep.years, 7);
    sw_policy_free(p);
    sw_diags_free(d);
}

static void test_policy__missing_file_is_an_io_error(void **state)
{
    (void)state;
    sw_diags *d = sw_diags_new();
    sw_policy *p = (sw_policy *)1;
    assert_int_equal(sw_policy_load_file("/nonexistent/policy.yaml", d, &p),
                     SW_ERR_IO);
    assert_null(p);
    assert_int_equal(sw_diags_errors(d), 1);
    assert_non_null(strstr(sw_diags_at(d, 0)->message, "No such file"));
    sw_diags_free(d);
}

static void test_policy__bundled_encodes_every_notice_section(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const char *sections[] = {"5.1.1", "5.1.2", "5.1.3", "5.2", "5.3", "5.4",
                              "5.5",   "5.6.1", "5.6.2", "5.7", "5.8", NULL};
    for (int i = 0; sections[i]; i++) {
        bool found = false;
        for (size_t a = 0; a < p->n_activities; a++)
            found |= strcmp(p->activities[a].section, sections[i]) == 0;
        for (size_t r = 0; r < sw_policy_rule_count(p); r++)
            found |= strcmp(sw_policy_rule_at(p, r)->section, sections[i]) == 0;
        if (!found)
            fail_msg("no activity or rule encodes notice section %s",
                     sections[i]);
    }
    assert_true(p->n_recipients >= 10);         /* section 6 */
    assert_true(p->n_rights >= 9);              /* sections 9-11, 15 */
    assert_false(p->automated_decisions.used);  /* section 12 */
    assert_int_equal(p->children.min_age, 16);  /* section 14 */
    assert_false(p->ccpa.sells);                /* section 15 */
    assert_int_equal(p->ccpa.n_categories, 10); /* every category mapped */
    sw_policy_free(p);
}

static void test_policy__bundled_has_every_activity_of_the_notice(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const char *ids[] = {"customer_account",
                         "customer_support",
                         "traffic_conveyance",
                         "traffic_billing",
                         "traffic_records",
                         "security_logs",
                         "product_analytics",
                         "suppliers",
                         "sales_prospects",
                         "email_marketing",
                         "b2b_marketing",
                         "suppression_list",
                         "webinars",
                         "event_registration",
                         "event_logistics",
                         "event_dietary",
                         "event_visa_letters",
                         "event_participants_list",
                         "event_promotion",
                         "market_research",
                         "ux_research",
                         "website_analytics",
                         "recruitment_applicants",
                         "job_alerts",
                         "sourced_candidates",
                         "background_checks",
                         NULL};
    for (int i = 0; ids[i]; i++)
        if (!sw_policy_activity(p, ids[i]))
            fail_msg("activity %s missing", ids[i]);
    /* Every activity fills every register field. */
    for (size_t a = 0; a < p->n_activities; a++) {
        const sw_activity *act = &p->activities[a];
        assert_true(act->subjects.n > 0);
        assert_true(act->categories.n > 0);
        assert_true(act->purposes.n > 0);
        assert_true(act->n_bases > 0);
        assert_true(act->sources.n > 0);
        assert_true(act->recipients.n > 0);
        assert_true(act->n_rules > 0);
    }
    sw_policy_free(p);
}

static void test_policy__end_users_data_is_processed_for_customers(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const sw_activity *a = sw_policy_activity(p, "traffic_conveyance");
    assert_int_equal(a->role, SW_ROLE_PROCESSOR);
    assert_int_equal(a->subjects.n, 1);
    assert_string_equal(a->subjects.v[0], "end_user");
    assert_int_equal(sw_policy_activity(p, "customer_account")->role,
                     SW_ROLE_CONTROLLER);
    sw_policy_free(p);
}

static void test_policy__dietary_needs_explicit_consent(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const sw_category *c =
        sw_policy_category(p, "user.health_and_medical.dietary");
    assert_non_null(c);
    assert_true(c->special);
    const sw_activity *a = sw_policy_activity(p, "event_dietary");
    assert_string_equal(a->special_condition, "9(2)(a)");
    assert_string_equal(sw_basis_label(a->special_condition),
                        "Art. 9(2)(a) GDPR: explicit consent");
    sw_policy_free(p);
}

/* Background checks include criminal checks (notice 5.8): Art. 10 data,
 * processed where the law of the country of employment permits it. */
static void
test_policy__criminal_checks_name_their_art10_authority(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const sw_category *c = sw_policy_category(p, "user.criminal_history");
    assert_non_null(c);
    assert_true(c->criminal);
    assert_false(c->special);
    const sw_activity *a = sw_policy_activity(p, "background_checks");
    assert_string_equal(a->criminal_authority, "member_state_law");
    assert_non_null(a->criminal_law);
    assert_string_equal(sw_criminal_label(a->criminal_authority),
                        "Art. 10 GDPR: authorised by Member State law");
    /* no other activity of the bundled policy processes such data */
    for (size_t i = 0; i < p->n_activities; i++)
        if (p->activities[i].criminal_authority)
            assert_string_equal(p->activities[i].id, "background_checks");
    sw_policy_free(p);
}

/* docs/policy.md lists every fideslang extension of the bundled policy
 * with its parent, as the policy says it */
static void test_policy__extensions_are_documented(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    char path[512];
    tu_src("docs/policy.md", path, sizeof(path));
    char *doc = tu_read_file(path, NULL);
    size_t n = 0;
    char row[512];
    for (size_t i = 0; i < p->n_categories; i++)
        if (p->categories[i].extends) {
            snprintf(row, sizeof(row), "| `%s` | data category | `%s` |",
                     p->categories[i].id, p->categories[i].extends);
            if (!strstr(doc, row))
                fail_msg("docs/policy.md lacks the row %s", row);
            n++;
        }
    for (size_t i = 0; i < p->n_purposes; i++)
        if (p->purposes[i].extends) {
            snprintf(row, sizeof(row), "| `%s` | data use | `%s` |",
                     p->purposes[i].id, p->purposes[i].extends);
            if (!strstr(doc, row))
                fail_msg("docs/policy.md lacks the row %s", row);
            n++;
        }
    for (size_t i = 0; i < p->n_subjects; i++)
        if (p->subjects[i].extends) {
            snprintf(row, sizeof(row), "| `%s` | data subject | `%s` |",
                     p->subjects[i].id, p->subjects[i].extends);
            if (!strstr(doc, row))
                fail_msg("docs/policy.md lacks the row %s", row);
            n++;
        }
    /* and no more rows than the policy has extensions */
    size_t rows = 0;
    for (const char *at = doc; (at = strstr(at, " | data ")); at++)
        rows++;
    assert_int_equal(rows, n);
    assert_true(n > 0);
    free(doc);
    sw_policy_free(p);
}

static void test_policy__unstated_periods_are_explicit(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const char *gaps[] = {"security_logs.logs",
                          "ux_research.data",
                          "events.visa_letters",
                          "events.media",
                          "traffic.billing",
                          "website_analytics.cookies",
                          "recruitment.background_checks",
                          NULL};
    for (int i = 0; gaps[i]; i++) {
        const sw_rule *r = sw_policy_rule(p, gaps[i]);
        assert_non_null(r);
        assert_int_not_equal(r->keep_kind, SW_KEEP_PERIOD);
        assert_non_null(r->reason);
        sw_instant due;
        assert_int_equal(sw_rule_due(r, 0, &due), SW_ERR_UNSPECIFIED);
    }
    assert_int_equal(sw_policy_rule(p, "events.visa_letters")->keep_kind,
                     SW_KEEP_PER_LAW);
    sw_policy_free(p);
}

static void test_policy__lint_reports_each_gap_of_the_notice(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    sw_diags *d = sw_diags_new();
    size_t n = sw_policy_lint(p, d);
    assert_int_equal(n, sw_diags_count(d));
    assert_int_equal(sw_diags_errors(d), 0);
    size_t unstated = 0;
    for (size_t i = 0; i < sw_policy_rule_count(p); i++) {
        const sw_rule *r = sw_policy_rule_at(p, i);
        if (r->keep_kind == SW_KEEP_PERIOD)
            continue;
        unstated++;
        bool named = false;
        for (size_t k = 0; k < sw_diags_count(d); k++)
            named |= strstr(sw_diags_at(d, k)->message, r->id) != NULL;
        if (!named)
            fail_msg("no warning names rule %s", r->id);
    }
    assert_true(unstated >= 7);
    assert_int_equal(count_code(d, "gap"), unstated);
    /* The bundled policy gives every consent a withdrawal route and every
     * legitimate interest an objection route. */
    assert_int_equal(count_code(d, "no-withdrawal"), 0);
    assert_int_equal(count_code(d, "no-objection"), 0);
    sw_diags_free(d);
    sw_policy_free(p);
}

static void test_policy__lint_wants_withdrawal_and_objection(void **state)
{
    (void)state;
    char *text = minimal_with("legal_basis: [6(1)(b)]",
                              "legal_basis: [6(1)(a), 6(1)(f)]");
    sw_diags *d;
    sw_policy *p;
    assert_int_equal(load_text(text, &d, &p), SW_OK);
    assert_int_equal(sw_policy_lint(p, d), 2);
    assert_int_equal(count_code(d, "no-withdrawal"), 1);
    assert_int_equal(count_code(d, "no-objection"), 1);
    assert_int_equal(sw_diags_at(d, 0)->line, 26); /* the activity */
    sw_policy_free(p);
    sw_diags_free(d);
    free(text);
}

static void test_policy__lint_reports_category_without_rule(void **state)
{
    (void)state;
    char *text = minimal_with("        categories: [user.name, user.contact]",
                              "        categories: [user.name]");
    sw_diags *d;
    sw_policy *p;
    assert_int_equal(load_text(text, &d, &p), SW_OK);
    assert_int_equal(sw_policy_lint(p, d), 1);
    assert_int_equal(count_code(d, "uncovered-category"), 1);
    assert_non_null(strstr(sw_diags_at(d, 0)->message, "user.contact.email"));
    sw_policy_free(p);
    sw_diags_free(d);
    free(text);
}

static void test_policy__category_prefixes_cover_children(void **state)
{
    (void)state;
    assert_true(sw_category_covers("user.contact", "user.contact.email"));
    assert_true(sw_category_covers("user.contact.email", "user.contact.email"));
    assert_false(sw_category_covers("user.contact", "user.contacts"));
    assert_false(sw_category_covers("user.contact.email", "user.contact"));
    assert_false(sw_category_covers("user", "system.traffic"));
}

static void test_policy__legal_basis_labels_name_the_article(void **state)
{
    (void)state;
    assert_string_equal(sw_basis_label("6(1)(a)"),
                        "Art. 6(1)(a) GDPR: consent");
    assert_string_equal(sw_basis_label("6(1)(f)"),
                        "Art. 6(1)(f) GDPR: legitimate interests");
    assert_null(sw_basis_label("6(1)(g)"));
    assert_null(sw_basis_label("9(2)(k)"));
    assert_null(sw_basis_label("consent"));
}

static void test_policy__model_as_json(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    char *text;
    assert_int_equal(sw_policy_to_json(p, &text), SW_OK);
    json_error_t err;
    json_t *o = json_loads(text, 0, &err);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "steward")), 1);
    json_t *acts = json_object_get(o, "activities");
    assert_int_equal(json_array_size(acts), p->n_activities);
    json_t *first_rule = json_array_get(
        json_object_get(json_array_get(acts, 0), "retention"), 0);
    assert_string_equal(json_string_value(json_object_get(first_rule, "keep")),
                        "P7Y");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(o, "controller"), "name")),
                        p->controller.name);
    json_decref(o);
    free(text);
    sw_policy_free(p);
}

/* ---- the folder of bad policies ---- */

static void test_policy__bad_file(void **state)
{
    const char *path = *state;
    char *text = tu_read_file(path, NULL);
    /* Line 2: "# expect: LINE:COL: CODE: MESSAGE" (LINE:COL may be "*"). */
    char *exp = strstr(text, "# expect: ");
    assert_non_null(exp);
    exp += strlen("# expect: ");
    char *eol = strchr(exp, '\n');
    assert_non_null(eol);
    *eol = '\0';
    int line = 0, col = 0;
    char code[64];
    int used = 0;
    if (exp[0] == '*') {
        assert_int_equal(sscanf(exp, "*: %63[^:]: %n", code, &used), 1);
    } else {
        assert_int_equal(
            sscanf(exp, "%d:%d: %63[^:]: %n", &line, &col, code, &used), 3);
    }
    char msg[512];
    snprintf(msg, sizeof(msg), "%s", used ? exp + used : "");
    *eol = '\n';

    sw_diags *d = sw_diags_new();
    sw_policy *p = (sw_policy *)1;
    sw_status st = sw_policy_load_file(path, d, &p);
    assert_true(st == SW_ERR_INVALID || st == SW_ERR_SYNTAX);
    assert_null(p);
    bool found = false;
    char shown[1400];
    for (size_t i = 0; i < sw_diags_count(d); i++) {
        const sw_diag *dg = sw_diags_at(d, i);
        assert_int_equal(dg->severity, SW_SEV_ERROR);
        assert_string_equal(dg->file, path);
        if (strcmp(dg->code, code) == 0 && strstr(dg->message, msg) &&
            (!line || (dg->line == line && dg->col == col)))
            found = true;
    }
    if (!found) {
        for (size_t i = 0; i < sw_diags_count(d); i++)
            print_error("  got: %s\n", sw_diag_format(sw_diags_at(d, i), shown,
                                                      sizeof(shown)));
        fail_msg("%s: no diagnostic %d:%d %s '%s'", path, line, col, code, msg);
    }
    sw_diags_free(d);
    free(text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_bad_files(void)
{
    char dir[512];
    tu_src("tests/data/policy/bad", dir, sizeof(dir));
    DIR *dh = opendir(dir);
    if (!dh) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    char *paths[256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dh)) && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0) {
            paths[n] = malloc(strlen(dir) + len + 2);
            sprintf(paths[n], "%s/%s", dir, e->d_name);
            n++;
        }
    }
    closedir(dh);
    qsort(paths, n, sizeof(char *), by_name);
    if (n < 25) {
        fprintf(stderr, "only %zu bad policies in %s (want >= 25)\n", n, dir);
        return 1;
    }
    struct CMUnitTest *tests = calloc(n, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        tests[i].name = strrchr(paths[i], '/') + 1;
        tests[i].test_func = test_policy__bad_file;
        tests[i].initial_state = paths[i];
    }
    int failed = _cmocka_run_group_tests("bad_policies", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(tests);
    return failed;
}

/* Which activity people subscribe to is the policy's to say (the daemon
 * used to pick it): the one with double opt-in, e-mail marketing (5.4). */
static void
test_policy__subscription_is_the_double_opt_in_activity(void **state)
{
    (void)state;
    sw_policy *p = tu_bundled();
    const sw_activity *a = sw_policy_subscription(p);
    assert_non_null(a);
    assert_string_equal(a->id, "email_marketing");
    assert_true(a->double_opt_in);
    assert_string_equal(a->purposes.v[0], "marketing.communications.email");
    sw_policy_free(p);
    sw_diags *d = sw_diags_new();
    char src[512];
    assert_int_equal(sw_policy_load_file(tu_src("tests/data/policy/good/"
                                                "minimal.yaml",
                                                src, sizeof(src)),
                                         d, &p),
                     SW_OK);
    assert_null(sw_policy_subscription(p));
    sw_policy_free(p);
    sw_diags_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy__minimal_policy_loads),
        cmocka_unit_test(test_policy__missing_file_is_an_io_error),
        cmocka_unit_test(test_policy__bundled_encodes_every_notice_section),
        cmocka_unit_test(test_policy__bundled_has_every_activity_of_the_notice),
        cmocka_unit_test(
            test_policy__end_users_data_is_processed_for_customers),
        cmocka_unit_test(test_policy__dietary_needs_explicit_consent),
        cmocka_unit_test(
            test_policy__criminal_checks_name_their_art10_authority),
        cmocka_unit_test(test_policy__extensions_are_documented),
        cmocka_unit_test(test_policy__unstated_periods_are_explicit),
        cmocka_unit_test(test_policy__lint_reports_each_gap_of_the_notice),
        cmocka_unit_test(test_policy__lint_wants_withdrawal_and_objection),
        cmocka_unit_test(test_policy__lint_reports_category_without_rule),
        cmocka_unit_test(test_policy__category_prefixes_cover_children),
        cmocka_unit_test(test_policy__legal_basis_labels_name_the_article),
        cmocka_unit_test(test_policy__model_as_json),
        cmocka_unit_test(
            test_policy__subscription_is_the_double_opt_in_activity),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed | run_bad_files();
}
