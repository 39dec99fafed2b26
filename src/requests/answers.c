/* SPDX-License-Identifier: Apache-2.0 */
/* Answers that reach the person: a completed access or portability answer
 * is kept, sealed under a key of its own, for the requester to download
 * through a link sent to the verified address, until the policy's period
 * ends; each fetch is audited. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests/request_int.h"

sw_status sw_request_recipient(sw_store *s, const char *subject,
                               const uint8_t *via, char *buf, size_t n)
{
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v);
    if (st != SW_OK)
        return st;
    buf[0] = '\0';
    const sw_ident_view *first = NULL, *match = NULL;
    for (size_t i = 0; i < v->n_idents && !match; i++) {
        const sw_ident_view *id = &v->idents[i];
        const char *space = sw_ident_space(id->type);
        if (strcmp(space, "email") != 0 && strcmp(space, "phone") != 0)
            continue;
        if (!first)
            first = id;
        if (via) {
            uint8_t bi[SW_BLIND_BYTES];
            sw_blind(s->keys, space, id->value, strlen(id->value), bi);
            if (memcmp(bi, via, SW_BLIND_BYTES) == 0)
                match = id;
        }
    }
    const sw_ident_view *to = match ? match : first;
    if (to)
        snprintf(buf, n, "%s %s", sw_ident_space(to->type), to->value);
    sw_subject_view_free(v);
    return buf[0] ? SW_OK
                  : sw_fail(s, SW_ERR_INVALID,
                            "subject %s has no e-mail address or phone "
                            "number on file to send a message to",
                            subject);
}

static void token_hash(sw_store *s, const char *token,
                       uint8_t out[SW_BLIND_BYTES])
{
    sw_blind(s->keys, "answer.token", token, strlen(token), out);
}

static const char *mime_of(sw_answer_format f)
{
    return f == SW_ANSWER_HTML  ? "text/html; charset=utf-8"
           : f == SW_ANSWER_CSV ? "text/csv; charset=utf-8"
                                : "application/json";
}

sw_status sw_answer_keep(sw_store *s, const sw_request_row *req,
                         sw_answer_format f, const char *link_base,
                         sw_fulfilment *out)
{
    const char *request = req->id, *subject = req->subject;
    sw_answer_link *l = &out->link;
    memset(l, 0, sizeof(*l));
    const sw_duration period = s->policy->requests.answer_download;
    if (!out->answer || (!period.years && !period.months && !period.days))
        return SW_OK; /* the policy keeps no answer for download */
    char to[SW_IDENT_MAX + 16];
    sw_status st = sw_request_recipient(
        s, subject, req->has_via ? req->via_bi : NULL, to, sizeof(to));
    if (st != SW_OK)
        return st;
    const char *sp = strchr(to, ' ');
    sw_instant now = sw_clock_now(&s->clock);
    uint8_t raw[32], key[SW_KEY_BYTES], wrapped[SW_WRAPPED_BYTES];
    uint8_t hash[SW_BLIND_BYTES];
    sw_random(s->keys, raw, sizeof(raw));
    sw_hex(raw, sizeof(raw), l->token);
    sw_wipe(raw, sizeof(raw));
    token_hash(s, l->token, hash);
    char label[96];
    snprintf(label, sizeof(label), "answer|%s", request);
    sw_datakey_new(s->keys, label, key, wrapped);
    uint8_t *sealed = malloc(out->answer_len + SW_SEAL_OVERHEAD);
    if (!sealed) {
        sw_wipe(key, sizeof(key));
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    sw_seal(s->keys, key, label, out->answer, out->answer_len, sealed);
    sw_wipe(key, sizeof(key));
    l->expires_at = sw_instant_add(now, period);
    sw_answer_row r = {request,
                       hash,
                       mime_of(f),
                       sealed,
                       out->answer_len + SW_SEAL_OVERHEAD,
                       wrapped,
                       SW_WRAPPED_BYTES,
                       now,
                       l->expires_at,
                       0};
    st = sw_answers_put(s, &r);
    free(sealed);
    if (st == SW_OK)
        st = sw_audit_json(s, "answer.keep", subject, json_pack("[s]", request),
                           json_pack("{s:s, s:I}", "format", mime_of(f),
                                     "expires_at", (json_int_t)l->expires_at));
    if (st != SW_OK) {
        sw_wipe(l, sizeof(*l));
        return st;
    }
    snprintf(l->channel, sizeof(l->channel), "%s",
             strncmp(to, "email ", 6) == 0 ? "email" : "sms");
    snprintf(l->to, sizeof(l->to), "%s", sp ? sp + 1 : to);
    sw_wipe(to, sizeof(to));
    char until[SW_INSTANT_BUFSZ];
    snprintf(l->subject, sizeof(l->subject), "Your privacy request: answer");
    snprintf(l->body, sizeof(l->body),
             "The answer to your request %s is ready. Download it before %s "
             "at %s/privacy/answers/%s?token=%s (the link is yours alone; "
             "after that date the answer is deleted).",
             request, sw_instant_format(l->expires_at, until),
             link_base ? link_base : "", request, l->token);
    l->ready = true;
    return SW_OK;
}

typedef struct fetch_ctx {
    sw_store *s;
    sw_answer_file *out;
    int64_t fetches;
    sw_status st;
} fetch_ctx;

static int fetch_row(const sw_answer_row *r, void *p)
{
    fetch_ctx *c = p;
    char label[96];
    snprintf(label, sizeof(label), "answer|%s", r->request);
    size_t n =
        r->sealed_len > SW_SEAL_OVERHEAD ? r->sealed_len - SW_SEAL_OVERHEAD : 0;
    char *data = malloc(n + 1);
    if (!data) {
        c->st = sw_fail(c->s, SW_ERR_NOMEM, "out of memory");
        return 1;
    }
    if (sw_unseal_wrapped(c->s->keys, label, r->wrapped, r->wrapped_len, label,
                          r->sealed, r->sealed_len, (uint8_t *)data) != SW_OK) {
        free(data);
        c->st =
            sw_fail(c->s, SW_ERR_CRYPTO,
                    "the answer of request %s does not decrypt", r->request);
        return 1;
    }
    data[n] = '\0';
    c->out->data = data;
    c->out->len = n;
    snprintf(c->out->mime, sizeof(c->out->mime), "%s", r->mime);
    const char *ext = strncmp(r->mime, "text/html", 9) == 0  ? "html"
                      : strncmp(r->mime, "text/csv", 8) == 0 ? "csv"
                                                             : "json";
    snprintf(c->out->filename, sizeof(c->out->filename), "answer-%s.%s",
             r->request, ext);
    c->fetches = r->fetches + 1;
    return 1;
}

sw_status sw_answer_fetch(sw_store *s, const char *request, const char *token,
                          sw_answer_file *out)
{
    memset(out, 0, sizeof(*out));
    if (!request || !token || strlen(token) != 64 || strlen(request) > 64)
        return sw_fail(s, SW_ERR_DENIED, "no such answer, or the link expired");
    uint8_t hash[SW_BLIND_BYTES];
    token_hash(s, token, hash);
    fetch_ctx c = {s, out, 0, SW_OK};
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    st = sw_answers_get(s, request, hash, sw_clock_now(&s->clock), fetch_row,
                        &c);
    if (st == SW_ERR_NOTFOUND)
        st = sw_fail(s, SW_ERR_DENIED, "no such answer, or the link expired");
    else if (st == SW_OK)
        st = c.st;
    if (st == SW_OK)
        st = sw_answers_fetched(s, request);
    if (st == SW_OK)
        st =
            sw_audit_json(s, "answer.fetch", NULL, json_pack("[s]", request),
                          json_pack("{s:I}", "fetches", (json_int_t)c.fetches));
    st = sw_tx_end(s, st);
    if (st != SW_OK && out->data) {
        sw_wipe(out->data, out->len);
        free(out->data);
        memset(out, 0, sizeof(*out));
    }
    return st;
}

sw_status sw_answer_expire(sw_store *s, size_t *n)
{
    *n = 0;
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    st = sw_answers_expire(s, sw_clock_now(&s->clock), n);
    if (st == SW_OK && *n)
        st = sw_audit_json(s, "answer.expire", NULL, json_array(),
                           json_pack("{s:I}", "answers", (json_int_t)*n));
    st = sw_tx_end(s, st);
    if (st != SW_OK)
        *n = 0;
    return st;
}
