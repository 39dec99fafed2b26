/* SPDX-License-Identifier: Apache-2.0 */
/* The SQL of the policy's versions and of what a change is checked
 * against. */
#include "retention/versions_sql.h"
#include "store/sql.h"

static void version_of(const sw_row *r, sw_version_row *o)
{
    o->seq = sw_row_int(r, 0);
    o->hash = sw_row_text(r, 1);
    o->notice_version = sw_row_text(r, 2);
    o->applied_at = sw_row_int(r, 3);
    o->actor = sw_row_text(r, 4);
    o->source = sw_row_text(r, 5);
    o->summary = sw_row_text(r, 6);
    o->text = sw_row_text(r, 7);
}
SW_ROWS(version_rows, sw_version_row, version_of)

sw_status sw_versions_latest(sw_store *s, sw_version_row_cb cb, void *ctx)
{
    version_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading the policy's versions",
                  "SELECT seq, hash, notice_version, applied_at, actor, source,"
                  " summary, text FROM policy_versions"
                  " ORDER BY seq DESC LIMIT 1",
                  SW_NOARGS, version_rows, &c);
}

sw_status sw_versions_list(sw_store *s, sw_version_row_cb cb, void *ctx)
{
    version_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading the policy's versions",
                  "SELECT seq, hash, notice_version, applied_at, actor, source,"
                  " summary, NULL FROM policy_versions ORDER BY seq",
                  SW_NOARGS, version_rows, &c);
}

sw_status sw_versions_insert(sw_store *s, const sw_version_row *r, bool *added)
{
    int64_t n = 0;
    sw_status st = sw_sql_run(
        s, "recording a version of the policy",
        "INSERT INTO policy_versions(seq, hash, notice_version, applied_at,"
        " actor, source, text, summary) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT DO NOTHING",
        SW_ARGS(sw_v_int(r->seq), sw_v_text(r->hash),
                sw_v_text(r->notice_version), sw_v_int(r->applied_at),
                sw_v_text(r->actor), sw_v_text(r->source), sw_v_text(r->text),
                sw_v_text(r->summary)),
        &n);
    *added = n > 0;
    return st;
}

typedef struct name_count_ctx {
    sw_name_count_cb cb;
    void *ctx;
} name_count_ctx;

static int name_count_row(const sw_row *r, void *p)
{
    name_count_ctx *c = p;
    return c->cb(sw_row_text(r, 0), sw_row_int(r, 1), c->ctx);
}

sw_status sw_records_by_activity(sw_store *s, sw_name_count_cb cb, void *ctx)
{
    name_count_ctx c = {cb, ctx};
    return sw_sql(s, "counting records",
                  "SELECT activity, count(*) FROM records GROUP BY activity"
                  " ORDER BY activity",
                  SW_NOARGS, name_count_row, &c);
}

sw_status sw_suppression_by_rule(sw_store *s, sw_name_count_cb cb, void *ctx)
{
    name_count_ctx c = {cb, ctx};
    return sw_sql(s, "counting the suppression list",
                  "SELECT rule, count(*) FROM suppression"
                  " WHERE rule IS NOT NULL GROUP BY rule ORDER BY rule",
                  SW_NOARGS, name_count_row, &c);
}

static void seen_of(const sw_row *r, sw_consent_seen *o)
{
    o->id = sw_row_text(r, 0);
    o->subject = sw_row_text(r, 1);
    o->purpose = sw_row_text(r, 2);
    o->state = sw_row_text(r, 3);
    o->notice_version = sw_row_text(r, 4);
}
SW_ROWS(seen_rows, sw_consent_seen, seen_of)

sw_status sw_consents_under_other_notice(
    sw_store *s, const char *purpose, const char *version,
    int (*cb)(const sw_consent_seen *c, void *ctx), void *ctx)
{
    seen_rows_ctx c = {cb, ctx};
    return sw_sql(s, "reading consents",
                  "SELECT id, subject_id, purpose, state, notice_version"
                  " FROM consents WHERE purpose = ?1"
                  " AND state IN ('given', 'renewed', 'requested')"
                  " AND notice_version <> ?2 ORDER BY created_at, id",
                  SW_ARGS(sw_v_text(purpose), sw_v_text(version)), seen_rows,
                  &c);
}
