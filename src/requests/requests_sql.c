/* SPDX-License-Identifier: Apache-2.0 */
/* The requests' SQL: requests, their timelines, the public door's state. */
#include <stdio.h>
#include <string.h>

#include "requests/requests_sql.h"
#include "store/sql.h"

#define REQUEST_COLUMNS                                                        \
    "id, type, regulation, subject_id, purpose, state, agent, agent_proof,"    \
    " outcome, received_at, due_at, first_due_at, ack_due_at, extended,"       \
    " closed_at, code_hash, code_expires, attempts, via_bi"

static void request_row_of(const sw_row *r, sw_request_row *o)
{
    const char **text[] = {&o->id,      &o->type,        &o->regulation,
                           &o->subject, &o->purpose,     &o->state,
                           &o->agent,   &o->agent_proof, &o->outcome};
    for (int i = 0; i < 9; i++)
        *text[i] = sw_row_text(r, i);
    o->received_at = sw_row_int(r, 9);
    o->due_at = sw_row_int(r, 10);
    o->first_due_at = sw_row_int(r, 11);
    o->has_ack_due = !sw_row_null(r, 12);
    o->ack_due_at = sw_row_int(r, 12);
    o->extended = sw_row_int(r, 13) != 0;
    o->closed = !sw_row_null(r, 14);
    o->closed_at = sw_row_int(r, 14);
    o->has_code = sw_row_blob_into(r, 15, o->code_hash, SW_HASH_BYTES);
    o->code_expires = sw_row_int(r, 16);
    o->attempts = (int)sw_row_int(r, 17);
    o->has_via = sw_row_blob_into(r, 18, o->via_bi, SW_BLIND_BYTES);
}
SW_ROWS(request_rows, sw_request_row, request_row_of)

sw_status sw_requests_put(sw_store *s, const sw_request_row *r)
{
    return sw_sql_run(
        s, "storing a request",
        "INSERT INTO requests(" REQUEST_COLUMNS ") VALUES(?1,?2,?3,?4,?5,?6,"
        "?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19) ON CONFLICT(id) DO"
        " UPDATE SET type = excluded.type, regulation = excluded.regulation,"
        " subject_id = excluded.subject_id, purpose = excluded.purpose,"
        " state = excluded.state, agent = excluded.agent, agent_proof ="
        " excluded.agent_proof, outcome = excluded.outcome, received_at ="
        " excluded.received_at, due_at = excluded.due_at, first_due_at ="
        " excluded.first_due_at, ack_due_at = excluded.ack_due_at, extended"
        " = excluded.extended, closed_at = excluded.closed_at, code_hash ="
        " excluded.code_hash, code_expires = excluded.code_expires,"
        " attempts = excluded.attempts, via_bi = excluded.via_bi",
        SW_ARGS(
            sw_v_text(r->id), sw_v_text(r->type), sw_v_text(r->regulation),
            sw_v_text(r->subject), sw_v_text(r->purpose), sw_v_text(r->state),
            sw_v_text(r->agent), sw_v_text(r->agent_proof),
            sw_v_text(r->outcome), sw_v_int(r->received_at),
            sw_v_int(r->due_at), sw_v_int(r->first_due_at),
            sw_v_opt(r->has_ack_due, r->ack_due_at), sw_v_int(r->extended),
            sw_v_opt(r->closed, r->closed_at),
            r->has_code ? sw_v_blob(r->code_hash, SW_HASH_BYTES) : sw_v_null(),
            sw_v_opt(r->has_code, r->code_expires), sw_v_int(r->attempts),
            r->has_via ? sw_v_blob(r->via_bi, SW_BLIND_BYTES) : sw_v_null()),
        NULL);
}

static sw_status one_request(sw_store *s, const char *sql, const sw_val *args,
                             size_t n, sw_request_cb cb, void *ctx)
{
    request_rows_ctx c = {cb, ctx};
    sw_status st =
        sw_sql_one(s, "reading requests", sql, args, n, request_rows, &c);
    return st == SW_ERR_NOTFOUND ? sw_fail(s, st, "no such request") : st;
}

sw_status sw_requests_get(sw_store *s, const char *id, sw_request_cb cb,
                          void *ctx)
{
    return one_request(s,
                       "SELECT " REQUEST_COLUMNS " FROM requests WHERE id = ?1",
                       SW_ARGS(sw_v_text(id)), cb, ctx);
}

sw_status sw_requests_open_of(sw_store *s, const char *subject,
                              const char *type, sw_request_cb cb, void *ctx)
{
    return one_request(s,
                       "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                       " subject_id = ?1 AND type = ?2 AND closed_at IS NULL",
                       SW_ARGS(sw_v_text(subject), sw_v_text(type)), cb, ctx);
}

static sw_status many(sw_store *s, const char *sql, const sw_val *args,
                      size_t n, sw_request_cb cb, void *ctx)
{
    request_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading requests", sql, args, n, request_rows, &c);
}

sw_status sw_requests_open(sw_store *s, sw_request_cb cb, void *ctx)
{
    return many(s,
                "SELECT " REQUEST_COLUMNS " FROM requests WHERE closed_at IS"
                " NULL ORDER BY due_at, id",
                SW_NOARGS, cb, ctx);
}

sw_status sw_requests_closed_before(sw_store *s, sw_instant before,
                                    sw_request_cb cb, void *ctx)
{
    return many(s,
                "SELECT " REQUEST_COLUMNS " FROM requests WHERE closed_at < ?1"
                " ORDER BY closed_at, id",
                SW_ARGS(sw_v_int(before)), cb, ctx);
}

sw_status sw_requests_since(sw_store *s, sw_instant since, sw_request_cb cb,
                            void *ctx)
{
    return many(s,
                "SELECT " REQUEST_COLUMNS " FROM requests WHERE"
                " received_at >= ?1 ORDER BY received_at, id",
                SW_ARGS(sw_v_int(since)), cb, ctx);
}

sw_status sw_requests_delete(sw_store *s, const char *id)
{
    sw_status st =
        sw_sql_run(s, "deleting a request",
                   "DELETE FROM request_changes WHERE request_id = ?1",
                   SW_ARGS(sw_v_text(id)), NULL);
    if (st == SW_OK)
        st = sw_sql_run(s, "deleting a request",
                        "DELETE FROM answers WHERE request_id = ?1",
                        SW_ARGS(sw_v_text(id)), NULL);
    if (st == SW_OK)
        st = sw_sql_run(s, "deleting a request",
                        "DELETE FROM request_systems WHERE request_id = ?1",
                        SW_ARGS(sw_v_text(id)), NULL);
    return st == SW_OK ? sw_sql_run(s, "deleting a request",
                                    "DELETE FROM requests WHERE id = ?1",
                                    SW_ARGS(sw_v_text(id)), NULL)
                       : st;
}

const sw_timeline sw_request_timeline = {"request_changes", "request_id",
                                         "reason", "a request's timeline"};

/* ---- the public door's small state ---- */

sw_status sw_public_state_get(sw_store *s, const char *kind,
                              const uint8_t key[SW_BLIND_BYTES], char *value,
                              size_t n)
{
    return sw_sql_text(
        s, "reading the public door's state",
        "SELECT value FROM public_state WHERE kind = ?1 AND key = ?2",
        SW_ARGS(sw_v_text(kind), sw_v_blob(key, SW_BLIND_BYTES)), value, n);
}

sw_status sw_public_state_put(sw_store *s, const char *kind,
                              const uint8_t key[SW_BLIND_BYTES],
                              const char *value, sw_instant due)
{
    return sw_sql_run(
        s, "writing the public door's state",
        "INSERT INTO public_state(kind, key, value, due_at) VALUES(?1, ?2,"
        " ?3, ?4) ON CONFLICT(kind, key) DO UPDATE SET value ="
        " excluded.value, due_at = excluded.due_at",
        SW_ARGS(sw_v_text(kind), sw_v_blob(key, SW_BLIND_BYTES),
                sw_v_text(value), sw_v_int(due)),
        NULL);
}

sw_status sw_public_state_sweep(sw_store *s, sw_instant now, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(s, "sweeping the public door's state",
                              "DELETE FROM public_state WHERE due_at <= ?1",
                              SW_ARGS(sw_v_int(now)), &k);
    *n = (size_t)k;
    return st;
}

/* ---- an erasure's progress in each system ---- */

sw_status sw_request_systems_put(sw_store *s, const sw_request_system_row *r)
{
    return sw_sql_run(
        s, "recording a system's progress",
        "INSERT INTO request_systems(request_id, system, state, attempts,"
        " rows, next_at, error, updated_at, job)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)"
        " ON CONFLICT(request_id, system) DO UPDATE SET state ="
        " excluded.state, attempts = excluded.attempts, rows ="
        " excluded.rows, next_at = excluded.next_at, error = excluded.error,"
        " updated_at = excluded.updated_at, job = excluded.job",
        SW_ARGS(sw_v_text(r->request), sw_v_text(r->system),
                sw_v_text(r->state), sw_v_int(r->attempts), sw_v_int(r->rows),
                sw_v_opt(r->has_next, r->next_at), sw_v_text(r->error),
                sw_v_int(r->updated_at), sw_v_text(r->job)),
        NULL);
}

/* The columns system_row_of reads, in its order. */
#define SYSTEM_ROW_COLUMNS                                                     \
    "SELECT request_id, system, state, attempts, rows, next_at, error,"        \
    " updated_at, job FROM request_systems"

static void system_row_of(const sw_row *r, sw_request_system_row *o)
{
    o->request = sw_row_text(r, 0);
    o->system = sw_row_text(r, 1);
    o->state = sw_row_text(r, 2);
    o->attempts = sw_row_int(r, 3);
    o->rows = sw_row_int(r, 4);
    o->has_next = !sw_row_null(r, 5);
    o->next_at = sw_row_int(r, 5);
    o->error = sw_row_text(r, 6);
    o->updated_at = sw_row_int(r, 7);
    o->job = sw_row_text(r, 8);
}
SW_ROWS(system_rows, sw_request_system_row, system_row_of)

sw_status sw_request_systems_of(sw_store *s, const char *request,
                                int (*cb)(const sw_request_system_row *r,
                                          void *ctx),
                                void *ctx)
{
    system_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading a request's systems",
                  SYSTEM_ROW_COLUMNS " WHERE request_id = ?1 ORDER BY system",
                  SW_ARGS(sw_v_text(request)), system_rows, &c);
}

sw_status sw_request_systems_job(sw_store *s, const char *job,
                                 int (*cb)(const sw_request_system_row *r,
                                           void *ctx),
                                 void *ctx)
{
    system_rows_ctx c = {cb, ctx};
    return sw_sql_one(s, "reading a webhook's job",
                      SYSTEM_ROW_COLUMNS " WHERE job = ?1",
                      SW_ARGS(sw_v_text(job)), system_rows, &c);
}

typedef struct id_rows {
    int (*cb)(const char *request, void *ctx);
    void *ctx;
} id_rows;

static int request_id_row(const sw_row *r, void *p)
{
    id_rows *c = p;
    return c->cb(sw_row_text(r, 0), c->ctx);
}

sw_status sw_request_systems_due(sw_store *s, sw_instant now,
                                 int (*cb)(const char *request, void *ctx),
                                 void *ctx)
{
    id_rows c = {cb, ctx};
    return sw_sql(s, "reading the systems to retry",
                  "SELECT DISTINCT q.request_id FROM request_systems q"
                  " JOIN requests r ON r.id = q.request_id"
                  " WHERE q.state IN ('pending', 'waiting') AND q.next_at <= ?1"
                  " AND r.closed_at IS NULL ORDER BY q.request_id",
                  SW_ARGS(sw_v_int(now)), request_id_row, &c);
}

/* ---- kept answers ---- */

sw_status sw_answers_put(sw_store *s, const sw_answer_row *r)
{
    sw_status st = sw_sql_run(s, "keeping an answer",
                              "DELETE FROM answers WHERE request_id = ?1",
                              SW_ARGS(sw_v_text(r->request)), NULL);
    if (st != SW_OK)
        return st;
    return sw_sql_run(
        s, "keeping an answer",
        "INSERT INTO answers(request_id, token_hash, mime, sealed,"
        " wrapped_key, created_at, expires_at, fetches)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,0)",
        SW_ARGS(sw_v_text(r->request), sw_v_blob(r->token_hash, SW_BLIND_BYTES),
                sw_v_text(r->mime), sw_v_blob(r->sealed, r->sealed_len),
                sw_v_blob(r->wrapped, r->wrapped_len), sw_v_int(r->created_at),
                sw_v_int(r->expires_at)),
        NULL);
}

static void answer_row_of(const sw_row *r, sw_answer_row *a)
{
    a->request = sw_row_text(r, 0);
    a->mime = sw_row_text(r, 1);
    a->sealed = sw_row_blob(r, 2, &a->sealed_len);
    a->wrapped = sw_row_blob(r, 3, &a->wrapped_len);
    a->created_at = sw_row_int(r, 4);
    a->expires_at = sw_row_int(r, 5);
    a->fetches = sw_row_int(r, 6);
}
SW_ROWS(answer_rows, sw_answer_row, answer_row_of)

sw_status sw_answers_get(sw_store *s, const char *request,
                         const uint8_t token_hash[SW_BLIND_BYTES],
                         sw_instant now,
                         int (*cb)(const sw_answer_row *r, void *ctx),
                         void *ctx)
{
    answer_rows_ctx c = {cb, ctx};
    return sw_sql_one(
        s, "reading an answer",
        "SELECT request_id, mime, sealed, wrapped_key, created_at,"
        " expires_at, fetches FROM answers WHERE request_id = ?1"
        " AND token_hash = ?2 AND expires_at > ?3",
        SW_ARGS(sw_v_text(request), sw_v_blob(token_hash, SW_BLIND_BYTES),
                sw_v_int(now)),
        answer_rows, &c);
}

sw_status sw_answers_fetched(sw_store *s, const char *request)
{
    return sw_sql_run(s, "counting a fetch",
                      "UPDATE answers SET fetches = fetches + 1"
                      " WHERE request_id = ?1",
                      SW_ARGS(sw_v_text(request)), NULL);
}

sw_status sw_answers_expire(sw_store *s, sw_instant now, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(s, "deleting expired answers",
                              "DELETE FROM answers WHERE expires_at <= ?1",
                              SW_ARGS(sw_v_int(now)), &k);
    *n = (size_t)k;
    return st;
}
