/* SPDX-License-Identifier: Apache-2.0 */
/* steward system list|check|rows|erase: the policy's systems (connectors). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char *connector_name(int k)
{
    switch (k) {
    case SW_CONN_SQLITE: return "sqlite";
    case SW_CONN_POSTGRESQL: return "postgresql";
    case SW_CONN_MARIADB: return "mariadb";
    case SW_CONN_WEBHOOK: return "webhook";
    default: return "?";
    }
}

static int do_list(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *st;
    sw_policy *p;
    int rc = cli_open_store(c, &st, &p);
    if (rc)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < p->n_systems; i++) {
        const sw_system *sys = &p->systems[i];
        json_t *tables = json_array();
        for (size_t d = 0; d < sys->n_datasets; d++)
            json_array_append_new(tables, json_string(sys->datasets[d].table));
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", sys->id, "name",
                      sys->name ? sys->name : sys->id, "connector",
                      connector_name(sys->connector), "credentials",
                      sys->credentials_env ? "env" : "file", "from",
                      sys->credentials_env ? sys->credentials_env
                                           : sys->credentials_file,
                      "tables", tables));
    }
    if (c->json) {
        rc = cli_print_json(json_pack("{s:o}", "systems", list));
    } else {
        size_t i;
        json_t *s;
        json_array_foreach(list, i, s)
        {
            printf("%-12s %-11s %s (%s %s):",
                   json_string_value(json_object_get(s, "id")),
                   json_string_value(json_object_get(s, "connector")),
                   json_string_value(json_object_get(s, "name")),
                   json_string_value(json_object_get(s, "credentials")),
                   json_string_value(json_object_get(s, "from")));
            size_t k;
            json_t *t;
            json_array_foreach(json_object_get(s, "tables"), k, t)
                printf(" %s", json_string_value(t));
            printf("\n");
        }
        if (!json_array_size(list))
            printf("the policy declares no systems\n");
        json_decref(list);
    }
    cli_close_store(st, p);
    return rc;
}

static int do_check(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("system check ", "give the system's id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_system_report *r;
    if (sw_system_check(s, a->pos[0], &r) != SW_OK) {
        rc = cli_store_fail(s, "system not checked");
        cli_close_store(s, p);
        return rc;
    }
    if (c->json) {
        json_t *issues = json_array(), *counts = json_array();
        for (size_t i = 0; i < r->n_issues; i++)
            json_array_append_new(issues,
                                  json_pack("{s:s, s:s, s:s}", "table",
                                            r->issues[i].table, "column",
                                            r->issues[i].column, "problem",
                                            r->issues[i].what));
        for (size_t i = 0; i < r->n_counts; i++)
            json_array_append_new(counts,
                                  json_pack("{s:s, s:s, s:I}", "table",
                                            r->counts[i].table, "category",
                                            r->counts[i].category, "rows",
                                            (json_int_t)r->counts[i].rows));
        cli_print_json(json_pack("{s:s, s:b, s:o, s:o}", "system", r->system,
                                 "matches", r->n_issues == 0, "issues", issues,
                                 "counts", counts));
    } else {
        for (size_t i = 0; i < r->n_issues; i++)
            printf("mismatch  %s%s%s: %s\n", r->issues[i].table,
                   r->issues[i].column[0] ? "." : "", r->issues[i].column,
                   r->issues[i].what);
        for (size_t i = 0; i < r->n_counts; i++)
            printf("%-24s %-40s %lld rows\n", r->counts[i].table,
                   r->counts[i].category[0] ? r->counts[i].category
                                            : "(all rows)",
                   (long long)r->counts[i].rows);
        printf("system %s: %s\n", r->system,
               r->n_issues ? "the live schema does not match the policy"
                           : "the live schema matches the policy");
    }
    rc = r->n_issues ? EXIT_REFUSED : 0;
    sw_system_report_free(r);
    cli_close_store(s, p);
    return rc;
}

/* Which columns of a system hold personal data, declared or not. */
static int do_scan(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("system scan", "give the system's id");
    size_t sample = 1000;
    if (a->set[O_SAMPLE]) {
        char *end;
        long v = strtol(a->v[O_SAMPLE], &end, 10);
        if (*end || v < 1 || v > 10000000)
            return cli_usage("system scan",
                             "--sample: a number of rows from 1 to 10000000");
        sample = (size_t)v;
    }
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_system_scan_report *r;
    if (sw_system_scan(s, a->pos[0], sample, &r) != SW_OK) {
        rc = cli_store_fail(s, "system not scanned");
        cli_close_store(s, p);
        return rc;
    }
    json_t *list = c->json ? json_array() : NULL;
    for (size_t i = 0; i < r->n; i++) {
        const sw_column_scan *col = &r->columns[i];
        json_t *counts = json_object();
        char text[256] = "";
        size_t k = 0;
        for (unsigned t = 0; t < SW_PII_COUNT; t++) {
            if (!col->findings[t])
                continue;
            json_object_set_new(counts, sw_pii_name((sw_pii_type)t),
                                json_integer((json_int_t)col->findings[t]));
            if (k < sizeof(text))
                k += (size_t)snprintf(
                    text + k, sizeof(text) - k, "%s%s %zu", k ? ", " : "",
                    sw_pii_name((sw_pii_type)t), col->findings[t]);
        }
        if (list) {
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s?, s:I, s:o}", "table",
                                col->table, "column", col->column, "category",
                                col->category[0] ? col->category : NULL, "rows",
                                (json_int_t)col->rows, "findings", counts));
            continue;
        }
        json_decref(counts);
        char name[160];
        snprintf(name, sizeof(name), "%s.%s", col->table, col->column);
        printf("%-8s %-32s %-32s %6zu rows  %s\n",
               col->total && !col->category[0] ? "UNDECL" : "", name,
               col->category[0] ? col->category : "(undeclared)", col->rows,
               col->total ? text : "nothing found");
    }
    if (list)
        cli_print_json(json_pack("{s:s, s:I, s:o}", "system", r->system,
                                 "undeclared", (json_int_t)r->undeclared,
                                 "columns", list));
    else
        printf("system %s: %zu undeclared column%s with personal data\n",
               r->system, r->undeclared, r->undeclared == 1 ? "" : "s");
    rc = r->undeclared ? EXIT_REFUSED : 0;
    sw_system_scan_report_free(r);
    cli_close_store(s, p);
    return rc;
}

/* The subject --subject names, or the one an identifier option names. */
static int subject_of(sw_store *s, const cli_args *a, const char *cmd,
                      char id[SW_ID_BUFSZ])
{
    if (a->set[O_SUBJECT] + a->set[O_EMAIL] + a->set[O_PHONE] != 1)
        return cli_usage(cmd, "give one of --subject, --email or --phone");
    if (a->set[O_SUBJECT]) {
        snprintf(id, SW_ID_BUFSZ, "%s", a->v[O_SUBJECT]);
        return 0;
    }
    sw_ident ident = {a->set[O_EMAIL] ? "email" : "phone",
                      a->v[a->set[O_EMAIL] ? O_EMAIL : O_PHONE]};
    return sw_subject_find(s, &ident, id) == SW_OK
               ? 0
               : cli_store_fail(s, "no such subject");
}

static int do_rows(cli *c, const cli_args *a)
{
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char id[SW_ID_BUFSZ];
    char *json = NULL;
    if (!(rc = subject_of(s, a, "system rows ", id))) {
        if (sw_system_rows(s, id, &json) != SW_OK)
            rc = cli_store_fail(s, "rows not read");
        else
            rc = cli_print_json(json_loads(json, 0, NULL));
    }
    free(json);
    cli_close_store(s, p);
    return rc;
}

static int do_erase(cli *c, const cli_args *a)
{
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char id[SW_ID_BUFSZ];
    if ((rc = subject_of(s, a, "system erase ", id))) {
        cli_close_store(s, p);
        return rc;
    }
    bool dry = a->set[O_DRY_RUN];
    sw_system_erasure *e;
    sw_status st = sw_system_erase(s, id, a->v[O_SYSTEM], NULL, dry, &e);
    if (c->json) {
        json_t *steps = json_array();
        for (size_t i = 0; e && i < e->n_steps; i++)
            json_array_append_new(
                steps, json_pack("{s:s, s:s, s:s, s:I}", "system",
                                 e->steps[i].system, "table", e->steps[i].table,
                                 "action", e->steps[i].action, "rows",
                                 (json_int_t)e->steps[i].rows));
        json_t *o = json_pack("{s:s, s:b, s:o}", "subject", id, "dry_run", dry,
                              "steps", steps);
        if (dry && e && e->statements)
            json_object_set_new(o, "statements", json_string(e->statements));
        if (st == SW_OK)
            rc = cli_print_json(o);
        else
            json_decref(o);
    } else if (e) {
        for (size_t i = 0; i < e->n_steps; i++)
            printf("%s %-10s %-20s %s %zu row%s\n", dry ? "would" : "done ",
                   e->steps[i].system, e->steps[i].table, e->steps[i].action,
                   e->steps[i].rows, e->steps[i].rows == 1 ? "" : "s");
        if (dry && e->statements)
            printf("statements (values bound, never written into them):\n%s",
                   e->statements);
    }
    if (st != SW_OK)
        rc = cli_store_fail(s, dry ? "erasure not planned"
                                   : "erasure stopped (the systems listed "
                                     "before are erased)");
    sw_system_erasure_free(e);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"list", do_list, "steward system list [--json]",
     "Lists the systems the store's policy declares (its systems section):\n"
     "the connector, where the credentials come from (a variable or a 0600\n"
     "file, never the policy) and the tables.",
     0, 0, 0},
    {"check", do_check, "steward system check NAME [--json]",
     "Connects to the system, compares its live schema with the datasets\n"
     "the policy declares (missing tables and columns, types a clock, an\n"
     "identity, a mask or a relation cannot use) and counts the rows of each\n"
     "table and category. Exit 1 when the schema does not match.",
     0, 1, 0},
    {"scan", do_scan, "steward system scan NAME [--sample N] [--json]",
     "Samples N rows (default 1000) of every declared table and scans each\n"
     "text column for personal data (docs/scan.md): which columns hold\n"
     "some, with counts by type, never the values. Exit 1 when a column the\n"
     "policy does not declare holds personal data: data the register does\n"
     "not know about. Reads only.",
     0, 1, OPT_HI(O_SAMPLE)},
    {"rows", do_rows, "steward system rows --subject ID|--email E|--phone N",
     "Every system's rows of a person, found by the declared identity\n"
     "columns and followed through the relations, each labelled with\n"
     "system, table and category (JSON). Audited as a disclosure.",
     OPT(O_SUBJECT) | OPT(O_EMAIL) | OPT(O_PHONE), 0, 0},
    {"erase", do_erase,
     "steward system erase --subject ID|--email E|--phone N [--system NAME] "
     "[--dry-run] [--json]",
     "Erases a person's rows in each system (or in one), one transaction per\n"
     "system, children before parents: each column as the policy says\n"
     "(the row deleted, set NULL, masked or replaced by a keyed hash). Run\n"
     "again, it finds nothing more. --dry-run shows the statements and the\n"
     "rows each would change, and changes nothing. Audited per system.",
     OPT(O_SUBJECT) | OPT(O_EMAIL) | OPT(O_PHONE) | OPT(O_DRY_RUN), 0,
     OPT_HI(O_SYSTEM)},
};

int cmd_system(int argc, char **argv, cli *c)
{
    return cli_run_family("system", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
