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

/*
 * Fulfils a verified request of type restriction, objection or
 * withdraw_consent through the consent ledger and completes it; other
 * types are refused with SW_ERR_UNSUPPORTED for now (see docs/requests.md).
 * outcome (n bytes) says what was done.
 */
sw_status sw_request_complete(sw_store *s, const char *id, char *outcome,
                              size_t n);

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
