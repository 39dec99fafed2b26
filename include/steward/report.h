/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports rendered from the policy: the GDPR Art. 30(1) register of
 * processing activities and the retention schedule. Each returns text the
 * caller owns (free()); the library never prints.
 */
#ifndef STEWARD_REPORT_H
#define STEWARD_REPORT_H

#include <stddef.h>

#include "steward/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_format {
    SW_FORMAT_MD = 0,
    SW_FORMAT_JSON,
    SW_FORMAT_CSV,
} sw_format;

/* "md", "json" or "csv"; SW_ERR_INVALID otherwise. */
sw_status sw_format_parse(const char *s, sw_format *out);

/* A rule's period in words: "7 years after account closure",
 * "10 years after the end of the year of invoice issue",
 * "on consent withdrawal", "not stated by the notice: <reason>".
 * Writes into buf (size n) and returns it. */
char *sw_rule_describe(const sw_policy *p, const sw_rule *r, char *buf,
                       size_t n);

/* The retention schedule, one row (or JSON object) per rule. JSON objects
 * carry id, activity, section, categories, subjects, keep (ISO-8601 or the
 * word), after, round, unless, action, reason, extensions, holds and
 * period (the words of sw_rule_describe). *out is the caller's (free()). */
sw_status sw_report_schedule(const sw_policy *p, sw_format f, char **out);

/* The Art. 30(1) register: controller and DPO, security measures, and one
 * entry per activity with purposes, legal bases, categories of subjects and
 * data, recipients, transfers and safeguards, and erasure time limits; what
 * the notice does not state is marked so. *out is the caller's (free()). */
sw_status sw_report_ropa(const sw_policy *p, sw_format f, char **out);

/* The policy as fideslang YAML (Fides's taxonomy language): the policy's
 * extensions of the default taxonomy (data_category, data_use with their
 * parent_key; data_subject), one system for the controller with a
 * privacy declaration per activity and purpose (its categories, subjects,
 * the GDPR basis and special-category condition by fideslang's names,
 * retention in words, third parties), and a dataset per declared system
 * (tables and columns with their categories). *out is the caller's
 * (free()); SW_ERR_NOMEM when out of memory. */
sw_status sw_policy_export_fideslang(const sw_policy *p, char **out);

#ifdef __cplusplus
}
#endif
#endif
