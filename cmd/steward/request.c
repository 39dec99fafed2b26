/* SPDX-License-Identifier: Apache-2.0 */
/* steward request open|verify|resend|extend|refuse|withdraw|complete|show|list
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

/* Whole days from now to t, rounded towards the past (negative: late). */
static void print_view(const sw_request_view *v, sw_instant now)
{
    char due[SW_INSTANT_BUFSZ];
    printf("%s  %-16s %-4s %-11s due %s (%ld days, %ld working days "
           "%s)%s%s\n",
           v->id, sw_request_type_name(v->type),
           sw_regulation_name(v->regulation), sw_request_state_name(v->state),
           sw_instant_format(v->due_at, due),
           labs(sv_days_left(now, v->due_at)), labs(v->working_days_left),
           v->overdue ? "late" : "left", v->extended ? ", extended" : "",
           v->overdue ? "  OVERDUE" : "");
}

static int do_open(cli *c, const cli_args *a)
{
    const char *cmd = "request open ";
    sw_request_spec spec;
    memset(&spec, 0, sizeof(spec));
    if (!a->v[O_TYPE] || !sw_request_type_parse(a->v[O_TYPE], &spec.type))
        return cli_usage(cmd, "--type: access, portability, rectification, "
                              "erasure, restriction, objection, "
                              "withdraw_consent or know_categories");
    if (!a->v[O_REGULATION] ||
        !sw_regulation_parse(a->v[O_REGULATION], &spec.regulation))
        return cli_usage(cmd, "--regulation: gdpr or ccpa");
    int n = a->set[O_EMAIL] + a->set[O_PHONE] + a->set[O_SUBJECT];
    if (n != 1)
        return cli_usage(cmd, "give one of --email, --phone or --subject");
    sw_ident id = {a->set[O_EMAIL] ? "email" : "phone",
                   a->v[a->set[O_EMAIL] ? O_EMAIL : O_PHONE]};
    sw_who who = {a->v[O_SUBJECT], a->set[O_SUBJECT] ? NULL : &id};
    spec.purpose = a->v[O_PURPOSE];
    spec.agent = a->v[O_AGENT];
    spec.agent_proof = a->v[O_AGENT_PROOF];
    int rc;
    if (a->v[O_RECEIVED] &&
        (rc = cli_instant("--received", a->v[O_RECEIVED], &spec.received)))
        return rc;
    spec.has_received = a->v[O_RECEIVED] != NULL;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_request_opened o;
    if (sw_request_open(s, &who, &spec, &o) != SW_OK) {
        rc = cli_store_fail(s, "request not opened");
    } else if (c->json) {
        json_t *j = sv_request_view(&o.req, sw_clock_now(&c->clock));
        json_object_set_new(j, "verification_message", json_string(o.message));
        rc = cli_print_json(j);
    } else {
        print_view(&o.req, sw_clock_now(&c->clock));
        printf("send this to the requester (the code is kept only as a "
               "hash):\n%s\n",
               o.message);
    }
    memset(o.code, 0, sizeof(o.code));
    cli_close_store(s, p);
    return rc;
}

/* Opens the store, runs fn on the request id, closes. */
static int on_request(cli *c, const cli_args *a, const char *cmd,
                      int (*fn)(cli *c, const cli_args *a, sw_store *s))
{
    if (a->n_pos != 1)
        return cli_usage(cmd, "give the request id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    rc = fn(c, a, s);
    cli_close_store(s, p);
    return rc;
}

static int show_state(cli *c, sw_store *s, const char *id)
{
    sw_request_view v;
    if (sw_request_get(s, id, &v) != SW_OK)
        return cli_store_fail(s, "request not read");
    if (c->json)
        return cli_print_json(sv_request_view(&v, sw_clock_now(&c->clock)));
    print_view(&v, sw_clock_now(&c->clock));
    if (v.closed)
        printf("%s\n", v.outcome);
    return 0;
}

static int verify(cli *c, const cli_args *a, sw_store *s)
{
    if (!a->v[O_CODE])
        return cli_usage("request verify ", "--code is required");
    if (sw_request_verify(s, a->pos[0], a->v[O_CODE]) != SW_OK)
        return cli_store_fail(s, "not verified");
    return show_state(c, s, a->pos[0]);
}

static int do_verify(cli *c, const cli_args *a)
{
    return on_request(c, a, "request verify ", verify);
}

static int resend(cli *c, const cli_args *a, sw_store *s)
{
    sw_request_opened o;
    if (sw_request_resend(s, a->pos[0], &o) != SW_OK)
        return cli_store_fail(s, "no new code");
    int rc = 0;
    if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:s}", "id", o.req.id,
                                      "verification_message", o.message));
    else
        printf("%s\n", o.message);
    memset(o.code, 0, sizeof(o.code));
    return rc;
}

static int do_resend(cli *c, const cli_args *a)
{
    return on_request(c, a, "request resend ", resend);
}

static int extend(cli *c, const cli_args *a, sw_store *s)
{
    if (sw_request_extend(s, a->pos[0], a->v[O_REASON]) != SW_OK)
        return cli_store_fail(s, "not extended");
    return show_state(c, s, a->pos[0]);
}

static int do_extend(cli *c, const cli_args *a)
{
    return on_request(c, a, "request extend ", extend);
}

static int refuse(cli *c, const cli_args *a, sw_store *s)
{
    bool late;
    if (sw_request_refuse(s, a->pos[0], a->v[O_REASON], &late) != SW_OK)
        return cli_store_fail(s, "not refused");
    if (late)
        fprintf(stderr, "steward: warning: refused after the first "
                        "deadline\n");
    return show_state(c, s, a->pos[0]);
}

static int do_refuse(cli *c, const cli_args *a)
{
    return on_request(c, a, "request refuse ", refuse);
}

static int withdraw(cli *c, const cli_args *a, sw_store *s)
{
    if (sw_request_withdraw(s, a->pos[0]) != SW_OK)
        return cli_store_fail(s, "not withdrawn");
    return show_state(c, s, a->pos[0]);
}

static int do_withdraw(cli *c, const cli_args *a)
{
    return on_request(c, a, "request withdraw ", withdraw);
}

static int complete(cli *c, const cli_args *a, sw_store *s)
{
    sw_fulfil_options o;
    memset(&o, 0, sizeof(o));
    const char *fmt = a->v[O_FORMAT];
    if (fmt && strcmp(fmt, "html") == 0)
        o.format = SW_ANSWER_HTML;
    else if (fmt && strcmp(fmt, "csv") == 0)
        o.format = SW_ANSWER_CSV;
    else if (fmt && strcmp(fmt, "json") != 0)
        return cli_usage("request complete ", "--format: json, html or csv");
    o.record = a->v[O_RECORD];
    o.value = a->v[O_VALUE];
    FILE *f = NULL;
    if (a->v[O_OUT] && !(f = fopen(a->v[O_OUT], "wx")))
        return cli_fail("%s: cannot create (it must not exist yet)",
                        a->v[O_OUT]);
    sw_fulfilment r;
    int rc = 0;
    if (sw_request_fulfil(s, a->pos[0], &o, &r) != SW_OK) {
        rc = cli_store_fail(s, "not completed");
    } else if (r.answer && f) {
        if (fwrite(r.answer, 1, r.answer_len, f) != r.answer_len)
            rc = cli_fail("%s: write error", a->v[O_OUT]);
    } else if (r.answer) {
        rc = cli_print_text(r.answer);
    }
    if (f && fclose(f) != 0 && !rc)
        rc = cli_fail("%s: write error", a->v[O_OUT]);
    if (f && rc)
        remove(a->v[O_OUT]);
    if (r.answer) {
        memset(r.answer, 0, r.answer_len);
        free(r.answer);
    }
    if (!rc && r.link.ready) { /* the CLI has no outbox: the team sends it */
        char until[SW_INSTANT_BUFSZ];
        fprintf(stderr,
                "steward: the answer is kept for download until %s; send "
                "this to the %s on file (%s):\n%s\n",
                sw_instant_format(r.link.expires_at, until),
                strcmp(r.link.channel, "email") == 0 ? "e-mail address"
                                                     : "phone number",
                r.link.to, r.link.body);
    }
    explicit_bzero(&r.link, sizeof(r.link));
    if (rc)
        return rc;
    if (r.answer && !f)
        return 0; /* stdout holds the answer alone */
    return show_state(c, s, a->pos[0]);
}

static int do_complete(cli *c, const cli_args *a)
{
    return on_request(c, a, "request complete ", complete);
}

static int change_one(const sw_request_change *ch, void *ctx)
{
    cli_timeline_entry(ctx, sw_request_state_name(ch->state), 11, ch->at,
                       ch->actor, ch->reason, "reason");
    return 0;
}

static int show(cli *c, const cli_args *a, sw_store *s)
{
    (void)a;
    sw_request_view v;
    if (sw_request_get(s, a->pos[0], &v) != SW_OK)
        return cli_store_fail(s, "request not read");
    json_t *hist = c->json ? json_array() : NULL;
    if (!c->json) {
        print_view(&v, sw_clock_now(&c->clock));
        printf("timeline:\n");
    }
    if (sw_request_history(s, a->pos[0], change_one, hist) != SW_OK) {
        json_decref(hist);
        return cli_store_fail(s, "timeline not read");
    }
    char *systems = NULL;
    if (sw_request_systems(s, a->pos[0], &systems) != SW_OK) {
        json_decref(hist);
        return cli_store_fail(s, "systems' progress not read");
    }
    json_t *sys = json_loads(systems, 0, NULL);
    free(systems);
    if (!c->json) {
        size_t i;
        json_t *e;
        json_array_foreach(sys, i, e)
        {
            const char *state = json_string_value(json_object_get(e, "state"));
            printf(
                "system %s: %s, %lld row%s, %lld attempt%s",
                json_string_value(json_object_get(e, "system")), state,
                (long long)json_integer_value(json_object_get(e, "rows")),
                json_integer_value(json_object_get(e, "rows")) == 1 ? "" : "s",
                (long long)json_integer_value(json_object_get(e, "attempts")),
                json_integer_value(json_object_get(e, "attempts")) == 1 ? ""
                                                                        : "s");
            if (strcmp(state, "pending") == 0)
                printf("; next attempt %s: %s",
                       json_string_value(json_object_get(e, "next_attempt")),
                       json_string_value(json_object_get(e, "error")));
            printf("\n");
        }
        json_decref(sys);
        return 0;
    }
    json_t *o = sv_request_view(&v, sw_clock_now(&c->clock));
    json_object_set_new(o, "timeline", hist);
    json_object_set_new(o, "systems", sys ? sys : json_array());
    return cli_print_json(o);
}

static int do_show(cli *c, const cli_args *a)
{
    return on_request(c, a, "request show ", show);
}

typedef struct list_ctx {
    json_t *list;
    sw_instant now;
} list_ctx;

static int list_one(const sw_request_view *v, void *p)
{
    list_ctx *l = p;
    if (l->list)
        json_array_append_new(l->list, sv_request_view(v, l->now));
    else
        print_view(v, l->now);
    return 0;
}

static int do_list(cli *c, const cli_args *a)
{
    sw_instant within = 0;
    if (a->v[O_DUE_WITHIN]) {
        sw_duration d;
        if (sw_duration_parse(a->v[O_DUE_WITHIN], &d) != SW_OK || d.years ||
            d.months)
            return cli_usage("request list ",
                             "--due-within '%s': a number of days such as 7d",
                             a->v[O_DUE_WITHIN]);
        within = (sw_instant)d.days * 86400;
    }
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    list_ctx l = {c->json ? json_array() : NULL, sw_clock_now(&c->clock)};
    if (sw_request_list(s, a->set[O_OVERDUE], within, list_one, &l) != SW_OK) {
        rc = cli_store_fail(s, "requests not listed");
        json_decref(l.list);
    } else if (l.list) {
        rc = cli_print_json(json_pack("{s:o}", "requests", l.list));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"open", do_open,
     "steward request open --type T --regulation gdpr|ccpa (--email E | "
     "--phone P | --subject ID) [--purpose P] [--agent NAME --agent-proof "
     "TEXT] [--received INSTANT] [--json]",
     "Opens a data-subject request and issues its one-time code (15\n"
     "minutes, 5 attempts): the message to send to the identifier on file\n"
     "is printed; steward keeps only the code's keyed hash. Types: access,\n"
     "portability, rectification, erasure, restriction, objection (with\n"
     "--purpose), withdraw_consent (--purpose, or every consent),\n"
     "know_categories. Deadlines, on the policy's calendars: GDPR one\n"
     "month from receipt, ending on a working day (extendable once by two\n"
     "months before it passes), CCPA acknowledgement within 10 business\n"
     "days and answer within 45 days (extendable once by 45); each due at\n"
     "23:59:59 local time.\n"
     "Only an identifier steward holds is accepted; a second open request\n"
     "of the same type for the subject is refused. Audited.",
     OPT(O_TYPE) | OPT(O_REGULATION) | OPT(O_EMAIL) | OPT(O_PHONE) |
         OPT(O_SUBJECT) | OPT(O_PURPOSE) | OPT(O_AGENT) | OPT(O_AGENT_PROOF) |
         OPT(O_RECEIVED),
     0, 0},
    {"verify", do_verify, "steward request verify ID --code CODE [--json]",
     "Checks the requester's code. The fifth wrong code refuses the request\n"
     "as unverified.",
     OPT(O_CODE), 1, 0},
    {"resend", do_resend, "steward request resend ID [--json]",
     "Issues a new code for a request still being verified.", 0, 1, 0},
    {"extend", do_extend, "steward request extend ID --reason TEXT [--json]",
     "Extends the deadline once, before the first one passes. Audited.",
     OPT(O_REASON), 1, 0},
    {"refuse", do_refuse, "steward request refuse ID --reason TEXT [--json]",
     "Refuses with reasons; the answer names the right to complain to a\n"
     "supervisory authority. A refusal after the first deadline is flagged.",
     OPT(O_REASON), 1, 0},
    {"withdraw", do_withdraw, "steward request withdraw ID [--json]",
     "The requester withdraws the request.", 0, 1, 0},
    {"complete", do_complete,
     "steward request complete ID [--format json|html|csv] [--out FILE] "
     "[--record ID --value V] [--json]",
     "Fulfils a verified request and closes it. The answer (the access\n"
     "report, the portable data, the categories, the erasure report...) is\n"
     "written to --out (a new file) or stdout: access in JSON or HTML,\n"
     "portability in JSON or CSV. A rectification names --record and its\n"
     "new --value. Data processed for a customer is not answered: the\n"
     "answer is the notice forwarding the request to that customer.",
     OPT(O_FORMAT) | OPT(O_OUT) | OPT(O_RECORD) | OPT(O_VALUE), 1, 0},
    {"show", do_show, "steward request show ID [--json]",
     "Shows a request with its timeline.", 0, 1, 0},
    {"list", do_list,
     "steward request list [--overdue | --due-within 7d] [--json]",
     "Lists open requests by due date (overdue ones first) with the days\n"
     "and working days left on the regulation's calendar.",
     OPT(O_OVERDUE) | OPT(O_DUE_WITHIN), 0, 0},
};

int cmd_request(int argc, char **argv, cli *c)
{
    return cli_run_family("request", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
