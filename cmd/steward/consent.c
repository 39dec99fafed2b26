/* SPDX-License-Identifier: Apache-2.0 */
/* steward consent: give, confirm, ask, refuse, renew, withdraw, list, show,
 * receipt */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

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
    int rc = cli_who(a, cmd, &who, &id);
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
            return cli_usage(cmd,
                             "--period '%s': expected a duration such "
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
    int rc = cli_who(a, cmd, &who, &id);
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
    int rc = cli_who(a, cmd, &who, &id);
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
    int rc = cli_who(a, "consent list ", &who, &id);
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

/* steward consent receipt verify FILE: the signature against the store's
 * key; the receipt's id and consent on success */
static int receipt_verify(cli *c, const char *path)
{
    char *jws = cli_read_small(path, 1 << 20, "a signed receipt (1 MiB)");
    if (!jws)
        return EXIT_REFUSED;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc) {
        free(jws);
        return rc;
    }
    char *text = NULL;
    if (sw_consent_receipt_verify(s, jws, &text) != SW_OK) {
        rc = cli_store_fail(s, path);
    } else if (c->json) {
        rc = cli_print_text(text);
    } else {
        json_t *r = json_loads(text, 0, NULL);
        json_t *svc = json_array_get(json_object_get(r, "services"), 0);
        json_t *pur = json_array_get(json_object_get(svc, "purposes"), 0);
        printf("valid: receipt %s of consent to %s (%s), signed by this "
               "store\n",
               json_string_value(json_object_get(r, "consentReceiptID")),
               json_string_value(
                   json_array_get(json_object_get(pur, "purposeCategory"), 0)),
               json_string_value(json_object_get(r, "state")));
        json_decref(r);
    }
    free(text);
    free(jws);
    cli_close_store(s, p);
    return rc;
}

static int do_receipt(cli *c, const cli_args *a)
{
    if (a->n_pos == 2 && strcmp(a->pos[0], "verify") == 0)
        return receipt_verify(c, a->pos[1]);
    if (a->n_pos != 1)
        return cli_usage("consent receipt ",
                         "give the consent id, or verify FILE");
    const char *fmt = a->v[O_FORMAT] ? a->v[O_FORMAT] : "json";
    bool jws = strcmp(fmt, "jws") == 0;
    if (!jws && strcmp(fmt, "json") != 0)
        return cli_usage("consent receipt ", "--format '%s': json or jws", fmt);
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char *text;
    sw_status st = jws ? sw_consent_receipt_jws(s, a->pos[0], &text)
                       : sw_consent_receipt(s, a->pos[0], &text);
    if (st != SW_OK) {
        rc = cli_store_fail(s, "no receipt");
    } else {
        rc = cli_print_text(text);
        free(text);
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
     0, 0},
    {"confirm", do_confirm, "steward consent confirm TOKEN [--json]",
     "Confirms a pending subscription with the token sent to the address.\n"
     "An unknown, used or expired token is refused and nothing changes.",
     0, 1, 0},
    {"request", do_request,
     "steward consent request --purpose P (--subject ID | --email E) [--json]",
     "Asks for consent (a sourced candidate): the request starts the clock\n"
     "of those who never answer (30 days in the bundled policy).",
     OPTS_WHO | OPT(O_PURPOSE), 0, 0},
    {"refuse", do_refuse,
     "steward consent refuse --purpose P (--subject ID | --email E) [--json]",
     "Records that a requested consent was refused.", OPTS_WHO | OPT(O_PURPOSE),
     0, 0},
    {"renew", do_renew, "steward consent renew ID [--period 2y] [--json]",
     "Renews a given consent, optionally for a new period from now.",
     OPT(O_PERIOD), 1, 0},
    {"withdraw", do_withdraw,
     "steward consent withdraw (--email E | --phone P | --subject ID | "
     "--visitor V) [--purpose P] [--json]",
     "Withdraws consents (of --purpose, or all): one call with the\n"
     "identifier, no account needed. The records they covered become due;\n"
     "a marketing consent's addresses go on the suppression list. Audited.",
     OPTS_WHO | OPT(O_PURPOSE), 0, 0},
    {"list", do_list,
     "steward consent list (--email E | --phone P | --subject ID | "
     "--visitor V) [--json]",
     "Lists a subject's consents, newest first.", OPTS_WHO, 0, 0},
    {"show", do_show, "steward consent show ID [--json]",
     "Shows a consent with every change it went through.", 0, 1, 0},
    {"receipt", do_receipt,
     "steward consent receipt ID [--format json|jws] | receipt verify FILE",
     "Prints the consent's receipt (Kantara Consent Receipt 1.1 JSON), with\n"
     "a new receipt id (a UUID) each time; --format jws signs it with the\n"
     "store's Ed25519 key (a JWS, RFC 7515, to hand to the person). Audited\n"
     "as a disclosure. 'receipt verify FILE' checks a signed receipt against\n"
     "the store's key: exit 0 and what it covers when it is intact, 1 when\n"
     "it was changed or another store signed it.",
     OPT(O_FORMAT), 2, 0},
};

int cmd_consent(int argc, char **argv, cli *c)
{
    return cli_run_family("consent", argc, argv, c, consent_verbs,
                          sizeof(consent_verbs) / sizeof(consent_verbs[0]));
}
