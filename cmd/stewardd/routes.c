/* SPDX-License-Identifier: Apache-2.0 */
/* Every route of stewardd: method, path, the roles that may call it. The
 * OpenAPI document (docs/openapi.yaml) says the same; a test checks. */
#include "routes.h"

#define A R_ADMIN
#define D R_DPO
#define S R_SERVICE
#define U R_AUDITOR

const route routes_api[] = {
    {"GET", "/healthz", R_ANY, F_PUBLIC, r_healthz},
    {"GET", "/.well-known/gpc.json", R_ANY, F_PUBLIC, r_gpc},
    {"GET", "/metrics", A | U, 0, r_metrics},
    /* the ledger */
    {"POST", "/v1/subjects", A | S, 0, r_subject_add},
    {"GET", "/v1/subjects", A | D | S, 0, r_subject_find},
    {"GET", "/v1/subjects/{id}", A | D, 0, r_subject_show},
    {"DELETE", "/v1/subjects/{id}", A | D, 0, r_subject_erase},
    {"POST", "/v1/subjects/{id}/identifiers", A | S, 0, r_ident_add},
    {"POST", "/v1/subjects/{id}/restrict", A | D, 0, r_subject_restrict},
    {"POST", "/v1/subjects/{id}/unrestrict", A | D, 0, r_subject_unrestrict},
    {"POST", "/v1/subjects/{id}/child", A | D, 0, r_subject_child},
    {"POST", "/v1/records", A | S, 0, r_record_add},
    {"POST", "/v1/events", A | S, 0, r_event_add},
    /* retention */
    {"GET", "/v1/holds", A | D | U, 0, r_hold_list},
    {"POST", "/v1/holds", A | D, 0, r_hold_place},
    {"POST", "/v1/holds/{id}/release", A | D, 0, r_hold_release},
    /* the disclosure log */
    {"POST", "/v1/disclosures", A | D, 0, r_disclosure_add},
    {"GET", "/v1/disclosures", A | D | U, 0, r_disclosure_list},
    {"POST", "/v1/traffic", A | S, F_STREAM, r_traffic_ingest},
    {"POST", "/v1/scan", A | S, F_STREAM | F_RAWBODY, r_scan},
    {"GET", "/v1/traffic", A | D, 0, r_traffic_find},
    {"POST", "/v1/traffic/bills", A | S, 0, r_traffic_bill},
    {"POST", "/v1/traffic/export", A | D | S, F_ACCOUNT, r_traffic_export},
    {"POST", "/v1/traffic/erase", A | D | S, F_ACCOUNT, r_traffic_erase},
    {"POST", "/v1/sweep", A | D | U, 0, r_sweep},
    {"GET", "/v1/sweeps", A | D | U, 0, r_sweep_list},
    {"GET", "/v1/retention/audit", A | D | U, 0, r_retention_audit},
    /* consent, objection, suppression, the decision */
    {"POST", "/v1/consents", A | D | S, 0, r_consent_give},
    {"GET", "/v1/consents", A | D | S, 0, r_consent_list},
    {"POST", "/v1/consents/confirm", A | S, 0, r_consent_confirm},
    {"POST", "/v1/consents/request", A | D | S, 0, r_consent_request},
    {"POST", "/v1/consents/refuse", A | D | S, 0, r_consent_refuse},
    {"POST", "/v1/consents/withdraw", A | D | S, 0, r_consent_withdraw},
    {"GET", "/v1/consents/{id}", A | D | U, 0, r_consent_show},
    {"POST", "/v1/consents/{id}/renew", A | D | S, 0, r_consent_renew},
    {"GET", "/v1/consents/{id}/receipt", A | D | U, 0, r_consent_receipt},
    {"POST", "/v1/objections", A | D | S, 0, r_objection_add},
    {"POST", "/v1/objections/{id}/override", A | D, 0, r_objection_override},
    {"POST", "/v1/unsubscribe", A | S, 0, r_unsubscribe},
    {"POST", "/v1/unsubscribe-links", A | S, 0, r_unsubscribe_link},
    {"GET", "/v1/suppression", A | D | U, 0, r_suppression_list},
    {"GET", "/v1/decide", A | D | S, 0, r_decide},
    {"POST", "/v1/decide", A | D | S, 0, r_decide_batch},
    {"POST", "/v1/decide/batch", A | D | S, F_STREAM | F_RAWBODY,
     r_decide_list},
    {"POST", "/v1/cookies", A | S, 0, r_cookie_set},
    /* data-subject requests */
    {"POST", "/v1/requests", A | D | S, 0, r_request_open},
    {"GET", "/v1/requests", A | D | U, 0, r_request_list},
    {"GET", "/v1/requests/{id}", A | D | U, 0, r_request_get},
    {"POST", "/v1/requests/{id}/verify", A | D | S, 0, r_request_verify},
    {"POST", "/v1/requests/{id}/resend", A | D | S, 0, r_request_resend},
    {"POST", "/v1/requests/{id}/extend", A | D, 0, r_request_extend},
    {"POST", "/v1/requests/{id}/refuse", A | D, 0, r_request_refuse},
    {"POST", "/v1/requests/{id}/withdraw", A | D | S, 0, r_request_withdraw},
    {"POST", "/v1/requests/{id}/complete", A | D, 0, r_request_complete},
    /* a webhook system's later answer: signed with its secret, no key */
    {"POST", "/v1/systems/{id}/callback", R_ANY, F_PUBLIC | F_RAWBODY,
     r_system_callback},
    /* reports, audit, policy */
    {"GET", "/v1/reports/requests", A | D | U, 0, r_report_requests},
    {"GET", "/v1/audit/verify", A | D | U, 0, r_audit_verify},
    {"GET", "/v1/audit", A | D | U, 0, r_audit_log},
    {"GET", "/v1/policy/schedule", A | D | U, 0, r_policy_schedule},
    {"GET", "/v1/policy/ropa", A | D | U, 0, r_policy_ropa},
    {"GET", "/v1/policy/due", A | D | S | U, 0, r_policy_due},
    /* keys */
    {"POST", "/v1/keys", A, 0, r_key_create},
    {"GET", "/v1/keys", A, 0, r_key_list},
    {"DELETE", "/v1/keys/{id}", A, 0, r_key_revoke},
    /* the privacy centre's public endpoints */
    {"POST", "/privacy/api/requests", R_ANY, F_PUBLIC | F_FLOOR,
     p_request_file},
    {"GET", "/privacy/api/requests/{id}", R_ANY, F_PUBLIC | F_FLOOR,
     p_request_status},
    {"POST", "/privacy/api/requests/{id}/verify", R_ANY, F_PUBLIC | F_FLOOR,
     p_request_verify},
    {"GET", "/privacy/answers/{id}", R_ANY, F_PUBLIC | F_FLOOR, p_answer_get},
    {"GET", "/privacy/api/preferences", R_ANY, F_PUBLIC, p_preferences},
    {"POST", "/privacy/api/unsubscribe", R_ANY, F_PUBLIC, p_unsubscribe},
    {"POST", "/privacy/api/subscribe", R_ANY, F_PUBLIC, p_subscribe},
    {"POST", "/privacy/api/confirm", R_ANY, F_PUBLIC, p_confirm},
    {"GET", "/privacy/api/controller", R_ANY, F_PUBLIC, p_controller},
    {"GET", "/privacy/api/cookies", R_ANY, F_PUBLIC, p_cookies_get},
    {"POST", "/privacy/api/cookies", R_ANY, F_PUBLIC, p_cookies_set},
    /* RFC 8058 one-click: the mail client POSTs to the link itself */
    {"POST", "/privacy/unsubscribe", R_ANY, F_PUBLIC | F_RAWBODY,
     p_unsubscribe},
};

const size_t n_routes_api = sizeof(routes_api) / sizeof(routes_api[0]);
