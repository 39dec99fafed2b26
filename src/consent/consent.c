/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The consent ledger, objections and the suppression list (notice 5.4 to
 * 5.8, 10, 11). Consent states follow W3C DPV; every change is a new
 * history row and an audit entry. The suppression list holds the keyed
 * hash of an address (the same keyed hash the ledger's identifier index
 * uses, so a decision costs one hash), its channel and date, and the rule
 * that says how long the entry stays; it has no link to any subject and so
 * survives erasure.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "consent/consent_int.h"
#include "core/vec.h"
#include "steward/consent.h"
#include "steward/ident.h"

static const char *const state_names[] = {"requested", "given",     "renewed",
                                          "refused",   "withdrawn", "expired"};

const char *sw_consent_state_name(sw_consent_state st)
{
    return (unsigned)st < sizeof(state_names) / sizeof(state_names[0])
               ? state_names[st]
               : NULL;
}

sw_consent_state sw_consent_state_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof(state_names) / sizeof(*state_names);
         i++)
        if (strcmp(state_names[i], name) == 0)
            return (sw_consent_state)i;
    return SW_CONSENT_REQUESTED;
}

/* ---- policy questions ---- */

sw_status sw_purpose_check(sw_store *s, const char *purpose)
{
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    if (purpose && sw_policy_purpose(s->policy, purpose))
        return SW_OK;
    sw_buf b;
    sw_buf_init(&b, 8192);
    for (size_t i = 0; i < s->policy->n_purposes; i++)
        sw_buf_printf(&b, "%s%s", i ? ", " : "", s->policy->purposes[i].id);
    char *list = NULL;
    if (sw_buf_finish(&b, &list) != SW_OK)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_status st = sw_fail(s, SW_ERR_INVALID,
                           "unknown purpose '%s'; the policy's purposes: %s",
                           purpose ? purpose : "", list);
    free(list);
    return st;
}

bool sw_purpose_is_marketing(const sw_policy *p, const char *purpose)
{
    const sw_activity *a = sw_suppression_activity(p);
    return a && sw_strs_contains(&a->purposes, purpose);
}

/* Whether a subject of kind gives its consent for purpose to activity a:
 * the activity has the purpose, the kind, and a consent basis covering
 * the purpose (the suppression list's activity is no consent's). */
static bool consent_covers(const sw_policy *p, const sw_activity *a,
                           const char *purpose, const char *kind)
{
    if (a == sw_suppression_activity(p) ||
        !sw_strs_contains(&a->purposes, purpose) ||
        (kind && !sw_strs_contains(&a->subjects, kind)))
        return false;
    for (size_t j = 0; j < a->n_bases; j++)
        if (strcmp(a->bases[j].basis, "6(1)(a)") == 0 &&
            sw_basis_covers(&a->bases[j], purpose))
            return true;
    return false;
}

/* The first activity whose consent a subject of kind gives for purpose */
static const sw_activity *
consent_activity(const sw_policy *p, const char *purpose, const char *kind)
{
    for (size_t i = 0; i < p->n_activities; i++)
        if (consent_covers(p, &p->activities[i], purpose, kind))
            return &p->activities[i];
    return NULL;
}

/* ---- who ---- */

/* The channel an unsubscribe of this identifier type stops by default. */
static const char *default_channel(const char *type)
{
    return strcmp(type, "email") == 0 ? "email" : "sms";
}

sw_status sw_target_resolve(sw_store *s, const sw_who *who, sw_target *t,
                            bool need_subject)
{
    memset(t, 0, sizeof(*t));
    if (!who || (!who->subject == !who->ident))
        return sw_fail(s, SW_ERR_INVALID,
                       "give exactly one of a subject id or an identifier");
    sw_status st;
    if (who->ident) {
        if (!who->ident->type || !who->ident->value)
            return sw_fail(s, SW_ERR_INVALID,
                           "an identifier needs a type "
                           "and a value");
        snprintf(t->type, sizeof(t->type), "%s",
                 sw_ident_space(who->ident->type));
        char why[256];
        if (sw_ident_normalise(t->type, who->ident->value,
                               s->country[0] ? s->country : NULL, t->value, why,
                               sizeof(why)) != SW_OK)
            return sw_fail(s, SW_ERR_INVALID, "%s", why);
        sw_blind(s->keys, t->type, t->value, strlen(t->value), t->blind);
        t->has_ident = true;
        st = sw_identifiers_lookup(s, t->blind, t->subject);
        if (st == SW_OK)
            t->has_subject = true;
        else if (st != SW_ERR_NOTFOUND)
            return st;
        else if (need_subject)
            return sw_fail(s, SW_ERR_NOTFOUND, "no subject has this %s",
                           t->type);
    } else {
        snprintf(t->subject, sizeof(t->subject), "%s", who->subject);
        t->has_subject = true;
    }
    if (t->has_subject) {
        if ((st = sw_subjects_get(s, t->subject, &t->row)) != SW_OK)
            return st;
    }
    return SW_OK;
}

/* ---- consent rows ---- */

/* A consent read from the store, its strings copied. It holds no pointer
 * into itself (copies are collected in growable arrays, which move their
 * elements): consent_row() makes the row view when one is needed. */
typedef struct consent_copy {
    bool found;
    char id[SW_ID_BUFSZ], subject[SW_ID_BUFSZ], purpose[96], state[16];
    char method[64], notice_version[64], form[128];
    sw_consent_row scalars; /* its string members are not used */
} consent_copy;

/* The row of a copy: strings borrowed from c, valid while c stays put. */
static sw_consent_row consent_row(const consent_copy *c)
{
    sw_consent_row r = c->scalars;
    r.id = c->id;
    r.subject = c->subject;
    r.purpose = c->purpose;
    r.state = c->state;
    r.method = c->method;
    r.notice_version = c->notice_version;
    r.form = c->form[0] ? c->form : NULL;
    return r;
}

static int copy_consent(const sw_consent_row *r, void *p)
{
    consent_copy *c = p;
    c->found = true;
    c->scalars = *r;
    c->scalars.id = c->scalars.subject = c->scalars.purpose = NULL;
    c->scalars.state = c->scalars.method = NULL;
    c->scalars.notice_version = c->scalars.form = NULL;
    snprintf(c->id, sizeof(c->id), "%s", r->id);
    snprintf(c->subject, sizeof(c->subject), "%s", r->subject);
    snprintf(c->purpose, sizeof(c->purpose), "%s", r->purpose);
    snprintf(c->state, sizeof(c->state), "%s", r->state);
    snprintf(c->method, sizeof(c->method), "%s", r->method ? r->method : "");
    snprintf(c->notice_version, sizeof(c->notice_version), "%s",
             r->notice_version ? r->notice_version : "");
    snprintf(c->form, sizeof(c->form), "%s", r->form ? r->form : "");
    return 0;
}

/* The newest consent of a subject to a purpose into c (c->found). */
static sw_status latest_consent(sw_store *s, const char *subject,
                                const char *purpose, consent_copy *c)
{
    memset(c, 0, sizeof(*c));
    sw_status st = sw_consents_latest(s, subject, purpose, copy_consent, c);
    return st == SW_ERR_NOTFOUND ? SW_OK : st;
}

/* Writes a consent row, its history row and its audit entry. */
/* A consent stored with its change: the history line (note) and the
 * audit entry. by: the method of this change when it is not the one the
 * consent was given with (a withdrawal by Global Privacy Control), NULL
 * otherwise; the history's note then names it. */
static sw_status put_change(sw_store *s, const sw_consent_row *r,
                            const char *action, const char *note,
                            const char *by)
{
    sw_status st = sw_consents_put(s, r);
    if (st == SW_OK)
        st = sw_timeline_add(s, &sw_consent_timeline, r->id, r->state,
                             r->state_at, s->actor, by ? by : note);
    if (st != SW_OK)
        return st;
    char when[SW_INSTANT_BUFSZ];
    return sw_audit_json(
        s, action, r->subject, json_pack("[s]", r->id),
        json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s*}", "purpose", r->purpose,
                  "state", r->state, "at", sw_instant_format(r->state_at, when),
                  "method", r->method, "change_method", by, "note", note));
}

static sw_status put_consent(sw_store *s, const sw_consent_row *r,
                             const char *action, const char *note)
{
    return put_change(s, r, action, note, NULL);
}

/* A subject-scoped event (consent_given, consent_withdrawn...) that moves
 * the retention clock of the subject's records. */
static sw_status subject_event(sw_store *s, const char *type,
                               const char *subject, sw_instant at)
{
    if (!sw_policy_trigger(s->policy, type))
        return SW_OK; /* the policy does not count from it */
    sw_event_spec ev = {type, subject, NULL, NULL, NULL, at, NULL};
    char id[SW_ID_BUFSZ];
    return sw_event_add(s, &ev, id, NULL);
}

/* ---- the suppression list ---- */

/* The rule of the suppression activity an entry for a subject of kind
 * stays under (NULL: the first rule without a subject list, if any). */
static const sw_rule *suppression_rule(const sw_policy *p, const char *kind)
{
    const sw_activity *a = sw_suppression_activity(p);
    const sw_rule *fallback = NULL;
    for (size_t i = 0; a && i < a->n_rules; i++) {
        const sw_rule *r = &a->rules[i];
        if (kind && sw_strs_contains(&r->subjects, kind))
            return r;
        if (!r->subjects.n && !fallback)
            fallback = r;
    }
    return fallback;
}

static sw_status suppress_hash(sw_store *s, const uint8_t hash[SW_BLIND_BYTES],
                               const char *channel, const char *kind)
{
    const sw_rule *rule = suppression_rule(s->policy, kind);
    sw_suppression_row r;
    memset(&r, 0, sizeof(r));
    memcpy(r.hash, hash, SW_BLIND_BYTES);
    r.channel = channel;
    r.since = sw_clock_now(&s->clock);
    r.rule = rule ? rule->id : NULL;
    return sw_suppression_rows_put(s, &r);
}

/* An e-mail address or phone number of a subject, by its keyed hash. */
typedef struct ident_key {
    char type[16];
    uint8_t blind[SW_BLIND_BYTES];
} ident_key;

static int collect_contact(const sw_ident_row *r, void *p)
{
    sw_vec *v = p;
    if (strcmp(r->type, "email") != 0 && strcmp(r->type, "phone") != 0)
        return 0;
    ident_key *k = sw_vec_push(v);
    if (k) {
        snprintf(k->type, sizeof(k->type), "%s", r->type);
        memcpy(k->blind, r->blind, SW_BLIND_BYTES);
    }
    return 0;
}

/* The keyed hashes of a subject's e-mail addresses and phone numbers. */
static sw_status subject_contacts(sw_store *s, const char *subject, sw_vec *out)
{
    sw_status st = sw_identifiers_list(s, subject, collect_contact, out);
    if (st != SW_OK)
        return st;
    return out->nomem ? sw_fail(s, SW_ERR_NOMEM, "out of memory") : SW_OK;
}

/* Puts the target's address, or every contact of its subject, on the
 * list; *n: entries. */
static sw_status suppress_target(sw_store *s, const sw_target *t,
                                 const char *channel, size_t *n)
{
    const char *kind = t->has_subject ? t->row.kind : NULL;
    *n = 0;
    if (t->has_ident) {
        (*n)++;
        return suppress_hash(
            s, t->blind, channel ? channel : default_channel(t->type), kind);
    }
    sw_vec v = SW_VEC(ident_key);
    sw_status st = subject_contacts(s, t->subject, &v);
    for (size_t i = 0; st == SW_OK && i < v.n; i++) {
        const ident_key *k = SW_VEC_AT(&v, ident_key, i);
        st = suppress_hash(s, k->blind,
                           channel ? channel : default_channel(k->type), kind);
        (*n)++;
    }
    sw_vec_release(&v);
    return st;
}

/* A new subscription lifts the subject's entries (every channel). */
static sw_status unsuppress_subject(sw_store *s, const char *subject,
                                    size_t *lifted)
{
    sw_vec v = SW_VEC(ident_key);
    sw_status st = subject_contacts(s, subject, &v);
    *lifted = 0;
    for (size_t i = 0; st == SW_OK && i < v.n; i++) {
        size_t n = 0;
        st = sw_suppression_rows_delete(s, SW_VEC_AT(&v, ident_key, i)->blind,
                                        NULL, &n);
        *lifted += n;
    }
    sw_vec_release(&v);
    return st;
}

sw_status sw_suppression_on_event(sw_store *s, const char *type, sw_instant at,
                                  const char (*subjects)[SW_ID_BUFSZ], size_t n)
{
    const sw_activity *a = sw_suppression_activity(s->policy);
    sw_status st = SW_OK;
    for (size_t i = 0; a && i < a->n_rules && st == SW_OK; i++) {
        const sw_rule *r = &a->rules[i];
        sw_instant due;
        if (!r->after || strcmp(r->after, type) != 0 ||
            sw_rule_due(r, at, &due) != SW_OK)
            continue;
        for (size_t j = 0; j < n && st == SW_OK; j++) {
            sw_subject_row row;
            if ((st = sw_subjects_get(s, subjects[j], &row)) != SW_OK)
                return st;
            if (r->subjects.n && !sw_strs_contains(&r->subjects, row.kind))
                continue;
            sw_vec v = SW_VEC(ident_key);
            st = subject_contacts(s, subjects[j], &v);
            for (size_t k = 0; st == SW_OK && k < v.n; k++)
                st = sw_suppression_rows_set_due(
                    s, SW_VEC_AT(&v, ident_key, k)->blind, r->id, at, due);
            sw_vec_release(&v);
        }
    }
    return st;
}

typedef struct supp_due {
    uint8_t hash[SW_BLIND_BYTES];
    char channel[16];
    char rule[96];
    sw_instant trigger, due;
} supp_due;

static int collect_supp_due(const uint8_t hash[SW_BLIND_BYTES],
                            const char *channel, const char *rule,
                            sw_instant trigger, sw_instant due, void *p)
{
    supp_due *e = sw_vec_push(p);
    if (!e)
        return 1;
    memcpy(e->hash, hash, SW_BLIND_BYTES);
    snprintf(e->channel, sizeof(e->channel), "%s", channel ? channel : "");
    snprintf(e->rule, sizeof(e->rule), "%s", rule);
    e->trigger = trigger;
    e->due = due;
    return 0;
}

sw_status sw_suppression_redate(sw_store *s, bool dry, size_t *moved,
                                size_t *now_due)
{
    *moved = *now_due = 0;
    sw_vec v = SW_VEC(supp_due);
    sw_status st = sw_suppression_rows_dated(s, collect_supp_due, &v);
    if (st == SW_OK && v.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_instant now = sw_clock_now(&s->clock);
    for (size_t i = 0; st == SW_OK && i < v.n; i++) {
        const supp_due *e = SW_VEC_AT(&v, supp_due, i);
        const sw_rule *r = sw_policy_rule(s->policy, e->rule);
        sw_instant due;
        if (!r || sw_rule_due(r, e->trigger, &due) != SW_OK || due == e->due)
            continue;
        (*moved)++;
        *now_due += due <= now;
        if (!dry)
            st = sw_suppression_rows_redue(s, e->hash, e->channel, due);
    }
    sw_vec_release(&v);
    return st;
}

/* ---- giving, confirming, asking, refusing ---- */

static void token_hash(const char *token, uint8_t out[SW_HASH_BYTES])
{
    crypto_generichash(out, SW_HASH_BYTES, (const uint8_t *)token,
                       strlen(token), NULL, 0);
}

/* Whether the activity keeps its data for the consent's period (a rule
 * counts from its end). */
static bool kept_for_the_consent(const sw_activity *a)
{
    for (size_t i = 0; i < a->n_rules; i++)
        if (a->rules[i].after &&
            strcmp(a->rules[i].after, "consent_expired") == 0)
            return true;
    return false;
}

/* Finds or creates the subject of the target (a new one of kind, with a
 * record of the address under activity). */
static sw_status subject_for(sw_store *s, const sw_who *who, sw_target *t,
                             const char *new_kind, const sw_activity *act,
                             bool *created)
{
    *created = false;
    sw_status st = sw_target_resolve(s, who, t, false);
    if (st != SW_OK || t->has_subject)
        return st;
    if (!new_kind)
        return sw_fail(s, SW_ERR_NOTFOUND,
                       "no subject has this %s (give a kind to create one)",
                       t->type);
    sw_ident id = {t->type, t->value};
    sw_subject_spec spec = {new_kind, NULL, NULL, NULL, 1, &id};
    if ((st = sw_subject_add(s, &spec, t->subject)) != SW_OK)
        return st;
    *created = t->has_subject = true;
    if ((st = sw_subjects_get(s, t->subject, &t->row)) != SW_OK)
        return st;
    const char *category = strcmp(t->type, "email") == 0 ? "user.contact.email"
                           : strcmp(t->type, "phone") == 0
                               ? "user.contact.phone_number"
                               : "user.device.cookie_id";
    if (act && sw_strs_contains(&act->categories, category)) {
        sw_record_spec rec = {t->subject,
                              act->id,
                              category,
                              t->value,
                              strlen(t->value),
                              sw_strs_contains(&act->sources, "data_subject")
                                  ? "data_subject"
                                  : NULL,
                              false,
                              0,
                              NULL};
        char rid[SW_ID_BUFSZ];
        st = sw_record_add(s, &rec, rid, NULL);
    }
    return st;
}

static void fill_result(const sw_consent_row *r, sw_consent_result *out)
{
    snprintf(out->id, sizeof(out->id), "%s", r->id);
    snprintf(out->subject, sizeof(out->subject), "%s", r->subject);
    out->state = sw_consent_state_of(r->state);
}

/* Sets the subject's age from a date of birth (Art. 8). */
static sw_status set_born(sw_store *s, sw_target *t, sw_instant born)
{
    int age = s->policy->children.min_age ? s->policy->children.min_age : 16;
    sw_duration d = {age, 0, 0};
    sw_instant until = sw_instant_add(born, d);
    sw_status st =
        sw_subjects_set_flags(s, t->subject, t->row.flags, true, until);
    if (st != SW_OK)
        return st;
    t->row.has_minor = true;
    t->row.minor_until = until;
    return SW_OK;
}

/* Makes a consent given: the new-subscription side effects. */
static sw_status on_given(sw_store *s, const sw_consent_row *r)
{
    sw_status st = subject_event(s, "consent_given", r->subject, r->state_at);
    if (st == SW_OK && sw_purpose_is_marketing(s->policy, r->purpose)) {
        size_t lifted = 0;
        st = unsuppress_subject(s, r->subject, &lifted);
        if (st == SW_OK && lifted)
            st = subject_event(s, "resubscribed", r->subject, r->state_at);
    }
    return st;
}

sw_status sw_consent_give(sw_store *s, const sw_who *who,
                          const sw_consent_spec *spec, sw_consent_result *out)
{
    memset(out, 0, sizeof(*out));
    sw_status st = sw_purpose_check(s, spec->purpose);
    if (st != SW_OK)
        return st;
    if (!spec->method || !*spec->method)
        return sw_fail(s, SW_ERR_INVALID,
                       "a consent needs the method it was collected by "
                       "(web_form, email_confirmation, ...)");
    if ((st = sw_check_text(s, "method", spec->method, 64)) != SW_OK ||
        (st = sw_check_text(s, "form", spec->form, 128)) != SW_OK ||
        (st = sw_check_text(s, "notice_version", spec->notice_version, 64)) !=
            SW_OK)
        return st;
    if ((spec->has_at && sw_instant_check_input(spec->at) != SW_OK) ||
        (spec->has_born && sw_instant_check_input(spec->born) != SW_OK))
        return sw_fail(
            s, SW_ERR_RANGE, "%s: a year from %d to %d, please",
            spec->has_at && sw_instant_check_input(spec->at) ? "at" : "born",
            SW_YEAR_MIN_INPUT, SW_YEAR_MAX_INPUT);
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK)
        return st;
    sw_target t;
    const sw_activity *act =
        consent_activity(s->policy, spec->purpose,
                         who->ident && spec->new_kind ? spec->new_kind : NULL);
    st = subject_for(s, who, &t, spec->new_kind, act, &out->created_subject);
    if (st == SW_OK && !out->created_subject)
        act = consent_activity(s->policy, spec->purpose, t.row.kind);
    if (st == SW_OK && !act)
        st = sw_fail(s, SW_ERR_INVALID,
                     "no activity of the policy processes subjects of kind "
                     "'%s' for '%s' on consent",
                     t.row.kind, spec->purpose);
    if (st == SW_OK && spec->has_born)
        st = set_born(s, &t, spec->born);
    sw_instant now = sw_clock_now(&s->clock);
    sw_instant at = spec->has_at ? spec->at : now;
    char cid[SW_ID_BUFSZ];
    sw_random_id(s->keys, "con", now, cid);
    sw_consent_row r;
    memset(&r, 0, sizeof(r));
    r.id = cid;
    r.subject = t.subject;
    r.purpose = spec->purpose;
    r.state_at = r.created_at = at;
    r.method = spec->method;
    r.form = spec->form;
    r.notice_version =
        spec->notice_version ? spec->notice_version : s->policy->notice.version;
    r.parental = spec->parental;
    bool pending = act && act->double_opt_in;
    if (pending) {
        uint8_t raw[24];
        sw_random(s->keys, raw, sizeof(raw));
        sw_hex(raw, sizeof(raw), out->token);
        token_hash(out->token, r.token_hash);
        r.has_token = true;
        r.token_expires = out->token_expires =
            sw_instant_add(now, s->policy->consent.confirmation_valid);
        r.state = "requested";
    } else {
        r.state = "given";
        r.has_given = true;
        r.given_at = at;
    }
    sw_duration period = spec->period;
    bool has_period = spec->has_period;
    if (st == SW_OK && !has_period && act && kept_for_the_consent(act)) {
        const sw_duration d = act->consent_period;
        has_period = d.years || d.months || d.days;
        period = d;
        if (!has_period)
            st = sw_fail(s, SW_ERR_INVALID,
                         "activity '%s' keeps its data for the period of the "
                         "consent: give the period (for example --period 2y)",
                         act->id);
    }
    if (has_period) {
        r.has_expiry = true;
        r.expires_at = sw_instant_add(at, period);
    }
    if (st == SW_OK)
        st = put_consent(s, &r, "consent.give",
                         pending ? "pending confirmation (double opt-in)"
                                 : NULL);
    if (st == SW_OK && !pending)
        st = on_given(s, &r);
    st = sw_op_end(s, own, st);
    if (st == SW_OK)
        fill_result(&r, out);
    else
        memset(out, 0, sizeof(*out));
    return st;
}

sw_status sw_consent_confirm(sw_store *s, const char *token,
                             sw_consent_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!token || strlen(token) != 48)
        return sw_fail(s, SW_ERR_NOTFOUND, "unknown confirmation token");
    uint8_t h[SW_HASH_BYTES];
    token_hash(token, h);
    consent_copy c;
    memset(&c, 0, sizeof(c));
    sw_status st = sw_consents_by_token(s, h, copy_consent, &c);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "unknown confirmation token");
    if (st != SW_OK)
        return st;
    sw_instant now = sw_clock_now(&s->clock);
    if (strcmp(c.state, "requested") != 0)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "confirmation token already used (consent %s is %s)",
                       c.id, c.state);
    if (c.scalars.token_expires <= now) {
        char when[SW_INSTANT_BUFSZ];
        return sw_fail(s, SW_ERR_CONFLICT,
                       "confirmation token expired on %s; subscribe again",
                       sw_instant_format(c.scalars.token_expires, when));
    }
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK)
        return st;
    sw_consent_row r = consent_row(&c);
    r.state = "given";
    r.state_at = now;
    r.has_given = true;
    r.given_at = now;
    r.method = "email_confirmation";
    st = put_consent(s, &r, "consent.confirm", "double opt-in confirmed");
    if (st == SW_OK)
        st = on_given(s, &r);
    st = sw_op_end(s, own, st);
    if (st == SW_OK)
        fill_result(&r, out);
    return st;
}

/* Records a state change of the target's current consent to purpose (or
 * a new consent row in that state when there is none). */
static sw_status change_state(sw_store *s, const sw_who *who,
                              const char *purpose, const char *state,
                              const char *action, const char *event,
                              const char *method, sw_consent_result *out)
{
    memset(out, 0, sizeof(*out));
    sw_status st = sw_purpose_check(s, purpose);
    if (st != SW_OK)
        return st;
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK)
        return st;
    sw_target t;
    st = sw_target_resolve(s, who, &t, true);
    consent_copy c;
    memset(&c, 0, sizeof(c));
    if (st == SW_OK)
        st = latest_consent(s, t.subject, purpose, &c);
    bool found = c.found;
    sw_consent_row r = consent_row(&c);
    sw_instant now = sw_clock_now(&s->clock);
    char cid[SW_ID_BUFSZ];
    if (st == SW_OK && (!found || strcmp(state, "requested") == 0)) {
        const sw_activity *act =
            consent_activity(s->policy, purpose, t.row.kind);
        if (!act)
            st = sw_fail(s, SW_ERR_INVALID,
                         "no activity of the policy processes subjects of "
                         "kind '%s' for '%s' on consent",
                         t.row.kind, purpose);
        sw_random_id(s->keys, "con", now, cid);
        memset(&r, 0, sizeof(r));
        r.id = cid;
        r.subject = t.subject;
        r.purpose = purpose;
        r.created_at = now;
        r.method = method;
        r.notice_version = s->policy->notice.version;
    }
    if (st == SW_OK) {
        r.state = state;
        r.state_at = now;
        r.has_token = false;
        st = put_consent(s, &r, action, NULL);
    }
    if (st == SW_OK && event)
        st = subject_event(s, event, t.subject, now);
    st = sw_op_end(s, own, st);
    if (st == SW_OK)
        fill_result(&r, out);
    return st;
}

sw_status sw_consent_request(sw_store *s, const sw_who *who,
                             const char *purpose, sw_consent_result *out)
{
    return change_state(s, who, purpose, "requested", "consent.request",
                        "consent_requested", "consent_request", out);
}

sw_status sw_consent_refuse(sw_store *s, const sw_who *who, const char *purpose,
                            sw_consent_result *out)
{
    return change_state(s, who, purpose, "refused", "consent.refuse", NULL,
                        "recorded_refusal", out);
}

sw_status sw_consent_renew(sw_store *s, const char *id, bool has_period,
                           sw_duration period)
{
    consent_copy c;
    memset(&c, 0, sizeof(c));
    sw_status st = sw_consents_get(s, id, copy_consent, &c);
    if (st != SW_OK)
        return st;
    if (strcmp(c.state, "given") != 0 && strcmp(c.state, "renewed") != 0)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "consent %s is %s: only a given consent is renewed "
                       "(give a new one)",
                       id, c.state);
    sw_instant now = sw_clock_now(&s->clock);
    sw_consent_row r = consent_row(&c);
    r.state = "renewed";
    r.state_at = now;
    if (has_period) {
        r.has_expiry = true;
        r.expires_at = sw_instant_add(now, period);
    }
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    return sw_tx_end(s, put_consent(s, &r, "consent.renew", NULL));
}

/* ---- withdrawal and expiry ---- */

static sw_status withdraw(sw_store *s, const sw_who *who, const char *purpose,
                          const char *by, size_t *n);

sw_status sw_consent_withdraw(sw_store *s, const sw_who *who,
                              const char *purpose, size_t *n)
{
    return withdraw(s, who, purpose, NULL, n);
}

static int collect_all(const sw_consent_row *r, void *p)
{
    consent_copy *c = sw_vec_push(p);
    if (c)
        copy_consent(r, c);
    return 0;
}

/* by: how it was withdrawn, when that is known (a cookie choice, GPC) */
static sw_status withdraw(sw_store *s, const sw_who *who, const char *purpose,
                          const char *by, size_t *n)
{
    *n = 0;
    sw_status st = purpose ? sw_purpose_check(s, purpose) : SW_OK;
    if (st != SW_OK)
        return st;
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK)
        return st;
    sw_target t;
    st = sw_target_resolve(s, who, &t, true);
    sw_vec cur = SW_VEC(consent_copy);
    if (st == SW_OK)
        st = sw_consents_list(s, t.subject, collect_all, &cur);
    sw_instant now = sw_clock_now(&s->clock);
    bool marketing = false;
    for (size_t i = 0; st == SW_OK && i < cur.n; i++) {
        consent_copy *c = SW_VEC_AT(&cur, consent_copy, i);
        if ((purpose && strcmp(c->purpose, purpose) != 0) ||
            strcmp(c->state, "withdrawn") == 0 ||
            strcmp(c->state, "refused") == 0 ||
            strcmp(c->state, "expired") == 0)
            continue;
        sw_consent_row r = consent_row(c);
        r.state = "withdrawn";
        r.state_at = now;
        r.has_token = false; /* a pending confirmation link dies with it */
        st = put_change(s, &r, "consent.withdraw", NULL, by);
        marketing |= sw_purpose_is_marketing(s->policy, c->purpose);
        (*n)++;
    }
    if (st == SW_OK && *n)
        st = subject_event(s, "consent_withdrawn", t.subject, now);
    if (st == SW_OK && marketing) { /* unsubscribed: never contacted again */
        size_t k;
        sw_target all = t;
        all.has_ident = false; /* every address of the subject */
        st = suppress_target(s, &all, NULL, &k);
    }
    if (st == SW_OK && !*n && purpose)
        st = sw_fail(s, SW_ERR_NOTFOUND,
                     "subject %s has no consent to '%s' to withdraw", t.subject,
                     purpose);
    sw_vec_release(&cur);
    return sw_op_end(s, own, st);
}

sw_status sw_consent_expire(sw_store *s, size_t *n)
{
    *n = 0;
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    sw_vec due = SW_VEC(consent_copy);
    sw_instant now = sw_clock_now(&s->clock);
    sw_status st = sw_consents_expiring(s, now, collect_all, &due);
    if (st != SW_OK) {
        sw_vec_release(&due);
        return st;
    }
    if (due.nomem) {
        sw_vec_release(&due);
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    bool own = false;
    if (due.n && (st = sw_op_begin(s, &own)) != SW_OK) {
        sw_vec_release(&due);
        return st;
    }
    for (size_t i = 0; st == SW_OK && i < due.n; i++) {
        consent_copy *c = SW_VEC_AT(&due, consent_copy, i);
        sw_consent_row r = consent_row(c);
        r.state = "expired";
        r.state_at = r.expires_at;
        st = put_consent(s, &r, "consent.expire", "the consent period ended");
        if (st == SW_OK)
            st = subject_event(s, "consent_expired", r.subject, r.expires_at);
        (*n)++;
    }
    if (due.n)
        st = sw_op_end(s, own, st);
    if (st != SW_OK)
        *n = 0;
    sw_vec_release(&due);
    return st;
}

sw_status sw_consent_unconfirmed_expire(sw_store *s, size_t *consents,
                                        size_t *subjects)
{
    *consents = *subjects = 0;
    sw_vec due = SW_VEC(consent_copy);
    sw_instant now = sw_clock_now(&s->clock);
    sw_status st = sw_consents_unconfirmed(s, now, collect_all, &due);
    if (st == SW_OK && due.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st != SW_OK || !due.n) {
        sw_vec_release(&due);
        return st;
    }
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK) {
        sw_vec_release(&due);
        return st;
    }
    size_t gone = 0;
    json_t *ids = json_array();
    for (size_t i = 0; st == SW_OK && i < due.n; i++) {
        const consent_copy *c = SW_VEC_AT(&due, consent_copy, i);
        bool removed = false;
        /* the records kept for the subscription (the address) wait for a
         * consent that will not come: due when the link expired */
        sw_subject_row who;
        st = sw_subjects_get(s, c->subject, &who);
        const sw_activity *act =
            st == SW_OK ? consent_activity(s->policy, c->purpose, who.kind)
                        : NULL;
        if (act)
            st = sw_records_due_open(s, c->subject, act->id,
                                     c->scalars.token_expires);
        if (st == SW_OK)
            st = sw_consents_delete(s, c->id);
        if (st == SW_OK)
            st = sw_subjects_remove_if_empty(s, c->subject, now, &removed);
        gone += removed;
        json_array_append_new(ids, json_string(c->id));
    }
    if (st == SW_OK)
        st = sw_audit_json(s, "consent.unconfirmed_expire", NULL, NULL,
                           json_pack("{s:I, s:I, s:o}", "consents",
                                     (json_int_t)due.n, "subjects_removed",
                                     (json_int_t)gone, "ids", ids));
    else
        json_decref(ids);
    if ((st = sw_op_end(s, own, st)) == SW_OK) {
        *consents = due.n;
        *subjects = gone;
    }
    sw_vec_release(&due);
    return st;
}

/* ---- reading ---- */

static void view_of(const sw_consent_row *r, sw_consent_view *v)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->id, sizeof(v->id), "%s", r->id);
    snprintf(v->subject, sizeof(v->subject), "%s", r->subject);
    snprintf(v->purpose, sizeof(v->purpose), "%s", r->purpose);
    v->state = sw_consent_state_of(r->state);
    v->state_at = r->state_at;
    v->created_at = r->created_at;
    v->has_given = r->has_given;
    v->given_at = r->given_at;
    v->has_expiry = r->has_expiry;
    v->expires_at = r->expires_at;
    snprintf(v->method, sizeof(v->method), "%s", r->method ? r->method : "");
    snprintf(v->form, sizeof(v->form), "%s", r->form ? r->form : "");
    snprintf(v->notice_version, sizeof(v->notice_version), "%s",
             r->notice_version ? r->notice_version : "");
    v->parental = r->parental;
}

typedef struct list_ctx {
    int (*cb)(const sw_consent_view *c, void *ctx);
    void *ctx;
} list_ctx;

static int list_one(const sw_consent_row *r, void *p)
{
    list_ctx *l = p;
    sw_consent_view v;
    view_of(r, &v);
    return l->cb(&v, l->ctx);
}

sw_status sw_consent_list(sw_store *s, const sw_who *who,
                          int (*cb)(const sw_consent_view *c, void *ctx),
                          void *ctx)
{
    sw_target t;
    sw_status st = sw_target_resolve(s, who, &t, true);
    if (st != SW_OK)
        return st;
    list_ctx l = {cb, ctx};
    return sw_consents_list(s, t.subject, list_one, &l);
}

typedef struct change_ctx {
    int (*cb)(const sw_consent_change *c, void *ctx);
    void *ctx;
} change_ctx;

static int change_one(const char *state, sw_instant at, const char *actor,
                      const char *note, void *p)
{
    change_ctx *c = p;
    sw_consent_change ch;
    memset(&ch, 0, sizeof(ch));
    ch.state = sw_consent_state_of(state);
    ch.at = at;
    snprintf(ch.actor, sizeof(ch.actor), "%s", actor ? actor : "");
    snprintf(ch.note, sizeof(ch.note), "%s", note ? note : "");
    return c->cb(&ch, c->ctx);
}

sw_status sw_consent_show(sw_store *s, const char *id, sw_consent_view *out,
                          int (*cb)(const sw_consent_change *c, void *ctx),
                          void *ctx)
{
    consent_copy c;
    memset(&c, 0, sizeof(c));
    sw_status st = sw_consents_get(s, id, copy_consent, &c);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "no consent %s", id);
    if (st != SW_OK)
        return st;
    sw_consent_row row = consent_row(&c);
    view_of(&row, out);
    if (!cb)
        return SW_OK;
    change_ctx cc = {cb, ctx};
    return sw_timeline_list(s, &sw_consent_timeline, id, change_one, &cc);
}

/* ---- receipts: the Kantara Initiative Consent Receipt 1.1 ---- */

/* A random (version 4) UUID: a receipt's id, new at every print. */
static void receipt_uuid(sw_store *s, char out[37])
{
    uint8_t u[16];
    sw_random(s->keys, u, sizeof(u));
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char hex[33];
    sw_hex(u, sizeof(u), hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

/* The controller as a receipt names it: a PostalAddress object (the
 * policy's postal_address, else its address line as the street) and a
 * phone ("" when the policy states none). */
static json_t *receipt_controller(const sw_policy *p)
{
    json_t *addr =
        p->controller.postal.street
            ? json_pack("{s:s, s:s, s:s*, s:s*, s:s}", "streetAddress",
                        p->controller.postal.street, "addressLocality",
                        p->controller.postal.locality, "addressRegion",
                        p->controller.postal.region, "postalCode",
                        p->controller.postal.postal_code, "addressCountry",
                        p->controller.postal.country)
            : json_pack("{s:s}", "streetAddress", p->controller.address);
    return json_pack("{s:s, s:b, s:s, s:o, s:s, s:s, s:s}", "piiController",
                     p->controller.name, "onBehalf", 0, "contact",
                     p->controller.contact ? p->controller.contact
                                           : p->controller.name,
                     "address", addr, "email", p->controller.dpo_email, "phone",
                     p->controller.phone ? p->controller.phone : "",
                     "piiControllerUrl", p->notice.url ? p->notice.url : "");
}

/* What the consent covers: every activity that pursues its purpose on
 * consent for the subject's kind (a business.events consent covers the
 * registration and the dietary requirements), each a service of the
 * receipt; sensitive and spiCat from the special categories of all of
 * them. */
static json_t *receipt_services(const sw_policy *p, const sw_consent_view *v,
                                const char *kind, json_t *spi)
{
    const sw_def *purpose = sw_policy_purpose(p, v->purpose);
    json_t *services = json_array();
    for (size_t i = 0; i < p->n_activities; i++) {
        const sw_activity *a = &p->activities[i];
        if (!consent_covers(p, a, v->purpose, kind))
            continue;
        json_t *pii = json_array();
        for (size_t k = 0; k < a->categories.n; k++) {
            json_array_append_new(pii, json_string(a->categories.v[k]));
            const sw_category *c = sw_policy_category(p, a->categories.v[k]);
            bool seen = false;
            size_t j;
            json_t *x;
            json_array_foreach(spi, j, x) seen |=
                strcmp(json_string_value(x), a->categories.v[k]) == 0;
            if (c && c->special && !seen)
                json_array_append_new(spi, json_string(c->id));
        }
        char *third = sw_recipient_names(p, a);
        char termination[512];
        const char *how = a->withdrawal ? a->withdrawal : "contact the DPO";
        if (v->has_expiry) {
            char until[SW_INSTANT_BUFSZ];
            snprintf(termination, sizeof(termination),
                     "ends on %s or when withdrawn (%s)",
                     sw_instant_format(v->expires_at, until), how);
        } else {
            snprintf(termination, sizeof(termination), "when withdrawn (%s)",
                     how);
        }
        json_array_append_new(
            services,
            json_pack("{s:s, s:[{s:s, s:[s], s:s, s:o, s:b, s:s, s:b, s:s*}]}",
                      "service", a->name, "purposes", "purpose",
                      purpose && purpose->name ? purpose->name : v->purpose,
                      "purposeCategory", v->purpose, "consentType",
                      a->special_condition ? "EXPLICIT" : "EXPRESSED",
                      "piiCategory", pii, "primaryPurpose", 1, "termination",
                      termination, "thirdPartyDisclosure", a->recipients.n > 0,
                      "thirdPartyName", third && *third ? third : NULL));
        free(third);
    }
    return services;
}

/* The receipt of consent id as a JSON object (the caller's), with a new
 * receipt id; *rid that id, *v the consent. */
static sw_status receipt_build(sw_store *s, const char *id, json_t **out,
                               char rid[37], sw_consent_view *v)
{
    *out = NULL;
    sw_status st = sw_consent_show(s, id, v, NULL, NULL);
    if (st != SW_OK)
        return st;
    const sw_policy *p = s->policy;
    sw_subject_row row;
    if ((st = sw_subjects_get(s, v->subject, &row)) != SW_OK)
        return st;
    json_t *spi = json_array();
    json_t *services = receipt_services(p, v, row.kind, spi);
    receipt_uuid(s, rid);
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:[o], s:s, s:o, s:b, s:o,"
        " s:s, s:s, s:s}",
        "version", "KI-CR-v1.1.0", "jurisdiction", "EU (GDPR)",
        "consentTimestamp",
        (json_int_t)(v->has_given ? v->given_at : v->created_at),
        "collectionMethod", v->method, "consentReceiptID", rid, "language",
        "en", "piiPrincipalId", v->subject, "piiControllers",
        receipt_controller(p), "policyUrl", p->notice.url ? p->notice.url : "",
        "services", services, "sensitive", json_array_size(spi) > 0, "spiCat",
        spi, "state", sw_consent_state_name(v->state), "noticeVersion",
        v->notice_version, "form", v->form);
    if (!o)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    *out = o;
    return SW_OK;
}

/* A receipt handed out is a disclosure of the consent: audited, with the
 * receipt's id. */
static sw_status receipt_audit(sw_store *s, const sw_consent_view *v,
                               const char *rid, bool jws)
{
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK)
        st = sw_tx_end(
            s, sw_audit_json(s, "consent.receipt", v->subject,
                             json_pack("[s]", v->id),
                             json_pack("{s:s, s:s, s:b}", "purpose", v->purpose,
                                       "receipt", rid, "signed", jws)));
    return st;
}

/* base64url without padding (RFC 7515 section 2), into a new string */
static char *b64url(const void *p, size_t n)
{
    size_t len =
        sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(len);
    if (out)
        sodium_bin2base64(out, len, p, n,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* The receipt o (taken) as a JWS in compact serialization, signed with
 * the store's Ed25519 key; NULL when out of memory. */
static char *receipt_sign(sw_store *s, json_t *o)
{
    uint8_t pk[SW_SIGN_PK_BYTES];
    sw_sign_public(s->keys, pk);
    char *pk64 = b64url(pk, sizeof(pk));
    json_object_set_new(o, "publicKey", json_string(pk64 ? pk64 : ""));
    json_t *h = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "typ", "JWT",
                          "kid", pk64 ? pk64 : "");
    free(pk64);
    char *payload = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *header = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    json_decref(h);
    char *h64 = header ? b64url(header, strlen(header)) : NULL;
    char *p64 = payload ? b64url(payload, strlen(payload)) : NULL;
    free(header);
    free(payload);
    sw_buf b;
    sw_buf_init(&b, (size_t)1 << 24);
    if (h64 && p64)
        sw_buf_printf(&b, "%s.%s", h64, p64);
    else
        b.failed = true;
    free(h64);
    free(p64);
    if (!b.failed) {
        uint8_t sig[SW_SIGN_BYTES];
        sw_sign(s->keys, b.data, b.len, sig);
        char *s64 = b64url(sig, sizeof(sig));
        if (s64)
            sw_buf_printf(&b, ".%s", s64);
        else
            b.failed = true;
        free(s64);
    }
    char *text = NULL;
    return sw_buf_finish(&b, &text) == SW_OK ? text : NULL;
}

/* The receipt of consent id, as JSON text or signed (jws), audited */
static sw_status receipt_text(sw_store *s, const char *id, bool jws, char **out)
{
    *out = NULL;
    json_t *o;
    char rid[37];
    sw_consent_view v;
    sw_status st = receipt_build(s, id, &o, rid, &v);
    if (st != SW_OK)
        return st;
    char *text = NULL;
    if (jws) {
        text = receipt_sign(s, o);
    } else {
        text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
    }
    if (!text)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if ((st = receipt_audit(s, &v, rid, jws)) != SW_OK) {
        free(text);
        return st;
    }
    *out = text;
    return SW_OK;
}

sw_status sw_consent_receipt(sw_store *s, const char *id, char **json)
{
    return receipt_text(s, id, false, json);
}

sw_status sw_consent_receipt_jws(sw_store *s, const char *id, char **jws)
{
    return receipt_text(s, id, true, jws);
}

sw_status sw_consent_receipt_verify(sw_store *s, const char *jws,
                                    char **receipt)
{
    *receipt = NULL;
    const char *d1 = jws ? strchr(jws, '.') : NULL;
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    size_t end = jws ? strcspn(jws, "\r\n") : 0;
    if (!d1 || !d2 || strchr(d2 + 1, '.') || (size_t)(d2 - jws) >= end)
        return sw_fail(
            s, SW_ERR_SYNTAX,
            "not a signed receipt (expected the JWS that "
            "'steward consent receipt ID --format jws' prints: three "
            "base64url parts joined by dots)");
    size_t sig_n = end - (size_t)(d2 + 1 - jws);
    uint8_t sig[SW_SIGN_BYTES + 4];
    size_t got = 0;
    if (sodium_base642bin(sig, sizeof(sig), d2 + 1, sig_n, NULL, &got, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != SW_SIGN_BYTES)
        return sw_fail(s, SW_ERR_SYNTAX,
                       "the receipt's signature is not %d bytes of base64url",
                       SW_SIGN_BYTES);
    size_t pn = (size_t)(d2 - (d1 + 1));
    char *payload = malloc(pn + 1);
    size_t plen = 0;
    if (!payload)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (sodium_base642bin((uint8_t *)payload, pn, d1 + 1, pn, NULL, &plen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        free(payload);
        return sw_fail(s, SW_ERR_SYNTAX, "the receipt's body is not base64url");
    }
    payload[plen] = 0;
    uint8_t pk[SW_SIGN_PK_BYTES];
    sw_sign_public(s->keys, pk);
    if (!sw_sign_verify(pk, jws, (size_t)(d2 - jws), sig)) {
        free(payload);
        return sw_fail(s, SW_ERR_CRYPTO,
                       "the receipt's signature does not match this store's "
                       "key: it was changed, or another store signed it");
    }
    *receipt = payload;
    return SW_OK;
}

/* ---- objection ---- */

sw_status sw_objection_add(sw_store *s, const sw_who *who, const char *purpose,
                           sw_objection_result *out)
{
    memset(out, 0, sizeof(*out));
    sw_status st = sw_purpose_check(s, purpose);
    if (st != SW_OK)
        return st;
    bool marketing = sw_purpose_is_marketing(s->policy, purpose);
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK)
        return st;
    sw_target t;
    st = sw_target_resolve(s, who, &t, !marketing);
    sw_instant now = sw_clock_now(&s->clock);
    size_t entries = 0;
    if (st == SW_OK && marketing) { /* absolute: Art. 21(3) */
        out->suppressed = true;
        st = suppress_target(s, &t, NULL, &entries);
        if (st == SW_OK && t.has_subject) {
            sw_who w = {t.subject, NULL};
            size_t n = 0;
            st = sw_consent_withdraw(s, &w, purpose, &n);
            if (st == SW_ERR_NOTFOUND)
                st = SW_OK; /* no consent: legitimate interest */
            out->consents_withdrawn = n;
        }
    } else if (st == SW_OK) {
        sw_random_id(s->keys, "obj", now, out->id);
        sw_objection_row r = {out->id, t.subject, purpose, now, NULL, 0, NULL};
        st = sw_objections_insert(s, &r);
    }
    if (st == SW_OK)
        st = sw_audit_json(
            s, "objection.add", t.has_subject ? t.subject : NULL,
            out->id[0] ? json_pack("[s]", out->id) : json_array(),
            json_pack("{s:s, s:b, s:I, s:I}", "purpose", purpose, "absolute",
                      marketing, "suppression_entries", (json_int_t)entries,
                      "consents_withdrawn",
                      (json_int_t)out->consents_withdrawn));
    st = sw_op_end(s, own, st);
    if (st != SW_OK)
        memset(out, 0, sizeof(*out));
    return st;
}

typedef struct objection_copy {
    bool overridden;
    char subject[SW_ID_BUFSZ];
    char purpose[96];
} objection_copy;

static int copy_objection(const sw_objection_row *r, void *p)
{
    objection_copy *c = p;
    c->overridden = r->override_reason != NULL;
    snprintf(c->subject, sizeof(c->subject), "%s", r->subject);
    snprintf(c->purpose, sizeof(c->purpose), "%s", r->purpose);
    return 0;
}

sw_status sw_objection_override(sw_store *s, const char *id, const char *reason)
{
    if (!reason || !*reason)
        return sw_fail(s, SW_ERR_INVALID,
                       "an override needs the compelling legitimate grounds "
                       "(--reason)");
    objection_copy c;
    memset(&c, 0, sizeof(c));
    sw_status st = sw_objections_get(s, id, NULL, NULL, copy_objection, &c);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "no objection %s", id);
    if (st != SW_OK)
        return st;
    if (c.overridden)
        return sw_fail(s, SW_ERR_CONFLICT, "objection %s is already overridden",
                       id);
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    st = sw_objections_override(s, id, reason, sw_clock_now(&s->clock),
                                s->actor);
    if (st == SW_OK)
        st = sw_audit_json(
            s, "objection.override", c.subject, json_pack("[s]", id),
            json_pack("{s:s, s:s}", "purpose", c.purpose, "reason", reason));
    return sw_tx_end(s, st);
}

sw_status sw_suppression_add(sw_store *s, const sw_ident *ident,
                             const char *channel, sw_objection_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!s->policy || !sw_suppression_activity(s->policy))
        return sw_fail(s, SW_ERR_INVALID,
                       "the policy names no suppression list "
                       "('consent.suppression_activity')");
    bool own = false;
    sw_status st = sw_op_begin(s, &own);
    if (st != SW_OK)
        return st;
    sw_target t;
    sw_who who = {NULL, ident};
    st = sw_target_resolve(s, &who, &t, false);
    size_t entries = 0;
    if (st == SW_OK)
        st = suppress_target(s, &t, channel, &entries);
    out->suppressed = st == SW_OK;
    const sw_activity *sup = sw_suppression_activity(s->policy);
    for (size_t i = 0; st == SW_OK && t.has_subject && i < sup->purposes.n;
         i++) {
        sw_who w = {t.subject, NULL};
        size_t n = 0;
        st = sw_consent_withdraw(s, &w, sup->purposes.v[i], &n);
        if (st == SW_ERR_NOTFOUND)
            st = SW_OK;
        out->consents_withdrawn += n;
    }
    if (st == SW_OK)
        st = sw_audit_json(
            s, "suppression.add", t.has_subject ? t.subject : NULL,
            json_array(),
            json_pack("{s:s, s:s, s:I}", "type", t.type, "channel",
                      channel ? channel : default_channel(t.type),
                      "consents_withdrawn",
                      (json_int_t)out->consents_withdrawn));
    st = sw_op_end(s, own, st);
    if (st != SW_OK)
        memset(out, 0, sizeof(*out));
    return st;
}

typedef struct sup_ctx {
    int (*cb)(const sw_suppression_view *v, void *ctx);
    void *ctx;
} sup_ctx;

static int sup_one(const sw_suppression_row *r, void *p)
{
    sup_ctx *c = p;
    sw_suppression_view v;
    memset(&v, 0, sizeof(v));
    sw_hex(r->hash, SW_BLIND_BYTES, v.hash);
    snprintf(v.channel, sizeof(v.channel), "%s", r->channel);
    v.since = r->since;
    snprintf(v.rule, sizeof(v.rule), "%s", r->rule ? r->rule : "");
    v.has_due = r->has_due;
    v.due_at = r->due_at;
    return c->cb(&v, c->ctx);
}

sw_status sw_suppression_list(
    sw_store *s, int (*cb)(const sw_suppression_view *v, void *ctx), void *ctx)
{
    sup_ctx c = {cb, ctx};
    return sw_suppression_rows_list(s, sup_one, &c);
}

/* ---- cookies ---- */

static sw_status cookie_one(sw_store *s, const sw_who *who, const char *purpose,
                            sw_cookie_choice c, const char *method)
{
    if (c == SW_COOKIE_UNCHANGED || !purpose)
        return SW_OK;
    if (c == SW_COOKIE_ACCEPT) {
        sw_consent_spec spec;
        memset(&spec, 0, sizeof(spec));
        spec.purpose = purpose;
        spec.method = method;
        sw_consent_result r;
        return sw_consent_give(s, who, &spec, &r);
    }
    size_t n = 0;
    sw_status st = withdraw(s, who, purpose, method, &n);
    if (st == SW_ERR_NOTFOUND) { /* nothing given: record the refusal */
        sw_consent_result r;
        st = change_state(s, who, purpose, "refused", "consent.refuse", NULL,
                          method, &r);
    }
    return st;
}

sw_status sw_cookie_choose(sw_store *s, const char *visitor,
                           sw_cookie_choice analytics,
                           sw_cookie_choice advertising, bool gpc)
{
    if (!s->policy || !s->policy->consent.cookie_analytics)
        return sw_fail(s, SW_ERR_INVALID,
                       "the policy names no cookie purposes "
                       "('consent.cookies')");
    if (!visitor || !*visitor)
        return sw_fail(s, SW_ERR_INVALID, "a visitor id is needed");
    const char *method = gpc ? "global_privacy_control" : "cookie_settings";
    if (gpc)
        analytics = advertising = SW_COOKIE_REFUSE;
    bool own = false;
    sw_status st = sw_op_begin(s, &own);
    if (st != SW_OK)
        return st;
    sw_ident id = {"visitor", visitor};
    sw_who who = {NULL, &id};
    sw_target t;
    bool created;
    const sw_activity *act =
        consent_activity(s->policy, s->policy->consent.cookie_analytics, NULL);
    const char *kind = act && act->subjects.n ? act->subjects.v[0] : NULL;
    st = subject_for(s, &who, &t, kind, NULL, &created);
    if (st == SW_OK)
        st = cookie_one(s, &who, s->policy->consent.cookie_analytics, analytics,
                        method);
    if (st == SW_OK)
        st = cookie_one(s, &who, s->policy->consent.cookie_advertising,
                        advertising, method);
    return sw_op_end(s, own, st);
}

typedef struct cookie_read {
    const sw_policy *p;
    sw_cookie_view *v;
    bool seen_analytics, seen_advertising;
} cookie_read;

/* Newest first: the first consent of a category is its state. */
static int cookie_row(const sw_consent_view *c, void *p)
{
    cookie_read *r = p;
    const char *a = r->p->consent.cookie_analytics;
    const char *b = r->p->consent.cookie_advertising;
    bool on = c->state == SW_CONSENT_GIVEN || c->state == SW_CONSENT_RENEWED;
    if (a && strcmp(c->purpose, a) == 0 && !r->seen_analytics) {
        r->seen_analytics = true;
        r->v->analytics = on;
    } else if (b && strcmp(c->purpose, b) == 0 && !r->seen_advertising) {
        r->seen_advertising = true;
        r->v->advertising = on;
    }
    return 0;
}

static sw_status cookies_read(sw_store *s, const char *visitor,
                              sw_cookie_view *out)
{
    out->analytics = out->advertising = false;
    sw_ident id = {"visitor", visitor};
    sw_who who = {NULL, &id};
    cookie_read r = {s->policy, out, false, false};
    sw_status st = sw_consent_list(s, &who, cookie_row, &r);
    return st == SW_ERR_NOTFOUND ? SW_OK : st; /* no choice made yet */
}

sw_status sw_cookie_state(sw_store *s, const char *visitor, bool gpc,
                          sw_cookie_view *out)
{
    memset(out, 0, sizeof(*out));
    out->necessary = true;
    out->gpc = gpc;
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    if (!visitor || !*visitor)
        return sw_fail(s, SW_ERR_INVALID, "a visitor id is needed");
    sw_status st = cookies_read(s, visitor, out);
    if (st == SW_OK && gpc && (out->analytics || out->advertising)) {
        st = sw_cookie_choose(s, visitor, SW_COOKIE_UNCHANGED,
                              SW_COOKIE_UNCHANGED, true);
        if (st == SW_OK)
            st = cookies_read(s, visitor, out);
    }
    return st;
}

/* ---- restriction ---- */

sw_status sw_subject_restrict(sw_store *s, const char *subject, bool on,
                              const char *reason)
{
    sw_subject_row row;
    sw_status st = sw_subjects_get(s, subject, &row);
    if (st != SW_OK)
        return st;
    int64_t flags = on ? row.flags | SW_SUBJ_RESTRICTED
                       : row.flags & ~(int64_t)SW_SUBJ_RESTRICTED;
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    st = sw_subjects_set_flags(s, subject, flags, row.has_minor,
                               row.minor_until);
    if (st == SW_OK)
        st = sw_audit_json(s, on ? "subject.restrict" : "subject.unrestrict",
                           subject, json_pack("[s]", subject),
                           json_pack("{s:s*}", "reason", reason));
    return sw_tx_end(s, st);
}

/* ---- one-click unsubscribe links ---- */

#define LINK_AD "steward unsubscribe link v1"

static void link_key(sw_store *s, uint8_t key[SW_KEY_BYTES])
{
    sw_blind_typekey(s->keys, "unsubscribe-link", key);
}

sw_status sw_unsubscribe_link(sw_store *s, const sw_ident *ident,
                              const char *channel,
                              char token[SW_LINK_TOKEN_BUFSZ])
{
    token[0] = '\0';
    sw_target t;
    sw_who who = {NULL, ident};
    sw_status st = sw_target_resolve(s, &who, &t, false);
    if (st != SW_OK)
        return st;
    if (strcmp(t.type, "email") != 0 && strcmp(t.type, "phone") != 0)
        return sw_fail(s, SW_ERR_INVALID,
                       "an unsubscribe link is for an e-mail address or a "
                       "phone number, not '%s'",
                       t.type);
    char plain[SW_IDENT_MAX + 64];
    int n = snprintf(plain, sizeof(plain), "%s\n%s\n%s", t.type,
                     channel ? channel : default_channel(t.type), t.value);
    size_t sealed_len = (size_t)n + SW_SEAL_OVERHEAD;
    if (n < 0 || (size_t)n >= sizeof(plain) ||
        sodium_base64_ENCODED_LEN(sealed_len,
                                  sodium_base64_VARIANT_URLSAFE_NO_PADDING) >
            SW_LINK_TOKEN_BUFSZ)
        return sw_fail(s, SW_ERR_LIMIT, "the address is too long for a link");
    uint8_t key[SW_KEY_BYTES], sealed[sizeof(plain) + SW_SEAL_OVERHEAD];
    link_key(s, key);
    sw_seal(s->keys, key, LINK_AD, plain, (size_t)n, sealed);
    sw_wipe(key, sizeof(key));
    sw_wipe(plain, sizeof(plain));
    sodium_bin2base64(token, SW_LINK_TOKEN_BUFSZ, sealed, sealed_len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return SW_OK;
}

sw_status sw_unsubscribe_link_open(sw_store *s, const char *token, char *type,
                                   char *value, char *channel)
{
    type[0] = value[0] = channel[0] = '\0';
    uint8_t sealed[SW_LINK_TOKEN_BUFSZ];
    size_t len = 0;
    if (!token ||
        sodium_base642bin(sealed, sizeof(sealed), token, strlen(token), NULL,
                          &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len <= SW_SEAL_OVERHEAD)
        return sw_fail(s, SW_ERR_DENIED, "not an unsubscribe link of steward");
    uint8_t key[SW_KEY_BYTES];
    char plain[SW_LINK_TOKEN_BUFSZ];
    link_key(s, key);
    sw_status st = sw_unseal(key, LINK_AD, sealed, len, (uint8_t *)plain);
    sw_wipe(key, sizeof(key));
    if (st != SW_OK)
        return sw_fail(s, SW_ERR_DENIED,
                       "this unsubscribe link was not made by this store or "
                       "was altered");
    plain[len - SW_SEAL_OVERHEAD] = '\0';
    char *nl1 = strchr(plain, '\n'), *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
    if (!nl2) {
        sw_wipe(plain, sizeof(plain));
        return sw_fail(s, SW_ERR_CORRUPT, "an unsubscribe link is damaged");
    }
    *nl1 = *nl2 = '\0';
    snprintf(type, SW_LINK_TOKEN_BUFSZ, "%s", plain);
    snprintf(channel, SW_LINK_TOKEN_BUFSZ, "%s", nl1 + 1);
    snprintf(value, SW_LINK_TOKEN_BUFSZ, "%s", nl2 + 1);
    sw_wipe(plain, sizeof(plain));
    return SW_OK;
}
