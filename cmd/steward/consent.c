/* SPDX-License-Identifier: Apache-2.0 */
/* steward consent|objection|unsubscribe|suppression|check|cookie */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#define OPTS_WHO (OPT(O_SUBJECT) | OPT(O_EMAIL) | OPT(O_PHONE) | OPT(O_VISITOR))

/* Whom the command names: --subject, --email, --phone or --visitor. */
static int who_of(const cli_args *a, const char *cmd, sw_who *who,
                  sw_ident *id)
{
    int n = a->set[O_SUBJECT] + a->set[O_EMAIL] + a->set[O_PHONE] +
            a->set[O_VISITOR];
    if (n != 1)
        return cli_usage(cmd, "give one of --subject, --email, --phone or "
                              "--visitor");
    memset(who, 0, sizeof(*who));
    if (a->set[O_SUBJECT]) {
        who->subject = a->v[O_SUBJECT];
        return 0;
    }
    id->type = a->set[O_EMAIL] ? "email" : a->set[O_PHONE] ? "phone"
                                                            : "visitor";
    id->value = a->v[a->set[O_EMAIL]   ? O_EMAIL
                     : a->set[O_PHONE] ? O_PHONE
                                       : O_VISITOR];
    who->ident = id;
    return 0;
}

static int print_result(const cli *c, const sw_consent_result *r)
{
    if (c->json)
        return cli_print_json(sv_consent_result(r));
    printf("%s %s (subject %s%s)\n", r->id, sw_consent_state_name(r->state),
           r->subject, r->created_subject ? ", new" : "");
    if (r->token[0]) {
        char until[SW_INSTANT_BUFSZ];
        printf("pending confirmation: send this token to the address (valid "
               "until %s)\n%s\n",
               sw_instant_format(r->token_expires, until), r->token);
    }
    return 0;
}

static int do_give(cli *c, const cli_args *a)
{
    const char *cmd = "consent give ";
    sw_who who;
    sw_ident id;
    int rc = who_of(a, cmd, &who, &id);
    if (rc)
        return rc;
    if (!a->v[O_PURPOSE] || !a->v[O_METHOD])
        return cli_usage(cmd, "--purpose and --method are required");
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = a->v[O_PURPOSE];
    spec.method = a->v[O_METHOD];
    spec.form = a->v[O_FORM];
    spec.new_kind = a->v[O_KIND];
    spec.parental = a->set[O_PARENTAL];
    if (a->v[O_PERIOD]) {
        if (sw_duration_parse(a->v[O_PERIOD], &spec.period) != SW_OK)
            return cli_usage(cmd, "--period '%s': expected a duration such "
                                  "as 2y, 6m, 30d",
                             a->v[O_PERIOD]);
        spec.has_period = true;
    }
    if (a->v[O_AT] && (rc = cli_instant("--at", a->v[O_AT], &spec.at)))
        return rc;
    spec.has_at = a->v[O_AT] != NULL;
    if (a->v[O_BORN] && (rc = cli_instant("--born", a->v[O_BORN], &spec.born)))
        return rc;
    spec.has_born = a->v[O_BORN] != NULL;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_consent_result r;
    if (sw_consent_give(s, &who, &spec, &r) != SW_OK)
        rc = cli_store_fail(s, "consent not recorded");
    else
        rc = print_result(c, &r);
    cli_close_store(s, p);
    return rc;
}

static int do_confirm(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("consent confirm ", "give the confirmation token");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_consent_result r;
    if (sw_consent_confirm(s, a->pos[0], &r) != SW_OK)
        rc = cli_store_fail(s, "not confirmed");
    else
        rc = print_result(c, &r);
    cli_close_store(s, p);
    return rc;
}

/* consent request / refuse: a state for the subject's consent. */
static int change(cli *c, const cli_args *a, const char *cmd,
                  sw_status (*fn)(sw_store *, const sw_who *, const char *,
                                  sw_consent_result *))
{
    sw_who who;
    sw_ident id;
    int rc = who_of(a, cmd, &who, &id);
    if (rc)
        return rc;
    if (!a->v[O_PURPOSE])
        return cli_usage(cmd, "--purpose is required");
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_consent_result r;
    if (fn(s, &who, a->v[O_PURPOSE], &r) != SW_OK)
        rc = cli_store_fail(s, "consent not changed");
    else
        rc = print_result(c, &r);
    cli_close_store(s, p);
    return rc;
}

static int do_request(cli *c, const cli_args *a)
{
    return change(c, a, "consent request ", sw_consent_request);
}

static int do_refuse(cli *c, const cli_args *a)
{
    return change(c, a, "consent refuse ", sw_consent_refuse);
}

static int do_renew(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("consent renew ", "give the consent id");
    sw_duration d = {0, 0, 0};
    if (a->v[O_PERIOD] && sw_duration_parse(a->v[O_PERIOD], &d) != SW_OK)
        return cli_usage("consent renew ", "--period '%s': not a duration",
                         a->v[O_PERIOD]);
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_consent_renew(s, a->pos[0], a->v[O_PERIOD] != NULL, d) != SW_OK)
        rc = cli_store_fail(s, "consent not renewed");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:s}", "id", a->pos[0], "state", "renewed"));
    else
        printf("%s renewed\n", a->pos[0]);
    cli_close_store(s, p);
    return rc;
}

static int do_withdraw(cli *c, const cli_args *a)
{
    const char *cmd = "consent withdraw ";
    sw_who who;
    sw_ident id;
    int rc = who_of(a, cmd, &who, &id);
    if (rc)
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    size_t n;
    if (sw_consent_withdraw(s, &who, a->v[O_PURPOSE], &n) != SW_OK)
        rc = cli_store_fail(s, "consent not withdrawn");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:I}", "withdrawn", (json_int_t)n));
    else
        printf("%zu consent%s withdrawn; the records they covered are now "
               "due\n",
               n, n == 1 ? "" : "s");
    cli_close_store(s, p);
    return rc;
}

static int list_one(const sw_consent_view *v, void *ctx)
{
    json_t *list = ctx;
    if (list) {
        json_array_append_new(list, sv_consent_view(v));
        return 0;
    }
    char at[SW_INSTANT_BUFSZ], exp[SW_INSTANT_BUFSZ] = "";
    if (v->has_expiry)
        sw_instant_format(v->expires_at, exp);
    printf("%s  %-34s %-9s since %s%s%s\n", v->id, v->purpose,
           sw_consent_state_name(v->state), sw_instant_format(v->state_at, at),
           v->has_expiry ? ", expires " : "", exp);
    return 0;
}

static int do_list(cli *c, const cli_args *a)
{
    sw_who who;
    sw_ident id;
    int rc = who_of(a, "consent list ", &who, &id);
    if (rc)
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_consent_list(s, &who, list_one, list) != SW_OK) {
        rc = cli_store_fail(s, "consents not listed");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "consents", list));
    }
    cli_close_store(s, p);
    return rc;
}

static int change_one(const sw_consent_change *ch, void *ctx)
{
    cli_timeline_entry(ctx, sw_consent_state_name(ch->state), 9, ch->at,
                       ch->actor, ch->note, "note");
    return 0;
}

static int do_show(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("consent show ", "give the consent id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_consent_view v;
    json_t *hist = c->json ? json_array() : NULL;
    if (!c->json)
        printf("history:\n");
    if (sw_consent_show(s, a->pos[0], &v, change_one, hist) != SW_OK) {
        rc = cli_store_fail(s, "consent not shown");
        json_decref(hist);
    } else if (c->json) {
        json_t *o = sv_consent_view(&v);
        json_object_set_new(o, "history", hist);
        rc = cli_print_json(o);
    } else {
        list_one(&v, NULL);
    }
    cli_close_store(s, p);
    return rc;
}

static int do_receipt(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("consent receipt ", "give the consent id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char *json;
    if (sw_consent_receipt(s, a->pos[0], &json) != SW_OK) {
        rc = cli_store_fail(s, "no receipt");
    } else {
        rc = cli_print_text(json);
        free(json);
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb consent_verbs[] = {
    {"give", do_give,
     "steward consent give --purpose P --method M (--email E | --phone P | "
     "--subject ID | --visitor V) [--kind K] [--form ID] [--period 2y] "
     "[--at INSTANT] [--born DATE [--parental]] [--json]",
     "Records a consent to a purpose of the policy: how it was collected\n"
     "(--method), the form or text shown (--form), the notice version in\n"
     "force, and when it ends (--period). An address no subject holds gets a\n"
     "new subject of --kind. For an activity with double opt-in the consent\n"
     "stays pending and a confirmation token is printed (once): send it to\n"
     "the address; 'consent confirm TOKEN' makes it given. --born records\n"
     "the date of birth: under the policy's minimum age a consent needs\n"
     "--parental. Audited.",
     OPTS_WHO | OPT(O_PURPOSE) | OPT(O_METHOD) | OPT(O_FORM) | OPT(O_KIND) |
         OPT(O_PERIOD) | OPT(O_AT) | OPT(O_BORN) | OPT(O_PARENTAL),
     0},
    {"confirm", do_confirm, "steward consent confirm TOKEN [--json]",
     "Confirms a pending subscription with the token sent to the address.\n"
     "An unknown, used or expired token is refused and nothing changes.",
     0, 1},
    {"request", do_request,
     "steward consent request --purpose P (--subject ID | --email E) [--json]",
     "Asks for consent (a sourced candidate): the request starts the clock\n"
     "of those who never answer (30 days in the bundled policy).",
     OPTS_WHO | OPT(O_PURPOSE), 0},
    {"refuse", do_refuse,
     "steward consent refuse --purpose P (--subject ID | --email E) [--json]",
     "Records that a requested consent was refused.", OPTS_WHO | OPT(O_PURPOSE),
     0},
    {"renew", do_renew, "steward consent renew ID [--period 2y] [--json]",
     "Renews a given consent, optionally for a new period from now.",
     OPT(O_PERIOD), 1},
    {"withdraw", do_withdraw,
     "steward consent withdraw (--email E | --phone P | --subject ID | "
     "--visitor V) [--purpose P] [--json]",
     "Withdraws consents (of --purpose, or all): one call with the\n"
     "identifier, no account needed. The records they covered become due;\n"
     "a marketing consent's addresses go on the suppression list. Audited.",
     OPTS_WHO | OPT(O_PURPOSE), 0},
    {"list", do_list,
     "steward consent list (--email E | --phone P | --subject ID | "
     "--visitor V) [--json]",
     "Lists a subject's consents, newest first.", OPTS_WHO, 0},
    {"show", do_show, "steward consent show ID [--json]",
     "Shows a consent with every change it went through.", 0, 1},
    {"receipt", do_receipt, "steward consent receipt ID",
     "Prints the consent's receipt (Kantara Consent Receipt 1.1 JSON).\n"
     "Audited as a disclosure.",
     0, 1},
};

int cmd_consent(int argc, char **argv, cli *c)
{
    return cli_run_family("consent", argc, argv, c, consent_verbs,
                          sizeof(consent_verbs) / sizeof(consent_verbs[0]));
}

/* ---- objection ---- */

static int do_object(cli *c, const cli_args *a)
{
    const char *cmd = "objection add ";
    sw_who who;
    sw_ident id;
    int rc = who_of(a, cmd, &who, &id);
    if (rc)
        return rc;
    if (!a->v[O_PURPOSE])
        return cli_usage(cmd, "--purpose is required");
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_objection_result r;
    if (sw_objection_add(s, &who, a->v[O_PURPOSE], &r) != SW_OK)
        rc = cli_store_fail(s, "objection not recorded");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s?, s:b, s:I}", "id",
                                      r.id[0] ? r.id : NULL, "suppressed",
                                      r.suppressed, "consents_withdrawn",
                                      (json_int_t)r.consents_withdrawn));
    else if (r.suppressed)
        printf("direct marketing: the address is on the suppression list "
               "(absolute objection)\n");
    else
        printf("%s: '%s' stops for this subject unless compelling grounds "
               "are recorded\n",
               r.id, a->v[O_PURPOSE]);
    cli_close_store(s, p);
    return rc;
}

static int do_override(cli *c, const cli_args *a)
{
    if (a->n_pos != 1 || !a->v[O_REASON])
        return cli_usage("objection override ",
                         "give the objection id and --reason");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_objection_override(s, a->pos[0], a->v[O_REASON]) != SW_OK)
        rc = cli_store_fail(s, "not overridden");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:b}", "id", a->pos[0], "overridden", 1));
    else
        printf("%s overridden\n", a->pos[0]);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb objection_verbs[] = {
    {"add", do_object,
     "steward objection add --purpose P (--email E | --phone P | --subject "
     "ID) [--json]",
     "Records an objection (Art. 21). To direct marketing it is absolute:\n"
     "the address goes on the suppression list at once. To other processing\n"
     "on legitimate interests it stops it for the subject until the DPO\n"
     "records compelling grounds. Audited.",
     OPTS_WHO | OPT(O_PURPOSE), 0},
    {"override", do_override,
     "steward objection override ID --reason TEXT [--json]",
     "Records the compelling legitimate grounds that override an objection\n"
     "(not possible for direct marketing). Audited.",
     OPT(O_REASON), 1},
};

int cmd_objection(int argc, char **argv, cli *c)
{
    return cli_run_family("objection", argc, argv, c, objection_verbs,
                          sizeof(objection_verbs) /
                              sizeof(objection_verbs[0]));
}

/* ---- unsubscribe, suppression ---- */

static int do_unsubscribe(cli *c, const cli_args *a)
{
    const char *cmd = "unsubscribe ";
    if (a->set[O_EMAIL] == a->set[O_PHONE])
        return cli_usage(cmd, "give --email or --phone");
    sw_ident id = {a->set[O_EMAIL] ? "email" : "phone",
                   a->v[a->set[O_EMAIL] ? O_EMAIL : O_PHONE]};
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_objection_result r;
    if (sw_suppression_add(s, &id, a->v[O_CHANNEL], &r) != SW_OK)
        rc = cli_store_fail(s, "not unsubscribed");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:b, s:I}", "suppressed", 1,
                                      "consents_withdrawn",
                                      (json_int_t)r.consents_withdrawn));
    else
        printf("suppressed: no marketing to this address from now on "
               "(%zu consent%s withdrawn)\n",
               r.consents_withdrawn, r.consents_withdrawn == 1 ? "" : "s");
    cli_close_store(s, p);
    return rc;
}

static const cli_verb unsubscribe_verb = {
    "unsubscribe", do_unsubscribe,
    "steward unsubscribe (--email E | --phone P) [--channel email|sms|voice] "
    "[--json]",
    "Puts the address on the suppression list (only its keyed hash, the\n"
    "channel and the date are kept) and withdraws its marketing consents.\n"
    "No account needed. Every marketing decision for it is denied from now\n"
    "on, even after the subject is erased.",
    OPT(O_EMAIL) | OPT(O_PHONE) | OPT(O_CHANNEL), 0};

int cmd_unsubscribe(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &unsubscribe_verb);
}

static int sup_one(const sw_suppression_view *v, void *ctx)
{
    json_t *list = ctx;
    char since[SW_INSTANT_BUFSZ], due[SW_INSTANT_BUFSZ] = "";
    sw_instant_format(v->since, since);
    if (v->has_due)
        sw_instant_format(v->due_at, due);
    if (list)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "hash", v->hash,
                            "channel", v->channel, "since", since, "rule",
                            v->rule, "due_at", sv_instant(v->has_due,
                                                            v->due_at)));
    else
        printf("%s  %-6s since %s  %s%s%s\n", v->hash, v->channel, since,
               v->rule, v->has_due ? ", due " : "", due);
    return 0;
}

static int do_sup_list(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_suppression_list(s, sup_one, list) != SW_OK) {
        rc = cli_store_fail(s, "suppression list not read");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "suppression", list));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb suppression_verbs[] = {
    {"list", do_sup_list, "steward suppression list [--json]",
     "Lists the suppression list: keyed hashes, channels, dates and the rule\n"
     "each entry stays under. No address is stored, so none is shown.",
     0, 0},
};

int cmd_suppression(int argc, char **argv, cli *c)
{
    return cli_run_family("suppression", argc, argv, c, suppression_verbs,
                          sizeof(suppression_verbs) /
                              sizeof(suppression_verbs[0]));
}

/* ---- check ---- */

/* One JSON object on one line (NDJSON); takes the value's reference. */
static void print_line(json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (text)
        puts(text);
    free(text);
}

/* --file: one address per line (e-mail, or phone when it has no '@'). */
static int check_file(cli *c, sw_store *s, const sw_policy *p,
                      const char *purpose, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_fail("%s: cannot open", path);
    char *line = NULL;
    size_t cap = 0, lineno = 0, allowed = 0, denied = 0, bad = 0;
    ssize_t len;
    int rc = 0;
    bool reading = false, tty = isatty(2);
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (tty && lineno % 100000 == 0)
            cli_progress_lines(lineno, NULL);
        /* a snapshot per 10 000 addresses: one lock, short-lived */
        if (lineno % 10000 == 1) {
            if (reading)
                sw_read_end(s);
            reading = sw_read_begin(s) == SW_OK;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        sw_ident id = {strchr(line, '@') ? "email" : "phone", line};
        sw_who who = {NULL, &id};
        sw_decision d;
        if (sw_decide(s, purpose, &who, &d) != SW_OK) {
            if (!sw_policy_purpose(p, purpose)) {
                rc = cli_store_fail(s, "no decision");
                break;
            }
            bad++;
            if (c->json)
                print_line(json_pack("{s:s, s:s}", "address", line, "error",
                                     sw_errmsg(s)));
            else
                fprintf(stderr, "steward: %s:%zu: %s\n", path, lineno,
                        sw_errmsg(s));
            continue;
        }
        d.allow ? allowed++ : denied++;
        if (c->json) {
            json_t *o = sv_decision(&d);
            json_object_set_new(o, "address", json_string(line));
            print_line(o);
        } else if (d.allow) {
            puts(line);
        }
    }
    if (reading)
        sw_read_end(s);
    free(line);
    if (f != stdin)
        fclose(f);
    if (!rc)
        fprintf(stderr, "%s%zu allowed, %zu denied, %zu malformed\n",
                tty && lineno >= 100000 ? "\n" : "", allowed, denied, bad);
    return rc;
}

static int do_check(cli *c, const cli_args *a)
{
    const char *cmd = "check ";
    if (!a->v[O_PURPOSE])
        return cli_usage(cmd, "--purpose is required");
    sw_who who;
    sw_ident id;
    int rc = 0;
    if (!a->v[O_FILE] && (rc = who_of(a, cmd, &who, &id)))
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_decision d;
    if (a->v[O_FILE]) {
        rc = check_file(c, s, p, a->v[O_PURPOSE], a->v[O_FILE]);
    } else if (sw_decide(s, a->v[O_PURPOSE], &who, &d) != SW_OK) {
        rc = cli_store_fail(s, "no decision");
    } else if (c->json) {
        rc = cli_print_json(sv_decision(&d));
    } else {
        char text[320];
        printf("%s: %s\n", d.allow ? "allow" : "deny",
               sw_decision_text(&d, text, sizeof(text)));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb check_verb = {
    "check", do_check,
    "steward check --purpose P (--email E | --phone P | --subject ID | "
    "--visitor V | --file FILE) [--json]",
    "Answers whether the purpose may be pursued for the address, and why:\n"
    "which consent or legitimate interest allows it, or which denial (no\n"
    "consent, withdrawn or expired, suppressed since DATE, objected,\n"
    "restricted, child, relationship ended). Writes nothing. With --file\n"
    "(one address per line, '-' for stdin) it prints the allowed addresses,\n"
    "or with --json one verdict per line; counts go to stderr.",
    OPTS_WHO | OPT(O_PURPOSE) | OPT(O_FILE), 0};

int cmd_check(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &check_verb);
}

/* ---- cookies ---- */

static int choice(const char *opt, const char *v, sw_cookie_choice *out)
{
    if (!v)
        *out = SW_COOKIE_UNCHANGED;
    else if (strcmp(v, "yes") == 0 || strcmp(v, "accept") == 0)
        *out = SW_COOKIE_ACCEPT;
    else if (strcmp(v, "no") == 0 || strcmp(v, "refuse") == 0)
        *out = SW_COOKIE_REFUSE;
    else
        return cli_usage("cookie set ", "%s '%s': expected yes or no", opt, v);
    return 0;
}

static int do_cookie(cli *c, const cli_args *a)
{
    if (!a->v[O_VISITOR])
        return cli_usage("cookie set ", "--visitor is required");
    sw_cookie_choice an, ad;
    int rc = choice("--analytics", a->v[O_ANALYTICS], &an);
    if (!rc)
        rc = choice("--advertising", a->v[O_ADVERTISING], &ad);
    if (rc)
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    if (sw_cookie_choose(s, a->v[O_VISITOR], an, ad, a->set[O_GPC]) != SW_OK)
        rc = cli_store_fail(s, "cookie choices not recorded");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:b}", "visitor",
                                      a->v[O_VISITOR], "recorded", 1));
    else
        printf("recorded%s\n", a->set[O_GPC]
                                   ? " (Global Privacy Control: analytics "
                                     "and advertising refused)"
                                   : "");
    cli_close_store(s, p);
    return rc;
}

static const cli_verb cookie_verbs[] = {
    {"set", do_cookie,
     "steward cookie set --visitor ID [--analytics yes|no] "
     "[--advertising yes|no] [--gpc] [--json]",
     "Records a website visitor's cookie choices in the consent ledger.\n"
     "Necessary cookies need no consent; analytics and advertising need an\n"
     "opt-in. --gpc (a request with Sec-GPC: 1) refuses both. 'steward check\n"
     "--visitor ID --purpose P' answers for the cookie's purpose.",
     OPT(O_VISITOR) | OPT(O_ANALYTICS) | OPT(O_ADVERTISING) | OPT(O_GPC), 0},
};

int cmd_cookie(int argc, char **argv, cli *c)
{
    return cli_run_family("cookie", argc, argv, c, cookie_verbs,
                          sizeof(cookie_verbs) / sizeof(cookie_verbs[0]));
}
