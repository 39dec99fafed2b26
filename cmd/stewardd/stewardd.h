/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stewardd: the HTTP face of libsteward. The plumbing is split by concern:
 * http.c (libmicrohttpd: connections, bodies, replies, slow clients and
 * answers held to a floor), call.c (one call: its arguments, the route,
 * admission, the handler, the reply, the log), auth.c (API keys and rate
 * limits), pool.c (store handles), metrics.c, static.c (pages), outbox.c
 * (messages to people). Each routes_*.c maps HTTP to library calls and
 * nothing more. A call needs no connection: the fuzzers run calls
 * in-process through the same functions.
 */
#ifndef STEWARDD_STEWARDD_H
#define STEWARDD_STEWARDD_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "steward/scan.h"
#include "steward/steward.h"
#include "views.h"

/* Roles as a bit set (the route table says who may call what). */
#define R_ADMIN (1u << SW_ROLE_ADMIN)
#define R_DPO (1u << SW_ROLE_DPO)
#define R_SERVICE (1u << SW_ROLE_SERVICE)
#define R_AUDITOR (1u << SW_ROLE_AUDITOR)
#define R_ANY (R_ADMIN | R_DPO | R_SERVICE | R_AUDITOR)

/* Route flags. */
#define F_PUBLIC 1u   /* no key: the privacy centre's public endpoints */
#define F_STREAM 2u   /* the body is streamed to the handler, not buffered */
#define F_RAWBODY 4u  /* the body is not JSON */
#define F_ACCOUNT 16u /* a key scoped to one customer's account may call it */
#define F_FLOOR                                                                \
    8u /* answered no sooner than the public floor (whether an                 \
          address is held must not show in the time) */

typedef struct call call;
typedef struct server server;
typedef int (*route_fn)(call *c, sw_store *s);

typedef struct route {
    const char *method;
    const char *path; /* "/v1/requests/{id}/verify" */
    unsigned roles;
    unsigned flags;
    route_fn fn;
} route;

#define MAX_PARAMS 3
#define N_STATUS_SLOTS 19
/* The methods counted apart (the last: any other). */
#define N_METHODS 10
#define N_BUCKETS 13

typedef struct server_options {
    const char *store;
    const char *key_file;
    const char *policy_file;
    const char *listen; /* host:port */
    const char *tls_cert, *tls_key;
    const char *web_dir;
    const char *outbox;
    const char *smtp_url;   /* e-mail through this relay, or NULL: the file */
    const char *mail_from;  /* the sender of those e-mails */
    unsigned smtp_attempts; /* tries per message (5) */
    double smtp_retry_s;    /* the first wait between them (doubling; 2) */
    const char *public_url;
    const char *now; /* a fixed instant (tests, demos) */
    const char *country;
    long sweep_every;      /* seconds; 0: never */
    unsigned decision_mib; /* the decision facts in memory; 0: never */
    long decision_refresh; /* seconds between looks at them; 0: never */
    size_t max_body;       /* JSON bodies; streamed ingest has no cap */
    double rate;           /* requests per second per key (and per address for
                              public endpoints); 0: no limit */
    unsigned threads;
    unsigned timeout;         /* seconds an idle connection may take */
    unsigned max_connections; /* open at once, in all */
    unsigned max_per_client;  /* open at once from one address */
    unsigned header_timeout;  /* seconds to send a request's head */
    unsigned min_rate;        /* bytes a second a body must keep up */
    unsigned public_floor_ms; /* the public door answers no sooner */
    sw_public_limits limits;  /* of the public door */
} server_options;

/* A name and a value of a call (query argument, header, cookie),
 * borrowed from whoever made the call. */
typedef struct kv {
    const char *name;
    const char *value;
    size_t value_len; /* the value may hold a NUL: checked on arrival */
} kv;

/* ---- auth.c ---- */

#define RATE_SLOTS 4096
#define KEY_CACHE 64

typedef struct rate_slot {
    bool used;
    char who[72];
    double tokens;
    double last;
} rate_slot;

typedef struct key_slot {
    uint8_t token_hash[32]; /* keyed hash of the token, never the token */
    sw_key_view key;
    double checked; /* monotonic seconds */
    bool used;
} key_slot;

/* ---- http.c: the connections open, for the slow-client reaper ---- */
typedef struct conn_track conn_track;

struct server {
    server_options o;
    sw_policy *policy;
    sw_store_options so;
    sw_clock clock;
    struct MHD_Daemon *mhd;

    /* every store handle opened, busy or free (all of one group, so.group:
     * a change through one is seen by the others) */
    pthread_mutex_t pool_mu;
    /* held shared from pool_take to pool_give; a reload (SIGHUP) holds it
     * alone while it swaps the policy and the handles under it */
    pthread_rwlock_t gate;
    struct pooled {
        sw_store *s;
        bool busy;
        bool visited; /* by pool_each */
    } * pool;
    size_t n_pool;
    pthread_t facts_th; /* reading the decision facts, when facts_on */
    bool facts_on;
    bool facts_quit; /* under sweep_mu: facts_wait asks the thread to end */

    pthread_mutex_t key_mu;
    uint8_t key_hash_key[32]; /* random per daemon */
    key_slot keys[KEY_CACHE];

    pthread_mutex_t rate_mu;
    rate_slot rates[RATE_SLOTS];
    atomic_ulong rate_full; /* callers refused: the table was full */

    /* the scanner of POST /v1/scan, compiled on its first call */
    pthread_mutex_t scan_mu;
    sw_scan *scanner;

    pthread_mutex_t out_mu; /* the outbox file */
    struct mailer *mail;    /* the SMTP relay's queue (mail.c), or NULL */

    /* in flight, for a graceful shutdown */
    atomic_long inflight;
    atomic_bool stopping;

    /* connections (http.c) */
    pthread_mutex_t conn_mu;
    conn_track *conns;
    atomic_ulong reaped; /* slow connections cut */
    pthread_t reaper;
    bool reaping;
    /* answers held back to the public floor (http.c) */
    pthread_mutex_t defer_mu;
    pthread_cond_t defer_cv;
    struct deferred *deferred;
    pthread_t deferrer;
    bool deferring;

    /* metrics */
    const route *routes;
    size_t n_routes;
    /* calls by route and status: a row per route, then N_METHODS rows for
     * static pages and N_METHODS for calls that matched nothing (by their
     * method); N_STATUS_SLOTS columns */
    atomic_ulong *by_route;
    atomic_ulong latency[N_BUCKETS + 1];
    atomic_ulong latency_sum_us, latency_count;
    pthread_mutex_t sweep_mu;
    pthread_cond_t sweep_cv;
    unsigned long sweeps, sweep_records, sweep_failures;
    sw_instant last_sweep;
};

/* One HTTP request being served. */
struct call {
    server *srv;
    struct MHD_Connection *conn; /* NULL for a call made in-process */
    conn_track *track;           /* its connection's entry, or NULL */
    const route *rt;
    size_t route_ix;
    const char *method;
    char path[512];
    char *param[MAX_PARAMS];
    char segs[512];
    /* what came with it */
    kv *args, *headers, *cookies;
    size_t n_args, n_headers, n_cookies;
    /* the body */
    char *body;
    size_t len, cap;
    bool too_big, bad_type, started;
    json_t *in; /* the parsed JSON body (an object), or NULL */
    /* who calls */
    bool has_key;
    sw_key_view key;
    char client[64];
    /* the reply */
    int status;
    json_t *out;
    char *raw;
    size_t raw_len;
    const char *ctype;
    char ctype_buf[48]; /* a type the reply names itself (ctype points here) */
    char disposition[128]; /* Content-Disposition, or "" */
    char retry_after[16];
    char set_cookie[256];
    char removed[256]; /* X-Steward-Removed (POST /v1/scan), or "" */
    char counts[96];   /* X-Steward-Counts (POST /v1/decide/batch), or "" */
    char allow[64];    /* Allow: the methods the path serves (a 405), or "" */
    double t0;
    bool deferred; /* held back to the public floor (http.c) */
    /* a streamed body (ingest): the handler's state */
    void *stream;
    void (*stream_end)(call *c, bool aborted);
    int (*stream_data)(call *c, const char *data, size_t n);
};

/* ---- call.c: for route handlers ---- */

/* A query argument, or NULL (an empty one too). */
const char *q_arg(call *c, const char *name);
/* A header (case-insensitive name), or NULL. */
const char *q_header(call *c, const char *name);
/* A cookie, or NULL. */
const char *q_cookie(call *c, const char *name);
/* A whole number argument of at most max (dflt when absent); false after
 * replying 422 when it is not one. */
bool q_uint(call *c, const char *name, size_t dflt, size_t max, size_t *out);
/* A string member of the JSON body, or NULL. */
const char *b_str(call *c, const char *name);
bool b_bool(call *c, const char *name, bool def);

/* Replies: each returns 0 so a handler can "return reply_...". The JSON
 * value's reference is taken. */
int reply_json(call *c, int status, json_t *o);
/* 200 with the library's JSON text (taken and freed; NULL: out of
 * memory), or 500 naming what when it is not JSON. */
int reply_json_text(call *c, char *text, const char *what);
int reply_text(call *c, int status, const char *ctype, char *text,
               size_t len); /* takes text (malloc'd) */
int reply_error(call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The failure of a library call: status and code from the one table. */
int reply_store(call *c, sw_store *s, sw_status st);
/* The error code of a library status ("not_found"...). */
const char *status_code(sw_status st);
/* {key: list} when st is SW_OK, else the failure (list is freed). */
int reply_list(call *c, sw_store *s, sw_status st, const char *key,
               json_t *list);
/* 422 naming a missing or malformed field. */
int reply_missing(call *c, const char *what);

/* Who a call names: "subject", or one identifier (email, phone, msisdn,
 * imsi, imei, ip, account_id, visitor), from the query and then the body.
 * Returns false after replying 422 when none or several are given. */
bool who_of(call *c, sw_who *who, sw_ident *id);

/* An instant from field/argument text (NULL: now); false after replying. */
bool instant_arg(call *c, const char *name, const char *text, bool *has,
                 sw_instant *out);

/* Sets the store's actor to the caller's key (the audit trail). */
void call_actor(call *c, sw_store *s);

/* The life of a call, whoever carries it (http.c, or a fuzzer in-process):
 * call_new; the method, path, args, headers and client set; call_route
 * (false: no route; *other: the path has other methods); call_admit (the
 * key, roles, limits: false after replying); the body into c->body;
 * call_run (parses the body, runs the handler); then the reply is in
 * c->status and c->out or c->raw; call_free. */
call *call_new(server *srv);
bool call_route(call *c, bool *other);
bool call_admit(call *c);
void call_run(call *c);
void call_free(call *c);

/* The server's clock's now. */
static inline sw_instant srv_now(const server *srv)
{
    return sw_clock_now(&srv->clock);
}

/* Writes a JSON value as one line on stderr (the log); takes its reference. */
void log_line(json_t *o);
/* The log line of a finished call (the route's template, never its path). */
void log_call(call *c, double now);
/* A method as logs and metrics may show it: a known one, or "other". */
const char *method_label(const char *m);
/* The slot of a method among N_METHODS (the last for any other), and the
 * method of a slot. */
size_t method_slot(const char *m);
const char *method_of_slot(size_t slot);
/* Seconds on a monotonic clock (intervals only). */
#define mono sw_clock_mono
/* The monotonic instant at (seconds, as mono() gives) as a deadline for a
 * condition variable made by server_prepare (they wait on that clock). */
static inline struct timespec mono_deadline(double at)
{
    struct timespec ts;
    ts.tv_sec = (time_t)at;
    ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
    return ts;
}

/* ---- auth.c ---- */

/* Prepares the key cache (a random key for its hashes). */
void auth_init(server *srv);
/* The key a token names: a remembered one, else the store's answer (*why
 * gets its message). */
sw_status key_check(server *srv, const char *token, sw_key_view *out, char *why,
                    size_t n);
/* Forgets the keys remembered (after a revocation). */
void keys_forget(server *srv);
/* Takes a token of who's bucket; false with *retry (seconds) when it is
 * empty, or when the table has no room for a new caller. */
bool rate_take(server *srv, const char *who, double *retry);

/* ---- pool.c ---- */

/* A store handle of the pool (a streamed handler takes its own), and
 * back; NULL after writing why into err. */
sw_store *pool_take(server *srv, char *err, size_t n);
/* Calls fn on each handle of the pool but except, each while no call
 * uses it (waiting a little for a busy one); how many fn said true. */
size_t pool_each(server *srv, const sw_store *except,
                 bool (*fn)(sw_store *s, void *ctx), void *ctx);
/* facts.c: reads the decision facts into memory on a thread of its own
 * and hands them to every handle of the pool; facts_wait waits for it to
 * end. */
void facts_start(server *srv);
void facts_wait(server *srv);
void pool_give(server *srv, const sw_store *s);
/* Opens n handles (one per worker) and warms each one's traffic look-ups
 * (sw_traffic_warm); *months and *ms say what that read and took. */
int pool_open(server *srv, unsigned n, size_t *months, double *ms, char *err,
              size_t len);
void pool_close(server *srv);
/* Notes that a call changed the store: every other handle forgets its
 * decisions before its next call. */

/* ---- metrics.c ---- */

void count_call(server *srv, size_t route_ix, const char *method, int status,
                double secs);
/* Counts a decision for /metrics. */
/* The route's label for metrics and logs. */
const char *route_label(server *srv, size_t ix);
/* Writes the Prometheus text of /metrics. */
char *metrics_text(server *srv, sw_store *s, size_t *len);

/* ---- static.c ---- */

/* The open file of a page path under web_dir (its name into file), or -1. */
int page_of(server *srv, const char *url, char *file, size_t n, off_t *size);
const char *ctype_of(const char *path);

/* ---- mail.c ---- */

/* Starts the SMTP relay's queue and thread when o.smtp_url is set (-1 and
 * err on a bad configuration); mailer_queue hands it an e-mail (-1: the
 * queue is full, or a header would hold a line break); mailer_stop gives
 * what waits one last attempt and frees it all. */
int mailer_start(server *srv, char *err, size_t n);
int mailer_queue(server *srv, const char *to, const char *subject,
                 const char *body);
void mailer_stop(server *srv);

/* ---- outbox.c ---- */

/* Writes a message to the outbox (what the platform would send). */
/* Removes the outbox's messages past their life at now (a confirmation
 * link's validity, consent.confirmation_valid); *removed: how many. 0, or
 * -1 when the file could not be rewritten (it is left as it was). */
int outbox_trim(server *srv, sw_instant now, size_t *removed);
int outbox_send(server *srv, const char *channel, const char *to,
                const char *subject, const char *body);

/* ---- schedule.c ---- */

/* Sweeps now (the schedule and POST /v1/sweep share this). */
sw_status srv_sweep(server *srv, sw_store *s, bool dry_run,
                    sw_sweep_report **rep);
/* The schedule's thread: a sweep every o.sweep_every seconds until
 * stopping. */
void *sweeper(void *arg);

/* The route tables (routes_*.c). */
extern const route routes_api[];
extern const size_t n_routes_api;

/* ---- server.c ---- */

/* Readies srv (its options, policy and clock set) before its handles are
 * opened: locks, store options, routes, counters. 0, or -1 and why. */
int server_prepare(server *srv, char *err, size_t n);
/* Closes the handles and frees the counters. */
void server_release(server *srv);

/* ---- http.c ---- */

/* Listens; 0, or -1 and why. */
int server_start(server *srv, char *err, size_t n);
/* Stops listening once the calls in flight are answered, then releases. */
void server_stop(server *srv);

#endif
