/* SPDX-License-Identifier: Apache-2.0 */
/* The retention audit's SQL: each kind of stored data sorted by why it is
 * kept, in one statement per kind (read only). */
#include <stdio.h>

#include "holds/cover.h"
#include "retention/inventory_sql.h"
#include "store/sql.h"

#define SUBJECT_GONE(ID)                                                       \
    "NOT EXISTS (SELECT 1 FROM subjects s WHERE s.id = " ID ")"
#define KEPT_S SW_SUBJECT_KEPT("s.id", "?1")
#define HELD_ORPHAN "NOT " KEPT_S " AND NOT " SW_SUBJECT_HELD
#define GONE_I SUBJECT_GONE("i.subject_id")
#define GONE_C SUBJECT_GONE("c.subject_id")
#define GONE_O SUBJECT_GONE("o.subject_id")

static const sw_inv_why subject_whys[] = {
    {SW_KEPT_REASON, "kept by its records, consents or requests"},
    {SW_KEPT_REASON, "kept by an active hold"},
    {SW_KEPT_DATED, "nothing keeps it: goes ledger.orphan_subject after it "
                    "was created"},
    {SW_KEPT_UNEXPLAINED,
     "nothing keeps it, and the policy states no ledger.orphan_subject"}};
static const sw_inv_why with_subject_whys[] = {
    {SW_KEPT_REASON, "goes with its subject"},
    {SW_KEPT_UNEXPLAINED, "its subject is gone"}};
static const sw_inv_why consent_whys[] = {
    {SW_KEPT_UNEXPLAINED, "its subject is gone"},
    {SW_KEPT_DATED, "pending: goes when its confirmation link expires"},
    {SW_KEPT_REASON, "asked for, not answered: goes with its subject"},
    {SW_KEPT_DATED, "given for a period: expires at its end"},
    {SW_KEPT_REASON, "given until withdrawn"},
    {SW_KEPT_REASON, "proof of a past consent: goes with its subject"}};
static const sw_inv_why change_whys[] = {
    {SW_KEPT_REASON, "goes with its consent"},
    {SW_KEPT_UNEXPLAINED, "its consent is gone"}};
static const sw_inv_why event_whys[] = {
    {SW_KEPT_REASON, "goes with its record"},
    {SW_KEPT_REASON, "goes with its subject"},
    {SW_KEPT_REASON, "kept while its account has subjects"},
    {SW_KEPT_REASON, "about an activity, not a person"},
    {SW_KEPT_DATED, "what it dates is gone: goes ledger.orphan_subject after "
                    "it was recorded"},
    {SW_KEPT_UNEXPLAINED, "what it dates is gone, and the policy states no "
                          "ledger.orphan_subject"},
    {SW_KEPT_REASON, "kept while its event's records are"}};
static const sw_inv_why hold_whys[] = {
    {SW_KEPT_REASON, "active: kept until released"},
    {SW_KEPT_DATED, "released: goes ledger.released_hold after"},
    {SW_KEPT_UNEXPLAINED,
     "released, and the policy states no ledger.released_hold"}};
static const sw_inv_why request_whys[] = {
    {SW_KEPT_REASON, "open: kept until answered (closed at its deadline when "
                     "never verified)"},
    {SW_KEPT_DATED, "closed: goes when the policy's period after the "
                    "request's closure ends"},
    {SW_KEPT_UNEXPLAINED,
     "closed, and the policy states no period after a request's closure"}};
static const sw_inv_why request_change_whys[] = {
    {SW_KEPT_REASON, "goes with its request"},
    {SW_KEPT_UNEXPLAINED, "its request is gone"}};
static const sw_inv_why dated_whys[] = {
    {SW_KEPT_DATED, "goes at its due instant"}};
static const sw_inv_why day_key_whys[] = {
    {SW_KEPT_DATED, "destroyed at its day's due instant"},
    {SW_KEPT_UNEXPLAINED, "a day key with no due instant"}};
static const sw_inv_why bill_whys[] = {
    {SW_KEPT_REASON, "unpaid or disputed: kept until settled"},
    {SW_KEPT_DATED, "settled: goes when its period's traffic is past"}};
static const sw_inv_why suppression_whys[] = {
    {SW_KEPT_DATED, "a keyed hash: goes at its due instant"},
    {SW_KEPT_REASON, "a keyed hash, no value: kept under its rule"}};
static const sw_inv_why trail_whys[] = {
    {SW_KEPT_REASON, "the audit trail: ids and counts, no values"}};
static const sw_inv_why aggregate_whys[] = {
    {SW_KEPT_REASON, "counts: no one's data"}};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const sw_inv_probe sw_inv_probes[] = {
    {"subjects", true, 2, SW_INV_ORPHAN,
     "SELECT CASE WHEN " KEPT_S " THEN 0 WHEN " SW_SUBJECT_HELD
     " THEN 1 WHEN ?2 = 1 THEN 2 ELSE 3 END, count(*)"
     " FROM subjects s GROUP BY 1",
     "SELECT s.id, 3 FROM subjects s WHERE ?2 = 0 AND " HELD_ORPHAN
     " ORDER BY s.id LIMIT ?3",
     subject_whys, N(subject_whys)},
    {"identifiers", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN " GONE_I " THEN 1 ELSE 0 END,"
     " count(*) FROM identifiers i GROUP BY 1",
     "SELECT i.type || ' of ' || i.subject_id, 1 FROM identifiers i WHERE " GONE_I
     " ORDER BY i.subject_id LIMIT ?1",
     with_subject_whys, N(with_subject_whys)},
    {"consents", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN " GONE_C " THEN 0"
     " WHEN c.state = 'requested' AND c.token_expires IS NOT NULL THEN 1"
     " WHEN c.state = 'requested' THEN 2"
     " WHEN c.state IN ('given', 'renewed') AND c.expires_at IS NOT NULL"
     " THEN 3 WHEN c.state IN ('given', 'renewed') THEN 4 ELSE 5 END,"
     " count(*) FROM consents c GROUP BY 1",
     "SELECT c.id, 0 FROM consents c WHERE " GONE_C " ORDER BY c.id LIMIT ?1",
     consent_whys, N(consent_whys)},
    {"consent_changes", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN x.consent_id IN (SELECT id FROM consents) THEN 0"
     " ELSE 1 END, count(*) FROM consent_changes x GROUP BY 1",
     "SELECT x.consent_id, 1 FROM consent_changes x WHERE x.consent_id NOT IN"
     " (SELECT id FROM consents) ORDER BY x.consent_id LIMIT ?1",
     change_whys, N(change_whys)},
    {"objections", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN " GONE_O " THEN 1 ELSE 0 END,"
     " count(*) FROM objections o GROUP BY 1",
     "SELECT o.id, 1 FROM objections o WHERE " GONE_O " ORDER BY o.id LIMIT ?1",
     with_subject_whys, N(with_subject_whys)},
    {"events", true, 2, SW_INV_ORPHAN,
     "SELECT CASE WHEN e.scope = " SQL_EV_RECORD " AND e.scope_key IN"
     " (SELECT CAST(id AS BLOB) FROM records) THEN 0"
     " WHEN e.scope = " SQL_EV_SUBJECT " AND e.scope_key IN"
     " (SELECT CAST(id AS BLOB) FROM subjects) THEN 1"
     " WHEN e.scope = " SQL_EV_ACCOUNT " AND e.scope_key IN"
     " (SELECT account_bi FROM subjects WHERE account_bi IS NOT NULL) THEN 2"
     " WHEN e.scope = " SQL_EV_TENANT " AND e.scope_key IN"
     " (SELECT tenant_bi FROM subjects WHERE tenant_bi IS NOT NULL) THEN 2"
     " WHEN e.scope = " SQL_EV_EVENT " AND e.scope_key IN"
     " (SELECT CAST(event AS BLOB) FROM records WHERE event IS NOT NULL)"
     " THEN 6"
     " WHEN e.scope = " SQL_EV_ACTIVITY " THEN 3"
     /* (recorded after now: a store read at an earlier instant) */
     " WHEN ?2 = 1 OR e.recorded_at > ?1 THEN 4 ELSE 5 END, count(*)"
     " FROM events e GROUP BY 1",
     "SELECT e.id, 5 FROM events e WHERE ?2 = 0 AND e.recorded_at <= ?1"
     " AND NOT " SW_EVENT_KEPT " ORDER BY e.id LIMIT ?3",
     event_whys, N(event_whys)},
    {"holds", true, 2, SW_INV_RELEASED_HOLD,
     "SELECT CASE WHEN released_at IS NULL OR released_at > ?1 THEN 0"
     " WHEN ?2 = 1 THEN 1 ELSE 2 END, count(*) FROM holds GROUP BY 1",
     "SELECT id, 2 FROM holds WHERE ?2 = 0 AND released_at <= ?1"
     " ORDER BY id LIMIT ?3",
     hold_whys, N(hold_whys)},
    {"requests", true, 2, SW_INV_REQUEST_RULE,
     "SELECT CASE WHEN closed_at IS NULL OR closed_at > ?1 THEN 0"
     " WHEN ?2 = 1 THEN 1 ELSE 2 END, count(*) FROM requests GROUP BY 1",
     "SELECT id, 2 FROM requests WHERE ?2 = 0 AND closed_at <= ?1"
     " ORDER BY id LIMIT ?3",
     request_whys, N(request_whys)},
    {"request_changes", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN x.request_id IN (SELECT id FROM requests) THEN 0"
     " ELSE 1 END, count(*) FROM request_changes x GROUP BY 1",
     "SELECT x.request_id, 1 FROM request_changes x WHERE x.request_id NOT"
     " IN (SELECT id FROM requests) ORDER BY x.request_id LIMIT ?1",
     request_change_whys, N(request_change_whys)},
    {"public_door", true, 0, SW_INV_NONE,
     "SELECT 0, count(*) FROM public_state", NULL, dated_whys, N(dated_whys)},
    {"day_keys", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, count(*)"
     " FROM epoch_keys GROUP BY 1",
     "SELECT CAST(day AS TEXT) || ' ' || class, 1 FROM epoch_keys"
     " WHERE due_at IS NULL ORDER BY day LIMIT ?1",
     day_key_whys, N(day_key_whys)},
    {"bills", true, 0, SW_INV_NONE,
     "SELECT CASE WHEN status IN ('unpaid', 'disputed') THEN 0 ELSE 1 END,"
     " count(*) FROM bills GROUP BY 1",
     NULL, bill_whys, N(bill_whys)},
    {"suppression", false, 0, SW_INV_NONE,
     "SELECT CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, count(*)"
     " FROM suppression GROUP BY 1",
     NULL, suppression_whys, N(suppression_whys)},
    {"audit_trail", false, 0, SW_INV_NONE, "SELECT 0, count(*) FROM audit",
     NULL, trail_whys, N(trail_whys)},
    {"aggregates", false, 0, SW_INV_NONE, "SELECT 0, count(*) FROM aggregates",
     NULL, aggregate_whys, N(aggregate_whys)},
};
const size_t sw_inv_n_probes = N(sw_inv_probes);

typedef struct count_ctx {
    sw_inv_count_cb cb;
    void *ctx;
} count_ctx;

static int count_row(const sw_row *r, void *p)
{
    count_ctx *c = p;
    return c->cb((int)sw_row_int(r, 0), (size_t)sw_row_int(r, 1), c->ctx);
}

sw_status sw_inv_count(sw_store *s, const sw_inv_probe *p, const sw_val *args,
                       sw_inv_count_cb cb, void *ctx)
{
    count_ctx c = {cb, ctx};
    return sw_sql(s, "auditing retention", p->count_sql, args, (size_t)p->nargs,
                  count_row, &c);
}

typedef struct item_ctx {
    sw_inv_item_cb cb;
    void *ctx;
} item_ctx;

static int item_row(const sw_row *r, void *p)
{
    item_ctx *c = p;
    const char *id = sw_row_text(r, 0);
    return c->cb(id ? id : "", (int)sw_row_int(r, 1), c->ctx);
}

sw_status sw_inv_list(sw_store *s, const sw_inv_probe *p, const sw_val *args,
                      size_t limit, sw_inv_item_cb cb, void *ctx)
{
    if (!p->list_sql)
        return SW_OK;
    sw_val v[3];
    for (int i = 0; i < p->nargs; i++)
        v[i] = args[i];
    v[p->nargs] = sw_v_int((int64_t)limit);
    item_ctx c = {cb, ctx};
    return sw_sql(s, "auditing retention", p->list_sql, v, (size_t)p->nargs + 1,
                  item_row, &c);
}

sw_status sw_inv_records_dated(sw_store *s, size_t *n)
{
    int64_t k = 0;
    sw_status st = sw_sql_int(s, "auditing retention",
                              "SELECT count(*) FROM records WHERE due_at IS"
                              " NOT NULL",
                              SW_NOARGS, &k);
    *n = (size_t)k;
    return st;
}

typedef struct group_ctx {
    sw_inv_group_cb cb;
    void *ctx;
} group_ctx;

static int group_row(const sw_row *r, void *p)
{
    group_ctx *c = p;
    return c->cb(sw_row_text(r, 0), sw_row_text(r, 1), sw_row_text(r, 2),
                 (size_t)sw_row_int(r, 3), c->ctx);
}

sw_status sw_inv_records_undated(sw_store *s, sw_inv_group_cb cb, void *ctx)
{
    group_ctx c = {cb, ctx};
    return sw_sql(s, "auditing retention",
                  "SELECT r.activity, r.category, s.kind, count(*) FROM"
                  " records r LEFT JOIN subjects s ON s.id = r.subject_id"
                  " WHERE r.due_at IS NULL GROUP BY r.activity, r.category,"
                  " s.kind ORDER BY 1, 2, 3",
                  SW_NOARGS, group_row, &c);
}

sw_status sw_inv_records_undated_ids(sw_store *s, const char *activity,
                                     const char *category, const char *kind,
                                     size_t limit, sw_inv_item_cb cb, void *ctx)
{
    item_ctx c = {cb, ctx};
    return sw_sql(s, "auditing retention",
                  "SELECT r.id, 0 FROM records r LEFT JOIN subjects s ON"
                  " s.id = r.subject_id WHERE r.due_at IS NULL AND"
                  " r.activity = ?1 AND r.category = ?2 AND (s.kind = ?3 OR"
                  " (?3 IS NULL AND s.kind IS NULL)) ORDER BY r.id LIMIT ?4",
                  SW_ARGS(sw_v_text(activity), sw_v_text(category),
                          sw_v_text(kind), sw_v_int((int64_t)limit)),
                  item_row, &c);
}

sw_status sw_inv_traffic_rows(sw_store *s, int month, size_t *n)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM traffic_%d", month);
    int64_t k = 0;
    sw_status st = sw_sql_int(s, "auditing retention", sql, SW_NOARGS, &k);
    *n = (size_t)k;
    return st;
}
