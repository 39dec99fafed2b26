/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The purpose decision. A decision is computed from what the store holds
 * (suppression entry, subject, restriction, age, consent, objection, end
 * of the relationship) and kept in the handle's memory, keyed by a keyed
 * hash of the identifier (SipHash under a random key of the handle) and
 * the purpose, so the next question about the same address costs a
 * normalisation, one short hash and one probe. Every
 * change through the handle forgets what was kept; changes by other
 * processes are looked for once per refresh interval (the store's data
 * version) and forget it too. Nothing is written: a decision is counted,
 * not audited.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "consent/consent_int.h"
#include "consent/decide_int.h"
#include "core/hash.h"
#include "core/table.h"
#include "steward/ident.h"
#include "store/sql.h"

#define SLOTS_MIN (1u << 14) /* powers of two */
#define SLOTS_MAX (1u << 21) /* 128 MiB of verdicts at most */
#define REFRESH_SECONDS 1
#define PURPOSE_SLOTS 256
#define REF_BYTES 24 /* "con_" and 20 hex digits */

/* One verdict, one cache line. Instants are seconds since 1970 in 32
 * bits; a verdict whose instants do not fit is not kept. */
typedef struct dc_entry {
    uint8_t key[SW_BLIND_BYTES];
    uint32_t gen;     /* the cache generation it belongs to */
    uint16_t purpose; /* index + 1 */
    uint8_t reason, flags;
    int16_t activity; /* policy index, -1: none */
    int8_t basis;
    uint8_t pad;
    /* the verdict holds from computed to until (exclusive): an age or a
     * consent period ends on its own */
    uint32_t at, computed, until;
    char ref[REF_BYTES]; /* not NUL-terminated when full */
} dc_entry;

_Static_assert(sizeof(dc_entry) == 64, "a verdict is one cache line");

#define F_ALLOW 1
#define F_HAS_AT 2

struct sw_decide_cache {
    dc_entry *slots;
    size_t cap, used;
    uint32_t gen;          /* entries of another generation are empty */
    uint64_t changes;      /* the group's change count, when last checked */
    sw_instant checked_at; /* when the data version was last read */
    int64_t data_version;
    /* keys of the in-memory index (SipHash: not the store's blind index,
     * which is a slower keyed BLAKE2b): email, phone, visitor, subject */
    uint8_t tkey[4][crypto_shorthash_siphashx24_KEYBYTES];
    int16_t purposes[PURPOSE_SLOTS]; /* purpose index + 1 by name hash */
    int last_purpose; /* the purpose asked last (index + 1): a list is
                         filtered for one purpose */
    sw_warm *warm;    /* every fact in memory (sw_decide_warm), or NULL */
};

_Static_assert(crypto_shorthash_siphashx24_BYTES == SW_BLIND_BYTES,
               "a cache key is as long as a blind index");

typedef sw_verdict verdict;

static void cache_free(void *p)
{
    struct sw_decide_cache *c = p;
    sw_warm_release(c->warm);
    sw_wipe(c->tkey, sizeof(c->tkey));
    sw_table_free(c->slots);
    free(c);
}

void sw_decide_forget(sw_store *s)
{
    struct sw_decide_cache *c = sw_ext_get(s, SW_EXT_DECISIONS);
    if (c && c->warm) {
        sw_warm_release(c->warm);
        c->warm = NULL;
    }
    if (!c || !c->used)
        return;
    c->used = 0;
    if (++c->gen == 0) { /* wrapped: really empty it */
        memset(c->slots, 0, sizeof(dc_entry) * c->cap);
        c->gen = 1;
    }
}

void sw_decide_counts(const sw_store *s, sw_decide_counters *out)
{
    out->allowed =
        (size_t)atomic_load_explicit(&s->allowed, memory_order_relaxed);
    out->denied =
        (size_t)atomic_load_explicit(&s->denied, memory_order_relaxed);
}

static dc_entry *slot_for(dc_entry *slots, size_t cap, uint32_t gen,
                          const uint8_t *key, int purpose, bool *hit)
{
    uint32_t h;
    memcpy(&h, key, sizeof(h)); /* the key is a keyed hash already */
    h ^= (uint32_t)purpose * 0x9e3779b1u;
    for (size_t i = 0;; i++) {
        dc_entry *e = &slots[(h + i) & (cap - 1)];
        if (e->gen != gen) {
            *hit = false;
            return e;
        }
        if (e->purpose == purpose && memcmp(e->key, key, SW_BLIND_BYTES) == 0) {
            *hit = true;
            return e;
        }
    }
}

/* A zeroed table of cap entries (its pages cleared as they are first
 * touched). */
static dc_entry *new_slots(size_t cap)
{
    return sw_table_alloc(sizeof(dc_entry) * cap);
}

/* Moves the kept verdicts to a table of cap entries; false when out of
 * memory (nothing moved). */
static bool rehash(struct sw_decide_cache *c, size_t cap)
{
    dc_entry *bigger = new_slots(cap);
    if (!bigger)
        return false;
    for (size_t i = 0; i < c->cap; i++) {
        const dc_entry *e = &c->slots[i];
        bool hit;
        if (e->gen == c->gen)
            *slot_for(bigger, cap, c->gen, e->key, e->purpose, &hit) = *e;
    }
    sw_table_free(c->slots);
    c->slots = bigger;
    c->cap = cap;
    return true;
}

/* Makes room for one more verdict, at most half full (a probe for a
 * verdict not kept reads few slots): doubles the table while it may
 * grow, forgets everything when it may not. */
static void make_room(struct sw_decide_cache *c)
{
    if ((c->used + 1) * 2 <= c->cap)
        return;
    if (c->cap < SLOTS_MAX && rehash(c, c->cap * 2))
        return;
    c->used = 0;
    if (++c->gen == 0) {
        memset(c->slots, 0, sizeof(dc_entry) * c->cap);
        c->gen = 1;
    }
}

/* Grows the table at once for n verdicts (within SLOTS_MAX): first
 * decisions from the facts in memory then never wait for it to double,
 * and its pages cost only as they fill. */
static void make_room_for(struct sw_decide_cache *c, size_t n)
{
    size_t cap = c->cap;
    while (cap < SLOTS_MAX && n * 2 > cap)
        cap *= 2;
    if (cap > c->cap)
        (void)rehash(c, cap); /* out of memory: it grows as it goes */
}

static struct sw_decide_cache *cache_of(sw_store *s, sw_instant now)
{
    struct sw_decide_cache *c = s->ext[SW_EXT_DECISIONS].p;
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c || !(c->slots = new_slots(SLOTS_MIN))) {
            free(c);
            return NULL;
        }
        c->cap = SLOTS_MIN;
        c->gen = 1;
        sw_random(s->keys, c->tkey, sizeof(c->tkey));
        for (size_t i = 0; s->policy && i < s->policy->n_purposes; i++) {
            uint32_t h = sw_hash_str(SW_HASH_SEED, s->policy->purposes[i].id);
            for (uint32_t j = 0; j < PURPOSE_SLOTS; j++) {
                int16_t *slot = &c->purposes[(h + j) % PURPOSE_SLOTS];
                if (!*slot) {
                    *slot = (int16_t)(i + 1);
                    break;
                }
            }
        }
        c->changes = sw_store_changes(s);
        c->checked_at = now;
        if (s->drv->data_version(s->db, &c->data_version) != SW_OK) {
            cache_free(c);
            return NULL;
        }
        sw_ext_set(s, SW_EXT_DECISIONS, c, NULL, cache_free);
    }
    bool stale = c->changes != sw_store_changes(s);
    if (now - c->checked_at >= REFRESH_SECONDS || now < c->checked_at) {
        int64_t v = c->data_version;
        c->checked_at = now;
        stale |=
            s->drv->data_version(s->db, &v) != SW_OK || v != c->data_version;
        c->data_version = v;
    }
    if (stale) {
        sw_decide_forget(s);
        c->changes = sw_store_changes(s);
    }
    return c;
}

/* The index + 1 of a purpose of the policy, 0 when it is not one. */
static int purpose_index(const sw_store *s, struct sw_decide_cache *c,
                         const char *purpose)
{
    if (c->last_purpose &&
        strcmp(s->policy->purposes[c->last_purpose - 1].id, purpose) == 0)
        return c->last_purpose;
    uint32_t h = sw_hash_str(SW_HASH_SEED, purpose);
    for (uint32_t j = 0; j < PURPOSE_SLOTS; j++) {
        int16_t i = c->purposes[(h + j) % PURPOSE_SLOTS];
        if (!i)
            return 0;
        if (strcmp(s->policy->purposes[i - 1].id, purpose) == 0)
            return c->last_purpose = i;
    }
    return 0;
}

static int key_type_index(const char *type)
{
    if (strcmp(type, "msisdn") == 0)
        return 1;
    for (int i = 0; i < 3; i++)
        if (strcmp(type, sw_decide_key_types[i]) == 0)
            return i;
    return -1;
}

/* ---- reasons ---- */

static const char *const reason_codes[] = {
    [SW_ALLOW_CONSENT] = "consent",
    [SW_ALLOW_LEGITIMATE_INTEREST] = "legitimate_interest",
    [SW_ALLOW_CONTRACT] = "contract",
    [SW_ALLOW_LEGAL_OBLIGATION] = "legal_obligation",
    [SW_ALLOW_OVERRIDE] = "compelling_grounds",
    [SW_DENY_PURPOSE_UNKNOWN] = "purpose_unknown",
    [SW_DENY_NO_CONSENT] = "no_consent",
    [SW_DENY_CONSENT_PENDING] = "consent_pending",
    [SW_DENY_CONSENT_REFUSED] = "consent_refused",
    [SW_DENY_CONSENT_WITHDRAWN] = "consent_withdrawn",
    [SW_DENY_CONSENT_EXPIRED] = "consent_expired",
    [SW_DENY_SUPPRESSED] = "suppressed",
    [SW_DENY_OBJECTED] = "objected",
    [SW_DENY_RESTRICTED] = "restricted",
    [SW_DENY_CHILD] = "child",
    [SW_DENY_RELATIONSHIP_ENDED] = "relationship_ended",
    [SW_DENY_NOT_APPLICABLE] = "not_applicable",
};

const char *sw_reason_code(sw_reason r)
{
    return (unsigned)r < sizeof(reason_codes) / sizeof(reason_codes[0])
               ? reason_codes[r]
               : "unknown";
}

char *sw_decision_text(const sw_decision *d, char *buf, size_t n)
{
    char at[SW_INSTANT_BUFSZ] = "";
    if (d->has_at)
        sw_instant_format(d->at, at);
    at[d->has_at ? 10 : 0] = '\0'; /* the date is enough to read */
    const char *act = d->activity ? d->activity : "";
    const char *basis = d->basis ? d->basis : "";
    switch (d->reason) {
    case SW_ALLOW_CONSENT:
        snprintf(buf, n, "consent %s given on %s (%s, Art. %s)", d->ref, at,
                 act, basis);
        break;
    case SW_ALLOW_LEGITIMATE_INTEREST:
        snprintf(buf, n, "legitimate interest (%s, Art. %s)", act, basis);
        break;
    case SW_ALLOW_CONTRACT:
        snprintf(buf, n, "contract (%s, Art. %s)", act, basis);
        break;
    case SW_ALLOW_LEGAL_OBLIGATION:
        snprintf(buf, n, "legal basis Art. %s (%s)", basis, act);
        break;
    case SW_ALLOW_OVERRIDE:
        snprintf(buf, n,
                 "objection %s overridden by compelling legitimate grounds "
                 "(%s)",
                 d->ref, act);
        break;
    case SW_DENY_PURPOSE_UNKNOWN:
        snprintf(buf, n, "purpose not in the policy");
        break;
    case SW_DENY_NO_CONSENT:
        snprintf(buf, n, "no consent%s%s", act[0] ? " for " : "", act);
        break;
    case SW_DENY_CONSENT_PENDING:
        snprintf(buf, n, "consent %s requested on %s, not confirmed yet",
                 d->ref, at);
        break;
    case SW_DENY_CONSENT_REFUSED:
        snprintf(buf, n, "consent %s refused on %s", d->ref, at);
        break;
    case SW_DENY_CONSENT_WITHDRAWN:
        snprintf(buf, n, "consent %s withdrawn on %s", d->ref, at);
        break;
    case SW_DENY_CONSENT_EXPIRED:
        snprintf(buf, n, "consent %s expired on %s", d->ref, at);
        break;
    case SW_DENY_SUPPRESSED: snprintf(buf, n, "suppressed since %s", at); break;
    case SW_DENY_OBJECTED:
        snprintf(buf, n, "objected on %s (objection %s)", at, d->ref);
        break;
    case SW_DENY_RESTRICTED: snprintf(buf, n, "processing restricted"); break;
    case SW_DENY_CHILD:
        snprintf(buf, n,
                 "child under the age of consent until %s: parental "
                 "consent needed",
                 at);
        break;
    case SW_DENY_RELATIONSHIP_ENDED:
        snprintf(buf, n, "business relationship ended on %s", at);
        break;
    case SW_DENY_NOT_APPLICABLE:
        snprintf(buf, n,
                 "no activity of the policy processes this subject "
                 "for this purpose");
        break;
    }
    return buf;
}

/* ---- the facts, from the store ---- */

/* The store's blind index of an address of key type ti; why (n bytes)
 * says what is wrong with one that cannot be read. */
static sw_status blind_of(const sw_store *s, int ti, const char *raw,
                          uint8_t blind[SW_BLIND_BYTES], char *why, size_t n)
{
    const char *type = sw_decide_key_types[ti];
    char value[SW_IDENT_MAX];
    if (sw_ident_normalise(type, raw, s->country[0] ? s->country : NULL, value,
                           why, n) != SW_OK)
        return SW_ERR_INVALID;
    sw_blind(s->keys, type, value, strlen(value), blind);
    sw_wipe(value, sizeof(value));
    return SW_OK;
}

/* Reads the facts about the identifier or subject and decides. */
static sw_status from_store(sw_store *s, const char *purpose, const sw_who *who,
                            int ti, sw_instant now, verdict *v)
{
    uint8_t blind[SW_BLIND_BYTES];
    bool marketing = sw_purpose_is_marketing(s->policy, purpose);
    if (who->ident) {
        char why[256];
        if (blind_of(s, ti, who->ident->value, blind, why, sizeof(why)) !=
            SW_OK)
            return sw_fail(s, SW_ERR_INVALID, "%s", why);
    }
    sw_facts f;
    sw_status st = sw_decision_facts(s, who->ident ? blind : NULL, who->subject,
                                     !marketing   ? SW_SUPP_NONE
                                     : who->ident ? SW_SUPP_ADDRESS
                                                  : SW_SUPP_CONTACTS,
                                     purpose, sw_relationship_ends, now, &f);
    if (st != SW_OK)
        return st;
    if (who->subject && !f.has_subject)
        return sw_fail(s, SW_ERR_NOTFOUND, "no subject %s", who->subject);
    sw_verdict_of(s, purpose, &f, now, v);
    return SW_OK;
}

/* ---- the call ---- */

static void fill(const sw_store *s, const verdict *v, sw_decision *out)
{
    const sw_activity *a =
        v->activity >= 0 ? &s->policy->activities[v->activity] : NULL;
    out->allow = v->allow;
    out->reason = v->reason;
    out->activity = a ? a->id : NULL;
    out->basis = a && v->basis >= 0 ? a->bases[v->basis].basis : NULL;
    memcpy(out->ref, v->ref, sizeof(out->ref));
    out->has_at = v->has_at;
    out->at = v->at;
}

static bool fits(sw_instant t)
{
    return t >= 0 && t < (sw_instant)UINT32_MAX;
}

/* Keeps a verdict computed at now, when its instants fit an entry. */
static void keep(struct sw_decide_cache *c, const uint8_t *key, int purpose,
                 const verdict *v, sw_instant now)
{
    bool forever = v->until == INT64_MAX;
    if (!fits(now) || (v->has_at && !fits(v->at)) ||
        (!forever && !fits(v->until)) || strlen(v->ref) > REF_BYTES)
        return;
    make_room(c);
    bool hit;
    dc_entry *e = slot_for(c->slots, c->cap, c->gen, key, purpose, &hit);
    if (!hit)
        c->used++;
    memcpy(e->key, key, SW_BLIND_BYTES);
    e->gen = c->gen;
    e->purpose = (uint16_t)purpose;
    e->reason = (uint8_t)v->reason;
    e->flags = (uint8_t)((v->allow ? F_ALLOW : 0) | (v->has_at ? F_HAS_AT : 0));
    e->activity = (int16_t)v->activity;
    e->basis = (int8_t)v->basis;
    e->at = v->has_at ? (uint32_t)v->at : 0;
    e->computed = (uint32_t)now;
    e->until = forever ? UINT32_MAX : (uint32_t)v->until;
    memset(e->ref, 0, REF_BYTES);
    memcpy(e->ref, v->ref, strlen(v->ref));
}

/* A kept verdict for now, if there is one. */
static bool recall(const struct sw_decide_cache *c, const uint8_t *key,
                   int purpose, sw_instant now, verdict *v)
{
    bool hit;
    const dc_entry *e = slot_for(c->slots, c->cap, c->gen, key, purpose, &hit);
    if (!hit || now < e->computed ||
        (e->until != UINT32_MAX && now >= e->until))
        return false;
    v->allow = e->flags & F_ALLOW;
    v->reason = (sw_reason)e->reason;
    v->activity = e->activity;
    v->basis = e->basis;
    v->has_at = e->flags & F_HAS_AT;
    v->at = e->at;
    memcpy(v->ref, e->ref, REF_BYTES);
    v->ref[REF_BYTES] = '\0';
    return true;
}

/* What every decision checks first: a policy, the kept verdicts (*c), the
 * purpose (*pi, its index + 1). An unknown purpose is a denial in *out
 * and an error naming the policy's purposes. */
static sw_status decide_start(sw_store *s, const char *purpose, sw_instant *now,
                              struct sw_decide_cache **c, int *pi,
                              sw_decision *out)
{
    memset(out, 0, sizeof(*out));
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    *now = sw_clock_now(&s->clock);
    if (!(*c = cache_of(s, *now)))
        return sw_fail(s, SW_ERR_NOMEM, "out of memory for the decisions");
    *pi = purpose ? purpose_index(s, *c, purpose) : 0;
    if (!*pi) {
        out->reason = SW_DENY_PURPOSE_UNKNOWN;
        return sw_purpose_check(s, purpose);
    }
    return SW_OK;
}

/* The key type of an address (-1: none a decision is asked for) and its
 * key among the kept verdicts. The address as given is the key: the same
 * spelling always normalises the same way, so a kept verdict needs no
 * normalising. */
static int ident_key(const struct sw_decide_cache *c, const sw_ident *id,
                     uint8_t key[SW_BLIND_BYTES])
{
    int ti = id->type ? key_type_index(id->type) : -1;
    const char *raw = id->value ? id->value : "";
    if (ti >= 0)
        crypto_shorthash_siphashx24(key, (const uint8_t *)raw, strlen(raw),
                                    c->tkey[ti]);
    return ti;
}

static sw_status bad_type(const char *type, char *why, size_t n)
{
    snprintf(why, n,
             "a decision is asked for an email, a phone or a visitor, not "
             "'%s'",
             type ? type : "");
    return SW_ERR_INVALID;
}

static void count_many(sw_store *s, uint64_t allowed, uint64_t denied)
{
    /* one writer: a load and a store, no locked instruction */
    atomic_store_explicit(
        &s->allowed,
        atomic_load_explicit(&s->allowed, memory_order_relaxed) + allowed,
        memory_order_relaxed);
    atomic_store_explicit(
        &s->denied,
        atomic_load_explicit(&s->denied, memory_order_relaxed) + denied,
        memory_order_relaxed);
}

static void count(sw_store *s, bool allow)
{
    count_many(s, allow, !allow);
}

sw_status sw_decide(sw_store *s, const char *purpose, const sw_who *who,
                    sw_decision *out)
{
    sw_instant now;
    struct sw_decide_cache *c;
    int pi;
    sw_status st = decide_start(s, purpose, &now, &c, &pi, out);
    if (st != SW_OK)
        return st;
    if (!who || (!who->subject == !who->ident))
        return sw_fail(s, SW_ERR_INVALID,
                       "give exactly one of a subject id or an identifier");
    uint8_t key[SW_BLIND_BYTES];
    int ti = 3;
    if (who->ident) {
        if ((ti = ident_key(c, who->ident, key)) < 0) {
            char why[160];
            bad_type(who->ident->type, why, sizeof(why));
            return sw_fail(s, SW_ERR_INVALID, "%s", why);
        }
    } else {
        crypto_shorthash_siphashx24(key, (const uint8_t *)who->subject,
                                    strlen(who->subject), c->tkey[ti]);
    }
    verdict v;
    if (recall(c, key, pi, now, &v)) {
        /* kept */
    } else if (who->ident && sw_warm_fits(c->warm, s, now)) {
        char why[160];
        if (sw_warm_decide(c->warm, s, pi - 1, ti,
                           who->ident->value ? who->ident->value : "", now, &v,
                           why, sizeof(why)) != SW_OK)
            return sw_fail(s, SW_ERR_INVALID, "%s", why);
        if ((c->used + 1) * 2 > c->cap) /* room for every address at once */
            make_room_for(c, sw_warm_addresses(c->warm));
        keep(c, key, pi, &v, now);
    } else {
        /* the look-ups of one decision see one snapshot under one lock */
        bool own = !s->in_batch && !s->in_read;
        st = own ? s->drv->tx(s->db, SW_TX_READ) : SW_OK;
        if (st != SW_OK)
            return sw_sql_fail(s, st, "starting a read");
        st = from_store(s, purpose, who, ti, now, &v);
        if (own)
            s->drv->tx(s->db, SW_TX_COMMIT);
        if (st != SW_OK)
            return st;
        keep(c, key, pi, &v, now);
    }
    fill(s, &v, out);
    count(s, out->allow);
    return SW_OK;
}

/* The addresses of a batch waiting for their facts. */
typedef struct batch_wait {
    size_t k;
    size_t item[SW_FACTS_MANY];
    uint8_t key[SW_FACTS_MANY][SW_BLIND_BYTES];
    uint8_t blind[SW_FACTS_MANY][SW_BLIND_BYTES];
    sw_facts facts[SW_FACTS_MANY];
} batch_wait;

static sw_status batch_flush(sw_store *s, const char *purpose,
                             struct sw_decide_cache *c, int pi, sw_instant now,
                             batch_wait *w, sw_decide_item *items)
{
    if (!w->k)
        return SW_OK;
    bool marketing = sw_purpose_is_marketing(s->policy, purpose);
    sw_status st =
        sw_decision_facts_many(s, (const uint8_t(*)[SW_BLIND_BYTES])w->blind,
                               w->k, marketing ? SW_SUPP_ADDRESS : SW_SUPP_NONE,
                               purpose, sw_relationship_ends, now, w->facts);
    if (st != SW_OK)
        return st;
    for (size_t j = 0; j < w->k; j++) {
        verdict v;
        sw_verdict_of(s, purpose, &w->facts[j], now, &v);
        keep(c, w->key[j], pi, &v, now);
        sw_decide_item *it = &items[w->item[j]];
        fill(s, &v, &it->d);
        count(s, it->d.allow);
    }
    sw_wipe(w->blind, sizeof(w->blind));
    w->k = 0;
    return SW_OK;
}

/* A share of a batch decided from the facts in memory: they and the
 * handle's policy are only read, so two shares run at once. */
typedef struct mem_share {
    const sw_store *s;
    const sw_warm *warm;
    int pi;
    sw_instant now;
    sw_decide_item *items;
    size_t n, allowed, denied;
} mem_share;

/* Addresses decided together: their slots are asked for before any is
 * read, so that the cache misses overlap. */
#define GROUP 16

/* The addresses of the group from g: GROUP, or what is left. */
static size_t group_len(size_t n, size_t g)
{
    return n - g > GROUP ? GROUP : n - g;
}

static void *decide_share(void *arg)
{
    mem_share *m = arg;
    for (size_t g = 0; g < m->n; g += GROUP) {
        size_t k = group_len(m->n, g);
        uint8_t blind[GROUP][SW_BLIND_BYTES];
        uint32_t at[GROUP];
        for (size_t j = 0; j < k; j++) {
            sw_decide_item *it = &m->items[g + j];
            memset(&it->d, 0, sizeof(it->d));
            it->why[0] = '\0';
            int ti = it->id.type ? key_type_index(it->id.type) : -1;
            if (ti < 0)
                it->st = bad_type(it->id.type, it->why, sizeof(it->why));
            else
                it->st = sw_warm_blind(m->warm, m->s, ti,
                                       it->id.value ? it->id.value : "",
                                       blind[j], it->why, sizeof(it->why));
            if (it->st == SW_OK)
                sw_warm_prefetch(m->warm, blind[j]);
        }
        for (size_t j = 0; j < k; j++)
            if (m->items[g + j].st == SW_OK) {
                at[j] = sw_warm_find(m->warm, blind[j]);
                sw_warm_prefetch_subject(m->warm, at[j]);
            }
        for (size_t j = 0; j < k; j++) {
            sw_decide_item *it = &m->items[g + j];
            if (it->st != SW_OK)
                continue;
            verdict v;
            sw_warm_verdict(m->warm, m->s, m->pi - 1, at[j], m->now, &v);
            fill(m->s, &v, &it->d);
            it->d.allow ? m->allowed++ : m->denied++;
        }
    }
    return NULL;
}

/* Below this many addresses a batch is decided on one thread: a thread
 * costs more than it saves. */
#define MEM_SPLIT 2048

/* Nothing to read and no verdict kept (deciding again from memory costs
 * no more than keeping it): the batch in two halves, one on a thread of
 * its own, when it is long. */
static sw_status batch_in_memory(sw_store *s, struct sw_decide_cache *c, int pi,
                                 sw_instant now, sw_decide_item *items,
                                 size_t n)
{
    size_t half = n >= MEM_SPLIT ? n / 2 : 0;
    mem_share m[2] = {{s, c->warm, pi, now, items, n - half, 0, 0},
                      {s, c->warm, pi, now, items + n - half, half, 0, 0}};
    pthread_t th;
    bool split = half && pthread_create(&th, NULL, decide_share, &m[1]) == 0;
    decide_share(&m[0]);
    if (split)
        pthread_join(th, NULL);
    else if (half)
        decide_share(&m[1]);
    /* this thread alone writes the counts */
    count_many(s, m[0].allowed + m[1].allowed, m[0].denied + m[1].denied);
    return SW_OK;
}

sw_status sw_decide_batch(sw_store *s, const char *purpose,
                          sw_decide_item *items, size_t n)
{
    sw_instant now;
    struct sw_decide_cache *c;
    int pi;
    sw_decision unknown;
    sw_status st = decide_start(s, purpose, &now, &c, &pi, &unknown);
    if (st != SW_OK)
        return st;
    if (sw_warm_fits(c->warm, s, now))
        return batch_in_memory(s, c, pi, now, items, n);
    batch_wait *w = malloc(sizeof(*w));
    if (!w)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory for the decisions");
    w->k = 0;
    /* the whole batch sees one snapshot under one lock */
    bool own = !s->in_batch && !s->in_read;
    st = own ? s->drv->tx(s->db, SW_TX_READ) : SW_OK;
    if (st != SW_OK) {
        free(w);
        return sw_sql_fail(s, st, "starting a read");
    }
    for (size_t i = 0; i < n && st == SW_OK; i++) {
        sw_decide_item *it = &items[i];
        memset(&it->d, 0, sizeof(it->d));
        it->st = SW_OK;
        it->why[0] = '\0';
        uint8_t *key = w->key[w->k];
        int ti = ident_key(c, &it->id, key);
        if (ti < 0) {
            it->st = bad_type(it->id.type, it->why, sizeof(it->why));
            continue;
        }
        verdict v;
        if (recall(c, key, pi, now, &v)) {
            fill(s, &v, &it->d);
            count(s, it->d.allow);
            continue;
        }
        if ((it->st = blind_of(s, ti, it->id.value ? it->id.value : "",
                               w->blind[w->k], it->why, sizeof(it->why))) !=
            SW_OK)
            continue;
        w->item[w->k++] = i;
        if (w->k == SW_FACTS_MANY)
            st = batch_flush(s, purpose, c, pi, now, w, items);
    }
    if (st == SW_OK)
        st = batch_flush(s, purpose, c, pi, now, w, items);
    if (own)
        s->drv->tx(s->db, SW_TX_COMMIT);
    sw_wipe(w->blind, sizeof(w->blind));
    free(w);
    return st;
}

/* ---- the facts in memory ---- */

sw_status sw_decide_warm(sw_store *s, size_t expect, size_t max_bytes,
                         sw_decide_warmth *out)
{
    sw_decide_warmth info;
    if (!out)
        out = &info;
    memset(out, 0, sizeof(*out));
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    if (s->in_batch || s->in_read)
        return sw_fail(s, SW_ERR_INVALID,
                       "the decision facts are read outside a batch");
    sw_instant now = sw_clock_now(&s->clock);
    struct sw_decide_cache *c = cache_of(s, now);
    if (!c)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory for the decisions");
    /* what is read is as of these two or later: a change after them
     * makes the handle forget it */
    uint64_t changes = sw_store_changes(s);
    int64_t version;
    sw_status st = s->drv->data_version(s->db, &version);
    if (st != SW_OK)
        return sw_sql_fail(s, st, "reading the store's version");
    if ((st = s->drv->tx(s->db, SW_TX_READ)) != SW_OK)
        return sw_sql_fail(s, st, "starting a read");
    sw_warm *w;
    st = sw_warm_build(s, expect, max_bytes, changes, &w, out);
    s->drv->tx(s->db, SW_TX_COMMIT);
    if (st != SW_OK || !w)
        return st;
    sw_warm_release(c->warm);
    c->warm = w;
    c->data_version = version;
    c->checked_at = now;
    c->changes = changes;
    return SW_OK;
}

void sw_decide_warmth_of(sw_store *s, sw_decide_warmth *out)
{
    const struct sw_decide_cache *c = sw_ext_get(s, SW_EXT_DECISIONS);
    /* facts a change made stale are dropped at the next decision */
    bool fresh =
        c && c->warm && sw_warm_changes(c->warm) == sw_store_changes(s);
    sw_warm_info(fresh ? c->warm : NULL, out);
}

sw_status sw_decide_share(sw_store *from, sw_store *to, bool *shared)
{
    *shared = false;
    struct sw_decide_cache *fc = sw_ext_get(from, SW_EXT_DECISIONS);
    if (!fc || !fc->warm || from->group != to->group ||
        from->policy != to->policy)
        return SW_OK;
    sw_instant now = sw_clock_now(&to->clock);
    struct sw_decide_cache *tc = cache_of(to, now);
    if (!tc)
        return sw_fail(to, SW_ERR_NOMEM, "out of memory for the decisions");
    /* to's version first: when from's has not moved after it, nothing
     * changed between the read and to's version */
    int64_t tv, fv;
    sw_status st = to->drv->data_version(to->db, &tv);
    if (st != SW_OK)
        return sw_sql_fail(to, st, "reading the store's version");
    if ((st = from->drv->data_version(from->db, &fv)) != SW_OK)
        return sw_sql_fail(to, st, "reading the store's version");
    if (fv != fc->data_version ||
        sw_store_changes(from) != sw_warm_changes(fc->warm) ||
        !sw_warm_fits(fc->warm, to, now))
        return SW_OK;
    sw_warm_release(tc->warm);
    tc->warm = sw_warm_ref(fc->warm);
    tc->data_version = tv;
    tc->checked_at = now;
    tc->changes = sw_store_changes(to);
    *shared = true;
    return SW_OK;
}
