/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decision facts of stewardd: read into memory once, at start and
 * after a reload that changes the policy, on a thread of their own while
 * calls are decided from the store, then handed to every handle of the
 * pool (shared, not copied). A change makes every handle forget them.
 */
#include <stdio.h>

#include "stewardd.h"

static bool share(sw_store *to, void *from)
{
    bool ok = false;
    (void)sw_decide_share(from, to, &ok);
    return ok;
}

static void *read_facts(void *arg)
{
    server *srv = arg;
    char err[512];
    double t0 = mono();
    /* a handle of the pool: a reload waits until this is done */
    sw_store *s = pool_take(srv, err, sizeof(err));
    if (!s) {
        log_line(
            json_pack("{s:s, s:s}", "event", "decision_facts", "error", err));
        return NULL;
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
    return NULL;
}

void facts_start(server *srv)
{
    if (srv->o.decision_mib && !srv->facts_on)
        srv->facts_on =
            pthread_create(&srv->facts_th, NULL, read_facts, srv) == 0;
}

void facts_wait(server *srv)
{
    if (srv->facts_on)
        pthread_join(srv->facts_th, NULL);
    srv->facts_on = false;
}
