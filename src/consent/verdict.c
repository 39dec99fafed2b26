/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A verdict from the facts of a decision: which of the policy's
 * activities processes the subject for the purpose, on which basis, and
 * what the facts (suppression, restriction, consent and its period, age,
 * objection, end of the relationship) make of it. Both the facts read
 * from the store (decision.c) and those held in memory (warm.c) come
 * here.
 */
#include <string.h>

#include "consent/consent_int.h"
#include "consent/decide_int.h"
#include "ledger/ledger_sql.h"

const char *const sw_decide_key_types[3] = {"email", "phone", "visitor"};

typedef sw_verdict verdict;

typedef sw_verdict verdict;

static void set(verdict *v, bool allow, sw_reason r, int act, int basis)
{
    memset(v, 0, sizeof(*v));
    v->allow = allow;
    v->reason = r;
    v->activity = act;
    v->basis = basis;
    v->until = INT64_MAX;
}

static void set_at(verdict *v, sw_instant at, const char *ref)
{
    v->has_at = true;
    v->at = at;
    if (ref)
        snprintf(v->ref, sizeof(v->ref), "%s", ref);
}

/* Whether an activity's legitimate interest lasts only while the
 * business relationship does (its rules count from its end). */
static bool during_relationship(const sw_activity *a)
{
    for (size_t i = 0; i < a->n_rules; i++)
        if (sw_ends_relationship(a->rules[i].after))
            return true;
    return false;
}

static bool is_consent(const sw_basis *b)
{
    return strcmp(b->basis, "6(1)(a)") == 0;
}

/* One activity's answer for the subject. */
static void by_activity(const sw_store *s, const char *purpose, int ai,
                        const sw_facts *f, sw_instant now, verdict *v)
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
    /* The basis listed first governs; a consent basis listed after another
     * one (asking first, on legitimate interests) governs once there is a
     * consent record. */
    if (consent >= 0 && (f->has_consent || other < 0 || consent < other)) {
        if (!f->has_consent) {
            set(v, false, SW_DENY_NO_CONSENT, ai, consent);
            return;
        }
        sw_consent_state cs = sw_consent_state_of(f->consent_state);
        bool valid = cs == SW_CONSENT_GIVEN || cs == SW_CONSENT_RENEWED;
        if (valid && f->has_expiry && f->expires_at <= now) {
            set(v, false, SW_DENY_CONSENT_EXPIRED, ai, consent);
            set_at(v, f->expires_at, f->consent_id);
        } else if (valid && f->has_minor && f->minor_until > now &&
                   !f->parental) {
            set(v, false, SW_DENY_CHILD, ai, consent);
            set_at(v, f->minor_until, NULL);
            v->until = f->minor_until;
        } else if (valid) {
            set(v, true, SW_ALLOW_CONSENT, ai, consent);
            set_at(v, f->has_given ? f->given_at : f->consent_at,
                   f->consent_id);
            if (f->has_expiry)
                v->until = f->expires_at;
        } else {
            static const sw_reason deny[] = {
                [SW_CONSENT_REQUESTED] = SW_DENY_CONSENT_PENDING,
                [SW_CONSENT_REFUSED] = SW_DENY_CONSENT_REFUSED,
                [SW_CONSENT_WITHDRAWN] = SW_DENY_CONSENT_WITHDRAWN,
                [SW_CONSENT_EXPIRED] = SW_DENY_CONSENT_EXPIRED};
            set(v, false, deny[cs], ai, consent);
            set_at(v, f->consent_at, f->consent_id);
        }
        return;
    }
    if (other < 0) {
        set(v, false, SW_DENY_NOT_APPLICABLE, ai, -1);
        return;
    }
    const char *b = a->bases[other].basis;
    if (strcmp(b, "6(1)(f)") != 0) {
        set(v, true,
            strcmp(b, "6(1)(b)") == 0 ? SW_ALLOW_CONTRACT
                                      : SW_ALLOW_LEGAL_OBLIGATION,
            ai, other);
    } else if (f->has_objection && !f->overridden) {
        set(v, false, SW_DENY_OBJECTED, ai, other);
        set_at(v, f->objection_at, f->objection_id);
    } else if (f->ended && during_relationship(a)) {
        set(v, false, SW_DENY_RELATIONSHIP_ENDED, ai, other);
        set_at(v, f->ended_at, NULL);
    } else if (f->has_objection) {
        set(v, true, SW_ALLOW_OVERRIDE, ai, other);
        set_at(v, f->objection_at, f->objection_id);
    } else {
        set(v, true, SW_ALLOW_LEGITIMATE_INTEREST, ai, other);
    }
}

void sw_verdict_of(const sw_store *s, const char *purpose, const sw_facts *f,
                   sw_instant now, sw_verdict *v)
{
    const sw_policy *p = s->policy;
    if (f->suppressed) {
        set(v, false, SW_DENY_SUPPRESSED, -1, -1);
        set_at(v, f->suppressed_since, NULL);
        return;
    }
    if (!f->has_subject) {
        set(v, false, SW_DENY_NO_CONSENT, -1, -1);
        return;
    }
    if (f->flags & SW_SUBJ_RESTRICTED) {
        set(v, false, SW_DENY_RESTRICTED, -1, -1);
        return;
    }
    const sw_activity *sup = sw_suppression_activity(p);
    set(v, false, SW_DENY_NOT_APPLICABLE, -1, -1);
    bool any = false;
    for (size_t i = 0; i < p->n_activities; i++) {
        const sw_activity *a = &p->activities[i];
        if (a == sup || !sw_strs_contains(&a->purposes, purpose) ||
            !sw_strs_contains(&a->subjects, f->kind))
            continue;
        verdict one;
        by_activity(s, purpose, (int)i, f, now, &one);
        if (one.allow) {
            *v = one;
            return;
        }
        if (!any || v->reason == SW_DENY_NOT_APPLICABLE)
            *v = one;
        any = true;
    }
}
