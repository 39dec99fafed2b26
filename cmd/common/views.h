/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON shapes of steward's views, shared by the CLI (--json) and
 * stewardd (the API): one place says what a request or a consent looks
 * like on the outside. Each returns a new jansson value (json_t *). */
#ifndef STEWARD_VIEWS_H
#define STEWARD_VIEWS_H

#include <jansson.h>

#include "steward/steward.h"

/* Grows *buf (*cap bytes, doubling from 64 KiB) to hold at least need
 * bytes; false when out of memory (nothing changed). For the answers and
 * lists the CLI and the daemon collect. */
bool sv_reserve(char **buf, size_t *cap, size_t need);

/* An instant as ISO-8601 text, or null when !has. */
json_t *sv_instant(bool has, sw_instant t);
/* Whole days from now to t, rounded towards the past (negative: late). */
long sv_days_left(sw_instant now, sw_instant t);

/* Who is responsible, as the privacy centre shows it: the controller,
 * its DPO and the notice (from the policy; nothing personal). */
json_t *sv_controller_view(const sw_policy *p);
json_t *sv_consent_result(const sw_consent_result *r);
json_t *sv_consent_view(const sw_consent_view *v);
json_t *sv_decision(const sw_decision *d);
/* A decision with its address as one line of JSON text (no newline),
 * for lists: the decision's part is made once for a run of equal
 * decisions (memo, zeroed at first; sv_line_memo_free), only the address
 * is written each time. flags: jansson's (JSON_SORT_KEYS...). NULL when
 * out of memory or the address is not UTF-8. Free with free(). */
typedef struct sv_line_memo {
    sw_decision d;
    char *head, *tail; /* the text around the address */
    size_t flags;
} sv_line_memo;
char *sv_decision_line(sv_line_memo *m, const sw_decision *d,
                       const char *address, size_t flags);
void sv_line_memo_free(sv_line_memo *m);
json_t *sv_request_view(const sw_request_view *v, sw_instant now);
/* A timeline entry {state, at, actor, <note_key>}. */
json_t *sv_change(const char *state, sw_instant at, const char *actor,
                  const char *note, const char *note_key);
/* Everything held on a subject, with each record's retention in words. */
json_t *sv_subject_view(const sw_subject_view *v, const sw_policy *p);
json_t *sv_hold_view(const sw_hold_view *h);
json_t *sv_key_view(const sw_key_view *k);
/* A disclosure of the log as the privacy team sees it. */
json_t *sv_disclosure_view(const sw_disclosure_view *d);
/* A rule's due date for a trigger instant (and a country's extension):
 * {rule, section, trigger, after, keep, period, due|null[, country]}. */
json_t *sv_rule_due(const sw_policy *p, const sw_rule *r, sw_instant trigger,
                    const char *country);
/* Counts of requests per type and regulation, outcomes, times. */
json_t *sv_request_stats(const sw_request_stats *st);
json_t *sv_erase_result(const char *subject, const sw_erase_result *r);
/* {intact, entries, head[, first_bad, reason], out_of_order, travelled
 * [, first_*][, checkpoint]}. */
json_t *sv_audit_verdict(const sw_audit_verdict *v);
/* {seq, at, written_at, actor, action, subject, objects, details, hash}. */
json_t *sv_audit_entry(const sw_audit_entry *e);

#endif
