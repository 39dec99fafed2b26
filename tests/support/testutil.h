/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test programs: running the real CLI, reading files,
 * parsing instants. */
#ifndef STEWARD_TESTUTIL_H
#define STEWARD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "steward/steward.h"

/* What a finished command printed and how it ended. */
typedef struct tu_run {
    int status; /* exit code, or 128 + signal */
    char *out;  /* stdout, NUL-terminated (free with tu_run_free) */
    char *err;  /* stderr */
} tu_run;

/*
 * Runs the steward CLI with the given arguments (NULL-terminated) and
 * optional "NAME=value" environment additions (NULL-terminated, may be
 * NULL). STEWARD_POLICY and STEWARD_NOW are cleared first so the caller
 * chooses them. Fails the test if the process cannot be started.
 */
void tu_steward(tu_run *r, const char *const *env, ...);
/* The same for another program (a path), with its arguments. */
void tu_run_cmd(tu_run *r, const char *const *env, const char *prog, ...);
void tu_run_free(tu_run *r);

/* The whole file, NUL-terminated (free()); fails the test when unreadable. */
char *tu_read_file(const char *path, size_t *len);
/* A path under the source tree (static buffer per call site: copy it). */
const char *tu_src(const char *rel, char *buf, size_t n);
/* Parses an instant or fails the test. */
sw_instant tu_instant(const char *iso);
/* Loads the bundled policy or fails the test. */
sw_policy *tu_bundled(void);

/* A fresh empty directory under /tmp (caller frees the path); removed with
 * tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *dir);
/* dir/name into buf. */
const char *tu_path(const char *dir, const char *name, char *buf, size_t n);
/* true when the file at path holds needle anywhere (binary-safe); a
 * missing file holds nothing. */
bool tu_file_contains(const char *path, const char *needle);
/* Copies a file; fails the test on error. */
void tu_copy(const char *from, const char *to);
/* The first column of the first row of a query on an SQLite file, or -1. */
long tu_count_sql(const char *db_path, const char *sql);
/* Whether the suite runs on PostgreSQL (STEWARD_TEST_PG). */
bool tu_pg(void);
/* The store path for a test directory: dir/steward.db, or with
 * STEWARD_TEST_PG a new database's URI (its key file dir/steward.key, set
 * as STEWARD_KEY_FILE for the commands the test runs). tu_db_drop removes
 * the database. */
void tu_db(const char *dir, char *path, size_t n);
void tu_db_drop(const char *path);
/* Runs SQL that returns no rows on a store's database (a file or a
 * postgresql:// URI); fails the test when it fails. */
void tu_exec_sql(const char *db_path, const char *sql);
/* Whether any cell of CSV text (RFC 4180), once unquoted, starts as a
 * spreadsheet formula does: =, +, -, @, tab or carriage return. */
bool tu_csv_has_formula(const char *csv);
/* The signature a webhook system puts on a message: "v1=" and the hex
 * HMAC-SHA256 of "TS.BODY" under secret (out: 68 bytes). */
void tu_webhook_sign(const char *secret, const char *ts, const char *body,
                     size_t n, char *out);
/* Runs a shell command; returns its exit status. */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A store for tests: created in a new temp dir with the bundled policy and
 * a clock fixed at now. */
typedef struct tu_store {
    char *dir;
    char path[512]; /* a file, or a postgresql:// URI (STEWARD_TEST_PG) */
    char key[512];  /* the key file, for a PostgreSQL store */
    sw_policy *policy;
    sw_store *s;
    sw_clock clock;
} tu_store;
void tu_store_new(tu_store *t, const char *now);
/* The same with another policy (taken: it becomes t->policy). */
void tu_store_new_policy(tu_store *t, const char *now, sw_policy *policy);
void tu_store_reopen(tu_store *t);
/* Applies next (taken: it becomes t->policy) to the open test store as
 * its next policy version; the plan is returned (sw_policy_plan_free). */
sw_policy_plan *tu_store_apply(tu_store *t, sw_policy *next);
/* A policy loaded from a file of tests/data/policy or from text. */
sw_policy *tu_policy_file(const char *relpath);
sw_policy *tu_policy_text(const char *text);
/* The bundled policy's text with each (from, to) pair of the
 * NULL-ended list replaced once (free()); a missing "from" fails. */
char *tu_bundled_variant(const char *const *pairs);
/* The same written to path. */
void tu_bundled_variant_file(const char *path, const char *const *pairs);
/* A copy of a closed store and its key (an SQLite file, or a PostgreSQL
 * database cloned from it); tu_store_copy_drop removes it. */
void tu_store_copy(const tu_store *t, char *path, size_t n, char *key,
                   size_t kn);
void tu_store_copy_drop(const char *path);
void tu_store_free(tu_store *t);
/* Moves the test store's clock. */
void tu_store_now(tu_store *t, const char *now);
/* Sweeps the test store at now (tu_store_now) and returns the report; a
 * plan (dry run) at the same instant runs first and must count exactly
 * what the sweep then does. */
sw_sweep_report *tu_sweep(tu_store *t, const char *now);

#endif
