/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy: a privacy notice as an immutable in-memory model, loaded from
 * YAML (see docs/policy.md), validated with file:line:col diagnostics and
 * linted for the gaps of the notice.
 *
 * A loaded sw_policy is read-only: every pointer reachable from it is owned
 * by it and valid until sw_policy_free(). Reading one policy from several
 * threads at once is safe.
 */
#ifndef STEWARD_POLICY_H
#define STEWARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/diag.h"
#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a value was written in the policy file (1-based). */
typedef struct sw_pos {
    const char *file;
    int line;
    int col;
} sw_pos;

/* A list of strings, with where each one was written. */
typedef struct sw_strs {
    size_t n;
    const char **v;
    const sw_pos *at;
} sw_strs;

/* A named definition: data subject kinds, purposes, sources. */
typedef struct sw_def {
    const char *id;
    const char *name;
    const char *description;
    /* purposes: an extension of the fideslang taxonomy names its nearest
     * fideslang ancestor (a dotted prefix of id), or "none" for a root of
     * its own; NULL: id is a fideslang data use */
    const char *extends;
    sw_pos pos;
} sw_def;

/* A kind of data subject. role: whether steward's operator is the
 * controller of this kind's data or processes it for a customer (whose
 * requests are then forwarded to that customer). */
typedef struct sw_subject_kind {
    const char *id;
    const char *name;
    const char *description;
    int role; /* sw_role */
    /* the fideslang data subject this kind is a kind of ("none": none);
     * NULL: id is a fideslang data subject */
    const char *extends;
    sw_pos pos;
} sw_subject_kind;

typedef struct sw_category {
    const char *id; /* fideslang name, or user.telecom.* / system.traffic.* */
    const char *name;
    const char *description;
    bool special; /* a special category of GDPR Art. 9(1) */
    /* data relating to criminal convictions and offences (GDPR Art. 10) */
    bool criminal;
    /* as sw_def.extends: the nearest fideslang ancestor, "none", or NULL
     * when id is a fideslang data category */
    const char *extends;
    sw_pos pos;
} sw_category;

typedef enum sw_scope {
    SW_SCOPE_RECORD = 0, /* the record's own time (collection, communication) */
    SW_SCOPE_SUBJECT,
    SW_SCOPE_ACCOUNT,
    SW_SCOPE_TENANT,
} sw_scope;

/* A lifecycle event that starts a retention clock. */
typedef struct sw_trigger {
    const char *id;
    const char *name;
    sw_scope scope;
    const char *description;
    sw_pos pos;
} sw_trigger;

typedef struct sw_recipient {
    const char *id;
    const char *name;
    const char *description;
    const char *section; /* notice section that names it */
    const char *ccpa;    /* CCPA category of third party, or NULL */
    sw_pos pos;
} sw_recipient;

/* A kind of legal hold that suspends deletion (litigation...). */
typedef struct sw_hold_kind {
    const char *id;
    const char *name;
    const char *section;
    sw_pos pos;
} sw_hold_kind;

/* A legal basis of an activity: "6(1)(a)".."6(1)(f)", and when it applies. */
typedef struct sw_basis {
    const char *basis;
    const char *when;
    sw_strs purposes; /* the purposes it covers; empty: all of the activity's */
    sw_pos pos;
} sw_basis;

typedef struct sw_transfer {
    const char *to;
    const char *safeguard;
    const char *note;
    sw_pos pos;
} sw_transfer;

typedef enum sw_keep_kind {
    SW_KEEP_PERIOD = 0,      /* a stated duration */
    SW_KEEP_UNSPECIFIED = 1, /* the notice names no period */
    SW_KEEP_PER_LAW = 2,     /* the notice defers to legislation */
} sw_keep_kind;

typedef enum sw_round {
    SW_ROUND_NONE = 0,
    SW_ROUND_END_OF_DAY,
    SW_ROUND_END_OF_MONTH,
    SW_ROUND_END_OF_YEAR,
} sw_round;

typedef enum sw_action { SW_ACTION_DELETE = 0, SW_ACTION_ANONYMISE } sw_action;

/* Why the data a rule keeps stays despite an erasure request (GDPR
 * Art. 17(3)): the rule states it for its own categories only. */
typedef enum sw_exemption {
    SW_EXEMPT_NONE = 0,
    SW_EXEMPT_LEGAL_OBLIGATION, /* 17(3)(b): the activity has a 6(1)(c) basis */
    SW_EXEMPT_PUBLIC_HEALTH,    /* 17(3)(c) */
    SW_EXEMPT_ARCHIVING,        /* 17(3)(d) */
    SW_EXEMPT_LEGAL_CLAIMS,     /* 17(3)(e) */
} sw_exemption;

/* A longer, national period for some countries (law-enforcement retention
 * of traffic data). country is ISO 3166-1 alpha-2. */
typedef struct sw_extension {
    const char *country;
    sw_duration keep;
    const char *reason;
    sw_pos pos;
} sw_extension;

struct sw_activity;

/* One retention rule: what is kept, how long, from which trigger. */
typedef struct sw_rule {
    const char *id;
    const char *name;
    const char *section; /* notice section that states the period */
    sw_strs categories;  /* categories or dotted prefixes of them */
    sw_strs subjects;    /* empty: every subject of the activity */
    sw_keep_kind keep_kind;
    sw_duration keep;  /* SW_KEEP_PERIOD only */
    const char *after; /* trigger id, or NULL */
    sw_round round;    /* applied to the trigger instant first */
    sw_strs unless;    /* triggers that cancel the rule once recorded */
    sw_action action;
    sw_exemption exemption; /* erasure_exemption */
    const char *reason;     /* required when no period is stated */
    size_t n_extensions;
    const sw_extension *extensions;
    const struct sw_activity *activity; /* the activity that holds it */
    sw_pos pos;
} sw_rule;

typedef enum sw_role { SW_ROLE_CONTROLLER = 0, SW_ROLE_PROCESSOR } sw_role;

/* A processing activity of the notice. */
/* Free text of some of an activity's categories scanned before it is
 * stored (docs/scan.md): what the scan finds is replaced as redact says
 * (a sw_redact_mode: type, mask, hash, drop). */
typedef struct sw_scan_rule {
    sw_strs categories;
    int redact;        /* sw_redact_mode */
    sw_strs types;     /* the types looked for; none: every type */
    unsigned type_set; /* the same as bits of sw_pii_type (0: every type) */
    sw_pos pos;
} sw_scan_rule;

typedef struct sw_activity {
    const char *id;
    const char *name;
    const char *section;
    const char *description;
    sw_role role;
    sw_strs subjects;
    sw_strs categories;
    sw_strs purposes;
    size_t n_bases;
    const sw_basis *bases;
    const char *special_condition; /* "9(2)(a)".."9(2)(j)" or NULL */
    /* Art. 10: who authorises processing criminal-conviction data:
     * "official_authority", "union_law" or "member_state_law" (NULL:
     * none given), and the law that does (required with either law) */
    const char *criminal_authority;
    const char *criminal_law;
    sw_strs sources;
    sw_strs recipients;
    size_t n_transfers;
    const sw_transfer *transfers;
    const char *withdrawal; /* how consent is withdrawn, or NULL */
    const char *objection;  /* how to object, or NULL */
    bool double_opt_in;     /* a consent is pending until confirmed */
    /* The period of a consent given without one (zero: none stated). An
     * activity whose rules count from consent_expired keeps its data for
     * the consent's period: a consent to it must state one or take this. */
    sw_duration consent_period;
    sw_strs holds; /* hold kinds that suspend its deletion */
    size_t n_rules;
    const sw_rule *rules;
    size_t n_scans;
    const sw_scan_rule *scans;
    sw_pos pos;
} sw_activity;

/* A right of the data subject and how it is exercised. */
typedef struct sw_right {
    const char *id;
    const char *name;
    const char *article;
    const char *section;
    const char *route;
    sw_pos pos;
} sw_right;

/* A CCPA category of personal information and whom it is disclosed to. */
typedef struct sw_ccpa_category {
    const char *id;
    const char *name;
    const char *examples;
    sw_strs covers;       /* policy categories (or prefixes) it includes */
    sw_strs disclosed_to; /* CCPA third-party categories */
    sw_pos pos;
} sw_ccpa_category;

/* The calendar a regulation's deadlines count on: whose public holidays
 * (sw_jurisdiction_known) and which time zone (IANA), with one-off days
 * added or taken away ("YYYY-MM-DD"). */
typedef struct sw_calendar_def {
    const char *jurisdiction;
    const char *time_zone;
    sw_strs add, remove;
    sw_pos pos;
} sw_calendar_def;

/* ---- systems: where the company's own data lives (connectors) ---- */

/* How a column's value goes when it is erased or its time is over. */
typedef enum sw_erase_kind {
    SW_ERASE_DELETE = 0, /* the row goes */
    SW_ERASE_NULL,       /* the column becomes NULL */
    SW_ERASE_MASK,       /* the column gets a fixed value */
    SW_ERASE_HASH,       /* the column gets a keyed hash of its value */
} sw_erase_kind;

typedef struct sw_sys_column {
    const char *name;
    const char *category; /* a category of the dataset's activity */
    int erase;            /* sw_erase_kind */
    const char *mask;     /* with SW_ERASE_MASK */
    sw_pos pos;
} sw_sys_column;

/* A column that names a person: an identifier type and the column. */
typedef struct sw_sys_identity {
    const char *type; /* email, phone, msisdn, account_id, ... */
    const char *column;
    sw_pos pos;
} sw_sys_identity;

/* This table's column refers to another table's column (orders.contact_id
 * -> contacts.id): access and erasure follow it. */
typedef struct sw_sys_relation {
    const char *column;
    const char *table;
    const char *references;
    sw_pos pos;
} sw_sys_relation;

typedef struct sw_dataset {
    const char *table;    /* or an endpoint's resource */
    const char *activity; /* the activity its data is processed for */
    const char *rule;     /* the retention rule of its clock, or NULL */
    const char *key;      /* the primary key column */
    const char *clock;    /* the column that starts the rule's clock */
    sw_sys_identity *identities;
    size_t n_identities;
    sw_sys_relation *relations;
    size_t n_relations;
    sw_sys_column *columns;
    size_t n_columns;
    sw_pos pos;
} sw_dataset;

typedef enum sw_connector_kind {
    SW_CONN_SQLITE = 0,
    SW_CONN_POSTGRESQL,
    SW_CONN_MARIADB,
    SW_CONN_WEBHOOK,
} sw_connector_kind;

typedef struct sw_system {
    const char *id;
    const char *name;
    int connector; /* sw_connector_kind */
    /* where its connection string (a URL, a path) and secrets come from:
     * an environment variable or a file of mode 0600, never the policy */
    const char *credentials_env;
    const char *credentials_file;
    sw_dataset *datasets;
    size_t n_datasets;
    sw_pos pos;
} sw_system;

typedef struct sw_policy {
    int version; /* the format version, "steward: 1" */
    struct {
        const char *name, *address, *contact;
        const char *phone; /* optional: for consent receipts */
        const char *dpo_email, *dpo_address;
        /* optional: the address in parts (schema.org PostalAddress), for
         * consent receipts; address stays the line shown */
        struct {
            const char *street, *locality, *region, *postal_code, *country;
        } postal;
    } controller;
    struct {
        const char *version, *url, *title;
    } notice;
    size_t n_subjects;
    const sw_subject_kind *subjects;
    size_t n_categories;
    const sw_category *categories;
    size_t n_purposes;
    const sw_def *purposes;
    size_t n_sources;
    const sw_def *sources;
    size_t n_triggers;
    const sw_trigger *triggers;
    size_t n_recipients;
    const sw_recipient *recipients;
    size_t n_hold_kinds;
    const sw_hold_kind *hold_kinds;
    sw_strs security_measures;
    size_t n_activities;
    const sw_activity *activities;
    size_t n_rights;
    const sw_right *rights;
    struct {
        bool used;
        const char *statement;
        const char *section;
    } automated_decisions;
    struct {
        int min_age;
        const char *section;
    } children;
    struct {
        bool sells;
        const char *section;
        size_t n_categories;
        const sw_ccpa_category *categories;
    } ccpa;
    /* Which rules govern communication detail records: the end users'
     * identifiers (kept per day of communication) and the customer's part
     * (kept per month). NULL when the policy has no traffic. */
    struct {
        const char *identifiers_rule;
        const char *records_rule;
    } traffic;
    /* The consent ledger: the activity that is the suppression list (its
     * purposes are direct marketing: an objection to them is absolute),
     * how long a confirmation link lives, and the purpose of each cookie
     * category (necessary needs no consent). */
    struct {
        const char *suppression_activity;
        sw_duration confirmation_valid;
        const char *cookie_necessary, *cookie_analytics, *cookie_advertising;
    } consent;
    /* The ledger: how long a subject nothing keeps (no record, no consent
     * given or pending, no request, no hold) stays after it was created,
     * and a released hold after its release; zero: the policy states no
     * such period (it stays). */
    struct {
        sw_duration orphan_subject;
        sw_duration released_hold;
    } ledger;
    /* Requests: how long a completed access or portability answer can be
     * downloaded from the privacy centre (zero: the policy states no
     * period; answers are not kept for download). */
    struct {
        sw_duration answer_download;
    } requests;
    /* The calendars of the requests' deadlines: the controller's for
     * GDPR, California's for CCPA (jurisdiction NULL: not stated, UTC and
     * weekends only). */
    struct {
        sw_calendar_def gdpr, ccpa;
    } calendars;
    /* The company's own systems that hold data of its activities. */
    sw_system *systems;
    size_t n_systems;
    const char *source_name; /* file name diagnostics use */
    /* The text it was loaded from (text_len bytes, NUL-terminated) and
     * its SHA-256 in hex: what a store records as a version of its
     * policy. */
    const char *text;
    size_t text_len;
    const char *hash;
    struct sw_arena *arena_; /* private: owns everything above */
} sw_policy;

/*
 * Loads and validates a policy from a YAML file. On success *out is the
 * caller's (sw_policy_free). On failure *out is NULL, diags (if not NULL)
 * holds the positioned errors and the return is SW_ERR_IO (unreadable),
 * SW_ERR_SYNTAX (not YAML) or SW_ERR_INVALID (not a valid policy).
 */
sw_status sw_policy_load_file(const char *path, sw_diags *diags,
                              sw_policy **out);
/* The same from a buffer; name is used in diagnostics. */
sw_status sw_policy_load_buffer(const char *name, const char *text, size_t len,
                                sw_diags *diags, sw_policy **out);
/* The policy bundled with steward (policies/cpaas-notice.yaml, compiled in). */
sw_status sw_policy_load_bundled(sw_diags *diags, sw_policy **out);
/* The bundled policy's YAML text (static) and its length. */
const char *sw_policy_bundled_text(size_t *len);
/* Name the bundled policy has in diagnostics. */
#define SW_POLICY_BUNDLED_NAME "policies/cpaas-notice.yaml"

void sw_policy_free(sw_policy *p);

/*
 * Appends warnings (code "gap", "no-withdrawal", "no-objection",
 * "uncovered-category") about what the notice leaves open. Returns the
 * number of warnings added.
 */
size_t sw_policy_lint(const sw_policy *p, sw_diags *diags);

/* Look-ups by id; borrowed pointers valid while p lives, or NULL. */
const sw_activity *sw_policy_activity(const sw_policy *p, const char *id);
/* The activity people subscribe to (the first with double opt-in and a
 * purpose): its first purpose is what a subscription consents to. NULL
 * when the policy has none. */
const sw_activity *sw_policy_subscription(const sw_policy *p);
const sw_rule *sw_policy_rule(const sw_policy *p, const char *id);
const sw_category *sw_policy_category(const sw_policy *p, const char *id);
const sw_trigger *sw_policy_trigger(const sw_policy *p, const char *id);
const sw_def *sw_policy_purpose(const sw_policy *p, const char *id);
const sw_recipient *sw_policy_recipient(const sw_policy *p, const char *id);
/* Every rule of every activity, in file order: n and the i-th. */
size_t sw_policy_rule_count(const sw_policy *p);
/* The first rule that states a period counting from trigger, or NULL. */
const sw_rule *sw_policy_period_after(const sw_policy *p, const char *trigger);
const sw_rule *sw_policy_rule_at(const sw_policy *p, size_t i);

/* The calendar of a regulation ("gdpr", "ccpa") as sw_calendar_view
 * wants it: its pointers borrowed from p (the date lists stay valid while
 * p lives). */
struct sw_calendar;
void sw_policy_calendar(const sw_policy *p, const char *regulation,
                        struct sw_calendar *out);

/* true when v holds x. */
bool sw_strs_contains(const sw_strs *v, const char *x);

/* true when pattern is category or a dotted prefix of it
 * ("user.contact" covers "user.contact.email"). */
bool sw_category_covers(const char *pattern, const char *category);
/* true when rule governs data of category about a subject of kind (one of
 * its categories covers it; its subjects, when it names any, include
 * kind). */
bool sw_rule_applies(const sw_rule *rule, const char *category,
                     const char *kind);
/* "legal_obligation", ... and "a legal obligation (Art. 17(3)(b))", ...;
 * NULL for SW_EXEMPT_NONE. */
const char *sw_exemption_name(sw_exemption e);
const char *sw_exemption_text(sw_exemption e);

/*
 * The instant a record falls due under rule, given the instant its trigger
 * happened: round(trigger) + keep. Returns SW_ERR_UNSPECIFIED when the rule
 * states no period (*due untouched).
 */
sw_status sw_rule_due(const sw_rule *rule, sw_instant trigger, sw_instant *due);
/* The same for a record whose destination is in country (ISO alpha-2, may
 * be NULL): applies the rule's national extension when one matches. */
sw_status sw_rule_due_in(const sw_rule *rule, sw_instant trigger,
                         const char *country, sw_instant *due);

/* Names of enum values as written in the policy file (static strings). */
const char *sw_keep_kind_name(sw_keep_kind k); /* "period", "unspecified".. */
const char *sw_round_name(sw_round r);         /* "none", "end_of_year".. */
const char *sw_action_name(sw_action a);       /* "delete", "anonymise" */
const char *sw_role_name(sw_role r);           /* "controller"... */
const char *sw_scope_name(sw_scope s);         /* "record", "subject"... */
/* "Art. 6(1)(b) GDPR: performance of a contract" for "6(1)(b)", or NULL
 * when basis is not an Art. 6(1) or 9(2) condition. */
const char *sw_basis_label(const char *basis);
/* "Art. 10 GDPR: authorised by Member State law" for an activity's
 * criminal_authority (NULL when it names none). */
const char *sw_criminal_label(const char *authority);

/* The rule's period as written for reports: "P7Y" (ISO-8601), or the word
 * "unspecified" / "per_law". buf: SW_DURATION_BUFSZ bytes. Returns buf. */
char *sw_rule_keep_text(const sw_rule *rule, char *buf);

/* The whole model as JSON (policy show --json). *out is the caller's
 * (free()). */
sw_status sw_policy_to_json(const sw_policy *p, char **out);

#ifdef __cplusplus
}
#endif
#endif
