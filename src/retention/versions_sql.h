/* SPDX-License-Identifier: Apache-2.0 */
/* The SQL of the policy's versions (versions_sql.c), and the counts a
 * change of policy is checked against. Private to libsteward. */
#ifndef STEWARD_VERSIONS_SQL_H
#define STEWARD_VERSIONS_SQL_H

#include "steward/retention.h"
#include "store/store_int.h"

typedef struct sw_version_row {
    int64_t seq;
    const char *hash;
    const char *notice_version; /* may be NULL */
    sw_instant applied_at;
    const char *actor;
    const char *source;
    const char *text; /* NULL in a listing */
    const char *summary;
} sw_version_row;

typedef int (*sw_version_row_cb)(const sw_version_row *r, void *ctx);

/* The latest version (its text too); cb is not called when there is
 * none. */
sw_status sw_versions_latest(sw_store *s, sw_version_row_cb cb, void *ctx);
/* Every version, oldest first, without their texts. */
sw_status sw_versions_list(sw_store *s, sw_version_row_cb cb, void *ctx);
/* Adds r (its seq must follow the latest); *added: false when another
 * writer recorded that seq first. */
sw_status sw_versions_insert(sw_store *s, const sw_version_row *r, bool *added);

typedef int (*sw_name_count_cb)(const char *name, int64_t n, void *ctx);
/* How many records each activity has. */
sw_status sw_records_by_activity(sw_store *s, sw_name_count_cb cb, void *ctx);
/* How many suppression entries each rule keeps. */
sw_status sw_suppression_by_rule(sw_store *s, sw_name_count_cb cb, void *ctx);

typedef struct sw_consent_seen {
    const char *id;
    const char *subject;
    const char *purpose;
    const char *state;
    const char *notice_version;
} sw_consent_seen;
/* The consents to purpose that stand or wait for a confirmation, given
 * under a notice version other than version. */
sw_status sw_consents_under_other_notice(
    sw_store *s, const char *purpose, const char *version,
    int (*cb)(const sw_consent_seen *c, void *ctx), void *ctx);

#endif
