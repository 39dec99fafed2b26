/* SPDX-License-Identifier: Apache-2.0 */
/* A stewardd in-process for the fuzzers (see fuzz_server.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_server.h"

static server *srv;
static char admin[SW_APIKEY_BUFSZ];

server *fuzz_server(void)
{
    if (srv)
        return srv;
    static char dir[] = "/tmp/steward-fuzz-XXXXXX";
    static char path[64];
    srv = calloc(1, sizeof(*srv));
    if (!srv || !mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/steward.db", dir);
    if (sw_policy_load_bundled(NULL, &srv->policy) != SW_OK)
        abort();
    server_options *o = &srv->o;
    o->store = path;
    o->outbox = "/dev/null";
    o->public_url = "http://127.0.0.1:8080";
    o->max_body = 1u << 20;
    o->rate = 0;
    o->threads = 1;
    sw_public_limits_init(&o->limits);
    sw_clock_init_fixed(&srv->clock, 1777881600); /* 2026-05-04 */
    char err[512];
    if (server_prepare(srv, err, sizeof(err)) != 0)
        abort();
    sw_error e;
    if (sw_store_create(path, &srv->so, &e) != SW_OK)
        abort();
    sw_store *s;
    char id[SW_ID_BUFSZ];
    if (sw_store_open(path, &srv->so, &s, &e) != SW_OK ||
        sw_key_create(s, SW_ROLE_ADMIN, "fuzz", id, admin) != SW_OK)
        abort();
    /* someone to find: the public door's held address */
    sw_ident who = {"email", "held@example.com"};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &who};
    char sid[SW_ID_BUFSZ];
    if (sw_subject_add(s, &spec, sid) != SW_OK)
        abort();
    sw_store_close(s);
    size_t months;
    double ms;
    if (pool_open(srv, 1, &months, &ms, err, sizeof(err)) != 0)
        abort();
    return srv;
}

const char *fuzz_admin_key(void)
{
    fuzz_server();
    return admin;
}

/* Splits text in place at sep into name/value pairs at eq ("a=1&b=2",
 * "Name: value\n...", "a=1; b=2"), blanks after sep or eq skipped; a
 * part without eq is a name with an empty value when keep_bare. Values
 * are taken as they are (the daemon gets decoded ones, any byte). */
static size_t split(char *text, char sep, char eq, bool keep_bare, kv *out,
                    size_t max)
{
    size_t n = 0;
    for (char *p = text; p && *p && n < max;) {
        while (*p == ' ')
            p++;
        char *end = strchr(p, sep);
        if (end)
            *end = '\0';
        char *mid = strchr(p, eq);
        if (mid) {
            *mid = '\0';
            char *v = mid + 1;
            while (*v == ' ')
                v++;
            out[n++] = (kv){p, v, strlen(v)};
        } else if (keep_bare && *p) {
            out[n++] = (kv){p, "", 0};
        }
        p = end ? end + 1 : NULL;
    }
    return n;
}

int fuzz_call(server *s, const char *method, const char *path,
              const char *headers, const char *body, size_t len)
{
    call *c = call_new(s);
    if (!c)
        return 0;
    c->method = method;
    snprintf(c->path, sizeof(c->path), "%s", path);
    char *q = strchr(c->path, '?');
    char query[512] = "", heads[2048] = "", cookies[1024] = "";
    if (q) {
        snprintf(query, sizeof(query), "%s", q + 1);
        *q = '\0';
    }
    snprintf(heads, sizeof(heads), "%s", headers ? headers : "");
    snprintf(c->client, sizeof(c->client), "192.0.2.1");
    c->args = calloc(16, sizeof(kv));
    c->headers = calloc(16, sizeof(kv));
    c->cookies = calloc(16, sizeof(kv));
    if (!c->args || !c->headers || !c->cookies) {
        call_free(c);
        return 0;
    }
    c->n_args = split(query, '&', '=', true, c->args, 16);
    c->n_headers = split(heads, '\n', ':', false, c->headers, 16);
    const char *ck = q_header(c, "Cookie");
    if (ck) {
        snprintf(cookies, sizeof(cookies), "%s", ck);
        c->n_cookies = split(cookies, ';', '=', false, c->cookies, 16);
    }
    bool other;
    if (call_route(c, &other) && call_admit(c)) {
        if (len > s->o.max_body) {
            c->too_big = true;
        } else if (len) {
            c->body = malloc(len + 1);
            if (!c->body) {
                call_free(c);
                return 0;
            }
            memcpy(c->body, body, len);
            c->body[len] = '\0';
            c->len = len;
        }
        call_run(c);
    }
    /* the reply as the daemon would send it */
    char *text = c->out ? json_dumps(c->out, JSON_COMPACT) : NULL;
    int status = c->status;
    if (getenv("FUZZ_DEBUG"))
        fprintf(stderr, "%s %s -> %d\n", method, path, status);
    if (c->out && !text)
        abort(); /* a reply that cannot be written */
    free(text);
    call_free(c);
    return status;
}
