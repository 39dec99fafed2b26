/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Retention that really deletes: legal holds, and the sweep that deletes
 * (or anonymises) every record whose due date has come and that no hold
 * covers, strips traffic identifiers day by day and deletes traffic after
 * its 10 years. Each sweep writes a deletion certificate into the audit
 * trail.
 */
#ifndef STEWARD_RETENTION_H
#define STEWARD_RETENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/ledger.h"
#include "steward/store.h"
#include "steward/systems.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Places a legal hold. scope is "subject:ID", "account:NAME",
 * "activity:ID" or "record:ID" (a record or a traffic detail record); kind
 * is a hold kind of the policy (litigation, law_enforcement,
 * investigation, billing_dispute). Audited. id receives the hold's id.
 */
sw_status sw_hold_place(sw_store *s, const char *scope, const char *kind,
                        const char *reason, char *id);
/* Releases a hold; the next sweep deletes what it kept. Audited.
 * SW_ERR_NOTFOUND for an unknown id, SW_ERR_CONFLICT if already released. */
sw_status sw_hold_release(sw_store *s, const char *id);

typedef struct sw_hold_view {
    char id[SW_ID_BUFSZ];
    char kind[48];
    char scope[16];   /* subject, account, activity, record */
    char target[160]; /* what the scope names */
    char reason[512];
    sw_instant placed_at;
    char placed_by[128];
    bool released;
    sw_instant released_at;
} sw_hold_view;

/* Calls cb for each hold (active first, then released when all is true). */
sw_status sw_hold_list(sw_store *s, bool all,
                       int (*cb)(const sw_hold_view *h, void *ctx), void *ctx);

/* One group of a sweep: the records one rule made due. */
typedef struct sw_sweep_group {
    char rule[96];
    char activity[96];
    char section[16];
    char trigger[64];
    char action[16]; /* delete, anonymise */
    size_t records;
    sw_instant first_due, last_due;
} sw_sweep_group;

/* Due records a hold kept. */
typedef struct sw_sweep_held {
    char hold[SW_ID_BUFSZ];
    char kind[48];
    size_t records;
} sw_sweep_held;

typedef struct sw_sweep_report {
    bool dry_run;
    sw_instant now;
    char policy_version[64];
    size_t records;          /* deleted or anonymised */
    size_t subjects_removed; /* left with no record: key and identifiers gone */
    /* of those, subjects nothing kept (the policy's ledger.orphan_subject
     * after they were created) */
    size_t orphans_removed;
    size_t held; /* due records kept by holds */
    size_t batches;
    /* of batches: those an earlier sweep, killed before it could certify
     * them, had done (the certificate covers them too) */
    size_t carried_batches;
    size_t n_groups;
    sw_sweep_group *groups;
    size_t n_held;
    sw_sweep_held *held_by;
    /* traffic (notice 5.1.2, 5.1.3) */
    size_t epochs_destroyed; /* days whose identifier key was destroyed */
    size_t traffic_rekeyed;  /* rows kept under a hold key */
    size_t traffic_stripped; /* held rows stripped after release */
    size_t traffic_deleted;  /* rows past their 10 years */
    size_t traffic_held;     /* rows past 10 years kept by holds */
    size_t months_dropped;
    size_t bills_removed; /* settled bills whose traffic is past */
    /* consent (notice 5.4, 5.8) */
    size_t consents_expired;    /* consent periods ended: now "expired" */
    size_t unconfirmed_removed; /* subscriptions whose link expired */
    size_t suppression_removed; /* entries whose time was over */
    size_t requests_removed;    /* records of closed requests */
    /* requests never verified by their deadline: closed as refused */
    size_t requests_lapsed;
    /* answers kept for download whose period was over */
    size_t answers_removed;
    /* the privacy centre's tickets and limits whose time was over */
    size_t public_removed;
    size_t holds_removed; /* released holds past ledger.released_hold */
    /* events on accounts or tenants no subject is in any more */
    size_t events_removed;
    /* the policy's systems (connectors): per table, the rows deleted or
     * anonymised (with their children), those holds kept, and a system
     * that could not be swept with why */
    size_t system_rows;
    size_t n_systems;
    sw_system_expiry *systems;
    /* erasure requests waiting for a system: completed now that every
     * system is done, and those still waiting */
    size_t requests_resumed;
    size_t requests_waiting;
    /* with a dry run: the statements the systems' sweep would run */
    char *system_statements;
} sw_sweep_report;

typedef struct sw_sweep_options {
    bool dry_run; /* plan only: changes nothing */
    size_t batch; /* records per transaction; 0: 100000 */
    /* Called after each committed batch with the records swept so far
     * (may be NULL): for a progress bar. */
    void (*progress)(size_t records, void *ctx);
    void *progress_ctx;
} sw_sweep_options;

/*
 * Sweeps at the store's "now". Work goes in batches, each one transaction
 * with its audit entry; a sweep killed at any point and run again
 * completes the work. When anything was deleted, a certificate (the report
 * as JSON) is appended to the audit trail: it is rebuilt from the audit
 * entries of the work since the last certificate, so it also covers what
 * a killed sweep did before it. *out is the caller's
 * (sw_sweep_report_free), also on failure when not NULL.
 */
sw_status sw_sweep(sw_store *s, const sw_sweep_options *o,
                   sw_sweep_report **out);
void sw_sweep_report_free(sw_sweep_report *r);
/* The report as JSON text (the certificate); caller frees. */
char *sw_sweep_report_json(const sw_sweep_report *r);

/*
 * The retention audit: every stored item, by kind of data, either has a
 * due instant (dated), or is kept for a named reason that ends (kept: a
 * hold until released, an open request, a consent until withdrawn,
 * something that goes with its subject), or has neither (unexplained:
 * listed with why).
 */
typedef enum sw_kept_class {
    SW_KEPT_DATED = 0,
    SW_KEPT_REASON = 1,
    SW_KEPT_UNEXPLAINED = 2,
} sw_kept_class;

typedef struct sw_audit_kind {
    char kind[24]; /* subjects, identifiers, records, consents, ... */
    bool personal; /* holds or points to someone's data */
    size_t items;  /* dated + kept + unexplained */
    size_t dated, kept, unexplained;
} sw_audit_kind;

/* How many items of a kind one reason covers. */
typedef struct sw_audit_reason {
    char kind[24];
    sw_kept_class cls;
    char reason[200];
    size_t count;
} sw_audit_reason;

/* An item with neither a due date nor a reason that ends. */
typedef struct sw_audit_item {
    char kind[24];
    char id[160];
    char why[200];
} sw_audit_item;

#define SW_AUDIT_ITEMS_MAX 1000 /* items listed; the counts cover all */

typedef struct sw_retention_audit {
    sw_instant now;
    char policy_version[64];
    size_t n_kinds;
    sw_audit_kind *kinds;
    size_t n_reasons;
    sw_audit_reason *reasons;
    size_t n_items; /* at most SW_AUDIT_ITEMS_MAX */
    sw_audit_item *items;
    size_t unexplained;    /* over every kind */
    size_t personal_items; /* items of personal kinds */
} sw_retention_audit;

/* Walks the whole store at its "now" (read only). *out is the caller's
 * (sw_retention_audit_free), also on failure when not NULL. */
sw_status sw_retention_audit_run(sw_store *s, sw_retention_audit **out);
void sw_retention_audit_free(sw_retention_audit *a);
/* The audit as JSON text; caller frees. */
char *sw_retention_audit_json(const sw_retention_audit *a);

/*
 * The policy's versions (notice 16). A store records every policy it is
 * given: the first with sw_store_use_policy, each later one with
 * sw_policy_apply, which dates again, in one audited step, every stored
 * item the change governs.
 */
typedef struct sw_policy_version {
    int seq;
    char hash[65]; /* SHA-256 of the policy's text */
    char notice_version[64];
    sw_instant applied_at;
    char actor[160];
    char source[256];    /* the file it was read from */
    const char *summary; /* JSON text of what changed; borrowed */
} sw_policy_version;

typedef int (*sw_policy_version_cb)(const sw_policy_version *v, void *ctx);
/* Every version, oldest first (non-zero from cb stops). */
sw_status sw_policy_history(sw_store *s, sw_policy_version_cb cb, void *ctx);

/* The policy the store applies: its latest version, loaded from the text
 * recorded with it. *out is the caller's (sw_policy_free); NULL, with
 * SW_OK, when the store records none yet. */
sw_status sw_store_policy(sw_store *s, sw_policy **out);

/* Makes p (borrowed; it must outlive s) the store's policy. A store that
 * records none records p as version 1; otherwise p must be its latest
 * version (SW_ERR_CONFLICT, saying which it is, when it is not: a changed
 * policy is applied with sw_policy_apply). sw_store_open calls it for
 * the options' policy. */
sw_status sw_store_use_policy(sw_store *s, const sw_policy *p);

typedef enum sw_rule_change_kind {
    SW_RULE_ADDED = 0,
    SW_RULE_REMOVED,
    SW_RULE_SHORTENED, /* the same rule with a shorter period */
    SW_RULE_LENGTHENED,
    SW_RULE_CHANGED, /* its trigger, categories, subjects... */
} sw_rule_change_kind;

typedef struct sw_rule_change {
    char rule[96];
    char activity[96];
    sw_rule_change_kind kind;
    char before[SW_DURATION_BUFSZ]; /* the period: "P25M", "unspecified", "" */
    char after[SW_DURATION_BUFSZ];
    size_t redated; /* stored records it dates again */
    size_t now_due; /* of them, due at once (the next sweep) */
} sw_rule_change;

/* A consent given under a notice version that no longer describes its
 * purpose: to be asked again. */
typedef struct sw_reconsent {
    char consent[SW_ID_BUFSZ];
    char subject[SW_ID_BUFSZ];
    char purpose[96];
    char state[16];
    char notice_version[64];
} sw_reconsent;

typedef struct sw_policy_plan {
    bool dry_run;
    bool unchanged;       /* the same text as the latest version */
    int from_seq, to_seq; /* to_seq: the version written (0: none) */
    char from_hash[65], to_hash[65];
    char from_notice[64], to_notice[64];
    size_t n_rules;
    sw_rule_change *rules;
    size_t records_redated, records_now_due;
    size_t records_kept_date; /* the new policy dates them no longer */
    size_t day_keys_redated, day_keys_now_due;
    size_t suppression_redated, suppression_now_due;
    size_t n_purposes; /* purposes whose description changed */
    char (*purposes)[96];
    size_t n_reconsent;
    sw_reconsent *reconsent;
} sw_policy_plan;

/*
 * Compares next with the store's latest version and, unless dry_run,
 * applies it in one transaction: every record, day key and suppression
 * entry a changed rule governs gets the due date next gives it (a
 * shortened period makes some due at once: the next sweep deletes them),
 * the version is recorded and the change audited ("policy.apply"); from
 * then on next (borrowed; it must outlive s) is the store's policy.
 * Refused (SW_ERR_CONFLICT), changing nothing, when next drops an activity
 * or a suppression rule stored items still belong to, or changes what a
 * purpose covers without a new notice version. *out is the caller's
 * (sw_policy_plan_free), set also for a dry run.
 */
sw_status sw_policy_apply(sw_store *s, const sw_policy *next, bool dry_run,
                          sw_policy_plan **out);
void sw_policy_plan_free(sw_policy_plan *p);
/* "added", "removed", "shortened", "lengthened", "changed". */
const char *sw_rule_change_name(sw_rule_change_kind k);
/* The plan as JSON text; caller frees. */
char *sw_policy_plan_json(const sw_policy_plan *p);

#ifdef __cplusplus
}
#endif
#endif
