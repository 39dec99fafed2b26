/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the connectors (src/systems): a connection to one of the
 * policy's systems, the live schema of its datasets, and the statements
 * built from the policy. Names come from the policy (checked there as
 * letters, digits and _), are compared with the live schema before any
 * statement runs, and are quoted "so"; every value is bound.
 */
#ifndef STEWARD_SYSTEMS_INT_H
#define STEWARD_SYSTEMS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "steward/systems.h"
#include "store/driver.h"
#include "store/store_int.h"

/* What kind of value a live column holds, from its declared type. */
typedef enum sw_col_class {
    SW_COL_ANY = 0, /* SQLite's column without a type */
    SW_COL_TEXT,
    SW_COL_INT,
    SW_COL_NUM,
    SW_COL_TIME,
    SW_COL_BLOB,
    SW_COL_OTHER,
} sw_col_class;

/* The live columns of a table: names and classes (NULL-ended). */
typedef struct sw_live_table {
    bool exists;
    size_t n;
    char (*names)[64];
    char (*types)[64];
    sw_col_class *classes;
} sw_live_table;

typedef struct sw_sysconn {
    const sw_system *sys;
    const sw_driver *drv;
    void *db;
    sw_live_table *live; /* per dataset, in the policy's order */
    char err[384];
} sw_sysconn;

/* The person a request names, as the systems know them: each of their
 * identifiers by type (the subject's account as account_id). */
typedef struct sw_person {
    size_t n;
    struct {
        char type[48];
        char *value;
    } * ids;
} sw_person;

sw_status sw_person_of(sw_store *s, const char *subject, sw_person *out);
void sw_person_free(sw_person *p);

/* The system's credentials: its variable's value, or its file's first
 * line (the file of mode 0600); c->err says why not. */
sw_status sw_sysconn_credentials(sw_sysconn *c, char *out, size_t n);

/* Connects to sys (credentials from its variable or file), reads the live
 * columns of its datasets. On failure c->err says why. */
/* The policy's system of that id, or NULL. */
const sw_system *sw_system_named(const sw_policy *p, const char *id);
sw_status sw_sysconn_open(const sw_system *sys, sw_sysconn *c);
void sw_sysconn_close(sw_sysconn *c);
sw_col_class sw_col_class_of(const char *type);
const char *sw_col_class_name(sw_col_class k);
/* The live class of a dataset's column; -1 when the column is not there. */
int sw_live_class(const sw_live_table *t, const char *column);
/* Whether each name the dataset declares is in the live table; the first
 * missing one is written to what (n bytes). */
bool sw_dataset_live(const sw_dataset *d, const sw_live_table *t, char *what,
                     size_t n);

/* Runs sql with vals bound in order (?1..); rows, when not NULL, is called
 * for each row with the statement to read columns from. */
typedef int (*sw_sys_row_cb)(sw_sysconn *c, void *stmt, void *ctx);
sw_status sw_sys_run(sw_sysconn *c, const char *sql, const sw_val *vals,
                     size_t n_vals, sw_sys_row_cb rows, void *ctx,
                     int64_t *changes);
sw_status sw_sys_fail(sw_sysconn *c, sw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- which rows: a dataset's rows of a person, or past their time ----
 *
 * A selector is the condition of a dataset's rows, as SQL text (after
 * WHERE) with its bound values: for a root (a dataset that names people)
 * the identity columns equal to the person's values, or the clock before
 * the cut-off with the held ones left out; for a dataset reached through
 * a relation, its column IN the parent's selected column. */
typedef struct sw_selector {
    sw_buf where;
    sw_val *vals;
    size_t n_vals, cap;
    char **owned; /* texts of vals the selector owns */
    size_t n_owned;
} sw_selector;

void sw_selector_init(sw_selector *q);
void sw_selector_free(sw_selector *q);
/* A copy of q: its own text and values array, the values' bytes borrowed
 * from q (which must outlive it). */
bool sw_selector_copy(const sw_selector *q, sw_selector *out);
/* Adds a value without a placeholder; copy: a text the selector keeps. */
bool sw_selector_push(sw_selector *q, const sw_val *v, const char *copy);
/* Adds a value and its placeholder ?N to the text. */
bool sw_selector_bind(sw_selector *q, const sw_val *v, const char *copy);
/* Rows of d naming the person; false when d has no identity of theirs
 * (*ok false: out of memory). */
bool sw_select_person(const sw_dataset *d, const sw_live_table *t,
                      const sw_person *p, sw_selector *q, bool *ok);
/* Leaves out the rows naming one of held's values. */
bool sw_select_not_held(const sw_dataset *d, const sw_live_table *t,
                        const sw_person *held, sw_selector *q);
/* How many of the rows q selects belong to held people (0 without any). */
sw_status sw_count_held(sw_sysconn *c, const sw_dataset *d,
                        const sw_live_table *t, const sw_person *held,
                        const sw_selector *q, int64_t *n);
/* Makes q, a parent's selector, the selector of a dataset that refers to
 * it through rel. */
bool sw_select_child(const sw_dataset *parent, const sw_sys_relation *rel,
                     sw_selector *q);
/* SELECT COUNT(*) of table's rows q selects. */
sw_status sw_sys_count(sw_sysconn *c, const char *table, const sw_selector *q,
                       int64_t *n);

/* How a dataset's rows are erased: a column says delete (the row goes),
 * or one is hashed (row by row: a keyed hash is computed per value). */
typedef struct sw_erasure_plan {
    bool deletes;
    bool per_row;
} sw_erasure_plan;
void sw_erasure_plan_of(const sw_dataset *d, sw_erasure_plan *out);
/* Erases d's rows q selects, as its columns say (a row erased already is
 * left alone and not counted); *rows: how many. dry_run: counts only.
 * statements, when not NULL, gets each statement's text. */
sw_status sw_erase_rows(sw_store *s, sw_sysconn *c, const sw_dataset *d,
                        const sw_selector *q, bool dry_run, size_t *rows,
                        sw_buf *statements);

/* ---- the webhook connector (webhook.c) ---- */

typedef enum sw_job_kind {
    SW_JOB_ACCESS = 0,
    SW_JOB_ERASURE,
    SW_JOB_RETENTION,
} sw_job_kind;

typedef struct sw_webhook_job {
    const char *id; /* sw_webhook_job_id: the same for every retry */
    sw_job_kind kind;
    const char *request;     /* or NULL */
    const sw_person *person; /* access, erasure */
    /* retention: the dataset, its clock's cut-off, the held people */
    const sw_dataset *dataset;
    sw_instant before;
    const sw_person *held;
} sw_webhook_job;

typedef struct sw_webhook_result {
    bool accepted; /* 202: it answers later, through the callback */
    size_t rows;   /* erased (erasure, retention) */
    size_t held;   /* retention: due rows a hold kept */
    void *data;    /* access: the rows (a jansson array, the caller's) */
} sw_webhook_result;

/* Sends a job to a webhook system, signed, and reads its answer. */
sw_status sw_webhook_run(sw_store *s, const sw_system *sys,
                         const sw_webhook_job *j, sw_webhook_result *out);

/* sw_system_rows as JSON (an array the caller owns), for the answers of
 * requests to carry without a second parse. */
sw_status sw_system_rows_json(sw_store *s, const char *subject, json_t **out);

#endif
