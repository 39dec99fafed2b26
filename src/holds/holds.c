/* SPDX-License-Identifier: Apache-2.0 */
/* Legal holds: litigation, law-enforcement requests, investigations and
 * unpaid or challenged bills suspend every deletion they cover. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "holds/holds_sql.h"
#include "steward/retention.h"
#include "store/chain.h"

static bool hold_kind_defined(const sw_policy *p, const char *kind)
{
    for (size_t i = 0; kind && i < p->n_hold_kinds; i++)
        if (strcmp(p->hold_kinds[i].id, kind) == 0)
            return true;
    return false;
}

sw_status sw_hold_place(sw_store *s, const char *scope, const char *kind,
                        const char *reason, char *id)
{
    id[0] = '\0';
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    if (!hold_kind_defined(s->policy, kind))
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown hold kind '%s' (see 'holds' in the policy)",
                       kind ? kind : "");
    if (!reason || !*reason)
        return sw_fail(s, SW_ERR_INVALID, "a hold needs a reason");
    sw_status cst = sw_check_text(s, "reason", reason, 512);
    if (cst == SW_OK)
        cst = sw_check_text(s, "scope", scope, 160);
    if (cst != SW_OK)
        return cst;
    const char *colon = scope ? strchr(scope, ':') : NULL;
    if (!colon || !colon[1])
        return sw_fail(s, SW_ERR_INVALID,
                       "scope '%s': expected subject:ID, account:NAME, "
                       "activity:ID or record:ID",
                       scope ? scope : "");
    const char *target = colon + 1;
    size_t klen = (size_t)(colon - scope);
    sw_hold_row r;
    memset(&r, 0, sizeof(r));
    uint8_t bi[SW_BLIND_BYTES];
    const char *scope_name;
    if (klen == 7 && strncmp(scope, "subject", 7) == 0) {
        sw_subject_row row;
        sw_status st = sw_subjects_get(s, target, &row);
        if (st != SW_OK)
            return st;
        r.scope = SW_EV_SUBJECT;
        scope_name = "subject";
    } else if (klen == 7 && strncmp(scope, "account", 7) == 0) {
        sw_account_blind(s, target, bi);
        r.scope = SW_EV_ACCOUNT;
        r.key = bi;
        r.key_len = SW_BLIND_BYTES;
        scope_name = "account";
    } else if (klen == 8 && strncmp(scope, "activity", 8) == 0) {
        if (!sw_policy_activity(s->policy, target))
            return sw_fail(s, SW_ERR_INVALID, "unknown activity '%s'", target);
        r.scope = SW_EV_ACTIVITY;
        scope_name = "activity";
    } else if (klen == 6 && strncmp(scope, "record", 6) == 0) {
        r.scope = SW_EV_RECORD; /* a record, or a traffic detail record */
        scope_name = "record";
    } else {
        return sw_fail(s, SW_ERR_INVALID,
                       "scope '%.*s': expected subject, account, activity or "
                       "record",
                       (int)klen, scope);
    }
    if (!r.key) {
        r.key = (const uint8_t *)target;
        r.key_len = strlen(target);
    }
    char hid[SW_ID_BUFSZ];
    sw_random_id(s->keys, "hold", sw_clock_now(&s->clock), hid);
    r.id = hid;
    r.kind = kind;
    r.target = target;
    r.reason = reason;
    r.placed_at = sw_clock_now(&s->clock);
    r.placed_by = s->actor;
    json_t *objs = json_pack("[s]", hid);
    if (r.scope != SW_EV_ACCOUNT) /* an account name stays out of the trail */
        json_array_append_new(objs, json_string(target));
    char *objects = sw_json_text(objs);
    char *details = sw_json_text(
        json_pack("{s:s, s:s}", "kind", kind, "scope", scope_name));
    sw_status st = objects && details
                       ? sw_tx_begin(s)
                       : sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st == SW_OK) {
        st = sw_holds_insert(s, &r);
        if (st == SW_OK)
            st = sw_audit_append(s, "hold.place",
                                 r.scope == SW_EV_SUBJECT ? target : NULL,
                                 objects, details);
        st = sw_tx_end(s, st);
    }
    free(objects);
    free(details);
    if (st == SW_OK)
        snprintf(id, SW_ID_BUFSZ, "%s", hid);
    return st;
}

sw_status sw_hold_release(sw_store *s, const char *id)
{
    char *objects = sw_json_text(json_pack("[s]", id));
    sw_status st =
        objects ? sw_tx_begin(s) : sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st == SW_OK) {
        st = sw_holds_release(s, id, sw_clock_now(&s->clock), s->actor);
        if (st == SW_OK)
            st = sw_audit_append(s, "hold.release", NULL, objects, "{}");
        st = sw_tx_end(s, st);
    }
    free(objects);
    return st;
}

typedef struct list_ctx {
    int (*cb)(const sw_hold_view *h, void *ctx);
    void *ctx;
} list_ctx;

static int list_one(const sw_hold_row *r, void *p)
{
    list_ctx *c = p;
    static const char *const names[] = {"record", "subject", "account",
                                        "tenant", "activity"};
    sw_hold_view v;
    memset(&v, 0, sizeof(v));
    snprintf(v.id, sizeof(v.id), "%s", r->id);
    snprintf(v.kind, sizeof(v.kind), "%s", r->kind);
    snprintf(v.scope, sizeof(v.scope), "%s",
             (unsigned)r->scope <= SW_EV_ACTIVITY ? names[r->scope] : "?");
    snprintf(v.target, sizeof(v.target), "%s", r->target);
    snprintf(v.reason, sizeof(v.reason), "%s", r->reason);
    snprintf(v.placed_by, sizeof(v.placed_by), "%s", r->placed_by);
    v.placed_at = r->placed_at;
    v.released = r->released;
    v.released_at = r->released_at;
    return c->cb(&v, c->ctx);
}

sw_status sw_hold_list(sw_store *s, bool all,
                       int (*cb)(const sw_hold_view *h, void *ctx), void *ctx)
{
    list_ctx c = {cb, ctx};
    return sw_holds_list(s, all, list_one, &c);
}
