/* SPDX-License-Identifier: Apache-2.0 */
/* Every retention rule of the bundled policy, with concrete dates: the
 * notice's numbers (7 years, 12 months, 10 years after the end of the
 * invoicing year, 25 months, 6 months, 18 months, 60 days, 30 days...) as
 * due instants, leap days and year ends among them. One test per rule. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct expect {
    const char *rule;
    const char *section; /* notice section that states the period */
    const char *keep;    /* ISO-8601, or "unspecified" / "per_law" */
    const char *after;   /* trigger */
    const char *trigger; /* when the trigger happened */
    const char *due;     /* NULL: no period stated */
} expect;

static const expect table[] = {
    /* 5.1.1 / 5.1.3: accounts */
    {"customer_account.customer", "5.1.3", "P7Y", "account_closed",
     "2024-02-29T10:00:00Z", "2031-02-28T10:00:00Z"},
    {"customer_account.users", "5.1.3", "P12M", "account_closed",
     "2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z"},
    {"customer_account.agreements", "5.1.3", "P10Y", "account_closed",
     "2024-12-31T23:59:59Z", "2035-01-01T00:00:00Z"},
    {"customer_account.invoices", "5.1.3", "P10Y", "invoice_issued",
     "2024-01-01T00:00:00Z", "2035-01-01T00:00:00Z"},
    {"customer_support.tickets", "5.1.3", "P7Y", "ticket_closed",
     "2025-06-30T08:00:00Z", "2032-06-30T08:00:00Z"},
    /* 5.1.2 / 5.1.3: traffic */
    {"traffic.end_user_identifiers", "5.1.3", "P12M", "communication",
     "2024-02-29T23:59:59Z", "2025-03-01T00:00:00Z"},
    {"traffic.billing", "5.1.3", "per_law", "bill_settled",
     "2025-05-01T00:00:00Z", NULL},
    {"traffic.law_enforcement", "5.1.3", "per_law", "communication",
     "2025-05-01T00:00:00Z", NULL},
    {"traffic.customer_records", "5.1.3", "P10Y", "communication",
     "2016-02-29T13:00:00Z", "2026-02-28T13:00:00Z"},
    {"security_logs.logs", "5.1.2", "unspecified", NULL, "2025-05-01T00:00:00Z",
     NULL},
    {"product_analytics.behaviour", "5.1.3", "P25M", "collected",
     "2023-12-31T10:00:00Z", "2026-01-31T10:00:00Z"},
    /* 5.2: suppliers */
    {"suppliers.business_data", "5.2", "P7Y", "relationship_ended",
     "2025-03-31T00:00:00Z", "2032-03-31T00:00:00Z"},
    {"suppliers.agreements", "5.2", "P10Y", "relationship_ended",
     "2025-03-31T00:00:00Z", "2035-03-31T00:00:00Z"},
    {"suppliers.invoices", "5.2", "P10Y", "invoice_issued",
     "2025-07-15T00:00:00Z", "2036-01-01T00:00:00Z"},
    {"suppliers.tickets", "5.2", "P7Y", "ticket_closed", "2020-02-29T00:00:00Z",
     "2027-02-28T00:00:00Z"},
    {"suppliers.personnel", "5.2", "P12M", "relationship_ended",
     "2025-03-31T00:00:00Z", "2026-03-31T00:00:00Z"},
    /* 5.3: prospects */
    {"sales_prospects.no_agreement", "5.3", "P6M", "last_contact",
     "2025-08-31T16:00:00Z", "2026-02-28T16:00:00Z"},
    /* 5.4: marketing and the suppression list */
    {"email_marketing.subscription", "5.4", "P0D", "consent_withdrawn",
     "2026-01-05T09:30:00Z", "2026-01-05T09:30:00Z"},
    {"b2b_marketing.relationship", "5.4", "P0D", "relationship_ended",
     "2026-01-05T09:30:00Z", "2026-01-05T09:30:00Z"},
    {"suppression.subscribers", "5.4", "P0D", "resubscribed",
     "2026-01-05T09:30:00Z", "2026-01-05T09:30:00Z"},
    {"suppression.b2b", "5.4", "P0D", "relationship_ended",
     "2026-01-05T09:30:00Z", "2026-01-05T09:30:00Z"},
    /* 5.5: webinars and events */
    {"webinars.registration", "5.5", "P18M", "webinar_held",
     "2024-08-31T15:00:00Z", "2026-02-28T15:00:00Z"},
    {"events.registration", "5.5", "P60D", "event_held", "2025-12-15T18:00:00Z",
     "2026-02-13T18:00:00Z"},
    {"events.logistics", "5.5", "P60D", "event_held", "2024-01-01T00:00:00Z",
     "2024-03-01T00:00:00Z"},
    {"events.dietary", "5.5", "P60D", "event_held", "2025-01-01T00:00:00Z",
     "2025-03-02T00:00:00Z"},
    {"events.visa_letters", "5.5", "per_law", "letter_issued",
     "2025-05-01T00:00:00Z", NULL},
    {"events.inviting_lists", "5.5", "P3Y", "event_held",
     "2024-02-29T00:00:00Z", "2027-02-28T00:00:00Z"},
    {"events.media", "5.5", "unspecified", NULL, "2025-05-01T00:00:00Z", NULL},
    /* 5.6: research */
    {"market_research.invitees", "5.6.1", "unspecified", NULL,
     "2025-05-01T00:00:00Z", NULL},
    {"market_research.answers", "5.6.1", "P0D", "collected",
     "2025-05-01T11:11:11Z", "2025-05-01T11:11:11Z"},
    {"ux_research.data", "5.6.2", "unspecified", NULL, "2025-05-01T00:00:00Z",
     NULL},
    /* 5.7: website */
    {"website_analytics.cookies", "5.7", "unspecified", NULL,
     "2025-05-01T00:00:00Z", NULL},
    /* 5.8: recruitment */
    {"recruitment.consent_period", "5.8", "P0D", "consent_expired",
     "2027-06-30T00:00:00Z", "2027-06-30T00:00:00Z"},
    {"recruitment.consent_withdrawn", "5.8", "P0D", "consent_withdrawn",
     "2026-03-03T03:03:03Z", "2026-03-03T03:03:03Z"},
    {"recruitment.sourced_consent_period", "5.8", "P0D", "consent_expired",
     "2028-03-20T00:00:00Z", "2028-03-20T00:00:00Z"},
    {"recruitment.sourced_consent_withdrawn", "5.8", "P0D", "consent_withdrawn",
     "2026-04-04T04:04:04Z", "2026-04-04T04:04:04Z"},
    {"job_alerts.subscription", "5.8", "P0D", "consent_withdrawn",
     "2026-03-03T03:03:03Z", "2026-03-03T03:03:03Z"},
    {"recruitment.no_consent", "5.8", "P30D", "consent_requested",
     "2026-02-10T12:00:00Z", "2026-03-12T12:00:00Z"},
    {"recruitment.background_checks", "5.8", "unspecified", NULL,
     "2025-05-01T00:00:00Z", NULL},
    /* 15: request records (CCPA regulations) */
    {"privacy_requests.records", "15", "P24M", "request_closed",
     "2024-02-29T00:00:00Z", "2026-02-28T00:00:00Z"},
};
#define N_TABLE (sizeof(table) / sizeof(table[0]))

static sw_policy *policy;

static void test_rules__due(void **state)
{
    const expect *e = *state;
    const sw_rule *r = sw_policy_rule(policy, e->rule);
    if (!r)
        fail_msg("rule %s is not in the bundled policy", e->rule);
    assert_string_equal(r->section, e->section);
    char keep[SW_DURATION_BUFSZ];
    assert_string_equal(sw_rule_keep_text(r, keep), e->keep);
    if (e->after)
        assert_string_equal(r->after, e->after);
    sw_instant due = 0, trigger = tu_instant(e->trigger);
    sw_status st = sw_rule_due(r, trigger, &due);
    if (!e->due) {
        assert_int_equal(st, SW_ERR_UNSPECIFIED);
        return;
    }
    assert_int_equal(st, SW_OK);
    char buf[SW_INSTANT_BUFSZ];
    assert_string_equal(sw_instant_format(due, buf), e->due);
    /* A later trigger never gives an earlier due instant. */
    sw_instant later;
    assert_int_equal(sw_rule_due(r, trigger + 86400, &later), SW_OK);
    assert_true(later >= due);
}

static void test_rules__every_policy_rule_is_tested(void **state)
{
    (void)state;
    for (size_t i = 0; i < sw_policy_rule_count(policy); i++) {
        const char *id = sw_policy_rule_at(policy, i)->id;
        bool found = false;
        for (size_t k = 0; k < N_TABLE && !found; k++)
            found = strcmp(table[k].rule, id) == 0;
        if (!found)
            fail_msg("rule %s of the bundled policy has no test", id);
    }
    assert_int_equal(sw_policy_rule_count(policy), N_TABLE);
}

static void test_rules__more_than_twenty_stated_periods(void **state)
{
    (void)state;
    size_t stated = 0;
    for (size_t i = 0; i < sw_policy_rule_count(policy); i++)
        stated += sw_policy_rule_at(policy, i)->keep_kind == SW_KEEP_PERIOD;
    assert_true(stated > 20);
}

static void test_rules__national_extension_applies_by_country(void **state)
{
    (void)state;
    const char *yaml =
        "steward: 1\n"
        "controller: {name: T, address: A, dpo: {email: d@t.example}}\n"
        "notice: {version: '1'}\n"
        "subjects: [{id: end_user, name: End user}]\n"
        "categories: [{id: user.telecom.msisdn, name: MSISDN}]\n"
        "purposes: [{id: essential.service, name: S}]\n"
        "sources: [{id: generated, name: G}]\n"
        "triggers: [{id: communication, name: the communication, scope: "
        "record}]\n"
        "recipients: [{id: operators, name: O}]\n"
        "security_measures: [M]\n"
        "activities:\n"
        "  - {id: traffic, name: T, section: '5.1.2', role: processor,\n"
        "     subjects: [end_user], categories: [user.telecom.msisdn],\n"
        "     purposes: [essential.service], legal_basis: [6(1)(f)],\n"
        "     sources: [generated], recipients: [operators], transfers: [],\n"
        "     objection: forwarded,\n"
        "     retention: [{id: traffic.ids, section: '5.1.3',\n"
        "       categories: [user.telecom], keep: 12m, after: communication,\n"
        "       round: end_of_day, extensions: [{country: DE, keep: 24m,\n"
        "       reason: national retention law}]}]}\n";
    sw_diags *d = sw_diags_new();
    sw_policy *p;
    assert_int_equal(
        sw_policy_load_buffer("ext.yaml", yaml, strlen(yaml), d, &p), SW_OK);
    const sw_rule *r = sw_policy_rule(p, "traffic.ids");
    sw_instant due;
    char buf[SW_INSTANT_BUFSZ];
    const sw_instant t = tu_instant("2025-03-14T10:00:00Z");
    assert_int_equal(sw_rule_due_in(r, t, "DE", &due), SW_OK);
    assert_string_equal(sw_instant_format(due, buf), "2027-03-15T00:00:00Z");
    assert_int_equal(sw_rule_due_in(r, t, "FR", &due), SW_OK);
    assert_string_equal(sw_instant_format(due, buf), "2026-03-15T00:00:00Z");
    assert_int_equal(sw_rule_due_in(r, t, NULL, &due), SW_OK);
    assert_string_equal(sw_instant_format(due, buf), "2026-03-15T00:00:00Z");
    sw_policy_free(p);
    sw_diags_free(d);
}

static void test_rules__sourced_candidates_rule_ends_with_consent(void **state)
{
    (void)state;
    const sw_rule *r = sw_policy_rule(policy, "recruitment.no_consent");
    assert_int_equal(r->unless.n, 1);
    assert_string_equal(r->unless.v[0], "consent_given");
    const sw_rule *s = sw_policy_rule(policy, "sales_prospects.no_agreement");
    assert_string_equal(s->unless.v[0], "agreement_concluded");
    assert_int_equal(sw_policy_rule(policy, "suppliers.personnel")->action,
                     SW_ACTION_ANONYMISE);
}

int main(void)
{
    policy = tu_bundled();
    struct CMUnitTest tests[N_TABLE + 4];
    for (size_t i = 0; i < N_TABLE; i++) {
        memset(&tests[i], 0, sizeof(tests[i]));
        tests[i].name = table[i].rule;
        tests[i].test_func = test_rules__due;
        tests[i].initial_state = (void *)&table[i];
    }
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_rules__every_policy_rule_is_tested),
        cmocka_unit_test(test_rules__more_than_twenty_stated_periods),
        cmocka_unit_test(test_rules__national_extension_applies_by_country),
        cmocka_unit_test(test_rules__sourced_candidates_rule_ends_with_consent),
    };
    memcpy(&tests[N_TABLE], fixed, sizeof(fixed));
    int failed =
        _cmocka_run_group_tests("test_rules", tests, N_TABLE + 4, NULL, NULL);
    sw_policy_free(policy);
    return failed;
}
