/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The disclosure log (notice sections 6 and 15): what personal data was
 * actually given to whom outside the ordinary recipients, on which legal
 * basis and under which order: law enforcement, authorities, auditors,
 * tax authorities, courts, a party to an acquisition. An access answer
 * lists the disclosures of the person's data (GDPR Art. 15(1)(c)) except
 * those under a confidentiality order until its date; a CCPA right-to-know
 * answer lists the categories disclosed in the preceding 12 months.
 * Whom a disclosure concerns is kept as a blind index and a sealed value,
 * like the ledger's identifiers. Every entry is audited.
 */
#ifndef STEWARD_DISCLOSURE_H
#define STEWARD_DISCLOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/ident.h"
#include "steward/ledger.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "law_enforcement", "authority", "auditor", "tax_authority", "court",
 * "acquirer". */
bool sw_recipient_kind_valid(const char *kind);

typedef struct sw_disclosure_spec {
    const char *recipient_kind; /* one of the kinds above */
    const char *recipient;      /* who received it: "Metropolitan Police" */
    const char *basis;          /* the legal basis: "6(1)(c)" */
    const char *reference;      /* the order, warrant or request number */
    /* whom it concerns: "subject:ID", "msisdn:N" (or "phone:N"),
     * "email:E" or "account:ACC" */
    const char *scope;
    const char *const *categories; /* categories of the policy (or their
                                      prefixes) that were disclosed */
    size_t n_categories;
    bool has_confidential_until; /* an order forbids telling the person */
    sw_instant confidential_until;
    bool has_at; /* false: now */
    sw_instant at;
} sw_disclosure_spec;

/* Records a disclosure. The categories must be the policy's; a subject
 * scope must name a subject. Audited ("disclosure.add": kind, basis,
 * reference, categories; never the identifier). */
sw_status sw_disclosure_add(sw_store *s, const sw_disclosure_spec *spec,
                            char id[SW_ID_BUFSZ]);

typedef struct sw_disclosure_view {
    char id[SW_ID_BUFSZ];
    sw_instant at;
    char recipient_kind[24];
    char recipient[160];
    char basis[32];
    char reference[160];
    char scope_kind[16];      /* subject, msisdn, email, account */
    char scope[SW_IDENT_MAX]; /* decrypted: the DPO's view */
    char categories[512];     /* comma-separated */
    bool has_confidential_until;
    sw_instant confidential_until;
    bool confidential; /* the order still holds at the store's now */
    char actor[128];
} sw_disclosure_view;

/* Every disclosure, newest first (subject: only those concerning that
 * subject, through its id, an identifier or its account). Audited as a
 * disclosure of the log itself when any is shown. */
sw_status sw_disclosure_list(sw_store *s, const char *subject,
                             int (*cb)(const sw_disclosure_view *d, void *ctx),
                             void *ctx);

#ifdef __cplusplus
}
#endif
#endif
