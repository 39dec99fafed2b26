/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store handle's own small things, below everything that writes:
 * failures and their messages, the metadata table, what services keep on
 * a handle, settings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "steward/text.h"
#include "store/sql.h"

void sw_store_options_init(sw_store_options *o)
{
    memset(o, 0, sizeof(*o));
    sw_clock_init_system(&o->clock);
    o->actor = "steward";
}

const sw_driver *sw_driver_for(const char *uri)
{
    return sw_driver_pg.accepts(uri) ? &sw_driver_pg : &sw_driver_sqlite;
}

bool sw_store_is_file(const char *uri)
{
    return sw_driver_for(uri) == &sw_driver_sqlite;
}

void sw_store_uri_shown(const char *uri, char *buf, size_t n)
{
    const char *scheme = strstr(uri, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon =
        at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (!colon)
        snprintf(buf, n, "%s", uri);
    else
        snprintf(buf, n, "%.*s:***%s", (int)(colon - uri), uri, at);
}

void sw_store_key_path(const char *uri, const sw_store_options *o, char *buf,
                       size_t n)
{
    if (o && o->key_file)
        snprintf(buf, n, "%s", o->key_file);
    else if (!sw_store_is_file(uri)) /* a database has no place beside it */
        snprintf(buf, n, "steward.key");
    else
        snprintf(buf, n, "%s.key", uri);
}

sw_status sw_fail(sw_store *s, sw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    return st;
}

sw_status sw_check_text(sw_store *s, const char *what, const char *v,
                        size_t max)
{
    if (!v)
        return SW_OK;
    size_t n = strlen(v);
    if (n >= max)
        return sw_fail(s, SW_ERR_LIMIT, "%s: at most %zu bytes, not %zu", what,
                       max - 1, n);
    if (!sw_utf8_valid(v, n))
        return sw_fail(s, SW_ERR_INVALID, "%s: not UTF-8 text", what);
    return SW_OK;
}

sw_status sw_fail_prefix(sw_store *s, sw_status st, const char *what)
{
    char m[sizeof(s->err)];
    snprintf(m, sizeof(m), "%s", s->err);
    snprintf(s->err, sizeof(s->err), "%s: %s", what, m);
    return st;
}

sw_status sw_meta_get(sw_store *s, const char *key, char *val, size_t n)
{
    return sw_sql_text(s, "reading store metadata",
                       "SELECT value FROM meta WHERE key = ?1",
                       SW_ARGS(sw_v_text(key)), val, n);
}

sw_status sw_meta_set(sw_store *s, const char *key, const char *val)
{
    return sw_sql_run(s, "writing store metadata",
                      "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      SW_ARGS(sw_v_text(key), sw_v_text(val)), NULL);
}

void *sw_ext_get(sw_store *s, sw_ext_id id)
{
    return s->ext[id].p;
}

void sw_ext_set(sw_store *s, sw_ext_id id, void *p, void (*batch_end)(void *),
                void (*free_fn)(void *))
{
    sw_ext *e = &s->ext[id];
    if (e->p && e->p != p && e->free)
        e->free(e->p);
    e->p = p;
    e->batch_end = batch_end;
    e->free = free_fn;
}

sw_status sw_store_checkpoint(sw_store *s, const char *done)
{
    if (s->in_batch)
        return SW_OK; /* the batch's end folds everything at once */
    sw_status st = s->drv->checkpoint(s->db);
    if (st == SW_OK)
        return st;
    sw_sql_fail(s, st, "checkpointing the journal");
    return done ? sw_fail_prefix(s, st, done) : st;
}

const char *sw_errmsg(const sw_store *s)
{
    return s ? s->err : "no store";
}

int sw_store_schema_version(const sw_store *s)
{
    return s->version;
}

int sw_store_schema_latest(void)
{
    return SW_SCHEMA_LATEST;
}

void sw_store_set_clock(sw_store *s, const sw_clock *c)
{
    s->clock = *c;
}

void sw_store_set_wall(sw_store *s, const sw_clock *c)
{
    s->wall = *c;
}

void sw_store_set_public_url(sw_store *s, const char *url)
{
    snprintf(s->public_url, sizeof(s->public_url), "%s", url ? url : "");
    size_t n = strlen(s->public_url);
    while (n && s->public_url[n - 1] == '/') /* base/v1/..., not base//v1 */
        s->public_url[--n] = '\0';
}

void sw_store_pseudonym_key(sw_store *s, uint8_t key[32])
{
    sw_blind_typekey(s->keys, "scan.pseudonym", key);
}

void sw_store_set_actor(sw_store *s, const char *actor)
{
    snprintf(s->actor, sizeof(s->actor), "%s", actor ? actor : "steward");
}

sw_store_group *sw_store_group_new(void)
{
    sw_store_group *g = calloc(1, sizeof(*g));
    if (g)
        atomic_init(&g->changes, 0);
    return g;
}

void sw_store_group_free(sw_store_group *g)
{
    free(g);
}

void sw_store_changed(sw_store *s)
{
    if (s->group)
        atomic_fetch_add(&s->group->changes, 1);
}
