/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One call of stewardd, apart from any connection: its arguments, the
 * route it takes, who may make it, the handler, the reply and its log
 * line. http.c carries calls from libmicrohttpd; the fuzzers make them
 * in-process.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "stewardd.h"

/* ---- the one table from library status to HTTP ---- */

static const struct {
    int http;
    const char *code;
} status_map[] = {
    [SW_OK] = {200, "ok"},
    [SW_ERR_NOMEM] = {500, "out_of_memory"},
    [SW_ERR_IO] = {500, "io_error"},
    [SW_ERR_SYNTAX] = {400, "syntax"},
    [SW_ERR_INVALID] = {422, "invalid"},
    [SW_ERR_NOTFOUND] = {404, "not_found"},
    [SW_ERR_RANGE] = {422, "out_of_range"},
    [SW_ERR_UNSPECIFIED] = {422, "no_period"},
    [SW_ERR_LIMIT] = {413, "too_large"},
    [SW_ERR_CONFLICT] = {409, "conflict"},
    [SW_ERR_CRYPTO] = {500, "crypto"},
    [SW_ERR_CORRUPT] = {500, "corrupt"},
    [SW_ERR_VERSION] = {500, "version"},
    [SW_ERR_EXISTS] = {409, "exists"},
    [SW_ERR_BUSY] = {503, "busy"},
    [SW_ERR_STORE] = {500, "store"},
    [SW_ERR_DENIED] = {403, "denied"},
    [SW_ERR_UNSUPPORTED] = {422, "unsupported"},
    [SW_ERR_RATE] = {429, "rate_limited"},
};

int reply_json(call *c, int status, json_t *o)
{
    json_decref(c->out);
    free(c->raw);
    c->raw = NULL;
    c->status = status;
    c->out = o ? o : json_object();
    return 0;
}

int reply_json_text(call *c, char *text, const char *what)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return o ? reply_json(c, 200, o)
             : reply_error(c, 500, "internal", "%s is not JSON", what);
}

int reply_text(call *c, int status, const char *ctype, char *text, size_t len)
{
    json_decref(c->out);
    c->out = NULL;
    free(c->raw);
    c->status = status;
    c->raw = text;
    c->raw_len = len;
    c->ctype = ctype;
    return 0;
}

int reply_error(call *c, int status, const char *code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* a message may quote input: it stays text JSON can carry */
    sw_utf8_clean(msg);
    json_t *o =
        json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);
    if (!o)
        o = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
                      "(the message could not be encoded)");
    return reply_json(c, status, o);
}

const char *status_code(sw_status st)
{
    size_t n = sizeof(status_map) / sizeof(status_map[0]);
    return (unsigned)st < n && status_map[st].code ? status_map[st].code
                                                   : "error";
}

int reply_store(call *c, sw_store *s, sw_status st)
{
    size_t n = sizeof(status_map) / sizeof(status_map[0]);
    int http =
        (unsigned)st < n && status_map[st].code ? status_map[st].http : 500;
    if (http == 503 && !c->retry_after[0])
        snprintf(c->retry_after, sizeof(c->retry_after), "1");
    return reply_error(c, http, status_code(st), "%s",
                       s ? sw_errmsg(s) : sw_strerror(st));
}

int reply_list(call *c, sw_store *s, sw_status st, const char *key,
               json_t *list)
{
    if (st != SW_OK) {
        json_decref(list);
        return reply_store(c, s, st);
    }
    return reply_json(c, 200, json_pack("{s:o}", key, list));
}

int reply_missing(call *c, const char *what)
{
    return reply_error(c, 422, "invalid", "%s", what);
}

/* ---- reading a call ---- */

static const char *kv_find(const kv *v, size_t n, const char *name, bool nocase)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].name && (nocase ? strcasecmp(v[i].name, name) == 0
                                 : strcmp(v[i].name, name) == 0))
            return v[i].value;
    return NULL;
}

const char *q_arg(call *c, const char *name)
{
    const char *v = kv_find(c->args, c->n_args, name, false);
    return v && *v ? v : NULL;
}

const char *q_header(call *c, const char *name)
{
    return kv_find(c->headers, c->n_headers, name, true);
}

const char *q_cookie(call *c, const char *name)
{
    return kv_find(c->cookies, c->n_cookies, name, false);
}

bool q_uint(call *c, const char *name, size_t dflt, size_t max, size_t *out)
{
    const char *v = q_arg(c, name);
    *out = dflt;
    if (!v)
        return true;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || x < 1 || x > max) {
        reply_error(c, 422, "invalid",
                    "%s '%s': expected a whole number from 1 to %zu", name, v,
                    max);
        return false;
    }
    *out = (size_t)x;
    return true;
}

const char *b_str(call *c, const char *name)
{
    json_t *v = c->in ? json_object_get(c->in, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool b_bool(call *c, const char *name, bool def)
{
    json_t *v = c->in ? json_object_get(c->in, name) : NULL;
    return json_is_boolean(v) ? json_is_true(v) : def;
}

static const char *const ident_names[] = {
    "email", "phone", "msisdn", "imsi", "imei", "ip", "account_id", "visitor"};

bool who_of(call *c, sw_who *who, sw_ident *id)
{
    memset(who, 0, sizeof(*who));
    int n = 0;
    const char *subject = q_arg(c, "subject");
    if (!subject)
        subject = b_str(c, "subject");
    if (subject) {
        who->subject = subject;
        n++;
    }
    for (size_t i = 0; i < sizeof(ident_names) / sizeof(ident_names[0]); i++) {
        const char *v = q_arg(c, ident_names[i]);
        if (!v)
            v = b_str(c, ident_names[i]);
        if (v) {
            id->type = ident_names[i];
            id->value = v;
            who->ident = id;
            n++;
        }
    }
    if (n != 1) {
        reply_error(c, 422, "invalid",
                    "name exactly one of subject, email, phone, msisdn, imsi, "
                    "imei, ip, account_id or visitor");
        return false;
    }
    return true;
}

bool instant_arg(call *c, const char *name, const char *text, bool *has,
                 sw_instant *out)
{
    *has = false;
    if (!text)
        return true;
    if (sw_instant_parse(text, out) != SW_OK) {
        reply_error(c, 422, "invalid",
                    "%s: '%s' is not an ISO-8601 instant or date", name, text);
        return false;
    }
    *has = true;
    return true;
}

void call_actor(call *c, sw_store *s)
{
    char actor[128];
    if (c->has_key)
        snprintf(actor, sizeof(actor), "%s (%s)", c->key.id,
                 sw_key_role_name(c->key.role));
    else
        snprintf(actor, sizeof(actor), "privacy-centre");
    sw_store_set_actor(s, actor);
}

/* ---- routing ---- */

static bool match(const char *pattern, const char *path, call *c)
{
    const char *p = pattern, *u = path;
    char *out = c->segs;
    size_t left = sizeof(c->segs), np = 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *ue = strchr(u, '/');
            size_t len = ue ? (size_t)(ue - u) : strlen(u);
            if (!pe || !len || len + 1 > left || np == MAX_PARAMS)
                return false;
            memcpy(out, u, len);
            out[len] = '\0';
            c->param[np++] = out;
            out += len + 1;
            left -= len + 1;
            p = pe + 1;
            u += len;
        } else if (*p++ != *u++) {
            return false;
        }
    }
    return !*p && !*u;
}

call *call_new(server *srv)
{
    call *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->srv = srv;
    c->t0 = mono();
    c->route_ix = srv->n_routes + 1; /* unmatched until routed */
    return c;
}

bool call_route(call *c, bool *other)
{
    server *srv = c->srv;
    *other = false;
    for (size_t i = 0; i < srv->n_routes; i++) {
        const route *r = &srv->routes[i];
        if (!match(r->path, c->path, c))
            continue;
        if (strcmp(r->method, c->method) == 0) {
            c->route_ix = i;
            c->rt = r;
            return true;
        }
        /* the methods this path serves, for a 405's Allow (RFC 9110) */
        size_t n = strlen(c->allow);
        if (!strstr(c->allow, r->method) &&
            n + strlen(r->method) + 3 < sizeof(c->allow))
            snprintf(c->allow + n, sizeof(c->allow) - n, "%s%s", n ? ", " : "",
                     r->method);
        *other = true;
    }
    return false;
}

/* Every argument is text (RFC 3629 UTF-8 without NUL): what the library
 * reads is what was sent, and a message quoting it stays JSON. */
static bool args_are_text(call *c)
{
    for (size_t i = 0; i < c->n_args; i++) {
        const kv *a = &c->args[i];
        if (!sw_utf8_valid(a->name, strlen(a->name))) {
            reply_error(c, 422, "invalid",
                        "a query argument's name is not UTF-8 text");
            return false;
        }
        if (a->value && !sw_utf8_valid(a->value, a->value_len)) {
            reply_error(c, 422, "invalid",
                        "query argument '%s' is not UTF-8 text (or holds a "
                        "NUL byte)",
                        a->name);
            return false;
        }
    }
    return true;
}

bool call_admit(call *c)
{
    server *srv = c->srv;
    double retry = 0;
    if (!args_are_text(c))
        return false;
    if (c->rt->flags & F_PUBLIC) {
        char who[72];
        snprintf(who, sizeof(who), "ip:%s", c->client);
        if (!rate_take(srv, who, &retry))
            goto limited;
        return true;
    }
    const char *auth = q_header(c, "Authorization");
    const char *token = q_header(c, "X-API-Key");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        token = auth + 7;
    if (!token || !*token) {
        reply_error(c, 401, "unauthorized",
                    "an API key is required: 'Authorization: Bearer KEY' "
                    "(steward key create)");
        return false;
    }
    char why[512];
    sw_status st = key_check(srv, token, &c->key, why, sizeof(why));
    if (st == SW_ERR_DENIED) {
        reply_error(c, 401, "unauthorized", "%s", why);
        return false;
    }
    if (st != SW_OK) {
        reply_error(c, st == SW_ERR_BUSY ? 503 : 500, status_code(st), "%s",
                    why);
        return false;
    }
    c->has_key = true;
    if (!(c->rt->roles & (1u << c->key.role)) && c->key.role != SW_ROLE_ADMIN) {
        reply_error(c, 403, "forbidden", "a %s key may not %s %s",
                    sw_key_role_name(c->key.role), c->rt->method, c->rt->path);
        return false;
    }
    if (c->key.account[0] && !(c->rt->flags & F_ACCOUNT)) {
        reply_error(c, 403, "forbidden",
                    "a key of one customer's account may not %s %s",
                    c->rt->method, c->rt->path);
        return false;
    }
    if (!rate_take(srv, c->key.id, &retry))
        goto limited;
    return true;
limited:
    snprintf(c->retry_after, sizeof(c->retry_after), "%d",
             (int)ceil(retry > 0 ? retry : 1));
    reply_error(c, 429, "rate_limited",
                "too many requests: at most %g per second; retry after %s s",
                srv->o.rate, c->retry_after);
    return false;
}

/* Runs the handler with a store of the pool (the caller is admitted). */
static void dispatch(call *c)
{
    server *srv = c->srv;
    char err[512];
    sw_store *s = pool_take(srv, err, sizeof(err));
    if (!s) {
        reply_error(c, 500, "store", "%s", err);
        return;
    }
    call_actor(c, s);
    c->rt->fn(c, s);
    pool_give(srv, s);
    if (!c->status)
        reply_error(c, 500, "internal", "the handler gave no answer");
}

void call_run(call *c)
{
    server *srv = c->srv;
    if (c->status)
        return; /* answered already (401, 404...) */
    if (c->too_big) {
        reply_error(c, 413, "too_large",
                    "the body is larger than %zu bytes (--max-body)",
                    srv->o.max_body);
        return;
    }
    if (c->bad_type) {
        reply_error(c, 415, "unsupported_media_type",
                    "send the body as application/json");
        return;
    }
    if (c->len && !(c->rt->flags & F_RAWBODY)) {
        json_error_t je;
        c->in = json_loadb(c->body, c->len, 0, &je);
        if (!json_is_object(c->in)) {
            char err[512];
            snprintf(err, sizeof(err), "%s",
                     c->in ? "the body must be a JSON object" : je.text);
            json_decref(c->in);
            c->in = NULL;
            reply_error(c, 400, "syntax", "body, line %d: %s", je.line, err);
            return;
        }
    }
    dispatch(c);
}

void call_free(call *c)
{
    if (!c)
        return;
    json_decref(c->in);
    json_decref(c->out);
    free(c->raw);
    free(c->body);
    free(c->args);
    free(c->headers);
    free(c->cookies);
    free(c);
}

/* ---- the log ---- */

void log_line(json_t *o)
{
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (line)
        fprintf(stderr, "%s\n", line);
    free(line);
    json_decref(o);
}

void log_call(call *c, double now)
{
    char at[SW_INSTANT_BUFSZ];
    server *srv = c->srv;
    /* the route's template, never the path or the query: no personal
     * values in the log */
    fprintf(stderr,
            "{\"ts\":\"%s\",\"method\":\"%s\",\"route\":\"%s\","
            "\"status\":%d,\"ms\":%.3f,\"role\":\"%s\",\"key\":\"%s\"}\n",
            sw_instant_format(srv_now(srv), at), method_label(c->method),
            route_label(srv, c->route_ix), c->status, (now - c->t0) * 1e3,
            c->has_key                           ? sw_key_role_name(c->key.role)
            : c->rt && (c->rt->flags & F_PUBLIC) ? "public"
                                                 : "none",
            c->has_key ? c->key.id : "");
}
