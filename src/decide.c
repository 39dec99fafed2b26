/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The purpose decision. A decision is computed from what the store holds
 * (suppression entry, subject, restriction, age, consent, objection, end
 * of the relationship) and kept in the handle's memory, keyed by the
 * identifier's keyed hash and the purpose, so the next question about the
 * same address costs a normalisation, one hash and one probe. Every
 * change through the handle forgets what was kept; so does the passing of
 * the refresh interval (changes by other processes). Nothing is written:
 * a decision is counted, not audited.
 */
#include <stdlib.h>
#include <string.h>

#include "steward/ident.h"
#include "consent_int.h"
#include "hash_int.h"

#define CACHE_SLOTS (1u << 20) /* a power of two */
#define CACHE_MAX (CACHE_SLOTS / 4 * 3)
#define REFRESH_SECONDS 1
#define PURPOSE_SLOTS 256

typedef struct dc_entry {
    uint8_t key[SW_BLIND_BYTES];
    uint16_t purpose; /* index + 1; 0: empty slot */
    uint8_t allow, reason;
    int16_t activity, basis; /* policy indexes, -1: none */
    bool has_at;
    sw_instant at;
    char ref[SW_ID_BUFSZ];
} dc_entry;

struct sw_decide_cache {
    dc_entry *slots;
    size_t used;
    uint64_t generation;
    sw_instant filled_at;
    uint8_t tkey[4][SW_KEY_BYTES]; /* email, phone, visitor, subject */
    int16_t purposes[PURPOSE_SLOTS]; /* purpose index + 1 by name hash */
};

static const char *const key_types[4] = {"email", "phone", "visitor",
                                         "subject"};

void sw_decide_free(sw_store *s)
{
    if (!s->decide)
        return;
    sw_wipe(s->decide->tkey, sizeof(s->decide->tkey));
    free(s->decide->slots);
    free(s->decide);
    s->decide = NULL;
}

void sw_decide_forget(sw_store *s)
{
    if (s->decide && s->decide->used) {
        memset(s->decide->slots, 0, sizeof(dc_entry) * CACHE_SLOTS);
        s->decide->used = 0;
    }
}

void sw_decide_counts(const sw_store *s, sw_decide_counters *out)
{
    out->allowed = s->allowed;
    out->denied = s->denied;
}

static struct sw_decide_cache *cache_of(sw_store *s)
{
    struct sw_decide_cache *c = s->decide;
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c || !(c->slots = calloc(CACHE_SLOTS, sizeof(dc_entry)))) {
            free(c);
            return NULL;
        }
        for (int i = 0; i < 4; i++)
            sw_blind_typekey(s->keys, key_types[i], c->tkey[i]);
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
        c->generation = s->generation;
        c->filled_at = sw_clock_now(&s->clock);
        s->decide = c;
    }
    sw_instant now = sw_clock_now(&s->clock);
    if (c->generation != s->generation ||
        now - c->filled_at >= REFRESH_SECONDS || c->used >= CACHE_MAX) {
        sw_decide_forget(s);
        c->generation = s->generation;
        c->filled_at = now;
    }
    return c;
}

/* The index + 1 of a purpose of the policy, 0 when it is not one. */
static int purpose_index(const sw_store *s, const struct sw_decide_cache *c,
                         const char *purpose)
{
    uint32_t h = sw_hash_str(SW_HASH_SEED, purpose);
    for (uint32_t j = 0; j < PURPOSE_SLOTS; j++) {
        int16_t i = c->purposes[(h + j) % PURPOSE_SLOTS];
        if (!i)
            return 0;
        if (strcmp(s->policy->purposes[i - 1].id, purpose) == 0)
            return i;
    }
    return 0;
}

static int key_type_index(const char *type)
{
    if (strcmp(type, "msisdn") == 0)
        return 1;
    for (int i = 0; i < 3; i++)
        if (strcmp(type, key_types[i]) == 0)
            return i;
    return -1;
}

static dc_entry *probe(struct sw_decide_cache *c, const uint8_t *key,
                       int purpose, bool *hit)
{
    uint32_t h;
    memcpy(&h, key, sizeof(h)); /* the key is a keyed hash already */
    h ^= (uint32_t)purpose * 0x9e3779b1u;
    for (uint32_t i = 0;; i++) {
        dc_entry *e = &c->slots[(h + i) & (CACHE_SLOTS - 1)];
        if (!e->purpose) {
            *hit = false;
            return e;
        }
        if (e->purpose == purpose && memcmp(e->key, key, SW_BLIND_BYTES) == 0) {
            *hit = true;
            return e;
        }
    }
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
    case SW_DENY_SUPPRESSED:
        snprintf(buf, n, "suppressed since %s", at);
        break;
    case SW_DENY_OBJECTED:
        snprintf(buf, n, "objected on %s (objection %s)", at, d->ref);
        break;
    case SW_DENY_RESTRICTED:
        snprintf(buf, n, "processing restricted");
        break;
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
        snprintf(buf, n, "no activity of the policy processes this subject "
                         "for this purpose");
        break;
    }
    return buf;
}

/* ---- the facts, from the store ---- */

typedef struct verdict {
    bool allow;
    sw_reason reason;
    int activity, basis; /* -1: none */
    bool has_at;
    sw_instant at;
    char ref[SW_ID_BUFSZ];
} verdict;

static void set(verdict *v, bool allow, sw_reason r, int act, int basis)
{
    memset(v, 0, sizeof(*v));
    v->allow = allow;
    v->reason = r;
    v->activity = act;
    v->basis = basis;
}

static void set_at(verdict *v, sw_instant at, const char *ref)
{
    v->has_at = true;
    v->at = at;
    if (ref)
        snprintf(v->ref, sizeof(v->ref), "%s", ref);
}

static int take_since(const sw_suppression_row *r, void *p)
{
    sw_instant *since = p;
    if (r->since < *since)
        *since = r->since;
    return 0;
}

/* The earliest suppression of a hash on any channel; *found. */
static sw_status suppressed(sw_store *s, const uint8_t *hash, bool *found,
                            sw_instant *since)
{
    static const char *const channels[] = {"email", "sms", "voice", "push",
                                           "whatsapp", "viber"};
    *found = false;
    *since = INT64_MAX;
    for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
        sw_status st =
            s->be->suppression_get(s->impl, hash, channels[i], take_since,
                                   since);
        if (st == SW_OK)
            *found = true;
        else if (st != SW_ERR_NOTFOUND)
            return sw_fail_be(s, st, NULL);
    }
    return SW_OK;
}

typedef struct objection_seen {
    bool found, overridden;
    sw_instant at;
    char id[SW_ID_BUFSZ];
} objection_seen;

static int see_objection(const sw_objection_row *r, void *p)
{
    objection_seen *o = p;
    o->found = true;
    o->overridden = r->override_reason != NULL;
    o->at = r->at;
    snprintf(o->id, sizeof(o->id), "%s", r->id);
    return 0;
}

/* When the subject's business relationship ended, if it has. */
static sw_status relationship_end(sw_store *s, const sw_activity *a,
                                  const sw_target *t, bool *ended,
                                  sw_instant *at)
{
    *ended = false;
    for (size_t i = 0; i < a->n_rules; i++) {
        const char *tr = a->rules[i].after;
        if (!tr || (strcmp(tr, "relationship_ended") != 0 &&
                    strcmp(tr, "account_closed") != 0))
            continue;
        sw_event_keys k = {NULL, t->subject,
                           t->row.has_account ? t->row.account_bi : NULL,
                           t->row.has_tenant ? t->row.tenant_bi : NULL};
        sw_instant when;
        sw_status st = s->be->event_latest(s->impl, tr, &k, &when);
        if (st == SW_OK && when <= sw_clock_now(&s->clock)) {
            *ended = true;
            *at = when;
            return SW_OK;
        }
        if (st != SW_OK && st != SW_ERR_NOTFOUND)
            return sw_fail_be(s, st, NULL);
    }
    return SW_OK;
}

static bool is_consent(const sw_basis *b)
{
    return strcmp(b->basis, "6(1)(a)") == 0;
}

/* One activity's answer for the subject (consent looked up once). */
static sw_status by_activity(sw_store *s, const char *purpose, int ai,
                             const sw_target *t, const sw_consent_row *c,
                             bool has_consent, verdict *v)
{
    const sw_activity *a = &s->policy->activities[ai];
    int consent = -1, other = -1;
    for (size_t j = 0; j < a->n_bases; j++) {
        if (!sw_basis_covers(&a->bases[j], purpose))
            continue;
        if (is_consent(&a->bases[j]))
            consent = consent < 0 ? (int)j : consent;
        else
            other = other < 0 ? (int)j : other;
    }
    sw_instant now = sw_clock_now(&s->clock);
    /* The basis listed first governs; a consent basis listed after another
     * one (asking first, on legitimate interests) governs once there is a
     * consent record. */
    if (consent >= 0 && (has_consent || other < 0 || consent < other)) {
        if (!has_consent) {
            set(v, false, SW_DENY_NO_CONSENT, ai, consent);
            return SW_OK;
        }
        sw_consent_state cs = sw_consent_state_of(c->state);
        if ((cs == SW_CONSENT_GIVEN || cs == SW_CONSENT_RENEWED) &&
            c->has_expiry && c->expires_at <= now) {
            set(v, false, SW_DENY_CONSENT_EXPIRED, ai, consent);
            set_at(v, c->expires_at, c->id);
        } else if (cs == SW_CONSENT_GIVEN || cs == SW_CONSENT_RENEWED) {
            if (t->row.has_minor && t->row.minor_until > now && !c->parental) {
                set(v, false, SW_DENY_CHILD, ai, consent);
                set_at(v, t->row.minor_until, NULL);
            } else {
                set(v, true, SW_ALLOW_CONSENT, ai, consent);
                set_at(v, c->has_given ? c->given_at : c->state_at, c->id);
            }
        } else {
            static const sw_reason deny[] = {
                [SW_CONSENT_REQUESTED] = SW_DENY_CONSENT_PENDING,
                [SW_CONSENT_REFUSED] = SW_DENY_CONSENT_REFUSED,
                [SW_CONSENT_WITHDRAWN] = SW_DENY_CONSENT_WITHDRAWN,
                [SW_CONSENT_EXPIRED] = SW_DENY_CONSENT_EXPIRED};
            set(v, false, deny[cs], ai, consent);
            set_at(v, c->state_at, c->id);
        }
        return SW_OK;
    }
    if (other < 0) {
        set(v, false, SW_DENY_NOT_APPLICABLE, ai, -1);
        return SW_OK;
    }
    const char *b = a->bases[other].basis;
    if (strcmp(b, "6(1)(f)") != 0) {
        set(v, true,
            strcmp(b, "6(1)(b)") == 0 ? SW_ALLOW_CONTRACT
                                      : SW_ALLOW_LEGAL_OBLIGATION,
            ai, other);
        return SW_OK;
    }
    objection_seen o = {false, false, 0, ""};
    sw_status st = s->be->objection_get(s->impl, NULL, t->subject, purpose,
                                        see_objection, &o);
    if (st != SW_OK && st != SW_ERR_NOTFOUND)
        return sw_fail_be(s, st, NULL);
    if (o.found && !o.overridden) {
        set(v, false, SW_DENY_OBJECTED, ai, other);
        set_at(v, o.at, o.id);
        return SW_OK;
    }
    bool ended;
    sw_instant end;
    if ((st = relationship_end(s, a, t, &ended, &end)) != SW_OK)
        return st;
    if (ended) {
        set(v, false, SW_DENY_RELATIONSHIP_ENDED, ai, other);
        set_at(v, end, NULL);
    } else if (o.found) {
        set(v, true, SW_ALLOW_OVERRIDE, ai, other);
        set_at(v, o.at, o.id);
    } else {
        set(v, true, SW_ALLOW_LEGITIMATE_INTEREST, ai, other);
    }
    return SW_OK;
}

static sw_status from_store(sw_store *s, const char *purpose,
                            const sw_target *t, verdict *v)
{
    const sw_policy *p = s->policy;
    sw_status st;
    if (sw_purpose_is_marketing(p, purpose)) {
        bool found = false;
        sw_instant since = 0;
        if (t->has_ident) {
            st = suppressed(s, t->blind, &found, &since);
        } else { /* a subject: every address it has */
            sw_vec keys = SW_VEC(ident_key);
            st = sw_subject_contacts(s, t->subject, &keys);
            for (size_t i = 0; st == SW_OK && i < keys.n; i++) {
                bool f;
                sw_instant at;
                st = suppressed(s, SW_VEC_AT(&keys, ident_key, i)->blind, &f,
                                &at);
                if (f && (!found || at < since))
                    since = at;
                found |= f;
            }
            sw_vec_release(&keys);
        }
        if (st != SW_OK)
            return st;
        if (found) {
            set(v, false, SW_DENY_SUPPRESSED, -1, -1);
            set_at(v, since, NULL);
            return SW_OK;
        }
    }
    if (!t->has_subject) {
        set(v, false, SW_DENY_NO_CONSENT, -1, -1);
        return SW_OK;
    }
    if (t->row.flags & SW_SUBJ_RESTRICTED) {
        set(v, false, SW_DENY_RESTRICTED, -1, -1);
        return SW_OK;
    }
    void *storage = malloc(sw_consent_storage_size());
    if (!storage)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_consent_row c;
    bool has_consent = false;
    st = sw_consent_latest(s, t->subject, purpose, &c, &has_consent, storage);
    const sw_activity *sup = sw_suppression_activity(p);
    bool any = false;
    verdict best;
    set(&best, false, SW_DENY_NOT_APPLICABLE, -1, -1);
    for (size_t i = 0; st == SW_OK && i < p->n_activities; i++) {
        const sw_activity *a = &p->activities[i];
        if (a == sup || !sw_strs_has(&a->purposes, purpose) ||
            !sw_strs_has(&a->subjects, t->row.kind))
            continue;
        verdict one;
        if ((st = by_activity(s, purpose, (int)i, t, &c, has_consent,
                              &one)) != SW_OK)
            break;
        if (one.allow) {
            best = one;
            break;
        }
        if (!any || best.reason == SW_DENY_NOT_APPLICABLE)
            best = one;
        any = true;
    }
    free(storage);
    *v = best;
    return st;
}

/* ---- the call ---- */

static void fill(const sw_store *s, const dc_entry *e, sw_decision *out)
{
    const sw_activity *a =
        e->activity >= 0 ? &s->policy->activities[e->activity] : NULL;
    out->allow = e->allow;
    out->reason = (sw_reason)e->reason;
    out->activity = a ? a->id : NULL;
    out->basis = a && e->basis >= 0 ? a->bases[e->basis].basis : NULL;
    memcpy(out->ref, e->ref, sizeof(out->ref));
    out->has_at = e->has_at;
    out->at = e->at;
}

sw_status sw_decide(sw_store *s, const char *purpose, const sw_who *who,
                    sw_decision *out)
{
    memset(out, 0, sizeof(*out));
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    struct sw_decide_cache *c = cache_of(s);
    if (!c)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    int pi = purpose ? purpose_index(s, c, purpose) : 0;
    if (!pi)
        return sw_purpose_check(s, purpose);
    if (!who || (!who->subject == !who->ident))
        return sw_fail(s, SW_ERR_INVALID,
                       "give exactly one of a subject id or an identifier");
    uint8_t key[SW_BLIND_BYTES];
    char value[SW_IDENT_MAX];
    if (who->ident) {
        int ti = who->ident->type ? key_type_index(who->ident->type) : -1;
        if (ti < 0)
            return sw_fail(s, SW_ERR_INVALID,
                           "a decision is asked for an email, a phone or a "
                           "visitor, not '%s'",
                           who->ident->type ? who->ident->type : "");
        char why[256];
        if (sw_ident_normalise(key_types[ti], who->ident->value,
                               s->country[0] ? s->country : NULL, value, why,
                               sizeof(why)) != SW_OK)
            return sw_fail(s, SW_ERR_INVALID, "%s", why);
        sw_blind_under(c->tkey[ti], value, strlen(value), key);
    } else {
        sw_blind_under(c->tkey[3], who->subject, strlen(who->subject), key);
    }
    bool hit;
    dc_entry *e = probe(c, key, pi, &hit);
    if (!hit) {
        sw_target t;
        sw_status st = sw_target_resolve(s, who, &t, false);
        if (st != SW_OK)
            return st;
        verdict v;
        if ((st = from_store(s, purpose, &t, &v)) != SW_OK)
            return st;
        memcpy(e->key, key, SW_BLIND_BYTES);
        e->purpose = (uint16_t)pi;
        e->allow = v.allow;
        e->reason = (uint8_t)v.reason;
        e->activity = (int16_t)v.activity;
        e->basis = (int16_t)v.basis;
        e->has_at = v.has_at;
        e->at = v.at;
        memcpy(e->ref, v.ref, sizeof(e->ref));
        c->used++;
    }
    fill(s, e, out);
    if (out->allow)
        s->allowed++;
    else
        s->denied++;
    return SW_OK;
}
