/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger's tables (ledger_sql.c): subjects, identifiers, records and
 * lifecycle events. Rows carry only ids, blind indexes, ciphertext and
 * timestamps. Private to libsteward; every function returns a status and
 * leaves a message on the handle; strings and blobs handed to callbacks
 * are borrowed for the call.
 */
#ifndef STEWARD_LEDGER_SQL_H
#define STEWARD_LEDGER_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steward/ledger.h"
#include "store/store_int.h"

/* What an event or a hold applies to (the scope column). Numbers, so that
 * SQL text names them too: SQL_EV_ACCOUNT is "2". */
#define SW_EV_RECORD 0
#define SW_EV_SUBJECT 1
#define SW_EV_ACCOUNT 2
#define SW_EV_TENANT 3
#define SW_EV_ACTIVITY 4 /* holds only */
#define SW_EV_EVENT 5    /* an event entity (its id, as given): its records */
typedef int sw_scope_kind;

/* An account or tenant name (under 256 bytes) once sealed. */
#define SW_SEALED_NAME_MAX 512

#define SW_Q(x) SW_Q_(x)
#define SW_Q_(x) #x
/* The scopes as SQL text: "scope = " SQL_EV_ACCOUNT. */
#define SQL_EV_RECORD SW_Q(SW_EV_RECORD)
#define SQL_EV_SUBJECT SW_Q(SW_EV_SUBJECT)
#define SQL_EV_ACCOUNT SW_Q(SW_EV_ACCOUNT)
#define SQL_EV_TENANT SW_Q(SW_EV_TENANT)
#define SQL_EV_ACTIVITY SW_Q(SW_EV_ACTIVITY)
#define SQL_EV_EVENT SW_Q(SW_EV_EVENT)

typedef struct sw_subject_row {
    char id[SW_ID_BUFSZ];
    char kind[96];
    char role[16];
    bool has_account, has_tenant;
    uint8_t account_bi[SW_BLIND_BYTES];
    uint8_t tenant_bi[SW_BLIND_BYTES];
    /* the account and tenant sealed under the subject key (lengths 0:
     * none, or the key was destroyed) */
    uint8_t account_enc[SW_SEALED_NAME_MAX];
    size_t account_enc_len;
    uint8_t tenant_enc[SW_SEALED_NAME_MAX];
    size_t tenant_enc_len;
    bool has_key; /* false once the key is destroyed */
    uint8_t wrapped_key[SW_WRAPPED_BYTES];
    sw_instant created_at;
    int64_t flags; /* SW_SUBJ_* */
    bool has_minor;
    sw_instant minor_until; /* a child until then (Art. 8) */
} sw_subject_row;

#define SW_SUBJ_RESTRICTED 1 /* processing restricted (Art. 18) */

typedef struct sw_ident_row {
    uint8_t blind[SW_BLIND_BYTES];
    const char *type;
    const char *subject;
    const uint8_t *value; /* sealed */
    size_t value_len;
    sw_instant created_at;
} sw_ident_row;

typedef struct sw_record_row {
    const char *id;
    const char *subject;
    const char *activity;
    const char *category;
    const uint8_t *value; /* sealed; NULL in a sweep's rows */
    size_t value_len;
    const char *source; /* may be NULL */
    sw_instant collected_at;
    bool has_due;
    sw_instant due_at;
    const char *rule;  /* may be NULL */
    const char *event; /* the event entity it belongs to, or NULL */
} sw_record_row;

typedef struct sw_event_row {
    const char *id;
    const char *type;
    sw_scope_kind scope;
    const uint8_t *key; /* record/subject id bytes, or a blind index */
    size_t key_len;
    sw_instant at;
    sw_instant recorded_at;
} sw_event_row;

/* The scopes an event may apply to a record through, for one look-up. */
typedef struct sw_event_keys {
    const char *event; /* the record's event entity, or NULL */
    const char *record;
    const char *subject;
    const uint8_t *account_bi; /* NULL when the subject has no account */
    const uint8_t *tenant_bi;
} sw_event_keys;

typedef int (*sw_subject_id_cb)(const char *id, void *ctx);
typedef int (*sw_ident_cb)(const sw_ident_row *r, void *ctx);
typedef int (*sw_record_cb)(const sw_record_row *r, void *ctx);

/* The blind index that names an account in subjects, events and holds
 * (ledger.c), and the key it is made under (for sw_blind_under on another
 * thread; wipe it after). */
void sw_account_blind(sw_store *s, const char *account,
                      uint8_t out[SW_BLIND_BYTES]);
void sw_account_blind_key(sw_store *s, uint8_t tkey[SW_KEY_BYTES]);

/* A record whose due date or rule a policy change moves: row as stored,
 * due as the store's policy now gives it. Non-zero stops. */
typedef int (*sw_redate_cb)(const sw_record_row *row, const sw_due *due,
                            void *ctx);
/* Recomputes, under the store's policy, the due date of every record of
 * activity; each one that moves goes to cb, then (unless dry) is
 * written. A record the policy now gives no date keeps the date it has
 * (cb sees due->has_due false). */
sw_status sw_records_redate(sw_store *s, const char *activity, bool dry,
                            sw_redate_cb cb, void *ctx);

/* The subject's identifiers and account, decrypted, without its records
 * and without a disclosure entry: for a caller that audits its own use
 * (the connectors look a person's rows up by them). */
sw_status sw_subject_names(sw_store *s, const char *id, sw_subject_view **out);

sw_status sw_subjects_insert(sw_store *s, const sw_subject_row *r);
/* SW_ERR_NOTFOUND ("no subject ID") when there is none. */
sw_status sw_subjects_get(sw_store *s, const char *id, sw_subject_row *out);
sw_status sw_subjects_set_flags(sw_store *s, const char *id, int64_t flags,
                                bool has_minor, sw_instant minor_until);
/* Destroys the subject's key, then deletes the subject with its
 * identifiers, records, subject-scoped events, consents and objections;
 * counts what went. */
sw_status sw_subjects_delete(sw_store *s, const char *id,
                             sw_erase_result *counts);
/* What keeps the subject whose id is the SQL ID at the instant NOW: a
 * record, a consent given or renewed, a confirmation link still valid, a
 * request (open, or closed and within its own retention). A consent asked
 * for (no link) does not: unanswered, it goes with its subject. The rule
 * both the sweep of records and the sweep of orphans use. */
#define SW_SUBJECT_KEPT(ID, NOW)                                               \
    "(EXISTS (SELECT 1 FROM records WHERE subject_id = " ID ")"                \
    " OR EXISTS (SELECT 1 FROM consents WHERE subject_id = " ID                \
    " AND (state IN ('given', 'renewed') OR (state = 'requested' AND"          \
    " token_expires > " NOW ")))"                                              \
    " OR EXISTS (SELECT 1 FROM requests WHERE subject_id = " ID "))"

/* What keeps an event e: what it dates (its record, its subject, a
 * subject in its account or tenant, a record of its event entity), or
 * the activity a hold names. */
#define SW_EVENT_KEPT                                                          \
    "((e.scope = " SQL_EV_RECORD " AND e.scope_key IN"                         \
    " (SELECT CAST(id AS BLOB) FROM records))"                                 \
    " OR (e.scope = " SQL_EV_SUBJECT " AND e.scope_key IN"                     \
    " (SELECT CAST(id AS BLOB) FROM subjects))"                                \
    " OR (e.scope = " SQL_EV_ACCOUNT " AND e.scope_key IN"                     \
    " (SELECT account_bi FROM subjects WHERE account_bi IS NOT NULL))"         \
    " OR (e.scope = " SQL_EV_TENANT " AND e.scope_key IN"                      \
    " (SELECT tenant_bi FROM subjects WHERE tenant_bi IS NOT NULL))"           \
    " OR (e.scope = " SQL_EV_EVENT " AND e.scope_key IN"                       \
    " (SELECT CAST(event AS BLOB) FROM records WHERE event IS NOT NULL))"      \
    " OR e.scope = " SQL_EV_ACTIVITY ")"

/* Removes a subject nothing keeps any more at now (SW_SUBJECT_KEPT).
 * *removed says whether it went. */
sw_status sw_subjects_remove_if_empty(sw_store *s, const char *id,
                                      sw_instant now, bool *removed);
/* The subjects of an account or a tenant (scope SW_EV_ACCOUNT or
 * SW_EV_TENANT) by its blind index. */
sw_status sw_subjects_in_scope(sw_store *s, sw_scope_kind scope,
                               const uint8_t bi[SW_BLIND_BYTES],
                               sw_subject_id_cb cb, void *ctx);

/* SW_ERR_CONFLICT when the blind index exists; owner (SW_ID_BUFSZ)
 * gets its subject. */
sw_status sw_identifiers_insert(sw_store *s, const sw_ident_row *r,
                                char *owner);
/* subject: SW_ID_BUFSZ bytes; SW_ERR_NOTFOUND (no message) when none. */
sw_status sw_identifiers_lookup(sw_store *s,
                                const uint8_t blind[SW_BLIND_BYTES],
                                char *subject);
sw_status sw_identifiers_list(sw_store *s, const char *subject, sw_ident_cb cb,
                              void *ctx);
/* Every identifier given under type (the subject in each row). */
sw_status sw_identifiers_of_type(sw_store *s, const char *type, sw_ident_cb cb,
                                 void *ctx);
/* Moves the msisdns a store kept under their own blind index (before
 * schema step 10) into the phone space; once, when the store's metadata
 * says they are waiting. Two subjects holding one number keep theirs
 * apart (an audit entry names them for the privacy team). */
sw_status sw_ident_space_migrate(sw_store *s);
/* Moves an identifier to another blind index. */
sw_status sw_identifiers_reblind(sw_store *s,
                                 const uint8_t from[SW_BLIND_BYTES],
                                 const uint8_t to[SW_BLIND_BYTES]);

sw_status sw_records_insert(sw_store *s, const sw_record_row *r);
/* cb is not called when there is no such record. */
sw_status sw_records_get(sw_store *s, const char *id, sw_record_cb cb,
                         void *ctx);
/* The records tied to an event entity. */
sw_status sw_records_of_event(sw_store *s, const char *event, sw_record_cb cb,
                              void *ctx);
sw_status sw_records_list(sw_store *s, const char *subject, sw_record_cb cb,
                          void *ctx);
/* Up to limit records of activity whose id sorts after after ("" for
 * the first page), by id; their values are not read (NULL). */
sw_status sw_records_page(sw_store *s, const char *activity, const char *after,
                          int limit, sw_record_cb cb, void *ctx);
sw_status sw_records_set_due(sw_store *s, const char *id, bool has_due,
                             sw_instant due, const char *rule);
/* Makes due at due the subject's records of activity that had no due
 * date (their clock waited on something that will not come). */
sw_status sw_records_due_open(sw_store *s, const char *subject,
                              const char *activity, sw_instant due);
sw_status sw_records_set_value(sw_store *s, const char *id,
                               const uint8_t *value, size_t len);
/* Deletes one record and the events recorded on it. */
sw_status sw_records_delete(sw_store *s, const char *id);

sw_status sw_events_insert(sw_store *s, const sw_event_row *r);
/* The latest instant of an event of type through any of the keys;
 * SW_ERR_NOTFOUND (no message) when there is none. */
sw_status sw_events_latest(sw_store *s, const char *type,
                           const sw_event_keys *k, sw_instant *at);

#endif
