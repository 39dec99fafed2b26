/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy's systems section (issue 18): the company's own databases and
 * tools, their datasets, and the checks policy check makes of them. The
 * loader (loader.c) reads it through sw_system_schema_ like any other part
 * of the policy.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "policy/policy_int.h"
#include "steward/ident.h"

#define OFF(type, member) offsetof(type, member)
#define NOPOS ((size_t)-1)

/* A name a SQL statement may quote: letters, digits and '_', not
 * starting with a digit, at most 63 bytes (PostgreSQL's limit). */
static bool sql_name(const char *s)
{
    if (!s || !*s || strlen(s) > 63 || isdigit((unsigned char)s[0]))
        return false;
    for (const char *q = s; *q; q++)
        if (!isalnum((unsigned char)*q) && *q != '_')
            return false;
    return true;
}

static void need_sql_name(pctx *c, sw_pos at, const char *what, const char *v)
{
    if (v && !sql_name(v))
        sw_perr_at(c, at, "bad-name",
                   "%s '%s' is not a table or column name (letters, digits and "
                   "'_', at most 63)",
                   what, v);
}

static const sw_sys_column *dataset_column(const sw_dataset *d,
                                           const char *name)
{
    for (size_t i = 0; name && i < d->n_columns; i++)
        if (d->columns[i].name && strcmp(d->columns[i].name, name) == 0)
            return &d->columns[i];
    return NULL;
}

static void check_dataset(pctx *c, void *obj)
{
    const sw_dataset *d = obj;
    need_sql_name(c, d->pos, "table", d->table);
    need_sql_name(c, d->pos, "key", d->key);
    need_sql_name(c, d->pos, "clock", d->clock);
    const sw_activity *a =
        d->activity ? sw_policy_activity(c->p, d->activity) : NULL;
    if (d->activity && !a)
        sw_perr_at(c, d->pos, "undefined-reference",
                   "dataset '%s': undefined activity '%s'", d->table,
                   d->activity);
    const sw_rule *r = d->rule ? sw_policy_rule(c->p, d->rule) : NULL;
    if (d->rule && (!r || (a && r->activity != a)))
        sw_perr_at(
            c, d->pos, "undefined-reference",
            "dataset '%s': '%s' is not a retention rule of activity '%s'",
            d->table, d->rule, d->activity ? d->activity : "");
    if (!d->rule != !d->clock)
        sw_perr_at(c, d->pos, "incomplete-clock",
                   "dataset '%s': a retention clock needs both 'clock' (the "
                   "column that starts it) and 'rule'",
                   d->table);
    for (size_t i = 0; i < d->n_columns; i++) {
        const sw_sys_column *k = &d->columns[i];
        need_sql_name(c, k->pos, "column", k->name);
        if (dataset_column(d, k->name) != k)
            sw_perr_at(c, k->pos, "duplicate-id",
                       "dataset '%s': column '%s' is declared twice", d->table,
                       k->name);
        bool in_activity = false;
        for (size_t j = 0; a && k->category && j < a->categories.n; j++)
            in_activity |= sw_category_covers(a->categories.v[j], k->category);
        if (a && k->category && !in_activity)
            sw_perr_at(
                c, k->pos, "category-not-in-activity",
                "column '%s': category '%s' is not one that activity '%s' "
                "processes",
                k->name, k->category, a->id);
        if ((k->erase == SW_ERASE_MASK) != (k->mask != NULL))
            sw_perr_at(
                c, k->pos, "bad-erase",
                "column '%s': 'mask' gives the value of erase: mask, and "
                "only of it",
                k->name);
    }
    for (size_t i = 0; i < d->n_identities; i++) {
        const sw_sys_identity *id = &d->identities[i];
        if (!sw_ident_type_valid(id->type))
            sw_perr_at(c, id->pos, "bad-identity",
                       "identity type '%s' is not an identifier type (email, "
                       "phone, msisdn, account_id...)",
                       id->type ? id->type : "");
        if (!dataset_column(d, id->column))
            sw_perr_at(c, id->pos, "undefined-reference",
                       "identity column '%s' is not a column of dataset '%s'",
                       id->column ? id->column : "", d->table);
    }
    for (size_t i = 0; i < d->n_relations; i++)
        need_sql_name(c, d->relations[i].pos, "column", d->relations[i].column);
    if (!d->n_identities && !d->n_relations)
        sw_perr_at(c, d->pos, "unreachable-dataset",
                   "dataset '%s' names no identity column and no relation: no "
                   "person's rows could be found in it",
                   d->table);
}

static const sw_dataset *system_dataset(const sw_system *s, const char *table)
{
    for (size_t i = 0; table && i < s->n_datasets; i++)
        if (s->datasets[i].table && strcmp(s->datasets[i].table, table) == 0)
            return &s->datasets[i];
    return NULL;
}

static bool env_name(const char *s)
{
    if (!s || !*s || isdigit((unsigned char)s[0]))
        return false;
    for (const char *q = s; *q; q++)
        if (!isupper((unsigned char)*q) && !isdigit((unsigned char)*q) &&
            *q != '_')
            return false;
    return true;
}

static void check_system(pctx *c, void *obj)
{
    const sw_system *s = obj;
    if (!s->credentials_env == !s->credentials_file)
        sw_perr_at(c, s->pos, "bad-credentials",
                   "system '%s': credentials name exactly one of 'env' (an "
                   "environment variable) or 'file' (a file of mode 0600), "
                   "never the secret itself",
                   s->id ? s->id : "");
    else if (s->credentials_env && !env_name(s->credentials_env))
        sw_perr_at(c, s->pos, "bad-credentials",
                   "system '%s': '%s' is not an environment variable's name "
                   "(upper-case letters, digits, '_')",
                   s->id ? s->id : "", s->credentials_env);
    else if (s->credentials_file && s->credentials_file[0] != '/')
        sw_perr_at(c, s->pos, "bad-credentials",
                   "system '%s': the credentials file '%s' must be an absolute "
                   "path",
                   s->id ? s->id : "", s->credentials_file);
    for (size_t i = 0; i < s->n_datasets; i++) {
        const sw_dataset *d = &s->datasets[i];
        if (system_dataset(s, d->table) != d)
            sw_perr_at(c, d->pos, "duplicate-id",
                       "system '%s': table '%s' is declared twice", s->id,
                       d->table);
        for (size_t j = 0; j < d->n_relations; j++) {
            const sw_sys_relation *rel = &d->relations[j];
            const sw_dataset *to = system_dataset(s, rel->table);
            if (!to)
                sw_perr_at(c, rel->pos, "undefined-reference",
                           "relation of '%s': table '%s' is not a dataset of "
                           "system '%s'",
                           d->table, rel->table ? rel->table : "", s->id);
            else if (!rel->references ||
                     (strcmp(rel->references, to->key ? to->key : "") != 0 &&
                      !dataset_column(to, rel->references)))
                sw_perr_at(c, rel->pos, "undefined-reference",
                           "relation of '%s': '%s' is neither the key nor a "
                           "column of '%s'",
                           d->table, rel->references ? rel->references : "",
                           rel->table);
        }
    }
}

static const char *const connector_names[] = {"sqlite", "postgresql", "mariadb",
                                              "webhook", NULL};
static const char *const erase_names[] = {"delete", "null", "mask", "hash",
                                          NULL};

static const field sys_column_fields[] = {
    {"name", F_STR, OFF(sw_sys_column, name), 0, REQ, R_NONE, NULL, NULL},
    {"category", F_STR, OFF(sw_sys_column, category), 0, REQ, R_CATEGORY, NULL,
     NULL},
    {"erase", F_ENUM, OFF(sw_sys_column, erase), 0, REQ, R_NONE, NULL,
     erase_names},
    {"mask", F_STR, OFF(sw_sys_column, mask), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema sys_column_schema = {"column",
                                         sizeof(sw_sys_column),
                                         OFF(sw_sys_column, pos),
                                         sys_column_fields,
                                         NULL,
                                         NULL};

static const field sys_identity_fields[] = {
    {"type", F_STR, OFF(sw_sys_identity, type), 0, REQ, R_NONE, NULL, NULL},
    {"column", F_STR, OFF(sw_sys_identity, column), 0, REQ, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema sys_identity_schema = {"identity",
                                           sizeof(sw_sys_identity),
                                           OFF(sw_sys_identity, pos),
                                           sys_identity_fields,
                                           NULL,
                                           NULL};

static const field sys_relation_fields[] = {
    {"column", F_STR, OFF(sw_sys_relation, column), 0, REQ, R_NONE, NULL, NULL},
    {"table", F_STR, OFF(sw_sys_relation, table), 0, REQ, R_NONE, NULL, NULL},
    {"references", F_STR, OFF(sw_sys_relation, references), 0, REQ, R_NONE,
     NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema sys_relation_schema = {"relation",
                                           sizeof(sw_sys_relation),
                                           OFF(sw_sys_relation, pos),
                                           sys_relation_fields,
                                           NULL,
                                           NULL};

static const field dataset_fields[] = {
    {"table", F_STR, OFF(sw_dataset, table), 0, REQ, R_NONE, NULL, NULL},
    {"activity", F_STR, OFF(sw_dataset, activity), 0, REQ, R_NONE, NULL, NULL},
    {"rule", F_STR, OFF(sw_dataset, rule), 0, 0, R_NONE, NULL, NULL},
    {"key", F_STR, OFF(sw_dataset, key), 0, REQ, R_NONE, NULL, NULL},
    {"clock", F_STR, OFF(sw_dataset, clock), 0, 0, R_NONE, NULL, NULL},
    {"identities", F_LIST, OFF(sw_dataset, identities),
     OFF(sw_dataset, n_identities), 0, R_NONE, &sys_identity_schema, NULL},
    {"relations", F_LIST, OFF(sw_dataset, relations),
     OFF(sw_dataset, n_relations), 0, R_NONE, &sys_relation_schema, NULL},
    {"columns", F_LIST, OFF(sw_dataset, columns), OFF(sw_dataset, n_columns),
     REQ, R_NONE, &sys_column_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema dataset_schema = {
    "dataset", sizeof(sw_dataset), OFF(sw_dataset, pos), dataset_fields,
    NULL,      check_dataset};

static const field credentials_fields[] = {
    {"env", F_STR, OFF(sw_system, credentials_env), 0, 0, R_NONE, NULL, NULL},
    {"file", F_STR, OFF(sw_system, credentials_file), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema credentials_schema = {"credentials",      0,    NOPOS,
                                          credentials_fields, NULL, NULL};

static const field system_fields[] = {
    {"id", F_STR, OFF(sw_system, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_system, name), 0, REQ, R_NONE, NULL, NULL},
    {"connector", F_ENUM, OFF(sw_system, connector), 0, REQ, R_NONE, NULL,
     connector_names},
    {"credentials", F_OBJ, 0, 0, REQ, R_NONE, &credentials_schema, NULL},
    {"datasets", F_LIST, OFF(sw_system, datasets), OFF(sw_system, n_datasets),
     REQ, R_NONE, &dataset_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
const schema sw_system_schema_ = {
    "system", sizeof(sw_system), OFF(sw_system, pos), system_fields,
    NULL,     check_system};
