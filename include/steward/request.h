/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-subject requests (GDPR Arts. 12 to 22, CCPA): intake, identity
 * verification by a one-time code, the states a request goes through and
 * the deadlines of each regulation. Every transition is audited with its
 * actor and reason.
 *
 * States: received -> verifying -> in_progress -> (extended) -> completed
 * | refused | withdrawn.
 *
 * Deadlines: GDPR Art. 12(3), one month from receipt (month-end clamping:
 * received Jan 31, due Feb 28/29), extendable once by two further months
 * before the first month ends. CCPA: acknowledged within 10 business days,
 * answered within 45 days, extendable once by 45 before the first 45 end;
 * the clock runs during verification.
 */
#ifndef STEWARD_REQUEST_H
#define STEWARD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/consent.h"
#include "steward/ledger.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_request_type {
    SW_REQ_ACCESS = 0,
    SW_REQ_PORTABILITY,
    SW_REQ_RECTIFICATION,
    SW_REQ_ERASURE,
    SW_REQ_RESTRICTION,
    SW_REQ_OBJECTION,
    SW_REQ_WITHDRAW_CONSENT,
    SW_REQ_KNOW_CATEGORIES,
    SW_REQ_TYPE_COUNT
} sw_request_type;

typedef enum sw_request_state {
    SW_RS_RECEIVED = 0,
    SW_RS_VERIFYING,
    SW_RS_IN_PROGRESS,
    SW_RS_EXTENDED,
    SW_RS_COMPLETED,
    SW_RS_REFUSED,
    SW_RS_WITHDRAWN,
} sw_request_state;

typedef enum sw_regulation { SW_GDPR = 0, SW_CCPA } sw_regulation;

/* Names as the CLI spells them ("access", "in_progress", "gdpr"); NULL
 * out of range. The parsers return false for an unknown name. */
const char *sw_request_type_name(sw_request_type t);
const char *sw_request_state_name(sw_request_state s);
const char *sw_regulation_name(sw_regulation r);
bool sw_request_type_parse(const char *name, sw_request_type *out);
bool sw_regulation_parse(const char *name, sw_regulation *out);

#define SW_CODE_DIGITS 6
#define SW_CODE_MINUTES 15
#define SW_CODE_ATTEMPTS 5

typedef struct sw_request_spec {
    sw_request_type type;
    sw_regulation regulation;
    const char *purpose; /* objection, withdraw_consent: the purpose (NULL:
                            every consent for withdraw_consent) */
    const char *agent;       /* an authorised agent (CCPA), or NULL */
    const char *agent_proof; /* the agent's authorisation, with agent */
    bool has_received;       /* false: now */
    sw_instant received;
} sw_request_spec;

typedef struct sw_request_view {
    char id[SW_ID_BUFSZ];
    sw_request_type type;
    sw_regulation regulation;
    sw_request_state state;
    char subject[SW_ID_BUFSZ];
    char purpose[96];
    char agent[128];
    sw_instant received_at, due_at;
    bool has_ack_due;
    sw_instant ack_due_at; /* CCPA */
    bool extended;
    sw_instant first_due_at; /* before any extension */
    bool closed;
    sw_instant closed_at;
    char outcome[512];
    int attempts;
} sw_request_view;

typedef struct sw_request_opened {
    sw_request_view req;
    /* The verification message to send to the identifier on file (the
     * platform sends it; steward keeps only the code's hash). */
    char code[SW_CODE_DIGITS + 1];
    char message[512];
} sw_request_opened;

/*
 * Opens a request from whoever the identifier (or subject id) names: only
 * an identifier steward already holds is accepted (CCPA: no new data is
 * asked for). A one-time code is issued at once (state verifying). A
 * request of the same type for the same subject still open is refused
 * (SW_ERR_CONFLICT, naming it). Audited.
 */
sw_status sw_request_open(sw_store *s, const sw_who *who,
                          const sw_request_spec *spec, sw_request_opened *out);

/* Checks a code. A wrong one counts an attempt (SW_ERR_DENIED); the fifth
 * wrong one refuses the request as unverified; an expired code is
 * SW_ERR_CONFLICT (ask for a new one). */
sw_status sw_request_verify(sw_store *s, const char *id, const char *code);

/* A new code for a request still verifying (the old one dies). */
sw_status sw_request_resend(sw_store *s, const char *id,
                            sw_request_opened *out);

/* Extends the deadline once (GDPR: by two months, CCPA: by 45 days), only
 * before the first deadline passes. Audited with the reason. */
sw_status sw_request_extend(sw_store *s, const char *id, const char *reason);

/* Refuses, with reasons; the answer names the right to complain to a
 * supervisory authority. *late: sent after the first deadline. */
sw_status sw_request_refuse(sw_store *s, const char *id, const char *reason,
                            bool *late);

/* The requester withdraws the request. */
sw_status sw_request_withdraw(sw_store *s, const char *id);

typedef enum sw_answer_format {
    SW_ANSWER_JSON = 0,
    SW_ANSWER_HTML, /* access */
    SW_ANSWER_CSV,  /* portability */
} sw_answer_format;

typedef struct sw_fulfil_options {
    sw_answer_format format;
    const char *record; /* rectification: the record to correct */
    const char *value;  /* rectification: its new value */
} sw_fulfil_options;

typedef struct sw_fulfilment {
    char outcome[512]; /* what was done, in words (kept with the request) */
    char *answer;      /* the answer to send, or NULL (caller frees) */
    size_t answer_len;
} sw_fulfilment;

/*
 * Fulfils a verified request and completes it:
 *  access          the data, decrypted (audited as a disclosure), with per
 *                  record the purposes, legal basis, categories,
 *                  recipients, transfers, retention, source; the rights
 *                  and the statement on automated decisions (JSON, HTML);
 *  portability     the data the subject provided, processed on consent or
 *                  contract (JSON, CSV);
 *  know_categories CCPA: the categories collected in the preceding 12
 *                  months, the categories of third parties, not sold;
 *  rectification   o->record gets o->value; the recipients to tell;
 *  erasure         deletes what may go, keeps what a hold, a legal
 *                  obligation or a legal claim requires and says why and
 *                  until when (Art. 17(3)); crypto-shreds when nothing is
 *                  kept; suppression entries stay;
 *  restriction, objection, withdraw_consent: through the consent ledger.
 * A subject processed for a customer (role processor) is not answered:
 * the answer is the forwarding notice to that customer.
 */
sw_status sw_request_fulfil(sw_store *s, const char *id,
                            const sw_fulfil_options *o, sw_fulfilment *out);

/* Deletes the records of closed requests whose retention (the policy's
 * rule counted from request_closed: 24 months in the bundled policy, CCPA
 * 7101) is over; the sweep calls it. *n: how many. */
sw_status sw_request_expire(sw_store *s, size_t *n);

/* A subject found to be a child under the policy's minimum age: erased at
 * once (notice section 14). Audited. */
sw_status sw_subject_child(sw_store *s, const char *subject,
                           sw_erase_result *out);

typedef struct sw_request_stats {
    size_t count[SW_REQ_TYPE_COUNT][2]; /* by type and regulation */
    size_t completed, refused, withdrawn, open, overdue;
    sw_instant median_days_x100; /* completion time, days x 100 */
    sw_instant max_days_x100;
} sw_request_stats;

/* Requests received since: counts, completion times, overdue ones. */
sw_status sw_request_stats_since(sw_store *s, sw_instant since,
                                 sw_request_stats *out);

sw_status sw_request_get(sw_store *s, const char *id, sw_request_view *out);

typedef struct sw_request_change {
    sw_request_state state;
    sw_instant at;
    char actor[128];
    char reason[512];
} sw_request_change;

/* A request's timeline, oldest first. */
sw_status sw_request_history(sw_store *s, const char *id,
                             int (*cb)(const sw_request_change *c, void *ctx),
                             void *ctx);

/* Open requests by due date; within > 0: only those due within that many
 * seconds of now; overdue: only those past due. */
sw_status sw_request_list(sw_store *s, bool overdue, sw_instant within,
                          int (*cb)(const sw_request_view *r, void *ctx),
                          void *ctx);

#ifdef __cplusplus
}
#endif

#endif
