/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libsteward: what the consent ledger (consent.c) shares with
 * the decision (decision.c) and the public door. */
#ifndef STEWARD_CONSENT_INT_H
#define STEWARD_CONSENT_INT_H

#include <sodium.h>
#include <stdio.h>

#include "consent/consent_sql.h"
#include "core/json.h"
#include "core/vec.h"
#include "policy/model.h"
#include "steward/consent.h"
#include "steward/ident.h"
#include "store/chain.h"

/* Whom a call names, resolved: the normalised identifier and its keyed
 * hash (the identifier index and the suppression list share it), and the
 * subject when one holds it. */
typedef struct sw_target {
    bool has_ident, has_subject;
    char type[16];
    char value[SW_IDENT_MAX];
    uint8_t blind[SW_BLIND_BYTES];
    char subject[SW_ID_BUFSZ];
    sw_subject_row row; /* when has_subject */
} sw_target;

/* need_subject: an identifier no subject holds is SW_ERR_NOTFOUND. */
sw_status sw_target_resolve(sw_store *s, const sw_who *who, sw_target *t,
                            bool need_subject);

/* SW_ERR_INVALID naming the policy's purposes when purpose is not one. */
sw_status sw_purpose_check(sw_store *s, const char *purpose);
/* A purpose of the suppression list: direct marketing. */
bool sw_purpose_is_marketing(const sw_policy *p, const char *purpose);
sw_consent_state sw_consent_state_of(const char *name);

/* The ledger's event hook (sw_store_open registers it): inside
 * sw_event_add, dates the suppression entries of the subjects an event
 * ends (the end of a business relationship). */
sw_status sw_suppression_on_event(sw_store *s, const char *type, sw_instant at,
                                  const char (*subjects)[SW_ID_BUFSZ],
                                  size_t n);

/* Dates again, under the store's policy, the suppression entries whose
 * rule's clock has started: *moved get another due date, *now_due of
 * them due already; dry: nothing is written. */
sw_status sw_suppression_redate(sw_store *s, bool dry, size_t *moved,
                                size_t *now_due);

#endif
