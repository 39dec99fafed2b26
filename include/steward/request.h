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
 * Deadlines, on the calendars of the policy (steward/calendar.h): GDPR
 * Art. 12(3), one month from the day of receipt in the controller's time
 * zone (received Jan 31, due Feb 28/29), moved to the next working day
 * when it ends on a weekend or public holiday, due at 23:59:59 local;
 * extendable once by two further months before the first deadline. CCPA:
 * acknowledged within 10 business days, answered within 45 days,
 * extendable once by 45 before the first 45 end; the clock runs during
 * verification. docs/requests.md gives every rule with its source.
 */
#ifndef STEWARD_REQUEST_H
#define STEWARD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/consent.h"
#include "steward/ident.h"
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
    const char *purpose;     /* objection, withdraw_consent: the purpose (NULL:
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
    /* at the store's "now": past its deadline (and open), and the working
     * days left on its regulation's calendar (negative: since it passed) */
    bool overdue;
    long working_days_left;
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
 * wrong one ends the code, never the request (a stranger's guesses must not
 * cancel it); an expired or ended code is SW_ERR_CONFLICT (ask for a new
 * one with sw_request_resend). */
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
    /* the privacy centre's address the download link starts with
     * ("https://privacy.example.com"), or NULL: the link is a path */
    const char *link_base;
} sw_fulfil_options;

/* A completed access or portability answer kept, encrypted, for the
 * requester to download from the privacy centre until expires_at (the
 * policy's requests.answer_download), and the message that tells them,
 * to the verified address. The caller sends it, then wipes this. */
typedef struct sw_answer_link {
    bool ready;     /* false: not kept (another type, or no period stated) */
    char token[65]; /* the link's secret; the store keeps a keyed hash */
    sw_instant expires_at;
    char channel[8];       /* "email" or "sms" */
    char to[SW_IDENT_MAX]; /* the address on file */
    char subject[96];
    char body[1024]; /* holds the link */
} sw_answer_link;

typedef struct sw_fulfilment {
    char outcome[512]; /* what was done, in words (kept with the request) */
    char *answer;      /* the answer to send, or NULL (caller frees) */
    size_t answer_len;
    sw_answer_link link;
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
 * An access or portability answer is also kept for download when the
 * policy states requests.answer_download: out->link.
 */
sw_status sw_request_fulfil(sw_store *s, const char *id,
                            const sw_fulfil_options *o, sw_fulfilment *out);

/* An erasure in the policy's systems (steward/systems.h): each system
 * is erased before the store, in its own transaction, and its progress
 * kept on the request. While one is not done the request stays open:
 * sw_request_fulfil fails with SW_ERR_BUSY naming the systems waiting,
 * and the sweep tries them again (a back-off doubling from a minute to six
 * hours) through sw_request_systems_retry, completing the request once
 * all are done. */
sw_status sw_request_systems_retry(sw_store *s, size_t *completed,
                                   size_t *waiting);
/* A request's progress in each system, as JSON (caller frees): an array
 * of {system, state (pending, done), attempts, rows, next_attempt,
 * error}. */
sw_status sw_request_systems(sw_store *s, const char *request, char **json);

/* What a webhook system's callback did (sw_request_system_callback). */
typedef struct sw_system_callback {
    char request[SW_ID_BUFSZ];
    char job[SW_ID_BUFSZ];
    bool done;      /* the system says it erased (false: it failed) */
    bool completed; /* every system is done: the request is completed */
} sw_system_callback;

/* A webhook system's later answer to an erasure job: body {"job": ID,
 * "status": "done"|"failed", "erased": N, "error": TEXT}, checked with
 * sw_webhook_verify (SW_ERR_DENIED: forged, for another system, or
 * older than five minutes). A job already done is SW_ERR_CONFLICT (a
 * replay changes nothing); an unknown one SW_ERR_NOTFOUND. "done" marks
 * the system done and, when it was the last, completes the request;
 * "failed" sends the job again after the back-off. Audited. */
sw_status sw_request_system_callback(sw_store *s, const char *system,
                                     const char *timestamp,
                                     const char *signature, const char *body,
                                     size_t n, sw_system_callback *out);

/* A kept answer, fetched with its link's token. */
typedef struct sw_answer_file {
    char *data; /* the answer (caller wipes and frees) */
    size_t len;
    char mime[48];     /* application/json, text/html, text/csv */
    char filename[80]; /* "answer-REQ.json" */
} sw_answer_file;

/* The answer kept for request, given the token of its link: SW_ERR_DENIED
 * alike for an unknown request, a wrong token and an expired answer
 * (nothing tells them apart). Audited ("answer.fetch"), with how many
 * times it was fetched. */
sw_status sw_answer_fetch(sw_store *s, const char *request, const char *token,
                          sw_answer_file *out);

/* Deletes the kept answers whose download period is over; the sweep
 * calls it. *n: how many. Audited ("answer.expire"). */
sw_status sw_answer_expire(sw_store *s, size_t *n);

/* Deletes the records of closed requests whose retention (the policy's
 * rule counted from request_closed: 24 months in the bundled policy, CCPA
 * 7101) is over; the sweep calls it. *n: how many. */
sw_status sw_request_expire(sw_store *s, size_t *n);
/* Closes, as refused, the requests still waiting for their requester to
 * verify who they are when their deadline has passed (an unverified
 * request is not kept open for ever); *n: how many. Audited
 * ("request.lapse"). The sweep runs it. */
sw_status sw_request_lapse(sw_store *s, size_t *n);

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

/* ---- the privacy centre's public door ----
 *
 * A stranger must learn nothing from it: every filing gets a fresh ticket
 * of one form whether the address is held or not; messages go within
 * limits per address that apply alike to held and unknown addresses;
 * wrong codes end a code, never a request; a request's state shows only
 * with the session its verification gave. Limits per address and per
 * client are kept in the store (several daemons share them) and back off:
 * each time a limit is passed again, the wait doubles, up to
 * max_backoff. */

typedef struct sw_public_limits {
    unsigned messages_per_hour;        /* to one address (default 3) */
    unsigned messages_per_day;         /* to one address (10) */
    unsigned attempts_per_hour;        /* codes tried for one address (10) */
    unsigned client_filings_per_hour;  /* from one client (20) */
    unsigned client_attempts_per_hour; /* from one client (30) */
    sw_instant max_backoff;            /* seconds (86400) */
    sw_instant ticket_life;  /* a ticket can be verified for (7 days) */
    sw_instant session_life; /* a verified ticket shows its state for
                                (90 days) */
} sw_public_limits;

/* The defaults above. */
void sw_public_limits_init(sw_public_limits *l);

typedef struct sw_public_filing {
    char ticket[SW_ID_BUFSZ]; /* the number the person is given */
    /* A message to deliver when send (the caller sends it, then wipes
     * this struct: it may hold a code). */
    bool send;
    char channel[8];       /* "email" or "sms" */
    char to[SW_IDENT_MAX]; /* the address in its normal form */
    char subject[96];
    char body[512];
    sw_instant retry_after; /* SW_ERR_RATE: seconds to wait */
} sw_public_filing;

/*
 * Files a request at the public door for the holder of ident (an e-mail
 * address or a phone number) on behalf of client (the caller's address,
 * for its limit; kept only as a keyed hash). spec may not name an agent
 * or a receipt date (those go through the privacy team). SW_OK with a
 * ticket whether or not the address is held; SW_ERR_INVALID for input that
 * is wrong whoever asks; SW_ERR_RATE when the client filed too often
 * (retry_after). Filing again for an open request keeps its code while it
 * is valid. Audited.
 */
sw_status sw_public_file(sw_store *s, const sw_public_limits *l,
                         const char *client, const sw_ident *ident,
                         const sw_request_spec *spec, sw_public_filing *out);

/* A request as the person sees it at the public door: its ticket, type,
 * state and dates; never its subject, agent or code. */
typedef struct sw_public_request {
    char id[SW_ID_BUFSZ]; /* the ticket */
    sw_request_type type;
    sw_request_state state;
    sw_instant received_at, due_at;
    bool extended;
    bool closed;
    sw_instant closed_at;
    char outcome[512];
} sw_public_request;

typedef struct sw_public_verified {
    sw_public_request req;
    char session[65]; /* shows the state with sw_public_status */
    sw_instant session_until;
    sw_instant retry_after; /* SW_ERR_RATE: seconds to wait */
} sw_public_verified;

/*
 * Checks the code sent for a ticket. SW_OK with a session; SW_ERR_DENIED
 * alike for a wrong code, an unknown, decoy or expired ticket and a
 * request no longer verifying; SW_ERR_RATE (retry_after) when the client
 * or the address tried too often. Never refuses or cancels a request.
 */
sw_status sw_public_verify(sw_store *s, const sw_public_limits *l,
                           const char *client, const char *ticket,
                           const char *code, sw_public_verified *out);

/* The state of a verified ticket's request, with the session its
 * verification gave; SW_ERR_DENIED alike for anything else. */
sw_status sw_public_status(sw_store *s, const char *ticket, const char *session,
                           sw_public_request *out);

#ifdef __cplusplus
}
#endif

#endif
