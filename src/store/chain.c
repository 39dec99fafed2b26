/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit chain, as every change writes it: a keyed BLAKE2b hash chain
 * in the audit table. Entry n hashes entry n-1's hash with its own
 * fields, the real time it was written among them; the metadata keeps the
 * last seq and hash sealed with a MAC under the store key. A batch caches
 * the head and coalesces its many subject.add and record.add entries into
 * one each. Reading the trail back (verify, checkpoints, the log) is the
 * audit service's (src/audit).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/json.h"
#include "store/chain.h"
#include "store/sql.h"

#define ENTRY_MAX (2 * 1024 * 1024)
/* A batch's coalesced entry is written once its ids pass this size. */
#define PENDING_FLUSH (512 * 1024)

/* The bytes an entry's hash covers: its fields, unit-separated; the real
 * time it was written last (entries from before schema 7 have none). */
sw_status sw_chain_canonical(const sw_audit_row *r, sw_buf *b)
{
    sw_buf_init(b, ENTRY_MAX);
    sw_buf_printf(b, "%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                  r->seq, (int64_t)r->at, r->actor, r->action,
                  r->subject ? r->subject : "", r->objects, r->details);
    if (r->has_written)
        sw_buf_printf(b, "\x1fwritten %" PRId64, (int64_t)r->written_at);
    return b->failed ? SW_ERR_LIMIT : SW_OK;
}

void sw_chain_hash_row(const sw_store *s, const sw_audit_row *r, sw_buf *b,
                       uint8_t out[SW_HASH_BYTES])
{
    sw_chain_hash(s->keys, r->prev, b->data, b->len, out);
}

/* ---- the sealed head: "SEQ HASH MAC" in the metadata ---- */

#define SEAL_KEY "audit_seal"
#define SEAL_DOMAIN "steward audit head v1"

static void seal_mac(const sw_store *s, int64_t seq, const char *hex,
                     char mac_hex[65])
{
    char msg[96];
    int n = snprintf(msg, sizeof(msg), "%" PRId64 ":%s", seq, hex);
    uint8_t mac[SW_HASH_BYTES];
    sw_audit_mac(s->keys, SEAL_DOMAIN, msg, (size_t)n, mac);
    sw_hex(mac, sizeof(mac), mac_hex);
}

static sw_status write_head(sw_store *s, int64_t seq,
                            const uint8_t hash[SW_HASH_BYTES])
{
    char hex[65], mac[65], text[160];
    sw_hex(hash, SW_HASH_BYTES, hex);
    seal_mac(s, seq, hex, mac);
    snprintf(text, sizeof(text), "%" PRId64 " %s %s", seq, hex, mac);
    return sw_meta_set(s, SEAL_KEY, text);
}

/* The sealed head; false (and why) when it is missing or its MAC is not
 * the store key's. */
bool sw_chain_read_head(sw_store *s, int64_t *seq, char hex[65], char *why,
                        size_t n)
{
    char text[256] = "", mac[65], want[65];
    if (sw_meta_get(s, SEAL_KEY, text, sizeof(text)) != SW_OK) {
        snprintf(why, n, "the trail's head has no seal (it was removed)");
        return false;
    }
    long long q = 0;
    if (sscanf(text, "%lld %64s %64s", &q, hex, mac) != 3) {
        snprintf(why, n, "the seal of the trail's head is damaged");
        return false;
    }
    seal_mac(s, q, hex, want);
    if (sodium_memcmp(want, mac, 64) != 0) {
        snprintf(why, n,
                 "the seal of the trail's head does not match it: the head "
                 "was rewritten without the store key (entries removed from "
                 "the end?)");
        return false;
    }
    *seq = q;
    return true;
}

sw_status sw_audit_note(sw_store *s, sw_pend_kind kind, const char *id1,
                        const char *id2)
{
    struct pending *p = &s->pend[kind];
    /* Ids are [a-z0-9_]: no JSON escaping needed. */
    sw_buf_printf(&p->ids, "%s\"%s\"", p->ids.len ? "," : "", id1);
    if (id2)
        sw_buf_printf(&p->ids, ",\"%s\"", id2);
    if (p->ids.failed)
        return sw_fail(s, SW_ERR_LIMIT, "batch too large for one audit entry");
    p->count++;
    return SW_OK;
}

void sw_audit_note_counts(sw_store *s, sw_pend_kind kind, const char *field,
                          const char *const names[], const size_t counts[],
                          size_t n)
{
    struct pending *p = &s->pend[kind];
    p->tally_field = field;
    for (size_t i = 0; i < n; i++) {
        if (!counts[i])
            continue;
        size_t k = 0;
        while (k < p->n_tally && strcmp(p->tally_name[k], names[i]) != 0)
            k++;
        if (k == p->n_tally) {
            if (k == SW_TALLY_MAX)
                continue; /* more names than an entry keeps */
            p->tally_name[k] = names[i];
            p->tally[k] = 0;
            p->n_tally++;
        }
        p->tally[k] += counts[i];
    }
}

void sw_audit_mark(sw_store *s, sw_pend_kind kind)
{
    struct pending *p = &s->pend[kind];
    p->saved_len = p->ids.len;
    p->saved_count = p->count;
    p->saved_n_tally = p->n_tally;
    memcpy(p->saved_tally, p->tally, sizeof(p->tally));
}

void sw_audit_unnote(sw_store *s)
{
    for (int i = 0; i < SW_PEND_COUNT && s->in_batch; i++) {
        struct pending *p = &s->pend[i];
        if (!p->ids.data)
            continue;
        p->ids.len = p->saved_len;
        p->ids.data[p->ids.len] = '\0';
        p->count = p->saved_count;
        p->n_tally = p->saved_n_tally;
        memcpy(p->tally, p->saved_tally, sizeof(p->tally));
    }
}

static sw_status append(sw_store *s, const char *action, const char *subject,
                        const char *objects, const char *details);

/* A batch's changes of each kind as one entry listing every id. */
static sw_status flush_pending(sw_store *s)
{
    static const char *const action[SW_PEND_COUNT] = {"subject.add",
                                                      "record.add"};
    static const char *const noun[SW_PEND_COUNT] = {"subjects", "records"};
    for (int i = 0; i < SW_PEND_COUNT; i++) {
        struct pending *p = &s->pend[i];
        if (!p->count)
            continue;
        sw_buf objs;
        sw_buf_init(&objs, p->ids.max + 8);
        sw_buf_putn(&objs, "[", 1);
        sw_buf_putn(&objs, p->ids.data, p->ids.len);
        sw_buf_putn(&objs, "]", 1);
        char details[512];
        int k = snprintf(details, sizeof(details), "{\"batch\":true,\"%s\":%zu",
                         noun[i], p->count);
        if (p->tally_field) { /* counts, never values */
            json_t *t = json_object();
            for (size_t j = 0; j < p->n_tally; j++)
                json_object_set_new(t, p->tally_name[j],
                                    json_integer((json_int_t)p->tally[j]));
            char *text = sw_json_text(t);
            k += snprintf(details + k, sizeof(details) - (size_t)k,
                          ",\"%s\":%s", p->tally_field, text ? text : "{}");
            free(text);
        }
        snprintf(details + k, sizeof(details) - (size_t)k, "}");
        sw_status st = objs.failed
                           ? sw_fail(s, SW_ERR_NOMEM, "out of memory")
                           : append(s, action[i], NULL, objs.data, details);
        sw_buf_release(&objs);
        if (st != SW_OK)
            return st;
        p->ids.len = 0;
        p->count = 0;
        p->tally_field = NULL;
        p->n_tally = 0;
    }
    return SW_OK;
}

sw_status sw_audit_settle(sw_store *s)
{
    for (int i = 0; i < SW_PEND_COUNT; i++)
        if (s->pend[i].ids.len > PENDING_FLUSH)
            return flush_pending(s);
    return SW_OK;
}

sw_status sw_audit_flush_batch(sw_store *s)
{
    sw_status st = flush_pending(s);
    if (st != SW_OK || !s->head.valid || !s->head.dirty)
        return st;
    s->head.dirty = false;
    return write_head(s, s->head.seq, s->head.hash);
}

sw_status sw_audit_json(sw_store *s, const char *action, const char *subject,
                        void *objects, void *details)
{
    char *o = objects ? sw_json_text(objects) : NULL;
    char *d = sw_json_text(details);
    sw_status st = (objects && !o) || !d
                       ? sw_fail(s, SW_ERR_NOMEM, "out of memory")
                       : sw_audit_append(s, action, subject, o ? o : "[]", d);
    free(o);
    free(d);
    return st;
}

sw_status sw_audit_append(sw_store *s, const char *action, const char *subject,
                          const char *objects, const char *details)
{
    /* Keep the trail in order: the batch's changes so far come first. */
    sw_status st = flush_pending(s);
    return st == SW_OK ? append(s, action, subject, objects, details) : st;
}

static sw_status append(sw_store *s, const char *action, const char *subject,
                        const char *objects, const char *details)
{
    sw_audit_row r;
    memset(&r, 0, sizeof(r));
    sw_status st = SW_OK;
    if (s->in_batch && s->head.valid) {
        r.seq = s->head.seq;
        memcpy(r.prev, s->head.hash, SW_HASH_BYTES);
    } else if ((st = sw_chain_last(s, &r.seq, r.prev)) != SW_OK) {
        return st;
    }
    r.seq++;
    r.at = sw_clock_now(&s->clock);
    r.has_written = true;
    r.written_at = sw_clock_now(&s->wall);
    r.actor = s->actor;
    r.action = action;
    r.subject = subject;
    r.objects = objects;
    r.details = details;
    sw_buf b;
    if ((st = sw_chain_canonical(&r, &b)) != SW_OK) {
        sw_buf_release(&b);
        return sw_fail(s, st, "audit entry for %s too large", action);
    }
    sw_chain_hash_row(s, &r, &b, r.hash);
    sw_buf_release(&b);
    st = sw_sql_run(
        s, "appending to the audit trail",
        "INSERT INTO audit(seq, at, actor, action, subject_id,"
        " objects, details, prev_hash, hash, written_at)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        SW_ARGS(sw_v_int(r.seq), sw_v_int(r.at), sw_v_text(r.actor),
                sw_v_text(r.action), sw_v_text(r.subject), sw_v_text(r.objects),
                sw_v_text(r.details), sw_v_blob(r.prev, SW_HASH_BYTES),
                sw_v_blob(r.hash, SW_HASH_BYTES), sw_v_int(r.written_at)),
        NULL);
    if (st != SW_OK)
        return st;
    if (s->in_batch) { /* the head reaches the metadata at commit */
        s->head.valid = s->head.dirty = true;
        s->head.seq = r.seq;
        memcpy(s->head.hash, r.hash, SW_HASH_BYTES);
        return SW_OK;
    }
    return write_head(s, r.seq, r.hash);
}

/* ---- the audit table ---- */

static int last_row(const sw_row *r, void *p)
{
    sw_audit_row *o = p;
    o->seq = sw_row_int(r, 0);
    sw_row_blob_into(r, 1, o->hash, SW_HASH_BYTES);
    return 1;
}

sw_status sw_chain_last(sw_store *s, int64_t *seq, uint8_t hash[SW_HASH_BYTES])
{
    sw_audit_row o;
    memset(&o, 0, sizeof(o));
    sw_status st =
        sw_sql(s, "reading the audit trail",
               "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
               SW_NOARGS, last_row, &o);
    *seq = o.seq;
    memcpy(hash, o.hash, SW_HASH_BYTES);
    return st;
}

#define SCAN_PAGE 10000

typedef struct scan_ctx {
    sw_chain_cb cb;
    void *ctx;
    int64_t next;
    size_t n;
    bool stop;
} scan_ctx;

static int scan_row(const sw_row *r, void *p)
{
    scan_ctx *c = p;
    sw_audit_row a;
    memset(&a, 0, sizeof(a));
    a.seq = sw_row_int(r, 0);
    a.at = sw_row_int(r, 1);
    a.actor = sw_row_text(r, 2);
    a.action = sw_row_text(r, 3);
    a.subject = sw_row_text(r, 4);
    a.objects = sw_row_text(r, 5);
    a.details = sw_row_text(r, 6);
    /* A damaged hash column reads as zeros: the chain check fails. */
    sw_row_blob_into(r, 7, a.prev, SW_HASH_BYTES);
    sw_row_blob_into(r, 8, a.hash, SW_HASH_BYTES);
    a.has_written = !sw_row_null(r, 9);
    a.written_at = sw_row_int(r, 9);
    a.actor = a.actor ? a.actor : "";
    a.action = a.action ? a.action : "";
    a.objects = a.objects ? a.objects : "";
    a.details = a.details ? a.details : "";
    c->next = a.seq + 1;
    c->n++;
    return (c->stop = c->cb(&a, c->ctx) != 0);
}

sw_status sw_chain_scan(sw_store *s, int64_t from, sw_chain_cb cb, void *ctx)
{
    /* a page at a time: a long trail never sits whole in memory */
    scan_ctx c = {cb, ctx, from, 0, false};
    sw_status st = SW_OK;
    do {
        c.n = 0;
        st = sw_sql(s, "reading the audit trail",
                    "SELECT seq, at, actor, action, subject_id, objects,"
                    " details, prev_hash, hash, written_at FROM audit"
                    " WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
                    SW_ARGS(sw_v_int(c.next), sw_v_int(SCAN_PAGE)), scan_row,
                    &c);
    } while (st == SW_OK && !c.stop && c.n == SCAN_PAGE);
    return st;
}
