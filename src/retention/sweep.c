/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep: deletes (or anonymises) every record whose due date has come
 * and that no hold covers, in batches of one transaction each, then does the
 * traffic part (traffic.c), and certifies what it did in the audit trail.
 * A sweep killed at any point leaves whole batches behind; running it again
 * finishes the work, and a second sweep at the same "now" finds nothing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "consent/consent_sql.h"
#include "core/hash.h"
#include "core/json.h"
#include "holds/holds_sql.h"
#include "requests/request_int.h"
#include "retention/sweep_sql.h"
#include "steward/consent.h"
#include "steward/request.h"
#include "steward/retention.h"
#include "store/chain.h"
#include "store/sql.h"
#include "traffic/traffic_int.h"

/* Records per transaction. A batch's memory does not grow with its size
 * (rows are read as they are deleted, subjects are kept as a set of the
 * batch's subjects), so the size weighs the cost of a commit against the
 * write-ahead log's growth and the work a killed sweep redoes. */
#define DEFAULT_BATCH 100000

void sw_sweep_report_free(sw_sweep_report *r)
{
    if (!r)
        return;
    free(r->groups);
    free(r->held_by);
    free(r->systems);
    free(r->system_statements);
    free(r);
}

typedef struct group_ctx {
    sw_store *s;
    sw_sweep_report *r;
    bool nomem;
} group_ctx;

static int add_group(const char *rule, const char *activity, size_t count,
                     sw_instant first, sw_instant last, void *p)
{
    group_ctx *c = p;
    sw_sweep_report *r = c->r;
    sw_sweep_group *g = NULL;
    for (size_t i = 0; i < r->n_groups && !g; i++)
        if (strcmp(r->groups[i].rule, rule) == 0 &&
            strcmp(r->groups[i].activity, activity) == 0)
            g = &r->groups[i];
    if (!g) {
        sw_sweep_group *v = realloc(r->groups, (r->n_groups + 1) * sizeof(*v));
        if (!v) {
            c->nomem = true;
            return 1;
        }
        r->groups = v;
        g = &v[r->n_groups++];
        memset(g, 0, sizeof(*g));
        snprintf(g->rule, sizeof(g->rule), "%s", rule);
        snprintf(g->activity, sizeof(g->activity), "%s", activity);
        const sw_rule *pr = rule[0] ? sw_policy_rule(c->s->policy, rule) : NULL;
        snprintf(g->section, sizeof(g->section), "%s", pr ? pr->section : "");
        snprintf(g->trigger, sizeof(g->trigger), "%s",
                 pr && pr->after ? pr->after : "");
        snprintf(g->action, sizeof(g->action), "%s",
                 sw_action_name(pr ? pr->action : SW_ACTION_DELETE));
        g->first_due = first;
        g->last_due = last;
    }
    g->records += count;
    if (first < g->first_due)
        g->first_due = first;
    if (last > g->last_due)
        g->last_due = last;
    return 0;
}

static int add_held(const char *hold, const char *kind, size_t count, void *p)
{
    group_ctx *c = p;
    sw_sweep_report *r = c->r;
    sw_sweep_held *v = realloc(r->held_by, (r->n_held + 1) * sizeof(*v));
    if (!v) {
        c->nomem = true;
        return 1;
    }
    r->held_by = v;
    snprintf(v[r->n_held].hold, sizeof(v[r->n_held].hold), "%s", hold);
    snprintf(v[r->n_held].kind, sizeof(v[r->n_held].kind), "%s", kind);
    v[r->n_held].records = count;
    r->n_held++;
    return 0;
}

char *sw_sweep_report_json(const sw_sweep_report *r)
{
    char t[SW_INSTANT_BUFSZ], a[SW_INSTANT_BUFSZ], b[SW_INSTANT_BUFSZ];
    json_t *o = json_pack(
        "{s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I}", "now",
        sw_instant_format(r->now, t), "dry_run", r->dry_run, "policy_version",
        r->policy_version, "records", (json_int_t)r->records,
        "subjects_removed", (json_int_t)r->subjects_removed, "orphans_removed",
        (json_int_t)r->orphans_removed, "held", (json_int_t)r->held, "batches",
        (json_int_t)r->batches);
    if (r->carried_batches)
        json_object_set_new(o, "batches_of_an_interrupted_sweep",
                            json_integer((json_int_t)r->carried_batches));
    json_t *rules = json_array();
    for (size_t i = 0; i < r->n_groups; i++) {
        const sw_sweep_group *g = &r->groups[i];
        json_array_append_new(
            rules, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "rule",
                             g->rule, "activity", g->activity, "section",
                             g->section, "trigger", g->trigger, "action",
                             g->action, "records", (json_int_t)g->records,
                             "first_due", sw_instant_format(g->first_due, a),
                             "last_due", sw_instant_format(g->last_due, b)));
    }
    json_object_set_new(o, "rules", rules);
    json_t *held = json_array();
    for (size_t i = 0; i < r->n_held; i++)
        json_array_append_new(
            held, json_pack("{s:s, s:s, s:I}", "hold", r->held_by[i].hold,
                            "kind", r->held_by[i].kind, "records",
                            (json_int_t)r->held_by[i].records));
    json_object_set_new(o, "held_by", held);
    json_object_set_new(
        o, "traffic",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "days_stripped",
                  (json_int_t)r->epochs_destroyed, "rows_kept_under_hold",
                  (json_int_t)r->traffic_rekeyed, "rows_stripped_after_hold",
                  (json_int_t)r->traffic_stripped, "rows_deleted",
                  (json_int_t)r->traffic_deleted, "rows_kept_past_period",
                  (json_int_t)r->traffic_held, "months_dropped",
                  (json_int_t)r->months_dropped, "bills_removed",
                  (json_int_t)r->bills_removed));
    json_object_set_new(o, "consent",
                        json_pack("{s:I, s:I, s:I}", "consents_expired",
                                  (json_int_t)r->consents_expired,
                                  "unconfirmed_removed",
                                  (json_int_t)r->unconfirmed_removed,
                                  "suppression_entries_removed",
                                  (json_int_t)r->suppression_removed));
    json_object_set_new(o, "requests_removed",
                        json_integer((json_int_t)r->requests_removed));
    json_object_set_new(o, "requests_lapsed",
                        json_integer((json_int_t)r->requests_lapsed));
    json_object_set_new(o, "answers_removed",
                        json_integer((json_int_t)r->answers_removed));
    json_object_set_new(o, "public_door_entries_removed",
                        json_integer((json_int_t)r->public_removed));
    json_object_set_new(o, "holds_removed",
                        json_integer((json_int_t)r->holds_removed));
    json_object_set_new(o, "events_removed",
                        json_integer((json_int_t)r->events_removed));
    json_t *systems = json_array();
    for (size_t i = 0; i < r->n_systems; i++) {
        const sw_system_expiry *e = &r->systems[i];
        json_t *one =
            json_pack("{s:s, s:s, s:s, s:I, s:I}", "system", e->system, "table",
                      e->table, "rule", e->rule, "rows", (json_int_t)e->rows,
                      "held", (json_int_t)e->held);
        if (e->error[0])
            json_object_set_new(one, "error", json_string(e->error));
        json_array_append_new(systems, one);
    }
    json_object_set_new(o, "systems", systems);
    json_object_set_new(o, "requests_resumed",
                        json_integer((json_int_t)r->requests_resumed));
    json_object_set_new(o, "requests_waiting_for_systems",
                        json_integer((json_int_t)r->requests_waiting));
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return text;
}

/* What one batch took, grouped by rule, activity, category and month of
 * collection (open addressing; a batch has few groups), and the subjects
 * it touched. */
typedef struct agg {
    bool used;
    char rule[96], activity[96], category[128], month[8];
    size_t count;
    sw_instant first, last;
} agg;

typedef struct take_ctx {
    agg *aggs;
    size_t n_aggs, cap_aggs;
    char (*subjects)[SW_ID_BUFSZ];
    size_t n_subjects, cap_subjects; /* 0: not collected (dry run) */
    agg *last;                       /* the group of the row before */
    bool nomem;
} take_ctx;

/* Inserts into a set of cap (a power of two) slots that has room. */
static void set_put(char (*slots)[SW_ID_BUFSZ], size_t cap, const char *id,
                    uint32_t h, bool *added)
{
    for (size_t i = 0;; i++) {
        char *slot = slots[(h + i) & (cap - 1)];
        if (!slot[0]) {
            snprintf(slot, SW_ID_BUFSZ, "%s", id);
            *added = true;
            return;
        }
        if (strcmp(slot, id) == 0)
            return;
    }
}

/* The batch's subjects: a set that grows with them (a batch of a million
 * records of a thousand subjects needs a thousand slots, not millions). */
static bool add_subject(take_ctx *c, const char *id)
{
    if ((c->n_subjects + 1) * 2 > c->cap_subjects) {
        size_t cap = c->cap_subjects * 2;
        char(*bigger)[SW_ID_BUFSZ] = calloc(cap, SW_ID_BUFSZ);
        if (!bigger)
            return false;
        for (size_t i = 0; i < c->cap_subjects; i++) {
            bool added = false;
            if (c->subjects[i][0])
                set_put(bigger, cap, c->subjects[i],
                        sw_hash_str(SW_HASH_SEED, c->subjects[i]), &added);
        }
        free(c->subjects);
        c->subjects = bigger;
        c->cap_subjects = cap;
    }
    bool added = false;
    set_put(c->subjects, c->cap_subjects, id, sw_hash_str(SW_HASH_SEED, id),
            &added);
    c->n_subjects += added;
    return true;
}

static bool same_group(const agg *a, const char *rule, const char *activity,
                       const char *category, const char *month)
{
    return strcmp(a->month, month) == 0 && strcmp(a->rule, rule) == 0 &&
           strcmp(a->activity, activity) == 0 &&
           strcmp(a->category, category) == 0;
}

static int take_row(const sw_record_row *r, void *p)
{
    take_ctx *c = p;
    const char *rule = r->rule ? r->rule : "";
    int y, m;
    sw_instant_fields(r->collected_at, &y, &m, NULL, NULL);
    char month[8] = {(char)('0' + y / 1000 % 10),
                     (char)('0' + y / 100 % 10),
                     (char)('0' + y / 10 % 10),
                     (char)('0' + y % 10),
                     '-',
                     (char)('0' + m / 10),
                     (char)('0' + m % 10),
                     '\0'};
    /* Rows come in due order: mostly of the group of the row before. */
    agg *a = c->last;
    if (!a || !same_group(a, rule, r->activity, r->category, month)) {
        uint32_t h =
            sw_hash_str(sw_hash_str(sw_hash_str(sw_hash_str(SW_HASH_SEED, rule),
                                                r->activity),
                                    r->category),
                        month);
        a = NULL;
        for (size_t i = 0; i < c->cap_aggs && !a; i++) {
            agg *g = &c->aggs[(h + i) % c->cap_aggs];
            if (!g->used ||
                same_group(g, rule, r->activity, r->category, month))
                a = g;
        }
    }
    if (!a || (c->cap_subjects && !add_subject(c, r->subject))) {
        c->nomem = true; /* more groups than a batch can have */
        return 1;
    }
    if (!a->used) {
        a->used = true;
        snprintf(a->rule, sizeof(a->rule), "%s", rule);
        snprintf(a->activity, sizeof(a->activity), "%s", r->activity);
        snprintf(a->category, sizeof(a->category), "%s", r->category);
        snprintf(a->month, sizeof(a->month), "%s", month);
        a->first = a->last = r->due_at;
        c->n_aggs++;
    }
    a->count++;
    if (r->due_at < a->first)
        a->first = r->due_at;
    if (r->due_at > a->last)
        a->last = r->due_at;
    c->last = a;
    return 0;
}

static bool take_init(take_ctx *c, size_t limit)
{
    memset(c, 0, sizeof(*c));
    c->cap_aggs = 4096;
    c->aggs = calloc(c->cap_aggs, sizeof(agg));
    if (limit) {
        c->cap_subjects = 1024;
        c->subjects = calloc(c->cap_subjects, SW_ID_BUFSZ);
    }
    return c->aggs && (!limit || c->subjects);
}

static void take_release(take_ctx *c)
{
    free(c->aggs);
    free(c->subjects);
}

/* Folds a batch's groups into the report (per rule and activity) and the
 * batch's audit details (per rule and activity, with the due dates: the
 * certificate is rebuilt from these). */
static bool report_groups(sw_store *s, sw_sweep_report *r, const take_ctx *t,
                          json_t *batch_groups)
{
    group_ctx c = {s, r, false};
    for (size_t i = 0; i < t->cap_aggs; i++) {
        const agg *a = &t->aggs[i];
        if (!a->used)
            continue;
        add_group(a->rule, a->activity, a->count, a->first, a->last, &c);
        if (batch_groups)
            json_array_append_new(batch_groups,
                                  json_pack("{s:s, s:s, s:I, s:I, s:I}", "rule",
                                            a->rule, "activity", a->activity,
                                            "records", (json_int_t)a->count,
                                            "first_due", (json_int_t)a->first,
                                            "last_due", (json_int_t)a->last));
    }
    return !c.nomem;
}

/* One batch: take (delete) due records, keep their counts, remove the
 * subjects left empty, audit; one transaction. *n is 0 when nothing was
 * due. */
static sw_status one_batch(sw_store *s, sw_sweep_report *r, size_t limit,
                           size_t *n)
{
    take_ctx t;
    if (!take_init(&t, limit)) {
        take_release(&t);
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK) {
        take_release(&t);
        return st;
    }
    size_t subjects = 0;
    json_t *rules = json_array();
    st = sw_sweep_take(s, r->now, limit, take_row, &t, n);
    if (st == SW_OK && t.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && *n && i < t.cap_aggs; i++) {
        const agg *a = &t.aggs[i];
        if (a->used)
            st = sw_aggregates_add(s, a->activity, a->category, a->month,
                                   a->rule, a->count);
    }
    for (size_t i = 0; st == SW_OK && *n && i < t.cap_subjects; i++) {
        bool removed;
        if (!t.subjects[i][0])
            continue;
        if ((st = sw_subjects_remove_if_empty(s, t.subjects[i], r->now,
                                              &removed)) == SW_OK)
            subjects += removed;
    }
    if (st == SW_OK && *n && !report_groups(s, r, &t, rules))
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st == SW_OK && *n) {
        char when[SW_INSTANT_BUFSZ];
        st = sw_audit_json(s, "sweep.batch", NULL, NULL,
                           json_pack("{s:s, s:I, s:I, s:O}", "now",
                                     sw_instant_format(r->now, when), "records",
                                     (json_int_t)*n, "subjects_removed",
                                     (json_int_t)subjects, "groups", rules));
    }
    json_decref(rules);
    take_release(&t);
    st = sw_tx_end(s, st);
    if (st == SW_OK) {
        r->records += *n;
        r->subjects_removed += subjects;
        r->batches += *n ? 1 : 0;
    } else if (*n) {
        /* the batch was undone: its groups were not counted */
        *n = 0;
    }
    return st;
}

/* ---- subjects nothing keeps ---- */

typedef char subject_id[SW_ID_BUFSZ];

typedef struct orphans_ctx {
    sw_duration grace;
    sw_instant now;
    sw_vec ids; /* of subject_id */
} orphans_ctx;

static int orphan_due(const char *id, sw_instant created, void *p)
{
    orphans_ctx *c = p;
    if (sw_instant_add(created, c->grace) > c->now)
        return 1; /* the oldest first: the rest are younger */
    char *slot = sw_vec_push(&c->ids);
    if (slot)
        snprintf(slot, SW_ID_BUFSZ, "%s", id);
    return 0;
}

/* Removes the subjects nothing keeps (no record, consent, request or
 * hold) once the policy's ledger.orphan_subject has passed since they
 * were created; one transaction, audited. */
static sw_status orphans_sweep(sw_store *s, sw_sweep_report *r)
{
    const sw_duration g = s->policy->ledger.orphan_subject;
    if (!g.years && !g.months && !g.days)
        return SW_OK; /* the policy states no such period */
    orphans_ctx c = {g, r->now, SW_VEC(subject_id)};
    sw_status st = sw_subjects_orphaned(s, r->now, orphan_due, &c);
    if (st == SW_OK && c.ids.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st != SW_OK) {
        sw_vec_release(&c.ids);
        return st;
    }
    if ((st = sw_tx_begin(s)) == SW_OK) {
        for (size_t i = 0; st == SW_OK && i < c.ids.n; i++) {
            sw_erase_result counts;
            st = sw_subjects_delete(s, *SW_VEC_AT(&c.ids, subject_id, i),
                                    &counts);
        }
        /* then the events on accounts no subject is in any more */
        size_t events = 0;
        if (st == SW_OK)
            st = sw_events_orphaned_delete(s, sw_instant_sub(r->now, g),
                                           &events);
        if (st == SW_OK && (c.ids.n || events))
            st = sw_audit_json(s, "subject.orphan_expire", NULL, NULL,
                               json_pack("{s:s, s:I, s:I}", "rule",
                                         "ledger.orphan_subject", "subjects",
                                         (json_int_t)c.ids.n, "events",
                                         (json_int_t)events));
        if ((st = sw_tx_end(s, st)) == SW_OK) {
            r->orphans_removed += c.ids.n;
            r->subjects_removed += c.ids.n;
            r->events_removed += events;
        }
    }
    sw_vec_release(&c.ids);
    return st;
}

/* Removes the holds released ledger.released_hold ago or more (what they
 * kept is swept already); one transaction, audited. */
static sw_status released_holds_sweep(sw_store *s, sw_sweep_report *r)
{
    const sw_duration g = s->policy->ledger.released_hold;
    if (sw_duration_is_zero(g))
        return SW_OK; /* the policy states no such period */
    size_t n = 0;
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    st = sw_holds_released_delete(s, sw_instant_sub(r->now, g), &n);
    if (st == SW_OK && n)
        st = sw_audit_json(s, "hold.expire", NULL, NULL,
                           json_pack("{s:s, s:I}", "rule",
                                     "ledger.released_hold", "holds",
                                     (json_int_t)n));
    if ((st = sw_tx_end(s, st)) == SW_OK)
        r->holds_removed += n;
    return st;
}

/* ---- the certificate, from the trail ----
 * A sweep killed and run again must certify what both runs did: the
 * certificate is rebuilt from the audit entries of the work since the
 * last certificate (whichever run wrote them). */

#define CERTIFIED "sweep_certified" /* meta: seq of the last certificate */

typedef struct fold_ctx {
    sw_sweep_report *r;
    group_ctx g;
    int64_t last;
} fold_ctx;

/* Forgets the counts of work done (not the snapshots: held, kept). */
static void clear_work(sw_sweep_report *r)
{
    r->records = r->subjects_removed = r->batches = 0;
    r->epochs_destroyed = r->traffic_rekeyed = r->traffic_stripped = 0;
    r->traffic_deleted = r->months_dropped = 0;
    r->consents_expired = r->suppression_removed = 0;
    r->unconfirmed_removed = r->orphans_removed = 0;
    r->requests_removed = r->public_removed = r->requests_lapsed = 0;
    r->answers_removed = 0;
    r->holds_removed = r->bills_removed = r->events_removed = 0;
    r->system_rows = 0;
    for (size_t i = 0; i < r->n_systems; i++)
        r->systems[i].rows = 0;
    free(r->groups);
    r->groups = NULL;
    r->n_groups = 0;
}

static json_int_t jint(json_t *d, const char *k)
{
    return json_integer_value(json_object_get(d, k));
}

/* Adds n rows to a system's table in the report (a new entry if none). */
static bool system_rows(sw_sweep_report *r, const char *sys, const char *table,
                        const char *rule, size_t n)
{
    for (size_t i = 0; i < r->n_systems; i++)
        if (strcmp(r->systems[i].system, sys) == 0 &&
            strcmp(r->systems[i].table, table) == 0) {
            r->systems[i].rows += n;
            return true;
        }
    sw_system_expiry *v = realloc(r->systems, (r->n_systems + 1) * sizeof(*v));
    if (!v)
        return false;
    r->systems = v;
    sw_system_expiry *e = &v[r->n_systems++];
    memset(e, 0, sizeof(*e));
    snprintf(e->system, sizeof(e->system), "%s", sys);
    snprintf(e->table, sizeof(e->table), "%s", table);
    snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");
    e->rows = n;
    return true;
}

/* The systems' sweep: its tables (held rows, failures) become the
 * report's; the rows done are counted again from the trail when the
 * certificate is made. */
static sw_status systems_sweep(sw_store *s, sw_sweep_report *r)
{
    sw_system_sweep *w = NULL;
    sw_status st = sw_system_sweep_run(s, r->dry_run, 0, &w);
    if (st == SW_OK && w) {
        free(r->systems);
        r->systems = w->tables;
        r->n_systems = w->n;
        w->tables = NULL;
        w->n = 0;
        r->system_statements = w->statements;
        w->statements = NULL;
        for (size_t i = 0; i < r->n_systems; i++)
            r->system_rows += r->systems[i].rows;
    }
    sw_system_sweep_free(w);
    return st;
}

static int fold_one(const sw_audit_row *row, void *p)
{
    fold_ctx *c = p;
    sw_sweep_report *r = c->r;
    c->last = row->seq;
    const char *a = row->action;
    if (strcmp(a, "sweep.certificate") == 0) {
        clear_work(r); /* what came before is certified (an old trail) */
        return 0;
    }
    static const char *const work[] = {
        "sweep.batch",           "traffic.strip_day",
        "traffic.release_day",   "traffic.expire",
        "consent.expire",        "request.expire",
        "suppression.sweep",     "consent.unconfirmed_expire",
        "subject.orphan_expire", "hold.expire",
        "traffic.bills_expire",  "request.lapse",
        "answer.expire",         "system.expire"};
    bool counted = false;
    for (size_t i = 0; i < sizeof(work) / sizeof(work[0]) && !counted; i++)
        counted = strcmp(a, work[i]) == 0;
    if (!counted)
        return 0;
    json_t *d = json_loads(row->details, 0, NULL);
    if (!d)
        return 0;
    if (strcmp(a, "sweep.batch") == 0) {
        r->records += (size_t)jint(d, "records");
        r->subjects_removed += (size_t)jint(d, "subjects_removed");
        r->batches++;
        size_t i;
        json_t *gr;
        json_array_foreach(json_object_get(d, "groups"), i, gr)
        {
            const char *rule = json_string_value(json_object_get(gr, "rule"));
            const char *act =
                json_string_value(json_object_get(gr, "activity"));
            if (rule && act)
                add_group(rule, act, (size_t)jint(gr, "records"),
                          jint(gr, "first_due"), jint(gr, "last_due"), &c->g);
        }
    } else if (strcmp(a, "traffic.strip_day") == 0) {
        r->epochs_destroyed++;
        r->traffic_rekeyed += (size_t)jint(d, "rows_kept_under_hold");
    } else if (strcmp(a, "traffic.release_day") == 0) {
        r->traffic_stripped += (size_t)jint(d, "rows_stripped");
    } else if (strcmp(a, "traffic.expire") == 0) {
        r->traffic_deleted += (size_t)jint(d, "rows_deleted");
        r->months_dropped += json_is_true(json_object_get(d, "dropped"));
    } else if (strcmp(a, "consent.expire") == 0) {
        r->consents_expired++;
    } else if (strcmp(a, "consent.unconfirmed_expire") == 0) {
        r->unconfirmed_removed += (size_t)jint(d, "consents");
        r->subjects_removed += (size_t)jint(d, "subjects_removed");
    } else if (strcmp(a, "subject.orphan_expire") == 0) {
        r->orphans_removed += (size_t)jint(d, "subjects");
        r->subjects_removed += (size_t)jint(d, "subjects");
        r->events_removed += (size_t)jint(d, "events");
    } else if (strcmp(a, "hold.expire") == 0) {
        r->holds_removed += (size_t)jint(d, "holds");
    } else if (strcmp(a, "traffic.bills_expire") == 0) {
        r->bills_removed += (size_t)jint(d, "bills");
    } else if (strcmp(a, "request.expire") == 0) {
        r->requests_removed += (size_t)jint(d, "requests");
    } else if (strcmp(a, "request.lapse") == 0) {
        r->requests_lapsed++;
    } else if (strcmp(a, "system.expire") == 0) {
        const char *sys = json_string_value(json_object_get(d, "system"));
        const char *table = json_string_value(json_object_get(d, "table"));
        const char *rule = json_string_value(json_object_get(d, "rule"));
        size_t n = (size_t)jint(d, "rows");
        r->system_rows += n;
        if (sys && table && !system_rows(r, sys, table, rule, n))
            c->g.nomem = true;
    } else if (strcmp(a, "answer.expire") == 0) {
        r->answers_removed += (size_t)jint(d, "answers");
    } else if (strcmp(a, "suppression.sweep") == 0) {
        r->suppression_removed += (size_t)jint(d, "suppression_entries");
        r->public_removed += (size_t)jint(d, "public_door_entries");
    }
    json_decref(d);
    return 0;
}

/* Rebuilds r's counts of work done from the trail since the last
 * certificate; *carried: batches an earlier run left uncertified. */
static sw_status fold_since_certified(sw_store *s, sw_sweep_report *r,
                                      size_t *carried)
{
    char text[32] = "";
    sw_status st = sw_meta_get(s, CERTIFIED, text, sizeof(text));
    if (st != SW_OK && st != SW_ERR_NOTFOUND)
        return st;
    int64_t from = st == SW_OK ? strtoll(text, NULL, 10) + 1 : 1;
    size_t own = r->batches;
    fold_ctx c = {r, {s, r, false}, 0};
    clear_work(r);
    if ((st = sw_chain_scan(s, from, fold_one, &c)) != SW_OK)
        return sw_fail_prefix(s, st, "reading the sweep's audit entries");
    if (c.g.nomem)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    *carried = r->batches > own ? r->batches - own : 0;
    return SW_OK;
}

sw_status sw_sweep(sw_store *s, const sw_sweep_options *o,
                   sw_sweep_report **out)
{
    *out = NULL;
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    if (s->in_batch)
        return sw_fail(s, SW_ERR_INVALID, "a sweep cannot run inside a batch");
    sw_sweep_report *r = calloc(1, sizeof(*r));
    if (!r)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    *out = r;
    r->now = sw_clock_now(&s->clock);
    r->dry_run = o && o->dry_run;
    snprintf(r->policy_version, sizeof(r->policy_version), "%s",
             s->policy->notice.version);
    size_t batch = o && o->batch ? o->batch : DEFAULT_BATCH;
    sw_status st = SW_OK;
    group_ctx c = {s, r, false};

    /* A plan is the sweep itself, run inside one transaction that is then
     * rolled back: it counts exactly what a sweep at the same instant
     * does, and changes nothing (so it needs no lock). One sweep at a
     * time, across processes (several daemons). */
    st = r->dry_run ? sw_batch_begin(s) : s->drv->sweep_lock(s->db, true);
    if (st != SW_OK)
        return r->dry_run ? st : sw_sql_fail(s, st, NULL);
    /* Consent periods that ended make their records due first. */
    st = sw_consent_expire(s, &r->consents_expired);
    size_t gone = 0;
    if (st == SW_OK)
        st = sw_consent_unconfirmed_expire(s, &r->unconfirmed_removed, &gone);
    r->subjects_removed += gone;
    for (size_t n = 1; n && st == SW_OK;) {
        st = one_batch(s, r, batch, &n);
        if (st == SW_OK && n && o && o->progress)
            o->progress(r->records, o->progress_ctx);
    }
    if (st == SW_OK)
        st = sw_traffic_sweep(s, r->now, r);
    if (st == SW_OK)
        st = systems_sweep(s, r);
    if (st == SW_OK && !r->dry_run) /* erasures waiting for a system */
        st = sw_request_systems_retry(s, &r->requests_resumed,
                                      &r->requests_waiting);
    if (st == SW_OK && (st = sw_tx_begin(s)) == SW_OK) {
        st = sw_suppression_rows_sweep(s, r->now, &r->suppression_removed);
        /* the public door's tickets and limits that are over */
        if (st == SW_OK)
            st = sw_public_state_sweep(s, r->now, &r->public_removed);
        if (st == SW_OK && (r->suppression_removed || r->public_removed))
            st = sw_audit_json(s, "suppression.sweep", NULL, NULL,
                               json_pack("{s:I, s:I}", "suppression_entries",
                                         (json_int_t)r->suppression_removed,
                                         "public_door_entries",
                                         (json_int_t)r->public_removed));
        st = sw_tx_end(s, st);
    }
    if (st == SW_OK) /* before they expire: closed now, they are kept */
        st = sw_request_lapse(s, &r->requests_lapsed);
    if (st == SW_OK)
        st = sw_request_expire(s, &r->requests_removed);
    if (st == SW_OK)
        st = sw_answer_expire(s, &r->answers_removed);
    if (st == SW_OK)
        st = orphans_sweep(s, r);
    if (st == SW_OK)
        st = released_holds_sweep(s, r);
    if (st == SW_OK)
        st = sw_records_held(s, r->now, add_held, &c, &r->held);
    if (r->dry_run)
        sw_batch_rollback(s); /* always: a plan changes nothing */
    else
        s->drv->sweep_lock(s->db, false);
    if (st == SW_OK && c.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    size_t carried = 0;
    if (st == SW_OK && !r->dry_run)
        st = fold_since_certified(s, r, &carried);
    r->carried_batches = carried;
    bool did = r->records || r->epochs_destroyed || r->traffic_deleted ||
               r->traffic_stripped || r->traffic_rekeyed || r->months_dropped ||
               r->consents_expired || r->unconfirmed_removed ||
               r->orphans_removed || r->suppression_removed ||
               r->requests_removed || r->public_removed || r->holds_removed ||
               r->bills_removed || r->events_removed || r->requests_lapsed ||
               r->answers_removed || r->system_rows;
    if (st == SW_OK && !r->dry_run && did) {
        char *cert = sw_sweep_report_json(r);
        /* The certificate is compact JSON in the trail. */
        json_error_t err;
        char *compact = cert ? sw_json_text(json_loads(cert, 0, &err)) : NULL;
        st = compact ? sw_tx_begin(s)
                     : sw_fail(s, SW_ERR_NOMEM, "out of memory");
        if (st == SW_OK) {
            st = sw_audit_append(s, "sweep.certificate", NULL, "[]", compact);
            int64_t seq = 0;
            char text[32];
            if (st == SW_OK) {
                uint8_t h[SW_HASH_BYTES];
                st = sw_chain_last(s, &seq, h);
            }
            snprintf(text, sizeof(text), "%lld", (long long)seq);
            if (st == SW_OK)
                st = sw_meta_set(s, CERTIFIED, text);
            st = sw_tx_end(s, st);
        }
        free(cert);
        free(compact);
    }
    return st;
}
