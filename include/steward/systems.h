/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connectors: the policy's systems (its `systems:` section), the
 * company's own databases steward does not own, reached through the same
 * storage driver as the store (SQLite, PostgreSQL, MariaDB). Each system
 * is checked against its live schema; a person's rows are found there by
 * the declared identity columns and the relations between tables; an
 * erasure runs per system in one transaction, children before parents;
 * the sweep deletes or anonymises the rows whose clock column plus their
 * rule's period has passed, leaving held accounts and subjects alone.
 * Every change is audited (system, table, rows, request or rule), never
 * with a value. docs/connectors.md gives the grants each connector needs.
 */
#ifndef STEWARD_SYSTEMS_H
#define STEWARD_SYSTEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steward/scan.h"
#include "steward/status.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- steward system check ---- */

typedef struct sw_system_issue {
    char table[64];
    char column[64]; /* "" for the table itself */
    char what[192];  /* "missing", "is integer, a clock needs ..." */
} sw_system_issue;

typedef struct sw_system_count {
    char table[64];
    char category[128]; /* "" for the table's rows */
    int64_t rows;       /* rows with a value in a column of category */
} sw_system_count;

typedef struct sw_system_report {
    char system[64];
    size_t n_issues;
    sw_system_issue *issues;
    size_t n_counts;
    sw_system_count *counts;
} sw_system_report;

/* Connects to the system (credentials from its variable or file),
 * compares its live schema with the declared datasets (missing tables
 * and columns, types a clock, an identity, a mask or a relation cannot
 * use) and counts rows per table and category. An unknown system is
 * SW_ERR_NOTFOUND; one that cannot be reached SW_ERR_IO. *out is the
 * caller's (sw_system_report_free); its issues are the mismatches. */
sw_status sw_system_check(sw_store *s, const char *system,
                          sw_system_report **out);
void sw_system_report_free(sw_system_report *r);

/* ---- data discovery: personal data the policy does not declare ---- */

/* One live text column of a declared table, and what the scanner found
 * in a sample of its values. */
typedef struct sw_column_scan {
    char table[64];
    char column[64];
    char category[128]; /* its declared category, "" when undeclared */
    size_t rows;        /* values sampled */
    size_t findings[SW_PII_COUNT]; /* by sw_pii_type */
    size_t total;
} sw_column_scan;

typedef struct sw_system_scan_report {
    char system[64];
    size_t n;
    sw_column_scan *columns;
    size_t undeclared; /* columns that are not declared and hold some */
} sw_system_scan_report;

/* Samples up to sample rows (0: 1000) of every declared table of an SQL
 * system and scans each text column's values (docs/scan.md): which
 * columns hold personal data, declared or not. Reads only; audited as
 * "system.scan" with counts. *out is the caller's
 * (sw_system_scan_report_free). */
sw_status sw_system_scan(sw_store *s, const char *system, size_t sample,
                         sw_system_scan_report **out);
void sw_system_scan_report_free(sw_system_scan_report *r);

/* ---- a person's rows ---- */

/* Every system's rows of a subject, found by the declared identities and
 * followed through relations, as JSON (caller frees): an array of
 * {system, name, table, rows: [{column: {value, category}}]}. Audited as
 * a disclosure ("system.disclose") with counts only. A system that cannot
 * be reached fails the call (SW_ERR_IO, naming it). */
sw_status sw_system_rows(sw_store *s, const char *subject, char **json);

/* What one system's erasure of a subject did, or would do. */
typedef struct sw_system_step {
    char system[64];
    char table[64];
    char action[16]; /* "delete", "update" */
    size_t rows;
} sw_system_step;

typedef struct sw_system_erasure {
    size_t kept; /* rows of the person a hold keeps (Art. 17(3)) */
    size_t n_steps;
    sw_system_step *steps; /* children before parents, per system */
    char *statements;      /* with a dry run: each statement, one a line */
} sw_system_erasure;

/* Erases a subject's rows in one system (system non-NULL) or in each, one
 * transaction per system, children before parents; a row found twice is
 * erased once; run again, it finds nothing more. The rows of an account,
 * subject or activity under a hold stay (counted in kept). dry_run: counts and
 * statements only, nothing changes. request (or NULL) is named in the
 * audit entries. The first system that fails stops the call with its
 * message (the systems before it stay erased). *out is the caller's
 * (sw_system_erasure_free), also on failure. */
sw_status sw_system_erase(sw_store *s, const char *subject, const char *system,
                          const char *request, bool dry_run,
                          sw_system_erasure **out);
void sw_system_erasure_free(sw_system_erasure *e);

/* ---- retention in the systems (the sweep runs it) ---- */

typedef struct sw_system_expiry {
    char system[64];
    char table[64];
    char rule[96];
    size_t rows;     /* deleted or anonymised (with a dry run: due) */
    size_t held;     /* due, kept by holds */
    char error[256]; /* the system could not be reached or refused: "" if not */
} sw_system_expiry;

typedef struct sw_system_sweep {
    size_t n;
    sw_system_expiry *tables;
    char *statements; /* with a dry run: each statement, one a line */
} sw_system_sweep;

/* For each dataset with a clock: the rows whose clock plus their rule's
 * period is past, in batches (0: 100000): spans of that many keys for an
 * integer key, that many rows by key order otherwise; their children
 * first; rows of an account or subject under a hold, matched through the
 * identity columns, and every row of an activity under a hold stay. A
 * system that fails is reported in its tables' error and the others go
 * on. Audited per batch ("system.expire"). */
sw_status sw_system_sweep_run(sw_store *s, bool dry_run, size_t batch,
                              sw_system_sweep **out);
void sw_system_sweep_free(sw_system_sweep *w);

/* ---- webhook systems (SaaS tools) ----
 *
 * A job is POSTed as JSON, signed with the system's secret (its
 * credentials are "URL SECRET"): X-Steward-Timestamp, X-Steward-Signature
 * "v1=" and the hex HMAC-SHA256 of "TIMESTAMP.BODY", Idempotency-Key the
 * job's id. The system answers 200 with {"status": "done", ...} or 202 and
 * later a callback signed the same way (docs/connectors.md). */

/* The id of a job: the same for every retry of one request's (or
 * subject's, or sweep's) job of a kind in a system. out: SW_ID_BUFSZ. */
void sw_webhook_job_id(sw_store *s, const char *of, const char *system,
                       const char *kind, char *out);
/* Checks a callback: the system is a webhook of the policy, the timestamp
 * within five minutes of now, the signature the system's. SW_ERR_DENIED
 * otherwise (SW_ERR_NOTFOUND for an unknown system). */
sw_status sw_webhook_verify(sw_store *s, const char *system,
                            const char *timestamp, const char *signature,
                            const void *body, size_t n);

#ifdef __cplusplus
}
#endif
#endif
