/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy loading: YAML (libfyaml) into the immutable model of
 * steward/policy.h. One table per object type (schema) drives parsing,
 * validation and JSON output, so a new key is one line in one table.
 * Definitions (categories, purposes, triggers...) are read before the
 * activities that refer to them, so every reference is checked where it is
 * written and reported with its file:line:col.
 */
#include "core/crypto.h"
#include "policy/policy_int.h"
#include "steward/calendar.h"
#include "steward/ident.h"
#include "steward/scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

/* ---- enums as written in the file ---- */

static const char *const role_names[] = {"controller", "processor", NULL};
static const char *const scope_names[] = {"record", "subject", "account",
                                          "tenant", NULL};
static const char *const round_names[] = {"none", "end_of_day", "end_of_month",
                                          "end_of_year", NULL};
static const char *const action_names[] = {"delete", "anonymise", NULL};
static const char *const exemption_names[] = {
    "none",      "legal_obligation", "public_health",
    "archiving", "legal_claims",     NULL};
static const char *const safeguard_names[] = {"not_applicable",
                                              "adequacy_decision",
                                              "standard_contractual_clauses",
                                              "binding_corporate_rules",
                                              "intercompany_agreement",
                                              "derogation",
                                              NULL};

const char *sw_role_name(sw_role r)
{
    return role_names[r];
}
const char *sw_scope_name(sw_scope s)
{
    return scope_names[s];
}
const char *sw_round_name(sw_round r)
{
    return round_names[r];
}
const char *sw_action_name(sw_action a)
{
    return action_names[a];
}
const char *sw_exemption_name(sw_exemption e)
{
    return e == SW_EXEMPT_NONE ? NULL : exemption_names[e];
}
const char *sw_exemption_text(sw_exemption e)
{
    static const char *const text[] = {
        NULL, "a legal obligation (Art. 17(3)(b))",
        "public health (Art. 17(3)(c))",
        "archiving, research or statistics (Art. 17(3)(d))",
        "the establishment, exercise or defence of legal claims "
        "(Art. 17(3)(e))"};
    return text[e];
}

/* ---- the schema tables ---- */

#define OFF(type, member) offsetof(type, member)
#define NOPOS ((size_t)-1)

static const field def_fields[] = {
    {"id", F_STR, OFF(sw_def, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_def, name), 0, REQ, R_NONE, NULL, NULL},
    {"description", F_STR, OFF(sw_def, description), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const field purpose_fields[] = {
    {"id", F_STR, OFF(sw_def, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_def, name), 0, REQ, R_NONE, NULL, NULL},
    {"description", F_STR, OFF(sw_def, description), 0, 0, R_NONE, NULL, NULL},
    {"extends", F_STR, OFF(sw_def, extends), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static void check_purpose(pctx *c, void *obj);
static void check_category(pctx *c, void *obj);
static const field subject_fields[] = {
    {"id", F_STR, OFF(sw_subject_kind, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_subject_kind, name), 0, REQ, R_NONE, NULL, NULL},
    {"description", F_STR, OFF(sw_subject_kind, description), 0, 0, R_NONE,
     NULL, NULL},
    {"role", F_ENUM, OFF(sw_subject_kind, role), 0, 0, R_NONE, NULL,
     role_names},
    {"extends", F_STR, OFF(sw_subject_kind, extends), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema subject_schema = {"subject",
                                      sizeof(sw_subject_kind),
                                      OFF(sw_subject_kind, pos),
                                      subject_fields,
                                      NULL,
                                      NULL};
static const schema purpose_schema = {
    "purpose",      sizeof(sw_def), OFF(sw_def, pos),
    purpose_fields, NULL,           check_purpose};
static const schema source_schema = {
    "source", sizeof(sw_def), OFF(sw_def, pos), def_fields, NULL, NULL};

static const field category_fields[] = {
    {"id", F_STR, OFF(sw_category, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_category, name), 0, REQ, R_NONE, NULL, NULL},
    {"description", F_STR, OFF(sw_category, description), 0, 0, R_NONE, NULL,
     NULL},
    {"special", F_BOOL, OFF(sw_category, special), 0, 0, R_NONE, NULL, NULL},
    {"criminal", F_BOOL, OFF(sw_category, criminal), 0, 0, R_NONE, NULL, NULL},
    {"extends", F_STR, OFF(sw_category, extends), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema category_schema = {
    "category", sizeof(sw_category), OFF(sw_category, pos), category_fields,
    NULL,       check_category};

static const field trigger_fields[] = {
    {"id", F_STR, OFF(sw_trigger, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_trigger, name), 0, REQ, R_NONE, NULL, NULL},
    {"scope", F_ENUM, OFF(sw_trigger, scope), 0, REQ, R_NONE, NULL,
     scope_names},
    {"description", F_STR, OFF(sw_trigger, description), 0, 0, R_NONE, NULL,
     NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema trigger_schema = {
    "trigger", sizeof(sw_trigger), OFF(sw_trigger, pos), trigger_fields, NULL,
    NULL};

static const field recipient_fields[] = {
    {"id", F_STR, OFF(sw_recipient, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_recipient, name), 0, REQ, R_NONE, NULL, NULL},
    {"description", F_STR, OFF(sw_recipient, description), 0, 0, R_NONE, NULL,
     NULL},
    {"section", F_STR, OFF(sw_recipient, section), 0, 0, R_SECTION, NULL, NULL},
    {"ccpa", F_STR, OFF(sw_recipient, ccpa), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema recipient_schema = {"recipient",
                                        sizeof(sw_recipient),
                                        OFF(sw_recipient, pos),
                                        recipient_fields,
                                        NULL,
                                        NULL};

static const field hold_fields[] = {
    {"id", F_STR, OFF(sw_hold_kind, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_hold_kind, name), 0, REQ, R_NONE, NULL, NULL},
    {"section", F_STR, OFF(sw_hold_kind, section), 0, 0, R_SECTION, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema hold_schema = {"hold kind",
                                   sizeof(sw_hold_kind),
                                   OFF(sw_hold_kind, pos),
                                   hold_fields,
                                   NULL,
                                   NULL};

static const field basis_fields[] = {
    {"basis", F_STR, OFF(sw_basis, basis), 0, REQ, R_BASIS6, NULL, NULL},
    {"when", F_STR, OFF(sw_basis, when), 0, 0, R_NONE, NULL, NULL},
    {"purposes", F_STRS, OFF(sw_basis, purposes), 0, 0, R_PURPOSE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema basis_schema = {
    "legal basis", sizeof(sw_basis), OFF(sw_basis, pos),
    basis_fields,  "basis",          NULL};

static const field transfer_fields[] = {
    {"to", F_STR, OFF(sw_transfer, to), 0, REQ, R_NONE, NULL, NULL},
    {"safeguard", F_ENUM, OFF(sw_transfer, safeguard), 0, REQ | ENUM_STR,
     R_NONE, NULL, safeguard_names},
    {"note", F_STR, OFF(sw_transfer, note), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema transfer_schema = {"transfer",
                                       sizeof(sw_transfer),
                                       OFF(sw_transfer, pos),
                                       transfer_fields,
                                       NULL,
                                       NULL};

static const field extension_fields[] = {
    {"country", F_STR, OFF(sw_extension, country), 0, REQ, R_COUNTRY, NULL,
     NULL},
    {"keep", F_DURATION, OFF(sw_extension, keep), 0, REQ, R_NONE, NULL, NULL},
    {"reason", F_STR, OFF(sw_extension, reason), 0, REQ, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema extension_schema = {"extension",
                                        sizeof(sw_extension),
                                        OFF(sw_extension, pos),
                                        extension_fields,
                                        NULL,
                                        NULL};

static const field rule_fields[] = {
    {"id", F_STR, OFF(sw_rule, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_rule, name), 0, 0, R_NONE, NULL, NULL},
    {"section", F_STR, OFF(sw_rule, section), 0, REQ, R_SECTION, NULL, NULL},
    {"categories", F_STRS, OFF(sw_rule, categories), 0, REQ, R_CATEGORY_PREFIX,
     NULL, NULL},
    {"subjects", F_STRS, OFF(sw_rule, subjects), 0, 0, R_SUBJECT, NULL, NULL},
    {"keep", F_KEEP, OFF(sw_rule, keep), 0, REQ, R_NONE, NULL, NULL},
    {"after", F_STR, OFF(sw_rule, after), 0, 0, R_TRIGGER, NULL, NULL},
    {"round", F_ENUM, OFF(sw_rule, round), 0, 0, R_NONE, NULL, round_names},
    {"unless", F_STRS, OFF(sw_rule, unless), 0, 0, R_TRIGGER, NULL, NULL},
    {"action", F_ENUM, OFF(sw_rule, action), 0, 0, R_NONE, NULL, action_names},
    {"erasure_exemption", F_ENUM, OFF(sw_rule, exemption), 0, 0, R_NONE, NULL,
     exemption_names},
    {"reason", F_STR, OFF(sw_rule, reason), 0, 0, R_NONE, NULL, NULL},
    {"extensions", F_LIST, OFF(sw_rule, extensions), OFF(sw_rule, n_extensions),
     0, R_NONE, &extension_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema rule_schema = {"retention rule",
                                   sizeof(sw_rule),
                                   OFF(sw_rule, pos),
                                   rule_fields,
                                   NULL,
                                   NULL};

/* The first category of a that is special (Art. 9), or that relates to
 * criminal convictions (Art. 10) when criminal; NULL when none is. */
static const char *first_of(const sw_policy *p, const sw_activity *a,
                            bool criminal)
{
    for (size_t k = 0; k < a->categories.n; k++) {
        const sw_category *cat = sw_policy_category(p, a->categories.v[k]);
        if (cat && (criminal ? cat->criminal : cat->special))
            return cat->id;
    }
    return NULL;
}

static void check_activity(pctx *c, void *obj);
static void check_scan(pctx *c, void *obj);

static const char *const redact_names[] = {"type", "mask", "hash", "drop",
                                           NULL};
static const field scan_fields[] = {
    {"categories", F_STRS, OFF(sw_scan_rule, categories), 0, REQ,
     R_CATEGORY_PREFIX, NULL, NULL},
    {"redact", F_ENUM, OFF(sw_scan_rule, redact), 0, REQ, R_NONE, NULL,
     redact_names},
    {"types", F_STRS, OFF(sw_scan_rule, types), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema scan_schema = {
    "scan",    sizeof(sw_scan_rule), OFF(sw_scan_rule, pos), scan_fields, NULL,
    check_scan};

/* Art. 10: { authority: official_authority | union_law | member_state_law,
 * law: the law that authorises it } (the activity's own fields) */
static const char *const criminal_names[] = {"official_authority", "union_law",
                                             "member_state_law", NULL};
static const field criminal_fields[] = {
    {"authority", F_ENUM, OFF(sw_activity, criminal_authority), 0,
     REQ | ENUM_STR, R_NONE, NULL, criminal_names},
    {"law", F_STR, OFF(sw_activity, criminal_law), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema criminal_schema = {"criminal_condition", 0,    NOPOS,
                                       criminal_fields,      NULL, NULL};

static const field activity_fields[] = {
    {"id", F_STR, OFF(sw_activity, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_activity, name), 0, REQ, R_NONE, NULL, NULL},
    {"section", F_STR, OFF(sw_activity, section), 0, REQ, R_SECTION, NULL,
     NULL},
    {"description", F_STR, OFF(sw_activity, description), 0, 0, R_NONE, NULL,
     NULL},
    {"role", F_ENUM, OFF(sw_activity, role), 0, REQ, R_NONE, NULL, role_names},
    {"subjects", F_STRS, OFF(sw_activity, subjects), 0, REQ, R_SUBJECT, NULL,
     NULL},
    {"categories", F_STRS, OFF(sw_activity, categories), 0, REQ, R_CATEGORY,
     NULL, NULL},
    {"purposes", F_STRS, OFF(sw_activity, purposes), 0, REQ, R_PURPOSE, NULL,
     NULL},
    {"legal_basis", F_LIST, OFF(sw_activity, bases), OFF(sw_activity, n_bases),
     REQ, R_NONE, &basis_schema, NULL},
    {"special_condition", F_STR, OFF(sw_activity, special_condition), 0, 0,
     R_BASIS9, NULL, NULL},
    {"criminal_condition", F_OBJ, 0, 0, 0, R_NONE, &criminal_schema, NULL},
    {"sources", F_STRS, OFF(sw_activity, sources), 0, REQ, R_SOURCE, NULL,
     NULL},
    {"recipients", F_STRS, OFF(sw_activity, recipients), 0, REQ, R_RECIPIENT,
     NULL, NULL},
    {"transfers", F_LIST, OFF(sw_activity, transfers),
     OFF(sw_activity, n_transfers), REQ, R_NONE, &transfer_schema, NULL},
    {"withdrawal", F_STR, OFF(sw_activity, withdrawal), 0, 0, R_NONE, NULL,
     NULL},
    {"objection", F_STR, OFF(sw_activity, objection), 0, 0, R_NONE, NULL, NULL},
    {"double_opt_in", F_BOOL, OFF(sw_activity, double_opt_in), 0, 0, R_NONE,
     NULL, NULL},
    {"consent_period", F_DURATION, OFF(sw_activity, consent_period), 0, 0,
     R_NONE, NULL, NULL},
    {"holds", F_STRS, OFF(sw_activity, holds), 0, 0, R_HOLD, NULL, NULL},
    {"retention", F_LIST, OFF(sw_activity, rules), OFF(sw_activity, n_rules),
     REQ, R_NONE, &rule_schema, NULL},
    {"scan", F_LIST, OFF(sw_activity, scans), OFF(sw_activity, n_scans), 0,
     R_NONE, &scan_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema activity_schema = {
    "activity", sizeof(sw_activity), OFF(sw_activity, pos), activity_fields,
    NULL,       check_activity};

static const field right_fields[] = {
    {"id", F_STR, OFF(sw_right, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_right, name), 0, REQ, R_NONE, NULL, NULL},
    {"article", F_STR, OFF(sw_right, article), 0, REQ, R_NONE, NULL, NULL},
    {"section", F_STR, OFF(sw_right, section), 0, REQ, R_SECTION, NULL, NULL},
    {"route", F_STR, OFF(sw_right, route), 0, REQ, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema right_schema = {
    "right", sizeof(sw_right), OFF(sw_right, pos), right_fields, NULL, NULL};

static const field ccpa_cat_fields[] = {
    {"id", F_STR, OFF(sw_ccpa_category, id), 0, REQ | ID, R_ID, NULL, NULL},
    {"name", F_STR, OFF(sw_ccpa_category, name), 0, REQ, R_NONE, NULL, NULL},
    {"examples", F_STR, OFF(sw_ccpa_category, examples), 0, 0, R_NONE, NULL,
     NULL},
    {"covers", F_STRS, OFF(sw_ccpa_category, covers), 0, REQ, R_CATEGORY_PREFIX,
     NULL, NULL},
    {"disclosed_to", F_STRS, OFF(sw_ccpa_category, disclosed_to), 0, REQ,
     R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema ccpa_cat_schema = {"CCPA category",
                                       sizeof(sw_ccpa_category),
                                       OFF(sw_ccpa_category, pos),
                                       ccpa_cat_fields,
                                       NULL,
                                       NULL};

/* Embedded objects: offsets are relative to sw_policy. */
#define POFF(member) offsetof(sw_policy, member)

static const field dpo_fields[] = {
    {"email", F_STR, POFF(controller.dpo_email), 0, REQ, R_NONE, NULL, NULL},
    {"address", F_STR, POFF(controller.dpo_address), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema dpo_schema = {"dpo", 0, NOPOS, dpo_fields, NULL, NULL};

static const field postal_fields[] = {
    {"street", F_STR, POFF(controller.postal.street), 0, REQ, R_NONE, NULL,
     NULL},
    {"locality", F_STR, POFF(controller.postal.locality), 0, REQ, R_NONE, NULL,
     NULL},
    {"region", F_STR, POFF(controller.postal.region), 0, 0, R_NONE, NULL, NULL},
    {"postal_code", F_STR, POFF(controller.postal.postal_code), 0, 0, R_NONE,
     NULL, NULL},
    {"country", F_STR, POFF(controller.postal.country), 0, REQ, R_COUNTRY, NULL,
     NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema postal_schema = {"postal_address", 0,    NOPOS,
                                     postal_fields,    NULL, NULL};

static const field controller_fields[] = {
    {"name", F_STR, POFF(controller.name), 0, REQ, R_NONE, NULL, NULL},
    {"address", F_STR, POFF(controller.address), 0, REQ, R_NONE, NULL, NULL},
    {"postal_address", F_OBJ, 0, 0, 0, R_NONE, &postal_schema, NULL},
    {"phone", F_STR, POFF(controller.phone), 0, 0, R_NONE, NULL, NULL},
    {"contact", F_STR, POFF(controller.contact), 0, 0, R_NONE, NULL, NULL},
    {"dpo", F_OBJ, 0, 0, REQ, R_NONE, &dpo_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema controller_schema = {"controller",      0,    NOPOS,
                                         controller_fields, NULL, NULL};

static const field notice_fields[] = {
    {"version", F_STR, POFF(notice.version), 0, REQ, R_NONE, NULL, NULL},
    {"url", F_STR, POFF(notice.url), 0, 0, R_NONE, NULL, NULL},
    {"title", F_STR, POFF(notice.title), 0, 0, R_NONE, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema notice_schema = {"notice",      0,    NOPOS,
                                     notice_fields, NULL, NULL};

static const field adm_fields[] = {
    {"used", F_BOOL, POFF(automated_decisions.used), 0, REQ, R_NONE, NULL,
     NULL},
    {"statement", F_STR, POFF(automated_decisions.statement), 0, REQ, R_NONE,
     NULL, NULL},
    {"section", F_STR, POFF(automated_decisions.section), 0, REQ, R_SECTION,
     NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema adm_schema = {
    "automated_decisions", 0, NOPOS, adm_fields, NULL, NULL};

static const field children_fields[] = {
    {"min_age", F_INT, POFF(children.min_age), 0, REQ, R_NONE, NULL, NULL},
    {"section", F_STR, POFF(children.section), 0, REQ, R_SECTION, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema children_schema = {"children",      0,    NOPOS,
                                       children_fields, NULL, NULL};

static const field ccpa_fields[] = {
    {"sells", F_BOOL, POFF(ccpa.sells), 0, REQ, R_NONE, NULL, NULL},
    {"section", F_STR, POFF(ccpa.section), 0, REQ, R_SECTION, NULL, NULL},
    {"categories", F_LIST, POFF(ccpa.categories), POFF(ccpa.n_categories), REQ,
     R_NONE, &ccpa_cat_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema ccpa_schema = {"ccpa", 0, NOPOS, ccpa_fields, NULL, NULL};

static const field traffic_fields[] = {
    {"identifiers_rule", F_STR, POFF(traffic.identifiers_rule), 0, REQ, R_ID,
     NULL, NULL},
    {"records_rule", F_STR, POFF(traffic.records_rule), 0, REQ, R_ID, NULL,
     NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema traffic_schema = {"traffic",      0,    NOPOS,
                                      traffic_fields, NULL, NULL};

static const field cookie_fields[] = {
    {"necessary", F_STR, POFF(consent.cookie_necessary), 0, REQ, R_PURPOSE,
     NULL, NULL},
    {"analytics", F_STR, POFF(consent.cookie_analytics), 0, REQ, R_PURPOSE,
     NULL, NULL},
    {"advertising", F_STR, POFF(consent.cookie_advertising), 0, REQ, R_PURPOSE,
     NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema cookie_schema = {"cookies",     0,    NOPOS,
                                     cookie_fields, NULL, NULL};

static const field consent_fields[] = {
    {"suppression_activity", F_STR, POFF(consent.suppression_activity), 0, REQ,
     R_ID, NULL, NULL},
    {"confirmation_valid", F_DURATION, POFF(consent.confirmation_valid), 0, REQ,
     R_NONE, NULL, NULL},
    {"cookies", F_OBJ, 0, 0, 0, R_NONE, &cookie_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema consent_schema = {"consent",      0,    NOPOS,
                                      consent_fields, NULL, NULL};

static const field ledger_fields[] = {
    {"orphan_subject", F_DURATION, POFF(ledger.orphan_subject), 0, 0, R_NONE,
     NULL, NULL},
    {"released_hold", F_DURATION, POFF(ledger.released_hold), 0, 0, R_NONE,
     NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema ledger_schema = {"ledger",      0,    NOPOS,
                                     ledger_fields, NULL, NULL};

static const field requests_fields[] = {{"answer_download", F_DURATION,
                                         POFF(requests.answer_download), 0, 0,
                                         R_NONE, NULL, NULL},
                                        {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema requests_schema = {"requests",      0,    NOPOS,
                                       requests_fields, NULL, NULL};

#define CALENDAR_SCHEMA(reg)                                                   \
    static const field reg##_calendar_fields[] = {                             \
        {"jurisdiction", F_STR, POFF(calendars.reg.jurisdiction), 0, REQ,      \
         R_NONE, NULL, NULL},                                                  \
        {"time_zone", F_STR, POFF(calendars.reg.time_zone), 0, REQ, R_NONE,    \
         NULL, NULL},                                                          \
        {"add", F_STRS, POFF(calendars.reg.add), 0, 0, R_NONE, NULL, NULL},    \
        {"remove", F_STRS, POFF(calendars.reg.remove), 0, 0, R_NONE, NULL,     \
         NULL},                                                                \
        {NULL, 0, 0, 0, 0, 0, NULL, NULL}};                                    \
    static const schema reg##_calendar_schema = {                              \
        #reg " calendar",      0,    POFF(calendars.reg.pos),                  \
        reg##_calendar_fields, NULL, NULL};
CALENDAR_SCHEMA(gdpr)
CALENDAR_SCHEMA(ccpa)

static const field calendars_fields[] = {
    {"gdpr", F_OBJ, 0, 0, 0, R_NONE, &gdpr_calendar_schema, NULL},
    {"ccpa", F_OBJ, 0, 0, 0, R_NONE, &ccpa_calendar_schema, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
static const schema calendars_schema = {"calendars",      0,    NOPOS,
                                        calendars_fields, NULL, NULL};

static void check_policy(pctx *c, void *obj);

/* Definitions come first: references are resolved while reading. */
static const field policy_fields[] = {
    {"steward", F_INT, POFF(version), 0, REQ, R_NONE, NULL, NULL},
    {"controller", F_OBJ, 0, 0, REQ, R_NONE, &controller_schema, NULL},
    {"notice", F_OBJ, 0, 0, REQ, R_NONE, &notice_schema, NULL},
    {"subjects", F_LIST, POFF(subjects), POFF(n_subjects), REQ, R_NONE,
     &subject_schema, NULL},
    {"categories", F_LIST, POFF(categories), POFF(n_categories), REQ, R_NONE,
     &category_schema, NULL},
    {"purposes", F_LIST, POFF(purposes), POFF(n_purposes), REQ, R_NONE,
     &purpose_schema, NULL},
    {"sources", F_LIST, POFF(sources), POFF(n_sources), REQ, R_NONE,
     &source_schema, NULL},
    {"triggers", F_LIST, POFF(triggers), POFF(n_triggers), REQ, R_NONE,
     &trigger_schema, NULL},
    {"recipients", F_LIST, POFF(recipients), POFF(n_recipients), REQ, R_NONE,
     &recipient_schema, NULL},
    {"holds", F_LIST, POFF(hold_kinds), POFF(n_hold_kinds), 0, R_NONE,
     &hold_schema, NULL},
    {"security_measures", F_STRS, POFF(security_measures), 0, REQ, R_NONE, NULL,
     NULL},
    {"activities", F_LIST, POFF(activities), POFF(n_activities), REQ, R_NONE,
     &activity_schema, NULL},
    {"rights", F_LIST, POFF(rights), POFF(n_rights), 0, R_NONE, &right_schema,
     NULL},
    {"automated_decisions", F_OBJ, 0, 0, 0, R_NONE, &adm_schema, NULL},
    {"children", F_OBJ, 0, 0, 0, R_NONE, &children_schema, NULL},
    {"ccpa", F_OBJ, 0, 0, 0, R_NONE, &ccpa_schema, NULL},
    {"traffic", F_OBJ, 0, 0, 0, R_NONE, &traffic_schema, NULL},
    {"consent", F_OBJ, 0, 0, 0, R_NONE, &consent_schema, NULL},
    {"ledger", F_OBJ, 0, 0, 0, R_NONE, &ledger_schema, NULL},
    {"requests", F_OBJ, 0, 0, 0, R_NONE, &requests_schema, NULL},
    {"calendars", F_OBJ, 0, 0, 0, R_NONE, &calendars_schema, NULL},
    {"systems", F_LIST, POFF(systems), POFF(n_systems), 0, R_NONE,
     &sw_system_schema_, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL}};
const schema sw_policy_schema_ = {
    "policy", sizeof(sw_policy), NOPOS, policy_fields, NULL, check_policy};

/* ---- diagnostics ---- */

static sw_pos node_pos(pctx *c, struct fy_node *n, sw_pos fallback)
{
    /* Collections have no token of their own in libfyaml 0.7: use their
     * first scalar, which is where a reader's eye lands. */
    for (int depth = 0; n && depth < 64; depth++) {
        if (fy_node_is_scalar(n)) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
            if (!m)
                break;
            sw_pos p = {c->file, m->line + 1, m->column + 1};
            return p;
        }
        void *it = NULL;
        if (fy_node_is_mapping(n)) {
            struct fy_node_pair *pr = fy_node_mapping_iterate(n, &it);
            n = pr ? fy_node_pair_key(pr) : NULL;
        } else {
            n = fy_node_sequence_iterate(n, &it);
        }
    }
    return fallback;
}

#define perr(c, node, code, ...)                                               \
    sw_perr_at((c), node_pos((c), (node), (c)->here), (code), __VA_ARGS__)

static void oom(pctx *c)
{
    c->nomem = true;
}

/* ---- scalar checks ---- */

/* A NUL-terminated view of a scalar (fy_node_get_scalar is not
 * terminated); borrowed from the document. */
static const char *scalar(struct fy_node *n)
{
    return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

static const char *node_kind(struct fy_node *n)
{
    if (!n)
        return "nothing";
    if (fy_node_is_mapping(n))
        return "a mapping";
    if (fy_node_is_sequence(n))
        return "a sequence";
    return "a scalar";
}

static bool valid_id(const char *s)
{
    if (!*s || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}

static bool valid_section(const char *s)
{
    /* "5", "5.1", "5.1.3" */
    if (!isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) &&
            !(*s == '.' && isdigit((unsigned char)s[1])))
            return false;
    return true;
}

static bool valid_basis(const char *s, char art, char para, char last)
{
    /* "6(1)(a)" .. "6(1)(f)", "9(2)(a)" .. "9(2)(j)" */
    return strlen(s) == 7 && s[0] == art && s[1] == '(' && s[2] == para &&
           s[3] == ')' && s[4] == '(' && s[5] >= 'a' && s[5] <= last &&
           s[6] == ')';
}

/* Defined ids of one kind: a walk over any def array whose first member is
 * the id, with the element size as stride. */
static bool defined(const sw_policy *p, enum ref r, const char *id)
{
    const void *base = NULL;
    size_t n = 0, size = 0;
    switch (r) {
    case R_SUBJECT:
        base = p->subjects;
        n = p->n_subjects;
        size = sizeof(sw_subject_kind);
        break;
    case R_PURPOSE:
        base = p->purposes;
        n = p->n_purposes;
        size = sizeof(sw_def);
        break;
    case R_SOURCE:
        base = p->sources;
        n = p->n_sources;
        size = sizeof(sw_def);
        break;
    case R_CATEGORY:
        base = p->categories;
        n = p->n_categories;
        size = sizeof(sw_category);
        break;
    case R_TRIGGER:
        base = p->triggers;
        n = p->n_triggers;
        size = sizeof(sw_trigger);
        break;
    case R_RECIPIENT:
        base = p->recipients;
        n = p->n_recipients;
        size = sizeof(sw_recipient);
        break;
    case R_HOLD:
        base = p->hold_kinds;
        n = p->n_hold_kinds;
        size = sizeof(sw_hold_kind);
        break;
    default: return true;
    }
    for (size_t i = 0; i < n; i++) {
        const char *have =
            *(const char *const *)((const char *)base + i * size);
        if (have && strcmp(have, id) == 0)
            return true;
    }
    return false;
}

static const char *ref_noun(enum ref r)
{
    switch (r) {
    case R_SUBJECT: return "subject";
    case R_PURPOSE: return "purpose";
    case R_SOURCE: return "source";
    case R_CATEGORY:
    case R_CATEGORY_PREFIX: return "category";
    case R_TRIGGER: return "trigger";
    case R_RECIPIENT: return "recipient";
    case R_HOLD: return "hold kind";
    default: return "value";
    }
}

static const char *ref_list_key(enum ref r)
{
    switch (r) {
    case R_SUBJECT: return "subjects";
    case R_PURPOSE: return "purposes";
    case R_SOURCE: return "sources";
    case R_CATEGORY:
    case R_CATEGORY_PREFIX: return "categories";
    case R_TRIGGER: return "triggers";
    case R_RECIPIENT: return "recipients";
    case R_HOLD: return "holds";
    default: return "";
    }
}

static void check_ref(pctx *c, enum ref r, const char *v, sw_pos at)
{
    switch (r) {
    case R_NONE: return;
    case R_ID:
        if (!valid_id(v))
            sw_perr_at(
                c, at, "malformed-id",
                "malformed id '%s': use lower-case letters, digits, '_', "
                "'.' and '-'",
                v);
        return;
    case R_SECTION:
        if (!valid_section(v))
            sw_perr_at(
                c, at, "malformed-section",
                "malformed notice section '%s': expected digits and dots "
                "such as \"5.1.3\"",
                v);
        return;
    case R_BASIS6:
        if (!valid_basis(v, '6', '1', 'f'))
            sw_perr_at(c, at, "bad-legal-basis",
                       "legal basis '%s' is not one of Art. 6(1)(a) to 6(1)(f) "
                       "(write it as \"6(1)(a)\")",
                       v);
        return;
    case R_BASIS9:
        if (!valid_basis(v, '9', '2', 'j'))
            sw_perr_at(c, at, "bad-special-condition",
                       "special-category condition '%s' is not one of Art. "
                       "9(2)(a) to 9(2)(j) (write it as \"9(2)(a)\")",
                       v);
        return;
    case R_COUNTRY:
        if (strlen(v) != 2 || !isupper((unsigned char)v[0]) ||
            !isupper((unsigned char)v[1]))
            sw_perr_at(c, at, "bad-country",
                       "country '%s' is not an ISO 3166-1 alpha-2 code such as "
                       "\"DE\"",
                       v);
        return;
    case R_CATEGORY_PREFIX:
        for (size_t i = 0; i < c->p->n_categories; i++)
            if (sw_category_covers(v, c->p->categories[i].id))
                return;
        sw_perr_at(
            c, at, "undefined-category",
            "undefined category '%s': neither a category of 'categories' "
            "nor a dotted prefix of one",
            v);
        return;
    default:
        if (!defined(c->p, r, v))
            sw_perr_at(c, at, "undefined-reference",
                       "undefined %s '%s': define it under '%s'", ref_noun(r),
                       v, ref_list_key(r));
        return;
    }
}

/* ---- the walker ---- */

static void parse_object(pctx *c, const schema *s, char *base,
                         struct fy_node *n, sw_pos owner);

static char *copy_scalar(pctx *c, struct fy_node *n)
{
    const char *v = scalar(n);
    char *r = sw_arena_strndup(c->a, v ? v : "", v ? strlen(v) : 0);
    if (!r)
        oom(c);
    return r;
}

/* The scalar of n, or an error saying which key wanted one. */
static char *want_scalar(pctx *c, const char *key, struct fy_node *n)
{
    if (!n || !fy_node_is_scalar(n)) {
        perr(c, n, "wrong-type", "'%s' must be a scalar, not %s", key,
             node_kind(n));
        return NULL;
    }
    size_t len;
    const char *v = fy_node_get_scalar(n, &len);
    if (len == 0 || memchr(v, '\0', len)) {
        perr(c, n, "empty-value", "'%s' must not be empty", key);
        return NULL;
    }
    return copy_scalar(c, n);
}

static void parse_strs(pctx *c, const field *f, sw_strs *out, struct fy_node *n)
{
    if (!fy_node_is_sequence(n)) {
        perr(c, n, "wrong-type", "'%s' must be a sequence, not %s", f->key,
             node_kind(n));
        return;
    }
    int count = fy_node_sequence_item_count(n);
    const char **v = sw_arena_alloc(c->a, sizeof(char *) * (size_t)(count + 1));
    sw_pos *at = sw_arena_alloc(c->a, sizeof(sw_pos) * (size_t)(count + 1));
    if (!v || !at) {
        oom(c);
        return;
    }
    size_t k = 0;
    void *it = NULL;
    for (struct fy_node *item; (item = fy_node_sequence_iterate(n, &it));) {
        char *s = want_scalar(c, f->key, item);
        if (!s)
            continue;
        sw_pos p = node_pos(c, item, c->here);
        for (size_t j = 0; j < k; j++)
            if (strcmp(v[j], s) == 0)
                sw_perr_at(c, p, "duplicate-item",
                           "'%s' lists '%s' twice (first at line %d)", f->key,
                           s, at[j].line);
        check_ref(c, f->ref, s, p);
        v[k] = s;
        at[k] = p;
        k++;
    }
    out->v = v;
    out->at = at;
    out->n = k;
}

static void parse_enum(pctx *c, const field *f, char *dst, struct fy_node *n)
{
    char *v = want_scalar(c, f->key, n);
    if (!v)
        return;
    for (int i = 0; f->enums[i]; i++) {
        if (strcmp(f->enums[i], v) == 0) {
            if (f->flags & ENUM_STR)
                *(const char **)dst = f->enums[i];
            else
                *(int *)dst = i;
            return;
        }
    }
    char allowed[256] = "";
    for (int i = 0; f->enums[i]; i++) {
        if (i)
            strncat(allowed, ", ", sizeof(allowed) - strlen(allowed) - 1);
        strncat(allowed, f->enums[i], sizeof(allowed) - strlen(allowed) - 1);
    }
    perr(c, n, "bad-value", "'%s' is '%s': expected one of %s", f->key, v,
         allowed);
}

static void parse_duration(pctx *c, const field *f, sw_duration *dst,
                           struct fy_node *n)
{
    char *v = want_scalar(c, f->key, n);
    if (v && sw_duration_parse(v, dst) != SW_OK)
        perr(c, n, "malformed-duration",
             "malformed duration '%s' for '%s': expected <n>d, <n>w, <n>m, "
             "<n>y or ISO-8601 such as P7Y",
             v, f->key);
}

static void parse_keep(pctx *c, const field *f, sw_rule *r, struct fy_node *n)
{
    char *v = want_scalar(c, f->key, n);
    if (!v)
        return;
    if (strcmp(v, "unspecified") == 0) {
        r->keep_kind = SW_KEEP_UNSPECIFIED;
    } else if (strcmp(v, "per_law") == 0) {
        r->keep_kind = SW_KEEP_PER_LAW;
    } else if (sw_duration_parse(v, &r->keep) == SW_OK) {
        r->keep_kind = SW_KEEP_PERIOD;
    } else {
        perr(c, n, "malformed-duration",
             "malformed duration '%s' for 'keep': expected <n>d, <n>w, <n>m, "
             "<n>y, ISO-8601 such as P7Y, 'unspecified' or 'per_law'",
             v);
    }
}

static void parse_int(pctx *c, const field *f, int *dst, struct fy_node *n)
{
    char *v = want_scalar(c, f->key, n);
    if (!v)
        return;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (*end || errno || x < 0 || x > 1000000)
        perr(c, n, "wrong-type", "'%s' must be a whole number, not '%s'",
             f->key, v);
    else
        *dst = (int)x;
}

static void parse_bool(pctx *c, const field *f, bool *dst, struct fy_node *n)
{
    char *v = want_scalar(c, f->key, n);
    if (!v)
        return;
    if (strcmp(v, "true") == 0)
        *dst = true;
    else if (strcmp(v, "false") == 0)
        *dst = false;
    else
        perr(c, n, "wrong-type", "'%s' must be true or false, not '%s'", f->key,
             v);
}

static const char *elem_id(const schema *s, const char *elem)
{
    for (const field *f = s->fields; f->key; f++)
        if (f->flags & ID)
            return *(const char *const *)(elem + f->off);
    return NULL;
}

static bool has_id_field(const schema *s)
{
    for (const field *f = s->fields; f->key; f++)
        if (f->flags & ID)
            return true;
    return false;
}

static void parse_list(pctx *c, const field *f, char *base, struct fy_node *n)
{
    const schema *s = f->sub;
    if (!fy_node_is_sequence(n)) {
        perr(c, n, "wrong-type", "'%s' must be a sequence, not %s", f->key,
             node_kind(n));
        return;
    }
    int count = fy_node_sequence_item_count(n);
    char *arr = sw_arena_alloc(c->a, s->size * (size_t)(count ? count : 1));
    if (!arr) {
        oom(c);
        return;
    }
    size_t k = 0;
    void *it = NULL;
    for (struct fy_node *item; (item = fy_node_sequence_iterate(n, &it));) {
        char *elem = arr + k * s->size;
        sw_pos p = node_pos(c, item, c->here);
        if (fy_node_is_scalar(item) && s->shorthand) {
            /* "- 6(1)(b)" stands for "- basis: 6(1)(b)" */
            for (const field *sf = s->fields; sf->key; sf++) {
                if (strcmp(sf->key, s->shorthand) == 0) {
                    char *v = want_scalar(c, sf->key, item);
                    if (v)
                        check_ref(c, sf->ref, v, p);
                    *(char **)(elem + sf->off) = v;
                }
            }
            if (s->pos_off != NOPOS)
                *(sw_pos *)(elem + s->pos_off) = p;
        } else if (!fy_node_is_mapping(item)) {
            perr(c, item, "wrong-type",
                 "each item of '%s' must be a mapping "
                 "(a %s), not %s",
                 f->key, s->what, node_kind(item));
            continue;
        } else {
            parse_object(c, s, elem, item, p);
        }
        const char *id = elem_id(s, elem);
        if (!id && has_id_field(s)) {
            /* Reported (missing or empty 'id'); an element nothing can
             * name is not kept, so no look-up ever meets a NULL id. */
            memset(elem, 0, s->size);
            continue;
        }
        for (size_t j = 0; id && j < k; j++) {
            const char *other = elem_id(s, arr + j * s->size);
            if (other && strcmp(other, id) == 0) {
                const sw_pos *op =
                    (const sw_pos *)(arr + j * s->size + s->pos_off);
                sw_perr_at(c, p, "duplicate-id",
                           "duplicate %s id '%s' (first defined at line %d)",
                           s->what, id, op->line);
                break;
            }
        }
        k++;
    }
    *(char **)(base + f->off) = arr;
    *(size_t *)(base + f->noff) = k;
}

static void parse_field(pctx *c, const field *f, char *base, struct fy_node *v)
{
    char *dst = base + f->off;
    sw_pos saved = c->here;
    c->here = node_pos(c, v, c->here);
    switch (f->type) {
    case F_STR: {
        char *s = want_scalar(c, f->key, v);
        if (s)
            check_ref(c, f->ref, s, c->here);
        *(char **)dst = s;
        break;
    }
    case F_STRS: parse_strs(c, f, (sw_strs *)dst, v); break;
    case F_BOOL: parse_bool(c, f, (bool *)dst, v); break;
    case F_INT: parse_int(c, f, (int *)dst, v); break;
    case F_ENUM: parse_enum(c, f, dst, v); break;
    case F_DURATION: parse_duration(c, f, (sw_duration *)dst, v); break;
    case F_KEEP: parse_keep(c, f, (sw_rule *)(base), v); break;
    case F_OBJ:
        if (!fy_node_is_mapping(v))
            perr(c, v, "wrong-type", "'%s' must be a mapping, not %s", f->key,
                 node_kind(v));
        else
            parse_object(c, f->sub, dst, v, c->here);
        break;
    case F_LIST: parse_list(c, f, base, v); break;
    }
    c->here = saved;
}

static void parse_object(pctx *c, const schema *s, char *base,
                         struct fy_node *n, sw_pos owner)
{
    sw_pos saved = c->here;
    c->here = owner;
    if (s->pos_off != NOPOS)
        *(sw_pos *)(base + s->pos_off) = owner;

    /* Unknown keys first, in file order. */
    void *it = NULL;
    for (struct fy_node_pair *pr; (pr = fy_node_mapping_iterate(n, &it));) {
        struct fy_node *k = fy_node_pair_key(pr);
        const char *key = scalar(k);
        const field *f = NULL;
        for (const field *g = s->fields; key && g->key; g++)
            if (strcmp(g->key, key) == 0)
                f = g;
        if (!f) {
            char keys[512] = "";
            for (const field *g = s->fields; g->key; g++) {
                if (g != s->fields)
                    strncat(keys, ", ", sizeof(keys) - strlen(keys) - 1);
                strncat(keys, g->key, sizeof(keys) - strlen(keys) - 1);
            }
            perr(c, k, "unknown-key",
                 "unknown key '%.80s' in %s (expected: %s)",
                 key ? key : "(not a scalar)", s->what, keys);
        }
    }
    /* Then the known ones in table order, so definitions precede uses. */
    for (const field *f = s->fields; f->key && !c->nomem; f++) {
        struct fy_node *v = fy_node_mapping_lookup_by_string(n, f->key, -1);
        if (v && !(fy_node_is_scalar(v) && fy_node_get_scalar_length(v) == 0 &&
                   f->type != F_STR)) {
            parse_field(c, f, base, v);
        } else if (v && fy_node_is_scalar(v) && f->type != F_STR) {
            perr(c, v, "wrong-type", "'%s' has no value", f->key);
        } else if (f->flags & REQ) {
            const char *id = elem_id(s, base);
            if (id)
                sw_perr_at(c, owner, "missing-key", "%s '%s' has no '%s'",
                           s->what, id, f->key);
            else
                sw_perr_at(c, owner, "missing-key", "%s has no '%s'", s->what,
                           f->key);
        }
    }
    if (s->check && !c->nomem)
        s->check(c, base);
    c->here = saved;
}

/* ---- cross-field checks ---- */

/* The types a scan looks for, each a type the scanner knows. */
/* An extension's parent is "none" or a dotted prefix of its id: the
 * fideslang key it hangs under (user.telecom.msisdn extends user). */
static void check_parent(pctx *c, const char *what, const char *id,
                         const char *parent, sw_pos at)
{
    if (!parent || !id || strcmp(parent, "none") == 0)
        return;
    size_t n = strlen(parent);
    if (strncmp(id, parent, n) != 0 || id[n] != '.')
        sw_perr_at(c, at, "bad-value",
                   "%s '%s' extends '%s', which is not a dotted prefix of it "
                   "(the nearest fideslang key above it, or none)",
                   what, id, parent);
}

static void check_purpose(pctx *c, void *obj)
{
    const sw_def *d = obj;
    check_parent(c, "purpose", d->id, d->extends, d->pos);
}

static void check_category(pctx *c, void *obj)
{
    const sw_category *d = obj;
    check_parent(c, "category", d->id, d->extends, d->pos);
}

static void check_scan(pctx *c, void *obj)
{
    sw_scan_rule *r = obj;
    r->type_set = 0;
    for (size_t i = 0; i < r->types.n; i++) {
        sw_pii_type t;
        if (sw_pii_parse(r->types.v[i], &t))
            r->type_set |= 1u << t;
        else
            sw_perr_at(c, r->types.at[i], "scan-type",
                       "scan type '%s' is not one the scanner knows (email, "
                       "phone, iban, card, ipv4, ipv6, imei, imsi, mac, "
                       "uk_nino, hr_oib, us_ssn, de_tax_id, birth_date, name)",
                       r->types.v[i]);
    }
}

static void check_activity(pctx *c, void *obj)
{
    sw_activity *a = obj;
    if (!a->id)
        return;
    for (size_t i = 0; i < a->n_scans; i++) {
        const sw_scan_rule *r = &a->scans[i];
        for (size_t j = 0; j < r->categories.n; j++)
            if (!sw_strs_contains(&a->categories, r->categories.v[j]))
                sw_perr_at(c, r->categories.at[j], "scan-category",
                           "activity '%s' scans category '%s', which it does "
                           "not list",
                           a->id, r->categories.v[j]);
    }
    for (size_t i = 0; i < a->n_rules; i++) {
        sw_rule *r = (sw_rule *)&a->rules[i];
        r->activity = a;
        for (size_t j = 0; j < r->categories.n; j++) {
            bool ok = false;
            for (size_t k = 0; k < a->categories.n && !ok; k++)
                ok = sw_category_covers(r->categories.v[j], a->categories.v[k]);
            if (!ok)
                sw_perr_at(c, r->categories.at[j], "rule-category",
                           "rule '%s' keeps category '%s', which activity '%s' "
                           "does not list",
                           r->id ? r->id : "?", r->categories.v[j], a->id);
        }
        for (size_t j = 0; j < r->subjects.n; j++) {
            bool ok = false;
            for (size_t k = 0; k < a->subjects.n && !ok; k++)
                ok = strcmp(r->subjects.v[j], a->subjects.v[k]) == 0;
            if (!ok)
                sw_perr_at(c, r->subjects.at[j], "rule-subject",
                           "rule '%s' names subject '%s', which activity '%s' "
                           "does not list",
                           r->id ? r->id : "?", r->subjects.v[j], a->id);
        }
        if (r->keep_kind == SW_KEEP_PERIOD && !r->after)
            sw_perr_at(c, r->pos, "no-trigger",
                       "retention rule '%s' has no trigger (\"after\")",
                       r->id ? r->id : "?");
        if (r->keep_kind != SW_KEEP_PERIOD && !r->reason)
            sw_perr_at(
                c, r->pos, "no-reason",
                "retention rule '%s' states no period ('%s'): say why in "
                "'reason'",
                r->id ? r->id : "?", sw_keep_kind_name(r->keep_kind));
        bool obligation = false;
        for (size_t k = 0; k < a->n_bases; k++)
            obligation |=
                a->bases[k].basis && strcmp(a->bases[k].basis, "6(1)(c)") == 0;
        if (r->exemption == SW_EXEMPT_LEGAL_OBLIGATION && !obligation)
            sw_perr_at(c, r->pos, "exemption-without-basis",
                       "rule '%s' keeps its data against erasure for a legal "
                       "obligation, but activity '%s' has no 6(1)(c) basis",
                       r->id ? r->id : "?", a->id);
        if (r->keep_kind != SW_KEEP_PERIOD && r->n_extensions)
            sw_perr_at(c, r->extensions[0].pos, "bad-extension",
                       "retention rule '%s' has national extensions but no "
                       "period to extend",
                       r->id ? r->id : "?");
    }
    const char *special = first_of(c->p, a, false);
    if (special && !a->special_condition)
        sw_perr_at(c, a->pos, "special-without-condition",
                   "activity '%s' processes special category '%s' without an "
                   "Art. 9(2) condition ('special_condition')",
                   a->id, special);
    const char *criminal = first_of(c->p, a, true);
    if (criminal && !a->criminal_authority)
        sw_perr_at(c, a->pos, "criminal-without-condition",
                   "activity '%s' processes criminal-conviction data '%s' "
                   "without saying what authorises it under Art. 10 "
                   "('criminal_condition')",
                   a->id, criminal);
    if (a->criminal_authority &&
        strcmp(a->criminal_authority, "official_authority") != 0 &&
        !a->criminal_law)
        sw_perr_at(c, a->pos, "missing-key",
                   "activity '%s': criminal_condition '%s' needs the 'law' "
                   "that authorises it",
                   a->id, a->criminal_authority);
}

static void check_calendar(pctx *c, const char *reg, const sw_calendar_def *d)
{
    if (!d->jurisdiction)
        return;
    sw_pos at = d->pos.file ? d->pos : c->here;
    if (!sw_jurisdiction_known(d->jurisdiction))
        sw_perr_at(c, at, "unknown-jurisdiction",
                   "calendars.%s: steward computes no holidays for '%s' (it "
                   "knows GB-ENG, HR and US-CA)",
                   reg, d->jurisdiction);
    if (!sw_time_zone_known(d->time_zone))
        sw_perr_at(c, at, "unknown-time-zone",
                   "calendars.%s: '%s' is not a time zone name (an IANA name "
                   "such as Europe/London)",
                   reg, d->time_zone);
    const sw_strs *lists[] = {&d->add, &d->remove};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < lists[k]->n; i++) {
            sw_date x;
            if (sw_date_parse(lists[k]->v[i], &x) != SW_OK)
                sw_perr_at(c, lists[k]->at ? lists[k]->at[i] : at, "wrong-type",
                           "calendars.%s.%s: '%s' is not a date (YYYY-MM-DD)",
                           reg, k ? "remove" : "add", lists[k]->v[i]);
        }
}

static void check_policy(pctx *c, void *obj)
{
    sw_policy *p = obj;
    check_calendar(c, "gdpr", &p->calendars.gdpr);
    check_calendar(c, "ccpa", &p->calendars.ccpa);
    if (p->version != 1)
        sw_perr_at(
            c, c->here, "unsupported-version",
            "unsupported policy format 'steward: %d' (this steward reads "
            "format 1)",
            p->version);
    const char *traffic_rules[] = {p->traffic.identifiers_rule,
                                   p->traffic.records_rule};
    for (int i = 0; i < 2; i++) {
        const sw_rule *r =
            traffic_rules[i] ? sw_policy_rule(p, traffic_rules[i]) : NULL;
        if (traffic_rules[i] && !r)
            sw_perr_at(c, c->here, "undefined-reference",
                       "traffic: no retention rule '%s'", traffic_rules[i]);
        else if (r &&
                 (r->keep_kind != SW_KEEP_PERIOD || !r->after ||
                  !sw_policy_trigger(p, r->after) ||
                  sw_policy_trigger(p, r->after)->scope != SW_SCOPE_RECORD))
            sw_perr_at(c, r->pos, "bad-traffic-rule",
                       "traffic rule '%s' must keep a period counted from a "
                       "record-scoped trigger (the communication)",
                       r->id);
    }
    /* CCPA 1798.110: a right-to-know answer names the CCPA category of
     * everything collected, so none may fall outside them. */
    for (size_t i = 0; p->ccpa.n_categories && i < p->n_categories; i++) {
        bool mapped = false;
        for (size_t k = 0; k < p->ccpa.n_categories && !mapped; k++)
            for (size_t j = 0; j < p->ccpa.categories[k].covers.n && !mapped;
                 j++)
                mapped = sw_category_covers(p->ccpa.categories[k].covers.v[j],
                                            p->categories[i].id);
        if (!mapped)
            sw_perr_at(c, p->categories[i].pos, "unmapped-category",
                       "category '%s' is in no CCPA category (ccpa.categories "
                       "covers): a right-to-know answer could not name it",
                       p->categories[i].id);
    }
    if (p->consent.suppression_activity &&
        !sw_policy_activity(p, p->consent.suppression_activity))
        sw_perr_at(c, c->here, "undefined-reference",
                   "consent: no activity '%s' for the suppression list",
                   p->consent.suppression_activity);
    /* Rule ids are global: certificates and schedules name rules alone. */
    for (size_t i = 0; i < p->n_activities; i++)
        for (size_t j = 0; j < p->activities[i].n_rules; j++) {
            const sw_rule *r = &p->activities[i].rules[j];
            for (size_t k = 0; r->id && k <= i; k++)
                for (size_t l = 0; l < p->activities[k].n_rules; l++) {
                    const sw_rule *o = &p->activities[k].rules[l];
                    if (o == r)
                        goto next;
                    if (o->id && strcmp(o->id, r->id) == 0) {
                        sw_perr_at(c, r->pos, "duplicate-id",
                                   "duplicate retention rule id '%s' (first "
                                   "defined at line %d)",
                                   r->id, o->pos.line);
                        goto next;
                    }
                }
        next:;
        }
}

/* ---- entry points ---- */

static void noop_output(struct fy_diag *d, void *user, const char *buf,
                        size_t len)
{
    (void)d;
    (void)user;
    (void)buf;
    (void)len;
}

/* The length of the line break at s (left bytes there), 0 if none: YAML
 * ends a line at LF, CR or CR LF, and YAML 1.1 also at NEL, LS and PS. */
static size_t line_break(const char *s, size_t left)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == '\n')
        return 1;
    if (u[0] == '\r')
        return left > 1 && u[1] == '\n' ? 2 : 1;
    if (left >= 2 && u[0] == 0xC2 && u[1] == 0x85)
        return 2;
    if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
        (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

/* YAML directives (%YAML, %TAG): a policy needs none but "%YAML 1.x" at
 * its start, and the YAML library loops forever on some malformed ones
 * (found by the fuzzer), wherever a line starts with '%' (a line ended by
 * any of YAML's line breaks). Such a line is refused here, before the
 * library reads it. Reports the first and returns false. */
static bool directives_ok(const char *name, const char *text, size_t len,
                          sw_diags *diags)
{
    bool prelude = true;
    int line = 1;
    for (size_t i = 0; i < len; line++) {
        const char *s = text + i;
        size_t n = 0, brk = 0;
        while (i + n < len && !(brk = line_break(s + n, len - i - n)))
            n++;
        i += n + brk;
        if (n == 0 || s[0] == '#')
            continue;
        if (s[0] != '%') {
            prelude = false;
            continue;
        }
        bool yaml = prelude && n >= 9 && memcmp(s, "%YAML 1.", 8) == 0 &&
                    (s[8] == '1' || s[8] == '2') &&
                    (n == 9 || s[9] == ' ' || s[9] == '#');
        if (!yaml) {
            if (diags)
                sw_diags_add(diags, SW_SEV_ERROR, "yaml", name, line, 1,
                             "a line may not start with '%%' (a YAML "
                             "directive): a policy may start with '%%YAML "
                             "1.2' and has no other");
            return false;
        }
    }
    return true;
}

static sw_status load(const char *name, const char *text, size_t len,
                      const char *path, sw_diags *diags, sw_policy **out)
{
    *out = NULL;
    if (text && !directives_ok(name, text, len, diags))
        return SW_ERR_SYNTAX;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = noop_output;
    dcfg.colorize = false;
    struct fy_diag *fd = fy_diag_create(&dcfg);
    if (!fd)
        return SW_ERR_NOMEM;
    fy_diag_set_collect_errors(fd, true);
    struct fy_parse_cfg cfg = {NULL,
                               FYPCF_QUIET | FYPCF_COLLECT_DIAG |
                                   FYPCF_RESOLVE_DOCUMENT | FYPCF_JSON_NONE,
                               NULL, fd};
    struct fy_document *doc =
        path ? fy_document_build_from_file(&cfg, path)
             : fy_document_build_from_string(&cfg, text, len);
    if (!doc || fy_diag_got_error(fd)) {
        bool any = false;
        void *it = NULL;
        for (struct fy_diag_error *e; (e = fy_diag_errors_iterate(fd, &it));) {
            if (diags)
                sw_diags_add(diags, SW_SEV_ERROR, "yaml", name, e->line + 1,
                             e->column + 1, "%s", e->msg);
            any = true;
        }
        if (!any && diags)
            sw_diags_add(diags, SW_SEV_ERROR, "yaml", name, 0, 0, "%s",
                         path && errno ? strerror(errno)
                                       : "not a readable YAML document");
        fy_document_destroy(doc);
        fy_diag_unref(fd);
        return SW_ERR_SYNTAX;
    }
    struct fy_node *root = fy_document_root(doc);
    sw_arena *a = sw_arena_new();
    sw_policy *p = a ? sw_arena_alloc(a, sizeof(*p)) : NULL;
    if (!p) {
        sw_arena_free(a);
        fy_document_destroy(doc);
        fy_diag_unref(fd);
        return SW_ERR_NOMEM;
    }
    p->arena_ = a;
    p->source_name = sw_arena_strndup(a, name, strlen(name));
    pctx c = {
        p, a,    diags, p->source_name ? p->source_name : name, {name, 1, 1},
        0, false};
    c.here.file = c.file;
    if (!root || !fy_node_is_mapping(root))
        sw_perr_at(
            &c, node_pos(&c, root, c.here), "wrong-type",
            "a policy must be a YAML mapping with 'steward: 1' at the top, "
            "not %s",
            node_kind(root));
    else
        parse_object(&c, &sw_policy_schema_, (char *)p, root,
                     node_pos(&c, root, c.here));
    fy_document_destroy(doc);
    fy_diag_unref(fd);
    if (c.nomem) {
        sw_arena_free(a);
        return SW_ERR_NOMEM;
    }
    if (c.errors) {
        sw_arena_free(a);
        return SW_ERR_INVALID;
    }
    char hash[65];
    sw_sha256_hex(text, len, hash);
    p->text = sw_arena_strndup(a, text, len);
    p->text_len = len;
    p->hash = sw_arena_strndup(a, hash, 64);
    if (!p->text || !p->hash) {
        sw_arena_free(a);
        return SW_ERR_NOMEM;
    }
    *out = p;
    return SW_OK;
}

/* A policy is a text file a person writes: larger than this is not one. */
#define POLICY_MAX (16u * 1024 * 1024)

sw_status sw_policy_load_file(const char *path, sw_diags *diags,
                              sw_policy **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (diags)
            sw_diags_add(diags, SW_SEV_ERROR, "io", path, 0, 0,
                         "cannot read policy: %s", strerror(errno));
        return SW_ERR_IO;
    }
    char *text = malloc(POLICY_MAX + 1);
    size_t len = text ? fread(text, 1, POLICY_MAX + 1, f) : 0;
    bool err = ferror(f) != 0;
    fclose(f);
    if (!text)
        return SW_ERR_NOMEM;
    if (err || len > POLICY_MAX) {
        if (diags)
            sw_diags_add(diags, SW_SEV_ERROR, "io", path, 0, 0,
                         err ? "cannot read policy"
                             : "a policy has at most 16 MiB");
        free(text);
        return err ? SW_ERR_IO : SW_ERR_LIMIT;
    }
    sw_status st = load(path, text, len, NULL, diags, out);
    free(text);
    return st;
}

sw_status sw_policy_load_buffer(const char *name, const char *text, size_t len,
                                sw_diags *diags, sw_policy **out)
{
    return load(name, text, len, NULL, diags, out);
}

sw_status sw_policy_load_bundled(sw_diags *diags, sw_policy **out)
{
    size_t len;
    const char *text = sw_policy_bundled_text(&len);
    return load(SW_POLICY_BUNDLED_NAME, text, len, NULL, diags, out);
}

void sw_policy_free(sw_policy *p)
{
    if (p)
        sw_arena_free(p->arena_);
}
