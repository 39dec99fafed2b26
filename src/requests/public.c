/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privacy centre's public door: filing a request, proving it with the
 * code sent, and reading its state, for anyone on the Internet. It must
 * tell a stranger nothing: every filing gets a fresh ticket of one form,
 * held address or not, and does the same work; messages go within limits
 * per address that count held and unknown addresses alike; a wrong code
 * never cancels a request; a request's state shows only with the session
 * its verification gave. Limits live in the store (several daemons share
 * them) as keyed hashes of the address or the client, never in clear, and
 * are deleted by the sweep when they are over.
 */
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests/request_int.h"

#define HOUR ((sw_instant)3600)
#define DAY (24 * HOUR)

void sw_public_limits_init(sw_public_limits *l)
{
    l->messages_per_hour = 3;
    l->messages_per_day = 10;
    l->attempts_per_hour = 10;
    l->client_filings_per_hour = 20;
    l->client_attempts_per_hour = 30;
    l->max_backoff = DAY;
    l->ticket_life = 7 * DAY;
    l->session_life = 90 * DAY;
}

/* ---- limits: a window of events per key, with back-off ---- */

typedef struct limit {
    const char *kind; /* the state's kind: what is counted, for whom */
    unsigned max;     /* events per window */
    sw_instant window;
} limit;

typedef struct limit_state {
    sw_instant start;  /* of the current window */
    long long count;   /* events in it */
    long long strikes; /* times the limit was passed in a row */
    sw_instant blocked_until;
} limit_state;

static void state_key(sw_store *s, const char *domain, const char *text,
                      uint8_t out[SW_BLIND_BYTES])
{
    sw_blind(s->keys, domain, text, strlen(text), out);
}

static sw_status state_get(sw_store *s, const char *kind,
                           const uint8_t key[SW_BLIND_BYTES], json_t **out)
{
    *out = NULL;
    char text[1024];
    sw_status st = sw_public_state_get(s, kind, key, text, sizeof(text));
    if (st == SW_ERR_NOTFOUND)
        return SW_OK;
    if (st != SW_OK)
        return st;
    *out = json_loads(text, 0, NULL);
    return SW_OK; /* a damaged entry reads as none */
}

static sw_status state_put(sw_store *s, const char *kind,
                           const uint8_t key[SW_BLIND_BYTES], json_t *v,
                           sw_instant due)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(v);
    if (!text)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_status st = sw_public_state_put(s, kind, key, text, due);
    free(text);
    return st;
}

/*
 * Counts one event for key against a limit (inside the caller's change).
 * *ok is false, with the seconds to wait in *retry, when the key is held
 * back: it passed the limit in this window, or still waits from before.
 * Each pass in a row doubles the wait, up to l->max_backoff.
 */
static sw_status limit_take(sw_store *s, const sw_public_limits *l,
                            const limit *lim, const uint8_t key[SW_BLIND_BYTES],
                            bool *ok, sw_instant *retry)
{
    *ok = true;
    *retry = 0;
    sw_instant now = sw_clock_now(&s->clock);
    json_t *j;
    sw_status st = state_get(s, lim->kind, key, &j);
    if (st != SW_OK)
        return st;
    limit_state x = {now, 0, 0, 0};
    if (j) {
        x.start = json_integer_value(json_object_get(j, "w"));
        x.count = json_integer_value(json_object_get(j, "c"));
        x.strikes = json_integer_value(json_object_get(j, "k"));
        x.blocked_until = json_integer_value(json_object_get(j, "b"));
        json_decref(j);
    }
    if (x.blocked_until > now) {
        *ok = false;
        *retry = x.blocked_until - now;
        return SW_OK;
    }
    if (now >= x.start + lim->window) {
        if (x.count <= (long long)lim->max)
            x.strikes = 0; /* a window within the limit forgives */
        x.start = now;
        x.count = 0;
    }
    if (++x.count > (long long)lim->max) {
        x.strikes++;
        sw_instant wait = lim->window;
        for (long long i = 1; i < x.strikes && wait < l->max_backoff; i++)
            wait *= 2;
        if (wait > l->max_backoff)
            wait = l->max_backoff;
        x.blocked_until = now + wait;
        *ok = false;
        *retry = wait;
    }
    sw_instant due =
        (x.blocked_until > x.start + lim->window ? x.blocked_until
                                                 : x.start + lim->window) +
        l->max_backoff;
    return state_put(s, lim->kind, key,
                     json_pack("{s:I, s:I, s:I, s:I}", "w", (json_int_t)x.start,
                               "c", (json_int_t)x.count, "k",
                               (json_int_t)x.strikes, "b",
                               (json_int_t)x.blocked_until),
                     due);
}

/* ---- tickets ---- */

#define TICKET "public.ticket"

typedef struct ticket {
    bool found;
    char request[SW_ID_BUFSZ]; /* empty: the address is not held */
    uint8_t addr[SW_BLIND_BYTES];
    sw_instant verify_until;
    uint8_t session[SW_BLIND_BYTES]; /* the session's keyed hash */
    bool has_session;
    sw_instant session_until;
} ticket;

static bool hex_into(const char *hex, uint8_t *out, size_t n)
{
    size_t len = 0;
    return hex && strlen(hex) == 2 * n &&
           sodium_hex2bin(out, n, hex, 2 * n, NULL, &len, NULL) == 0 &&
           len == n;
}

static sw_status ticket_get(sw_store *s, const char *id, ticket *t)
{
    memset(t, 0, sizeof(*t));
    if (!id || strlen(id) >= SW_ID_BUFSZ)
        return SW_OK;
    uint8_t key[SW_BLIND_BYTES];
    state_key(s, TICKET, id, key);
    json_t *j;
    sw_status st = state_get(s, TICKET, key, &j);
    if (st != SW_OK || !j)
        return st;
    snprintf(t->request, sizeof(t->request), "%s",
             json_string_value(json_object_get(j, "r"))
                 ? json_string_value(json_object_get(j, "r"))
                 : "");
    t->found = hex_into(json_string_value(json_object_get(j, "a")), t->addr,
                        sizeof(t->addr));
    t->verify_until = json_integer_value(json_object_get(j, "v"));
    t->has_session = hex_into(json_string_value(json_object_get(j, "s")),
                              t->session, sizeof(t->session));
    t->session_until = json_integer_value(json_object_get(j, "su"));
    json_decref(j);
    return SW_OK;
}

static sw_status ticket_put(sw_store *s, const char *id, const ticket *t)
{
    uint8_t key[SW_BLIND_BYTES];
    state_key(s, TICKET, id, key);
    char addr[2 * SW_BLIND_BYTES + 1], sess[2 * SW_BLIND_BYTES + 1] = "";
    sw_hex(t->addr, sizeof(t->addr), addr);
    if (t->has_session)
        sw_hex(t->session, sizeof(t->session), sess);
    sw_instant due = t->has_session && t->session_until > t->verify_until
                         ? t->session_until
                         : t->verify_until;
    return state_put(s, TICKET, key,
                     json_pack("{s:s, s:s, s:I, s:s, s:I}", "r", t->request,
                               "a", addr, "v", (json_int_t)t->verify_until, "s",
                               sess, "su", (json_int_t)t->session_until),
                     due);
}

/* SW_ERR_RATE saying why and how long: out (n bytes) is wiped but for
 * its wait, *retry. */
static sw_status held_back(sw_store *s, void *out, size_t n, sw_instant *retry,
                           const char *why)
{
    sw_instant wait = *retry;
    sw_wipe(out, n);
    *retry = wait;
    return sw_fail(s, SW_ERR_RATE, "%s: try again in %" PRId64 " minutes", why,
                   (int64_t)(wait + 59) / 60);
}

/* ---- filing ---- */

static const char *channel_of(const char *type)
{
    return strcmp(type, "email") == 0 ? "email" : "sms";
}

sw_status sw_public_file(sw_store *s, const sw_public_limits *l,
                         const char *client, const sw_ident *ident,
                         const sw_request_spec *spec, sw_public_filing *out)
{
    memset(out, 0, sizeof(*out));
    if (!ident || !ident->type || !ident->value ||
        (strcmp(ident->type, "email") != 0 &&
         strcmp(ident->type, "phone") != 0))
        return sw_fail(s, SW_ERR_INVALID,
                       "give your e-mail address or your phone number");
    if (spec->agent || spec->has_received)
        return sw_fail(s, SW_ERR_INVALID,
                       "agents and back-dated requests go through the "
                       "privacy team");
    sw_status st = sw_request_check_spec(s, spec);
    if (st != SW_OK)
        return st;
    sw_who who = {NULL, ident};
    sw_target t;
    if ((st = sw_target_resolve(s, &who, &t, false)) != SW_OK)
        return st; /* a malformed address: the same for anyone */
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK)
        return st;

    sw_instant now = sw_clock_now(&s->clock);
    sw_status outcome = SW_OK;
    uint8_t ckey[SW_BLIND_BYTES];
    state_key(s, "public.client", client ? client : "", ckey);
    const limit filings = {"client.file", l->client_filings_per_hour, HOUR};
    bool ok = true;
    st = limit_take(s, l, &filings, ckey, &ok, &out->retry_after);
    if (st == SW_OK && !ok)
        outcome = SW_ERR_RATE;
    /* The address's message budget, held or not: its answer is never
     * seen by the caller. */
    const limit per_hour = {"addr.msg.h", l->messages_per_hour, HOUR};
    const limit per_day = {"addr.msg.d", l->messages_per_day, DAY};
    bool may_send = false;
    sw_instant wait;
    if (st == SW_OK && outcome == SW_OK) {
        bool h = false, d = false;
        st = limit_take(s, l, &per_hour, t.blind, &h, &wait);
        if (st == SW_OK)
            st = limit_take(s, l, &per_day, t.blind, &d, &wait);
        may_send = h && d;
    }
    ticket tk;
    memset(&tk, 0, sizeof(tk));
    bool issued = false;
    sw_request_opened o;
    memset(&o, 0, sizeof(o));
    if (st == SW_OK && outcome == SW_OK) {
        sw_random_id(s->keys, "req", now, out->ticket);
        memcpy(tk.addr, t.blind, sizeof(tk.addr));
        tk.verify_until = now + l->ticket_life;
        /* an end user known only from traffic files like anyone held,
         * once a message may go to the number */
        if (!t.has_subject && may_send)
            st = sw_request_traffic_only(s, &t);
        if (st == SW_OK && t.has_subject) {
            /* an open request takes the ticket whatever the budget; a new
             * request or code only when its message may go */
            st = sw_request_file(s, &who, &t, spec, may_send, &issued, &o);
            if (st == SW_OK)
                snprintf(tk.request, sizeof(tk.request), "%s", o.req.id);
        }
    }
    if (st == SW_OK && outcome == SW_OK)
        st = ticket_put(s, out->ticket, &tk);
    const char *message = "none";
    if (st == SW_OK && outcome == SW_OK && may_send &&
        (issued || !t.has_subject)) {
        out->send = true;
        message = "sent";
        snprintf(out->channel, sizeof(out->channel), "%s", channel_of(t.type));
        snprintf(out->to, sizeof(out->to), "%s", t.value);
        if (issued) {
            char until[SW_INSTANT_BUFSZ];
            snprintf(out->subject, sizeof(out->subject),
                     "Your privacy request: verification code");
            snprintf(out->body, sizeof(out->body),
                     "Your code to confirm your %s request %s is %s. It "
                     "expires at %s. If you made no such request, ignore "
                     "this message.",
                     sw_request_type_name(spec->type), out->ticket, o.code,
                     sw_instant_format(now + SW_CODE_MINUTES * 60, until));
        } else {
            snprintf(out->subject, sizeof(out->subject),
                     "Your privacy request");
            snprintf(out->body, sizeof(out->body),
                     "We received a privacy request for this address, but "
                     "we hold no personal data under it.");
        }
    } else if (st == SW_OK && outcome == SW_OK && !may_send) {
        message = "limited";
    }
    sw_wipe(&o, sizeof(o));
    if (st == SW_OK)
        st = sw_audit_json(s, "privacy.file", t.has_subject ? t.subject : NULL,
                           tk.request[0] ? json_pack("[s]", tk.request)
                                         : json_array(),
                           json_pack("{s:s, s:b, s:s, s:b}", "type",
                                     sw_request_type_name(spec->type), "held",
                                     t.has_subject, "message", message,
                                     "client_limited", outcome == SW_ERR_RATE));
    st = sw_op_end(s, own, st);
    sw_wipe(&t, sizeof(t));
    if (st == SW_OK && outcome == SW_ERR_RATE)
        return held_back(s, out, sizeof(*out), &out->retry_after,
                         "too many requests from here");
    if (st != SW_OK)
        sw_wipe(out, sizeof(*out));
    return st;
}

/* ---- verifying ---- */

static bool code_form(const char *code)
{
    return code && strlen(code) == SW_CODE_DIGITS &&
           strspn(code, "0123456789") == SW_CODE_DIGITS;
}

static void session_hash(sw_store *s, const char *session,
                         uint8_t out[SW_BLIND_BYTES])
{
    state_key(s, "public.session", session, out);
}

/* The public face of a request, under its ticket's id. */
static sw_status public_of(sw_store *s, const char *request, const char *tid,
                           sw_public_request *out)
{
    sw_request_view v;
    sw_status st = sw_request_get(s, request, &v);
    if (st != SW_OK)
        return st;
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", tid);
    out->type = v.type;
    out->state = v.state;
    out->received_at = v.received_at;
    out->due_at = v.due_at;
    out->extended = v.extended;
    out->closed = v.closed;
    out->closed_at = v.closed_at;
    memcpy(out->outcome, v.outcome, sizeof(out->outcome));
    sw_wipe(&v, sizeof(v));
    return SW_OK;
}

sw_status sw_public_verify(sw_store *s, const sw_public_limits *l,
                           const char *client, const char *id, const char *code,
                           sw_public_verified *out)
{
    memset(out, 0, sizeof(*out));
    bool own = false;
    sw_status st = sw_op_begin(s, &own);
    if (st != SW_OK)
        return st;
    sw_instant now = sw_clock_now(&s->clock);
    sw_status outcome = SW_ERR_DENIED;
    uint8_t ckey[SW_BLIND_BYTES];
    state_key(s, "public.client", client ? client : "", ckey);
    const limit tries = {"client.try", l->client_attempts_per_hour, HOUR};
    const limit addr_tries = {"addr.try", l->attempts_per_hour, HOUR};
    bool ok = true;
    ticket tk;
    memset(&tk, 0, sizeof(tk));
    st = limit_take(s, l, &tries, ckey, &ok, &out->retry_after);
    if (st == SW_OK && !ok)
        outcome = SW_ERR_RATE;
    if (st == SW_OK && ok)
        st = ticket_get(s, id, &tk);
    bool live = st == SW_OK && ok && tk.found && now < tk.verify_until;
    if (live) {
        /* the address's tries: a decoy ticket has an address too */
        st = limit_take(s, l, &addr_tries, tk.addr, &ok, &out->retry_after);
        if (st == SW_OK && !ok)
            outcome = SW_ERR_RATE;
    }
    if (live && st == SW_OK && ok && tk.request[0]) {
        sw_status v =
            sw_request_verify(s, tk.request, code_form(code) ? code : "-");
        if (v == SW_OK) {
            outcome = SW_OK;
            uint8_t raw[32];
            sw_random(s->keys, raw, sizeof(raw));
            sw_hex(raw, sizeof(raw), out->session);
            sw_wipe(raw, sizeof(raw));
            session_hash(s, out->session, tk.session);
            tk.has_session = true;
            tk.session_until = out->session_until = now + l->session_life;
            st = ticket_put(s, id, &tk);
            if (st == SW_OK)
                st = public_of(s, tk.request, id, &out->req);
        } else if (v != SW_ERR_DENIED && v != SW_ERR_CONFLICT) {
            st = v;
        }
    }
    if (st == SW_OK && outcome != SW_ERR_RATE)
        st = sw_audit_json(s, "privacy.verify", NULL,
                           tk.request[0] ? json_pack("[s]", tk.request)
                                         : json_array(),
                           json_pack("{s:b}", "verified", outcome == SW_OK));
    st = sw_op_end(s, own, st);
    if (st != SW_OK) {
        sw_wipe(out, sizeof(*out));
        return st;
    }
    if (outcome == SW_ERR_RATE)
        return held_back(s, out, sizeof(*out), &out->retry_after,
                         "too many codes tried");
    if (outcome != SW_OK) {
        sw_wipe(out, sizeof(*out));
        return sw_fail(s, SW_ERR_DENIED,
                       "this code does not match this request");
    }
    return SW_OK;
}

sw_status sw_public_status(sw_store *s, const char *id, const char *session,
                           sw_public_request *out)
{
    memset(out, 0, sizeof(*out));
    ticket tk;
    sw_status st = ticket_get(s, id, &tk);
    if (st != SW_OK)
        return st;
    uint8_t h[SW_BLIND_BYTES];
    bool proof = session && strlen(session) == 64;
    if (proof)
        session_hash(s, session, h);
    bool shown = tk.found && tk.request[0] && tk.has_session &&
                 sw_clock_now(&s->clock) < tk.session_until && proof &&
                 sodium_memcmp(h, tk.session, sizeof(h)) == 0;
    if (!shown)
        return sw_fail(s, SW_ERR_DENIED,
                       "no verified request with this number, or no proof "
                       "of it");
    return public_of(s, tk.request, id, out);
}
