/* SPDX-License-Identifier: Apache-2.0 */
/* The disclosures table (disclosures_sql.c). Private to libsteward;
 * strings handed to callbacks are borrowed for the call. */
#ifndef STEWARD_DISCLOSURES_SQL_H
#define STEWARD_DISCLOSURES_SQL_H

#include "ledger/ledger_sql.h"

typedef struct sw_disclosure_row {
    const char *id;
    sw_instant at;
    const char *recipient_kind, *recipient, *basis, *reference;
    const char *scope_kind;
    const uint8_t *scope_bi;  /* blind index of the identifier or account;
                                 NULL for a subject scope */
    const char *subject;      /* a subject scope's id, or NULL */
    const uint8_t *scope_enc; /* the scope's value, sealed */
    size_t scope_enc_len;
    const uint8_t *wrapped; /* the entry's data key */
    size_t wrapped_len;
    const char *categories; /* JSON array */
    bool has_confidential_until;
    sw_instant confidential_until;
    const char *actor;
} sw_disclosure_row;

typedef int (*sw_disclosure_cb)(const sw_disclosure_row *r, void *ctx);

sw_status sw_disclosures_insert(sw_store *s, const sw_disclosure_row *r);
/* Newest first; subject: those whose scope is the subject, one of its
 * identifiers or its account (NULL: all). */
sw_status sw_disclosures_list(sw_store *s, const char *subject,
                              sw_disclosure_cb cb, void *ctx);

#endif
