/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ledger benchmarks, each against a baseline in the same run:
 *  1. record inserts through sw_record_add (sealed, blind-checked, audited)
 *     vs. plain SQLite inserts of the same rows into the same table shape,
 *     without encryption, same journal settings and batch size;
 *  2. survey answers of about 1 KB (market_research), redacted on write
 *     by the bundled policy's scan rule (docs/scan.md), vs. the same
 *     records under the same policy with its scan rule taken out;
 *  3. subject look-up by identifier among BENCH_IDENTS identifiers
 *     (default 10 000 000): p50 and p99 of sw_subject_find.
 * Usage: bench_ledger [records] [identifiers]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "steward/steward.h"

static void die(const char *what, sw_store *s)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, s ? sw_errmsg(s) : "");
    exit(1);
}

static sw_store *open_new(const char *path, sw_policy *p)
{
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = p;
    o.actor = "bench";
    sw_error err;
    if (sw_store_create(path, &o, &err) != SW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    sw_store *s;
    if (sw_store_open(path, &o, &s, &err) != SW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return s;
}

#define BATCH 10000
#define SUBJECTS 1000

static double bench_raw(const char *path, long n)
{
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE records(id TEXT PRIMARY KEY, subject_id TEXT "
                 "NOT NULL, activity TEXT NOT NULL, category TEXT NOT NULL, "
                 "value BLOB NOT NULL, source TEXT, collected_at INTEGER NOT "
                 "NULL, due_at INTEGER, rule TEXT);"
                 "CREATE INDEX records_subject ON records(subject_id);"
                 "CREATE INDEX records_due ON records(due_at) WHERE due_at IS "
                 "NOT NULL;",
                 NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "INSERT INTO records VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                       -1, &st, NULL);
    double t0 = now_s();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (long i = 0; i < n; i++) {
        char id[32], subj[32], value[64];
        snprintf(id, sizeof(id), "rec_%020ld", i);
        snprintf(subj, sizeof(subj), "sub_%020ld", i % SUBJECTS);
        snprintf(value, sizeof(value), "Customer Name %ld", i);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, subj, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, "customer_account", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, "user.name", -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, value, (int)strlen(value), SQLITE_TRANSIENT);
        sqlite3_bind_null(st, 6);
        sqlite3_bind_int64(st, 7, 1700000000 + i);
        sqlite3_bind_null(st, 8);
        sqlite3_bind_text(st, 9, "customer_account.customer", -1,
                          SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
        if ((i + 1) % BATCH == 0) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}

static double bench_records(sw_store *s, long n)
{
    static char subjects[SUBJECTS][SW_ID_BUFSZ];
    if (sw_batch_begin(s) != SW_OK)
        die("batch", s);
    for (int i = 0; i < SUBJECTS; i++) {
        sw_subject_spec spec = {"customer", "BENCH", NULL, NULL, 0, NULL};
        if (sw_subject_add(s, &spec, subjects[i]) != SW_OK)
            die("subject add", s);
    }
    if (sw_batch_commit(s) != SW_OK)
        die("batch", s);
    double t0 = now_s();
    sw_batch_begin(s);
    for (long i = 0; i < n; i++) {
        char value[64], id[SW_ID_BUFSZ];
        snprintf(value, sizeof(value), "Customer Name %ld", i);
        sw_record_spec r = {subjects[i % SUBJECTS],
                            "customer_account",
                            "user.name",
                            value,
                            strlen(value),
                            NULL,
                            true,
                            1700000000 + i,
                            NULL};
        if (sw_record_add(s, &r, id, NULL) != SW_OK)
            die("record add", s);
        if ((i + 1) % BATCH == 0) {
            if (sw_batch_commit(s) != SW_OK || sw_batch_begin(s) != SW_OK)
                die("batch", s);
        }
    }
    if (sw_batch_commit(s) != SW_OK)
        die("batch", s);
    return now_s() - t0;
}

/* n survey answers of about 1 KB, each with an address and a number. */
static double bench_answers(sw_store *s, long n)
{
    static char subjects[SUBJECTS][SW_ID_BUFSZ];
    if (sw_batch_begin(s) != SW_OK)
        die("batch", s);
    for (int i = 0; i < SUBJECTS; i++) {
        sw_subject_spec spec = {
            "research_participant", NULL, NULL, NULL, 0, NULL};
        if (sw_subject_add(s, &spec, subjects[i]) != SW_OK)
            die("subject add", s);
    }
    if (sw_batch_commit(s) != SW_OK)
        die("batch", s);
    char answer[1100];
    double t0 = now_s();
    sw_batch_begin(s);
    for (long i = 0; i < n; i++) {
        int k = snprintf(answer, sizeof(answer),
                         "Answer %ld: the delivery reports arrive late on "
                         "Mondays; reach me at person%ld@example.com or +385 "
                         "91 %03ld %04ld. ",
                         i, i, i % 1000, i % 10000);
        while (k < 1000)
            k += snprintf(answer + k, sizeof(answer) - (size_t)k,
                          "The dashboard is clear and the prices are fair, "
                          "but exports could be faster. ");
        char id[SW_ID_BUFSZ];
        sw_record_spec r = {subjects[i % SUBJECTS],
                            "market_research",
                            "user.content.survey_answer",
                            answer,
                            (size_t)k,
                            NULL,
                            false,
                            0,
                            NULL};
        if (sw_record_add(s, &r, id, NULL) != SW_OK)
            die("record add", s);
        if ((i + 1) % BATCH == 0) {
            if (sw_batch_commit(s) != SW_OK || sw_batch_begin(s) != SW_OK)
                die("batch", s);
        }
    }
    if (sw_batch_commit(s) != SW_OK)
        die("batch", s);
    return now_s() - t0;
}

/* The bundled policy without its scan rules. */
static sw_policy *without_scan(void)
{
    size_t len;
    const char *text = sw_policy_bundled_text(&len);
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    char *at = strstr(copy, "    scan:\n");
    while (at) { /* the key and its list items, blanked */
        char *end = strchr(at, '\n');
        memset(at, ' ', (size_t)(end - at));
        char *next = end + 1;
        if (strncmp(next, "      - ", 8) != 0)
            break;
        at = next;
    }
    sw_policy *p = NULL;
    if (sw_policy_load_buffer("bundled without scan", copy, len, NULL, &p) !=
        SW_OK)
        exit(1);
    free(copy);
    return p;
}

static void bench_lookup(sw_store *s, long n)
{
    double t0 = now_s();
    sw_batch_begin(s);
    char id[SW_ID_BUFSZ];
    for (long i = 0; i < n; i++) {
        char email[64];
        snprintf(email, sizeof(email), "person%ld@example.com", i);
        sw_ident ident = {"email", email};
        sw_subject_spec spec = {
            "marketing_subscriber", NULL, NULL, NULL, 1, &ident};
        if (sw_subject_add(s, &spec, id) != SW_OK)
            die("subject add", s);
        if ((i + 1) % 50000 == 0) {
            if (sw_batch_commit(s) != SW_OK || sw_batch_begin(s) != SW_OK)
                die("batch", s);
            if (isatty(2))
                fprintf(stderr, "\rloading identifiers: %ld / %ld", i + 1, n);
        }
    }
    if (sw_batch_commit(s) != SW_OK)
        die("batch", s);
    if (isatty(2))
        fprintf(stderr, "\n");
    double load = now_s() - t0;
    const int probes = 20000;
    double *lat = malloc(sizeof(double) * probes);
    unsigned seed = 42;
    for (int i = 0; i < probes; i++) {
        char email[64];
        snprintf(email, sizeof(email), "person%ld@example.com",
                 (long)(rand_r(&seed) % n));
        sw_ident ident = {"email", email};
        double a = now_s();
        if (sw_subject_find(s, &ident, id) != SW_OK)
            die("find", s);
        lat[i] = now_s() - a;
    }
    qsort(lat, probes, sizeof(double), cmp_double);
    printf("subject look-up among %ld identifiers (loaded in %.0f s, %.0f/s): "
           "p50 %.1f us, p99 %.1f us, max %.1f us over %d random probes "
           "(target p99 <= 1000 us)\n",
           n, load, n / load, lat[probes / 2] * 1e6,
           lat[probes * 99 / 100] * 1e6, lat[probes - 1] * 1e6, probes);
    free(lat);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    long idents = argc > 2 ? atol(argv[2]) : 10000000;
    char dir[] = "/tmp/steward-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char raw[128], store[128], store2[128];
    snprintf(raw, sizeof(raw), "%s/raw.db", dir);
    snprintf(store, sizeof(store), "%s/steward.db", dir);
    snprintf(store2, sizeof(store2), "%s/lookup.db", dir);
    sw_policy *p;
    if (sw_policy_load_bundled(NULL, &p) != SW_OK)
        return 1;

    double base = bench_raw(raw, n);
    sw_store *s = open_new(store, p);
    double ours = bench_records(s, n);
    sw_store_close(s);
    printf("record insert: %ld records, steward %.0f/s (sealed, audited), raw "
           "SQLite %.0f/s (same rows, no encryption); ratio %.2f "
           "(target >= 0.5)\n",
           n, n / ours, n / base, base / ours);

    /* in the order plain, scanned, scanned, plain, each into a new
     * store, so that what the disk does later weighs on both alike */
    long m = n / 4;
    sw_policy *p2 = without_scan();
    double unscanned = 0, with_scan = 0;
    for (int run = 0; run < 4; run++) {
        int scan = run == 1 || run == 2;
        char path[128];
        snprintf(path, sizeof(path), "%s/answers%d.db", dir, run);
        s = open_new(path, scan ? p : p2);
        double t = bench_answers(s, m / 2);
        sw_store_close(s);
        *(scan ? &with_scan : &unscanned) += t;
    }
    sw_policy_free(p2);
    printf("answers of 1 KB: %ld records, redacted on write %.0f/s, the same "
           "without the scan rule %.0f/s; ratio %.2f (target >= 0.8)\n",
           m, m / with_scan, m / unscanned, unscanned / with_scan);

    if (idents > 0) {
        s = open_new(store2, p);
        bench_lookup(s, idents);
        sw_store_close(s);
    }
    sw_policy_free(p);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
