/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store handle: picks the driver for a URI, checks the master key
 * before anything is written, runs the schema's migrations, and frames
 * every change as one transaction (or a savepoint inside a batch).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "steward/text.h"
#include "store/chain.h"
#include "store/schema.h"
#include "store/sql.h"

static void apply_options(sw_store *s, const sw_store_options *o)
{
    s->group = o->group ? o->group : &s->own; /* or the handle's own */
    s->policy = o->policy;
    s->clock = o->clock;
    sw_clock_init_system(&s->wall);
    snprintf(s->actor, sizeof(s->actor), "%s", o->actor ? o->actor : "steward");
    snprintf(s->country, sizeof(s->country), "%s",
             o->default_country ? o->default_country : "");
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

sw_status sw_store_create(const char *uri, const sw_store_options *o,
                          sw_error *err)
{
    char key_path[1024], shown[512];
    sw_store_key_path(uri, o, key_path, sizeof(key_path));
    sw_store_uri_shown(uri, shown, sizeof(shown));
    if (sw_store_is_file(uri) && exists(uri)) {
        snprintf(err->msg, sizeof(err->msg),
                 "%s exists; refusing to overwrite a store", uri);
        return SW_ERR_EXISTS;
    }
    sw_status st = sw_keyfile_create(key_path, err->msg, sizeof(err->msg));
    if (st != SW_OK)
        return st;
    st = sw_crypto_init();
    /* on the heap: a handle's caches are far larger than a thread's stack
     * may be (a daemon's worker) */
    sw_store *tmp = calloc(1, sizeof(*tmp));
    if (st == SW_OK && !tmp) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        st = SW_ERR_NOMEM;
    }
    int version = 0;
    if (tmp)
        tmp->drv = sw_driver_for(uri);
    if (st == SW_OK)
        st = tmp->drv->open(uri, true, &tmp->db, &version, err);
    if (st == SW_OK && (st = tmp->drv->migrate(tmp->db, sw_schema_steps, 0,
                                               SW_SCHEMA_LATEST)) != SW_OK)
        snprintf(err->msg, sizeof(err->msg), "%s: %s", shown,
                 tmp->drv->errmsg(tmp->db));
    if (st == SW_OK)
        st = sw_keyring_load(key_path, &tmp->keys, err->msg, sizeof(err->msg));
    if (st == SW_OK) {
        char check[65];
        sw_keyring_check(tmp->keys, check);
        apply_options(tmp, o);
        st = sw_tx_begin(tmp);
        if (st == SW_OK)
            st = sw_meta_set(tmp, "key_check", check);
        if (st == SW_OK)
            st = sw_audit_append(tmp, "store.init", NULL, "[]", "{}");
        st = sw_tx_end(tmp, st);
        if (st != SW_OK)
            snprintf(err->msg, sizeof(err->msg), "%s: %s", shown, tmp->err);
    }
    const sw_driver *drv = tmp ? tmp->drv : NULL;
    if (tmp && tmp->db) {
        sw_sql_forget(tmp);
        tmp->drv->close(tmp->db);
    }
    if (tmp)
        sw_keyring_free(tmp->keys);
    free(tmp);
    if (st != SW_OK) {
        unlink(key_path);
        if (version == 0 && drv) /* only what this call created */
            drv->remove(uri, sw_schema_tables);
    }
    return st;
}

sw_status sw_store_connect(const char *uri, const sw_store_options *o,
                           sw_store **out, sw_error *err)
{
    *out = NULL;
    sw_store *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return SW_ERR_NOMEM;
    }
    s->drv = sw_driver_for(uri);
    char key_path[1024], stored[128], shown[512];
    sw_store_uri_shown(uri, shown, sizeof(shown));
    sw_store_key_path(uri, o, key_path, sizeof(key_path));
    int from = 0;
    sw_status st = s->drv->open(uri, false, &s->db, &from, err);
    if (st == SW_OK && from > SW_SCHEMA_LATEST) {
        snprintf(err->msg, sizeof(err->msg),
                 "%s has schema version %d; this steward reads up to %d "
                 "(upgrade steward)",
                 shown, from, SW_SCHEMA_LATEST);
        st = SW_ERR_VERSION;
    }
    /* The key is checked before anything is written, migrations included. */
    if (st == SW_OK)
        st = sw_keyring_load(key_path, &s->keys, err->msg, sizeof(err->msg));
    if (st == SW_OK) {
        st = sw_meta_get(s, "key_check", stored, sizeof(stored));
        if (st != SW_OK)
            snprintf(err->msg, sizeof(err->msg),
                     "%s is not a steward store (no key check: %s)", shown,
                     st == SW_ERR_NOTFOUND ? "missing" : s->err);
        if (st == SW_ERR_NOTFOUND)
            st = SW_ERR_CORRUPT;
    }
    if (st == SW_OK) {
        char check[65];
        sw_keyring_check(s->keys, check);
        if (strcmp(check, stored) != 0) {
            snprintf(err->msg, sizeof(err->msg),
                     "%s is not the key of %s (key check mismatch)", key_path,
                     shown);
            st = SW_ERR_CRYPTO;
        }
    }
    /* Before schema 7 the head was kept unsealed: read it before the
     * upgrade removes it, to say whether the trail still matched it. */
    char old_seq[32] = "", old_head[128] = "";
    if (st == SW_OK && from < 7) {
        sw_meta_get(s, "audit_seq", old_seq, sizeof(old_seq));
        sw_meta_get(s, "audit_head", old_head, sizeof(old_head));
    }
    if (st == SW_OK) {
        sw_sql_forget(s); /* the layout may change under them */
        st = s->drv->migrate(s->db, sw_schema_steps, from, SW_SCHEMA_LATEST);
        if (st != SW_OK)
            snprintf(err->msg, sizeof(err->msg), "%s: %s", shown,
                     s->drv->errmsg(s->db));
    }
    if (st != SW_OK) {
        sw_store_close(s);
        return st;
    }
    s->version = SW_SCHEMA_LATEST;
    apply_options(s, o);
    if (from < SW_SCHEMA_LATEST) {
        char details[160];
        int n = snprintf(details, sizeof(details), "{\"from\":%d,\"to\":%d",
                         from, SW_SCHEMA_LATEST);
        /* cppcheck-suppress knownConditionTrueFalse
         * (always true while 7 is the latest schema; not once one follows) */
        if (from < 7) {
            /* the head sealed from now on: was it the trail's last entry? */
            int64_t seq = 0;
            uint8_t hash[SW_HASH_BYTES];
            char hex[65] = "";
            if (sw_chain_last(s, &seq, hash) == SW_OK)
                sw_hex(hash, SW_HASH_BYTES, hex);
            bool matched =
                strtoll(old_seq, NULL, 10) == seq && strcmp(old_head, hex) == 0;
            n += snprintf(details + n, sizeof(details) - (size_t)n,
                          ",\"head_matched\":%s", matched ? "true" : "false");
        }
        snprintf(details + n, sizeof(details) - (size_t)n, "}");
        st = sw_tx_begin(s);
        if (st == SW_OK)
            st = sw_audit_append(s, "store.migrate", NULL, "[]", details);
        if ((st = sw_tx_end(s, st)) != SW_OK) {
            snprintf(err->msg, sizeof(err->msg), "%s: %s", shown, s->err);
            sw_store_close(s);
            return st;
        }
    }
    *out = s;
    return SW_OK;
}

void sw_store_close(sw_store *s)
{
    if (!s)
        return;
    if (s->in_batch)
        sw_batch_rollback(s);
    sw_read_end(s);
    if (s->db) {
        sw_sql_forget(s);
        s->drv->close(s->db);
    }
    sw_keyring_free(s->keys);
    for (int i = 0; i < SW_EXT_COUNT; i++)
        if (s->ext[i].p && s->ext[i].free)
            s->ext[i].free(s->ext[i].p);
    sw_wipe(s, sizeof(*s));
    free(s);
}

static void batch_forget(sw_store *s)
{
    s->head.valid = s->head.dirty = false;
    for (int i = 0; i < SW_EXT_COUNT; i++)
        if (s->ext[i].p && s->ext[i].batch_end)
            s->ext[i].batch_end(s->ext[i].p);
    for (int i = 0; i < SW_PEND_COUNT; i++) {
        sw_buf_release(&s->pend[i].ids);
        s->pend[i].count = 0;
        s->pend[i].tally_field = NULL;
        s->pend[i].n_tally = 0;
    }
}

/* Inside a transaction just begun: is the handle's policy still the
 * store's latest version (another process may have applied one)? */
static sw_status policy_current(sw_store *s)
{
    if (!s->policy || s->policy_seq <= 0)
        return SW_OK;
    int64_t seq = 0;
    sw_status st = sw_sql_int(s, "reading the policy's version",
                              "SELECT COALESCE(MAX(seq), 0) FROM"
                              " policy_versions",
                              SW_NOARGS, &seq);
    if (st != SW_OK || seq == s->policy_seq)
        return st;
    return sw_fail(s, SW_ERR_CONFLICT,
                   "the store applies policy version %lld since this handle "
                   "was opened with version %lld: open it again (restart "
                   "stewardd) to work under the new one",
                   (long long)seq, (long long)s->policy_seq);
}

sw_status sw_tx_begin(sw_store *s)
{
    if (s->in_read)
        return sw_fail(s, SW_ERR_INVALID,
                       "a read snapshot is open: end it before a change");
    sw_status st =
        s->drv->tx(s->db, s->in_batch ? SW_TX_SAVEPOINT : SW_TX_BEGIN);
    s->head_saved = s->head;
    for (int i = 0; i < SW_PEND_COUNT; i++)
        sw_audit_mark(s, (sw_pend_kind)i);
    if (st != SW_OK)
        return sw_sql_fail(s, st, NULL);
    if (!s->in_batch && (st = policy_current(s)) != SW_OK)
        s->drv->tx(s->db, SW_TX_ROLLBACK);
    return st;
}

sw_status sw_tx_end(sw_store *s, sw_status st)
{
    sw_store_changed(s); /* what was cached may be out of date */
    if (st == SW_OK) {
        sw_status c =
            s->drv->tx(s->db, s->in_batch ? SW_TX_RELEASE : SW_TX_COMMIT);
        if (c == SW_OK)
            return s->in_batch ? sw_audit_settle(s) : SW_OK;
        sw_sql_fail(s, c, NULL);
        st = c;
    }
    /* Keep the first failure's message. */
    s->drv->tx(s->db, s->in_batch ? SW_TX_ROLLBACK_TO : SW_TX_ROLLBACK);
    s->head = s->head_saved; /* the undone change's audit entry is gone */
    sw_audit_unnote(s);
    return st;
}

sw_status sw_batch_begin(sw_store *s)
{
    if (s->in_batch)
        return sw_fail(s, SW_ERR_INVALID, "a batch is already open");
    sw_status st = s->drv->tx(s->db, SW_TX_BEGIN);
    if (st != SW_OK)
        return sw_sql_fail(s, st, "starting a batch");
    if ((st = policy_current(s)) != SW_OK) {
        s->drv->tx(s->db, SW_TX_ROLLBACK);
        return st;
    }
    batch_forget(s);
    for (int i = 0; i < SW_PEND_COUNT; i++)
        sw_buf_init(&s->pend[i].ids, 256u * 1024 * 1024);
    s->in_batch = true;
    return SW_OK;
}

sw_status sw_batch_commit(sw_store *s)
{
    if (!s->in_batch)
        return sw_fail(s, SW_ERR_INVALID, "no batch is open");
    sw_status st = sw_audit_flush_batch(s); /* still inside the batch */
    s->in_batch = false;
    if (st == SW_OK && (st = s->drv->tx(s->db, SW_TX_COMMIT)) != SW_OK)
        sw_sql_fail(s, st, "committing a batch");
    if (st != SW_OK)
        s->drv->tx(s->db, SW_TX_ROLLBACK);
    batch_forget(s);
    sw_store_changed(s);
    return st;
}

sw_status sw_op_begin(sw_store *s, bool *own)
{
    *own = !s->in_batch;
    return *own ? sw_batch_begin(s) : sw_tx_begin(s);
}

sw_status sw_op_end(sw_store *s, bool own, sw_status st)
{
    if (!own)
        return sw_tx_end(s, st);
    if (st == SW_OK)
        return sw_batch_commit(s);
    sw_batch_rollback(s);
    return st;
}

sw_status sw_read_begin(sw_store *s)
{
    if (s->in_batch || s->in_read)
        return sw_fail(s, SW_ERR_INVALID, "a batch or a read is already open");
    sw_status st = s->drv->tx(s->db, SW_TX_READ);
    if (st != SW_OK)
        return sw_sql_fail(s, st, "starting a read");
    s->in_read = true;
    return SW_OK;
}

void sw_read_end(sw_store *s)
{
    if (!s->in_read)
        return;
    s->in_read = false;
    s->drv->tx(s->db, SW_TX_COMMIT);
}

void sw_batch_rollback(sw_store *s)
{
    if (!s->in_batch)
        return;
    s->in_batch = false;
    s->drv->tx(s->db, SW_TX_ROLLBACK);
    batch_forget(s);
    sw_store_changed(s);
}
