/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stewardd, for real: the daemon started on 127.0.0.1 with a fresh store,
 * called over sockets. The OpenAPI document is walked operation by
 * operation (its x-walk steps) and every answer is checked against the
 * status and the schema the document gives; the auth matrix tries every
 * route without a key, with a wrong one and with a key of each role;
 * limits, metrics, logs, the sweep schedule, a streamed ingest across a
 * SIGTERM, and TLS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libfyaml.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "testutil.h"

#include "testhttp.h"

/* ---- the OpenAPI document ---- */

static json_t *load_spec(void)
{
    char path[1024];
    tu_src("docs/openapi.yaml", path, sizeof(path));
    struct fy_document *fyd = fy_document_build_from_file(NULL, path);
    assert_non_null(fyd);
    char *text = fy_emit_document_to_string(fyd, FYECF_MODE_JSON_ONELINE);
    fy_document_destroy(fyd);
    assert_non_null(text);
    json_error_t je;
    json_t *spec = json_loads(text, 0, &je);
    free(text);
    if (!spec)
        fail_msg("docs/openapi.yaml as JSON: %s", je.text);
    return spec;
}

static json_t *deref(json_t *spec, json_t *v)
{
    json_t *ref;
    while (json_is_object(v) && (ref = json_object_get(v, "$ref"))) {
        const char *p = json_string_value(ref);
        assert_true(strncmp(p, "#/", 2) == 0);
        v = spec;
        char part[256];
        for (p += 2; *p;) {
            size_t l = strcspn(p, "/");
            snprintf(part, sizeof(part), "%.*s", (int)l, p);
            v = json_object_get(v, part);
            assert_non_null(v);
            p += l + (p[l] == '/');
        }
    }
    return v;
}

static bool type_is(json_t *v, const char *t)
{
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    if (strcmp(t, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    return false;
}

/* Checks v against a schema (type, required, properties, items, enum,
 * allOf); where: for the message. */
static void check_schema(json_t *spec, json_t *schema, json_t *v,
                         const char *where)
{
    schema = deref(spec, schema);
    json_t *all = json_object_get(schema, "allOf");
    size_t i;
    json_t *x;
    json_array_foreach(all, i, x) check_schema(spec, x, v, where);
    json_t *type = json_object_get(schema, "type");
    if (json_is_string(type) && !type_is(v, json_string_value(type)))
        fail_msg("%s: expected %s", where, json_string_value(type));
    if (json_is_array(type)) {
        bool ok = false;
        json_array_foreach(type, i, x) ok |= type_is(v, json_string_value(x));
        if (!ok)
            fail_msg("%s: not of any type listed", where);
    }
    json_t *en = json_object_get(schema, "enum");
    if (en) {
        bool ok = false;
        json_array_foreach(en, i, x) ok |= json_equal(x, v);
        if (!ok)
            fail_msg("%s: not one of the enum", where);
    }
    json_t *req = json_object_get(schema, "required");
    json_array_foreach(req, i, x) if (!json_object_get(v, json_string_value(x)))
        fail_msg("%s: '%s' is required", where, json_string_value(x));
    json_t *props = json_object_get(schema, "properties");
    const char *k;
    json_object_foreach(props, k, x)
    {
        json_t *m = json_object_get(v, k);
        if (m) {
            char w[512];
            snprintf(w, sizeof(w), "%s.%s", where, k);
            check_schema(spec, x, m, w);
        }
    }
    json_t *items = json_object_get(schema, "items");
    if (items && json_is_array(v)) {
        json_t *m;
        json_array_foreach(v, i, m)
        {
            char w[512];
            snprintf(w, sizeof(w), "%s[%zu]", where, i);
            check_schema(spec, items, m, w);
        }
    }
}

/* "{{name}}" in strings replaced by the saved values. */
static json_t *subst(json_t *v, json_t *vars)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char out[4096];
        size_t o = 0;
        while (*s && o < sizeof(out) - 1) {
            const char *close;
            if (s[0] == '{' && s[1] == '{' && (close = strstr(s, "}}"))) {
                char name[64];
                snprintf(name, sizeof(name), "%.*s", (int)(close - s - 2),
                         s + 2);
                const char *val =
                    json_string_value(json_object_get(vars, name));
                if (!val)
                    fail_msg("x-walk uses {{%s}} before it is saved", name);
                o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", val);
                s = close + 2;
            } else {
                out[o++] = *s++;
            }
        }
        out[o] = '\0';
        return json_string(out);
    }
    if (json_is_object(v)) {
        json_t *n = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) json_object_set_new(n, k, subst(x, vars));
        return n;
    }
    if (json_is_array(v)) {
        json_t *n = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(n, subst(x, vars));
        return n;
    }
    return json_incref(v);
}

static void url_escape(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (; *in && o + 4 < n; in++) {
        unsigned char ch = (unsigned char)*in;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || strchr("-_.~", ch))
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, n - o, "%%%02X", ch);
    }
    out[o] = '\0';
}

/* The URL of an operation's path with params and query. */
static void build_url(const char *path, json_t *params, json_t *query,
                      char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = path; *p && o < n - 1;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
            const char *v = json_string_value(json_object_get(params, name));
            o += (size_t)snprintf(out + o, n - o, "%s", v ? v : "none");
            p = e + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    const char *k;
    json_t *x;
    char sep = '?';
    json_object_foreach(query, k, x)
    {
        char esc[2048];
        url_escape(json_string_value(x), esc, sizeof(esc));
        o += (size_t)snprintf(out + o, n - o, "%c%s=%s", sep, k, esc);
        sep = '&';
    }
}

typedef struct step {
    const char *path, *method;
    json_t *op, *walk;
    long order;
} step;

static int by_order(const void *a, const void *b)
{
    long x = ((const step *)a)->order, y = ((const step *)b)->order;
    return (x > y) - (x < y);
}

static const char *const methods[] = {"get", "post", "delete", "put", "patch"};

/* Every operation of the spec: its path, method and object. */
static size_t operations(json_t *spec, step *out, size_t max)
{
    size_t n = 0;
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(spec, "paths"), path, item)
    {
        for (size_t m = 0; m < 5; m++) {
            json_t *op = json_object_get(item, methods[m]);
            if (op && n < max)
                out[n++] = (step){path, methods[m], op, NULL, 0};
        }
    }
    return n;
}

static void upper(const char *in, char *out)
{
    size_t i = 0;
    for (; in[i]; i++)
        out[i] = (char)(in[i] >= 'a' && in[i] <= 'z' ? in[i] - 32 : in[i]);
    out[i] = '\0';
}

/* The documented schema of a status (or of default), or fails. */
static json_t *response_schema(json_t *spec, json_t *op, int status,
                               const char *what)
{
    char code[8];
    snprintf(code, sizeof(code), "%d", status);
    json_t *resps = json_object_get(op, "responses");
    json_t *r = json_object_get(resps, code);
    if (!r && status >= 400)
        r = json_object_get(resps, "default");
    if (!r)
        fail_msg("%s: status %d is not documented", what, status);
    r = deref(spec, r);
    json_t *content = json_object_get(r, "content");
    const char *k;
    json_t *x;
    json_object_foreach(content, k, x) return json_object_get(x, "schema");
    return NULL;
}

typedef struct keys {
    char admin[80], dpo[80], service[80], auditor[80];
} keys;

static void test_routes_match_spec(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s --routes", DAEMON);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[512];
    size_t routes = 0;
    while (fgets(line, sizeof(line), p)) {
        char method[16], path[256], roles[128];
        assert_int_equal(sscanf(line, "%15s %255s %127s", method, path, roles),
                         3);
        for (char *m = method; *m; m++)
            *m = (char)(*m - 'A' + 'a');
        json_t *op = json_object_get(
            json_object_get(json_object_get(spec, "paths"), path), method);
        if (!op)
            fail_msg("route %s %s is not in docs/openapi.yaml", method, path);
        /* the roles the document gives, as the daemon prints them */
        char doc[128] = "";
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(op, "x-roles"), i, x)
        {
            strcat(doc, i ? "," : "");
            strcat(doc, json_string_value(x));
        }
        if (strcmp(doc, roles) != 0)
            fail_msg("%s %s: the daemon lets %s, the document says %s", method,
                     path, roles, doc);
        routes++;
    }
    assert_int_equal(pclose(p), 0);
    step ops[128];
    assert_int_equal(operations(spec, ops, 128), routes);
    json_decref(spec);
}

static void test_openapi_walk(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    keys k;
    make_key(&d, "admin", k.admin, sizeof(k.admin));
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    json_t *spec = load_spec();
    step ops[128], steps[512];
    size_t n_ops = operations(spec, ops, 128), n = 0;
    for (size_t i = 0; i < n_ops; i++) {
        json_t *walk = json_object_get(ops[i].op, "x-walk");
        if (!json_array_size(walk))
            fail_msg("%s %s has no x-walk step", ops[i].method, ops[i].path);
        size_t j;
        json_t *w;
        json_array_foreach(walk, j, w)
        {
            steps[n] = ops[i];
            steps[n].walk = w;
            steps[n].order =
                (long)json_integer_value(json_object_get(w, "order"));
            n++;
        }
    }
    qsort(steps, n, sizeof(steps[0]), by_order);
    /* every JSON answer, for the JSON Schema validator at the end (kept
     * in the build directory, to read when it fails; one per backend) */
    char answers_path[600];
    snprintf(answers_path, sizeof(answers_path), "%s/openapi-answers%s.ndjson",
             STEWARD_BUILD_DIR, getenv("STEWARD_TEST_PG") ? "-pg" : "");
    FILE *answers = fopen(answers_path, "w");
    assert_non_null(answers);
    json_t *vars = json_object();
    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
    json_object_set_new(vars, "today", json_string(today));
    for (size_t i = 0; i < n; i++) {
        step *s = &steps[i];
        json_t *w = subst(s->walk, vars);
        char url[4096], what[512], method[16];
        build_url(s->path, json_object_get(w, "params"),
                  json_object_get(w, "query"), url, sizeof(url));
        upper(s->method, method);
        snprintf(what, sizeof(what), "step %ld %s %s", s->order, method, url);
        const char *key =
            json_is_array(json_object_get(s->op, "security")) ? NULL : k.admin;
        resp r;
        json_t *raw = json_object_get(w, "raw");
        const char *cookie = json_string_value(json_object_get(w, "cookie"));
        char extra[1024] = "";
        if (cookie)
            snprintf(extra, sizeof(extra), "Cookie: %s\r\n", cookie);
        if (raw) {
            const char *ct = json_string_value(json_object_get(w, "ctype"));
            http(d.port, method, url, key, ct ? ct : "application/x-ndjson",
                 json_string_value(raw), strlen(json_string_value(raw)), extra,
                 &r);
        } else {
            json_t *body = json_object_get(w, "body");
            char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
            http(d.port, method, url, key, text ? "application/json" : NULL,
                 text, text ? strlen(text) : 0, extra, &r);
            free(text);
        }
        int expect = (int)json_integer_value(json_object_get(w, "expect"));
        if (r.status != expect)
            fail_msg("%s: %d, expected %d: %s", what, r.status, expect, r.body);
        json_t *schema = response_schema(spec, s->op, r.status, what);
        if (strstr(r.head, "Content-Type: application/json") && r.json) {
            json_t *a = json_pack("{s:s, s:s, s:i, s:s, s:O}", "method",
                                  s->method, "path", s->path, "status",
                                  r.status, "what", what, "body", r.json);
            assert_int_equal(json_dumpf(a, answers, JSON_COMPACT), 0);
            fputc('\n', answers);
            json_decref(a);
        }
        if (schema && strstr(r.head, "Content-Type: application/json")) {
            assert_non_null(r.json);
            check_schema(spec, schema, r.json, what);
        } else if (schema) {
            assert_true(r.len > 0);
        }
        const char *name;
        json_t *field;
        json_object_foreach(json_object_get(w, "save"), name, field)
        {
            json_t *v = json_object_get(r.json, json_string_value(field));
            if (!json_is_string(v))
                fail_msg("%s: no '%s' to save", what, json_string_value(field));
            json_object_set(vars, name, v);
        }
        /* a cookie the answer set: "name=value" */
        json_object_foreach(json_object_get(w, "save_cookie"), name, field)
        {
            char want[128];
            snprintf(want, sizeof(want),
                     "Set-Cookie: %s=", json_string_value(field));
            const char *at = strstr(r.head, want);
            if (!at)
                fail_msg("%s: no cookie '%s' to save", what,
                         json_string_value(field));
            at += strlen("Set-Cookie: ");
            char value[512];
            snprintf(value, sizeof(value), "%.*s", (int)strcspn(at, ";\r\n"),
                     at);
            json_object_set_new(vars, name, json_string(value));
        }
        /* the code of the last message to the outbox */
        json_object_foreach(json_object_get(w, "save_outbox"), name, field)
        {
            char code[8];
            outbox_last_code(&d, code);
            json_object_set_new(vars, name, json_string(code));
        }
        resp_free(&r);
        json_decref(w);
    }
    /* every answer against the document with a JSON Schema 2020-12
     * validator (ajv, tests/browser/contract.mjs), every response object
     * closed: a field the daemon returns and the document lacks fails */
    assert_int_equal(fclose(answers), 0);
    char spec_path[600], contract[600];
    tu_src("docs/openapi.yaml", spec_path, sizeof(spec_path));
    tu_src("tests/browser/contract.mjs", contract, sizeof(contract));
    tu_run v;
    tu_run_cmd(&v, NULL, STEWARD_NODE, contract, spec_path, answers_path, NULL);
    if (v.status != 0) /* the last lines: the count, and what is wrong */
        fail_msg("the API's contract (node %s %s %s):\n%s", contract, spec_path,
                 answers_path,
                 strlen(v.err) > 1500 ? v.err + strlen(v.err) - 1500 : v.err);
    assert_non_null(strstr(v.out, "answers valid"));
    tu_run_free(&v);
    /* what the walk did is in one unbroken audit chain */
    tu_run cr;
    tu_steward(&cr, NULL, "audit", "verify", "--store", d.store, NULL);
    assert_int_equal(cr.status, 0);
    tu_run_free(&cr);
    json_decref(vars);
    json_decref(spec);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

static void test_auth_matrix(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    keys k;
    make_key(&d, "admin", k.admin, sizeof(k.admin));
    make_key(&d, "dpo", k.dpo, sizeof(k.dpo));
    make_key(&d, "service", k.service, sizeof(k.service));
    make_key(&d, "auditor", k.auditor, sizeof(k.auditor));
    char revoked[80], rid[SW_ID_BUFSZ];
    make_key_id(&d, "admin", revoked, sizeof(revoked), rid);
    tu_run r0;
    tu_steward(&r0, NULL, "key", "revoke", rid, "--store", d.store, NULL);
    assert_int_equal(r0.status, 0);
    tu_run_free(&r0);
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    json_t *spec = load_spec();
    step ops[128];
    size_t n = operations(spec, ops, 128);
    const char *role_keys[4] = {k.admin, k.dpo, k.service, k.auditor};
    static const char *const role_names[4] = {"admin", "dpo", "service",
                                              "auditor"};
    const char *wrong =
        "stw_0000000000000000000000000000000000000000000000000000000000000000";
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        char url[1024], method[16], what[512];
        build_url(ops[i].path, NULL, NULL, url, sizeof(url));
        upper(ops[i].method, method);
        bool body = strcmp(method, "POST") == 0;
        json_t *roles = json_object_get(ops[i].op, "x-roles");
        bool public = json_is_array(json_object_get(ops[i].op, "security"));
        const char *tries[3] = {NULL, wrong, revoked};
        for (int t = 0; t < 3; t++) {
            resp r;
            http(d.port, method, url, tries[t],
                 body ? "application/json" : NULL, body ? "{}" : NULL,
                 body ? 2 : 0, NULL, &r);
            snprintf(what, sizeof(what), "%s %s (%s)", method, url,
                     t == 0   ? "no key"
                     : t == 1 ? "wrong key"
                              : "revoked key");
            if (public) {
                if (r.status == 401 || r.status == 403)
                    if (strcmp(ops[i].path,
                               "/privacy/api/requests/{id}/verify") &&
                        strcmp(ops[i].path, "/privacy/api/preferences") &&
                        strcmp(ops[i].path, "/privacy/api/unsubscribe") &&
                        strcmp(ops[i].path, "/privacy/api/subscribe") &&
                        strcmp(ops[i].path, "/privacy/unsubscribe"))
                        fail_msg("%s: public, yet %d", what, r.status);
            } else {
                if (r.status != 401)
                    fail_msg("%s: %d, expected 401", what, r.status);
                assert_non_null(strstr(r.head, "WWW-Authenticate: Bearer"));
                check_schema(spec, response_schema(spec, ops[i].op, 401, what),
                             r.json, what);
            }
            resp_free(&r);
        }
        for (int role = 0; role < 4 && !public; role++) {
            bool allowed = role == 0;
            size_t j;
            json_t *x;
            json_array_foreach(roles, j, x) allowed |=
                strcmp(json_string_value(x), role_names[role]) == 0;
            resp r;
            http(d.port, method, url, role_keys[role],
                 body ? "application/json" : NULL, body ? "{}" : NULL,
                 body ? 2 : 0, NULL, &r);
            snprintf(what, sizeof(what), "%s %s as %s", method, url,
                     role_names[role]);
            if (allowed && (r.status == 401 || r.status == 403) &&
                !(strcmp(ops[i].path, "/v1/sweep") == 0 && role != 0))
                fail_msg("%s: %d, the role may: %s", what, r.status, r.body);
            if (!allowed && r.status != 403)
                fail_msg("%s: %d, expected 403", what, r.status);
            if (!allowed)
                assert_non_null(strstr(r.body, role_names[role]));
            checked++;
            resp_free(&r);
        }
    }
    assert_true(checked >= 4 * 50);
    json_decref(spec);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

static void test_limits(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80];
    make_key(&d, "admin", key, sizeof(key));
    static const char *const args[] = {"--max-body", "1024", "--rate", "5",
                                       "--timeout",  "1",    NULL};
    daemon_run(&d, args);
    resp r;
    char big[2048];
    memset(big, ' ', sizeof(big));
    big[0] = '{';
    big[sizeof(big) - 1] = '}';
    http(d.port, "POST", "/v1/holds", key, "application/json", big, sizeof(big),
         NULL, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "code")),
                        "too_large");
    resp_free(&r);
    http(d.port, "POST", "/v1/holds", key, "text/plain", "scope", 5, NULL, &r);
    assert_int_equal(r.status, 415);
    resp_free(&r);
    http(d.port, "POST", "/v1/holds", key, "application/json", "{\"a\":", 5,
         NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "syntax"));
    resp_free(&r);
    http(d.port, "GET", "/v1/nothing", key, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http(d.port, "DELETE", "/v1/holds", key, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 405);
    /* RFC 9110: a 405 says which methods the path serves */
    assert_non_null(strstr(r.head, "Allow: GET, POST\r\n"));
    resp_free(&r);
    /* 5 per second, a burst of 10: the 20 calls at once meet 429 */
    int limited = 0;
    for (int i = 0; i < 20; i++) {
        http(d.port, "GET", "/v1/requests", key, NULL, NULL, 0, NULL, &r);
        if (r.status == 429) {
            limited++;
            assert_non_null(strstr(r.head, "Retry-After: "));
        } else {
            assert_int_equal(r.status, 200);
        }
        resp_free(&r);
    }
    assert_true(limited >= 5);
    /* a slow client is cut off: its headers never end, and after the
     * time-out (1 s here) the daemon closes the connection */
    int fd = connect_to(d.port);
    send_all(fd, "GET /healthz HTTP/1.1\r\n", 23);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[64];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ssize_t got = read(fd, buf, sizeof(buf));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(got <= 0 && !(got < 0 && errno == EAGAIN)); /* closed */
    double waited = (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(waited > 0.5 && waited < 4);
    close(fd);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

static void test_metrics_logs_schedule(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char admin[80], auditor[80];
    make_key(&d, "admin", admin, sizeof(admin));
    make_key(&d, "auditor", auditor, sizeof(auditor));
    static const char *const args[] = {"--sweep-every", "1s", NULL};
    daemon_run(&d, args);
    resp r;
    /* a subscription, confirmed then withdrawn: its record is due at
     * once, and the scheduled sweep deletes it */
    http_json(d.port, "POST", "/v1/consents", admin,
              json_pack("{s:s, s:s, s:s, s:s}", "email",
                        "secret.person@example.com", "purpose",
                        "marketing.communications.email", "method", "web_form",
                        "kind", "marketing_subscriber"),
              &r);
    assert_int_equal(r.status, 201);
    json_t *tok = json_incref(json_object_get(r.json, "confirmation_token"));
    resp_free(&r);
    http_json(d.port, "POST", "/v1/consents/confirm", admin,
              json_pack("{s:o}", "token", tok), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    http_json(d.port, "POST", "/v1/consents/withdraw", admin,
              json_pack("{s:s, s:s}", "email", "secret.person@example.com",
                        "purpose", "marketing.communications.email"),
              &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    for (int i = 0; i < 3; i++) {
        http(d.port, "GET",
             "/v1/decide?purpose=marketing.communications.email&email="
             "secret.person%40example.com",
             admin, NULL, NULL, 0, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(
            json_string_value(json_object_get(r.json, "decision")), "deny");
        resp_free(&r);
    }
    struct timespec ts = {2, 500 * 1000 * 1000}; /* two sweeps or so */
    nanosleep(&ts, NULL);
    /* a call that matches no route is counted under its own method */
    http(d.port, "DELETE", "/v1/nothing", auditor, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http(d.port, "GET", "/metrics", auditor, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: text/plain"));
    assert_non_null(strstr(r.body, "stewardd_requests_total{method=\"DELETE\","
                                   "route=\"unmatched\",status=\"404\"} 1"));
    assert_null(strstr(r.body, "method=\"GET\",route=\"unmatched\""));
    /* Prometheus's own lint finds nothing (promtool check metrics) */
    char mfile[600], cmd[1400];
    tu_path(d.dir, "metrics.txt", mfile, sizeof(mfile));
    FILE *mf = fopen(mfile, "w");
    assert_non_null(mf);
    fputs(r.body, mf);
    fclose(mf);
    snprintf(cmd, sizeof(cmd), "'%s' check metrics < '%s'", STEWARD_PROMTOOL,
             mfile);
    tu_run pt;
    tu_run_cmd(&pt, NULL, "/bin/sh", "-c", cmd, NULL);
    if (pt.status != 0 || pt.err[0] || pt.out[0])
        fail_msg("promtool check metrics (%d): %s%s", pt.status, pt.out,
                 pt.err);
    tu_run_free(&pt);
    /* the version, and the process metrics every Prometheus client has */
    assert_non_null(strstr(
        r.body, "stewardd_build_info{version=\"" STEWARD_VERSION "\"} 1\n"));
    /* each at a line's start: the HELP and TYPE lines name them too */
    static const char *const process[] = {"\nprocess_cpu_seconds_total ",
                                          "\nprocess_resident_memory_bytes ",
                                          "\nprocess_virtual_memory_bytes ",
                                          "\nprocess_start_time_seconds ",
                                          "\nprocess_open_fds ",
                                          "\nprocess_max_fds "};
    for (size_t i = 0; i < sizeof(process) / sizeof(process[0]); i++) {
        const char *at = strstr(r.body, process[i]);
        if (!at)
            fail_msg("no %s in /metrics", process[i] + 1);
        char *end;
        double v = strtod(at + strlen(process[i]), &end);
        assert_true(end > at + strlen(process[i]) && *end == '\n');
        assert_true(i == 0 ? v >= 0 : v > 0); /* CPU time may round to 0 */
    }
    assert_non_null(strstr(r.body, "stewardd_requests_total{method=\"GET\","
                                   "route=\"/v1/decide\",status=\"200\"} 3"));
    assert_non_null(
        strstr(r.body, "stewardd_decisions_total{decision=\"deny\"} 3"));
    assert_non_null(
        strstr(r.body, "stewardd_request_seconds_bucket{le=\"+Inf\"}"));
    assert_non_null(
        strstr(r.body, "stewardd_open_requests{days_left=\"overdue\"} 0"));
    long sweeps = 0;
    char *sp = strstr(r.body, "\nstewardd_sweeps_total ");
    assert_non_null(sp);
    sweeps = strtol(sp + 23, NULL, 10);
    assert_true(sweeps >= 1);
    resp_free(&r);
    http(d.port, "GET", "/v1/sweeps", auditor, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *sw = json_object_get(r.json, "sweeps");
    assert_int_equal(json_array_size(sw), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_array_get(sw, 0), "certificate"), "records")),
        1);
    resp_free(&r);
    assert_int_equal(daemon_stop(&d), 0);
    /* one JSON line per request, with the route's template: the address
     * asked about is nowhere in the log */
    size_t len;
    char *log = tu_read_file(d.log, &len);
    assert_null(strstr(log, "secret.person"));
    /* the start line comes first: nothing from the HTTP library before it */
    assert_int_equal(strncmp(log, "{\"event\":\"start\"", 16), 0);
    assert_non_null(strstr(log, "\"route\":\"/v1/decide\",\"status\":200"));
    assert_non_null(strstr(log, "\"event\":\"stopped\""));
    free(log);
    daemon_free(&d);
}

/* A large NDJSON body sent in pieces; SIGTERM arrives in the middle: the
 * call in flight finishes, everything is stored, the daemon exits 0. */
static void test_streamed_ingest_survives_sigterm(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80];
    make_key(&d, "service", key, sizeof(key));
    /* the generated days are live then: their identifiers are kept */
    static const char *const at[] = {"--now", "2025-01-20T00:00:00Z", NULL};
    daemon_run(&d, at);
    char gen[1024], file[512];
    tu_path(d.dir, "traffic.ndjson", file, sizeof(file));
    snprintf(gen, sizeof(gen),
             "%s/bench/gen-traffic --days 10 --per-day 5000 > %s",
             STEWARD_BUILD_DIR, file);
    assert_int_equal(tu_sh("%s", gen), 0);
    size_t len;
    char *body = tu_read_file(file, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += body[i] == '\n';
    int fd = connect_to(d.port);
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "POST /v1/traffic HTTP/1.1\r\nHost: x\r\n"
                     "Connection: close\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/x-ndjson\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     key, len);
    send_all(fd, head, (size_t)n);
    send_all(fd, body, len / 2);
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kill(d.pid, SIGTERM);
    nanosleep(&ts, NULL);
    send_all(fd, body + len / 2, len - len / 2);
    resp r;
    read_resp(fd, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "lines")),
                     (json_int_t)lines);
    assert_int_equal(json_integer_value(json_object_get(r.json, "bytes")),
                     (json_int_t)len);
    resp_free(&r);
    int st;
    assert_true(waitpid(d.pid, &st, 0) == d.pid);
    d.pid = 0;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM api_keys");
    assert_int_equal(tu_count_sql(d.store, sql), 1);
    tu_run cr;
    tu_steward(&cr, NULL, "audit", "verify", "--store", d.store, NULL);
    assert_int_equal(cr.status, 0);
    tu_run_free(&cr);
    /* started again, the daemon warms the month of live traffic for each
     * of its workers before its first call */
    daemon_run(&d, at);
    assert_int_equal(daemon_stop(&d), 0);
    char *log = tu_read_file(d.log, &len);
    const char *last = NULL;
    for (const char *p = log; (p = strstr(p, "\"warmed_months\":")); p++)
        last = p;
    assert_non_null(last);
    assert_true(atoi(last + strlen("\"warmed_months\":")) >= 1);
    free(log);
    free(body);
    daemon_free(&d);
}

/* Eight clients write at once through the daemon's pool of store handles
 * (each its own connection to SQLite): every change is in the audit chain,
 * one chain with no gap and no fork. */
static void test_concurrent_writers_one_chain(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80];
    make_key(&d, "service", key, sizeof(key));
    static const char *const args[] = {"--rate", "0", "--threads", "4", NULL};
    daemon_run(&d, args);
    long before = tu_count_sql(d.store, "SELECT count(*) FROM audit");
    enum { WRITERS = 8, EACH = 100 };
    pid_t kids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        fflush(NULL);
        kids[w] = fork();
        assert_true(kids[w] >= 0);
        if (kids[w] == 0) {
            for (int i = 0; i < EACH; i++) {
                char body[256];
                int n = snprintf(body, sizeof(body),
                                 "{\"kind\":\"prospect\",\"identifiers\":"
                                 "[{\"type\":\"email\",\"value\":"
                                 "\"w%d.%d@example.com\"}]}",
                                 w, i);
                resp r;
                http(d.port, "POST", "/v1/subjects", key, "application/json",
                     body, (size_t)n, NULL, &r);
                if (r.status != 201)
                    _exit(1);
                resp_free(&r);
            }
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int st;
        assert_true(waitpid(kids[w], &st, 0) == kids[w]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_int_equal(daemon_stop(&d), 0);
    assert_int_equal(tu_count_sql(d.store, "SELECT count(*) FROM subjects"),
                     WRITERS * EACH);
    /* one entry per change, seq 1..n without a gap, each linked to the
     * one before (audit verify recomputes the chain) */
    assert_int_equal(tu_count_sql(d.store, "SELECT count(*) FROM audit"),
                     before + WRITERS * EACH);
    assert_int_equal(tu_count_sql(d.store, "SELECT max(seq) - min(seq) + 1"
                                           " - count(*) FROM audit"),
                     0);
    tu_run cr;
    tu_steward(&cr, NULL, "audit", "verify", "--store", d.store, NULL);
    assert_int_equal(cr.status, 0);
    assert_non_null(strstr(cr.out, "intact"));
    tu_run_free(&cr);
    daemon_free(&d);
}

/* 4 clients x 50 decisions at once; 0 when every answer was want. */
static int decide_burst(int port, const char *key, const char *q,
                        const char *want)
{
    pid_t kids[4];
    for (int k = 0; k < 4; k++) {
        fflush(NULL);
        kids[k] = fork();
        if (kids[k] == 0) {
            for (int i = 0; i < 50; i++) {
                resp r;
                http(port, "GET", q, key, NULL, NULL, 0, NULL, &r);
                const char *got =
                    json_string_value(json_object_get(r.json, "decision"));
                if (!got || strcmp(got, want) != 0)
                    _exit(1);
                resp_free(&r);
            }
            _exit(0);
        }
    }
    int bad = 0;
    for (int k = 0; k < 4; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    return bad;
}

/* The daemon answers from several store handles, each with its decision
 * cache: a change through one is seen at once by the others. */
static void test_decisions_follow_changes_across_handles(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80];
    make_key(&d, "admin", key, sizeof(key));
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    const char *q = "/v1/decide?purpose=marketing.communications.email"
                    "&email=eve%40example.com";
    resp r;
    http_json(d.port, "POST", "/v1/consents", key,
              json_pack("{s:s, s:s, s:s, s:s}", "email", "eve@example.com",
                        "purpose", "marketing.communications.email", "method",
                        "web_form", "kind", "marketing_subscriber"),
              &r);
    assert_int_equal(r.status, 201);
    json_t *tok = json_incref(json_object_get(r.json, "confirmation_token"));
    resp_free(&r);
    http_json(d.port, "POST", "/v1/consents/confirm", key,
              json_pack("{s:o}", "token", tok), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* concurrent calls make the pool hold several handles, each of which
     * learns "allow"; after the unsubscribe every one must deny at once */
    assert_int_equal(decide_burst(d.port, key, q, "allow"), 0);
    http_json(d.port, "POST", "/v1/unsubscribe", key,
              json_pack("{s:s}", "email", "eve@example.com"), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(decide_burst(d.port, key, q, "deny"), 0);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* The daemon's log once it holds a line with want, waiting up to 10 s
 * (the facts are read in the background); NULL when none came. */
static char *log_once(const daemon_t *d, const char *want)
{
    for (int i = 0; i < 200; i++) {
        size_t len;
        char *log = tu_read_file(d->log, &len);
        if (log && strstr(log, want))
            return log;
        free(log);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* Issue 20: at start the daemon reads the decision facts into memory in
 * the background and hands them to its handles; decisions from them are
 * the store's, and a change is seen at once. --decision-memory 0 reads
 * nothing. */
static void test_decision_facts_read_at_start(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80];
    make_key(&d, "admin", key, sizeof(key));
    static const char *const none[] = {"--rate", "0", "--decision-memory", "0",
                                       NULL};
    daemon_run(&d, none);
    resp r;
    http_json(d.port, "POST", "/v1/subjects", key,
              json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "kind", "customer",
                        "account", "ACME", "identifiers", "type", "email",
                        "value", "dan@acme.example"),
              &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(daemon_stop(&d), 0);
    size_t len;
    char *log = tu_read_file(d.log, &len);
    assert_null(strstr(log, "\"decision_facts\""));
    free(log);
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    log = log_once(&d, "\"event\":\"decision_facts\"");
    assert_non_null(log);
    const char *e = strstr(log, "\"event\":\"decision_facts\"");
    assert_non_null(strstr(e, "\"in_memory\":true"));
    assert_non_null(strstr(e, "\"subjects\":1"));
    free(log);
    const char *q = "/v1/decide?purpose=marketing.communications.email"
                    "&email=dan%40acme.example";
    assert_int_equal(decide_burst(d.port, key, q, "allow"), 0);
    /* an unsubscribe through the API: every handle forgets what it read */
    http_json(d.port, "POST", "/v1/unsubscribe", key,
              json_pack("{s:s}", "email", "dan@acme.example"), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(decide_burst(d.port, key, q, "deny"), 0);
    assert_int_equal(daemon_stop(&d), 0);
    /* with --decision-refresh 1 the facts a change forgot are read again
     * within a second or two, and hold the change */
    static const char *const refresh[] = {"--rate", "0", "--decision-refresh",
                                          "1", NULL};
    daemon_run(&d, refresh);
    log = log_once(&d, "\"addresses\":1");
    assert_non_null(log);
    free(log);
    http_json(d.port, "POST", "/v1/subjects", key,
              json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "kind", "customer",
                        "account", "ACME", "identifiers", "type", "email",
                        "value", "eve@acme.example"),
              &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    log = log_once(&d, "\"subjects\":2,\"addresses\":2");
    assert_non_null(log);
    free(log);
    assert_int_equal(decide_burst(d.port, key, q, "deny"), 0);
    const char *q2 = "/v1/decide?purpose=marketing.communications.email"
                     "&email=eve%40acme.example";
    assert_int_equal(decide_burst(d.port, key, q2, "allow"), 0);
    assert_int_equal(daemon_stop(&d), 0);
    /* a bad duration is a usage error */
    tu_run br;
    tu_run_cmd(&br, NULL, DAEMON, "--decision-refresh", "soon", NULL);
    assert_int_equal(br.status, 2);
    assert_non_null(strstr(br.err, "--decision-refresh 'soon'"));
    tu_run_free(&br);
    /* a bad count names its option, not the value twice */
    tu_run_cmd(&br, NULL, DAEMON, "--max-connections", "5x", NULL);
    assert_int_equal(br.status, 2);
    assert_non_null(strstr(br.err, "--max-connections '5x'"));
    tu_run_free(&br);
    daemon_free(&d);
}

/* The GPC support resource answers anyone, as the GPC specification
 * asks: this site honours Sec-GPC. */
static void test_gpc_support_resource(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    resp r;
    http(d.port, "GET", "/.well-known/gpc.json", NULL, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: application/json"));
    assert_non_null(r.json);
    assert_true(json_is_true(json_object_get(r.json, "gpc")));
    resp_free(&r);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

static const char *reason_of(const json_t *decision)
{
    return json_string_value(json_object_get(decision, "reason"));
}

/* POST /v1/decide: a list decided in one batch, answered in its order,
 * each address as GET /v1/decide answers it; a bad item fails alone. */
static void test_decide_batch_route(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80];
    make_key(&d, "admin", key, sizeof(key));
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    resp r;
    http_json(d.port, "POST", "/v1/unsubscribe", key,
              json_pack("{s:s}", "email", "gone@example.com"), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    http_json(d.port, "POST", "/v1/subjects", key,
              json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "kind", "customer",
                        "account", "ACME", "identifiers", "type", "email",
                        "value", "dan@acme.example"),
              &r);
    assert_int_equal(r.status, 201);
    char sid[64];
    snprintf(sid, sizeof(sid), "%s",
             json_string_value(json_object_get(r.json, "id")));
    resp_free(&r);
    http_json(d.port, "POST", "/v1/decide", key,
              json_pack("{s:s, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s, "
                        "s:s}, {s:s}]}",
                        "purpose", "marketing.communications.email", "items",
                        "email", "gone@example.com", "email", "not-an-address",
                        "subject", sid, "email", "dan@acme.example", "email",
                        "nobody@example.net", "email", "a@example.com", "phone",
                        "+385911234567", "fax", "123"),
              &r);
    assert_int_equal(r.status, 200);
    json_t *ds = json_object_get(r.json, "decisions");
    assert_int_equal(json_array_size(ds), 7);
    assert_string_equal(reason_of(json_array_get(ds, 0)), "suppressed");
    assert_non_null(json_object_get(json_array_get(ds, 1), "error"));
    assert_string_equal(reason_of(json_array_get(ds, 2)),
                        "legitimate_interest");
    assert_string_equal(reason_of(json_array_get(ds, 3)),
                        "legitimate_interest");
    assert_string_equal(reason_of(json_array_get(ds, 4)), "no_consent");
    assert_non_null(json_object_get(json_array_get(ds, 5), "error"));
    assert_non_null(json_object_get(json_array_get(ds, 6), "error"));
    /* each as a single question answers it */
    static const char *const one[] = {
        "gone%40example.com", "dan%40acme.example", "nobody%40example.net"};
    static const int pos[] = {0, 3, 4};
    for (int i = 0; i < 3; i++) {
        char q[200];
        snprintf(q, sizeof(q),
                 "/v1/decide?purpose=marketing.communications.email&email=%s",
                 one[i]);
        resp g;
        http(d.port, "GET", q, key, NULL, NULL, 0, NULL, &g);
        assert_int_equal(g.status, 200);
        assert_string_equal(reason_of(g.json),
                            reason_of(json_array_get(ds, (size_t)pos[i])));
        resp_free(&g);
    }
    resp_free(&r);
    /* POST /v1/decide/batch: a list longer than a chunk, one address a
     * line (blank lines and a '\r' left out), answered line by line in
     * its order, each as the batch above answers it */
    static const char *const cycle[] = {"gone@example.com",
                                        "dan@acme.example",
                                        "nobody@example.net",
                                        "not-an-address",
                                        "",
                                        "Dan@ACME.example\r"};
    static const char *const want[] = {"suppressed", "legitimate_interest",
                                       "no_consent", NULL,
                                       NULL,         "legitimate_interest"};
    enum { LINES = 6000 };
    size_t cap = (size_t)LINES * 24, len = 0;
    char *list = malloc(cap);
    assert_non_null(list);
    for (int i = 0; i < LINES; i++)
        len += (size_t)snprintf(list + len, cap - len, "%s\n", cycle[i % 6]);
    http(d.port, "POST",
         "/v1/decide/batch?purpose=marketing.communications.email", key,
         "text/plain", list, len, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: application/x-ndjson"));
    assert_non_null(strstr(r.head, "X-Steward-Counts: allowed=2000, "
                                   "denied=2000, malformed=1000"));
    int n = 0, k = 0;
    for (char *line = strtok(r.body, "\n"); line;
         line = strtok(NULL, "\n"), n++, k++) {
        while (!cycle[k % 6][0]) /* a blank line has no answer */
            k++;
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        assert_non_null(o);
        if (want[k % 6])
            assert_string_equal(reason_of(o), want[k % 6]);
        else
            assert_non_null(json_object_get(o, "error"));
        /* the address as the line gave it, without its '\r' */
        char given[64];
        snprintf(given, sizeof(given), "%.*s", (int)strcspn(cycle[k % 6], "\r"),
                 cycle[k % 6]);
        assert_string_equal(json_string_value(json_object_get(o, "address")),
                            given);
        json_decref(o);
    }
    assert_int_equal(n, LINES - LINES / 6);
    resp_free(&r);
    /* a line that is not UTF-8 is answered too, with an error */
    static const char bytes[] = "dan@acme.example\n\xff\xfe@x\n";
    http(d.port, "POST",
         "/v1/decide/batch?purpose=marketing.communications.email", key,
         "text/plain", bytes, sizeof(bytes) - 1, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "malformed=1"));
    char *second = strchr(r.body, '\n');
    assert_non_null(second);
    assert_non_null(strstr(second, "\"address\":null"));
    assert_non_null(strstr(second, "not UTF-8"));
    resp_free(&r);
    /* an unknown purpose, a line too long */
    http(d.port, "POST", "/v1/decide/batch?purpose=marketing.spam", key,
         "text/plain", list, len, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "marketing.spam"));
    resp_free(&r);
    memset(list, 'a', 600);
    http(d.port, "POST",
         "/v1/decide/batch?purpose=marketing.communications.email", key,
         "text/plain", list, len, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "longer than 511 bytes"));
    resp_free(&r);
    free(list);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

static void test_tls(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char crt[512], pem[512];
    tu_path(d.dir, "cert.pem", crt, sizeof(crt));
    tu_path(d.dir, "key.pem", pem, sizeof(pem));
    assert_int_equal(tu_sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
                           "-subj /CN=127.0.0.1 -keyout %s -out %s "
                           ">/dev/null 2>&1",
                           pem, crt),
                     0);
    const char *args[] = {"--tls-cert", crt, "--tls-key", pem, NULL};
    daemon_run(&d, args);
    char out[512];
    tu_path(d.dir, "health.json", out, sizeof(out));
    assert_int_equal(tu_sh("curl -sk --max-time 10 -o %s "
                           "https://127.0.0.1:%d/healthz",
                           out, d.port),
                     0);
    assert_true(tu_file_contains(out, "\"status\":\"ok\""));
    /* plain HTTP on the TLS port gets no answer */
    assert_true(tu_sh("curl -s --max-time 5 -o /dev/null "
                      "http://127.0.0.1:%d/healthz",
                      d.port) != 0);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* Issue 16: stewardd follows the policy the store applies. Started
 * without --policy after 'steward policy apply', it runs the applied
 * version; with a file that is not that version it refuses to start,
 * saying so in one line. */
static void test_daemon_runs_the_policy_the_store_applies(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char next[600];
    tu_path(d.dir, "next.yaml", next, sizeof(next));
    static const char *const pairs[] = {"version: \"2025-06\"",
                                        "version: \"2026-12\"", NULL};
    tu_bundled_variant_file(next, pairs);
    tu_run r;
    tu_steward(&r, NULL, "policy", "apply", next, "--store", d.store,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);

    /* the bundled file is version 1 of this store, no longer its policy */
    char bundled[512];
    tu_src("policies/cpaas-notice.yaml", bundled, sizeof(bundled));
    char listen[64], log[600];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", d.port);
    tu_path(d.dir, "refused.log", log, sizeof(log));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        execl(DAEMON, DAEMON, "--store", d.store, "--listen", listen,
              "--policy", bundled, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    for (int i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (kill(pid, 0) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("stewardd started with a policy the store does not apply");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    char *err = tu_read_file(log, NULL);
    assert_non_null(strstr(err, "not the policy this store applies"));
    assert_non_null(strstr(err, "version 2"));
    free(err);

    daemon_run(&d, NULL);
    char key[128];
    make_key(&d, "dpo", key, sizeof(key));
    resp a;
    http(d.port, "GET", "/v1/retention/audit", key, NULL, NULL, 0, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(a.json);
    assert_string_equal(
        json_string_value(json_object_get(a.json, "policy_version")),
        "2026-12");
    resp_free(&a);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* ---- systemd: Type=notify, and a reload on SIGHUP ---- */

/* A datagram socket at path, as systemd's NOTIFY_SOCKET. */
static int notify_listen(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof(a.sun_path));
    memcpy(a.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Reads the daemon's messages until one holds want (true), or 20 s. */
static bool notify_wait(int fd, const char *want)
{
    for (int i = 0; i < 200; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) != 1)
            continue;
        char msg[512];
        ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);
        if (n <= 0)
            continue;
        msg[n] = 0;
        if (strstr(msg, want))
            return true;
    }
    return false;
}

static const char *audit_notice(int port, const char *key, resp *a)
{
    http(port, "GET", "/v1/retention/audit", key, NULL, NULL, 0, NULL, a);
    assert_int_equal(a->status, 200);
    return json_string_value(json_object_get(a->json, "policy_version"));
}

/* stewardd tells systemd it is ready, reloads on SIGHUP the policy the
 * store applies (calls in flight go on), keeps its policy when the file
 * it was given changed without being applied or no longer loads, and
 * says it is stopping. */
static void test_systemd_notify_and_reload(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[128], sock[600];
    make_key(&d, "admin", key, sizeof(key));
    tu_path(d.dir, "notify", sock, sizeof(sock));
    int nfd = notify_listen(sock);
    setenv("NOTIFY_SOCKET", sock, 1);
    static const char *const rate[] = {"--rate", "0", NULL};
    daemon_run(&d, rate);
    unsetenv("NOTIFY_SOCKET");
    assert_true(notify_wait(nfd, "READY=1"));
    resp a;
    assert_string_equal(audit_notice(d.port, key, &a), "2025-06");
    resp_free(&a);

    /* a new version applied beside the running daemon, then SIGHUP while
     * decisions are being asked: every one is answered */
    char next[600];
    tu_path(d.dir, "next.yaml", next, sizeof(next));
    static const char *const v2[] = {"version: \"2025-06\"",
                                     "version: \"2026-12\"", NULL};
    tu_bundled_variant_file(next, v2);
    tu_run r;
    tu_steward(&r, NULL, "policy", "apply", next, "--store", d.store,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    const char *q = "/v1/decide?purpose=marketing.communications.email"
                    "&email=hup%40example.com";
    fflush(NULL);
    pid_t burst = fork();
    assert_true(burst >= 0);
    if (burst == 0)
        _exit(decide_burst(d.port, key, q, "deny"));
    kill(d.pid, SIGHUP);
    assert_true(notify_wait(nfd, "RELOADING=1"));
    assert_true(notify_wait(nfd, "READY=1"));
    int st = 0;
    assert_true(waitpid(burst, &st, 0) == burst);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_string_equal(audit_notice(d.port, key, &a), "2026-12");
    resp_free(&a);
    assert_int_equal(daemon_stop(&d), 0);
    char *log = tu_read_file(d.log, NULL);
    assert_non_null(strstr(log, "\"event\":\"reload\",\"policy\":\"changed\""));
    free(log);

    /* --policy FILE: a change not applied, then a file that does not load,
     * leave the daemon on the policy it runs */
    const char *const with_file[] = {"--policy", next, NULL};
    setenv("NOTIFY_SOCKET", sock, 1);
    daemon_run(&d, with_file);
    unsetenv("NOTIFY_SOCKET");
    assert_true(notify_wait(nfd, "READY=1"));
    static const char *const v3[] = {"version: \"2025-06\"",
                                     "version: \"2027-01\"", NULL};
    tu_bundled_variant_file(next, v3);
    kill(d.pid, SIGHUP);
    assert_true(notify_wait(nfd, "READY=1"));
    assert_string_equal(audit_notice(d.port, key, &a), "2026-12");
    resp_free(&a);
    FILE *f = fopen(next, "w");
    assert_non_null(f);
    fputs("steward: [not, a policy\n", f);
    fclose(f);
    kill(d.pid, SIGHUP);
    assert_true(notify_wait(nfd, "READY=1"));
    assert_string_equal(audit_notice(d.port, key, &a), "2026-12");
    resp_free(&a);
    kill(d.pid, SIGTERM);
    assert_true(notify_wait(nfd, "STOPPING=1"));
    assert_int_equal(daemon_stop(&d), 0);
    log = tu_read_file(d.log, NULL);
    assert_non_null(strstr(log, "not the policy this store applies"));
    assert_non_null(strstr(log, next));
    free(log);
    close(nfd);
    daemon_free(&d);
}

/* A signed callback to the daemon, as a webhook system sends it. */
static void callback_post(daemon_t *d, const char *secret, long ts,
                          const char *body, resp *a)
{
    char t[24], sig[68], extra[256];
    snprintf(t, sizeof(t), "%ld", ts);
    tu_webhook_sign(secret, t, body, strlen(body), sig);
    snprintf(extra, sizeof(extra),
             "X-Steward-Timestamp: %s\r\nX-Steward-Signature: %s\r\n", t, sig);
    http(d->port, "POST", "/v1/systems/support/callback", NULL,
         "application/json", body, strlen(body), extra, a);
}

/* A webhook system's callback route: no key, the signature is the
 * authentication; forged, stale and unknown jobs are refused. */
/* POST /v1/scan: a service's text redacted, or its findings without the
 * values; only with a key. */
static void test_scan_route(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char key[80], dpo[80];
    make_key(&d, "service", key, sizeof(key));
    make_key(&d, "dpo", dpo, sizeof(dpo));
    static const char *const args[] = {"--rate", "0", NULL};
    daemon_run(&d, args);
    const char *text = "Mail ana@example.com, card 4111 1111 1111 1111.\n";
    resp r;
    http(d.port, "POST", "/v1/scan?redact=type", key, "text/plain", text,
         strlen(text), "", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Mail [email], card [card]."));
    assert_null(strstr(r.body, "ana@"));
    assert_non_null(strstr(r.head, "X-Steward-Removed: email=1,card=1"));
    resp_free(&r);
    http(d.port, "POST", "/v1/scan?types=email", key, "text/plain", text,
         strlen(text), "", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    json_t *f = json_object_get(r.json, "findings");
    assert_int_equal(json_array_size(f), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(f, 0), "type")),
        "email");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(f, 0), "offset")), 5);
    assert_null(strstr(r.body, "ana@"));
    resp_free(&r);
    http(d.port, "POST", "/v1/scan", NULL, "text/plain", text, strlen(text), "",
         &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    /* a survey answer through the daemon: stored redacted (notice 5.6.1),
     * its values in neither the log nor the store's files */
    const char *who = "{\"kind\":\"research_participant\"}";
    http(d.port, "POST", "/v1/subjects", key, "application/json", who,
         strlen(who), NULL, &r);
    assert_int_equal(r.status, 201);
    char sid[64];
    snprintf(sid, sizeof(sid), "%s",
             json_string_value(json_object_get(r.json, "id")));
    resp_free(&r);
    char body[512];
    int n = snprintf(body, sizeof(body),
                     "{\"subject\":\"%s\",\"activity\":\"market_research\","
                     "\"category\":\"user.content.survey_answer\",\"value\":"
                     "\"Fine. Write to zrinka.maric@example.hr or call +385 "
                     "98 765 4321.\"}",
                     sid);
    http(d.port, "POST", "/v1/records", key, "application/json", body,
         (size_t)n, NULL, &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    char path[128];
    snprintf(path, sizeof(path), "/v1/subjects/%s", sid);
    http(d.port, "GET", path, dpo, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Fine. Write to [email] or call [phone]."));
    assert_null(strstr(r.body, "zrinka"));
    resp_free(&r);
    assert_int_equal(daemon_stop(&d), 0);
    char *log = tu_read_file(d.log, NULL);
    assert_non_null(log);
    assert_null(strstr(log, "zrinka"));
    assert_null(strstr(log, "765 4321"));
    assert_null(strstr(log, "ana@example.com"));
    free(log);
    if (!tu_pg()) {
        char cmd[1200];
        snprintf(
            cmd, sizeof(cmd),
            "cat %s* | grep -a -c -e zrinka.maric -e '765 4321' >/dev/null",
            d.store);
        assert_int_not_equal(tu_sh("%s", cmd), 0);
    }
    daemon_free(&d);
}

static void test_webhook_callback_is_signed(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char next[600];
    tu_path(d.dir, "next.yaml", next, sizeof(next));
    char *text = tu_bundled_variant((const char *const[]){NULL});
    FILE *f = fopen(next, "w");
    assert_non_null(f);
    fprintf(f,
            "%s\nsystems:\n"
            "  - id: support\n"
            "    name: Support desk\n"
            "    connector: webhook\n"
            "    credentials: { env: TEST_DAEMON_HOOK }\n"
            "    datasets:\n"
            "      - table: tickets\n"
            "        activity: sales_prospects\n"
            "        key: id\n"
            "        identities:\n"
            "          - { type: email, column: email }\n"
            "        columns:\n"
            "          - { name: email, category: user.contact.email, "
            "erase: hash }\n",
            text);
    fclose(f);
    free(text);
    tu_run r;
    tu_steward(&r, NULL, "policy", "apply", next, "--store", d.store,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    setenv("TEST_DAEMON_HOOK",
           "http://127.0.0.1:9/hook secret-of-the-desk-1234", 1);
    daemon_run(&d, NULL);
    const char *body = "{\"job\": \"job_000000000000000000000000\", "
                       "\"status\": \"done\", \"erased\": 1}";
    long now = (long)time(NULL);
    resp a;
    /* no signature at all */
    http(d.port, "POST", "/v1/systems/support/callback", NULL,
         "application/json", body, strlen(body), NULL, &a);
    assert_int_equal(a.status, 401);
    resp_free(&a);
    /* signed with another secret, or long ago */
    callback_post(&d, "not-the-desk-secret-at-all", now, body, &a);
    assert_int_equal(a.status, 401);
    resp_free(&a);
    callback_post(&d, "secret-of-the-desk-1234", now - 3600, body, &a);
    assert_int_equal(a.status, 401);
    resp_free(&a);
    /* signed right, but no such job */
    callback_post(&d, "secret-of-the-desk-1234", now, body, &a);
    assert_int_equal(a.status, 404);
    resp_free(&a);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
    unsetenv("TEST_DAEMON_HOOK");
}

/* A customer's key (notice 2): it exports and erases its own end users'
 * traffic and nothing else, and no other customer's records show. */
static void test_customer_key_reaches_its_account_only(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    char cdr[600], day[16], buf[1024];
    time_t yesterday = time(NULL) - 86400;
    struct tm tm;
    gmtime_r(&yesterday, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    tu_path(d.dir, "cdr.ndjson", cdr, sizeof(cdr));
    FILE *f = fopen(cdr, "w");
    assert_non_null(f);
    static const char *const rows[][2] = {
        {"a1", "ACC-A"}, {"a2", "ACC-A"}, {"b1", "ACC-B"}};
    for (int i = 0; i < 3; i++)
        fprintf(f,
                "{\"id\":\"%s\",\"account\":\"%s\",\"channel\":\"sms\","
                "\"time\":\"%sT1%d:00:00Z\",\"sender\":\"Shop\","
                "\"destination\":\"+447700900555\",\"country\":\"GB\","
                "\"duration\":0,\"operator\":\"OpA\",\"route\":\"r1\","
                "\"price\":\"0.03\",\"currency\":\"EUR\"}\n",
                rows[i][0], rows[i][1], day, i);
    fclose(f);
    tu_run r;
    tu_steward(&r, NULL, "traffic", "ingest", cdr, "--store", d.store, NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    char acc_a[128], service[128], dpo[128];
    tu_steward(&r, NULL, "key", "create", "--role", "service", "--account",
               "ACC-A", "--json", "--store", d.store, NULL);
    assert_int_equal(r.status, 0);
    json_t *o = json_loads(r.out, 0, NULL);
    snprintf(acc_a, sizeof(acc_a), "%s",
             json_string_value(json_object_get(o, "key")));
    json_decref(o);
    tu_run_free(&r);
    tu_steward(&r, NULL, "key", "create", "--role", "dpo", "--account", "ACC-A",
               "--store", d.store, NULL);
    assert_int_equal(r.status, 1); /* only a service key has one */
    tu_run_free(&r);
    make_key(&d, "service", service, sizeof(service));
    make_key(&d, "dpo", dpo, sizeof(dpo));
    daemon_run(&d, NULL);

    const char *mine = "{\"account\":\"ACC-A\",\"msisdn\":\"+447700900555\","
                       "\"instruction\":\"INS-1\"}";
    const char *theirs = "{\"account\":\"ACC-B\",\"msisdn\":"
                         "\"+447700900555\",\"instruction\":\"INS-1\"}";
    resp a;
    http(d.port, "POST", "/v1/traffic/export", acc_a, "application/json", mine,
         strlen(mine), NULL, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(json_integer_value(json_object_get(a.json, "found")), 2);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(a.json, "records"), i, x)
        assert_string_equal(json_string_value(json_object_get(x, "account")),
                            "ACC-A");
    resp_free(&a);
    /* another customer's account, any other route, an unscoped service
     * key: refused */
    http(d.port, "POST", "/v1/traffic/export", acc_a, "application/json",
         theirs, strlen(theirs), NULL, &a);
    assert_int_equal(a.status, 403);
    assert_non_null(strstr(a.body, "ACC-A only"));
    resp_free(&a);
    http(d.port, "GET", "/v1/traffic?msisdn=%2B447700900555", acc_a, NULL, NULL,
         0, NULL, &a);
    assert_int_equal(a.status, 403);
    resp_free(&a);
    snprintf(buf, sizeof(buf), "{\"kind\":\"end_user\",\"msisdn\":\"+1\"}");
    http(d.port, "POST", "/v1/subjects", acc_a, "application/json", buf,
         strlen(buf), NULL, &a);
    assert_int_equal(a.status, 403);
    resp_free(&a);
    http(d.port, "POST", "/v1/traffic/export", service, "application/json",
         mine, strlen(mine), NULL, &a);
    assert_int_equal(a.status, 403);
    assert_non_null(strstr(a.body, "scoped"));
    resp_free(&a);
    /* the customer's instruction erases its records only */
    http(d.port, "POST", "/v1/traffic/erase", acc_a, "application/json", mine,
         strlen(mine), NULL, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(json_integer_value(json_object_get(a.json, "erased")), 2);
    resp_free(&a);
    http(d.port, "GET", "/v1/traffic?msisdn=%2B447700900555", dpo, NULL, NULL,
         0, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(json_integer_value(json_object_get(a.json, "found")), 1);
    json_t *left = json_array_get(json_object_get(a.json, "records"), 0);
    assert_string_equal(json_string_value(json_object_get(left, "id")), "b1");
    resp_free(&a);
    assert_int_equal(daemon_stop(&d), 0);
    tu_steward(&r, NULL, "audit", "log", "--json", "--store", d.store, NULL);
    assert_non_null(strstr(r.out, "INS-1"));
    assert_null(strstr(r.out, "900555"));
    tu_run_free(&r);
    daemon_free(&d);
}

/* A completed access answer reaches the person: a link in the outbox to a
 * download in the privacy centre, served to the link and to nothing
 * else, with the token kept out of the log. */
static void test_answer_reaches_the_person(void **state)
{
    (void)state;
    daemon_t d;
    daemon_start(&d);
    tu_run r;
    tu_steward(&r, NULL, "subject", "add", "--kind", "customer", "--email",
               "ivy@acme.example", "--store", d.store, NULL);
    assert_int_equal(r.status, 0);
    char sid[64];
    snprintf(sid, sizeof(sid), "%.*s", (int)strcspn(r.out, "\n"), r.out);
    tu_run_free(&r);
    tu_steward(&r, NULL, "record", "add", "--subject", sid, "--activity",
               "customer_account", "--category", "user.name", "--value",
               "Ivy Stone", "--store", d.store, NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    tu_steward(&r, NULL, "request", "open", "--type", "access", "--regulation",
               "gdpr", "--email", "ivy@acme.example", "--json", "--store",
               d.store, NULL);
    assert_int_equal(r.status, 0);
    json_t *o = json_loads(r.out, 0, NULL);
    char id[64], code[8];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(o, "id")));
    const char *msg =
        json_string_value(json_object_get(o, "verification_message"));
    snprintf(code, sizeof(code), "%.6s", strstr(msg, " is ") + 4);
    json_decref(o);
    tu_run_free(&r);
    tu_steward(&r, NULL, "request", "verify", id, "--code", code, "--store",
               d.store, NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    char dpo[128];
    make_key(&d, "dpo", dpo, sizeof(dpo));
    daemon_run(&d, NULL);

    char path[256];
    snprintf(path, sizeof(path), "/v1/requests/%s/complete", id);
    resp a;
    http(d.port, "POST", path, dpo, "application/json", "{}", 2, NULL, &a);
    assert_int_equal(a.status, 200);
    json_t *dl = json_object_get(a.json, "delivery");
    assert_true(json_is_true(json_object_get(dl, "sent")));
    assert_string_equal(json_string_value(json_object_get(dl, "channel")),
                        "email");
    assert_null(strstr(a.body, "token=")); /* the link is the person's */
    resp_free(&a);
    char *box = tu_read_file(d.outbox, NULL);
    char *at = strstr(box, "/privacy/answers/");
    assert_non_null(at);
    assert_non_null(strstr(box, "ivy@acme.example"));
    char url[256];
    snprintf(url, sizeof(url), "%.*s", (int)strcspn(at, " \""), at);
    free(box);
    char *token = strstr(url, "token=") + 6;
    assert_int_equal(strlen(token), 64);

    http(d.port, "GET", url, NULL, NULL, NULL, 0, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.head, "Content-Disposition: attachment"));
    assert_non_null(strstr(a.body, "Ivy Stone"));
    resp_free(&a);
    token[0] = token[0] == 'a' ? 'b' : 'a';
    http(d.port, "GET", url, NULL, NULL, NULL, 0, NULL, &a);
    assert_int_equal(a.status, 404);
    resp_free(&a);
    assert_int_equal(daemon_stop(&d), 0);
    char *log = tu_read_file(d.log, NULL);
    assert_null(strstr(log, token + 1));
    free(log);
    tu_steward(&r, NULL, "audit", "log", "--json", "--store", d.store, NULL);
    assert_non_null(strstr(r.out, "answer.fetch"));
    tu_run_free(&r);
    daemon_free(&d);
}

/* ---- an SMTP relay on 127.0.0.1 for the outbox's e-mail ---- */

typedef struct relay {
    int fd, port;
    int refuse; /* sessions answered 451 at MAIL FROM before one is let in */
    int sessions, delivered;
    char data[8192]; /* the last message delivered */
    pthread_t th;
} relay;

static void say(int fd, const char *line)
{
    ssize_t n = write(fd, line, strlen(line));
    (void)n;
}

/* One SMTP session, line by line (RFC 5321's few commands). */
static void session(relay *r, int c)
{
    FILE *in = fdopen(c, "r");
    char line[1024];
    say(c, "220 relay ESMTP\r\n");
    bool refused = r->sessions++ < r->refuse;
    while (fgets(line, sizeof(line), in)) {
        if (strncasecmp(line, "EHLO", 4) == 0 ||
            strncasecmp(line, "HELO", 4) == 0) {
            say(c, "250 relay\r\n");
        } else if (strncasecmp(line, "MAIL FROM", 9) == 0) {
            say(c, refused ? "451 try again later\r\n" : "250 ok\r\n");
        } else if (strncasecmp(line, "RCPT TO", 7) == 0) {
            say(c, "250 ok\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            say(c, "354 go on\r\n");
            size_t k = 0;
            while (fgets(line, sizeof(line), in) && strcmp(line, ".\r\n")) {
                size_t n = strlen(line);
                if (k + n < sizeof(r->data)) {
                    memcpy(r->data + k, line, n);
                    k += n;
                }
            }
            r->data[k] = '\0';
            r->delivered++;
            say(c, "250 queued\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            say(c, "221 bye\r\n");
            break;
        } else {
            say(c, "250 ok\r\n"); /* RSET, NOOP */
        }
    }
    fclose(in);
}

static void *relay_main(void *p)
{
    relay *r = p;
    int c;
    while ((c = accept(r->fd, NULL, NULL)) >= 0)
        session(r, c);
    return NULL;
}

static void relay_start(relay *r, int refuse)
{
    memset(r, 0, sizeof(*r));
    r->refuse = refuse;
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(r->fd, 4), 0);
    socklen_t len = sizeof(a);
    getsockname(r->fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&r->th, NULL, relay_main, r), 0);
}

static void relay_stop(relay *r)
{
    shutdown(r->fd, SHUT_RDWR);
    close(r->fd);
    pthread_join(r->th, NULL);
}

/* The outbox through an SMTP relay: a verification code filed at the
 * privacy centre reaches the relay after it refused once (a temporary
 * failure is tried again), as a well-formed message, and the log names
 * neither the address nor the code. */
static void test_outbox_through_an_smtp_relay(void **state)
{
    (void)state;
    relay rl;
    relay_start(&rl, 1);
    daemon_t d;
    daemon_start(&d);
    tu_run r;
    tu_steward(&r, NULL, "subject", "add", "--kind", "customer", "--email",
               "ivy@acme.example", "--store", d.store, NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    char smtp[64];
    snprintf(smtp, sizeof(smtp), "smtp://127.0.0.1:%d", rl.port);
    const char *args[] = {
        "--smtp",       smtp,  "--mail-from", "privacy@steward.example",
        "--smtp-retry", "0.2", NULL};
    daemon_run(&d, args);
    const char *body = "{\"email\":\"ivy@acme.example\",\"type\":\"access\","
                       "\"regulation\":\"gdpr\"}";
    resp a;
    http(d.port, "POST", "/privacy/api/requests", NULL, "application/json",
         body, strlen(body), NULL, &a);
    assert_int_equal(a.status, 202);
    resp_free(&a);
    for (int i = 0; i < 100 && rl.delivered == 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(rl.delivered, 1);
    assert_true(rl.sessions >= 2); /* refused once, then let in */
    assert_non_null(strstr(rl.data, "To: <ivy@acme.example>\r\n"));
    assert_non_null(strstr(rl.data, "From: <privacy@steward.example>"));
    assert_non_null(strstr(rl.data, "Subject: Your privacy request"));
    const char *is = strstr(rl.data, " is ");
    assert_non_null(is);
    char code[8];
    snprintf(code, sizeof(code), "%.6s", is + 4);
    assert_int_equal(strspn(code, "0123456789"), 6);
    /* an e-mail is not written to the file outbox */
    assert_false(tu_file_contains(d.outbox, "ivy@acme.example"));
    assert_int_equal(daemon_stop(&d), 0);
    char *log = tu_read_file(d.log, NULL);
    assert_non_null(strstr(log, "\"result\":\"retry\""));
    assert_non_null(strstr(log, "\"result\":\"sent\""));
    assert_null(strstr(log, "ivy@"));
    assert_null(strstr(log, code));
    free(log);
    daemon_free(&d);
    relay_stop(&rl);

    /* -h and --help print the usage and exit 0, as every command does */
    for (int i = 0; i < 2; i++) {
        tu_run h;
        tu_run_cmd(&h, NULL, DAEMON, i ? "--help" : "-h", NULL);
        assert_int_equal(h.status, 0);
        assert_non_null(strstr(h.out, "usage: stewardd"));
        tu_run_free(&h);
    }
    /* a bad configuration is refused at start, in one line */
    daemon_start(&d);
    tu_run bad;
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", d.port);
    tu_run_cmd(&bad, NULL, DAEMON, "--store", d.store, "--listen", listen,
               "--smtp", "http://127.0.0.1:1", NULL);
    assert_int_equal(bad.status, 1);
    assert_non_null(strstr(bad.err, "--smtp"));
    tu_run_free(&bad);
    daemon_free(&d);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_match_spec),
        cmocka_unit_test(test_openapi_walk),
        cmocka_unit_test(test_auth_matrix),
        cmocka_unit_test(test_customer_key_reaches_its_account_only),
        cmocka_unit_test(test_webhook_callback_is_signed),
        cmocka_unit_test(test_scan_route),
        cmocka_unit_test(test_decide_batch_route),
        cmocka_unit_test(test_gpc_support_resource),
        cmocka_unit_test(test_answer_reaches_the_person),
        cmocka_unit_test(test_outbox_through_an_smtp_relay),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_metrics_logs_schedule),
        cmocka_unit_test(test_streamed_ingest_survives_sigterm),
        cmocka_unit_test(test_concurrent_writers_one_chain),
        cmocka_unit_test(test_decisions_follow_changes_across_handles),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_daemon_runs_the_policy_the_store_applies),
        cmocka_unit_test(test_systemd_notify_and_reload),
        cmocka_unit_test(test_decision_facts_read_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
