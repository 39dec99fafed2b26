/* SPDX-License-Identifier: Apache-2.0 */
/* The holds table's SQL. */
#include <stdio.h>
#include <string.h>

#include "holds/cover.h"
#include "holds/holds_sql.h"
#include "store/sql.h"

sw_status sw_holds_insert(sw_store *s, const sw_hold_row *r)
{
    return sw_sql_run(
        s, "placing a hold",
        "INSERT INTO holds(id, kind, scope, scope_key, target, reason,"
        " placed_at, placed_by) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
        SW_ARGS(sw_v_text(r->id), sw_v_text(r->kind), sw_v_int(r->scope),
                sw_v_blob(r->key, r->key_len), sw_v_text(r->target),
                sw_v_text(r->reason), sw_v_int(r->placed_at),
                sw_v_text(r->placed_by)),
        NULL);
}

sw_status sw_holds_release(sw_store *s, const char *id, sw_instant at,
                           const char *by)
{
    int64_t released = 0;
    sw_status st =
        sw_sql_int(s, "releasing a hold",
                   "SELECT released_at IS NOT NULL FROM holds WHERE id = ?1",
                   SW_ARGS(sw_v_text(id)), &released);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "no hold %s", id);
    if (st != SW_OK)
        return st;
    if (released)
        return sw_fail(s, SW_ERR_CONFLICT, "hold %s is already released", id);
    return sw_sql_run(s, "releasing a hold",
                      "UPDATE holds SET released_at = ?2, released_by = ?3"
                      " WHERE id = ?1",
                      SW_ARGS(sw_v_text(id), sw_v_int(at), sw_v_text(by)),
                      NULL);
}

static void hold_row_of(const sw_row *r, sw_hold_row *h)
{
    h->id = sw_row_text(r, 0);
    h->kind = sw_row_text(r, 1);
    h->scope = (sw_scope_kind)sw_row_int(r, 2);
    h->target = sw_row_text(r, 3);
    h->reason = sw_row_text(r, 4);
    h->placed_at = sw_row_int(r, 5);
    h->placed_by = sw_row_text(r, 6);
    h->released = !sw_row_null(r, 7);
    h->released_at = sw_row_int(r, 7);
}
SW_ROWS(hold_rows, sw_hold_row, hold_row_of)

sw_status sw_holds_list(sw_store *s, bool all, sw_hold_cb cb, void *ctx)
{
    hold_rows_ctx c = {cb, ctx};
    return sw_sql(s, "listing holds",
                  "SELECT id, kind, scope, target, reason, placed_at,"
                  " placed_by, released_at FROM holds WHERE ?1 = 1 OR"
                  " released_at IS NULL ORDER BY released_at IS NOT NULL,"
                  " placed_at, id",
                  SW_ARGS(sw_v_int(all)), hold_rows, &c);
}

typedef struct which_ctx {
    char *hold, *kind;
} which_ctx;

static int which_row(const sw_row *r, void *p)
{
    which_ctx *c = p;
    sw_row_text_into(r, 0, c->hold, SW_ID_BUFSZ);
    sw_row_text_into(r, 1, c->kind, 48);
    return 1;
}

sw_status sw_holds_on_record(sw_store *s, const char *record, char *hold,
                             char *kind)
{
    which_ctx c = {hold, kind};
    return sw_sql_one(
        s, "checking holds",
        "SELECT h.id, h.kind FROM records r LEFT JOIN subjects s"
        " ON s.id = r.subject_id JOIN holds h ON " SW_HOLD_COVERS_RECORD
        " WHERE r.id = ?1"
        " ORDER BY h.placed_at, h.id LIMIT 1",
        SW_ARGS(sw_v_text(record)), which_row, &c);
}

sw_status sw_holds_released_delete(sw_store *s, sw_instant before, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_run(
        s, "removing released holds",
        "DELETE FROM holds WHERE released_at IS NOT NULL AND released_at <= ?1",
        SW_ARGS(sw_v_int(before)), &k);
    *n = (size_t)k;
    return st;
}
