/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the PostgreSQL backend: the connection, the statement helpers
 * and the operations of its parts (store_pg.c: connection, schema,
 * transactions, ledger, audit, keys; store_pg_retention.c: holds, the
 * record sweep, bills, traffic; store_pg_consent.c: consents, objections,
 * the suppression list, the decision, requests). See the backend table in
 * store_int.h for what each operation does.
 */
#ifndef STEWARD_STORE_PG_INT_H
#define STEWARD_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store/store_int.h"

#define MAX_ARGS 24
#define MAX_PREP 256
/* The advisory locks ("stew"): every write transaction takes the first
 * (one writer at a time, one audit chain); the sweep holds the second
 * across its batches (one sweep at a time). */
#define PG_WRITE_LOCK "1937007975"
#define PG_SWEEP_LOCK "1937007975, 1"

typedef struct pgs {
    PGconn *c;
    char err[512];
    struct {
        const char *sql;
        char name[16];
    } prep[MAX_PREP];
    int n_prep;
    bool write_tx;
    bool copying;  /* a COPY of traffic rows into the stage is open */
    size_t staged; /* rows in the stage, not yet in traffic */
    char *line;    /* a row of COPY text being built */
    size_t line_cap;
    uint8_t acc_enc[512], ten_enc[512];
} pgs;

/* Parameters of a statement: text, numbers as text, blobs in binary. */
typedef struct pg_args {
    int n;
    bool overflow; /* more than MAX_ARGS were given: refused when run */
    const char *v[MAX_ARGS];
    int len[MAX_ARGS];
    int fmt[MAX_ARGS];
    char num[MAX_ARGS][24];
} pg_args;

/* Each appends one parameter; past MAX_ARGS nothing is written and the
 * statement is refused (SW_ERR_LIMIT) when run. */
void pg_arg_txt(pg_args *a, const char *s); /* NULL: SQL NULL */
void pg_arg_int(pg_args *a, int64_t x);
void pg_arg_blob(pg_args *a, const void *p, size_t n); /* NULL: SQL NULL */

/* Sets p->err ("what: the server's message") and returns the status. */
sw_status pg_fail(pgs *p, const PGresult *r, const char *what);
/* Ends an open COPY of traffic rows (any other statement needs the
 * connection back). */
sw_status pg_copy_end(pgs *p);
/* Runs sql (prepared on first use, by the address of its text: pass only
 * string literals) with a; the result, rows in binary, or NULL after
 * setting *st and p->err. */
PGresult *pg_q(pgs *p, const char *sql, const pg_args *a, const char *what,
               sw_status *st);
/* The same for SQL made at run time (a month's table): not prepared. */
PGresult *pg_q_dyn(pgs *p, const char *sql, const pg_args *a, const char *what,
                   sw_status *st);
/* A statement without rows; *changed (may be NULL): rows it changed. */
sw_status pg_run(pgs *p, const char *sql, const pg_args *a, const char *what,
                 size_t *changed);
/* SQL text without parameters (several statements allowed). */
sw_status pg_exec(pgs *p, const char *sql, const char *what);

/* Columns of a binary result. */
bool pg_col_null(const PGresult *r, int row, int col);
const char *pg_col_txt(const PGresult *r, int row, int col); /* NULL: null */
int64_t pg_col_i64(const PGresult *r, int row, int col);
const uint8_t *pg_col_blob(const PGresult *r, int row, int col, size_t *n);
/* Copies a blob of exactly want bytes; false otherwise. */
bool pg_col_blob_into(const PGresult *r, int row, int col, uint8_t *dst,
                      size_t want);

/* The operations of the other parts. */
sw_status pg_subject_destroy_key(void *impl, const char *id);
sw_status pg_subject_delete(void *impl, const char *id, sw_erase_result *c);
sw_status pg_hold_insert(void *impl, const sw_hold_row *r);
sw_status pg_hold_release(void *impl, const char *id, sw_instant at,
                          const char *by);
sw_status pg_hold_list(void *impl, bool all, sw_hold_cb cb, void *ctx);
sw_status pg_sweep_take(void *impl, sw_instant now, size_t limit, bool dry_run,
                        sw_record_cb cb, void *ctx, size_t *n);
sw_status pg_aggregate_add(void *impl, const char *activity,
                           const char *category, const char *month,
                           const char *rule, size_t count);
sw_status pg_subject_remove_if_empty(void *impl, const char *id, bool *removed);
sw_status pg_record_events_delete(void *impl, const char *record_id);
sw_status pg_sweep_held(void *impl, sw_instant now, sw_held_cb cb, void *ctx,
                        size_t *total);
sw_status pg_bill_set(void *impl, const char *account, const char *period,
                      const char *status, sw_instant at);
sw_status pg_epoch_get(void *impl, int64_t day, const char *key_class,
                       uint8_t wrapped[SW_WRAPPED_BYTES]);
sw_status pg_epoch_put(void *impl, int64_t day, const char *key_class,
                       const uint8_t wrapped[SW_WRAPPED_BYTES], bool has_due,
                       sw_instant due);
sw_status pg_epoch_list(void *impl, sw_epoch_cb cb, void *ctx);
sw_status pg_epoch_due(void *impl, sw_instant now, sw_epoch_cb cb, void *ctx);
sw_status pg_epoch_delete(void *impl, int64_t day, const char *key_class);
sw_status pg_traffic_month(void *impl, int month);
sw_status pg_traffic_insert(void *impl, int month, const sw_traffic_rec *r);
sw_status pg_traffic_flush(void *impl, int (*cb)(const char *ext_id, void *ctx),
                           void *ctx);
sw_status pg_traffic_probe(void *impl, int month,
                           const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n,
                           sw_traffic_cb cb, void *ctx);
sw_status pg_traffic_held(void *impl, int month, int64_t day,
                          const char *key_class, const char *period,
                          const char *activity, sw_traffic_cb cb, void *ctx);
sw_status pg_traffic_keyed(void *impl, int month, int64_t day,
                           const char *key_class, sw_traffic_cb cb, void *ctx);
sw_status pg_traffic_rekey(void *impl, int month, const char *ext_id,
                           const char *key_class, const uint8_t *ids,
                           size_t ids_len, const uint8_t blind[SW_BLIND_BYTES]);
sw_status pg_traffic_strip(void *impl, int month, const char *ext_id);
sw_status pg_traffic_expire(void *impl, int month, sw_instant before,
                            const char *activity, size_t *deleted,
                            size_t *kept);
sw_status pg_traffic_months(void *impl, int (*cb)(int month, void *ctx),
                            void *ctx);
sw_status pg_traffic_drop_empty(void *impl, int month, bool *dropped);
sw_status pg_traffic_warm(void *impl, int month);
sw_status pg_consent_put(void *impl, const sw_consent_row *r);
sw_status pg_consent_get(void *impl, const char *id, sw_consent_cb cb,
                         void *ctx);
sw_status pg_consent_by_token(void *impl, const uint8_t hash[SW_HASH_BYTES],
                              sw_consent_cb cb, void *ctx);
sw_status pg_consent_latest(void *impl, const char *subject,
                            const char *purpose, sw_consent_cb cb, void *ctx);
sw_status pg_consent_list(void *impl, const char *subject, sw_consent_cb cb,
                          void *ctx);
sw_status pg_consent_expiring(void *impl, sw_instant now, sw_consent_cb cb,
                              void *ctx);
sw_status pg_consent_change_add(void *impl, const char *id, const char *state,
                                sw_instant at, const char *actor,
                                const char *note);
sw_status pg_consent_changes(void *impl, const char *id, sw_change_cb cb,
                             void *ctx);
sw_status pg_objection_insert(void *impl, const sw_objection_row *r);
sw_status pg_objection_get(void *impl, const char *id, const char *subject,
                           const char *purpose, sw_objection_cb cb, void *ctx);
sw_status pg_objection_override(void *impl, const char *id, const char *reason,
                                sw_instant at, const char *by);
sw_status pg_suppression_put(void *impl, const sw_suppression_row *r);
sw_status pg_suppression_get(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                             const char *channel, sw_suppression_cb cb,
                             void *ctx);
sw_status pg_suppression_delete(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                                const char *channel, size_t *n);
sw_status pg_suppression_set_due(void *impl, const uint8_t hash[SW_BLIND_BYTES],
                                 const char *rule, sw_instant due);
sw_status pg_suppression_sweep(void *impl, sw_instant now, size_t *n);
sw_status pg_suppression_list(void *impl, sw_suppression_cb cb, void *ctx);
sw_status pg_decide_facts(void *impl, const uint8_t *blind, const char *subject,
                          int supp, const char *purpose, sw_instant now,
                          sw_facts *f);
sw_status pg_request_put(void *impl, const sw_request_row *r);
sw_status pg_request_get(void *impl, const char *id, sw_request_cb cb,
                         void *ctx);
sw_status pg_request_open_of(void *impl, const char *subject, const char *type,
                             sw_request_cb cb, void *ctx);
sw_status pg_request_list_open(void *impl, sw_request_cb cb, void *ctx);
sw_status pg_request_change_add(void *impl, const char *id, const char *state,
                                sw_instant at, const char *actor,
                                const char *reason);
sw_status pg_request_changes(void *impl, const char *id, sw_change_cb cb,
                             void *ctx);
sw_status pg_request_closed_before(void *impl, sw_instant before,
                                   sw_request_cb cb, void *ctx);
sw_status pg_request_delete(void *impl, const char *id);
sw_status pg_request_since(void *impl, sw_instant since, sw_request_cb cb,
                           void *ctx);
sw_status pg_record_hold(void *impl, const char *record, char hold[SW_ID_BUFSZ],
                         char kind[48]);
sw_status pg_record_delete(void *impl, const char *record);
sw_status pg_state_get(void *impl, const char *kind,
                       const uint8_t key[SW_BLIND_BYTES], char *value,
                       size_t n);
sw_status pg_state_put(void *impl, const char *kind,
                       const uint8_t key[SW_BLIND_BYTES], const char *value,
                       sw_instant due);
sw_status pg_state_sweep(void *impl, sw_instant now, size_t *n);
sw_status pg_record_set_value(void *impl, const char *record,
                              const uint8_t *value, size_t len);

#endif
