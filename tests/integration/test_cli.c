/* SPDX-License-Identifier: Apache-2.0 */
/* The steward CLI as a user runs it: exit codes, stdout, stderr. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define RUN(r, ...) tu_steward((r), NULL, __VA_ARGS__, (const char *)NULL)

static char bundled_path[512];

static void test_cli__check_bundled_policy_lists_gaps(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "check", bundled_path);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "valid:"));
    /* Each gap as file:line:col: warning on stderr. */
    assert_non_null(strstr(r.err, "cpaas-notice.yaml:"));
    assert_non_null(strstr(r.err, ": warning: notice 5.1.2 states no period "
                                  "for rule 'security_logs.logs'"));
    assert_non_null(strstr(r.err, "[gap]"));
    tu_run_free(&r);
}

static void test_cli__strict_fails_on_gaps(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "check", bundled_path, "--strict");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "and --strict"));
    tu_run_free(&r);
}

static void test_cli__check_bad_policy_names_file_line_col(void **state)
{
    (void)state;
    char path[512];
    tu_src("tests/data/policy/bad/12-undefined-trigger.yaml", path,
           sizeof(path));
    tu_run r;
    RUN(&r, "policy", "check", path);
    assert_int_equal(r.status, 1);
    char want[600];
    snprintf(want, sizeof(want), "%s:42:16: error: undefined trigger 'closed'",
             path);
    assert_non_null(strstr(r.err, want));
    assert_string_equal(r.out, "");
    tu_run_free(&r);
}

static void test_cli__check_json_reports_counts(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "check", "--json");
    assert_int_equal(r.status, 0);
    json_error_t err;
    json_t *o = json_loads(r.out, 0, &err);
    assert_non_null(o);
    assert_true(json_is_true(json_object_get(o, "valid")));
    assert_true(json_integer_value(json_object_get(o, "rules")) > 30);
    assert_int_equal(json_array_size(json_object_get(o, "diagnostics")),
                     json_integer_value(json_object_get(o, "warnings")));
    json_decref(o);
    tu_run_free(&r);
}

static void test_cli__due_gives_the_instant(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "due", "--rule", "customer_account.invoices", "--trigger",
        "2024-03-15T10:00:00Z", "--json");
    assert_int_equal(r.status, 0);
    json_error_t err;
    json_t *o = json_loads(r.out, 0, &err);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "rule")),
                        "customer_account.invoices");
    assert_string_equal(json_string_value(json_object_get(o, "trigger")),
                        "2024-03-15T10:00:00Z");
    assert_string_equal(json_string_value(json_object_get(o, "due")),
                        "2035-01-01T00:00:00Z");
    json_decref(o);
    tu_run_free(&r);

    RUN(&r, "policy", "due", "--rule", "traffic.end_user_identifiers",
        "--trigger", "2025-03-14T10:00:00Z");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "2026-03-15T00:00:00Z\n");
    tu_run_free(&r);
}

static void test_cli__due_refuses_unknown_rule_and_bad_instant(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "due", "--rule", "nope", "--trigger", "2025-01-01");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no retention rule 'nope'"));
    tu_run_free(&r);
    RUN(&r, "policy", "due", "--rule", "customer_account.customer", "--trigger",
        "2025-02-30");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--trigger: '2025-02-30'"));
    tu_run_free(&r);
    RUN(&r, "policy", "due", "--rule", "customer_account.customer");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
}

static void test_cli__schedule_and_ropa_formats(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "schedule", "--format", "csv");
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "id,activity,section,", 20) == 0);
    tu_run_free(&r);
    RUN(&r, "policy", "ropa", "--format", "md");
    assert_int_equal(r.status, 0);
    assert_non_null(
        strstr(r.out, "# Record of processing activities (GDPR Art. 30)"));
    tu_run_free(&r);
    RUN(&r, "policy", "ropa", "--format", "xml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "expected md, json or csv"));
    tu_run_free(&r);
    RUN(&r, "policy", "schedule", "--json");
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out[0], '[');
    tu_run_free(&r);
}

static void test_cli__help_on_every_command(void **state)
{
    (void)state;
    const char *verbs[] = {"check", "show",  "ropa",    "schedule",
                           "due",   "apply", "history", NULL};
    tu_run r;
    for (int i = 0; verbs[i]; i++) {
        RUN(&r, "policy", verbs[i], "--help");
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: steward policy"));
        tu_run_free(&r);
    }
    RUN(&r, "--help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "policy"));
    tu_run_free(&r);
    RUN(&r, "policy", "--help");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    /* -h as well, on every command and a verb (it was exit 2) */
    const char *families[] = {"policy",  "subject",   "record",      "event",
                              "audit",   "hold",      "retention",   "traffic",
                              "consent", "objection", "request",     "report",
                              "key",     "calendar",  "suppression", NULL};
    for (int i = 0; families[i]; i++) {
        RUN(&r, families[i], "-h");
        if (r.status != 0)
            fail_msg("steward %s -h: exit %d", families[i], r.status);
        assert_non_null(strstr(r.out, "usage: steward"));
        tu_run_free(&r);
    }
    RUN(&r, "subject", "add", "-h");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: steward subject add"));
    tu_run_free(&r);
    RUN(&r, "sweep", "-h");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

static void test_cli__usage_errors_exit_2(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "frobnicate");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "'frobnicate' is not a steward command"));
    tu_run_free(&r);
    RUN(&r, "policy", "explode");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
    RUN(&r, "policy", "show", "--bogus");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown option '--bogus'"));
    tu_run_free(&r);
    RUN(&r, "policy", "show", "--strict");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "does not apply"));
    tu_run_free(&r);
    RUN(&r, "policy", "show", "--now", "yesterday");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
}

static void test_cli__policy_from_environment(void **state)
{
    (void)state;
    char path[512], env[600];
    tu_src("tests/data/policy/good/minimal.yaml", path, sizeof(path));
    snprintf(env, sizeof(env), "STEWARD_POLICY=%s", path);
    const char *envs[] = {env, NULL};
    tu_run r;
    tu_steward(&r, envs, "policy", "show", "--json", (const char *)NULL);
    assert_int_equal(r.status, 0);
    json_error_t err;
    json_t *o = json_loads(r.out, 0, &err);
    assert_non_null(o);
    assert_int_equal(json_array_size(json_object_get(o, "activities")), 1);
    json_decref(o);
    tu_run_free(&r);
    /* --policy wins over the environment. */
    tu_steward(&r, envs, "policy", "check", "--policy", "/nonexistent.yaml",
               (const char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "/nonexistent.yaml: error: cannot read "
                                  "policy"));
    tu_run_free(&r);
}

static void test_cli__show_lists_rules_in_words(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "policy", "show");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "traffic_conveyance (notice 5.1.2, "
                                  "processor)"));
    assert_non_null(strstr(r.out, "25 months after collection"));
    tu_run_free(&r);
}

/* The holidays a deadline counts on. Regression: --jurisdiction was the
 * 59th verb option, whose code getopt also uses for "missing value", so
 * every value given to it was refused. */
static void test_cli__calendar_show(void **state)
{
    (void)state;
    tu_run r;
    RUN(&r, "calendar", "show", "--jurisdiction", "GB-ENG", "--year", "2027",
        "--json");
    assert_int_equal(r.status, 0);
    json_t *o = json_loads(r.out, 0, NULL);
    assert_non_null(o);
    json_t *h = json_object_get(o, "holidays");
    assert_int_equal(json_array_size(h), 8);
    json_t *xmas = json_array_get(h, 6);
    assert_string_equal(json_string_value(json_object_get(xmas, "date")),
                        "2027-12-27");
    assert_true(json_is_true(json_object_get(xmas, "observed")));
    json_decref(o);
    tu_run_free(&r);
    /* the policy's CCPA calendar: California, Thanksgiving and after */
    RUN(&r, "calendar", "show", "--regulation", "ccpa", "--year", "2026");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "California (US-CA), 2026"));
    assert_non_null(
        strstr(r.out, "2026-11-27  Friday     Day after Thanksgiving"));
    tu_run_free(&r);
    RUN(&r, "calendar", "show", "--jurisdiction", "XX");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "'XX'"));
    tu_run_free(&r);
    RUN(&r, "calendar", "show", "--year", "20x7");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
    RUN(&r, "calendar", "show", "-h");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: steward calendar show"));
    tu_run_free(&r);
}

int main(void)
{
    tu_src("policies/cpaas-notice.yaml", bundled_path, sizeof(bundled_path));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli__check_bundled_policy_lists_gaps),
        cmocka_unit_test(test_cli__strict_fails_on_gaps),
        cmocka_unit_test(test_cli__check_bad_policy_names_file_line_col),
        cmocka_unit_test(test_cli__check_json_reports_counts),
        cmocka_unit_test(test_cli__due_gives_the_instant),
        cmocka_unit_test(test_cli__due_refuses_unknown_rule_and_bad_instant),
        cmocka_unit_test(test_cli__schedule_and_ropa_formats),
        cmocka_unit_test(test_cli__help_on_every_command),
        cmocka_unit_test(test_cli__usage_errors_exit_2),
        cmocka_unit_test(test_cli__policy_from_environment),
        cmocka_unit_test(test_cli__show_lists_rules_in_words),
        cmocka_unit_test(test_cli__calendar_show),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
