/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Purpose decisions, each against a baseline in the same run:
 *  1. in-process sw_decide over a store of N subjects (B2B customers, on
 *     legitimate interests) of which N/10 unsubscribed, on a working set of
 *     addresses (9 in 10 held by a subject, 1 in 10 unknown): the first
 *     decision of each address (read from the store) and the next ones
 *     (kept in memory), against a bare hash-set look-up of the same
 *     address strings in the same order;
 *  2. filtering a list of N addresses with 'steward check --file' against
 *     'grep -vxFf suppressed.txt' over the same plain addresses.
 * Usage: bench_consent [subjects] [working_set] [decisions]
 * (defaults 1000000, 500000, 4000000). The steward CLI must sit in the
 * build directory above this program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "steward/steward.h"

#define MKT "marketing.communications.email"

static char dir[] = "/tmp/steward-bench-consent-XXXXXX";

static void address(long i, char *buf, size_t n)
{
    snprintf(buf, n, "person%ld@customer%ld.example", i, i % 997);
}

/* A bare open-addressing set of strings: FNV-1a and strcmp. */
typedef struct strset {
    char **slots;
    size_t cap;
} strset;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void set_add(strset *s, char *v)
{
    for (size_t i = fnv(v) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
        if (!s->slots[i]) {
            s->slots[i] = v;
            return;
        }
}

static bool set_has(const strset *s, const char *v)
{
    for (size_t i = fnv(v) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slots[i])
            return false;
        if (strcmp(s->slots[i], v) == 0)
            return true;
    }
}

static void die(sw_store *s, const char *what)
{
    fprintf(stderr, "bench_consent: %s: %s\n", what, s ? sw_errmsg(s) : "");
    exit(1);
}

/* Decides each of the n addresses once; its time, and *allowed. */
static double decide_each(sw_store *s, char **keys, long n, size_t *allowed)
{
    sw_decision d;
    *allowed = 0;
    double a = now_s();
    for (long i = 0; i < n; i++) {
        sw_ident id = {"email", keys[i]};
        sw_who who = {NULL, &id};
        if (sw_decide(s, MKT, &who, &d) != SW_OK)
            die(s, "decide");
        *allowed += d.allow;
    }
    return now_s() - a;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long work = argc > 2 ? atol(argv[2]) : 500000;
    long decisions = argc > 3 ? atol(argv[3]) : 4000000;
    char self[900], cli[1024];
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (len <= 0 || !mkdtemp(dir))
        return 1;
    self[len] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(cli, sizeof(cli), "%s/../steward", self);
    setvbuf(stdout, NULL, _IOLBF, 0);

    sw_policy *policy;
    if (sw_policy_load_bundled(NULL, &policy) != SW_OK)
        return 1;
    char path[256];
    snprintf(path, sizeof(path), "%s/consent.db", dir);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = policy;
    o.actor = "bench";
    sw_instant t0;
    sw_instant_parse("2026-01-01T00:00:00Z", &t0);
    sw_clock_init_fixed(&o.clock, t0);
    sw_error err;
    sw_store *s;
    if (sw_store_create(path, &o, &err) != SW_OK ||
        sw_store_open(path, &o, &s, &err) != SW_OK) {
        fprintf(stderr, "bench_consent: %s\n", err.msg);
        return 1;
    }

    /* the store: n customers, n/10 of them unsubscribed */
    double a = now_s();
    sw_batch_begin(s);
    for (long i = 0; i < n; i++) {
        char email[96], account[32], sid[SW_ID_BUFSZ];
        address(i, email, sizeof(email));
        snprintf(account, sizeof(account), "ACC-%ld", i / 10);
        sw_ident id = {"email", email};
        sw_subject_spec spec = {"customer", account, NULL, NULL, 1, &id};
        if (sw_subject_add(s, &spec, sid) != SW_OK)
            die(s, "subject");
        if ((i + 1) % 50000 == 0) {
            sw_batch_commit(s);
            sw_batch_begin(s);
        }
    }
    sw_batch_commit(s);
    double load_subjects = now_s() - a;
    a = now_s();
    char supp_path[300];
    snprintf(supp_path, sizeof(supp_path), "%s/suppressed.txt", dir);
    FILE *supp = fopen(supp_path, "w");
    sw_batch_begin(s);
    for (long i = 0; i < n; i += 10) {
        char email[96];
        address(i + 3, email, sizeof(email));
        fprintf(supp, "%s\n", email);
        sw_ident id = {"email", email};
        sw_objection_result r;
        if (sw_suppression_add(s, &id, NULL, &r) != SW_OK)
            die(s, "unsubscribe");
        if ((i / 10 + 1) % 20000 == 0) {
            sw_batch_commit(s);
            sw_batch_begin(s);
        }
    }
    sw_batch_commit(s);
    fclose(supp);
    double load_supp = now_s() - a;
    printf("store: %ld subjects in %.1f s, %ld suppressed addresses in "
           "%.1f s\n",
           n, load_subjects, n / 10, load_supp);

    /* the working set: 9 in 10 held by a subject, 1 in 10 unknown */
    char **keys = malloc(sizeof(char *) * (size_t)work);
    unsigned seed = 42;
    for (long i = 0; i < work; i++) {
        char email[96];
        long k = (long)(((unsigned long)rand_r(&seed) << 16 ^
                         (unsigned long)rand_r(&seed)) %
                        (unsigned long)n);
        address(i % 10 == 9 ? n + k : k, email, sizeof(email));
        keys[i] = strdup(email);
    }
    long *order = malloc(sizeof(long) * (size_t)decisions);
    for (long i = 0; i < decisions; i++)
        order[i] = (long)(((unsigned long)rand_r(&seed) << 16 ^
                           (unsigned long)rand_r(&seed)) %
                          (unsigned long)work);

    /* first decisions: read from the store */
    size_t allowed;
    double cold = decide_each(s, keys, work, &allowed);
    sw_decision d;
    /* the next ones: kept in memory */
    allowed = 0;
    a = now_s();
    for (long i = 0; i < decisions; i++) {
        sw_ident id = {"email", keys[order[i]]};
        sw_who who = {NULL, &id};
        if (sw_decide(s, MKT, &who, &d) != SW_OK)
            die(s, "decide");
        allowed += d.allow;
    }
    double warm = now_s() - a;

    /* baseline: the same strings in a bare hash set of every address */
    strset set = {NULL, 1};
    while (set.cap < (size_t)(n + n / 10) * 2)
        set.cap <<= 1;
    set.slots = calloc(set.cap, sizeof(char *));
    char **owned = malloc(sizeof(char *) * (size_t)n);
    for (long i = 0; i < n; i++) {
        char email[96];
        address(i, email, sizeof(email));
        owned[i] = strdup(email);
        set_add(&set, owned[i]);
    }
    size_t found = 0;
    a = now_s();
    for (long i = 0; i < decisions; i++)
        found += set_has(&set, keys[order[i]]);
    double base = now_s() - a;
    printf("decisions: %ld first decisions (read from the store) %.0f/s;"
           " %ld decisions %.0f/s (%zu allowed); bare hash-set look-up of the"
           " same keys %.0f/s (%zu found); ratio %.2f (target >= 2 000 000"
           " decisions/s)\n",
           work, work / cold, decisions, decisions / warm, allowed,
           decisions / base, found, base / warm);

    /* first decisions again on a new handle, after reading every fact
     * into memory at once (what stewardd does at start) */
    sw_store_close(s);
    if (sw_store_open(path, &o, &s, &err) != SW_OK) {
        fprintf(stderr, "bench_consent: %s\n", err.msg);
        return 1;
    }
    sw_decide_warmth wm;
    a = now_s();
    if (sw_decide_warm(s, 0, 0, &wm) != SW_OK || !wm.warm)
        die(s, "reading the decision facts");
    double reading = now_s() - a;
    size_t allowed_mem;
    double first_mem = decide_each(s, keys, work, &allowed_mem);
    printf("first decisions from the facts in memory: %ld first decisions "
           "%.0f/s (%zu allowed; the facts of %zu subjects read in %.2f s, "
           "%zu MiB); read from the store %.0f/s; bare hash-set look-up "
           "%.0f/s; ratio to the look-up %.2f (target >= 1 000 000 first "
           "decisions/s)\n",
           work, work / first_mem, allowed_mem, wm.subjects, reading,
           wm.bytes >> 20, work / cold, decisions / base,
           (decisions / base) ? (work / first_mem) / (decisions / base) : 0);
    sw_store_close(s);

    /* batch filtering: steward check --file against grep -vxFf; 9 in 10
     * addresses of the list are held by a subject, 1 in 10 not (those
     * steward denies: no consent) */
    char list[300], unknown[300], cmd[2048];
    snprintf(list, sizeof(list), "%s/list.txt", dir);
    snprintf(unknown, sizeof(unknown), "%s/unknown.txt", dir);
    FILE *f = fopen(list, "w"), *u = fopen(unknown, "w");
    for (long i = 0; i < n; i++) {
        char email[96];
        address(i % 10 == 9 ? n + i : i, email, sizeof(email));
        fprintf(f, "%s\n", email);
        if (i % 10 == 9)
            fprintf(u, "%s\n", email);
    }
    fclose(f);
    fclose(u);
    snprintf(cmd, sizeof(cmd), "grep -vxFf %s %s > %s/grep.out", supp_path,
             list, dir);
    a = now_s();
    if (system(cmd) != 0)
        return 1;
    double g = now_s() - a;
    snprintf(cmd, sizeof(cmd),
             "STEWARD_NOW=2026-01-01T00:00:00Z %s check --store %s --purpose "
             "%s --file %s > %s/steward.out 2>/dev/null",
             cli, path, MKT, list, dir);
    a = now_s();
    if (system(cmd) != 0)
        return 1;
    double ours = now_s() - a;
    /* the same addresses as grep's, but for those no subject holds */
    snprintf(cmd, sizeof(cmd),
             "grep -vxFf %s %s/grep.out | cmp -s - %s/steward.out", unknown,
             dir, dir);
    int same = system(cmd) == 0;
    printf("list filtering: %ld addresses (9 in 10 held, 1 in 10 of those "
           "suppressed), steward check --file %.2f s; grep -vxFf %.2f s; "
           "ratio %.2f; same output (less the addresses no subject holds): "
           "%s\n",
           n, ours, g, g / ours, same ? "yes" : "NO");

    sw_policy_free(policy);
    if (getenv("BENCH_KEEP")) { /* leave the store for a closer look */
        fprintf(stderr, "store kept in %s\n", dir);
        return 0;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
