/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scanner: every pattern in one vectorscan database, scanned in
 * streaming mode, so a text of any size goes through in one pass and in
 * chunks of any size. vectorscan reports where a candidate ends; the
 * stream keeps the last SCAN_VIEW bytes of the chunks before, so that a
 * validator sees a candidate whole even when it straddles two chunks.
 *
 * A confirmed candidate waits until no later one can overlap it (it ends
 * SCAN_MAXLEN bytes before what has been fed): of two that overlap, the
 * longer stays. Findings are reported in the order of the text, never
 * overlapping, each over valid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#include <pthread.h>

#include "core/crypto.h"
#include "scan/scan_int.h"
#include "steward/text.h"

/* Streams closed are kept for the next open (a record scanned on write
 * opens one each time: a new scratch space and stream cost more than
 * the scan of a short text), at most POOL_MAX of them. */
#define POOL_MAX 8

typedef struct scan_pool {
    pthread_mutex_t mu;
    sw_scan_stream *idle[POOL_MAX];
    size_t n;
} scan_pool;

struct sw_scan {
    hs_database_t *db;
    hs_scratch_t *proto; /* cloned for each stream */
    unsigned types;
    scan_pool *pool; /* shared by the threads that scan with it */
};

typedef struct pending {
    sw_finding f;
    char value[SCAN_MAXLEN];
} pending;

#define MAX_PENDING 64

struct sw_scan_stream {
    const sw_scan *sc;
    hs_stream_t *hs;
    hs_scratch_t *scratch;
    sw_finding_cb cb;
    void *ctx;
    unsigned mask;     /* the types reported */
    uint64_t base;     /* offset of the chunk being scanned */
    const char *chunk; /* the chunk (NULL at the end) */
    size_t chunk_n;
    char tail[SCAN_VIEW]; /* the last bytes before base */
    size_t tail_n;
    char view[2 * SCAN_VIEW];
    pending pend[MAX_PENDING];
    size_t n_pend;
    size_t most_pend; /* the most waiting at once (wiped at close) */
    int stopped;
    char err[160];
};

static const char *const type_names[SW_PII_COUNT] = {
    "email",  "phone",  "iban",      "card",       "ipv4",
    "ipv6",   "imei",   "imsi",      "mac",        "uk_nino",
    "hr_oib", "us_ssn", "de_tax_id", "birth_date", "name"};

const char *sw_pii_name(sw_pii_type t)
{
    return (unsigned)t < SW_PII_COUNT ? type_names[t] : "?";
}

bool sw_pii_parse(const char *name, sw_pii_type *out)
{
    for (unsigned i = 0; name && i < SW_PII_COUNT; i++)
        if (strcmp(type_names[i], name) == 0) {
            *out = (sw_pii_type)i;
            return true;
        }
    return false;
}

bool sw_pii_parse_list(const char *list, unsigned *types, char *bad, size_t n)
{
    *types = 0;
    const char *p = list ? list : "";
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char one[32];
        sw_pii_type t;
        snprintf(one, sizeof(one), "%.*s", (int)len, p);
        if (len >= sizeof(one) || !sw_pii_parse(one, &t)) {
            snprintf(bad, n, "%.*s", (int)len, p);
            return false;
        }
        *types |= 1u << t;
        p += len + (e ? 1 : 0);
    }
    return *types != 0 || (snprintf(bad, n, "%s", "(empty)"), false);
}

sw_status sw_scan_new(unsigned types, sw_scan **out, char *why, size_t n)
{
    *out = NULL;
    if (!types)
        types = SW_PII_ALL;
    sw_scan *sc = calloc(1, sizeof(*sc));
    if (!sc) {
        snprintf(why, n, "out of memory");
        return SW_ERR_NOMEM;
    }
    sc->types = types;
    sc->pool = calloc(1, sizeof(*sc->pool));
    if (!sc->pool || pthread_mutex_init(&sc->pool->mu, NULL) != 0) {
        snprintf(why, n, "out of memory");
        free(sc->pool);
        free(sc);
        return SW_ERR_NOMEM;
    }
    /* every type: the database built with the library, unless this
     * machine cannot run it */
    if (types != SW_PII_ALL ||
        hs_deserialize_database((const char *)sw_scan_db_bytes, sw_scan_db_size,
                                &sc->db) != HS_SUCCESS) {
        sc->db = NULL;
        sw_status st = sw_scan_compile(types, NULL, &sc->db, why, n);
        if (st != SW_OK) {
            sw_scan_free(sc);
            return st;
        }
    }
    if (hs_alloc_scratch(sc->db, &sc->proto) != HS_SUCCESS) {
        snprintf(why, n, "vectorscan: no scratch space");
        sw_scan_free(sc);
        return SW_ERR_NOMEM;
    }
    *out = sc;
    return SW_OK;
}

static void stream_free(sw_scan_stream *st)
{
    hs_close_stream(st->hs, st->scratch, NULL, NULL);
    hs_free_scratch(st->scratch);
    free(st);
}

void sw_scan_free(sw_scan *sc)
{
    if (!sc)
        return;
    if (sc->pool) {
        for (size_t i = 0; i < sc->pool->n; i++)
            stream_free(sc->pool->idle[i]);
        pthread_mutex_destroy(&sc->pool->mu);
        free(sc->pool);
    }
    hs_free_scratch(sc->proto);
    hs_free_database(sc->db);
    free(sc);
}

/* The bytes before offset `to`, contiguous: *avail of them. */
static const char *view_of(sw_scan_stream *st, uint64_t to, size_t *avail)
{
    size_t in_chunk = (size_t)(to - st->base); /* bytes of the chunk */
    if (st->chunk && (in_chunk >= SCAN_VIEW || st->tail_n == 0)) {
        *avail = in_chunk < SCAN_VIEW ? in_chunk : SCAN_VIEW;
        return st->chunk + in_chunk;
    }
    size_t from_tail = SCAN_VIEW - in_chunk;
    if (from_tail > st->tail_n)
        from_tail = st->tail_n;
    memcpy(st->view, st->tail + st->tail_n - from_tail, from_tail);
    if (in_chunk)
        memcpy(st->view + from_tail, st->chunk, in_chunk);
    *avail = from_tail + in_chunk;
    return st->view + *avail;
}

static int report(sw_scan_stream *st, const pending *p)
{
    if (st->stopped)
        return 1;
    if (st->cb(&p->f, p->value, st->ctx) != 0)
        st->stopped = 1;
    return st->stopped;
}

/* Reports the waiting findings that end before `upto`. */
static void settle(sw_scan_stream *st, uint64_t upto)
{
    size_t done = 0;
    while (done < st->n_pend &&
           st->pend[done].f.offset + st->pend[done].f.length <= upto) {
        report(st, &st->pend[done]);
        done++;
    }
    if (done) {
        memmove(st->pend, st->pend + done,
                (st->n_pend - done) * sizeof(st->pend[0]));
        st->n_pend -= done;
    }
}

/* A confirmed candidate: the longer of two that overlap stays. */
static void keep(sw_scan_stream *st, const sw_finding *f, const char *value)
{
    uint64_t s = f->offset, e = f->offset + f->length;
    size_t i = 0;
    while (i < st->n_pend) {
        const sw_finding *p = &st->pend[i].f;
        uint64_t ps = p->offset, pe = p->offset + p->length;
        if (pe <= s || ps >= e) {
            i++;
            continue;
        }
        /* the longer stays; of two as long, the one waiting, unless it
         * is a phone number (the loosest rule) and the other is not */
        if (f->length < p->length ||
            (f->length == p->length &&
             (p->type != SW_PII_PHONE || f->type == SW_PII_PHONE)))
            return;
        memmove(st->pend + i, st->pend + i + 1,
                (st->n_pend - i - 1) * sizeof(st->pend[0]));
        st->n_pend--;
    }
    if (st->n_pend == MAX_PENDING) { /* full: the first is settled */
        report(st, &st->pend[0]);
        memmove(st->pend, st->pend + 1, (st->n_pend - 1) * sizeof(st->pend[0]));
        st->n_pend--;
    }
    size_t at = st->n_pend;
    while (at > 0 && st->pend[at - 1].f.offset > s)
        at--;
    memmove(st->pend + at + 1, st->pend + at,
            (st->n_pend - at) * sizeof(st->pend[0]));
    st->pend[at].f = *f;
    memcpy(st->pend[at].value, value, f->length);
    st->n_pend++;
    if (st->n_pend > st->most_pend)
        st->most_pend = st->n_pend;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    sw_scan_stream *st = ctx;
    size_t np;
    const scan_pattern *pat = &sw_scan_patterns(&np)[id];
    size_t avail;
    const char *end = view_of(st, to, &avail);
    for (size_t i = 0; i < SCAN_MAX_CHECKS && pat->v[i].check; i++) {
        const scan_validator *v = &pat->v[i];
        if (!(st->mask & v->types))
            continue;
        sw_pii_type type = v->type;
        const char *rule = "";
        uint32_t trim = 0;
        uint32_t len = v->check(end, avail, &type, &rule, &trim);
        if (!len || trim > avail || len > avail - trim || len > SCAN_MAXLEN ||
            !(st->mask & (1u << type)) || !sw_utf8_valid(end - trim - len, len))
            continue;
        sw_finding f = {to - trim - len, len, type, rule};
        /* what no later candidate can overlap goes out first, so that
         * few wait (matches come in the order of their ends) */
        if (st->n_pend >= 8 && to > SCAN_VIEW)
            settle(st, to - SCAN_VIEW);
        keep(st, &f, end - trim - len);
        if (st->stopped)
            break;
    }
    return st->stopped;
}

sw_status sw_scan_open(const sw_scan *sc, sw_finding_cb cb, void *ctx,
                       sw_scan_stream **out)
{
    *out = NULL;
    sw_scan_stream *st = NULL;
    pthread_mutex_lock(&sc->pool->mu);
    if (sc->pool->n)
        st = sc->pool->idle[--sc->pool->n];
    pthread_mutex_unlock(&sc->pool->mu);
    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st)
            return SW_ERR_NOMEM;
        if (hs_clone_scratch(sc->proto, &st->scratch) != HS_SUCCESS ||
            hs_open_stream(sc->db, 0, &st->hs) != HS_SUCCESS) {
            hs_free_scratch(st->scratch);
            free(st);
            return SW_ERR_NOMEM;
        }
    }
    st->sc = sc;
    st->mask = sc->types;
    st->cb = cb;
    st->ctx = ctx;
    st->base = 0;
    st->chunk = NULL;
    st->chunk_n = 0;
    st->tail_n = 0;
    st->n_pend = 0;
    st->most_pend = 0;
    st->stopped = 0;
    st->err[0] = '\0';
    *out = st;
    return SW_OK;
}

/* The last SCAN_VIEW bytes of the tail and the chunk become the tail. */
static void keep_tail(sw_scan_stream *st, const char *p, size_t n)
{
    if (n >= SCAN_VIEW) {
        memcpy(st->tail, p + n - SCAN_VIEW, SCAN_VIEW);
        st->tail_n = SCAN_VIEW;
        return;
    }
    size_t old = st->tail_n + n > SCAN_VIEW ? SCAN_VIEW - n : st->tail_n;
    memmove(st->tail, st->tail + st->tail_n - old, old);
    memcpy(st->tail + old, p, n);
    st->tail_n = old + n;
}

static sw_status feed_one(sw_scan_stream *st, const char *p, size_t n)
{
    st->chunk = p;
    st->chunk_n = n;
    hs_error_t e =
        hs_scan_stream(st->hs, p, (unsigned)n, 0, st->scratch, on_match, st);
    if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) {
        snprintf(st->err, sizeof(st->err), "vectorscan: scan error %d", e);
        return SW_ERR_IO;
    }
    keep_tail(st, p, n);
    st->base += n;
    st->chunk = NULL;
    st->chunk_n = 0;
    if (st->base > SCAN_MAXLEN)
        settle(st, st->base - SCAN_MAXLEN);
    return SW_OK;
}

sw_status sw_scan_feed(sw_scan_stream *st, const char *p, size_t n)
{
    /* vectorscan takes less than 4 GiB a call */
    while (n && !st->stopped) {
        size_t k = n > (1u << 30) ? (1u << 30) : n;
        sw_status s = feed_one(st, p, k);
        if (s != SW_OK)
            return s;
        p += k;
        n -= k;
    }
    if (st->stopped) {
        snprintf(st->err, sizeof(st->err), "the scan was stopped");
        return SW_ERR_IO;
    }
    return SW_OK;
}

void sw_scan_restrict(sw_scan_stream *st, unsigned types)
{
    st->mask = types ? types & st->sc->types : st->sc->types;
}

uint64_t sw_scan_fed(const sw_scan_stream *st)
{
    return st->base;
}

uint64_t sw_scan_settled(const sw_scan_stream *st)
{
    uint64_t safe = st->base > SCAN_MAXLEN ? st->base - SCAN_MAXLEN : 0;
    if (st->n_pend && st->pend[0].f.offset < safe)
        safe = st->pend[0].f.offset;
    return safe;
}

const char *sw_scan_errmsg(const sw_scan_stream *st)
{
    return st->err;
}

sw_status sw_scan_close(sw_scan_stream *st)
{
    if (!st)
        return SW_OK;
    st->chunk = NULL;
    st->chunk_n = 0;
    /* the end of the text reported, the stream made new for the next */
    hs_error_t e = hs_reset_stream(st->hs, 0, st->scratch,
                                   st->stopped ? NULL : on_match, st);
    settle(st, UINT64_MAX);
    sw_status s =
        e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? SW_OK : SW_ERR_IO;
    if (st->stopped)
        s = SW_ERR_IO;
    /* nothing of the text stays behind in an idle stream */
    sw_wipe(st->tail, st->tail_n);
    sw_wipe(st->view, sizeof(st->view));
    for (size_t i = 0; i < st->most_pend; i++)
        sw_wipe(st->pend[i].value, sizeof(st->pend[i].value));
    scan_pool *pool = st->sc->pool;
    pthread_mutex_lock(&pool->mu);
    if (e == HS_SUCCESS && pool->n < POOL_MAX) {
        pool->idle[pool->n++] = st;
        st = NULL;
    }
    pthread_mutex_unlock(&pool->mu);
    if (st)
        stream_free(st);
    return s;
}
