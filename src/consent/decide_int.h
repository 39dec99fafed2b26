/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libsteward: what the decision (decision.c) shares with the
 * decision facts held in memory (warm.c). */
#ifndef STEWARD_DECIDE_INT_H
#define STEWARD_DECIDE_INT_H

#include "consent/consent_sql.h"
#include "steward/consent.h"

/* A decision as computed, before it is handed out. */
typedef struct sw_verdict {
    bool allow;
    sw_reason reason;
    int activity, basis; /* -1: none */
    bool has_at;
    sw_instant at;
    sw_instant until; /* when it may change by itself (INT64_MAX: never) */
    char ref[SW_ID_BUFSZ];
} sw_verdict;

/* The verdict the facts f give for purpose at now under s's policy. */
void sw_verdict_of(const sw_store *s, const char *purpose, const sw_facts *f,
                   sw_instant now, sw_verdict *v);

/* The key types of a decision, by index: email, phone, visitor. */
extern const char *const sw_decide_key_types[3];

/* Every fact decisions about addresses read, in memory: immutable once
 * built, shared by reference between handles of one group. */
typedef struct sw_warm sw_warm;

/* Reads them in a few sequential statements inside one read on s (the
 * caller's), when expect decisions (0: unknown) pay for it and they take
 * at most max_bytes; else *out stays NULL and info->why says why.
 * changes: the group's change count before the read began. */
sw_status sw_warm_build(sw_store *s, size_t expect, size_t max_bytes,
                        uint64_t changes, sw_warm **out,
                        sw_decide_warmth *info);
sw_warm *sw_warm_ref(sw_warm *w);
void sw_warm_release(sw_warm *w);
void sw_warm_info(const sw_warm *w, sw_decide_warmth *info);
/* How many addresses it holds. */
size_t sw_warm_addresses(const sw_warm *w);
/* The group change count it was read at. */
uint64_t sw_warm_changes(const sw_warm *w);

/* Whether w answers for s at now: read under its policy, at or before
 * now, and nothing it read has changed by itself since (an end of a
 * relationship dated after it was read). */
bool sw_warm_fits(const sw_warm *w, const sw_store *s, sw_instant now);

/* The verdict for purpose (policy index pi) about the address raw of key
 * type ti, from memory; SW_ERR_INVALID (why, n bytes) when it cannot be
 * read. v->until is at most when w stops fitting. */
sw_status sw_warm_decide(const sw_warm *w, const sw_store *s, int pi, int ti,
                         const char *raw, sw_instant now, sw_verdict *v,
                         char *why, size_t n);

/* The same in steps, so that a batch can ask for the memory of many
 * addresses before it reads any: the blind index of an address (as
 * sw_warm_decide fails), where it sits, a hint to fetch its slot and its
 * subject, and the verdict for the address at. */
sw_status sw_warm_blind(const sw_warm *w, const sw_store *s, int ti,
                        const char *raw, uint8_t blind[SW_BLIND_BYTES],
                        char *why, size_t n);
void sw_warm_prefetch(const sw_warm *w, const uint8_t blind[SW_BLIND_BYTES]);
uint32_t sw_warm_find(const sw_warm *w, const uint8_t blind[SW_BLIND_BYTES]);
void sw_warm_prefetch_subject(const sw_warm *w, uint32_t at);
void sw_warm_verdict(const sw_warm *w, const sw_store *s, int pi, uint32_t at,
                     sw_instant now, sw_verdict *v);

#endif
