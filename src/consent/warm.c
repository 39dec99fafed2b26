/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decision facts in memory. A list of a million addresses decided one
 * look-up at a time costs a dozen index seeks an address; the same facts
 * read table by table in sequential statements cost a fraction of that,
 * and the decisions then run from memory. What is read is exactly what a
 * decision reads (consent_sql.c's facts): each address's subject and
 * suppression, each subject's kind, flags and age, the end of its
 * relationship, and its newest consent and objection to each purpose,
 * chosen by the same ORDER BY as the single look-up. Subjects with none
 * of these share one verdict by purpose and kind, computed once.
 *
 * Read once, never changed: handles of one group share it by reference;
 * a change makes each handle drop it (decision.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "consent/consent_int.h"
#include "consent/decide_int.h"
#include "core/hash.h"
#include "core/table.h"
#include "ledger/ledger_sql.h"
#include "store/sql.h"

#define NONE UINT32_MAX
#define KINDS_MAX 256
#define DEFAULT_MAX_BYTES ((size_t)1 << 30)
/* A look-up in the store costs about as much as reading this many
 * addresses whole (measured on SQLite: bench_consent): fewer decisions
 * than addresses / COST_RATIO are cheaper one by one. */
#define COST_RATIO 8

/* An address: 24 bytes, so that ten million fit in the default bound. */
typedef struct wf_addr {
    uint8_t blind[SW_BLIND_BYTES];
    uint32_t subject; /* index + 1; 0: an empty slot; NO_SUBJECT */
    uint32_t supp;    /* index + 1 in sinces; 0: not suppressed */
} wf_addr;
#define NO_SUBJECT UINT32_MAX

/* A subject. Of its flags a decision reads only the restriction
 * (verdict.c). */
typedef struct wf_subject {
    sw_instant minor_until, ended_at;
    uint32_t first; /* its first fact, NONE: none */
    uint16_t kind;
    uint8_t bits; /* B_ */
} wf_subject;
#define B_MINOR 1
#define B_ENDED 2
#define B_RESTRICTED 4

/* The newest consent or objection of a subject to a purpose. */
typedef struct wf_fact {
    uint32_t next; /* the subject's next fact */
    uint16_t purpose;
    uint8_t objection, parental, has_given, has_expiry, overridden;
    char state[16];
    sw_instant at, given_at, expires_at;
    char id[SW_ID_BUFSZ];
} wf_fact;

struct sw_warm {
    _Atomic long refs;
    const sw_policy *policy;
    uint64_t changes; /* the group's change count it was read at */
    sw_instant read_at;
    sw_instant until; /* the next end of a relationship after read_at */
    uint8_t tkey[3][SW_KEY_BYTES]; /* the blind index's type keys */
    wf_addr *addrs;
    size_t cap, n_addrs, n_suppressed, max_suppressed;
    sw_instant *sinces; /* of the suppressed addresses */
    wf_subject *subjects;
    size_t n_subjects;
    wf_fact *facts;
    size_t n_facts;
    char (*kinds)[96];
    size_t n_kinds;
    /* the verdict of a subject with no fact, by purpose and kind */
    sw_verdict *plain;
    bool *marketing; /* by purpose */
    size_t bytes;
};

/* ---- hashing ---- */

/* The home slot of a 16-byte key that is a keyed hash already (a blind
 * index, a subject id's SipHash): its first bytes spread it. */
static size_t home(const uint8_t *key, size_t cap)
{
    uint64_t h;
    memcpy(&h, key, sizeof(h));
    return (size_t)h & (cap - 1);
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

/* The slot of a blind: its own, or the empty one it goes in. The blind
 * is a keyed hash already: its first bytes spread it. */
static wf_addr *addr_slot(wf_addr *t, size_t cap,
                          const uint8_t blind[SW_BLIND_BYTES])
{
    for (size_t i = home(blind, cap);; i = (i + 1) & (cap - 1)) {
        wf_addr *a = &t[i];
        if (!a->subject || memcmp(a->blind, blind, SW_BLIND_BYTES) == 0)
            return a;
    }
}

/* ---- while reading: subject ids and relationship ends ---- */

/* A subject id by its keyed 128-bit hash (SipHash under a key of the
 * read): two ids are taken as one only when their hashes are, as exact
 * as the blind index, a 128-bit keyed hash too. No id is kept. */
typedef struct id_slot {
    uint8_t h[16];
    uint32_t subject; /* index + 1, 0: empty */
} id_slot;

typedef struct id_map {
    id_slot *slots;
    size_t cap;
    uint8_t key[crypto_shorthash_siphashx24_KEYBYTES];
} id_map;

static void id_hash(const id_map *m, const char *id, uint8_t h[16])
{
    crypto_shorthash_siphashx24(h, (const uint8_t *)id, strlen(id), m->key);
}

static id_slot *id_slot_of(const id_map *m, const uint8_t h[16])
{
    for (size_t i = home(h, m->cap);; i = (i + 1) & (m->cap - 1)) {
        id_slot *e = &m->slots[i];
        if (!e->subject || memcmp(e->h, h, 16) == 0)
            return e;
    }
}

typedef struct end_entry {
    uint8_t used, scope, len;
    uint8_t key[48];
    sw_instant at;
} end_entry;

typedef struct end_map {
    end_entry *slots;
    size_t cap, n;
} end_map;

static end_entry *end_slot(const end_map *m, int scope, const uint8_t *key,
                           size_t len)
{
    uint32_t h =
        sw_hash_bytes(SW_HASH_SEED, key, len) ^ (uint32_t)scope * 0x9e3779b1u;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        end_entry *e = &m->slots[i];
        if (!e->used || (e->scope == scope && e->len == len &&
                         memcmp(e->key, key, len) == 0))
            return e;
    }
}

struct conveyor;

typedef struct loader {
    sw_warm *w;
    struct conveyor *conv; /* while the tables fill on a thread */
    id_map ids;
    end_map ends;
    /* the previous fact row's subject and purpose: rows of one come
     * together, the newest first */
    uint32_t last_subject;
    int last_purpose;
    size_t max_subjects, facts_cap; /* as counted; as allocated */
    bool bad;                       /* out of memory, or too many kinds */
    /* more rows than counted (never, in one snapshot): what was read is
     * not all, and is not used; one flag for each thread */
    bool overflow, conveyor_overflow;
} loader;

/* The policy index of a purpose, -1: not one of the policy's. */
static int purpose_of(const sw_policy *p, const char *purpose)
{
    const sw_def *d = purpose ? sw_policy_purpose(p, purpose) : NULL;
    return d ? (int)(d - p->purposes) : -1;
}

static int end_row(const sw_row *r, void *p)
{
    loader *l = p;
    size_t len;
    const uint8_t *key = sw_row_blob(r, 1, &len);
    if (!key || len > sizeof(l->ends.slots->key))
        return 0; /* a key no subject can have */
    end_entry *e = end_slot(&l->ends, (int)sw_row_int(r, 0), key, len);
    e->used = 1;
    e->scope = (uint8_t)sw_row_int(r, 0);
    e->len = (uint8_t)len;
    memcpy(e->key, key, len);
    e->at = sw_row_int(r, 2);
    return 0;
}

static void ended_by(const loader *l, int scope, const uint8_t *key, size_t len,
                     wf_subject *su)
{
    if (!key || !l->ends.n || len > sizeof(l->ends.slots->key))
        return;
    const end_entry *e = end_slot(&l->ends, scope, key, len);
    if (e->used && (!(su->bits & B_ENDED) || e->at > su->ended_at)) {
        su->bits |= B_ENDED;
        su->ended_at = e->at;
    }
}

static int subject_mapped(loader *l, const char *id, uint32_t i);

static int subject_row(const sw_row *r, void *p)
{
    loader *l = p;
    sw_warm *w = l->w;
    if (w->n_subjects >= l->max_subjects) {
        l->overflow = true;
        return 1;
    }
    const char *id = sw_row_text(r, 0), *kind = sw_row_text(r, 1);
    if (!id || !kind)
        return 0;
    size_t k = 0;
    while (k < w->n_kinds && strcmp(w->kinds[k], kind) != 0)
        k++;
    if (k == w->n_kinds) {
        if (k == KINDS_MAX) {
            l->bad = true;
            return 1;
        }
        snprintf(w->kinds[k], sizeof(w->kinds[k]), "%s", kind);
        w->n_kinds++;
    }
    uint32_t i = (uint32_t)w->n_subjects;
    wf_subject *su = &w->subjects[i];
    memset(su, 0, sizeof(*su));
    su->kind = (uint16_t)k;
    su->bits =
        (uint8_t)((sw_row_int(r, 2) & SW_SUBJ_RESTRICTED ? B_RESTRICTED : 0) |
                  (!sw_row_null(r, 3) ? B_MINOR : 0));
    su->minor_until = sw_row_int(r, 3);
    su->first = NONE;
    size_t alen;
    ended_by(l, SW_EV_SUBJECT, (const uint8_t *)id, strlen(id), su);
    const uint8_t *b = sw_row_blob(r, 4, &alen);
    ended_by(l, SW_EV_ACCOUNT, b, alen, su);
    b = sw_row_blob(r, 5, &alen);
    ended_by(l, SW_EV_TENANT, b, alen, su);
    w->n_subjects++;
    return subject_mapped(l, id, i);
}

/* Puts subject i in the map of ids under its id's hash h. */
static void map_subject(loader *l, const uint8_t h[16], uint32_t i)
{
    id_slot *e = id_slot_of(&l->ids, h);
    if (e->subject)
        return; /* a primary key: never twice */
    memcpy(e->h, h, 16);
    e->subject = i + 1;
}

/* The index of the subject whose id hashes to h, NONE: none. */
static uint32_t subject_by(const loader *l, const uint8_t h[16])
{
    const id_slot *e = id_slot_of(&l->ids, h);
    return e->subject ? e->subject - 1 : NONE;
}

static uint32_t subject_of(const loader *l, const char *id)
{
    uint8_t h[16];
    if (!id)
        return NONE;
    id_hash(&l->ids, id, h);
    return subject_by(l, h);
}

static wf_addr *addr_put(sw_warm *w, const uint8_t *blind)
{
    if ((w->n_addrs + 1) * 4 > w->cap * 3)
        return NULL; /* rows came since they were counted */
    wf_addr *a = addr_slot(w->addrs, w->cap, blind);
    if (!a->subject) {
        memcpy(a->blind, blind, SW_BLIND_BYTES);
        a->subject = NO_SUBJECT;
        w->n_addrs++;
    }
    return a;
}

/* ---- the conveyor: rows read on one thread, put in the tables on
 * another ---- */

/* What is done with a row of the subjects, identifiers or suppression
 * list, on the conveyor's thread: the map of ids and the addresses are
 * its alone until it ends. */
enum { T_SUBJECT, T_IDENT, T_SUPP };
typedef struct task {
    uint8_t blind[SW_BLIND_BYTES]; /* T_IDENT, T_SUPP */
    uint8_t h[16];                 /* T_SUBJECT, T_IDENT: the id's hash */
    sw_instant since;              /* T_SUPP */
    uint32_t index;                /* T_SUBJECT */
    uint8_t type;
} task;

#define TASKS 4096 /* a chunk */
#define QUEUED 16  /* chunks waiting at most */

typedef struct conveyor {
    loader *l;
    pthread_mutex_t mu;
    pthread_cond_t more, room;
    task *q[QUEUED];
    size_t qn[QUEUED], head, count;
    bool closed, threaded;
    pthread_t th;
    task *cur; /* being filled by the reading thread */
    size_t n;
    task *spare[QUEUED + 2]; /* chunks done with, for reuse */
    size_t n_spare;
} conveyor;

static void run_task(loader *l, const task *t)
{
    sw_warm *w = l->w;
    if (t->type == T_SUBJECT) {
        map_subject(l, t->h, t->index);
        return;
    }
    wf_addr *a = addr_put(w, t->blind);
    if (!a) {
        l->conveyor_overflow = true;
        return;
    }
    if (t->type == T_IDENT) {
        uint32_t su = subject_by(l, t->h);
        a->subject = su == NONE ? NO_SUBJECT : su + 1;
    } else if (a->supp) {
        /* one row a hash: never twice */
    } else if (w->n_suppressed < w->max_suppressed) {
        w->sinces[w->n_suppressed] = t->since;
        a->supp = (uint32_t)++w->n_suppressed;
    } else {
        l->conveyor_overflow = true;
    }
}

static void *convey(void *arg)
{
    conveyor *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->count && !c->closed)
            pthread_cond_wait(&c->more, &c->mu);
        if (!c->count)
            break;
        task *chunk = c->q[c->head];
        size_t n = c->qn[c->head];
        c->head = (c->head + 1) % QUEUED;
        c->count--;
        pthread_cond_signal(&c->room);
        pthread_mutex_unlock(&c->mu);
        for (size_t i = 0; i < n; i++)
            run_task(c->l, &chunk[i]);
        pthread_mutex_lock(&c->mu);
        if (c->n_spare < QUEUED + 2)
            c->spare[c->n_spare++] = chunk; /* fresh memory costs faults */
        else
            free(chunk);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void conveyor_start(conveyor *c, loader *l)
{
    memset(c, 0, sizeof(*c));
    c->l = l;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->more, NULL);
    pthread_cond_init(&c->room, NULL);
    c->threaded = pthread_create(&c->th, NULL, convey, c) == 0;
}

/* Hands the chunk being filled on to the thread. */
static void conveyor_push(conveyor *c)
{
    if (!c->n)
        return;
    pthread_mutex_lock(&c->mu);
    while (c->count == QUEUED)
        pthread_cond_wait(&c->room, &c->mu);
    c->q[(c->head + c->count) % QUEUED] = c->cur;
    c->qn[(c->head + c->count) % QUEUED] = c->n;
    c->count++;
    pthread_cond_signal(&c->more);
    pthread_mutex_unlock(&c->mu);
    c->cur = NULL;
    c->n = 0;
}

/* The next task to fill in, or NULL when out of memory. Without a
 * thread the task is run when the next is asked for (or at the end). */
static task *conveyor_task(conveyor *c)
{
    if (!c->threaded) {
        if (c->n)
            run_task(c->l, c->cur);
        if (!c->cur && !(c->cur = malloc(sizeof(task))))
            return NULL;
        c->n = 1;
        return c->cur;
    }
    if (c->n == TASKS)
        conveyor_push(c);
    if (!c->cur) {
        pthread_mutex_lock(&c->mu);
        c->cur = c->n_spare ? c->spare[--c->n_spare] : NULL;
        pthread_mutex_unlock(&c->mu);
    }
    if (!c->cur && !(c->cur = malloc(TASKS * sizeof(task))))
        return NULL;
    return &c->cur[c->n++];
}

/* Runs what is left and waits for the thread. */
static void conveyor_end(conveyor *c)
{
    if (!c->threaded) {
        if (c->n)
            run_task(c->l, c->cur);
    } else {
        conveyor_push(c);
        pthread_mutex_lock(&c->mu);
        c->closed = true;
        pthread_cond_signal(&c->more);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->th, NULL);
    }
    free(c->cur);
    c->cur = NULL;
    while (c->n_spare)
        free(c->spare[--c->n_spare]);
    pthread_cond_destroy(&c->more);
    pthread_cond_destroy(&c->room);
    pthread_mutex_destroy(&c->mu);
}

/* Subject i goes in the map of ids, on the conveyor's thread. */
static int subject_mapped(loader *l, const char *id, uint32_t i)
{
    task *t = conveyor_task(l->conv);
    if (!t) {
        l->bad = true;
        return 1;
    }
    t->type = T_SUBJECT;
    t->index = i;
    id_hash(&l->ids, id, t->h);
    return 0;
}

/* A task for the row's address (its blind index in column 0), or NULL:
 * no blind index (*stop 0), or out of memory (*stop 1). */
static task *address_task(const sw_row *r, loader *l, int type, int *stop)
{
    uint8_t blind[SW_BLIND_BYTES];
    *stop = 0;
    if (!sw_row_blob_into(r, 0, blind, sizeof(blind)))
        return NULL;
    task *t = conveyor_task(l->conv);
    if (!t) {
        l->bad = true;
        *stop = 1;
        return NULL;
    }
    t->type = (uint8_t)type;
    memcpy(t->blind, blind, sizeof(blind));
    return t;
}

static int ident_row(const sw_row *r, void *p)
{
    loader *l = p;
    int stop;
    task *t = address_task(r, l, T_IDENT, &stop);
    if (t) {
        const char *subject = sw_row_text(r, 1);
        id_hash(&l->ids, subject ? subject : "", t->h);
    }
    return stop;
}

static int supp_row(const sw_row *r, void *p)
{
    int stop;
    task *t = address_task(r, p, T_SUPP, &stop);
    if (t)
        t->since = sw_row_int(r, 1);
    return stop;
}

/* The first row of each subject and purpose: the newest. */
static wf_fact *new_fact(loader *l, const sw_row *r, bool objection)
{
    sw_warm *w = l->w;
    uint32_t su = subject_of(l, sw_row_text(r, 0));
    int pi = purpose_of(w->policy, sw_row_text(r, 1));
    if (su == NONE || pi < 0)
        return NULL; /* no subject, or a purpose no decision asks for */
    if (su == l->last_subject && pi == l->last_purpose)
        return NULL; /* an older one */
    l->last_subject = su;
    l->last_purpose = pi;
    if (w->n_facts >= NONE - 1)
        return NULL;
    if (w->n_facts == l->facts_cap) {
        size_t cap = l->facts_cap ? l->facts_cap * 2 : 1024;
        wf_fact *more = realloc(w->facts, cap * sizeof(*w->facts));
        if (!more) {
            l->bad = true;
            return NULL;
        }
        w->facts = more;
        l->facts_cap = cap;
    }
    wf_fact *f = &w->facts[w->n_facts];
    memset(f, 0, sizeof(*f));
    f->objection = objection;
    f->purpose = (uint16_t)pi;
    f->next = w->subjects[su].first;
    w->subjects[su].first = (uint32_t)w->n_facts++;
    sw_row_text_into(r, 2, f->id, sizeof(f->id));
    return f;
}

static int consent_row(const sw_row *r, void *p)
{
    loader *l = p;
    wf_fact *f = new_fact(l, r, false);
    if (f) {
        sw_row_text_into(r, 3, f->state, sizeof(f->state));
        f->at = sw_row_int(r, 4);
        f->has_given = !sw_row_null(r, 5);
        f->given_at = sw_row_int(r, 5);
        f->has_expiry = !sw_row_null(r, 6);
        f->expires_at = sw_row_int(r, 6);
        f->parental = sw_row_int(r, 7) != 0;
    }
    return l->bad;
}

static int objection_row(const sw_row *r, void *p)
{
    loader *l = p;
    wf_fact *f = new_fact(l, r, true);
    if (f) {
        f->at = sw_row_int(r, 3);
        f->overridden = sw_row_int(r, 4) != 0;
    }
    return l->bad;
}

/* ---- building ---- */

static void warm_free(sw_warm *w)
{
    if (!w)
        return;
    sw_wipe(w->tkey, sizeof(w->tkey));
    sw_table_free(w->addrs);
    sw_table_free(w->subjects);
    free(w->facts);
    free(w->kinds);
    free(w->sinces);
    free(w->plain);
    free(w->marketing);
    free(w);
}

sw_warm *sw_warm_ref(sw_warm *w)
{
    if (w)
        atomic_fetch_add_explicit(&w->refs, 1, memory_order_relaxed);
    return w;
}

void sw_warm_release(sw_warm *w)
{
    if (w && atomic_fetch_sub_explicit(&w->refs, 1, memory_order_acq_rel) == 1)
        warm_free(w);
}

size_t sw_warm_addresses(const sw_warm *w)
{
    return w->n_addrs;
}

uint64_t sw_warm_changes(const sw_warm *w)
{
    return w->changes;
}

void sw_warm_info(const sw_warm *w, sw_decide_warmth *info)
{
    memset(info, 0, sizeof(*info));
    if (!w)
        return;
    info->warm = true;
    info->subjects = w->n_subjects;
    info->addresses = w->n_addrs;
    info->suppressed = w->n_suppressed;
    info->facts = w->n_facts;
    info->bytes = w->bytes;
}

/* A subject's facts for purpose pi in the form a decision reads. */
static void facts_of(const sw_warm *w, const wf_subject *su, int pi,
                     sw_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->has_subject = true;
    memcpy(f->kind, w->kinds[su->kind], sizeof(f->kind));
    f->flags = su->bits & B_RESTRICTED ? SW_SUBJ_RESTRICTED : 0;
    f->has_minor = su->bits & B_MINOR;
    f->minor_until = su->minor_until;
    f->ended = su->bits & B_ENDED;
    f->ended_at = su->ended_at;
    for (uint32_t i = su->first; i != NONE; i = w->facts[i].next) {
        const wf_fact *x = &w->facts[i];
        if (x->purpose != pi)
            continue;
        if (x->objection) {
            f->has_objection = true;
            memcpy(f->objection_id, x->id, sizeof(f->objection_id));
            f->objection_at = x->at;
            f->overridden = x->overridden;
        } else {
            f->has_consent = true;
            memcpy(f->consent_id, x->id, sizeof(f->consent_id));
            memcpy(f->consent_state, x->state, sizeof(f->consent_state));
            f->consent_at = x->at;
            f->has_given = x->has_given;
            f->given_at = x->given_at;
            f->has_expiry = x->has_expiry;
            f->expires_at = x->expires_at;
            f->parental = x->parental;
        }
    }
}

/* The verdicts of subjects with no fact, one by purpose and kind. */
static bool plain_verdicts(const sw_store *s, sw_warm *w)
{
    size_t np = w->policy->n_purposes, nk = w->n_kinds ? w->n_kinds : 1;
    w->plain = calloc(np * nk, sizeof(*w->plain));
    w->marketing = calloc(np ? np : 1, sizeof(*w->marketing));
    if (!w->plain || !w->marketing)
        return false;
    for (size_t p = 0; p < np; p++) {
        const char *purpose = w->policy->purposes[p].id;
        w->marketing[p] = sw_purpose_is_marketing(w->policy, purpose);
        for (size_t k = 0; k < w->n_kinds; k++) {
            sw_facts f;
            memset(&f, 0, sizeof(f));
            f.has_subject = true;
            memcpy(f.kind, w->kinds[k], sizeof(f.kind));
            sw_verdict_of(s, purpose, &f, w->read_at, &w->plain[p * nk + k]);
        }
    }
    return true;
}

/* Subjects, addresses and suppression entries, consents and objections:
 * what the tables are sized for. */
static sw_status counts(sw_store *s, int64_t n[4])
{
    static const char *const sql[4] = {
        "SELECT count(*) FROM subjects",
        "SELECT (SELECT count(*) FROM identifiers) + (SELECT count(*)"
        " FROM suppression)",
        "SELECT (SELECT count(*) FROM consents) + (SELECT count(*) FROM"
        " objections)",
        "SELECT count(DISTINCT hash) FROM suppression"};
    sw_status st = SW_OK;
    for (int i = 0; i < 4 && st == SW_OK; i++)
        st = sw_sql_int(s, "counting the decision facts", sql[i], SW_NOARGS,
                        &n[i]);
    return st;
}

sw_status sw_warm_build(sw_store *s, size_t expect, size_t max_bytes,
                        uint64_t changes, sw_warm **out, sw_decide_warmth *info)
{
    *out = NULL;
    memset(info, 0, sizeof(*info));
    int64_t n[4];
    sw_status st = counts(s, n);
    if (st != SW_OK)
        return st;
    if (expect && expect * COST_RATIO < (size_t)n[1]) {
        snprintf(info->why, sizeof(info->why),
                 "%zu decisions are fewer than the store's %lld addresses "
                 "over %d: looked up one by one",
                 expect, (long long)n[1], COST_RATIO);
        return SW_OK;
    }
    if (!max_bytes)
        max_bytes = DEFAULT_MAX_BYTES;
    size_t cap = pow2_at_least((size_t)n[1] * 4 / 3 + 1),
           ids = pow2_at_least((size_t)n[0] * 4 / 3 + 1);
    /* what stays, then what reading needs besides (the map of ids) */
    size_t bytes = cap * sizeof(wf_addr) + (size_t)n[0] * sizeof(wf_subject) +
                   (size_t)n[2] * sizeof(wf_fact) +
                   (size_t)n[3] * sizeof(sw_instant),
           reading = ids * sizeof(id_slot);
    if (bytes + reading > max_bytes) {
        snprintf(info->why, sizeof(info->why),
                 "the decision facts of %lld subjects would take %zu MiB, "
                 "more than the %zu MiB allowed",
                 (long long)n[0], (bytes + reading) >> 20, max_bytes >> 20);
        info->too_large = true;
        info->bytes = bytes + reading;
        return SW_OK;
    }
    sw_warm *w = calloc(1, sizeof(*w));
    loader l = {.w = w,
                .last_subject = NONE,
                .last_purpose = -1,
                .max_subjects = (size_t)n[0]};
    if (w) {
        w->refs = 1;
        w->policy = s->policy;
        w->changes = changes;
        w->read_at = sw_clock_now(&s->clock);
        w->until = INT64_MAX;
        w->cap = cap;
        w->max_suppressed = (size_t)n[3];
        w->sinces = malloc(((size_t)n[3] + 1) * sizeof(*w->sinces));
        w->addrs = sw_table_alloc(cap * sizeof(*w->addrs));
        w->subjects = sw_table_alloc(((size_t)n[0] + 1) * sizeof(*w->subjects));
        w->kinds = malloc(KINDS_MAX * sizeof(*w->kinds));
        l.ids.cap = ids;
        l.ids.slots = sw_table_alloc(ids * sizeof(*l.ids.slots));
        sw_random(s->keys, l.ids.key, sizeof(l.ids.key));
    }
    if (!w || !w->addrs || !w->subjects || !w->kinds || !w->sinces ||
        !l.ids.slots) {
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory for the decision facts");
        goto done;
    }
    for (int i = 0; i < 3; i++)
        sw_blind_typekey(s->keys, sw_decide_key_types[i], w->tkey[i]);
    const sw_val ends[] = {sw_v_text(sw_relationship_ends[0]),
                           sw_v_text(sw_relationship_ends[1]),
                           sw_v_int(w->read_at)};
    int64_t ended = 0, next_end = 0;
    st = sw_sql_int(s, "counting the ends of relationships",
                    "SELECT count(*) FROM events WHERE type IN (?1, ?2)"
                    " AND at <= ?3",
                    ends, 3, &ended);
    if (st == SW_OK)
        st = sw_sql_int(s, "reading the next end of a relationship",
                        "SELECT coalesce(min(at), -1) FROM events WHERE"
                        " type IN (?1, ?2) AND at > ?3",
                        ends, 3, &next_end);
    if (st == SW_OK && next_end >= 0)
        w->until = next_end;
    if (st == SW_OK && ended > 0) {
        l.ends.cap = pow2_at_least((size_t)ended * 2);
        if (!(l.ends.slots = calloc(l.ends.cap, sizeof(end_entry))))
            st = sw_fail(s, SW_ERR_NOMEM,
                         "out of memory for the decision "
                         "facts");
        l.ends.n = (size_t)ended;
    }
    if (st == SW_OK && ended > 0)
        st = sw_sql(s, "reading the ends of relationships",
                    "SELECT scope, scope_key, max(at) FROM events"
                    " WHERE type IN (?1, ?2) AND at <= ?3"
                    " GROUP BY scope, scope_key",
                    ends, 3, end_row, &l);
    /* the rows read here, the map of ids and the addresses filled on a
     * thread of their own meanwhile */
    conveyor conv;
    if (st == SW_OK) {
        conveyor_start(&conv, &l);
        l.conv = &conv;
        st = sw_sql(s, "reading the subjects",
                    "SELECT id, kind, flags, minor_until, account_bi,"
                    " tenant_bi FROM subjects",
                    SW_NOARGS, subject_row, &l);
        if (st == SW_OK && !l.bad)
            st = sw_sql(s, "reading the addresses",
                        "SELECT blind, subject_id FROM identifiers"
                        " ORDER BY subject_id",
                        SW_NOARGS, ident_row, &l);
        if (st == SW_OK && !l.bad)
            st = sw_sql(s, "reading the suppression list",
                        "SELECT hash, min(since) FROM suppression"
                        " GROUP BY hash",
                        SW_NOARGS, supp_row, &l);
        conveyor_end(&conv);
        l.conv = NULL;
    }
    /* the same order as the single look-up's, newest first */
    if (st == SW_OK && !l.bad)
        st = sw_sql(s, "reading the consents",
                    "SELECT subject_id, purpose, id, state, state_at,"
                    " given_at, expires_at, parental FROM consents"
                    " ORDER BY subject_id, purpose, created_at DESC,"
                    " seq DESC, id DESC",
                    SW_NOARGS, consent_row, &l);
    l.last_subject = NONE;
    l.last_purpose = -1;
    if (st == SW_OK && !l.bad)
        st = sw_sql(s, "reading the objections",
                    "SELECT subject_id, purpose, id, at,"
                    " override_reason IS NOT NULL FROM objections"
                    " ORDER BY subject_id, purpose, at DESC, id DESC",
                    SW_NOARGS, objection_row, &l);
    if (st == SW_OK && (l.overflow || l.conveyor_overflow)) {
        snprintf(info->why, sizeof(info->why),
                 "the store held more than it counted while its facts were "
                 "read: decided from the store");
        goto done;
    }
    if (st == SW_OK && l.bad && w->n_kinds >= KINDS_MAX) {
        snprintf(info->why, sizeof(info->why),
                 "more than %d kinds of subject: decided from the store",
                 KINDS_MAX);
        goto done;
    }
    if (st == SW_OK && l.bad)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory for the decision facts");
    if (st == SW_OK && !plain_verdicts(s, w))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory for the decision facts");
    if (st == SW_OK) {
        w->bytes = w->cap * sizeof(wf_addr) +
                   w->n_subjects * sizeof(wf_subject) +
                   w->n_facts * sizeof(wf_fact) +
                   w->max_suppressed * sizeof(*w->sinces) +
                   KINDS_MAX * sizeof(*w->kinds);
        sw_warm_info(w, info);
        *out = w;
        w = NULL;
    }
done:
    sw_wipe(l.ids.key, sizeof(l.ids.key));
    sw_table_free(l.ids.slots);
    free(l.ends.slots);
    warm_free(w);
    return st;
}

/* ---- deciding ---- */

bool sw_warm_fits(const sw_warm *w, const sw_store *s, sw_instant now)
{
    return w && w->policy == s->policy && now >= w->read_at && now < w->until;
}

sw_status sw_warm_blind(const sw_warm *w, const sw_store *s, int ti,
                        const char *raw, uint8_t blind[SW_BLIND_BYTES],
                        char *why, size_t n)
{
    char value[SW_IDENT_MAX];
    if (sw_ident_normalise(sw_decide_key_types[ti], raw,
                           s->country[0] ? s->country : NULL, value, why,
                           n) != SW_OK)
        return SW_ERR_INVALID;
    sw_blind_under(w->tkey[ti], value, strlen(value), blind);
    sw_wipe(value, sizeof(value));
    return SW_OK;
}

uint32_t sw_warm_find(const sw_warm *w, const uint8_t blind[SW_BLIND_BYTES])
{
    return (uint32_t)(addr_slot(w->addrs, w->cap, blind) - w->addrs);
}

void sw_warm_prefetch(const sw_warm *w, const uint8_t blind[SW_BLIND_BYTES])
{
    __builtin_prefetch(&w->addrs[home(blind, w->cap)]);
}

void sw_warm_prefetch_subject(const sw_warm *w, uint32_t at)
{
    uint32_t su = w->addrs[at].subject;
    if (su && su != NO_SUBJECT)
        __builtin_prefetch(&w->subjects[su - 1]);
}

void sw_warm_verdict(const sw_warm *w, const sw_store *s, int pi, uint32_t at,
                     sw_instant now, sw_verdict *v)
{
    const wf_addr *a = &w->addrs[at];
    sw_facts f;
    if (a->subject && a->supp && w->marketing[pi]) {
        memset(&f, 0, sizeof(f));
        f.suppressed = true; /* decides before anything of the subject */
        f.suppressed_since = w->sinces[a->supp - 1];
    } else if (a->subject && a->subject != NO_SUBJECT) {
        const wf_subject *su = &w->subjects[a->subject - 1];
        bool plain = !su->bits;
        for (uint32_t i = su->first; plain && i != NONE; i = w->facts[i].next)
            plain = w->facts[i].purpose != pi;
        if (plain) {
            *v =
                w->plain[(size_t)pi * (w->n_kinds ? w->n_kinds : 1) + su->kind];
            v->until = w->until;
            return;
        }
        facts_of(w, su, pi, &f);
    } else {
        memset(&f, 0, sizeof(f));
    }
    sw_verdict_of(s, w->policy->purposes[pi].id, &f, now, v);
    if (v->until > w->until)
        v->until = w->until;
}

sw_status sw_warm_decide(const sw_warm *w, const sw_store *s, int pi, int ti,
                         const char *raw, sw_instant now, sw_verdict *v,
                         char *why, size_t n)
{
    uint8_t blind[SW_BLIND_BYTES];
    if (sw_warm_blind(w, s, ti, raw, blind, why, n) != SW_OK)
        return SW_ERR_INVALID;
    sw_warm_verdict(w, s, pi, sw_warm_find(w, blind), now, v);
    return SW_OK;
}
