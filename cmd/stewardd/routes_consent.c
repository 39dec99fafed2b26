/* SPDX-License-Identifier: Apache-2.0 */
/* Routes of consents, objections, the suppression list, cookies and the
 * decision: each maps HTTP to one library call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

/* A consent's optional fields from the body; false after replying. */
static bool consent_spec(call *c, sw_consent_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    spec->purpose = b_str(c, "purpose");
    spec->method = b_str(c, "method");
    spec->form = b_str(c, "form");
    spec->notice_version = b_str(c, "notice_version");
    spec->new_kind = b_str(c, "kind");
    spec->parental = b_bool(c, "parental", false);
    if (!spec->purpose || !spec->method) {
        reply_missing(c, "purpose and method are required");
        return false;
    }
    const char *period = b_str(c, "period");
    if (period) {
        if (sw_duration_parse(period, &spec->period) != SW_OK) {
            reply_error(c, 422, "invalid",
                        "period '%s': expected an ISO-8601 duration (P2Y)",
                        period);
            return false;
        }
        spec->has_period = true;
    }
    return instant_arg(c, "at", b_str(c, "at"), &spec->has_at, &spec->at) &&
           instant_arg(c, "born", b_str(c, "born"), &spec->has_born,
                       &spec->born);
}

int r_consent_give(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    sw_consent_spec spec;
    if (!who_of(c, &who, &id) || !consent_spec(c, &spec))
        return 0;
    sw_consent_result r;
    sw_status st = sw_consent_give(s, &who, &spec, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201, sv_consent_result(&r));
}

int r_consent_confirm(call *c, sw_store *s)
{
    const char *token = b_str(c, "token");
    if (!token)
        return reply_missing(c, "token: the confirmation token");
    sw_consent_result r;
    sw_status st = sw_consent_confirm(s, token, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, sv_consent_result(&r));
}

static int who_purpose(call *c, sw_store *s,
                       sw_status (*fn)(sw_store *, const sw_who *, const char *,
                                       sw_consent_result *))
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    const char *purpose = b_str(c, "purpose");
    if (!purpose)
        return reply_missing(c, "purpose is required");
    sw_consent_result r;
    sw_status st = fn(s, &who, purpose, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201, sv_consent_result(&r));
}

int r_consent_request(call *c, sw_store *s)
{
    return who_purpose(c, s, sw_consent_request);
}

int r_consent_refuse(call *c, sw_store *s)
{
    return who_purpose(c, s, sw_consent_refuse);
}

int r_consent_withdraw(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    size_t n = 0;
    const char *purpose = b_str(c, "purpose");
    sw_status st = sw_consent_withdraw(s, &who, purpose, &n);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200,
                      json_pack("{s:I, s:s?}", "withdrawn", (json_int_t)n,
                                "purpose", purpose));
}

int r_consent_renew(call *c, sw_store *s)
{
    sw_duration d;
    memset(&d, 0, sizeof(d));
    const char *period = b_str(c, "period");
    if (period && sw_duration_parse(period, &d) != SW_OK)
        return reply_error(c, 422, "invalid",
                           "period '%s': expected an ISO-8601 duration",
                           period);
    sw_status st = sw_consent_renew(s, c->param[0], period != NULL, d);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 200, json_pack("{s:s, s:s}", "id", c->param[0], "state", "renewed"));
}

static int consent_one(const sw_consent_view *v, void *ctx)
{
    return json_array_append_new(ctx, sv_consent_view(v));
}

int r_consent_list(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    json_t *list = json_array();
    sw_status st = sw_consent_list(s, &who, consent_one, list);
    return reply_list(c, s, st, "consents", list);
}

static int change_one(const sw_consent_change *ch, void *ctx)
{
    return json_array_append_new(
        ctx, sv_change(sw_consent_state_name(ch->state), ch->at, ch->actor,
                       ch->note, "note"));
}

int r_consent_show(call *c, sw_store *s)
{
    sw_consent_view v;
    json_t *hist = json_array();
    sw_status st = sw_consent_show(s, c->param[0], &v, change_one, hist);
    if (st != SW_OK) {
        json_decref(hist);
        return reply_store(c, s, st);
    }
    json_t *o = sv_consent_view(&v);
    json_object_set_new(o, "history", hist);
    return reply_json(c, 200, o);
}

/* ?format=jws: signed with the store's key (application/jose) */
int r_consent_receipt(call *c, sw_store *s)
{
    const char *fmt = q_arg(c, "format");
    bool jws = fmt && strcmp(fmt, "jws") == 0;
    if (fmt && !jws && strcmp(fmt, "json") != 0)
        return reply_error(c, 422, "invalid", "format: '%s' is not json or jws",
                           fmt);
    char *text = NULL;
    sw_status st = jws ? sw_consent_receipt_jws(s, c->param[0], &text)
                       : sw_consent_receipt(s, c->param[0], &text);
    if (st != SW_OK)
        return reply_store(c, s, st);
    if (jws)
        return reply_text(c, 200, "application/jose", text, strlen(text));
    return reply_json_text(c, text, "the receipt");
}

/* ---- objections, suppression ---- */

static json_t *objection_json(const sw_objection_result *r)
{
    return json_pack("{s:s?, s:b, s:I}", "id", r->id[0] ? r->id : NULL,
                     "suppressed", r->suppressed, "consents_withdrawn",
                     (json_int_t)r->consents_withdrawn);
}

int r_objection_add(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    const char *purpose = b_str(c, "purpose");
    if (!purpose)
        return reply_missing(c, "purpose is required");
    sw_objection_result r;
    sw_status st = sw_objection_add(s, &who, purpose, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201, objection_json(&r));
}

int r_objection_override(call *c, sw_store *s)
{
    const char *reason = b_str(c, "reason");
    if (!reason)
        return reply_missing(c, "reason: the compelling grounds");
    sw_status st = sw_objection_override(s, c->param[0], reason);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 200, json_pack("{s:s, s:b}", "id", c->param[0], "overridden", 1));
}

int r_unsubscribe(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    if (who.subject)
        return reply_missing(c, "unsubscribe an address (email or phone)");
    sw_objection_result r;
    sw_status st = sw_suppression_add(s, &id, b_str(c, "channel"), &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, objection_json(&r));
}

int r_unsubscribe_link(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    if (who.subject)
        return reply_missing(c, "a link is for an address (email or phone)");
    char token[SW_LINK_TOKEN_BUFSZ];
    sw_status st = sw_unsubscribe_link(s, &id, b_str(c, "channel"), token);
    if (st != SW_OK)
        return reply_store(c, s, st);
    char url[SW_LINK_TOKEN_BUFSZ + 320];
    snprintf(url, sizeof(url), "%s/privacy/unsubscribe?token=%s",
             c->srv->o.public_url, token);
    return reply_json(c, 201,
                      json_pack("{s:s, s:s}", "token", token, "url", url));
}

static int supp_one(const sw_suppression_view *v, void *ctx)
{
    char since[SW_INSTANT_BUFSZ];
    return json_array_append_new(
        ctx, json_pack("{s:s, s:s, s:s, s:s, s:o}", "hash", v->hash, "channel",
                       v->channel, "since", sw_instant_format(v->since, since),
                       "rule", v->rule, "due_at",
                       sv_instant(v->has_due, v->due_at)));
}

int r_suppression_list(call *c, sw_store *s)
{
    json_t *list = json_array();
    sw_status st = sw_suppression_list(s, supp_one, list);
    return reply_list(c, s, st, "entries", list);
}

/* ---- the decision ---- */

int r_decide(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    const char *purpose = q_arg(c, "purpose");
    if (!purpose)
        return reply_missing(c, "purpose is required");
    if (!who_of(c, &who, &id))
        return 0;
    sw_decision d;
    sw_status st = sw_decide(s, purpose, &who, &d);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, sv_decision(&d));
}

#define BATCH_MAX 1000

int r_decide_batch(call *c, sw_store *s)
{
    const char *purpose = b_str(c, "purpose");
    json_t *items = json_object_get(c->in, "items");
    if (!purpose || !json_is_array(items))
        return reply_missing(c, "purpose and items (an array of {email}, "
                                "{phone}, {subject}...) are required");
    size_t n = json_array_size(items);
    if (n > BATCH_MAX)
        return reply_error(c, 413, "too_large", "at most %d items at once",
                           BATCH_MAX);
    /* the addresses decided in one batch, subjects one by one */
    sw_decide_item *batch = calloc(n ? n : 1, sizeof(*batch));
    size_t *at = calloc(n ? n : 1, sizeof(*at)), k = 0;
    json_t *out = json_array();
    if (!batch || !at || !out) {
        free(batch);
        free(at);
        json_decref(out);
        return reply_error(c, 500, "internal", "out of memory");
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *key, *subject = NULL;
        json_t *v;
        int named = 0;
        json_object_foreach(it, key, v)
        {
            if (!json_is_string(v))
                continue;
            named++;
            if (strcmp(key, "subject") == 0) {
                subject = json_string_value(v);
            } else {
                batch[k].id.type = key;
                batch[k].id.value = json_string_value(v);
            }
        }
        json_t *one = NULL;
        if (named != 1) {
            one = json_pack("{s:{s:s, s:s}}", "error", "code",
                            status_code(SW_ERR_INVALID), "message",
                            "name exactly one identifier");
        } else if (subject) {
            sw_who who = {subject, NULL};
            sw_decision d;
            sw_status st = sw_decide(s, purpose, &who, &d);
            one = st == SW_OK
                      ? sv_decision(&d)
                      : json_pack("{s:{s:s, s:s}}", "error", "code",
                                  status_code(st), "message", sw_errmsg(s));
        } else {
            at[k++] = i; /* decided below, its place kept */
            one = json_null();
        }
        json_array_append_new(out, one);
    }
    sw_status st = k ? sw_decide_batch(s, purpose, batch, k) : SW_OK;
    for (size_t j = 0; j < k; j++) {
        const sw_decide_item *d = &batch[j];
        json_t *one =
            st != SW_OK      ? json_pack("{s:{s:s, s:s}}", "error", "code",
                                         status_code(st), "message", sw_errmsg(s))
            : d->st != SW_OK ? json_pack("{s:{s:s, s:s}}", "error", "code",
                                         status_code(d->st), "message", d->why)
                             : sv_decision(&d->d);
        json_array_set_new(out, at[j], one);
    }
    free(batch);
    free(at);
    return reply_json(
        c, 200, json_pack("{s:s, s:o}", "purpose", purpose, "decisions", out));
}

/* ---- Global Privacy Control ---- */

/* The GPC support resource (the GPC specification, section 3.5): this
 * site honours Sec-GPC (a cookie choice under it refuses both kinds and
 * stands as an objection, docs/consent.md). */
int r_gpc(call *c, sw_store *s)
{
    (void)s;
    return reply_json(c, 200, json_pack("{s:b}", "gpc", 1));
}

/* ---- cookies ---- */

sw_cookie_choice cookie_choice(call *c, const char *name)
{
    json_t *v = c->in ? json_object_get(c->in, name) : NULL;
    return !json_is_boolean(v) ? SW_COOKIE_UNCHANGED
           : json_is_true(v)   ? SW_COOKIE_ACCEPT
                               : SW_COOKIE_REFUSE;
}

int r_cookie_set(call *c, sw_store *s)
{
    const char *visitor = b_str(c, "visitor");
    if (!visitor)
        return reply_missing(c, "visitor: the visitor's cookie id");
    const char *gpc = q_header(c, "Sec-GPC");
    sw_status st = sw_cookie_choose(s, visitor, cookie_choice(c, "analytics"),
                                    cookie_choice(c, "advertising"),
                                    b_bool(c, "gpc", false) ||
                                        (gpc && strcmp(gpc, "1") == 0));
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 200, json_pack("{s:s, s:b}", "visitor", visitor, "recorded", 1));
}

/* ---- POST /v1/decide/batch: a list of any length, streamed ---- */

/* One address per line, decided LIST_CHUNK lines at a time as the body
 * arrives (each chunk one sw_decide_batch on a handle of the pool, from
 * the facts in memory when the daemon holds them), answered as NDJSON in
 * the list's order: each line the decision with its address, or the
 * address's error. The answer is kept until the body ends: at most
 * LIST_OUT_MAX bytes. */
#define LIST_CHUNK 4096
#define LIST_LINE_MAX 512
#define LIST_OUT_MAX (256u << 20)
typedef struct list_call {
    char purpose[128];
    sw_decide_item items[LIST_CHUNK];
    char lines[LIST_CHUNK][LIST_LINE_MAX];
    size_t n;
    char line[LIST_LINE_MAX]; /* the line being read */
    size_t len;
    bool long_line;
    char *out; /* the answer so far */
    size_t out_n, out_cap;
    sv_line_memo memo; /* the text of the last decision */
    size_t allowed, denied, bad;
    bool too_big, failed;
} list_call;

/* Appends a line to the answer; false past LIST_OUT_MAX or out of
 * memory. */
static bool list_put(list_call *g, const char *text)
{
    size_t n = strlen(text);
    if (g->out_n + n + 1 > LIST_OUT_MAX ||
        !sv_reserve(&g->out, &g->out_cap, g->out_n + n + 1))
        return false;
    memcpy(g->out + g->out_n, text, n);
    g->out[g->out_n + n] = '\n';
    g->out_n += n + 1;
    return true;
}

/* Decides the chunk and writes its answers; false once the call has
 * failed (answered already). */
static bool list_decide(call *c, list_call *g)
{
    if (!g->n || g->failed || g->too_big)
        return !g->failed;
    char err[512];
    sw_store *s = pool_take(c->srv, err, sizeof(err));
    if (!s) {
        reply_error(c, 500, "store", "%s", err);
        g->failed = true;
        return false;
    }
    for (size_t i = 0; i < g->n; i++) {
        g->items[i].id.value = g->lines[i];
        g->items[i].id.type = strchr(g->lines[i], '@') ? "email" : "phone";
    }
    sw_status st = sw_decide_batch(s, g->purpose, g->items, g->n);
    if (st != SW_OK) {
        reply_store(c, s, st); /* an unknown purpose: 422 */
        pool_give(c->srv, s);
        g->failed = true;
        return false;
    }
    pool_give(c->srv, s);
    for (size_t i = 0; i < g->n && !g->too_big; i++) {
        const sw_decide_item *it = &g->items[i];
        char *text;
        if (it->st != SW_OK) {
            g->bad++;
            json_t *o = json_pack("{s:s, s:{s:s, s:s}}", "address",
                                  it->id.value, "error", "code",
                                  status_code(it->st), "message", it->why);
            text = o ? json_dumps(o, JSON_COMPACT) : NULL;
            json_decref(o);
        } else {
            it->d.allow ? g->allowed++ : g->denied++;
            text =
                sv_decision_line(&g->memo, &it->d, it->id.value, JSON_COMPACT);
        }
        if (!text) /* jansson takes UTF-8 alone */
            text = strdup("{\"address\":null,\"error\":{\"code\":\"invalid\","
                          "\"message\":\"the line is not UTF-8\"}}");
        if (!text || !list_put(g, text))
            g->too_big = true;
        free(text);
    }
    g->n = 0;
    return true;
}

/* The line read so far joins the chunk (blank lines and a final '\r'
 * left out), or fails the call when it was too long. */
static void list_line_end(call *c, list_call *g)
{
    if (g->long_line) {
        reply_error(c, 422, "invalid",
                    "a line of the list is longer than %d bytes",
                    LIST_LINE_MAX - 1);
        g->failed = true;
        return;
    }
    while (g->len && g->line[g->len - 1] == '\r')
        g->len--;
    if (g->len) {
        g->line[g->len] = '\0';
        memcpy(g->lines[g->n++], g->line, g->len + 1);
        if (g->n == LIST_CHUNK)
            list_decide(c, g);
    }
    g->len = 0;
}

static int list_data(call *c, const char *data, size_t n)
{
    list_call *g = c->stream;
    for (size_t i = 0; i < n && !g->failed; i++) {
        if (data[i] == '\n')
            list_line_end(c, g);
        else if (g->len + 1 >= LIST_LINE_MAX)
            g->long_line = true;
        else
            g->line[g->len++] = data[i];
    }
    return 0;
}

static void list_end(call *c, bool aborted)
{
    list_call *g = c->stream;
    if (!aborted && !g->failed)
        list_line_end(c, g);
    if (!aborted && !g->failed && !c->status && list_decide(c, g)) {
        if (g->too_big) {
            reply_error(c, 413, "too_large",
                        "the answer would exceed %u MiB: send the list in "
                        "parts",
                        LIST_OUT_MAX >> 20);
        } else {
            snprintf(c->counts, sizeof(c->counts),
                     "allowed=%zu, denied=%zu, malformed=%zu", g->allowed,
                     g->denied, g->bad);
            char *text = g->out ? g->out : strdup("");
            size_t len = g->out ? g->out_n : 0;
            g->out = NULL;
            reply_text(c, 200, "application/x-ndjson", text, len);
        }
    }
    free(g->out);
    sv_line_memo_free(&g->memo);
    free(g);
    c->stream = NULL;
    c->stream_end = NULL;
    c->stream_data = NULL;
}

int r_decide_list(call *c, sw_store *unused)
{
    (void)unused;
    const char *purpose = q_arg(c, "purpose");
    if (!purpose)
        return reply_missing(c, "purpose (in the query): a purpose of the "
                                "policy");
    list_call *g = calloc(1, sizeof(*g));
    if (!g)
        return reply_error(c, 500, "out_of_memory", "no memory for the list");
    snprintf(g->purpose, sizeof(g->purpose), "%s", purpose);
    c->stream = g;
    c->stream_end = list_end;
    c->stream_data = list_data;
    return 0;
}
