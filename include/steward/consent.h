/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Consent, objection, the suppression list, and the purpose decision.
 *
 * A consent is given by a subject for a purpose of the policy; its states
 * follow W3C DPV (requested, given, renewed, refused, withdrawn, expired)
 * and every change is kept as history and audited. Only given and renewed
 * allow processing. A consent of an activity with double_opt_in is
 * requested (pending) until its confirmation token comes back.
 *
 * The suppression list keeps a keyed hash of the normalised address, the
 * channel and the date, nothing else, and outlives the subject's erasure.
 *
 * sw_decide answers allow or deny for a purpose and an identifier, with
 * the reason; it writes nothing and keeps what it read in the store
 * handle's memory until a change goes through the handle or the refresh
 * interval passes (DESIGN decision 6: every decision explains itself).
 */
#ifndef STEWARD_CONSENT_H
#define STEWARD_CONSENT_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/ledger.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SW_TOKEN_BUFSZ 48 /* a confirmation token as text, with its NUL */

typedef enum sw_consent_state {
    SW_CONSENT_REQUESTED = 0,
    SW_CONSENT_GIVEN,
    SW_CONSENT_RENEWED,
    SW_CONSENT_REFUSED,
    SW_CONSENT_WITHDRAWN,
    SW_CONSENT_EXPIRED,
} sw_consent_state;

/* "requested", "given"...; NULL out of range. */
const char *sw_consent_state_name(sw_consent_state st);

/* Who: exactly one of subject, or an identifier (e-mail, phone, or a
 * website visitor id of type "visitor"). */
typedef struct sw_who {
    const char *subject;
    const sw_ident *ident;
} sw_who;

typedef struct sw_consent_spec {
    const char *purpose;        /* a purpose of the policy */
    const char *method;         /* web_form, email_confirmation, ... */
    const char *form;           /* the text or form id shown, or NULL */
    const char *notice_version; /* NULL: the policy's */
    bool has_period;            /* it expires this long after it is given */
    sw_duration period;
    bool has_at; /* false: now */
    sw_instant at;
    bool has_born; /* the subject's date of birth (Art. 8 age check) */
    sw_instant born;
    bool parental; /* given by a holder of parental responsibility */
    /* When the identifier belongs to no subject, one of this kind is
     * created with it (and a record of it under the consent's activity);
     * NULL: an unknown identifier is SW_ERR_NOTFOUND. */
    const char *new_kind;
} sw_consent_spec;

typedef struct sw_consent_result {
    char id[SW_ID_BUFSZ];
    char subject[SW_ID_BUFSZ];
    sw_consent_state state;
    bool created_subject;
    char token[SW_TOKEN_BUFSZ]; /* double opt-in: "" otherwise; shown once */
    sw_instant token_expires;
} sw_consent_result;

/*
 * Records a consent. For an activity with double_opt_in the consent stays
 * requested until sw_consent_confirm(token). A given consent for a direct
 * marketing purpose removes the address from the suppression list (a new
 * subscription) once it is confirmed. Audited.
 */
sw_status sw_consent_give(sw_store *s, const sw_who *who,
                          const sw_consent_spec *spec, sw_consent_result *out);

/* Confirms a pending subscription. SW_ERR_NOTFOUND for an unknown token,
 * SW_ERR_CONFLICT for a used or expired one; nothing changes then. */
sw_status sw_consent_confirm(sw_store *s, const char *token,
                             sw_consent_result *out);

/* Asks for consent (a sourced candidate): the consent_requested event
 * starts the retention clock of those who never answer. */
sw_status sw_consent_request(sw_store *s, const sw_who *who,
                             const char *purpose, sw_consent_result *out);

/* Records a refusal of a requested consent. */
sw_status sw_consent_refuse(sw_store *s, const sw_who *who, const char *purpose,
                            sw_consent_result *out);

/* Renews a given consent, optionally for a new period. */
sw_status sw_consent_renew(sw_store *s, const char *id, bool has_period,
                           sw_duration period);

/*
 * Withdraws the subject's current consents (of purpose, or all when NULL).
 * The consent_withdrawn event makes their records due; a direct marketing
 * consent's address goes on the suppression list. *n: how many consents.
 */
sw_status sw_consent_withdraw(sw_store *s, const sw_who *who,
                              const char *purpose, size_t *n);

/* Marks given consents whose period is over as expired, with the
 * consent_expired event at the end of their period (the sweep calls it
 * first). *n: how many. */
sw_status sw_consent_expire(sw_store *s, size_t *n);

/* Deletes the subscriptions never confirmed whose confirmation link
 * expired (the policy's consent.confirmation_valid after the request),
 * with their history, and the subjects nothing else keeps (the sweep
 * calls it). *consents, *subjects: how many went. */
sw_status sw_consent_unconfirmed_expire(sw_store *s, size_t *consents,
                                        size_t *subjects);

typedef struct sw_consent_view {
    char id[SW_ID_BUFSZ];
    char subject[SW_ID_BUFSZ];
    char purpose[96];
    sw_consent_state state;
    sw_instant state_at, created_at;
    bool has_given;
    sw_instant given_at;
    bool has_expiry;
    sw_instant expires_at;
    char method[64];
    char form[128];
    char notice_version[64];
    bool parental;
} sw_consent_view;

/* The subject's consents, newest first. */
sw_status sw_consent_list(sw_store *s, const sw_who *who,
                          int (*cb)(const sw_consent_view *c, void *ctx),
                          void *ctx);

/* One consent with its history (oldest change first). */
typedef struct sw_consent_change {
    sw_consent_state state;
    sw_instant at;
    char actor[128];
    char note[128];
} sw_consent_change;

sw_status sw_consent_show(sw_store *s, const char *id, sw_consent_view *out,
                          int (*cb)(const sw_consent_change *c, void *ctx),
                          void *ctx);

/* The Kantara Consent Receipt 1.1 of a consent, as JSON text (caller
 * frees): a new consentReceiptID (a random UUID) at every print; one
 * service per activity the consent covers, so sensitive and spiCat count
 * the special categories of all of them. Audited as a disclosure, with
 * the receipt's id. */
sw_status sw_consent_receipt(sw_store *s, const char *id, char **json);
/* The same receipt signed: a JWS in compact serialization (RFC 7515),
 * EdDSA with the store's Ed25519 key (RFC 8037), the public key in the
 * receipt's publicKey and the header's kid (base64url). Caller frees. */
sw_status sw_consent_receipt_jws(sw_store *s, const char *id, char **jws);
/* Checks a signed receipt against this store's key (trailing newline
 * allowed): SW_ERR_SYNTAX when it is not a JWS, SW_ERR_CRYPTO when the
 * signature does not match (changed, or another store's). *receipt: the
 * receipt's JSON text (caller frees), on success. Writes nothing. */
sw_status sw_consent_receipt_verify(sw_store *s, const char *jws,
                                    char **receipt);

/* ---- objection and suppression ---- */

typedef struct sw_objection_result {
    char id[SW_ID_BUFSZ]; /* "" when only the suppression list changed */
    bool suppressed;      /* a direct marketing purpose: absolute */
    size_t consents_withdrawn;
} sw_objection_result;

/*
 * Records an objection (Art. 21). To a direct marketing purpose it is
 * absolute: the address (or every e-mail and phone of the subject) goes on
 * the suppression list at once, and consents to it are withdrawn. To any
 * other legitimate-interest purpose it stops that processing until the DPO
 * records compelling grounds. Audited.
 */
sw_status sw_objection_add(sw_store *s, const sw_who *who, const char *purpose,
                           sw_objection_result *out);

/* The DPO's compelling grounds that override an objection. Audited.
 * SW_ERR_NOTFOUND, or SW_ERR_CONFLICT when already overridden. */
sw_status sw_objection_override(sw_store *s, const char *id,
                                const char *reason);

/* Puts an address on the suppression list (unsubscribe: the objection to
 * direct marketing, which needs no subject). channel: "email", "sms"...;
 * NULL: from the identifier's type. Withdraws the marketing consents of
 * the subject that holds it, if any. Audited without the address. */
sw_status sw_suppression_add(sw_store *s, const sw_ident *ident,
                             const char *channel, sw_objection_result *out);

#define SW_LINK_TOKEN_BUFSZ 512 /* an unsubscribe link's token, with NUL */

/*
 * The token of a one-click unsubscribe link for an address (e-mail or
 * phone) on a channel (NULL: the address's own): the normalised address
 * sealed under a key of the store, URL-safe. Nothing is stored; only this
 * store can open it. Goes in every marketing message.
 */
sw_status sw_unsubscribe_link(sw_store *s, const sw_ident *ident,
                              const char *channel,
                              char token[SW_LINK_TOKEN_BUFSZ]);

/* What a link token names: type, normalised value and channel (each buffer
 * SW_LINK_TOKEN_BUFSZ bytes). SW_ERR_DENIED for a token this store did not
 * make or that was altered. */
sw_status sw_unsubscribe_link_open(sw_store *s, const char *token, char *type,
                                   char *value, char *channel);

typedef struct sw_suppression_view {
    char hash[2 * 16 + 1]; /* hex of the keyed hash */
    char channel[16];
    sw_instant since;
    char rule[96];
    bool has_due;
    sw_instant due_at;
} sw_suppression_view;

sw_status sw_suppression_list(
    sw_store *s, int (*cb)(const sw_suppression_view *v, void *ctx), void *ctx);

/* ---- cookies (notice 5.7) ---- */

typedef enum sw_cookie_choice {
    SW_COOKIE_UNCHANGED = 0,
    SW_COOKIE_ACCEPT,
    SW_COOKIE_REFUSE,
} sw_cookie_choice;

/*
 * Records a visitor's cookie choices in the consent ledger: analytics and
 * advertising need an opt-in, necessary needs none. gpc (a request with
 * Sec-GPC: 1) refuses both, whatever else is asked.
 */
sw_status sw_cookie_choose(sw_store *s, const char *visitor,
                           sw_cookie_choice analytics,
                           sw_cookie_choice advertising, bool gpc);

/* What a visitor's cookies may do now. */
typedef struct sw_cookie_view {
    bool necessary; /* always */
    bool analytics; /* opted in (the newest choice) */
    bool advertising;
    bool gpc; /* the Global Privacy Control signal was given */
} sw_cookie_view;

/*
 * The visitor's cookie choices. gpc (Sec-GPC: 1) is a standing objection:
 * when a category was accepted before, the refusal of both is recorded
 * (audited, once) and shown.
 */
sw_status sw_cookie_state(sw_store *s, const char *visitor, bool gpc,
                          sw_cookie_view *out);

/* ---- the decision ---- */

typedef enum sw_reason {
    SW_ALLOW_CONSENT = 0,
    SW_ALLOW_LEGITIMATE_INTEREST,
    SW_ALLOW_CONTRACT,
    SW_ALLOW_LEGAL_OBLIGATION,
    SW_ALLOW_OVERRIDE, /* an objection overridden by compelling grounds */
    SW_DENY_PURPOSE_UNKNOWN,
    SW_DENY_NO_CONSENT,
    SW_DENY_CONSENT_PENDING,
    SW_DENY_CONSENT_REFUSED,
    SW_DENY_CONSENT_WITHDRAWN,
    SW_DENY_CONSENT_EXPIRED,
    SW_DENY_SUPPRESSED,
    SW_DENY_OBJECTED,
    SW_DENY_RESTRICTED,
    SW_DENY_CHILD,
    SW_DENY_RELATIONSHIP_ENDED,
    SW_DENY_NOT_APPLICABLE, /* no activity processes this subject for it */
} sw_reason;

/* "consent", "no_consent", "suppressed"...: stable codes for machines. */
const char *sw_reason_code(sw_reason r);

typedef struct sw_decision {
    bool allow;
    sw_reason reason;
    const char *activity;  /* the activity that decided (borrowed from the
                              policy), or NULL */
    const char *basis;     /* "6(1)(a)"..., or NULL */
    char ref[SW_ID_BUFSZ]; /* consent or objection id, or "" */
    bool has_at;
    sw_instant at; /* when the consent, suppression, objection... happened */
} sw_decision;

/* The decision's reason in words ("allow: consent con_... given on ...");
 * returns buf. */
char *sw_decision_text(const sw_decision *d, char *buf, size_t n);

/*
 * May the purpose be pursued for this identifier (or subject)? Writes
 * nothing. An unknown purpose, a malformed address or an unknown subject
 * id is an error (SW_ERR_INVALID / SW_ERR_NOTFOUND) saying which and why
 * (for an unknown purpose *out is also a denial, SW_DENY_PURPOSE_UNKNOWN);
 * an address no subject holds is a decision (no consent, or suppressed).
 */
sw_status sw_decide(sw_store *s, const char *purpose, const sw_who *who,
                    sw_decision *out);

/* One address of a batch of decisions. */
typedef struct sw_decide_item {
    sw_ident id;   /* in: the address ("email", "phone" or "visitor") */
    sw_decision d; /* out: the decision, when st is SW_OK */
    sw_status st;  /* out: SW_ERR_INVALID when the address cannot be read */
    char why[160]; /* out: what is wrong with it, when st is not SW_OK */
} sw_decide_item;

/*
 * Decides the purpose for n addresses at once, each exactly as sw_decide
 * would, all in one snapshot: verdicts kept in memory first, the others
 * read in statements of many addresses each, never one statement an
 * address. Fails as a whole (the message in sw_errmsg) only for an unknown
 * purpose or a failing store; an address that cannot be read fails alone
 * (items[i].st and items[i].why). Writes nothing.
 */
sw_status sw_decide_batch(sw_store *s, const char *purpose,
                          sw_decide_item *items, size_t n);

/* The decision facts a handle holds in memory (sw_decide_warm). */
typedef struct sw_decide_warmth {
    bool warm;         /* the facts are in memory */
    size_t subjects;   /* subjects read */
    size_t addresses;  /* e-mail addresses, phones and visitor ids */
    size_t suppressed; /* addresses on the suppression list */
    size_t facts;      /* newest consents and objections, by purpose */
    size_t bytes;      /* the memory they take (or would, too_large) */
    bool too_large;    /* not read: they would take more than allowed */
    char why[200];     /* when not warm: why not */
} sw_decide_warmth;

/*
 * Reads every fact a decision about an address needs (addresses and their
 * subjects, the suppression list, each subject's newest consent and
 * objection to each purpose, the ends of business relationships) into
 * memory in a few sequential reads of one snapshot, so that sw_decide and
 * sw_decide_batch decide an address without a look-up in the store, with
 * the same answers. Worth it for many decisions: expect is how many will
 * follow (0: unknown, read anyway); when they are too few against the
 * addresses the store holds, or the facts would take more than max_bytes
 * (0: 1 GiB), nothing is read and out->why says so (still SW_OK).
 * Forgotten, like kept verdicts, after any change. out may be NULL.
 */
sw_status sw_decide_warm(sw_store *s, size_t expect, size_t max_bytes,
                         sw_decide_warmth *out);

/* What the handle holds in memory now. */
void sw_decide_warmth_of(sw_store *s, sw_decide_warmth *out);

/*
 * Hands the facts from holds in memory to another handle of its group
 * (a daemon's pool), shared, not copied: *shared tells whether it did
 * (not when nothing is warm, or something changed since they were read).
 * Neither handle may be in use by another thread meanwhile.
 */
sw_status sw_decide_share(sw_store *from, sw_store *to, bool *shared);

/* Forgets what sw_decide keeps in memory. It forgets on its own after
 * every change through the handle or its group, and within a refresh
 * interval (a second) of a change by another process. */
void sw_decide_forget(sw_store *s);

/* Decisions made through this handle since it opened. Unlike every other
 * call it may be made from any thread while another uses the handle (a
 * daemon sums its handles' counts). */
void sw_decide_counts(const sw_store *s, sw_decide_counters *out);

/* ---- restriction (Art. 18; set by a request) ---- */

/* Marks or clears the restriction of processing of a subject. Audited. */
sw_status sw_subject_restrict(sw_store *s, const char *subject, bool on,
                              const char *reason);

#ifdef __cplusplus
}
#endif

#endif
