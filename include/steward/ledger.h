/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger: data subjects, their identifiers, personal-data records and
 * the lifecycle events that start their retention clocks. Every change is
 * one transaction with its audit entry; every read that decrypts personal
 * data is audited as a disclosure.
 */
#ifndef STEWARD_LEDGER_H
#define STEWARD_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SW_ID_BUFSZ 32
#define SW_VALUE_MAX (64 * 1024)

typedef struct sw_ident {
    const char *type;  /* email, phone, msisdn, imsi, imei, account_id, ip,
                          or a customer-defined type */
    const char *value; /* as given; normalised by steward */
} sw_ident;

typedef struct sw_subject_spec {
    const char *kind;    /* a subject id of the policy */
    const char *account; /* the account it belongs to, or NULL */
    const char *tenant;  /* the tenant, or NULL */
    const char *role;    /* "controller"/"processor"; NULL: from the policy */
    size_t n_idents;
    const sw_ident *idents;
} sw_subject_spec;

/*
 * Adds a subject with its identifiers, in one transaction. Refuses an
 * unknown kind, a malformed identifier (SW_ERR_INVALID), or an identifier
 * that already belongs to another subject (SW_ERR_CONFLICT; the message
 * names that subject). id (SW_ID_BUFSZ bytes) receives the new subject's
 * id.
 */
sw_status sw_subject_add(sw_store *s, const sw_subject_spec *spec,
                         char id[SW_ID_BUFSZ]);

/* Adds one identifier to an existing subject (same rules). */
sw_status sw_ident_add(sw_store *s, const char *subject, const sw_ident *ident);

/* Finds the subject an identifier belongs to: one blind-index probe.
 * SW_ERR_NOTFOUND when none; SW_ERR_INVALID when the value is malformed.
 * id: SW_ID_BUFSZ bytes. */
sw_status sw_subject_find(sw_store *s, const sw_ident *ident,
                          char id[SW_ID_BUFSZ]);

/* Calls cb for each subject of an account (blind-index look-up); stops
 * early when cb returns non-zero. */
sw_status sw_subject_find_account(sw_store *s, const char *account,
                                  int (*cb)(const char *id, void *ctx),
                                  void *ctx);

typedef struct sw_record_spec {
    const char *subject;
    const char *activity;
    const char *category;
    const char *value; /* personal value, value_len bytes */
    size_t value_len;
    const char *source;    /* a source of the policy, or NULL */
    bool has_collected_at; /* false: now */
    sw_instant collected_at;
    /* the event entity it belongs to (a webinar's id, as given: printable,
     * at most 63 bytes), or NULL: its events date it, no other's */
    const char *event;
} sw_record_spec;

/* What a new record's retention is, as the policy computes it. */
typedef struct sw_due {
    bool has_due; /* false: no trigger yet, or no period stated */
    sw_instant due_at;
    char rule[96]; /* the rule that gives due_at (or that applies) */
} sw_due;

/*
 * Adds a record: refused when the policy has no such activity and category
 * pair, or the activity does not process the subject's kind. The value is
 * encrypted under the subject's key, bound to subject, record and category.
 * id (SW_ID_BUFSZ bytes) receives the record's id, due (may be NULL) the
 * computed retention.
 */
sw_status sw_record_add(sw_store *s, const sw_record_spec *spec,
                        char id[SW_ID_BUFSZ], sw_due *due);

typedef struct sw_event_spec {
    const char *type; /* a trigger of the policy that is not record-scoped */
    /* exactly one scope: */
    const char *subject;
    const char *account;
    const char *tenant;
    const char *record;
    sw_instant at;
    const char *event; /* or: an event entity, dating its records only */
} sw_event_spec;

/*
 * Records a lifecycle event and, in the same transaction, sets or moves
 * due_at of every record it affects. id (SW_ID_BUFSZ bytes) receives the
 * event's id, *moved (may be NULL) how many records changed their due date.
 */
sw_status sw_event_add(sw_store *s, const sw_event_spec *spec,
                       char id[SW_ID_BUFSZ], size_t *moved);

typedef struct sw_ident_view {
    char type[48];
    char *value; /* normalised, decrypted */
} sw_ident_view;

typedef struct sw_record_view {
    char id[SW_ID_BUFSZ];
    char activity[96];
    char category[128];
    char source[96];
    char *value; /* decrypted, NUL-terminated */
    size_t value_len;
    sw_instant collected_at;
    sw_due due;
    char event[64]; /* its event entity, or "" */
} sw_record_view;

typedef struct sw_subject_view {
    char id[SW_ID_BUFSZ];
    char kind[96];
    char role[16];
    char *account; /* decrypted, or NULL */
    char *tenant;
    sw_instant created_at;
    size_t n_idents;
    sw_ident_view *idents;
    size_t n_records;
    sw_record_view *records;
} sw_subject_view;

/* Everything steward holds on a subject, decrypted; audited as a
 * disclosure. *out is the caller's (sw_subject_view_free). */
sw_status sw_subject_show(sw_store *s, const char *id, sw_subject_view **out);
/* Wipes the decrypted values and frees; NULL is a no-op. */
void sw_subject_view_free(sw_subject_view *v);

typedef struct sw_erase_result {
    size_t records;
    size_t identifiers;
    size_t events;
} sw_erase_result;

/*
 * Crypto-shredding: destroys the subject's data key first, then deletes its
 * records, identifiers and events, in one transaction; afterwards no read
 * path returns its data.
 */
sw_status sw_subject_erase(sw_store *s, const char *id, sw_erase_result *out);

/* Replaces a record's value (Art. 16): sealed anew under the subject's
 * key; the old value is overwritten in the store and its journal. The
 * record must belong to subject. Audited without either value. */
sw_status sw_record_rectify(sw_store *s, const char *subject,
                            const char *record, const char *value, size_t len);

#ifdef __cplusplus
}
#endif
#endif
