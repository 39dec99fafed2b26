/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /v1/scan: personal data in the body's free text (docs/scan.md),
 * scanned as the body arrives. Without ?redact the answer lists the
 * findings (offset, length, type, rule; never the values); with
 * ?redact=type|mask|hash|drop it is the text again, redacted, with what
 * was removed counted in X-Steward-Removed. ?types=email,phone limits the
 * types. The answer is kept in memory, so it is bounded (SCAN_OUT_MAX).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

#define SCAN_OUT_MAX (64u << 20)
#define SCAN_FINDINGS_MAX 1000000

typedef struct scan_call {
    sw_scan_stream *stream;
    sw_redactor *redactor;
    char *out; /* the redacted text */
    size_t n, cap;
    json_t *findings;
    size_t n_findings;
    size_t counts[SW_PII_COUNT];
    size_t bytes;
    bool too_big;
    bool failed;
} scan_call;

static const sw_scan *scanner(server *srv, char *why, size_t n)
{
    pthread_mutex_lock(&srv->scan_mu);
    if (!srv->scanner && sw_scan_new(0, &srv->scanner, why, n) != SW_OK)
        srv->scanner = NULL;
    const sw_scan *sc = srv->scanner;
    pthread_mutex_unlock(&srv->scan_mu);
    return sc;
}

static int take_text(const char *p, size_t n, void *ctx)
{
    scan_call *g = ctx;
    if (g->n + n > SCAN_OUT_MAX) {
        g->too_big = true;
        return 1;
    }
    if (!sv_reserve(&g->out, &g->cap, g->n + n + 1)) {
        g->failed = true;
        return 1;
    }
    memcpy(g->out + g->n, p, n);
    g->n += n;
    g->out[g->n] = '\0';
    return 0;
}

static int take_finding(const sw_finding *f, const char *value, void *ctx)
{
    (void)value;
    scan_call *g = ctx;
    g->counts[f->type]++;
    if (++g->n_findings > SCAN_FINDINGS_MAX) {
        g->too_big = true;
        return 1;
    }
    json_array_append_new(g->findings,
                          json_pack("{s:I, s:I, s:s, s:s}", "offset",
                                    (json_int_t)f->offset, "length",
                                    (json_int_t)f->length, "type",
                                    sw_pii_name(f->type), "rule", f->rule));
    return 0;
}

static int scan_data(call *c, const char *data, size_t n)
{
    scan_call *g = c->stream;
    if (g->too_big || g->failed)
        return 0; /* the body is read to its end, then refused */
    g->bytes += n;
    sw_status st = g->redactor ? sw_redact_feed(g->redactor, data, n)
                               : sw_scan_feed(g->stream, data, n);
    if (st != SW_OK && !g->too_big)
        g->failed = true;
    return 0;
}

static void scan_end(call *c, bool aborted)
{
    scan_call *g = c->stream;
    sw_status st = g->redactor ? sw_redact_close(g->redactor, g->counts)
                               : sw_scan_close(g->stream);
    if (st != SW_OK && !g->too_big)
        g->failed = true;
    if (aborted) {
        /* nothing to answer */
    } else if (g->too_big) {
        reply_error(c, 413, "too_large",
                    "the answer would exceed %u MiB or %d findings: send the "
                    "text in parts",
                    SCAN_OUT_MAX >> 20, SCAN_FINDINGS_MAX);
    } else if (g->failed) {
        reply_error(c, 500, "scan", "the text could not be scanned");
    } else if (g->findings) {
        json_t *o = json_pack("{s:I, s:O, s:o}", "bytes", (json_int_t)g->bytes,
                              "findings", g->findings, "counts",
                              sw_pii_counts_json(g->counts));
        reply_json(c, 200, o);
    } else {
        size_t k = 0;
        for (unsigned t = 0; t < SW_PII_COUNT; t++)
            if (g->counts[t] && k < sizeof(c->removed))
                k += (size_t)snprintf(
                    c->removed + k, sizeof(c->removed) - k, "%s%s=%zu",
                    k ? "," : "", sw_pii_name((sw_pii_type)t), g->counts[t]);
        if (!k)
            snprintf(c->removed, sizeof(c->removed), "none");
        char *text = g->out ? g->out : strdup("");
        g->out = NULL;
        reply_text(c, 200, "text/plain; charset=utf-8", text, text ? g->n : 0);
    }
    if (g->out)
        memset(g->out, 0, g->n);
    free(g->out);
    json_decref(g->findings);
    free(g);
    c->stream = NULL;
    c->stream_end = NULL;
    c->stream_data = NULL;
}

int r_scan(call *c, sw_store *unused)
{
    (void)unused;
    unsigned types = 0;
    char bad[64];
    const char *t = q_arg(c, "types");
    if (t && !sw_pii_parse_list(t, &types, bad, sizeof(bad)))
        return reply_error(c, 422, "invalid", "types: '%s' is not a type", bad);
    sw_redact_mode mode = SW_REDACT_TYPE;
    const char *r = q_arg(c, "redact");
    if (r && !sw_redact_mode_parse(r, &mode))
        return reply_error(c, 422, "invalid",
                           "redact: '%s' is not type, mask, hash or drop", r);
    char why[200] = "";
    const sw_scan *sc = scanner(c->srv, why, sizeof(why));
    if (!sc)
        return reply_error(c, 500, "scan", "the scanner: %s", why);
    scan_call *g = calloc(1, sizeof(*g));
    if (!g)
        return reply_error(c, 500, "out_of_memory", "no memory for the scan");
    uint8_t key[32];
    if (r && mode == SW_REDACT_HASH) {
        char err[512];
        sw_store *s = pool_take(c->srv, err, sizeof(err));
        if (!s) {
            free(g);
            return reply_error(c, 500, "store", "%s", err);
        }
        sw_store_pseudonym_key(s, key);
        pool_give(c->srv, s);
    }
    sw_status st;
    if (r) {
        st = sw_redact_open(sc, mode, key, take_text, g, &g->redactor);
        if (st == SW_OK)
            sw_redact_restrict(g->redactor, types);
    } else {
        g->findings = json_array();
        st = sw_scan_open(sc, take_finding, g, &g->stream);
        if (st == SW_OK)
            sw_scan_restrict(g->stream, types);
    }
    memset(key, 0, sizeof(key));
    if (st != SW_OK) {
        json_decref(g->findings);
        free(g);
        return reply_error(c, 500, "out_of_memory", "no memory for the scan");
    }
    c->stream = g;
    c->stream_end = scan_end;
    c->stream_data = scan_data;
    return 0;
}
