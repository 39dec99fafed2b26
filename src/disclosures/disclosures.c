/* SPDX-License-Identifier: Apache-2.0 */
/* The disclosure log: what was given to an authority, a court, an auditor
 * or an acquirer, whose data it was (blind-indexed and sealed), on which
 * basis and order, and until when the person may not be told. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "disclosures/disclosures_sql.h"
#include "steward/disclosure.h"
#include "store/chain.h"

static const char *const kinds[] = {
    "law_enforcement", "authority", "auditor", "tax_authority",
    "court",           "acquirer",  NULL};

bool sw_recipient_kind_valid(const char *kind)
{
    for (int i = 0; kind && kinds[i]; i++)
        if (strcmp(kinds[i], kind) == 0)
            return true;
    return false;
}

/* A category of the disclosure names (or is a prefix of) one of the
 * policy's. */
static bool category_known(const sw_policy *p, const char *c)
{
    for (size_t i = 0; c && i < p->n_categories; i++)
        if (sw_category_covers(c, p->categories[i].id))
            return true;
    return false;
}

static sw_status check_spec(sw_store *s, const sw_disclosure_spec *d)
{
    sw_status st;
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    if (!sw_recipient_kind_valid(d->recipient_kind))
        return sw_fail(s, SW_ERR_INVALID,
                       "recipient kind '%s': expected law_enforcement, "
                       "authority, auditor, tax_authority, court or acquirer",
                       d->recipient_kind ? d->recipient_kind : "");
    static const char *const need[] = {"recipient", "basis", "reference"};
    const char *vals[] = {d->recipient, d->basis, d->reference};
    const size_t max[] = {159, 31, 159};
    for (int i = 0; i < 3; i++) {
        if (!vals[i] || !*vals[i])
            return sw_fail(s, SW_ERR_INVALID, "a disclosure needs its %s",
                           need[i]);
        if ((st = sw_check_text(s, need[i], vals[i], max[i])) != SW_OK)
            return st;
    }
    if (d->n_categories == 0)
        return sw_fail(s, SW_ERR_INVALID,
                       "name the categories disclosed (the policy's, such as "
                       "user.telecom.msisdn)");
    for (size_t i = 0; i < d->n_categories; i++)
        if (!category_known(s->policy, d->categories[i]))
            return sw_fail(s, SW_ERR_INVALID,
                           "category '%s' is not one of the policy's",
                           d->categories[i] ? d->categories[i] : "");
    if (d->has_at && (st = sw_instant_check_input(d->at)) != SW_OK)
        return sw_fail(s, st, "the disclosure's time is out of range");
    if (d->has_confidential_until &&
        (st = sw_instant_check_input(d->confidential_until)) != SW_OK)
        return sw_fail(s, st, "the confidentiality date is out of range");
    return SW_OK;
}

/* Whom it concerns: kind, the value in its normal form, its blind index
 * (none for a subject: its id is kept). */
typedef struct scope_of {
    char kind[16];
    char value[SW_IDENT_MAX];
    bool has_bi;
    uint8_t bi[SW_BLIND_BYTES];
} scope_of;

static sw_status parse_scope(sw_store *s, const char *scope, scope_of *o)
{
    memset(o, 0, sizeof(*o));
    const char *colon = scope ? strchr(scope, ':') : NULL;
    if (!colon || !colon[1] || colon - scope >= (long)sizeof(o->kind))
        return sw_fail(s, SW_ERR_INVALID,
                       "scope: expected subject:ID, msisdn:N, email:E or "
                       "account:ACC");
    snprintf(o->kind, sizeof(o->kind), "%.*s", (int)(colon - scope), scope);
    const char *v = colon + 1;
    sw_status st;
    if (strcmp(o->kind, "subject") == 0) {
        sw_subject_row row;
        if ((st = sw_subjects_get(s, v, &row)) != SW_OK)
            return st;
        snprintf(o->value, sizeof(o->value), "%s", v);
        return SW_OK;
    }
    if (strcmp(o->kind, "account") == 0) {
        if ((st = sw_check_text(s, "account", v, 255)) != SW_OK)
            return st;
        snprintf(o->value, sizeof(o->value), "%s", v);
        sw_account_blind(s, v, o->bi);
        o->has_bi = true;
        return SW_OK;
    }
    if (strcmp(o->kind, "phone") == 0)
        snprintf(o->kind, sizeof(o->kind), "msisdn");
    if (strcmp(o->kind, "msisdn") != 0 && strcmp(o->kind, "email") != 0)
        return sw_fail(s, SW_ERR_INVALID,
                       "scope '%s': expected subject, msisdn, email or "
                       "account",
                       o->kind);
    char why[256];
    if (sw_ident_normalise(o->kind, v, s->country[0] ? s->country : NULL,
                           o->value, why, sizeof(why)) != SW_OK)
        return sw_fail(s, SW_ERR_INVALID, "%s", why);
    /* the identifiers' own blind index: the person's subject finds it */
    sw_blind(s->keys, sw_ident_space(o->kind), o->value, strlen(o->value),
             o->bi);
    o->has_bi = true;
    return SW_OK;
}

sw_status sw_disclosure_add(sw_store *s, const sw_disclosure_spec *d,
                            char id[SW_ID_BUFSZ])
{
    id[0] = '\0';
    sw_status st = check_spec(s, d);
    scope_of sc;
    if (st == SW_OK)
        st = parse_scope(s, d->scope, &sc);
    if (st != SW_OK)
        return st;
    sw_instant now = sw_clock_now(&s->clock);
    char did[SW_ID_BUFSZ];
    sw_random_id(s->keys, "dis", now, did);
    uint8_t key[SW_KEY_BYTES], wrapped[SW_WRAPPED_BYTES];
    sw_datakey_new(s->keys, did, key, wrapped);
    size_t n = strlen(sc.value);
    uint8_t *sealed = malloc(n + SW_SEAL_OVERHEAD);
    json_t *cats = json_array();
    for (size_t i = 0; i < d->n_categories; i++)
        json_array_append_new(cats, json_string(d->categories[i]));
    char *categories = json_dumps(cats, JSON_COMPACT);
    if (!sealed || !categories) {
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    } else {
        char ad[64];
        snprintf(ad, sizeof(ad), "disclosure|%s", did);
        sw_seal(s->keys, key, ad, sc.value, n, sealed);
        sw_disclosure_row r = {did,
                               d->has_at ? d->at : now,
                               d->recipient_kind,
                               d->recipient,
                               d->basis,
                               d->reference,
                               sc.kind,
                               sc.has_bi ? sc.bi : NULL,
                               sc.has_bi ? NULL : sc.value,
                               sealed,
                               n + SW_SEAL_OVERHEAD,
                               wrapped,
                               SW_WRAPPED_BYTES,
                               categories,
                               d->has_confidential_until,
                               d->confidential_until,
                               s->actor};
        if ((st = sw_tx_begin(s)) == SW_OK) {
            st = sw_disclosures_insert(s, &r);
            if (st == SW_OK)
                st = sw_audit_json(
                    s, "disclosure.add", sc.has_bi ? NULL : sc.value,
                    json_pack("[s]", did),
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:b}",
                              "recipient_kind", d->recipient_kind, "recipient",
                              d->recipient, "basis", d->basis, "reference",
                              d->reference, "scope", sc.kind, "categories",
                              cats, "confidential", d->has_confidential_until));
            st = sw_tx_end(s, st);
        }
    }
    json_decref(cats);
    free(categories);
    free(sealed);
    sw_wipe(key, sizeof(key));
    sw_wipe(&sc, sizeof(sc));
    if (st == SW_OK)
        snprintf(id, SW_ID_BUFSZ, "%s", did);
    return st;
}

typedef struct list_ctx {
    sw_store *s;
    int (*cb)(const sw_disclosure_view *d, void *ctx);
    void *ctx;
    size_t shown;
    sw_status st;
} list_ctx;

/* A JSON array of strings as "a, b". */
static void join(const char *json, char *out, size_t n)
{
    out[0] = '\0';
    json_t *a = json ? json_loads(json, 0, NULL) : NULL;
    size_t i, k = 0;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        k += (size_t)snprintf(out + k, k < n ? n - k : 0, "%s%s", i ? ", " : "",
                              json_string_value(x) ? json_string_value(x) : "");
        if (k >= n)
            break;
    }
    json_decref(a);
}

static int list_row(const sw_disclosure_row *r, void *p)
{
    list_ctx *c = p;
    sw_disclosure_view v;
    memset(&v, 0, sizeof(v));
    snprintf(v.id, sizeof(v.id), "%s", r->id);
    v.at = r->at;
    snprintf(v.recipient_kind, sizeof(v.recipient_kind), "%s",
             r->recipient_kind);
    snprintf(v.recipient, sizeof(v.recipient), "%s", r->recipient);
    snprintf(v.basis, sizeof(v.basis), "%s", r->basis);
    snprintf(v.reference, sizeof(v.reference), "%s", r->reference);
    snprintf(v.scope_kind, sizeof(v.scope_kind), "%s", r->scope_kind);
    snprintf(v.actor, sizeof(v.actor), "%s", r->actor ? r->actor : "");
    join(r->categories, v.categories, sizeof(v.categories));
    v.has_confidential_until = r->has_confidential_until;
    v.confidential_until = r->confidential_until;
    v.confidential = r->has_confidential_until &&
                     r->confidential_until > sw_clock_now(&c->s->clock);
    char ad[64];
    snprintf(ad, sizeof(ad), "disclosure|%s", r->id);
    if (!r->scope_enc || r->scope_enc_len <= SW_SEAL_OVERHEAD ||
        r->scope_enc_len - SW_SEAL_OVERHEAD >= sizeof(v.scope) ||
        sw_unseal_wrapped(c->s->keys, r->id, r->wrapped, r->wrapped_len, ad,
                          r->scope_enc, r->scope_enc_len,
                          (uint8_t *)v.scope) != SW_OK) {
        c->st =
            sw_fail(c->s, SW_ERR_CRYPTO,
                    "disclosure %s: whom it concerns does not decrypt", r->id);
        return 1;
    }
    c->shown++;
    int stop = c->cb ? c->cb(&v, c->ctx) : 0;
    sw_wipe(&v, sizeof(v));
    return stop;
}

sw_status sw_disclosure_list(sw_store *s, const char *subject,
                             int (*cb)(const sw_disclosure_view *d, void *ctx),
                             void *ctx)
{
    list_ctx c = {s, cb, ctx, 0, SW_OK};
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    st = sw_disclosures_list(s, subject, list_row, &c);
    st = st != SW_OK ? st : c.st;
    if (st == SW_OK && c.shown)
        st = sw_audit_json(s, "disclosure.list", subject, json_array(),
                           json_pack("{s:I}", "entries", (json_int_t)c.shown));
    return sw_tx_end(s, st);
}
