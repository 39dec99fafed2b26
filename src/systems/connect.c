/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A connection to one of the policy's systems: its connection string read
 * from the environment variable or the 0600 file the policy names, the
 * driver of its connector, and the live columns of its datasets, so that
 * no statement names a table or column the database does not have.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "ledger/ledger_sql.h"
#include "steward/ident.h"
#include "systems/systems_int.h"

sw_status sw_sys_fail(sw_sysconn *c, sw_status st, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->err, sizeof(c->err), "system %s: %s", c->sys->id, msg);
    return st;
}

/* Reads the connection string: the variable's value, or the file's first
 * line (the file regular, and neither group nor others may read it). */
sw_status sw_sysconn_credentials(sw_sysconn *c, char *out, size_t n)
{
    const sw_system *sys = c->sys;
    if (sys->credentials_env) {
        const char *v = getenv(sys->credentials_env);
        if (!v || !*v)
            return sw_sys_fail(c, SW_ERR_INVALID,
                               "its credentials variable %s is not set",
                               sys->credentials_env);
        if (strlen(v) >= n)
            return sw_sys_fail(c, SW_ERR_INVALID, "%s is too long",
                               sys->credentials_env);
        snprintf(out, n, "%s", v);
        return SW_OK;
    }
    const char *path = sys->credentials_file;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return sw_sys_fail(c, e == ENOENT ? SW_ERR_NOTFOUND : SW_ERR_IO,
                           "its credentials file %s: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
        close(fd);
        return sw_sys_fail(c, SW_ERR_DENIED,
                           "its credentials file %s must be a regular file of "
                           "mode 0600 (it is %04o)",
                           path, (unsigned)(sb.st_mode & 07777));
    }
    ssize_t got = read(fd, out, n - 1);
    close(fd);
    if (got < 0)
        return sw_sys_fail(c, SW_ERR_IO, "reading %s: %s", path,
                           strerror(errno));
    out[got] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (!*out)
        return sw_sys_fail(c, SW_ERR_INVALID,
                           "its credentials file %s is empty", path);
    return SW_OK;
}

static const sw_driver *driver_of(int kind)
{
    switch (kind) {
    case SW_CONN_SQLITE: return &sw_driver_sqlite;
    case SW_CONN_POSTGRESQL: return &sw_driver_pg;
    case SW_CONN_MARIADB: return &sw_driver_mariadb;
    default: return NULL;
    }
}

static bool has(const char *type, const char *word)
{
    return strstr(type, word) != NULL;
}

sw_col_class sw_col_class_of(const char *declared)
{
    char t[64];
    size_t i = 0;
    for (; declared[i] && i + 1 < sizeof(t); i++)
        t[i] = (char)tolower((unsigned char)declared[i]);
    t[i] = '\0';
    if (!*t)
        return SW_COL_ANY;
    if (has(t, "int") || has(t, "serial"))
        return SW_COL_INT;
    if (has(t, "date") || has(t, "time"))
        return SW_COL_TIME;
    if (has(t, "char") || has(t, "text") || has(t, "clob") || has(t, "enum") ||
        has(t, "uuid") || has(t, "json") || has(t, "string"))
        return SW_COL_TEXT;
    if (has(t, "real") || has(t, "floa") || has(t, "doub") ||
        has(t, "numeric") || has(t, "decimal"))
        return SW_COL_NUM;
    if (has(t, "blob") || has(t, "bytea") || has(t, "binary"))
        return SW_COL_BLOB;
    return SW_COL_OTHER;
}

const char *sw_col_class_name(sw_col_class k)
{
    static const char *const names[] = {
        "untyped", "text", "integer", "number", "time", "binary", "other"};
    return k <= SW_COL_OTHER ? names[k] : "other";
}

int sw_live_class(const sw_live_table *t, const char *column)
{
    for (size_t i = 0; column && i < t->n; i++)
        if (strcmp(t->names[i], column) == 0)
            return (int)t->classes[i];
    return -1;
}

bool sw_dataset_live(const sw_dataset *d, const sw_live_table *t, char *what,
                     size_t n)
{
    if (!t->exists) {
        snprintf(what, n, "table %s is not there", d->table);
        return false;
    }
    const char *names[4 + 64];
    size_t k = 0;
    names[k++] = d->key;
    names[k++] = d->clock;
    for (size_t i = 0; i < d->n_identities && k < 64; i++)
        names[k++] = d->identities[i].column;
    for (size_t i = 0; i < d->n_relations && k < 64; i++)
        names[k++] = d->relations[i].column;
    for (size_t i = 0; i < k; i++)
        if (names[i] && sw_live_class(t, names[i]) < 0) {
            snprintf(what, n, "table %s has no column %s", d->table, names[i]);
            return false;
        }
    for (size_t i = 0; i < d->n_columns; i++)
        if (sw_live_class(t, d->columns[i].name) < 0) {
            snprintf(what, n, "table %s has no column %s", d->table,
                     d->columns[i].name);
            return false;
        }
    return true;
}

sw_status sw_sys_run(sw_sysconn *c, const char *sql, const sw_val *vals,
                     size_t n_vals, sw_sys_row_cb rows, void *ctx,
                     int64_t *changes)
{
    void *stmt = NULL;
    sw_status st = c->drv->prepare(c->db, sql, &stmt);
    for (size_t i = 0; st == SW_OK && i < n_vals; i++)
        st = c->drv->bind(stmt, (int)i + 1, &vals[i]);
    bool row = true;
    while (st == SW_OK && row) {
        st = c->drv->step(stmt, &row);
        if (st == SW_OK && row && rows && rows(c, stmt, ctx) != 0)
            break;
    }
    if (st != SW_OK)
        sw_sys_fail(c, st, "%s", c->drv->errmsg(c->db));
    else if (changes)
        *changes = c->drv->changes(c->db);
    c->drv->finalize(stmt);
    return st;
}

typedef struct live_ctx {
    sw_live_table *t;
    bool nomem;
} live_ctx;

static int live_row(sw_sysconn *c, void *stmt, void *p)
{
    live_ctx *l = p;
    sw_live_table *t = l->t;
    sw_val name, type;
    c->drv->column(stmt, 0, &name);
    c->drv->column(stmt, 1, &type);
    size_t n = t->n + 1;
    char(*names)[64] = realloc(t->names, n * sizeof(*names));
    if (names)
        t->names = names;
    char(*types)[64] = realloc(t->types, n * sizeof(*types));
    if (types)
        t->types = types;
    sw_col_class *classes = realloc(t->classes, n * sizeof(*classes));
    if (classes)
        t->classes = classes;
    if (!names || !types || !classes) {
        l->nomem = true;
        return 1;
    }
    snprintf(t->names[t->n], 64, "%.*s", (int)name.n,
             name.type == SW_TEXT ? (const char *)name.p : "");
    snprintf(t->types[t->n], 64, "%.*s", (int)type.n,
             type.type == SW_TEXT ? (const char *)type.p : "");
    t->classes[t->n] = sw_col_class_of(t->types[t->n]);
    t->exists = true;
    t->n++;
    return 0;
}

static void live_free(sw_live_table *t)
{
    free(t->names);
    free(t->types);
    free(t->classes);
    memset(t, 0, sizeof(*t));
}

sw_status sw_sysconn_open(const sw_system *sys, sw_sysconn *c)
{
    memset(c, 0, sizeof(*c));
    c->sys = sys;
    c->drv = driver_of(sys->connector);
    if (!c->drv || !c->drv->connect)
        return sw_sys_fail(c, SW_ERR_INVALID,
                           "its connector is not one steward connects to "
                           "through a database driver");
    char uri[2048];
    sw_status st = sw_sysconn_credentials(c, uri, sizeof(uri));
    sw_error err = {""};
    if (st == SW_OK && (st = c->drv->connect(uri, &c->db, &err)) != SW_OK)
        sw_sys_fail(c, st == SW_ERR_NOMEM ? st : SW_ERR_IO, "%s", err.msg);
    sw_wipe(uri, sizeof(uri));
    if (st != SW_OK)
        return st == SW_ERR_NOMEM ? st : SW_ERR_IO;
    c->live = calloc(sys->n_datasets ? sys->n_datasets : 1, sizeof(*c->live));
    if (!c->live) {
        sw_sysconn_close(c);
        return sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == SW_OK && i < sys->n_datasets; i++) {
        sw_val v = {SW_TEXT, 0, sys->datasets[i].table,
                    strlen(sys->datasets[i].table)};
        live_ctx l = {&c->live[i], false};
        st = sw_sys_run(c, c->drv->columns_sql, &v, 1, live_row, &l, NULL);
        if (st == SW_OK && l.nomem)
            st = sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    }
    if (st != SW_OK) {
        char keep[sizeof(c->err)];
        memcpy(keep, c->err, sizeof(keep));
        sw_sysconn_close(c);
        memcpy(c->err, keep, sizeof(keep));
    }
    return st;
}

void sw_sysconn_close(sw_sysconn *c)
{
    if (c->db)
        c->drv->close(c->db);
    c->db = NULL;
    for (size_t i = 0; c->live && i < c->sys->n_datasets; i++)
        live_free(&c->live[i]);
    free(c->live);
    c->live = NULL;
}

/* ---- the person ---- */

static bool person_add(sw_person *p, const char *type, const char *value)
{
    void *more = realloc(p->ids, (p->n + 1) * sizeof(*p->ids));
    if (!more)
        return false;
    p->ids = more;
    snprintf(p->ids[p->n].type, sizeof(p->ids[p->n].type), "%s",
             sw_ident_space(type));
    p->ids[p->n].value = strdup(value);
    if (!p->ids[p->n].value)
        return false;
    p->n++;
    return true;
}

sw_status sw_person_of(sw_store *s, const char *subject, sw_person *out)
{
    memset(out, 0, sizeof(*out));
    sw_subject_view *v;
    sw_status st = sw_subject_names(s, subject, &v);
    if (st != SW_OK)
        return st;
    bool ok = true;
    for (size_t i = 0; ok && i < v->n_idents; i++)
        ok = person_add(out, v->idents[i].type, v->idents[i].value);
    if (ok && v->account && *v->account)
        ok = person_add(out, "account_id", v->account);
    sw_subject_view_free(v);
    if (!ok) {
        sw_person_free(out);
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    return SW_OK;
}

void sw_person_free(sw_person *p)
{
    for (size_t i = 0; i < p->n; i++) {
        sw_wipe(p->ids[i].value, strlen(p->ids[i].value));
        free(p->ids[i].value);
    }
    free(p->ids);
    memset(p, 0, sizeof(*p));
}
