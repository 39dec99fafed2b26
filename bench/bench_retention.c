/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Retention and traffic benchmarks, each against a baseline in the same
 * run where one exists:
 *  1. traffic ingest (sealed, blind-indexed, per-day keys) vs. SQLite
 *     inserts of the same parsed rows in clear into the same table shape;
 *  2. stripping one day's identifiers with 100 000, 1 000 000 and
 *     10 000 000 records in that day: the time must stay flat;
 *  3. record sweep vs. a raw DELETE ... WHERE due_at <= ? of the same rows
 *     on a copy of the same store;
 *  4. traffic find with 12 live months: p50/p99 over random people, on
 *     a fresh handle, on a fresh handle warmed first, and in the steady
 *     state;
 *  5. peak memory (max RSS) of the ingest;
 *  6. the retention audit of the sweep's store vs. plain counts of the
 *     same tables (the least any walk of them costs).
 * Usage: bench_retention [ingest_rows] [max_day_rows] [find_rows]
 * (defaults 1000000, 10000000, 10000000). gen-traffic must sit beside it.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "steward/steward.h"

static char gen[1024], dir[] = "/tmp/steward-bench-XXXXXX";
static sw_policy *policy;

/* Opens (creating it first when asked) a store of the bench's directory
 * with its clock fixed at now. */
static sw_store *open_at(const char *name, const char *now, bool create)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = policy;
    o.actor = "bench";
    sw_instant t;
    sw_instant_parse(now, &t);
    sw_clock_init_fixed(&o.clock, t);
    sw_error err;
    sw_store *s;
    if ((create && sw_store_create(path, &o, &err) != SW_OK) ||
        sw_store_open(path, &o, &s, &err) != SW_OK) {
        fprintf(stderr, "bench_retention: %s\n", err.msg);
        exit(1);
    }
    return s;
}

static sw_store *new_store(const char *name, const char *now)
{
    return open_at(name, now, true);
}

static void set_now(sw_store *s, const char *now)
{
    sw_instant t;
    sw_instant_parse(now, &t);
    sw_clock c;
    sw_clock_init_fixed(&c, t);
    sw_store_set_clock(s, &c);
}

/* The lines to ingest: "@FILE", or gen-traffic run with args. */
static FILE *source(const char *args)
{
    if (args[0] == '@')
        return fopen(args + 1, "r");
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "%s %s", gen, args);
    return popen(cmd, "r");
}

static void source_close(const char *args, FILE *f)
{
    if (args[0] == '@')
        fclose(f);
    else
        pclose(f);
}

/* Ingests gen-traffic output; returns seconds. */
static double ingest(sw_store *s, const char *args, size_t *stored)
{
    FILE *f = source(args);
    sw_ingest_options o = {false, 0, NULL, NULL};
    sw_ingest_result r;
    double t0 = now_s();
    sw_status st = sw_traffic_ingest(s, f, "gen", &o, NULL, &r);
    double t = now_s() - t0;
    source_close(args, f);
    if (st != SW_OK) {
        fprintf(stderr, "bench_retention: ingest: %s\n", sw_errmsg(s));
        exit(1);
    }
    *stored = r.stored;
    return t;
}

/* The baseline: the same lines parsed with jansson (as a plain C program
 * would; steward parses them with simdjson) and inserted in clear into a
 * table of the same shape and indexes; returns seconds of the inserts
 * alone (parse_s gets the parsing time). */
static double raw_ingest(const char *args, size_t *rows, double *parse_s)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/raw-traffic.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "PRAGMA cache_size=-65536;"
                 "CREATE TABLE t(ext_id TEXT NOT NULL, account TEXT NOT NULL,"
                 " channel TEXT NOT NULL, at INTEGER NOT NULL, day INTEGER NOT"
                 " NULL, sender TEXT, country TEXT, destination TEXT, imsi "
                 "TEXT, imei TEXT, duration INTEGER, op TEXT, route TEXT,"
                 " price TEXT, currency TEXT);"
                 "CREATE UNIQUE INDEX t_id ON t(ext_id);"
                 "CREATE INDEX t_dest ON t(destination);"
                 "CREATE INDEX t_day ON t(day, account);",
                 NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "INSERT INTO t VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                       "?11,?12,?13,?14,?15)",
                       -1, &st, NULL);
    FILE *f = source(args);
    char *line = NULL;
    size_t cap = 0, n = 0;
    double ins = 0, parse = 0;
    static const char *const cols[] = {
        "id",       "account",     "channel", "time",    "sender",
        "country",  "destination", "imsi",    "imei",    "duration",
        "operator", "route",       "price",   "currency"};
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    while (getline(&line, &cap, f) > 0) {
        double a = now_s();
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        const char *v[14];
        for (int i = 0; i < 14; i++)
            v[i] = json_string_value(json_object_get(o, cols[i]));
        sw_instant at = 0;
        sw_instant_parse(v[3], &at);
        double b = now_s();
        sqlite3_bind_text(st, 1, v[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, v[1], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, v[2], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, at);
        sqlite3_bind_int64(st, 5, at / 86400);
        sqlite3_bind_text(st, 6, v[4], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, v[5], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, v[6], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, v[7], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, v[8], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11,
                           json_integer_value(json_object_get(o, "duration")));
        sqlite3_bind_text(st, 12, v[10], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, v[11], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, v[12], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 15, v[13], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
        json_decref(o);
        double c = now_s();
        parse += b - a;
        ins += c - b;
        n++;
    }
    double a = now_s();
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    ins += now_s() - a;
    source_close(args, f);
    free(line);
    sqlite3_finalize(st);
    sqlite3_close(db);
    *rows = n;
    *parse_s = parse;
    return ins;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Rounds of a measured pair: the order alternates (this machine runs the
 * second of two alike jobs faster), the ratio of each round is printed and
 * their median is the figure. */
#define ROUNDS 3

static double median3(double *v)
{
    qsort(v, ROUNDS, sizeof(double), cmp_double);
    return v[ROUNDS / 2];
}

/* Steward's ingest of a file into a new store; returns seconds. */
static double our_ingest(const char *args, const char *name, size_t *stored,
                         long *rss0, long *rss1)
{
    sw_store *s = new_store(name, "2026-02-01T00:00:00Z");
    *rss0 = max_rss_kib();
    double t = ingest(s, args, stored);
    *rss1 = max_rss_kib();
    sw_store_close(s);
    return t;
}

static void bench_ingest(long rows)
{
    /* All read files written first (the generator does not compete for
     * the two cores): the same rows as NDJSON and as CSV. */
    char gen_args[256], json[300], csv[300], cmd[2048];
    long days = 30, per_day = rows / days;
    snprintf(gen_args, sizeof(gen_args),
             "--start 2026-01-01 --days %ld --per-day %ld --destinations "
             "200000 --accounts 50",
             days, per_day);
    snprintf(json, sizeof(json), "@%s/ingest.ndjson", dir);
    snprintf(csv, sizeof(csv), "@%s/ingest.csv", dir);
    snprintf(cmd, sizeof(cmd), "%s %s > %s && %s %s --format csv > %s", gen,
             gen_args, json + 1, gen, gen_args, csv + 1);
    if (system(cmd) != 0)
        exit(1);
    double alone[ROUNDS], with_parse[ROUNDS], csv_alone[ROUNDS];
    size_t stored = 0, csv_stored = 0;
    long rss0 = 0, rss1 = 0, crss0 = 0, crss1 = 0;
    for (int k = 0; k < ROUNDS; k++) {
        size_t raw_rows = 0;
        double raw = 0, parse = 0, ours = 0, ours_csv = 0;
        /* the baseline first, then last, then first */
        for (int turn = 0; turn < 3; turn++) {
            int job = k % 2 == 0 ? turn : 2 - turn;
            sync(); /* no run pays for another's writeback */
            if (job == 0)
                raw = raw_ingest(json, &raw_rows, &parse);
            else if (job == 1)
                ours = our_ingest(json, "ingest.db", &stored, &rss0, &rss1);
            else
                ours_csv = our_ingest(csv, "ingest-csv.db", &csv_stored, &crss0,
                                      &crss1);
        }
        alone[k] = raw / ours;
        with_parse[k] = (raw + parse) / ours;
        csv_alone[k] = raw / ours_csv;
        printf("traffic ingest, round %d (baseline %s): %zu records; SQLite "
               "insert in clear %.0f/s, with the same JSON parsing %.0f/s; "
               "steward (parse, seal, blind index, insert) from NDJSON "
               "%.0f/s: ratio %.2f against the insert alone, %.2f against "
               "parse+insert; from CSV %.0f/s: ratio %.2f against the insert "
               "alone\n",
               k + 1, k % 2 == 0 ? "first" : "last", stored, raw_rows / raw,
               raw_rows / (raw + parse), stored / ours, alone[k], with_parse[k],
               csv_stored / ours_csv, csv_alone[k]);
        snprintf(cmd, sizeof(cmd), "rm -f %s/raw-traffic.db* %s/ingest*.db*",
                 dir, dir);
        if (system(cmd) != 0)
            exit(1);
    }
    printf("traffic ingest: median of %d rounds: NDJSON %.2f against the "
           "insert alone, %.2f against parse+insert; CSV %.2f against the "
           "insert alone (target >= 0.7)\n",
           ROUNDS, median3(alone), median3(with_parse), median3(csv_alone));
    printf("ingest peak memory: max RSS %ld MiB before, %ld MiB after "
           "ingesting %zu records (target <= 256 MiB)\n",
           rss0 / 1024, (rss1 > crss1 ? rss1 : crss1) / 1024, stored);
}

static void bench_strip(long max_rows)
{
    for (long rows = 100000; rows <= max_rows; rows *= 10) {
        char name[64], args[256];
        snprintf(name, sizeof(name), "strip-%ld.db", rows);
        snprintf(args, sizeof(args),
                 "--start 2026-01-10 --days 1 --per-day %ld --destinations "
                 "1000000",
                 rows);
        sw_store *s = new_store(name, "2026-01-11T00:00:00Z");
        size_t stored;
        double ing = ingest(s, args, &stored);
        set_now(s, "2027-01-11T00:00:00Z");
        sw_sweep_options o = {false, 0, NULL, NULL};
        sw_sweep_report *r;
        double t0 = now_s();
        if (sw_sweep(s, &o, &r) != SW_OK) {
            fprintf(stderr, "sweep: %s\n", sw_errmsg(s));
            exit(1);
        }
        double t = now_s() - t0;
        printf("strip one day's identifiers: %zu records in the day "
               "(ingested in %.1f s): %.2f ms for the sweep that destroyed %zu "
               "day key\n",
               stored, ing, t * 1e3, r->epochs_destroyed);
        sw_sweep_report_free(r);
        sw_store_close(s);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -f %s/%s*", dir, name);
        if (system(cmd) != 0)
            exit(1);
    }
}

/* The raw range delete on a copy of the store; returns seconds. */
static double raw_delete(const char *name, long *deleted)
{
    char raw[256];
    snprintf(raw, sizeof(raw), "%s/%s", dir, name);
    sqlite3 *db;
    sqlite3_open(raw, &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 " PRAGMA secure_delete=ON; PRAGMA cache_size=-65536;",
                 NULL, NULL, NULL);
    double t0 = now_s();
    sqlite3_exec(db,
                 "DELETE FROM records WHERE due_at <= strftime('%s', "
                 "'2040-01-01')",
                 NULL, NULL, NULL);
    double t = now_s() - t0;
    *deleted = sqlite3_changes(db);
    sqlite3_close(db);
    return t;
}

/* Plain counts of the tables the retention audit walks; seconds. */
static double raw_counts(const char *name)
{
    char raw[256];
    snprintf(raw, sizeof(raw), "%s/%s", dir, name);
    sqlite3 *db;
    sqlite3_open(raw, &db);
    double t0 = now_s();
    sqlite3_exec(db,
                 "SELECT count(*) FROM subjects; SELECT count(*) FROM"
                 " identifiers; SELECT count(*), count(due_at) FROM records;"
                 " SELECT count(*) FROM events; SELECT count(*) FROM consents;"
                 " SELECT count(*) FROM holds; SELECT count(*) FROM audit;",
                 NULL, NULL, NULL);
    double t = now_s() - t0;
    sqlite3_close(db);
    return t;
}

/* steward retention audit of the store; seconds. */
static double our_audit(const char *name, size_t *items)
{
    sw_store *s = open_at(name, "2025-06-01T00:00:00Z", false);
    double t0 = now_s();
    sw_retention_audit *a = NULL;
    if (sw_retention_audit_run(s, &a) != SW_OK) {
        fprintf(stderr, "audit: %s\n", sw_errmsg(s));
        exit(1);
    }
    double t = now_s() - t0;
    *items = a->personal_items;
    sw_retention_audit_free(a);
    sw_store_close(s);
    return t;
}

static void bench_audit(void)
{
    double ratio[ROUNDS];
    for (int k = 0; k < ROUNDS; k++) {
        size_t items = 0;
        double base = 0, ours = 0;
        for (int turn = 0; turn < 2; turn++) {
            if ((turn == 0) == (k % 2 == 0))
                base = raw_counts("sweep.db");
            else
                ours = our_audit("sweep.db", &items);
        }
        ratio[k] = base / ours;
        printf("retention audit, round %d: %zu personal items in %.3f s; "
               "plain counts of the same tables %.3f s; ratio %.2f\n",
               k + 1, items, ours, base, ratio[k]);
    }
    printf("retention audit: median of %d rounds: ratio %.2f\n", ROUNDS,
           median3(ratio));
}

/* The bundled policy with invoices kept 11 years instead of 10. */
static sw_policy *eleven_years(void)
{
    size_t len;
    const char *text = sw_policy_bundled_text(&len);
    const char *at = strstr(text, "[contract.invoice]\n        keep: 10y");
    char *buf = at ? malloc(len + 1) : NULL;
    if (!buf)
        exit(1);
    memcpy(buf, text, len + 1);
    buf[at - text + 34] = '1'; /* "10y" -> "11y" */
    sw_policy *p = NULL;
    if (sw_policy_load_buffer("eleven-years.yaml", buf, len, NULL, &p) != SW_OK)
        exit(1);
    free(buf);
    return p;
}

/* steward policy apply on a copy: every invoice dated again; seconds. */
static double our_apply(const char *name, size_t *redated)
{
    sw_store *s = open_at(name, "2025-06-01T00:00:00Z", false);
    sw_policy *next = eleven_years();
    sw_policy_plan *plan = NULL;
    double t0 = now_s();
    if (sw_policy_apply(s, next, false, &plan) != SW_OK) {
        fprintf(stderr, "apply: %s\n", sw_errmsg(s));
        exit(1);
    }
    double t = now_s() - t0;
    *redated = plan->records_redated;
    sw_policy_plan_free(plan);
    sw_store_close(s);
    sw_policy_free(next);
    return t;
}

/* The raw UPDATE that moves the same due dates a year on; seconds. */
static double raw_update(const char *name, long *n)
{
    char raw[256];
    snprintf(raw, sizeof(raw), "%s/%s", dir, name);
    sqlite3 *db;
    sqlite3_open(raw, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL,
                 NULL, NULL);
    double t0 = now_s();
    sqlite3_exec(db,
                 "UPDATE records SET due_at = due_at + 31622400 WHERE"
                 " activity = 'customer_account'",
                 NULL, NULL, NULL);
    double t = now_s() - t0;
    *n = sqlite3_changes(db);
    sqlite3_close(db);
    return t;
}

static void bench_apply(void)
{
    double ratio[ROUNDS];
    char cmd[1024];
    for (int k = 0; k < ROUNDS; k++) {
        snprintf(cmd, sizeof(cmd),
                 "cp %s/sweep.db %s/raw-apply.db && cp %s/sweep.db "
                 "%s/our-apply.db && cp %s/sweep.db.key %s/our-apply.db.key",
                 dir, dir, dir, dir, dir, dir);
        if (system(cmd) != 0)
            exit(1);
        sync();
        long n = 0;
        size_t redated = 0;
        double base = 0, ours = 0;
        for (int turn = 0; turn < 2; turn++) {
            if ((turn == 0) == (k % 2 == 0))
                base = raw_update("raw-apply.db", &n);
            else
                ours = our_apply("our-apply.db", &redated);
        }
        ratio[k] = base / ours;
        printf("policy apply, round %d: %zu records dated again (each due "
               "date computed under the new rule, audited) %.0f/s; raw "
               "UPDATE of the same %ld rows %.0f/s; ratio %.2f\n",
               k + 1, redated, redated / ours, n, n / base, ratio[k]);
        snprintf(cmd, sizeof(cmd), "rm -f %s/raw-apply.db* %s/our-apply.db*",
                 dir, dir);
        if (system(cmd) != 0)
            exit(1);
    }
    printf("policy apply: median of %d rounds: ratio %.2f\n", ROUNDS,
           median3(ratio));
}

/* Steward's sweep of a copy with the default batch; returns seconds. */
static double our_sweep(const char *name, size_t *records, size_t *batches)
{
    sw_store *s = open_at(name, "2040-01-01T00:00:00Z", false);
    sw_sweep_options so = {false, 0, NULL, NULL};
    sw_sweep_report *r;
    double t0 = now_s();
    if (sw_sweep(s, &so, &r) != SW_OK) {
        fprintf(stderr, "sweep: %s\n", sw_errmsg(s));
        exit(1);
    }
    double t = now_s() - t0;
    *records = r->records;
    *batches = r->batches;
    sw_sweep_report_free(r);
    sw_store_close(s);
    return t;
}

static void bench_sweep(long n)
{
    sw_store *s = new_store("sweep.db", "2025-01-01T00:00:00Z");
    const int subjects = 1000;
    char(*ids)[SW_ID_BUFSZ] = malloc(sizeof(*ids) * subjects);
    sw_batch_begin(s);
    for (int i = 0; i < subjects; i++) {
        sw_subject_spec spec = {"customer", "BENCH", NULL, NULL, 0, NULL};
        sw_subject_add(s, &spec, ids[i]);
    }
    for (long i = 0; i < n; i++) {
        char value[32], rid[SW_ID_BUFSZ];
        snprintf(value, sizeof(value), "Name %ld", i);
        sw_record_spec r = {ids[i % subjects],
                            "customer_account",
                            "contract.invoice",
                            value,
                            strlen(value),
                            NULL,
                            true,
                            1700000000 + i,
                            NULL};
        if (sw_record_add(s, &r, rid, NULL) != SW_OK) {
            fprintf(stderr, "record: %s\n", sw_errmsg(s));
            exit(1);
        }
        if ((i + 1) % 20000 == 0) {
            sw_batch_commit(s);
            sw_batch_begin(s);
        }
    }
    sw_batch_commit(s);
    sw_store_close(s);
    free(ids);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "sqlite3 %s/sweep.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null",
             dir);
    if (system(cmd) != 0)
        exit(1);
    bench_audit();
    bench_apply();
    double ratio[ROUNDS];
    for (int k = 0; k < ROUNDS; k++) {
        /* identical copies: one for the raw DELETE, one for the sweep */
        snprintf(cmd, sizeof(cmd),
                 "cp %s/sweep.db %s/raw-sweep.db && cp %s/sweep.db "
                 "%s/our-sweep.db && cp %s/sweep.db.key %s/our-sweep.db.key",
                 dir, dir, dir, dir, dir, dir);
        if (system(cmd) != 0)
            exit(1);
        sync(); /* the copies' writeback does not run under the timings */
        long deleted = 0;
        size_t records = 0, batches = 0;
        double base = 0, ours = 0;
        for (int turn = 0; turn < 2; turn++) {
            if ((turn == 0) == (k % 2 == 0))
                base = raw_delete("raw-sweep.db", &deleted);
            else
                ours = our_sweep("our-sweep.db", &records, &batches);
        }
        ratio[k] = base / ours;
        printf("record sweep, round %d (%s first): %zu records (%zu batch%s, "
               "aggregated, audited, subjects removed) %.0f/s; raw DELETE of "
               "the same %ld rows %.0f/s; ratio %.2f\n",
               k + 1, k % 2 == 0 ? "baseline" : "steward", records, batches,
               batches == 1 ? "" : "es", records / ours, deleted,
               deleted / base, ratio[k]);
        snprintf(cmd, sizeof(cmd), "rm -f %s/raw-sweep.db* %s/our-sweep.db*",
                 dir, dir);
        if (system(cmd) != 0)
            exit(1);
    }
    printf("record sweep: median of %d rounds: ratio %.2f (target >= 0.8)\n",
           ROUNDS, median3(ratio));
}

/* 1000 look-ups of random people; prints p50/p99/max under label. */
static void find_round(sw_store *s, unsigned *seed, const char *label,
                       size_t stored, double ing)
{
    const int probes = 1000;
    double *lat = malloc(sizeof(double) * probes);
    size_t total = 0;
    for (int i = 0; i < probes; i++) {
        char msisdn[32];
        snprintf(msisdn, sizeof(msisdn), "+447700%06u", rand_r(seed) % 1000000);
        size_t n;
        double a = now_s();
        if (sw_traffic_find(s, "msisdn", msisdn, NULL, NULL, &n) != SW_OK) {
            fprintf(stderr, "find: %s\n", sw_errmsg(s));
            exit(1);
        }
        lat[i] = now_s() - a;
        total += n;
    }
    qsort(lat, probes, sizeof(double), cmp_double);
    printf("traffic find, %s: %zu records over 12 live months (ingested in "
           "%.0f s): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d people "
           "(%.1f records each on average; target p99 <= 5 ms)\n",
           label, stored, ing, lat[probes / 2] * 1e3,
           lat[probes * 99 / 100] * 1e3, lat[probes - 1] * 1e3, probes,
           (double)total / probes);
    free(lat);
}

static sw_store *reopen(sw_store *s, const char *name, const char *now)
{
    sw_store_close(s);
    return open_at(name, now, false);
}

static void bench_find(long rows)
{
    sw_store *s = new_store("find.db", "2026-01-01T00:00:00Z");
    char args[256];
    long days = 365;
    snprintf(args, sizeof(args),
             "--start 2025-01-01 --days %ld --per-day %ld --destinations "
             "1000000 --accounts 100",
             days, rows / days);
    size_t stored;
    double ing = ingest(s, args, &stored);
    const char *now = "2025-12-31T23:00:00Z";
    sync(); /* the ingest's writeback does not run under the look-ups */
    unsigned seed = 7;
    /* A fresh handle maps the store's pages in as look-ups first touch
     * them; a warmed one (what stewardd does at start) has them. */
    s = reopen(s, "find.db", now);
    find_round(s, &seed, "first 1000 people on a fresh handle, not warmed",
               stored, ing);
    s = reopen(s, "find.db", now);
    size_t months = 0;
    double t0 = now_s();
    if (sw_traffic_warm(s, &months) != SW_OK) {
        fprintf(stderr, "warm: %s\n", sw_errmsg(s));
        exit(1);
    }
    printf("traffic warm of a fresh handle: %zu months read in %.0f ms\n",
           months, (now_s() - t0) * 1e3);
    find_round(s, &seed, "first 1000 people on a fresh handle, warmed", stored,
               ing);
    find_round(s, &seed, "next 1000 people (steady state)", stored, ing);
    sw_store_close(s);
}

int main(int argc, char **argv)
{
    long ingest_rows = argc > 1 ? atol(argv[1]) : 1000000;
    long max_day = argc > 2 ? atol(argv[2]) : 10000000;
    long find_rows = argc > 3 ? atol(argv[3]) : 10000000;
    long sweep_rows = argc > 4 ? atol(argv[4]) : 200000;
    char self[900];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(gen, sizeof(gen), "%s/gen-traffic", self);
    if (!mkdtemp(dir) || sw_policy_load_bundled(NULL, &policy) != SW_OK)
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ingest_rows > 0)
        bench_ingest(ingest_rows);
    if (sweep_rows > 0)
        bench_sweep(sweep_rows);
    if (max_day > 0)
        bench_strip(max_day);
    if (find_rows > 0)
        bench_find(find_rows);
    sw_policy_free(policy);
    if (getenv("BENCH_KEEP")) { /* leave the stores for a closer look */
        fprintf(stderr, "stores kept in %s\n", dir);
        return 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
