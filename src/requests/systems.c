/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An erasure request in the policy's systems: each system is erased in
 * its own transaction and its progress kept on the request (pending or
 * done, attempts, rows, the last failure without values). The request is
 * completed only when every system is done; one that fails is tried again
 * with a back-off that doubles from a minute to six hours, by the sweep
 * or when the request is fulfilled again. Before the store's part runs,
 * so the person's identifiers are still there to find their rows.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests/request_int.h"
#include "requests/requests_sql.h"
#include "steward/systems.h"

#define RETRY_FIRST 60
#define RETRY_MAX (6 * 3600)
/* a webhook that took a job is sent it again (the same id) after this */
#define WAIT_CALLBACK (24 * 3600)

/* A database's message with whatever it quoted (a value, a key) left
 * out: "duplicate key '…'" keeps its sense, not the value. */
static void scrub(const char *in, char *out, size_t n)
{
    size_t k = 0;
    char quote = 0;
    for (const char *p = in; *p && k + 4 < n; p++) {
        if (quote) {
            if (*p == quote) {
                out[k++] = '.';
                out[k++] = '.';
                out[k++] = quote;
                quote = 0;
            }
            continue;
        }
        out[k++] = *p;
        if (*p == '\'' || *p == '"' || *p == '(')
            quote = *p == '(' ? ')' : *p;
    }
    out[k] = '\0';
}

typedef struct known {
    sw_request_system_row *rows;
    size_t n;
    bool nomem;
} known;

static int keep_row(const sw_request_system_row *r, void *p)
{
    known *k = p;
    sw_request_system_row *more = realloc(k->rows, (k->n + 1) * sizeof(*more));
    if (!more) {
        k->nomem = true;
        return 1;
    }
    k->rows = more;
    sw_request_system_row *c = &more[k->n++];
    *c = *r;
    c->request = c->system = c->state = c->error = NULL;
    /* only what is read later is kept: the system's id and state */
    c->system = strdup(r->system);
    c->state = strcmp(r->state, "done") == 0      ? "done"
               : strcmp(r->state, "waiting") == 0 ? "waiting"
                                                  : "pending";
    if (!c->system)
        k->nomem = true;
    return k->nomem;
}

static void known_free(known *k)
{
    for (size_t i = 0; i < k->n; i++)
        free((char *)k->rows[i].system);
    free(k->rows);
}

static const sw_request_system_row *known_of(const known *k, const char *sys)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->rows[i].system, sys) == 0)
            return &k->rows[i];
    return NULL;
}

static sw_status put(sw_store *s, const sw_request_system_row *r)
{
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK)
        st = sw_request_systems_put(s, r);
    if (st == SW_OK && strcmp(r->state, "pending") == 0)
        st = sw_audit_json(
            s, "system.erase_failed", NULL, json_pack("[s]", r->request),
            json_pack("{s:s, s:s, s:I, s:I, s:s}", "request", r->request,
                      "system", r->system, "attempts", (json_int_t)r->attempts,
                      "next_at", (json_int_t)r->next_at, "error", r->error));
    return sw_tx_end(s, st);
}

sw_status sw_request_systems_erase(sw_store *s, const sw_request_row *r,
                                   size_t *pending, char *names, size_t n)
{
    *pending = 0;
    names[0] = '\0';
    known k = {NULL, 0, false};
    sw_status st = sw_request_systems_of(s, r->id, keep_row, &k);
    if (st == SW_OK && k.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    sw_instant now = sw_clock_now(&s->clock);
    char done[512] = "";
    for (size_t i = 0; st == SW_OK && i < s->policy->n_systems; i++) {
        const sw_system *sys = &s->policy->systems[i];
        const sw_request_system_row *was = known_of(&k, sys->id);
        if (was && strcmp(was->state, "done") == 0) {
            size_t len = strlen(done);
            snprintf(done + len, sizeof(done) - len, "%s%s %lld row%s",
                     len ? ", " : "", sys->id, (long long)was->rows,
                     was->rows == 1 ? "" : "s");
            continue;
        }
        if (was && strcmp(was->state, "waiting") == 0 && was->next_at > now) {
            /* a webhook took the job: its callback is awaited */
            size_t len = strlen(names);
            snprintf(names + len, n > len ? n - len : 0,
                     "%s%s (its answer comes through the callback)",
                     len ? "; " : "", sys->id);
            (*pending)++;
            continue;
        }
        sw_system_erasure *e = NULL;
        sw_status one =
            sw_system_erase(s, r->subject, sys->id, r->id, false, &e);
        int64_t rows = 0;
        size_t kept = e ? e->kept : 0;
        bool accepted = false;
        for (size_t j = 0; e && j < e->n_steps; j++) {
            rows += (int64_t)e->steps[j].rows;
            accepted |= strcmp(e->steps[j].action, "accepted") == 0;
        }
        sw_system_erasure_free(e);
        if (one == SW_ERR_NOMEM) {
            st = one;
            break;
        }
        char error[384] = "";
        if (one != SW_OK)
            scrub(sw_errmsg(s), error, sizeof(error));
        int64_t attempts = (was ? was->attempts : 0) + 1;
        int64_t wait = RETRY_FIRST;
        for (int64_t a = 1; a < attempts && wait < RETRY_MAX; a++)
            wait *= 2;
        wait = wait < RETRY_MAX ? wait : RETRY_MAX;
        char job[SW_ID_BUFSZ];
        sw_webhook_job_id(s, r->id, sys->id, "erasure", job);
        const char *state = one != SW_OK ? "pending"
                            : accepted   ? "waiting"
                                         : "done";
        sw_request_system_row row = {r->id,
                                     sys->id,
                                     state,
                                     attempts,
                                     rows,
                                     one != SW_OK || accepted,
                                     now + (accepted ? WAIT_CALLBACK : wait),
                                     one == SW_OK ? NULL : error,
                                     now,
                                     sys->connector == SW_CONN_WEBHOOK ? job
                                                                       : NULL};
        if ((st = put(s, &row)) != SW_OK)
            break;
        if (one == SW_OK && !accepted) {
            size_t len = strlen(done);
            snprintf(done + len, sizeof(done) - len, "%s%s %lld row%s",
                     len ? ", " : "", sys->id, (long long)rows,
                     rows == 1 ? "" : "s");
            len = strlen(done);
            if (kept)
                snprintf(done + len, sizeof(done) - len, " (%zu kept by holds)",
                         kept);
        } else {
            size_t len = strlen(names);
            snprintf(names + len, n > len ? n - len : 0, "%s%s (%s)",
                     len ? "; " : "", sys->id,
                     accepted ? "its answer comes through the callback"
                              : error);
            (*pending)++;
        }
    }
    known_free(&k);
    if (st == SW_OK && !*pending)
        snprintf(names, n, "%s", done);
    return st;
}

static int system_json(const sw_request_system_row *r, void *p)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "system", r->system, "state",
                          r->state, "attempts", (json_int_t)r->attempts, "rows",
                          (json_int_t)r->rows);
    if (strcmp(r->state, "done") != 0) {
        char at[SW_INSTANT_BUFSZ];
        json_object_set_new(o, "next_attempt",
                            json_string(sw_instant_format(r->next_at, at)));
        json_object_set_new(o, "error", json_string(r->error ? r->error : ""));
    }
    json_array_append_new(p, o);
    return 0;
}

sw_status sw_request_systems(sw_store *s, const char *request, char **json)
{
    *json = NULL;
    json_t *list = json_array();
    sw_status st = sw_request_systems_of(s, request, system_json, list);
    if (st == SW_OK && !(*json = sw_json_text(list)))
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st != SW_OK)
        json_decref(list);
    return st;
}
