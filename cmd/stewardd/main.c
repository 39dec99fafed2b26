/* SPDX-License-Identifier: Apache-2.0 */
/* stewardd: the daemon. Options, signals, the sweep schedule. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "stewardd.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: stewardd [options]\n\n"
        "Serves steward over HTTP: the JSON API under /v1 (API keys: steward\n"
        "key create), the privacy centre at /privacy/ and the console at\n"
        "/console/. Runs the retention sweep on its schedule. Stops cleanly\n"
        "on SIGTERM or SIGINT (calls in flight finish first). On SIGHUP it\n"
        "reads its policy again (--policy FILE, else the store's latest\n"
        "version) and runs it, when it is the policy the store applies.\n"
        "Tells systemd when it is ready (Type=notify).\n\n"
        "Options:\n"
        "  --store PATH         the store (or STEWARD_STORE; default ./steward.db)\n"
        "  --key FILE           its master key (or STEWARD_KEY_FILE; default\n"
        "                       PATH.key)\n"
        "  --policy FILE        the policy (or STEWARD_POLICY; default: the one\n"
        "                       the store applies, else the bundled one)\n"
        "  --listen HOST:PORT   where to listen (default 127.0.0.1:8080)\n"
        "  --tls-cert FILE      serve HTTPS with this PEM certificate ...\n"
        "  --tls-key FILE       ... and this PEM key\n"
        "  --sweep-every DUR    run the sweep this often (1h, 30m, 1d; 0: never;\n"
        "                       default 1h)\n"
        "  --web DIR            the pages (default: %s)\n"
        "  --outbox FILE        where messages to people are written (codes,\n"
        "                       confirmation links) as JSON lines; default\n"
        "                       PATH.outbox.ndjson\n"
        "  --smtp URL           send e-mails through this relay (smtp://HOST:PORT,\n"
        "                       smtps://HOST:PORT; STARTTLS is required off\n"
        "                       this machine; STEWARD_SMTP_USER and\n"
        "                       STEWARD_SMTP_PASSWORD log in); text messages\n"
        "                       still go to --outbox\n"
        "  --mail-from ADDRESS  the sender of those e-mails (with --smtp)\n"
        "  --smtp-attempts N    tries per e-mail before it is given up (default 5)\n"
        "  --smtp-retry SECONDS the first wait between tries, doubling (default 2)\n"
        "  --public-url URL     the address people reach (links in messages)\n"
        "  --max-body BYTES     cap of a JSON body (default 1048576); ingest\n"
        "                       is streamed and has none\n"
        "  --rate N             requests per second per key (and per address\n"
        "                       on public pages); 0: no limit (default 2000)\n"
        "  --threads N          worker threads (default: the cores)\n"
        "  --decision-memory MIB  read the decision facts into memory at\n"
        "                       start, at most MIB (default 1024; 0: never)\n"
        "  --decision-refresh T read them again this long after a change\n"
        "                       forgot them (default 1m; 0: never)\n"
        "  --timeout SECONDS    idle connections close (default 30)\n"
        "  --max-connections N  open at once, in all (default 1000)\n"
        "  --max-per-client N   open at once from one address (default 32)\n"
        "  --header-timeout S   seconds a request's head may take (default 10)\n"
        "  --min-rate BYTES     bytes a second a body must keep up (default 256)\n"
        "  --public-floor MS    the privacy centre's request answers take at\n"
        "                       least this long, whatever the address (default\n"
        "                       250)\n"
        "  --messages-per-hour N, --messages-per-day N\n"
        "                       messages to one address (default 3, 10)\n"
        "  --attempts-per-hour N\n"
        "                       codes tried for one address (default 10)\n"
        "  --client-filings-per-hour N, --client-attempts-per-hour N\n"
        "                       from one client address (default 20, 30)\n"
        "  --default-country CC completes national phone numbers\n"
        "  --now INSTANT        pretend it is INSTANT (or STEWARD_NOW)\n"
        "  --routes             print every route with the roles that may call\n"
        "                       it (public: no key), and exit\n"
        "  -h, --help           print this and exit\n",
        STEWARD_WEB_DIR);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "stewardd: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* "--name" of the option whose getopt value is ch, for messages; returns
 * buf (n bytes). */
static const char *opt_name(const struct option *opts, int ch, char *buf,
                            size_t n)
{
    snprintf(buf, n, "an option");
    for (; opts->name; opts++)
        if (opts->val == ch)
            snprintf(buf, n, "--%s", opts->name);
    return buf;
}

static bool parse_seconds(const char *s, long *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return false;
    double unit = !*end || strcmp(end, "s") == 0 ? 1
                  : strcmp(end, "m") == 0        ? 60
                  : strcmp(end, "h") == 0        ? 3600
                  : strcmp(end, "d") == 0        ? 86400
                                                 : -1;
    if (unit < 0)
        return false;
    *out = (long)(v * unit);
    return true;
}

/* "GET /v1/requests admin,dpo,auditor" per line. */
static void print_routes(void)
{
    for (size_t i = 0; i < n_routes_api; i++) {
        const route *r = &routes_api[i];
        printf("%s %s ", r->method, r->path);
        if (r->flags & F_PUBLIC) {
            printf("public\n");
            continue;
        }
        const char *sep = "";
        for (int k = 0; k < SW_ROLE_COUNT; k++)
            if (r->roles & (1u << k)) {
                printf("%s%s", sep, sw_key_role_name((sw_key_role)k));
                sep = ",";
            }
        printf("\n");
    }
}

/* The policy the store applies (NULL in *out when it records none). */
static int store_policy(const server_options *o, sw_policy **out, char *why,
                        size_t n)
{
    *out = NULL;
    sw_store_options so;
    sw_store_options_init(&so);
    so.key_file = o->key_file;
    sw_store *s;
    sw_error e;
    if (sw_store_open(o->store, &so, &s, &e) != SW_OK) {
        snprintf(why, n, "%s", e.msg);
        return 1;
    }
    int rc = 0;
    if (sw_store_policy(s, out) != SW_OK) {
        snprintf(why, n, "the store's policy: %s", sw_errmsg(s));
        rc = 1;
    }
    sw_store_close(s);
    return rc;
}

/* The first error of a policy that did not load, into why. */
static void policy_errors(sw_diags *diags, sw_status st, const char *name,
                          char *why, size_t n)
{
    char line[1024];
    for (size_t i = 0; i < sw_diags_count(diags); i++)
        if (sw_diags_at(diags, i)->severity == SW_SEV_ERROR) {
            snprintf(why, n, "%s: %s", name,
                     sw_diag_format(sw_diags_at(diags, i), line, sizeof(line)));
            return;
        }
    snprintf(why, n, "%s: policy not loaded (%s)", name, sw_strerror(st));
}

/*
 * SIGHUP: the policy read again, from where it came from (the --policy
 * file, else the store's latest version, after a steward policy apply).
 * It must be the policy the store applies, as at start: a changed file is
 * applied with steward policy apply first, and until then the daemon
 * keeps what it runs. The swap waits for the calls in flight (the gate)
 * and new calls wait for it; no connection is dropped. 1 when it changed
 * the policy, 0 when it was the same, -1 with why.
 */
static int reload(server *srv, char *why, size_t n)
{
    const server_options *o = &srv->o;
    sw_policy *next = NULL;
    if (o->policy_file) {
        sw_diags *diags = sw_diags_new();
        sw_status st = diags ? sw_policy_load_file(o->policy_file, diags, &next)
                             : SW_ERR_NOMEM;
        if (st != SW_OK)
            policy_errors(diags, st, o->policy_file, why, n);
        sw_diags_free(diags);
        if (st != SW_OK)
            return -1;
    } else if (store_policy(o, &next, why, n) != 0) {
        return -1;
    } else if (!next) {
        return 0; /* the store records none: the bundled one stays */
    }
    if (strcmp(next->hash, srv->policy->hash) == 0) {
        sw_policy_free(next);
        return 0;
    }
    /* the store's check, on a handle of its own, before anything changes */
    sw_store_options so = srv->so;
    so.policy = next;
    so.group = NULL;
    sw_store *s;
    sw_error e;
    if (sw_store_open(o->store, &so, &s, &e) != SW_OK) {
        snprintf(why, n, "%s", e.msg);
        sw_policy_free(next);
        return -1;
    }
    sw_store_close(s);

    pthread_rwlock_wrlock(&srv->gate);
    sw_policy *before = srv->policy;
    pool_close(srv); /* their decisions were made under the old policy */
    srv->policy = next;
    srv->so.policy = next;
    size_t warmed = 0;
    double ms = 0;
    char err[512];
    /* a failure leaves no handle open: each call opens its own */
    int rc = pool_open(srv, o->threads, &warmed, &ms, err, sizeof(err));
    pthread_rwlock_unlock(&srv->gate);
    sw_policy_free(before);
    if (rc != 0)
        log_line(json_pack("{s:s, s:s}", "event", "reload", "warning", err));
    return 1;
}

int main(int argc, char **argv)
{
    enum {
        O_STORE = 256,
        O_KEY,
        O_POLICY,
        O_LISTEN,
        O_CERT,
        O_TLSKEY,
        O_SWEEP,
        O_WEB,
        O_OUTBOX,
        O_PUBLIC,
        O_MAXBODY,
        O_RATE,
        O_THREADS,
        O_TIMEOUT,
        O_COUNTRY,
        O_NOW,
        O_ROUTES,
        O_HELP,
        O_SMTP,
        O_MAILFROM,
        O_SMTP_TRIES,
        O_SMTP_RETRY,
        O_MAXCONN,
        O_PERCLIENT,
        O_HEADTIME,
        O_MINRATE,
        O_FLOOR,
        O_MSG_H,
        O_MSG_D,
        O_TRY_H,
        O_CFILE_H,
        O_CTRY_H,
        O_DMEM,
        O_DREFRESH
    };
    static const struct option opts[] = {
        {"store", required_argument, NULL, O_STORE},
        {"key", required_argument, NULL, O_KEY},
        {"policy", required_argument, NULL, O_POLICY},
        {"listen", required_argument, NULL, O_LISTEN},
        {"tls-cert", required_argument, NULL, O_CERT},
        {"tls-key", required_argument, NULL, O_TLSKEY},
        {"sweep-every", required_argument, NULL, O_SWEEP},
        {"web", required_argument, NULL, O_WEB},
        {"outbox", required_argument, NULL, O_OUTBOX},
        {"public-url", required_argument, NULL, O_PUBLIC},
        {"smtp", required_argument, NULL, O_SMTP},
        {"mail-from", required_argument, NULL, O_MAILFROM},
        {"smtp-attempts", required_argument, NULL, O_SMTP_TRIES},
        {"smtp-retry", required_argument, NULL, O_SMTP_RETRY},
        {"max-body", required_argument, NULL, O_MAXBODY},
        {"rate", required_argument, NULL, O_RATE},
        {"threads", required_argument, NULL, O_THREADS},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"default-country", required_argument, NULL, O_COUNTRY},
        {"now", required_argument, NULL, O_NOW},
        {"max-connections", required_argument, NULL, O_MAXCONN},
        {"max-per-client", required_argument, NULL, O_PERCLIENT},
        {"header-timeout", required_argument, NULL, O_HEADTIME},
        {"min-rate", required_argument, NULL, O_MINRATE},
        {"public-floor", required_argument, NULL, O_FLOOR},
        {"messages-per-hour", required_argument, NULL, O_MSG_H},
        {"messages-per-day", required_argument, NULL, O_MSG_D},
        {"attempts-per-hour", required_argument, NULL, O_TRY_H},
        {"client-filings-per-hour", required_argument, NULL, O_CFILE_H},
        {"client-attempts-per-hour", required_argument, NULL, O_CTRY_H},
        {"decision-memory", required_argument, NULL, O_DMEM},
        {"decision-refresh", required_argument, NULL, O_DREFRESH},
        {"routes", no_argument, NULL, O_ROUTES},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    server srv; /* the handle every thread reaches */
    memset(&srv, 0, sizeof(srv));
    server_options *o = &srv.o;
    o->store = getenv("STEWARD_STORE") ? getenv("STEWARD_STORE") : "steward.db";
    o->policy_file = getenv("STEWARD_POLICY");
    o->key_file = getenv("STEWARD_KEY_FILE");
    o->now = getenv("STEWARD_NOW");
    o->listen = "127.0.0.1:8080";
    o->web_dir = STEWARD_WEB_DIR;
    o->sweep_every = 3600;
    o->max_body = 1u << 20;
    o->rate = 2000;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cores > 0 ? (unsigned)cores : 2;
    o->timeout = 30;
    o->max_connections = 1000;
    o->max_per_client = 32;
    o->header_timeout = 10;
    o->min_rate = 256;
    o->public_floor_ms = 250;
    o->smtp_attempts = 5;
    o->smtp_retry_s = 2;
    o->decision_mib = 1024;
    o->decision_refresh = 60;
    sw_public_limits_init(&o->limits);
    struct {
        int opt;
        unsigned *dst;
        unsigned min, max;
    } counts[] = {
        {O_MAXCONN, &o->max_connections, 1, 100000},
        {O_PERCLIENT, &o->max_per_client, 1, 100000},
        {O_HEADTIME, &o->header_timeout, 0, 3600},
        {O_MINRATE, &o->min_rate, 0, 1u << 30},
        {O_FLOOR, &o->public_floor_ms, 0, 10000},
        {O_MSG_H, &o->limits.messages_per_hour, 1, 1000000},
        {O_MSG_D, &o->limits.messages_per_day, 1, 1000000},
        {O_TRY_H, &o->limits.attempts_per_hour, 1, 1000000},
        {O_CFILE_H, &o->limits.client_filings_per_hour, 1, 1000000},
        {O_CTRY_H, &o->limits.client_attempts_per_hour, 1, 1000000},
        {O_DMEM, &o->decision_mib, 0, 1u << 20},
    };
    int ch;
    char *end, name[48];
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_STORE: o->store = optarg; break;
        case O_KEY: o->key_file = optarg; break;
        case O_POLICY: o->policy_file = optarg; break;
        case O_LISTEN: o->listen = optarg; break;
        case O_CERT: o->tls_cert = optarg; break;
        case O_TLSKEY: o->tls_key = optarg; break;
        case O_WEB: o->web_dir = optarg; break;
        case O_OUTBOX: o->outbox = optarg; break;
        case O_PUBLIC: o->public_url = optarg; break;
        case O_SMTP: o->smtp_url = optarg; break;
        case O_MAILFROM: o->mail_from = optarg; break;
        case O_SMTP_TRIES:
            o->smtp_attempts = (unsigned)strtoul(optarg, &end, 10);
            if (*end || !o->smtp_attempts || o->smtp_attempts > 20)
                return fail("--smtp-attempts '%s': expected 1 to 20", optarg),
                       2;
            break;
        case O_SMTP_RETRY:
            o->smtp_retry_s = strtod(optarg, &end);
            if (*end || o->smtp_retry_s < 0 || o->smtp_retry_s > 3600)
                return fail("--smtp-retry '%s': expected seconds (0 to 3600)",
                            optarg),
                       2;
            break;
        case O_COUNTRY: o->country = optarg; break;
        case O_NOW: o->now = optarg; break;
        case O_SWEEP:
        case O_DREFRESH:
            if (!parse_seconds(optarg, ch == O_SWEEP ? &o->sweep_every
                                                     : &o->decision_refresh))
                return fail("%s '%s': expected a duration such as 30s, 1h "
                            "or 1d (0: never)",
                            opt_name(opts, ch, name, sizeof(name)), optarg),
                       2;
            break;
        case O_MAXBODY:
            o->max_body = strtoul(optarg, &end, 10);
            if (*end || !o->max_body)
                return fail("--max-body '%s': expected a number of bytes",
                            optarg),
                       2;
            break;
        case O_RATE:
            o->rate = strtod(optarg, &end);
            if (*end || o->rate < 0)
                return fail("--rate '%s': expected requests per second",
                            optarg),
                       2;
            break;
        case O_THREADS:
            o->threads = (unsigned)strtoul(optarg, &end, 10);
            if (*end || !o->threads || o->threads > 256)
                return fail("--threads '%s': expected 1 to 256", optarg), 2;
            break;
        case O_TIMEOUT:
            o->timeout = (unsigned)strtoul(optarg, &end, 10);
            if (*end)
                return fail("--timeout '%s': expected seconds", optarg), 2;
            break;
        case O_HELP:
        case 'h': usage(stdout); return 0;
        case O_ROUTES: print_routes(); return 0;
        case O_MAXCONN:
        case O_PERCLIENT:
        case O_HEADTIME:
        case O_MINRATE:
        case O_FLOOR:
        case O_MSG_H:
        case O_MSG_D:
        case O_TRY_H:
        case O_CFILE_H:
        case O_CTRY_H:
        case O_DMEM:
            for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
                if (counts[i].opt != ch)
                    continue;
                unsigned long v = strtoul(optarg, &end, 10);
                if (*optarg < '0' || *optarg > '9' || *end ||
                    v < counts[i].min || v > counts[i].max)
                    return fail("%s '%s': expected a whole number from %u to "
                                "%u",
                                opt_name(opts, ch, name, sizeof(name)), optarg,
                                counts[i].min, counts[i].max),
                           2;
                *counts[i].dst = (unsigned)v;
            }
            break;
        default:
            fprintf(stderr,
                    "stewardd: unknown option or missing value: '%s'\n"
                    "Try 'stewardd --help'.\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "stewardd: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    char outbox[1024];
    if (!o->outbox) {
        snprintf(outbox, sizeof(outbox), "%s.outbox.ndjson", o->store);
        o->outbox = outbox;
    }
    char public_url[300];
    if (!o->public_url) {
        snprintf(public_url, sizeof(public_url), "%s://%s",
                 o->tls_cert ? "https" : "http", o->listen);
        o->public_url = public_url;
    }

    /* no policy named: the one the store applies, if it records one */
    if (!o->policy_file) {
        char why[600];
        if (store_policy(o, &srv.policy, why, sizeof(why)) != 0)
            return fail("%s", why);
    }
    sw_diags *diags = sw_diags_new();
    sw_status st = !diags       ? SW_ERR_NOMEM
                   : srv.policy ? SW_OK
                   : o->policy_file
                       ? sw_policy_load_file(o->policy_file, diags, &srv.policy)
                       : sw_policy_load_bundled(diags, &srv.policy);
    if (st != SW_OK) {
        char line[1024];
        for (size_t i = 0; i < sw_diags_count(diags); i++)
            if (sw_diags_at(diags, i)->severity == SW_SEV_ERROR)
                fprintf(
                    stderr, "%s\n",
                    sw_diag_format(sw_diags_at(diags, i), line, sizeof(line)));
        sw_diags_free(diags);
        return fail("%s: policy not loaded (%s)",
                    o->policy_file ? o->policy_file : "bundled policy",
                    sw_strerror(st));
    }
    sw_diags_free(diags);
    if (o->now) {
        sw_instant t;
        if (sw_instant_parse(o->now, &t) != SW_OK)
            return fail("--now '%s': expected an ISO-8601 instant", o->now);
        sw_clock_init_fixed(&srv.clock, t);
    } else {
        sw_clock_init_system(&srv.clock);
    }
    char err[512];
    if (server_prepare(&srv, err, sizeof(err)) != 0) {
        sw_policy_free(srv.policy);
        return fail("%s", err);
    }
    /* a handle per worker, its traffic look-ups warmed before the first
     * call */
    size_t warmed = 0;
    double warm_ms = 0;
    if (pool_open(&srv, o->threads, &warmed, &warm_ms, err, sizeof(err)) != 0) {
        server_release(&srv); /* what prepare made, and handles opened */
        sw_policy_free(srv.policy);
        return fail("%s", err);
    }

    /* signals: handled by this thread alone, with sigwait */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (mailer_start(&srv, err, sizeof(err)) != 0) {
        server_release(&srv);
        sw_policy_free(srv.policy);
        return fail("%s", err);
    }
    struct stat web;
    if (stat(o->web_dir, &web) != 0 || !S_ISDIR(web.st_mode)) {
        server_release(&srv);
        mailer_stop(&srv);
        sw_policy_free(srv.policy);
        return fail("--web %s: no such directory (the pages of the privacy "
                    "centre and the console)",
                    o->web_dir);
    }
    if (server_start(&srv, err, sizeof(err)) != 0) {
        server_stop(&srv);
        mailer_stop(&srv);
        sw_policy_free(srv.policy);
        return fail("%s", err);
    }
    facts_start(&srv); /* in the background: calls are served meanwhile */
    pthread_t sweep_th;
    bool sweeping = o->sweep_every > 0 &&
                    pthread_create(&sweep_th, NULL, sweeper, &srv) == 0;
    char shown[512];
    sw_store_uri_shown(o->store, shown, sizeof(shown));
    log_line(json_pack(
        "{s:s, s:s, s:b, s:s, s:i, s:I, s:I, s:i}", "event", "start", "listen",
        o->listen, "tls", o->tls_cert != NULL, "store", shown, "threads",
        (int)o->threads, "sweep_every_s", (json_int_t)o->sweep_every,
        "warmed_months", (json_int_t)warmed, "warm_ms", (int)warm_ms));
    /* systemd (a no-op unless it set NOTIFY_SOCKET) */
    sd_notify(0, "READY=1\nSTATUS=serving");
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        char msg[96];
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
                 (unsigned long long)ts.tv_sec * 1000000ull +
                     (unsigned long long)ts.tv_nsec / 1000u);
        sd_notify(0, msg);
        char why[1024] = "";
        double t0 = mono();
        facts_wait(&srv); /* what it reads was for the old policy */
        int rc = reload(&srv, why, sizeof(why));
        double ms = (mono() - t0) * 1e3;
        if (rc > 0)
            facts_start(&srv);
        if (rc < 0)
            log_line(json_pack("{s:s, s:s, s:s, s:f}", "event", "reload",
                               "error", why, "policy", "unchanged", "ms", ms));
        else
            log_line(json_pack("{s:s, s:s, s:s, s:s?, s:f}", "event", "reload",
                               "policy", rc ? "changed" : "unchanged", "hash",
                               srv.policy->hash, "notice_version",
                               srv.policy->notice.version, "ms", ms));
        sd_notify(0, "READY=1\nSTATUS=serving");
    }
    sd_notify(0, "STOPPING=1");
    fprintf(stderr, "{\"event\":\"stopping\",\"signal\":%d}\n", sig);
    atomic_store(&srv.stopping, true);
    pthread_mutex_lock(&srv.sweep_mu);
    pthread_cond_broadcast(&srv.sweep_cv);
    pthread_mutex_unlock(&srv.sweep_mu);
    if (sweeping)
        pthread_join(sweep_th, NULL);
    facts_wait(&srv);
    server_stop(&srv);
    mailer_stop(&srv); /* after the workers: nothing queues any more */
    sw_policy_free(srv.policy);
    fprintf(stderr, "{\"event\":\"stopped\"}\n");
    return 0;
}
