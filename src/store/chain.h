/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit chain (chain.c): what every change appends to the audit
 * trail, inside the change's own transaction. Private to libsteward.
 */
#ifndef STEWARD_STORE_CHAIN_H
#define STEWARD_STORE_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store_int.h"

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

typedef int (*sw_chain_cb)(const sw_audit_row *r, void *ctx);

/* Appends an entry (inside the caller's transaction). objects: JSON array
 * text; details: JSON object text. */
sw_status sw_audit_append(sw_store *s, const char *action, const char *subject,
                          const char *objects, const char *details);
/* sw_audit_append with jansson values (json_t *, references taken):
 * objects may be NULL for "[]"; a NULL details (a failed json_pack) is
 * SW_ERR_NOMEM. */
sw_status sw_audit_json(sw_store *s, const char *action, const char *subject,
                        void *objects, void *details);

/* Inside a batch: notes a change for the batch's coalesced entry of its
 * kind (ids: one or two ids, the second may be NULL). */
sw_status sw_audit_note(sw_store *s, sw_pend_kind kind, const char *id1,
                        const char *id2);
/* ... and counts of a noted change, summed into the entry as
 * "field": {name: count} (names and field borrowed: static strings; at
 * most SW_TALLY_MAX names; a count of 0 is left out, the field is written
 * even when all are 0). One field per kind. */
void sw_audit_note_counts(sw_store *s, sw_pend_kind kind, const char *field,
                          const char *const names[], const size_t counts[],
                          size_t n);
/* Where sw_audit_unnote goes back to for that kind: here. */
void sw_audit_mark(sw_store *s, sw_pend_kind kind);
/* Undoes the notes made since the current change began. */
void sw_audit_unnote(sw_store *s);
/* Between two changes of a batch: writes the coalesced entries that grew
 * large, so no entry outgrows the audit trail's limit. */
sw_status sw_audit_settle(sw_store *s);
/* At the end of a batch, inside its transaction: appends the coalesced
 * entries and writes the cached head into the metadata. */
sw_status sw_audit_flush_batch(sw_store *s);

/* The bytes an entry's hash covers (b: initialised here, released by
 * the caller), and the hash itself. */
sw_status sw_chain_canonical(const sw_audit_row *r, sw_buf *b);
void sw_chain_hash_row(const sw_store *s, const sw_audit_row *r, sw_buf *b,
                       uint8_t out[SW_HASH_BYTES]);
/* The sealed head; false (and why, n bytes) when it is missing or its
 * MAC is not the store key's. hex: 65 bytes. */
bool sw_chain_read_head(sw_store *s, int64_t *seq, char hex[65], char *why,
                        size_t n);
/* The last entry's seq and hash; seq 0 and a zero hash when empty. */
sw_status sw_chain_last(sw_store *s, int64_t *seq, uint8_t hash[SW_HASH_BYTES]);
/* Entries from seq from on, in order, until cb returns non-zero. */
sw_status sw_chain_scan(sw_store *s, int64_t from, sw_chain_cb cb, void *ctx);

#endif
