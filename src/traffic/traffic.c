/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Traffic data (DESIGN decision 3): end users' identifiers in detail
 * records are sealed and blind-indexed under a key per day of
 * communication. When the day's period is over its key is destroyed, which
 * makes every identifier of that day unreadable and unmatchable at once,
 * whatever the number of records; rows a hold or an unsettled bill keeps
 * are first re-keyed under a hold key. The customer's part of each record
 * stays in clear in a table per month until its own period ends.
 */
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/vec.h"
#include "steward/ident.h"
#include "steward/retention.h"
#include "steward/traffic.h"
#include "store/chain.h"
#include "traffic/ndjson.h"
#include "traffic/traffic_int.h"

#define SECS_PER_DAY 86400
#define LINE_MAX_BYTES (64 * 1024)
#define KEY_SLOTS 4096

/* ---- day keys ---- */

typedef struct day_key {
    bool used;
    int64_t day;
    char key_class[8];
    bool live; /* false: the day's period is over, nothing is kept */
    uint8_t key[SW_KEY_BYTES];
    uint8_t blind[SW_KEY_BYTES];
    uint8_t wrapped[SW_WRAPPED_BYTES]; /* what key was unwrapped from */
} day_key;

/* The day of an instant (days since 1970-01-01, rounded down). */
static int64_t day_of(sw_instant at)
{
    return at >= 0 ? at / SECS_PER_DAY : (at - SECS_PER_DAY + 1) / SECS_PER_DAY;
}

static int month_of_day(int64_t day)
{
    int y, m;
    sw_instant_fields(day * SECS_PER_DAY, &y, &m, NULL, NULL);
    return y * 100 + m;
}

static void key_label(int64_t day, const char *key_class, char *buf, size_t n)
{
    snprintf(buf, n, "day|%lld|%s", (long long)day, key_class);
}

static void derive_blind(day_key *k)
{
    sw_hash_keyed(k->key, "blind", 5, k->blind, SW_KEY_BYTES);
}

/* The blind index of a destination under a day key. */
static void dest_blind(const day_key *k, const char *type, const char *value,
                       uint8_t out[SW_BLIND_BYTES])
{
    char buf[SW_IDENT_MAX + 16];
    int n = snprintf(buf, sizeof(buf), "%s:%s", type, value);
    sw_hash_keyed(k->blind, buf, (size_t)n, out, SW_BLIND_BYTES);
}

static sw_status unwrap_day(sw_store *s, int64_t day, const char *key_class,
                            const uint8_t *wrapped, size_t len, day_key *k)
{
    char label[64];
    key_label(day, key_class, label, sizeof(label));
    if (sw_datakey_unwrap(s->keys, label, wrapped, len, k->key) != SW_OK)
        return sw_fail(s, SW_ERR_CRYPTO, "cannot unwrap the key of day %lld",
                       (long long)day);
    derive_blind(k);
    k->day = day;
    snprintf(k->key_class, sizeof(k->key_class), "%s", key_class);
    k->live = k->used = true;
    return SW_OK;
}

/* The key class of a destination country: its code when the identifiers
 * rule has a national extension for it, "" otherwise. */
static const char *class_of(const sw_rule *r, const char *country)
{
    for (size_t i = 0; country && i < r->n_extensions; i++)
        if (strcmp(r->extensions[i].country, country) == 0)
            return r->extensions[i].country;
    return "";
}

/* Finds or creates the key of (day, class); a day whose period is already
 * over gets no key (live = false). */
/* The slot of (day, class) in a table of KEY_SLOTS day keys: its key when
 * used, else a free slot for it (a full table starts over: keys are read
 * again). */
static day_key *key_slot(day_key *slots, int64_t day, const char *key_class)
{
    uint32_t h = sw_hash_day(day, key_class);
    for (int i = 0; i < KEY_SLOTS; i++) {
        day_key *c = &slots[(h + (uint32_t)i) % KEY_SLOTS];
        if (!c->used || (c->day == day && strcmp(c->key_class, key_class) == 0))
            return c;
    }
    sw_wipe(slots, sizeof(day_key) * KEY_SLOTS);
    return &slots[h % KEY_SLOTS];
}

/* A new key for (day, class), kept in the store wrapped (until due, or
 * with no due date: a hold key). */
static sw_status new_day_key(sw_store *s, int64_t day, const char *key_class,
                             bool has_due, sw_instant due, day_key *k)
{
    char label[64];
    uint8_t wrapped[SW_WRAPPED_BYTES];
    key_label(day, key_class, label, sizeof(label));
    sw_datakey_new(s->keys, label, k->key, wrapped);
    derive_blind(k);
    k->day = day;
    snprintf(k->key_class, sizeof(k->key_class), "%s", key_class);
    k->used = k->live = true;
    return sw_day_keys_put(s, day, key_class, wrapped, has_due, due);
}

static sw_status day_key_for(sw_store *s, day_key *slots, const sw_rule *rule,
                             int64_t day, const char *key_class, sw_instant now,
                             day_key **out)
{
    day_key *k = key_slot(slots, day, key_class);
    *out = k;
    if (k->used)
        return SW_OK;
    uint8_t wrapped[SW_WRAPPED_BYTES];
    sw_status st = sw_day_keys_get(s, day, key_class, wrapped);
    if (st == SW_OK)
        return unwrap_day(s, day, key_class, wrapped, SW_WRAPPED_BYTES, k);
    if (st != SW_ERR_NOTFOUND)
        return st;
    sw_instant due;
    sw_rule_due_in(rule, day * SECS_PER_DAY, key_class[0] ? key_class : NULL,
                   &due);
    k->used = true;
    k->day = day;
    snprintf(k->key_class, sizeof(k->key_class), "%s", key_class);
    if (due <= now) { /* its identifiers are not to be kept at all */
        k->live = false;
        return SW_OK;
    }
    return new_day_key(s, day, key_class, true, due, k);
}

static void ids_ad(const char *ext_id, int64_t day, const char *key_class,
                   char *buf, size_t n)
{
    snprintf(buf, n, "traffic|%s|%lld|%s", ext_id, (long long)day, key_class);
}

/* ---- parsing ---- */

enum col {
    C_ID,
    C_ACCOUNT,
    C_CHANNEL,
    C_TIME,
    C_SENDER,
    C_DEST,
    C_COUNTRY,
    C_IMSI,
    C_IMEI,
    C_DURATION,
    C_OPERATOR,
    C_ROUTE,
    C_PRICE,
    C_CURRENCY,
    C_COUNT
};
static const char *const col_names[C_COUNT] = {
    "id",          "account", "channel", "time",    "sender",
    "destination", "country", "imsi",    "imei",    "duration",
    "operator",    "route",   "price",   "currency"};

typedef struct fields {
    const char *v[C_COUNT];
    char buf[LINE_MAX_BYTES]; /* CSV fields are unquoted into here */
} fields;

static int col_index(const char *name)
{
    for (int i = 0; i < C_COUNT; i++)
        if (strcmp(col_names[i], name) == 0)
            return i;
    return -1;
}

/* Splits one CSV line (RFC 4180 quoting, no line breaks in fields) into
 * out[0..max); returns the count, or -1 for an unclosed quote. */
static int csv_split(const char *line, char *buf, const char **out, int max)
{
    int n = 0;
    const char *p = line;
    char *w = buf;
    while (n < max) {
        out[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
        }
        while (*p && *p != ',')
            *w++ = *p++;
        *w++ = '\0';
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

/* ---- ingest ---- */

typedef struct ingest {
    sw_store *s;
    const sw_rule *ids_rule;
    sw_diags *diags;
    const char *name;
    size_t max_errors, errors;
    day_key *keys;
    int month_ready;
    sw_instant now;
} ingest;

static void bad_line(ingest *g, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void bad_line(ingest *g, size_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (g->diags && g->errors < g->max_errors)
        sw_diags_add(g->diags, SW_SEV_ERROR, "bad-line", g->name, (int)line, 0,
                     "%s", msg);
    g->errors++;
}

static const char *nonempty(const char *v)
{
    return v && *v ? v : NULL;
}

/* ---- ingest: a reader thread parses and checks lines, the caller's
 * thread keys, seals and stores them, so that parsing (the larger part of
 * the work) and storing run on two cores at once ---- */

/* A line read and checked, ready to store, or the reason it is bad. */
typedef struct prepared {
    size_t line;
    const char *bad; /* why the line is refused, or NULL */
    const char *id, *account, *channel, *sender, *country;
    const char *op, *route, *price, *currency;
    const char *key_class; /* the day key the identifiers are sealed under */
    bool live;             /* false: the day's period is over, no identifiers */
    const uint8_t *ids, *dest_bi; /* sealed identifiers, blind index */
    const uint8_t *account_bi;
    size_t ids_len;
    sw_instant at;
    int64_t day;
    int month;
    long duration;
    bool refused; /* the store holds its id already */
} prepared;

#define CHUNK_ROWS 512
#define CHUNK_ARENA (1024 * 1024)
#define RING 4

typedef struct chunk {
    size_t n;
    prepared rows[CHUNK_ROWS];
    char *arena; /* the rows' strings */
    size_t used;
} chunk;

typedef struct reader {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk ring[RING];
    size_t produced, consumed; /* chunks */
    bool done, stop;
    /* the reader's own */
    FILE *in;
    const char *name;
    fields *f;
    size_t lines;
    bool csv;
    int csv_col[32], csv_n;
    sw_status status; /* SW_OK, or why reading stopped */
    char err[256];
    /* Sealing happens here too: the day keys, asked of the writer (which
     * reads or creates them in the store) and kept; nonces of its own. */
    const sw_rule *rule;
    day_key *keys;
    sw_pool pool;
    uint8_t account_key[SW_KEY_BYTES]; /* the accounts' blind index key */
    char acc_cache[96];
    uint8_t acc_bi[SW_BLIND_BYTES];
    bool req_pending, req_done;
    int64_t req_day;
    char req_class[8];
    day_key req_key;
    sw_status req_status;
} reader;

static const char *arena_str(chunk *c, const char *v)
{
    if (!v || !*v)
        return NULL;
    size_t n = strlen(v) + 1;
    char *p = c->arena + c->used;
    memcpy(p, v, n);
    c->used += n;
    return p;
}

/* Marks the row bad with the reason; returns false. */
static bool prepare_bad(chunk *c, prepared *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool prepare_bad(chunk *c, prepared *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->bad = arena_str(c, msg);
    if (!p->bad)
        p->bad = "bad line";
    return false;
}

static const uint8_t *arena_bytes(chunk *c, const uint8_t *v, size_t n)
{
    uint8_t *p = (uint8_t *)c->arena + c->used;
    memcpy(p, v, n);
    c->used += n;
    return p;
}

/* The key of (day, class), asked of the writer the first time; NULL when
 * the writer could not give it or asked to stop. */
static const day_key *reader_key(reader *r, int64_t day, const char *cls)
{
    day_key *k = key_slot(r->keys, day, cls);
    if (k->used)
        return k;
    pthread_mutex_lock(&r->mu);
    r->req_day = day;
    snprintf(r->req_class, sizeof(r->req_class), "%s", cls);
    r->req_done = false;
    r->req_pending = true;
    pthread_cond_broadcast(&r->cv);
    while (!r->req_done && !r->stop)
        pthread_cond_wait(&r->cv, &r->mu);
    bool ok = r->req_done && r->req_status == SW_OK;
    if (ok)
        *k = r->req_key;
    sw_wipe(&r->req_key, sizeof(r->req_key));
    r->req_done = false;
    pthread_mutex_unlock(&r->mu);
    return ok ? k : NULL;
}

/* Seals the identifiers under their day's key into the chunk: the
 * plaintext never leaves the reader. false when the key cannot be had. */
static bool seal_ids(reader *r, chunk *c, prepared *p, const char *dtype,
                     const char *d, const char *imsi, const char *imei)
{
    const char *cls = class_of(r->rule, p->country);
    const day_key *k = reader_key(r, p->day, cls);
    if (!k)
        return false;
    p->key_class = cls;
    p->live = k->live;
    if (!k->live)
        return true;
    char plain[3 * SW_IDENT_MAX], ad[200];
    uint8_t sealed[3 * SW_IDENT_MAX + SW_SEAL_OVERHEAD], blind[SW_BLIND_BYTES];
    size_t n1 = strlen(d), n2 = strlen(imsi), n3 = strlen(imei);
    memcpy(plain, d, n1 + 1);
    memcpy(plain + n1 + 1, imsi, n2 + 1);
    memcpy(plain + n1 + n2 + 2, imei, n3);
    size_t n = n1 + n2 + n3 + 2;
    ids_ad(p->id, p->day, cls, ad, sizeof(ad));
    sw_seal_pool(&r->pool, k->key, ad, plain, n, sealed);
    sw_wipe(plain, sizeof(plain));
    dest_blind(k, dtype, d, blind);
    p->ids_len = n + SW_SEAL_OVERHEAD;
    p->ids = arena_bytes(c, sealed, p->ids_len);
    p->dest_bi = arena_bytes(c, blind, SW_BLIND_BYTES);
    return true;
}

/* Checks one line's fields, seals its identifiers and copies what is kept
 * into the chunk: 1, or 0 when the line is bad (p->bad says why), or -1
 * when no key could be had (reading stops). */
static int prepare(reader *r, chunk *c, const fields *f, prepared *p)
{
    const char *id = nonempty(f->v[C_ID]), *account = nonempty(f->v[C_ACCOUNT]);
    const char *channel = nonempty(f->v[C_CHANNEL]);
    const char *time = nonempty(f->v[C_TIME]), *dest = nonempty(f->v[C_DEST]);
    const char *country = nonempty(f->v[C_COUNTRY]);
    if (!id || !account || !channel || !time || !dest)
        return prepare_bad(c, p,
                           "needs id, account, channel, time and "
                           "destination");
    if (strlen(id) >= 96 || strlen(account) >= 96)
        return prepare_bad(c, p, "id or account longer than 95 characters");
    if (sw_instant_parse(time, &p->at) != SW_OK)
        return prepare_bad(c, p, "time '%.40s' is not an ISO-8601 UTC instant",
                           time);
    if (sw_instant_check_input(p->at) != SW_OK)
        return prepare_bad(c, p, "time '%.40s': a year from %d to %d, please",
                           time, SW_YEAR_MIN_INPUT, SW_YEAR_MAX_INPUT);
    if (country &&
        (strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
         !isupper((unsigned char)country[1])))
        return prepare_bad(c, p, "country '%.10s' is not an ISO 3166-1 code",
                           country);
    char why[256], d[SW_IDENT_MAX], imsi[SW_IDENT_MAX] = "",
                                    imei[SW_IDENT_MAX] = "";
    const char *dtype = strchr(dest, '@') ? "email" : "msisdn";
    if (sw_ident_normalise(dtype, dest, country, d, why, sizeof(why)) !=
            SW_OK ||
        (nonempty(f->v[C_IMSI]) &&
         sw_ident_normalise("imsi", f->v[C_IMSI], NULL, imsi, why,
                            sizeof(why)) != SW_OK) ||
        (nonempty(f->v[C_IMEI]) &&
         sw_ident_normalise("imei", f->v[C_IMEI], NULL, imei, why,
                            sizeof(why)) != SW_OK))
        return prepare_bad(c, p, "%s", why);
    p->duration = 0;
    if (nonempty(f->v[C_DURATION])) {
        char *end;
        p->duration = strtol(f->v[C_DURATION], &end, 10);
        if (*end || p->duration < 0)
            return prepare_bad(c, p,
                               "duration '%.20s' is not a whole number of "
                               "seconds",
                               f->v[C_DURATION]);
    }
    p->day = day_of(p->at);
    p->month = month_of_day(p->day);
    p->id = arena_str(c, id);
    p->account = arena_str(c, account);
    p->channel = arena_str(c, channel);
    p->sender = arena_str(c, f->v[C_SENDER]);
    p->country = arena_str(c, country);
    p->op = arena_str(c, f->v[C_OPERATOR]);
    p->route = arena_str(c, f->v[C_ROUTE]);
    p->price = arena_str(c, f->v[C_PRICE]);
    p->currency = arena_str(c, f->v[C_CURRENCY]);
    if (strcmp(r->acc_cache, account) != 0) {
        sw_blind_under(r->account_key, account, strlen(account), r->acc_bi);
        snprintf(r->acc_cache, sizeof(r->acc_cache), "%s", account);
    }
    p->account_bi = arena_bytes(c, r->acc_bi, SW_BLIND_BYTES);
    bool sealed = seal_ids(r, c, p, dtype, d, imsi, imei);
    sw_wipe(d, sizeof(d));
    sw_wipe(imsi, sizeof(imsi));
    sw_wipe(imei, sizeof(imei));
    return sealed ? 1 : -1;
}

static void from_json(const char *line, size_t len, fields *f, bool *ok)
{
    *ok = sw_ndjson_fields(line, len, col_names, C_COUNT, f->buf,
                           sizeof(f->buf), f->v);
}

/* Hands a filled chunk to the writer; false when it asked to stop. */
static bool publish(reader *r)
{
    pthread_mutex_lock(&r->mu);
    r->produced++;
    pthread_cond_broadcast(&r->cv);
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return !stop;
}

/* The next free chunk, or NULL when the writer asked to stop. */
static chunk *next_free(reader *r)
{
    pthread_mutex_lock(&r->mu);
    while (r->produced - r->consumed >= RING && !r->stop)
        pthread_cond_wait(&r->cv, &r->mu);
    chunk *c = r->stop ? NULL : &r->ring[r->produced % RING];
    pthread_mutex_unlock(&r->mu);
    if (c) {
        sw_wipe(c->arena, c->used);
        c->n = c->used = 0;
    }
    return c;
}

static void *read_lines(void *arg)
{
    reader *r = arg;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    bool first = true;
    chunk *c = NULL;
    while ((len = getline(&line, &cap, r->in)) >= 0) {
        lineno++;
        if (!c && !(c = next_free(r)))
            break;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        const char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            continue;
        prepared *row = &c->rows[c->n];
        memset(row, 0, sizeof(*row));
        row->line = lineno;
        if ((size_t)len >= LINE_MAX_BYTES) {
            r->lines++;
            prepare_bad(c, row, "line longer than %d bytes", LINE_MAX_BYTES);
        } else if (first && (r->csv = *p != '{')) {
            first = false; /* the header names the columns */
            const char *names[32];
            int n = csv_split(p, r->f->buf, names, 32);
            int have_id = 0;
            for (int i = 0; i < n; i++) {
                r->csv_col[i] = col_index(names[i]);
                have_id |= r->csv_col[i] == C_ID;
            }
            r->csv_n = n;
            if (n < 0 || !have_id) {
                r->status = SW_ERR_INVALID;
                snprintf(r->err, sizeof(r->err),
                         "%s:%zu: neither an NDJSON object nor a CSV "
                         "header naming an 'id' column",
                         r->name, lineno);
                break;
            }
            continue;
        } else {
            first = false;
            r->lines++;
            bool ok = true;
            memset(r->f->v, 0, sizeof(r->f->v));
            if (r->csv) {
                const char *vals[32];
                int n = csv_split(p, r->f->buf, vals, 32);
                ok = n == r->csv_n;
                for (int i = 0; ok && i < n; i++)
                    if (r->csv_col[i] >= 0)
                        r->f->v[r->csv_col[i]] = vals[i];
                if (!ok)
                    prepare_bad(c, row, "%d fields where the header has %d", n,
                                r->csv_n);
            } else {
                from_json(p, strlen(p), r->f, &ok);
                if (!ok)
                    prepare_bad(c, row,
                                "not a JSON object of detail-record fields");
            }
            if (ok && prepare(r, c, r->f, row) < 0) {
                r->status = SW_ERR_STORE; /* the writer has the reason */
                break;
            }
        }
        c->n++;
        /* a chunk is handed over full, or before a line could overflow it */
        if (c->n == CHUNK_ROWS || c->used + 2 * LINE_MAX_BYTES > CHUNK_ARENA) {
            bool go = publish(r);
            c = NULL;
            if (!go)
                break;
        }
    }
    if (c && c->n)
        publish(r);
    if (r->status == SW_OK && ferror(r->in)) {
        r->status = SW_ERR_IO;
        snprintf(r->err, sizeof(r->err), "%s: read error", r->name);
    }
    free(line);
    pthread_mutex_lock(&r->mu);
    r->done = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* The rows of one month of a chunk, handed to the bulk load in turn. */
typedef struct month_rows {
    chunk *c;
    size_t i;
    int month;
    sw_traffic_rec rec;
    size_t stripped;
} month_rows;

static const sw_traffic_rec *next_row(void *p)
{
    month_rows *m = p;
    for (; m->i < m->c->n; m->i++) {
        const prepared *row = &m->c->rows[m->i];
        if (row->bad || row->month != m->month)
            continue;
        sw_traffic_rec *r = &m->rec;
        memset(r, 0, sizeof(*r));
        r->ext_id = row->id;
        r->account = row->account;
        r->account_bi = row->account_bi;
        r->channel = row->channel;
        r->at = row->at;
        r->day = row->day;
        r->sender = row->sender;
        r->country = row->country;
        r->duration = row->duration;
        r->op = row->op;
        r->route = row->route;
        r->price = row->price;
        r->currency = row->currency;
        if (row->live) {
            r->key_class = row->key_class;
            r->ids = row->ids;
            r->ids_len = row->ids_len;
            r->dest_bi = row->dest_bi;
        }
        m->stripped += !row->live;
        m->i++;
        return r;
    }
    return NULL;
}

/* A row the store refused: the last of that id in the month's rows not
 * refused yet (an id that came twice is stored once, the first time). */
static void refused_row(void *p, const char *ext_id)
{
    month_rows *m = p;
    for (size_t i = m->c->n; i-- > 0;) {
        prepared *row = &m->c->rows[i];
        if (!row->bad && !row->refused && row->month == m->month &&
            strcmp(row->id, ext_id) == 0) {
            row->refused = true;
            m->stripped -= !row->live;
            return;
        }
    }
}

/* Stores a chunk's good rows, a month at a time, then reports its bad
 * lines in order. */
static sw_status store_chunk(ingest *g, chunk *c, sw_ingest_result *out)
{
    sw_status st = SW_OK;
    for (size_t i = 0; i < c->n && st == SW_OK; i++) {
        const prepared *row = &c->rows[i];
        bool first = !row->bad;
        for (size_t j = 0; first && j < i; j++)
            first = c->rows[j].bad || c->rows[j].month != row->month;
        if (!first)
            continue;
        if (row->month != g->month_ready &&
            (st = sw_traffic_month(g->s, row->month)) != SW_OK)
            break;
        g->month_ready = row->month;
        month_rows m = {c, 0, row->month, {0}, 0};
        size_t stored = 0;
        st = sw_traffic_load(g->s, row->month, next_row, refused_row, &m,
                             &stored);
        out->stored += stored;
        out->stripped += m.stripped;
    }
    for (size_t i = 0; i < c->n && st == SW_OK; i++) {
        const prepared *p = &c->rows[i];
        if (p->bad || p->refused)
            out->bad++;
        if (p->bad)
            bad_line(g, p->line, "%s", p->bad);
        else if (p->refused)
            bad_line(g, p->line, "detail record id '%s' exists", p->id);
    }
    return st;
}

/* Gives the reader the key it asked for (read or created in the store,
 * inside the ingest's transaction). */
static sw_status serve_key(ingest *g, reader *r)
{
    day_key *k;
    sw_status st = day_key_for(g->s, g->keys, g->ids_rule, r->req_day,
                               r->req_class, g->now, &k);
    pthread_mutex_lock(&r->mu);
    if (st == SW_OK)
        r->req_key = *k;
    r->req_status = st;
    r->req_pending = false;
    r->req_done = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return st;
}

static void reader_free(reader *r)
{
    for (int i = 0; i < RING; i++) {
        if (r->ring[i].arena)
            sw_wipe(r->ring[i].arena, CHUNK_ARENA);
        free(r->ring[i].arena);
    }
    free(r->f);
    if (r->keys)
        sw_wipe(r->keys, sizeof(day_key) * KEY_SLOTS);
    free(r->keys);
    sw_wipe(&r->pool, sizeof(r->pool));
    sw_wipe(r->account_key, sizeof(r->account_key));
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}

sw_status sw_traffic_ingest(sw_store *s, FILE *in, const char *name,
                            const sw_ingest_options *o, sw_diags *diags,
                            sw_ingest_result *out)
{
    memset(out, 0, sizeof(*out));
    const sw_rule *rule =
        s->policy && s->policy->traffic.identifiers_rule
            ? sw_policy_rule(s->policy, s->policy->traffic.identifiers_rule)
            : NULL;
    if (!rule)
        return sw_fail(s, SW_ERR_INVALID,
                       "the policy names no traffic rules ('traffic')");
    ingest g;
    memset(&g, 0, sizeof(g));
    g.s = s;
    g.ids_rule = rule;
    g.diags = diags;
    g.name = name;
    g.max_errors = o && o->max_errors ? o->max_errors : 100;
    g.now = sw_clock_now(&s->clock);
    g.keys = calloc(KEY_SLOTS, sizeof(day_key));
    reader *r = calloc(1, sizeof(*r));
    bool ok = g.keys && r && (r->f = malloc(sizeof(*r->f))) &&
              (r->keys = calloc(KEY_SLOTS, sizeof(day_key)));
    for (int i = 0; ok && i < RING; i++)
        ok = (r->ring[i].arena = malloc(CHUNK_ARENA)) != NULL;
    if (!ok) {
        free(g.keys);
        if (r) {
            pthread_mutex_init(&r->mu, NULL);
            pthread_cond_init(&r->cv, NULL);
            reader_free(r);
        }
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->in = in;
    r->name = name;
    r->rule = rule;
    sw_account_blind_key(s, r->account_key);
    pthread_t th;
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK && pthread_create(&th, NULL, read_lines, r) != 0) {
        st = sw_fail(s, SW_ERR_NOMEM, "cannot start the reading thread");
        sw_tx_end(s, st);
        reader_free(r);
        free(g.keys);
        return st;
    }
    bool started = st == SW_OK;
    size_t next_progress = 100000;
    while (st == SW_OK) {
        pthread_mutex_lock(&r->mu);
        while (r->produced == r->consumed && !r->done && !r->req_pending)
            pthread_cond_wait(&r->cv, &r->mu);
        bool asked = r->req_pending;
        bool empty = r->produced == r->consumed;
        chunk *c = asked || empty ? NULL : &r->ring[r->consumed % RING];
        pthread_mutex_unlock(&r->mu);
        if (asked) { /* a key first: the reader waits for it */
            st = serve_key(&g, r);
            continue;
        }
        if (!c)
            break;
        if (c->n && o && o->progress &&
            c->rows[c->n - 1].line >= next_progress) {
            o->progress(c->rows[c->n - 1].line, o->progress_ctx);
            next_progress = (c->rows[c->n - 1].line / 100000 + 1) * 100000;
        }
        st = store_chunk(&g, c, out);
        pthread_mutex_lock(&r->mu);
        r->consumed++;
        r->stop = st != SW_OK;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    if (started) {
        pthread_mutex_lock(&r->mu);
        r->stop = st != SW_OK || r->stop;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(th, NULL);
    }
    out->lines = r->lines;
    out->csv = r->csv;
    if (st == SW_OK && r->status != SW_OK)
        st = sw_fail(s, r->status, "%s", r->err);
    if (st == SW_OK && out->bad && !(o && o->skip_bad))
        st = sw_fail(s, SW_ERR_INVALID,
                     "%s: %zu bad line%s; nothing stored (use --skip-bad to "
                     "store the good ones)",
                     name, out->bad, out->bad == 1 ? "" : "s");
    if (st == SW_OK) {
        st = sw_audit_json(
            s, "traffic.ingest", NULL, NULL,
            json_pack("{s:s, s:I, s:I, s:I, s:I}", "format",
                      out->csv ? "csv" : "ndjson", "lines",
                      (json_int_t)out->lines, "stored", (json_int_t)out->stored,
                      "bad", (json_int_t)out->bad, "stored_without_identifiers",
                      (json_int_t)out->stripped));
    }
    if (started)
        st = sw_tx_end(s, st);
    if (st != SW_OK)
        out->stored = out->stripped = 0;
    else if (out->stored)
        sw_store_checkpoint(s, NULL); /* best effort: the data is stored */
    reader_free(r);
    sw_wipe(g.keys, sizeof(day_key) * KEY_SLOTS);
    free(g.keys);
    return st;
}

/* ---- find ---- */

typedef struct key_item {
    int64_t day;
    char key_class[8];
    uint8_t wrapped[SW_WRAPPED_BYTES];
} key_item;

static int collect_key(int64_t day, const char *key_class,
                       const uint8_t *wrapped, size_t len, void *p)
{
    if (len != SW_WRAPPED_BYTES)
        return 0;
    key_item *it = sw_vec_push(p);
    if (!it)
        return 1;
    it->day = day;
    snprintf(it->key_class, sizeof(it->key_class), "%s", key_class);
    memcpy(it->wrapped, wrapped, SW_WRAPPED_BYTES);
    return 0;
}

/* The day keys a store has unwrapped, for look-ups: a cache that never
 * decides what is live (each look-up lists the live keys first). */
static void day_keys_free(void *p)
{
    sw_wipe(p, sizeof(day_key) * KEY_SLOTS);
    free(p);
}

static void day_keys_forget(sw_store *s)
{
    sw_ext_set(s, SW_EXT_DAY_KEYS, NULL, NULL, NULL);
}

static sw_status cached_day_key(sw_store *s, const key_item *it, day_key *out)
{
    day_key *keys = sw_ext_get(s, SW_EXT_DAY_KEYS);
    if (!keys) {
        if (!(keys = calloc(KEY_SLOTS, sizeof(day_key))))
            return sw_fail(s, SW_ERR_NOMEM, "out of memory");
        sw_ext_set(s, SW_EXT_DAY_KEYS, keys, NULL, day_keys_free);
    }
    day_key *slot = &keys[sw_hash_day(it->day, it->key_class) % KEY_SLOTS];
    /* A wrapped key that changed (a hold key made anew) is unwrapped
     * again: the slot remembers which wrapped bytes it came from. */
    if (slot->used && slot->day == it->day &&
        strcmp(slot->key_class, it->key_class) == 0 &&
        memcmp(slot->wrapped, it->wrapped, SW_WRAPPED_BYTES) == 0) {
        *out = *slot;
        return SW_OK;
    }
    sw_status st = unwrap_day(s, it->day, it->key_class, it->wrapped,
                              SW_WRAPPED_BYTES, out);
    if (st == SW_OK) {
        *slot = *out;
        memcpy(slot->wrapped, it->wrapped, SW_WRAPPED_BYTES);
    }
    return st;
}

/* The live keys of one month, as many as a month can have. */
#define MONTH_KEYS 128

typedef struct find_ctx {
    sw_store *s;
    day_key *keys; /* the month's keys */
    uint8_t (*blinds)[SW_BLIND_BYTES];
    size_t n_keys;
    const char *account; /* only this customer's records, or NULL */
    int (*cb)(const sw_traffic_row *r, void *ctx);
    void *ctx;
    size_t found;
    bool stop;
    sw_status st;
} find_ctx;

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static int found_row(const sw_traffic_rec *r, void *p)
{
    find_ctx *c = p;
    if (c->account && (!r->account || strcmp(r->account, c->account) != 0))
        return 0; /* another customer's: not even decrypted */
    sw_traffic_row row;
    memset(&row, 0, sizeof(row));
    copy(row.id, sizeof(row.id), r->ext_id);
    copy(row.account, sizeof(row.account), r->account);
    copy(row.channel, sizeof(row.channel), r->channel);
    row.at = r->at;
    copy(row.sender, sizeof(row.sender), r->sender);
    copy(row.country, sizeof(row.country), r->country);
    row.duration = r->duration;
    copy(row.operator_, sizeof(row.operator_), r->op);
    copy(row.route, sizeof(row.route), r->route);
    copy(row.price, sizeof(row.price), r->price);
    copy(row.currency, sizeof(row.currency), r->currency);
    /* The row must match under the key of its own day and class. */
    const day_key *k = NULL;
    for (size_t i = 0; i < c->n_keys && !k; i++)
        if (c->keys[i].day == r->day && r->key_class && r->dest_bi &&
            strcmp(c->keys[i].key_class, r->key_class) == 0 &&
            memcmp(c->blinds[i], r->dest_bi, SW_BLIND_BYTES) == 0)
            k = &c->keys[i];
    if (!k)
        return 0;
    if (r->ids && r->ids_len > SW_SEAL_OVERHEAD &&
        r->ids_len < 3 * SW_IDENT_MAX + SW_SEAL_OVERHEAD) {
        char plain[3 * SW_IDENT_MAX + 1], ad[200];
        ids_ad(r->ext_id, r->day, r->key_class ? r->key_class : "", ad,
               sizeof(ad));
        size_t n = r->ids_len - SW_SEAL_OVERHEAD;
        if (sw_unseal(k->key, ad, r->ids, r->ids_len, (uint8_t *)plain) !=
            SW_OK) {
            c->st = sw_fail(c->s, SW_ERR_CRYPTO,
                            "detail record %s: identifiers do not decrypt",
                            r->ext_id);
            return 1;
        }
        plain[n] = '\0';
        const char *imsi = plain + strlen(plain) + 1;
        const char *imei = imsi < plain + n ? imsi + strlen(imsi) + 1 : "";
        copy(row.destination, sizeof(row.destination), plain);
        if (imsi < plain + n)
            copy(row.imsi, sizeof(row.imsi), imsi);
        if (imei < plain + n)
            copy(row.imei, sizeof(row.imei), imei);
        row.identifiers = true;
        sw_wipe(plain, sizeof(plain));
    }
    c->found++;
    int stop = c->cb ? c->cb(&row, c->ctx) : 0;
    sw_wipe(&row, sizeof(row));
    c->stop = stop != 0;
    return stop;
}

/* The type traffic indexes a destination under, from an identifier type
 * (a phone number is an msisdn); NULL for one it does not hold. */
static const char *dest_type(const char *type)
{
    if (!type)
        return NULL;
    if (strcmp(type, "msisdn") == 0 || strcmp(type, "phone") == 0)
        return "msisdn";
    return strcmp(type, "email") == 0 ? "email" : NULL;
}

/* Hands cb every live record whose destination is value (of account
 * only, when account is not NULL), oldest first; inside the caller's
 * transaction, not audited. */
static sw_status find_rows(sw_store *s, const char *type, const char *value,
                           const char *account,
                           int (*cb)(const sw_traffic_row *r, void *ctx),
                           void *ctx, size_t *found)
{
    *found = 0;
    const char *dtype = dest_type(type);
    if (!dtype)
        return sw_fail(s, SW_ERR_INVALID,
                       "traffic is found by msisdn or email, not '%s'",
                       type ? type : "");
    char norm[SW_IDENT_MAX], why[256];
    if (sw_ident_normalise(dtype, value, s->country[0] ? s->country : NULL,
                           norm, why, sizeof(why)) != SW_OK)
        return sw_fail(s, SW_ERR_INVALID, "%s", why);
    sw_vec keys = SW_VEC(key_item);
    sw_status st = sw_day_keys_list(s, false, 0, collect_key, &keys);
    if (st == SW_OK && keys.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    day_key *mk = calloc(MONTH_KEYS, sizeof(day_key));
    uint8_t(*blinds)[SW_BLIND_BYTES] = calloc(MONTH_KEYS, SW_BLIND_BYTES);
    if (st == SW_OK && (!mk || !blinds))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    find_ctx c = {s, mk, blinds, 0, account, cb, ctx, 0, false, SW_OK};
    /* A destination has another blind index under each day's key: one
     * query per month asks for all of that month's. */
    for (size_t i = 0; st == SW_OK && i < keys.n && !c.stop;) {
        int month = month_of_day(SW_VEC_AT(&keys, key_item, i)->day);
        c.n_keys = 0;
        for (; st == SW_OK && i < keys.n && c.n_keys < MONTH_KEYS; i++) {
            key_item *it = SW_VEC_AT(&keys, key_item, i);
            if (month_of_day(it->day) != month)
                break;
            day_key *k = &mk[c.n_keys];
            if ((st = cached_day_key(s, it, k)) == SW_OK)
                dest_blind(k, dtype, norm, blinds[c.n_keys++]);
        }
        if (st == SW_OK) {
            st = sw_traffic_probe(s, month,
                                  (const uint8_t(*)[SW_BLIND_BYTES])blinds,
                                  c.n_keys, found_row, &c);
            st = st != SW_OK ? st : c.st;
        }
    }
    if (mk)
        sw_wipe(mk, MONTH_KEYS * sizeof(day_key));
    free(mk);
    free(blinds);
    sw_wipe(norm, sizeof(norm));
    sw_vec_release(&keys);
    *found = c.found;
    return st;
}

sw_status sw_traffic_find(sw_store *s, const char *type, const char *value,
                          int (*cb)(const sw_traffic_row *r, void *ctx),
                          void *ctx, size_t *found)
{
    size_t n = 0;
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK)
        st = find_rows(s, type, value, NULL, cb, ctx, &n);
    if (st == SW_OK && n)
        st = sw_audit_json(s, "traffic.disclose", NULL, NULL,
                           json_pack("{s:s, s:s, s:I}", "purpose",
                                     "traffic.find", "type", dest_type(type),
                                     "records", (json_int_t)n));
    st = sw_tx_end(s, st);
    if (found)
        *found = n;
    return st;
}

static int first_only(const sw_traffic_row *r, void *ctx)
{
    (void)r;
    (void)ctx;
    return 1;
}

sw_status sw_traffic_reaches(sw_store *s, const char *type, const char *value,
                             bool *any)
{
    size_t n = 0;
    sw_status st = find_rows(s, type, value, NULL, first_only, NULL, &n);
    *any = n > 0;
    return st;
}

/* ---- a customer's instructions (the operator as its processor) ---- */

static sw_status check_instruction(sw_store *s, const sw_instruction *in,
                                   bool need_reference)
{
    sw_status st;
    if (!in->account || !in->account[0])
        return sw_fail(s, SW_ERR_INVALID,
                       "name the customer (account) whose records these are");
    if ((st = sw_check_text(s, "account", in->account, 96)) != SW_OK ||
        (st = sw_check_text(s, "instruction", in->instruction, 256)) != SW_OK)
        return st;
    if (need_reference && (!in->instruction || !in->instruction[0]))
        return sw_fail(s, SW_ERR_INVALID,
                       "erasing a customer's records needs the reference of "
                       "its documented instruction");
    return SW_OK;
}

static sw_status audit_instruction(sw_store *s, const char *action,
                                   const sw_instruction *in, json_t *counts)
{
    json_object_set_new(counts, "account", json_string(in->account));
    json_object_set_new(counts, "type", json_string(dest_type(in->type)));
    if (in->instruction && in->instruction[0])
        json_object_set_new(counts, "instruction",
                            json_string(in->instruction));
    return sw_audit_json(s, action, NULL, NULL, counts);
}

sw_status sw_traffic_export(sw_store *s, const sw_instruction *in,
                            int (*cb)(const sw_traffic_row *r, void *ctx),
                            void *ctx, size_t *found)
{
    size_t n = 0;
    sw_status st = check_instruction(s, in, false);
    if (st == SW_OK && (st = sw_tx_begin(s)) == SW_OK) {
        st = find_rows(s, in->type, in->value, in->account, cb, ctx, &n);
        if (st == SW_OK)
            st =
                audit_instruction(s, "traffic.export", in,
                                  json_pack("{s:I}", "records", (json_int_t)n));
        st = sw_tx_end(s, st);
    }
    if (found)
        *found = n;
    return st;
}

typedef struct erase_item {
    char id[96];
    int month;
} erase_item;

static int collect_erase(const sw_traffic_row *r, void *p)
{
    erase_item *e = sw_vec_push(p);
    if (!e)
        return 1;
    snprintf(e->id, sizeof(e->id), "%s", r->id);
    e->month = month_of_day(day_of(r->at));
    return 0;
}

sw_status sw_traffic_erase(sw_store *s, const sw_instruction *in,
                           sw_traffic_erased *out)
{
    memset(out, 0, sizeof(*out));
    const sw_policy *p = s->policy;
    const sw_rule *ids = p && p->traffic.identifiers_rule
                             ? sw_policy_rule(p, p->traffic.identifiers_rule)
                             : NULL;
    sw_status st = check_instruction(s, in, true);
    if (st != SW_OK || (st = sw_tx_begin(s)) != SW_OK)
        return st;
    sw_vec rows = SW_VEC(erase_item);
    size_t n = 0;
    st = find_rows(s, in->type, in->value, in->account, collect_erase, &rows,
                   &n);
    if (st == SW_OK && rows.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < rows.n; i++) {
        const erase_item *e = SW_VEC_AT(&rows, erase_item, i);
        bool held = false;
        st = sw_traffic_hold_keeps(s, ids ? ids->activity->id : "", in->account,
                                   e->id, &held);
        if (st == SW_OK && held)
            out->kept_held++;
        else if (st == SW_OK &&
                 (st = sw_traffic_strip(s, e->month, e->id)) == SW_OK)
            out->erased++;
    }
    if (st == SW_OK)
        st = audit_instruction(
            s, "traffic.erase", in,
            json_pack("{s:I, s:I}", "records_erased", (json_int_t)out->erased,
                      "records_kept_under_hold", (json_int_t)out->kept_held));
    st = sw_tx_end(s, st);
    sw_vec_release(&rows);
    if (st == SW_OK && out->erased)
        st = sw_store_checkpoint(s, "erased, but the journal was not "
                                    "checkpointed");
    return st;
}

sw_status sw_traffic_warm(sw_store *s, size_t *months)
{
    if (months)
        *months = 0;
    sw_vec keys = SW_VEC(key_item);
    sw_status st = sw_day_keys_list(s, false, 0, collect_key, &keys);
    if (st == SW_OK && keys.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    int last = -1;
    for (size_t i = 0; st == SW_OK && i < keys.n; i++) {
        const key_item *it = SW_VEC_AT(&keys, key_item, i);
        day_key k; /* unwrapped into the handle's cache of day keys */
        if ((st = cached_day_key(s, it, &k)) != SW_OK)
            break;
        sw_wipe(&k, sizeof(k));
        if (month_of_day(it->day) == last)
            continue;
        last = month_of_day(it->day);
        if ((st = sw_traffic_warm_month(s, last)) == SW_OK && months)
            (*months)++;
    }
    sw_vec_release(&keys);
    return st;
}

sw_status sw_traffic_bill(sw_store *s, const char *account, const char *period,
                          const char *status)
{
    static const char *const statuses[] = {"unpaid", "disputed", "settled",
                                           "closed", NULL};
    bool ok = false;
    for (int i = 0; status && statuses[i]; i++)
        ok |= strcmp(statuses[i], status) == 0;
    if (!ok)
        return sw_fail(s, SW_ERR_INVALID,
                       "bill status '%s': expected unpaid, disputed, settled "
                       "or closed",
                       status ? status : "");
    sw_instant t;
    char date[16];
    snprintf(date, sizeof(date), "%.7s-01", period ? period : "");
    if (!period || strlen(period) != 7 || sw_instant_parse(date, &t) != SW_OK)
        return sw_fail(s, SW_ERR_INVALID, "bill period '%s': expected YYYY-MM",
                       period ? period : "");
    if (!account || !*account)
        return sw_fail(s, SW_ERR_INVALID, "a bill needs an account");
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK) {
        st = sw_bills_set(s, account, period, status, sw_clock_now(&s->clock));
        if (st == SW_OK)
            st = sw_audit_json(
                s, "traffic.bill", NULL, NULL,
                json_pack("{s:s, s:s}", "period", period, "status", status));
        st = sw_tx_end(s, st);
    }
    return st;
}

/* ---- the traffic part of a sweep ---- */

typedef struct rekey_ctx {
    sw_store *s;
    day_key *from, *to; /* to: made when the first held row shows up */
    size_t count;
    sw_status st;
} rekey_ctx;

static sw_status hold_key(sw_store *s, int64_t day, const char *key_class,
                          day_key *k);

static int rekey_row(const sw_traffic_rec *r, void *p)
{
    rekey_ctx *c = p;
    if (!r->ids || r->ids_len <= SW_SEAL_OVERHEAD ||
        r->ids_len > 3 * SW_IDENT_MAX + SW_SEAL_OVERHEAD)
        return 0;
    if (!c->to->used && (c->st = hold_key(c->s, c->from->day,
                                          c->from->key_class, c->to)) != SW_OK)
        return 1;
    char plain[3 * SW_IDENT_MAX], ad[200];
    size_t n = r->ids_len - SW_SEAL_OVERHEAD;
    ids_ad(r->ext_id, r->day, c->from->key_class, ad, sizeof(ad));
    if (sw_unseal(c->from->key, ad, r->ids, r->ids_len, (uint8_t *)plain) !=
        SW_OK) {
        c->st =
            sw_fail(c->s, SW_ERR_CRYPTO,
                    "detail record %s: identifiers do not decrypt", r->ext_id);
        return 1;
    }
    /* The destination is the first field; its type shows in its form. */
    char dest[SW_IDENT_MAX];
    snprintf(dest, sizeof(dest), "%.*s", (int)strnlen(plain, n), plain);
    uint8_t sealed[3 * SW_IDENT_MAX + SW_SEAL_OVERHEAD], blind[SW_BLIND_BYTES];
    ids_ad(r->ext_id, r->day, c->to->key_class, ad, sizeof(ad));
    sw_seal(c->s->keys, c->to->key, ad, plain, n, sealed);
    dest_blind(c->to, strchr(dest, '@') ? "email" : "msisdn", dest, blind);
    sw_wipe(plain, sizeof(plain));
    sw_wipe(dest, sizeof(dest));
    sw_status st =
        sw_traffic_rekey(c->s, month_of_day(r->day), r->ext_id,
                         c->to->key_class, sealed, r->ids_len, blind);
    if (st != SW_OK) {
        c->st = st;
        return 1;
    }
    c->count++;
    return 0;
}

static void period_of_day(int64_t day, char *buf)
{
    int m = month_of_day(day);
    snprintf(buf, 8, "%04d-%02d", m / 100, m % 100);
}

/* The hold key that keeps held rows of a day past its period. */
static sw_status hold_key(sw_store *s, int64_t day, const char *key_class,
                          day_key *k)
{
    char hclass[8];
    snprintf(hclass, sizeof(hclass), "H%s", key_class);
    uint8_t wrapped[SW_WRAPPED_BYTES];
    sw_status st = sw_day_keys_get(s, day, hclass, wrapped);
    if (st == SW_OK)
        return unwrap_day(s, day, hclass, wrapped, SW_WRAPPED_BYTES, k);
    if (st != SW_ERR_NOTFOUND)
        return st;
    return new_day_key(s, day, hclass, false, 0, k);
}

/* Hands cb the rows of a due day that a hold or an unsettled bill of its
 * month keeps. */
static sw_status held_rows(sw_store *s, const key_item *it,
                           const char *activity, sw_traffic_cb cb, void *ctx)
{
    char period[8];
    period_of_day(it->day, period);
    return sw_traffic_held(s, month_of_day(it->day), it->day, it->key_class,
                           period, activity, cb, ctx);
}

/* Destroys one day key whose period is over, re-keying the rows a hold or
 * an unsettled bill keeps first. One transaction. */
static sw_status strip_day(sw_store *s, const key_item *it,
                           const char *activity, sw_sweep_report *r)
{
    day_key from, to;
    memset(&from, 0, sizeof(from));
    memset(&to, 0, sizeof(to));
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    st = unwrap_day(s, it->day, it->key_class, it->wrapped, SW_WRAPPED_BYTES,
                    &from);
    rekey_ctx c = {s, &from, &to, 0, SW_OK};
    if (st == SW_OK &&
        (st = held_rows(s, it, activity, rekey_row, &c)) == SW_OK)
        st = c.st;
    /* The step that makes the day's identifiers noise, in constant time. */
    if (st == SW_OK)
        st = sw_day_keys_delete(s, it->day, it->key_class);
    if (st == SW_OK) {
        char date[11];
        sw_date_format(it->day * SECS_PER_DAY, date);
        st = sw_audit_json(s, "traffic.strip_day", NULL, NULL,
                           json_pack("{s:s, s:s, s:I}", "day", date, "class",
                                     it->key_class, "rows_kept_under_hold",
                                     (json_int_t)c.count));
    }
    st = sw_tx_end(s, st);
    sw_wipe(&from, sizeof(from));
    sw_wipe(&to, sizeof(to));
    if (st == SW_OK) {
        r->epochs_destroyed++;
        r->traffic_rekeyed += c.count;
    }
    return st;
}

typedef char ext_id[96];

static int collect_ext(const sw_traffic_rec *r, void *p)
{
    ext_id *e = sw_vec_push(p);
    if (!e)
        return 1;
    snprintf(*e, sizeof(*e), "%s", r->ext_id);
    return 0;
}

static bool in_set(const sw_vec *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(*SW_VEC_AT(s, ext_id, i), id) == 0)
            return true;
    return false;
}

/* Rows kept under a hold key whose hold or bill is over lose their
 * identifiers; an unused hold key goes. One transaction. */
static sw_status release_day(sw_store *s, const key_item *it,
                             const char *activity, sw_sweep_report *r)
{
    char period[8];
    period_of_day(it->day, period);
    int month = month_of_day(it->day);
    sw_vec all = SW_VEC(ext_id), held = SW_VEC(ext_id);
    size_t stripped = 0;
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    if ((st = sw_traffic_keyed(s, month, it->day, it->key_class, collect_ext,
                               &all)) == SW_OK)
        st = sw_traffic_held(s, month, it->day, it->key_class, period, activity,
                             collect_ext, &held);
    if (st == SW_OK && (all.nomem || held.nomem))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < all.n; i++) {
        const char *id = *SW_VEC_AT(&all, ext_id, i);
        if (in_set(&held, id))
            continue;
        if ((st = sw_traffic_strip(s, month, id)) == SW_OK)
            stripped++;
    }
    if (st == SW_OK && held.n == 0)
        st = sw_day_keys_delete(s, it->day, it->key_class);
    if (st == SW_OK && stripped) {
        char date[11];
        sw_date_format(it->day * SECS_PER_DAY, date);
        st = sw_audit_json(s, "traffic.release_day", NULL, NULL,
                           json_pack("{s:s, s:I, s:I}", "day", date,
                                     "rows_stripped", (json_int_t)stripped,
                                     "rows_still_held", (json_int_t)held.n));
    }
    st = sw_tx_end(s, st);
    sw_vec_release(&all);
    sw_vec_release(&held);
    if (st == SW_OK)
        r->traffic_stripped += stripped;
    return st;
}

typedef struct month_list {
    int v[1024];
    size_t n;
} month_list;

static int collect_month(int month, void *p)
{
    month_list *l = p;
    if (l->n < 1024)
        l->v[l->n++] = month;
    return 0;
}

/* The first instant a record of the rule is not yet due at now (due dates
 * never decrease with the trigger, so a bisection finds it). */
static sw_instant first_not_due(const sw_rule *rule, sw_instant now)
{
    sw_instant lo = sw_instant_sub(now, rule->keep) - 4 * SECS_PER_DAY;
    sw_instant hi = lo + 8 * SECS_PER_DAY, due;
    while (lo < hi) {
        sw_instant mid = lo + (hi - lo) / 2;
        sw_rule_due(rule, mid, &due);
        if (due <= now)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

sw_status sw_traffic_sweep(sw_store *s, sw_instant now, sw_sweep_report *r)
{
    const sw_policy *p = s->policy;
    const sw_rule *ids = p->traffic.identifiers_rule
                             ? sw_policy_rule(p, p->traffic.identifiers_rule)
                             : NULL;
    const sw_rule *recs = p->traffic.records_rule
                              ? sw_policy_rule(p, p->traffic.records_rule)
                              : NULL;
    if (!ids || !recs)
        return SW_OK; /* a policy without traffic */
    sw_vec due = SW_VEC(key_item), all = SW_VEC(key_item);
    sw_status st = sw_day_keys_list(s, true, now, collect_key, &due);
    if (st == SW_OK)
        st = sw_day_keys_list(s, false, 0, collect_key, &all);
    if (st == SW_OK && (due.nomem || all.nomem))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    day_keys_forget(s); /* no copy of a key outlives its day */
    for (size_t i = 0; st == SW_OK && i < due.n; i++)
        st = strip_day(s, SW_VEC_AT(&due, key_item, i), ids->activity->id, r);
    for (size_t i = 0; st == SW_OK && i < all.n; i++) {
        const key_item *it = SW_VEC_AT(&all, key_item, i);
        if (it->key_class[0] == 'H')
            st = release_day(s, it, ids->activity->id, r);
    }
    sw_vec_release(&due);
    sw_vec_release(&all);
    if (st != SW_OK)
        return st;

    /* The customer's part: whole days past their period are deleted from
     * the oldest months; an emptied month is dropped. */
    month_list months;
    months.n = 0;
    if ((st = sw_traffic_months(s, collect_month, &months)) != SW_OK)
        return st;
    sw_instant before = first_not_due(recs, now);
    for (size_t i = 0; st == SW_OK && i < months.n; i++) {
        int m = months.v[i];
        if (sw_instant_from_date(m / 100, m % 100, 1) >= before)
            break;
        size_t deleted = 0, kept = 0;
        bool dropped = false;
        if ((st = sw_tx_begin(s)) != SW_OK)
            break;
        /* a month wholly past: dropped whole when nothing in it stays */
        int ny = m / 100 + (m % 100 == 12),
            nm = m % 100 == 12 ? 1 : m % 100 + 1;
        st = sw_traffic_expire_month(s, m, before, recs->activity->id,
                                     sw_instant_from_date(ny, nm, 1) <= before,
                                     &deleted, &kept, &dropped);
        if (st == SW_OK && (deleted || dropped)) {
            st = sw_audit_json(s, "traffic.expire", NULL, NULL,
                               json_pack("{s:i, s:I, s:I, s:b}", "month", m,
                                         "rows_deleted", (json_int_t)deleted,
                                         "rows_kept", (json_int_t)kept,
                                         "dropped", dropped));
        }
        st = sw_tx_end(s, st);
        if (st == SW_OK) {
            r->traffic_deleted += deleted;
            r->traffic_held += kept;
            r->months_dropped += dropped;
        }
    }
    /* A settled bill keeps nothing: it goes once its period's traffic is
     * past its own period. */
    char period[16];
    int y, mo;
    sw_instant_fields(before, &y, &mo, NULL, NULL);
    snprintf(period, sizeof(period), "%04d-%02d", y, mo);
    size_t bills = 0;
    if (st == SW_OK && (st = sw_tx_begin(s)) == SW_OK) {
        st = sw_bills_settled_delete(s, period, &bills);
        if (st == SW_OK && bills)
            st = sw_audit_json(s, "traffic.bills_expire", NULL, NULL,
                               json_pack("{s:s, s:I}", "before", period,
                                         "bills", (json_int_t)bills));
        if ((st = sw_tx_end(s, st)) == SW_OK)
            r->bills_removed += bills;
    }
    return st;
}

/* ---- a changed policy ---- */

typedef struct key_due {
    int64_t day;
    char key_class[8];
    sw_instant due;
} key_due;

static int collect_key_due(int64_t day, const char *key_class, sw_instant due,
                           void *p)
{
    key_due *k = sw_vec_push(p);
    if (!k)
        return 1;
    k->day = day;
    snprintf(k->key_class, sizeof(k->key_class), "%s", key_class);
    k->due = due;
    return 0;
}

sw_status sw_day_keys_redate(sw_store *s, bool dry, size_t *moved,
                             size_t *now_due)
{
    *moved = *now_due = 0;
    const sw_rule *rule =
        s->policy && s->policy->traffic.identifiers_rule
            ? sw_policy_rule(s->policy, s->policy->traffic.identifiers_rule)
            : NULL;
    if (!rule)
        return SW_OK;
    sw_vec keys = SW_VEC(key_due);
    sw_status st = sw_day_keys_dues(s, collect_key_due, &keys);
    if (st == SW_OK && keys.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_instant now = sw_clock_now(&s->clock);
    for (size_t i = 0; st == SW_OK && i < keys.n; i++) {
        const key_due *k = SW_VEC_AT(&keys, key_due, i);
        sw_instant due;
        if (sw_rule_due_in(rule, k->day * SECS_PER_DAY,
                           k->key_class[0] ? k->key_class : NULL,
                           &due) != SW_OK ||
            due == k->due)
            continue;
        (*moved)++;
        *now_due += due <= now;
        if (!dry)
            st = sw_day_keys_set_due(s, k->day, k->key_class, due);
    }
    sw_vec_release(&keys);
    return st;
}
