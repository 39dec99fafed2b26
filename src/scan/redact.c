/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redaction over the scanner's stream: the text is held from the last
 * byte written until the stream has settled it (no finding can start
 * there any more), then written with each finding replaced. In drop mode
 * the unit is a line: a line that holds a finding is left out whole.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "scan/scan_int.h"

struct sw_redactor {
    sw_scan_stream *stream;
    sw_redact_mode mode;
    uint8_t key[32];
    sw_write_cb out;
    void *ctx;
    char *hold; /* the text from offset `from` on, at hold + off */
    size_t off, n, cap;
    uint64_t from;
    int line_dirty; /* drop: it holds a finding */
    size_t counts[SW_PII_COUNT];
    int failed;
    char err[160];
};

static const char *const mode_names[] = {"type", "mask", "hash", "drop"};

const char *sw_redact_mode_name(sw_redact_mode m)
{
    return (unsigned)m < 4 ? mode_names[m] : "?";
}

bool sw_redact_mode_parse(const char *name, sw_redact_mode *out)
{
    for (unsigned i = 0; name && i < 4; i++)
        if (strcmp(mode_names[i], name) == 0) {
            *out = (sw_redact_mode)i;
            return true;
        }
    return false;
}

static void emit(sw_redactor *r, const char *p, size_t n)
{
    if (!r->failed && n && r->out(p, n, r->ctx) != 0) {
        r->failed = 1;
        snprintf(r->err, sizeof(r->err), "the redacted text was not taken");
    }
}

/* Drops the first k held bytes (n: the bytes held, from off). */
static void consume(sw_redactor *r, size_t k)
{
    r->off += k;
    r->n -= k;
    r->from += k;
}

/* Writes (or, in drop mode, judges line by line) the held text before
 * offset upto. */
static void pass(sw_redactor *r, uint64_t upto)
{
    if (upto <= r->from)
        return;
    size_t k = (size_t)(upto - r->from);
    if (k > r->n)
        k = r->n;
    const char *h = r->hold + r->off;
    if (r->mode != SW_REDACT_DROP) {
        emit(r, h, k);
        consume(r, k);
        return;
    }
    size_t done = 0;
    for (size_t i = 0; i < k; i++) {
        if (h[i] != '\n')
            continue;
        if (!r->line_dirty)
            emit(r, h + done, i + 1 - done);
        done = i + 1;
        r->line_dirty = 0;
    }
    consume(r, done);
}

static void replace(sw_redactor *r, const sw_finding *f, const char *value)
{
    char buf[SCAN_MAXLEN + 40];
    const char *t = sw_pii_name(f->type);
    switch (r->mode) {
    case SW_REDACT_TYPE: {
        int n = snprintf(buf, sizeof(buf), "[%s]", t);
        emit(r, buf, (size_t)n);
        break;
    }
    case SW_REDACT_MASK:
        for (uint32_t i = 0; i < f->length; i++) {
            unsigned char c = (unsigned char)value[i];
            buf[i] = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                             (c >= 'a' && c <= 'z') || c >= 0x80
                         ? '*'
                         : (char)c;
        }
        emit(r, buf, f->length);
        break;
    case SW_REDACT_HASH: {
        char norm[SCAN_MAXLEN + 32];
        int h = snprintf(norm, sizeof(norm), "%s:", t);
        size_t m = sw_scan_normal(f->type, value, f->length, norm + h,
                                  sizeof(norm) - (size_t)h);
        uint8_t mac[32];
        sw_hmac_sha256(r->key, sizeof(r->key), norm, (size_t)h + m, mac);
        char hex[17];
        sw_hex(mac, 8, hex);
        sw_wipe(norm, sizeof(norm));
        int n = snprintf(buf, sizeof(buf), "[%s:%s]", t, hex);
        emit(r, buf, (size_t)n);
        break;
    }
    case SW_REDACT_DROP: break;
    }
}

static int on_finding(const sw_finding *f, const char *value, void *ctx)
{
    sw_redactor *r = ctx;
    r->counts[f->type]++;
    if (r->mode == SW_REDACT_DROP) {
        /* the lines before it are judged; its own line is dropped */
        pass(r, f->offset);
        r->line_dirty = 1;
        return r->failed;
    }
    pass(r, f->offset);
    replace(r, f, value);
    consume(r, f->length);
    return r->failed;
}

sw_status sw_redact_open(const sw_scan *sc, sw_redact_mode mode,
                         const uint8_t *key, sw_write_cb out, void *ctx,
                         sw_redactor **rp)
{
    *rp = NULL;
    if ((unsigned)mode > SW_REDACT_DROP || (mode == SW_REDACT_HASH && !key))
        return SW_ERR_INVALID;
    sw_redactor *r = calloc(1, sizeof(*r));
    if (!r)
        return SW_ERR_NOMEM;
    r->mode = mode;
    if (key)
        memcpy(r->key, key, sizeof(r->key));
    r->out = out;
    r->ctx = ctx;
    sw_status st = sw_scan_open(sc, on_finding, r, &r->stream);
    if (st != SW_OK) {
        free(r);
        return st;
    }
    *rp = r;
    return SW_OK;
}

sw_status sw_redact_feed(sw_redactor *r, const char *p, size_t n)
{
    if (!n)
        return r->failed ? SW_ERR_IO : SW_OK;
    if (r->off) { /* what was written goes, once a feed */
        memmove(r->hold, r->hold + r->off, r->n);
        r->off = 0;
    }
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 512;
        while (cap < r->n + n)
            cap *= 2;
        char *more = realloc(r->hold, cap);
        if (!more) {
            snprintf(r->err, sizeof(r->err), "out of memory");
            return SW_ERR_NOMEM;
        }
        r->hold = more;
        r->cap = cap;
    }
    memcpy(r->hold + r->n, p, n);
    r->n += n;
    sw_status st = sw_scan_feed(r->stream, p, n);
    if (st != SW_OK && !r->failed)
        snprintf(r->err, sizeof(r->err), "%s", sw_scan_errmsg(r->stream));
    if (st == SW_OK)
        pass(r, sw_scan_settled(r->stream));
    return r->failed ? SW_ERR_IO : st;
}

sw_status sw_redact_close(sw_redactor *r, size_t counts[SW_PII_COUNT])
{
    if (!r)
        return SW_OK;
    sw_status st = sw_scan_close(r->stream);
    if (st != SW_OK && !r->failed)
        snprintf(r->err, sizeof(r->err), "the scan failed at its end");
    if (r->mode == SW_REDACT_DROP) {
        pass(r, r->from + r->n);
        if (!r->line_dirty && r->n)
            emit(r, r->hold + r->off, r->n); /* the last line, no \n */
    } else if (r->n) {
        emit(r, r->hold + r->off, r->n);
    }
    for (unsigned i = 0; counts && i < SW_PII_COUNT; i++)
        counts[i] += r->counts[i];
    if (r->failed)
        st = SW_ERR_IO;
    if (r->hold)
        sw_wipe(r->hold, r->cap);
    free(r->hold);
    sw_wipe(r->key, sizeof(r->key));
    free(r);
    return st;
}

void sw_redact_restrict(sw_redactor *r, unsigned types)
{
    sw_scan_restrict(r->stream, types);
}

const char *sw_redact_errmsg(const sw_redactor *r)
{
    return r->err;
}

typedef struct text_out {
    char *p;
    size_t n, cap;
    int failed;
} text_out;

static int to_text(const char *p, size_t n, void *ctx)
{
    text_out *t = ctx;
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        while (cap < t->n + n + 1)
            cap *= 2;
        char *more = realloc(t->p, cap);
        if (!more)
            return t->failed = 1;
        t->p = more;
        t->cap = cap;
    }
    memcpy(t->p + t->n, p, n);
    t->n += n;
    t->p[t->n] = '\0';
    return 0;
}

sw_status sw_redact_text(const sw_scan *sc, sw_redact_mode mode, unsigned types,
                         const uint8_t *key, const char *text, size_t n,
                         char **out, size_t *out_n, size_t counts[SW_PII_COUNT])
{
    *out = NULL;
    *out_n = 0;
    text_out t = {NULL, 0, 0, 0};
    sw_redactor *r;
    sw_status st = sw_redact_open(sc, mode, key, to_text, &t, &r);
    if (st != SW_OK)
        return st;
    sw_redact_restrict(r, types);
    st = sw_redact_feed(r, text, n);
    sw_status end = sw_redact_close(r, counts);
    if (st == SW_OK)
        st = end;
    if (st == SW_OK && !t.p)
        st = to_text("", 0, &t) ? SW_ERR_NOMEM : SW_OK;
    if (st != SW_OK || t.failed) {
        free(t.p);
        return st != SW_OK ? st : SW_ERR_NOMEM;
    }
    *out = t.p;
    *out_n = t.n;
    return SW_OK;
}

void *sw_pii_counts_json(const size_t counts[SW_PII_COUNT])
{
    json_t *o = json_object();
    for (unsigned t = 0; o && t < SW_PII_COUNT; t++)
        if (counts[t])
            json_object_set_new(o, sw_pii_name((sw_pii_type)t),
                                json_integer((json_int_t)counts[t]));
    return o;
}
