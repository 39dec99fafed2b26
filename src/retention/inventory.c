/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The retention audit: walks every kind of stored data and sorts each item
 * by why it is still here: a due instant, a reason that ends, or neither
 * (listed). Reads only.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "retention/inventory_sql.h"
#include "steward/retention.h"
#include "store/sql.h"
#include "traffic/traffic_sql.h"

typedef struct inv {
    sw_store *s;
    sw_retention_audit *a;
    size_t kind; /* index of the kind being counted */
    const sw_inv_probe *p;
    bool nomem;
} inv;

static const char *const class_names[] = {"dated", "kept", "unexplained"};

static bool add_kind(inv *c, const char *name, bool personal)
{
    sw_retention_audit *a = c->a;
    sw_audit_kind *v = realloc(a->kinds, (a->n_kinds + 1) * sizeof(*v));
    if (!v)
        return !(c->nomem = true);
    a->kinds = v;
    memset(&v[a->n_kinds], 0, sizeof(*v));
    snprintf(v[a->n_kinds].kind, sizeof(v->kind), "%s", name);
    v[a->n_kinds].personal = personal;
    c->kind = a->n_kinds++;
    return true;
}

/* count items of the current kind, kept for reason (merged with the
 * same reason) */
static void add_reason(inv *c, sw_kept_class cls, const char *reason,
                       size_t count)
{
    sw_retention_audit *a = c->a;
    sw_audit_kind *k = &a->kinds[c->kind];
    if (!count)
        return;
    k->items += count;
    if (cls == SW_KEPT_DATED)
        k->dated += count;
    else if (cls == SW_KEPT_REASON)
        k->kept += count;
    else {
        k->unexplained += count;
        a->unexplained += count;
    }
    if (k->personal)
        a->personal_items += count;
    for (size_t i = 0; i < a->n_reasons; i++) {
        sw_audit_reason *r = &a->reasons[i];
        if (r->cls == cls && strcmp(r->kind, k->kind) == 0 &&
            strncmp(r->reason, reason, sizeof(r->reason) - 1) == 0) {
            r->count += count;
            return;
        }
    }
    sw_audit_reason *v = realloc(a->reasons, (a->n_reasons + 1) * sizeof(*v));
    if (!v) {
        c->nomem = true;
        return;
    }
    a->reasons = v;
    sw_audit_reason *r = &v[a->n_reasons++];
    snprintf(r->kind, sizeof(r->kind), "%s", k->kind);
    r->cls = cls;
    snprintf(r->reason, sizeof(r->reason), "%s", reason);
    r->count = count;
}

static int add_item(inv *c, const char *id, const char *why)
{
    sw_retention_audit *a = c->a;
    if (a->n_items >= SW_AUDIT_ITEMS_MAX)
        return 1;
    sw_audit_item *v = realloc(a->items, (a->n_items + 1) * sizeof(*v));
    if (!v) {
        c->nomem = true;
        return 1;
    }
    a->items = v;
    sw_audit_item *it = &v[a->n_items++];
    snprintf(it->kind, sizeof(it->kind), "%s", a->kinds[c->kind].kind);
    snprintf(it->id, sizeof(it->id), "%s", id);
    snprintf(it->why, sizeof(it->why), "%s", why);
    return 0;
}

static int probe_count(int code, size_t count, void *p)
{
    inv *c = p;
    if (code < 0 || (size_t)code >= c->p->n_whys) {
        add_reason(c, SW_KEPT_UNEXPLAINED, "not sorted by the audit", count);
        return 0;
    }
    const sw_inv_why *w = &c->p->whys[code];
    add_reason(c, w->cls, w->reason, count);
    return c->nomem;
}

static int probe_item(const char *id, int code, void *p)
{
    inv *c = p;
    const char *why = code >= 0 && (size_t)code < c->p->n_whys
                          ? c->p->whys[code].reason
                          : "not sorted by the audit";
    return add_item(c, id, why);
}

static bool flag_of(const sw_policy *p, sw_inv_flag f)
{
    switch (f) {
    case SW_INV_ORPHAN: return !sw_duration_is_zero(p->ledger.orphan_subject);
    case SW_INV_RELEASED_HOLD:
        return !sw_duration_is_zero(p->ledger.released_hold);
    case SW_INV_REQUEST_RULE:
        return sw_policy_period_after(p, "request_closed") != NULL;
    case SW_INV_NONE: break;
    }
    return false;
}

static sw_status run_probe(inv *c, const sw_inv_probe *p)
{
    if (!add_kind(c, p->kind, p->personal))
        return SW_ERR_NOMEM;
    c->p = p;
    sw_val args[2] = {sw_v_int(c->a->now),
                      sw_v_int(flag_of(c->s->policy, p->flag))};
    sw_status st = sw_inv_count(c->s, p, args, probe_count, c);
    if (st == SW_OK && c->a->kinds[c->kind].unexplained)
        st = sw_inv_list(c->s, p, args, SW_AUDIT_ITEMS_MAX - c->a->n_items,
                         probe_item, c);
    return st;
}

/* ---- records: sorted against the policy's rules ---- */

/* Why a record without a due instant is kept: sets *cls and why. */
static void undated_why(const sw_policy *p, const char *activity,
                        const char *category, const char *kind,
                        sw_kept_class *cls, char *why, size_t n)
{
    *cls = SW_KEPT_UNEXPLAINED;
    const sw_activity *a = sw_policy_activity(p, activity);
    if (!kind) {
        snprintf(why, n, "its subject is gone");
        return;
    }
    if (!a) {
        snprintf(why, n, "its activity '%s' is not in the policy", activity);
        return;
    }
    const sw_rule *gap = NULL;
    for (size_t i = 0; i < a->n_rules; i++) {
        const sw_rule *r = &a->rules[i];
        if (!sw_rule_applies(r, category, kind))
            continue;
        if (r->keep_kind == SW_KEEP_PERIOD && r->after) {
            *cls = SW_KEPT_REASON;
            /* the trigger's name, as the notice says it ("account
             * closure"), not its id */
            const sw_trigger *tr = sw_policy_trigger(p, r->after);
            snprintf(why, n, "waiting for %s: then rule %s (notice %s)",
                     tr && tr->name ? tr->name : r->after, r->id,
                     r->section ? r->section : "-");
            return;
        }
        if (!gap && r->keep_kind != SW_KEEP_PERIOD)
            gap = r;
    }
    if (gap)
        snprintf(why, n, "rule %s (notice %s) states no period (%s)", gap->id,
                 gap->section ? gap->section : "-",
                 gap->keep_kind == SW_KEEP_PER_LAW ? "per law" : "unspecified");
    else
        snprintf(why, n, "no rule of activity '%s' covers '%s'", activity,
                 category);
}

typedef struct ids_ctx {
    inv *c;
    const char *why;
} ids_ctx;

static int record_item(const char *id, int code, void *p)
{
    (void)code;
    ids_ctx *x = p;
    return add_item(x->c, id, x->why);
}

static int undated_group(const char *activity, const char *category,
                         const char *kind, size_t count, void *p)
{
    inv *c = p;
    sw_kept_class cls;
    char why[200];
    undated_why(c->s->policy, activity ? activity : "",
                category ? category : "", kind, &cls, why, sizeof(why));
    add_reason(c, cls, why, count);
    if (cls == SW_KEPT_UNEXPLAINED && c->a->n_items < SW_AUDIT_ITEMS_MAX) {
        ids_ctx x = {c, why};
        if (sw_inv_records_undated_ids(c->s, activity, category, kind,
                                       SW_AUDIT_ITEMS_MAX - c->a->n_items,
                                       record_item, &x) != SW_OK)
            return 1;
    }
    return c->nomem;
}

static sw_status audit_records(inv *c)
{
    if (!add_kind(c, "records", true))
        return SW_ERR_NOMEM;
    size_t dated = 0;
    sw_status st = sw_inv_records_dated(c->s, &dated);
    if (st != SW_OK)
        return st;
    add_reason(c, SW_KEPT_DATED, "goes at its due instant", dated);
    return sw_inv_records_undated(c->s, undated_group, c);
}

/* ---- traffic detail records: a table per month ---- */

static int collect_month(int month, void *p)
{
    int *slot = sw_vec_push(p);
    if (!slot)
        return 1;
    *slot = month;
    return 0;
}

static sw_status audit_traffic(inv *c)
{
    if (!add_kind(c, "traffic", true))
        return SW_ERR_NOMEM;
    sw_vec m = SW_VEC(int);
    sw_status st = sw_traffic_months(c->s, collect_month, &m);
    if (st == SW_OK && m.nomem)
        st = SW_ERR_NOMEM;
    const sw_policy *p = c->s->policy;
    char why[200];
    snprintf(why, sizeof(why),
             "a month's rows: deleted after rule %s, their identifiers' day "
             "keys after rule %s",
             p->traffic.records_rule ? p->traffic.records_rule : "-",
             p->traffic.identifiers_rule ? p->traffic.identifiers_rule : "-");
    bool ruled = p->traffic.records_rule && p->traffic.identifiers_rule;
    for (size_t i = 0; st == SW_OK && i < m.n; i++) {
        size_t rows = 0;
        st = sw_inv_traffic_rows(c->s, *SW_VEC_AT(&m, int, i), &rows);
        add_reason(c, ruled ? SW_KEPT_DATED : SW_KEPT_UNEXPLAINED,
                   ruled ? why
                         : "traffic, and the policy names no traffic "
                           "rules",
                   rows);
    }
    sw_vec_release(&m);
    return st;
}

sw_status sw_retention_audit_run(sw_store *s, sw_retention_audit **out)
{
    *out = NULL;
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    sw_retention_audit *a = calloc(1, sizeof(*a));
    if (!a)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    *out = a;
    a->now = sw_clock_now(&s->clock);
    snprintf(a->policy_version, sizeof(a->policy_version), "%s",
             s->policy->notice.version ? s->policy->notice.version : "");
    inv c = {s, a, 0, NULL, false};
    /* one read snapshot (unless a batch is open): every count sees the
     * same store */
    bool own = !s->in_batch && !s->in_read;
    sw_status st = own ? sw_read_begin(s) : SW_OK;
    if (st != SW_OK)
        return st;
    for (size_t i = 0; st == SW_OK && !c.nomem && i < sw_inv_n_probes; i++) {
        st = run_probe(&c, &sw_inv_probes[i]);
        if (st == SW_OK && strcmp(sw_inv_probes[i].kind, "identifiers") == 0)
            st = audit_records(&c);
        if (st == SW_OK && strcmp(sw_inv_probes[i].kind, "bills") == 0)
            st = audit_traffic(&c);
    }
    if (own)
        sw_read_end(s);
    if (st == SW_ERR_NOMEM || c.nomem)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    return st;
}

void sw_retention_audit_free(sw_retention_audit *a)
{
    if (!a)
        return;
    free(a->kinds);
    free(a->reasons);
    free(a->items);
    free(a);
}

char *sw_retention_audit_json(const sw_retention_audit *a)
{
    char t[SW_INSTANT_BUFSZ];
    json_t *o =
        json_pack("{s:s, s:s, s:I, s:I, s:I}", "now",
                  sw_instant_format(a->now, t), "policy_version",
                  a->policy_version, "unexplained", (json_int_t)a->unexplained,
                  "personal_items", (json_int_t)a->personal_items,
                  "items_listed_max", (json_int_t)SW_AUDIT_ITEMS_MAX);
    json_t *kinds = json_array();
    for (size_t i = 0; i < a->n_kinds; i++) {
        const sw_audit_kind *k = &a->kinds[i];
        json_t *reasons = json_array();
        for (size_t j = 0; j < a->n_reasons; j++) {
            const sw_audit_reason *r = &a->reasons[j];
            if (strcmp(r->kind, k->kind) == 0)
                json_array_append_new(
                    reasons, json_pack("{s:s, s:s, s:I}", "class",
                                       class_names[r->cls], "reason", r->reason,
                                       "count", (json_int_t)r->count));
        }
        json_array_append_new(
            kinds,
            json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:o}", "kind", k->kind,
                      "personal", k->personal, "items", (json_int_t)k->items,
                      "dated", (json_int_t)k->dated, "kept",
                      (json_int_t)k->kept, "unexplained",
                      (json_int_t)k->unexplained, "reasons", reasons));
    }
    json_object_set_new(o, "kinds", kinds);
    json_t *items = json_array();
    for (size_t i = 0; i < a->n_items; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s}", "kind", a->items[i].kind, "id",
                             a->items[i].id, "why", a->items[i].why));
    json_object_set_new(o, "unexplained_items", items);
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return text;
}
