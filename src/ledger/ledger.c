/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger: subjects, identifiers, records and lifecycle events. Personal
 * values are sealed under the subject's data key with additional data that
 * binds each to its row; identifiers and account names are found through
 * blind indexes. Due dates are computed from the policy when a record is
 * written and moved, in the same transaction, when an event arrives.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/json.h"
#include "core/vec.h"
#include "ledger/ledger_sql.h"
#include "steward/ident.h"
#include "steward/ledger.h"
#include "steward/scan.h"
#include "store/chain.h"

/* Blind-index "types" of the scopes, apart from identifier types. */
#define SCOPE_ACCOUNT "scope.account"
#define SCOPE_TENANT "scope.tenant"

static sw_status need_policy(sw_store *s)
{
    return s->policy ? SW_OK
                     : sw_fail(s, SW_ERR_INVALID,
                               "no policy loaded: the ledger checks every "
                               "change against one");
}

static void blind_of(sw_store *s, const char *type, const char *value,
                     uint8_t out[SW_BLIND_BYTES])
{
    sw_blind(s->keys, type, value, strlen(value), out);
}

void sw_account_blind(sw_store *s, const char *account,
                      uint8_t out[SW_BLIND_BYTES])
{
    blind_of(s, SCOPE_ACCOUNT, account, out);
}

void sw_account_blind_key(sw_store *s, uint8_t tkey[SW_KEY_BYTES])
{
    sw_blind_typekey(s->keys, SCOPE_ACCOUNT, tkey);
}

/* Seals text into a fresh heap buffer (*len bytes). NULL on no memory. */
static uint8_t *seal_text(sw_store *s, const uint8_t key[SW_KEY_BYTES],
                          const char *ad, const char *text, size_t n,
                          size_t *len)
{
    uint8_t *out = malloc(n + SW_SEAL_OVERHEAD);
    if (out) {
        sw_seal(s->keys, key, ad, text, n, out);
        *len = n + SW_SEAL_OVERHEAD;
    }
    return out;
}

/* Opens a sealed value into a NUL-terminated heap string (caller wipes and
 * frees). */
static sw_status unseal_text(sw_store *s, const uint8_t key[SW_KEY_BYTES],
                             const char *ad, const uint8_t *in, size_t n,
                             char **out, size_t *len)
{
    *out = NULL;
    if (n < SW_SEAL_OVERHEAD)
        return sw_fail(s, SW_ERR_CORRUPT, "sealed value too short (%s)", ad);
    size_t m = n - SW_SEAL_OVERHEAD;
    char *p = malloc(m + 1);
    if (!p)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (sw_unseal(key, ad, in, n, (uint8_t *)p) != SW_OK) {
        free(p);
        return sw_fail(s, SW_ERR_CRYPTO,
                       "cannot decrypt %s: the value was altered or moved "
                       "from another row",
                       ad);
    }
    p[m] = '\0';
    *out = p;
    if (len)
        *len = m;
    return SW_OK;
}

static void free_secret(char *p, size_t n)
{
    if (p) {
        sw_wipe(p, n);
        free(p);
    }
}

/* Reads a subject and unwraps its data key. */
static sw_status load_subject(sw_store *s, const char *id, sw_subject_row *r,
                              uint8_t key[SW_KEY_BYTES])
{
    sw_status st = sw_subjects_get(s, id, r);
    if (st != SW_OK)
        return st;
    if (!r->has_key)
        return sw_fail(s, SW_ERR_NOTFOUND, "subject %s was erased", id);
    if (key && sw_datakey_unwrap(s->keys, id, r->wrapped_key, SW_WRAPPED_BYTES,
                                 key) != SW_OK)
        return sw_fail(s, SW_ERR_CRYPTO,
                       "cannot unwrap the data key of subject %s", id);
    return SW_OK;
}

/* load_subject for writers: inside a batch the subjects written to and
 * their unwrapped keys are cached (the batch holds the write lock),
 * direct-mapped by a hash of the id; forgotten when the batch ends. */
#define KEY_CACHE 1024

typedef struct key_slot {
    bool used;
    sw_subject_row row;
    uint8_t key[SW_KEY_BYTES];
} key_slot;

static void subject_keys_forget(void *p)
{
    sw_wipe(p, sizeof(key_slot) * KEY_CACHE);
}

static void subject_keys_free(void *p)
{
    subject_keys_forget(p);
    free(p);
}

static key_slot *key_cache_slot(sw_store *s, const char *id)
{
    key_slot *c = sw_ext_get(s, SW_EXT_SUBJECT_KEYS);
    if (!c && (c = calloc(KEY_CACHE, sizeof(*c))))
        sw_ext_set(s, SW_EXT_SUBJECT_KEYS, c, subject_keys_forget,
                   subject_keys_free);
    return c ? &c[sw_hash_str(SW_HASH_SEED, id) % KEY_CACHE] : NULL;
}

static sw_status subject_for_write(sw_store *s, const char *id,
                                   sw_subject_row *r, uint8_t key[SW_KEY_BYTES])
{
    key_slot *slot = s->in_batch ? key_cache_slot(s, id) : NULL;
    if (slot && slot->used && strcmp(slot->row.id, id) == 0) {
        *r = slot->row;
        memcpy(key, slot->key, SW_KEY_BYTES);
        return SW_OK;
    }
    sw_status st = load_subject(s, id, r, key);
    if (st == SW_OK && slot) {
        slot->row = *r;
        memcpy(slot->key, key, SW_KEY_BYTES);
        slot->used = true;
    }
    return st;
}

static const sw_subject_kind *kind_of(const sw_policy *p, const char *kind)
{
    for (size_t i = 0; kind && i < p->n_subjects; i++)
        if (strcmp(p->subjects[i].id, kind) == 0)
            return &p->subjects[i];
    return NULL;
}

typedef struct norm_ident {
    const char *type;
    char value[SW_IDENT_MAX];
    uint8_t blind[SW_BLIND_BYTES];
} norm_ident;

static sw_status normalise(sw_store *s, const sw_ident *in, norm_ident *out)
{
    char why[512];
    if (sw_ident_normalise(in->type, in->value,
                           s->country[0] ? s->country : NULL, out->value, why,
                           sizeof(why)) != SW_OK)
        return sw_fail(s, SW_ERR_INVALID, "%s", why);
    out->type = in->type;
    blind_of(s, sw_ident_space(in->type), out->value, out->blind);
    return SW_OK;
}

/* Inserts one normalised identifier of subject (inside a transaction). */
static sw_status insert_ident(sw_store *s, const char *subject,
                              const uint8_t key[SW_KEY_BYTES],
                              const norm_ident *ni)
{
    char ad[160], owner[SW_ID_BUFSZ] = "";
    snprintf(ad, sizeof(ad), "ident|%s|%s", subject, ni->type);
    size_t len;
    uint8_t *sealed = seal_text(s, key, ad, ni->value, strlen(ni->value), &len);
    if (!sealed)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_ident_row r = {{0},    ni->type, subject,
                      sealed, len,      sw_clock_now(&s->clock)};
    memcpy(r.blind, ni->blind, SW_BLIND_BYTES);
    sw_status st = sw_identifiers_insert(s, &r, owner);
    free(sealed);
    if (st == SW_ERR_CONFLICT)
        return sw_fail(s, st, "%s identifier already belongs to subject %s",
                       ni->type, owner);
    return st;
}

sw_status sw_subject_add(sw_store *s, const sw_subject_spec *spec,
                         char id[SW_ID_BUFSZ])
{
    id[0] = '\0';
    sw_status st = need_policy(s);
    if (st != SW_OK)
        return st;
    const sw_subject_kind *kind = kind_of(s->policy, spec->kind);
    if (!kind)
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown subject kind '%s' (see 'subjects' in the "
                       "policy)",
                       spec->kind ? spec->kind : "");
    if ((st = sw_check_text(s, "account", spec->account, 256)) != SW_OK ||
        (st = sw_check_text(s, "tenant", spec->tenant, 256)) != SW_OK)
        return st;
    const char *role =
        spec->role ? spec->role : sw_role_name((sw_role)kind->role);
    if (strcmp(role, "controller") != 0 && strcmp(role, "processor") != 0)
        return sw_fail(s, SW_ERR_INVALID,
                       "role '%s': expected controller or processor", role);
    norm_ident *ids = calloc(spec->n_idents ? spec->n_idents : 1, sizeof(*ids));
    if (!ids)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < spec->n_idents && st == SW_OK; i++) {
        st = normalise(s, &spec->idents[i], &ids[i]);
        for (size_t j = 0; j < i && st == SW_OK; j++)
            if (memcmp(ids[j].blind, ids[i].blind, SW_BLIND_BYTES) == 0)
                st = sw_fail(s, SW_ERR_INVALID, "%s identifier given twice",
                             ids[i].type);
    }
    if (st != SW_OK) {
        sw_wipe(ids, sizeof(*ids) * spec->n_idents);
        free(ids);
        return st;
    }

    char sid[SW_ID_BUFSZ];
    sw_random_id(s->keys, "sub", sw_clock_now(&s->clock), sid);
    sw_subject_row r;
    memset(&r, 0, sizeof(r));
    uint8_t key[SW_KEY_BYTES];
    snprintf(r.id, sizeof(r.id), "%s", sid);
    snprintf(r.kind, sizeof(r.kind), "%s", spec->kind);
    snprintf(r.role, sizeof(r.role), "%s", role);
    sw_datakey_new(s->keys, sid, key, r.wrapped_key);
    r.has_key = true;
    r.created_at = sw_clock_now(&s->clock);
    char ad[96];
    if (spec->account && *spec->account) { /* under 256 bytes: it fits */
        r.has_account = true;
        blind_of(s, SCOPE_ACCOUNT, spec->account, r.account_bi);
        snprintf(ad, sizeof(ad), "account|%s", sid);
        sw_seal(s->keys, key, ad, spec->account, strlen(spec->account),
                r.account_enc);
        r.account_enc_len = strlen(spec->account) + SW_SEAL_OVERHEAD;
    }
    if (spec->tenant && *spec->tenant) {
        r.has_tenant = true;
        blind_of(s, SCOPE_TENANT, spec->tenant, r.tenant_bi);
        snprintf(ad, sizeof(ad), "tenant|%s", sid);
        sw_seal(s->keys, key, ad, spec->tenant, strlen(spec->tenant),
                r.tenant_enc);
        r.tenant_enc_len = strlen(spec->tenant) + SW_SEAL_OVERHEAD;
    }

    if (st == SW_OK)
        st = sw_tx_begin(s);
    if (st == SW_OK) {
        st = sw_subjects_insert(s, &r);
        for (size_t i = 0; i < spec->n_idents && st == SW_OK; i++)
            st = insert_ident(s, sid, key, &ids[i]);
        if (st == SW_OK && s->in_batch) { /* one entry for the batch */
            st = sw_audit_note(s, SW_PEND_SUBJECT, sid, NULL);
        } else if (st == SW_OK) {
            json_t *types = json_array();
            for (size_t i = 0; i < spec->n_idents; i++)
                json_array_append_new(types, json_string(ids[i].type));
            st = sw_audit_json(
                s, "subject.add", sid, json_pack("[s]", sid),
                json_pack("{s:s, s:s, s:o, s:b, s:b}", "kind", spec->kind,
                          "role", role, "identifiers", types, "account",
                          r.has_account, "tenant", r.has_tenant));
        }
        st = sw_tx_end(s, st);
    }
    sw_wipe(key, sizeof(key));
    sw_wipe(ids, sizeof(*ids) * spec->n_idents);
    free(ids);
    sw_wipe(&r, sizeof(r));
    if (st == SW_OK)
        snprintf(id, SW_ID_BUFSZ, "%s", sid);
    return st;
}

sw_status sw_ident_add(sw_store *s, const char *subject, const sw_ident *ident)
{
    norm_ident ni;
    sw_subject_row r;
    uint8_t key[SW_KEY_BYTES];
    sw_status st = normalise(s, ident, &ni);
    if (st == SW_OK)
        st = load_subject(s, subject, &r, key);
    if (st != SW_OK)
        return st;
    char *details = sw_json_text(json_pack("{s:s}", "type", ni.type));
    char *objects = sw_json_text(json_pack("[s]", subject));
    st = sw_tx_begin(s);
    if (st == SW_OK) {
        st = insert_ident(s, subject, key, &ni);
        if (st == SW_OK)
            st =
                sw_audit_append(s, "identifier.add", subject, objects, details);
        st = sw_tx_end(s, st);
    }
    sw_wipe(key, sizeof(key));
    sw_wipe(&ni, sizeof(ni));
    free(details);
    free(objects);
    return st;
}

typedef struct reblind_ctx {
    sw_store *s;
    sw_vec *moves; /* reblind_move */
    sw_status st;
} reblind_ctx;

typedef struct reblind_move {
    uint8_t from[SW_BLIND_BYTES], to[SW_BLIND_BYTES];
    char subject[SW_ID_BUFSZ];
} reblind_move;

static int reblind_row(const sw_ident_row *r, void *p)
{
    reblind_ctx *c = p;
    sw_subject_row subj;
    uint8_t key[SW_KEY_BYTES];
    if (load_subject(c->s, r->subject, &subj, key) != SW_OK)
        return 0; /* an erased subject's identifiers are noise */
    char ad[160], *value = NULL;
    size_t n = 0;
    snprintf(ad, sizeof(ad), "ident|%s|%s", r->subject, r->type);
    c->st = unseal_text(c->s, key, ad, r->value, r->value_len, &value, &n);
    sw_wipe(key, sizeof(key));
    if (c->st != SW_OK)
        return 1;
    reblind_move *m = sw_vec_push(c->moves);
    if (m) {
        memcpy(m->from, r->blind, SW_BLIND_BYTES);
        blind_of(c->s, sw_ident_space(r->type), value, m->to);
        snprintf(m->subject, sizeof(m->subject), "%s", r->subject);
    }
    free_secret(value, n);
    return m ? 0 : 1;
}

sw_status sw_ident_space_migrate(sw_store *s)
{
    char pending[16] = "";
    sw_status st = sw_meta_get(s, "ident_space", pending, sizeof(pending));
    if (st == SW_ERR_NOTFOUND || (st == SW_OK && strcmp(pending, "msisdn")))
        return SW_OK;
    if (st != SW_OK)
        return st;
    sw_vec moves = SW_VEC(reblind_move);
    reblind_ctx c = {s, &moves, SW_OK};
    size_t moved = 0;
    json_t *apart = json_array();
    if ((st = sw_tx_begin(s)) != SW_OK) {
        json_decref(apart);
        return st;
    }
    /* again inside: another handle may have moved them meanwhile */
    if ((st = sw_meta_get(s, "ident_space", pending, sizeof(pending))) !=
            SW_OK ||
        strcmp(pending, "msisdn") != 0) {
        json_decref(apart);
        return sw_tx_end(s, st == SW_ERR_NOTFOUND ? SW_OK : st);
    }
    st = sw_identifiers_of_type(s, "msisdn", reblind_row, &c);
    st = st != SW_OK ? st : c.st;
    if (st == SW_OK && moves.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < moves.n; i++) {
        reblind_move *m = SW_VEC_AT(&moves, reblind_move, i);
        char owner[SW_ID_BUFSZ] = "";
        st = sw_identifiers_lookup(s, m->to, owner);
        if (st == SW_OK) { /* the number is another subject's phone */
            json_array_append_new(apart,
                                  json_pack("[s, s]", m->subject, owner));
            continue;
        }
        if (st == SW_ERR_NOTFOUND &&
            (st = sw_identifiers_reblind(s, m->from, m->to)) == SW_OK)
            moved++;
    }
    if (st == SW_OK)
        st = sw_meta_set(s, "ident_space", "one");
    if (st == SW_OK)
        st = sw_audit_json(s, "identifier.space", NULL, NULL,
                           json_pack("{s:I, s:O}", "msisdns_moved",
                                     (json_int_t)moved, "held_twice", apart));
    st = sw_tx_end(s, st);
    json_decref(apart);
    if (moves.v)
        sw_wipe(moves.v, moves.n * sizeof(reblind_move));
    sw_vec_release(&moves);
    return st;
}

sw_status sw_subject_find(sw_store *s, const sw_ident *ident,
                          char id[SW_ID_BUFSZ])
{
    id[0] = '\0';
    norm_ident ni;
    sw_status st = normalise(s, ident, &ni);
    if (st != SW_OK)
        return st;
    st = sw_identifiers_lookup(s, ni.blind, id);
    sw_wipe(&ni, sizeof(ni));
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "no subject has this %s", ident->type);
    return st;
}

sw_status sw_subject_find_account(sw_store *s, const char *account,
                                  int (*cb)(const char *id, void *ctx),
                                  void *ctx)
{
    uint8_t bi[SW_BLIND_BYTES];
    blind_of(s, SCOPE_ACCOUNT, account, bi);
    return sw_subjects_in_scope(s, SW_EV_ACCOUNT, bi, cb, ctx);
}

/* ---- retention: which rules apply to a record, and its due date ---- */

static const sw_activity *activity_of(const sw_policy *p, const char *id)
{
    return id ? sw_policy_activity(p, id) : NULL;
}

/* What compute_due needs to know about a record and its subject. */
typedef struct due_input {
    const char *event; /* the record's event entity, or NULL */
    const char *record;
    const char *activity;
    const char *category;
    sw_instant collected_at;
    const sw_subject_row *subject;
} due_input;

static sw_status latest_event(sw_store *s, const due_input *in,
                              const char *type, sw_instant *at)
{
    sw_event_keys k = {in->event, in->record, in->subject->id,
                       in->subject->has_account ? in->subject->account_bi
                                                : NULL,
                       in->subject->has_tenant ? in->subject->tenant_bi : NULL};
    return sw_events_latest(s, type, &k, at);
}

/*
 * The earliest due instant over the rules that apply to the record: each
 * counts from its trigger (the record's own time for record-scoped
 * triggers, else the latest such event on the record, its subject, account
 * or tenant); a rule whose "unless" event happened does not count.
 */
static sw_status compute_due(sw_store *s, const due_input *in, sw_due *out)
{
    memset(out, 0, sizeof(*out));
    const sw_activity *a = activity_of(s->policy, in->activity);
    if (!a)
        return SW_OK; /* an activity the current policy no longer has */
    for (size_t i = 0; i < a->n_rules; i++) {
        const sw_rule *r = &a->rules[i];
        if (!sw_rule_applies(r, in->category, in->subject->kind))
            continue;
        if (!out->rule[0])
            snprintf(out->rule, sizeof(out->rule), "%s", r->id);
        if (r->keep_kind != SW_KEEP_PERIOD)
            continue;
        bool cancelled = false;
        sw_instant t;
        for (size_t u = 0; u < r->unless.n && !cancelled; u++) {
            sw_status st = latest_event(s, in, r->unless.v[u], &t);
            if (st == SW_OK)
                cancelled = true;
            else if (st != SW_ERR_NOTFOUND)
                return st;
        }
        if (cancelled)
            continue;
        const sw_trigger *tr = sw_policy_trigger(s->policy, r->after);
        if (tr && tr->scope == SW_SCOPE_RECORD) {
            t = in->collected_at;
        } else {
            sw_status st = latest_event(s, in, r->after, &t);
            if (st == SW_ERR_NOTFOUND)
                continue;
            if (st != SW_OK)
                return st;
        }
        sw_instant due;
        sw_rule_due(r, t, &due);
        if (!out->has_due || due < out->due_at) {
            out->has_due = true;
            out->due_at = due;
            snprintf(out->rule, sizeof(out->rule), "%s", r->id);
        }
    }
    return SW_OK;
}

/* An event entity's id: 1 to 63 printable ASCII bytes (it is shown and
 * given back as it is). */
#define EVENT_ID_RULE                                                          \
    "an event's id: 1 to 63 printable characters (letters, digits, "           \
    "punctuation), for example EV-7"
static bool event_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (id[i] <= ' ' || id[i] > '~')
            return false;
    return true;
}

/* The source of a record added without one: the data subject when the
 * activity declares it (what a person gives is the common case), else
 * the activity's first declared source; NULL when it declares none. */
static const char *default_source(const sw_activity *a)
{
    if (sw_strs_contains(&a->sources, "data_subject"))
        return "data_subject";
    return a->sources.n ? a->sources.v[0] : NULL;
}

/* ---- free text scanned on write (docs/scan.md) ---- */

/* The scanner of every type, compiled once for the handle (a scan rule
 * restricts what it removes). */
static void scan_cache_free(void *p)
{
    sw_scan_free(p);
}

static sw_status scanner_of(sw_store *s, const sw_scan **out)
{
    sw_scan *sc = sw_ext_get(s, SW_EXT_SCANNERS);
    if (!sc) {
        char why[200];
        sw_status st = sw_scan_new(0, &sc, why, sizeof(why));
        if (st != SW_OK)
            return sw_fail(s, st, "the scanner: %s", why);
        sw_ext_set(s, SW_EXT_SCANNERS, sc, NULL, scan_cache_free);
    }
    *out = sc;
    return SW_OK;
}

static const sw_scan_rule *scan_rule_of(const sw_activity *a,
                                        const char *category)
{
    for (size_t i = 0; i < a->n_scans; i++)
        if (sw_strs_contains(&a->scans[i].categories, category))
            return &a->scans[i];
    return NULL;
}

/* The value as it may be stored: redacted by the activity's scan rule
 * for the category (*clean, the caller's, NULL when no rule applies);
 * counts of what was removed. A value left empty is stored as
 * "[dropped]". */
static sw_status scan_on_write(sw_store *s, const sw_activity *a,
                               const sw_record_spec *spec, char **clean,
                               size_t *clean_n, size_t counts[SW_PII_COUNT])
{
    *clean = NULL;
    const sw_scan_rule *r = scan_rule_of(a, spec->category);
    if (!r)
        return SW_OK;
    const sw_scan *sc = NULL;
    sw_status st = scanner_of(s, &sc);
    if (st != SW_OK)
        return st;
    uint8_t key[32];
    if (r->redact == SW_REDACT_HASH)
        sw_store_pseudonym_key(s, key);
    st = sw_redact_text(sc, (sw_redact_mode)r->redact, r->type_set,
                        r->redact == SW_REDACT_HASH ? key : NULL, spec->value,
                        spec->value_len, clean, clean_n, counts);
    sw_wipe(key, sizeof(key));
    if (st != SW_OK)
        return sw_fail(s, st, "scanning the value of category '%s'",
                       spec->category);
    if (*clean_n == 0) {
        free(*clean);
        *clean = strdup("[dropped]");
        *clean_n = *clean ? strlen(*clean) : 0;
        if (!*clean)
            return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    return SW_OK;
}

sw_status sw_record_add(sw_store *s, const sw_record_spec *spec,
                        char id[SW_ID_BUFSZ], sw_due *due_out)
{
    id[0] = '\0';
    sw_status st = need_policy(s);
    if (st != SW_OK)
        return st;
    const sw_activity *a = activity_of(s->policy, spec->activity);
    if (!a)
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown activity '%s' (see 'steward policy show')",
                       spec->activity ? spec->activity : "");
    if (!spec->category || !sw_strs_contains(&a->categories, spec->category))
        return sw_fail(s, SW_ERR_INVALID,
                       "activity '%s' has no category '%s' in the policy",
                       a->id, spec->category ? spec->category : "");
    if (spec->source && !sw_strs_contains(&a->sources, spec->source))
        return sw_fail(s, SW_ERR_INVALID,
                       "activity '%s' has no source '%s' in the policy", a->id,
                       spec->source);
    if (!spec->value || spec->value_len == 0)
        return sw_fail(s, SW_ERR_INVALID, "a record needs a value");
    if (spec->has_collected_at &&
        sw_instant_check_input(spec->collected_at) != SW_OK)
        return sw_fail(s, SW_ERR_RANGE,
                       "collected_at: a year from %d to %d, please",
                       SW_YEAR_MIN_INPUT, SW_YEAR_MAX_INPUT);
    if (spec->value_len > SW_VALUE_MAX)
        return sw_fail(s, SW_ERR_LIMIT, "value of %zu bytes exceeds %d",
                       spec->value_len, SW_VALUE_MAX);
    if (spec->event && !event_id_ok(spec->event))
        return sw_fail(s, SW_ERR_INVALID, EVENT_ID_RULE);
    sw_subject_row subj;
    uint8_t key[SW_KEY_BYTES];
    if ((st = subject_for_write(s, spec->subject, &subj, key)) != SW_OK)
        return st;
    if (!sw_strs_contains(&a->subjects, subj.kind)) {
        sw_wipe(key, sizeof(key));
        return sw_fail(s, SW_ERR_INVALID,
                       "activity '%s' does not process subjects of kind '%s'",
                       a->id, subj.kind);
    }
    char *clean;
    size_t clean_n = 0, counts[SW_PII_COUNT] = {0};
    if ((st = scan_on_write(s, a, spec, &clean, &clean_n, counts)) != SW_OK) {
        sw_wipe(key, sizeof(key));
        return st;
    }
    char rid[SW_ID_BUFSZ], ad[256];
    sw_random_id(s->keys, "rec", sw_clock_now(&s->clock), rid);
    snprintf(ad, sizeof(ad), "record|%s|%s|%s", spec->subject, rid,
             spec->category);
    size_t len;
    uint8_t *sealed = seal_text(s, key, ad, clean ? clean : spec->value,
                                clean ? clean_n : spec->value_len, &len);
    sw_wipe(key, sizeof(key));
    if (clean) {
        sw_wipe(clean, clean_n);
        free(clean);
    }
    if (!sealed)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_instant at =
        spec->has_collected_at ? spec->collected_at : sw_clock_now(&s->clock);
    sw_due due;
    memset(&due, 0, sizeof(due));
    due_input in = {spec->event, rid, a->id, spec->category, at, &subj};
    /* In a batch the insert is the change's only write: where one failed
     * statement is undone alone (SQLite), no savepoint is needed around
     * it; elsewhere it gets one, so a failure never takes the batch. */
    bool framed = !s->in_batch || !(s->drv->caps & SW_DRV_STMT_ATOMIC);
    if (!framed) /* what sw_audit_unnote goes back to */
        sw_audit_mark(s, SW_PEND_RECORD);
    if (!framed || (st = sw_tx_begin(s)) == SW_OK) {
        st = compute_due(s, &in, &due);
        if (st == SW_OK && s->in_batch)
            st = sw_audit_note(s, SW_PEND_RECORD, spec->subject, rid);
        if (st == SW_OK && s->in_batch && scan_rule_of(a, spec->category)) {
            _Static_assert(SW_PII_COUNT <= SW_TALLY_MAX,
                           "an audit entry counts every type");
            const char *names[SW_PII_COUNT];
            for (int t = 0; t < SW_PII_COUNT; t++)
                names[t] = sw_pii_name((sw_pii_type)t);
            sw_audit_note_counts(s, SW_PEND_RECORD, "scan_removed", names,
                                 counts, SW_PII_COUNT);
        }
        if (st == SW_OK) {
            sw_record_row r = {rid,
                               spec->subject,
                               a->id,
                               spec->category,
                               sealed,
                               len,
                               spec->source ? spec->source : default_source(a),
                               at,
                               due.has_due,
                               due.due_at,
                               due.rule[0] ? due.rule : NULL,
                               spec->event};
            if ((st = sw_records_insert(s, &r)) != SW_OK)
                sw_audit_unnote(s);
        }
        if (st == SW_OK && !s->in_batch) {
            char when[SW_INSTANT_BUFSZ];
            json_t *d =
                json_pack("{s:s, s:s, s:s, s:s}", "activity", a->id, "category",
                          spec->category, "collected_at",
                          sw_instant_format(at, when), "rule", due.rule);
            if (due.has_due)
                json_object_set_new(
                    d, "due", json_string(sw_instant_format(due.due_at, when)));
            if (scan_rule_of(a, spec->category)) /* what, never the values */
                json_object_set_new(d, "scan_removed",
                                    sw_pii_counts_json(counts));
            char *details = sw_json_text(d);
            char *objects =
                sw_json_text(json_pack("[s, s]", spec->subject, rid));
            st = details && objects
                     ? sw_audit_append(s, "record.add", spec->subject, objects,
                                       details)
                     : sw_fail(s, SW_ERR_NOMEM, "out of memory");
            free(details);
            free(objects);
        }
        if (framed)
            st = sw_tx_end(s, st);
        else if (st == SW_OK)
            st = sw_audit_settle(s);
    }
    free(sealed);
    if (st == SW_OK) {
        snprintf(id, SW_ID_BUFSZ, "%s", rid);
        if (due_out)
            *due_out = due;
    }
    return st;
}

/* ---- events ---- */

typedef struct rec_item {
    char id[SW_ID_BUFSZ];
    char subject[SW_ID_BUFSZ];
    char activity[96];
    char category[128];
    sw_instant collected_at;
    bool has_due;
    sw_instant due_at;
    char rule[96];
    char event[64]; /* "" when none */
} rec_item;

static int collect_record(const sw_record_row *r, void *p)
{
    rec_item *it = sw_vec_push(p);
    if (!it)
        return 1;
    snprintf(it->id, sizeof(it->id), "%s", r->id);
    snprintf(it->subject, sizeof(it->subject), "%s", r->subject);
    snprintf(it->activity, sizeof(it->activity), "%s", r->activity);
    snprintf(it->category, sizeof(it->category), "%s", r->category);
    it->collected_at = r->collected_at;
    it->has_due = r->has_due;
    it->due_at = r->due_at;
    snprintf(it->rule, sizeof(it->rule), "%s", r->rule ? r->rule : "");
    snprintf(it->event, sizeof(it->event), "%s", r->event ? r->event : "");
    return 0;
}

typedef char subject_id[SW_ID_BUFSZ];

static int collect_id(const char *id, void *p)
{
    subject_id *e = sw_vec_push(p);
    if (!e)
        return 1;
    snprintf(*e, SW_ID_BUFSZ, "%s", id);
    return 0;
}

/* Does any rule that applies to the record count from, or get cancelled
 * by, an event of this type? */
static bool event_matters(const sw_policy *p, const rec_item *it,
                          const char *kind, const char *type)
{
    const sw_activity *a = activity_of(p, it->activity);
    for (size_t i = 0; a && i < a->n_rules; i++) {
        const sw_rule *r = &a->rules[i];
        if (!sw_rule_applies(r, it->category, kind))
            continue;
        if ((r->after && strcmp(r->after, type) == 0) ||
            sw_strs_contains(&r->unless, type))
            return true;
    }
    return false;
}

/* Recomputes the due dates of the listed records; counts those moved. */
static sw_status move_dues(sw_store *s, sw_vec *recs, const char *type,
                           size_t *moved)
{
    sw_subject_row subj;
    memset(&subj, 0, sizeof(subj));
    for (size_t i = 0; i < recs->n; i++) {
        rec_item *it = SW_VEC_AT(recs, rec_item, i);
        if (strcmp(subj.id, it->subject) != 0) {
            sw_status st = sw_subjects_get(s, it->subject, &subj);
            if (st != SW_OK)
                return st;
        }
        if (!event_matters(s->policy, it, subj.kind, type))
            continue;
        due_input in = {it->event[0] ? it->event : NULL,
                        it->id,
                        it->activity,
                        it->category,
                        it->collected_at,
                        &subj};
        sw_due due;
        sw_status st = compute_due(s, &in, &due);
        if (st != SW_OK)
            return st;
        if (due.has_due == it->has_due &&
            (!due.has_due || due.due_at == it->due_at) &&
            strcmp(due.rule, it->rule) == 0)
            continue;
        st = sw_records_set_due(s, it->id, due.has_due, due.due_at,
                                due.rule[0] ? due.rule : NULL);
        if (st != SW_OK)
            return st;
        if (due.has_due != it->has_due || due.due_at != it->due_at)
            (*moved)++;
    }
    return SW_OK;
}

/* Records re-dated per page: the page is read whole before any is
 * written, so no statement reads the table while it changes. */
#define REDATE_PAGE 1000
#define REDATE_SUBJECTS 4096

sw_status sw_records_redate(sw_store *s, const char *activity, bool dry,
                            sw_redate_cb cb, void *ctx)
{
    char after[SW_ID_BUFSZ] = "";
    sw_vec page = SW_VEC(rec_item);
    /* the subjects met, direct-mapped by a hash of the id: records come
     * by id, their subjects in no order */
    sw_subject_row *subjects = calloc(REDATE_SUBJECTS, sizeof(*subjects));
    if (!subjects)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_status st = SW_OK;
    bool more = true;
    while (st == SW_OK && more) {
        page.n = 0;
        st = sw_records_page(s, activity, after, REDATE_PAGE, collect_record,
                             &page);
        if (st == SW_OK && page.nomem)
            st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
        more = st == SW_OK && page.n == REDATE_PAGE;
        for (size_t i = 0; st == SW_OK && i < page.n; i++) {
            const rec_item *it = SW_VEC_AT(&page, rec_item, i);
            sw_subject_row *subj =
                &subjects[sw_hash_str(SW_HASH_SEED, it->subject) %
                          REDATE_SUBJECTS];
            if (strcmp(subj->id, it->subject) != 0 &&
                (st = sw_subjects_get(s, it->subject, subj)) != SW_OK)
                break;
            due_input in = {it->event[0] ? it->event : NULL,
                            it->id,
                            it->activity,
                            it->category,
                            it->collected_at,
                            subj};
            sw_due due;
            if ((st = compute_due(s, &in, &due)) != SW_OK)
                break;
            if (due.has_due == it->has_due &&
                (!due.has_due || due.due_at == it->due_at) &&
                strcmp(due.rule, it->rule) == 0)
                continue;
            sw_record_row row = {it->id,
                                 it->subject,
                                 it->activity,
                                 it->category,
                                 NULL,
                                 0,
                                 NULL,
                                 it->collected_at,
                                 it->has_due,
                                 it->due_at,
                                 it->rule[0] ? it->rule : NULL,
                                 it->event[0] ? it->event : NULL};
            if (cb(&row, &due, ctx)) {
                more = false;
                break;
            }
            /* a date once given is not taken away: it came from a
             * clock the policy no longer names (a link that expired) */
            if (!dry && (due.has_due || !it->has_due))
                st = sw_records_set_due(s, it->id, due.has_due, due.due_at,
                                        due.rule[0] ? due.rule : NULL);
        }
        if (page.n)
            snprintf(after, sizeof(after), "%s",
                     SW_VEC_AT(&page, rec_item, page.n - 1)->id);
    }
    sw_vec_release(&page);
    sw_wipe(subjects, REDATE_SUBJECTS * sizeof(*subjects));
    free(subjects);
    return st;
}

sw_status sw_event_add(sw_store *s, const sw_event_spec *spec,
                       char id[SW_ID_BUFSZ], size_t *moved_out)
{
    id[0] = '\0';
    sw_status st = need_policy(s);
    if (st != SW_OK)
        return st;
    const sw_trigger *tr =
        spec->type ? sw_policy_trigger(s->policy, spec->type) : NULL;
    if (!tr)
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown event type '%s' (see 'triggers' in the "
                       "policy)",
                       spec->type ? spec->type : "");
    if (tr->scope == SW_SCOPE_RECORD)
        return sw_fail(s, SW_ERR_INVALID,
                       "'%s' is the record's own time (give it as the "
                       "record's --at), not an event",
                       spec->type);
    int scopes = !!spec->subject + !!spec->account + !!spec->tenant +
                 !!spec->record + !!spec->event;
    if (scopes != 1)
        return sw_fail(s, SW_ERR_INVALID,
                       "an event needs exactly one of subject, account, "
                       "tenant, record or event");
    if (spec->event && !event_id_ok(spec->event))
        return sw_fail(s, SW_ERR_INVALID, EVENT_ID_RULE);
    if (sw_instant_check_input(spec->at) != SW_OK)
        return sw_fail(s, SW_ERR_RANGE,
                       "the event's time: a year from %d to %d, please",
                       SW_YEAR_MIN_INPUT, SW_YEAR_MAX_INPUT);

    sw_event_row ev = {NULL, spec->type, SW_EV_SUBJECT,          NULL,
                       0,    spec->at,   sw_clock_now(&s->clock)};
    uint8_t bi[SW_BLIND_BYTES];
    sw_vec recs = SW_VEC(rec_item), subjects = SW_VEC(subject_id);
    const char *scope_name = "subject";
    char evid[SW_ID_BUFSZ];
    sw_random_id(s->keys, "evt", sw_clock_now(&s->clock), evid);
    ev.id = evid;

    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    if (spec->subject) {
        sw_subject_row r;
        st = load_subject(s, spec->subject, &r, NULL);
        ev.key = (const uint8_t *)spec->subject;
        ev.key_len = strlen(spec->subject);
        if (st == SW_OK)
            collect_id(spec->subject, &subjects);
    } else if (spec->event) {
        scope_name = "event";
        ev.scope = SW_EV_EVENT;
        ev.key = (const uint8_t *)spec->event;
        ev.key_len = strlen(spec->event);
        st = sw_records_of_event(s, spec->event, collect_record, &recs);
    } else if (spec->record) {
        scope_name = "record";
        ev.scope = SW_EV_RECORD;
        ev.key = (const uint8_t *)spec->record;
        ev.key_len = strlen(spec->record);
        st = sw_records_get(s, spec->record, collect_record, &recs);
        if (st == SW_OK && recs.n == 0)
            st = sw_fail(s, SW_ERR_NOTFOUND, "no record %s", spec->record);
    } else {
        bool acc = spec->account != NULL;
        scope_name = acc ? "account" : "tenant";
        ev.scope = acc ? SW_EV_ACCOUNT : SW_EV_TENANT;
        blind_of(s, acc ? SCOPE_ACCOUNT : SCOPE_TENANT,
                 acc ? spec->account : spec->tenant, bi);
        ev.key = bi;
        ev.key_len = SW_BLIND_BYTES;
        st = sw_subjects_in_scope(s, ev.scope, bi, collect_id, &subjects);
    }
    for (size_t i = 0; i < subjects.n && st == SW_OK; i++) {
        st = sw_records_list(s, *SW_VEC_AT(&subjects, subject_id, i),
                             collect_record, &recs);
    }
    if (st == SW_OK && (recs.nomem || subjects.nomem))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st == SW_OK)
        st = sw_events_insert(s, &ev);
    size_t moved = 0;
    if (st == SW_OK)
        st = move_dues(s, &recs, spec->type, &moved);
    if (st == SW_OK && s->hooks.event) /* other lists the event dates */
        st = s->hooks.event(s, spec->type, spec->at,
                            (const char(*)[SW_ID_BUFSZ])subjects.v, subjects.n);
    if (st == SW_OK) {
        char when[SW_INSTANT_BUFSZ];
        json_t *objs = json_pack("[s]", evid);
        if (spec->subject)
            json_array_append_new(objs, json_string(spec->subject));
        if (spec->record)
            json_array_append_new(objs, json_string(spec->record));
        if (spec->event)
            json_array_append_new(objs, json_string(spec->event));
        char *objects = sw_json_text(objs);
        char *details = sw_json_text(json_pack(
            "{s:s, s:s, s:s, s:I, s:I}", "type", spec->type, "scope",
            scope_name, "at", sw_instant_format(spec->at, when), "subjects",
            (json_int_t)subjects.n, "records_moved", (json_int_t)moved));
        const char *audit_subject =
            spec->subject ? spec->subject
                          : (spec->record && recs.n
                                 ? SW_VEC_AT(&recs, rec_item, 0)->subject
                                 : NULL);
        st = objects && details ? sw_audit_append(s, "event.add", audit_subject,
                                                  objects, details)
                                : sw_fail(s, SW_ERR_NOMEM, "out of memory");
        free(objects);
        free(details);
    }
    st = sw_tx_end(s, st);
    sw_vec_release(&recs);
    sw_vec_release(&subjects);
    if (st == SW_OK) {
        snprintf(id, SW_ID_BUFSZ, "%s", evid);
        if (moved_out)
            *moved_out = moved;
    }
    return st;
}

/* ---- disclosure ---- */

typedef struct show_ctx {
    sw_store *s;
    sw_subject_view *v;
    const uint8_t *key;
    sw_status st;
} show_ctx;

static int show_ident(const sw_ident_row *r, void *p)
{
    show_ctx *c = p;
    sw_subject_view *v = c->v;
    sw_ident_view *nv = realloc(v->idents, (v->n_idents + 1) * sizeof(*nv));
    if (!nv) {
        c->st = sw_fail(c->s, SW_ERR_NOMEM, "out of memory");
        return 1;
    }
    v->idents = nv;
    sw_ident_view *iv = &nv[v->n_idents];
    memset(iv, 0, sizeof(*iv));
    snprintf(iv->type, sizeof(iv->type), "%s", r->type);
    char ad[160];
    snprintf(ad, sizeof(ad), "ident|%s|%s", v->id, r->type);
    c->st =
        unseal_text(c->s, c->key, ad, r->value, r->value_len, &iv->value, NULL);
    if (c->st != SW_OK)
        return 1;
    v->n_idents++;
    return 0;
}

static int show_record(const sw_record_row *r, void *p)
{
    show_ctx *c = p;
    sw_subject_view *v = c->v;
    sw_record_view *nv = realloc(v->records, (v->n_records + 1) * sizeof(*nv));
    if (!nv) {
        c->st = sw_fail(c->s, SW_ERR_NOMEM, "out of memory");
        return 1;
    }
    v->records = nv;
    sw_record_view *rv = &nv[v->n_records];
    memset(rv, 0, sizeof(*rv));
    snprintf(rv->id, sizeof(rv->id), "%s", r->id);
    snprintf(rv->activity, sizeof(rv->activity), "%s", r->activity);
    snprintf(rv->category, sizeof(rv->category), "%s", r->category);
    snprintf(rv->source, sizeof(rv->source), "%s", r->source ? r->source : "");
    rv->collected_at = r->collected_at;
    rv->due.has_due = r->has_due;
    rv->due.due_at = r->due_at;
    snprintf(rv->due.rule, sizeof(rv->due.rule), "%s", r->rule ? r->rule : "");
    snprintf(rv->event, sizeof(rv->event), "%s", r->event ? r->event : "");
    char ad[256];
    snprintf(ad, sizeof(ad), "record|%s|%s|%s", v->id, r->id, r->category);
    c->st = unseal_text(c->s, c->key, ad, r->value, r->value_len, &rv->value,
                        &rv->value_len);
    if (c->st != SW_OK)
        return 1;
    v->n_records++;
    return 0;
}

void sw_subject_view_free(sw_subject_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_idents; i++)
        free_secret(v->idents[i].value, strlen(v->idents[i].value));
    for (size_t i = 0; i < v->n_records; i++)
        free_secret(v->records[i].value, v->records[i].value_len);
    if (v->account)
        free_secret(v->account, strlen(v->account));
    if (v->tenant)
        free_secret(v->tenant, strlen(v->tenant));
    free(v->idents);
    free(v->records);
    free(v);
}

static sw_status show(sw_store *s, const char *id, bool disclose,
                      sw_subject_view **out);

sw_status sw_subject_show(sw_store *s, const char *id, sw_subject_view **out)
{
    return show(s, id, true, out);
}

sw_status sw_subject_names(sw_store *s, const char *id, sw_subject_view **out)
{
    return show(s, id, false, out);
}

/* The subject decrypted: with disclose its records too, audited as a
 * disclosure; without, its identifiers and account only. */
static sw_status show(sw_store *s, const char *id, bool disclose,
                      sw_subject_view **out)
{
    *out = NULL;
    sw_subject_view *v = calloc(1, sizeof(*v));
    if (!v)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_subject_row r;
    uint8_t key[SW_KEY_BYTES];
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK)
        st = load_subject(s, id, &r, key);
    if (st == SW_OK) {
        snprintf(v->id, sizeof(v->id), "%s", r.id);
        snprintf(v->kind, sizeof(v->kind), "%s", r.kind);
        snprintf(v->role, sizeof(v->role), "%s", r.role);
        v->created_at = r.created_at;
        char ad[96];
        snprintf(ad, sizeof(ad), "account|%s", id);
        if (r.account_enc_len)
            st = unseal_text(s, key, ad, r.account_enc, r.account_enc_len,
                             &v->account, NULL);
        snprintf(ad, sizeof(ad), "tenant|%s", id);
        if (st == SW_OK && r.tenant_enc_len)
            st = unseal_text(s, key, ad, r.tenant_enc, r.tenant_enc_len,
                             &v->tenant, NULL);
    }
    show_ctx c = {s, v, key, SW_OK};
    if (st == SW_OK) {
        st = sw_identifiers_list(s, id, show_ident, &c);
        st = st != SW_OK ? st : c.st;
    }
    if (st == SW_OK && disclose) {
        st = sw_records_list(s, id, show_record, &c);
        st = st != SW_OK ? st : c.st;
    }
    if (st == SW_OK && disclose) {
        char *objects = sw_json_text(json_pack("[s]", id));
        char *details = sw_json_text(json_pack(
            "{s:s, s:I, s:I}", "purpose", "subject.show", "identifiers",
            (json_int_t)v->n_idents, "records", (json_int_t)v->n_records));
        st = objects && details
                 ? sw_audit_append(s, "subject.disclose", id, objects, details)
                 : sw_fail(s, SW_ERR_NOMEM, "out of memory");
        free(objects);
        free(details);
    }
    st = sw_tx_end(s, st);
    sw_wipe(key, sizeof(key));
    if (st != SW_OK) {
        sw_subject_view_free(v);
        return st;
    }
    *out = v;
    return SW_OK;
}

/* ---- erasure ---- */

sw_status sw_subject_erase(sw_store *s, const char *id, sw_erase_result *out)
{
    sw_erase_result counts = {0, 0, 0};
    sw_subject_row r;
    sw_status st = sw_subjects_get(s, id, &r);
    if (st != SW_OK)
        return st;
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    key_slot *slot = s->in_batch ? key_cache_slot(s, id) : NULL;
    if (slot && slot->used && strcmp(slot->row.id, id) == 0)
        sw_wipe(slot, sizeof(*slot));
    /* The key goes first: from here on every copy of the data is noise. */
    st = sw_subjects_delete(s, id, &counts);
    if (st == SW_OK) {
        char *objects = sw_json_text(json_pack("[s]", id));
        char *details = sw_json_text(
            json_pack("{s:s, s:I, s:I, s:I}", "kind", r.kind, "records",
                      (json_int_t)counts.records, "identifiers",
                      (json_int_t)counts.identifiers, "events",
                      (json_int_t)counts.events));
        st = objects && details
                 ? sw_audit_append(s, "subject.erase", id, objects, details)
                 : sw_fail(s, SW_ERR_NOMEM, "out of memory");
        free(objects);
        free(details);
    }
    st = sw_tx_end(s, st);
    sw_wipe(&r, sizeof(r));
    if (st == SW_OK)
        st = sw_store_checkpoint(s, "erased, but the journal was not "
                                    "checkpointed");
    if (out)
        *out = counts;
    return st;
}

typedef struct rec_owner {
    bool found;
    char subject[SW_ID_BUFSZ], category[128];
} rec_owner;

static int owner_of(const sw_record_row *r, void *p)
{
    rec_owner *o = p;
    o->found = true;
    snprintf(o->subject, sizeof(o->subject), "%s", r->subject);
    snprintf(o->category, sizeof(o->category), "%s", r->category);
    return 0;
}

sw_status sw_record_rectify(sw_store *s, const char *subject,
                            const char *record, const char *value, size_t len)
{
    if (!value || len > SW_VALUE_MAX)
        return sw_fail(s, SW_ERR_INVALID, "a new value of at most %d bytes",
                       SW_VALUE_MAX);
    rec_owner o = {false, "", ""};
    sw_status st = sw_records_get(s, record, owner_of, &o);
    if (st != SW_OK)
        return st;
    if (!o.found || strcmp(o.subject, subject) != 0)
        return sw_fail(s, SW_ERR_NOTFOUND, "subject %s has no record %s",
                       subject, record);
    sw_subject_row r;
    uint8_t key[SW_KEY_BYTES];
    if ((st = subject_for_write(s, subject, &r, key)) != SW_OK)
        return st;
    char ad[256];
    snprintf(ad, sizeof(ad), "record|%s|%s|%s", subject, record, o.category);
    size_t sealed_len;
    uint8_t *sealed = seal_text(s, key, ad, value, len, &sealed_len);
    sw_wipe(key, sizeof(key));
    if (!sealed)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if ((st = sw_tx_begin(s)) == SW_OK) {
        st = sw_records_set_value(s, record, sealed, sealed_len);
        if (st == SW_OK)
            st = sw_audit_json(s, "record.rectify", subject,
                               json_pack("[s, s]", subject, record),
                               json_pack("{s:s}", "category", o.category));
        st = sw_tx_end(s, st);
    }
    free(sealed);
    if (st == SW_OK)
        st = sw_store_checkpoint(s, "corrected, but the journal was not "
                                    "checkpointed");
    return st;
}
