/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which rows of a system's tables: a selector is the text after WHERE with
 * its bound values. A dataset that names people is selected by its
 * identity columns (a person's rows) or by its clock (rows past their
 * time, the held ones left out); a dataset that refers to it is selected
 * through the relation: its column IN (SELECT the referenced column FROM
 * the parent WHERE the parent's selector). Erasure goes children first,
 * so a parent's row never goes before the rows that point at it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/vec.h"
#include "steward/ident.h"
#include "systems/systems_int.h"

#define MAX_DEPTH 8
#define PSEUDONYM_PREFIX "sw:"
#define PSEUDONYM_LEN (3 + 32)

void sw_selector_init(sw_selector *q)
{
    memset(q, 0, sizeof(*q));
    sw_buf_init(&q->where, 1u << 20);
}

void sw_selector_free(sw_selector *q)
{
    sw_buf_release(&q->where);
    for (size_t i = 0; i < q->n_owned; i++)
        free(q->owned[i]);
    free(q->owned);
    free(q->vals);
    memset(q, 0, sizeof(*q));
}

/* Adds a value without its placeholder (copy: a text to own). */
bool sw_selector_push(sw_selector *q, const sw_val *v, const char *copy)
{
    if (q->n_vals == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 8;
        sw_val *more = realloc(q->vals, cap * sizeof(*more));
        if (!more)
            return false;
        q->vals = more;
        q->cap = cap;
    }
    sw_val val = *v;
    if (copy) {
        char **owned = realloc(q->owned, (q->n_owned + 1) * sizeof(*owned));
        char *dup = owned ? strdup(copy) : NULL;
        if (owned)
            q->owned = owned;
        if (!dup)
            return false;
        q->owned[q->n_owned++] = dup;
        val.p = dup;
        val.n = strlen(dup);
    }
    q->vals[q->n_vals++] = val;
    return true;
}

bool sw_selector_bind(sw_selector *q, const sw_val *v, const char *copy)
{
    if (!sw_selector_push(q, v, copy))
        return false;
    sw_buf_printf(&q->where, "?%zu", q->n_vals);
    return !q->where.failed;
}

/* Whether a value may be compared with a column of class k: a number
 * column takes digits only (bound as a number). */
static bool bind_for(sw_selector *q, int k, const char *value)
{
    if (k == SW_COL_INT) {
        char *end;
        long long n = strtoll(value, &end, 10);
        if (!*value || *end)
            return false;
        sw_val v = {SW_INT, n, NULL, 0};
        return sw_selector_bind(q, &v, NULL);
    }
    sw_val v = {SW_TEXT, 0, value, strlen(value)};
    return sw_selector_bind(q, &v, NULL);
}

/* The values of the person (or held set) in the identity's space, as
 * "col" IN (?a, ?b) joined to what came before by " OR " (*any: some
 * identity came before), or for not_in as AND ("col" IS NULL OR "col"
 * NOT IN (?a, ?b)); nothing when no value applies. */
static bool identity_in(sw_selector *q, const sw_live_table *t,
                        const sw_sys_identity *id, const sw_person *p,
                        bool not_in, bool *any)
{
    const char *space = sw_ident_space(id->type);
    int k = sw_live_class(t, id->column);
    bool open = false;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->ids[i].type, space) != 0)
            continue;
        if (k == SW_COL_INT &&
            strspn(p->ids[i].value, "0123456789") != strlen(p->ids[i].value))
            continue;
        if (open)
            sw_buf_puts(&q->where, ", ");
        else if (not_in)
            sw_buf_printf(&q->where, " AND (\"%s\" IS NULL OR \"%s\" NOT IN (",
                          id->column, id->column);
        else
            sw_buf_printf(&q->where, "%s\"%s\" IN (", *any ? " OR " : "",
                          id->column);
        if (!bind_for(q, k, p->ids[i].value))
            return false;
        open = *any = true;
    }
    if (open)
        sw_buf_puts(&q->where, not_in ? "))" : ")");
    return !q->where.failed;
}

bool sw_select_person(const sw_dataset *d, const sw_live_table *t,
                      const sw_person *p, sw_selector *q, bool *ok)
{
    bool any = false;
    *ok = true;
    sw_buf_puts(&q->where, "(");
    for (size_t i = 0; *ok && i < d->n_identities; i++)
        *ok = identity_in(q, t, &d->identities[i], p, false, &any);
    sw_buf_puts(&q->where, ")");
    *ok = *ok && !q->where.failed;
    return any;
}

/* Leaves out the rows of held people: ("col" IS NULL OR "col" NOT IN ...)
 * for each identity column a held value applies to. */
bool sw_select_not_held(const sw_dataset *d, const sw_live_table *t,
                        const sw_person *held, sw_selector *q)
{
    bool any = false, ok = true;
    for (size_t i = 0; ok && i < d->n_identities; i++)
        ok = identity_in(q, t, &d->identities[i], held, true, &any);
    return ok;
}

sw_status sw_count_held(sw_sysconn *c, const sw_dataset *d,
                        const sw_live_table *t, const sw_person *held,
                        const sw_selector *q, int64_t *n)
{
    *n = 0;
    sw_selector h;
    if (!held->n)
        return SW_OK;
    if (!sw_selector_copy(q, &h))
        return sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    sw_buf_puts(&h.where, " AND ");
    bool ok;
    sw_status st = SW_OK;
    if (sw_select_person(d, t, held, &h, &ok))
        st = sw_sys_count(c, d->table, &h, n);
    else if (!ok)
        st = sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    sw_selector_free(&h);
    return st;
}

bool sw_select_child(const sw_dataset *parent, const sw_sys_relation *rel,
                     sw_selector *q)
{
    sw_buf w;
    sw_buf_init(&w, 1u << 20);
    sw_buf_printf(&w, "\"%s\" IN (SELECT \"%s\" FROM \"%s\" WHERE %s)",
                  rel->column, rel->references, parent->table,
                  q->where.data ? q->where.data : "1 = 1");
    if (w.failed) {
        sw_buf_release(&w);
        return false;
    }
    sw_buf_release(&q->where);
    q->where = w;
    return true;
}

/* A copy of q (its values borrowed from q's, which must outlive it). */
bool sw_selector_copy(const sw_selector *q, sw_selector *out)
{
    sw_selector_init(out);
    sw_buf_puts(&out->where, q->where.data ? q->where.data : "");
    out->vals = malloc((q->n_vals ? q->n_vals : 1) * sizeof(*out->vals));
    if (!out->vals || out->where.failed) {
        sw_selector_free(out);
        return false;
    }
    memcpy(out->vals, q->vals, q->n_vals * sizeof(*q->vals));
    out->n_vals = out->cap = q->n_vals;
    return true;
}

/* ---- erasing ---- */

static bool is_pseudonym(const char *v, size_t n)
{
    return n == PSEUDONYM_LEN &&
           strncmp(v, PSEUDONYM_PREFIX, strlen(PSEUDONYM_PREFIX)) == 0;
}

/* The keyed hash of a value: the same value gives the same pseudonym in a
 * store, and nothing gives the value back. */
static void pseudonym(sw_store *s, const char *v, size_t n,
                      char out[PSEUDONYM_LEN + 1])
{
    uint8_t tkey[SW_KEY_BYTES], h[SW_BLIND_BYTES];
    sw_blind_typekey(s->keys, "system.erase.hash", tkey);
    sw_blind_under(tkey, v, n, h);
    sw_wipe(tkey, sizeof(tkey));
    memcpy(out, PSEUDONYM_PREFIX, strlen(PSEUDONYM_PREFIX));
    sw_hex(h, 16, out + strlen(PSEUDONYM_PREFIX));
    out[PSEUDONYM_LEN] = '\0';
}

void sw_erasure_plan_of(const sw_dataset *d, sw_erasure_plan *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < d->n_columns; i++) {
        out->deletes |= d->columns[i].erase == SW_ERASE_DELETE;
        out->per_row |= d->columns[i].erase == SW_ERASE_HASH;
    }
}

/* " AND NOT (the row is erased already)" for a set-based update. */
static void not_erased(const sw_dataset *d, sw_selector *q)
{
    sw_buf_puts(&q->where, " AND NOT (1 = 1");
    for (size_t i = 0; i < d->n_columns; i++) {
        const sw_sys_column *col = &d->columns[i];
        if (col->erase == SW_ERASE_NULL) {
            sw_buf_printf(&q->where, " AND \"%s\" IS NULL", col->name);
        } else if (col->erase == SW_ERASE_MASK) {
            sw_buf_printf(&q->where,
                          " AND \"%s\" IS NOT NULL AND \"%s\" = ", col->name,
                          col->name);
            sw_val v = {SW_TEXT, 0, col->mask, strlen(col->mask)};
            sw_selector_bind(q, &v, NULL);
        }
    }
    sw_buf_puts(&q->where, ")");
}

static void note_statement(sw_buf *statements, const char *sql)
{
    if (statements) {
        sw_buf_puts(statements, sql);
        sw_buf_puts(statements, ";\n");
    }
}

typedef struct hash_rows {
    sw_vec rows; /* sw_val arrays copied: key then each column */
    size_t width;
    bool nomem;
} hash_rows;

typedef struct row_copy {
    sw_val *v;
    char **text;
} row_copy;

static int take_row(sw_sysconn *c, void *stmt, void *p)
{
    hash_rows *h = p;
    row_copy *r = sw_vec_push(&h->rows);
    if (r) {
        r->v = calloc(h->width, sizeof(*r->v));
        r->text = calloc(h->width, sizeof(*r->text));
    }
    if (!r || !r->v || !r->text) {
        h->nomem = true;
        return 1;
    }
    for (size_t i = 0; i < h->width; i++) {
        c->drv->column(stmt, (int)i, &r->v[i]);
        if (r->v[i].type == SW_TEXT || r->v[i].type == SW_BLOB) {
            r->text[i] = malloc(r->v[i].n + 1);
            if (!r->text[i]) {
                h->nomem = true;
                return 1;
            }
            memcpy(r->text[i], r->v[i].p, r->v[i].n);
            r->text[i][r->v[i].n] = '\0';
            r->v[i].p = r->text[i];
        }
    }
    return 0;
}

static void hash_rows_free(hash_rows *h)
{
    for (size_t i = 0; i < h->rows.n; i++) {
        row_copy *r = SW_VEC_AT(&h->rows, row_copy, i);
        for (size_t k = 0; r->text && k < h->width; k++)
            if (r->text[k]) {
                sw_wipe(r->text[k], r->v[k].n);
                free(r->text[k]);
            }
        free(r->text);
        free(r->v);
    }
    sw_vec_release(&h->rows);
}

/* Row by row, for a dataset with a hashed column: each row read (key and
 * erasable columns), its new values computed, one UPDATE by key. */
static sw_status erase_per_row(sw_store *s, sw_sysconn *c, const sw_dataset *d,
                               const sw_selector *q, bool dry_run, size_t *rows,
                               sw_buf *statements)
{
    sw_buf sel, upd;
    sw_buf_init(&sel, 1u << 20);
    sw_buf_init(&upd, 1u << 16);
    sw_buf_printf(&sel, "SELECT \"%s\"", d->key);
    sw_buf_puts(&upd, "UPDATE \"");
    sw_buf_puts(&upd, d->table);
    sw_buf_puts(&upd, "\" SET ");
    for (size_t i = 0; i < d->n_columns; i++) {
        sw_buf_printf(&sel, ", \"%s\"", d->columns[i].name);
        sw_buf_printf(&upd, "%s\"%s\" = ?%zu", i ? ", " : "",
                      d->columns[i].name, i + 1);
    }
    sw_buf_printf(&sel, " FROM \"%s\" WHERE %s", d->table, q->where.data);
    sw_buf_printf(&upd, " WHERE \"%s\" = ?%zu", d->key, d->n_columns + 1);
    sw_status st = sel.failed || upd.failed
                       ? sw_sys_fail(c, SW_ERR_NOMEM, "out of memory")
                       : SW_OK;
    hash_rows h = {SW_VEC(row_copy), d->n_columns + 1, false};
    if (st == SW_OK)
        st = sw_sys_run(c, sel.data, q->vals, q->n_vals, take_row, &h, NULL);
    if (st == SW_OK && h.nomem)
        st = sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    note_statement(statements, sel.data);
    note_statement(statements, upd.data);
    sw_val *set = calloc(d->n_columns + 1, sizeof(*set));
    char(*hashes)[PSEUDONYM_LEN + 1] =
        calloc(d->n_columns + 1, sizeof(*hashes));
    if (st == SW_OK && (!set || !hashes))
        st = sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    for (size_t r = 0; st == SW_OK && r < h.rows.n; r++) {
        row_copy *row = SW_VEC_AT(&h.rows, row_copy, r);
        bool changes = false;
        for (size_t i = 0; i < d->n_columns; i++) {
            const sw_sys_column *col = &d->columns[i];
            const sw_val *old = &row->v[i + 1];
            sw_val *v = &set[i];
            memset(v, 0, sizeof(*v));
            if (col->erase == SW_ERASE_MASK) {
                *v = (sw_val){SW_TEXT, 0, col->mask, strlen(col->mask)};
                changes |= old->type == SW_NULL || old->n != v->n ||
                           memcmp(old->p, v->p, v->n) != 0;
            } else if (col->erase == SW_ERASE_HASH && old->type != SW_NULL) {
                if (old->type != SW_INT && is_pseudonym(old->p, old->n)) {
                    *v = *old;
                } else {
                    char num[24];
                    const char *text = old->p;
                    size_t n = old->n;
                    if (old->type == SW_INT) {
                        n = (size_t)snprintf(num, sizeof(num), "%lld",
                                             (long long)old->i);
                        text = num;
                    }
                    pseudonym(s, text, n, hashes[i]);
                    *v = (sw_val){SW_TEXT, 0, hashes[i], PSEUDONYM_LEN};
                    changes = true;
                }
            } else if (col->erase == SW_ERASE_NULL) {
                changes |= old->type != SW_NULL;
            }
        }
        set[d->n_columns] = row->v[0];
        if (!changes)
            continue;
        (*rows)++;
        if (!dry_run)
            st = sw_sys_run(c, upd.data, set, d->n_columns + 1, NULL, NULL,
                            NULL);
    }
    if (set)
        sw_wipe(set, (d->n_columns + 1) * sizeof(*set));
    if (hashes)
        sw_wipe(hashes, (d->n_columns + 1) * sizeof(*hashes));
    free(set);
    free(hashes);
    hash_rows_free(&h);
    sw_buf_release(&sel);
    sw_buf_release(&upd);
    return st;
}

static int count_row(sw_sysconn *c, void *stmt, void *p)
{
    sw_val v;
    c->drv->column(stmt, 0, &v);
    *(int64_t *)p = v.type == SW_INT ? v.i : strtoll(v.p ? v.p : "0", NULL, 10);
    return 0;
}

sw_status sw_sys_count(sw_sysconn *c, const char *table, const sw_selector *q,
                       int64_t *n)
{
    sw_buf b;
    sw_buf_init(&b, 1u << 20);
    sw_buf_printf(&b, "SELECT COUNT(*) FROM \"%s\" WHERE %s", table,
                  q->where.data);
    *n = 0;
    sw_status st = b.failed ? sw_sys_fail(c, SW_ERR_NOMEM, "out of memory")
                            : sw_sys_run(c, b.data, q->vals, q->n_vals,
                                         count_row, n, NULL);
    sw_buf_release(&b);
    return st;
}

sw_status sw_erase_rows(sw_store *s, sw_sysconn *c, const sw_dataset *d,
                        const sw_selector *q, bool dry_run, size_t *rows,
                        sw_buf *statements)
{
    *rows = 0;
    sw_erasure_plan plan;
    sw_erasure_plan_of(d, &plan);
    if (!plan.deletes && plan.per_row)
        return erase_per_row(s, c, d, q, dry_run, rows, statements);
    sw_selector w;
    if (!sw_selector_copy(q, &w))
        return sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    size_t where_vals = w.n_vals;
    sw_buf b;
    sw_buf_init(&b, 1u << 20);
    if (plan.deletes) {
        sw_buf_printf(&b, "DELETE FROM \"%s\" WHERE %s", d->table,
                      w.where.data);
    } else {
        /* the WHERE's values first, then the masks SET binds */
        not_erased(d, &w);
        where_vals = w.n_vals;
        sw_buf_printf(&b, "UPDATE \"%s\" SET ", d->table);
        bool first = true;
        for (size_t i = 0; i < d->n_columns; i++) {
            const sw_sys_column *col = &d->columns[i];
            if (col->erase == SW_ERASE_NULL) {
                sw_buf_printf(&b, "%s\"%s\" = NULL", first ? "" : ", ",
                              col->name);
                first = false;
            } else if (col->erase == SW_ERASE_MASK) {
                sw_val v = {SW_TEXT, 0, col->mask, strlen(col->mask)};
                if (!sw_selector_push(&w, &v, NULL))
                    b.failed = true;
                sw_buf_printf(&b, "%s\"%s\" = ?%zu", first ? "" : ", ",
                              col->name, w.n_vals);
                first = false;
            }
        }
        sw_buf_printf(&b, " WHERE %s", w.where.data);
    }
    sw_status st = b.failed || w.where.failed
                       ? sw_sys_fail(c, SW_ERR_NOMEM, "out of memory")
                       : SW_OK;
    note_statement(statements, b.data);
    int64_t n = 0;
    if (st == SW_OK && dry_run) {
        /* the rows it would change: the WHERE alone */
        sw_selector cnt = w;
        cnt.n_vals = where_vals;
        st = sw_sys_count(c, d->table, &cnt, &n);
    } else if (st == SW_OK) {
        st = sw_sys_run(c, b.data, w.vals, w.n_vals, NULL, NULL, &n);
    }
    *rows = n > 0 ? (size_t)n : 0;
    sw_buf_release(&b);
    sw_selector_free(&w);
    return st;
}
