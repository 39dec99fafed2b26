/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privacy centre's public endpoints: no key, rate-limited per address.
 * A request is filed with an identifier and verified with the code the
 * outbox carries to it; whether steward holds the identifier is never
 * revealed to the page. Preferences and unsubscribing go through the
 * sealed token of a link; cookies through the visitor's cookie id.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

/* The public face of a request (sw_public_request), as JSON. */
static json_t *public_view(const sw_public_request *v, sw_instant now)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:I, s:b}", "id", v->id, "type",
        sw_request_type_name(v->type), "state", sw_request_state_name(v->state),
        "received_at", sv_instant(true, v->received_at), "due_at",
        sv_instant(true, v->due_at), "days_left",
        (json_int_t)sv_days_left(now, v->due_at), "extended", v->extended);
    if (o && v->closed) {
        json_object_set_new(o, "closed_at", sv_instant(true, v->closed_at));
        json_object_set_new(o, "outcome", json_string(v->outcome));
    }
    return o;
}

/* The public door answers 429 with its wait. */
static int limited(call *c, sw_store *s, sw_instant retry)
{
    snprintf(c->retry_after, sizeof(c->retry_after), "%lld",
             (long long)(retry > 0 ? retry : 1));
    return reply_store(c, s, SW_ERR_RATE);
}

int p_request_file(call *c, sw_store *s)
{
    const char *email = b_str(c, "email"), *phone = b_str(c, "phone");
    if (!email == !phone)
        return reply_missing(c, "give your e-mail address or your phone "
                                "number");
    sw_ident id = {email ? "email" : "phone", email ? email : phone};
    sw_request_spec spec;
    if (!request_spec(c, &spec))
        return 0;
    sw_public_filing f;
    sw_status st =
        sw_public_file(s, &c->srv->o.limits, c->client, &id, &spec, &f);
    if (st == SW_ERR_RATE)
        return limited(c, s, f.retry_after);
    if (st != SW_OK)
        return reply_store(c, s, st);
    int sent =
        f.send ? outbox_send(c->srv, f.channel, f.to, f.subject, f.body) : 0;
    char ticket[SW_ID_BUFSZ];
    snprintf(ticket, sizeof(ticket), "%s", f.ticket);
    sodium_memzero(&f, sizeof(f));
    if (sent != 0)
        return reply_error(c, 500, "io_error", "the message was not sent");
    return reply_json(
        c, 202,
        json_pack("{s:s, s:s, s:s}", "id", ticket, "state", "verifying",
                  "message",
                  "If we hold personal data under this address, a "
                  "verification code is on its way to it."));
}

#define SESSION_COOKIE "stw_session"

int p_request_verify(call *c, sw_store *s)
{
    const char *code = b_str(c, "code");
    if (!code)
        return reply_missing(c, "code: the code we sent you");
    sw_public_verified v;
    sw_status st = sw_public_verify(s, &c->srv->o.limits, c->client,
                                    c->param[0], code, &v);
    if (st == SW_ERR_RATE)
        return limited(c, s, v.retry_after);
    if (st == SW_ERR_DENIED) /* one answer: a wrong code, an unknown or
                                decoy number, a closed request */
        return reply_error(c, 403, "denied",
                           "this code does not match this request (five "
                           "wrong codes end a code; a code lives %d "
                           "minutes)",
                           SW_CODE_MINUTES);
    if (st != SW_OK)
        return reply_store(c, s, st);
    /* the proof the state is shown with: a cookie for this request's
     * path alone, out of reach of the page's scripts */
    snprintf(c->set_cookie, sizeof(c->set_cookie),
             SESSION_COOKIE "=%s; Path=/privacy/api/requests/%s; Max-Age=%lld;"
                            " SameSite=Strict; HttpOnly%s",
             v.session, c->param[0],
             (long long)(v.session_until - srv_now(c->srv)),
             strncmp(c->srv->o.public_url, "https:", 6) == 0 ? "; Secure" : "");
    json_t *o = public_view(&v.req, srv_now(c->srv));
    sodium_memzero(&v, sizeof(v));
    return reply_json(c, 200, o);
}

int p_request_status(call *c, sw_store *s)
{
    sw_public_request v;
    sw_status st =
        sw_public_status(s, c->param[0], q_cookie(c, SESSION_COOKIE), &v);
    if (st == SW_ERR_DENIED)
        return reply_error(c, 404, "not_found",
                           "no verified request with this number in this "
                           "browser: enter the code we sent you first");
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, public_view(&v, srv_now(c->srv)));
}

/* ---- a completed answer, through the link sent to the person ---- */

int p_answer_get(call *c, sw_store *s)
{
    sw_answer_file f;
    sw_status st = sw_answer_fetch(s, c->param[0], q_arg(c, "token"), &f);
    if (st == SW_ERR_DENIED)
        return reply_error(c, 404, "not_found",
                           "no answer at this link: it is wrong, or its time "
                           "is over (ask the privacy team for a new one)");
    if (st != SW_OK)
        return reply_store(c, s, st);
    snprintf(c->ctype_buf, sizeof(c->ctype_buf), "%s", f.mime);
    snprintf(c->disposition, sizeof(c->disposition),
             "attachment; filename=\"%s\"", f.filename);
    return reply_text(c, 200, c->ctype_buf, f.data, f.len);
}

/* ---- preferences through an unsubscribe link's token ---- */

typedef struct link_target {
    char type[SW_LINK_TOKEN_BUFSZ], value[SW_LINK_TOKEN_BUFSZ],
        channel[SW_LINK_TOKEN_BUFSZ];
} link_target;

static const char *link_token(call *c)
{
    const char *t = b_str(c, "token");
    return t ? t : q_arg(c, "token");
}

static bool open_link(call *c, sw_store *s, link_target *l)
{
    const char *token = link_token(c);
    if (!token) {
        reply_missing(c, "token: the token of your link");
        return false;
    }
    sw_status st =
        sw_unsubscribe_link_open(s, token, l->type, l->value, l->channel);
    if (st != SW_OK) {
        reply_store(c, s, st);
        return false;
    }
    return true;
}

/* "j***@example.com", "***0123": enough to recognise, not to harvest. */
static void mask(const char *v, char *out, size_t n)
{
    const char *at = strchr(v, '@');
    size_t len = strlen(v);
    if (at)
        snprintf(out, n, "%.1s***%s", v, at);
    else /* a phone number: its last four digits */
        snprintf(out, n, "***%s", v + (len > 4 ? len - 4 : len));
}

static int preferences(call *c, sw_store *s, const link_target *l, int status)
{
    const sw_activity *sub = sw_policy_subscription(c->srv->policy);
    sw_ident id = {l->type, l->value};
    sw_who who = {NULL, &id};
    char masked[SW_LINK_TOKEN_BUFSZ];
    mask(l->value, masked, sizeof(masked));
    json_t *o =
        json_pack("{s:s, s:s}", "address", masked, "channel", l->channel);
    if (sub) {
        sw_decision d;
        sw_status st = sw_decide(s, sub->purposes.v[0], &who, &d);
        if (st != SW_OK) {
            json_decref(o);
            return reply_store(c, s, st);
        }
        json_object_set_new(o, "purpose", json_string(sub->purposes.v[0]));
        json_object_set_new(o, "subscribed", json_boolean(d.allow));
        json_object_set_new(o, "reason", json_string(sw_reason_code(d.reason)));
    }
    return reply_json(c, status, o);
}

/* The page header's who: controller, DPO, the notice (from the policy) */
int p_controller(call *c, sw_store *s)
{
    (void)s;
    return reply_json(c, 200, sv_controller_view(c->srv->policy));
}

int p_preferences(call *c, sw_store *s)
{
    link_target l;
    if (!open_link(c, s, &l))
        return 0;
    return preferences(c, s, &l, 200);
}

int p_unsubscribe(call *c, sw_store *s)
{
    link_target l;
    if (!open_link(c, s, &l))
        return 0;
    sw_ident id = {l.type, l.value};
    sw_objection_result r;
    sw_status st = sw_suppression_add(s, &id, l.channel, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return preferences(c, s, &l, 200);
}

int p_subscribe(call *c, sw_store *s)
{
    link_target l;
    if (!open_link(c, s, &l))
        return 0;
    const sw_activity *sub = sw_policy_subscription(c->srv->policy);
    if (!sub)
        return reply_error(c, 422, "unsupported",
                           "the policy has no subscription with double "
                           "opt-in");
    sw_ident id = {l.type, l.value};
    sw_who who = {NULL, &id};
    sw_consent_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.purpose = sub->purposes.v[0];
    spec.method = "privacy_centre";
    spec.form = "privacy-centre/preferences";
    spec.new_kind = sub->subjects.n ? sub->subjects.v[0] : NULL;
    sw_consent_result r;
    sw_status st = sw_consent_give(s, &who, &spec, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    if (r.token[0]) {
        char body[1024];
        snprintf(
            body, sizeof(body),
            "Please confirm your subscription: %s/privacy/confirm?token=%s",
            c->srv->o.public_url, r.token);
        memset(r.token, 0, sizeof(r.token));
        if (outbox_send(c->srv, l.channel, l.value, "Confirm your subscription",
                        body) != 0)
            return reply_error(c, 500, "io_error", "the message was not sent");
    }
    return reply_json(c, 202,
                      json_pack("{s:s, s:s}", "state",
                                sw_consent_state_name(r.state), "message",
                                "a confirmation link is on its way"));
}

int p_confirm(call *c, sw_store *s)
{
    const char *token = link_token(c);
    if (!token)
        return reply_missing(c, "token: the token of your link");
    sw_consent_result r;
    sw_status st = sw_consent_confirm(s, token, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 200, json_pack("{s:s}", "state", sw_consent_state_name(r.state)));
}

/* ---- cookies, by the visitor's cookie id ---- */

#define VISITOR_COOKIE "stw_visitor"

/* The visitor id of the cookie, or a new one (set on the reply). */
static void visitor_of(call *c, char out[48])
{
    const char *v = q_cookie(c, VISITOR_COOKIE);
    if (v && strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32) {
        snprintf(out, 48, "%s", v);
        return;
    }
    uint8_t r[16];
    randombytes_buf(r, sizeof(r));
    sodium_bin2hex(out, 48, r, sizeof(r));
    snprintf(c->set_cookie, sizeof(c->set_cookie),
             VISITOR_COOKIE "=%s; Path=/privacy; Max-Age=34214400; "
                            "SameSite=Lax; HttpOnly",
             out);
}

static bool gpc_of(call *c)
{
    const char *gpc = q_header(c, "Sec-GPC");
    return gpc && strcmp(gpc, "1") == 0;
}

static int cookie_reply(call *c, sw_store *s, const char *visitor)
{
    sw_cookie_view v;
    sw_status st = sw_cookie_state(s, visitor, gpc_of(c), &v);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200,
                      json_pack("{s:b, s:b, s:b, s:b}", "necessary",
                                v.necessary, "analytics", v.analytics,
                                "advertising", v.advertising, "gpc", v.gpc));
}

int p_cookies_get(call *c, sw_store *s)
{
    char visitor[48];
    visitor_of(c, visitor);
    return cookie_reply(c, s, visitor);
}

int p_cookies_set(call *c, sw_store *s)
{
    char visitor[48];
    visitor_of(c, visitor);
    sw_status st = sw_cookie_choose(s, visitor, cookie_choice(c, "analytics"),
                                    cookie_choice(c, "advertising"), gpc_of(c));
    if (st != SW_OK)
        return reply_store(c, s, st);
    return cookie_reply(c, s, visitor);
}
