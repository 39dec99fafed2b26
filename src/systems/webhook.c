/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The webhook connector, for SaaS tools steward cannot reach with SQL:
 * steward POSTs a signed JSON job (access, erasure or retention) to the
 * system's endpoint and takes the answer at once (200) or later (202,
 * then a signed callback to stewardd). A job is signed with the system's
 * secret: HMAC-SHA256 over "TIMESTAMP.BODY", sent as
 *   X-Steward-Timestamp: seconds since 1970
 *   X-Steward-Signature: v1=HEX
 *   Idempotency-Key: the job's id (the same for every retry of a job)
 * and a callback is checked the same way, within five minutes of its
 * timestamp. libcurl is the client; http:// only to a loopback address.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/json.h"
#include "systems/systems_int.h"

#define MAX_ANSWER (16u * 1024 * 1024)
#define SIG_WINDOW 300 /* seconds a signed message is good for */

/* The endpoint and the secret: "URL SECRET" from the credentials. */
static sw_status endpoint(sw_sysconn *c, char *url, size_t un, char *secret,
                          size_t sn)
{
    char cred[2048];
    sw_status st = sw_sysconn_credentials(c, cred, sizeof(cred));
    if (st != SW_OK)
        return st;
    char *sp = strpbrk(cred, " \t");
    const char *sec = sp ? sp + strspn(sp, " \t") : "";
    if (sp)
        *sp = '\0';
    bool tls = strncmp(cred, "https://", 8) == 0;
    bool loop = strncmp(cred, "http://127.0.0.1", 16) == 0 ||
                strncmp(cred, "http://localhost", 16) == 0 ||
                strncmp(cred, "http://[::1]", 12) == 0;
    if (!tls && !loop)
        st = sw_sys_fail(c, SW_ERR_INVALID,
                         "its endpoint must be https:// (http:// only to a "
                         "loopback address)");
    else if (strlen(sec) < 16)
        st = sw_sys_fail(c, SW_ERR_INVALID,
                         "its credentials must be the endpoint and a secret "
                         "of at least 16 characters, separated by a space");
    else if (strlen(cred) >= un || strlen(sec) >= sn)
        st = sw_sys_fail(c, SW_ERR_INVALID, "its credentials are too long");
    if (st == SW_OK) {
        snprintf(url, un, "%s", cred);
        snprintf(secret, sn, "%s", sec);
    }
    sw_wipe(cred, sizeof(cred));
    return st;
}

static void signature(const char *secret, const char *ts, const char *body,
                      size_t n, char out[68])
{
    size_t tn = strlen(ts);
    char *msg = malloc(tn + 1 + n);
    uint8_t mac[32];
    if (!msg) {
        out[0] = '\0';
        return;
    }
    memcpy(msg, ts, tn);
    msg[tn] = '.';
    memcpy(msg + tn + 1, body, n);
    sw_hmac_sha256(secret, strlen(secret), msg, tn + 1 + n, mac);
    free(msg);
    memcpy(out, "v1=", 3);
    sw_hex(mac, sizeof(mac), out + 3);
}

void sw_webhook_job_id(sw_store *s, const char *of, const char *system,
                       const char *kind, char *out)
{
    char text[256];
    uint8_t tkey[SW_KEY_BYTES], h[SW_BLIND_BYTES];
    int n = snprintf(text, sizeof(text), "%s|%s|%s", of, system, kind);
    sw_blind_typekey(s->keys, "system.webhook.job", tkey);
    sw_blind_under(tkey, text, n > 0 ? (size_t)n : 0, h);
    sw_wipe(tkey, sizeof(tkey));
    memcpy(out, "job_", 4);
    sw_hex(h, 12, out + 4);
}

typedef struct answer {
    char *data;
    size_t n;
    bool too_big;
} answer;

static size_t take(char *p, size_t size, size_t nmemb, void *ctx)
{
    answer *a = ctx;
    size_t n = size * nmemb;
    if (a->n + n > MAX_ANSWER) {
        a->too_big = true;
        return 0;
    }
    char *more = realloc(a->data, a->n + n + 1);
    if (!more)
        return 0;
    a->data = more;
    memcpy(a->data + a->n, p, n);
    a->n += n;
    a->data[a->n] = '\0';
    return n;
}

/* POSTs body, signed, to the system's endpoint; *json: the answer (the
 * caller's), *accepted: it answers later (202). */
static sw_status post(sw_store *s, sw_sysconn *c, const char *job,
                      const char *body, json_t **json, bool *accepted)
{
    *json = NULL;
    *accepted = false;
    char url[1024], secret[512];
    sw_status st = endpoint(c, url, sizeof(url), secret, sizeof(secret));
    if (st != SW_OK)
        return st;
    char ts[24], sig[68], h_ts[64], h_sig[96], h_key[96];
    snprintf(ts, sizeof(ts), "%lld", (long long)sw_clock_now(&s->wall));
    signature(secret, ts, body, strlen(body), sig);
    sw_wipe(secret, sizeof(secret));
    snprintf(h_ts, sizeof(h_ts), "X-Steward-Timestamp: %s", ts);
    snprintf(h_sig, sizeof(h_sig), "X-Steward-Signature: %s", sig);
    snprintf(h_key, sizeof(h_key), "Idempotency-Key: %s", job);
    CURL *curl = curl_easy_init();
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, h_ts);
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, h_key);
    answer a = {NULL, 0, false};
    if (!curl || !hdr) {
        curl_slist_free_all(hdr);
        curl_easy_cleanup(curl);
        return sw_sys_fail(c, SW_ERR_NOMEM, "out of memory");
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK)
        st = sw_sys_fail(c, SW_ERR_IO, "%s",
                         a.too_big ? "its answer is over 16 MiB"
                                   : curl_easy_strerror(rc));
    else if (code == 202)
        *accepted = true;
    else if (code != 200)
        st = sw_sys_fail(c, SW_ERR_IO, "its endpoint answered HTTP %ld", code);
    else if (!(*json = a.data ? json_loads(a.data, 0, NULL) : NULL) ||
             !json_is_object(*json))
        st = sw_sys_fail(c, SW_ERR_IO, "its answer is not a JSON object");
    else if (strcmp(json_string_value(json_object_get(*json, "status"))
                        ? json_string_value(json_object_get(*json, "status"))
                        : "",
                    "done") != 0)
        st = sw_sys_fail(c, SW_ERR_IO, "its answer's status is not \"done\"");
    if (st != SW_OK) {
        json_decref(*json);
        *json = NULL;
    }
    if (a.data)
        sw_wipe(a.data, a.n);
    free(a.data);
    return st;
}

static json_t *identities_json(const sw_person *p)
{
    json_t *a = json_array();
    for (size_t i = 0; p && i < p->n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "type", p->ids[i].type,
                                           "value", p->ids[i].value));
    return a;
}

static const char *erase_name(int k)
{
    switch (k) {
    case SW_ERASE_NULL: return "null";
    case SW_ERASE_MASK: return "mask";
    case SW_ERASE_HASH: return "hash";
    default: return "delete";
    }
}

/* The datasets as the job names them: resource, activity, columns with
 * category and erasure, identities. */
static json_t *datasets_json(const sw_system *sys)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sys->n_datasets; i++) {
        const sw_dataset *d = &sys->datasets[i];
        json_t *cols = json_array(), *ids = json_array();
        for (size_t k = 0; k < d->n_columns; k++) {
            json_t *col =
                json_pack("{s:s, s:s, s:s}", "name", d->columns[k].name,
                          "category", d->columns[k].category, "erase",
                          erase_name(d->columns[k].erase));
            if (d->columns[k].mask)
                json_object_set_new(col, "mask",
                                    json_string(d->columns[k].mask));
            json_array_append_new(cols, col);
        }
        for (size_t k = 0; k < d->n_identities; k++)
            json_array_append_new(ids, json_pack("{s:s, s:s}", "type",
                                                 d->identities[k].type, "field",
                                                 d->identities[k].column));
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o}", "resource",
                                           d->table, "activity", d->activity,
                                           "fields", cols, "identities", ids));
    }
    return a;
}

sw_status sw_webhook_run(sw_store *s, const sw_system *sys,
                         const sw_webhook_job *j, sw_webhook_result *out)
{
    memset(out, 0, sizeof(*out));
    sw_sysconn c;
    memset(&c, 0, sizeof(c));
    c.sys = sys;
    static const char *const kinds[] = {"access", "erasure", "retention"};
    json_t *body = json_pack("{s:s, s:s, s:s, s:o, s:o}", "job", j->id, "kind",
                             kinds[j->kind], "system", sys->id, "request",
                             j->request ? json_string(j->request) : json_null(),
                             "datasets", datasets_json(sys));
    if (s->public_url[0]) {
        char cb[512];
        snprintf(cb, sizeof(cb), "%s/v1/systems/%s/callback", s->public_url,
                 sys->id);
        json_object_set_new(body, "callback", json_string(cb));
    } else {
        json_object_set_new(body, "callback", json_null());
    }
    if (j->kind != SW_JOB_RETENTION) {
        json_object_set_new(body, "identities", identities_json(j->person));
    } else {
        char before[SW_INSTANT_BUFSZ];
        json_object_set_new(body, "retention",
                            json_pack("{s:s, s:s, s:s}", "resource",
                                      j->dataset->table, "rule",
                                      j->dataset->rule, "clock_before",
                                      sw_instant_format(j->before, before)));
        json_object_set_new(body, "held", identities_json(j->held));
    }
    char *text = sw_json_text(body);
    if (!text)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    json_t *ans = NULL;
    sw_status st = post(s, &c, j->id, text, &ans, &out->accepted);
    sw_wipe(text, strlen(text));
    free(text);
    if (st != SW_OK)
        return sw_fail(s, st, "%s", c.err);
    if (out->accepted) {
        if (j->kind == SW_JOB_ACCESS)
            return sw_fail(s, SW_ERR_IO,
                           "system %s: an access job must be answered at "
                           "once (it answered 202)",
                           sys->id);
        return SW_OK;
    }
    json_t *n = json_object_get(ans, "erased");
    out->rows = json_is_integer(n) && json_integer_value(n) > 0
                    ? (size_t)json_integer_value(n)
                    : 0;
    n = json_object_get(ans, "held");
    out->held = json_is_integer(n) && json_integer_value(n) > 0
                    ? (size_t)json_integer_value(n)
                    : 0;
    if (j->kind == SW_JOB_ACCESS) {
        json_t *rows = json_incref(json_object_get(ans, "rows"));
        out->data = rows;
        if (!json_is_array(rows)) {
            json_decref(rows);
            out->data = NULL;
            st = sw_fail(s, SW_ERR_IO,
                         "system %s: an access answer needs a \"rows\" list",
                         sys->id);
        }
    }
    json_decref(ans);
    return st;
}

sw_status sw_webhook_verify(sw_store *s, const char *system,
                            const char *timestamp, const char *sig,
                            const void *body, size_t n)
{
    const sw_system *sys = NULL;
    for (size_t i = 0; s->policy && i < s->policy->n_systems; i++)
        if (strcmp(s->policy->systems[i].id, system) == 0)
            sys = &s->policy->systems[i];
    if (!sys || sys->connector != SW_CONN_WEBHOOK)
        return sw_fail(s, SW_ERR_NOTFOUND,
                       "the policy declares no webhook system '%s'", system);
    char *end = NULL;
    long long ts = timestamp ? strtoll(timestamp, &end, 10) : 0;
    long long now = (long long)sw_clock_now(&s->wall);
    if (!timestamp || !*timestamp || *end)
        return sw_fail(s, SW_ERR_DENIED, "no X-Steward-Timestamp");
    if (ts < now - SIG_WINDOW || ts > now + SIG_WINDOW)
        return sw_fail(s, SW_ERR_DENIED,
                       "the callback's timestamp is more than %d seconds "
                       "away (an old message replayed?)",
                       SIG_WINDOW);
    sw_sysconn c;
    memset(&c, 0, sizeof(c));
    c.sys = sys;
    char url[1024], secret[512], want[68];
    sw_status st = endpoint(&c, url, sizeof(url), secret, sizeof(secret));
    if (st != SW_OK)
        return sw_fail(s, st, "%s", c.err);
    signature(secret, timestamp, body, n, want);
    sw_wipe(secret, sizeof(secret));
    if (!sig || strlen(sig) != strlen(want) ||
        sodium_memcmp(sig, want, strlen(want)) != 0)
        return sw_fail(s, SW_ERR_DENIED,
                       "the callback's signature does not verify");
    return SW_OK;
}
