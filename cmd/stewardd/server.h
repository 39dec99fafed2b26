/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stewardd: the HTTP face of libsteward. server.c owns the plumbing
 * (libmicrohttpd, the store pool, keys and roles, limits, metrics, logs,
 * static pages); each routes_*.c file maps HTTP to library calls and
 * nothing more.
 */
#ifndef STEWARDD_SERVER_H
#define STEWARDD_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "steward/steward.h"
#include "views.h"

/* Roles as a bit set (the route table says who may call what). */
#define R_ADMIN (1u << SW_ROLE_ADMIN)
#define R_DPO (1u << SW_ROLE_DPO)
#define R_SERVICE (1u << SW_ROLE_SERVICE)
#define R_AUDITOR (1u << SW_ROLE_AUDITOR)
#define R_ANY (R_ADMIN | R_DPO | R_SERVICE | R_AUDITOR)

/* Route flags. */
#define F_PUBLIC 1u /* no key: the privacy centre's public endpoints */
#define F_STREAM 2u /* the body is streamed to the handler, not buffered */
#define F_RAWBODY 4u /* the body is not JSON */

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
#define N_BUCKETS 13

typedef struct server_options {
    const char *store;
    const char *key_file;
    const char *policy_file;
    const char *listen; /* host:port */
    const char *tls_cert, *tls_key;
    const char *web_dir;
    const char *outbox;
    const char *public_url;
    const char *now; /* a fixed instant (tests, demos) */
    const char *country;
    long sweep_every; /* seconds; 0: never */
    size_t max_body;  /* JSON bodies; streamed ingest has no cap */
    double rate;      /* requests per second per key (and per address for
                         public endpoints); 0: no limit */
    unsigned threads;
    unsigned timeout; /* seconds an idle or slow connection may take */
} server_options;

typedef struct rate_slot {
    char who[48];
    double tokens;
    double last;
} rate_slot;

#define RATE_SLOTS 256
#define KEY_CACHE 64

typedef struct key_slot {
    char token[SW_APIKEY_BUFSZ];
    sw_key_view key;
    double checked; /* monotonic seconds */
    bool used;
} key_slot;

struct server {
    server_options o;
    sw_policy *policy;
    sw_store_options so;
    sw_clock clock;
    struct MHD_Daemon *mhd;

    /* every store handle opened, busy or free; seen: the count of writes
     * when the handle was last taken (its decision cache is older) */
    pthread_mutex_t pool_mu;
    struct pooled {
        sw_store *s;
        unsigned long seen;
        bool busy;
    } *pool;
    size_t n_pool;
    atomic_ulong writes; /* changes made through this daemon */

    pthread_mutex_t key_mu;
    key_slot keys[KEY_CACHE];

    pthread_mutex_t rate_mu;
    rate_slot rates[RATE_SLOTS];

    pthread_mutex_t out_mu; /* the outbox file */

    /* in flight, for a graceful shutdown */
    atomic_long inflight;
    atomic_bool stopping;

    /* metrics */
    const route *routes;
    size_t n_routes;
    atomic_ulong *by_route; /* (n_routes + 2) x N_STATUS_SLOTS */
    atomic_ulong latency[N_BUCKETS + 1];
    atomic_ulong latency_sum_us, latency_count;
    atomic_ulong decisions_allowed, decisions_denied;
    pthread_mutex_t sweep_mu;
    pthread_cond_t sweep_cv;
    unsigned long sweeps, sweep_records, sweep_failures;
    sw_instant last_sweep;
};

/* One HTTP request being served. */
struct call {
    server *srv;
    struct MHD_Connection *conn;
    const route *rt;
    size_t route_ix;
    const char *method;
    char path[512];
    char *param[MAX_PARAMS];
    char segs[512];
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
    char retry_after[16];
    char set_cookie[160];
    double t0;
    /* a streamed body (ingest): the handler's state */
    void *stream;
    void (*stream_end)(call *c, bool aborted);
    int (*stream_data)(call *c, const char *data, size_t n);
};

/* ---- for route handlers ---- */

/* A query argument, or NULL. */
const char *q_arg(call *c, const char *name);
/* A header, or NULL. */
const char *q_header(call *c, const char *name);
/* A string member of the JSON body, or NULL. */
const char *b_str(call *c, const char *name);
bool b_bool(call *c, const char *name, bool def);

/* Replies: each returns 0 so a handler can "return reply_...". The JSON
 * value's reference is taken. */
int reply_json(call *c, int status, json_t *o);
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

/* A store handle of the pool (a streamed handler takes its own), and
 * back; NULL after writing why into err. */
sw_store *pool_take(server *srv, char *err, size_t n);
void pool_give(server *srv, sw_store *s);
/* Opens n handles (one per worker) and warms each one's traffic look-ups
 * (sw_traffic_warm); *months and *ms say what that read and took. */
int pool_open(server *srv, unsigned n, size_t *months, double *ms, char *err,
              size_t len);
/* Sets the store's actor to the caller's key (the audit trail). */
void call_actor(call *c, sw_store *s);
/* Notes that a call changed the store: every other handle forgets its
 * decisions before its next call. */
void srv_changed(server *srv);
/* Forgets the keys remembered (after a revocation). */
void keys_forget(server *srv);

/* The server's clock's now. */
sw_instant srv_now(const server *srv);

/* Writes a message to the outbox (what the platform would send). */
int outbox_send(server *srv, const char *channel, const char *to,
                const char *subject, const char *body);

/* Writes a JSON value as one line on stderr (the log); takes its reference. */
void log_line(json_t *o);

/* Counts a decision for /metrics. */
void count_decision(server *srv, bool allow);

/* Sweeps now (the schedule and POST /v1/sweep share this). */
sw_status srv_sweep(server *srv, sw_store *s, bool dry_run,
                    sw_sweep_report **rep);

/* Writes the Prometheus text of /metrics. */
char *metrics_text(server *srv, sw_store *s, size_t *len);

/* The route tables (routes_*.c). */
extern const route routes_api[];
extern const size_t n_routes_api;

/* ---- main.c ---- */
int server_start(server *srv, char *err, size_t n);
void server_stop(server *srv);

#endif
