/* SPDX-License-Identifier: Apache-2.0 */
/* The sweep through stewardd: on its schedule (a thread) and on demand
 * (POST /v1/sweep), counted for /metrics. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stewardd.h"

sw_status srv_sweep(server *srv, sw_store *s, bool dry_run,
                    sw_sweep_report **rep)
{
    sw_sweep_options o;
    memset(&o, 0, sizeof(o));
    o.dry_run = dry_run;
    sw_status st = sw_sweep(s, &o, rep);
    if (dry_run)
        return st;
    pthread_mutex_lock(&srv->sweep_mu);
    srv->sweeps++;
    if (st == SW_OK) {
        srv->sweep_records += (*rep)->records;
        srv->last_sweep = (*rep)->now;
    } else {
        srv->sweep_failures++;
    }
    pthread_mutex_unlock(&srv->sweep_mu);
    /* the messages whose links and codes are over go with the sweep */
    size_t trimmed = 0;
    if (st == SW_OK && outbox_trim(srv, (*rep)->now, &trimmed) != 0)
        log_line(json_pack("{s:s, s:s}", "event", "outbox", "error",
                           "the outbox could not be trimmed"));
    else if (trimmed)
        log_line(json_pack("{s:s, s:I}", "event", "outbox", "trimmed",
                           (json_int_t)trimmed));
    return st;
}

static void log_sweep_error(const char *msg)
{
    log_line(json_pack("{s:s, s:s}", "event", "sweep", "error", msg));
}

void *sweeper(void *arg)
{
    server *srv = arg;
    pthread_mutex_lock(&srv->sweep_mu);
    while (!atomic_load(&srv->stopping)) {
        struct timespec ts = mono_deadline(mono() + (double)srv->o.sweep_every);
        while (!atomic_load(&srv->stopping) &&
               pthread_cond_timedwait(&srv->sweep_cv, &srv->sweep_mu, &ts) !=
                   ETIMEDOUT)
            ;
        if (atomic_load(&srv->stopping))
            break;
        pthread_mutex_unlock(&srv->sweep_mu);
        char err[512];
        sw_store *s = pool_take(srv, err, sizeof(err));
        sw_sweep_report *rep = NULL;
        if (!s) {
            log_sweep_error(err);
        } else {
            sw_store_set_actor(s, "stewardd (schedule)");
            sw_status st = srv_sweep(srv, s, false, &rep);
            if (st == SW_OK)
                fprintf(stderr,
                        "{\"event\":\"sweep\",\"records\":%zu,\"held\":%zu}\n",
                        rep->records, rep->held);
            else
                log_sweep_error(sw_errmsg(s));
            sw_sweep_report_free(rep);
            pool_give(srv, s);
        }
        pthread_mutex_lock(&srv->sweep_mu);
    }
    pthread_mutex_unlock(&srv->sweep_mu);
    return NULL;
}
