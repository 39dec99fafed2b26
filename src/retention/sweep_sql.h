/* SPDX-License-Identifier: Apache-2.0 */
/* The record sweep's SQL (sweep_sql.c): due records taken a batch at a
 * time, the counts that outlive them, and what holds keep. Private to
 * libsteward. */
#ifndef STEWARD_SWEEP_SQL_H
#define STEWARD_SWEEP_SQL_H

#include "ledger/ledger_sql.h"

typedef int (*sw_held_cb)(const char *hold, const char *kind, size_t count,
                          void *ctx);

/* Deletes up to limit (0: all) due records that no active hold covers,
 * oldest due first, with the events recorded on them, handing each to cb
 * (its value NULL); *n: how many. When cb stops, the caller undoes the
 * batch. */
sw_status sw_sweep_take(sw_store *s, sw_instant now, size_t limit,
                        sw_record_cb cb, void *ctx, size_t *n);
/* Adds to the counts that survive deletion (nothing personal). */
sw_status sw_aggregates_add(sw_store *s, const char *activity,
                            const char *category, const char *month,
                            const char *rule, size_t count);
/* The subjects nothing keeps at now (SW_SUBJECT_KEPT) and no hold keeps,
 * to cb with the instant each was created, oldest first, until cb
 * returns non-zero. */
typedef int (*sw_orphan_cb)(const char *id, sw_instant created, void *ctx);
sw_status sw_subjects_orphaned(sw_store *s, sw_instant now, sw_orphan_cb cb,
                               void *ctx);
/* Deletes the events nothing they date is left of (SW_EVENT_KEPT: an
 * account or a tenant no subject is in any more, an event entity without
 * records), recorded at or before `before`; *n: how many. */
sw_status sw_events_orphaned_delete(sw_store *s, sw_instant before, size_t *n);
/* Due records that active holds keep, per hold; *total: distinct. */
sw_status sw_records_held(sw_store *s, sw_instant now, sw_held_cb cb, void *ctx,
                          size_t *total);

#endif
