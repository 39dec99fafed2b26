/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy's versions: the store records each policy it applies (its
 * text, hash and notice version), and a changed policy is compared with
 * the latest one and applied in one audited step that dates again what
 * its changed rules govern.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent/consent_int.h"
#include "core/json.h"
#include "core/vec.h"
#include "ledger/ledger_sql.h"
#include "retention/versions_sql.h"
#include "steward/retention.h"
#include "store/chain.h"
#include "traffic/traffic_int.h"

/* ---- what the store records ---- */

typedef struct latest_ctx {
    bool found;
    int seq;
    char hash[65];
    char notice[64];
    sw_instant at;
    char *text; /* when wanted */
    bool want_text, nomem;
} latest_ctx;

static int latest_row(const sw_version_row *r, void *p)
{
    latest_ctx *c = p;
    c->found = true;
    c->seq = (int)r->seq;
    c->at = r->applied_at;
    snprintf(c->hash, sizeof(c->hash), "%s", r->hash ? r->hash : "");
    snprintf(c->notice, sizeof(c->notice), "%s",
             r->notice_version ? r->notice_version : "");
    if (c->want_text && r->text && !(c->text = strdup(r->text)))
        c->nomem = true;
    return 0;
}

static sw_status latest(sw_store *s, latest_ctx *c)
{
    sw_status st = sw_versions_latest(s, latest_row, c);
    if (st == SW_OK && c->nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    return st;
}

static sw_status load_recorded(sw_store *s, const latest_ctx *c,
                               sw_policy **out)
{
    char name[96];
    snprintf(name, sizeof(name), "policy version %d of the store", c->seq);
    sw_diags *d = sw_diags_new();
    sw_status st =
        sw_policy_load_buffer(name, c->text, strlen(c->text), d, out);
    if (st != SW_OK) {
        char line[600] = "";
        if (d && sw_diags_count(d))
            sw_diag_format(sw_diags_at(d, 0), line, sizeof(line));
        st = sw_fail(s, SW_ERR_CORRUPT, "%s cannot be read by this steward: %s",
                     name, line[0] ? line : sw_strerror(st));
    }
    sw_diags_free(d);
    return st;
}

sw_status sw_store_policy(sw_store *s, sw_policy **out)
{
    *out = NULL;
    latest_ctx c = {.want_text = true};
    sw_status st = latest(s, &c);
    if (st == SW_OK && c.found && c.text)
        st = load_recorded(s, &c, out);
    free(c.text);
    return st;
}

static sw_status record_version(sw_store *s, const sw_policy *p, int seq,
                                const char *summary, bool *added)
{
    sw_version_row r = {seq,
                        p->hash,
                        p->notice.version,
                        sw_clock_now(&s->clock),
                        s->actor,
                        p->source_name ? p->source_name : "",
                        p->text,
                        summary};
    return sw_versions_insert(s, &r, added);
}

static sw_status refuse_other(sw_store *s, const sw_policy *p,
                              const latest_ctx *c)
{
    char when[SW_INSTANT_BUFSZ];
    return sw_fail(s, SW_ERR_CONFLICT,
                   "%s (sha256 %.12s) is not the policy this store applies: "
                   "that is version %d (notice %s, sha256 %.12s, applied %s); "
                   "see what a change does with 'steward policy apply FILE "
                   "--dry-run', then apply it",
                   p->source_name ? p->source_name : "the policy", p->hash,
                   c->seq, c->notice[0] ? c->notice : "unversioned", c->hash,
                   sw_instant_format(c->at, when));
}

sw_status sw_store_use_policy(sw_store *s, const sw_policy *p)
{
    if (!p || !p->hash || !p->text)
        return sw_fail(s, SW_ERR_INVALID, "a policy loaded from its text");
    latest_ctx c = {0};
    sw_status st = latest(s, &c);
    if (st == SW_OK && !c.found) { /* the first: recorded as version 1 */
        bool added = false;
        if ((st = sw_tx_begin(s)) != SW_OK)
            return st;
        st = record_version(s, p, 1, "{\"first\":true}", &added);
        if (st == SW_OK && added)
            st = sw_audit_json(s, "policy.record", NULL, NULL,
                               json_pack("{s:i, s:s, s:s?, s:s}", "version", 1,
                                         "hash", p->hash, "notice_version",
                                         p->notice.version, "source",
                                         p->source_name ? p->source_name : ""));
        if ((st = sw_tx_end(s, st)) != SW_OK)
            return st;
        if (!added) { /* another writer was first: compare with theirs */
            st = latest(s, &c);
        } else {
            c.seq = 1;
            snprintf(c.hash, sizeof(c.hash), "%s", p->hash);
        }
    }
    if (st != SW_OK)
        return st;
    if (strcmp(c.hash, p->hash) != 0)
        return refuse_other(s, p, &c);
    s->policy = p;
    s->policy_seq = c.seq;
    return SW_OK;
}

static void version_of_row(const sw_version_row *r, sw_policy_version *v)
{
    memset(v, 0, sizeof(*v));
    v->seq = (int)r->seq;
    snprintf(v->hash, sizeof(v->hash), "%s", r->hash ? r->hash : "");
    snprintf(v->notice_version, sizeof(v->notice_version), "%s",
             r->notice_version ? r->notice_version : "");
    v->applied_at = r->applied_at;
    snprintf(v->actor, sizeof(v->actor), "%s", r->actor ? r->actor : "");
    snprintf(v->source, sizeof(v->source), "%s", r->source ? r->source : "");
    v->summary = r->summary ? r->summary : "{}";
}

typedef struct history_ctx {
    sw_policy_version_cb cb;
    void *ctx;
} history_ctx;

static int history_row(const sw_version_row *r, void *p)
{
    history_ctx *c = p;
    sw_policy_version v;
    version_of_row(r, &v);
    return c->cb(&v, c->ctx);
}

sw_status sw_policy_history(sw_store *s, sw_policy_version_cb cb, void *ctx)
{
    history_ctx c = {cb, ctx};
    return sw_versions_list(s, history_row, &c);
}

/* ---- comparing two policies ---- */

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_strs(const sw_strs *a, const sw_strs *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return false;
    return true;
}

static bool same_duration(sw_duration a, sw_duration b)
{
    return a.years == b.years && a.months == b.months && a.days == b.days;
}

static int scope_of(const sw_policy *p, const char *trigger)
{
    const sw_trigger *t = trigger ? sw_policy_trigger(p, trigger) : NULL;
    return t ? (int)t->scope : -1;
}

/* Everything of a rule but its period: what it governs and from when. */
static bool same_reach(const sw_policy *pa, const sw_rule *a,
                       const sw_policy *pb, const sw_rule *b)
{
    if (!same_text(a->after, b->after) ||
        scope_of(pa, a->after) != scope_of(pb, b->after) ||
        a->round != b->round || a->action != b->action ||
        a->exemption != b->exemption || !same_strs(&a->unless, &b->unless) ||
        !same_strs(&a->categories, &b->categories) ||
        !same_strs(&a->subjects, &b->subjects) ||
        a->n_extensions != b->n_extensions)
        return false;
    for (size_t i = 0; i < a->n_extensions; i++)
        if (strcmp(a->extensions[i].country, b->extensions[i].country) != 0 ||
            !same_duration(a->extensions[i].keep, b->extensions[i].keep))
            return false;
    return true;
}

static bool same_period(const sw_rule *a, const sw_rule *b)
{
    return a->keep_kind == b->keep_kind &&
           (a->keep_kind != SW_KEEP_PERIOD || same_duration(a->keep, b->keep));
}

/* -1 shorter, 1 longer, 0 neither (or not comparable) */
static int period_order(const sw_rule *was, const sw_rule *now, sw_instant ref)
{
    if (was->keep_kind != SW_KEEP_PERIOD && now->keep_kind == SW_KEEP_PERIOD)
        return -1; /* kept for no stated period, now for one */
    if (was->keep_kind == SW_KEEP_PERIOD && now->keep_kind != SW_KEEP_PERIOD)
        return 1;
    if (was->keep_kind != SW_KEEP_PERIOD)
        return 0;
    sw_instant a = sw_instant_add(ref, was->keep),
               b = sw_instant_add(ref, now->keep);
    return b < a ? -1 : b > a ? 1 : 0;
}

static void keep_text(const sw_rule *r, char *buf)
{
    if (r)
        sw_rule_keep_text(r, buf);
    else
        buf[0] = '\0';
}

static bool add_change(sw_vec *v, const sw_rule *was, const sw_rule *now,
                       sw_rule_change_kind kind)
{
    sw_rule_change *c = sw_vec_push(v);
    if (!c)
        return false;
    const sw_rule *r = now ? now : was;
    snprintf(c->rule, sizeof(c->rule), "%s", r->id);
    snprintf(c->activity, sizeof(c->activity), "%s",
             r->activity ? r->activity->id : "");
    c->kind = kind;
    keep_text(was, c->before);
    keep_text(now, c->after);
    return true;
}

/* The rules that differ, into v (sw_rule_change); ref: the instant
 * periods are compared at. */
static bool compare_rules(const sw_policy *was, const sw_policy *now,
                          sw_instant ref, sw_vec *v)
{
    size_t n = sw_policy_rule_count(now);
    for (size_t i = 0; i < n; i++) {
        const sw_rule *r = sw_policy_rule_at(now, i);
        const sw_rule *o = was ? sw_policy_rule(was, r->id) : NULL;
        if (!o) {
            if (!add_change(v, NULL, r, SW_RULE_ADDED))
                return false;
            continue;
        }
        bool reach = same_reach(was, o, now, r) &&
                     strcmp(o->activity->id, r->activity->id) == 0;
        if (reach && same_period(o, r))
            continue;
        int order = reach ? period_order(o, r, ref) : 0;
        if (!add_change(v, o, r,
                        order < 0   ? SW_RULE_SHORTENED
                        : order > 0 ? SW_RULE_LENGTHENED
                                    : SW_RULE_CHANGED))
            return false;
    }
    size_t m = was ? sw_policy_rule_count(was) : 0;
    for (size_t i = 0; i < m; i++) {
        const sw_rule *o = sw_policy_rule_at(was, i);
        if (!sw_policy_rule(now, o->id) &&
            !add_change(v, o, NULL, SW_RULE_REMOVED))
            return false;
    }
    return true;
}

/* What a consent to a purpose agreed to: the activities that pursue it,
 * with what they collect, whom they tell and on which basis. */
static bool same_activity_terms(const sw_activity *a, const sw_activity *b)
{
    if (!same_strs(&a->categories, &b->categories) ||
        !same_strs(&a->recipients, &b->recipients) ||
        !same_strs(&a->purposes, &b->purposes) ||
        !same_strs(&a->subjects, &b->subjects) || a->n_bases != b->n_bases ||
        a->n_transfers != b->n_transfers ||
        !same_text(a->special_condition, b->special_condition))
        return false;
    for (size_t i = 0; i < a->n_bases; i++)
        if (strcmp(a->bases[i].basis, b->bases[i].basis) != 0)
            return false;
    for (size_t i = 0; i < a->n_transfers; i++)
        if (!same_text(a->transfers[i].to, b->transfers[i].to))
            return false;
    return true;
}

static bool purpose_changed(const sw_policy *was, const sw_policy *now,
                            const char *purpose)
{
    const sw_def *a = sw_policy_purpose(was, purpose),
                 *b = sw_policy_purpose(now, purpose);
    if (!a || !b || !same_text(a->name, b->name) ||
        !same_text(a->description, b->description))
        return true;
    for (int pass = 0; pass < 2; pass++) { /* each side's activities */
        const sw_policy *p = pass ? now : was, *q = pass ? was : now;
        for (size_t i = 0; i < p->n_activities; i++) {
            const sw_activity *x = &p->activities[i];
            if (!sw_strs_contains(&x->purposes, purpose))
                continue;
            const sw_activity *y = sw_policy_activity(q, x->id);
            if (!y || !same_activity_terms(x, y))
                return true;
        }
    }
    return false;
}

/* ---- applying ---- */

typedef char purpose_id[96];

typedef struct apply_ctx {
    sw_store *s;
    const sw_policy *was; /* NULL: the store recorded none */
    const sw_policy *next;
    sw_policy_plan *plan;
    sw_vec rules;     /* sw_rule_change */
    sw_vec purposes;  /* char[96] */
    sw_vec reconsent; /* sw_reconsent */
    char conflict[512];
    sw_instant now;
} apply_ctx;

static sw_rule_change *change_of(apply_ctx *c, const char *rule)
{
    for (size_t i = 0; rule && i < c->rules.n; i++) {
        sw_rule_change *r = SW_VEC_AT(&c->rules, sw_rule_change, i);
        if (strcmp(r->rule, rule) == 0)
            return r;
    }
    return NULL;
}

static int on_redated(const sw_record_row *row, const sw_due *due, void *p)
{
    apply_ctx *c = p;
    if (!due->has_due && row->has_due) {
        c->plan->records_kept_date++;
        return 0;
    }
    c->plan->records_redated++;
    bool now_due = due->has_due && due->due_at <= c->now;
    c->plan->records_now_due += now_due;
    sw_rule_change *ch = change_of(c, due->rule);
    if (!ch)
        ch = change_of(c, row->rule);
    if (ch) {
        ch->redated++;
        ch->now_due += now_due;
    }
    return 0;
}

/* Does a change touch the activity's rules (or do all records need a
 * new look: no policy was recorded)? */
static bool activity_changed(const apply_ctx *c, const char *activity)
{
    if (!c->was)
        return true;
    for (size_t i = 0; i < c->rules.n; i++)
        if (strcmp(SW_VEC_AT(&c->rules, sw_rule_change, i)->activity,
                   activity) == 0)
            return true;
    return false;
}

static int check_activity(const char *activity, int64_t n, void *p)
{
    apply_ctx *c = p;
    if (!c->conflict[0] && !sw_policy_activity(c->next, activity))
        snprintf(c->conflict, sizeof(c->conflict),
                 "the new policy has no activity '%s', yet %lld stored "
                 "records belong to it: keep it (with its rules) until "
                 "they are due, or erase them first",
                 activity, (long long)n);
    return 0;
}

static int check_supp_rule(const char *rule, int64_t n, void *p)
{
    apply_ctx *c = p;
    if (!c->conflict[0] && !sw_policy_rule(c->next, rule))
        snprintf(c->conflict, sizeof(c->conflict),
                 "the new policy has no rule '%s', yet %lld suppression "
                 "entries are kept under it",
                 rule, (long long)n);
    return 0;
}

static int on_seen(const sw_consent_seen *r, void *p)
{
    apply_ctx *c = p;
    sw_reconsent *e = sw_vec_push(&c->reconsent);
    if (!e)
        return 1;
    snprintf(e->consent, sizeof(e->consent), "%s", r->id);
    snprintf(e->subject, sizeof(e->subject), "%s", r->subject);
    snprintf(e->purpose, sizeof(e->purpose), "%s", r->purpose);
    snprintf(e->state, sizeof(e->state), "%s", r->state);
    snprintf(e->notice_version, sizeof(e->notice_version), "%s",
             r->notice_version ? r->notice_version : "");
    return 0;
}

/* The purposes whose terms changed, and the consents to them given under
 * another notice version. */
static sw_status find_reconsent(apply_ctx *c)
{
    if (!c->was)
        return SW_OK;
    const sw_policy *was = c->was, *next = c->next;
    for (int pass = 0; pass < 2; pass++) {
        const sw_policy *p = pass ? next : was;
        for (size_t i = 0; i < p->n_purposes; i++) {
            const char *id = p->purposes[i].id;
            if (pass && sw_policy_purpose(was, id))
                continue; /* seen in the first pass */
            if (!purpose_changed(was, next, id))
                continue;
            purpose_id *e = sw_vec_push(&c->purposes);
            if (!e)
                return sw_fail(c->s, SW_ERR_NOMEM, "out of memory");
            snprintf(*e, sizeof(*e), "%s", id);
        }
    }
    if (c->purposes.n && same_text(was->notice.version, next->notice.version)) {
        snprintf(c->conflict, sizeof(c->conflict),
                 "purpose '%s' changes, but the notice's version stays "
                 "'%s': a consent records the notice it saw, so a changed "
                 "notice needs a new notice.version",
                 *SW_VEC_AT(&c->purposes, purpose_id, 0),
                 next->notice.version ? next->notice.version : "");
        return SW_OK;
    }
    for (size_t i = 0; i < c->purposes.n; i++) {
        sw_status st = sw_consents_under_other_notice(
            c->s, *SW_VEC_AT(&c->purposes, purpose_id, i),
            next->notice.version ? next->notice.version : "", on_seen, c);
        if (st != SW_OK)
            return st;
        if (c->reconsent.nomem)
            return sw_fail(c->s, SW_ERR_NOMEM, "out of memory");
    }
    return SW_OK;
}

/* Dates everything again under c->next (the store's policy meanwhile). */
static sw_status redate(apply_ctx *c, bool dry)
{
    sw_store *s = c->s;
    sw_status st = SW_OK;
    for (size_t i = 0; st == SW_OK && i < c->next->n_activities; i++) {
        const char *id = c->next->activities[i].id;
        if (activity_changed(c, id))
            st = sw_records_redate(s, id, dry, on_redated, c);
    }
    const char *ids = c->next->traffic.identifiers_rule;
    if (st == SW_OK && ids &&
        (!c->was || change_of(c, ids) ||
         !same_text(ids, c->was->traffic.identifiers_rule)))
        st = sw_day_keys_redate(s, dry, &c->plan->day_keys_redated,
                                &c->plan->day_keys_now_due);
    if (st == SW_OK)
        st = sw_suppression_redate(s, dry, &c->plan->suppression_redated,
                                   &c->plan->suppression_now_due);
    return st;
}

static json_t *plan_json(const sw_policy_plan *p)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < p->n_rules; i++) {
        const sw_rule_change *r = &p->rules[i];
        json_array_append_new(
            rules,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "rule", r->rule,
                      "activity", r->activity, "change",
                      sw_rule_change_name(r->kind), "before", r->before,
                      "after", r->after, "redated", (json_int_t)r->redated,
                      "now_due", (json_int_t)r->now_due));
    }
    json_t *purposes = json_array();
    for (size_t i = 0; i < p->n_purposes; i++)
        json_array_append_new(purposes, json_string(p->purposes[i]));
    json_t *re = json_array();
    for (size_t i = 0; i < p->n_reconsent; i++) {
        const sw_reconsent *r = &p->reconsent[i];
        json_array_append_new(
            re, json_pack("{s:s, s:s, s:s, s:s, s:s}", "consent", r->consent,
                          "subject", r->subject, "purpose", r->purpose, "state",
                          r->state, "notice_version", r->notice_version));
    }
    return json_pack(
        "{s:b, s:b, s:i, s:i, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I},"
        " s:{s:I, s:I}, s:{s:I, s:I}, s:o, s:o}",
        "dry_run", p->dry_run, "unchanged", p->unchanged, "from_version",
        p->from_seq, "to_version", p->to_seq, "from_hash", p->from_hash,
        "to_hash", p->to_hash, "from_notice", p->from_notice, "to_notice",
        p->to_notice, "rules", rules, "records", "redated",
        (json_int_t)p->records_redated, "now_due",
        (json_int_t)p->records_now_due, "kept_date",
        (json_int_t)p->records_kept_date, "day_keys", "redated",
        (json_int_t)p->day_keys_redated, "now_due",
        (json_int_t)p->day_keys_now_due, "suppression", "redated",
        (json_int_t)p->suppression_redated, "now_due",
        (json_int_t)p->suppression_now_due, "purposes_changed", purposes,
        "reconsent", re);
}

char *sw_policy_plan_json(const sw_policy_plan *p)
{
    return sw_json_text(plan_json(p));
}

const char *sw_rule_change_name(sw_rule_change_kind k)
{
    static const char *const names[] = {"added", "removed", "shortened",
                                        "lengthened", "changed"};
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

void sw_policy_plan_free(sw_policy_plan *p)
{
    if (!p)
        return;
    free(p->rules);
    free(p->purposes);
    free(p->reconsent);
    free(p);
}

/* Hands the vectors' elements to the plan (they are its from now on). */
static void plan_take(apply_ctx *c)
{
    sw_policy_plan *p = c->plan;
    p->rules = c->rules.v;
    p->n_rules = c->rules.n;
    p->purposes = c->purposes.v;
    p->n_purposes = c->purposes.n;
    p->reconsent = c->reconsent.v;
    p->n_reconsent = c->reconsent.n;
    c->rules.v = c->purposes.v = c->reconsent.v = NULL;
}

static sw_status write_version(apply_ctx *c)
{
    sw_store *s = c->s;
    sw_policy_plan *p = c->plan;
    p->to_seq = p->from_seq + 1;
    json_t *summary = plan_json(p);
    char *text = summary ? sw_json_text(json_incref(summary)) : NULL;
    bool added = false;
    sw_status st = text ? record_version(s, c->next, p->to_seq, text, &added)
                        : sw_fail(s, SW_ERR_NOMEM, "out of memory");
    free(text);
    if (st == SW_OK && !added)
        st = sw_fail(s, SW_ERR_CONFLICT,
                     "another change recorded policy version %d meanwhile: "
                     "compare again",
                     p->to_seq);
    if (st == SW_OK)
        st = sw_audit_json(s, "policy.apply", NULL, NULL, json_incref(summary));
    json_decref(summary);
    if (st != SW_OK)
        p->to_seq = 0;
    return st;
}

sw_status sw_policy_apply(sw_store *s, const sw_policy *next, bool dry_run,
                          sw_policy_plan **out)
{
    *out = NULL;
    if (!next || !next->hash || !next->text)
        return sw_fail(s, SW_ERR_INVALID, "a policy loaded from its text");
    sw_policy_plan *plan = calloc(1, sizeof(*plan));
    if (!plan)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    *out = plan;
    plan->dry_run = dry_run;
    snprintf(plan->to_hash, sizeof(plan->to_hash), "%s", next->hash);
    snprintf(plan->to_notice, sizeof(plan->to_notice), "%s",
             next->notice.version ? next->notice.version : "");

    latest_ctx l = {.want_text = true};
    sw_status st = latest(s, &l);
    sw_policy *was = NULL;
    if (st == SW_OK && l.found && l.text)
        st = load_recorded(s, &l, &was);
    free(l.text);
    if (st != SW_OK)
        return st;
    plan->from_seq = l.found ? l.seq : 0;
    snprintf(plan->from_hash, sizeof(plan->from_hash), "%s", l.hash);
    snprintf(plan->from_notice, sizeof(plan->from_notice), "%s", l.notice);
    if (l.found && strcmp(l.hash, next->hash) == 0) {
        plan->unchanged = true;
        sw_policy_free(was);
        if (!dry_run)
            s->policy = next;
        return SW_OK;
    }

    apply_ctx c = {s,
                   was,
                   next,
                   plan,
                   SW_VEC(sw_rule_change),
                   SW_VEC(purpose_id),
                   SW_VEC(sw_reconsent),
                   "",
                   sw_clock_now(&s->clock)};
    const sw_policy *before = s->policy;
    if (!compare_rules(was, next, c.now, &c.rules))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st == SW_OK)
        st = sw_records_by_activity(s, check_activity, &c);
    if (st == SW_OK)
        st = sw_suppression_by_rule(s, check_supp_rule, &c);
    if (st == SW_OK && !c.conflict[0])
        st = find_reconsent(&c);
    if (st == SW_OK && c.conflict[0])
        st = sw_fail(s, SW_ERR_CONFLICT, "%s", c.conflict);
    bool tx = false;
    if (st == SW_OK && !dry_run)
        tx = (st = sw_tx_begin(s)) == SW_OK;
    if (st == SW_OK) {
        s->policy = next; /* the dates are computed under it */
        st = redate(&c, dry_run);
    }
    plan_take(&c);
    if (st == SW_OK && !dry_run)
        st = write_version(&c);
    if (tx)
        st = sw_tx_end(s, st);
    if (st != SW_OK || dry_run)
        s->policy = before;
    else
        s->policy_seq = plan->to_seq;
    sw_vec_release(&c.rules);
    sw_vec_release(&c.purposes);
    sw_vec_release(&c.reconsent);
    sw_policy_free(was);
    return st;
}
