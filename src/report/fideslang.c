/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy as fideslang resources (https://ethyca.github.io/fideslang/),
 * YAML a Fides user loads: the policy's extensions of the default
 * taxonomy (each under its parent, with the keys between), one system for
 * the controller with a privacy declaration per activity and purpose, and
 * a dataset per system the policy declares (its tables and columns with
 * their categories). Built as JSON with jansson, written as YAML by
 * libfyaml.
 */
#include <ctype.h>
#include <jansson.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "policy/model.h"
#include "steward/report.h"

/* fideslang's names for the GDPR's bases (LegalBasisForProcessingEnum,
 * SpecialCategoryLegalBasisEnum), from "6(1)(a)" and "9(2)(a)" */
static const char *basis6(const char *b)
{
    static const char *const names[] = {
        "Consent",         "Contract",        "Legal obligations",
        "Vital interests", "Public interest", "Legitimate interests"};
    return b && strncmp(b, "6(1)(", 5) == 0 && b[5] >= 'a' && b[5] <= 'f'
               ? names[b[5] - 'a']
               : NULL;
}

static const char *basis9(const char *b)
{
    static const char *const names[] = {
        "Explicit consent",
        "Employment, social security and social protection",
        "Vital interests",
        "Not-for-profit bodies",
        "Made public by the data subject",
        "Legal claims or judicial acts",
        "Reasons of substantial public interest (with a basis in law)",
        "Health or social care (with a basis in law)",
        "Public health (with a basis in law)",
        "Archiving, research and statistics (with a basis in law)"};
    return b && strncmp(b, "9(2)(", 5) == 0 && b[5] >= 'a' && b[5] <= 'j'
               ? names[b[5] - 'a']
               : NULL;
}

/* A fides_key from a name: lower-case letters and digits, other runs as
 * one '_' (out: n bytes) */
static void key_of(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < n; p++) {
        if (isalnum((unsigned char)*p))
            out[k++] = (char)tolower((unsigned char)*p);
        else if (k && out[k - 1] != '_')
            out[k++] = '_';
    }
    while (k && out[k - 1] == '_')
        k--;
    out[k] = 0;
}

static bool listed(json_t *list, const char *key)
{
    size_t i;
    json_t *x;
    json_array_foreach(
        list, i,
        x) if (strcmp(json_string_value(json_object_get(x, "fides_key")),
                      key) == 0) return true;
    return false;
}

/* An extension of a hierarchical taxonomy (data categories, data uses):
 * the keys between its parent and it first (made up of the id's own
 * segments, named by them), then it. */
static void hierarchy(json_t *out, const char *id, const char *name,
                      const char *description, const char *extends)
{
    if (!extends)
        return; /* a fideslang key: Fides has it */
    size_t start = strcmp(extends, "none") == 0 ? 0 : strlen(extends) + 1;
    for (size_t i = start; id[i]; i++) {
        if (id[i] != '.')
            continue;
        char key[256], parent[256];
        snprintf(key, sizeof(key), "%.*s", (int)i, id);
        if (listed(out, key))
            continue;
        const char *dot = strrchr(key, '.');
        snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - key) : 0,
                 key);
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s, s:s*, s:b}", "fides_key", key,
                           "name", key, "description",
                           "a level of steward's extension of the taxonomy",
                           "parent_key", parent[0] ? parent : NULL,
                           "is_default", 0));
    }
    if (listed(out, id))
        return;
    const char *dot = strrchr(id, '.');
    char parent[256];
    snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - id) : 0, id);
    json_array_append_new(
        out, json_pack("{s:s, s:s, s:s*, s:s*, s:b}", "fides_key", id, "name",
                       name, "description", description, "parent_key",
                       parent[0] ? parent : NULL, "is_default", 0));
}

static json_t *strs_json(const sw_strs *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}

/* The basis that governs purpose in activity a: the first listed for it */
static const sw_basis *basis_for(const sw_activity *a, const char *purpose)
{
    for (size_t i = 0; i < a->n_bases; i++)
        if (sw_basis_covers(&a->bases[i], purpose))
            return &a->bases[i];
    return NULL;
}

static json_t *declarations(const sw_policy *p)
{
    json_t *out = json_array();
    char words[512];
    for (size_t i = 0; i < p->n_activities; i++) {
        const sw_activity *a = &p->activities[i];
        bool special = false;
        for (size_t k = 0; k < a->categories.n; k++) {
            const sw_category *c = sw_policy_category(p, a->categories.v[k]);
            special |= c && c->special;
        }
        /* the rules' periods in words, "; " apart */
        sw_buf b;
        sw_buf_init(&b, 64 * 1024);
        for (size_t k = 0; k < a->n_rules; k++)
            sw_buf_printf(
                &b, "%s%s", k ? "; " : "",
                sw_rule_describe(p, &a->rules[k], words, sizeof(words)));
        char *retention = NULL;
        if (sw_buf_finish(&b, &retention) != SW_OK)
            retention = NULL;
        char *third = sw_recipient_names(p, a);
        for (size_t u = 0; u < a->purposes.n; u++) {
            const sw_basis *basis = basis_for(a, a->purposes.v[u]);
            json_t *d = json_pack(
                "{s:s+++, s:o, s:s, s:o, s:s*, s:b, s:s*, s:s*, s:b, s:s*}",
                "name", a->name, " (", a->purposes.v[u], ")", "data_categories",
                strs_json(&a->categories), "data_use", a->purposes.v[u],
                "data_subjects", strs_json(&a->subjects),
                "legal_basis_for_processing",
                basis ? basis6(basis->basis) : NULL,
                "processes_special_category_data", special,
                "special_category_legal_basis",
                special ? basis9(a->special_condition) : NULL,
                "retention_period", retention, "data_shared_with_third_parties",
                a->recipients.n > 0, "third_parties",
                third && *third ? third : NULL);
            if (d)
                json_array_append_new(out, d);
        }
        free(retention);
        free(third);
    }
    return out;
}

static json_t *datasets(const sw_policy *p, json_t *refs)
{
    json_t *out = json_array();
    for (size_t i = 0; i < p->n_systems; i++) {
        const sw_system *sys = &p->systems[i];
        json_t *collections = json_array();
        for (size_t t = 0; t < sys->n_datasets; t++) {
            const sw_dataset *d = &sys->datasets[t];
            json_t *fields = json_array();
            for (size_t c = 0; c < d->n_columns; c++)
                json_array_append_new(
                    fields,
                    json_pack("{s:s, s:[s]}", "name", d->columns[c].name,
                              "data_categories", d->columns[c].category));
            json_array_append_new(
                collections,
                json_pack("{s:s, s:o}", "name", d->table, "fields", fields));
        }
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s, s:o}", "fides_key", sys->id, "name",
                           sys->name ? sys->name : sys->id, "description",
                           "a system of the company's that the policy "
                           "declares (steward's connectors reach it)",
                           "collections", collections));
        json_array_append_new(refs, json_string(sys->id));
    }
    return out;
}

sw_status sw_policy_export_fideslang(const sw_policy *p, char **out)
{
    *out = NULL;
    json_t *cats = json_array(), *uses = json_array(), *subjects = json_array();
    for (size_t i = 0; i < p->n_categories; i++) {
        const sw_category *c = &p->categories[i];
        hierarchy(cats, c->id, c->name, c->description, c->extends);
    }
    for (size_t i = 0; i < p->n_purposes; i++) {
        const sw_def *d = &p->purposes[i];
        hierarchy(uses, d->id, d->name, d->description, d->extends);
    }
    for (size_t i = 0; i < p->n_subjects; i++) {
        const sw_subject_kind *k = &p->subjects[i];
        if (!k->extends)
            continue;
        char about[512];
        snprintf(about, sizeof(about), "%s%s%s",
                 k->description ? k->description : k->name,
                 strcmp(k->extends, "none") ? "; a kind of " : "",
                 strcmp(k->extends, "none") ? k->extends : "");
        json_array_append_new(subjects,
                              json_pack("{s:s, s:s, s:s, s:b}", "fides_key",
                                        k->id, "name", k->name, "description",
                                        about, "is_default", 0));
    }
    char key[128];
    key_of(p->controller.name, key, sizeof(key));
    json_t *refs = json_array();
    json_t *sets = datasets(p, refs);
    char about[512];
    snprintf(about, sizeof(about), "%s %s, as steward enforces it",
             p->notice.title ? p->notice.title : "The privacy notice",
             p->notice.version);
    json_t *system = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s*, s:s, s:s, s:s, s:o, s:o}", "fides_key",
        key[0] ? key : "steward", "name", p->controller.name, "description",
        about, "organization_fides_key", "default_organization", "system_type",
        "Service", "privacy_policy", p->notice.url, "legal_name",
        p->controller.name, "legal_address", p->controller.address, "dpo",
        p->controller.dpo_email, "dataset_references", refs,
        "privacy_declarations", declarations(p));
    json_t *doc = json_pack("{s:o, s:o, s:o, s:[o], s:o}", "data_category",
                            cats, "data_use", uses, "data_subject", subjects,
                            "system", system, "dataset", sets);
    char *text =
        doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (!text)
        return SW_ERR_NOMEM;
    /* JSON is YAML: libfyaml reads it and writes it back as block YAML */
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_JSON_FORCE};
    struct fy_document *fyd = fy_document_build_from_string(&cfg, text, FY_NT);
    char *yaml = fyd ? fy_emit_document_to_string(fyd, FYECF_MODE_DEJSON |
                                                           FYECF_INDENT_2 |
                                                           FYECF_WIDTH_INF)
                     : NULL;
    fy_document_destroy(fyd);
    free(text);
    if (!yaml)
        return SW_ERR_NOMEM;
    *out = yaml;
    return SW_OK;
}
