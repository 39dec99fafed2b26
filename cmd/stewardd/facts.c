/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decision facts of stewardd: read into memory at start and after a
 * reload that changes the policy, on a thread of its own while calls are
 * decided from the store, then handed to every handle of the pool
 * (shared, not copied). A change makes every handle forget them; every
 * --decision-refresh the thread reads them again if so.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "stewardd.h"

static bool share(sw_store *to, void *from)
{
    bool ok = false;
    (void)sw_decide_share(from, to, &ok);
    return ok;
}

/* Reads the facts on a handle of the pool (a reload waits until this is
 * done) and hands them to the others; logs what it did. */
static void read_once(server *srv)
{
    char err[512];
    double t0 = mono();
    sw_store *s = pool_take(srv, err, sizeof(err));
    if (!s) {
        log_line(
            json_pack("{s:s, s:s}", "event", "decision_facts", "error", err));
        return;
    }
    sw_decide_warmth w;
    sw_status st = sw_decide_warm(s, 0, (size_t)srv->o.decision_mib << 20, &w);
    if (st != SW_OK) {
        log_line(json_pack("{s:s, s:s}", "event", "decision_facts", "error",
                           sw_errmsg(s)));
    } else if (!w.warm) {
        log_line(json_pack("{s:s, s:b, s:s}", "event", "decision_facts",
                           "in_memory", 0, "why", w.why));
    } else {
        /* each other handle while no call uses it; one busy throughout a
         * few tries goes without (it reads from the store as before) */
        size_t handles = 1 + pool_each(srv, s, share, s);
        log_line(json_pack(
            "{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "event",
            "decision_facts", "in_memory", 1, "subjects",
            (json_int_t)w.subjects, "addresses", (json_int_t)w.addresses,
            "suppressed", (json_int_t)w.suppressed, "facts",
            (json_int_t)w.facts, "mib",
            (json_int_t)((w.bytes + (1 << 19)) >> 20), "handles",
            (json_int_t)handles, "ms", (int)((mono() - t0) * 1e3)));
    }
    pool_give(srv, s);
}

/* Whether the pool's facts were forgotten (a change since the read). */
static bool forgotten(server *srv)
{
    char err[512];
    sw_store *s = pool_take(srv, err, sizeof(err));
    if (!s)
        return false;
    sw_decide_warmth w;
    sw_decide_warmth_of(s, &w);
    pool_give(srv, s);
    return !w.warm;
}

/* Waits seconds, or until the daemon stops or a reload asks it to end;
 * true when it should end. */
static bool rest(server *srv, long seconds)
{
    pthread_mutex_lock(&srv->sweep_mu);
    struct timespec ts = mono_deadline(mono() + (double)seconds);
    while (!srv->facts_quit && !atomic_load(&srv->stopping) &&
           pthread_cond_timedwait(&srv->sweep_cv, &srv->sweep_mu, &ts) !=
               ETIMEDOUT)
        ;
    bool end = srv->facts_quit || atomic_load(&srv->stopping);
    pthread_mutex_unlock(&srv->sweep_mu);
    return end;
}

static void *read_facts(void *arg)
{
    server *srv = arg;
    read_once(srv);
    while (srv->o.decision_refresh > 0 && !rest(srv, srv->o.decision_refresh))
        if (forgotten(srv))
            read_once(srv);
    return NULL;
}

void facts_start(server *srv)
{
    srv->facts_quit = false;
    if (srv->o.decision_mib && !srv->facts_on)
        srv->facts_on =
            pthread_create(&srv->facts_th, NULL, read_facts, srv) == 0;
}

void facts_wait(server *srv)
{
    pthread_mutex_lock(&srv->sweep_mu);
    srv->facts_quit = true;
    pthread_cond_broadcast(&srv->sweep_cv);
    pthread_mutex_unlock(&srv->sweep_mu);
    if (srv->facts_on)
        pthread_join(srv->facts_th, NULL);
    srv->facts_on = false;
}
