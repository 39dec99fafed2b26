/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the connectors do in a system: check it against the policy, find a
 * person's rows, erase them, and sweep the rows whose time is over. Each
 * works on one connection per system; a change runs in one transaction of
 * that system and is then audited in the store (counts, never values).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "steward/retention.h"
#include "store/chain.h"
#include "systems/systems_int.h"

#define DEFAULT_BATCH 100000
#define MAX_DEPTH 8

const sw_system *sw_system_named(const sw_policy *p, const char *id)
{
    for (size_t i = 0; p && i < p->n_systems; i++)
        if (strcmp(p->systems[i].id, id) == 0)
            return &p->systems[i];
    return NULL;
}

static sw_status need_systems(sw_store *s)
{
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    return SW_OK;
}

/* Opens a connection and checks every dataset's names against the live
 * schema; a failure is the store's message. */
static sw_status open_checked(sw_store *s, const sw_system *sys, sw_sysconn *c)
{
    sw_status st = sw_sysconn_open(sys, c);
    if (st != SW_OK)
        return sw_fail(s, st, "%s", c->err);
    for (size_t i = 0; i < sys->n_datasets; i++) {
        char what[192];
        if (!sw_dataset_live(&sys->datasets[i], &c->live[i], what,
                             sizeof(what))) {
            sw_sysconn_close(c);
            return sw_fail(s, SW_ERR_CONFLICT,
                           "system %s: %s (see steward system check %s)",
                           sys->id, what, sys->id);
        }
    }
    return SW_OK;
}

/* The connections a handle keeps open, one per system of the policy it
 * was made for: a person's access, an erasure and the sweep do not
 * connect and read the schema each time. A connection that failed is
 * closed (the next use connects again); system check always connects
 * anew. */
typedef struct conn_cache {
    const sw_policy *policy;
    size_t n;
    sw_sysconn *c; /* by the system's index; db NULL while closed */
} conn_cache;

static void conn_cache_free(void *p)
{
    conn_cache *k = p;
    for (size_t i = 0; k && i < k->n; i++)
        if (k->c[i].db)
            sw_sysconn_close(&k->c[i]);
    if (k)
        free(k->c);
    free(k);
}

/* The system's connection, open and checked against the live schema. */
static sw_status conn_get(sw_store *s, const sw_system *sys, sw_sysconn **out)
{
    conn_cache *k = sw_ext_get(s, SW_EXT_SYSTEMS);
    if (!k || k->policy != s->policy || k->n != s->policy->n_systems) {
        k = calloc(1, sizeof(*k));
        if (k)
            k->c = calloc(s->policy->n_systems ? s->policy->n_systems : 1,
                          sizeof(*k->c));
        if (!k || !k->c) {
            free(k);
            return sw_fail(s, SW_ERR_NOMEM, "out of memory");
        }
        k->policy = s->policy;
        k->n = s->policy->n_systems;
        sw_ext_set(s, SW_EXT_SYSTEMS, k, NULL, conn_cache_free);
    }
    sw_sysconn *c = &k->c[sys - s->policy->systems];
    /* a kept connection whose server went away since (restarted, or the
     * connection timed out) is made again before it is used */
    if (c->db && sw_sys_run(c, "SELECT 1", NULL, 0, NULL, NULL, NULL) != SW_OK)
        sw_sysconn_close(c);
    if (!c->db) {
        sw_status st = open_checked(s, sys, c);
        if (st != SW_OK)
            return st;
    }
    *out = c;
    return SW_OK;
}

/* After a use: a failed connection is closed, to be made again. */
static void conn_done(sw_sysconn *c, sw_status st)
{
    if (st != SW_OK && st != SW_ERR_NOMEM && c->db)
        sw_sysconn_close(c);
}

/* A dry run's statements handed to the caller (*out); st passed on. */
static sw_status hand_statements(sw_store *s, sw_status st, bool dry_run,
                                 sw_buf *b, char **out)
{
    if (dry_run && st == SW_OK && sw_buf_finish(b, out) != SW_OK)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_buf_release(b);
    return st;
}

/* ---- steward system check ---- */

static bool add_issue(sw_system_report *r, const char *table,
                      const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool add_issue(sw_system_report *r, const char *table,
                      const char *column, const char *fmt, ...)
{
    sw_system_issue *more =
        realloc(r->issues, (r->n_issues + 1) * sizeof(*more));
    if (!more)
        return false;
    r->issues = more;
    sw_system_issue *i = &more[r->n_issues++];
    snprintf(i->table, sizeof(i->table), "%s", table);
    snprintf(i->column, sizeof(i->column), "%s", column ? column : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(i->what, sizeof(i->what), fmt, ap);
    va_end(ap);
    return true;
}

static bool add_count(sw_system_report *r, const char *table,
                      const char *category, int64_t rows)
{
    for (size_t i = 0; i < r->n_counts; i++)
        if (strcmp(r->counts[i].table, table) == 0 &&
            strcmp(r->counts[i].category, category) == 0) {
            r->counts[i].rows += rows;
            return true;
        }
    sw_system_count *more =
        realloc(r->counts, (r->n_counts + 1) * sizeof(*more));
    if (!more)
        return false;
    r->counts = more;
    sw_system_count *c = &more[r->n_counts++];
    snprintf(c->table, sizeof(c->table), "%s", table);
    snprintf(c->category, sizeof(c->category), "%s", category);
    c->rows = rows;
    return true;
}

/* Whether a live column of class k can be what the policy makes of it. */
static const char *unfit(int k, const char *use)
{
    if (k == SW_COL_ANY)
        return NULL;
    if (strcmp(use, "clock") == 0)
        return k == SW_COL_TIME || k == SW_COL_INT || k == SW_COL_TEXT
                   ? NULL
                   : "a clock needs a date, a time, a number of seconds or "
                     "ISO text";
    if (strcmp(use, "text") == 0)
        return k == SW_COL_TEXT ? NULL : "it needs text";
    if (strcmp(use, "identity") == 0)
        return k == SW_COL_TEXT || k == SW_COL_INT
                   ? NULL
                   : "an identity needs text or an integer";
    return NULL;
}

static bool check_column(sw_system_report *r, const sw_dataset *d,
                         const sw_live_table *t, const char *column,
                         const char *use)
{
    if (!column)
        return true;
    int k = sw_live_class(t, column);
    if (k < 0)
        return add_issue(r, d->table, column, "missing");
    const char *why = unfit(k, use);
    size_t i = 0;
    while (i < t->n && strcmp(t->names[i], column) != 0)
        i++;
    return !why ||
           add_issue(r, d->table, column, "is %s (%s): %s",
                     sw_col_class_name((sw_col_class)k), t->types[i], why);
}

static bool check_dataset(const sw_system *sys, const sw_sysconn *c, size_t di,
                          sw_system_report *r)
{
    const sw_dataset *d = &sys->datasets[di];
    const sw_live_table *t = &c->live[di];
    if (!t->exists)
        return add_issue(r, d->table, NULL, "table missing");
    bool ok = check_column(r, d, t, d->key, "key") &&
              check_column(r, d, t, d->clock, "clock");
    for (size_t i = 0; ok && i < d->n_identities; i++) {
        const sw_sys_identity *id = &d->identities[i];
        bool textual = strcmp(id->type, "email") == 0 ||
                       strcmp(id->type, "phone") == 0 ||
                       strcmp(id->type, "msisdn") == 0;
        ok = check_column(r, d, t, id->column, textual ? "text" : "identity");
    }
    for (size_t i = 0; ok && i < d->n_columns; i++) {
        const sw_sys_column *col = &d->columns[i];
        bool text = col->erase == SW_ERASE_MASK || col->erase == SW_ERASE_HASH;
        ok = check_column(r, d, t, col->name, text ? "text" : "any");
    }
    for (size_t i = 0; ok && i < d->n_relations; i++) {
        const sw_sys_relation *rel = &d->relations[i];
        ok = check_column(r, d, t, rel->column, "any");
        for (size_t p = 0; ok && p < sys->n_datasets; p++) {
            if (strcmp(sys->datasets[p].table, rel->table) != 0)
                continue;
            int mine = sw_live_class(t, rel->column);
            int theirs = sw_live_class(&c->live[p], rel->references);
            if (theirs < 0)
                ok = add_issue(r, rel->table, rel->references, "missing");
            else if (mine >= 0 && mine != theirs && mine != SW_COL_ANY &&
                     theirs != SW_COL_ANY)
                ok = add_issue(r, d->table, rel->column,
                               "is %s but %s.%s it refers to is %s",
                               sw_col_class_name((sw_col_class)mine),
                               rel->table, rel->references,
                               sw_col_class_name((sw_col_class)theirs));
        }
    }
    return ok;
}

static sw_status count_dataset(sw_sysconn *c, const sw_dataset *d,
                               sw_system_report *r, bool *nomem)
{
    sw_selector q;
    sw_selector_init(&q);
    sw_buf_puts(&q.where, "1 = 1");
    int64_t n = 0;
    sw_status st = sw_sys_count(c, d->table, &q, &n);
    if (st == SW_OK && !add_count(r, d->table, "", n))
        *nomem = true;
    for (size_t i = 0; st == SW_OK && i < d->n_columns; i++) {
        sw_selector_free(&q);
        sw_selector_init(&q);
        sw_buf_printf(&q.where, "\"%s\" IS NOT NULL", d->columns[i].name);
        st = sw_sys_count(c, d->table, &q, &n);
        if (st == SW_OK && !add_count(r, d->table, d->columns[i].category, n))
            *nomem = true;
    }
    sw_selector_free(&q);
    return st;
}

sw_status sw_system_check(sw_store *s, const char *system,
                          sw_system_report **out)
{
    *out = NULL;
    sw_status st = need_systems(s);
    if (st != SW_OK)
        return st;
    const sw_system *sys = sw_system_named(s->policy, system);
    if (!sys)
        return sw_fail(s, SW_ERR_NOTFOUND,
                       "the policy declares no system '%s' (see its systems "
                       "section)",
                       system);
    sw_system_report *r = calloc(1, sizeof(*r));
    if (!r)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    snprintf(r->system, sizeof(r->system), "%s", sys->id);
    sw_sysconn c;
    if ((st = sw_sysconn_open(sys, &c)) != SW_OK) {
        sw_system_report_free(r);
        return sw_fail(s, st, "%s", c.err);
    }
    bool nomem = false;
    for (size_t i = 0; !nomem && i < sys->n_datasets; i++)
        nomem = !check_dataset(sys, &c, i, r);
    for (size_t i = 0; st == SW_OK && !nomem && i < sys->n_datasets; i++) {
        char what[192];
        if (sw_dataset_live(&sys->datasets[i], &c.live[i], what, sizeof(what)))
            st = count_dataset(&c, &sys->datasets[i], r, &nomem);
    }
    if (st != SW_OK)
        sw_fail(s, st, "%s", c.err);
    else if (nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_sysconn_close(&c);
    if (st != SW_OK) {
        sw_system_report_free(r);
        return st;
    }
    *out = r;
    return SW_OK;
}

void sw_system_report_free(sw_system_report *r)
{
    if (!r)
        return;
    free(r->issues);
    free(r->counts);
    free(r);
}

/* ---- holds ---- */

typedef struct held_set {
    sw_store *s;
    sw_person people; /* the values of held accounts and subjects */
    const char **acts;
    size_t n_acts;
    sw_status st;
} held_set;

static int held_one(const sw_hold_view *h, void *p)
{
    held_set *hs = p;
    if (strcmp(h->scope, "activity") == 0) {
        const char **more = realloc(hs->acts, (hs->n_acts + 1) * sizeof(*more));
        char *dup = more ? strdup(h->target) : NULL;
        if (more)
            hs->acts = more;
        if (!dup) {
            hs->st = sw_fail(hs->s, SW_ERR_NOMEM, "out of memory");
            return 1;
        }
        hs->acts[hs->n_acts++] = dup;
        return 0;
    }
    sw_person one = {0, NULL};
    if (strcmp(h->scope, "account") == 0) {
        one.ids = calloc(1, sizeof(*one.ids));
        if (one.ids) {
            snprintf(one.ids[0].type, sizeof(one.ids[0].type), "account_id");
            one.ids[0].value = strdup(h->target);
            one.n = one.ids[0].value ? 1 : 0;
        }
    } else if (strcmp(h->scope, "subject") == 0) {
        sw_status st = sw_person_of(hs->s, h->target, &one);
        if (st == SW_ERR_NOTFOUND)
            return 0; /* the subject is gone */
        if (st != SW_OK) {
            hs->st = st;
            return 1;
        }
    } else {
        return 0; /* a record of the store */
    }
    void *more = realloc(hs->people.ids,
                         (hs->people.n + one.n) * sizeof(*hs->people.ids));
    if (!more && one.n) {
        sw_person_free(&one);
        hs->st = sw_fail(hs->s, SW_ERR_NOMEM, "out of memory");
        return 1;
    }
    if (more)
        hs->people.ids = more;
    for (size_t i = 0; i < one.n; i++) /* the values move */
        hs->people.ids[hs->people.n++] = one.ids[i];
    free(one.ids);
    return 0;
}

static void held_free(held_set *h)
{
    sw_person_free(&h->people);
    for (size_t i = 0; i < h->n_acts; i++)
        free((char *)h->acts[i]);
    free(h->acts);
}

static bool activity_held(const held_set *h, const char *activity)
{
    for (size_t i = 0; i < h->n_acts; i++)
        if (strcmp(h->acts[i], activity) == 0)
            return true;
    return false;
}

/* The active holds: the values of held accounts and subjects, and the
 * activities held whole. */
static sw_status held_gather(sw_store *s, held_set *h)
{
    memset(h, 0, sizeof(*h));
    h->s = s;
    sw_status st = sw_hold_list(s, false, held_one, h);
    return st == SW_OK ? h->st : st;
}

/* ---- walking a system's tables from the rows that name a person ---- */

typedef struct walk {
    sw_store *s;
    sw_sysconn *c;
    const sw_system *sys;
    bool dry_run;
    sw_buf *statements;
    const sw_dataset *path[MAX_DEPTH];
    size_t depth;
    /* erasure: the steps; access: the rows */
    sw_system_erasure *erasure;
    json_t *found;        /* table -> {key text -> row} */
    const held_set *held; /* erasure: what holds keep */
    size_t kept;          /* rows a hold kept */
    sw_status st;
} walk;

static bool on_path(const walk *w, const sw_dataset *d)
{
    for (size_t i = 0; i < w->depth; i++)
        if (w->path[i] == d)
            return true;
    return false;
}

static void add_step(walk *w, const sw_dataset *d, size_t rows)
{
    sw_system_erasure *e = w->erasure;
    sw_erasure_plan plan;
    sw_erasure_plan_of(d, &plan);
    const char *action = plan.deletes ? "delete" : "update";
    for (size_t i = 0; i < e->n_steps; i++)
        if (strcmp(e->steps[i].system, w->sys->id) == 0 &&
            strcmp(e->steps[i].table, d->table) == 0) {
            e->steps[i].rows += rows;
            return;
        }
    sw_system_step *more = realloc(e->steps, (e->n_steps + 1) * sizeof(*more));
    if (!more) {
        w->st = sw_fail(w->s, SW_ERR_NOMEM, "out of memory");
        return;
    }
    e->steps = more;
    sw_system_step *st = &more[e->n_steps++];
    snprintf(st->system, sizeof(st->system), "%s", w->sys->id);
    snprintf(st->table, sizeof(st->table), "%s", d->table);
    snprintf(st->action, sizeof(st->action), "%s", action);
    st->rows = rows;
}

static sw_status visit(walk *w, const sw_dataset *d, sw_selector *q);

/* The datasets that refer to d, each through its relation. */
static void visit_children(walk *w, const sw_dataset *d, sw_selector *q)
{
    if (w->depth >= MAX_DEPTH)
        return;
    w->path[w->depth++] = d;
    for (size_t i = 0; w->st == SW_OK && i < w->sys->n_datasets; i++) {
        const sw_dataset *child = &w->sys->datasets[i];
        for (size_t r = 0; w->st == SW_OK && r < child->n_relations; r++) {
            const sw_sys_relation *rel = &child->relations[r];
            if (strcmp(rel->table, d->table) != 0 || on_path(w, child))
                continue;
            sw_selector cq;
            if (!sw_selector_copy(q, &cq) || !sw_select_child(d, rel, &cq)) {
                sw_selector_free(&cq);
                w->st = sw_fail(w->s, SW_ERR_NOMEM, "out of memory");
                break;
            }
            w->st = visit(w, child, &cq);
            sw_selector_free(&cq);
        }
    }
    w->depth--;
}

/* ---- access ---- */

static json_t *value_json(const sw_val *v)
{
    switch (v->type) {
    case SW_INT: return json_integer((json_int_t)v->i);
    case SW_TEXT: return json_stringn(v->p, v->n);
    case SW_BLOB: return json_string("(binary)");
    default: return json_null();
    }
}

typedef struct rows_ctx {
    const sw_dataset *d;
    json_t *table; /* key text -> row */
} rows_ctx;

static int access_row(sw_sysconn *c, void *stmt, void *p)
{
    rows_ctx *r = p;
    sw_val key;
    c->drv->column(stmt, 0, &key);
    char kt[64];
    if (key.type == SW_INT)
        snprintf(kt, sizeof(kt), "%lld", (long long)key.i);
    else
        snprintf(kt, sizeof(kt), "%.*s", (int)key.n,
                 key.p ? (const char *)key.p : "");
    if (json_object_get(r->table, kt))
        return 0; /* reached twice */
    json_t *row = json_object();
    json_object_set_new(row, r->d->key, value_json(&key));
    for (size_t i = 0; i < r->d->n_columns; i++) {
        sw_val v;
        c->drv->column(stmt, (int)i + 1, &v);
        json_object_set_new(row, r->d->columns[i].name,
                            json_pack("{s:o, s:s}", "value", value_json(&v),
                                      "category", r->d->columns[i].category));
    }
    json_object_set_new(r->table, kt, row);
    return 0;
}

static sw_status access_rows(walk *w, const sw_dataset *d, sw_selector *q)
{
    sw_buf b;
    sw_buf_init(&b, 1u << 20);
    sw_buf_printf(&b, "SELECT \"%s\"", d->key);
    for (size_t i = 0; i < d->n_columns; i++)
        sw_buf_printf(&b, ", \"%s\"", d->columns[i].name);
    sw_buf_printf(&b, " FROM \"%s\" WHERE %s", d->table, q->where.data);
    json_t *table = json_object_get(w->found, d->table);
    if (!table) {
        table = json_object();
        json_object_set_new(w->found, d->table, table);
    }
    rows_ctx r = {d, table};
    sw_status st = b.failed ? sw_sys_fail(w->c, SW_ERR_NOMEM, "out of memory")
                            : sw_sys_run(w->c, b.data, q->vals, q->n_vals,
                                         access_row, &r, NULL);
    sw_buf_release(&b);
    return st != SW_OK ? sw_fail(w->s, st, "%s", w->c->err) : SW_OK;
}

static sw_status visit(walk *w, const sw_dataset *d, sw_selector *q)
{
    if (w->found) { /* access: the parent, then what refers to it */
        sw_status st = access_rows(w, d, q);
        if (st != SW_OK)
            return st;
        visit_children(w, d, q);
        return w->st;
    }
    visit_children(w, d, q); /* erasure: children first */
    if (w->st != SW_OK)
        return w->st;
    size_t rows = 0;
    sw_status st =
        sw_erase_rows(w->s, w->c, d, q, w->dry_run, &rows, w->statements);
    if (st != SW_OK)
        return sw_fail(w->s, st, "%s", w->c->err);
    add_step(w, d, rows);
    return w->st;
}

/* An erasure's root with what a hold keeps left out (Art. 17(3)): the
 * rows of a held account or subject, or every row of a held activity;
 * counted in w->kept. */
static sw_status visit_unheld(walk *w, size_t di, sw_selector *q)
{
    const sw_dataset *d = &w->sys->datasets[di];
    int64_t kept = 0;
    sw_status st;
    if (activity_held(w->held, d->activity)) {
        st = sw_sys_count(w->c, d->table, q, &kept);
        w->kept += kept > 0 ? (size_t)kept : 0;
        return st != SW_OK ? sw_fail(w->s, st, "%s", w->c->err) : SW_OK;
    }
    st = sw_count_held(w->c, d, &w->c->live[di], &w->held->people, q, &kept);
    if (st != SW_OK)
        return sw_fail(w->s, st, "%s", w->c->err);
    if (!sw_select_not_held(d, &w->c->live[di], &w->held->people, q))
        return sw_fail(w->s, SW_ERR_NOMEM, "out of memory");
    w->kept += kept > 0 ? (size_t)kept : 0;
    return visit(w, d, q);
}

/* Every root of the system (a dataset with an identity of the person),
 * walked. */
static sw_status walk_person(walk *w, const sw_person *p)
{
    for (size_t i = 0; w->st == SW_OK && i < w->sys->n_datasets; i++) {
        const sw_dataset *d = &w->sys->datasets[i];
        sw_selector q;
        sw_selector_init(&q);
        bool ok;
        if (sw_select_person(d, &w->c->live[i], p, &q, &ok))
            w->st = w->held ? visit_unheld(w, i, &q) : visit(w, d, &q);
        else if (!ok)
            w->st = sw_fail(w->s, SW_ERR_NOMEM, "out of memory");
        sw_selector_free(&q);
    }
    return w->st;
}

static const sw_dataset *dataset_named(const sw_system *sys, const char *t)
{
    for (size_t i = 0; t && i < sys->n_datasets; i++)
        if (strcmp(sys->datasets[i].table, t) == 0)
            return &sys->datasets[i];
    return NULL;
}

/* A webhook's rows of the person: each declared field labelled with its
 * category (a field the policy does not declare is left out). */
static sw_status webhook_rows(sw_store *s, const sw_system *sys,
                              const char *subject, const sw_person *p,
                              json_t *all, json_int_t *total)
{
    char of[96], job[SW_ID_BUFSZ];
    snprintf(of, sizeof(of), "%s|%lld", subject,
             (long long)sw_clock_now(&s->wall));
    sw_webhook_job_id(s, of, sys->id, "access", job);
    sw_webhook_job j = {job, SW_JOB_ACCESS, NULL, p, NULL, 0, NULL};
    sw_webhook_result r;
    sw_status st = sw_webhook_run(s, sys, &j, &r);
    if (st != SW_OK)
        return st;
    size_t i;
    json_t *item;
    json_array_foreach((json_t *)r.data, i, item)
    {
        const sw_dataset *d = dataset_named(
            sys, json_string_value(json_object_get(item, "resource")));
        if (!d)
            continue;
        json_t *list = json_array();
        size_t k;
        json_t *row;
        json_array_foreach(json_object_get(item, "rows"), k, row)
        {
            json_t *out = json_object();
            if (json_object_get(row, d->key))
                json_object_set(out, d->key, json_object_get(row, d->key));
            for (size_t c = 0; c < d->n_columns; c++) {
                json_t *v = json_object_get(row, d->columns[c].name);
                if (v)
                    json_object_set_new(out, d->columns[c].name,
                                        json_pack("{s:O, s:s}", "value", v,
                                                  "category",
                                                  d->columns[c].category));
            }
            json_array_append_new(list, out);
        }
        *total += (json_int_t)json_array_size(list);
        if (json_array_size(list))
            json_array_append_new(
                all,
                json_pack("{s:s, s:s, s:s, s:s, s:o}", "system", sys->id,
                          "name", sys->name ? sys->name : sys->id, "table",
                          d->table, "activity", d->activity, "rows", list));
        else
            json_decref(list);
    }
    json_decref(r.data);
    return SW_OK;
}

sw_status sw_system_rows(sw_store *s, const char *subject, char **json)
{
    *json = NULL;
    json_t *all;
    sw_status st = sw_system_rows_json(s, subject, &all);
    if (st == SW_OK && !(*json = sw_json_text(all)))
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    return st;
}

sw_status sw_system_rows_json(sw_store *s, const char *subject, json_t **out)
{
    *out = NULL;
    sw_status st = need_systems(s);
    sw_person p = {0, NULL};
    if (st == SW_OK)
        st = sw_person_of(s, subject, &p);
    if (st != SW_OK)
        return st;
    json_t *all = json_array();
    json_int_t total = 0;
    for (size_t i = 0; st == SW_OK && i < s->policy->n_systems; i++) {
        const sw_system *sys = &s->policy->systems[i];
        if (sys->connector == SW_CONN_WEBHOOK) {
            st = webhook_rows(s, sys, subject, &p, all, &total);
            continue;
        }
        sw_sysconn *cp;
        if ((st = conn_get(s, sys, &cp)) != SW_OK)
            break;
        walk w = {.s = s, .c = cp, .sys = sys, .found = json_object()};
        if ((st = cp->drv->tx(cp->db, SW_TX_READ)) != SW_OK)
            st = sw_fail(s, st, "system %s: %s", sys->id,
                         cp->drv->errmsg(cp->db));
        if (st == SW_OK)
            st = walk_person(&w, &p);
        cp->drv->tx(cp->db, SW_TX_ROLLBACK);
        const char *table;
        json_t *rows;
        json_object_foreach(w.found, table, rows)
        {
            if (!json_object_size(rows))
                continue;
            json_t *list = json_array();
            const char *k;
            json_t *row;
            json_object_foreach(rows, k, row) json_array_append(list, row);
            total += (json_int_t)json_array_size(list);
            const char *activity = "";
            for (size_t d = 0; d < sys->n_datasets; d++)
                if (strcmp(sys->datasets[d].table, table) == 0)
                    activity = sys->datasets[d].activity;
            json_array_append_new(
                all, json_pack("{s:s, s:s, s:s, s:s, s:o}", "system", sys->id,
                               "name", sys->name ? sys->name : sys->id, "table",
                               table, "activity", activity, "rows", list));
        }
        json_decref(w.found);
        conn_done(cp, st);
    }
    sw_person_free(&p);
    if (st == SW_OK && (st = sw_tx_begin(s)) == SW_OK) {
        st = sw_audit_json(
            s, "system.disclose", subject, json_pack("[s]", subject),
            json_pack("{s:I, s:I}", "systems", (json_int_t)s->policy->n_systems,
                      "rows", total));
        st = sw_tx_end(s, st);
    }
    if (st == SW_OK)
        *out = all;
    else
        json_decref(all);
    return st;
}

/* ---- erasure ---- */

static sw_status erase_one(sw_store *s, const sw_system *sys,
                           const sw_person *p, const held_set *held,
                           const char *subject, const char *request,
                           bool dry_run, sw_system_erasure *e,
                           sw_buf *statements)
{
    sw_sysconn *cp;
    sw_status st = conn_get(s, sys, &cp);
    if (st != SW_OK)
        return st;
    size_t first = e->n_steps;
    walk w = {.s = s,
              .c = cp,
              .sys = sys,
              .dry_run = dry_run,
              .statements = statements,
              .erasure = e,
              .held = held};
    st = cp->drv->tx(cp->db, dry_run ? SW_TX_READ : SW_TX_BEGIN);
    if (st != SW_OK)
        st = sw_fail(s, st, "system %s: %s", sys->id, cp->drv->errmsg(cp->db));
    if (st == SW_OK)
        st = walk_person(&w, p);
    e->kept += w.kept;
    if (st == SW_OK && !dry_run &&
        (st = cp->drv->tx(cp->db, SW_TX_COMMIT)) != SW_OK)
        st = sw_fail(s, st, "system %s: committing: %s", sys->id,
                     cp->drv->errmsg(cp->db));
    if (st != SW_OK || dry_run)
        cp->drv->tx(cp->db, SW_TX_ROLLBACK);
    conn_done(cp, st);
    if (st != SW_OK || dry_run)
        return st;
    json_t *tables = json_array();
    json_int_t rows = 0;
    for (size_t i = first; i < e->n_steps; i++) {
        json_array_append_new(tables, json_pack("{s:s, s:s, s:I}", "table",
                                                e->steps[i].table, "action",
                                                e->steps[i].action, "rows",
                                                (json_int_t)e->steps[i].rows));
        rows += (json_int_t)e->steps[i].rows;
    }
    if ((st = sw_tx_begin(s)) == SW_OK) {
        st = sw_audit_json(
            s, "system.erase", subject, json_pack("[s]", subject),
            json_pack("{s:s, s:o, s:I, s:I, s:o}", "system", sys->id, "request",
                      request ? json_string(request) : json_null(), "rows",
                      rows, "kept_by_holds", (json_int_t)w.kept, "tables",
                      tables));
        st = sw_tx_end(s, st);
    } else {
        json_decref(tables);
    }
    return st;
}

static bool person_held(const sw_person *p, const held_set *h)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t k = 0; k < h->people.n; k++)
            if (strcmp(p->ids[i].type, h->people.ids[k].type) == 0 &&
                strcmp(p->ids[i].value, h->people.ids[k].value) == 0)
                return true;
    return false;
}

static bool add_job_step(sw_system_erasure *e, const sw_system *sys,
                         const char *action, size_t rows)
{
    sw_system_step *more = realloc(e->steps, (e->n_steps + 1) * sizeof(*more));
    if (!more)
        return false;
    e->steps = more;
    sw_system_step *st = &more[e->n_steps++];
    memset(st, 0, sizeof(*st));
    snprintf(st->system, sizeof(st->system), "%s", sys->id);
    snprintf(st->table, sizeof(st->table), "(webhook)");
    snprintf(st->action, sizeof(st->action), "%s", action);
    st->rows = rows;
    return true;
}

/* A webhook's erasure: one job (its id the same for every retry); the
 * answer now (erased rows) or later (accepted). A person under a hold is
 * not sent (kept). */
static sw_status webhook_erase(sw_store *s, const sw_system *sys,
                               const sw_person *p, const held_set *held,
                               const char *subject, const char *request,
                               bool dry_run, sw_system_erasure *e,
                               sw_buf *statements)
{
    char job[SW_ID_BUFSZ];
    sw_webhook_job_id(s, request ? request : subject, sys->id, "erasure", job);
    if (person_held(p, held)) {
        e->kept++;
        return add_job_step(e, sys, "kept", 0)
                   ? SW_OK
                   : sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    if (dry_run) {
        sw_buf_printf(statements, "POST an erasure job %s to system %s;\n", job,
                      sys->id);
        return add_job_step(e, sys, "job", 0)
                   ? SW_OK
                   : sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    sw_webhook_job j = {job, SW_JOB_ERASURE, request, p, NULL, 0, NULL};
    sw_webhook_result r;
    sw_status st = sw_webhook_run(s, sys, &j, &r);
    if (st != SW_OK)
        return st;
    if (!add_job_step(e, sys, r.accepted ? "accepted" : "erased", r.rows))
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if ((st = sw_tx_begin(s)) == SW_OK) {
        st = sw_audit_json(
            s, "system.erase", subject, json_pack("[s]", subject),
            json_pack("{s:s, s:o, s:s, s:b, s:I}", "system", sys->id, "request",
                      request ? json_string(request) : json_null(), "job", job,
                      "accepted", r.accepted, "rows", (json_int_t)r.rows));
        st = sw_tx_end(s, st);
    }
    return st;
}

sw_status sw_system_erase(sw_store *s, const char *subject, const char *system,
                          const char *request, bool dry_run,
                          sw_system_erasure **out)
{
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_status st = need_systems(s);
    if (st == SW_OK && system && !sw_system_named(s->policy, system))
        st = sw_fail(s, SW_ERR_NOTFOUND, "the policy declares no system '%s'",
                     system);
    sw_person p = {0, NULL};
    if (st == SW_OK)
        st = sw_person_of(s, subject, &p);
    held_set held;
    memset(&held, 0, sizeof(held));
    if (st == SW_OK)
        st = held_gather(s, &held);
    sw_buf statements;
    sw_buf_init(&statements, 1u << 24);
    for (size_t i = 0; st == SW_OK && i < s->policy->n_systems; i++) {
        const sw_system *sys = &s->policy->systems[i];
        if (system && strcmp(sys->id, system) != 0)
            continue;
        if (sys->connector == SW_CONN_WEBHOOK) {
            st = webhook_erase(s, sys, &p, &held, subject, request, dry_run,
                               *out, &statements);
            continue;
        }
        st = erase_one(s, sys, &p, &held, subject, request, dry_run, *out,
                       dry_run ? &statements : NULL);
    }
    sw_person_free(&p);
    held_free(&held);
    return hand_statements(s, st, dry_run, &statements, &(*out)->statements);
}

void sw_system_erasure_free(sw_system_erasure *e)
{
    if (!e)
        return;
    free(e->steps);
    free(e->statements);
    free(e);
}

/* ---- retention in the systems ---- */

/* The latest clock value whose rule's time is over at now: rounding the
 * clock (end of its day, month or year) and a country's longer period are
 * accounted for, so that nothing goes early. */
static sw_instant cutoff(const sw_rule *rule, sw_instant now)
{
    sw_duration keep = rule->keep;
    sw_instant cut = sw_instant_sub(now, keep);
    for (size_t i = 0; i < rule->n_extensions; i++) {
        sw_instant c = sw_instant_sub(now, rule->extensions[i].keep);
        cut = c < cut ? c : cut;
    }
    sw_instant t = cut, due;
    while (sw_rule_due(rule, t, &due) == SW_OK && due > now)
        t -= 86400;
    return t;
}

typedef struct sweep_ctx {
    sw_store *s;
    sw_system_sweep *w;
    const held_set *held;
    bool dry_run;
    size_t batch;
    sw_buf *statements;
} sweep_ctx;

static sw_system_expiry *expiry_add(sw_store *s, sw_system_sweep *w,
                                    const sw_system *sys, const sw_dataset *d)
{
    sw_system_expiry *more = realloc(w->tables, (w->n + 1) * sizeof(*more));
    if (!more) {
        sw_fail(s, SW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    w->tables = more;
    sw_system_expiry *e = &more[w->n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->system, sizeof(e->system), "%s", sys->id);
    snprintf(e->table, sizeof(e->table), "%s", d ? d->table : "");
    snprintf(e->rule, sizeof(e->rule), "%s", d && d->rule ? d->rule : "");
    return e;
}

/* The clock condition: "clock" <= the cut-off, bound as the column keeps
 * time (seconds, or text in UTC). */
static bool clock_before(sw_selector *q, const sw_dataset *d,
                         const sw_live_table *t, sw_instant cut)
{
    int k = sw_live_class(t, d->clock);
    sw_buf_printf(&q->where, "\"%s\" <= ", d->clock);
    if (k == SW_COL_INT || k == SW_COL_NUM) {
        sw_val v = {SW_INT, cut, NULL, 0};
        return sw_selector_bind(q, &v, NULL);
    }
    char iso[SW_INSTANT_BUFSZ];
    sw_instant_format(cut, iso);
    iso[10] = ' '; /* YYYY-MM-DD HH:MM:SS, as SQL writes a time */
    iso[19] = '\0';
    sw_val v = {SW_TEXT, 0, NULL, 0};
    return sw_selector_bind(q, &v, iso);
}

typedef struct key_ctx {
    sw_selector *q; /* gets the key as a value it owns */
    bool found;
} key_ctx;

static int key_row(sw_sysconn *c, void *stmt, void *p)
{
    key_ctx *k = p;
    sw_val v;
    c->drv->column(stmt, 0, &v);
    char text[256];
    if (v.type == SW_TEXT)
        snprintf(text, sizeof(text), "%.*s", (int)v.n, (const char *)v.p);
    k->found = v.type == SW_INT
                   ? sw_selector_push(k->q, &v, NULL)
                   : v.type == SW_TEXT && sw_selector_push(k->q, &v, text);
    return 1;
}

/* One batch of d's due rows after the key prev (index into q's values,
 * or none): up to the batch's last key, children first, in one
 * transaction of the system, then audited. *more: another batch follows. */
static sw_status expire_run(sweep_ctx *x, sw_sysconn *c, const sw_dataset *d,
                            sw_selector *bq, sw_system_expiry *e);

static sw_status expire_batch(sweep_ctx *x, sw_sysconn *c, const sw_dataset *d,
                              const sw_selector *due, sw_selector *keys,
                              size_t *prev, bool *more, sw_system_expiry *e)
{
    sw_selector bq;
    if (!sw_selector_copy(due, &bq))
        return sw_fail(x->s, SW_ERR_NOMEM, "out of memory");
    if (*prev != SIZE_MAX) {
        sw_buf_printf(&bq.where, " AND \"%s\" > ", d->key);
        sw_selector_bind(&bq, &keys->vals[*prev], NULL);
    }
    /* the batch's last key */
    sw_buf b;
    sw_buf_init(&b, 1u << 20);
    sw_buf_printf(&b,
                  "SELECT \"%s\" FROM \"%s\" WHERE %s ORDER BY \"%s\""
                  " LIMIT 1 OFFSET %zu",
                  d->key, d->table, bq.where.data, d->key, x->batch - 1);
    sw_selector *owner = keys; /* keeps the keys it reads */
    key_ctx k = {owner, false};
    sw_status st =
        b.failed ? sw_sys_fail(c, SW_ERR_NOMEM, "out of memory")
                 : sw_sys_run(c, b.data, bq.vals, bq.n_vals, key_row, &k, NULL);
    sw_buf_release(&b);
    *more = st == SW_OK && k.found;
    if (st == SW_OK && k.found) {
        sw_buf_printf(&bq.where, " AND \"%s\" <= ", d->key);
        sw_selector_bind(&bq, &owner->vals[owner->n_vals - 1], NULL);
        *prev = owner->n_vals - 1;
    }
    if (st != SW_OK) {
        sw_selector_free(&bq);
        return sw_fail(x->s, st, "%s", c->err);
    }
    st = expire_run(x, c, d, &bq, e);
    sw_selector_free(&bq);
    return st;
}

/* One batch, the rows bq selects: children first, in one transaction of
 * the system, then audited in the store. */
static sw_status expire_run(sweep_ctx *x, sw_sysconn *c, const sw_dataset *d,
                            sw_selector *bq, sw_system_expiry *e)
{
    const sw_system *sys = c->sys;
    sw_status st;
    sw_system_erasure er;
    memset(&er, 0, sizeof(er));
    walk w = {.s = x->s, .c = c, .sys = sys, .erasure = &er};
    st = c->drv->tx(c->db, SW_TX_BEGIN);
    if (st != SW_OK)
        st = sw_fail(x->s, st, "system %s: %s", sys->id, c->drv->errmsg(c->db));
    if (st == SW_OK)
        st = visit(&w, d, bq);
    if (st == SW_OK && (st = c->drv->tx(c->db, SW_TX_COMMIT)) != SW_OK)
        st = sw_fail(x->s, st, "system %s: committing: %s", sys->id,
                     c->drv->errmsg(c->db));
    if (st != SW_OK)
        c->drv->tx(c->db, SW_TX_ROLLBACK);
    size_t rows = 0, own = 0;
    json_t *tables = json_array();
    for (size_t i = 0; i < er.n_steps; i++) {
        rows += er.steps[i].rows;
        if (strcmp(er.steps[i].table, d->table) == 0)
            own = er.steps[i].rows;
        json_array_append_new(tables, json_pack("{s:s, s:s, s:I}", "table",
                                                er.steps[i].table, "action",
                                                er.steps[i].action, "rows",
                                                (json_int_t)er.steps[i].rows));
    }
    free(er.steps);
    e->rows += own;
    if (st == SW_OK && rows && (st = sw_tx_begin(x->s)) == SW_OK) {
        st = sw_audit_json(x->s, "system.expire", NULL, NULL,
                           json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:O}",
                                     "system", sys->id, "table", d->table,
                                     "rule", d->rule, "activity", d->activity,
                                     "rows", (json_int_t)own, "all_rows",
                                     (json_int_t)rows, "tables", tables));
        st = sw_tx_end(x->s, st);
    }
    json_decref(tables);
    return st;
}

typedef struct span_ctx {
    int64_t lo, hi;
    bool any;
} span_ctx;

static int span_row(sw_sysconn *c, void *stmt, void *p)
{
    span_ctx *k = p;
    sw_val lo, hi;
    c->drv->column(stmt, 0, &lo);
    c->drv->column(stmt, 1, &hi);
    k->any = lo.type == SW_INT && hi.type == SW_INT;
    k->lo = lo.i;
    k->hi = hi.i;
    return 1;
}

/* A PostgreSQL table keeps its rows in a heap, in no key's order: it goes
 * in spans of the heap's blocks (a TID range scan reads each block once,
 * as one DELETE would), of about batch rows each by the table's
 * statistics. A row an update moves back into a block passed already
 * waits for the next sweep. *done false: not a plain table (a partitioned
 * or inherited one), and spans of the key go instead. */
static sw_status expire_blocks(sweep_ctx *x, sw_sysconn *c, const sw_dataset *d,
                               const sw_selector *due, sw_system_expiry *e,
                               bool *done)
{
    *done = false;
    char name[160];
    snprintf(name, sizeof(name), "\"%s\"", d->table);
    sw_val rel = {SW_TEXT, 0, name, strlen(name)};
    span_ctx k = {0, 0, false}; /* lo: the blocks; hi: rows a block */
    sw_status st = sw_sys_run(
        c,
        "SELECT (pg_relation_size(oid) / current_setting('block_size')::int)"
        "::bigint, (GREATEST(reltuples, 0) / GREATEST(relpages, 1))::bigint"
        " FROM pg_class WHERE oid = ?1::regclass AND relkind = 'r'"
        " AND NOT relhassubclass",
        &rel, 1, span_row, &k, NULL);
    if (st != SW_OK)
        return sw_fail(x->s, st, "%s", c->err);
    if (!k.any)
        return SW_OK;
    *done = true;
    int64_t per_block = k.hi > 0 ? k.hi : 64; /* never analysed: a guess */
    int64_t width = (int64_t)x->batch / per_block;
    if (width < 1)
        width = 1;
    for (int64_t lo = 0; st == SW_OK && lo < k.lo; lo += width) {
        sw_selector bq;
        if (!sw_selector_copy(due, &bq))
            return sw_fail(x->s, SW_ERR_NOMEM, "out of memory");
        char from[48], to[48];
        snprintf(from, sizeof(from), "(%lld,0)", (long long)lo);
        snprintf(to, sizeof(to), "(%lld,0)", (long long)(lo + width));
        sw_val v = {SW_TEXT, 0, NULL, 0};
        sw_buf_puts(&bq.where, " AND ctid >= ");
        sw_selector_bind(&bq, &v, from);
        sw_buf_puts(&bq.where, "::tid AND ctid < ");
        sw_selector_bind(&bq, &v, to);
        sw_buf_puts(&bq.where, "::tid");
        st = bq.where.failed ? sw_fail(x->s, SW_ERR_NOMEM, "out of memory")
                             : expire_run(x, c, d, &bq, e);
        sw_selector_free(&bq);
    }
    return st;
}

/* A dataset with an integer key goes in spans of batch keys, from the
 * table's lowest key to its highest (an index's two ends): each span one
 * batch, no rows counted out first. *done false: the keys are too sparse
 * for spans (more than 100 000 of them), and batches by row go instead. */
static sw_status expire_spans(sweep_ctx *x, sw_sysconn *c, const sw_dataset *d,
                              const sw_selector *due, sw_system_expiry *e,
                              bool *done)
{
    *done = false;
    char sql[320];
    snprintf(sql, sizeof(sql), "SELECT MIN(\"%s\"), MAX(\"%s\") FROM \"%s\"",
             d->key, d->key, d->table);
    span_ctx k = {0, 0, false};
    sw_status st = sw_sys_run(c, sql, NULL, 0, span_row, &k, NULL);
    if (st != SW_OK)
        return sw_fail(x->s, st, "%s", c->err);
    int64_t width = (int64_t)x->batch;
    if (!k.any || (k.hi - k.lo) / width > 100000)
        return SW_OK;
    *done = true;
    for (int64_t lo = k.lo; st == SW_OK && lo <= k.hi; lo += width) {
        sw_selector bq;
        if (!sw_selector_copy(due, &bq))
            return sw_fail(x->s, SW_ERR_NOMEM, "out of memory");
        sw_val from = {SW_INT, lo, NULL, 0}, to = {SW_INT, lo + width, NULL, 0};
        sw_buf_printf(&bq.where, " AND \"%s\" >= ", d->key);
        sw_selector_bind(&bq, &from, NULL);
        sw_buf_printf(&bq.where, " AND \"%s\" < ", d->key);
        sw_selector_bind(&bq, &to, NULL);
        st = bq.where.failed ? sw_fail(x->s, SW_ERR_NOMEM, "out of memory")
                             : expire_run(x, c, d, &bq, e);
        sw_selector_free(&bq);
    }
    return st;
}

static sw_status expire_dataset(sweep_ctx *x, sw_sysconn *c, size_t di,
                                sw_system_expiry *e)
{
    const sw_dataset *d = &c->sys->datasets[di];
    const sw_live_table *t = &c->live[di];
    const sw_rule *rule = sw_policy_rule(x->s->policy, d->rule);
    if (!rule || rule->keep_kind != SW_KEEP_PERIOD)
        return SW_OK; /* no period: nothing falls due */
    sw_instant cut = cutoff(rule, sw_clock_now(&x->s->clock));
    sw_selector due;
    sw_selector_init(&due);
    sw_status st = clock_before(&due, d, t, cut)
                       ? SW_OK
                       : sw_fail(x->s, SW_ERR_NOMEM, "out of memory");
    /* what holds keep is counted where it is (an activity held: every
     * row due; people: their rows, found by the identities' indexes);
     * the rows that go are counted by the statements that remove them,
     * never by a count of the table first */
    int64_t kept = 0;
    bool whole = activity_held(x->held, d->activity);
    if (st == SW_OK)
        st = whole ? sw_sys_count(c, d->table, &due, &kept)
                   : sw_count_held(c, d, t, &x->held->people, &due, &kept);
    if (st != SW_OK)
        st = sw_fail(x->s, st, "%s", c->err);
    e->held = kept > 0 ? (size_t)kept : 0;
    if (st == SW_OK && !whole &&
        !sw_select_not_held(d, t, &x->held->people, &due))
        st = sw_fail(x->s, SW_ERR_NOMEM, "out of memory");
    if (st != SW_OK || whole) {
        sw_selector_free(&due);
        return st;
    }
    if (x->dry_run) {
        sw_system_erasure er;
        memset(&er, 0, sizeof(er));
        walk w = {.s = x->s,
                  .c = c,
                  .sys = c->sys,
                  .dry_run = true,
                  .statements = x->statements,
                  .erasure = &er};
        st = visit(&w, d, &due);
        for (size_t i = 0; i < er.n_steps; i++)
            if (strcmp(er.steps[i].table, d->table) == 0)
                e->rows += er.steps[i].rows;
        free(er.steps);
        sw_selector_free(&due);
        return st;
    }
    bool done = false;
    if (c->sys->connector == SW_CONN_POSTGRESQL)
        st = expire_blocks(x, c, d, &due, e, &done);
    if (st == SW_OK && !done && sw_live_class(t, d->key) == SW_COL_INT)
        st = expire_spans(x, c, d, &due, e, &done);
    if (st != SW_OK || done) {
        sw_selector_free(&due);
        return st;
    }
    size_t prev = SIZE_MAX;
    sw_selector keys; /* each batch's last key, kept for the next batch */
    sw_selector_init(&keys);
    for (bool more = true; st == SW_OK && more;)
        st = expire_batch(x, c, d, &due, &keys, &prev, &more, e);
    sw_selector_free(&keys);
    sw_selector_free(&due);
    return st;
}

/* A webhook's retention: a job per dataset with a clock, with its
 * cut-off and the held people; the system answers what it erased. */
static sw_status webhook_sweep(sweep_ctx *x, const sw_system *sys)
{
    sw_store *s = x->s;
    for (size_t i = 0; i < sys->n_datasets; i++) {
        const sw_dataset *d = &sys->datasets[i];
        const sw_rule *rule =
            d->clock ? sw_policy_rule(s->policy, d->rule) : NULL;
        if (!rule || rule->keep_kind != SW_KEEP_PERIOD)
            continue;
        sw_system_expiry *e = expiry_add(s, x->w, sys, d);
        if (!e)
            return SW_ERR_NOMEM;
        sw_instant cut = cutoff(rule, sw_clock_now(&s->clock));
        char of[160], job[SW_ID_BUFSZ], iso[SW_INSTANT_BUFSZ];
        snprintf(of, sizeof(of), "%s|%s", d->table,
                 sw_instant_format(cut, iso));
        sw_webhook_job_id(s, of, sys->id, "retention", job);
        if (activity_held(x->held, d->activity))
            continue; /* nothing is sent: all of it is kept */
        if (x->dry_run) {
            sw_buf_printf(x->statements,
                          "POST a retention job %s to system %s (%s before "
                          "%s);\n",
                          job, sys->id, d->table, iso);
            continue;
        }
        sw_webhook_job j = {job, SW_JOB_RETENTION, NULL, NULL, d,
                            cut, &x->held->people};
        sw_webhook_result r;
        sw_status st = sw_webhook_run(s, sys, &j, &r);
        if (st == SW_ERR_NOMEM)
            return st;
        if (st != SW_OK) {
            snprintf(e->error, sizeof(e->error), "%s", sw_errmsg(s));
            continue;
        }
        e->rows = r.rows;
        e->held = r.held;
        if (r.rows && (st = sw_tx_begin(s)) == SW_OK) {
            st = sw_audit_json(
                s, "system.expire", NULL, NULL,
                json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "system",
                          sys->id, "table", d->table, "rule", d->rule,
                          "activity", d->activity, "rows", (json_int_t)r.rows,
                          "all_rows", (json_int_t)r.rows, "job", job));
            st = sw_tx_end(s, st);
        }
        if (st != SW_OK)
            return st;
    }
    return SW_OK;
}

sw_status sw_system_sweep_run(sw_store *s, bool dry_run, size_t batch,
                              sw_system_sweep **out)
{
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_status st = need_systems(s);
    if (st != SW_OK || !s->policy->n_systems)
        return st;
    held_set held;
    st = held_gather(s, &held);
    sw_buf statements;
    sw_buf_init(&statements, 1u << 24);
    sweep_ctx x = {s,
                   *out,
                   &held,
                   dry_run,
                   batch ? batch : DEFAULT_BATCH,
                   dry_run ? &statements : NULL};
    for (size_t i = 0; st == SW_OK && i < s->policy->n_systems; i++) {
        const sw_system *sys = &s->policy->systems[i];
        bool clocks = false;
        for (size_t d = 0; d < sys->n_datasets; d++)
            clocks |= sys->datasets[d].clock != NULL;
        if (!clocks)
            continue;
        if (sys->connector == SW_CONN_WEBHOOK) {
            st = webhook_sweep(&x, sys);
            continue;
        }
        sw_sysconn *c;
        sw_status one = conn_get(s, sys, &c), failed = SW_OK;
        if (one != SW_OK) { /* reported; the other systems go on */
            sw_system_expiry *e = expiry_add(s, *out, sys, NULL);
            if (!e) {
                st = SW_ERR_NOMEM;
                break;
            }
            snprintf(e->error, sizeof(e->error), "%s", sw_errmsg(s));
            continue;
        }
        for (size_t d = 0; st == SW_OK && d < sys->n_datasets; d++) {
            if (!sys->datasets[d].clock)
                continue;
            sw_system_expiry *e = expiry_add(s, *out, sys, &sys->datasets[d]);
            if (!e) {
                st = SW_ERR_NOMEM;
                break;
            }
            one = expire_dataset(&x, c, d, e);
            if (one != SW_OK && one != SW_ERR_NOMEM) {
                snprintf(e->error, sizeof(e->error), "%s", sw_errmsg(s));
                failed = one;
            } else if (one == SW_ERR_NOMEM) {
                st = one;
            }
        }
        conn_done(c, failed);
    }
    held_free(&held);
    return hand_statements(s, st, dry_run, &statements, &(*out)->statements);
}

void sw_system_sweep_free(sw_system_sweep *w)
{
    if (!w)
        return;
    free(w->tables);
    free(w->statements);
    free(w);
}
