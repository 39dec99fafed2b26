/* SPDX-License-Identifier: Apache-2.0 */
/* Reports from the policy: the Art. 30(1) register and the retention
 * schedule in Markdown, JSON and CSV. */
#include <jansson.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static sw_policy *policy;

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Splits CSV text into records and returns how many; *fields gets the
 * field count of each record (RFC 4180 quoting). */
static size_t csv_records(const char *s, size_t *fields, size_t max)
{
    size_t rec = 0, f = 1;
    bool quoted = false;
    for (; *s; s++) {
        if (quoted) {
            if (*s == '"' && s[1] == '"')
                s++;
            else if (*s == '"')
                quoted = false;
        } else if (*s == '"') {
            quoted = true;
        } else if (*s == ',') {
            f++;
        } else if (*s == '\n') {
            if (rec < max)
                fields[rec] = f;
            rec++;
            f = 1;
        }
    }
    return rec;
}

static json_t *render_json(sw_status (*fn)(const sw_policy *, sw_format,
                                           char **))
{
    char *text;
    assert_int_equal(fn(policy, SW_FORMAT_JSON, &text), SW_OK);
    json_error_t err;
    json_t *o = json_loads(text, 0, &err);
    if (!o)
        fail_msg("not JSON: %s", err.text);
    free(text);
    return o;
}

static void test_report__ropa_md_has_an_entry_per_activity(void **state)
{
    (void)state;
    char *md;
    assert_int_equal(sw_report_ropa(policy, SW_FORMAT_MD, &md), SW_OK);
    assert_non_null(strstr(md, policy->controller.name));
    assert_non_null(strstr(md, policy->controller.dpo_email));
    for (size_t i = 0; i < policy->n_activities; i++) {
        char id[128];
        snprintf(id, sizeof(id), "`%s`)", policy->activities[i].id);
        if (!strstr(md, id))
            fail_msg("register has no entry for %s", policy->activities[i].id);
    }
    const char *rows[] = {"Purposes (Art. 30(1)(b))",
                          "Categories of data subjects (Art. 30(1)(c))",
                          "Categories of personal data (Art. 30(1)(c))",
                          "Categories of recipients (Art. 30(1)(d))",
                          "Transfers to third countries and safeguards",
                          "Time limits for erasure (Art. 30(1)(f))",
                          NULL};
    for (int i = 0; rows[i]; i++)
        assert_int_equal(count(md, rows[i]), policy->n_activities);
    assert_non_null(strstr(md, "(Art. 30(1)(g), Art. 32(1))"));
    assert_non_null(strstr(md, "ISO/IEC 27001"));
    /* What the notice leaves open is said, not hidden. */
    assert_true(count(md, "not stated by the notice") >= 7);
    assert_non_null(strstr(md, "processor on behalf of the customer"));
    free(md);
}

static void test_report__ropa_json_fills_every_field(void **state)
{
    (void)state;
    json_t *r = render_json(sw_report_ropa);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "dpo"), "email")),
        policy->controller.dpo_email);
    json_t *acts = json_object_get(r, "activities");
    assert_int_equal(json_array_size(acts), policy->n_activities);
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        const char *keys[] = {"purposes",          "legal_basis",
                              "data_subjects",     "data_categories",
                              "recipients",        "erasure_time_limits",
                              "security_measures", NULL};
        for (int k = 0; keys[k]; k++)
            if (json_array_size(json_object_get(a, keys[k])) == 0)
                fail_msg("activity %s has no %s",
                         json_string_value(json_object_get(a, "id")), keys[k]);
        assert_true(json_is_array(json_object_get(a, "transfers")));
    }
    json_t *basis = json_array_get(
        json_object_get(json_array_get(acts, 0), "legal_basis"), 0);
    assert_string_equal(json_string_value(json_object_get(basis, "label")),
                        "Art. 6(1)(b) GDPR: performance of a contract");
    /* Art. 10: the register says what authorises the criminal checks */
    json_array_foreach(acts, i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        const char *cc =
            json_string_value(json_object_get(a, "criminal_condition"));
        if (strcmp(id, "background_checks") == 0) {
            assert_non_null(cc);
            assert_non_null(
                strstr(cc, "Art. 10 GDPR: authorised by Member State law ("));
        } else {
            assert_null(cc);
        }
    }
    json_decref(r);
}

/* Issue 18's systems in the register: each activity says where its data
 * is stored, steward's store and each system with a dataset of it. */
static void
test_report__ropa_lists_the_systems_that_store_an_activity(void **state)
{
    (void)state;
    sw_policy *p = tu_policy_file("tests/data/policy/good/systems.yaml");
    assert_int_equal(p->n_systems, 2);
    assert_int_equal(p->systems[0].connector, SW_CONN_SQLITE);
    assert_string_equal(p->systems[0].credentials_env, "STEWARD_CRM_URL");
    const sw_dataset *notes = &p->systems[0].datasets[1];
    assert_string_equal(notes->relations[0].table, "contacts");
    assert_int_equal(notes->columns[0].erase, SW_ERASE_DELETE);
    assert_int_equal(p->systems[0].datasets[0].columns[0].erase, SW_ERASE_MASK);
    char *text;
    assert_int_equal(sw_report_ropa(p, SW_FORMAT_JSON, &text), SW_OK);
    json_t *r = json_loads(text, 0, NULL);
    free(text);
    size_t i;
    json_t *a;
    bool sales = false, other = false;
    json_array_foreach(json_object_get(r, "activities"), i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        json_t *where = json_object_get(a, "stored_in");
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(where, 0), "system")),
                            "steward");
        if (strcmp(id, "sales_prospects") == 0) {
            json_t *crm = json_array_get(where, 1);
            assert_string_equal(
                json_string_value(json_object_get(crm, "system")), "crm");
            assert_int_equal(json_array_size(json_object_get(crm, "tables")),
                             2);
            sales = true;
        } else if (strcmp(id, "customer_support") == 0) {
            other = json_array_size(where) == 1;
        }
    }
    assert_true(sales);
    assert_true(other);
    json_decref(r);
    assert_int_equal(sw_report_ropa(p, SW_FORMAT_MD, &text), SW_OK);
    assert_non_null(strstr(text, "Sales CRM (tables: contacts, notes)"));
    free(text);
    sw_policy_free(p);
}

static void test_report__ropa_csv_is_one_row_per_activity(void **state)
{
    (void)state;
    char *csv;
    assert_int_equal(sw_report_ropa(policy, SW_FORMAT_CSV, &csv), SW_OK);
    size_t fields[128];
    size_t n = csv_records(csv, fields, 128);
    assert_int_equal(n, policy->n_activities + 1);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(fields[i], fields[0]);
    assert_int_equal(fields[0], 15); /* id, name, section and 12 fields */
    free(csv);
}

/* A register exported for a spreadsheet never carries a formula: names
 * from the policy that start with =, +, -, @ are neutralised. */
static void test_report__csv_neutralises_formulas(void **state)
{
    (void)state;
    char path[512];
    char *text = tu_read_file(
        tu_src("tests/data/policy/good/minimal.yaml", path, sizeof(path)),
        NULL);
    const char *from = "name: Accounts";
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) + 128;
    char *evil = malloc(n);
    snprintf(evil, n,
             "%.*sname: \"=HYPERLINK(\\\"http://evil.example\\\")\""
             "\n    description: \"@SUM(1)\"%s",
             (int)(at - text), text, at + strlen(from));
    sw_policy *p = NULL;
    sw_diags *d = sw_diags_new();
    if (sw_policy_load_buffer("evil.yaml", evil, strlen(evil), d, &p) !=
        SW_OK) {
        char line[1024];
        for (size_t i = 0; i < sw_diags_count(d); i++)
            print_error("%s\n",
                        sw_diag_format(sw_diags_at(d, i), line, sizeof(line)));
        fail_msg("the evil policy does not load");
    }
    char *csv;
    assert_int_equal(sw_report_ropa(p, SW_FORMAT_CSV, &csv), SW_OK);
    assert_non_null(strstr(csv, "\"'=HYPERLINK("));
    assert_false(tu_csv_has_formula(csv));
    free(csv);
    assert_int_equal(sw_report_schedule(p, SW_FORMAT_CSV, &csv), SW_OK);
    assert_false(tu_csv_has_formula(csv));
    free(csv);
    sw_policy_free(p);
    sw_diags_free(d);
    free(evil);
    free(text);
}

static void test_report__schedule_json_has_every_rule(void **state)
{
    (void)state;
    json_t *rules = render_json(sw_report_schedule);
    assert_int_equal(json_array_size(rules), sw_policy_rule_count(policy));
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        const char *keys[] = {"id",     "activity", "section", "categories",
                              "keep",   "after",    "round",   "action",
                              "period", NULL};
        for (int k = 0; keys[k]; k++)
            if (!json_object_get(r, keys[k]))
                fail_msg("rule %zu has no %s", i, keys[k]);
    }
    /* The notice's numbers, as ISO-8601 durations. */
    const char *periods[] = {"P7Y", "P12M", "P10Y", "P25M", "P6M", "P18M",
                             "P3Y", "P60D", "P30D", "P24M", "P0D", NULL};
    char *text = json_dumps(rules, 0);
    for (int k = 0; periods[k]; k++) {
        char needle[32];
        snprintf(needle, sizeof(needle), "\"keep\": \"%s\"", periods[k]);
        if (!strstr(text, needle))
            fail_msg("schedule has no rule keeping %s", periods[k]);
    }
    free(text);
    json_t *inv = NULL;
    json_array_foreach(
        rules, i, r) if (strcmp(json_string_value(json_object_get(r, "id")),
                                "customer_account.invoices") == 0) inv = r;
    assert_non_null(inv);
    assert_string_equal(json_string_value(json_object_get(inv, "round")),
                        "end_of_year");
    assert_string_equal(json_string_value(json_object_get(inv, "after")),
                        "invoice_issued");
    json_decref(rules);
}

static void test_report__schedule_md_and_csv_have_a_row_per_rule(void **state)
{
    (void)state;
    char *md, *csv;
    assert_int_equal(sw_report_schedule(policy, SW_FORMAT_MD, &md), SW_OK);
    /* the header, the separator, then one row per rule; then what else
     * a store keeps */
    char *kept = strstr(md, "\n## What steward keeps, and until when\n");
    assert_non_null(kept);
    *kept = '\0';
    assert_int_equal(count(md, "\n| "), sw_policy_rule_count(policy) + 2);
    assert_int_equal(sw_report_schedule(policy, SW_FORMAT_CSV, &csv), SW_OK);
    size_t fields[128];
    assert_int_equal(csv_records(csv, fields, 128),
                     sw_policy_rule_count(policy) + 1);
    assert_int_equal(fields[0], 12);
    assert_non_null(strstr(csv, "customer_account.customer,customer_account,"
                                "5.1.3,"));
    free(md);
    free(csv);
}

/* docs/retention.md's section "What steward keeps, and until when" is
 * what the schedule prints for the bundled policy, and names each of the
 * policy's own periods. */
static void test_report__docs_say_what_steward_keeps(void **state)
{
    (void)state;
    char *md;
    assert_int_equal(sw_report_schedule(policy, SW_FORMAT_MD, &md), SW_OK);
    const char *head = "## What steward keeps, and until when\n";
    const char *gen = strstr(md, head);
    assert_non_null(gen);
    assert_non_null(strstr(gen, "| ledger.orphan_subject | 30 days |"));
    assert_non_null(strstr(gen, "| ledger.released_hold | 30 days |"));
    assert_non_null(strstr(gen, "| consent.confirmation_valid | 7 days |"));
    assert_non_null(strstr(gen, "24 months after closure of the request"));
    char path[512];
    char *doc =
        tu_read_file(tu_src("docs/retention.md", path, sizeof(path)), NULL);
    const char *in = strstr(doc, head);
    if (!in || strcmp(in, gen) != 0)
        fail_msg("docs/retention.md's section differs from 'steward policy "
                 "schedule --format md': regenerate it");
    free(doc);
    free(md);
}

static void test_report__periods_read_as_words(void **state)
{
    (void)state;
    char buf[512];
    struct {
        const char *rule, *words;
    } cases[] = {
        {"customer_account.customer", "7 years after account closure"},
        {"customer_account.invoices",
         "10 years after the end of the year of the invoice"},
        {"traffic.end_user_identifiers",
         "12 months after the end of the day of the communication"},
        {"sales_prospects.no_agreement",
         "6 months after the last communication, unless conclusion of an "
         "agreement"},
        {"email_marketing.subscription", "on consent withdrawal"},
        {"events.registration", "60 days after the event day"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(
            sw_rule_describe(policy, sw_policy_rule(policy, cases[i].rule), buf,
                             sizeof(buf)),
            cases[i].words);
    sw_rule_describe(policy, sw_policy_rule(policy, "events.media"), buf,
                     sizeof(buf));
    assert_non_null(strstr(buf, "not stated by the notice"));
}

static void test_report__format_names(void **state)
{
    (void)state;
    sw_format f;
    assert_int_equal(sw_format_parse("csv", &f), SW_OK);
    assert_int_equal(f, SW_FORMAT_CSV);
    assert_int_equal(sw_format_parse("xml", &f), SW_ERR_INVALID);
    assert_int_equal(sw_format_parse(NULL, &f), SW_ERR_INVALID);
}

/* YAML text as a jansson value (through libfyaml's JSON emitter) */
static json_t *yaml_json(const char *yaml)
{
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_document *fyd = fy_document_build_from_string(&cfg, yaml, FY_NT);
    assert_non_null(fyd);
    char *js = fy_emit_document_to_string(fyd, FYECF_MODE_JSON);
    fy_document_destroy(fyd);
    assert_non_null(js);
    json_t *o = json_loads(js, 0, NULL);
    free(js);
    assert_non_null(o);
    return o;
}

static json_t *by_key(json_t *list, const char *key)
{
    size_t i;
    json_t *x;
    json_array_foreach(
        list, i,
        x) if (strcmp(json_string_value(json_object_get(x, "fides_key")),
                      key) == 0) return x;
    return NULL;
}

/* The policy as fideslang: each extension under its parent (the keys
 * between made), nothing of the default taxonomy redefined, a privacy
 * declaration per activity and purpose with fideslang's names for the
 * bases, and a dataset per declared system. */
static void test_report__fideslang_export(void **state)
{
    (void)state;
    char *yaml = NULL;
    assert_int_equal(sw_policy_export_fideslang(policy, &yaml), SW_OK);
    json_t *o = yaml_json(yaml);
    free(yaml);
    json_t *cats = json_object_get(o, "data_category");
    size_t i;
    json_t *x;
    json_array_foreach(cats, i, x)
    {
        const char *k = json_string_value(json_object_get(x, "fides_key"));
        const char *parent =
            json_string_value(json_object_get(x, "parent_key"));
        assert_true(json_is_false(json_object_get(x, "is_default")));
        if (parent) { /* fideslang: the parent is the key less its last part */
            assert_int_equal(strncmp(k, parent, strlen(parent)), 0);
            assert_int_equal(k[strlen(parent)], '.');
            assert_null(strchr(k + strlen(parent) + 1, '.'));
        }
    }
    for (size_t c = 0; c < policy->n_categories; c++) {
        const sw_category *cat = &policy->categories[c];
        json_t *e = by_key(cats, cat->id);
        if (!cat->extends) {
            assert_null(e); /* a fideslang key: Fides has it */
            continue;
        }
        assert_non_null(e);
        assert_string_equal(json_string_value(json_object_get(e, "name")),
                            cat->name);
    }
    /* user.telecom.msisdn hangs under user.telecom, made for it */
    assert_non_null(by_key(cats, "user.telecom"));
    assert_string_equal(json_string_value(json_object_get(
                            by_key(cats, "user.telecom"), "parent_key")),
                        "user");
    json_t *uses = json_object_get(o, "data_use");
    assert_non_null(by_key(uses, "essential.service.conveyance"));
    assert_null(by_key(uses, "marketing.communications.email"));
    json_t *subj = json_object_get(o, "data_subject");
    assert_non_null(by_key(subj, "supplier_personnel"));
    assert_null(by_key(subj, "customer"));
    json_t *sys = json_array_get(json_object_get(o, "system"), 0);
    assert_string_equal(json_string_value(json_object_get(sys, "legal_name")),
                        policy->controller.name);
    json_t *decl = json_object_get(sys, "privacy_declarations");
    size_t want = 0;
    for (size_t a = 0; a < policy->n_activities; a++)
        want += policy->activities[a].purposes.n;
    assert_int_equal(json_array_size(decl), want);
    bool dietary = false;
    json_array_foreach(decl, i, x)
    {
        assert_non_null(json_string_value(json_object_get(x, "data_use")));
        const char *n = json_string_value(json_object_get(x, "name"));
        if (strstr(n, sw_policy_activity(policy, "event_dietary")->name)) {
            dietary = true;
            assert_true(json_is_true(
                json_object_get(x, "processes_special_category_data")));
            assert_string_equal(json_string_value(json_object_get(
                                    x, "special_category_legal_basis")),
                                "Explicit consent");
            assert_string_equal(json_string_value(json_object_get(
                                    x, "legal_basis_for_processing")),
                                "Consent");
        }
    }
    assert_true(dietary);
    json_decref(o);

    /* a policy with a system: its tables and columns as a dataset */
    char path[512];
    tu_src("tests/data/policy/good/systems.yaml", path, sizeof(path));
    sw_diags *d = sw_diags_new();
    sw_policy *p = NULL;
    assert_int_equal(sw_policy_load_file(path, d, &p), SW_OK);
    sw_diags_free(d);
    assert_int_equal(sw_policy_export_fideslang(p, &yaml), SW_OK);
    o = yaml_json(yaml);
    free(yaml);
    json_t *set = json_array_get(json_object_get(o, "dataset"), 0);
    assert_non_null(set);
    assert_string_equal(json_string_value(json_object_get(set, "fides_key")),
                        p->systems[0].id);
    json_t *col = json_array_get(json_object_get(set, "collections"), 0);
    assert_string_equal(json_string_value(json_object_get(col, "name")),
                        p->systems[0].datasets[0].table);
    assert_int_equal(json_array_size(json_object_get(col, "fields")),
                     p->systems[0].datasets[0].n_columns);
    json_decref(o);
    sw_policy_free(p);
}

int main(void)
{
    policy = tu_bundled();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report__ropa_md_has_an_entry_per_activity),
        cmocka_unit_test(test_report__ropa_json_fills_every_field),
        cmocka_unit_test(test_report__ropa_csv_is_one_row_per_activity),
        cmocka_unit_test(
            test_report__ropa_lists_the_systems_that_store_an_activity),
        cmocka_unit_test(test_report__csv_neutralises_formulas),
        cmocka_unit_test(test_report__schedule_json_has_every_rule),
        cmocka_unit_test(test_report__schedule_md_and_csv_have_a_row_per_rule),
        cmocka_unit_test(test_report__periods_read_as_words),
        cmocka_unit_test(test_report__docs_say_what_steward_keeps),
        cmocka_unit_test(test_report__format_names),
        cmocka_unit_test(test_report__fideslang_export),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    sw_policy_free(policy);
    return failed;
}
