/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit trail: a keyed BLAKE2b hash chain. Entry n hashes entry n-1's
 * hash with its own fields; the store's metadata keeps the last seq and hash
 * so a truncated tail is noticed too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf_int.h"
#include "steward/audit.h"
#include "store_int.h"

#define ENTRY_MAX (2 * 1024 * 1024)
/* A batch's coalesced entry is written once its ids pass this size. */
#define PENDING_FLUSH (512 * 1024)

/* The bytes an entry's hash covers: its fields, unit-separated. */
static sw_status canonical(const sw_audit_row *r, sw_buf *b)
{
    sw_buf_init(b, ENTRY_MAX);
    sw_buf_printf(b, "%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                  r->seq, (int64_t)r->at, r->actor, r->action,
                  r->subject ? r->subject : "", r->objects, r->details);
    return b->failed ? SW_ERR_LIMIT : SW_OK;
}

static void hash_row(const sw_store *s, const sw_audit_row *r, sw_buf *b,
                     uint8_t out[SW_HASH_BYTES])
{
    sw_chain_hash(s->keys, r->prev, b->data, b->len, out);
}

static sw_status write_head(sw_store *s, int64_t seq,
                            const uint8_t hash[SW_HASH_BYTES])
{
    char text[32], hex[65];
    snprintf(text, sizeof(text), "%" PRId64, seq);
    sw_hex(hash, SW_HASH_BYTES, hex);
    sw_status st;
    if ((st = s->be->meta_set(s->impl, "audit_seq", text)) != SW_OK ||
        (st = s->be->meta_set(s->impl, "audit_head", hex)) != SW_OK)
        return sw_fail_be(s, st, NULL);
    return SW_OK;
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

void sw_audit_unnote(sw_store *s)
{
    for (int i = 0; i < SW_PEND_COUNT && s->in_batch; i++) {
        struct pending *p = &s->pend[i];
        if (!p->ids.data)
            continue;
        p->ids.len = p->saved_len;
        p->ids.data[p->ids.len] = '\0';
        p->count = p->saved_count;
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
        char details[96];
        snprintf(details, sizeof(details), "{\"batch\":true,\"%s\":%zu}",
                 noun[i], p->count);
        sw_status st = objs.failed
                           ? sw_fail(s, SW_ERR_NOMEM, "out of memory")
                           : append(s, action[i], NULL, objs.data, details);
        sw_buf_release(&objs);
        if (st != SW_OK)
            return st;
        p->ids.len = 0;
        p->count = 0;
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

sw_status sw_audit_json(sw_store *s, const char *action,
                        const char *subject, void *objects, void *details)
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

sw_status sw_audit_append(sw_store *s, const char *action,
                          const char *subject, const char *objects,
                          const char *details)
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
    } else if ((st = s->be->audit_last(s->impl, &r.seq, r.prev)) != SW_OK) {
        return sw_fail_be(s, st, NULL);
    }
    r.seq++;
    r.at = sw_clock_now(&s->clock);
    r.actor = s->actor;
    r.action = action;
    r.subject = subject;
    r.objects = objects;
    r.details = details;
    sw_buf b;
    if ((st = canonical(&r, &b)) != SW_OK) {
        sw_buf_release(&b);
        return sw_fail(s, st, "audit entry for %s too large", action);
    }
    hash_row(s, &r, &b, r.hash);
    sw_buf_release(&b);
    if ((st = s->be->audit_append(s->impl, &r)) != SW_OK)
        return sw_fail_be(s, st, NULL);
    if (s->in_batch) { /* the head reaches the metadata at commit */
        s->head.valid = s->head.dirty = true;
        s->head.seq = r.seq;
        memcpy(s->head.hash, r.hash, SW_HASH_BYTES);
        return SW_OK;
    }
    return write_head(s, r.seq, r.hash);
}

typedef struct verify_ctx {
    sw_store *s;
    sw_audit_verdict *v;
    int64_t expect;
    uint8_t prev[SW_HASH_BYTES];
    sw_status st;
} verify_ctx;

static int verify_one(const sw_audit_row *r, void *p)
{
    verify_ctx *c = p;
    sw_audit_verdict *v = c->v;
    if (r->seq != c->expect) {
        v->first_bad = c->expect;
        snprintf(v->reason, sizeof(v->reason),
                 r->seq > c->expect ? "entry %" PRId64 " is missing"
                                    : "entry %" PRId64 " is out of order",
                 c->expect);
        return 1;
    }
    if (memcmp(r->prev, c->prev, SW_HASH_BYTES) != 0) {
        v->first_bad = r->seq;
        snprintf(v->reason, sizeof(v->reason),
                 "entry %" PRId64 " does not follow entry %" PRId64
                 " (previous hash differs)",
                 r->seq, r->seq - 1);
        return 1;
    }
    sw_buf b;
    uint8_t h[SW_HASH_BYTES];
    if (canonical(r, &b) != SW_OK) {
        sw_buf_release(&b);
        c->st = SW_ERR_LIMIT;
        return 1;
    }
    hash_row(c->s, r, &b, h);
    sw_buf_release(&b);
    if (memcmp(h, r->hash, SW_HASH_BYTES) != 0) {
        v->first_bad = r->seq;
        snprintf(v->reason, sizeof(v->reason),
                 "entry %" PRId64 " was altered (its hash does not match its "
                 "content)",
                 r->seq);
        return 1;
    }
    memcpy(c->prev, r->hash, SW_HASH_BYTES);
    v->entries = r->seq;
    c->expect++;
    return 0;
}

sw_status sw_audit_verify(sw_store *s, sw_audit_verdict *v)
{
    memset(v, 0, sizeof(*v));
    verify_ctx c = {s, v, 1, {0}, SW_OK};
    sw_status st = s->be->audit_scan(s->impl, 1, verify_one, &c);
    if (st != SW_OK)
        return sw_fail_be(s, st, "reading the audit trail");
    if (c.st != SW_OK)
        return sw_fail(s, c.st, "audit entry too large to check");
    if (v->first_bad == 0) {
        char seq[32] = "0", head[128] = "";
        s->be->meta_get(s->impl, "audit_seq", seq, sizeof(seq));
        s->be->meta_get(s->impl, "audit_head", head, sizeof(head));
        int64_t written = strtoll(seq, NULL, 10);
        char last[65];
        sw_hex(c.prev, SW_HASH_BYTES, last);
        if (written != v->entries || strcmp(head, last) != 0) {
            v->first_bad = v->entries + 1;
            snprintf(v->reason, sizeof(v->reason),
                     "the trail ends at entry %" PRId64 " but %" PRId64
                     " were written (entries removed from the end)",
                     v->entries, written);
        }
    }
    v->intact = v->first_bad == 0;
    sw_hex(c.prev, SW_HASH_BYTES, v->head);
    return SW_OK;
}

typedef struct log_ctx {
    const sw_audit_filter *f;
    int (*cb)(const sw_audit_entry *e, void *ctx);
    void *ctx;
} log_ctx;

static int log_one(const sw_audit_row *r, void *p)
{
    log_ctx *c = p;
    if (c->f && c->f->has_since && r->at < c->f->since)
        return 0;
    if (c->f && c->f->subject &&
        (!r->subject || strcmp(r->subject, c->f->subject) != 0)) {
        /* A batch entry names its subjects among its objects. */
        char quoted[SW_ID_BUFSZ + 2];
        snprintf(quoted, sizeof(quoted), "\"%s\"", c->f->subject);
        if (!strstr(r->objects, quoted))
            return 0;
    }
    sw_audit_entry e = {r->seq,     r->at,      r->actor, r->action,
                        r->subject, r->objects, r->details, {0}};
    sw_hex(r->hash, SW_HASH_BYTES, e.hash);
    return c->cb(&e, c->ctx);
}

sw_status sw_audit_log(sw_store *s, const sw_audit_filter *f,
                       int (*cb)(const sw_audit_entry *e, void *ctx),
                       void *ctx)
{
    log_ctx c = {f, cb, ctx};
    sw_status st = s->be->audit_scan(s->impl, 1, log_one, &c);
    return st == SW_OK ? st : sw_fail_be(s, st, "reading the audit trail");
}
