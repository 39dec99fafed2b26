/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to libsteward: the store handle. A handle holds one connection
 * of a driver (store/driver.h), the statements it prepared (store/sql.h),
 * the master key, the audit chain's head and what the services keep on it
 * between calls (their caches, each freed by its own owner's hook). The
 * services' tables and SQL live with the services; the schema that makes
 * them is store/schema.c.
 */
#ifndef STEWARD_STORE_INT_H
#define STEWARD_STORE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "steward/ledger.h"
#include "steward/store.h"
#include "store/driver.h"

#define SW_SCHEMA_LATEST 14
#define SW_STMT_SLOTS 256

/* Changes a batch coalesces into one audit entry each, in flush order. */
/* names a coalesced audit entry's counts may have (sw_audit_note_counts) */
#define SW_TALLY_MAX 32

typedef enum sw_pend_kind {
    SW_PEND_SUBJECT,
    SW_PEND_RECORD,
    SW_PEND_COUNT
} sw_pend_kind;

/* What a service keeps on a handle: its own data, forgotten (wiped) when
 * a batch ends and freed when the handle closes, by the service's hooks.
 * The store calls down into nothing but these. */
typedef enum sw_ext_id {
    SW_EXT_SUBJECT_KEYS, /* the ledger: a batch's subjects and their keys */
    SW_EXT_DAY_KEYS,     /* traffic: unwrapped day keys */
    SW_EXT_DECISIONS,    /* consent: what decisions read */
    SW_EXT_SYSTEMS,      /* the connectors: open connections */
    SW_EXT_SCANNERS,     /* the ledger: compiled scanners of free text */
    SW_EXT_COUNT
} sw_ext_id;

typedef struct sw_ext {
    void *p;
    void (*batch_end)(void *p); /* may be NULL */
    void (*free)(void *p);
} sw_ext;

/* Where a lower layer tells a higher one (registered by sw_store_open):
 * an event recorded on subjects (the ledger calls it inside the event's
 * transaction; the consent service dates suppression entries). */
typedef sw_status (*sw_event_hook)(sw_store *s, const char *type, sw_instant at,
                                   const char (*subjects)[SW_ID_BUFSZ],
                                   size_t n);

/* A statement prepared on the handle's connection, kept by its text. */
typedef struct sw_stmt_slot {
    char *sql;
    uint32_t hash;
    void *stmt;
    bool busy; /* being stepped: a nested use gets a statement of its own */
} sw_stmt_slot;

struct sw_store {
    const sw_driver *drv;
    void *db;
    sw_stmt_slot stmts[SW_STMT_SLOTS];
    sw_keyring *keys;
    const sw_policy *policy;
    /* the version of the store's policy that policy is (0: not checked);
     * a change made while the store applies another one is refused */
    int64_t policy_seq;
    sw_clock clock;
    sw_clock wall; /* the real time audit entries are written at */
    char actor[128];
    char country[8];
    char public_url[256]; /* "" when none (sw_store_set_public_url) */
    char err[768];
    int version;
    bool in_batch;
    bool in_read; /* inside sw_read_begin */
    /* Inside a batch the write lock is held, so nothing else can change the
     * audit head: it is cached until the batch ends. */
    struct {
        bool valid, dirty;
        int64_t seq;
        uint8_t hash[SW_HASH_BYTES];
    } head, head_saved; /* head_saved: at the start of the current change */
    /* subject.add and record.add entries of this batch, coalesced into one
     * audit entry each: the ids as JSON array items, and how many. */
    struct pending {
        sw_buf ids;
        size_t count, saved_len, saved_count;
        /* counts a service adds to the entry under one field, by name
         * (the ledger: what the scanner removed, by type); the store
         * only sums them */
        const char *tally_field; /* NULL: none noted */
        size_t n_tally, saved_n_tally;
        const char *tally_name[SW_TALLY_MAX];
        size_t tally[SW_TALLY_MAX], saved_tally[SW_TALLY_MAX];
    } pend[SW_PEND_COUNT];
    sw_ext ext[SW_EXT_COUNT];
    struct {
        sw_event_hook event;
    } hooks;
    /* Its group's change counter is bumped by every change committed or
     * undone through any of the group's handles: what a service cached
     * before is out of date. */
    sw_store_group *group; /* the caller's, or own */
    struct sw_store_group {
        _Atomic uint64_t changes;
    } own;
    /* sw_decide's verdicts, written by the handle's thread alone (plain
     * increments), read from any (sw_decide_counts) */
    _Atomic uint64_t allowed, denied;
};

/* The group's change counter (read on every decision: inline, relaxed:
 * it orders nothing, it only tells), and a change made (or undone). */
static inline uint64_t sw_store_changes(const sw_store *s)
{
    return s->group
               ? atomic_load_explicit(&s->group->changes, memory_order_relaxed)
               : 0;
}
void sw_store_changed(sw_store *s);

/* sw_store_open without the services' hooks (src/steward.c adds them). */
sw_status sw_store_connect(const char *uri, const sw_store_options *o,
                           sw_store **out, sw_error *err);

/* The driver of a URI; whether it names a file (SQLite) rather than a
 * database server. */
const sw_driver *sw_driver_for(const char *uri);
bool sw_store_is_file(const char *uri);

/* A service's data on s (NULL when it keeps none yet). */
void *sw_ext_get(sw_store *s, sw_ext_id id);
/* Hands p to s under id, with its hooks; replaces (and frees) any other. */
void sw_ext_set(sw_store *s, sw_ext_id id, void *p, void (*batch_end)(void *),
                void (*free_fn)(void *));

/* Replaces the clock of the real time (tests of a clock set back). */
void sw_store_set_wall(sw_store *s, const sw_clock *c);

/* What a caller's free text may be (what names it in the message): NULL,
 * or UTF-8 of fewer than max bytes. SW_ERR_LIMIT or SW_ERR_INVALID with a
 * message otherwise. */
sw_status sw_check_text(sw_store *s, const char *what, const char *v,
                        size_t max);

/* Sets s->err from a format and returns st. */
sw_status sw_fail(sw_store *s, sw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Puts "what: " before the message of the last failure; returns st. */
sw_status sw_fail_prefix(sw_store *s, sw_status st, const char *what);

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

/* Folds the journal into the store (after an erasure or a bulk load);
 * what failed says what was done ("erased, but ..."). */
sw_status sw_store_checkpoint(sw_store *s, const char *done);

/* A value of the store's metadata: SW_ERR_NOTFOUND when there is none
 * (no message). val: n bytes. */
sw_status sw_meta_get(sw_store *s, const char *key, char *val, size_t n);
sw_status sw_meta_set(sw_store *s, const char *key, const char *val);

#endif
