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
    sw_instant at; /* the business time it concerns (--now may set it) */
    /* The real time it was written (the system clock, whatever --now
     * says); false for entries written before steward recorded it. */
    bool has_written;
    sw_instant written_at;
    const char *actor;
    const char *action;  /* "subject.add", "record.add", "subject.erase"... */
    const char *subject; /* subject id, or NULL */
    const char *objects; /* JSON array of ids */
    const char *details; /* JSON object, no personal values */
    char hash[65];       /* hex */
} sw_audit_entry;

/* An entry whose business time is this far from the time it was written
 * was written with the clock set elsewhere (time travel: --now). */
#define SW_AUDIT_TRAVEL_SECS 300
/* An entry written this long before the entry before it says the system
 * clock was set back. */
#define SW_AUDIT_BACKWARDS_SECS 5

typedef struct sw_audit_verdict {
    bool intact;       /* the chain, its sealed head and the checkpoint hold */
    int64_t entries;   /* entries checked */
    int64_t first_bad; /* seq of the first broken entry, when !intact */
    char reason[256];
    char head[65]; /* hash of the last entry: record it elsewhere to anchor */
    /* entries written with the real clock running backwards: the system
     * clock was set back (a backdating); counted, the first one named */
    int64_t out_of_order, first_out_of_order;
    /* entries written under time travel (their business time is not when
     * they were written): demos and tests; counted, the first one named */
    int64_t travelled, first_travelled;
    /* sw_audit_verify_checkpoint: the checkpoint's entry */
    bool checkpoint;
    int64_t checkpoint_seq;
} sw_audit_verdict;

/* Recomputes the whole chain and checks the head against its seal (a MAC
 * under the store key, so a trail cut at its end is noticed). SW_OK
 * whether or not it is intact (see verdict); another status when it could
 * not be read. */
sw_status sw_audit_verify(sw_store *s, sw_audit_verdict *v);

/*
 * A checkpoint of the trail's head, signed with the store's key (Ed25519,
 * derived from the master key), as one line of JSON: store, entries, head,
 * the real time, the public key and the signature. Keep it somewhere the
 * store's administrators cannot write; sw_audit_verify_checkpoint then
 * proves that nothing up to it was removed or changed. *text is the
 * caller's (free). Audited.
 */
sw_status sw_audit_checkpoint(sw_store *s, char **text);

/*
 * sw_audit_verify, and the checkpoint (its text) too: its signature must
 * be this store's, and the trail must still hold its entry with the same
 * hash. A malformed checkpoint is SW_ERR_SYNTAX; one of another store or
 * with a bad signature makes the verdict not intact.
 */
sw_status sw_audit_verify_checkpoint(sw_store *s, const char *text,
                                     sw_audit_verdict *v);

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
