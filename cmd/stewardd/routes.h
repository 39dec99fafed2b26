/* SPDX-License-Identifier: Apache-2.0 */
/* The route handlers (routes_*.c), listed in routes.c. */
#ifndef STEWARDD_ROUTES_H
#define STEWARDD_ROUTES_H

#include "stewardd.h"

/* shared by the API and the privacy centre */
bool request_spec(call *c, sw_request_spec *spec);
sw_cookie_choice cookie_choice(call *c, const char *name);

/* kept as written: a list clang-format 14 does not settle on */
/* clang-format off */
#define HANDLERS(X)                                                           \
    X(r_healthz) X(r_gpc) X(r_metrics) X(r_subject_add) X(r_subject_find)     \
    X(r_subject_show) X(r_subject_erase) X(r_ident_add)                       \
    X(r_subject_restrict) X(r_subject_unrestrict) X(r_record_add)             \
    X(r_event_add) X(r_hold_list) X(r_hold_place) X(r_hold_release)           \
    X(r_traffic_ingest) X(r_traffic_find) X(r_sweep) X(r_sweep_list) X(r_retention_audit)          \
    X(r_audit_verify) X(r_audit_log) X(r_policy_schedule) X(r_policy_ropa)    \
    X(r_key_create) X(r_key_list) X(r_key_revoke) X(r_consent_give)           \
    X(r_consent_confirm) X(r_consent_request) X(r_consent_refuse)             \
    X(r_consent_withdraw) X(r_consent_renew) X(r_consent_list)                \
    X(r_consent_show) X(r_consent_receipt) X(r_objection_add)                 \
    X(r_objection_override) X(r_unsubscribe) X(r_unsubscribe_link)           \
    X(r_suppression_list) X(r_decide) X(r_decide_batch) X(r_decide_list) X(r_cookie_set)       \
    X(r_request_open) X(r_request_list) X(r_request_get) X(r_request_verify)  \
    X(r_request_resend) X(r_request_extend) X(r_request_refuse)               \
    X(r_request_withdraw) X(r_request_complete) X(r_report_requests)          \
    X(p_request_file) X(p_request_verify) X(p_request_status)                 \
    X(p_preferences) X(p_unsubscribe) X(p_subscribe) X(p_confirm)             \
    X(p_cookies_get) X(p_cookies_set) X(r_policy_due) X(r_subject_child)   \
    X(p_controller)                                                          \
    X(r_traffic_bill) X(r_traffic_export) X(r_traffic_erase) X(r_scan)       \
    X(r_disclosure_add) X(r_disclosure_list) X(p_answer_get)                \
    X(r_system_callback)
/* clang-format on */

#define DECLARE(fn) int fn(call *c, sw_store *s);
HANDLERS(DECLARE)
#undef DECLARE

#endif
