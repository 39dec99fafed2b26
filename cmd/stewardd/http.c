/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stewardd on libmicrohttpd: connections in, calls (call.c) run, replies
 * out. Besides the library's own limits it keeps connections honest: at
 * most so many open in all and from one address, a request's head within
 * --header-timeout, a body at --min-rate at least (a reaper thread cuts
 * the slow ones), and it holds the public door's answers back to a floor
 * without holding a worker (the connection is suspended, then resumed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stewardd.h"

/* ---- the connections open, for the reaper ---- */

enum conn_phase {
    CP_IDLE,  /* waiting for (or reading) a request's head */
    CP_BODY,  /* the head is in; the body is arriving */
    CP_REPLY, /* the body is in: the handler runs, the reply goes out */
};

struct conn_track {
    int fd;
    enum conn_phase phase;
    double idle_since, request_at;
    size_t body_bytes;
    bool cut;
    conn_track *prev, *next;
};

static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_track *t = calloc(1, sizeof(*t));
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = t;
        if (!t)
            return;
        t->fd = ci ? ci->connect_fd : -1;
        t->phase = CP_IDLE;
        t->idle_since = mono();
        pthread_mutex_lock(&srv->conn_mu);
        t->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = t;
        srv->conns = t;
        pthread_mutex_unlock(&srv->conn_mu);
        return;
    }
    /* closed: libmicrohttpd closes the socket after this returns, so the
     * reaper (under the same lock) never shuts down a reused descriptor */
    conn_track *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&srv->conn_mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        srv->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&srv->conn_mu);
    free(t);
    *socket_context = NULL;
}

static conn_track *track_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void track_phase(server *srv, conn_track *t, enum conn_phase p)
{
    if (!t)
        return;
    pthread_mutex_lock(&srv->conn_mu);
    t->phase = p;
    double now = mono();
    if (p == CP_BODY) {
        t->request_at = now;
        t->body_bytes = 0;
    } else if (p == CP_IDLE) {
        t->idle_since = now;
    }
    pthread_mutex_unlock(&srv->conn_mu);
}

static void track_bytes(server *srv, conn_track *t, size_t n)
{
    if (!t)
        return;
    pthread_mutex_lock(&srv->conn_mu);
    t->body_bytes += n;
    pthread_mutex_unlock(&srv->conn_mu);
}

/* Cuts the connections too slow with their head or their body. */
static void *reaper(void *arg)
{
    server *srv = arg;
    while (!atomic_load(&srv->stopping)) {
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
        double now = mono(), head = srv->o.header_timeout;
        pthread_mutex_lock(&srv->conn_mu);
        for (conn_track *t = srv->conns; t; t = t->next) {
            if (t->cut || t->fd < 0)
                continue;
            bool slow = false;
            if (t->phase == CP_IDLE && head > 0)
                slow = now - t->idle_since > head;
            else if (t->phase == CP_BODY && srv->o.min_rate > 0 &&
                     now - t->request_at > (head > 0 ? head : 10))
                slow = (double)t->body_bytes <
                       srv->o.min_rate * (now - t->request_at);
            if (slow) {
                /* the library sees the connection end and closes it */
                shutdown(t->fd, SHUT_RDWR);
                t->cut = true;
                atomic_fetch_add(&srv->reaped, 1);
            }
        }
        pthread_mutex_unlock(&srv->conn_mu);
    }
    return NULL;
}

/* ---- answers held back to the public floor ---- */

typedef struct deferred {
    struct MHD_Connection *conn;
    double at;
    struct deferred *next;
} deferred;

/* Suspends the connection until at; its call is answered on resumption.
 * false when it cannot be held (the answer goes at once). */
static bool defer_until(call *c, double at)
{
    server *srv = c->srv;
    deferred *d = malloc(sizeof(*d));
    if (!d)
        return false;
    d->conn = c->conn;
    d->at = at;
    pthread_mutex_lock(&srv->defer_mu);
    /* once the deferrer has stopped, nothing would resume it */
    bool open = srv->deferring && !atomic_load(&srv->stopping);
    if (open) {
        c->deferred = true;
        MHD_suspend_connection(c->conn);
        d->next = srv->deferred;
        srv->deferred = d;
        pthread_cond_signal(&srv->defer_cv);
    }
    pthread_mutex_unlock(&srv->defer_mu);
    if (!open)
        free(d);
    return open;
}

static void *deferrer(void *arg)
{
    server *srv = arg;
    pthread_mutex_lock(&srv->defer_mu);
    for (;;) {
        bool stop = atomic_load(&srv->stopping);
        double now = mono(), next = now + 1;
        for (deferred **p = &srv->deferred; *p;) {
            deferred *d = *p;
            if (stop || d->at <= now) {
                *p = d->next;
                MHD_resume_connection(d->conn);
                free(d);
            } else {
                if (d->at < next)
                    next = d->at;
                p = &d->next;
            }
        }
        if (stop)
            break;
        struct timespec ts = mono_deadline(next);
        pthread_cond_timedwait(&srv->defer_cv, &srv->defer_mu, &ts);
    }
    pthread_mutex_unlock(&srv->defer_mu);
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
    if (c->disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", c->disposition);
    if (c->removed[0])
        MHD_add_response_header(resp, "X-Steward-Removed", c->removed);
    if (c->counts[0])
        MHD_add_response_header(resp, "X-Steward-Counts", c->counts);
    if (c->status == 405 && c->allow[0])
        MHD_add_response_header(resp, "Allow", c->allow);
    if (c->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate",
                                "Bearer realm=\"stewardd\"");
    enum MHD_Result r = MHD_queue_response(c->conn, (unsigned)c->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Answers now, or at the public floor when the route keeps one. */
static enum MHD_Result answer(call *c)
{
    server *srv = c->srv;
    double floor = srv->o.public_floor_ms / 1e3;
    if (c->rt && (c->rt->flags & F_FLOOR) && !c->deferred && floor > 0 &&
        mono() < c->t0 + floor && defer_until(c, c->t0 + floor))
        return MHD_YES;
    return send_reply(c);
}

static enum MHD_Result send_file(call *c, int fd, off_t size, const char *file)
{
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)size, fd);
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

/* ---- a call's arguments, headers and cookies ---- */

typedef struct kv_list {
    kv *v;
    size_t n, cap;
    bool nomem;
} kv_list;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind,
                               const char *key, size_t key_size,
                               const char *value, size_t value_size)
{
    (void)kind;
    (void)key_size;
    kv_list *l = cls;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        kv *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            l->nomem = true;
            return MHD_NO;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (kv){key, value, value ? value_size : 0};
    return MHD_YES;
}

static bool gather(struct MHD_Connection *conn, enum MHD_ValueKind kind,
                   kv **out, size_t *n)
{
    kv_list l = {NULL, 0, 0, false};
    MHD_get_connection_values_n(conn, kind, collect, &l);
    *out = l.v;
    *n = l.n;
    return !l.nomem;
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
        inet_ntop(AF_INET,
                  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  c->client, sizeof(c->client));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  c->client, sizeof(c->client));
}

/* ---- requests ---- */

static enum MHD_Result redirect(call *c, const char *url)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    char loc[32];
    snprintf(loc, sizeof(loc), "%s/", url);
    MHD_add_response_header(resp, "Location", loc);
    c->status = 301;
    enum MHD_Result r = MHD_queue_response(c->conn, 301, resp);
    MHD_destroy_response(resp);
    return r;
}

/* The first call of a request: route it, check the key before any body
 * is read (a streamed ingest must not start for a caller who may not). */
static enum MHD_Result first_call(server *srv, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  void **req_cls)
{
    call *c = call_new(srv);
    if (!c)
        return MHD_NO;
    c->conn = conn;
    c->method = method;
    c->track = track_of(conn);
    snprintf(c->path, sizeof(c->path), "%s", url);
    client_of(c);
    *req_cls = c;
    atomic_fetch_add(&srv->inflight, 1);
    track_phase(srv, c->track, CP_BODY);
    if (!gather(conn, MHD_GET_ARGUMENT_KIND, &c->args, &c->n_args) ||
        !gather(conn, MHD_HEADER_KIND, &c->headers, &c->n_headers) ||
        !gather(conn, MHD_COOKIE_KIND, &c->cookies, &c->n_cookies)) {
        reply_error(c, 500, "out_of_memory", "the request could not be read");
        return MHD_YES;
    }
    bool other;
    if (call_route(c, &other)) {
        const char *len = q_header(c, "Content-Length");
        const char *type = q_header(c, "Content-Type");
        unsigned long long bytes = len ? strtoull(len, NULL, 10) : 0;
        if (!(c->rt->flags & (F_STREAM | F_RAWBODY))) {
            if (bytes > srv->o.max_body)
                c->too_big = true;
            if (bytes > 0 &&
                (!type || strncasecmp(type, "application/json", 16) != 0))
                c->bad_type = true;
        }
        call_admit(c); /* the key first: 401/403/429 before any body */
        return MHD_YES;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        char file[1024];
        off_t size = 0;
        int fd = page_of(srv, url, file, sizeof(file), &size);
        c->route_ix = srv->n_routes;
        if (fd >= 0)
            return send_file(c, fd, size, file);
        if (strcmp(url, "/privacy") == 0 || strcmp(url, "/console") == 0)
            return redirect(c, url);
        c->route_ix = srv->n_routes + 1;
    }
    if (other)
        reply_error(c, 405, "method_not_allowed", "%s is not served for %s",
                    method_label(method), url);
    else
        reply_error(c, 404, "not_found", "no such route: %s %s",
                    method_label(method), url);
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
    if (c->deferred) /* resumed at the floor */
        return send_reply(c);
    if (*size) { /* a piece of the body */
        track_bytes(srv, c->track, *size);
        if (c->status) { /* already answered (401, 404...): drain */
            *size = 0;
            return MHD_YES;
        }
        if (c->rt->flags & F_STREAM) {
            if (!c->stream_data)
                c->rt->fn(c, NULL); /* starts the stream */
            if (c->stream_data)     /* it keeps its own failures */
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
    track_phase(srv, c->track, CP_REPLY);
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
    call_run(c);
    return answer(c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    server *srv = cls;
    call *c = *req_cls;
    if (!c)
        return;
    if (c->stream_end)
        c->stream_end(c, true);
    double now = mono();
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK || c->status) {
        count_call(srv, c->route_ix, c->method, c->status ? c->status : 500,
                   now - c->t0);
        log_call(c, now);
    }
    track_phase(srv, track_of(conn), CP_IDLE);
    call_free(c);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* libmicrohttpd's own messages, as JSON lines like the others (its format
 * strings are its own). */
__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\r\n")] = '\0';
    sw_utf8_clean(msg);
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
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO |
                     MHD_ALLOW_SUSPEND_RESUME;
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
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, srv->o.threads,
        MHD_OPTION_CONNECTION_TIMEOUT, srv->o.timeout,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_CONNECTION_LIMIT, srv->o.max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->o.max_per_client,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_ARRAY, tls,
        MHD_OPTION_END);
    if (cert)
        sodium_memzero(key, strlen(key));
    free(cert);
    free(key);
    if (!srv->mhd) {
        snprintf(err, n,
                 "cannot listen on %s (in use, or not an address "
                 "of this machine; TLS: are the files PEM?)",
                 srv->o.listen);
        return -1;
    }
    srv->reaping = pthread_create(&srv->reaper, NULL, reaper, srv) == 0;
    pthread_mutex_lock(&srv->defer_mu);
    srv->deferring = pthread_create(&srv->deferrer, NULL, deferrer, srv) == 0;
    pthread_mutex_unlock(&srv->defer_mu);
    return 0;
}

void server_stop(server *srv)
{
    atomic_store(&srv->stopping, true);
    pthread_mutex_lock(&srv->defer_mu);
    bool deferring = srv->deferring;
    srv->deferring = false; /* held from now on: answered at once */
    pthread_cond_signal(&srv->defer_cv);
    pthread_mutex_unlock(&srv->defer_mu);
    if (deferring) /* it resumes every held answer as it stops */
        pthread_join(srv->deferrer, NULL);
    if (srv->mhd) {
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
    }
    if (srv->reaping) {
        pthread_join(srv->reaper, NULL);
        srv->reaping = false;
    }
    server_release(srv);
}
