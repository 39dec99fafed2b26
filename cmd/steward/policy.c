/* SPDX-License-Identifier: Apache-2.0 */
/* steward policy check|show|ropa|schedule|due */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"

enum {
    OPT_STRICT = OPT_FIRST_LOCAL,
    OPT_FORMAT,
    OPT_RULE,
    OPT_TRIGGER,
    OPT_COUNTRY,
};

typedef struct args {
    const char *file; /* positional FILE of check */
    bool strict;
    const char *format;
    const char *rule;
    const char *trigger;
    const char *country;
} args;

typedef struct verb {
    const char *name;
    int (*fn)(cli *c, const args *a);
    const char *usage;
    const char *help;
    unsigned locals; /* bit (opt - OPT_FIRST_LOCAL) for each option taken */
    bool takes_file;
} verb;

#define L(opt) (1u << ((opt) - OPT_FIRST_LOCAL))

static int format_of(const args *a, const cli *c, sw_format *f)
{
    if (c->json) {
        *f = SW_FORMAT_JSON;
        return 0;
    }
    if (!a->format) {
        *f = SW_FORMAT_MD;
        return 0;
    }
    if (sw_format_parse(a->format, f) != SW_OK)
        return cli_usage("policy ", "--format '%s': expected md, json or csv",
                         a->format);
    return 0;
}

static int do_check(cli *c, const args *a)
{
    if (a->file)
        c->policy_path = a->file;
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
    const char *name = c->policy_path ? c->policy_path : SW_POLICY_BUNDLED_NAME;
    if (c->json) {
        json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:I}", "policy", name,
                              "valid", 1, "activities",
                              (json_int_t)p->n_activities, "rules",
                              (json_int_t)sw_policy_rule_count(p), "warnings",
                              (json_int_t)warnings);
        json_t *list = json_array();
        char line[1400];
        for (size_t i = 0; i < sw_diags_count(d); i++) {
            const sw_diag *dg = sw_diags_at(d, i);
            json_array_append_new(
                list, json_pack("{s:s, s:i, s:i, s:s, s:s}", "code", dg->code,
                                "line", dg->line, "col", dg->col, "message",
                                dg->message, "text",
                                sw_diag_format(dg, line, sizeof(line))));
        }
        json_object_set_new(o, "diagnostics", list);
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        rc = s ? cli_print_text(s) : cli_fail("out of memory");
        free(s);
    } else {
        printf("%s: valid: %zu activities, %zu retention rules, %zu "
               "warning%s\n",
               name, p->n_activities, sw_policy_rule_count(p), warnings,
               warnings == 1 ? "" : "s");
    }
    sw_diags_free(d);
    sw_policy_free(p);
    if (!rc && a->strict && warnings)
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

static int do_show(cli *c, const args *a)
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

static int render(cli *c, const args *a,
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

static int do_ropa(cli *c, const args *a)
{
    return render(c, a, sw_report_ropa);
}

static int do_schedule(cli *c, const args *a)
{
    return render(c, a, sw_report_schedule);
}

static int do_due(cli *c, const args *a)
{
    if (!a->rule || !a->trigger)
        return cli_usage("policy due ", "--rule and --trigger are required");
    sw_instant t;
    sw_status st = sw_instant_parse(a->trigger, &t);
    if (st != SW_OK)
        return cli_usage("policy due ",
                         "--trigger '%s' is not an ISO-8601 UTC instant (%s)",
                         a->trigger, sw_strerror(st));
    sw_policy *p;
    int rc = cli_load_policy(c, &p);
    if (rc)
        return rc;
    const sw_rule *r = sw_policy_rule(p, a->rule);
    if (!r) {
        rc = cli_fail("no retention rule '%s' in %s (see 'steward policy "
                      "schedule')",
                      a->rule,
                      c->policy_path ? c->policy_path : SW_POLICY_BUNDLED_NAME);
        sw_policy_free(p);
        return rc;
    }
    char tbuf[SW_INSTANT_BUFSZ], dbuf[SW_INSTANT_BUFSZ], words[512],
        keep[SW_DURATION_BUFSZ];
    sw_instant due;
    st = sw_rule_due_in(r, t, a->country, &due);
    sw_rule_describe(p, r, words, sizeof(words));
    if (c->json) {
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s}", "rule", r->id, "section",
            r->section, "trigger", sw_instant_format(t, tbuf), "after",
            r->after ? r->after : "", "keep", sw_rule_keep_text(r, keep),
            "period", words);
        json_object_set_new(o, "due",
                            st == SW_OK
                                ? json_string(sw_instant_format(due, dbuf))
                                : json_null());
        if (a->country)
            json_object_set_new(o, "country", json_string(a->country));
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        rc = s ? cli_print_text(s) : cli_fail("out of memory");
        free(s);
    } else if (st == SW_OK) {
        printf("%s\n", sw_instant_format(due, dbuf));
    } else {
        printf("no due date: %s\n", words);
    }
    sw_policy_free(p);
    return rc;
}

static const verb verbs[] = {
    {"check", do_check, "steward policy check [FILE] [--strict] [--json]",
     "Validates a policy (default: --policy, STEWARD_POLICY or the bundled "
     "one).\nErrors and the notice's gaps go to stderr as file:line:col.\n"
     "Exit 0 when valid, 1 when invalid (or warnings with --strict).",
     L(OPT_STRICT), true},
    {"show", do_show, "steward policy show [--json]",
     "Prints the parsed policy: activities, their bases and rules.", 0,
     false},
    {"ropa", do_ropa, "steward policy ropa [--format md|json|csv]",
     "Prints the GDPR Art. 30(1) record of processing activities.",
     L(OPT_FORMAT), false},
    {"schedule", do_schedule, "steward policy schedule [--format md|json|csv]",
     "Prints the retention schedule, one row per rule.", L(OPT_FORMAT),
     false},
    {"due", do_due,
     "steward policy due --rule ID --trigger INSTANT [--country CC] [--json]",
     "Prints the instant a record falls due under a rule, given the instant\n"
     "of its trigger (and the destination country, for national "
     "extensions).",
     L(OPT_RULE) | L(OPT_TRIGGER) | L(OPT_COUNTRY), false},
};
#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

static void family_help(FILE *f)
{
    fprintf(f, "usage: steward policy <verb> [options]\n\n");
    for (size_t i = 0; i < N_VERBS; i++)
        fprintf(f, "  %s\n", verbs[i].usage);
    fprintf(f, "\nCommon options: --policy FILE, --now INSTANT, --json, "
               "--help.\n");
}

int cmd_policy(int argc, char **argv, cli *c)
{
    if (argc < 2) {
        family_help(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        family_help(stdout);
        return 0;
    }
    const verb *v = NULL;
    for (size_t i = 0; i < N_VERBS; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            v = &verbs[i];
    if (!v)
        return cli_usage("policy ", "'%s' is not a policy verb", argv[1]);

    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"strict", no_argument, NULL, OPT_STRICT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"rule", required_argument, NULL, OPT_RULE},
        {"trigger", required_argument, NULL, OPT_TRIGGER},
        {"country", required_argument, NULL, OPT_COUNTRY},
        {NULL, 0, NULL, 0}};
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "policy %s ", v->name);
    args a = {0};
    int argc2 = argc - 1, opt;
    char **argv2 = argv + 1;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc2, argv2, ":", opts, NULL)) != -1) {
        if (opt == '?')
            return cli_usage(cmd, "unknown option '%s'", argv2[optind - 1]);
        if (opt == ':')
            return cli_usage(cmd, "option '%s' needs a value",
                             argv2[optind - 1]);
        if (opt >= OPT_FIRST_LOCAL && !(v->locals & L(opt)))
            return cli_usage(cmd, "option '%s' does not apply to 'policy %s'",
                             argv2[optind - 1], v->name);
        switch (opt) {
        case OPT_STRICT: a.strict = true; break;
        case OPT_FORMAT: a.format = optarg; break;
        case OPT_RULE: a.rule = optarg; break;
        case OPT_TRIGGER: a.trigger = optarg; break;
        case OPT_COUNTRY: a.country = optarg; break;
        default: {
            int rc = cli_common_option(c, opt, optarg, cmd);
            if (rc == -1) {
                printf("usage: %s\n\n%s\n", v->usage, v->help);
                return 0;
            }
            if (rc)
                return rc;
        }
        }
    }
    if (optind < argc2) {
        if (!v->takes_file || optind + 1 < argc2)
            return cli_usage(cmd, "unexpected argument '%s'", argv2[optind]);
        a.file = argv2[optind];
    }
    return v->fn(c, &a);
}
