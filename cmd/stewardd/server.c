/* SPDX-License-Identifier: Apache-2.0 */
/* stewardd's plumbing: requests in, library calls, JSON out. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

sw_instant srv_now(const server *srv)
{
    return sw_clock_now(&srv->clock);
}

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
    return reply_json(c, status,
                      json_pack("{s:{s:s, s:s}}", "error", "code", code,
                                "message", msg));
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
    int http = (unsigned)st < n && status_map[st].code ? status_map[st].http
                                                        : 500;
    const char *code =
        (unsigned)st < n && status_map[st].code ? status_map[st].code : "error";
    if (http == 503)
        snprintf(c->retry_after, sizeof(c->retry_after), "1");
    return reply_error(c, http, code, "%s", s ? sw_errmsg(s) : sw_strerror(st));
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

const char *q_arg(call *c, const char *name)
{
    const char *v =
        MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

const char *q_header(call *c, const char *name)
{
    return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, name);
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

/* ---- the store pool: one handle per call in flight ---- */

sw_store *pool_take(server *srv, char *err, size_t n)
{
    unsigned long now = atomic_load(&srv->writes);
    sw_store *s = NULL;
    bool stale = false;
    pthread_mutex_lock(&srv->pool_mu);
    /* the oldest free handle: those opened (and warmed) at start first */
    for (size_t i = 0; i < srv->n_pool; i++) {
        struct pooled *e = &srv->pool[i];
        if (!e->busy) {
            e->busy = true;
            stale = e->seen != now;
            e->seen = now;
            s = e->s;
            break;
        }
    }
    pthread_mutex_unlock(&srv->pool_mu);
    if (s) {
        /* another handle changed the store since this one last served:
         * what it decided before may no longer hold */
        if (stale)
            sw_decide_forget(s);
        return s;
    }
    sw_error e;
    if (sw_store_open(srv->o.store, &srv->so, &s, &e) != SW_OK) {
        snprintf(err, n, "%s", e.msg);
        return NULL;
    }
    pthread_mutex_lock(&srv->pool_mu);
    struct pooled *p = realloc(srv->pool, (srv->n_pool + 1) * sizeof(*p));
    if (p) {
        srv->pool = p;
        p[srv->n_pool++] = (struct pooled){s, now, true};
    }
    pthread_mutex_unlock(&srv->pool_mu);
    if (!p) {
        sw_store_close(s);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    return s;
}

void pool_give(server *srv, sw_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&srv->pool_mu);
    for (size_t i = 0; i < srv->n_pool; i++)
        if (srv->pool[i].s == s)
            srv->pool[i].busy = false;
    pthread_mutex_unlock(&srv->pool_mu);
}

void srv_changed(server *srv)
{
    atomic_fetch_add(&srv->writes, 1);
}

static void pool_close(server *srv)
{
    for (size_t i = 0; i < srv->n_pool; i++)
        sw_store_close(srv->pool[i].s);
    free(srv->pool);
    srv->pool = NULL;
    srv->n_pool = 0;
}

/* One handle warmed on a thread of its own: the handles warm at once. */
typedef struct warming {
    sw_store *s;
    size_t months;
    sw_status st;
    pthread_t th;
    bool started;
} warming;

static void *warm_one(void *arg)
{
    warming *w = arg;
    w->st = sw_traffic_warm(w->s, &w->months);
    return NULL;
}

int pool_open(server *srv, unsigned n, size_t *months, double *ms, char *err,
              size_t len)
{
    warming *w = calloc(n, sizeof(*w));
    if (!w) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    double t0 = mono();
    int rc = 0;
    for (unsigned i = 0; i < n && rc == 0; i++) /* all busy: each is new */
        if (!(w[i].s = pool_take(srv, err, len)))
            rc = -1;
    for (unsigned i = 0; i < n && rc == 0; i++)
        w[i].started = pthread_create(&w[i].th, NULL, warm_one, &w[i]) == 0;
    *months = 0;
    for (unsigned i = 0; i < n && w[i].s; i++) {
        if (w[i].started)
            pthread_join(w[i].th, NULL);
        else if (rc == 0) /* no thread: warmed here */
            warm_one(&w[i]);
        if (rc == 0 && w[i].st != SW_OK) {
            snprintf(err, len, "warming traffic look-ups: %s",
                     sw_errmsg(w[i].s));
            rc = -1;
        }
        *months = w[i].months; /* each handle reads the same months */
        pool_give(srv, w[i].s);
    }
    free(w);
    if (rc != 0)
        pool_close(srv);
    *ms = (mono() - t0) * 1e3;
    return rc;
}

/* ---- keys: checked against the store, remembered for a few seconds ---- */

#define KEY_TTL 5.0

static size_t key_slot_of(const char *token)
{
    size_t h = 5381;
    for (const char *p = token; *p; p++)
        h = h * 33 + (unsigned char)*p;
    return h % KEY_CACHE;
}

/* The key a token names: a remembered one without the store, else the
 * store's answer (*why gets its message). */
static sw_status key_check(server *srv, const char *token, sw_key_view *out,
                           char *why, size_t n)
{
    size_t i = key_slot_of(token);
    double now = mono();
    pthread_mutex_lock(&srv->key_mu);
    key_slot *k = &srv->keys[i];
    bool hit = k->used && now - k->checked < KEY_TTL &&
               strcmp(k->token, token) == 0;
    if (hit)
        *out = k->key;
    pthread_mutex_unlock(&srv->key_mu);
    if (hit)
        return SW_OK;
    sw_store *s = pool_take(srv, why, n);
    if (!s)
        return SW_ERR_STORE;
    sw_status st = sw_key_check(s, token, out);
    if (st != SW_OK)
        snprintf(why, n, "%s", sw_errmsg(s));
    pool_give(srv, s);
    if (st == SW_OK) {
        pthread_mutex_lock(&srv->key_mu);
        k->used = true;
        k->checked = now;
        k->key = *out;
        snprintf(k->token, sizeof(k->token), "%s", token);
        pthread_mutex_unlock(&srv->key_mu);
    }
    return st;
}

void keys_forget(server *srv)
{
    pthread_mutex_lock(&srv->key_mu);
    memset(srv->keys, 0, sizeof(srv->keys));
    pthread_mutex_unlock(&srv->key_mu);
}

/* ---- rate limit: a token bucket per key (or per address) ---- */

static bool rate_take(server *srv, const char *who, double *retry)
{
    if (srv->o.rate <= 0)
        return true;
    size_t h = key_slot_of(who) % RATE_SLOTS;
    double now = mono(), burst = srv->o.rate * 2;
    pthread_mutex_lock(&srv->rate_mu);
    rate_slot *r = &srv->rates[h];
    if (strcmp(r->who, who) != 0) {
        snprintf(r->who, sizeof(r->who), "%s", who);
        r->tokens = burst;
        r->last = now;
    }
    r->tokens += (now - r->last) * srv->o.rate;
    if (r->tokens > burst)
        r->tokens = burst;
    r->last = now;
    bool ok = r->tokens >= 1;
    if (ok)
        r->tokens -= 1;
    else
        *retry = (1 - r->tokens) / srv->o.rate;
    pthread_mutex_unlock(&srv->rate_mu);
    return ok;
}

/* ---- metrics ---- */

/* The statuses counted apart; the last slot counts any other. */
static const int status_slots[N_STATUS_SLOTS] = {
    200, 201, 202, 204, 301, 304, 400, 401, 403, 404,
    405, 409, 413, 415, 422, 429, 500, 503, 0};
static const double bucket_le[N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025, 0.05,   0.1,
                                            0.25,   0.5,   1,      2.5,
                                            10};

static void count_call(server *srv, size_t route_ix, int status, double secs)
{
    size_t slot = N_STATUS_SLOTS - 1;
    for (size_t i = 0; i < N_STATUS_SLOTS; i++)
        if (status_slots[i] == status)
            slot = i;
    atomic_fetch_add(&srv->by_route[route_ix * N_STATUS_SLOTS + slot], 1);
    size_t b = N_BUCKETS;
    for (size_t i = 0; i < N_BUCKETS; i++)
        if (secs <= bucket_le[i]) {
            b = i;
            break;
        }
    atomic_fetch_add(&srv->latency[b], 1);
    atomic_fetch_add(&srv->latency_sum_us, (unsigned long)(secs * 1e6));
    atomic_fetch_add(&srv->latency_count, 1);
}

void count_decision(server *srv, bool allow)
{
    atomic_fetch_add(allow ? &srv->decisions_allowed : &srv->decisions_denied,
                     1);
}

typedef struct open_ctx {
    sw_instant now;
    unsigned long by[5]; /* overdue, 0-7, 8-14, 15-30, more */
} open_ctx;

static int open_one(const sw_request_view *r, void *p)
{
    open_ctx *o = p;
    long d = sv_days_left(o->now, r->due_at);
    o->by[d < 0 ? 0 : d <= 7 ? 1 : d <= 14 ? 2 : d <= 30 ? 3 : 4]++;
    return 0;
}

static const char *route_label(server *srv, size_t ix)
{
    return ix < srv->n_routes ? srv->routes[ix].path
           : ix == srv->n_routes ? "static"
                                 : "unmatched";
}

char *metrics_text(server *srv, sw_store *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fprintf(f, "# HELP stewardd_requests_total HTTP requests by route and "
               "status.\n# TYPE stewardd_requests_total counter\n");
    for (size_t r = 0; r < srv->n_routes + 2; r++)
        for (size_t i = 0; i < N_STATUS_SLOTS; i++) {
            unsigned long v =
                atomic_load(&srv->by_route[r * N_STATUS_SLOTS + i]);
            char code[8];
            snprintf(code, sizeof(code), "%d", status_slots[i]);
            if (v)
                fprintf(f,
                        "stewardd_requests_total{method=\"%s\",route=\"%s\","
                        "status=\"%s\"} %lu\n",
                        r < srv->n_routes ? srv->routes[r].method : "GET",
                        route_label(srv, r),
                        status_slots[i] ? code : "other", v);
        }
    fprintf(f, "# HELP stewardd_request_seconds Time to answer a request.\n"
               "# TYPE stewardd_request_seconds histogram\n");
    unsigned long cum = 0;
    for (size_t i = 0; i < N_BUCKETS; i++) {
        cum += atomic_load(&srv->latency[i]);
        fprintf(f, "stewardd_request_seconds_bucket{le=\"%g\"} %lu\n",
                bucket_le[i], cum);
    }
    cum += atomic_load(&srv->latency[N_BUCKETS]);
    fprintf(f, "stewardd_request_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
    fprintf(f, "stewardd_request_seconds_sum %.6f\n",
            (double)atomic_load(&srv->latency_sum_us) / 1e6);
    fprintf(f, "stewardd_request_seconds_count %lu\n",
            atomic_load(&srv->latency_count));
    fprintf(f,
            "# HELP stewardd_decisions_total Purpose decisions by outcome.\n"
            "# TYPE stewardd_decisions_total counter\n"
            "stewardd_decisions_total{decision=\"allow\"} %lu\n"
            "stewardd_decisions_total{decision=\"deny\"} %lu\n",
            atomic_load(&srv->decisions_allowed),
            atomic_load(&srv->decisions_denied));
    pthread_mutex_lock(&srv->sweep_mu);
    fprintf(f,
            "# HELP stewardd_sweeps_total Retention sweeps run.\n"
            "# TYPE stewardd_sweeps_total counter\n"
            "stewardd_sweeps_total %lu\n"
            "# HELP stewardd_sweep_failures_total Sweeps that failed.\n"
            "# TYPE stewardd_sweep_failures_total counter\n"
            "stewardd_sweep_failures_total %lu\n"
            "# HELP stewardd_swept_records_total Records the sweeps deleted "
            "or anonymised.\n# TYPE stewardd_swept_records_total counter\n"
            "stewardd_swept_records_total %lu\n"
            "# HELP stewardd_last_sweep_timestamp_seconds When the last "
            "sweep ran.\n# TYPE stewardd_last_sweep_timestamp_seconds gauge\n"
            "stewardd_last_sweep_timestamp_seconds %lld\n",
            srv->sweeps, srv->sweep_failures, srv->sweep_records,
            (long long)srv->last_sweep);
    pthread_mutex_unlock(&srv->sweep_mu);
    open_ctx oc = {.now = srv_now(srv)};
    if (sw_request_list(s, false, 0, open_one, &oc) == SW_OK) {
        static const char *const bands[5] = {"overdue", "0-7", "8-14",
                                             "15-30", "31+"};
        fprintf(f, "# HELP stewardd_open_requests Open data-subject "
                   "requests by days left.\n"
                   "# TYPE stewardd_open_requests gauge\n");
        for (int i = 0; i < 5; i++)
            fprintf(f, "stewardd_open_requests{days_left=\"%s\"} %lu\n",
                    bands[i], oc.by[i]);
    }
    fclose(f);
    return buf;
}

/* ---- the outbox: what the platform would send ---- */

int outbox_send(server *srv, const char *channel, const char *to,
                const char *subject, const char *body)
{
    if (!srv->o.outbox)
        return 0;
    char at[SW_INSTANT_BUFSZ];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "at",
                          sw_instant_format(srv_now(srv), at), "channel",
                          channel, "to", to, "subject", subject, "body", body);
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!line)
        return -1;
    pthread_mutex_lock(&srv->out_mu);
    int fd = open(srv->o.outbox, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                  0600);
    int rc = -1;
    if (fd >= 0) {
        size_t n = strlen(line);
        line[n] = '\n';
        rc = write(fd, line, n + 1) == (ssize_t)(n + 1) ? 0 : -1;
        close(fd);
    }
    pthread_mutex_unlock(&srv->out_mu);
    free(line);
    return rc;
}

/* ---- static pages ---- */

static const char *ctype_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".json", "application/json"},
                 {".yaml", "application/yaml"}};
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* The file under web_dir a page path names, or -1. */
static int static_file(server *srv, const char *url, char *file, size_t n,
                       off_t *size)
{
    if (!srv->o.web_dir || strstr(url, "..") || strchr(url, '\\'))
        return -1;
    static const char *const roots[] = {"/privacy", "/console", "/static"};
    bool ok = strcmp(url, "/") == 0;
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(roots[i]);
        if (strncmp(url, roots[i], l) == 0 && (url[l] == '/' || !url[l]))
            ok = true;
    }
    if (!ok)
        return -1;
    const char *rel = strcmp(url, "/") == 0 ? "/privacy/" : url;
    size_t rl = strlen(rel);
    int w = snprintf(file, n, "%s%s%s", srv->o.web_dir, rel,
                     rel[rl - 1] == '/' ? "index.html" : "");
    if (w < 0 || (size_t)w >= n)
        return -1;
    struct stat sb;
    if (stat(file, &sb) != 0)
        return -1;
    if (S_ISDIR(sb.st_mode)) {
        size_t fl = strlen(file);
        if (fl + 12 >= n)
            return -1;
        memcpy(file + fl, "/index.html", 12);
        if (stat(file, &sb) != 0)
            return -1;
    } else if (!strchr(strrchr(file, '/'), '.')) {
        return -1;
    }
    /* /privacy/unsubscribe and the like: a page of the same name */
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        *size = sb.st_size;
    return fd;
}

static int page_of(server *srv, const char *url, char *file, size_t n,
                   off_t *size)
{
    int fd = static_file(srv, url, file, n, size);
    if (fd >= 0 || strchr(url + 1, '.'))
        return fd;
    char alt[600]; /* "/privacy/unsubscribe" -> ".../unsubscribe.html" */
    snprintf(alt, sizeof(alt), "%s.html", url);
    return static_file(srv, alt, file, n, size);
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

/* The route for method and path; *other: the path exists with another
 * method (405). */
static const route *route_find(server *srv, call *c, const char *method,
                               const char *path, bool *other)
{
    *other = false;
    for (size_t i = 0; i < srv->n_routes; i++) {
        const route *r = &srv->routes[i];
        if (!match(r->path, path, c))
            continue;
        if (strcmp(r->method, method) == 0) {
            c->route_ix = i;
            return r;
        }
        *other = true;
    }
    return NULL;
}

/* ---- answering ---- */

static enum MHD_Result send_reply(call *c)
{
    struct MHD_Response *resp;
    const char *ctype = "application/json";
    if (c->raw) {
        resp = MHD_create_response_from_buffer(c->raw_len, c->raw,
                                               MHD_RESPMEM_MUST_FREE);
        c->raw = NULL;
        ctype = c->ctype;
    } else {
        char *text = json_dumps(c->out ? c->out : json_object(),
                                JSON_COMPACT | JSON_PRESERVE_ORDER);
        size_t n = text ? strlen(text) : 0;
        if (text)
            text[n] = '\0';
        char *body = text ? realloc(text, n + 2) : NULL;
        if (body) {
            body[n] = '\n';
            body[n + 1] = '\0';
        } else {
            free(text);
        }
        resp = MHD_create_response_from_buffer(body ? n + 1 : 0, body,
                                               MHD_RESPMEM_MUST_FREE);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (c->retry_after[0])
        MHD_add_response_header(resp, "Retry-After", c->retry_after);
    if (c->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", c->set_cookie);
    if (c->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate",
                                "Bearer realm=\"stewardd\"");
    enum MHD_Result r = MHD_queue_response(c->conn, (unsigned)c->status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result send_file(call *c, int fd, off_t size, const char *file)
{
    struct MHD_Response *resp =
        MHD_create_response_from_fd((uint64_t)size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype_of(file));
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'");
    c->status = 200;
    enum MHD_Result r = MHD_queue_response(c->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
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

/* Authenticates and authorises; false after replying 401/403/429. */
static bool admit(call *c)
{
    server *srv = c->srv;
    double retry = 0;
    if (c->rt->flags & F_PUBLIC) {
        char who[64];
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
    if (!(c->rt->roles & (1u << c->key.role)) &&
        c->key.role != SW_ROLE_ADMIN) {
        reply_error(c, 403, "forbidden",
                    "a %s key may not %s %s", sw_key_role_name(c->key.role),
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

static void log_call(call *c)
{
    char at[SW_INSTANT_BUFSZ];
    server *srv = c->srv;
    /* the route's template, never the path or the query: no personal
     * values in the log */
    fprintf(stderr,
            "{\"ts\":\"%s\",\"method\":\"%s\",\"route\":\"%s\","
            "\"status\":%d,\"ms\":%.3f,\"role\":\"%s\",\"key\":\"%s\"}\n",
            sw_instant_format(srv_now(srv), at), c->method,
            route_label(srv, c->route_ix), c->status,
            (mono() - c->t0) * 1e3,
            c->has_key ? sw_key_role_name(c->key.role)
            : c->rt && (c->rt->flags & F_PUBLIC) ? "public"
                                                 : "none",
            c->has_key ? c->key.id : "");
}

static void call_free(call *c)
{
    json_decref(c->in);
    json_decref(c->out);
    free(c->raw);
    free(c->body);
    free(c);
}

/* Runs the handler with a store of the pool (the caller is admitted). */
static enum MHD_Result dispatch(call *c)
{
    server *srv = c->srv;
    char err[512];
    sw_store *s = pool_take(srv, err, sizeof(err));
    if (!s) {
        reply_error(c, 500, "store", "%s", err);
        return send_reply(c);
    }
    call_actor(c, s);
    c->rt->fn(c, s);
    if (strcmp(c->method, "GET") != 0)
        srv_changed(srv);
    pool_give(srv, s);
    if (!c->status)
        reply_error(c, 500, "internal", "the handler gave no answer");
    return send_reply(c);
}

static void client_of(call *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    c->client[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  c->client, sizeof(c->client));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  c->client, sizeof(c->client));
}

/* The first call of a request: route it, check the key before any body
 * is read (a streamed ingest must not start for a caller who may not). */
static enum MHD_Result first_call(server *srv, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  void **req_cls)
{
    call *c = calloc(1, sizeof(*c));
    if (!c)
        return MHD_NO;
    c->srv = srv;
    c->conn = conn;
    c->method = method;
    c->t0 = mono();
    c->route_ix = srv->n_routes + 1;
    snprintf(c->path, sizeof(c->path), "%s", url);
    client_of(c);
    *req_cls = c;
    atomic_fetch_add(&srv->inflight, 1);
    bool other;
    c->rt = route_find(srv, c, method, url, &other);
    if (c->rt) {
        const char *len = q_header(c, "Content-Length");
        const char *type = q_header(c, "Content-Type");
        if (!(c->rt->flags & (F_STREAM | F_RAWBODY)) && len &&
            strtoull(len, NULL, 10) > srv->o.max_body)
            c->too_big = true;
        if (!(c->rt->flags & (F_STREAM | F_RAWBODY)) && len &&
            strtoull(len, NULL, 10) > 0 &&
            (!type || strncasecmp(type, "application/json", 16) != 0))
            c->bad_type = true;
        admit(c); /* the key first: 401/403/429 before any of the body */
        return MHD_YES;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        char file[1024];
        off_t size = 0;
        int fd = page_of(srv, url, file, sizeof(file), &size);
        c->route_ix = srv->n_routes;
        if (fd >= 0)
            return send_file(c, fd, size, file);
        if (strcmp(url, "/privacy") == 0 || strcmp(url, "/console") == 0) {
            struct MHD_Response *resp =
                MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
            char loc[32];
            snprintf(loc, sizeof(loc), "%s/", url);
            MHD_add_response_header(resp, "Location", loc);
            c->status = 301;
            enum MHD_Result r = MHD_queue_response(conn, 301, resp);
            MHD_destroy_response(resp);
            return r;
        }
        c->route_ix = srv->n_routes + 1;
    }
    if (other)
        reply_error(c, 405, "method_not_allowed", "%s is not served for %s",
                    method, url);
    else
        reply_error(c, 404, "not_found", "no such route: %s %s", method, url);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *size, void **req_cls)
{
    (void)version;
    server *srv = cls;
    call *c = *req_cls;
    if (!c)
        return first_call(srv, conn, url, method, req_cls);
    if (*size) { /* a piece of the body */
        if (c->status) { /* already answered (401, 404...): drain */
            *size = 0;
            return MHD_YES;
        }
        if (c->rt->flags & F_STREAM) {
            if (!c->stream_data)
                c->rt->fn(c, NULL); /* starts the stream */
            if (c->stream_data) /* it keeps its own failures */
                c->stream_data(c, data, *size);
        } else if (!c->too_big && !c->bad_type) {
            if (c->len + *size > srv->o.max_body) {
                c->too_big = true;
            } else {
                if (c->len + *size + 1 > c->cap) {
                    size_t cap = (c->len + *size + 1) * 2;
                    char *b = realloc(c->body, cap);
                    if (!b)
                        return MHD_NO;
                    c->body = b;
                    c->cap = cap;
                }
                memcpy(c->body + c->len, data, *size);
                c->len += *size;
                c->body[c->len] = '\0';
            }
        }
        *size = 0;
        return MHD_YES;
    }
    /* the body is complete: answer */
    if (c->status)
        return send_reply(c);
    if (c->rt->flags & F_STREAM) {
        if (!c->stream_end)
            c->rt->fn(c, NULL); /* an empty body */
        if (c->stream_end)
            c->stream_end(c, false);
        c->stream_end = NULL;
        if (!c->status)
            reply_error(c, 500, "internal", "the ingest gave no answer");
        return send_reply(c);
    }
    if (c->too_big) {
        reply_error(c, 413, "too_large",
                    "the body is larger than %zu bytes (--max-body)",
                    srv->o.max_body);
        return send_reply(c);
    }
    if (c->bad_type) {
        reply_error(c, 415, "unsupported_media_type",
                    "send the body as application/json");
        return send_reply(c);
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
            reply_error(c, 400, "syntax", "body, line %d: %s", je.line,
                        err);
            return send_reply(c);
        }
    }
    return dispatch(c);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    server *srv = cls;
    call *c = *req_cls;
    if (!c)
        return;
    if (c->stream_end)
        c->stream_end(c, true);
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK || c->status) {
        count_call(srv, c->route_ix, c->status ? c->status : 500,
                   mono() - c->t0);
        log_call(c);
    }
    call_free(c);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

void log_line(json_t *o)
{
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (line)
        fprintf(stderr, "%s\n", line);
    free(line);
    json_decref(o);
}

/* libmicrohttpd's own messages, as JSON lines like the others. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\r\n")] = '\0';
    log_line(json_pack("{s:s, s:s}", "event", "http", "message", msg));
}

/* ---- start and stop ---- */

static char *read_all(const char *path, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t r;
    while (m && (r = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, r, m);
    fclose(f);
    if (m)
        fclose(m);
    if (!buf)
        snprintf(err, n, "%s: out of memory", path);
    return buf;
}

int server_start(server *srv, char *err, size_t n)
{
    srv->routes = routes_api;
    srv->n_routes = n_routes_api;
    srv->by_route =
        calloc((srv->n_routes + 2) * N_STATUS_SLOTS, sizeof(*srv->by_route));
    if (!srv->by_route) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    char host[256];
    const char *colon = strrchr(srv->o.listen, ':');
    if (!colon || (size_t)(colon - srv->o.listen) >= sizeof(host)) {
        snprintf(err, n, "--listen '%s': expected HOST:PORT", srv->o.listen);
        return -1;
    }
    memcpy(host, srv->o.listen, (size_t)(colon - srv->o.listen));
    host[colon - srv->o.listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (*end || port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, n, "--listen '%s': expected an IPv4 address and a port",
                 srv->o.listen);
        return -1;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    char *cert = NULL, *key = NULL;
    if (srv->o.tls_cert || srv->o.tls_key) {
        if (!srv->o.tls_cert || !srv->o.tls_key) {
            snprintf(err, n, "--tls-cert and --tls-key go together");
            return -1;
        }
        if (!(cert = read_all(srv->o.tls_cert, err, n)) ||
            !(key = read_all(srv->o.tls_key, err, n))) {
            free(cert);
            return -1;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL}};
    srv->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        /* first: the options after it log through it */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        srv->o.threads, MHD_OPTION_CONNECTION_TIMEOUT, srv->o.timeout,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        1u, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (cert)
        sodium_memzero(key, strlen(key));
    free(cert);
    free(key);
    if (!srv->mhd) {
        snprintf(err, n, "cannot listen on %s (in use, or not an address "
                         "of this machine; TLS: are the files PEM?)",
                 srv->o.listen);
        return -1;
    }
    return 0;
}

void server_stop(server *srv)
{
    if (!srv->mhd)
        return;
    /* no new connections; the calls in flight finish (up to 30 s) */
    MHD_socket fd = MHD_quiesce_daemon(srv->mhd);
    for (int i = 0; i < 3000 && atomic_load(&srv->inflight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    srv->mhd = NULL;
    pool_close(srv);
    free(srv->by_route);
    srv->by_route = NULL;
}
