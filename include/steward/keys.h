/* SPDX-License-Identifier: Apache-2.0 */
/*
 * API keys for stewardd: each key has a role that scopes what it may do.
 * The key text is shown once, when it is created; the store keeps only its
 * keyed hash. Creation and revocation are audited.
 */
#ifndef STEWARD_KEYS_H
#define STEWARD_KEYS_H

#include <stdbool.h>

#include "steward/clock.h"
#include "steward/ledger.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_key_role {
    SW_ROLE_ADMIN = 0, /* keys, and everything */
    SW_ROLE_DPO,       /* requests, holds, reports, consents */
    SW_ROLE_SERVICE,   /* ingest, events, decisions */
    SW_ROLE_AUDITOR,   /* read-only reports and audit */
    SW_ROLE_COUNT
} sw_key_role;

/* "admin", "dpo", "service", "auditor"; NULL out of range. */
const char *sw_key_role_name(sw_key_role r);
bool sw_key_role_parse(const char *name, sw_key_role *out);

#define SW_APIKEY_BUFSZ 72 /* "stw_" + 64 hex digits, with the NUL */

typedef struct sw_key_view {
    char id[SW_ID_BUFSZ];
    sw_key_role role;
    char label[128];
    char created_by[128];
    sw_instant created_at;
    bool revoked;
    sw_instant revoked_at;
    /* a service key of one customer: "" for a key of the operator */
    char account[96];
} sw_key_view;

/* Creates a key of a role; token gets its text (shown once), id its id. */
sw_status sw_key_create(sw_store *s, sw_key_role role, const char *label,
                        char id[SW_ID_BUFSZ], char token[SW_APIKEY_BUFSZ]);

/* The same for one customer's own systems: a service key scoped to
 * account (notice section 2: the customer instructs its processor), which
 * reaches that account's records only. */
sw_status sw_key_create_for(sw_store *s, sw_key_role role, const char *label,
                            const char *account, char id[SW_ID_BUFSZ],
                            char token[SW_APIKEY_BUFSZ]);

/* The key a token names: SW_ERR_DENIED for an unknown or revoked one. */
sw_status sw_key_check(sw_store *s, const char *token, sw_key_view *out);

/* Revokes a key by id: SW_ERR_NOTFOUND, or SW_ERR_CONFLICT when it was. */
sw_status sw_key_revoke(sw_store *s, const char *id);

/* Every key, newest first (revoked ones too). */
sw_status sw_key_list(sw_store *s, int (*cb)(const sw_key_view *k, void *ctx),
                      void *ctx);

#ifdef __cplusplus
}
#endif
#endif
