/* SPDX-License-Identifier: Apache-2.0 */
/* steward policy check|show|ropa|schedule|due|apply|history */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static int format_of(const cli_args *a, const cli *c, sw_format *f)
{
    *f = SW_FORMAT_MD;
    if (c->json)
        *f = SW_FORMAT_JSON;
    else if (a->v[O_FORMAT] && sw_format_parse(a->v[O_FORMAT], f) != SW_OK)
        return cli_usage("policy ", "--format '%s': expected md, json or csv",
                         a->v[O_FORMAT]);
    return 0;
}

static const char *policy_name(const cli *c)
{
    return c->policy_path ? c->policy_path : SW_POLICY_BUNDLED_NAME;
}

static int do_check(cli *c, const cli_args *a)
{
    if (a->n_pos)
        c->policy_path = a->pos[0];
    sw_policy *p;
    int rc = cli_load_policy(c, &p);
    if (rc)
        return rc;
    sw_diags *d = sw_diags_new();
    if (!d) {
        sw_policy_free(p);
        return cli_fail("out of memory");
    }
    size_t warnings = sw_policy_lint(p, d);
    cli_print_diags(stderr, d);
    if (c->json) {
        json_t *o =
            json_pack("{s:s, s:b, s:I, s:I, s:I}", "policy", policy_name(c),
                      "valid", 1, "activities", (json_int_t)p->n_activities,
                      "rules", (json_int_t)sw_policy_rule_count(p), "warnings",
                      (json_int_t)warnings);
        json_t *list = json_array();
        char line[1400];
        for (size_t i = 0; i < sw_diags_count(d); i++) {
            const sw_diag *dg = sw_diags_at(d, i);
            json_array_append_new(
                list,
                json_pack("{s:s, s:i, s:i, s:s, s:s}", "code", dg->code, "line",
                          dg->line, "col", dg->col, "message", dg->message,
                          "text", sw_diag_format(dg, line, sizeof(line))));
        }
        json_object_set_new(o, "diagnostics", list);
        rc = cli_print_json(o);
    } else {
        printf("%s: valid: %zu activities, %zu retention rules, %zu "
               "warning%s\n",
               policy_name(c), p->n_activities, sw_policy_rule_count(p),
               warnings, warnings == 1 ? "" : "s");
    }
    sw_diags_free(d);
    sw_policy_free(p);
    if (!rc && a->set[O_STRICT] && warnings)
        return cli_fail("%zu warning%s and --strict", warnings,
                        warnings == 1 ? "" : "s");
    return rc;
}

static void show_strs(const char *label, const sw_strs *v)
{
    printf("  %-12s", label);
    for (size_t i = 0; i < v->n; i++)
        printf("%s%s", i ? ", " : "", v->v[i]);
    printf("\n");
}

static int do_show(cli *c, const cli_args *a)
{
    (void)a;
    sw_policy *p;
    int rc = cli_load_policy(c, &p);
    if (rc)
        return rc;
    if (c->json) {
        char *s;
        sw_status st = sw_policy_to_json(p, &s);
        rc = st == SW_OK ? cli_print_text(s)
                         : cli_fail("policy as JSON: %s", sw_strerror(st));
        free(s);
        sw_policy_free(p);
        return rc;
    }
    printf("controller: %s (DPO: %s)\nnotice: %s\n\n", p->controller.name,
           p->controller.dpo_email, p->notice.version);
    char words[512];
    for (size_t i = 0; i < p->n_activities; i++) {
        const sw_activity *act = &p->activities[i];
        printf("%s (notice %s, %s): %s\n", act->id, act->section,
               sw_role_name(act->role), act->name);
        show_strs("subjects", &act->subjects);
        show_strs("categories", &act->categories);
        show_strs("purposes", &act->purposes);
        printf("  %-12s", "legal basis");
        for (size_t k = 0; k < act->n_bases; k++)
            printf("%s%s", k ? ", " : "", act->bases[k].basis);
        if (act->special_condition)
            printf(", %s", act->special_condition);
        if (act->criminal_authority)
            printf(", Art. 10 (%s)", act->criminal_authority);
        printf("\n");
        show_strs("recipients", &act->recipients);
        for (size_t k = 0; k < act->n_rules; k++)
            printf("  rule %-30s %s\n", act->rules[k].id,
                   sw_rule_describe(p, &act->rules[k], words, sizeof(words)));
        printf("\n");
    }
    sw_policy_free(p);
    return 0;
}

static int render(cli *c, const cli_args *a,
                  sw_status (*fn)(const sw_policy *, sw_format, char **))
{
    sw_format f;
    int rc = format_of(a, c, &f);
    if (rc)
        return rc;
    sw_policy *p;
    if ((rc = cli_load_policy(c, &p)))
        return rc;
    char *text;
    sw_status st = fn(p, f, &text);
    rc = st == SW_OK ? cli_print_text(text)
                     : cli_fail("report not produced: %s", sw_strerror(st));
    free(text);
    sw_policy_free(p);
    return rc;
}

static int do_ropa(cli *c, const cli_args *a)
{
    return render(c, a, sw_report_ropa);
}

/* steward policy export --format fideslang */
static int do_export(cli *c, const cli_args *a)
{
    const char *fmt = a->v[O_FORMAT];
    if (!fmt || strcmp(fmt, "fideslang") != 0)
        return cli_usage("policy export ", "--format '%s': fideslang",
                         fmt ? fmt : "");
    sw_policy *p;
    int rc = cli_load_policy(c, &p);
    if (rc)
        return rc;
    char *text = NULL;
    sw_status st = sw_policy_export_fideslang(p, &text);
    rc = st == SW_OK ? cli_print_text(text)
                     : cli_fail("policy not exported: %s", sw_strerror(st));
    free(text);
    sw_policy_free(p);
    return rc;
}

static int do_schedule(cli *c, const cli_args *a)
{
    return render(c, a, sw_report_schedule);
}

static int do_due(cli *c, const cli_args *a)
{
    if (!a->v[O_RULE] || !a->v[O_TRIGGER])
        return cli_usage("policy due ", "--rule and --trigger are required");
    sw_instant t;
    int rc = cli_instant("--trigger", a->v[O_TRIGGER], &t);
    if (rc)
        return rc;
    sw_policy *p;
    if ((rc = cli_load_policy(c, &p)))
        return rc;
    const sw_rule *r = sw_policy_rule(p, a->v[O_RULE]);
    if (!r) {
        rc = cli_fail("no retention rule '%s' in %s (see 'steward policy "
                      "schedule')",
                      a->v[O_RULE], policy_name(c));
        sw_policy_free(p);
        return rc;
    }
    if (c->json) {
        rc = cli_print_json(sv_rule_due(p, r, t, a->v[O_COUNTRY]));
    } else {
        sw_instant due;
        if (sw_rule_due_in(r, t, a->v[O_COUNTRY], &due) == SW_OK) {
            char dbuf[SW_INSTANT_BUFSZ];
            printf("%s\n", sw_instant_format(due, dbuf));
        } else {
            char words[512];
            printf("no due date: %s\n",
                   sw_rule_describe(p, r, words, sizeof(words)));
        }
    }
    sw_policy_free(p);
    return rc;
}

static void print_plan(const sw_policy_plan *p, const char *file)
{
    if (p->unchanged) {
        printf("%s is version %d of this store's policy already: nothing "
               "to apply\n",
               file, p->from_seq);
        return;
    }
    printf("%s %s: policy version %d (notice %s, sha256 %.12s) -> notice "
           "%s, sha256 %.12s\n",
           p->dry_run ? "would apply" : "applied", file, p->from_seq,
           p->from_notice[0] ? p->from_notice : "-", p->from_hash,
           p->to_notice[0] ? p->to_notice : "-", p->to_hash);
    if (!p->dry_run)
        printf("recorded as policy version %d\n", p->to_seq);
    printf("rules: %zu changed\n", p->n_rules);
    for (size_t i = 0; i < p->n_rules; i++) {
        const sw_rule_change *r = &p->rules[i];
        printf("  %-10s %-34s %s -> %s: %zu record%s dated again, %zu due "
               "at once\n",
               sw_rule_change_name(r->kind), r->rule,
               r->before[0] ? r->before : "-", r->after[0] ? r->after : "-",
               r->redated, r->redated == 1 ? "" : "s", r->now_due);
    }
    printf("records dated again: %zu (%zu due at the next sweep)\n",
           p->records_redated, p->records_now_due);
    if (p->records_kept_date)
        printf("records the new policy no longer dates (they keep their "
               "date): %zu\n",
               p->records_kept_date);
    printf("day keys dated again: %zu (%zu due)\n", p->day_keys_redated,
           p->day_keys_now_due);
    printf("suppression entries dated again: %zu (%zu due)\n",
           p->suppression_redated, p->suppression_now_due);
    for (size_t i = 0; i < p->n_purposes; i++)
        printf("purpose changed: %s\n", p->purposes[i]);
    printf("consents to ask again (given under an older notice): %zu\n",
           p->n_reconsent);
    for (size_t i = 0; i < p->n_reconsent; i++)
        printf("  %s  subject %s  purpose %s  %s under notice %s\n",
               p->reconsent[i].consent, p->reconsent[i].subject,
               p->reconsent[i].purpose, p->reconsent[i].state,
               p->reconsent[i].notice_version);
}

static int do_apply(cli *c, const cli_args *a)
{
    const char *file = a->n_pos ? a->pos[0] : c->policy_path;
    if (!file)
        return cli_usage("policy apply ", "which policy file? "
                                          "(steward policy apply FILE)");
    cli store_side = *c;
    store_side.policy_path = NULL; /* the store opens with its own */
    cli next_side = *c;
    next_side.policy_path = file;
    sw_policy *next;
    int rc = cli_load_policy(&next_side, &next);
    if (rc)
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(&store_side, &s, &p))) {
        sw_policy_free(next);
        return rc;
    }
    sw_policy_plan *plan = NULL;
    sw_status st = sw_policy_apply(s, next, a->set[O_DRY_RUN], &plan);
    if (st != SW_OK) {
        rc = cli_store_fail(s, file);
    } else if (c->json) {
        char *text = sw_policy_plan_json(plan);
        rc = text ? cli_print_text(text) : cli_fail("out of memory");
        free(text);
    } else {
        print_plan(plan, file);
    }
    sw_policy_plan_free(plan);
    cli_close_store(s, p);
    sw_policy_free(next);
    return rc;
}

typedef struct history_out {
    bool json;
    json_t *list;
} history_out;

static int show_version(const sw_policy_version *v, void *p)
{
    history_out *h = p;
    char when[SW_INSTANT_BUFSZ];
    sw_instant_format(v->applied_at, when);
    if (h->json) {
        json_t *summary = json_loads(v->summary, 0, NULL);
        json_array_append_new(
            h->list,
            json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o}", "version", v->seq,
                      "hash", v->hash, "notice_version", v->notice_version,
                      "applied_at", when, "actor", v->actor, "source",
                      v->source, "summary", summary ? summary : json_object()));
        return 0;
    }
    printf("%7d  %-20s  %-10s  %.12s  %-16s  %s\n", v->seq, when,
           v->notice_version[0] ? v->notice_version : "-", v->hash, v->actor,
           v->source);
    return 0;
}

static int do_history(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    history_out h = {c->json, c->json ? json_array() : NULL};
    if (!c->json)
        printf("%7s  %-20s  %-10s  %-12s  %-16s  %s\n", "version", "applied at",
               "notice", "sha256", "actor", "source");
    if (sw_policy_history(s, show_version, &h) != SW_OK) {
        rc = cli_store_fail(s, "policy history");
        json_decref(h.list);
    } else if (c->json) {
        rc = cli_print_json(h.list);
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"check", do_check, "steward policy check [FILE] [--strict] [--json]",
     "Validates a policy (default: --policy, STEWARD_POLICY or the bundled "
     "one).\nErrors and the notice's gaps go to stderr as file:line:col.\n"
     "Exit 0 when valid, 1 when invalid (or warnings with --strict).",
     OPT(O_STRICT), 1, 0},
    {"show", do_show, "steward policy show [--json]",
     "Prints the parsed policy: activities, their bases and rules.", 0, 0, 0},
    {"ropa", do_ropa, "steward policy ropa [--format md|json|csv]",
     "Prints the GDPR Art. 30(1) record of processing activities.",
     OPT(O_FORMAT), 0, 0},
    {"export", do_export, "steward policy export --format fideslang",
     "Writes the policy as fideslang YAML that Fides loads: its extensions\n"
     "of the default taxonomy (each under its parent), one system for the\n"
     "controller with a privacy declaration per activity and purpose, and a\n"
     "dataset per declared system.",
     OPT(O_FORMAT), 0, 0},
    {"schedule", do_schedule, "steward policy schedule [--format md|json|csv]",
     "Prints the retention schedule, one row per rule.", OPT(O_FORMAT), 0, 0},
    {"due", do_due,
     "steward policy due --rule ID --trigger INSTANT [--country CC] [--json]",
     "Prints the instant a record falls due under a rule, given the instant\n"
     "of its trigger (and the destination country, for national "
     "extensions).",
     OPT(O_RULE) | OPT(O_TRIGGER) | OPT(O_COUNTRY), 0, 0},
    {"apply", do_apply, "steward policy apply FILE [--dry-run] [--json]",
     "Compares FILE with the policy the store applies and applies it in one\n"
     "audited step: every stored record, day key and suppression entry a\n"
     "changed rule governs gets the due date FILE gives it (a shortened\n"
     "period deletes at the next sweep), and FILE is recorded as the\n"
     "store's next policy version. Lists the rules added, removed,\n"
     "shortened and lengthened, what each dates again, and the consents\n"
     "given under an older notice for a purpose that changed (to ask\n"
     "again). --dry-run shows the same and changes nothing. Refused when\n"
     "FILE drops an activity stored records still belong to.",
     OPT(O_DRY_RUN), 1, 0},
    {"history", do_history, "steward policy history [--json]",
     "Lists the policy versions the store has applied: number, time,\n"
     "notice version, SHA-256 of the text, who applied it, from which "
     "file.",
     0, 0, 0},
};

int cmd_policy(int argc, char **argv, cli *c)
{
    return cli_run_family("policy", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
