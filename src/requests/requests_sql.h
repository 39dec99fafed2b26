/* SPDX-License-Identifier: Apache-2.0 */
/* The requests' tables (requests_sql.c): data-subject requests and their
 * timelines, and the public door's small state. Private to libsteward;
 * strings handed to callbacks are borrowed for the call. */
#ifndef STEWARD_REQUESTS_SQL_H
#define STEWARD_REQUESTS_SQL_H

#include "consent/consent_sql.h"

/* A data-subject request as stored (names as in request.h). */
typedef struct sw_request_row {
    const char *id, *type, *regulation, *subject, *purpose, *state;
    const char *agent, *agent_proof, *outcome; /* may be NULL */
    sw_instant received_at, due_at, first_due_at;
    bool has_ack_due;
    sw_instant ack_due_at;
    bool extended;
    bool closed;
    sw_instant closed_at;
    bool has_code;
    uint8_t code_hash[SW_HASH_BYTES];
    sw_instant code_expires;
    int attempts;
    /* the address the code went to, by its blind index (the identifiers'):
     * where the answer goes too */
    bool has_via;
    uint8_t via_bi[SW_BLIND_BYTES];
} sw_request_row;

typedef int (*sw_request_cb)(const sw_request_row *r, void *ctx);

/* Inserts or replaces a request by id. */
sw_status sw_requests_put(sw_store *s, const sw_request_row *r);
/* SW_ERR_NOTFOUND ("no such request") when there is none. */
sw_status sw_requests_get(sw_store *s, const char *id, sw_request_cb cb,
                          void *ctx);
/* The open request of a type for a subject (SW_ERR_NOTFOUND if none). */
sw_status sw_requests_open_of(sw_store *s, const char *subject,
                              const char *type, sw_request_cb cb, void *ctx);
/* Open requests, by due date. */
sw_status sw_requests_open(sw_store *s, sw_request_cb cb, void *ctx);
/* Closed requests, closed before before, oldest first. */
sw_status sw_requests_closed_before(sw_store *s, sw_instant before,
                                    sw_request_cb cb, void *ctx);
/* Requests received at or after since, oldest first. */
sw_status sw_requests_since(sw_store *s, sw_instant since, sw_request_cb cb,
                            void *ctx);
/* Deletes a request and its timeline. */
sw_status sw_requests_delete(sw_store *s, const char *id);
/* The timeline of a request (sw_timeline_add, sw_timeline_list). */
extern const sw_timeline sw_request_timeline;

/* An erasure's progress in one of the policy's systems. */
typedef struct sw_request_system_row {
    /* state: pending (to be tried again), waiting (a webhook took the job
     * and answers later), done */
    const char *request, *system, *state;
    int64_t attempts, rows;
    bool has_next;
    sw_instant next_at; /* a pending one is tried again from then */
    const char *error;  /* the last failure (no values), or NULL */
    sw_instant updated_at;
    const char *job; /* a webhook's job id, or NULL */
} sw_request_system_row;

sw_status sw_request_systems_put(sw_store *s, const sw_request_system_row *r);
/* The systems of a request, by system. */
sw_status sw_request_systems_of(sw_store *s, const char *request,
                                int (*cb)(const sw_request_system_row *r,
                                          void *ctx),
                                void *ctx);
/* The request and system of a webhook's job (SW_ERR_NOTFOUND, no
 * message, when none). */
sw_status sw_request_systems_job(sw_store *s, const char *job,
                                 int (*cb)(const sw_request_system_row *r,
                                           void *ctx),
                                 void *ctx);
/* The open requests with a system pending or waiting whose retry is due
 * at now. */
sw_status sw_request_systems_due(sw_store *s, sw_instant now,
                                 int (*cb)(const char *request, void *ctx),
                                 void *ctx);

/* A kept answer (its data sealed under its own wrapped key). */
typedef struct sw_answer_row {
    const char *request;
    const uint8_t *token_hash; /* SW_BLIND_BYTES */
    const char *mime;
    const uint8_t *sealed;
    size_t sealed_len;
    const uint8_t *wrapped;
    size_t wrapped_len;
    sw_instant created_at, expires_at;
    int64_t fetches;
} sw_answer_row;

/* Inserts or replaces the answer of a request. */
sw_status sw_answers_put(sw_store *s, const sw_answer_row *r);
/* The answer of request whose token hashes to token_hash and that has not
 * expired at now; SW_ERR_NOTFOUND (no message) otherwise. cb gets it. */
sw_status sw_answers_get(sw_store *s, const char *request,
                         const uint8_t token_hash[SW_BLIND_BYTES],
                         sw_instant now,
                         int (*cb)(const sw_answer_row *r, void *ctx),
                         void *ctx);
sw_status sw_answers_fetched(sw_store *s, const char *request);
/* Deletes the answers expired by now; *n: how many. */
sw_status sw_answers_expire(sw_store *s, sw_instant now, size_t *n);

/* The public door's state: a value (text, n bytes) under a kind and a
 * keyed hash until it is due; SW_ERR_NOTFOUND (no message) when none. */
sw_status sw_public_state_get(sw_store *s, const char *kind,
                              const uint8_t key[SW_BLIND_BYTES], char *value,
                              size_t n);
sw_status sw_public_state_put(sw_store *s, const char *kind,
                              const uint8_t key[SW_BLIND_BYTES],
                              const char *value, sw_instant due);
/* Deletes what is due by now; *n: how many. */
sw_status sw_public_state_sweep(sw_store *s, sw_instant now, size_t *n);

#endif
