/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: where the ledger lives. A store is a database (an SQLite file,
 * or a PostgreSQL database: postgresql://...) plus a master key file. Every
 * personal value in it is encrypted under a per-subject key wrapped by the
 * master key; look-ups go through blind indexes. One sw_store is used by one
 * thread at a time.
 */
#ifndef STEWARD_STORE_H
#define STEWARD_STORE_H

#include <stddef.h>

#include "steward/clock.h"
#include "steward/policy.h"
#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sw_store sw_store;

/* Handles of one process that see each other's changes at once (a
 * daemon's pool): what one changes, the others forget having cached.
 * Thread-safe; it must outlive every handle opened with it. A handle
 * opened without one has its own. */
typedef struct sw_store_group sw_store_group;

/* A new group; NULL when out of memory. */
sw_store_group *sw_store_group_new(void);
void sw_store_group_free(sw_store_group *g);

/* Decisions sw_decide made through a handle (sw_decide_counts). */
typedef struct sw_decide_counters {
    size_t allowed, denied;
} sw_decide_counters;

/* Why a constructor failed, before any handle exists. */
typedef struct sw_error {
    char msg[512];
} sw_error;

typedef struct sw_store_options {
    const char *key_file; /* NULL: "<path>.key" */
    /* Borrowed; must outlive the store. Required for ledger writes. */
    const sw_policy *policy;
    sw_clock clock;              /* "now" for every change */
    const char *actor;           /* who acts, for the audit trail */
    const char *default_country; /* completes national phone numbers */
    sw_store_group *group;       /* borrowed; NULL: the handle's own */
} sw_store_options;

/* Defaults: system clock, actor "steward", no policy, no country. */
void sw_store_options_init(sw_store_options *o);

/* The store's key file path for uri and options (opt->key_file or
 * "<uri>.key") into buf (size n). */
void sw_store_key_path(const char *uri, const sw_store_options *o, char *buf,
                       size_t n);

/*
 * Creates a store at uri and a new master key file. Refuses (SW_ERR_EXISTS)
 * when either exists; on any failure nothing is left behind.
 */
sw_status sw_store_create(const char *uri, const sw_store_options *o,
                          sw_error *err);

/*
 * Opens a store. Fails, changing nothing, on a missing store or key file,
 * a wrong key (SW_ERR_CRYPTO), a file that is not a steward store
 * (SW_ERR_CORRUPT) or one written by a newer steward (SW_ERR_VERSION). An
 * older store is upgraded in one transaction. *out is the caller's
 * (sw_store_close) and NULL on failure; err says why.
 */
sw_status sw_store_open(const char *uri, const sw_store_options *o,
                        sw_store **out, sw_error *err);

/* uri as it may be shown or logged: a password in a postgresql:// URI
 * becomes "***" (buf: n bytes). */
void sw_store_uri_shown(const char *uri, char *buf, size_t n);

/* Closes; NULL is a no-op. Key material is wiped. */
void sw_store_close(sw_store *s);

/* The message of the last failure on s; valid until the next call. */
const char *sw_errmsg(const sw_store *s);

/* The schema version of the open store. */
int sw_store_schema_version(const sw_store *s);
/* The newest schema version this steward writes. */
int sw_store_schema_latest(void);

/* Replaces the clock (tests and demos travel in time). */
void sw_store_set_clock(sw_store *s, const sw_clock *c);

/* The address this steward is reached at (stewardd's --public-url, at
 * most 255 bytes; NULL: none): a webhook system is told to answer a job
 * later at URL/v1/systems/ID/callback; without one it must answer at
 * once. */
void sw_store_set_public_url(sw_store *s, const char *url);

/* The key of the scanner's pseudonyms (sw_redact in hash mode): derived
 * from the store's master key, so the same value gives the same
 * pseudonym in every text redacted with this store, and nothing outside
 * it can compute one. 32 bytes into key. */
void sw_store_pseudonym_key(sw_store *s, uint8_t key[32]);

/* Replaces who acts, for the audit trail (a daemon: the caller's key). */
void sw_store_set_actor(sw_store *s, const char *actor);

/*
 * Groups many ledger changes into one transaction (bulk loads). Each change
 * inside stays atomic on its own (a failed one is undone alone). Batches do
 * not nest.
 */
sw_status sw_batch_begin(sw_store *s);
sw_status sw_batch_commit(sw_store *s);
void sw_batch_rollback(sw_store *s);

/*
 * A read snapshot: the reads and decisions until sw_read_end see the store
 * as it was at the first read, under one lock instead of one per query (a
 * list filtered in one go). No change can be made inside it. Keep it
 * short: it holds the journal from being folded into the store.
 */
sw_status sw_read_begin(sw_store *s);
void sw_read_end(sw_store *s);

#ifdef __cplusplus
}
#endif
#endif
