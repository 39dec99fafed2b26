/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to libsteward: the store handle and the backend interface. A
 * backend (store_sqlite.c; PostgreSQL later) implements these operations
 * and nothing outside its own file knows its SQL. Rows carry only ids,
 * blind indexes, ciphertext and timestamps.
 */
#ifndef STEWARD_STORE_INT_H
#define STEWARD_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "steward/ledger.h"
#include "steward/store.h"

#define SW_SCHEMA_LATEST 7
#define SW_KEY_CACHE 1024

/* Changes a batch coalesces into one audit entry each, in flush order. */
typedef enum sw_pend_kind { SW_PEND_SUBJECT, SW_PEND_RECORD, SW_PEND_COUNT } sw_pend_kind;

typedef struct sw_subject_row {
    char id[SW_ID_BUFSZ];
    char kind[96];
    char role[16];
    bool has_account, has_tenant;
    uint8_t account_bi[SW_BLIND_BYTES];
    uint8_t tenant_bi[SW_BLIND_BYTES];
    const uint8_t *account_enc; /* sealed under the subject key */
    size_t account_enc_len;
    const uint8_t *tenant_enc;
    size_t tenant_enc_len;
    bool has_key; /* false once the key is destroyed */
    uint8_t wrapped_key[SW_WRAPPED_BYTES];
    sw_instant created_at;
    int64_t flags;     /* SW_SUBJ_* */
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
    const uint8_t *value; /* sealed */
    size_t value_len;
    const char *source; /* may be NULL */
    sw_instant collected_at;
    bool has_due;
    sw_instant due_at;
    const char *rule; /* may be NULL */
} sw_record_row;

typedef enum sw_scope_kind {
    SW_EV_RECORD = 0,
    SW_EV_SUBJECT,
    SW_EV_ACCOUNT,
    SW_EV_TENANT,
    SW_EV_ACTIVITY, /* holds only */
} sw_scope_kind;

typedef struct sw_event_row {
    const char *id;
    const char *type;
    sw_scope_kind scope;
    const uint8_t *key; /* record/subject id bytes, or a blind index */
    size_t key_len;
    sw_instant at;
    sw_instant recorded_at;
} sw_event_row;

typedef struct sw_audit_row {
    int64_t seq;
    sw_instant at;
    bool has_written; /* false: written before schema 7 */
    sw_instant written_at;
    const char *actor;
    const char *action;
    const char *subject; /* may be NULL */
    const char *objects;
    const char *details;
    uint8_t prev[SW_HASH_BYTES];
    uint8_t hash[SW_HASH_BYTES];
} sw_audit_row;

/* The scopes an event may apply to a record through, for one look-up. */
typedef struct sw_event_keys {
    const char *record;
    const char *subject;
    const uint8_t *account_bi; /* NULL when the subject has no account */
    const uint8_t *tenant_bi;
} sw_event_keys;

typedef enum sw_tx_op {
    SW_TX_BEGIN,       /* a write transaction, locking writers out */
    SW_TX_COMMIT,
    SW_TX_ROLLBACK,
    SW_TX_SAVEPOINT,   /* nested: one change inside a batch */
    SW_TX_RELEASE,
    SW_TX_ROLLBACK_TO, /* undoes to the savepoint and releases it */
    SW_TX_READ,        /* a read transaction: one snapshot, one lock */
} sw_tx_op;

typedef struct sw_hold_row {
    const char *id;
    const char *kind;
    sw_scope_kind scope; /* record, subject, account, or SW_EV_ACTIVITY */
    const uint8_t *key;  /* id bytes, or the account's blind index */
    size_t key_len;
    const char *target;
    const char *reason;
    sw_instant placed_at;
    const char *placed_by;
    bool released;
    sw_instant released_at;
} sw_hold_row;

/* A communication detail record as stored. */
typedef struct sw_traffic_rec {
    const char *ext_id;
    const char *account;
    const uint8_t *account_bi;
    const char *channel;
    sw_instant at;
    int64_t day; /* days since 1970-01-01: the epoch */
    const char *sender;
    const char *country;
    const char *key_class; /* the key the identifiers are under, or NULL */
    const uint8_t *ids;    /* sealed destination, IMSI, IMEI */
    size_t ids_len;
    const uint8_t *dest_bi;
    int64_t duration;
    const char *op, *route, *price, *currency;
} sw_traffic_rec;

typedef int (*sw_traffic_cb)(const sw_traffic_rec *r, void *ctx);
typedef int (*sw_epoch_cb)(int64_t day, const char *key_class,
                           const uint8_t *wrapped, size_t len, void *ctx);
typedef int (*sw_group_cb)(const char *rule, const char *activity,
                           size_t count, sw_instant first, sw_instant last,
                           void *ctx);
typedef int (*sw_held_cb)(const char *hold, const char *kind, size_t count,
                          void *ctx);
typedef int (*sw_hold_cb)(const sw_hold_row *r, void *ctx);

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
    bool ended; /* relationship_ended or account_closed, by now */
    sw_instant ended_at;
} sw_facts;

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
} sw_request_row;

typedef int (*sw_request_cb)(const sw_request_row *r, void *ctx);

/* An API key as stored: its keyed hash, never its text. */
typedef struct sw_apikey_row {
    const char *id, *role, *label, *created_by;
    uint8_t hash[SW_BLIND_BYTES];
    sw_instant created_at;
    bool revoked;
    sw_instant revoked_at;
} sw_apikey_row;

typedef int (*sw_apikey_cb)(const sw_apikey_row *r, void *ctx);

typedef int (*sw_consent_cb)(const sw_consent_row *r, void *ctx);
typedef int (*sw_objection_cb)(const sw_objection_row *r, void *ctx);
typedef int (*sw_suppression_cb)(const sw_suppression_row *r, void *ctx);
typedef int (*sw_change_cb)(const char *state, sw_instant at,
                            const char *actor, const char *note, void *ctx);

typedef int (*sw_subject_id_cb)(const char *id, void *ctx);
typedef int (*sw_ident_cb)(const sw_ident_row *r, void *ctx);
typedef int (*sw_record_cb)(const sw_record_row *r, void *ctx);
typedef int (*sw_audit_cb)(const sw_audit_row *r, void *ctx);

/*
 * Every operation returns a status and, on failure, leaves a message for
 * errmsg(). Strings and blobs handed to callbacks are borrowed for the call.
 */
typedef struct sw_backend {
    const char *name;
    /* A statement that fails inside a transaction is undone alone and the
     * transaction goes on (SQLite); false: a failure aborts the whole
     * transaction unless a savepoint was set (PostgreSQL). */
    bool stmt_atomic;
    /* Opens without writing anything: checks that uri is a store of this
     * backend and reads its schema version (0 for a new one when create). */
    sw_status (*open)(const char *uri, bool create, void **impl, int *version,
                      sw_error *err);
    void (*close)(void *impl);
    /* Removes what open(create) made at uri (a failed creation). */
    void (*remove)(const char *uri);
    const char *(*errmsg)(void *impl);
    /* Applies settings and migrations up to SW_SCHEMA_LATEST. */
    sw_status (*setup)(void *impl, int *from);
    sw_status (*tx)(void *impl, sw_tx_op op);
    /* Moves the journal into the database and empties it: after an
     * erasure (deleted data leaves no copy in the journal) and after a bulk
     * ingest (reads then come from the database, not a long journal). */
    sw_status (*checkpoint)(void *impl);

    sw_status (*meta_get)(void *impl, const char *key, char *val, size_t n);
    sw_status (*meta_set)(void *impl, const char *key, const char *val);

    sw_status (*subject_insert)(void *impl, const sw_subject_row *r);
    /* Blob pointers in *out stay valid until the next backend call. */
    sw_status (*subject_get)(void *impl, const char *id, sw_subject_row *out);
    sw_status (*subject_destroy_key)(void *impl, const char *id);
    /* Deletes the subject with its identifiers, records and subject-scoped
     * events; counts what went. */
    sw_status (*subject_delete)(void *impl, const char *id,
                                sw_erase_result *counts);
    sw_status (*subjects_in_scope)(void *impl, sw_scope_kind scope,
                                   const uint8_t bi[SW_BLIND_BYTES],
                                   sw_subject_id_cb cb, void *ctx);

    /* SW_ERR_CONFLICT when the blind index exists; owner gets its subject. */
    sw_status (*ident_insert)(void *impl, const sw_ident_row *r, char *owner);
    sw_status (*ident_lookup)(void *impl, const uint8_t blind[SW_BLIND_BYTES],
                              char *subject);
    sw_status (*ident_list)(void *impl, const char *subject, sw_ident_cb cb,
                            void *ctx);

    sw_status (*record_insert)(void *impl, const sw_record_row *r);
    sw_status (*record_get)(void *impl, const char *id, sw_record_cb cb,
                            void *ctx);
    sw_status (*record_list)(void *impl, const char *subject, sw_record_cb cb,
                             void *ctx);
    sw_status (*record_set_due)(void *impl, const char *id, bool has_due,
                                sw_instant due, const char *rule);

    sw_status (*event_insert)(void *impl, const sw_event_row *r);
    /* The latest instant of an event of type through any of the keys;
     * SW_ERR_NOTFOUND when there is none. */
    sw_status (*event_latest)(void *impl, const char *type,
                              const sw_event_keys *k, sw_instant *at);

    sw_status (*audit_append)(void *impl, const sw_audit_row *r);
    /* The last entry's seq and hash; seq 0 and a zero hash when empty. */
    sw_status (*audit_last)(void *impl, int64_t *seq,
                            uint8_t hash[SW_HASH_BYTES]);
    sw_status (*audit_scan)(void *impl, int64_t from_seq, sw_audit_cb cb,
                            void *ctx);

    /* ---- holds ---- */
    sw_status (*hold_insert)(void *impl, const sw_hold_row *r);
    /* SW_ERR_NOTFOUND, or SW_ERR_CONFLICT when already released. */
    sw_status (*hold_release)(void *impl, const char *id, sw_instant at,
                              const char *by);
    sw_status (*hold_list)(void *impl, bool all, sw_hold_cb cb, void *ctx);

    /* ---- the record sweep, one batch at a time ---- */
    /* Deletes up to limit (0: all) due records that no active hold covers,
     * oldest due first, with the events recorded on them, handing each
     * deleted row to cb; *n: how many. With dry_run the same rows are read
     * and nothing is deleted. */
    sw_status (*sweep_take)(void *impl, sw_instant now, size_t limit,
                            bool dry_run, sw_record_cb cb, void *ctx,
                            size_t *n);
    /* Adds to the counts that survive deletion (nothing personal). */
    sw_status (*aggregate_add)(void *impl, const char *activity,
                               const char *category, const char *month,
                               const char *rule, size_t count);
    /* Removes a subject left with no record: key first, identifiers,
     * events, row. *removed says whether it had none. */
    sw_status (*subject_remove_if_empty)(void *impl, const char *id,
                                         bool *removed);
    /* Due records that active holds keep, per hold; *total: distinct. */
    sw_status (*sweep_held)(void *impl, sw_instant now, sw_held_cb cb,
                            void *ctx, size_t *total);

    /* ---- traffic ---- */
    sw_status (*bill_set)(void *impl, const char *account, const char *period,
                          const char *status, sw_instant at);
    sw_status (*epoch_get)(void *impl, int64_t day, const char *key_class,
                           uint8_t wrapped[SW_WRAPPED_BYTES]);
    sw_status (*epoch_put)(void *impl, int64_t day, const char *key_class,
                           const uint8_t wrapped[SW_WRAPPED_BYTES],
                           bool has_due, sw_instant due);
    sw_status (*epoch_list)(void *impl, sw_epoch_cb cb, void *ctx);
    sw_status (*epoch_due)(void *impl, sw_instant now, sw_epoch_cb cb,
                           void *ctx);
    sw_status (*epoch_delete)(void *impl, int64_t day, const char *key_class);
    /* Makes sure the table of a month (YYYYMM) exists. */
    sw_status (*traffic_month)(void *impl, int month);
    sw_status (*traffic_insert)(void *impl, int month,
                                const sw_traffic_rec *r);
    /* Ends a run of traffic_insert calls: a backend that stores rows in
     * bulk stores them now and calls cb with the id of each row it refused
     * (the id exists); one that stores each row at once has nothing to do. */
    sw_status (*traffic_flush)(void *impl,
                               int (*cb)(const char *ext_id, void *ctx),
                               void *ctx);
    /* Rows of a month whose destination has one of n blind indexes
     * (one per live day key of the month), oldest first. */
    sw_status (*traffic_probe)(void *impl, int month,
                               const uint8_t (*blinds)[SW_BLIND_BYTES],
                               size_t n, sw_traffic_cb cb, void *ctx);
    /* Rows of a day under key_class that a hold (on the account, the row,
     * or activity) or an unpaid or disputed bill of period keeps. */
    sw_status (*traffic_held)(void *impl, int month, int64_t day,
                              const char *key_class, const char *period,
                              const char *activity, sw_traffic_cb cb,
                              void *ctx);
    /* Rows of a day under key_class (hold keys). */
    sw_status (*traffic_keyed)(void *impl, int month, int64_t day,
                               const char *key_class, sw_traffic_cb cb,
                               void *ctx);
    sw_status (*traffic_rekey)(void *impl, int month, const char *ext_id,
                               const char *key_class, const uint8_t *ids,
                               size_t ids_len,
                               const uint8_t blind[SW_BLIND_BYTES]);
    sw_status (*traffic_strip)(void *impl, int month, const char *ext_id);
    /* Deletes rows of a month with at < before that no hold (on the
     * account, the row, or activity) or unpaid or disputed bill keeps;
     * counts deleted and kept. */
    sw_status (*traffic_expire)(void *impl, int month, sw_instant before,
                                const char *activity, size_t *deleted,
                                size_t *kept);
    sw_status (*traffic_months)(void *impl, int (*cb)(int month, void *ctx),
                                void *ctx);
    /* Drops a month's table when it holds no row; *dropped says if so. */
    sw_status (*traffic_drop_empty)(void *impl, int month, bool *dropped);
    /* Brings a month's index of destinations into this handle's memory,
     * so the first look-ups run as fast as later ones. */
    sw_status (*traffic_warm)(void *impl, int month);

    /* ---- consent, objection, suppression ---- */
    sw_status (*subject_set_flags)(void *impl, const char *id, int64_t flags,
                                   bool has_minor, sw_instant minor_until);
    /* Inserts or replaces a consent by id. */
    sw_status (*consent_put)(void *impl, const sw_consent_row *r);
    /* One consent (by id, by token hash, or the newest of a subject and
     * purpose): SW_ERR_NOTFOUND when there is none. */
    sw_status (*consent_get)(void *impl, const char *id, sw_consent_cb cb,
                             void *ctx);
    sw_status (*consent_by_token)(void *impl,
                                  const uint8_t hash[SW_HASH_BYTES],
                                  sw_consent_cb cb, void *ctx);
    sw_status (*consent_latest)(void *impl, const char *subject,
                                const char *purpose, sw_consent_cb cb,
                                void *ctx);
    /* A subject's consents, newest first. */
    sw_status (*consent_list)(void *impl, const char *subject,
                              sw_consent_cb cb, void *ctx);
    /* Given or renewed consents whose expires_at <= now. */
    sw_status (*consent_expiring)(void *impl, sw_instant now,
                                  sw_consent_cb cb, void *ctx);
    sw_status (*consent_change_add)(void *impl, const char *id,
                                    const char *state, sw_instant at,
                                    const char *actor, const char *note);
    sw_status (*consent_changes)(void *impl, const char *id, sw_change_cb cb,
                                 void *ctx);
    sw_status (*objection_insert)(void *impl, const sw_objection_row *r);
    /* By id (purpose NULL) or the newest of a subject and purpose. */
    sw_status (*objection_get)(void *impl, const char *id,
                               const char *subject, const char *purpose,
                               sw_objection_cb cb, void *ctx);
    sw_status (*objection_override)(void *impl, const char *id,
                                    const char *reason, sw_instant at,
                                    const char *by);
    /* Inserts or keeps the entry (the first date stays). */
    sw_status (*suppression_put)(void *impl, const sw_suppression_row *r);
    /* The entries of a hash on channel (NULL: on any channel). */
    sw_status (*suppression_get)(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                                 const char *channel, sw_suppression_cb cb,
                                 void *ctx);
    /* channel NULL: on every channel. */
    sw_status (*suppression_delete)(void *impl,
                                    const uint8_t hash[SW_BLIND_BYTES],
                                    const char *channel, size_t *n);
    /* Sets the due date of the entries of a hash kept under rule. */
    sw_status (*suppression_set_due)(void *impl,
                                     const uint8_t hash[SW_BLIND_BYTES],
                                     const char *rule, sw_instant due);
    /* Deletes entries whose due_at <= now. */
    sw_status (*suppression_sweep)(void *impl, sw_instant now, size_t *n);
    sw_status (*suppression_list)(void *impl, sw_suppression_cb cb,
                                  void *ctx);
    /* The facts of a decision about purpose at now, for the subject that
     * holds blind (or the subject id). supp: 0 no suppression check, 1 the
     * hash blind itself, 2 every e-mail and phone of the subject. */
    sw_status (*decide_facts)(void *impl, const uint8_t *blind,
                              const char *subject, int supp,
                              const char *purpose, sw_instant now,
                              sw_facts *out);
    /* ---- data-subject requests ---- */
    /* Inserts or replaces a request by id. */
    sw_status (*request_put)(void *impl, const sw_request_row *r);
    /* SW_ERR_NOTFOUND when there is none. */
    sw_status (*request_get)(void *impl, const char *id, sw_request_cb cb,
                             void *ctx);
    /* The open request of a type for a subject, if any (NOTFOUND). */
    sw_status (*request_open_of)(void *impl, const char *subject,
                                 const char *type, sw_request_cb cb,
                                 void *ctx);
    /* Open requests, by due date. */
    sw_status (*request_list_open)(void *impl, sw_request_cb cb, void *ctx);
    sw_status (*request_change_add)(void *impl, const char *id,
                                    const char *state, sw_instant at,
                                    const char *actor, const char *reason);
    sw_status (*request_changes)(void *impl, const char *id, sw_change_cb cb,
                                 void *ctx);
    /* Closed requests, closed before before, oldest first. */
    sw_status (*request_closed_before)(void *impl, sw_instant before,
                                       sw_request_cb cb, void *ctx);
    /* Deletes a request and its timeline. */
    sw_status (*request_delete)(void *impl, const char *id);
    /* Requests received at or after since, oldest first. */
    sw_status (*request_since)(void *impl, sw_instant since, sw_request_cb cb,
                               void *ctx);
    /* The first active hold that covers a record (its id and kind);
     * SW_ERR_NOTFOUND when none does. */
    sw_status (*record_hold)(void *impl, const char *record,
                             char hold[SW_ID_BUFSZ], char kind[48]);
    /* Deletes one record and its events. */
    sw_status (*record_delete)(void *impl, const char *record);
    /* Replaces a record's sealed value. */
    sw_status (*record_set_value)(void *impl, const char *record,
                                  const uint8_t *value, size_t len);
    /* ---- API keys ---- */
    sw_status (*apikey_insert)(void *impl, const sw_apikey_row *r);
    /* By hash (id NULL) or by id: SW_ERR_NOTFOUND when there is none. */
    sw_status (*apikey_get)(void *impl, const uint8_t *hash, const char *id,
                            sw_apikey_cb cb, void *ctx);
    /* SW_ERR_NOTFOUND, or SW_ERR_CONFLICT when already revoked. */
    sw_status (*apikey_revoke)(void *impl, const char *id, sw_instant at);
    /* Newest first. */
    sw_status (*apikey_list)(void *impl, sw_apikey_cb cb, void *ctx);
    /* Takes (or gives back) the sweep's lock, held across its batches so
     * that two processes never sweep at once: SW_ERR_BUSY when another
     * holds it. */
    sw_status (*sweep_lock)(void *impl, bool take);
    /* A number that changes when another connection commits a change. */
    sw_status (*data_version)(void *impl, int64_t *v);
    /* ---- small state of the public door (tickets, throttles) ----
     * A value (text) under a kind and a keyed hash, deleted by
     * state_sweep once due. */
    sw_status (*state_get)(void *impl, const char *kind,
                           const uint8_t key[SW_BLIND_BYTES], char *value,
                           size_t n); /* SW_ERR_NOTFOUND when none */
    sw_status (*state_put)(void *impl, const char *kind,
                           const uint8_t key[SW_BLIND_BYTES],
                           const char *value, sw_instant due);
    sw_status (*state_sweep)(void *impl, sw_instant now, size_t *n);
} sw_backend;

extern const sw_backend sw_backend_sqlite;
extern const sw_backend sw_backend_pg;

struct sw_store {
    const sw_backend *be;
    void *impl;
    sw_keyring *keys;
    const sw_policy *policy;
    sw_clock clock;
    sw_clock wall; /* the real time audit entries are written at */
    char actor[128];
    char country[8];
    char err[768];
    int version;
    bool in_batch;
    bool in_read; /* inside sw_read_begin */
    /* Inside a batch the write lock is held, so nothing else can change the
     * audit head or a subject: both are cached until the batch ends. */
    struct {
        bool valid, dirty;
        int64_t seq;
        uint8_t hash[SW_HASH_BYTES];
    } head, head_saved; /* head_saved: at the start of the current change */
    /* Subjects written to in this batch: rows (blob pointers cleared) and
     * unwrapped keys, direct-mapped by a hash of the id. */
    struct key_slot {
        bool used;
        sw_subject_row row;
        uint8_t key[SW_KEY_BYTES];
    } keys_cache[SW_KEY_CACHE];
    /* subject.add and record.add entries of this batch, coalesced into one
     * audit entry each: the ids as JSON array items, and how many. */
    struct pending {
        sw_buf ids;
        size_t count, saved_len, saved_count;
    } pend[SW_PEND_COUNT];
    /* Unwrapped traffic day keys (traffic.c), reused by look-ups while the
     * store lists them as live; wiped on close. */
    struct day_key *day_keys;
    /* What sw_decide read, kept until a change through this handle or
     * the refresh interval (decide.c). */
    struct sw_decide_cache *decide;
    uint64_t generation; /* bumped by every committed change */
    size_t allowed, denied;
};

/* Frees the decision cache (decide.c). */
void sw_decide_free(sw_store *s);

/* Wipes and frees the day-key cache (traffic.c). */
void sw_traffic_forget(sw_store *s);

/* Replaces the clock of the real time (tests of a clock set back). */
void sw_store_set_wall(sw_store *s, const sw_clock *c);

/* Forgets the batch caches (wiping the cached key). */
void sw_batch_forget(sw_store *s);

/* What a caller's free text may be (what names it in the message): NULL,
 * or UTF-8 of fewer than max bytes. SW_ERR_LIMIT or SW_ERR_INVALID with a
 * message otherwise. */
sw_status sw_check_text(sw_store *s, const char *what, const char *v,
                        size_t max);

/* Sets s->err from a format and returns st. */
sw_status sw_fail(sw_store *s, sw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies the backend's message into s->err and returns st. */
sw_status sw_fail_be(sw_store *s, sw_status st, const char *what);

/* One change: a transaction, or a savepoint inside a batch. tx_end commits
 * when st is SW_OK and rolls back otherwise; it returns st (or the commit's
 * failure). */
sw_status sw_tx_begin(sw_store *s);
sw_status sw_tx_end(sw_store *s, sw_status st);
/* One change made of several library calls (each its own change): a batch,
 * or a savepoint inside the caller's batch. *own: whether it opened the
 * batch; pass it to sw_op_end. */
sw_status sw_op_begin(sw_store *s, bool *own);
sw_status sw_op_end(sw_store *s, bool own, sw_status st);

/* The blind index that names an account in subjects, events and holds. */
void sw_account_blind(sw_store *s, const char *account,
                      uint8_t out[SW_BLIND_BYTES]);
/* The key sw_account_blind hashes under (for sw_blind_under on another
 * thread; wipe it after). */
void sw_account_blind_key(sw_store *s, uint8_t tkey[SW_KEY_BYTES]);

/* The traffic part of a sweep (traffic.c). */
struct sw_sweep_report;
sw_status sw_traffic_sweep(sw_store *s, sw_instant now, bool dry_run,
                           struct sw_sweep_report *r);

/* Compact JSON text with sorted keys for audit details; takes the value's
 * reference; caller frees the text. NULL when out of memory. */
char *sw_json_text(void *json_value);

/* At the end of a batch, inside its transaction: appends the coalesced
 * record.add entry and writes the cached audit head into the metadata. */
sw_status sw_audit_flush_batch(sw_store *s);
/* Inside a batch: notes a change for the batch's coalesced entry of its
 * kind (ids: one or two ids, the second may be NULL). */
sw_status sw_audit_note(sw_store *s, sw_pend_kind kind, const char *id1,
                        const char *id2);
/* Between two changes of a batch: writes the coalesced entries that grew
 * large, so no entry outgrows the audit trail's limit. */
sw_status sw_audit_settle(sw_store *s);
/* Undoes the notes made since the current change began. */
void sw_audit_unnote(sw_store *s);

/* sw_audit_append with jansson values (json_t *, references taken):
 * objects may be NULL for "[]"; a NULL details (a failed json_pack) is
 * SW_ERR_NOMEM. */
sw_status sw_audit_json(sw_store *s, const char *action, const char *subject,
                        void *objects, void *details);

/* Appends an audit entry (inside the caller's transaction). objects: JSON
 * array text; details: JSON object text. */
sw_status sw_audit_append(sw_store *s, const char *action,
                          const char *subject, const char *objects,
                          const char *details);

#endif
