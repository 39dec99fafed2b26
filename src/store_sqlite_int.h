/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the SQLite backend, shared by its files (store_sqlite.c: the
 * ledger and audit; store_sqlite_retention.c: holds, sweeps, traffic). */
#ifndef STEWARD_STORE_SQLITE_INT_H
#define STEWARD_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_int.h"

enum stmt {
    S_META_GET,
    S_META_SET,
    S_SUBJ_INSERT,
    S_SUBJ_GET,
    S_SUBJ_DESTROY_KEY,
    S_SUBJ_DEL_IDENTS,
    S_SUBJ_DEL_RECORDS,
    S_SUBJ_DEL_EVENTS,
    S_SUBJ_DELETE,
    S_SUBJ_BY_ACCOUNT,
    S_SUBJ_BY_TENANT,
    S_IDENT_INSERT,
    S_IDENT_LOOKUP,
    S_IDENT_LIST,
    S_REC_INSERT,
    S_REC_GET,
    S_REC_LIST,
    S_REC_SET_DUE,
    S_EV_INSERT,
    S_EV_LATEST,
    S_AUDIT_APPEND,
    S_AUDIT_LAST,
    S_AUDIT_SCAN,
    S_TX_BEGIN,
    S_TX_COMMIT,
    S_TX_ROLLBACK,
    S_TX_SAVEPOINT,
    S_TX_RELEASE,
    S_TX_UNDO,
    S_TX_READ,
    S_COUNT
};

/* Statements built at run time (a table per month), prepared once each. */
#define LITE_DYN 128

typedef struct lite {
    sqlite3 *db;
    char path[1024];
    int sweep_fd; /* the sweep's flock on the database file, or -1 */
    sqlite3_stmt *st[S_COUNT];
    struct {
        char *text;
        sqlite3_stmt *st;
    } dyn[LITE_DYN];
    char err[512];
    /* the insert of the month traffic last went to (a bulk ingest) */
    int ins_month;
    sqlite3_stmt *ins_st;
    /* copies of the last subject row's blobs */
    uint8_t acc_enc[512], ten_enc[512];
} lite;

sw_status fail(lite *l, sw_status st, const char *what);
sw_status status_of(int rc);
/* The prepared statement id, reset and unbound; NULL after setting err. */
sqlite3_stmt *prep(lite *l, enum stmt id);
/* The same for SQL text (cached by text); NULL after setting err. */
sqlite3_stmt *prep_sql(lite *l, const char *text);
void bind_text(sqlite3_stmt *st, int i, const char *v);
void bind_blob(sqlite3_stmt *st, int i, const void *v, size_t n);
/* Steps a statement that returns no rows. */
sw_status run(lite *l, sqlite3_stmt *st, const char *what);
sw_status lite_exec(lite *l, const char *text, const char *what);
/* Finalizes the run-time statements (closing, dropping a table). */
void lite_forget_dyn(lite *l);


/* Part two (store_sqlite_retention.c): see the backend table in
 * store_int.h for what each does. */
sw_status lite_hold_insert(void *impl, const sw_hold_row *r);
sw_status lite_hold_release(void *impl, const char *id, sw_instant at,
                            const char *by);
sw_status lite_hold_list(void *impl, bool all, sw_hold_cb cb, void *ctx);
sw_status lite_sweep_take(void *impl, sw_instant now, size_t limit,
                          bool dry_run, sw_record_cb cb, void *ctx, size_t *n);
sw_status lite_aggregate_add(void *impl, const char *activity,
                             const char *category, const char *month,
                             const char *rule, size_t count);
sw_status lite_subject_remove_if_empty(void *impl, const char *id,
                                       bool *removed);
sw_status lite_record_events_delete(void *impl, const char *record_id);
/* From part one, for a subject the sweep leaves empty. */
sw_status lite_subject_destroy_key(void *impl, const char *id);
sw_status lite_subject_delete(void *impl, const char *id,
                              sw_erase_result *counts);
sw_status lite_sweep_held(void *impl, sw_instant now, sw_held_cb cb,
                          void *ctx, size_t *total);
sw_status lite_bill_set(void *impl, const char *account, const char *period,
                        const char *status, sw_instant at);
sw_status lite_epoch_get(void *impl, int64_t day, const char *key_class,
                         uint8_t wrapped[SW_WRAPPED_BYTES]);
sw_status lite_epoch_put(void *impl, int64_t day, const char *key_class,
                         const uint8_t wrapped[SW_WRAPPED_BYTES], bool has_due,
                         sw_instant due);
sw_status lite_epoch_list(void *impl, sw_epoch_cb cb, void *ctx);
sw_status lite_epoch_due(void *impl, sw_instant now, sw_epoch_cb cb,
                         void *ctx);
sw_status lite_epoch_delete(void *impl, int64_t day, const char *key_class);
sw_status lite_traffic_month(void *impl, int month);
sw_status lite_traffic_insert(void *impl, int month, const sw_traffic_rec *r);
sw_status lite_traffic_flush(void *impl,
                             int (*cb)(const char *ext_id, void *ctx),
                             void *ctx);
sw_status lite_traffic_probe(void *impl, int month,
                             const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n,
                             sw_traffic_cb cb, void *ctx);
sw_status lite_traffic_held(void *impl, int month, int64_t day,
                            const char *key_class, const char *period,
                            const char *activity, sw_traffic_cb cb, void *ctx);
sw_status lite_traffic_keyed(void *impl, int month, int64_t day,
                             const char *key_class, sw_traffic_cb cb,
                             void *ctx);
sw_status lite_traffic_rekey(void *impl, int month, const char *ext_id,
                             const char *key_class, const uint8_t *ids,
                             size_t ids_len,
                             const uint8_t blind[SW_BLIND_BYTES]);
sw_status lite_traffic_strip(void *impl, int month, const char *ext_id);
sw_status lite_traffic_expire(void *impl, int month, sw_instant before,
                              const char *activity, size_t *deleted,
                              size_t *kept);
sw_status lite_traffic_months(void *impl, int (*cb)(int month, void *ctx),
                              void *ctx);
sw_status lite_traffic_drop_empty(void *impl, int month, bool *dropped);
sw_status lite_traffic_warm(void *impl, int month);

/* Part three (store_sqlite_consent.c). Timelines (consents, requests):
 * see there. */
sw_status lite_change_insert(lite *l, const char *text, const char *id,
                             const char *state, sw_instant at,
                             const char *actor, const char *note,
                             const char *what);
sw_status lite_changes_scan(lite *l, const char *text, const char *id,
                            sw_change_cb cb, void *ctx, const char *what);
sw_status lite_subject_consents_delete(lite *l, const char *subject);
sw_status lite_subject_set_flags(void *impl, const char *id, int64_t flags,
                                 bool has_minor, sw_instant minor_until);
sw_status lite_consent_put(void *impl, const sw_consent_row *r);
sw_status lite_consent_get(void *impl, const char *id, sw_consent_cb cb,
                           void *ctx);
sw_status lite_consent_by_token(void *impl, const uint8_t hash[SW_HASH_BYTES],
                                sw_consent_cb cb, void *ctx);
sw_status lite_consent_latest(void *impl, const char *subject,
                              const char *purpose, sw_consent_cb cb,
                              void *ctx);
sw_status lite_consent_list(void *impl, const char *subject, sw_consent_cb cb,
                            void *ctx);
sw_status lite_consent_expiring(void *impl, sw_instant now, sw_consent_cb cb,
                                void *ctx);
sw_status lite_consent_change_add(void *impl, const char *id,
                                  const char *state, sw_instant at,
                                  const char *actor, const char *note);
sw_status lite_consent_changes(void *impl, const char *id, sw_change_cb cb,
                               void *ctx);
sw_status lite_objection_insert(void *impl, const sw_objection_row *r);
sw_status lite_objection_get(void *impl, const char *id, const char *subject,
                             const char *purpose, sw_objection_cb cb,
                             void *ctx);
sw_status lite_objection_override(void *impl, const char *id,
                                  const char *reason, sw_instant at,
                                  const char *by);
sw_status lite_suppression_put(void *impl, const sw_suppression_row *r);
sw_status lite_suppression_get(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                               const char *channel, sw_suppression_cb cb,
                               void *ctx);
sw_status lite_suppression_delete(void *impl,
                                  const uint8_t hash[SW_BLIND_BYTES],
                                  const char *channel, size_t *n);
sw_status lite_suppression_set_due(void *impl,
                                   const uint8_t hash[SW_BLIND_BYTES],
                                   const char *rule, sw_instant due);
sw_status lite_suppression_sweep(void *impl, sw_instant now, size_t *n);
sw_status lite_suppression_list(void *impl, sw_suppression_cb cb, void *ctx);
sw_status lite_data_version(void *impl, int64_t *v);
sw_status lite_sweep_lock(void *impl, bool take);
sw_status lite_decide_facts(void *impl, const uint8_t *blind,
                            const char *subject, int supp,
                            const char *purpose, sw_instant now,
                            sw_facts *f);

/* Part four (store_sqlite_request.c). */
sw_status lite_request_put(void *impl, const sw_request_row *r);
sw_status lite_request_get(void *impl, const char *id, sw_request_cb cb,
                           void *ctx);
sw_status lite_request_open_of(void *impl, const char *subject,
                               const char *type, sw_request_cb cb, void *ctx);
sw_status lite_request_list_open(void *impl, sw_request_cb cb, void *ctx);
sw_status lite_request_change_add(void *impl, const char *id,
                                  const char *state, sw_instant at,
                                  const char *actor, const char *reason);
sw_status lite_request_changes(void *impl, const char *id, sw_change_cb cb,
                               void *ctx);
sw_status lite_request_closed_before(void *impl, sw_instant before,
                                     sw_request_cb cb, void *ctx);
sw_status lite_request_delete(void *impl, const char *id);
sw_status lite_request_since(void *impl, sw_instant since, sw_request_cb cb,
                             void *ctx);
sw_status lite_record_hold(void *impl, const char *record,
                           char hold[SW_ID_BUFSZ], char kind[48]);
sw_status lite_record_delete(void *impl, const char *record);
sw_status lite_record_set_value(void *impl, const char *record,
                                const uint8_t *value, size_t len);
sw_status lite_apikey_insert(void *impl, const sw_apikey_row *r);
sw_status lite_apikey_get(void *impl, const uint8_t *hash, const char *id,
                          sw_apikey_cb cb, void *ctx);
sw_status lite_apikey_revoke(void *impl, const char *id, sw_instant at);
sw_status lite_apikey_list(void *impl, sw_apikey_cb cb, void *ctx);
sw_status lite_state_get(void *impl, const char *kind,
                         const uint8_t key[SW_BLIND_BYTES], char *value,
                         size_t n);
sw_status lite_state_put(void *impl, const char *kind,
                         const uint8_t key[SW_BLIND_BYTES], const char *value,
                         sw_instant due);
sw_status lite_state_sweep(void *impl, sw_instant now, size_t *n);

#endif
