/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the services ask the policy that the public header does not say
 * (model.c). Private to libsteward.
 */
#ifndef STEWARD_POLICY_MODEL_H
#define STEWARD_POLICY_MODEL_H

#include <stdbool.h>

#include "steward/policy.h"

/* The event types that end a business relationship (NULL-ended): the
 * rules that count from them keep data only while it lasts. */
extern const char *const sw_relationship_ends[3];
bool sw_ends_relationship(const char *event_type);

/* The activity of the suppression list (consent.suppression_activity),
 * or NULL. */
const sw_activity *sw_suppression_activity(const sw_policy *p);
/* Whether a legal basis of an activity covers purpose (a basis naming no
 * purposes covers every purpose of its activity). */
bool sw_basis_covers(const sw_basis *b, const char *purpose);
/* The names of an activity's recipients, "; " apart, as new text (free());
 * NULL when out of memory. */
char *sw_recipient_names(const sw_policy *p, const sw_activity *a);

#endif
