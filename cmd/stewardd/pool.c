/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store handles of stewardd: one per call in flight (a handle is used
 * by one thread at a time), opened at start for each worker and warmed,
 * more when calls outnumber them. A change through one handle makes the
 * others forget the decisions they kept. pool_open runs where no call
 * can: at start, and under the gate a reload holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stewardd.h"

static sw_store *take(server *srv, char *err, size_t n)
{
    sw_store *s = NULL;
    pthread_mutex_lock(&srv->pool_mu);
    /* the oldest free handle: those opened (and warmed) at start first */
    for (size_t i = 0; i < srv->n_pool; i++) {
        struct pooled *e = &srv->pool[i];
        if (!e->busy) {
            e->busy = true;
            s = e->s;
            break;
        }
    }
    pthread_mutex_unlock(&srv->pool_mu);
    if (s)
        return s;
    sw_error e;
    if (sw_store_open(srv->o.store, &srv->so, &s, &e) != SW_OK) {
        snprintf(err, n, "%s", e.msg);
        return NULL;
    }
    /* webhook systems call back here */
    sw_store_set_public_url(s, srv->o.public_url);
    pthread_mutex_lock(&srv->pool_mu);
    struct pooled *p = realloc(srv->pool, (srv->n_pool + 1) * sizeof(*p));
    if (p) {
        srv->pool = p;
        p[srv->n_pool++] = (struct pooled){s, true, false};
    }
    pthread_mutex_unlock(&srv->pool_mu);
    if (!p) {
        sw_store_close(s);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    return s;
}

static void give(server *srv, const sw_store *s)
{
    pthread_mutex_lock(&srv->pool_mu);
    for (size_t i = 0; i < srv->n_pool; i++)
        if (srv->pool[i].s == s)
            srv->pool[i].busy = false;
    pthread_mutex_unlock(&srv->pool_mu);
}

sw_store *pool_take(server *srv, char *err, size_t n)
{
    pthread_rwlock_rdlock(&srv->gate);
    sw_store *s = take(srv, err, n);
    if (!s)
        pthread_rwlock_unlock(&srv->gate);
    return s;
}

void pool_give(server *srv, const sw_store *s)
{
    if (!s)
        return;
    give(srv, s);
    pthread_rwlock_unlock(&srv->gate);
}

void pool_close(server *srv)
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
        if (!(w[i].s = take(srv, err, len)))
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
        give(srv, w[i].s);
    }
    free(w);
    if (rc != 0)
        pool_close(srv);
    *ms = (mono() - t0) * 1e3;
    return rc;
}

/* ---- each free handle in turn ---- */

size_t pool_each(server *srv, const sw_store *except,
                 bool (*fn)(sw_store *s, void *ctx), void *ctx)
{
    size_t done = 0;
    for (int round = 0; round < 50; round++) {
        bool waiting = false;
        for (size_t i = 0;; i++) {
            pthread_mutex_lock(&srv->pool_mu);
            if (i >= srv->n_pool) {
                pthread_mutex_unlock(&srv->pool_mu);
                break;
            }
            struct pooled *e = &srv->pool[i];
            sw_store *s = e->s;
            bool mine = s != except && !e->busy && !e->visited;
            if (mine)
                e->busy = e->visited = true;
            else if (s != except && e->busy && !e->visited)
                waiting = true;
            pthread_mutex_unlock(&srv->pool_mu);
            if (mine) {
                done += fn(s, ctx);
                give(srv, s);
            }
        }
        if (!waiting)
            break;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&srv->pool_mu);
    for (size_t i = 0; i < srv->n_pool; i++)
        srv->pool[i].visited = false;
    pthread_mutex_unlock(&srv->pool_mu);
    return done;
}
