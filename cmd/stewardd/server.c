/* SPDX-License-Identifier: Apache-2.0 */
/* A server's state before it listens: locks, store options, routes, the
 * counters. main.c and the fuzzers prepare one the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stewardd.h"

int server_prepare(server *srv, char *err, size_t n)
{
    sw_store_options_init(&srv->so);
    srv->so.key_file = srv->o.key_file;
    srv->so.policy = srv->policy;
    srv->so.clock = srv->clock;
    srv->so.actor = "stewardd";
    srv->so.default_country = srv->o.country;
    /* the pool's handles see each other's changes at once */
    if (!(srv->so.group = sw_store_group_new())) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    pthread_mutex_init(&srv->pool_mu, NULL);
    /* glibc's default lock prefers readers: a handler that takes a second
     * handle never waits behind a reload waiting for the first */
    pthread_rwlock_init(&srv->gate, NULL);
    pthread_mutex_init(&srv->key_mu, NULL);
    pthread_mutex_init(&srv->rate_mu, NULL);
    pthread_mutex_init(&srv->out_mu, NULL);
    pthread_mutex_init(&srv->scan_mu, NULL);
    pthread_mutex_init(&srv->conn_mu, NULL);
    /* the waits count on the monotonic clock: setting the system's clock
     * neither fires nor stalls them */
    pthread_condattr_t mono_attr;
    pthread_condattr_init(&mono_attr);
    pthread_condattr_setclock(&mono_attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&srv->defer_mu, NULL);
    pthread_cond_init(&srv->defer_cv, &mono_attr);
    pthread_mutex_init(&srv->sweep_mu, NULL);
    pthread_cond_init(&srv->sweep_cv, &mono_attr);
    pthread_condattr_destroy(&mono_attr);
    srv->routes = routes_api;
    srv->n_routes = n_routes_api;
    auth_init(srv);
    srv->by_route = calloc((srv->n_routes + 2 * N_METHODS) * N_STATUS_SLOTS,
                           sizeof(*srv->by_route));
    if (!srv->by_route) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    return 0;
}

void server_release(server *srv)
{
    pool_close(srv);
    sw_store_group_free(srv->so.group);
    srv->so.group = NULL;
    free(srv->by_route);
    srv->by_route = NULL;
    sw_scan_free(srv->scanner);
    srv->scanner = NULL;
}
