/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The consent service's tables (consent_sql.c): consents and their
 * history, objections, the suppression list, and the one read a purpose
 * decision makes. Private to libsteward; strings and blobs handed to
 * callbacks are borrowed for the call.
 */
#ifndef STEWARD_CONSENT_SQL_H
#define STEWARD_CONSENT_SQL_H

#include "ledger/ledger_sql.h"

/* A consent as stored (state names as in sw_consent_state_name). */
typedef struct sw_consent_row {
    const char *id, *subject, *purpose, *state;
    sw_instant state_at, created_at;
    bool has_given;
    sw_instant given_at;
    bool has_expiry;
    sw_instant expires_at;
    const char *method, *notice_version, *form; /* form may be NULL */
    bool parental;
    bool has_token;
    uint8_t token_hash[SW_HASH_BYTES];
    sw_instant token_expires;
} sw_consent_row;

typedef struct sw_objection_row {
    const char *id, *subject, *purpose;
    sw_instant at;
    const char *override_reason; /* NULL when not overridden */
    sw_instant override_at;
    const char *override_by;
} sw_objection_row;

typedef struct sw_suppression_row {
    uint8_t hash[SW_BLIND_BYTES];
    const char *channel;
    sw_instant since;
    const char *rule; /* the retention rule of the entry, or NULL */
    bool has_due;
    sw_instant due_at;
} sw_suppression_row;

/* Everything a purpose decision reads about one subject, in one look-up. */
typedef struct sw_facts {
    bool has_subject;
    char subject[SW_ID_BUFSZ];
    char kind[96];
    int64_t flags;
    bool has_minor;
    sw_instant minor_until;
    bool suppressed; /* asked for: the address, or every contact */
    sw_instant suppressed_since;
    bool has_consent; /* the newest consent to the purpose */
    char consent_id[SW_ID_BUFSZ], consent_state[16];
    sw_instant consent_at; /* of its state */
    bool has_given, has_expiry, parental;
    sw_instant given_at, expires_at;
    bool has_objection; /* the newest objection to the purpose */
    char objection_id[SW_ID_BUFSZ];
    sw_instant objection_at;
    bool overridden;
    bool ended; /* the business relationship ended, by now */
    sw_instant ended_at;
} sw_facts;

typedef int (*sw_consent_cb)(const sw_consent_row *r, void *ctx);
typedef int (*sw_objection_cb)(const sw_objection_row *r, void *ctx);
typedef int (*sw_suppression_cb)(const sw_suppression_row *r, void *ctx);
typedef int (*sw_change_cb)(const char *state, sw_instant at, const char *actor,
                            const char *note, void *ctx);

/* Inserts or replaces a consent by id. */
sw_status sw_consents_put(sw_store *s, const sw_consent_row *r);
/* One consent: by id, by its token's hash, or the newest of a subject
 * and purpose; SW_ERR_NOTFOUND ("no such consent") when there is none. */
sw_status sw_consents_get(sw_store *s, const char *id, sw_consent_cb cb,
                          void *ctx);
sw_status sw_consents_by_token(sw_store *s, const uint8_t hash[SW_HASH_BYTES],
                               sw_consent_cb cb, void *ctx);
sw_status sw_consents_latest(sw_store *s, const char *subject,
                             const char *purpose, sw_consent_cb cb, void *ctx);
/* A subject's consents, newest first. */
sw_status sw_consents_list(sw_store *s, const char *subject, sw_consent_cb cb,
                           void *ctx);
/* Given or renewed consents whose expires_at <= now. */
sw_status sw_consents_expiring(sw_store *s, sw_instant now, sw_consent_cb cb,
                               void *ctx);
/* Requested consents whose confirmation link expired at or before now. */
sw_status sw_consents_unconfirmed(sw_store *s, sw_instant now, sw_consent_cb cb,
                                  void *ctx);
/* Deletes a consent and its history. */
sw_status sw_consents_delete(sw_store *s, const char *id);
/* A timeline: every state a consent or a request went through, in order
 * (a table of key, seq, state, at, actor and a note). */
typedef struct sw_timeline {
    const char *table, *key, *note; /* the table and two of its columns */
    const char *what;               /* for messages */
} sw_timeline;
extern const sw_timeline sw_consent_timeline;

sw_status sw_timeline_add(sw_store *s, const sw_timeline *t, const char *id,
                          const char *state, sw_instant at, const char *actor,
                          const char *note);
/* Oldest first. */
sw_status sw_timeline_list(sw_store *s, const sw_timeline *t, const char *id,
                           sw_change_cb cb, void *ctx);

sw_status sw_objections_insert(sw_store *s, const sw_objection_row *r);
/* By id (purpose NULL) or the newest of a subject and purpose;
 * SW_ERR_NOTFOUND ("no such objection") when there is none. */
sw_status sw_objections_get(sw_store *s, const char *id, const char *subject,
                            const char *purpose, sw_objection_cb cb, void *ctx);
/* SW_ERR_CONFLICT when unknown or already overridden. */
sw_status sw_objections_override(sw_store *s, const char *id,
                                 const char *reason, sw_instant at,
                                 const char *by);

/* Inserts or keeps an entry (the first date stays). */
sw_status sw_suppression_rows_put(sw_store *s, const sw_suppression_row *r);
/* channel NULL: on every channel; *n: how many went. */
sw_status sw_suppression_rows_delete(sw_store *s,
                                     const uint8_t hash[SW_BLIND_BYTES],
                                     const char *channel, size_t *n);
/* Dates the entries of a hash kept under rule: its clock started at
 * trigger. */
sw_status sw_suppression_rows_set_due(sw_store *s,
                                      const uint8_t hash[SW_BLIND_BYTES],
                                      const char *rule, sw_instant trigger,
                                      sw_instant due);
typedef int (*sw_suppression_dated_cb)(const uint8_t hash[SW_BLIND_BYTES],
                                       const char *channel, const char *rule,
                                       sw_instant trigger, sw_instant due,
                                       void *ctx);
/* The entries dated under a rule whose clock's start is known. */
sw_status sw_suppression_rows_dated(sw_store *s, sw_suppression_dated_cb cb,
                                    void *ctx);
sw_status sw_suppression_rows_redue(sw_store *s,
                                    const uint8_t hash[SW_BLIND_BYTES],
                                    const char *channel, sw_instant due);
/* Deletes the entries due by now; *n: how many. */
sw_status sw_suppression_rows_sweep(sw_store *s, sw_instant now, size_t *n);
sw_status sw_suppression_rows_list(sw_store *s, sw_suppression_cb cb,
                                   void *ctx);

/* What to check of the suppression list in a decision. */
typedef enum sw_supp_check {
    SW_SUPP_NONE,    /* not a marketing purpose */
    SW_SUPP_ADDRESS, /* the address asked about */
    SW_SUPP_CONTACTS /* every e-mail address and phone of the subject */
} sw_supp_check;

/* The facts of a decision about purpose at now, for the subject that
 * holds blind (or the subject id). ended: the event types that end a
 * business relationship (NULL-ended). */
sw_status sw_decision_facts(sw_store *s, const uint8_t *blind,
                            const char *subject, sw_supp_check supp,
                            const char *purpose, const char *const *ended,
                            sw_instant now, sw_facts *out);

/* The facts of k decisions (k <= SW_FACTS_MANY) about purpose at now, one
 * for each address blinds[i] (out[i]), in one statement; as
 * sw_decision_facts for each. */
#define SW_FACTS_MANY 128
sw_status sw_decision_facts_many(sw_store *s,
                                 const uint8_t (*blinds)[SW_BLIND_BYTES],
                                 size_t k, sw_supp_check supp,
                                 const char *purpose, const char *const *ended,
                                 sw_instant now, sw_facts *out);

#endif
