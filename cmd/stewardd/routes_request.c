/* SPDX-License-Identifier: Apache-2.0 */
/* Routes of data-subject requests and their report: each maps HTTP to
 * one library call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "routes.h"

/* The request as it stands, with its timeline. */
static int change_one(const sw_request_change *ch, void *ctx)
{
    return json_array_append_new(
        ctx, sv_change(sw_request_state_name(ch->state), ch->at, ch->actor,
                       ch->reason, "reason"));
}

static int reply_request(call *c, sw_store *s, const char *id, int status)
{
    sw_request_view v;
    sw_status st = sw_request_get(s, id, &v);
    if (st != SW_OK)
        return reply_store(c, s, st);
    json_t *o = sv_request_view(&v, srv_now(c->srv));
    json_t *tl = json_array();
    if (sw_request_history(s, id, change_one, tl) == SW_OK)
        json_object_set_new(o, "timeline", tl);
    else
        json_decref(tl);
    char *systems = NULL;
    json_t *sys = sw_request_systems(s, id, &systems) == SW_OK
                      ? json_loads(systems, 0, NULL)
                      : NULL;
    free(systems);
    json_object_set_new(o, "systems", sys ? sys : json_array());
    return reply_json(c, status, o);
}

/* Parses the fields of a new request; false after replying. */
bool request_spec(call *c, sw_request_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    const char *type = b_str(c, "type"), *reg = b_str(c, "regulation");
    if (!sw_request_type_parse(type, &spec->type)) {
        reply_missing(c, "type: access, portability, rectification, erasure, "
                         "restriction, objection, withdraw_consent or "
                         "know_categories");
        return false;
    }
    if (reg && !sw_regulation_parse(reg, &spec->regulation)) {
        reply_missing(c, "regulation: gdpr or ccpa");
        return false;
    }
    spec->purpose = b_str(c, "purpose");
    spec->agent = b_str(c, "agent");
    spec->agent_proof = b_str(c, "agent_proof");
    return instant_arg(c, "received", b_str(c, "received"), &spec->has_received,
                       &spec->received);
}

/* A request opened or its code sent again: the caller (the platform, the
 * DPO) sends the message; the store keeps the code only as a hash. */
static int reply_opened(call *c, sw_request_opened *o, int status)
{
    json_t *j = sv_request_view(&o->req, srv_now(c->srv));
    json_object_set_new(j, "verification_message", json_string(o->message));
    json_object_set_new(j, "verification_code", json_string(o->code));
    sodium_memzero(o->code, sizeof(o->code));
    sodium_memzero(o->message, sizeof(o->message));
    return reply_json(c, status, j);
}

int r_request_open(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    sw_request_spec spec;
    if (!who_of(c, &who, &id) || !request_spec(c, &spec))
        return 0;
    sw_request_opened o;
    sw_status st = sw_request_open(s, &who, &spec, &o);
    return st == SW_OK ? reply_opened(c, &o, 201) : reply_store(c, s, st);
}

typedef struct list_ctx {
    json_t *list;
    sw_instant now;
} list_ctx;

static int list_view(const sw_request_view *r, void *p)
{
    list_ctx *x = p;
    return json_array_append_new(x->list, sv_request_view(r, x->now));
}

int r_request_list(call *c, sw_store *s)
{
    const char *overdue = q_arg(c, "overdue"), *within = q_arg(c, "due_within");
    sw_instant w = 0;
    if (within) {
        sw_duration d;
        if (sw_duration_parse(within, &d) != SW_OK)
            return reply_error(c, 422, "invalid",
                               "due_within '%s': expected a duration (P7D, "
                               "7d)",
                               within);
        sw_instant now = srv_now(c->srv);
        w = sw_instant_add(now, d) - now;
        if (w <= 0)
            w = 1;
    }
    list_ctx x = {json_array(), srv_now(c->srv)};
    sw_status st = sw_request_list(
        s, overdue && strcmp(overdue, "false") != 0 && strcmp(overdue, "0"), w,
        list_view, &x);
    return reply_list(c, s, st, "requests", x.list);
}

int r_request_get(call *c, sw_store *s)
{
    return reply_request(c, s, c->param[0], 200);
}

int r_request_verify(call *c, sw_store *s)
{
    const char *code = b_str(c, "code");
    if (!code)
        return reply_missing(c, "code: the verification code");
    sw_status st = sw_request_verify(s, c->param[0], code);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_request(c, s, c->param[0], 200);
}

int r_request_resend(call *c, sw_store *s)
{
    sw_request_opened o;
    sw_status st = sw_request_resend(s, c->param[0], &o);
    return st == SW_OK ? reply_opened(c, &o, 200) : reply_store(c, s, st);
}

int r_request_extend(call *c, sw_store *s)
{
    sw_status st = sw_request_extend(s, c->param[0], b_str(c, "reason"));
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_request(c, s, c->param[0], 200);
}

int r_request_refuse(call *c, sw_store *s)
{
    bool late = false;
    sw_status st = sw_request_refuse(s, c->param[0], b_str(c, "reason"), &late);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_request(c, s, c->param[0], 200);
}

int r_request_withdraw(call *c, sw_store *s)
{
    sw_status st = sw_request_withdraw(s, c->param[0]);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_request(c, s, c->param[0], 200);
}

int r_request_complete(call *c, sw_store *s)
{
    sw_fulfil_options o;
    memset(&o, 0, sizeof(o));
    const char *fmt = b_str(c, "format");
    if (fmt && strcmp(fmt, "html") == 0)
        o.format = SW_ANSWER_HTML;
    else if (fmt && strcmp(fmt, "csv") == 0)
        o.format = SW_ANSWER_CSV;
    else if (fmt && strcmp(fmt, "json") != 0)
        return reply_missing(c, "format: json, html or csv");
    o.record = b_str(c, "record");
    o.value = b_str(c, "value");
    o.link_base = c->srv->o.public_url;
    sw_fulfilment r;
    sw_status st = sw_request_fulfil(s, c->param[0], &o, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    json_t *delivery = json_null();
    if (r.link.ready) { /* the link goes to the person, not to the caller */
        int sent = outbox_send(c->srv, r.link.channel, r.link.to,
                               r.link.subject, r.link.body);
        delivery = json_pack("{s:s, s:o, s:b}", "channel", r.link.channel,
                             "expires_at", sv_instant(true, r.link.expires_at),
                             "sent", sent == 0);
    }
    explicit_bzero(&r.link, sizeof(r.link));
    json_t *answer = json_null();
    if (r.answer) {
        answer = o.format == SW_ANSWER_JSON
                     ? json_loadb(r.answer, r.answer_len, 0, NULL)
                     : NULL;
        if (!answer)
            answer = json_stringn(r.answer, r.answer_len);
        memset(r.answer, 0, r.answer_len);
        free(r.answer);
    }
    sw_request_view v;
    if ((st = sw_request_get(s, c->param[0], &v)) != SW_OK) {
        json_decref(answer);
        json_decref(delivery);
        return reply_store(c, s, st);
    }
    json_t *j = sv_request_view(&v, srv_now(c->srv));
    json_object_set_new(j, "answer", answer ? answer : json_null());
    json_object_set_new(j, "delivery", delivery);
    return reply_json(c, 200, j);
}

int r_report_requests(call *c, sw_store *s)
{
    bool has;
    sw_instant since = 0;
    if (!instant_arg(c, "since", q_arg(c, "since"), &has, &since))
        return 0;
    sw_request_stats st;
    sw_status rc = sw_request_stats_since(s, since, &st);
    if (rc != SW_OK)
        return reply_store(c, s, rc);
    return reply_json(c, 200, sv_request_stats(&st));
}

/* POST /v1/systems/{id}/callback: a webhook system answers a job it took
 * (202) earlier; the signature is the authentication. */
int r_system_callback(call *c, sw_store *s)
{
    sw_system_callback cb;
    sw_status st = sw_request_system_callback(
        s, c->param[0], q_header(c, "X-Steward-Timestamp"),
        q_header(c, "X-Steward-Signature"), c->body ? c->body : "", c->len,
        &cb);
    if (st == SW_ERR_DENIED)
        return reply_error(c, 401, "bad_signature", "%s", sw_errmsg(s));
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200,
                      json_pack("{s:s, s:s, s:b, s:b}", "job", cb.job,
                                "request", cb.request, "done", cb.done,
                                "completed", cb.completed));
}
