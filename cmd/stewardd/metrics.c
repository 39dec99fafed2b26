/* SPDX-License-Identifier: Apache-2.0 */
/* stewardd's counters and the Prometheus text of /metrics. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "stewardd.h"

/* The statuses counted apart; the last slot counts any other. */
static const int status_slots[N_STATUS_SLOTS] = {
    200, 201, 202, 204, 301, 304, 400, 401, 403, 404,
    405, 409, 413, 415, 422, 429, 500, 503, 0};
static const double bucket_le[N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                            0.025,  0.05,  0.1,    0.25,  0.5,
                                            1,      2.5,   10};

static const char *const known_methods[N_METHODS] = {
    "GET",   "HEAD",    "POST",  "PUT",     "DELETE",
    "PATCH", "OPTIONS", "TRACE", "CONNECT", "other"};

size_t method_slot(const char *m)
{
    for (size_t i = 0; m && i + 1 < N_METHODS; i++)
        if (strcmp(m, known_methods[i]) == 0)
            return i;
    return N_METHODS - 1;
}

const char *method_label(const char *m)
{
    return known_methods[method_slot(m)];
}

const char *method_of_slot(size_t slot)
{
    return known_methods[slot < N_METHODS ? slot : N_METHODS - 1];
}

/* The counters' row of a call: its route's, or for a static page and a
 * call that matched nothing, the row of its method. */
static size_t row_of(const server *srv, size_t route_ix, const char *method)
{
    if (route_ix < srv->n_routes)
        return route_ix;
    return srv->n_routes + (route_ix - srv->n_routes) * N_METHODS +
           method_slot(method);
}

void count_call(server *srv, size_t route_ix, const char *method, int status,
                double secs)
{
    route_ix = row_of(srv, route_ix, method);
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

const char *route_label(server *srv, size_t ix)
{
    return ix < srv->n_routes    ? srv->routes[ix].path
           : ix == srv->n_routes ? "static"
                                 : "unmatched";
}

/* The usual process_* metrics of a Prometheus client, from /proc. */
static void process_metrics(FILE *f)
{
    FILE *st = fopen("/proc/self/stat", "r");
    char line[1024];
    if (st && fgets(line, sizeof(line), st)) {
        /* the fields after the command's closing parenthesis */
        const char *p = strrchr(line, ')');
        unsigned long utime = 0, stime = 0, vsize = 0;
        unsigned long long start = 0;
        long rss = 0;
        if (p && sscanf(p + 2,
                        "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu"
                        " %*d %*d %*d %*d %*d %*d %llu %lu %ld",
                        &utime, &stime, &start, &vsize, &rss) == 5) {
            double tick = (double)sysconf(_SC_CLK_TCK);
            long page = sysconf(_SC_PAGESIZE);
            fprintf(f,
                    "# HELP process_cpu_seconds_total User and system CPU "
                    "time spent in seconds.\n"
                    "# TYPE process_cpu_seconds_total counter\n"
                    "process_cpu_seconds_total %.2f\n"
                    "# HELP process_virtual_memory_bytes Virtual memory size "
                    "in bytes.\n"
                    "# TYPE process_virtual_memory_bytes gauge\n"
                    "process_virtual_memory_bytes %lu\n"
                    "# HELP process_resident_memory_bytes Resident memory "
                    "size in bytes.\n"
                    "# TYPE process_resident_memory_bytes gauge\n"
                    "process_resident_memory_bytes %ld\n",
                    (double)(utime + stime) / tick, vsize, rss * page);
            FILE *ps = fopen("/proc/stat", "r");
            unsigned long long boot = 0;
            while (ps && fgets(line, sizeof(line), ps))
                if (sscanf(line, "btime %llu", &boot) == 1)
                    break;
            if (ps)
                fclose(ps);
            if (boot)
                fprintf(f,
                        "# HELP process_start_time_seconds Start time of the "
                        "process since unix epoch in seconds.\n"
                        "# TYPE process_start_time_seconds gauge\n"
                        "process_start_time_seconds %.2f\n",
                        (double)boot + (double)start / tick);
        }
    }
    if (st)
        fclose(st);
    DIR *d = opendir("/proc/self/fd");
    long fds = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        fds += e->d_name[0] != '.';
    if (d) {
        closedir(d);
        fprintf(f,
                "# HELP process_open_fds Number of open file descriptors.\n"
                "# TYPE process_open_fds gauge\n"
                "process_open_fds %ld\n",
                fds - 1); /* less the directory's own */
    }
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        fprintf(f,
                "# HELP process_max_fds Maximum number of open file "
                "descriptors.\n"
                "# TYPE process_max_fds gauge\n"
                "process_max_fds %llu\n",
                (unsigned long long)lim.rlim_cur);
}

char *metrics_text(server *srv, sw_store *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fprintf(f, "# HELP stewardd_requests_total HTTP requests by route and "
               "status.\n# TYPE stewardd_requests_total counter\n");
    for (size_t r = 0; r < srv->n_routes + 2 * N_METHODS; r++) {
        /* a route's own method; a static page's or an unmatched call's */
        size_t pseudo = r < srv->n_routes
                            ? r
                            : srv->n_routes + (r - srv->n_routes) / N_METHODS;
        const char *method =
            r < srv->n_routes ? srv->routes[r].method
                              : method_of_slot((r - srv->n_routes) % N_METHODS);
        for (size_t i = 0; i < N_STATUS_SLOTS; i++) {
            unsigned long v =
                atomic_load(&srv->by_route[r * N_STATUS_SLOTS + i]);
            char code[8];
            snprintf(code, sizeof(code), "%d", status_slots[i]);
            if (v)
                fprintf(f,
                        "stewardd_requests_total{method=\"%s\",route=\"%s\","
                        "status=\"%s\"} %lu\n",
                        method, route_label(srv, pseudo),
                        status_slots[i] ? code : "other", v);
        }
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
    sw_decide_counters decided = {0, 0}; /* the library's, every handle's */
    pthread_mutex_lock(&srv->pool_mu);
    for (size_t i = 0; i < srv->n_pool; i++) {
        sw_decide_counters one;
        sw_decide_counts(srv->pool[i].s, &one);
        decided.allowed += one.allowed;
        decided.denied += one.denied;
    }
    pthread_mutex_unlock(&srv->pool_mu);
    fprintf(f,
            "# HELP stewardd_decisions_total Purpose decisions by outcome.\n"
            "# TYPE stewardd_decisions_total counter\n"
            "stewardd_decisions_total{decision=\"allow\"} %lu\n"
            "stewardd_decisions_total{decision=\"deny\"} %lu\n",
            (unsigned long)decided.allowed, (unsigned long)decided.denied);
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
        static const char *const bands[5] = {"overdue", "0-7", "8-14", "15-30",
                                             "31+"};
        fprintf(f, "# HELP stewardd_open_requests Open data-subject "
                   "requests by days left.\n"
                   "# TYPE stewardd_open_requests gauge\n");
        for (int i = 0; i < 5; i++)
            fprintf(f, "stewardd_open_requests{days_left=\"%s\"} %lu\n",
                    bands[i], oc.by[i]);
    }
    fprintf(f,
            "# HELP stewardd_slow_connections_cut_total Connections closed "
            "for sending their request too slowly.\n"
            "# TYPE stewardd_slow_connections_cut_total counter\n"
            "stewardd_slow_connections_cut_total %lu\n"
            "# HELP stewardd_rate_table_full_total Callers refused because "
            "every rate-limit slot was in use.\n"
            "# TYPE stewardd_rate_table_full_total counter\n"
            "stewardd_rate_table_full_total %lu\n",
            atomic_load(&srv->reaped), atomic_load(&srv->rate_full));
    fprintf(f, "# HELP stewardd_build_info The running stewardd's version.\n"
               "# TYPE stewardd_build_info gauge\n"
               "stewardd_build_info{version=\"" STEWARD_VERSION "\"} 1\n");
    process_metrics(f);
    fclose(f);
    return buf;
}
