/* SPDX-License-Identifier: Apache-2.0 */
/* The holds table (holds_sql.c). Private to libsteward. */
#ifndef STEWARD_HOLDS_SQL_H
#define STEWARD_HOLDS_SQL_H

#include "ledger/ledger_sql.h"

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

typedef int (*sw_hold_cb)(const sw_hold_row *r, void *ctx);

sw_status sw_holds_insert(sw_store *s, const sw_hold_row *r);
/* SW_ERR_NOTFOUND, or SW_ERR_CONFLICT when already released. */
sw_status sw_holds_release(sw_store *s, const char *id, sw_instant at,
                           const char *by);
/* Active holds (all: released ones too), active first, oldest first. */
sw_status sw_holds_list(sw_store *s, bool all, sw_hold_cb cb, void *ctx);
/* Deletes the holds released at or before `before`; *n: how many. */
sw_status sw_holds_released_delete(sw_store *s, sw_instant before, size_t *n);
/* The first active hold that covers a record (its id, SW_ID_BUFSZ bytes,
 * and kind, 48); SW_ERR_NOTFOUND (no message) when none does. */
sw_status sw_holds_on_record(sw_store *s, const char *record, char *hold,
                             char *kind);

#endif
