/* SPDX-License-Identifier: Apache-2.0 */
/* The operations the PostgreSQL backend does not have yet (issue 8): each
 * answers SW_ERR_UNSUPPORTED naming itself. Generated from the backend table
 * in store_int.h; an operation leaves this file when store_pg.c has it. */

static sw_status pg_hold_insert(void *impl, const sw_hold_row *r)
{
    (void)r;
    return unsupported(impl, "hold_insert");
}

static sw_status pg_hold_release(void *impl, const char *id, sw_instant at, const char *by)
{
    (void)id; (void)at; (void)by;
    return unsupported(impl, "hold_release");
}

static sw_status pg_hold_list(void *impl, bool all, sw_hold_cb cb, void *ctx)
{
    (void)all; (void)cb; (void)ctx;
    return unsupported(impl, "hold_list");
}

static sw_status pg_sweep_take(void *impl, sw_instant now, size_t limit, bool dry_run, sw_record_cb cb, void *ctx, size_t *n)
{
    (void)now; (void)limit; (void)dry_run; (void)cb; (void)ctx; (void)n;
    return unsupported(impl, "sweep_take");
}

static sw_status pg_aggregate_add(void *impl, const char *activity, const char *category, const char *month, const char *rule, size_t count)
{
    (void)activity; (void)category; (void)month; (void)rule; (void)count;
    return unsupported(impl, "aggregate_add");
}

static sw_status pg_subject_remove_if_empty(void *impl, const char *id, bool *removed)
{
    (void)id; (void)removed;
    return unsupported(impl, "subject_remove_if_empty");
}

static sw_status pg_record_events_prune(void *impl)
{
    
    return unsupported(impl, "record_events_prune");
}

static sw_status pg_sweep_held(void *impl, sw_instant now, sw_held_cb cb, void *ctx, size_t *total)
{
    (void)now; (void)cb; (void)ctx; (void)total;
    return unsupported(impl, "sweep_held");
}

static sw_status pg_bill_set(void *impl, const char *account, const char *period, const char *status, sw_instant at)
{
    (void)account; (void)period; (void)status; (void)at;
    return unsupported(impl, "bill_set");
}

static sw_status pg_epoch_get(void *impl, int64_t day, const char *key_class, uint8_t wrapped[SW_WRAPPED_BYTES])
{
    (void)day; (void)key_class; (void)wrapped;
    return unsupported(impl, "epoch_get");
}

static sw_status pg_epoch_put(void *impl, int64_t day, const char *key_class, const uint8_t wrapped[SW_WRAPPED_BYTES], bool has_due, sw_instant due)
{
    (void)day; (void)key_class; (void)wrapped; (void)has_due; (void)due;
    return unsupported(impl, "epoch_put");
}

static sw_status pg_epoch_list(void *impl, sw_epoch_cb cb, void *ctx)
{
    (void)cb; (void)ctx;
    return unsupported(impl, "epoch_list");
}

static sw_status pg_epoch_due(void *impl, sw_instant now, sw_epoch_cb cb, void *ctx)
{
    (void)now; (void)cb; (void)ctx;
    return unsupported(impl, "epoch_due");
}

static sw_status pg_epoch_delete(void *impl, int64_t day, const char *key_class)
{
    (void)day; (void)key_class;
    return unsupported(impl, "epoch_delete");
}

static sw_status pg_traffic_month(void *impl, int month)
{
    (void)month;
    return unsupported(impl, "traffic_month");
}

static sw_status pg_traffic_insert(void *impl, int month, const sw_traffic_rec *r)
{
    (void)month; (void)r;
    return unsupported(impl, "traffic_insert");
}

static sw_status pg_traffic_probe(void *impl, int month, const uint8_t (*blinds)[SW_BLIND_BYTES], size_t n, sw_traffic_cb cb, void *ctx)
{
    (void)month; (void)blinds; (void)n; (void)cb; (void)ctx;
    return unsupported(impl, "traffic_probe");
}

static sw_status pg_traffic_held(void *impl, int month, int64_t day, const char *key_class, const char *period, const char *activity, sw_traffic_cb cb, void *ctx)
{
    (void)month; (void)day; (void)key_class; (void)period; (void)activity; (void)cb; (void)ctx;
    return unsupported(impl, "traffic_held");
}

static sw_status pg_traffic_keyed(void *impl, int month, int64_t day, const char *key_class, sw_traffic_cb cb, void *ctx)
{
    (void)month; (void)day; (void)key_class; (void)cb; (void)ctx;
    return unsupported(impl, "traffic_keyed");
}

static sw_status pg_traffic_rekey(void *impl, int month, const char *ext_id, const char *key_class, const uint8_t *ids, size_t ids_len, const uint8_t blind[SW_BLIND_BYTES])
{
    (void)month; (void)ext_id; (void)key_class; (void)ids; (void)ids_len; (void)blind;
    return unsupported(impl, "traffic_rekey");
}

static sw_status pg_traffic_strip(void *impl, int month, const char *ext_id)
{
    (void)month; (void)ext_id;
    return unsupported(impl, "traffic_strip");
}

static sw_status pg_traffic_expire(void *impl, int month, sw_instant before, const char *activity, size_t *deleted, size_t *kept)
{
    (void)month; (void)before; (void)activity; (void)deleted; (void)kept;
    return unsupported(impl, "traffic_expire");
}

static sw_status pg_traffic_months(void *impl, int (*cb)(int month, void *ctx), void *ctx)
{
    (void)cb; (void)ctx;
    return unsupported(impl, "traffic_months");
}

static sw_status pg_traffic_drop_empty(void *impl, int month, bool *dropped)
{
    (void)month; (void)dropped;
    return unsupported(impl, "traffic_drop_empty");
}

static sw_status pg_consent_put(void *impl, const sw_consent_row *r)
{
    (void)r;
    return unsupported(impl, "consent_put");
}

static sw_status pg_consent_get(void *impl, const char *id, sw_consent_cb cb, void *ctx)
{
    (void)id; (void)cb; (void)ctx;
    return unsupported(impl, "consent_get");
}

static sw_status pg_consent_by_token(void *impl, const uint8_t hash[SW_HASH_BYTES], sw_consent_cb cb, void *ctx)
{
    (void)hash; (void)cb; (void)ctx;
    return unsupported(impl, "consent_by_token");
}

static sw_status pg_consent_latest(void *impl, const char *subject, const char *purpose, sw_consent_cb cb, void *ctx)
{
    (void)subject; (void)purpose; (void)cb; (void)ctx;
    return unsupported(impl, "consent_latest");
}

static sw_status pg_consent_list(void *impl, const char *subject, sw_consent_cb cb, void *ctx)
{
    (void)subject; (void)cb; (void)ctx;
    return unsupported(impl, "consent_list");
}

static sw_status pg_consent_expiring(void *impl, sw_instant now, sw_consent_cb cb, void *ctx)
{
    (void)now; (void)cb; (void)ctx;
    return unsupported(impl, "consent_expiring");
}

static sw_status pg_consent_change_add(void *impl, const char *id, const char *state, sw_instant at, const char *actor, const char *note)
{
    (void)id; (void)state; (void)at; (void)actor; (void)note;
    return unsupported(impl, "consent_change_add");
}

static sw_status pg_consent_changes(void *impl, const char *id, sw_change_cb cb, void *ctx)
{
    (void)id; (void)cb; (void)ctx;
    return unsupported(impl, "consent_changes");
}

static sw_status pg_objection_insert(void *impl, const sw_objection_row *r)
{
    (void)r;
    return unsupported(impl, "objection_insert");
}

static sw_status pg_objection_get(void *impl, const char *id, const char *subject, const char *purpose, sw_objection_cb cb, void *ctx)
{
    (void)id; (void)subject; (void)purpose; (void)cb; (void)ctx;
    return unsupported(impl, "objection_get");
}

static sw_status pg_objection_override(void *impl, const char *id, const char *reason, sw_instant at, const char *by)
{
    (void)id; (void)reason; (void)at; (void)by;
    return unsupported(impl, "objection_override");
}

static sw_status pg_suppression_put(void *impl, const sw_suppression_row *r)
{
    (void)r;
    return unsupported(impl, "suppression_put");
}

static sw_status pg_suppression_get(void *impl, const uint8_t hash[SW_BLIND_BYTES], const char *channel, sw_suppression_cb cb, void *ctx)
{
    (void)hash; (void)channel; (void)cb; (void)ctx;
    return unsupported(impl, "suppression_get");
}

static sw_status pg_suppression_delete(void *impl, const uint8_t hash[SW_BLIND_BYTES], const char *channel, size_t *n)
{
    (void)hash; (void)channel; (void)n;
    return unsupported(impl, "suppression_delete");
}

static sw_status pg_suppression_set_due(void *impl, const uint8_t hash[SW_BLIND_BYTES], const char *rule, sw_instant due)
{
    (void)hash; (void)rule; (void)due;
    return unsupported(impl, "suppression_set_due");
}

static sw_status pg_suppression_sweep(void *impl, sw_instant now, size_t *n)
{
    (void)now; (void)n;
    return unsupported(impl, "suppression_sweep");
}

static sw_status pg_suppression_list(void *impl, sw_suppression_cb cb, void *ctx)
{
    (void)cb; (void)ctx;
    return unsupported(impl, "suppression_list");
}

static sw_status pg_decide_facts(void *impl, const uint8_t *blind, const char *subject, int supp, const char *purpose, sw_instant now, sw_facts *out)
{
    (void)blind; (void)subject; (void)supp; (void)purpose; (void)now; (void)out;
    return unsupported(impl, "decide_facts");
}

static sw_status pg_request_put(void *impl, const sw_request_row *r)
{
    (void)r;
    return unsupported(impl, "request_put");
}

static sw_status pg_request_get(void *impl, const char *id, sw_request_cb cb, void *ctx)
{
    (void)id; (void)cb; (void)ctx;
    return unsupported(impl, "request_get");
}

static sw_status pg_request_open_of(void *impl, const char *subject, const char *type, sw_request_cb cb, void *ctx)
{
    (void)subject; (void)type; (void)cb; (void)ctx;
    return unsupported(impl, "request_open_of");
}

static sw_status pg_request_list_open(void *impl, sw_request_cb cb, void *ctx)
{
    (void)cb; (void)ctx;
    return unsupported(impl, "request_list_open");
}

static sw_status pg_request_change_add(void *impl, const char *id, const char *state, sw_instant at, const char *actor, const char *reason)
{
    (void)id; (void)state; (void)at; (void)actor; (void)reason;
    return unsupported(impl, "request_change_add");
}

static sw_status pg_request_changes(void *impl, const char *id, sw_change_cb cb, void *ctx)
{
    (void)id; (void)cb; (void)ctx;
    return unsupported(impl, "request_changes");
}

static sw_status pg_request_closed_before(void *impl, sw_instant before, sw_request_cb cb, void *ctx)
{
    (void)before; (void)cb; (void)ctx;
    return unsupported(impl, "request_closed_before");
}

static sw_status pg_request_delete(void *impl, const char *id)
{
    (void)id;
    return unsupported(impl, "request_delete");
}

static sw_status pg_request_since(void *impl, sw_instant since, sw_request_cb cb, void *ctx)
{
    (void)since; (void)cb; (void)ctx;
    return unsupported(impl, "request_since");
}

static sw_status pg_record_hold(void *impl, const char *record, char hold[SW_ID_BUFSZ], char kind[48])
{
    (void)record; (void)hold; (void)kind;
    return unsupported(impl, "record_hold");
}

static sw_status pg_record_delete(void *impl, const char *record)
{
    (void)record;
    return unsupported(impl, "record_delete");
}

static sw_status pg_record_set_value(void *impl, const char *record, const uint8_t *value, size_t len)
{
    (void)record; (void)value; (void)len;
    return unsupported(impl, "record_set_value");
}

#define PENDING_OPS \
    .hold_insert = pg_hold_insert, \
    .hold_release = pg_hold_release, \
    .hold_list = pg_hold_list, \
    .sweep_take = pg_sweep_take, \
    .aggregate_add = pg_aggregate_add, \
    .subject_remove_if_empty = pg_subject_remove_if_empty, \
    .record_events_prune = pg_record_events_prune, \
    .sweep_held = pg_sweep_held, \
    .bill_set = pg_bill_set, \
    .epoch_get = pg_epoch_get, \
    .epoch_put = pg_epoch_put, \
    .epoch_list = pg_epoch_list, \
    .epoch_due = pg_epoch_due, \
    .epoch_delete = pg_epoch_delete, \
    .traffic_month = pg_traffic_month, \
    .traffic_insert = pg_traffic_insert, \
    .traffic_probe = pg_traffic_probe, \
    .traffic_held = pg_traffic_held, \
    .traffic_keyed = pg_traffic_keyed, \
    .traffic_rekey = pg_traffic_rekey, \
    .traffic_strip = pg_traffic_strip, \
    .traffic_expire = pg_traffic_expire, \
    .traffic_months = pg_traffic_months, \
    .traffic_drop_empty = pg_traffic_drop_empty, \
    .consent_put = pg_consent_put, \
    .consent_get = pg_consent_get, \
    .consent_by_token = pg_consent_by_token, \
    .consent_latest = pg_consent_latest, \
    .consent_list = pg_consent_list, \
    .consent_expiring = pg_consent_expiring, \
    .consent_change_add = pg_consent_change_add, \
    .consent_changes = pg_consent_changes, \
    .objection_insert = pg_objection_insert, \
    .objection_get = pg_objection_get, \
    .objection_override = pg_objection_override, \
    .suppression_put = pg_suppression_put, \
    .suppression_get = pg_suppression_get, \
    .suppression_delete = pg_suppression_delete, \
    .suppression_set_due = pg_suppression_set_due, \
    .suppression_sweep = pg_suppression_sweep, \
    .suppression_list = pg_suppression_list, \
    .decide_facts = pg_decide_facts, \
    .request_put = pg_request_put, \
    .request_get = pg_request_get, \
    .request_open_of = pg_request_open_of, \
    .request_list_open = pg_request_list_open, \
    .request_change_add = pg_request_change_add, \
    .request_changes = pg_request_changes, \
    .request_closed_before = pg_request_closed_before, \
    .request_delete = pg_request_delete, \
    .request_since = pg_request_since, \
    .record_hold = pg_record_hold, \
    .record_delete = pg_record_delete, \
    .record_set_value = pg_record_set_value,
