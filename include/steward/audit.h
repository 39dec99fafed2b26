/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit trail: an append-only chain of every change and every
 * disclosure. Entry n's hash is keyed BLAKE2b over entry n-1's hash and
 * entry n's fields, so changing, deleting, reordering or truncating entries
 * breaks the chain. Entries hold ids, never personal values.
 */
#ifndef STEWARD_AUDIT_H
#define STEWARD_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "steward/clock.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sw_audit_entry {
    int64_t seq;
    sw_instant at;
    const char *actor;
    const char *action;  /* "subject.add", "record.add", "subject.erase"... */
    const char *subject; /* subject id, or NULL */
    const char *objects; /* JSON array of ids */
    const char *details; /* JSON object, no personal values */
    char hash[65];       /* hex */
} sw_audit_entry;

typedef struct sw_audit_verdict {
    bool intact;
    int64_t entries;   /* entries checked */
    int64_t first_bad; /* seq of the first broken entry, when !intact */
    char reason[256];
    char head[65]; /* hash of the last entry: record it elsewhere to anchor */
} sw_audit_verdict;

/* Recomputes the whole chain. SW_OK whether or not it is intact (see
 * verdict); another status when it could not be read. */
sw_status sw_audit_verify(sw_store *s, sw_audit_verdict *v);

typedef struct sw_audit_filter {
    bool has_since;
    sw_instant since;
    const char *subject;
} sw_audit_filter;

/* Calls cb for each entry matching f (NULL: all), oldest first; stops when
 * cb returns non-zero. Entry strings are borrowed for the call. */
sw_status sw_audit_log(sw_store *s, const sw_audit_filter *f,
                       int (*cb)(const sw_audit_entry *e, void *ctx),
                       void *ctx);

#ifdef __cplusplus
}
#endif
#endif
