/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The record sweep's SQL, set-based: one batch per call. Where the
 * database keeps rows in a rowid order (SQLite), a batch without holds is
 * a range of the due index, read then deleted; elsewhere the batch is
 * deleted in one statement that returns it, its events with it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "holds/cover.h"
#include "retention/sweep_sql.h"
#include "store/sql.h"

#define RETURNED                                                               \
    "id, subject_id, activity, category, collected_at, due_at, rule"

typedef struct take_ctx {
    sw_record_cb cb;
    void *ctx;
    size_t n;
    bool stopped;
} take_ctx;

static int take_row(const sw_row *r, void *p)
{
    take_ctx *c = p;
    sw_record_row o;
    memset(&o, 0, sizeof(o));
    o.id = sw_row_text(r, 0);
    o.subject = sw_row_text(r, 1);
    o.activity = sw_row_text(r, 2);
    o.category = sw_row_text(r, 3);
    o.collected_at = sw_row_int(r, 4);
    o.has_due = true;
    o.due_at = sw_row_int(r, 5);
    o.rule = sw_row_text(r, 6);
    c->n++;
    if (!c->stopped && c->cb(&o, c->ctx))
        c->stopped = true;
    return 0; /* a DELETE ... RETURNING runs to its end */
}

static int range_end(const sw_row *r, void *p)
{
    int64_t *v = p;
    v[0] = sw_row_int(r, 0);
    v[1] = sw_row_int(r, 1);
    return 1;
}

/* Without holds, on a database with rowids: the batch ends at the
 * limit-th due entry (an index-only read). Its rows are read, then
 * deleted by a second walk of the range: the read brings the pages into
 * the cache the DELETE then finds them in, and a DELETE without RETURNING
 * deletes in one pass (DELETE ... RETURNING costs a quarter more). When
 * events is true, the events recorded on the range's records go first. */
static sw_status take_range(sw_store *s, sw_instant now, size_t limit,
                            bool events, take_ctx *c)
{
    int64_t end[2] = {now, 0}; /* the last due instant and rowid taken */
    bool bounded = false;
    sw_status st = SW_OK;
    if (limit) {
        st = sw_sql_one(s, "taking due records",
                        "SELECT due_at, rowid FROM records WHERE due_at <= ?1"
                        " ORDER BY due_at, rowid LIMIT 1 OFFSET ?2",
                        SW_ARGS(sw_v_int(now), sw_v_int((int64_t)limit - 1)),
                        range_end, end);
        bounded = st == SW_OK;
        if (st != SW_OK && st != SW_ERR_NOTFOUND)
            return st;
    }
#define RANGE " WHERE due_at <= ?1 AND (?2 = 0 OR due_at < ?1 OR rowid <= ?3)"
    static const char *const text[3] = {
        "SELECT " RETURNED " FROM records" RANGE,
        "DELETE FROM events WHERE scope = " SQL_EV_RECORD
        " AND scope_key IN (SELECT CAST(id AS BLOB) FROM records" RANGE ")",
        "DELETE FROM records" RANGE};
#undef RANGE
    int64_t deleted = 0;
    for (int i = 0; i < 3; i++) {
        if (i == 1 && !events)
            continue;
        const sw_val args[] = {sw_v_int(end[0]), sw_v_int(bounded),
                               sw_v_int(end[1])};
        st = i == 0 ? sw_sql(s, "taking due records", text[i], args, 3,
                             take_row, c)
                    : sw_sql_run(s, "taking due records", text[i], args, 3,
                                 &deleted);
        if (st != SW_OK || c->stopped)
            return st; /* stopped: the caller fails the batch */
    }
    if ((size_t)deleted != c->n)
        return sw_fail(s, SW_ERR_STORE,
                       "sweep: %zu due records read but %lld deleted", c->n,
                       (long long)deleted);
    return SW_OK;
}

/* The batch when holds are active (or without rowids): the first due
 * records none covers. */
#define UNHELD_DUE(TIE)                                                        \
    " FROM records r LEFT JOIN subjects s ON s.id = r.subject_id WHERE"        \
    " r.due_at <= ?1 AND NOT " SW_RECORD_HELD " ORDER BY r.due_at" TIE         \
    " LIMIT ?2"
#define UNHELD_DUE_BY_ROWID UNHELD_DUE(", r.rowid")
#define UNHELD_DUE_BY_ID UNHELD_DUE("")
#define DUE_COLUMNS                                                            \
    "r.id, r.subject_id, r.activity, r.category, r.collected_at, r.due_at,"    \
    " r.rule"

sw_status sw_sweep_take(sw_store *s, sw_instant now, size_t limit,
                        sw_record_cb cb, void *ctx, size_t *n)
{
    take_ctx c = {cb, ctx, 0, false};
    const sw_val args[] = {sw_v_int(now),
                           sw_v_int(limit ? (int64_t)limit : INT64_MAX)};
    bool rowid = s->drv->caps & SW_DRV_ROWID;
    int64_t holds = 1, events = 1;
    sw_status st =
        sw_sql_int(s, "checking holds",
                   "SELECT EXISTS (SELECT 1 FROM holds WHERE released_at IS"
                   " NULL)",
                   SW_NOARGS, &holds);
    if (st == SW_OK)
        st = sw_sql_int(
            s, "checking record events",
            "SELECT EXISTS (SELECT 1 FROM events WHERE scope = " SQL_EV_RECORD
            ")",
            SW_NOARGS, &events);
    if (st == SW_OK && !holds && rowid) {
        st = take_range(s, now, limit, events, &c);
    } else if (st == SW_OK && rowid) {
        /* no data-modifying CTE: the batch's records' events first, then
         * the records, returned as they go */
        if (events)
            st = sw_sql_run(s, "deleting the batch's events",
                            "DELETE FROM events WHERE scope = " SQL_EV_RECORD
                            " AND scope_key IN (SELECT"
                            " CAST(r.id AS BLOB)" UNHELD_DUE_BY_ROWID ")",
                            args, 2, NULL);
        if (st == SW_OK)
            st = sw_sql(
                s, "taking due records",
                "DELETE FROM records WHERE rowid IN (SELECT r.rowid" UNHELD_DUE_BY_ROWID
                ") RETURNING " RETURNED,
                args, 2, take_row, &c);
    } else if (st == SW_OK) {
        /* one statement: the batch and the events recorded on it */
        st = sw_sql(s, "taking due records",
                    "WITH taken AS (DELETE FROM records WHERE id IN (SELECT"
                    " r.id" UNHELD_DUE_BY_ID ") RETURNING " RETURNED "),"
                    " gone AS (DELETE FROM events WHERE scope = " SQL_EV_RECORD
                    " AND scope_key IN (SELECT"
                    " CAST(id AS BLOB) FROM taken)) SELECT * FROM taken",
                    args, 2, take_row, &c);
    }
    *n = c.n;
    return st;
}

sw_status sw_aggregates_add(sw_store *s, const char *activity,
                            const char *category, const char *month,
                            const char *rule, size_t count)
{
    return sw_sql_run(
        s, "adding to the aggregates",
        "INSERT INTO aggregates(activity, category, month, rule, count)"
        " VALUES(?1,?2,?3,?4,?5) ON CONFLICT(activity, category, month, rule)"
        " DO UPDATE SET count = aggregates.count + excluded.count",
        SW_ARGS(sw_v_text(activity), sw_v_text(category), sw_v_text(month),
                sw_v_text(rule), sw_v_int((int64_t)count)),
        NULL);
}

typedef struct orphan_ctx {
    sw_orphan_cb cb;
    void *ctx;
} orphan_ctx;

static int orphan_row(const sw_row *r, void *p)
{
    orphan_ctx *c = p;
    return c->cb(sw_row_text(r, 0), sw_row_int(r, 1), c->ctx);
}

#define SUBJECT_KEPT_S SW_SUBJECT_KEPT("s.id", "?1")

sw_status sw_subjects_orphaned(sw_store *s, sw_instant now, sw_orphan_cb cb,
                               void *ctx)
{
    orphan_ctx c = {cb, ctx};
    return sw_sql(s, "finding subjects nothing keeps",
                  "SELECT s.id, s.created_at FROM subjects s WHERE"
                  " s.created_at <= ?1 AND NOT " SUBJECT_KEPT_S
                  " AND NOT " SW_SUBJECT_HELD " ORDER BY s.created_at, s.id",
                  SW_ARGS(sw_v_int(now)), orphan_row, &c);
}

typedef struct held_ctx {
    sw_held_cb cb;
    void *ctx;
} held_ctx;

static int held_row(const sw_row *r, void *p)
{
    held_ctx *c = p;
    return c->cb(sw_row_text(r, 0), sw_row_text(r, 1), (size_t)sw_row_int(r, 2),
                 c->ctx);
}

sw_status sw_records_held(sw_store *s, sw_instant now, sw_held_cb cb, void *ctx,
                          size_t *total)
{
    int64_t n = 0;
    sw_status st = sw_sql_int(
        s, "counting held records",
        "SELECT count(*) FROM records r LEFT JOIN subjects s"
        " ON s.id = r.subject_id WHERE r.due_at <= ?1 AND " SW_RECORD_HELD,
        SW_ARGS(sw_v_int(now)), &n);
    *total = (size_t)n;
    if (st != SW_OK || !n)
        return st;
    held_ctx c = {cb, ctx};
    return sw_sql(
        s, "counting held records",
        "SELECT h.id, h.kind, count(*) FROM records r LEFT JOIN subjects s"
        " ON s.id = r.subject_id JOIN holds h ON " SW_HOLD_COVERS_RECORD
        " WHERE r.due_at <= ?1 GROUP BY h.id, h.kind ORDER BY h.id",
        SW_ARGS(sw_v_int(now)), held_row, &c);
}

sw_status sw_events_orphaned_delete(sw_store *s, sw_instant before, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(
        s, "removing events nothing is dated from",
        "DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE"
        " e.recorded_at <= ?1 AND NOT " SW_EVENT_KEPT ")",
        SW_ARGS(sw_v_int(before)), &k);
    *n = (size_t)k;
    return st;
}
