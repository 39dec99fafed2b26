/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data discovery: a sample of every declared table's text columns, each
 * value scanned for personal data (src/scan), declared or not. A column
 * the policy does not declare that holds some is what `steward system
 * scan` points at: data the register does not know about.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "store/chain.h"
#include "systems/systems_int.h"

#define DEFAULT_SAMPLE 1000

typedef struct col_scan {
    sw_column_scan *out;
    sw_scan_stream *stream;
} col_scan;

static int count_finding(const sw_finding *f, const char *value, void *ctx)
{
    (void)value;
    sw_column_scan *c = ctx;
    c->findings[f->type]++;
    c->total++;
    return 0;
}

typedef struct sample_ctx {
    col_scan *cols;
    size_t n;
    sw_status st;
} sample_ctx;

/* Each value of a row into its column's stream, a line each. */
static int sample_row(sw_sysconn *c, void *stmt, void *p)
{
    sample_ctx *x = p;
    for (size_t i = 0; i < x->n && x->st == SW_OK; i++) {
        sw_val v;
        c->drv->column(stmt, (int)i, &v);
        if (v.type != SW_TEXT || !v.n)
            continue;
        x->cols[i].out->rows++;
        x->st = sw_scan_feed(x->cols[i].stream, v.p, v.n);
        if (x->st == SW_OK)
            x->st = sw_scan_feed(x->cols[i].stream, "\n", 1);
    }
    return x->st == SW_OK ? 0 : 1;
}

static const char *declared(const sw_dataset *d, const char *column)
{
    for (size_t i = 0; i < d->n_columns; i++)
        if (strcmp(d->columns[i].name, column) == 0)
            return d->columns[i].category;
    for (size_t i = 0; i < d->n_identities; i++)
        if (strcmp(d->identities[i].column, column) == 0)
            return d->identities[i].type; /* an identity: declared */
    return NULL;
}

/* The text columns of one table, sampled and scanned. */
static sw_status scan_table(sw_store *s, const sw_scan *sc, sw_sysconn *c,
                            size_t di, size_t sample, sw_system_scan_report *r)
{
    const sw_dataset *d = &c->sys->datasets[di];
    const sw_live_table *t = &c->live[di];
    size_t first = r->n, n = 0;
    sw_buf b;
    sw_buf_init(&b, 1u << 20);
    sw_buf_puts(&b, "SELECT ");
    for (size_t i = 0; i < t->n; i++) {
        if (t->classes[i] != SW_COL_TEXT && t->classes[i] != SW_COL_ANY)
            continue;
        sw_column_scan *more = realloc(r->columns, (r->n + 1) * sizeof(*more));
        if (!more) {
            sw_buf_release(&b);
            return sw_fail(s, SW_ERR_NOMEM, "out of memory");
        }
        r->columns = more;
        sw_column_scan *col = &r->columns[r->n++];
        memset(col, 0, sizeof(*col));
        snprintf(col->table, sizeof(col->table), "%s", d->table);
        snprintf(col->column, sizeof(col->column), "%s", t->names[i]);
        const char *cat = declared(d, t->names[i]);
        snprintf(col->category, sizeof(col->category), "%s", cat ? cat : "");
        sw_buf_printf(&b, "%s\"%s\"", n++ ? ", " : "", t->names[i]);
    }
    if (!n) {
        sw_buf_release(&b);
        return SW_OK;
    }
    sw_buf_printf(&b, " FROM \"%s\" LIMIT %zu", d->table, sample);
    col_scan *cols = calloc(n, sizeof(*cols));
    sw_status st =
        cols && !b.failed ? SW_OK : sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < n; i++) {
        cols[i].out = &r->columns[first + i];
        st = sw_scan_open(sc, count_finding, cols[i].out, &cols[i].stream);
        if (st != SW_OK)
            st = sw_fail(s, st, "out of memory");
    }
    if (st == SW_OK) {
        sample_ctx x = {cols, n, SW_OK};
        st = sw_sys_run(c, b.data, NULL, 0, sample_row, &x, NULL);
        if (st != SW_OK)
            st = sw_fail(s, st, "%s", c->err);
        else if (x.st != SW_OK)
            st = sw_fail(s, x.st, "system %s: scanning %s", c->sys->id,
                         d->table);
    }
    for (size_t i = 0; cols && i < n; i++)
        if (cols[i].stream)
            sw_scan_close(cols[i].stream);
    free(cols);
    sw_buf_release(&b);
    return st;
}

sw_status sw_system_scan(sw_store *s, const char *system, size_t sample,
                         sw_system_scan_report **out)
{
    *out = NULL;
    if (!s->policy)
        return sw_fail(s, SW_ERR_INVALID, "no policy loaded");
    const sw_system *sys = sw_system_named(s->policy, system);
    if (!sys)
        return sw_fail(s, SW_ERR_NOTFOUND,
                       "the policy declares no system '%s' (see its systems "
                       "section)",
                       system);
    if (sys->connector == SW_CONN_WEBHOOK)
        return sw_fail(s, SW_ERR_UNSUPPORTED,
                       "system %s is a webhook: steward cannot read its "
                       "tables to sample them",
                       sys->id);
    sw_system_scan_report *r = calloc(1, sizeof(*r));
    if (!r)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    snprintf(r->system, sizeof(r->system), "%s", sys->id);
    sw_scan *sc;
    char why[200];
    sw_status st = sw_scan_new(0, &sc, why, sizeof(why));
    if (st != SW_OK) {
        free(r);
        return sw_fail(s, st, "the scanner: %s", why);
    }
    sw_sysconn c;
    if ((st = sw_sysconn_open(sys, &c)) != SW_OK) {
        st = sw_fail(s, st, "%s", c.err);
    } else {
        for (size_t i = 0; st == SW_OK && i < sys->n_datasets; i++) {
            char what[192];
            if (sw_dataset_live(&sys->datasets[i], &c.live[i], what,
                                sizeof(what)))
                st = scan_table(s, sc, &c, i, sample ? sample : DEFAULT_SAMPLE,
                                r);
        }
        sw_sysconn_close(&c);
    }
    sw_scan_free(sc);
    for (size_t i = 0; i < r->n; i++)
        r->undeclared += !r->columns[i].category[0] && r->columns[i].total;
    if (st == SW_OK && (st = sw_tx_begin(s)) == SW_OK) {
        st = sw_audit_json(s, "system.scan", NULL, NULL,
                           json_pack("{s:s, s:I, s:I}", "system", sys->id,
                                     "columns", (json_int_t)r->n, "undeclared",
                                     (json_int_t)r->undeclared));
        st = sw_tx_end(s, st);
    }
    if (st != SW_OK) {
        sw_system_scan_report_free(r);
        return st;
    }
    *out = r;
    return SW_OK;
}

void sw_system_scan_report_free(sw_system_scan_report *r)
{
    if (!r)
        return;
    free(r->columns);
    free(r);
}
