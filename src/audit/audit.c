/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit trail read back: every entry checked against the chain and
 * the sealed head (written by store/chain.c), so a tail cut off (and the
 * head rewritten to match) is noticed; a checkpoint signed with the
 * store's key, kept elsewhere, proves that nothing up to it was removed;
 * the log filtered for a reader.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/buf.h"
#include "steward/audit.h"
#include "store/chain.h"

typedef struct verify_ctx {
    sw_store *s;
    sw_audit_verdict *v;
    int64_t expect;
    uint8_t prev[SW_HASH_BYTES];
    bool has_last_written;
    sw_instant last_written;
    /* a checkpoint's entry to find on the way: seq 0 for none */
    int64_t want_seq;
    uint8_t want_hash[SW_HASH_BYTES];
    bool want_found;
    sw_status st;
} verify_ctx;

static void note_times(verify_ctx *c, const sw_audit_row *r)
{
    sw_audit_verdict *v = c->v;
    if (!r->has_written)
        return;
    if (c->has_last_written &&
        r->written_at < c->last_written - SW_AUDIT_BACKWARDS_SECS) {
        if (!v->out_of_order++)
            v->first_out_of_order = r->seq;
    }
    sw_instant d = r->at - r->written_at;
    if (d > SW_AUDIT_TRAVEL_SECS || d < -SW_AUDIT_TRAVEL_SECS) {
        if (!v->travelled++)
            v->first_travelled = r->seq;
    }
    if (!c->has_last_written || r->written_at > c->last_written)
        c->last_written = r->written_at;
    c->has_last_written = true;
}

static int verify_one(const sw_audit_row *r, void *p)
{
    verify_ctx *c = p;
    sw_audit_verdict *v = c->v;
    if (r->seq != c->expect) {
        v->first_bad = c->expect;
        snprintf(v->reason, sizeof(v->reason), "entry %" PRId64 " is %s",
                 c->expect, r->seq > c->expect ? "missing" : "out of order");
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
    if (sw_chain_canonical(r, &b) != SW_OK) {
        sw_buf_release(&b);
        c->st = SW_ERR_LIMIT;
        return 1;
    }
    sw_chain_hash_row(c->s, r, &b, h);
    sw_buf_release(&b);
    if (memcmp(h, r->hash, SW_HASH_BYTES) != 0) {
        v->first_bad = r->seq;
        snprintf(v->reason, sizeof(v->reason),
                 "entry %" PRId64 " was altered (its hash does not match its "
                 "content)",
                 r->seq);
        return 1;
    }
    if (r->seq == c->want_seq)
        c->want_found = memcmp(r->hash, c->want_hash, SW_HASH_BYTES) == 0;
    note_times(c, r);
    memcpy(c->prev, r->hash, SW_HASH_BYTES);
    v->entries = r->seq;
    c->expect++;
    return 0;
}

/* The chain, then its sealed head. */
static sw_status verify(sw_store *s, verify_ctx *c)
{
    sw_audit_verdict *v = c->v;
    sw_status st = sw_chain_scan(s, 1, verify_one, c);
    if (st != SW_OK)
        return st;
    if (c->st != SW_OK)
        return sw_fail(s, c->st, "audit entry too large to check");
    char last[65];
    sw_hex(c->prev, SW_HASH_BYTES, last);
    snprintf(v->head, sizeof(v->head), "%s", last);
    if (v->first_bad)
        return SW_OK;
    int64_t sealed = 0;
    char head[65] = "", why[200];
    if (v->entries == 0) {
        v->first_bad = 1;
        snprintf(v->reason, sizeof(v->reason),
                 "the trail is empty: every store's trail starts with its "
                 "creation (entries removed)");
    } else if (!sw_chain_read_head(s, &sealed, head, why, sizeof(why))) {
        v->first_bad = v->entries;
        snprintf(v->reason, sizeof(v->reason), "%s", why);
    } else if (sealed != v->entries || strcmp(head, last) != 0) {
        v->first_bad = v->entries < sealed ? v->entries + 1 : sealed;
        snprintf(v->reason, sizeof(v->reason),
                 sealed > v->entries
                     ? "the trail ends at entry %" PRId64 " but %" PRId64
                       " were written (entries removed from the end)"
                     : "the trail holds %" PRId64 " entries but its sealed "
                       "head is entry %" PRId64,
                 v->entries, sealed);
    }
    return SW_OK;
}

sw_status sw_audit_verify(sw_store *s, sw_audit_verdict *v)
{
    memset(v, 0, sizeof(*v));
    verify_ctx c;
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.v = v;
    c.expect = 1;
    sw_status st = verify(s, &c);
    v->intact = st == SW_OK && v->first_bad == 0;
    return st;
}

/* ---- checkpoints ---- */

#define CHECKPOINT_V 1

/* What a checkpoint's signature covers. */
static int checkpoint_msg(char *buf, size_t n, const char *store, int64_t seq,
                          const char *head, const char *at)
{
    return snprintf(buf, n,
                    "steward audit checkpoint v%d\n%s\n%" PRId64 "\n%s\n%s",
                    CHECKPOINT_V, store, seq, head, at);
}

/* The store's name in checkpoints: the first 16 digits of its key check. */
static void store_name(sw_store *s, char out[17])
{
    char check[65];
    sw_keyring_check(s->keys, check);
    snprintf(out, 17, "%.16s", check);
}

sw_status sw_audit_checkpoint(sw_store *s, char **text)
{
    *text = NULL;
    sw_audit_verdict v;
    sw_status st = sw_audit_verify(s, &v);
    if (st != SW_OK)
        return st;
    if (!v.intact)
        return sw_fail(s, SW_ERR_CORRUPT,
                       "no checkpoint of a broken trail (entry %" PRId64
                       ": %s)",
                       v.first_bad, v.reason);
    char store[17], at[SW_INSTANT_BUFSZ], msg[512], pk_hex[65],
        sig_hex[2 * SW_SIGN_BYTES + 1];
    store_name(s, store);
    sw_instant_format(sw_clock_now(&s->wall), at);
    int n = checkpoint_msg(msg, sizeof(msg), store, v.entries, v.head, at);
    uint8_t pk[SW_SIGN_PK_BYTES], sig[SW_SIGN_BYTES];
    sw_sign_public(s->keys, pk);
    sw_sign(s->keys, msg, (size_t)n, sig);
    sw_hex(pk, sizeof(pk), pk_hex);
    sw_hex(sig, sizeof(sig), sig_hex);
    json_t *o = json_pack(
        "{s:i, s:s, s:I, s:s, s:s, s:s, s:s}", "steward_audit_checkpoint",
        CHECKPOINT_V, "store", store, "entries", (json_int_t)v.entries, "head",
        v.head, "at", at, "public_key", pk_hex, "signature", sig_hex);
    char *out = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!out)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if ((st = sw_tx_begin(s)) == SW_OK)
        st = sw_tx_end(
            s, sw_audit_json(s, "audit.checkpoint", NULL, NULL,
                             json_pack("{s:I, s:s}", "entries",
                                       (json_int_t)v.entries, "head", v.head)));
    if (st != SW_OK) {
        free(out);
        return st;
    }
    *text = out;
    return SW_OK;
}

static bool hex_exact(const char *hex, uint8_t *out, size_t n)
{
    size_t len = 0;
    return hex && strlen(hex) == 2 * n &&
           sodium_hex2bin(out, n, hex, 2 * n, NULL, &len, NULL) == 0 &&
           len == n;
}

sw_status sw_audit_verify_checkpoint(sw_store *s, const char *text,
                                     sw_audit_verdict *v)
{
    memset(v, 0, sizeof(*v));
    json_error_t err;
    json_t *o = text ? json_loads(text, JSON_DISABLE_EOF_CHECK, &err) : NULL;
    const char *store = json_string_value(json_object_get(o, "store"));
    const char *head = json_string_value(json_object_get(o, "head"));
    const char *at = json_string_value(json_object_get(o, "at"));
    const char *sig_hex = json_string_value(json_object_get(o, "signature"));
    json_t *entries = json_object_get(o, "entries");
    uint8_t sig[SW_SIGN_BYTES], want[SW_HASH_BYTES];
    if (!json_is_object(o) ||
        json_integer_value(json_object_get(o, "steward_audit_checkpoint")) !=
            CHECKPOINT_V ||
        !store || !at || !json_is_integer(entries) ||
        json_integer_value(entries) < 1 ||
        !hex_exact(head, want, sizeof(want)) ||
        !hex_exact(sig_hex, sig, sizeof(sig))) {
        json_decref(o);
        return sw_fail(s, SW_ERR_SYNTAX,
                       "not a steward audit checkpoint (expected the JSON "
                       "line 'steward audit head' prints)");
    }
    int64_t seq = json_integer_value(entries);
    char mine[17], msg[512];
    store_name(s, mine);
    int n = checkpoint_msg(msg, sizeof(msg), store, seq, head, at);
    uint8_t pk[SW_SIGN_PK_BYTES];
    sw_sign_public(s->keys, pk);
    bool ours = strcmp(store, mine) == 0;
    bool signed_ok = ours && n > 0 && (size_t)n < sizeof(msg) &&
                     sw_sign_verify(pk, msg, (size_t)n, sig);
    verify_ctx c;
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.v = v;
    c.expect = 1;
    c.want_seq = seq;
    memcpy(c.want_hash, want, sizeof(want));
    sw_status st = verify(s, &c);
    char theirs[32], when[40];
    snprintf(theirs, sizeof(theirs), "%s", store);
    snprintf(when, sizeof(when), "%s", at);
    json_decref(o); /* store and at were borrowed from it */
    store = theirs;
    at = when;
    if (st != SW_OK)
        return st;
    v->checkpoint = true;
    v->checkpoint_seq = seq;
    if (!ours) {
        v->first_bad = v->first_bad ? v->first_bad : seq;
        snprintf(v->reason, sizeof(v->reason),
                 "the checkpoint is of another store (%s, not %s)", store,
                 mine);
    } else if (!signed_ok) {
        v->first_bad = v->first_bad ? v->first_bad : seq;
        snprintf(v->reason, sizeof(v->reason),
                 "the checkpoint's signature is not this store's: it was "
                 "altered");
    } else if (!v->first_bad && !c.want_found) {
        v->first_bad = seq;
        if (seq > v->entries)
            snprintf(v->reason, sizeof(v->reason),
                     "the checkpoint of %s names entry %" PRId64
                     ", but the trail ends at %" PRId64 " (entries removed)",
                     at, seq, v->entries);
        else
            snprintf(v->reason, sizeof(v->reason),
                     "entry %" PRId64 " is not the one the checkpoint of %s "
                     "signed (the trail was rewritten)",
                     seq, at);
    }
    v->intact = v->first_bad == 0;
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
    sw_audit_entry e = {r->seq,     r->at,     r->has_written, r->written_at,
                        r->actor,   r->action, r->subject,     r->objects,
                        r->details, {0}};
    sw_hex(r->hash, SW_HASH_BYTES, e.hash);
    return c->cb(&e, c->ctx);
}

sw_status sw_audit_log(sw_store *s, const sw_audit_filter *f,
                       int (*cb)(const sw_audit_entry *e, void *ctx), void *ctx)
{
    log_ctx c = {f, cb, ctx};
    return sw_chain_scan(s, 1, log_one, &c);
}
