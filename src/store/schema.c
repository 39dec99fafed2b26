/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The schema, written once for every driver (steward's SQL: the driver
 * spells the types its own way). Step v-1 takes a store from version v-1
 * to v; a new store runs them all. Traffic's tables, one per month, are
 * made by the traffic service as months arrive.
 */
#include "store/schema.h"

const char *const sw_schema_steps[SW_SCHEMA_LATEST] = {
    /* 1: the ledger and the audit trail */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE subjects(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " role TEXT NOT NULL, account_bi BLOB, tenant_bi BLOB, account_enc BLOB,"
    " tenant_enc BLOB, wrapped_key BLOB, created_at INTEGER NOT NULL);"
    "CREATE INDEX subjects_account ON subjects(account_bi)"
    " WHERE account_bi IS NOT NULL;"
    "CREATE INDEX subjects_tenant ON subjects(tenant_bi)"
    " WHERE tenant_bi IS NOT NULL;"
    "CREATE TABLE identifiers(blind BLOB PRIMARY KEY, type TEXT NOT NULL,"
    " subject_id TEXT NOT NULL, value BLOB NOT NULL,"
    " created_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX identifiers_subject ON identifiers(subject_id);"
    "CREATE TABLE records(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " activity TEXT NOT NULL, category TEXT NOT NULL, value BLOB NOT NULL,"
    " source TEXT, collected_at INTEGER NOT NULL, due_at INTEGER, rule TEXT);"
    "CREATE INDEX records_subject ON records(subject_id);"
    "CREATE INDEX records_due ON records(due_at) WHERE due_at IS NOT NULL;"
    "CREATE TABLE events(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " scope INTEGER NOT NULL, scope_key BLOB NOT NULL, at INTEGER NOT NULL,"
    " recorded_at INTEGER NOT NULL);"
    "CREATE INDEX events_lookup ON events(type, scope, scope_key, at);"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, subject_id TEXT,"
    " objects TEXT NOT NULL, details TEXT NOT NULL, prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE INDEX audit_subject ON audit(subject_id)"
    " WHERE subject_id IS NOT NULL;",
    /* 2: subject flags (restriction, child) */
    "ALTER TABLE subjects ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;",
    /* 3: holds, aggregates, bills, traffic day keys and months */
    "CREATE TABLE holds(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " scope INTEGER NOT NULL, scope_key BLOB NOT NULL, target TEXT NOT NULL,"
    " reason TEXT NOT NULL, placed_at INTEGER NOT NULL,"
    " placed_by TEXT NOT NULL, released_at INTEGER, released_by TEXT);"
    "CREATE INDEX holds_active ON holds(scope, scope_key)"
    " WHERE released_at IS NULL;"
    "CREATE TABLE aggregates(activity TEXT NOT NULL, category TEXT NOT NULL,"
    " month TEXT NOT NULL, rule TEXT NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY(activity, category, month, rule)) WITHOUT ROWID;"
    "CREATE TABLE bills(account TEXT NOT NULL, period TEXT NOT NULL,"
    " status TEXT NOT NULL, updated_at INTEGER NOT NULL,"
    " PRIMARY KEY(account, period)) WITHOUT ROWID;"
    "CREATE TABLE epoch_keys(day INTEGER NOT NULL, class TEXT NOT NULL,"
    " wrapped BLOB NOT NULL, due_at INTEGER, PRIMARY KEY(day, class))"
    " WITHOUT ROWID;"
    "CREATE INDEX epoch_keys_due ON epoch_keys(due_at)"
    " WHERE due_at IS NOT NULL;"
    "CREATE TABLE traffic_months(month INTEGER PRIMARY KEY);"
    "CREATE INDEX events_key ON events(scope, scope_key);",
    /* 4: consents with their history, objections, the suppression list */
    "ALTER TABLE subjects ADD COLUMN minor_until INTEGER;"
    "CREATE TABLE consents(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, state TEXT NOT NULL, state_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, given_at INTEGER, expires_at INTEGER,"
    " method TEXT NOT NULL, notice_version TEXT NOT NULL, form TEXT,"
    " parental INTEGER NOT NULL DEFAULT 0, token_hash BLOB,"
    " token_expires INTEGER);"
    "CREATE INDEX consents_subject ON consents(subject_id, purpose,"
    " created_at);"
    "CREATE UNIQUE INDEX consents_token ON consents(token_hash)"
    " WHERE token_hash IS NOT NULL;"
    "CREATE INDEX consents_expiry ON consents(expires_at)"
    " WHERE expires_at IS NOT NULL;"
    "CREATE TABLE consent_changes(consent_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, note TEXT, PRIMARY KEY(consent_id, seq))"
    " WITHOUT ROWID;"
    "CREATE TABLE objections(id TEXT PRIMARY KEY, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, at INTEGER NOT NULL, override_reason TEXT,"
    " override_at INTEGER, override_by TEXT);"
    "CREATE INDEX objections_subject ON objections(subject_id, purpose, at);"
    "CREATE TABLE suppression(hash BLOB NOT NULL, channel TEXT NOT NULL,"
    " since INTEGER NOT NULL, rule TEXT, due_at INTEGER,"
    " PRIMARY KEY(hash, channel)) WITHOUT ROWID;"
    "CREATE INDEX suppression_due ON suppression(due_at)"
    " WHERE due_at IS NOT NULL;",
    /* 5: data-subject requests and their timelines */
    "CREATE TABLE requests(id TEXT PRIMARY KEY, type TEXT NOT NULL,"
    " regulation TEXT NOT NULL, subject_id TEXT NOT NULL, purpose TEXT,"
    " state TEXT NOT NULL, agent TEXT, agent_proof TEXT, outcome TEXT,"
    " received_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
    " first_due_at INTEGER NOT NULL, ack_due_at INTEGER,"
    " extended INTEGER NOT NULL DEFAULT 0, closed_at INTEGER,"
    " code_hash BLOB, code_expires INTEGER,"
    " attempts INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX requests_open ON requests(due_at) WHERE closed_at IS NULL;"
    "CREATE INDEX requests_subject ON requests(subject_id, type)"
    " WHERE closed_at IS NULL;"
    "CREATE TABLE request_changes(request_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, reason TEXT, PRIMARY KEY(request_id, seq))"
    " WITHOUT ROWID;",
    /* 6: API keys of the daemon (keyed hashes) */
    "CREATE TABLE api_keys(id TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    " role TEXT NOT NULL, label TEXT NOT NULL, created_by TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, revoked_at INTEGER);",
    /* 7: the real time of each audit entry; its head sealed in one row;
     * the public door's tickets and throttles */
    "ALTER TABLE audit ADD COLUMN written_at INTEGER;"
    "DELETE FROM meta WHERE key IN ('audit_seq', 'audit_head');"
    "CREATE TABLE public_state(kind TEXT NOT NULL, key BLOB NOT NULL,"
    " value TEXT NOT NULL, due_at INTEGER NOT NULL,"
    " PRIMARY KEY(kind, key)) WITHOUT ROWID;"
    "CREATE INDEX public_state_due ON public_state(due_at);"
    "ALTER TABLE consents ADD COLUMN seq INTEGER;"
    /* consents made before: in the order they were shown until now */
    "UPDATE consents SET seq = (SELECT count(*) FROM consents c2 WHERE"
    " c2.created_at < consents.created_at OR (c2.created_at ="
    " consents.created_at AND c2.id <= consents.id));"
    "CREATE INDEX consents_seq ON consents(seq);",
    /* 8: records tied to an event of their own (a webinar, a breakfast) */
    "ALTER TABLE records ADD COLUMN event TEXT;"
    "CREATE INDEX records_event ON records(event) WHERE event IS NOT NULL;",
    /* 9: the versions of the policy the store has applied, each with its
     * text; the instant a suppression entry's clock started */
    "CREATE TABLE policy_versions(seq INTEGER PRIMARY KEY,"
    " hash TEXT NOT NULL, notice_version TEXT, applied_at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, source TEXT NOT NULL, text TEXT NOT NULL,"
    " summary TEXT NOT NULL);"
    "ALTER TABLE suppression ADD COLUMN trigger_at INTEGER;",
    /* 10: msisdn and phone become one identifier space; the msisdns
     * stored before are moved to it when the store is next opened with
     * its keys (their values are sealed: SQL cannot do it) */
    "INSERT INTO meta(key, value) SELECT 'ident_space', 'msisdn'"
    " WHERE EXISTS (SELECT 1 FROM identifiers WHERE type = 'msisdn');"
    /* and a service key may be scoped to one customer's account */
    "ALTER TABLE api_keys ADD COLUMN account TEXT;",
    /* 11: the disclosure log (to authorities, courts, auditors...) */
    "CREATE TABLE disclosures(id TEXT PRIMARY KEY, at INTEGER NOT NULL,"
    " recipient_kind TEXT NOT NULL, recipient TEXT NOT NULL,"
    " basis TEXT NOT NULL, reference TEXT NOT NULL,"
    " scope_kind TEXT NOT NULL, scope_bi BLOB, subject_id TEXT,"
    " scope_enc BLOB NOT NULL, wrapped_key BLOB NOT NULL,"
    " categories TEXT NOT NULL, confidential_until INTEGER,"
    " actor TEXT NOT NULL);"
    "CREATE INDEX disclosures_scope ON disclosures(scope_bi);"
    "CREATE INDEX disclosures_subject ON disclosures(subject_id);",
    /* 12: completed answers kept, encrypted, for download */
    "CREATE TABLE answers(request_id TEXT PRIMARY KEY,"
    " token_hash BLOB NOT NULL, mime TEXT NOT NULL, sealed BLOB NOT NULL,"
    " wrapped_key BLOB NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, fetches INTEGER NOT NULL);",
    /* 13: the address a request's code went to (its blind index) */
    "ALTER TABLE requests ADD COLUMN via_bi BLOB;",
    /* 14: an erasure's progress in each of the policy's systems (job: a
     * webhook's, while it answers later) */
    "CREATE TABLE request_systems(request_id TEXT NOT NULL,"
    " system TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " rows INTEGER NOT NULL, next_at INTEGER, error TEXT,"
    " updated_at INTEGER NOT NULL, job TEXT,"
    " PRIMARY KEY(request_id, system))"
    " WITHOUT ROWID;",
};

/* Every table the steps make (what a failed creation removes). */
const char *const sw_schema_tables[] = {"meta",
                                        "subjects",
                                        "identifiers",
                                        "records",
                                        "events",
                                        "audit",
                                        "holds",
                                        "aggregates",
                                        "bills",
                                        "epoch_keys",
                                        "traffic_months",
                                        "consents",
                                        "consent_changes",
                                        "objections",
                                        "suppression",
                                        "requests",
                                        "request_changes",
                                        "api_keys",
                                        "disclosures",
                                        "answers",
                                        "request_systems",
                                        "public_state",
                                        "policy_versions",
                                        NULL};
